//! A TCP proxy that puts an emulated slow, lossy, intermittent mobile link between a client
//! and the server behind it: the tests' bad network, and the workshop's network simulator
//! (a trainee's tablet syncs through it to show what a village's signal does).
//!
//! Point the client at [`FaultyProxy::url`] instead of the server. Every connection through
//! one proxy shares one emulated radio: bandwidth is per direction for the whole proxy, as on a
//! phone. Faults come from a seeded random source, so a failing run can be replayed with its
//! seed; where loss and cuts land depends only on the seed and the bytes sent, not on timing.
//!
//! ```no_run
//! # async fn demo(hub: std::net::SocketAddr) -> std::io::Result<()> {
//! use highland_netsim::{FaultyProxy, LinkProfile, Offline};
//!
//! let proxy = FaultyProxy::start(hub, LinkProfile::edge(), 42).await?;
//! let hub_url = proxy.url(); // give this to the device under test
//! proxy.set_offline(Some(Offline::Blackhole)); // walk into the forest
//! proxy.set_offline(None); // and out again
//! proxy.shutdown().await;
//! # Ok(()) }
//! ```

mod corrupt;
mod link;
mod profile;

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::AsyncReadExt;

use corrupt::Corruption;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep, sleep_until};

use link::{Ending, LinkState, Radio};
pub use profile::{LinkProfile, SEGMENT_BYTES};

/// How the link behaves while it is down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offline {
    /// Accept, then reset at once: the client learns immediately, as with "no route to host".
    Refuse,
    /// Accept, read and discard, never answer: what a dead mobile link looks like, where
    /// only the client's own timeouts will tell.
    Blackhole,
}

/// Counters since the proxy started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// Bytes written to the upstream server (client to upstream), so delivered, not just sent.
    pub bytes_up: u64,
    /// Bytes written to clients (upstream to client).
    pub bytes_down: u64,
    /// Connections accepted from clients, including those refused or blackholed while
    /// offline.
    pub connections_accepted: u64,
    /// Open connections the link cut: by [`FaultyProxy::cut_all`], going offline, the
    /// profile's `cut_every` or its `cut_probability_per_chunk`. Counted before the sockets
    /// close, so a client that has seen its cut sees it counted.
    pub connections_cut: u64,
    /// Bytes damaged by [`FaultyProxy::corrupt_once`].
    pub bytes_corrupted: u64,
}

/// A fault-injecting TCP proxy listening on `127.0.0.1`; see the [module docs](self).
///
/// Dropping it stops it too, but [`FaultyProxy::shutdown`] also waits until the port is
/// closed.
#[derive(Debug)]
pub struct FaultyProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    tasks: JoinSet<()>,
}

#[derive(Debug)]
struct Shared {
    profile: watch::Sender<LinkProfile>,
    upstream: Mutex<SocketAddr>,
    offline: Mutex<Option<Offline>>,
    /// Bumped to cut every connection open at that moment; each one watches it.
    cuts: watch::Sender<u64>,
    up_radio: Radio,
    down_radio: Radio,
    bytes_up: AtomicU64,
    bytes_down: AtomicU64,
    connections_accepted: AtomicU64,
    connections_cut: AtomicU64,
    corruption: Mutex<Option<Corruption>>,
    corrupted: AtomicU64,
}

impl FaultyProxy {
    /// Listens on an ephemeral port of `127.0.0.1` and relays every connection to `upstream`
    /// through a link behaving as `profile`, with faults drawn from `seed`.
    pub async fn start(
        upstream: SocketAddr,
        profile: LinkProfile,
        seed: u64,
    ) -> io::Result<FaultyProxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            profile: watch::Sender::new(profile),
            upstream: Mutex::new(upstream),
            offline: Mutex::new(None),
            cuts: watch::Sender::new(0),
            up_radio: Radio::new(),
            down_radio: Radio::new(),
            bytes_up: AtomicU64::new(0),
            bytes_down: AtomicU64::new(0),
            connections_accepted: AtomicU64::new(0),
            connections_cut: AtomicU64::new(0),
            corruption: Mutex::new(None),
            corrupted: AtomicU64::new(0),
        });
        let mut seeds = StdRng::seed_from_u64(seed);
        let schedule_rng = StdRng::from_rng(&mut seeds);
        let mut tasks = JoinSet::new();
        tasks.spawn(accept_loop(listener, Arc::clone(&shared), seeds));
        tasks.spawn(cut_on_schedule(Arc::clone(&shared), schedule_rng));
        Ok(FaultyProxy {
            addr,
            shared,
            tasks,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, to use as a server URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn profile(&self) -> LinkProfile {
        *self.shared.profile.borrow()
    }

    /// Takes effect from the next chunk of every open connection; a new `cut_every` range
    /// restarts the schedule.
    pub fn set_profile(&self, profile: LinkProfile) {
        self.shared.profile.send_replace(profile);
    }

    /// Takes the link down (cutting every open connection) or, with `None`, brings it back for
    /// new connections. Connections blackholed while down stay silent until cut.
    pub fn set_offline(&self, mode: Option<Offline>) {
        *lock(&self.shared.offline) = mode;
        if mode.is_some() {
            self.shared.cut_all();
        }
    }

    /// Flips one byte going up: the one `after` bytes past the next
    /// occurrence of `marker` (say, a request header) on any connection.
    /// Once; [`ProxyStats::bytes_corrupted`] counts it when it happened.
    pub fn corrupt_once(&self, marker: &[u8], after: usize) {
        *lock(&self.shared.corruption) = Some(Corruption {
            marker: marker.to_vec(),
            after,
        });
    }

    /// Cuts every open connection now, mid-stream, with a reset.
    pub fn cut_all(&self) {
        self.shared.cut_all();
    }

    pub fn stats(&self) -> ProxyStats {
        let shared = &self.shared;
        ProxyStats {
            bytes_up: shared.bytes_up.load(Ordering::Relaxed),
            bytes_down: shared.bytes_down.load(Ordering::Relaxed),
            connections_accepted: shared.connections_accepted.load(Ordering::Relaxed),
            connections_cut: shared.connections_cut.load(Ordering::Relaxed),
            bytes_corrupted: shared.corrupted.load(Ordering::Relaxed),
        }
    }

    /// Where new connections go, for a test that restarts the server on another port; open
    /// connections stay with the old one.
    pub fn set_upstream(&self, addr: SocketAddr) {
        *lock(&self.shared.upstream) = addr;
    }

    /// Stops accepting, closes every connection and waits until the listening port is closed.
    pub async fn shutdown(mut self) {
        self.tasks.shutdown().await;
    }
}

impl Shared {
    fn cut_all(&self) {
        self.cuts.send_modify(|generation| *generation += 1);
    }

    fn link(&self) -> LinkState<'_> {
        LinkState {
            profile: &self.profile,
            up_radio: &self.up_radio,
            down_radio: &self.down_radio,
            bytes_up: &self.bytes_up,
            bytes_down: &self.bytes_down,
            corruption: &self.corruption,
            corrupted: &self.corrupted,
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Owns every connection's task, so that ending this task (the proxy dropped or shut down)
/// aborts them all.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut seeds: StdRng) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((client, _)) = accepted else {
                    // Out of file descriptors or the like: let some connections finish.
                    sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let accepted_at = Instant::now();
                shared.connections_accepted.fetch_add(1, Ordering::Relaxed);
                // Watch for cuts before looking at the offline flag, which is set before its
                // cut: a connection then either sees the flag or gets the cut.
                let cuts = shared.cuts.subscribe();
                // Drawn for every connection, in accept order, so each connection's faults
                // depend on the seed and its place in line only.
                let seed: u64 = seeds.random();
                let offline = *lock(&shared.offline);
                match offline {
                    Some(Offline::Refuse) => reset(&client),
                    Some(Offline::Blackhole) => {
                        connections.spawn(blackhole(client, Arc::clone(&shared), cuts));
                    }
                    None => {
                        connections.spawn(serve(client, Arc::clone(&shared), cuts, accepted_at, seed));
                    }
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve(
    mut client: TcpStream,
    shared: Arc<Shared>,
    mut cuts: watch::Receiver<u64>,
    accepted_at: Instant,
    seed: u64,
) {
    let upstream_addr = *lock(&shared.upstream);
    let connected = tokio::select! {
        connected = TcpStream::connect(upstream_addr) => connected,
        _ = cuts.changed() => {
            shared.connections_cut.fetch_add(1, Ordering::Relaxed);
            reset(&client);
            return;
        }
    };
    let Ok(mut upstream) = connected else {
        // Nothing listening behind the link: the client sees its connection reset.
        reset(&client);
        return;
    };
    // Chunks are timed by the link; Nagle's algorithm would add delays of its own.
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);

    let ending = tokio::select! {
        ended = link::relay(&mut client, &mut upstream, shared.link(), accepted_at, seed) => ended,
        _ = cuts.changed() => Err(Ending::Cut),
    };
    match ending {
        Ok(()) => {}
        Err(Ending::Cut) => {
            shared.connections_cut.fetch_add(1, Ordering::Relaxed);
            reset(&client);
            reset(&upstream);
        }
        // One side failed: make sure the other side learns the connection is broken.
        Err(Ending::Broken) => {
            reset(&client);
            reset(&upstream);
        }
    }
}

async fn blackhole(mut client: TcpStream, shared: Arc<Shared>, mut cuts: watch::Receiver<u64>) {
    let mut sink = vec![0; 4096];
    tokio::select! {
        _ = async { while let Ok(1..) = client.read(&mut sink).await {} } => {}
        _ = cuts.changed() => {
            shared.connections_cut.fetch_add(1, Ordering::Relaxed);
            reset(&client);
        }
    }
}

/// Makes the coming close a reset instead of an orderly FIN, as when a link dies.
fn reset(socket: &TcpStream) {
    // Failing leaves a plain close, which still ends the connection.
    let _ = socket.set_zero_linger();
}

async fn cut_on_schedule(shared: Arc<Shared>, mut rng: StdRng) {
    let mut profiles = shared.profile.subscribe();
    loop {
        let every = profiles.borrow_and_update().cut_every;
        let Some((min, max)) = every else {
            if profiles.changed().await.is_err() {
                return;
            }
            continue;
        };
        // The fields are public, so guard against a reversed range and a busy loop of cuts.
        let shortest = min.min(max).max(Duration::from_millis(1));
        let longest = min.max(max).max(shortest);
        let mut next_cut = Instant::now() + rng.random_range(shortest..=longest);
        loop {
            tokio::select! {
                _ = sleep_until(next_cut) => {
                    shared.cut_all();
                    next_cut = Instant::now() + rng.random_range(shortest..=longest);
                }
                changed = profiles.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    // Changing bandwidth or delay must not postpone the next outage.
                    if profiles.borrow_and_update().cut_every != every {
                        break;
                    }
                }
            }
        }
    }
}
