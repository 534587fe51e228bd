//! The store's side of sync: what to send next, and committing what came
//! back. Committing is one transaction: acknowledgements, pulled operations
//! and the new cursor land together or not at all, so a crash or a lost
//! response costs a retry and never a lost or doubled operation.

use highland_domain::wire::{AckOutcome, Refusal, SyncResponse};
use highland_domain::{Hlc, HybridClock, Operation, OperationId, Payload};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::apply::Source;
use crate::store::{read_hlc, write_hlc};
use crate::{Result, Store, StoreError, apply, orders};

/// How far ahead of the hub a device's timestamps may run before the hub
/// re-stamps them; mirrors the hub's bound, used to reset a clock that ran ahead.
pub const MAX_CLOCK_AHEAD_MS: u64 = 10 * 60 * 1000;

/// A clock difference smaller than this is network delay, not a wrong clock.
const CLOCK_OFFSET_THRESHOLD_MS: i64 = 2 * 60 * 1000;

/// What the device keeps from enrolling with a hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    pub hub_url: String,
    pub seller_id: String,
    pub seller_name: String,
    pub village: String,
    pub device_token: String,
}

/// An operation the hub refused for good, kept visible to the seller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefusedOp {
    pub op_id: String,
    pub entity: String,
    pub entity_id: String,
    pub code: String,
    pub message: String,
}

/// The hub's code for a device its staff revoked (lost or stolen): every
/// request with its token gets it, until the device is enrolled again. Kept
/// with the store's side, which remembers it across restarts.
pub(crate) const DEVICE_REVOKED: &str = "device_revoked";

/// Where sync stands, for `status` and the app's sync bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncStatus {
    pub hub: Option<String>,
    pub seller_id: Option<String>,
    pub cursor: u64,
    pub last_sync_at: Option<String>,
    pub last_error: Option<String>,
    /// The stable code of the error that stopped the last sync
    /// ([`super::SyncError::code`]), such as `device_revoked`; null while
    /// all is well, and for a failed attempt that was retried.
    pub last_error_code: Option<String>,
    pub pending_ops: u64,
    pub refused: Vec<RefusedOp>,
    /// The last time this device found the hub gone back in time (restored
    /// from a backup), and what it sent again; null if it never did.
    pub hub_went_back: Option<HubWentBack>,
}

/// The hub went back in time (docs/sync-protocol.md section 14): restored
/// from a backup, moved, or started afresh. Everything it had acknowledged
/// from this device was sent again, and its log pulled again from the start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HubWentBack {
    /// RFC 3339, UTC: when the device noticed.
    pub at: String,
    /// This device's operations sent again.
    pub resent: u64,
    /// How many of them were sales.
    pub resent_sales: u64,
}

/// What one committed round trip changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Committed {
    pub acked: u64,
    pub refused: u64,
    pub pulled: u64,
    /// The response showed the hub went back in time: its page was not
    /// applied, the cursor went back to 0 and acknowledged operations are
    /// pending again, so the client must sync again at once.
    pub hub_went_back: bool,
}

impl Store {
    pub fn enrollment(&self) -> Result<Option<Enrollment>> {
        let row = self
            .conn
            .query_row(
                "SELECT hub_url, seller_id, seller_name, village, device_token
                 FROM sync_state WHERE id = 1 AND device_token IS NOT NULL",
                [],
                |r| {
                    Ok(Enrollment {
                        hub_url: r.get(0)?,
                        seller_id: r.get(1)?,
                        seller_name: r.get(2)?,
                        village: r.get(3)?,
                        device_token: r.get(4)?,
                    })
                },
            )
            .optional()?;
        Ok(row)
    }

    /// Keeps what enrolling returned. Enrolling with another hub starts its
    /// log from the beginning; everything recorded so far is sent there.
    pub fn save_enrollment(&mut self, e: &Enrollment) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let previous: Option<String> =
            tx.query_row("SELECT hub_url FROM sync_state WHERE id = 1", [], |r| {
                r.get(0)
            })?;
        if previous.as_deref() != Some(e.hub_url.as_str()) {
            tx.execute(
                "UPDATE sync_state SET cursor = 0, last_sync_at = NULL, last_error = NULL,
                        hub_incarnation = NULL
                 WHERE id = 1",
                [],
            )?;
            tx.execute(
                "UPDATE outbox SET state = 'pending', refusal = NULL WHERE state <> 'pending'",
                [],
            )?;
        }
        // A new token: whatever stopped the old one (a revocation, a token
        // the hub forgot) no longer holds, and the next sync must be tried.
        tx.execute(
            "UPDATE sync_state SET hub_url = ?1, seller_id = ?2, seller_name = ?3, village = ?4,
                    device_token = ?5, last_error_code = NULL
             WHERE id = 1",
            params![
                e.hub_url,
                e.seller_id,
                e.seller_name,
                e.village,
                e.device_token
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn sync_status(&self) -> Result<SyncStatus> {
        let (hub, seller_id, cursor, last_sync_at, last_error, last_error_code, hub_went_back) =
            self.conn.query_row(
                "SELECT hub_url, seller_id, cursor, last_sync_at, last_error, last_error_code,
                        hub_went_back_at, hub_went_back_resent, hub_went_back_resent_sales
                 FROM sync_state WHERE id = 1",
                [],
                |r| {
                    let went_back = r.get::<_, Option<String>>(6)?.map(|at| HubWentBack {
                        at,
                        resent: r.get::<_, Option<i64>>(7).ok().flatten().unwrap_or(0) as u64,
                        resent_sales: r.get::<_, Option<i64>>(8).ok().flatten().unwrap_or(0) as u64,
                    });
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        went_back,
                    ))
                },
            )?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT op_id, entity_kind, entity_id, refusal FROM outbox
             WHERE state = 'refused' ORDER BY seq",
        )?;
        let refused = stmt
            .query_and_then([], |r| -> Result<RefusedOp> {
                let refusal: String = r.get(3)?;
                let refusal: Refusal = serde_json::from_str(&refusal)
                    .map_err(|e| StoreError::BadRecord(format!("refusal: {e}")))?;
                Ok(RefusedOp {
                    op_id: r.get(0)?,
                    entity: r.get(1)?,
                    entity_id: r.get(2)?,
                    code: refusal.code,
                    message: refusal.message,
                })
            })?
            .collect::<Result<Vec<_>>>()?;
        Ok(SyncStatus {
            hub,
            seller_id,
            cursor: cursor as u64,
            last_sync_at,
            last_error,
            last_error_code,
            pending_ops: self.pending_count()?,
            refused,
            hub_went_back,
        })
    }

    /// The oldest pending operations whose JSON adds up to about `max_bytes`
    /// (always at least one), and the cursor to send with them.
    pub fn next_push(&self, max_bytes: usize, max_ops: usize) -> Result<(Vec<Operation>, u64)> {
        let cursor: i64 =
            self.conn
                .query_row("SELECT cursor FROM sync_state WHERE id = 1", [], |r| {
                    r.get(0)
                })?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?1",
        )?;
        let mut rows = stmt.query([max_ops as i64])?;
        let mut ops = Vec::new();
        let mut size = 0;
        while let Some(row) = rows.next()? {
            let body: String = row.get(0)?;
            if !ops.is_empty() && size + body.len() > max_bytes {
                break;
            }
            size += body.len();
            ops.push(
                serde_json::from_str(&body)
                    .map_err(|e| StoreError::BadRecord(format!("outbox entry: {e}")))?,
            );
        }
        Ok((ops, cursor as u64))
    }

    /// Commits one sync response: marks what the hub acknowledged or refused,
    /// applies what it sent, and moves the cursor, in one transaction.
    pub fn commit_sync(
        &mut self,
        sent: &[OperationId],
        response: &SyncResponse,
        clock_offset_ms: i64,
    ) -> Result<Committed> {
        let at = self.now();
        let wall_ms = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        let now = crate::rows::format_time(at);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut clock = HybridClock::new(read_hlc(&tx)?);
        let mut newest_seen = Hlc::ZERO;
        let mut done = Committed {
            hub_went_back: went_back(&tx, response)?,
            ..Committed::default()
        };

        for ack in &response.acks {
            if !sent.contains(&ack.op_id) {
                return Err(StoreError::BadRecord(format!(
                    "the hub acknowledged {} which was not sent",
                    ack.op_id
                )));
            }
            match &ack.outcome {
                AckOutcome::Applied { hlc } => {
                    done.acked += tx.execute(
                        "UPDATE outbox SET state = 'acked' WHERE op_id = ?1 AND state = 'pending'",
                        [ack.op_id.to_string()],
                    )? as u64;
                    if let Some(restamped) = hlc {
                        // The hub moved a timestamp that ran ahead of its clock;
                        // merge this write at the hub's time, as every replica will.
                        tx.execute(
                            "UPDATE field_versions SET hlc = ?1 WHERE op_id = ?2",
                            params![restamped.as_i64(), ack.op_id.to_string()],
                        )?;
                        restamp(&tx, ack.op_id, *restamped)?;
                        newest_seen = newest_seen.max(*restamped);
                    }
                    orders::acknowledged(&tx, ack.op_id)?;
                }
                // A hub that went back may refuse an operation for want of
                // an earlier one it lost (a sale of a listing it no longer
                // has); it stays pending, to go again after those.
                AckOutcome::Refused { .. } if done.hub_went_back => {}
                AckOutcome::Refused { reason } => {
                    let refusal = serde_json::to_string(reason)
                        .map_err(|e| StoreError::BadRecord(e.to_string()))?;
                    done.refused += tx.execute(
                        "UPDATE outbox SET state = 'refused', refusal = ?2
                         WHERE op_id = ?1 AND state = 'pending'",
                        params![ack.op_id.to_string(), refusal],
                    )? as u64;
                    orders::refused(&tx, ack.op_id, reason)?;
                }
            }
        }

        // A pulled write that loses to a field version of this device's own
        // pending operation cannot be judged yet (see
        // `apply::loses_to_pending`): the page waits, with the cursor, for a
        // later round that has that operation's acknowledgement. The
        // operation is pending, so the client syncs again.
        //
        // A hub that went back in time sends a page from a log that lost
        // what came after its backup: it is left, the cursor goes back to
        // the start, and everything the hub had acknowledged goes again.
        let mut settled = !done.hub_went_back;
        if done.hub_went_back {
            resend_acknowledged(&tx, sent, &now)?;
        } else {
            for op in &response.operations {
                if apply::loses_to_pending(&tx, op)? {
                    settled = false;
                    break;
                }
            }
        }
        if settled {
            for op in &response.operations {
                if apply::apply(&tx, op, Source::Hub)? {
                    done.pulled += 1;
                }
                newest_seen = newest_seen.max(op.hlc);
            }
        }
        clock.observe(newest_seen, wall_ms);

        let pending: i64 = tx.query_row(
            "SELECT count(*) FROM outbox WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?;
        if pending == 0 && clock.last().wall_ms() > response.hub_time_ms + MAX_CLOCK_AHEAD_MS {
            // This device's clock ran ahead and the hub has re-stamped all it
            // sent; come back to the hub's time so new writes are not re-stamped.
            // Never below a field version this store holds, though: its next
            // edit must still order after every value it has, and never carry
            // the same version as an earlier write of its own.
            let newest_version: i64 = tx.query_row(
                "SELECT coalesce(max(hlc), 0) FROM field_versions",
                [],
                |r| r.get(0),
            )?;
            clock = HybridClock::new(
                Hlc::from_wall_ms(response.hub_time_ms)
                    .max(newest_seen)
                    .max(Hlc::from_i64(newest_version)),
            );
        }
        write_hlc(&tx, clock.last())?;
        let offset = if clock_offset_ms.abs() >= CLOCK_OFFSET_THRESHOLD_MS {
            clock_offset_ms
        } else {
            0
        };
        tx.execute(
            "UPDATE sync_state SET cursor = coalesce(?1, cursor), last_sync_at = ?2,
                    last_error = NULL, last_error_code = NULL, clock_offset_ms = ?3
             WHERE id = 1",
            params![
                if done.hub_went_back {
                    Some(0)
                } else {
                    settled.then_some(response.cursor as i64)
                },
                now,
                offset
            ],
        )?;
        if let Some(history) = &response.history {
            tx.execute(
                "UPDATE sync_state SET hub_incarnation = ?1 WHERE id = 1",
                [&history.incarnation],
            )?;
        }
        crate::lesson::note_link(&tx, true, at)?;
        crate::lesson::after_sync(&tx, at)?;
        tx.commit()?;
        self.set_clock_offset(offset);
        Ok(done)
    }

    /// Remembers why the last attempt failed, for `status` and the app. An
    /// attempt that is retried has no code: it stopped nothing.
    pub fn note_sync_error(&mut self, message: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_state SET last_error = ?1, last_error_code = NULL WHERE id = 1",
            [message],
        )?;
        Ok(())
    }

    /// Remembers the error that stopped a sync, with its stable code, so
    /// `status` shows it after the process is gone and the app knows not to
    /// ask the hub again by itself (`device_revoked`) until enrolled again.
    pub fn note_sync_stopped(&mut self, code: &str, message: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_state SET last_error = ?2, last_error_code = ?1 WHERE id = 1",
            [code, message],
        )?;
        Ok(())
    }

    /// Whether the hub said, at the last sync, that it revoked this device:
    /// final until the device is enrolled again, so nothing retries it.
    pub fn is_revoked(&self) -> Result<bool> {
        let code: Option<String> = self.conn.query_row(
            "SELECT last_error_code FROM sync_state WHERE id = 1",
            [],
            |r| r.get(0),
        )?;
        Ok(code.as_deref() == Some(DEVICE_REVOKED))
    }
}

/// Whether `response` shows that the hub went back in time since the last
/// committed sync (docs/sync-protocol.md section 14): another incarnation
/// than the one remembered, or a log that ends before this device's cursor.
/// A first sync, with no incarnation remembered, is no sign; a hub that
/// says nothing of its history gives none.
fn went_back(conn: &rusqlite::Connection, response: &SyncResponse) -> Result<bool> {
    let Some(history) = &response.history else {
        return Ok(false);
    };
    let (cursor, remembered): (i64, Option<String>) = conn.query_row(
        "SELECT cursor, hub_incarnation FROM sync_state WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let other_run = remembered.is_some_and(|known| known != history.incarnation);
    Ok(other_run || cursor as u64 > history.log_end)
}

/// Makes pending again every operation of this device the hub had
/// acknowledged, except those this very response acknowledged (the hub as
/// it is now holds them), and keeps the count for the seller. The hub
/// deduplicates by id, so one it still holds is only acknowledged again.
fn resend_acknowledged(conn: &rusqlite::Connection, sent: &[OperationId], now: &str) -> Result<()> {
    let mut resent = 0u64;
    let mut resent_sales = 0u64;
    {
        let mut stmt =
            conn.prepare("SELECT op_id, entity_kind FROM outbox WHERE state = 'acked'")?;
        let mut rows = stmt.query([])?;
        let mut again = Vec::new();
        while let Some(row) = rows.next()? {
            let op_id: String = row.get(0)?;
            let kind: String = row.get(1)?;
            if sent.iter().any(|id| id.to_string() == op_id) {
                continue;
            }
            resent += 1;
            if kind == "sale" {
                resent_sales += 1;
            }
            again.push(op_id);
        }
        for op_id in again {
            conn.execute(
                "UPDATE outbox SET state = 'pending' WHERE op_id = ?1",
                [op_id],
            )?;
        }
    }
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
                hub_went_back_resent_sales = ?3
         WHERE id = 1",
        params![now, resent as i64, resent_sales as i64],
    )?;
    Ok(())
}

/// Moves everything this device wrote with `op_id` to the hub's timestamp,
/// so its merge order and its place in lists match every other replica.
fn restamp(conn: &rusqlite::Connection, op_id: OperationId, hlc: Hlc) -> Result<()> {
    let id = op_id.to_string();
    let body: String = conn.query_row("SELECT body FROM outbox WHERE op_id = ?1", [&id], |r| {
        r.get(0)
    })?;
    let mut op: Operation = serde_json::from_str(&body)
        .map_err(|e| StoreError::BadRecord(format!("outbox entry: {e}")))?;
    op.hlc = hlc;
    let body = serde_json::to_string(&op).map_err(|e| StoreError::BadRecord(e.to_string()))?;
    conn.execute(
        "UPDATE outbox SET hlc = ?1, body = ?2 WHERE op_id = ?3",
        params![hlc.as_i64(), body, id],
    )?;
    conn.execute(
        "UPDATE field_versions SET hlc = ?1 WHERE op_id = ?2",
        params![hlc.as_i64(), id],
    )?;
    let (sql, entity) = match &op.payload {
        Payload::ListingCreated { listing } => (
            "UPDATE listings SET created_hlc = ?1 WHERE id = ?2",
            listing.id.to_string(),
        ),
        Payload::LotRecorded { lot } => (
            "UPDATE lots SET created_hlc = ?1 WHERE id = ?2",
            lot.id.to_string(),
        ),
        Payload::CertificateIssued { certificate } => (
            "UPDATE certificates SET hlc = ?1 WHERE id = ?2",
            certificate.id.to_string(),
        ),
        Payload::SaleRecorded { sale } => (
            "UPDATE sales SET hlc = ?1 WHERE id = ?2",
            sale.id.to_string(),
        ),
        Payload::StockAdjusted { adjustment } => (
            "UPDATE stock_adjustments SET hlc = ?1 WHERE id = ?2",
            adjustment.id.to_string(),
        ),
        Payload::PhotoAdded { photo } => (
            "UPDATE photos SET hlc = ?1 WHERE id = ?2",
            photo.id.to_string(),
        ),
        // Orders keep no timestamp of a proposal until the hub confirms it,
        // which comes after this, with the new timestamp. A removal has no
        // row of its own to move.
        Payload::ListingEdited { .. }
        | Payload::PhotoRemoved { .. }
        | Payload::OrderPlaced { .. }
        | Payload::OrderActionTaken { .. } => return Ok(()),
    };
    conn.execute(sql, params![hlc.as_i64(), entity])?;
    Ok(())
}
