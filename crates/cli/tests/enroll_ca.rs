//! `highland enroll --ca FILE`: a hub with a certificate of its own is
//! trusted through the CA given once; `highland sync` keeps using it; a file
//! that is not a PEM certificate is refused in one line; and a certificate
//! the device does not trust stops `sync` at once instead of retrying.
//! The hub is a small fake over rustls on 127.0.0.1.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::DataDir;
use highland_domain::CheckedCode;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

fn code() -> String {
    CheckedCode::from_random(&[2, 7, 1, 8, 2, 8, 1, 8], 8).grouped()
}

/// Writes a CA to `ca.pem` in `dir`, and returns a hub certificate and
/// key for 127.0.0.1 signed by it.
fn pki(dir: &std::path::Path) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "Highland workshop CA");
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&key, &*ca)
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes()).unwrap();
    (cert.der().clone(), key)
}

/// A hub on a thread that enrolls anyone and has nothing to sync; returns
/// its URL and the count of connections it accepted.
fn fake_hub(
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
) -> (String, Arc<AtomicUsize>) {
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { continue };
            counted.fetch_add(1, Ordering::SeqCst);
            tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let connection = rustls::ServerConnection::new(config.clone()).unwrap();
            let _ = answer(rustls::StreamOwned::new(connection, tcp));
        }
    });
    (url, connections)
}

fn answer(mut stream: impl Read + Write) -> std::io::Result<()> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    while raw.len() < head_end + length {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let body = if head.starts_with("post /v1/enroll") {
        serde_json::json!({
            "protocol": 1, "device_token": "token-of-the-device",
            "seller_id": "seller-1", "seller_name": "Dolma", "village": "Yubeng",
        })
    } else {
        serde_json::json!({
            "protocol": 1, "acks": [], "operations": [], "cursor": 0, "more": false,
            "hub_time_ms": 1_795_000_000_000u64,
        })
    }
    .to_string();
    write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

#[test]
fn enroll_with_the_hubs_ca_then_sync_uses_it() {
    let data = DataDir::new();
    let (cert, key) = pki(data.path());
    let (url, connections) = fake_hub(cert, key);
    let ca = data.path().join("ca.pem");

    let out = data.ok(&[
        "enroll",
        "--hub",
        &url,
        "--code",
        &code(),
        "--ca",
        ca.to_str().unwrap(),
    ]);
    assert!(out.contains("enrolled as Dolma (Yubeng)"), "{out}");
    assert!(
        out.contains("trusting the hub's own certificate authority"),
        "{out}"
    );
    assert!(data.path().join("hub-ca.pem").exists());

    let out = data.ok(&["sync"]);
    assert!(out.contains("in 1 round trip"), "{out}");
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[test]
fn an_untrusted_certificate_stops_enroll_and_sync_at_once() {
    let data = DataDir::new();
    let (cert, key) = pki(data.path());
    let (url, connections) = fake_hub(cert, key);

    let stderr = data.fails(&["enroll", "--hub", &url, "--code", &code()]);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: the hub's certificate is not trusted: "),
        "{stderr}"
    );
    assert!(stderr.contains("pass --ca FILE"), "{stderr}");

    // Enrolled with the CA, which then goes missing: sync, with no
    // deadline, stops at the first attempt rather than retrying forever.
    let ca = data.path().join("ca.pem");
    data.ok(&[
        "enroll",
        "--hub",
        &url,
        "--code",
        &code(),
        "--ca",
        ca.to_str().unwrap(),
    ]);
    std::fs::remove_file(data.path().join("hub-ca.pem")).unwrap();
    let before = connections.load(Ordering::SeqCst);
    let out = data
        .cmd()
        .arg("sync")
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("retrying"), "{stderr}");
    assert!(
        stderr.starts_with("error: the hub's certificate is not trusted: "),
        "{stderr}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), before + 1);
}

#[test]
fn enroll_refuses_a_ca_file_that_is_not_a_pem_certificate() {
    let data = DataDir::new();
    let not_pem = data.path().join("hub.key");
    std::fs::write(&not_pem, KeyPair::generate().unwrap().serialize_pem()).unwrap();
    let missing = data.path().join("missing.pem");
    for (file, expected) in [
        (
            &not_pem,
            "is not a PEM certificate: no certificate found; expected text beginning with -----BEGIN CERTIFICATE-----",
        ),
        (&missing, "cannot read"),
    ] {
        // Port 9 on 127.0.0.1: the file is refused before any connection.
        let stderr = data.fails(&[
            "enroll",
            "--hub",
            "https://127.0.0.1:9",
            "--code",
            &code(),
            "--ca",
            file.to_str().unwrap(),
        ]);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains(file.to_str().unwrap()), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
    assert!(!data.path().join("hub-ca.pem").exists());
}

#[test]
fn enroll_refuses_a_ca_for_a_plain_http_hub() {
    let data = DataDir::new();
    pki(data.path());
    let ca = data.path().join("ca.pem");
    let stderr = data.fails(&[
        "enroll",
        "--hub",
        "http://127.0.0.1:9",
        "--code",
        &code(),
        "--ca",
        ca.to_str().unwrap(),
    ]);
    assert!(
        stderr.contains("a CA certificate is only for a hub reached over https://"),
        "{stderr}"
    );
}
