//! Workshop mode's records: its settings, its trainees and the change
//! marker the projector polls (see [`crate::workshop`]).

use super::Sql;
use super::views::{ms, parse};
use crate::Result;
use crate::storage::Seller;
use crate::workshop::{ChangeMarker, Trainee, WorkshopSetting};

pub(super) fn setting(client: &mut dyn Sql, key: &str) -> Result<Option<WorkshopSetting>> {
    let row = client.query_opt(
        "SELECT value, set_at_ms FROM workshop_settings WHERE key = ?1",
        &[&key],
    )?;
    Ok(row.map(|r| WorkshopSetting {
        value: r.get(0),
        set_at_ms: r.get::<_, i64>(1) as u64,
    }))
}

pub(super) fn set_setting(
    tx: &mut dyn Sql,
    key: &str,
    value: Option<&str>,
    now_ms: u64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO workshop_settings (key, value, set_at_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, set_at_ms = excluded.set_at_ms,
             revision = workshop_settings.revision + 1",
        &[&key, &value, &ms(now_ms)],
    )?;
    Ok(())
}

/// In the caller's transaction, after the seller was inserted.
pub(super) fn add_trainee(tx: &mut dyn Sql, number: u32, seller: &Seller) -> Result<()> {
    tx.execute(
        "INSERT INTO workshop_trainees (number, seller_id) VALUES (?1, ?2)",
        &[&i64::from(number), &seller.id.to_string()],
    )?;
    Ok(())
}

pub(super) fn trainees(client: &mut dyn Sql) -> Result<Vec<Trainee>> {
    let rows = client.query(
        "SELECT t.number, s.id, s.name, COUNT(d.id) AS devices,
                MAX(d.last_sync_at_ms) AS last_sync_at_ms
         FROM workshop_trainees t
         JOIN sellers s ON s.id = t.seller_id
         LEFT JOIN devices d ON d.seller_id = s.id
         GROUP BY t.number, s.id, s.name
         ORDER BY t.number",
        &[],
    )?;
    rows.iter()
        .map(|r| {
            Ok(Trainee {
                number: r.get::<_, i64>(0) as u32,
                seller_id: parse(r.get::<_, &str>(1))?,
                name: r.get(2),
                devices: r.get::<_, i64>(3) as u32,
                last_sync_at_ms: r.get::<_, Option<i64>>(4).map(|v| v as u64),
            })
        })
        .collect()
}

pub(super) fn change_marker(client: &mut dyn Sql) -> Result<ChangeMarker> {
    let r = client.query_one(
        "SELECT (SELECT COALESCE(MAX(seq), 0) FROM op_log),
                (SELECT CAST(COALESCE(SUM(last_sync_at_ms), 0) AS BIGINT) FROM devices),
                (SELECT CAST(COALESCE(SUM(revision), 0) AS BIGINT) FROM workshop_settings)",
        &[],
    )?;
    Ok(ChangeMarker {
        log: r.get::<_, i64>(0) as u64,
        synced: r.get::<_, i64>(1) as u64,
        settings: r.get::<_, i64>(2) as u64,
    })
}
