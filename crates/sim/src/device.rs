//! A device of a run: the real highland-engine `Store` on its own SQLite
//! file, its own clock, and its sync, when one runs, as a task the
//! scheduler drives over the device's wire.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::Duration;

use chrono::DateTime;
use highland_domain::{DeviceId, Hlc, HybridClock};
use highland_engine::{ManualClock, Store};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::crash::Snapshot;
use crate::error::{Result, SimError};
use crate::link::{Answer, Outgoing, SimLink, Wire};
use crate::rng::SimRng;
use crate::task::{SyncOutcome, SyncTask};

/// What a device's sync is doing between two steps of the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// No sync runs.
    Idle,
    /// A request is on the wire.
    InFlight,
    /// An attempt failed; it waits this long before the next.
    Paused(Duration),
}

pub struct SimDevice {
    pub name: String,
    /// Which of the run's sellers it is enrolled for.
    pub seller: usize,
    pub id: DeviceId,
    path: PathBuf,
    /// `None` only while the device's process is down.
    store: Option<Arc<Mutex<Store>>>,
    clock: Arc<ManualClock>,
    /// How far its clock is from the true time.
    pub skew_ms: i64,
    wire: Rc<RefCell<Wire>>,
    link: Rc<SimLink>,
    task: Option<SyncTask>,
    /// When the request on the wire left, by the true time.
    pub sent_at_ms: u64,
    /// Offline until the run's last phase.
    pub offline: bool,
    /// When it last found the hub gone back in time, as its status says.
    pub hub_went_back_at: Option<String>,
}

impl SimDevice {
    /// A new store in `dir`, its clock `skew_ms` from `true_ms`.
    pub fn create(
        name: String,
        seller: usize,
        dir: &Path,
        true_ms: u64,
        skew_ms: i64,
        jitter: SimRng,
    ) -> Result<SimDevice> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("highland.db");
        let clock = Arc::new(ManualClock::at(at_ms(true_ms, skew_ms)));
        let store = Store::open_with_clock(&path, clock.clone())?;
        let wire = Rc::new(RefCell::new(Wire::default()));
        Ok(SimDevice {
            name,
            seller,
            id: store.device_id(),
            path,
            store: Some(Arc::new(Mutex::new(store))),
            clock,
            skew_ms,
            link: Rc::new(SimLink::new(wire.clone(), jitter)),
            wire,
            task: None,
            sent_at_ms: 0,
            offline: false,
            hub_went_back_at: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store, for one action; the sync task never holds it between
    /// two polls.
    pub fn store(&self) -> Result<MutexGuard<'_, Store>> {
        let store = self
            .store
            .as_ref()
            .ok_or_else(|| SimError::Setup(format!("{} is down", self.name)))?;
        // A panic while holding it left no half-done transaction (SQLite
        // rolled it back): the store is still good.
        Ok(store.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Sets the device's clock to the true time plus its skew.
    pub fn set_clock(&self, true_ms: u64) {
        self.clock.set(at_ms(true_ms, self.skew_ms));
    }

    pub fn activity(&self) -> Activity {
        let wire = self.wire.borrow();
        match (&self.task, &wire.request, wire.pause) {
            (None, _, _) => Activity::Idle,
            (Some(_), Some(_), _) => Activity::InFlight,
            (Some(_), None, Some(wait)) => Activity::Paused(wait),
            // Polled and neither sending nor waiting: `run` reports it.
            (Some(_), None, None) => Activity::Idle,
        }
    }

    pub fn start_sync(&mut self) -> Result<()> {
        let store = self
            .store
            .clone()
            .ok_or_else(|| SimError::Setup(format!("{} is down", self.name)))?;
        self.task = Some(SyncTask::start(store, self.link.clone()));
        Ok(())
    }

    /// Runs the sync until it sends, waits or ends; its outcome when it ends.
    pub fn run(&mut self) -> Result<Option<SyncOutcome>> {
        let Some(task) = self.task.as_mut() else {
            return Ok(None);
        };
        match task.poll() {
            Poll::Ready(outcome) => {
                self.task = None;
                Ok(Some(outcome))
            }
            Poll::Pending => {
                let wire = self.wire.borrow();
                if wire.request.is_none() && wire.pause.is_none() {
                    return Err(SimError::Setup(format!(
                        "{}'s sync waits on something other than the network",
                        self.name
                    )));
                }
                Ok(None)
            }
        }
    }

    /// The request on the wire, taken off it.
    pub fn take_request(&self) -> Option<Outgoing> {
        self.wire.borrow_mut().request.take()
    }

    pub fn answer(&self, answer: Answer) {
        self.wire.borrow_mut().answer = Some(answer);
    }

    /// The wait is over.
    pub fn end_pause(&self) {
        self.wire.borrow_mut().pause = None;
    }

    /// The app's process dies and is started again: the sync in progress
    /// is gone, and the store opens its file as the kill left it.
    pub fn kill(&mut self) -> Result<()> {
        self.task = None;
        *self.wire.borrow_mut() = Wire::default();
        let files = Snapshot::take(&self.path)?;
        self.store = None;
        files.put_back()?;
        let store = Store::open_with_clock(&self.path, self.clock.clone())?;
        self.store = Some(Arc::new(Mutex::new(store)));
        Ok(())
    }

    /// Its own operations it counts as acknowledged by the hub.
    pub fn acknowledged(&self) -> Result<BTreeSet<String>> {
        self.ids("SELECT op_id FROM outbox WHERE state = 'acked'")
    }

    /// Every operation this device has applied or keeps from the hub.
    pub fn known_operations(&self) -> Result<BTreeSet<String>> {
        self.ids("SELECT op_id FROM pulled_ops UNION SELECT op_id FROM applied_ops")
    }

    /// The operations it keeps, unapplied, for an update that can read them.
    pub fn waiting_operations(&self) -> Result<BTreeSet<String>> {
        self.ids("SELECT op_id FROM pulled_ops WHERE applied = 0")
    }

    /// The operations it pulled and gives back to a hub that went back in
    /// time, which that hub could not read: they wait for another version.
    pub fn deferred_give_backs(&self) -> Result<BTreeSet<String>> {
        self.ids("SELECT op_id FROM pulled_ops WHERE give_back = 1 AND deferred_by IS NOT NULL")
    }

    /// Whether its own operation `op_id` is pending, deferred by the hub.
    pub fn deferred(&self, op_id: &str) -> Result<bool> {
        let conn = self.read_only()?;
        let deferred = conn
            .query_row(
                "SELECT state = 'pending' AND deferred_by IS NOT NULL FROM outbox WHERE op_id = ?1",
                [op_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(deferred.unwrap_or(false))
    }

    /// Writes an operation as a newer Highland on this device would: into
    /// the outbox, stamped by the device's clock, with `payload` of a kind
    /// this build does not know. Returns its id.
    pub fn record_newer(
        &self,
        op_id: &str,
        entity_id: &str,
        payload: serde_json::Value,
    ) -> Result<()> {
        let wall_ms = u64::try_from(self.store()?.now().timestamp_millis()).unwrap_or(0);
        let mut conn = Connection::open(&self.path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let last: i64 = tx.query_row("SELECT hlc FROM device WHERE id = 1", [], |r| r.get(0))?;
        let hlc = HybridClock::new(Hlc::from_i64(last)).tick(wall_ms);
        let body = serde_json::json!({
            "id": op_id,
            "device_id": self.id,
            "hlc": hlc.as_i64(),
            "payload": payload,
        });
        tx.execute(
            "INSERT INTO outbox (op_id, hlc, entity_kind, entity_id, body) VALUES (?1, ?2, 'round', ?3, ?4)",
            rusqlite::params![op_id, hlc.as_i64(), entity_id, body.to_string()],
        )?;
        tx.execute("UPDATE device SET hlc = ?1 WHERE id = 1", [hlc.as_i64()])?;
        tx.commit()?;
        Ok(())
    }

    /// The operation ids a query of its file gives, read beside the store.
    fn ids(&self, sql: &str) -> Result<BTreeSet<String>> {
        let conn = self.read_only()?;
        let mut stmt = conn.prepare(sql)?;
        let ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    fn read_only(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        Ok(conn)
    }
}

/// What `PRAGMA integrity_check` says of a SQLite file.
pub fn integrity_of(path: &Path) -> Result<String> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let lines: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(lines.join("; "))
}

fn at_ms(true_ms: u64, skew_ms: i64) -> chrono::DateTime<chrono::Utc> {
    DateTime::from_timestamp_millis((true_ms as i64).saturating_add(skew_ms)).unwrap_or_default()
}
