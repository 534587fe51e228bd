//! Where the store reads the time. Passed in, so tests and simulations can set
//! a device's clock days wrong and see that merging still works.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's clock, however right or wrong it is.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that reads what it is set to, for tests and simulations.
#[derive(Debug)]
pub struct ManualClock {
    ms: AtomicI64,
}

impl ManualClock {
    pub fn at(time: DateTime<Utc>) -> ManualClock {
        ManualClock {
            ms: AtomicI64::new(time.timestamp_millis()),
        }
    }

    pub fn set(&self, time: DateTime<Utc>) {
        self.ms.store(time.timestamp_millis(), Ordering::SeqCst);
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.ms.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.ms.load(Ordering::SeqCst)).unwrap_or_default()
    }
}
