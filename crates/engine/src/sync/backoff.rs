//! Waiting between attempts while the hub is unreachable: exponential, so a
//! dead link is not hammered, with full jitter, so ten tablets that lose the
//! same signal do not all come back in the same second.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Backoff {
        Backoff {
            base,
            max,
            attempt: 0,
        }
    }

    /// The wait before the next attempt. `unit` is a random number in
    /// [0, 1), passed in so tests can pin it.
    pub fn next_wait(&mut self, unit: f64) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(2u32.saturating_pow(self.attempt))
            .min(self.max);
        self.attempt = self.attempt.saturating_add(1);
        // Never zero: a retry loop must yield to the link.
        ceiling.mul_f64(unit.clamp(0.0, 1.0)).max(self.base / 4)
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_exponentially_up_to_the_cap() {
        let mut b = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        let waits: Vec<u64> = (0..10)
            .map(|_| b.next_wait(1.0).as_millis() as u64)
            .collect();
        assert_eq!(
            waits,
            [
                500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000
            ]
        );
    }

    #[test]
    fn jitter_spreads_waits_below_the_ceiling_and_reset_starts_over() {
        let mut b = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        b.next_wait(0.5);
        assert_eq!(b.next_wait(0.5), Duration::from_millis(500));
        assert_eq!(b.next_wait(0.0), Duration::from_millis(125));
        b.reset();
        assert_eq!(b.next_wait(1.0), Duration::from_millis(500));
    }
}
