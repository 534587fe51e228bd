//! Reading what can still be read of a store whose tables are damaged: the
//! device's identity, its enrollment and settings, and its outbox.
//!
//! Every read stands alone, and a read that fails loses only itself: the
//! outbox is read one entry at a time by its rowid, so a broken page costs
//! the entries on that page and not those after it.

use std::collections::{HashMap, HashSet};

use highland_domain::{DeviceId, Hlc, Operation};
use rusqlite::{Connection, OptionalExtension};

use crate::sync::Enrollment;

/// An outbox entry holds two ids and an operation's JSON: it never takes
/// fewer bytes of the file than this. Bounds how many entries a damaged
/// file can claim to have.
const MIN_OUTBOX_ENTRY_BYTES: u64 = 100;

/// What was read back.
#[derive(Debug, Default)]
pub(super) struct Salvage {
    pub device_id: Option<DeviceId>,
    /// The device's clock: its next operation must order after all it made.
    pub hlc: Hlc,
    /// None if the device was never enrolled, or `enrollment_lost`.
    pub enrollment: Option<Enrollment>,
    pub clock_offset_ms: i64,
    /// The device was enrolled, or may have been, and the enrollment
    /// could not be read back (or its device id could not).
    pub enrollment_lost: bool,
    pub settings: Vec<(String, String)>,
    /// This device's operations, in the order it made them.
    pub ops: Vec<Operation>,
    /// Outbox entries that could not be read, or read as no operation of
    /// this device.
    pub unreadable: u64,
}

/// Reads all it can from `conn`, a file of `file_bytes` bytes (with its log).
pub(super) fn read(conn: &Connection, file_bytes: u64) -> Salvage {
    let device: Option<(String, i64)> = conn
        .query_row("SELECT device_id, hlc FROM device WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .ok();
    let (mut ops, mut unreadable) = outbox(conn, file_bytes / MIN_OUTBOX_ENTRY_BYTES + 1);
    // The outbox holds only this device's own operations, so when the
    // device's row is lost its id is still in them; the hub knows the
    // device's token by that id.
    let device_id = device
        .as_ref()
        .and_then(|(id, _)| id.parse().ok())
        .or_else(|| most_common_device(&ops));
    let before = ops.len();
    ops.retain(|op| Some(op.device_id) == device_id);
    unreadable += (before - ops.len()) as u64;
    let hlc = ops
        .iter()
        .map(|op| op.hlc)
        .chain(device.map(|(_, hlc)| Hlc::from_i64(hlc)))
        .max()
        .unwrap_or(Hlc::ZERO);
    let (enrollment, clock_offset_ms, enrollment_lost) = match enrollment(conn) {
        // A token is only good with the device id it was issued to.
        Ok((Some(_), _)) if device_id.is_none() => (None, 0, true),
        Ok((enrollment, offset)) => (enrollment, offset, false),
        Err(_) => (None, 0, true),
    };
    Salvage {
        device_id,
        hlc,
        enrollment,
        clock_offset_ms,
        enrollment_lost,
        settings: settings(conn),
        ops,
        unreadable,
    }
}

/// Every outbox entry that can be read and parsed, and how many could not.
/// The outbox never deletes an entry and numbers them from 1 up, so every
/// number up to the last is an entry, and one that reads as absent was
/// lost with its page.
fn outbox(conn: &Connection, most: u64) -> (Vec<Operation>, u64) {
    let last = last_outbox_seq(conn).min(most);
    let Ok(mut stmt) = conn.prepare("SELECT body FROM outbox WHERE seq = ?1") else {
        return (Vec::new(), last);
    };
    let mut ops = Vec::new();
    let mut seen = HashSet::new();
    let mut unreadable = 0;
    for seq in 1..=last {
        let body: Option<String> = stmt
            .query_row([seq as i64], |r| r.get(0))
            .optional()
            .ok()
            .flatten();
        match body.and_then(|b| serde_json::from_str::<Operation>(&b).ok()) {
            Some(op) => {
                if seen.insert(op.id) {
                    ops.push(op);
                }
            }
            None => unreadable += 1,
        }
    }
    (ops, unreadable)
}

/// The highest outbox number any part of the file still tells: the
/// autoincrement counter, the table's last row, or a scan up to where it
/// breaks.
fn last_outbox_seq(conn: &Connection) -> u64 {
    let counter = conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .ok();
    let last_row = conn
        .query_row("SELECT max(seq) FROM outbox", [], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .ok()
        .flatten();
    let mut scanned = None;
    if let Ok(mut stmt) = conn.prepare("SELECT seq FROM outbox ORDER BY seq")
        && let Ok(rows) = stmt.query_map([], |r| r.get::<_, i64>(0))
    {
        scanned = rows.map_while(Result::ok).max();
    }
    [counter, last_row, scanned]
        .into_iter()
        .flatten()
        .max()
        .map_or(0, |n| n.max(0) as u64)
}

fn most_common_device(ops: &[Operation]) -> Option<DeviceId> {
    let mut counts: HashMap<DeviceId, usize> = HashMap::new();
    for op in ops {
        *counts.entry(op.device_id).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(id, _)| id)
}

fn enrollment(conn: &Connection) -> rusqlite::Result<(Option<Enrollment>, i64)> {
    conn.query_row(
        "SELECT hub_url, seller_id, seller_name, village, device_token, clock_offset_ms
         FROM sync_state WHERE id = 1",
        [],
        |r| {
            let token: Option<String> = r.get(4)?;
            let enrollment = match token {
                Some(device_token) => Some(Enrollment {
                    hub_url: r.get(0)?,
                    seller_id: r.get(1)?,
                    seller_name: r.get(2)?,
                    village: r.get(3)?,
                    device_token,
                }),
                None => None,
            };
            Ok((enrollment, r.get(5)?))
        },
    )
}

/// The settings that can be read; they are a handful, on one page.
fn settings(conn: &Connection) -> Vec<(String, String)> {
    let Ok(mut stmt) = conn.prepare("SELECT key, value FROM settings") else {
        return Vec::new();
    };
    let Ok(rows) = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))) else {
        return Vec::new();
    };
    rows.map_while(Result::ok).collect()
}
