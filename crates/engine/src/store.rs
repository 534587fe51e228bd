use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use highland_domain::{DeviceId, Hlc, HybridClock, Operation, OperationId, Payload};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::apply::Source;
use crate::clock::{Clock, SystemClock};
use crate::{Result, StoreError, apply, db, lesson, outbox};

/// The file name of the store inside a data directory.
pub const DATABASE_FILE: &str = "highland.db";

/// One device's store: a connection to its SQLite file, the device's identity
/// and the clock it stamps operations with.
pub struct Store {
    pub(crate) conn: Connection,
    device_id: DeviceId,
    clock: Arc<dyn Clock>,
    /// Hub time minus the device clock, when the device clock is known wrong.
    clock_offset_ms: i64,
    path: PathBuf,
}

impl Store {
    /// Opens the store in a data directory, creating both if they are missing.
    pub fn open_dir(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir)?;
        Store::open(&dir.join(DATABASE_FILE))
    }

    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with_clock(path, Arc::new(SystemClock))
    }

    /// Opens the store at `path`. A damaged store is repaired on the way:
    /// its indexes rebuilt, or, if its tables are damaged, the file set
    /// aside and a new store made from what it still holds
    /// ([`Store::last_repair`] says which and what).
    pub fn open_with_clock(path: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
        let conn = open_connection(path, clock.as_ref(), false)?;
        let (device_id, clock_offset_ms) = identity(&conn)?;
        Ok(Store {
            conn,
            device_id,
            clock,
            clock_offset_ms,
            path: path.to_owned(),
        })
    }

    /// Runs the full integrity check if a day has passed since the last
    /// one, repairing as opening does; for a process that keeps the store
    /// open for days (the app). Returns whether it ran.
    pub fn check_if_due(&mut self) -> Result<bool> {
        let last = db::last_full_check(&self.conn)?;
        if !db::full_check_due(last, self.clock.now()) {
            return Ok(false);
        }
        // The file is closed and opened again, as at start: a store whose
        // tables are damaged is replaced by another file, which this
        // connection would not see.
        let closed = std::mem::replace(&mut self.conn, Connection::open_in_memory()?);
        drop(closed);
        self.conn = open_connection(&self.path, self.clock.as_ref(), true)?;
        (self.device_id, self.clock_offset_ms) = identity(&self.conn)?;
        Ok(true)
    }

    pub fn device_id(&self) -> DeviceId {
        self.device_id
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The time to record: the device's clock, corrected by what the hub
    /// said when the two differ by minutes.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now() + chrono::Duration::milliseconds(self.clock_offset_ms)
    }

    /// The device's own clock, uncorrected.
    pub fn device_clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    pub(crate) fn set_device_id(&mut self, device_id: DeviceId) {
        self.device_id = device_id;
    }

    pub(crate) fn set_clock_offset(&mut self, offset_ms: i64) {
        self.clock_offset_ms = offset_ms;
    }

    /// Runs one local write: `build` checks the request against the stored
    /// state and says what operations it makes; they are stamped, applied and
    /// appended to the outbox, all in one IMMEDIATE transaction, so a crash
    /// leaves either all of it or none, and concurrent writers queue instead of
    /// failing with "database is locked" halfway.
    pub(crate) fn record(
        &mut self,
        build: impl FnOnce(&Transaction<'_>) -> Result<Vec<Payload>>,
    ) -> Result<Vec<Operation>> {
        self.record_and(build, |_| Ok::<_, StoreError>(()))
            .map(|(ops, ())| ops)
    }

    /// [`Store::record`], with one more step before the commit: `finish`
    /// sees the operations applied and may still fail, and then nothing is
    /// recorded. For what must not exist without its record, nor the record
    /// without it: a printed certificate.
    pub(crate) fn record_and<T, E: From<StoreError>>(
        &mut self,
        build: impl FnOnce(&Transaction<'_>) -> Result<Vec<Payload>>,
        finish: impl FnOnce(&[Operation]) -> std::result::Result<T, E>,
    ) -> std::result::Result<(Vec<Operation>, T), E> {
        let now = self.now();
        let wall_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        let device_id = self.device_id;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let ops = stage(&tx, device_id, now, wall_ms, build)?;
        let finished = finish(&ops)?;
        tx.commit().map_err(StoreError::from)?;
        Ok((ops, finished))
    }
}

/// Builds, stamps, appends and applies a write's operations in `tx`.
fn stage(
    tx: &Transaction<'_>,
    device_id: DeviceId,
    now: DateTime<Utc>,
    wall_ms: u64,
    build: impl FnOnce(&Transaction<'_>) -> Result<Vec<Payload>>,
) -> Result<Vec<Operation>> {
    let payloads = build(tx)?;
    let mut clock = HybridClock::new(read_hlc(tx)?);
    let mut ops = Vec::with_capacity(payloads.len());
    for payload in payloads {
        let op = Operation {
            id: OperationId::new(),
            device_id,
            hlc: clock.tick(wall_ms),
            payload,
        };
        // Into the outbox first: applying an order proposal reads the
        // order's pending proposals from there, this one included.
        outbox::append(tx, &op)?;
        apply::apply(tx, &op, Source::Local)?;
        lesson::observe(tx, op.id, &op.payload, now)?;
        ops.push(op);
    }
    write_hlc(tx, clock.last())?;
    Ok(ops)
}

/// Opens the file (`db::open_database`), then applies the changes from a
/// newer Highland that waited for this update, in log order.
fn open_connection(path: &Path, clock: &dyn Clock, full_check: bool) -> Result<Connection> {
    let mut conn = db::open_database(path, clock, full_check)?;
    if crate::sync::waiting_count(&conn)? > 0 {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        crate::sync::apply_waiting(&tx)?;
        tx.commit()?;
    }
    Ok(conn)
}

/// The device's id and its clock's correction, as the store keeps them.
fn identity(conn: &Connection) -> Result<(DeviceId, i64)> {
    let device_id: String =
        conn.query_row("SELECT device_id FROM device WHERE id = 1", [], |r| {
            r.get(0)
        })?;
    let device_id = device_id
        .parse()
        .map_err(|_| StoreError::BadRecord(format!("device id {device_id:?}")))?;
    let clock_offset_ms: i64 = conn.query_row(
        "SELECT clock_offset_ms FROM sync_state WHERE id = 1",
        [],
        |r| r.get(0),
    )?;
    Ok((device_id, clock_offset_ms))
}

pub(crate) fn read_hlc(conn: &Connection) -> Result<Hlc> {
    let raw: Option<i64> = conn
        .query_row("SELECT hlc FROM device WHERE id = 1", [], |r| r.get(0))
        .optional()?;
    Ok(Hlc::from_i64(raw.unwrap_or(0)))
}

pub(crate) fn write_hlc(conn: &Connection, hlc: Hlc) -> Result<()> {
    conn.execute("UPDATE device SET hlc = ?1 WHERE id = 1", [hlc.as_i64()])?;
    Ok(())
}
