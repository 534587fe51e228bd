//! The store file's own health: when it was last checked in full, and what
//! the last repair found and did, for the seller. Written by opening
//! (`db`), never by the seller's writes, and never synced.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::{Result, Store, StoreError};

/// What opening the store found damaged, and what it did about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RepairKind {
    /// Only indexes were damaged; they were rebuilt from the tables in
    /// place, and nothing was lost.
    IndexesRebuilt,
    /// Tables were damaged: the file was set aside unchanged and a new
    /// store was made from what could still be read of it; the rest comes
    /// back from the hub.
    StoreRebuilt,
}

/// The last repair of this device's store, for `highland status` and the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StoreRepair {
    /// RFC 3339, UTC, by the device's clock.
    pub at: String,
    pub kind: RepairKind,
    /// What SQLite's check found, in its words, for whoever helps the seller.
    pub findings: String,
    /// The indexes rebuilt.
    pub indexes: Vec<String>,
    /// Where the damaged file was put, unchanged (with its write-ahead log
    /// beside it, `-wal` and `-shm`, when it was left with one); null when
    /// it stayed in place.
    pub set_aside: Option<String>,
    /// This device's operations read back from the damaged file's outbox;
    /// each goes to the hub again (the hub keeps each once, by its id).
    pub recovered: u64,
    /// How many of them were sales.
    pub recovered_sales: u64,
    /// Outbox entries that could not be read: lost, unless the hub already
    /// had them.
    pub unreadable: u64,
    /// The enrollment with the hub could not be read back: the device must
    /// be enrolled again before it can sync.
    pub enrollment_lost: bool,
}

impl StoreRepair {
    pub(crate) fn indexes_rebuilt(
        at: DateTime<Utc>,
        indexes: Vec<String>,
        findings: String,
    ) -> StoreRepair {
        StoreRepair {
            at: crate::rows::format_time(at),
            kind: RepairKind::IndexesRebuilt,
            findings,
            indexes,
            set_aside: None,
            recovered: 0,
            recovered_sales: 0,
            unreadable: 0,
            enrollment_lost: false,
        }
    }
}

/// Keeps when a full check ran and, if it repaired something, what.
pub(crate) fn record(
    conn: &Connection,
    checked_at: DateTime<Utc>,
    repair: Option<&StoreRepair>,
) -> Result<()> {
    let repair = repair
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::BadRecord(format!("repair report: {e}")))?;
    conn.execute(
        "UPDATE store_health SET last_full_check_at = ?1, last_repair = coalesce(?2, last_repair)
         WHERE id = 1",
        params![crate::rows::format_time(checked_at), repair],
    )?;
    Ok(())
}

pub(crate) fn last_repair(conn: &Connection) -> Result<Option<StoreRepair>> {
    let raw: Option<String> = conn.query_row(
        "SELECT last_repair FROM store_health WHERE id = 1",
        [],
        |r| r.get(0),
    )?;
    raw.map(|raw| {
        serde_json::from_str(&raw).map_err(|e| StoreError::BadRecord(format!("repair report: {e}")))
    })
    .transpose()
}

impl Store {
    /// What the last repair of this file did, if it ever needed one.
    pub fn last_repair(&self) -> Result<Option<StoreRepair>> {
        last_repair(&self.conn)
    }

    /// When SQLite last checked every row of this file against every index.
    pub fn last_full_check(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(crate::db::last_full_check(&self.conn)?)
    }
}
