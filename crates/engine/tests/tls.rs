//! The device's side of HTTPS: it trusts a hub whose certificate comes from
//! the CA given when enrolling, keeps that CA for every later sync, and stops
//! at once, with an error that says what to do, when it does not trust the
//! hub's certificate. The hub here is a small fake over rustls (the engine
//! does not depend on the real one), on 127.0.0.1 only.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use highland_domain::CheckedCode;
use highland_domain::wire::{
    Ack, AckOutcome, EnrollResponse, PROTOCOL_VERSION, SyncRequest, SyncResponse,
};
use highland_engine::Store;
use highland_engine::sync::{
    self, HUB_CA_FILE, HubCa, HubError, SyncError, SyncEvent, SyncOptions,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A CA, as the PEM file a seller would be handed, and a hub certificate.
struct Pki {
    dir: tempfile::TempDir,
    ca_file: std::path::PathBuf,
    cert_pem: String,
    key_pem: String,
}

fn pki_with(hub_params: CertificateParams) -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Highland workshop CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let hub_key = KeyPair::generate().unwrap();
    let hub_cert = hub_params.signed_by(&hub_key, &*ca).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("workshop-ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    Pki {
        dir,
        ca_file,
        cert_pem: hub_cert.pem(),
        key_pem: hub_key.serialize_pem(),
    }
}

/// A certificate for 127.0.0.1 and localhost.
fn pki() -> Pki {
    pki_with(CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap())
}

/// A hub that enrolls anyone and acknowledges every operation, over TLS.
struct FakeHub {
    url: String,
    /// TCP connections accepted, whether their handshake succeeded or not.
    connections: Arc<AtomicUsize>,
    /// Operations acknowledged, over all syncs.
    acked: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeHub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn fake_hub(pki: &Pki) -> FakeHub {
    let chain = vec![CertificateDer::from_pem_slice(pki.cert_pem.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(pki.key_pem.as_bytes()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(AtomicUsize::new(0));
    let (counted, acks) = (connections.clone(), acked.clone());
    let task = tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            counted.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            let acks = acks.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let _ = answer(&mut tls, &acks).await;
                }
            });
        }
    });
    FakeHub {
        url,
        connections,
        acked,
        task,
    }
}

/// Reads one request and answers it as the hub would.
async fn answer(
    stream: &mut (impl AsyncReadExt + AsyncWriteExt + Unpin),
    acked: &AtomicUsize,
) -> std::io::Result<()> {
    let Some(http::RawRequest { head, body }) = http::read_request(stream).await? else {
        return Ok(());
    };
    let body = zstd::decode_all(body.as_slice()).unwrap();
    let json = if head.starts_with("post /v1/enroll") {
        serde_json::to_vec(&EnrollResponse {
            protocol: PROTOCOL_VERSION,
            device_token: "token-of-the-device".to_owned(),
            seller_id: "seller-1".to_owned(),
            seller_name: "Dolma".to_owned(),
            village: "Yubeng".to_owned(),
        })
    } else {
        let request: SyncRequest = serde_json::from_slice(&body).unwrap();
        acked.fetch_add(request.operations.len(), Ordering::SeqCst);
        serde_json::to_vec(&SyncResponse {
            protocol: PROTOCOL_VERSION,
            acks: request
                .operations
                .iter()
                .map(|op| Ack {
                    op_id: op.envelope().unwrap().id,
                    outcome: AckOutcome::Applied { hlc: None },
                })
                .collect(),
            operations: vec![],
            cursor: request.cursor,
            more: false,
            hub_time_ms: t0().timestamp_millis() as u64,
            newest_release: None,
            hub_version: None,
            history: None,
        })
    }
    .unwrap();
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n",
        json.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.write_all(&json).await?;
    stream.shutdown().await
}

fn code() -> CheckedCode {
    CheckedCode::from_random(&[3, 1, 4, 1, 5, 9, 2, 6], 8)
}

fn options() -> SyncOptions {
    SyncOptions {
        deadline: None,
        first_wait: Duration::from_millis(10),
        max_wait: Duration::from_millis(50),
        fetch_photos: true,
    }
}

/// Syncs with no deadline: a retry loop would never return, so the test
/// gives up after a while and fails.
async fn sync_once(store: &Mutex<Store>) -> (Result<sync::SyncReport, SyncError>, Vec<SyncEvent>) {
    let mut events = Vec::new();
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        sync::sync(store, &options(), &mut |e| events.push(e)),
    )
    .await
    .expect("sync returned instead of retrying");
    (result, events)
}

#[tokio::test]
async fn a_device_given_the_hubs_ca_enrolls_keeps_it_and_syncs_with_it() {
    let pki = pki();
    let hub = fake_hub(&pki).await;
    let mut d = device();
    yak_meat(&mut d.store, "12");
    let ca_path = d.dir.path().join(HUB_CA_FILE);
    let store = Mutex::new(d.store);

    let ca = HubCa::read(&pki.ca_file).unwrap();
    let enrolled = sync::enroll(&store, &hub.url, code(), Some(ca))
        .await
        .unwrap();
    assert_eq!(enrolled.hub_url, hub.url);
    assert_eq!(
        std::fs::read_to_string(&ca_path).unwrap(),
        std::fs::read_to_string(&pki.ca_file).unwrap(),
        "the CA is kept as given, next to the database"
    );

    // A later sync, from a store opened anew, finds the CA by itself.
    drop(store);
    let store = Mutex::new(Store::open(&d.dir.path().join("highland.db")).unwrap());
    let (result, _) = sync_once(&store).await;
    let report = result.unwrap();
    assert_eq!(report.pushed, 2, "the listing and its stock");
    assert_eq!(report.retries, 0);
    assert_eq!(hub.acked.load(Ordering::SeqCst), 2);
    assert_eq!(store.lock().unwrap().pending_count().unwrap(), 0);
}

#[tokio::test]
async fn without_the_ca_enrolling_fails_with_the_untrusted_certificate_error() {
    let pki = pki();
    let hub = fake_hub(&pki).await;
    let d = device();
    let store = Mutex::new(d.store);

    let error = sync::enroll(&store, &hub.url, code(), None)
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, SyncError::Hub(HubError::UntrustedCertificate(_))),
        "{error:?}"
    );
    assert_eq!(error.code(), "untrusted_certificate");
    assert!(
        message.starts_with("the hub's certificate is not trusted: "),
        "{message}"
    );
    assert!(
        message.contains("signed by an authority this device does not know"),
        "{message}"
    );
    assert!(message.contains("pass --ca FILE"), "{message}");
    assert!(!message.contains('\n'), "{message}");
    assert!(store.lock().unwrap().enrollment().unwrap().is_none());
    assert!(!d.dir.path().join(HUB_CA_FILE).exists());
    assert_eq!(hub.connections.load(Ordering::SeqCst), 1);

    // Another CA (of the same name, as one made anew would be) is no better.
    let other = HubCa::read(&self::pki().ca_file).unwrap();
    let error = sync::enroll(&store, &hub.url, code(), Some(other))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "untrusted_certificate", "{error}");
}

#[tokio::test]
async fn a_sync_that_meets_an_untrusted_certificate_stops_at_once() {
    let pki = pki();
    let hub = fake_hub(&pki).await;
    let mut d = device();
    yak_meat(&mut d.store, "3");
    // Enrolled with a hub whose certificate this device does not trust: the
    // CA was never given, or the hub changed certificates since.
    d.store
        .save_enrollment(&sync::Enrollment {
            hub_url: hub.url.clone(),
            seller_id: "seller-1".to_owned(),
            seller_name: "Dolma".to_owned(),
            village: "Yubeng".to_owned(),
            device_token: "token-of-the-device".to_owned(),
        })
        .unwrap();
    let store = Mutex::new(d.store);

    let (result, events) = sync_once(&store).await;
    let error = result.unwrap_err();
    assert_eq!(error.code(), "untrusted_certificate", "{error}");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, SyncEvent::Retrying { .. })),
        "{events:?}"
    );
    assert_eq!(
        hub.connections.load(Ordering::SeqCst),
        1,
        "one attempt only"
    );
    assert_eq!(store.lock().unwrap().pending_count().unwrap(), 2);
}

#[tokio::test]
async fn each_certificate_failure_says_what_to_do() {
    let mut expired = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    expired.not_before = rcgen::date_time_ymd(2019, 1, 1);
    expired.not_after = rcgen::date_time_ymd(2020, 1, 1);
    let cases = [
        (
            pki_with(CertificateParams::new(vec!["hub.example.org".to_owned()]).unwrap()),
            "it is for hub.example.org, not 127.0.0.1; use the hub's address as its certificate names it",
        ),
        (
            pki_with(expired),
            "it expired on 2020-01-01, and this device's date is ",
        ),
    ];
    for (pki, advice) in cases {
        let hub = fake_hub(&pki).await;
        let store = Mutex::new(device().store);
        let ca = HubCa::read(&pki.ca_file).unwrap();
        let error = sync::enroll(&store, &hub.url, code(), Some(ca))
            .await
            .unwrap_err();
        assert_eq!(error.code(), "untrusted_certificate", "{error}");
        assert!(error.to_string().contains(advice), "{error}");
        drop(pki.dir);
    }
}

#[tokio::test]
async fn a_hubs_self_signed_certificate_serves_as_its_own_ca() {
    let signed = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("hub.pem");
    std::fs::write(&ca_file, signed.cert.pem()).unwrap();
    let pki = Pki {
        dir,
        ca_file,
        cert_pem: signed.cert.pem(),
        key_pem: signed.signing_key.serialize_pem(),
    };
    let hub = fake_hub(&pki).await;
    let d = device();
    let ca_kept = d.dir.path().join(HUB_CA_FILE);
    let store = Mutex::new(d.store);
    let ca = HubCa::read(&pki.ca_file).unwrap();
    sync::enroll(&store, &hub.url, code(), Some(ca))
        .await
        .unwrap();
    assert!(ca_kept.exists());
    let (result, _) = sync_once(&store).await;
    assert_eq!(result.unwrap().round_trips, 1);
}

#[tokio::test]
async fn enrolling_again_without_a_ca_forgets_the_one_kept() {
    let pki = pki();
    let hub = fake_hub(&pki).await;
    let d = device();
    let ca_path = d.dir.path().join(HUB_CA_FILE);
    let store = Mutex::new(d.store);
    let ca = HubCa::read(&pki.ca_file).unwrap();
    sync::enroll(&store, &hub.url, code(), Some(ca.clone()))
        .await
        .unwrap();
    assert_eq!(store.lock().unwrap().hub_ca().unwrap(), Some(ca.clone()));

    // A CA means nothing for a plain-HTTP hub: refused before any request.
    let error = sync::enroll(&store, "http://127.0.0.1:9", code(), Some(ca))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("only for a hub reached over https://")
    );
    assert!(ca_path.exists());

    // The same hub, enrolled without the CA: refused, and the CA is kept.
    assert!(sync::enroll(&store, &hub.url, code(), None).await.is_err());
    assert!(ca_path.exists());

    // A plain-HTTP hub enrolled without one: the old CA goes.
    let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let plain_url = format!("http://{}", plain.local_addr().unwrap());
    let acked = Arc::new(AtomicUsize::new(0));
    let serving = tokio::spawn(async move {
        let (mut tcp, _) = plain.accept().await.unwrap();
        answer(&mut tcp, &acked).await.unwrap();
    });
    sync::enroll(&store, &plain_url, code(), None)
        .await
        .unwrap();
    serving.await.unwrap();
    assert!(!ca_path.exists());
    assert_eq!(store.lock().unwrap().hub_ca().unwrap(), None);
}

#[tokio::test]
async fn an_https_address_for_a_plain_http_hub_is_named_and_not_retried() {
    let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", plain.local_addr().unwrap());
    // A plain-HTTP server answers a TLS hello with a 400 in clear text.
    let serving = tokio::spawn(async move {
        let (mut tcp, _) = plain.accept().await.unwrap();
        let mut buf = [0u8; 1024];
        let _ = tcp.read(&mut buf).await;
        let _ = tcp
            .write_all(
                b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            )
            .await;
    });
    let store = Mutex::new(device().store);
    let error = sync::enroll(&store, &url, code(), None).await.unwrap_err();
    assert_eq!(error.code(), "not_tls", "{error}");
    assert!(
        error.to_string().contains("does not speak HTTPS"),
        "{error}"
    );
    serving.await.unwrap();
}

#[test]
fn a_ca_file_that_is_not_a_pem_certificate_is_refused_in_one_line() {
    let pki = pki();
    let key = pki.dir.path().join("hub.key");
    std::fs::write(&key, &pki.key_pem).unwrap();
    let der = pki.dir.path().join("ca.der");
    std::fs::write(&der, [0x30, 0x82, 0x01, 0x0a, 0x02, 0x82]).unwrap();
    let missing = pki.dir.path().join("missing.pem");
    for (path, expected) in [
        (&key, "is not a PEM certificate: no certificate found"),
        (&der, "is not a PEM certificate"),
        (&missing, "cannot read"),
    ] {
        let message = HubCa::read(path).unwrap_err().to_string();
        assert!(message.contains(expected), "{message}");
        assert!(
            message.contains(path.file_name().unwrap().to_str().unwrap()),
            "{message}"
        );
        assert!(!message.contains('\n'), "{message}");
    }
    let ca = HubCa::read(&pki.ca_file).unwrap();
    assert!(ca.pem().starts_with("-----BEGIN CERTIFICATE-----"));
}
