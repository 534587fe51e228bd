//! What a link does to the bytes crossing it.

use std::time::Duration;

use highland_domain::SimulatedNetwork;

/// The unit in which loss and chunk cuts are decided: one TCP segment's payload on an
/// Ethernet-sized MTU (1500 bytes less 40 of IP and TCP headers).
///
/// Both are decided per segment of the byte stream, not per `read()`, so the same seed and the
/// same bytes give the same faults however the kernel happens to split the stream into reads.
pub const SEGMENT_BYTES: usize = 1460;

/// The conditions of one emulated radio link, both directions.
///
/// "Down" is upstream to client (hub to device), "up" is client to upstream.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkProfile {
    /// Shown in benchmark output and test failures.
    pub name: &'static str,
    /// Upstream-to-client bandwidth, shared by all connections; `None` is unlimited.
    pub down_bits_per_sec: Option<u64>,
    /// Client-to-upstream bandwidth, shared by all connections; `None` is unlimited.
    pub up_bits_per_sec: Option<u64>,
    /// Added round trip: each direction delays every chunk by half of it.
    ///
    /// A new connection also pays one round trip before its first byte leaves, as the TCP
    /// handshake does on a real link (the proxy itself accepts locally at once).
    pub round_trip: Duration,
    /// Each chunk's one-way delay varies by up to this much either way; order within a
    /// direction is kept, as TCP keeps it, so a late chunk holds back those behind it.
    pub jitter: Duration,
    /// Probability that a [`SEGMENT_BYTES`] segment is lost.
    ///
    /// TCP hides loss from the application, so a loss shows as a retransmission stall of
    /// [`LinkProfile::retransmit_stall`] on that segment and everything behind it.
    pub loss: f64,
    /// The link drops every open connection at an interval drawn uniformly from this range,
    /// again and again: the radio losing the cell.
    pub cut_every: Option<(Duration, Duration)>,
    /// Probability that a connection ends abruptly within any given [`SEGMENT_BYTES`] chunk of
    /// either direction, at a random byte inside it, so mid-request or mid-response.
    ///
    /// Decided per chunk of the byte stream: a message of a tenth of a chunk is cut with about
    /// a tenth of this probability.
    pub cut_probability_per_chunk: f64,
}

impl LinkProfile {
    /// Loopback as it is: no limit, no delay, no faults.
    pub fn perfect() -> Self {
        LinkProfile {
            name: "perfect",
            down_bits_per_sec: None,
            up_bits_per_sec: None,
            round_trip: Duration::ZERO,
            jitter: Duration::ZERO,
            loss: 0.0,
            cut_every: None,
            cut_probability_per_chunk: 0.0,
        }
    }

    /// A poor but steady mobile link: WebPageTest's "Mobile Edge" connectivity preset
    /// (`connectivity.ini`: bwIn 240 kbit/s, bwOut 200 kbit/s, latency 840 ms round trip,
    /// plr 0).
    pub fn edge() -> Self {
        LinkProfile {
            name: "edge",
            down_bits_per_sec: Some(240_000),
            up_bits_per_sec: Some(200_000),
            round_trip: Duration::from_millis(840),
            ..Self::perfect()
        }
    }

    /// The worst link a sync must still make progress on, up a mountain pasture.
    ///
    /// - 50 kbit/s down, 20 kbit/s up: Firefox DevTools' "GPRS" throttling preset (also
    ///   Chrome DevTools' old "GPRS").
    /// - 2,000 ms round trip: the threshold of the "slow-2g" effective connection type in
    ///   Chrome and the Network Information API (RTT of 2,000 ms or more, at most 50 kbit/s);
    ///   Firefox's GPRS preset only adds 500 ms, which real GPRS far exceeds.
    /// - 300 ms jitter, 3% loss, a cut every 30 to 120 s: no browser preset models these;
    ///   they are this project's estimate of a marginal cell (design.md, "Network we design
    ///   for").
    pub fn mountain() -> Self {
        LinkProfile {
            name: "mountain",
            down_bits_per_sec: Some(50_000),
            up_bits_per_sec: Some(20_000),
            round_trip: Duration::from_millis(2_000),
            jitter: Duration::from_millis(300),
            loss: 0.03,
            cut_every: Some((Duration::from_secs(30), Duration::from_secs(120))),
            cut_probability_per_chunk: 0.0,
        }
    }

    /// A town's 3G: WebPageTest's "Mobile 3G" connectivity preset (`connectivity.ini`:
    /// bwIn 1.6 Mbit/s, bwOut 768 kbit/s, latency 300 ms round trip, plr 0).
    pub fn three_g() -> Self {
        LinkProfile {
            name: "3g",
            down_bits_per_sec: Some(1_600_000),
            up_bits_per_sec: Some(768_000),
            round_trip: Duration::from_millis(300),
            ..Self::perfect()
        }
    }

    /// The link a workshop tablet pretends to be on, or `None` for no link at
    /// all (the proxy then refuses every connection: see [`crate::Offline`]).
    pub fn for_network(network: SimulatedNetwork) -> Option<Self> {
        match network {
            SimulatedNetwork::Offline => None,
            SimulatedNetwork::Mountain2g => Some(Self::mountain()),
            SimulatedNetwork::ThreeG => Some(Self::three_g()),
            SimulatedNetwork::Good => Some(Self::perfect().named("good")),
        }
    }

    pub fn named(self, name: &'static str) -> Self {
        LinkProfile { name, ..self }
    }

    /// Bandwidth limits in bits per second; `None` is unlimited.
    pub fn with_bandwidth(
        self,
        down_bits_per_sec: Option<u64>,
        up_bits_per_sec: Option<u64>,
    ) -> Self {
        LinkProfile {
            down_bits_per_sec,
            up_bits_per_sec,
            ..self
        }
    }

    pub fn with_round_trip(self, round_trip: Duration) -> Self {
        LinkProfile { round_trip, ..self }
    }

    pub fn with_jitter(self, jitter: Duration) -> Self {
        LinkProfile { jitter, ..self }
    }

    pub fn with_loss(self, loss: f64) -> Self {
        LinkProfile { loss, ..self }
    }

    /// Cut every open connection at intervals drawn uniformly from `min..=max`.
    pub fn with_cuts_every(self, min: Duration, max: Duration) -> Self {
        assert!(min <= max, "cut interval {min:?}..{max:?} is empty");
        assert!(
            !max.is_zero(),
            "a zero cut interval would cut in a busy loop"
        );
        LinkProfile {
            cut_every: Some((min, max)),
            ..self
        }
    }

    pub fn without_cuts(self) -> Self {
        LinkProfile {
            cut_every: None,
            cut_probability_per_chunk: 0.0,
            ..self
        }
    }

    pub fn with_cut_probability_per_chunk(self, probability: f64) -> Self {
        LinkProfile {
            cut_probability_per_chunk: probability,
            ..self
        }
    }

    /// How long a lost segment holds up its direction: about one retransmission timeout.
    ///
    /// Linux never lets the RTO fall below 200 ms, and with the few segments in flight on a
    /// slow link there are seldom enough duplicate ACKs for a fast retransmit, so the timeout
    /// is what usually fires; twice the round trip stands for the smoothed RTT plus its
    /// variance.
    pub fn retransmit_stall(&self) -> Duration {
        (self.round_trip * 2).max(Duration::from_millis(200))
    }

    /// Bits per second in one direction; `None` is unlimited.
    pub(crate) fn bits_per_sec(&self, direction: Direction) -> Option<u64> {
        match direction {
            Direction::Up => self.up_bits_per_sec,
            Direction::Down => self.down_bits_per_sec,
        }
    }
}

impl Default for LinkProfile {
    fn default() -> Self {
        Self::perfect()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Client to upstream.
    Up,
    /// Upstream to client.
    Down,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_match_design_numbers() {
        let edge = LinkProfile::edge();
        assert_eq!(edge.down_bits_per_sec, Some(240_000));
        assert_eq!(edge.up_bits_per_sec, Some(200_000));
        assert_eq!(edge.round_trip, Duration::from_millis(840));
        assert_eq!(edge.loss, 0.0);
        assert_eq!(edge.cut_every, None);

        let mountain = LinkProfile::mountain();
        assert_eq!(mountain.down_bits_per_sec, Some(50_000));
        assert_eq!(mountain.up_bits_per_sec, Some(20_000));
        assert_eq!(mountain.round_trip, Duration::from_secs(2));
        assert_eq!(mountain.loss, 0.03);
        assert_eq!(
            mountain.cut_every,
            Some((Duration::from_secs(30), Duration::from_secs(120)))
        );
    }

    #[test]
    fn retransmit_stall_never_below_linux_minimum_rto() {
        assert_eq!(
            LinkProfile::perfect().retransmit_stall(),
            Duration::from_millis(200)
        );
        assert_eq!(
            LinkProfile::mountain().retransmit_stall(),
            Duration::from_secs(4)
        );
    }
}
