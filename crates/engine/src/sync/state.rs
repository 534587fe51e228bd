//! The store's side of sync: what to send next, and committing what came
//! back. Committing is one transaction: acknowledgements, pulled operations
//! and the new cursor land together or not at all, so a crash or a lost
//! response costs a retry and never a lost or doubled operation.

use highland_domain::wire::{
    AckOutcome, LogMark, LoggedOperation, Refusal, RefusalCode, SyncResponse,
};
use highland_domain::{Hlc, HybridClock, Operation, OperationId};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::history::{self, Finding};
use super::pulled;
use crate::store::{read_hlc, write_hlc};
use crate::{Result, Store, StoreError, apply, orders, rounds};

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

impl Enrollment {
    /// Keeps the hub, the seller and the token in the sync state.
    pub(crate) fn write(&self, conn: &rusqlite::Connection) -> Result<()> {
        // A new token: whatever stopped the old one (a revocation, a token
        // the hub forgot) no longer holds, and the next sync must be tried.
        conn.execute(
            "UPDATE sync_state SET hub_url = ?1, seller_id = ?2, seller_name = ?3, village = ?4,
                    device_token = ?5, last_error_code = NULL
             WHERE id = 1",
            params![
                self.hub_url,
                self.seller_id,
                self.seller_name,
                self.village,
                self.device_token
            ],
        )?;
        Ok(())
    }
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
    /// The last time this device found its own file gone back (put back
    /// from an old copy), and what it took back from the hub; null if never.
    pub own_recovered: Option<OwnRecovered>,
    /// Changes pulled from a newer Highland that this version cannot read:
    /// kept, and applied once the app is updated.
    pub waiting_for_update: u64,
    /// This device's changes the hub cannot read yet (it is older than this
    /// app): kept, and sent again when the hub is updated.
    pub deferred_ops: u64,
    /// A newer Highland the hub carries for this device: "a new Highland
    /// is ready". Null when the hub has none newer than this build.
    pub release_ready: Option<super::ReleaseReady>,
}

/// This device's file went back (docs/sync-protocol.md section 14): it took
/// back from the hub the operations of its own it had lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OwnRecovered {
    /// RFC 3339, UTC: when the device noticed.
    pub at: String,
    /// Its own operations taken back so far.
    pub operations: u64,
    /// How many of them were sales.
    pub sales: u64,
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
    /// Operations of the seller's other devices and of the hub that this
    /// device had pulled and gave back.
    pub returned: u64,
}

/// What one committed round trip changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Committed {
    pub acked: u64,
    pub refused: u64,
    pub pulled: u64,
    /// Operations of this device the hub could not read yet (a kind newer
    /// than the hub): kept pending, sent again once another version answers.
    pub deferred: u64,
    /// Operations given back to a hub that lost them, now answered.
    pub returned: u64,
    /// Pulled changes of a newer Highland, kept until an update reads them.
    pub waiting: u64,
    /// The response showed the hub went back in time: its page was not
    /// applied, the cursor went back to 0 and what the hub lost waits to be
    /// sent again, so the client must sync again at once.
    pub hub_went_back: bool,
    /// The hub holds more of this device's own operations than it does (its
    /// file was put back from an old copy): it reads the log again from the
    /// start, its own operations too, so the client must sync again.
    pub file_went_back: bool,
}

impl Committed {
    /// Whether the client must sync again at once, whatever else waits.
    pub fn restarts(&self) -> bool {
        self.hub_went_back || self.file_went_back
    }
}

/// One request's worth of what to send ([`Store::next_push`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    pub operations: Vec<LoggedOperation>,
    /// Their ids, in the same order.
    pub ids: Vec<OperationId>,
    pub cursor: u64,
    pub last_pulled: Option<LogMark>,
    pub own_too: bool,
    /// Which of `operations` this device sends again after the hub went
    /// back in time ([`highland_domain::wire::SyncRequest::resent`]).
    pub resent: Vec<OperationId>,
    /// The hub incarnation that answered the last sync.
    pub incarnation: Option<String>,
}

impl Push {
    /// The operations, read (every one this device sends, this build made
    /// or could read when it pulled it).
    pub fn read(&self) -> Result<Vec<Operation>> {
        self.operations
            .iter()
            .map(|op| {
                op.read()
                    .map_err(|e| StoreError::BadRecord(format!("an operation to send: {e}")))
            })
            .collect()
    }
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
        e.write(&tx)?;
        tx.commit()?;
        Ok(())
    }

    pub fn sync_status(&self) -> Result<SyncStatus> {
        let count = |r: &rusqlite::Row<'_>, i| -> rusqlite::Result<u64> {
            Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0) as u64)
        };
        let (hub, seller_id, cursor, last_sync_at, last_error, last_error_code) =
            self.conn.query_row(
                "SELECT hub_url, seller_id, cursor, last_sync_at, last_error, last_error_code
                 FROM sync_state WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                },
            )?;
        let (hub_went_back, own_recovered) = self.conn.query_row(
            "SELECT hub_went_back_at, hub_went_back_resent, hub_went_back_resent_sales,
                    hub_went_back_returned, own_recovered_at, own_recovered, own_recovered_sales
             FROM sync_state WHERE id = 1",
            [],
            |r| {
                let hub = match r.get::<_, Option<String>>(0)? {
                    Some(at) => Some(HubWentBack {
                        at,
                        resent: count(r, 1)?,
                        resent_sales: count(r, 2)?,
                        returned: count(r, 3)?,
                    }),
                    None => None,
                };
                let own = match r.get::<_, Option<String>>(4)? {
                    Some(at) => Some(OwnRecovered {
                        at,
                        operations: count(r, 5)?,
                        sales: count(r, 6)?,
                    }),
                    None => None,
                };
                Ok((hub, own))
            },
        )?;
        let deferred_ops: i64 = self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE state = 'pending' AND deferred_by IS NOT NULL",
            [],
            |r| r.get(0),
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
                    code: refusal.code.to_string(),
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
            own_recovered,
            waiting_for_update: pulled::waiting_count(&self.conn)?,
            deferred_ops: deferred_ops as u64,
            release_ready: self.release_ready()?,
        })
    }

    /// What to send next: the oldest operations that wait for the hub
    /// (this device's own pending ones, and any it gives back to a hub that
    /// lost them), adding up to about `max_bytes` of JSON (always at least
    /// one), with the cursor and what else the request says.
    pub fn next_push(&self, max_bytes: usize, max_ops: usize) -> Result<Push> {
        type State = (i64, Option<String>, Option<i64>, i64, Option<String>);
        let (cursor, last_op, last_seq, own_too, incarnation): State = self.conn.query_row(
            "SELECT cursor, last_pulled_op, last_pulled_seq, own_too, hub_incarnation
             FROM sync_state WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT op_id, hlc, body, resent FROM outbox
             WHERE state = 'pending'
               AND (deferred_by IS NULL
                    OR deferred_by IS NOT (SELECT hub_version FROM sync_state WHERE id = 1))
             ORDER BY seq LIMIT ?1",
        )?;
        let own = stmt
            .query_map([max_ops as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut own = own.into_iter().peekable();
        let mut given = pulled::to_give_back(&self.conn, max_ops)?
            .into_iter()
            .peekable();
        let mut push = Push {
            operations: Vec::new(),
            ids: Vec::new(),
            cursor: cursor as u64,
            last_pulled: match (last_op, last_seq) {
                (Some(op), Some(seq)) => op.parse().ok().map(|op_id| LogMark {
                    seq: seq as u64,
                    op_id,
                }),
                _ => None,
            },
            own_too: own_too == 1,
            resent: Vec::new(),
            incarnation,
        };
        let mut size = 0;
        // Both in their own order, merged by time: what one device did
        // after it saw another's follows it here too.
        while push.operations.len() < max_ops {
            let own_first = match (own.peek(), given.peek()) {
                (Some((_, hlc, _, _)), Some(g)) => *hlc <= g.envelope.hlc.as_i64(),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let (id, text, resent) = if own_first {
                let Some((id, _, body, resent)) = own.next() else {
                    break;
                };
                let id: OperationId = id
                    .parse()
                    .map_err(|_| StoreError::BadRecord(format!("outbox op id {id:?}")))?;
                let text = LoggedOperation::from_text(body)
                    .map_err(|e| StoreError::BadRecord(format!("outbox entry: {e}")))?;
                (id, text, resent)
            } else {
                let Some(g) = given.next() else { break };
                (g.envelope.id, g.op, false)
            };
            if !push.operations.is_empty() && size + text.text().len() > max_bytes {
                break;
            }
            size += text.text().len();
            push.ids.push(id);
            push.operations.push(text);
            if resent {
                push.resent.push(id);
            }
        }
        Ok(push)
    }

    /// How many operations a sync would send now: pending ones (not those
    /// the hub's current version deferred) and any to give back.
    pub fn sendable_count(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            &format!(
                "SELECT (SELECT count(*) FROM outbox
                         WHERE state = 'pending'
                           AND (deferred_by IS NULL
                                OR deferred_by IS NOT (SELECT hub_version FROM sync_state WHERE id = 1)))
                      + (SELECT count(*) FROM pulled_ops WHERE {})",
                pulled::TO_GIVE_BACK
            ),
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Commits one sync response: marks what the hub acknowledged, refused
    /// or deferred, applies what it sent, and moves the cursor, in one
    /// transaction.
    pub fn commit_sync(
        &mut self,
        sent: &[OperationId],
        response: &SyncResponse,
        clock_offset_ms: i64,
    ) -> Result<Committed> {
        let at = self.now();
        let wall_ms = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        let now = crate::rows::format_time(at);
        let me = self.device_id();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // An update since the last sync may read what waited for it.
        pulled::apply_waiting(&tx)?;
        let mut clock = HybridClock::new(read_hlc(&tx)?);
        let mut newest_seen = Hlc::ZERO;
        let mut done = Committed::default();
        // Whether the hub went back is read before the acknowledgements
        // change what this device counts as acknowledged.
        let pending_before: std::collections::HashSet<String> = {
            let mut stmt = tx.prepare_cached("SELECT op_id FROM outbox WHERE state = 'pending'")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut acked_now = Vec::new();
        // Whether the hub took anything in this exchange: then what it
        // refused for want of something it does not hold goes again, as
        // what it took may have been that something (operations given
        // back and sent again after a hub went back need not come in the
        // order of what depends on what).
        let took_some = response
            .acks
            .iter()
            .any(|a| matches!(a.outcome, AckOutcome::Applied { .. }));
        let applied_now = response
            .acks
            .iter()
            .filter(|a| matches!(a.outcome, AckOutcome::Applied { .. }))
            .filter(|a| pending_before.contains(&a.op_id.to_string()))
            .count() as u64;
        let finding = history::find(&tx, response, applied_now)?;
        // Every operation acknowledged here lies at or before the log's end.
        let log_end = response.history.as_ref().map(|h| h.log_end as i64);
        let hub_went_back = matches!(finding, Finding::HubWentBack { .. });

        for ack in &response.acks {
            if !sent.contains(&ack.op_id) {
                return Err(StoreError::BadRecord(format!(
                    "the hub acknowledged {} which was not sent",
                    ack.op_id
                )));
            }
            let id = ack.op_id.to_string();
            if !pending_before.contains(&id) {
                // One given back to a hub that lost it: answered, whatever
                // the answer, it is not sent again; but a kind the hub cannot
                // read yet waits for another version of the hub, as this
                // device's own do.
                match &ack.outcome {
                    // Refused by a hub found to have gone back, maybe for
                    // want of what it lost: it goes again, after that.
                    AckOutcome::Refused { .. } if hub_went_back => {}
                    AckOutcome::Refused { reason } if took_some && wants_earlier(&reason.code) => {}
                    AckOutcome::Refused { reason }
                        if reason.code == RefusalCode::UnsupportedOperation =>
                    {
                        let version = response.hub_version.as_deref().unwrap_or("");
                        pulled::defer_giving_back(&tx, &id, version)?;
                    }
                    outcome => {
                        if pulled::given_back(&tx, &id)? {
                            done.returned += 1;
                        }
                        // Refused for good: an order's action the hub no
                        // longer takes was not confirmed after all, nor a
                        // receipt's sale it no longer keeps; neither is
                        // given back again.
                        if matches!(outcome, AckOutcome::Refused { .. }) {
                            orders::withdraw(&tx, &id)?;
                            rounds::withdraw(&tx, &id)?;
                            pulled::withdraw(&tx, &id)?;
                        }
                    }
                }
                continue;
            }
            match &ack.outcome {
                AckOutcome::Applied { hlc } => {
                    done.acked += tx.execute(
                        "UPDATE outbox SET state = 'acked', deferred_by = NULL, acked_at = ?2
                         WHERE op_id = ?1 AND state = 'pending'",
                        params![id, log_end],
                    )? as u64;
                    acked_now.push(id);
                    if let Some(restamped) = hlc {
                        // The hub moved a timestamp that ran ahead of its clock
                        // (or lay behind what it already had from this device);
                        // merge this write at the hub's time, as every replica will.
                        restamp(&tx, ack.op_id, *restamped)?;
                        newest_seen = newest_seen.max(*restamped);
                    }
                    orders::acknowledged(&tx, ack.op_id)?;
                    rounds::acknowledged(&tx, ack.op_id)?;
                }
                // A hub that went back may refuse an operation for want of
                // an earlier one it lost (a sale of a listing it no longer
                // has); it stays pending, to go again after those.
                AckOutcome::Refused { .. } if hub_went_back => {}
                // Refused for want of what the hub took in this same
                // exchange, maybe: it goes again.
                AckOutcome::Refused { reason } if took_some && wants_earlier(&reason.code) => {}
                // A kind the hub cannot read yet: kept, and sent again once
                // another version of the hub answers (section 15). A current
                // hub and a first-wave one both answer this code.
                AckOutcome::Refused { reason }
                    if reason.code == RefusalCode::UnsupportedOperation =>
                {
                    tx.execute(
                        "UPDATE outbox SET deferred_by = ?2 WHERE op_id = ?1",
                        params![id, response.hub_version.as_deref().unwrap_or("")],
                    )?;
                    done.deferred += 1;
                }
                AckOutcome::Refused { reason } => {
                    let refusal = serde_json::to_string(reason)
                        .map_err(|e| StoreError::BadRecord(e.to_string()))?;
                    tx.execute(
                        "UPDATE outbox SET state = 'refused', refusal = ?2
                         WHERE op_id = ?1 AND state = 'pending'",
                        params![id, refusal],
                    )?;
                    done.refused += 1;
                    orders::refused(&tx, ack.op_id, reason)?;
                    rounds::refused(&tx, ack.op_id, reason)?;
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
        // what came after its backup, and a device whose own file went back
        // reads the log again with its own operations: either way the page
        // is left and the cursor goes back to the start.
        // Each pulled operation is read once, here.
        let page = response
            .operations
            .iter()
            .map(pulled::PulledOp::of)
            .collect::<Result<Vec<_>>>()?;
        let mut settled = false;
        match finding {
            Finding::HubWentBack { floor } => {
                history::hub_went_back(&tx, floor, &acked_now, &now)?;
                done.hub_went_back = true;
            }
            Finding::FileWentBack => {
                history::file_went_back(&tx, &now)?;
                done.file_went_back = true;
            }
            Finding::Steady => {
                settled = true;
                for op in page.iter().filter_map(|op| op.read.as_ref()) {
                    if apply::loses_to_pending(&tx, op)? {
                        settled = false;
                        break;
                    }
                }
            }
        }
        if settled {
            let own_too = history::own_too(&tx)?;
            let (mut own, mut own_sales) = (0, 0);
            for op in &page {
                newest_seen = newest_seen.max(op.envelope.hlc);
                if op.envelope.device_id == me {
                    let (fresh, sale) = pulled::take_back_own(&tx, op)?;
                    own += u64::from(fresh);
                    own_sales += u64::from(fresh && sale);
                } else if pulled::keep(&tx, op, response.cursor)? {
                    done.pulled += 1;
                }
                if op.read.is_none() {
                    done.waiting += 1;
                }
            }
            if own_too {
                history::took_back(&tx, own, own_sales)?;
                done.pulled += own;
                if !response.more {
                    tx.execute("UPDATE sync_state SET own_too = 0 WHERE id = 1", [])?;
                }
            }
            if let Some(last) = page.last() {
                tx.execute(
                    "UPDATE sync_state SET last_pulled_op = ?1, last_pulled_seq = ?2 WHERE id = 1",
                    params![last.envelope.id.to_string(), response.cursor as i64],
                )?;
            }
        }
        if let Some(history) = &response.history
            && let Some(mine) = history.device_hlc
        {
            // The newest of this device's own operations the hub holds: a
            // file put back from an old copy must not stamp new writes
            // before it, or they would lose to its own older ones.
            newest_seen = newest_seen.max(mine);
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
            // Never below a timestamp this store holds, though: its next write
            // must still order after every write it has seen (an order's
            // placement before its acceptance, a field's value before its next
            // edit; the hub's clock may be the one that is behind) and never
            // carry the same version as an earlier write of its own.
            let newest_version: i64 = tx.query_row(
                "SELECT max((SELECT coalesce(max(hlc), 0) FROM field_versions),
                            (SELECT coalesce(max(hlc), 0) FROM outbox WHERE state <> 'refused'),
                            (SELECT coalesce(max(hlc), 0) FROM pulled_ops))",
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
            "UPDATE sync_state SET cursor = CASE WHEN ?1 THEN ?2 ELSE cursor END,
                    last_sync_at = ?3, last_error = NULL, last_error_code = NULL,
                    clock_offset_ms = ?4, hub_version = coalesce(?5, hub_version)
             WHERE id = 1",
            params![
                settled,
                response.cursor as i64,
                now,
                offset,
                response.hub_version
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
    crate::retime::retime(conn, &op)
}

/// Whether a refusal says the hub lacks something the operation needs
/// (its listing, lot, order or sale, or the order's earlier step), which
/// another operation taken in the same exchange may have brought.
fn wants_earlier(code: &RefusalCode) -> bool {
    matches!(
        code,
        RefusalCode::UnknownListing
            | RefusalCode::UnknownLot
            | RefusalCode::UnknownOrder
            | RefusalCode::UnknownSale
            | RefusalCode::UnknownPhoto
            | RefusalCode::OrderTransitionRefused
    )
}
