//! What this device pulled, kept exactly as it came (`pulled_ops`).
//!
//! Two uses. A change from a newer Highland, of a kind or with values this
//! build cannot read, is kept here unapplied and the cursor moves past it;
//! once an update can read it, it is applied, in log order
//! (docs/sync-protocol.md section 15). And when the hub goes back in time,
//! this device gives back what it pulled beyond the point the hub went back
//! to, as it came, so a restore loses nothing even when the device that made
//! an operation is gone (section 14).

use highland_domain::wire::{LoggedOperation, OperationEnvelope};
use highland_domain::{Operation, Payload};
use rusqlite::{Connection, OptionalExtension, params};

use crate::apply::{self, Source};
use crate::{Result, StoreError};

/// One operation of a pulled page, read once: the parts every version
/// reads, and the whole if this build can.
pub(super) struct PulledOp<'a> {
    pub text: &'a LoggedOperation,
    pub envelope: OperationEnvelope,
    pub read: Option<Operation>,
}

impl<'a> PulledOp<'a> {
    pub fn of(text: &'a LoggedOperation) -> Result<PulledOp<'a>> {
        let envelope = text.envelope().map_err(|e| {
            StoreError::BadRecord(format!("the hub sent an operation without an id: {e}"))
        })?;
        Ok(PulledOp {
            text,
            envelope,
            read: text.read().ok(),
        })
    }
}

/// Keeps a pulled operation of another device or of the hub, and applies it
/// if this build can read it; returns whether it was applied and new here.
pub(super) fn keep(conn: &Connection, op: &PulledOp<'_>, page_end: u64) -> Result<bool> {
    let held: Option<Option<i64>> = conn
        .query_row(
            "SELECT hlc FROM pulled_ops WHERE op_id = ?1",
            [op.envelope.id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    let fresh = match &op.read {
        Some(read) => apply::apply(conn, read, Source::Hub)?,
        None => false,
    };
    conn.execute(
        "INSERT INTO pulled_ops (op_id, seq, body, applied, hlc) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (op_id) DO UPDATE SET seq = excluded.seq, body = excluded.body,
                                            hlc = excluded.hlc",
        params![
            op.envelope.id.to_string(),
            page_end as i64,
            op.text.text(),
            op.read.is_some(),
            op.envelope.hlc.as_i64()
        ],
    )?;
    // Pulled before at another timestamp: the log's is the one every
    // replica merges it at.
    if let (Some(Some(before)), Some(read)) = (held, &op.read)
        && before != read.hlc.as_i64()
    {
        crate::retime::retime(conn, read)?;
    }
    // An order's action met again in the log is confirmed, though applied
    // before: a hub that went back in time may have refused it since, when
    // it was given back, and its confirmation was withdrawn then.
    if let Some(read) = &op.read
        && !fresh
        && matches!(read.payload, Payload::OrderActionTaken { .. })
    {
        crate::orders::confirm(conn, read)?;
    }
    Ok(fresh)
}

/// Applies, in log order, the kept operations this build can now read (it
/// was updated since they came); returns how many.
pub(crate) fn apply_waiting(conn: &Connection) -> Result<u64> {
    let waiting: Vec<(String, String)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT op_id, body FROM pulled_ops WHERE applied = 0 ORDER BY seq, rowid",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut applied = 0;
    for (op_id, body) in waiting {
        let Ok(op) = serde_json::from_str::<Operation>(&body) else {
            continue;
        };
        apply::apply(conn, &op, Source::Hub)?;
        conn.execute(
            "UPDATE pulled_ops SET applied = 1 WHERE op_id = ?1",
            [op_id],
        )?;
        applied += 1;
    }
    Ok(applied)
}

/// How many pulled changes wait for an update of this app.
pub(crate) fn waiting_count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM pulled_ops WHERE applied = 0",
        [],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// Marks for giving back everything pulled beyond `floor`, the log position
/// the hub went back to; returns how many.
pub(super) fn give_back_after(conn: &Connection, floor: u64) -> Result<u64> {
    Ok(conn.execute(
        "UPDATE pulled_ops SET give_back = 1 WHERE seq > ?1",
        [floor as i64],
    )? as u64)
}

/// Which kept operations go back to the hub now: those marked, but not
/// those the hub's current version could not read.
pub(super) const TO_GIVE_BACK: &str = "give_back = 1
    AND (deferred_by IS NULL
         OR deferred_by IS NOT (SELECT hub_version FROM sync_state WHERE id = 1))";

/// The next operations to give back, oldest first by timestamp (those kept
/// before timestamps were, first), to be merged with this device's own by
/// time.
pub(super) fn to_give_back(conn: &Connection, limit: usize) -> Result<Vec<GivenBack>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT body FROM pulled_ops WHERE {TO_GIVE_BACK} ORDER BY hlc, seq, rowid LIMIT ?1"
    ))?;
    let bodies = stmt
        .query_map([limit as i64], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    bodies
        .into_iter()
        .map(|body| {
            let op = LoggedOperation::from_text(body)
                .map_err(|e| StoreError::BadRecord(format!("a kept operation: {e}")))?;
            let envelope = op
                .envelope()
                .map_err(|e| StoreError::BadRecord(format!("a kept operation: {e}")))?;
            Ok(GivenBack { op, envelope })
        })
        .collect()
}

/// A kept operation on its way back to the hub.
pub(super) struct GivenBack {
    pub op: LoggedOperation,
    pub envelope: highland_domain::wire::OperationEnvelope,
}

/// The hub answered for an operation given back: it holds it now, or will
/// not take it; either way it is not sent again.
pub(super) fn given_back(conn: &Connection, op_id: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE pulled_ops SET give_back = 0, deferred_by = NULL
         WHERE op_id = ?1 AND give_back = 1",
        [op_id],
    )? == 1)
}

/// An operation given back and refused for good did not happen as far as
/// the hub knows: it is forgotten, so it is not given back after the hub's
/// next trip back in time (where it might be taken where it no longer
/// belongs), and a sale goes with its void if it had one (an order's
/// receipt the hub, gone back, has since recorded again with another sale:
/// kept here it would count the goods twice).
pub(super) fn withdraw(conn: &Connection, op_id: &str) -> Result<()> {
    let body: Option<String> = conn
        .query_row(
            "SELECT body FROM pulled_ops WHERE op_id = ?1",
            [op_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(body) = body else {
        return Ok(());
    };
    let text = LoggedOperation::from_text(body)
        .map_err(|e| StoreError::BadRecord(format!("a kept operation: {e}")))?;
    // One this build cannot read was never applied here.
    if let Ok(Operation {
        payload: Payload::SaleRecorded { sale },
        ..
    }) = text.read()
    {
        let id = sale.id.to_string();
        conn.execute("DELETE FROM sale_voids WHERE sale_id = ?1", [&id])?;
        conn.execute("DELETE FROM sales WHERE id = ?1", [&id])?;
    }
    conn.execute("DELETE FROM pulled_ops WHERE op_id = ?1", [op_id])?;
    Ok(())
}

/// The hub (version `hub_version`) cannot read an operation given back: a
/// kind from a newer Highland. It goes back again once another version of
/// the hub answers, as this device's own such operations do, or a hub
/// that can read it would never get it back.
pub(super) fn defer_giving_back(conn: &Connection, op_id: &str, hub_version: &str) -> Result<()> {
    conn.execute(
        "UPDATE pulled_ops SET deferred_by = ?2 WHERE op_id = ?1 AND give_back = 1",
        params![op_id, hub_version],
    )?;
    Ok(())
}

/// Takes back one of this device's own operations from the hub (this file
/// went back): applied if new, and kept in the outbox as acknowledged, as it
/// was before. Returns whether it was new here, and whether it was a sale.
pub(super) fn take_back_own(conn: &Connection, op: &PulledOp<'_>) -> Result<(bool, bool)> {
    let Some(read) = &op.read else {
        // A newer build of this app made it, on this very device, before a
        // downgrade: it waits like any change this build cannot read.
        keep(conn, op, 0)?;
        return Ok((false, false));
    };
    let fresh = apply::apply(conn, read, Source::Hub)?;
    let (kind, entity) = read.entity();
    conn.execute(
        "INSERT OR IGNORE INTO outbox (op_id, hlc, entity_kind, entity_id, body, state)
         VALUES (?1, ?2, ?3, ?4, ?5, 'acked')",
        params![
            read.id.to_string(),
            read.hlc.as_i64(),
            kind.slug(),
            entity.to_string(),
            op.text.text()
        ],
    )?;
    Ok((fresh, matches!(read.payload, Payload::SaleRecorded { .. })))
}
