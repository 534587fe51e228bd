use crate::sql::OrDb;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

use super::schema::{APPLICATION_ID, LATEST_VERSION, MIGRATIONS};
use crate::{Error, Result};

/// Long enough for the server and an admin command (or several hub
/// processes) to take turns; each write holds the lock for milliseconds.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Opens (or creates) the hub database at `path`, upgraded to the latest
/// schema. A file from another program or from a newer highland-hub is
/// refused before anything writes to it.
pub fn open_database(path: &Path) -> Result<Connection> {
    if path.exists() && std::fs::metadata(path)?.len() > 0 {
        inspect_read_only(path)?;
    }
    let conn = Connection::open(path).map_err(|e| classify(e, path))?;
    conn.busy_timeout(BUSY_TIMEOUT).or_db()?;
    conn.pragma_update(None, "foreign_keys", true).or_db()?;
    // WAL lets the admin commands read while the server writes. FULL syncs
    // every commit: once a device is told a sale is applied, it stops
    // sending it, so the hub must not lose it to a power cut.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(|e| classify(e, path))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Io(std::io::Error::other(format!(
            "the file system of {} does not support SQLite's write-ahead log",
            path.display()
        ))));
    }
    conn.pragma_update(None, "synchronous", "FULL").or_db()?;
    migrate(conn, path)
}

pub(super) fn inspect_read_only(path: &Path) -> Result<()> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| classify(e, path))?;
    conn.busy_timeout(BUSY_TIMEOUT).or_db()?;
    let (app_id, version, tables) = read_identity(&conn).map_err(|e| classify(e, path))?;
    check_identity(path, app_id, version, tables)
}

fn read_identity(conn: &Connection) -> rusqlite::Result<(i32, u32, i64)> {
    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    Ok((app_id, version, tables))
}

fn check_identity(path: &Path, app_id: i32, version: u32, tables: i64) -> Result<()> {
    let fresh = app_id == 0 && version == 0 && tables == 0;
    if !fresh && app_id != APPLICATION_ID {
        return Err(Error::NotHubDatabase {
            path: path.to_owned(),
        });
    }
    if version > LATEST_VERSION {
        return Err(Error::DatabaseTooNew {
            path: path.to_owned(),
            found: version,
            supported: LATEST_VERSION,
        });
    }
    Ok(())
}

/// Runs every missing upgrade in one IMMEDIATE transaction, re-reading the
/// version inside it: when the server and an admin command open a new
/// database at once, one upgrades and the other finds the work done.
fn migrate(mut conn: Connection, path: &Path) -> Result<Connection> {
    let (app_id, version, _) = read_identity(&conn).map_err(|e| classify(e, path))?;
    if app_id == APPLICATION_ID && version == LATEST_VERSION {
        return Ok(conn);
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| classify(e, path))?;
    let (app_id, version, tables) = read_identity(&tx).map_err(|e| classify(e, path))?;
    check_identity(path, app_id, version, tables)?;
    for sql in MIGRATIONS.iter().skip(version as usize) {
        tx.execute_batch(sql).or_db()?;
    }
    // The hub's own device id, made once: it authors the operations staff
    // cause (orders), and must stay the same for as long as the log lives.
    tx.execute(
        "INSERT OR IGNORE INTO hub_identity (id, device_id) VALUES (1, ?1)",
        [highland_domain::DeviceId::new().to_string()],
    )
    .or_db()?;
    // And the key of its seal on them ([`highland_exchange::seal`]), made once likewise.
    tx.execute(
        "UPDATE hub_identity SET seal_key = ?1 WHERE id = 1 AND seal_key IS NULL",
        [crate::secret::new_seal_key()],
    )
    .or_db()?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .or_db()?;
    tx.pragma_update(None, "user_version", LATEST_VERSION)
        .or_db()?;
    tx.commit().or_db()?;
    Ok(conn)
}

fn classify(e: rusqlite::Error, path: &Path) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => Error::NotHubDatabase {
            path: path.to_owned(),
        },
        _ => Error::database(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_database_gets_the_latest_schema_and_opens_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        drop(open_database(&path).unwrap());
        let conn = open_database(&path).unwrap();
        let (app_id, version, _) = read_identity(&conn).unwrap();
        assert_eq!((app_id, version), (APPLICATION_ID, LATEST_VERSION));
    }

    #[test]
    fn a_database_from_a_newer_hub_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        let conn = open_database(&path).unwrap();
        conn.pragma_update(None, "user_version", LATEST_VERSION + 1)
            .unwrap();
        drop(conn);
        let err = open_database(&path).unwrap_err();
        assert!(matches!(err, Error::DatabaseTooNew { found, .. } if found == LATEST_VERSION + 1));
    }

    #[test]
    fn another_programs_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x)").unwrap();
        drop(conn);
        assert!(matches!(
            open_database(&path).unwrap_err(),
            Error::NotHubDatabase { .. }
        ));
        std::fs::write(&path, b"not a database at all, just some text....").unwrap();
        assert!(matches!(
            open_database(&path).unwrap_err(),
            Error::NotHubDatabase { .. }
        ));
    }
}
