//! The real binary: it announces its address, serves, and on SIGTERM
//! finishes the request in flight, exits 0 and leaves a sound database.

#![cfg(unix)]

mod common;

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command};

use common::binary::{spawn_announcing, terminate, wait_for_log};
use common::*;
use highland_domain::Unit;
use highland_domain::wire::{EnrollResponse, PROTOCOL_VERSION};

struct Served {
    child: Child,
    addr: String,
    stderr: BufReader<std::process::ChildStderr>,
}

fn serve(database: &TestDatabase) -> Served {
    let (child, url, stderr) = spawn_announcing(
        Command::new(assert_cmd::cargo::cargo_bin("highland-hub"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(database.cli_args())
            .env("HIGHLAND_HUB_LOG", "info,tower_http=debug"),
    );
    let addr = url
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("not plain HTTP: {url}"))
        .to_owned();
    Served {
        child,
        addr,
        stderr,
    }
}

fn post(addr: &str, path: &str, token: Option<&str>, body: &[u8]) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(&head(path, token, body.len())).unwrap();
    stream.write_all(body).unwrap();
    read_response(stream)
}

fn head(path: &str, token: Option<&str>, length: usize) -> Vec<u8> {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    format!(
        "POST {path} HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n\
         Content-Length: {length}\r\nConnection: close\r\n{auth}\r\n"
    )
    .into_bytes()
}

fn read_response(mut stream: TcpStream) -> (u16, Vec<u8>) {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, raw[split + 4..].to_vec())
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::fresh(dir.path());
    let added = Command::new(assert_cmd::cargo::cargo_bin("highland-hub"))
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

    let mut hub = serve(&database);
    let device_id = highland_domain::DeviceId::new();
    let enroll = serde_json::json!({
        "protocol": PROTOCOL_VERSION, "code": added["code"], "device_id": device_id,
    });
    let (status, body) = post(&hub.addr, "/v1/enroll", None, enroll.to_string().as_bytes());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let enrolled: EnrollResponse = serde_json::from_slice(&body).unwrap();
    let device = Device {
        id: device_id,
        token: enrolled.device_token,
        seller_id: enrolled.seller_id,
    };

    // Half a sync request is on the wire when the hub is told to stop.
    let honey = new_listing("Honey", Unit::Jar, 4500);
    let request = sync_request(
        &device,
        vec![
            op(&device, NOW_MS, created(&honey)),
            op(&device, NOW_MS, received(&honey, 12)),
        ],
        0,
    );
    let body = serde_json::to_vec(&request).unwrap();
    let mut stream = TcpStream::connect(&hub.addr).unwrap();
    stream
        .write_all(&head("/v1/sync", Some(&device.token), body.len()))
        .unwrap();
    let (part, rest) = body.split_at(body.len() / 2);
    stream.write_all(part).unwrap();
    stream.flush().unwrap();
    // The hub has the request in hand.
    wait_for_log(&mut hub.stderr, &["started processing request", "/v1/sync"]);

    terminate(&hub.child);
    wait_for_log(&mut hub.stderr, &["stopping"]);
    stream.write_all(rest).unwrap();
    let (status, answer) = read_response(stream);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    let answer: highland_domain::wire::SyncResponse = serde_json::from_slice(&answer).unwrap();
    assert!(answer.acks.iter().all(applied));

    let exit = hub.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");

    assert_eq!(
        database.query_text("SELECT CAST(count(*) AS TEXT) FROM op_log"),
        "2"
    );
    if let highland_hub::Database::Sqlite(file) = &database.database {
        assert_eq!(database.query_text("PRAGMA integrity_check"), "ok");
        assert!(
            !file.with_extension("db-wal").exists(),
            "a clean close folds the write-ahead log back in"
        );
    }
}

#[test]
fn an_idle_hub_stops_on_sigterm_with_status_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut hub = serve(&TestDatabase::fresh(dir.path()));
    terminate(&hub.child);
    let exit = hub.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let mut rest = String::new();
    hub.stderr.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("stopped"), "{rest}");
}
