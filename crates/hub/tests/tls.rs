//! HTTPS: a hub with a certificate from its own CA (made here with rcgen)
//! serves clients that trust that CA, refuses to be mistaken for a plain-HTTP
//! server, and keeps serving through bad connections; without a certificate,
//! the binary serves plain HTTP only on loopback and private LANs unless told
//! `--allow-plain-http`. Tests connect to 127.0.0.1 only.

mod common;

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[cfg(unix)]
use common::binary::terminate;
use common::binary::{spawn_announcing, wait_for_log};
use common::*;
use highland_domain::Unit;
use highland_domain::wire::{EnrollResponse, ErrorBody, PROTOCOL_VERSION, SyncResponse};
use highland_hub::{AppState, ManualClock, RunningHub, TlsConfig, WallClock};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use reqwest::StatusCode;
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, ServerName};
use tempfile::TempDir;

/// A CA and a certificate for 127.0.0.1 and localhost signed by it, as
/// PEM files in a directory of their own.
struct Pki {
    dir: TempDir,
    ca: CertificateDer<'static>,
    cert: PathBuf,
    key: PathBuf,
}

fn pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Highland workshop CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let hub_key = KeyPair::generate().unwrap();
    let hub_cert = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&hub_key, &*ca)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("hub.crt");
    let key = dir.path().join("hub.key");
    std::fs::write(&cert, hub_cert.pem()).unwrap();
    std::fs::write(&key, hub_key.serialize_pem()).unwrap();
    std::fs::write(dir.path().join("ca.crt"), ca.pem()).unwrap();
    Pki {
        dir,
        ca: ca.der().clone(),
        cert,
        key,
    }
}

fn client_config(trusted: Option<&CertificateDer<'static>>) -> rustls::ClientConfig {
    let mut roots = RootCertStore::empty();
    if let Some(ca) = trusted {
        roots.add(ca.clone()).unwrap();
    }
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// An HTTPS client that trusts `trusted` and nothing else.
fn https_client(trusted: Option<&CertificateDer<'static>>) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_backend_preconfigured(client_config(trusted))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

struct TlsHub {
    url: String,
    pki: Pki,
    db: Arc<OffRuntime>,
    clock: Arc<ManualClock>,
    running: RunningHub,
    _database: TestDatabase,
    _data: TempDir,
}

async fn spawn_tls_hub() -> TlsHub {
    let pki = pki();
    let tls = TlsConfig::from_pem_files(&pki.cert, &pki.key).unwrap();
    let data = tempfile::tempdir().unwrap();
    let database = TestDatabase::fresh(data.path());
    let db = database.open();
    let clock = Arc::new(ManualClock::at(NOW_MS));
    let state = AppState::new(db.inner(), clock.clone());
    let running = highland_hub::start_tls("127.0.0.1:0".parse().unwrap(), state, tls)
        .await
        .unwrap();
    TlsHub {
        url: running.url(),
        pki,
        db,
        clock,
        running,
        _database: database,
        _data: data,
    }
}

impl TlsHub {
    fn new_seller_code(&self) -> String {
        let new = highland_hub::admin::NewSeller {
            name: highland_domain::ShortText::parse("Dolma").unwrap(),
            village: highland_domain::ShortText::parse("Yubeng").unwrap(),
            phone: None,
        };
        highland_hub::admin::add_seller(self.db.as_ref(), new, self.clock.now_ms())
            .unwrap()
            .code
    }

    async fn healthy(&self, client: &reqwest::Client) {
        let response = client
            .get(format!("{}/healthz", self.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn a_device_that_trusts_the_hubs_ca_enrolls_and_syncs_over_https() {
    let hub = spawn_tls_hub().await;
    assert!(hub.url.starts_with("https://127.0.0.1:"), "{}", hub.url);
    let client = https_client(Some(&hub.pki.ca));
    hub.healthy(&client).await;

    let device_id = highland_domain::DeviceId::new();
    let response = client
        .post(format!("{}/v1/enroll", hub.url))
        .json(&serde_json::json!({
            "protocol": PROTOCOL_VERSION, "code": hub.new_seller_code(), "device_id": device_id,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let enrolled: EnrollResponse = response.json().await.unwrap();
    let device = Device {
        id: device_id,
        token: enrolled.device_token,
        seller_id: enrolled.seller_id,
    };

    let honey = new_listing("Honey", Unit::Jar, 4500);
    let request = sync_request(
        &device,
        vec![
            op(&device, NOW_MS, created(&honey)),
            op(&device, NOW_MS, received(&honey, 12)),
        ],
        0,
    );
    let response = client
        .post(format!("{}/v1/sync", hub.url))
        .bearer_auth(&device.token)
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let answer: SyncResponse = response.json().await.unwrap();
    assert_eq!(answer.acks.len(), 2);
    assert!(answer.acks.iter().all(applied));
    hub.running.stop().await.unwrap();
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_certificate_fails_and_the_hub_serves_on() {
    let hub = spawn_tls_hub().await;
    let error = https_client(None)
        .get(format!("{}/healthz", hub.url))
        .send()
        .await
        .unwrap_err();
    let chain = format!("{:?}", error);
    assert!(chain.contains("UnknownIssuer"), "{chain}");

    // Another CA of the same name (a CA made anew) is no better.
    let other = pki();
    let error = https_client(Some(&other.ca))
        .get(format!("{}/healthz", hub.url))
        .send()
        .await
        .unwrap_err();
    assert!(
        format!("{error:?}").contains("InvalidCertificate(BadSignature)"),
        "{error:?}"
    );

    hub.healthy(&https_client(Some(&hub.pki.ca))).await;
}

/// Writes a plain-HTTP request to the TLS port and reads the whole answer.
fn plain_request(addr: &str, request: &[u8]) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head, raw[split + 4..].to_vec())
}

#[tokio::test]
async fn plain_http_to_the_tls_port_gets_a_clear_400_and_the_hub_serves_on() {
    let hub = spawn_tls_hub().await;
    let addr = hub.url.strip_prefix("https://").unwrap().to_owned();

    // A request with a body, as a device configured with http:// sends it.
    let body = vec![b'x'; 200_000];
    let mut request = format!(
        "POST /v1/sync HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    let target = addr.clone();
    let (status, head, body) =
        tokio::task::spawn_blocking(move || plain_request(&target, &request))
            .await
            .unwrap();
    assert_eq!(status, 400, "{head}");
    assert!(head.contains("application/json"), "{head}");
    let error: ErrorBody = serde_json::from_slice(&body).unwrap();
    assert_eq!(error.code, "https_required");
    assert!(
        error.message.contains(&format!("https://{addr}")),
        "{}",
        error.message
    );

    // reqwest over plain HTTP sees the same answer.
    let plain = http_client().build().unwrap();
    let response = plain
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    hub.healthy(&https_client(Some(&hub.pki.ca))).await;
}

#[tokio::test]
async fn silent_and_garbage_connections_do_not_hold_up_other_clients() {
    let hub = spawn_tls_hub().await;
    let addr = hub.url.strip_prefix("https://").unwrap().to_owned();
    // One connection that says nothing, one that sends bytes that are
    // neither TLS nor HTTP, one that starts a handshake and stops.
    let silent = TcpStream::connect(&addr).unwrap();
    let mut garbage = TcpStream::connect(&addr).unwrap();
    garbage.write_all(&[0u8, 1, 2, 3, 255, 254]).unwrap();
    let mut half = TcpStream::connect(&addr).unwrap();
    half.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        .unwrap();

    let started = Instant::now();
    hub.healthy(&https_client(Some(&hub.pki.ca))).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    drop((silent, garbage, half));
    hub.running.stop().await.unwrap();
}

#[test]
fn certificate_and_key_files_are_checked_with_clear_errors() {
    let pki = pki();
    let other = pki.dir.path().join("other.key");
    std::fs::write(&other, KeyPair::generate().unwrap().serialize_pem()).unwrap();
    let missing = pki.dir.path().join("missing.crt");
    let error = TlsConfig::from_pem_files(&missing, &pki.key).unwrap_err();
    assert!(
        error.to_string().starts_with("cannot read ") && error.to_string().contains("missing.crt"),
        "{error}"
    );
    // The key given as the certificate, and the certificate as the key.
    let error = TlsConfig::from_pem_files(&pki.key, &pki.key).unwrap_err();
    assert!(
        error.to_string().contains("holds no certificate"),
        "{error}"
    );
    let error = TlsConfig::from_pem_files(&pki.cert, &pki.cert).unwrap_err();
    assert!(
        error.to_string().contains("holds no private key"),
        "{error}"
    );
    let error = TlsConfig::from_pem_files(&pki.cert, &other).unwrap_err();
    assert!(error.to_string().contains("does not belong"), "{error}");
    TlsConfig::from_pem_files(&pki.cert, &pki.key).unwrap();
}

// ---------------------------------------------------------------------------
// The binary: `serve --tls-cert --tls-key`, and the plain-HTTP guard.

fn hub_bin() -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("highland-hub"));
    command
        .env_remove("HIGHLAND_HUB_TLS_CERT")
        .env_remove("HIGHLAND_HUB_TLS_KEY");
    command
}

struct Served {
    child: Child,
    /// What the hub announced, such as `https://127.0.0.1:41234`.
    url: String,
    stderr: BufReader<std::process::ChildStderr>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(database: &TestDatabase, args: &[&str]) -> Served {
    let (child, url, stderr) = spawn_announcing(
        hub_bin()
            .arg("serve")
            .args(args)
            .args(database.cli_args())
            .env("HIGHLAND_HUB_LOG", "info,tower_http=debug"),
    );
    Served { child, url, stderr }
}

/// The port of an announced URL, reached on 127.0.0.1 whatever was bound.
fn loopback(url: &str) -> String {
    let port = url.rsplit(':').next().unwrap();
    format!("127.0.0.1:{port}")
}

fn get_healthz(addr: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    raw.split(' ').nth(1).unwrap().parse().unwrap()
}

#[test]
fn serve_refuses_plain_http_on_every_address_without_the_flag() {
    let data = tempfile::tempdir().unwrap();
    let out = hub_bin()
        .args(["serve", "--listen", "0.0.0.0:0", "--data-dir"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: refusing to serve plain HTTP on 0.0.0.0:0"));
    assert!(stderr.contains("every address"), "{stderr}");
    assert!(
        stderr.contains("--tls-cert FILE --tls-key FILE"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-plain-http"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn serve_binds_every_address_with_allow_plain_http_and_loopback_without() {
    let data = tempfile::tempdir().unwrap();
    let database = TestDatabase::fresh(data.path());
    for args in [
        &["--listen", "0.0.0.0:0", "--allow-plain-http"][..],
        &["--listen", "127.0.0.1:0"][..],
    ] {
        let mut hub = serve(&database, args);
        assert!(hub.url.starts_with("http://"), "{}", hub.url);
        assert_eq!(get_healthz(&loopback(&hub.url)), 200);
        terminate(&hub.child);
        let exit = hub.child.wait().unwrap();
        assert!(exit.success(), "{args:?}: {exit:?}");
    }
}

#[test]
fn serve_checks_its_tls_flags() {
    let data = tempfile::tempdir().unwrap();
    let pki = pki();
    let cert = pki.cert.to_str().unwrap();
    let key = pki.key.to_str().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["--tls-cert", cert], "--tls-key"),
        (&["--tls-key", key], "--tls-cert"),
        (
            &["--tls-cert", cert, "--tls-key", key, "--allow-plain-http"],
            "cannot be used with",
        ),
        (
            &["--tls-cert", key, "--tls-key", key],
            "holds no certificate",
        ),
    ];
    for (args, expected) in cases {
        let out = hub_bin()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .arg("--data-dir")
            .arg(data.path())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

/// A blocking TLS connection to the hub that trusts `ca`.
fn tls_connect(
    addr: &str,
    ca: &CertificateDer<'static>,
) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
    let config = Arc::new(client_config(Some(ca)));
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let connection = rustls::ClientConnection::new(config, name).unwrap();
    let tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    rustls::StreamOwned::new(connection, tcp)
}

#[cfg(unix)]
#[test]
fn serve_with_a_certificate_speaks_https_and_stops_gracefully() {
    let data = tempfile::tempdir().unwrap();
    let database = TestDatabase::fresh(data.path());
    let pki = pki();
    let added = hub_bin()
        .args([
            "seller",
            "add",
            "--name",
            "Dolma",
            "--village",
            "Yubeng",
            "--json",
        ])
        .args(database.cli_args())
        .output()
        .unwrap();
    assert!(added.status.success());
    let added: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();

    // On every address: with a certificate, no flag is needed.
    let mut hub = serve(
        &database,
        &[
            "--listen",
            "0.0.0.0:0",
            "--tls-cert",
            pki.cert.to_str().unwrap(),
            "--tls-key",
            pki.key.to_str().unwrap(),
        ],
    );
    assert!(hub.url.starts_with("https://0.0.0.0:"), "{}", hub.url);
    let addr = loopback(&hub.url);

    // Half an enrollment request is on the wire, over TLS, when the hub is
    // told to stop; the hub answers it, then exits.
    let body = serde_json::json!({
        "protocol": PROTOCOL_VERSION,
        "code": added["code"],
        "device_id": highland_domain::DeviceId::new(),
    })
    .to_string();
    let mut stream = tls_connect(&addr, &pki.ca);
    let head = format!(
        "POST /v1/enroll HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let (part, rest) = body.as_bytes().split_at(body.len() / 2);
    stream.write_all(part).unwrap();
    stream.flush().unwrap();
    wait_for_log(
        &mut hub.stderr,
        &["started processing request", "/v1/enroll"],
    );

    terminate(&hub.child);
    wait_for_log(&mut hub.stderr, &["stopping"]);
    stream.write_all(rest).unwrap();
    stream.flush().unwrap();
    let mut raw = Vec::new();
    match stream.read_to_end(&mut raw) {
        Ok(_) => {}
        // The hub may close without a TLS close_notify after the answer.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {}
        Err(e) => panic!("{e}"),
    }
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
    assert!(raw.contains("device_token"), "{raw}");

    let exit = hub.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}
