//! When a device syncs by itself: at once on start and after every local
//! write; every two minutes while all is well, or every quarter hour with
//! data saver on; backing off with jitter while the hub cannot be reached,
//! so tablets that lose the same signal do not all come back in the same
//! second; and hourly while there is nothing to sync with (not enrolled,
//! the demo, or revoked by the hub's staff). The app's background sync and
//! `highland sync --watch` both keep this schedule; each wakes early in its
//! own way when the seller writes something.

use std::time::Duration;

use highland_engine::sync::Backoff;

/// Between syncs while all is well.
pub const INTERVAL: Duration = Duration::from_secs(120);
/// Between syncs with data saver on: a quarter of the requests of an hour.
pub const DATA_SAVER_INTERVAL: Duration = Duration::from_secs(15 * 60);
/// While there is nothing to sync with. A turn still comes, so a store
/// kept open for days is still checked daily.
pub const IDLE: Duration = Duration::from_secs(3600);
/// The backoff between failed syncs.
const FIRST_BACKOFF: Duration = Duration::from_secs(10);
const MAX_BACKOFF: Duration = Duration::from_secs(10 * 60);

/// How a turn went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    Synced,
    /// The hub could not be reached, or the sync did not finish.
    Failed,
    /// Not enrolled, the demo profile, or revoked: asking again soon would
    /// only get the same answer.
    NothingToSyncWith,
}

/// The waits between turns.
#[derive(Debug, Clone)]
pub struct SyncSchedule {
    backoff: Backoff,
}

impl Default for SyncSchedule {
    fn default() -> Self {
        SyncSchedule {
            backoff: Backoff::new(FIRST_BACKOFF, MAX_BACKOFF),
        }
    }
}

impl SyncSchedule {
    /// The wait before the next turn, after `turn`. `unit` is a random
    /// number in [0, 1) for the backoff's jitter, passed in so tests can
    /// pin it.
    pub fn after(&mut self, turn: Turn, data_saver: bool, unit: f64) -> Duration {
        if turn == Turn::Failed {
            return self.backoff.next_wait(unit);
        }
        self.backoff.reset();
        match turn {
            Turn::Synced if data_saver => DATA_SAVER_INTERVAL,
            Turn::Synced => INTERVAL,
            Turn::Failed | Turn::NothingToSyncWith => IDLE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_sync_waits_the_interval_and_data_saver_waits_longer() {
        let mut schedule = SyncSchedule::default();
        assert_eq!(schedule.after(Turn::Synced, false, 0.5), INTERVAL);
        assert_eq!(schedule.after(Turn::Synced, true, 0.5), DATA_SAVER_INTERVAL);
        assert_eq!(schedule.after(Turn::NothingToSyncWith, false, 0.5), IDLE);
    }

    #[test]
    fn failures_back_off_with_jitter_up_to_a_ceiling_and_a_success_starts_over() {
        let mut schedule = SyncSchedule::default();
        let waits: Vec<Duration> = (0..10)
            .map(|_| schedule.after(Turn::Failed, false, 0.999))
            .collect();
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
        assert!(waits[0] < Duration::from_secs(11), "{waits:?}");
        assert!(
            waits[9] <= MAX_BACKOFF && waits[9] > MAX_BACKOFF / 2,
            "{waits:?}"
        );
        // Jitter: the same failure waits less with a smaller draw.
        let mut other = SyncSchedule::default();
        assert!(other.after(Turn::Failed, false, 0.1) < waits[0]);

        schedule.after(Turn::Synced, false, 0.5);
        assert_eq!(schedule.after(Turn::Failed, false, 0.999), waits[0]);
    }

    #[test]
    fn nothing_to_sync_with_also_starts_the_backoff_over() {
        let mut schedule = SyncSchedule::default();
        let first = schedule.after(Turn::Failed, false, 0.999);
        schedule.after(Turn::Failed, false, 0.999);
        schedule.after(Turn::NothingToSyncWith, false, 0.5);
        assert_eq!(schedule.after(Turn::Failed, false, 0.999), first);
    }
}
