//! Connections that say nothing, say it slowly or come too many at once:
//! each is closed after its timeout or answered with a polite 503, and
//! the hub goes on answering everyone else.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;
use highland_hub::Limits;
use highland_hub::server::ConnectionLimits;

/// A hub whose connections time out after a second, at most `max` open.
async fn impatient_hub(max: Option<usize>) -> TestHub {
    let limits = Limits {
        connections: ConnectionLimits {
            header_read: Duration::from_secs(1),
            idle: Duration::from_secs(1),
            max_connections: max,
        },
        ..Limits::default()
    };
    spawn_hub_with(tempfile::tempdir().unwrap(), NOW_MS, limits).await
}

fn connect(hub: &TestHub) -> TcpStream {
    let stream = TcpStream::connect(hub.url.trim_start_matches("http://")).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Reads until the hub closes the connection, and what it sent. The
/// connection's read timeout (10 s, ten times the limits these tests set)
/// is what fails a test whose hub keeps a connection open.
fn read_until_closed(mut stream: TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the hub kept the connection open: {e}"),
        }
    }
    String::from_utf8_lossy(&received).into_owned()
}

/// `GET /healthz` on a connection of its own: the whole answer.
fn healthz(addr: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
        .unwrap();
    read_until_closed(stream)
}

/// Runs blocking socket work off the test's runtime, which serves the hub.
async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_sends_nothing_is_closed() {
    let hub = impatient_hub(None).await;
    let silent = connect(&hub);
    let received = off_runtime(move || read_until_closed(silent)).await;
    assert_eq!(received, "");
    hub.assert_healthy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_head_sent_slowly_is_cut_off() {
    let hub = impatient_hub(None).await;
    let mut slow = connect(&hub);
    let received = off_runtime(move || {
        // A byte every tenth of a second keeps the socket busy, but the head
        // never ends: the header-read timeout closes it, not the idle one.
        for byte in b"GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Slow: " {
            if slow.write_all(&[*byte]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        read_until_closed(slow)
    })
    .await;
    assert!(!received.contains("200 OK"), "{received}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_alive_connection_is_closed_once_idle() {
    let hub = impatient_hub(None).await;
    let mut kept = connect(&hub);
    let received = off_runtime(move || {
        kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
            .unwrap();
        read_until_closed(kept)
    })
    .await;
    assert!(received.starts_with("HTTP/1.1 200 OK"), "{received}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stops_coming_ends_its_connection() {
    let hub = impatient_hub(None).await;
    let device = hub.seller_with_device("Dolma").await;
    let mut half = connect(&hub);
    let head = format!(
        "POST /v1/sync HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"protocol\": 1,",
        device.token
    );
    let received = off_runtime(move || {
        half.write_all(head.as_bytes()).unwrap();
        read_until_closed(half)
    })
    .await;
    assert!(!received.contains("200 OK"), "{received}");
    hub.assert_healthy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_cap_a_connection_is_told_to_come_back_and_others_go_on() {
    let hub = impatient_hub(Some(3)).await;
    let held: Vec<TcpStream> = (0..3).map(|_| connect(&hub)).collect();
    // Let the hub accept the three before the fourth comes.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let fourth = connect(&hub);
    let received = off_runtime(move || read_until_closed(fourth)).await;
    assert!(
        received.starts_with("HTTP/1.1 503 Service Unavailable"),
        "{received}"
    );
    assert!(received.contains("retry-after: 5"), "{received}");
    assert!(received.contains(r#""code":"busy""#), "{received}");

    // The held ones are closed by their timeout, and the hub answers again.
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    hub.assert_healthy().await;
}

/// The real binary under a service's usual limit of open files: idle
/// sockets past its cap get 503s instead of running it out of descriptors,
/// and it answers again as soon as they close.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_past_the_open_files_limit_do_not_stop_the_binary() {
    use std::io::Read;
    use std::process::Command;

    let database = TestDatabase::fresh(tempfile::tempdir().unwrap().path());
    let (mut child, url, mut log_file) = common::binary::spawn_announcing(
        Command::new("prlimit")
            .args(["--nofile=128:128", "--"])
            .arg(assert_cmd::cargo::cargo_bin("highland-hub"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(database.cli_args()),
    );
    let addr = url.strip_prefix("http://").unwrap().to_owned();

    let outcome = off_runtime(move || {
        // 128 files: a cap of 64 connections. 150 idle sockets is past
        // both the cap and the limit itself.
        let idle: Vec<TcpStream> = (0..150)
            .map(|_| TcpStream::connect(&addr).unwrap())
            .collect();
        // Past the refusals in progress, each a quarter of a second.
        std::thread::sleep(Duration::from_millis(800));
        let busy = healthz(&addr);
        drop(idle);
        std::thread::sleep(Duration::from_millis(300));
        (busy, healthz(&addr))
    })
    .await;
    let _ = child.kill();
    let _ = child.wait();
    let mut log = String::new();
    log_file.read_to_string(&mut log).unwrap();
    let (busy, ok) = outcome;
    assert!(busy.starts_with("HTTP/1.1 503"), "{busy}");
    assert!(ok.starts_with("HTTP/1.1 200 OK"), "{ok}");
    assert!(!log.contains("Too many open files"), "{log}");
}
