//! A hybrid logical clock orders operations from devices whose wall clocks
//! disagree. A timestamp is the physical time in milliseconds shifted left by
//! 16 bits plus a counter, packed in one integer so that SQLite and PostgreSQL
//! compare them natively. A tablet whose clock is days behind still orders its
//! new writes after everything it has seen, because the clock never goes back.

use serde::{Deserialize, Serialize};

const COUNTER_BITS: u32 = 16;

/// One hybrid logical timestamp.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Hlc(u64);

impl Hlc {
    pub const ZERO: Hlc = Hlc(0);

    pub fn from_wall_ms(wall_ms: u64) -> Hlc {
        Hlc(wall_ms << COUNTER_BITS)
    }

    /// Rebuilds a timestamp read back from storage; SQLite integers are signed.
    pub fn from_i64(raw: i64) -> Hlc {
        Hlc(raw.max(0) as u64)
    }

    pub fn as_i64(self) -> i64 {
        // Wall times stay below 2^47 ms (the year 6400), so this never wraps.
        self.0 as i64
    }

    pub fn wall_ms(self) -> u64 {
        self.0 >> COUNTER_BITS
    }

    pub fn counter(self) -> u16 {
        (self.0 & ((1 << COUNTER_BITS) - 1)) as u16
    }

    fn next(self) -> Hlc {
        // A counter that overflows carries into the milliseconds: still monotonic.
        Hlc(self.0 + 1)
    }
}

/// The clock's state: the latest timestamp it issued or saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HybridClock {
    last: Hlc,
}

impl HybridClock {
    pub fn new(last: Hlc) -> HybridClock {
        HybridClock { last }
    }

    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A timestamp for a local write, later than any issued or seen before.
    pub fn tick(&mut self, wall_ms: u64) -> Hlc {
        self.last = self.last.next().max(Hlc::from_wall_ms(wall_ms));
        self.last
    }

    /// Takes in a timestamp from elsewhere, so later local writes order after it.
    pub fn observe(&mut self, remote: Hlc, wall_ms: u64) -> Hlc {
        self.last = self
            .last
            .next()
            .max(remote.next())
            .max(Hlc::from_wall_ms(wall_ms));
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ticks_follow_the_wall_clock_when_it_moves_forward() {
        let mut clock = HybridClock::new(Hlc::ZERO);
        let a = clock.tick(1_000);
        let b = clock.tick(2_000);
        assert_eq!((a.wall_ms(), a.counter()), (1_000, 0));
        assert_eq!((b.wall_ms(), b.counter()), (2_000, 0));
    }

    #[test]
    fn a_clock_set_back_still_moves_forward() {
        let mut clock = HybridClock::new(Hlc::ZERO);
        let a = clock.tick(5_000);
        let b = clock.tick(1_000);
        assert!(b > a);
        assert_eq!((b.wall_ms(), b.counter()), (5_000, 1));
    }

    #[test]
    fn a_slow_device_orders_its_writes_after_what_it_has_seen() {
        let mut fast = HybridClock::new(Hlc::ZERO);
        let mut slow = HybridClock::new(Hlc::ZERO);
        let remote = fast.tick(10_000_000);
        slow.observe(remote, 1_000);
        assert!(slow.tick(1_001) > remote);
    }

    proptest! {
        #[test]
        fn timestamps_only_ever_grow(events in proptest::collection::vec((any::<bool>(), 0u64..1 << 40, 0u64..1 << 56), 1..200)) {
            let mut clock = HybridClock::new(Hlc::ZERO);
            let mut previous = Hlc::ZERO;
            for (local, wall, remote) in events {
                let now = if local { clock.tick(wall) } else { clock.observe(Hlc(remote), wall) };
                prop_assert!(now > previous);
                prop_assert!(now.wall_ms() >= wall);
                previous = now;
            }
        }
    }
}
