//! The incarnations table (see [`highland_exchange::history`]).

use super::Sql;
use super::views::ms;
use crate::{Error, Result};
use highland_domain::DeviceId;
use highland_exchange::history::{Beginning, Incarnation};

/// The current incarnation; on a database that has none yet (new, or
/// older than incarnations), the first begins now, and on one that is a
/// backup put back in place (by hand, as likely as not), a new one.
pub(crate) fn current(tx: &mut dyn Sql, now_ms: u64) -> Result<Incarnation> {
    let is_backup = tx
        .query_opt("SELECT is_backup FROM hub_identity WHERE id = 1", &[])?
        .is_some_and(|r| r.get::<_, i64>(0) != 0);
    match latest(tx)? {
        Some(_) if is_backup => begin(tx, Beginning::Restored, now_ms),
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
    // Serving it, this database is no longer a backup.
    tx.execute("UPDATE hub_identity SET is_backup = 0 WHERE id = 1", &[])?;
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
///
/// Since which incarnation is the device's to say (`known`, the one that
/// answered its last sync): incarnations are counted by their order in this
/// database, not by the hub's clock, which may have been wrong or set back.
/// One this database never had was a branch of history it lost whole (a
/// backup put back from before it began): nothing the device saw there need
/// be here, so the floor is the log's start. A device that does not say
/// (an older app) is placed by the time of its last sync as this database
/// recorded it; one never seen syncing counts from the oldest incarnation.
pub(crate) fn floor_for(
    tx: &mut dyn Sql,
    device: DeviceId,
    current: &Incarnation,
    known: Option<&str>,
) -> Result<u64> {
    if let Some(known) = known {
        let Some(seen) = tx.query_opt(
            "SELECT number FROM incarnations WHERE id = ?1",
            &[&known.to_owned()],
        )?
        else {
            return Ok(0);
        };
        let row = tx.query_one(
            "SELECT CAST(min(log_start) AS BIGINT) FROM incarnations WHERE number > ?1",
            &[&seen.get::<_, i64>(0)],
        )?;
        let since = row.get::<_, Option<i64>>(0).map(|s| s as u64);
        return Ok(since.map_or(current.log_start, |s| s.min(current.log_start)));
    }
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
