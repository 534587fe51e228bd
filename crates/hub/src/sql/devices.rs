//! Enrolled devices as the operator sees them: who holds a token, which
//! app it runs, how far it has pulled, and revoking a lost one.

use chrono::DateTime;
use highland_domain::DeviceId;

use super::Sql;
use super::views::{format_time, ms, parse};
use crate::secret::SecretHash;
use crate::storage::{DeviceRecord, EnrolledDevice, TokenHolder};
use crate::{Error, Result, SellerId};
use highland_exchange::sync::PullRequest;

pub(super) fn by_token(db: &mut dyn Sql, token: &SecretHash) -> Result<Option<TokenHolder>> {
    let row = db.query_opt(
        "SELECT id, seller_id, revoked_at_ms, app_version FROM devices WHERE token_hash = ?1",
        &[&token.as_str()],
    )?;
    row.map(|r| {
        Ok(TokenHolder {
            device: EnrolledDevice {
                id: parse::<DeviceId>(r.get::<_, &str>(0))?,
                seller: parse(r.get::<_, &str>(1))?,
            },
            revoked: r.get::<_, Option<i64>>(2).is_some(),
            app_version: r.get(3),
        })
    })
    .transpose()
}

pub(super) fn set_app_version(tx: &mut dyn Sql, device: DeviceId, version: &str) -> Result<()> {
    tx.execute(
        "UPDATE devices SET app_version = ?2 WHERE id = ?1",
        &[&device.to_string(), &version],
    )?;
    Ok(())
}

/// Marks the device's sync and how far it had pulled, in the exchange's
/// transaction.
pub(super) fn mark_synced(
    tx: &mut dyn Sql,
    device: DeviceId,
    pull: &PullRequest,
    now_ms: u64,
) -> Result<()> {
    tx.execute(
        "UPDATE devices SET last_sync_at_ms = ?2, pulled_to = ?3, protocol = ?4 WHERE id = ?1",
        &[
            &device.to_string(),
            &ms(now_ms),
            &ms(pull.cursor),
            &i64::from(pull.protocol),
        ],
    )?;
    Ok(())
}

/// Every device, or one seller's, oldest enrollment first.
pub(super) fn list(db: &mut dyn Sql, seller: Option<SellerId>) -> Result<Vec<DeviceRecord>> {
    let rows = db.query(
        &format!(
            "{SELECT} WHERE CAST(?1 AS TEXT) IS NULL OR d.seller_id = ?1
             ORDER BY d.enrolled_at_ms, d.id"
        ),
        &[&seller.map(|s| s.to_string())],
    )?;
    rows.iter().map(record).collect()
}

pub(super) fn one(db: &mut dyn Sql, device: DeviceId) -> Result<Option<DeviceRecord>> {
    let row = db.query_opt(&format!("{SELECT} WHERE d.id = ?1"), &[&device.to_string()])?;
    row.as_ref().map(record).transpose()
}

/// Revokes a device: its token stops working at once. Revoking it again
/// keeps the first time.
pub(super) fn revoke(tx: &mut dyn Sql, device: DeviceId, now_ms: u64) -> Result<DeviceRecord> {
    tx.execute(
        "UPDATE devices SET revoked_at_ms = COALESCE(revoked_at_ms, ?2) WHERE id = ?1",
        &[&device.to_string(), &ms(now_ms)],
    )?;
    one(tx, device)?.ok_or_else(|| Error::UnknownDevice(device.to_string()))
}

/// A device, with the operations of its seller, made elsewhere, that it
/// has not pulled yet (as of its last sync).
const SELECT: &str = "SELECT d.id, d.seller_id, s.name, s.village, d.enrolled_at_ms,
        d.last_sync_at_ms, d.app_version, d.revoked_at_ms, d.protocol,
        (SELECT CAST(count(*) AS BIGINT) FROM op_log o
          WHERE o.seller_id = d.seller_id AND o.seq > d.pulled_to AND o.device_id <> d.id)
         AS not_pulled
    FROM devices d JOIN sellers s ON s.id = d.seller_id";

fn record(r: &super::Record) -> Result<DeviceRecord> {
    let time = |i: usize| r.get::<_, Option<i64>>(i).map(at);
    Ok(DeviceRecord {
        id: r.get::<_, &str>(0).to_owned(),
        seller_id: r.get::<_, &str>(1).to_owned(),
        seller_name: r.get::<_, &str>(2).to_owned(),
        village: r.get::<_, &str>(3).to_owned(),
        enrolled_at: at(r.get::<_, i64>(4)),
        last_sync_at: time(5),
        app_version: r.get(6),
        revoked_at: time(7),
        protocol: r.get::<_, Option<i64>>(8).map(|p| p as u32),
        not_pulled: r.get::<_, i64>(9) as u64,
    })
}

fn at(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(format_time)
        .unwrap_or_default()
}
