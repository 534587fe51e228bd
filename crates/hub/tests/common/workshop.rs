//! A workshop hub (`highland_hub::workshop`) serving in this process on a
//! fresh database of this run's back end, with a clock the test sets; the
//! [`TestHub`] inside it gives the usual helpers (enroll, sync, staff).

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use highland_hub::ManualClock;
use highland_hub::photos::PhotoStore;
use highland_hub::workshop::{self, RunningWorkshop, Tuning, WorkshopInfo, WorkshopOptions};

use super::{NOW_MS, TestDatabase, TestHub, http_client};

pub struct TestWorkshop {
    pub hub: TestHub,
    running: Option<RunningWorkshop>,
    trainees: u16,
    tuning: Tuning,
}

impl Deref for TestWorkshop {
    type Target = TestHub;

    fn deref(&self) -> &TestHub {
        &self.hub
    }
}

/// A quick pace: the buyer and the projector look every 50 ms.
pub fn quick(buyer_delay: Duration) -> Tuning {
    Tuning {
        buyer_delay,
        poll: Duration::from_millis(50),
    }
}

impl TestWorkshop {
    pub async fn start(trainees: u16, tuning: Tuning) -> TestWorkshop {
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::fresh(dir.path());
        let db = database.open();
        let clock = Arc::new(ManualClock::at(NOW_MS));
        let hub = TestHub {
            url: String::new(),
            http: http_client().build().unwrap(),
            db,
            clock,
            dir,
            running: None,
            database,
        };
        let mut workshop = TestWorkshop {
            hub,
            running: None,
            trainees,
            tuning,
        };
        workshop.serve().await;
        workshop
    }

    async fn serve(&mut self) {
        let options = WorkshopOptions {
            data_dir: self.hub.dir.path().to_owned(),
            listen: "127.0.0.1:0".parse().unwrap(),
            trainees: self.trainees,
            advertise: false,
        };
        let photos = PhotoStore::local(&self.hub.dir.path().join("photos")).unwrap();
        let running = workshop::start_on(
            self.hub.db.inner(),
            photos,
            self.hub.clock.clone(),
            options,
            self.tuning,
        )
        .await
        .unwrap();
        self.hub.url = running.info().hub_url.clone();
        self.running = Some(running);
    }

    pub fn info(&self) -> &WorkshopInfo {
        self.running.as_ref().unwrap().info()
    }

    /// Stops the workshop and starts it again on the same database, as a
    /// trainer does after closing the laptop's lid.
    pub async fn restart(&mut self) {
        self.running.take().unwrap().shutdown().await;
        self.serve().await;
    }
}
