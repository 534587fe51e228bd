//! The hub's log read straight from its database, for the checks (which
//! operations lie at or before a device's cursor), and written straight to
//! it for one fault: a change a newer hub logged before it was rolled back,
//! of a kind this build does not know (as tests/tests/mixed_versions.rs
//! does by hand).

use std::collections::BTreeSet;
use std::time::Duration;

use highland_domain::Payload;
use rusqlite::{Connection, OpenFlags};

use crate::error::Result;
use crate::hub::SimHub;

/// An entry a newer hub logged.
#[derive(Debug, Clone)]
pub struct Logged {
    pub op_id: String,
    pub seller: String,
    pub device: String,
    pub hlc: i64,
    pub body: String,
    pub at_ms: u64,
}

const INSERT: &str = "INSERT INTO op_log (op_id, seller_id, device_id, hlc, body, received_at_ms)
     VALUES ($1, $2, $3, $4, $5, $6)";

/// The operations `device` may pull, of `seller`'s, logged at or before
/// `cursor`: (position, operation id).
pub fn visible_up_to(
    hub: &SimHub,
    seller: &str,
    device: &str,
    cursor: u64,
) -> Result<Vec<(u64, String)>> {
    const SQL: &str = "SELECT seq, op_id FROM op_log
         WHERE seller_id = $1 AND device_id <> $2 AND seq <= $3 ORDER BY seq";
    let cursor = cursor as i64;
    let rows: Vec<(i64, String)> = match hub.sqlite_file() {
        Some(file) => {
            let conn = read_only(&file)?;
            let mut stmt = conn.prepare(&SQL.replace('$', "?"))?;
            stmt.query_map(rusqlite::params![seller, device, cursor], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?
        }
        None => postgres_client(hub)?
            .query(SQL, &[&seller, &device, &cursor])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect(),
    };
    Ok(rows.into_iter().map(|(seq, op)| (seq as u64, op)).collect())
}

/// The operations in the log made by `device`.
pub fn made_by(hub: &SimHub, device: &str) -> Result<BTreeSet<String>> {
    const SQL: &str = "SELECT op_id FROM op_log WHERE device_id = $1";
    Ok(match hub.sqlite_file() {
        Some(file) => {
            let conn = read_only(&file)?;
            let mut stmt = conn.prepare(&SQL.replace('$', "?"))?;
            stmt.query_map([device], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        }
        None => postgres_client(hub)?
            .query(SQL, &[&device])?
            .iter()
            .map(|r| r.get(0))
            .collect(),
    })
}

/// The operations of `seller`'s in the log whose kind this build does not
/// read.
pub fn unknown_kinds(hub: &SimHub, seller: &str) -> Result<BTreeSet<String>> {
    const SQL: &str = "SELECT op_id, body FROM op_log WHERE seller_id = $1";
    let rows: Vec<(String, String)> = match hub.sqlite_file() {
        Some(file) => {
            let conn = read_only(&file)?;
            let mut stmt = conn.prepare(&SQL.replace('$', "?"))?;
            stmt.query_map([seller], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        }
        None => postgres_client(hub)?
            .query(SQL, &[&seller])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect(),
    };
    Ok(rows
        .into_iter()
        .filter(|(_, body)| !kind_of(body).is_some_and(|k| Payload::KINDS.contains(&k.as_str())))
        .map(|(op, _)| op)
        .collect())
}

fn read_only(file: &std::path::Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    Ok(conn)
}

/// Appends an entry, as a newer hub did.
pub fn append(hub: &SimHub, entry: &Logged) -> Result<()> {
    match hub.sqlite_file() {
        Some(file) => {
            let conn = Connection::open(&file)?;
            conn.busy_timeout(Duration::from_secs(10))?;
            conn.execute(
                &INSERT.replace('$', "?"),
                rusqlite::params![
                    entry.op_id,
                    entry.seller,
                    entry.device,
                    entry.hlc,
                    entry.body,
                    entry.at_ms as i64
                ],
            )?;
        }
        None => {
            postgres_client(hub)?.execute(
                INSERT,
                &[
                    &entry.op_id,
                    &entry.seller,
                    &entry.device,
                    &entry.hlc,
                    &entry.body,
                    &(entry.at_ms as i64),
                ],
            )?;
        }
    }
    Ok(())
}

fn postgres_client(hub: &SimHub) -> Result<postgres::Client> {
    let url = hub.postgres_url().unwrap_or_default();
    Ok(postgres::Client::connect(url, postgres::NoTls)?)
}

/// The `kind` of an operation's payload, read from its text.
fn kind_of(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    Some(value.get("payload")?.get("kind")?.as_str()?.to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_kind_is_read_from_the_payload() {
        let body = r#"{"id":"x","payload":{"kind":"round_joined","note":"a"}}"#;
        assert_eq!(super::kind_of(body).as_deref(), Some("round_joined"));
        assert_eq!(super::kind_of("{}"), None);
    }
}
