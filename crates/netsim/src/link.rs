//! Moving one connection's bytes across the emulated link: bandwidth, delay, loss and cuts.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{ReadHalf, WriteHalf};
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep_until};

use super::corrupt::{Corruption, Watch};
use super::profile::{Direction, LinkProfile, SEGMENT_BYTES};

/// How many chunks a second a rate-limited direction is cut into, so that even a 20 kbit/s
/// link delivers a little every ~50 ms instead of a whole segment every half second.
const CHUNKS_PER_SECOND: u64 = 20;
const SMALLEST_CHUNK: usize = 64;
/// Without a bandwidth limit chunk size only costs speed, so read what the kernel has.
const UNLIMITED_CHUNK: usize = 16 * 1024;
/// Chunks read but not yet delivered, per direction: bounds the proxy's own buffering so a
/// peer that stops reading pushes back on the sender as a real link would.
const QUEUE_CHUNKS: usize = 64;

/// One direction of the radio: a single transmitter that sends one chunk after another,
/// shared by every connection through the proxy.
#[derive(Debug)]
pub(crate) struct Radio {
    free_at: Mutex<Instant>,
}

impl Radio {
    pub(crate) fn new() -> Self {
        Radio {
            free_at: Mutex::new(Instant::now()),
        }
    }

    /// Queues `bytes` for transmission and returns when their last bit will have left.
    fn reserve(&self, bytes: usize, bits_per_sec: u64) -> Instant {
        let airtime = Duration::from_secs_f64(bytes as f64 * 8.0 / bits_per_sec.max(1) as f64);
        let mut free_at = self.free_at.lock().unwrap_or_else(PoisonError::into_inner);
        let start = (*free_at).max(Instant::now());
        *free_at = start + airtime;
        *free_at
    }
}

/// What the proxy shares with each connection's relay.
pub(crate) struct LinkState<'a> {
    pub profile: &'a watch::Sender<LinkProfile>,
    pub up_radio: &'a Radio,
    pub down_radio: &'a Radio,
    pub bytes_up: &'a AtomicU64,
    pub bytes_down: &'a AtomicU64,
    pub corruption: &'a Mutex<Option<Corruption>>,
    pub corrupted: &'a AtomicU64,
}

/// Why a relay stopped before both directions closed cleanly.
#[derive(Debug)]
pub(crate) enum Ending {
    /// The link cut the connection at a chosen byte.
    Cut,
    /// A socket failed, say the peer reset it.
    Broken,
}

/// Relays between `client` and `upstream` until both directions close, an I/O error, or a
/// chunk cut. The caller closes the sockets.
pub(crate) async fn relay(
    client: &mut TcpStream,
    upstream: &mut TcpStream,
    link: LinkState<'_>,
    accepted_at: Instant,
    seed: u64,
) -> Result<(), Ending> {
    let round_trip = link.profile.borrow().round_trip;
    let mut seeds = StdRng::seed_from_u64(seed);
    // The client's first byte cannot leave before the handshake's SYN/SYN-ACK round trip,
    // and the server, which only accepts once the client's ACK arrives, answers half a
    // round trip later still; locally both sides are connected at once.
    let up = Lane::new(Direction::Up, &link, accepted_at + round_trip, &mut seeds);
    let down = Lane::new(
        Direction::Down,
        &link,
        accepted_at + round_trip + round_trip / 2,
        &mut seeds,
    );

    let (client_read, client_write) = client.split();
    let (upstream_read, upstream_write) = upstream.split();
    let (up_sender, up_queue) = mpsc::channel(QUEUE_CHUNKS);
    let (down_sender, down_queue) = mpsc::channel(QUEUE_CHUNKS);
    tokio::try_join!(
        up.carry(client_read, up_sender),
        deliver(up_queue, upstream_write, link.bytes_up),
        down.carry(upstream_read, down_sender),
        deliver(down_queue, client_write, link.bytes_down),
    )?;
    Ok(())
}

/// Something to hand to the receiving side once the link has carried it there.
enum Delivery {
    Bytes(Vec<u8>, Instant),
    /// The sender closed its half; pass the FIN on.
    End(Instant),
    Cut(Instant),
}

async fn deliver(
    mut queue: mpsc::Receiver<Delivery>,
    mut to: WriteHalf<'_>,
    delivered: &AtomicU64,
) -> Result<(), Ending> {
    while let Some(delivery) = queue.recv().await {
        match delivery {
            Delivery::Bytes(bytes, at) => {
                sleep_until(at).await;
                to.write_all(&bytes).await.map_err(|_| Ending::Broken)?;
                delivered.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            }
            Delivery::End(at) => {
                sleep_until(at).await;
                to.shutdown().await.map_err(|_| Ending::Broken)?;
                return Ok(());
            }
            Delivery::Cut(at) => {
                sleep_until(at).await;
                return Err(Ending::Cut);
            }
        }
    }
    // The carrier stopped without a word only because it failed, and its error ends the relay.
    Ok(())
}

/// One direction of one connection.
struct Lane<'a> {
    direction: Direction,
    profile: &'a watch::Sender<LinkProfile>,
    radio: &'a Radio,
    fate: Fate,
    jitter: StdRng,
    /// Nothing may go on the air before this (the handshake), nor before a stall has passed.
    send_floor: Instant,
    /// Arrivals never go backwards: TCP delivers in order, so a late chunk holds up the rest.
    last_arrival: Instant,
    /// Up lanes only: the armed one-byte corruption, if any.
    corruption: Option<(&'a Mutex<Option<Corruption>>, &'a AtomicU64, Watch)>,
}

impl<'a> Lane<'a> {
    fn new(
        direction: Direction,
        link: &LinkState<'a>,
        send_floor: Instant,
        seeds: &mut StdRng,
    ) -> Self {
        let radio = match direction {
            Direction::Up => link.up_radio,
            Direction::Down => link.down_radio,
        };
        Lane {
            direction,
            profile: link.profile,
            radio,
            fate: Fate::new(StdRng::from_rng(seeds)),
            // Separate from the fate so that timing, which depends on how reads split the
            // stream, never shifts where faults land.
            jitter: StdRng::from_rng(seeds),
            send_floor,
            last_arrival: send_floor,
            corruption: (direction == Direction::Up)
                .then(|| (link.corruption, link.corrupted, Watch::default())),
        }
    }

    async fn carry(
        mut self,
        mut from: ReadHalf<'_>,
        queue: mpsc::Sender<Delivery>,
    ) -> Result<(), Ending> {
        let mut buf = vec![0; UNLIMITED_CHUNK];
        loop {
            let profile = *self.profile.borrow();
            let want = chunk_len(profile.bits_per_sec(self.direction));
            let read = from
                .read(&mut buf[..want])
                .await
                .map_err(|_| Ending::Broken)?;
            if read == 0 {
                let at = self.transmit(0, 0, &profile).await;
                // A closed queue means the other side already failed; its error wins.
                let _ = queue.send(Delivery::End(at)).await;
                return Ok(());
            }
            if let Some((armed, corrupted, watch)) = &mut self.corruption {
                watch.pass(&mut buf[..read], armed, corrupted);
            }
            let verdict = self.fate.judge(read, &profile);
            let at = self.transmit(verdict.forward, verdict.lost, &profile).await;
            if verdict.forward > 0 {
                let bytes = buf[..verdict.forward].to_vec();
                if queue.send(Delivery::Bytes(bytes, at)).await.is_err() {
                    return Ok(());
                }
            }
            if verdict.cut {
                let _ = queue.send(Delivery::Cut(at)).await;
                return Ok(());
            }
        }
    }

    /// Puts `bytes` on the air and returns when they arrive at the far end.
    async fn transmit(&mut self, bytes: usize, lost: u32, profile: &LinkProfile) -> Instant {
        if self.send_floor > Instant::now() {
            sleep_until(self.send_floor).await;
        }
        let mut sent = Instant::now();
        if let Some(bits_per_sec) = profile.bits_per_sec(self.direction)
            && bytes > 0
        {
            sent = self.radio.reserve(bytes, bits_per_sec);
            // Waiting here rather than queueing ahead keeps the radio fair between
            // connections and leaves the backlog in the sender's socket, where TCP keeps it.
            sleep_until(sent).await;
        }
        if lost > 0 {
            // The sender is stuck retransmitting: nothing behind the lost segment gets through
            // until the timeout fires.
            sent += profile.retransmit_stall() * lost;
            self.send_floor = sent;
        }
        let arrival = (sent + self.one_way_delay(profile)).max(self.last_arrival);
        self.last_arrival = arrival;
        arrival
    }

    fn one_way_delay(&mut self, profile: &LinkProfile) -> Duration {
        let half = profile.round_trip.as_secs_f64() / 2.0;
        let jitter = profile.jitter.as_secs_f64();
        let wobble = if jitter > 0.0 {
            self.jitter.random_range(-jitter..=jitter)
        } else {
            0.0
        };
        Duration::from_secs_f64((half + wobble).max(0.0))
    }
}

fn chunk_len(bits_per_sec: Option<u64>) -> usize {
    match bits_per_sec {
        None => UNLIMITED_CHUNK,
        Some(bits) => {
            let per_chunk = bits / 8 / CHUNKS_PER_SECOND;
            usize::try_from(per_chunk)
                .unwrap_or(SEGMENT_BYTES)
                .clamp(SMALLEST_CHUNK, SEGMENT_BYTES)
        }
    }
}

/// Where loss and cuts fall, decided per [`SEGMENT_BYTES`] of the byte stream so that the
/// same seed and bytes give the same faults however reads happen to split them.
struct Fate {
    rng: StdRng,
    /// Bytes of this direction already judged.
    offset: u64,
    /// Segments whose fate has been drawn; segment `i` covers bytes `i*SEGMENT_BYTES..`.
    segments_drawn: u64,
    cut_at: Option<u64>,
}

#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    /// How many of the judged bytes go through.
    forward: usize,
    /// The connection ends right after them.
    cut: bool,
    /// Segments starting in these bytes that were lost and must be retransmitted.
    lost: u32,
}

impl Fate {
    fn new(rng: StdRng) -> Self {
        Fate {
            rng,
            offset: 0,
            segments_drawn: 0,
            cut_at: None,
        }
    }

    fn judge(&mut self, len: usize, profile: &LinkProfile) -> Verdict {
        let end = self.offset + len as u64;
        let segment = SEGMENT_BYTES as u64;
        let mut lost = 0;
        while self.segments_drawn * segment < end {
            if chance(&mut self.rng, profile.loss) {
                lost += 1;
            }
            if chance(&mut self.rng, profile.cut_probability_per_chunk) && self.cut_at.is_none() {
                self.cut_at =
                    Some(self.segments_drawn * segment + self.rng.random_range(0..segment));
            }
            self.segments_drawn += 1;
        }
        match self.cut_at {
            Some(cut_at) if cut_at < end => {
                let forward = (cut_at - self.offset) as usize;
                self.offset = cut_at;
                Verdict {
                    forward,
                    cut: true,
                    lost,
                }
            }
            _ => {
                self.offset = end;
                Verdict {
                    forward: len,
                    cut: false,
                    lost,
                }
            }
        }
    }
}

/// Draws nothing for a probability of zero, so faults switched off cost no randomness.
fn chance(rng: &mut StdRng, probability: f64) -> bool {
    if probability.is_nan() || probability <= 0.0 {
        false
    } else {
        rng.random_bool(probability.min(1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cutting(probability: f64) -> LinkProfile {
        LinkProfile::perfect().with_cut_probability_per_chunk(probability)
    }

    #[test]
    fn cut_lands_at_same_byte_however_reads_split_the_stream() {
        let profile = cutting(0.05);
        let cut_point = |read_sizes: &[usize]| {
            let mut fate = Fate::new(StdRng::seed_from_u64(3));
            let mut passed = 0;
            for &size in read_sizes.iter().cycle().take(100_000) {
                let verdict = fate.judge(size, &profile);
                passed += verdict.forward;
                if verdict.cut {
                    return passed;
                }
            }
            panic!("no cut in 100000 reads");
        };
        let whole = cut_point(&[16_384]);
        assert_eq!(cut_point(&[1]), whole);
        assert_eq!(cut_point(&[7, 1460, 300]), whole);
    }

    #[test]
    fn nothing_is_judged_lost_or_cut_on_a_clean_link() {
        let mut fate = Fate::new(StdRng::seed_from_u64(1));
        for _ in 0..1000 {
            let verdict = fate.judge(5000, &LinkProfile::perfect());
            assert_eq!(
                verdict,
                Verdict {
                    forward: 5000,
                    cut: false,
                    lost: 0
                }
            );
        }
    }

    #[test]
    fn certain_cut_lands_in_first_segment() {
        let mut fate = Fate::new(StdRng::seed_from_u64(1));
        let verdict = fate.judge(10_000, &cutting(1.0));
        assert!(verdict.cut);
        assert!(verdict.forward < SEGMENT_BYTES);
    }

    #[test]
    fn every_segment_is_lost_at_full_loss() {
        let mut fate = Fate::new(StdRng::seed_from_u64(1));
        let profile = LinkProfile::perfect().with_loss(1.0);
        assert_eq!(fate.judge(SEGMENT_BYTES * 3, &profile).lost, 3);
        assert_eq!(fate.judge(1, &profile).lost, 1);
        // Still inside the segment judged just before: it is not lost twice.
        assert_eq!(fate.judge(1, &profile).lost, 0);
    }

    #[test]
    fn chunks_are_small_on_slow_links() {
        assert_eq!(chunk_len(Some(20_000)), 125);
        assert_eq!(chunk_len(Some(200_000)), 1250);
        assert_eq!(chunk_len(Some(1_000)), SMALLEST_CHUNK);
        assert_eq!(chunk_len(Some(100_000_000)), SEGMENT_BYTES);
        assert_eq!(chunk_len(None), UNLIMITED_CHUNK);
    }
}
