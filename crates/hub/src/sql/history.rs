//! The incarnations table (see [`crate::history`]).

use super::Sql;
use super::views::ms;
use crate::history::{Beginning, Incarnation};
use crate::{Error, Result};
use highland_domain::DeviceId;

/// The current incarnation; on a database that has none yet (new, or
/// older than incarnations), the first begins now.
pub(crate) fn current(tx: &mut dyn Sql, now_ms: u64) -> Result<Incarnation> {
    match latest(tx)? {
        Some(incarnation) => Ok(incarnation),
        None => begin(tx, Beginning::Created, now_ms),
    }
}

/// Begins a new incarnation.
pub(crate) fn begin(tx: &mut dyn Sql, reason: Beginning, now_ms: u64) -> Result<Incarnation> {
    let number = latest(tx)?.map_or(1, |i| i.number + 1);
    let log_start = tx
        .query_one(
            "SELECT CAST(coalesce(max(seq), 0) AS BIGINT) FROM op_log",
            &[],
        )?
        .get::<_, i64>(0) as u64;
    let incarnation = Incarnation {
        number,
        id: highland_domain::new_uuid().to_string(),
        reason,
        started_at_ms: now_ms,
        log_start,
    };
    tx.execute(
        "INSERT INTO incarnations (number, id, reason, started_at_ms, log_start)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        &[
            &ms(number),
            &incarnation.id,
            &reason.slug(),
            &ms(now_ms),
            &ms(log_start),
        ],
    )?;
    Ok(incarnation)
}

/// The lowest `log_start` of the incarnations begun since `device` last
/// synced (the current one's if none did): a hub restored twice between two
/// of a device's syncs may have lost what lies beyond the earlier restore's.
/// A device never seen syncing (or one whose last sync the restore lost)
/// counts from the oldest incarnation.
pub(crate) fn floor_for(tx: &mut dyn Sql, device: DeviceId, current: &Incarnation) -> Result<u64> {
    let row = tx.query_one(
        "SELECT CAST(min(i.log_start) AS BIGINT) FROM incarnations i
         WHERE i.started_at_ms > coalesce(
             (SELECT d.last_sync_at_ms FROM devices d WHERE d.id = ?1), 0)",
        &[&device.to_string()],
    )?;
    let since_last_sync = row.get::<_, Option<i64>>(0).map(|s| s as u64);
    Ok(since_last_sync.map_or(current.log_start, |s| s.min(current.log_start)))
}

fn latest(tx: &mut dyn Sql) -> Result<Option<Incarnation>> {
    let row = tx.query_opt(
        "SELECT number, id, reason, started_at_ms, log_start FROM incarnations
         ORDER BY number DESC LIMIT 1",
        &[],
    )?;
    row.map(|r| {
        let reason: &str = r.get(2);
        Ok(Incarnation {
            number: r.get::<_, i64>(0) as u64,
            id: r.get::<_, &str>(1).to_owned(),
            reason: Beginning::from_slug(reason)
                .ok_or_else(|| Error::BadRecord(format!("incarnation reason {reason:?}")))?,
            started_at_ms: r.get::<_, i64>(3) as u64,
            log_start: r.get::<_, i64>(4) as u64,
        })
    })
    .transpose()
}
