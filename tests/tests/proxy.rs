//! The fault-injecting proxy on real sockets, against small servers spawned here.
//!
//! Timing is only ever checked from below: the machine is shared and noisy, so "took at least
//! as long as the link allows" is what can be asserted. Timeouts below only turn a hang into a
//! failure.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use highland_e2e::proxy::{FaultyProxy, LinkProfile, Offline, ProxyStats};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep, timeout};

const HANG: Duration = Duration::from_secs(15);

async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    timeout(HANG, future)
        .await
        .unwrap_or_else(|_| panic!("{what} hung for {HANG:?}"))
}

fn payload(len: usize, seed: u64) -> Vec<u8> {
    let mut bytes = vec![0; len];
    StdRng::seed_from_u64(seed).fill(&mut bytes[..]);
    bytes
}

/// Counts the connections a test server has accepted.
#[derive(Clone, Default)]
struct Accepted(Arc<AtomicUsize>);

impl Accepted {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Spawns a server on an ephemeral port that handles each connection with `handle`.
async fn server<F, Fut>(handle: F) -> (SocketAddr, Accepted)
where
    F: Fn(TcpStream, usize) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Accepted::default();
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let index = counter.0.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(handle(socket, index));
        }
    });
    (addr, accepted)
}

async fn echo_server() -> (SocketAddr, Accepted) {
    server(|mut socket, _| async move {
        let (mut read, mut write) = socket.split();
        let _ = tokio::io::copy(&mut read, &mut write).await;
        let _ = write.shutdown().await;
    })
    .await
}

/// Reads each connection to its end and reports what arrived, in accept order.
async fn sink_server() -> (SocketAddr, mpsc::UnboundedReceiver<(usize, Vec<u8>)>) {
    let (reports, received) = mpsc::unbounded_channel();
    let (addr, _) = server(move |mut socket, index| {
        let reports = reports.clone();
        async move {
            let bytes = read_until_end(&mut socket).await;
            let _ = reports.send((index, bytes));
        }
    })
    .await;
    (addr, received)
}

/// Writes `len` bytes to each connection, then closes it.
async fn source_server(len: usize) -> SocketAddr {
    let (addr, _) = server(move |mut socket, index| async move {
        let _ = socket.write_all(&payload(len, index as u64)).await;
        let _ = socket.shutdown().await;
    })
    .await;
    addr
}

/// Everything the peer sends until it closes or resets the connection.
async fn read_until_end(socket: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buf = vec![0; 8192];
    while let Ok(n @ 1..) = socket.read(&mut buf).await {
        received.extend_from_slice(&buf[..n]);
    }
    received
}

/// Sends `data`, closes the sending half and returns everything received until the end,
/// sending and receiving at once so that neither side's buffers can deadlock.
async fn exchange(socket: TcpStream, data: &[u8]) -> Vec<u8> {
    let (mut read, mut write) = socket.into_split();
    let data = data.to_vec();
    let sender = tokio::spawn(async move {
        // A cut shows on the receiving side; a failed write here is part of it.
        if write.write_all(&data).await.is_ok() {
            let _ = write.shutdown().await;
        }
        write
    });
    let mut received = Vec::new();
    let mut buf = vec![0; 8192];
    while let Ok(n @ 1..) = read.read(&mut buf).await {
        received.extend_from_slice(&buf[..n]);
    }
    let _write = sender.await.unwrap();
    received
}

async fn connect(proxy: &FaultyProxy) -> TcpStream {
    TcpStream::connect(proxy.addr()).await.unwrap()
}

/// Sends one byte and waits for it to come back.
async fn echo_byte(socket: &mut TcpStream, byte: u8) {
    socket.write_all(&[byte]).await.unwrap();
    let mut back = [0];
    socket.read_exact(&mut back).await.unwrap();
    assert_eq!(back, [byte]);
}

/// True once the connection has ended, by EOF or by reset.
async fn has_ended(socket: &mut TcpStream) -> bool {
    let mut buf = [0; 64];
    matches!(socket.read(&mut buf).await, Ok(0) | Err(_))
}

#[tokio::test]
async fn perfect_link_passes_bytes_unchanged_both_ways() {
    let (upstream, _) = echo_server().await;
    let proxy = FaultyProxy::start(upstream, LinkProfile::perfect(), 1)
        .await
        .unwrap();
    assert_eq!(proxy.url(), format!("http://{}", proxy.addr()));

    let payloads: Vec<Vec<u8>> = (0..4)
        .map(|i| payload(200_000 + i * 7_919, i as u64))
        .collect();
    let mut exchanges = Vec::new();
    for data in payloads.clone() {
        let socket = connect(&proxy).await;
        exchanges.push(tokio::spawn(async move { exchange(socket, &data).await }));
    }
    for (exchange, sent) in exchanges.into_iter().zip(&payloads) {
        let echoed = within("echo", exchange).await.unwrap();
        assert!(echoed == *sent, "echo differs from what was sent");
    }

    let total: u64 = payloads.iter().map(|p| p.len() as u64).sum();
    assert_eq!(
        proxy.stats(),
        ProxyStats {
            bytes_up: total,
            bytes_down: total,
            connections_accepted: 4,
            connections_cut: 0,
            bytes_corrupted: 0,
        }
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn bandwidth_cap_sets_a_floor_on_transfer_time() {
    let (upstream, mut received) = sink_server().await;
    let up_bits_per_sec = 200_000;
    let profile = LinkProfile::perfect().with_bandwidth(None, Some(up_bits_per_sec));
    let proxy = FaultyProxy::start(upstream, profile, 2).await.unwrap();
    let len = 25_000;
    let data = payload(len, 2);

    let started = Instant::now();
    let socket = connect(&proxy).await;
    within("upload", exchange(socket, &data)).await;
    let (_, arrived) = within("sink", received.recv()).await.unwrap();
    let elapsed = started.elapsed();

    assert!(arrived == data, "sink received other bytes than were sent");
    let floor = Duration::from_secs_f64(len as f64 * 8.0 / up_bits_per_sec as f64);
    assert!(
        elapsed >= floor,
        "{len} bytes took {elapsed:?}, the link needs at least {floor:?}"
    );
    let stats = proxy.stats();
    assert_eq!((stats.bytes_up, stats.bytes_down), (len as u64, 0));
}

#[tokio::test]
async fn bandwidth_is_shared_by_all_connections() {
    let len = 10_000;
    let upstream = source_server(len).await;
    let down_bits_per_sec = 200_000;
    let profile = LinkProfile::perfect().with_bandwidth(Some(down_bits_per_sec), None);
    let proxy = FaultyProxy::start(upstream, profile, 3).await.unwrap();

    let started = Instant::now();
    let mut downloads = Vec::new();
    for _ in 0..2 {
        let socket = connect(&proxy).await;
        downloads.push(tokio::spawn(exchange(socket, &[])));
    }
    let mut total = 0;
    for download in downloads {
        let bytes = within("download", download).await.unwrap();
        assert_eq!(bytes.len(), len);
        total += bytes.len();
    }
    let elapsed = started.elapsed();

    let floor = Duration::from_secs_f64(total as f64 * 8.0 / down_bits_per_sec as f64);
    assert!(
        elapsed >= floor,
        "{total} bytes over two connections took {elapsed:?}, the link needs at least {floor:?}"
    );
    assert_eq!(proxy.stats().bytes_down, total as u64);
    assert_eq!(proxy.stats().bytes_up, 0);
}

#[tokio::test]
async fn round_trip_delays_every_echo() {
    let (upstream, _) = echo_server().await;
    let round_trip = Duration::from_millis(300);
    let profile = LinkProfile::perfect().with_round_trip(round_trip);
    let proxy = FaultyProxy::start(upstream, profile, 4).await.unwrap();

    let started = Instant::now();
    let mut socket = connect(&proxy).await;
    within("first echo", echo_byte(&mut socket, 1)).await;
    let first = started.elapsed();
    // The handshake costs a round trip before the first byte may leave.
    assert!(first >= round_trip * 2, "first echo took {first:?}");

    for byte in 2..4 {
        let started = Instant::now();
        within("echo", echo_byte(&mut socket, byte)).await;
        let elapsed = started.elapsed();
        assert!(
            elapsed >= round_trip,
            "echo took {elapsed:?}, round trip is {round_trip:?}"
        );
    }
}

#[tokio::test]
async fn jitter_keeps_bytes_in_order() {
    let (upstream, _) = echo_server().await;
    let profile = LinkProfile::perfect()
        .with_round_trip(Duration::from_millis(40))
        .with_jitter(Duration::from_millis(30));
    let proxy = FaultyProxy::start(upstream, profile, 5).await.unwrap();

    let (mut read, mut write) = connect(&proxy).await.into_split();
    let data = payload(100 * 64, 5);
    let sent = data.clone();
    let sender = tokio::spawn(async move {
        // Separate writes with pauses, so that each is its own chunk with its own delay.
        for piece in sent.chunks(64) {
            write.write_all(piece).await.unwrap();
            sleep(Duration::from_millis(2)).await;
        }
        write.shutdown().await.unwrap();
    });
    let mut echoed = Vec::new();
    within("echo", read.read_to_end(&mut echoed)).await.unwrap();
    sender.await.unwrap();
    assert!(echoed == data, "bytes came back reordered or changed");
}

#[tokio::test]
async fn loss_stalls_like_a_retransmission() {
    let (upstream, _) = echo_server().await;
    let profile = LinkProfile::perfect().with_loss(1.0);
    let stall = profile.retransmit_stall();
    let proxy = FaultyProxy::start(upstream, profile, 6).await.unwrap();

    let started = Instant::now();
    let mut socket = connect(&proxy).await;
    within("echo", echo_byte(&mut socket, 7)).await;
    let elapsed = started.elapsed();
    // The byte's segment is lost once each way, and each loss costs a retransmission timeout.
    assert!(
        elapsed >= stall * 2,
        "lossy echo took {elapsed:?}, stall is {stall:?}"
    );
}

#[tokio::test]
async fn cut_all_resets_open_connections_and_counts_them() {
    let (upstream, accepted) = echo_server().await;
    let proxy = FaultyProxy::start(upstream, LinkProfile::perfect(), 7)
        .await
        .unwrap();

    let mut sockets = Vec::new();
    for byte in 0..3 {
        let mut socket = connect(&proxy).await;
        within("echo", echo_byte(&mut socket, byte)).await;
        sockets.push(socket);
    }
    proxy.cut_all();
    for socket in &mut sockets {
        assert!(within("cut", has_ended(socket)).await);
    }
    assert_eq!(proxy.stats().connections_cut, 3);

    let mut socket = connect(&proxy).await;
    within("echo after cut", echo_byte(&mut socket, 9)).await;
    assert_eq!(accepted.count(), 4);
    assert_eq!(proxy.stats().connections_cut, 3);
}

#[tokio::test]
async fn chunk_cuts_end_connections_mid_stream() {
    let (upstream, _) = echo_server().await;
    let profile = LinkProfile::perfect().with_cut_probability_per_chunk(0.5);
    let proxy = FaultyProxy::start(upstream, profile, 8).await.unwrap();

    let data = payload(30_000, 8);
    for round in 1..=3 {
        let socket = connect(&proxy).await;
        let echoed = within("cut exchange", exchange(socket, &data)).await;
        assert!(
            echoed.len() < data.len(),
            "a 30 kB exchange survived a 50% cut chance per chunk"
        );
        assert!(
            data.starts_with(&echoed),
            "bytes before the cut came back changed"
        );
        assert_eq!(proxy.stats().connections_cut, round);
    }
}

#[tokio::test]
async fn scheduled_cuts_drop_connections() {
    let (upstream, _) = echo_server().await;
    let profile = LinkProfile::perfect()
        .with_cuts_every(Duration::from_millis(100), Duration::from_millis(200));
    let proxy = FaultyProxy::start(upstream, profile, 9).await.unwrap();

    let started = Instant::now();
    let mut socket = connect(&proxy).await;
    assert!(within("scheduled cut", has_ended(&mut socket)).await);
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert!(proxy.stats().connections_cut >= 1);

    proxy.set_profile(LinkProfile::perfect());
    let mut socket = connect(&proxy).await;
    sleep(Duration::from_millis(400)).await;
    within("echo once cuts stopped", echo_byte(&mut socket, 1)).await;
}

#[tokio::test]
async fn refusing_link_resets_new_connections() {
    let (upstream, accepted) = echo_server().await;
    let proxy = FaultyProxy::start(upstream, LinkProfile::perfect(), 10)
        .await
        .unwrap();

    proxy.set_offline(Some(Offline::Refuse));
    let mut socket = connect(&proxy).await;
    let _ = socket.write_all(b"hello").await;
    assert!(within("refusal", has_ended(&mut socket)).await);
    assert_eq!(accepted.count(), 0, "a refused connection reached upstream");

    proxy.set_offline(None);
    let mut socket = connect(&proxy).await;
    within("echo back online", echo_byte(&mut socket, 1)).await;
    assert_eq!(accepted.count(), 1);
    let stats = proxy.stats();
    assert_eq!((stats.connections_accepted, stats.connections_cut), (2, 0));
}

#[tokio::test]
async fn blackholed_link_swallows_bytes_and_never_answers() {
    let (upstream, accepted) = echo_server().await;
    let proxy = FaultyProxy::start(upstream, LinkProfile::perfect(), 11)
        .await
        .unwrap();
    let mut before = connect(&proxy).await;
    within("echo", echo_byte(&mut before, 1)).await;

    proxy.set_offline(Some(Offline::Blackhole));
    assert!(within("cut by going offline", has_ended(&mut before)).await);
    assert_eq!(proxy.stats().connections_cut, 1);

    let mut swallowed = connect(&proxy).await;
    swallowed.write_all(b"anyone there?").await.unwrap();
    let mut buf = [0; 16];
    let answer = timeout(Duration::from_millis(500), swallowed.read(&mut buf)).await;
    assert!(answer.is_err(), "blackhole answered with {answer:?}");
    assert_eq!(
        accepted.count(),
        1,
        "a blackholed connection reached upstream"
    );

    proxy.set_offline(None);
    let mut after = connect(&proxy).await;
    within("echo back online", echo_byte(&mut after, 2)).await;
    assert_eq!(accepted.count(), 2);
    // Coming back does not revive a connection the dead link swallowed.
    let answer = timeout(Duration::from_millis(200), swallowed.read(&mut buf)).await;
    assert!(
        answer.is_err(),
        "blackholed connection answered with {answer:?}"
    );

    proxy.cut_all();
    assert!(within("cut of blackholed", has_ended(&mut swallowed)).await);
    assert!(within("cut of online", has_ended(&mut after)).await);
    let stats = proxy.stats();
    assert_eq!((stats.connections_accepted, stats.connections_cut), (3, 3));
    assert_eq!((stats.bytes_up, stats.bytes_down), (2, 2));
}

#[tokio::test]
async fn same_seed_cuts_same_traffic_at_same_bytes() {
    async fn cut_points(seed: u64) -> Vec<usize> {
        let (upstream, mut received) = sink_server().await;
        let profile = LinkProfile::perfect().with_cut_probability_per_chunk(0.1);
        let proxy = FaultyProxy::start(upstream, profile, seed).await.unwrap();
        let mut points = Vec::new();
        for round in 0..6 {
            let socket = connect(&proxy).await;
            within("upload", exchange(socket, &payload(30_000, round))).await;
            // One connection at a time keeps the accept order, which the seeds follow.
            let (_, arrived) = within("sink", received.recv()).await.unwrap();
            points.push(arrived.len());
        }
        proxy.shutdown().await;
        points
    }

    let first = cut_points(12).await;
    assert!(
        first.iter().any(|&len| len < 30_000),
        "nothing was cut: {first:?}"
    );
    assert_eq!(cut_points(12).await, first);
    assert_ne!(cut_points(13).await, first);
}

#[tokio::test]
async fn new_connections_follow_set_upstream() {
    let (old, old_accepted) = echo_server().await;
    let (new, new_accepted) = echo_server().await;
    let proxy = FaultyProxy::start(old, LinkProfile::perfect(), 14)
        .await
        .unwrap();
    let mut kept = connect(&proxy).await;
    within("echo", echo_byte(&mut kept, 1)).await;

    proxy.set_upstream(new);
    let mut moved = connect(&proxy).await;
    within("echo", echo_byte(&mut moved, 2)).await;
    within("echo on old upstream", echo_byte(&mut kept, 3)).await;
    assert_eq!((old_accepted.count(), new_accepted.count()), (1, 1));
}

#[tokio::test]
async fn shutdown_closes_listener_and_connections() {
    let (upstream, _) = echo_server().await;
    let proxy = FaultyProxy::start(upstream, LinkProfile::perfect(), 15)
        .await
        .unwrap();
    let addr = proxy.addr();
    let mut open = connect(&proxy).await;
    within("echo", echo_byte(&mut open, 1)).await;

    within("shutdown", proxy.shutdown()).await;
    assert!(within("close of open connection", has_ended(&mut open)).await);
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "proxy still listening"
    );
}

#[tokio::test]
async fn edge_preset_carries_an_exchange() {
    let (upstream, _) = echo_server().await;
    let profile = LinkProfile::edge();
    let proxy = FaultyProxy::start(upstream, profile, 16).await.unwrap();
    let data = payload(2_000, 16);

    let started = Instant::now();
    let socket = connect(&proxy).await;
    let echoed = within("echo over edge", exchange(socket, &data)).await;
    let elapsed = started.elapsed();

    assert!(echoed == data, "echo over edge differs from what was sent");
    // Handshake, then the bytes across and back, then their airtime at the slower upload rate.
    let floor = profile.round_trip * 2 + Duration::from_secs_f64(2_000.0 * 8.0 / 200_000.0);
    assert!(
        elapsed >= floor,
        "echo over edge took {elapsed:?}, at least {floor:?} expected"
    );
}
