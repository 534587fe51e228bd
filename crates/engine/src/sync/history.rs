//! Noticing that the hub, or this device's own file, went back in time
//! (docs/sync-protocol.md section 14), and what the device does then.
//!
//! Every answer of a current hub says which incarnation answered, where its
//! log ends, how many of this device's operations it holds, and whether it
//! still holds the last operation this device pulled. From that:
//! - the hub went back (restored from a backup, moved, or copied back by
//!   hand): this device sends again its own operations the hub no longer
//!   holds (only those: the hub's count says how many), gives back what it
//!   pulled beyond the point the hub went back to, and pulls again from
//!   that point (the log up to it is the one it already read);
//! - this device's file went back (put back from an old copy): the hub holds
//!   more of its operations than it knows, so it takes them back from the
//!   hub, pulling its own operations too, from the start.

use highland_domain::wire::SyncResponse;
use rusqlite::{Connection, params};

use super::pulled;
use crate::{Result, StoreError};

/// What the answer shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Finding {
    /// Nothing went back.
    Steady,
    /// The hub went back; `floor` is the log position beyond which what
    /// this device pulled, or had acknowledged, may be lost.
    HubWentBack { floor: u64 },
    /// This device's file went back: the hub holds operations of its own
    /// that it does not.
    FileWentBack,
}

/// Compares the answer with what this device knows, before its
/// acknowledgements are marked: `applied_now` of this device's pending
/// operations it acknowledges as applied.
pub(super) fn find(
    conn: &Connection,
    response: &SyncResponse,
    applied_now: u64,
) -> Result<Finding> {
    let Some(history) = &response.history else {
        return Ok(Finding::Steady);
    };
    let (cursor, remembered): (i64, Option<String>) = conn.query_row(
        "SELECT cursor, hub_incarnation FROM sync_state WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let acked = count(conn, "state = 'acked'")? + applied_now;
    let hub_went_back = remembered.is_some_and(|known| known != history.incarnation)
        || cursor as u64 > history.log_end
        || history.mark_held == Some(false)
        || history.from_device.is_some_and(|held| held < acked);
    if hub_went_back {
        return Ok(Finding::HubWentBack {
            floor: history.log_start,
        });
    }
    // Pending operations may be held already (the answer that acknowledged
    // them was lost): only more than all this device has is a sign. While
    // it takes its own back, the count catches up page by page.
    let known = acked - applied_now + count(conn, "state = 'pending'")?;
    if !own_too(conn)? && history.from_device.is_some_and(|held| held > known) {
        return Ok(Finding::FileWentBack);
    }
    Ok(Finding::Steady)
}

fn count(conn: &Connection, condition: &str) -> Result<u64> {
    let n: i64 = conn.query_row(
        &format!("SELECT count(*) FROM outbox WHERE {condition}"),
        [],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// The hub went back: sends again this device's operations it may lack,
/// gives back what this device pulled beyond `floor`, and keeps what
/// happened for the seller. `acked_now` (this answer's acknowledgements)
/// the hub holds as it is now.
pub(super) fn hub_went_back(
    conn: &Connection,
    floor: u64,
    acked_now: &[String],
    now: &str,
) -> Result<()> {
    // Every operation acknowledged beyond the floor, or where the hub did
    // not say; those it still holds it acknowledges again, by id.
    let acked: Vec<(String, String)> = {
        let mut stmt = conn.prepare(
            "SELECT op_id, entity_kind FROM outbox
             WHERE state = 'acked' AND (acked_at IS NULL OR acked_at > ?1)
             ORDER BY seq",
        )?;
        stmt.query_map([floor as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let again: Vec<&(String, String)> = acked
        .iter()
        .filter(|(id, _)| !acked_now.contains(id))
        .collect();
    for (op_id, kind) in &again {
        conn.execute(
            "UPDATE outbox SET state = 'pending', resent = 1 WHERE op_id = ?1",
            [op_id],
        )?;
        if kind == "order" {
            // A proposal the hub confirmed and lost: pending again, the
            // hub may refuse it this time.
            crate::orders::withdraw(conn, op_id)?;
        }
        if kind == "round" {
            // The same for an answer to a round.
            crate::rounds::withdraw(conn, op_id)?;
        }
    }
    // A refusal by a hub that then went back may not hold: the history it
    // judged against is gone, and the one it went back to may even hold the
    // operation (taken before the refusal). Each goes again, at its own
    // time like the rest, and the hub answers anew.
    conn.execute(
        "UPDATE outbox SET state = 'pending', refusal = NULL, resent = 1 WHERE state = 'refused'",
        [],
    )?;
    let sales = again.iter().filter(|(_, kind)| kind == "sale").count();
    let returned = pulled::give_back_after(conn, floor)?;
    // The files of this device's photos, too: the restored hub may have
    // lost them as well. Each goes up again once its photo's record is
    // acknowledged again, after a HEAD that finds whether the hub still
    // holds it (then nothing is sent).
    conn.execute(
        "UPDATE photo_files SET on_hub = 0
         WHERE here = 1 AND sha256 IN (
             SELECT p.display_sha256 FROM photos p JOIN outbox o ON o.op_id = p.op_id
             UNION SELECT p.thumbnail_sha256 FROM photos p JOIN outbox o ON o.op_id = p.op_id)",
        [],
    )?;
    conn.execute(
        "UPDATE sync_state SET hub_went_back_at = ?1, hub_went_back_resent = ?2,
                hub_went_back_resent_sales = ?3, hub_went_back_returned = ?4,
                cursor = min(cursor, ?5), last_pulled_op = NULL, last_pulled_seq = NULL
         WHERE id = 1",
        params![
            now,
            again.len() as i64,
            sales as i64,
            returned as i64,
            floor as i64
        ],
    )?;
    Ok(())
}

/// This device's file went back: from now until the log is read to its
/// end, it pulls its own operations too, from the start.
pub(super) fn file_went_back(conn: &Connection, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE sync_state SET own_too = 1, cursor = 0, last_pulled_op = NULL,
                last_pulled_seq = NULL, own_recovered_at = ?1, own_recovered = 0,
                own_recovered_sales = 0
         WHERE id = 1",
        [now],
    )?;
    Ok(())
}

/// Counts operations of its own this device took back.
pub(super) fn took_back(conn: &Connection, operations: u64, sales: u64) -> Result<()> {
    conn.execute(
        "UPDATE sync_state SET own_recovered = coalesce(own_recovered, 0) + ?1,
                own_recovered_sales = coalesce(own_recovered_sales, 0) + ?2
         WHERE id = 1",
        params![operations as i64, sales as i64],
    )?;
    Ok(())
}

/// Whether this device is taking its own operations back.
pub(super) fn own_too(conn: &Connection) -> Result<bool> {
    conn.query_row("SELECT own_too FROM sync_state WHERE id = 1", [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|v| v == 1)
    .map_err(StoreError::from)
}
