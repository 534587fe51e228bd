use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, TransactionBehavior};

use super::schema::{APPLICATION_ID, LATEST_VERSION, MIGRATIONS};
use crate::StoreError;

/// Long enough for twenty processes writing at once to take their turn; each
/// write transaction holds the lock for a few milliseconds.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Opens (or creates) the device store at `path`, upgraded to the latest schema.
///
/// A file that is not a Highland database, is damaged, or was written by a
/// newer version is refused before anything writes to it: the checks run on a
/// read-only connection first.
pub fn open_database(path: &Path) -> Result<Connection, StoreError> {
    // SQLite does not call the busy handler for every lock it meets while a
    // new file is being switched to WAL by another process; opening is
    // idempotent, so wait and start over, within the same patience.
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        match try_open(path) {
            Err(StoreError::Sqlite(e)) if is_busy(&e) && started.elapsed() < BUSY_TIMEOUT => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            result => return result,
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

fn try_open(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|e| classify(e, path))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Opening writes nothing; the checks below only read, so a file that is
    // refused here is left exactly as it was.
    inspect(&conn, path)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // WAL lets readers run beside the writer; FULL syncs the WAL on every
    // commit, so a recorded sale survives a power cut, not just a crash.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(|e| classify(e, path))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Unsupported(format!(
            "the file system of {} does not support SQLite's write-ahead log",
            path.display()
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    migrate(conn, path)
}

/// Refuses what must not be touched: garbage, damage, other programs' files,
/// and databases from a newer Highland.
fn inspect(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let (app_id, version, tables) = read_identity(conn).map_err(|e| classify(e, path))?;
    check_identity(path, app_id, version, tables)?;
    if tables == 0 {
        return Ok(());
    }
    // A full read of every page: milliseconds for a village's data, and the
    // only way to refuse a damaged file before a write makes it worse.
    let verdict: String = conn
        .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
        .map_err(|e| classify(e, path))?;
    if verdict != "ok" {
        // SQLite's report spans lines and starts with a banner; keep the finding.
        let detail = verdict
            .lines()
            .filter(|l| !l.starts_with("***"))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(StoreError::Corrupt {
            path: path.to_owned(),
            detail,
        });
    }
    Ok(())
}

/// Reads the file's identity in one read transaction: three separate reads
/// could straddle another process's upgrade and see half of it.
fn read_identity(conn: &Connection) -> rusqlite::Result<(i32, u32, i64)> {
    if !conn.is_autocommit() {
        return read_identity_now(conn);
    }
    let tx = conn.unchecked_transaction()?;
    let identity = read_identity_now(&tx)?;
    tx.finish()?;
    Ok(identity)
}

fn read_identity_now(conn: &Connection) -> rusqlite::Result<(i32, u32, i64)> {
    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    Ok((app_id, version, tables))
}

fn check_identity(path: &Path, app_id: i32, version: u32, tables: i64) -> Result<(), StoreError> {
    let fresh = app_id == 0 && version == 0 && tables == 0;
    if !fresh && app_id != APPLICATION_ID {
        return Err(StoreError::NotHighland {
            path: path.to_owned(),
        });
    }
    if version > LATEST_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found: version,
            supported: LATEST_VERSION,
        });
    }
    Ok(())
}

/// Runs every missing upgrade in one IMMEDIATE transaction, re-reading the
/// version inside it: when several processes open a new store at once, one
/// upgrades and the others find the work done.
fn migrate(mut conn: Connection, path: &Path) -> Result<Connection, StoreError> {
    let (app_id, version, _) = read_identity(&conn).map_err(|e| classify(e, path))?;
    if app_id == APPLICATION_ID && version == LATEST_VERSION {
        return Ok(conn);
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| classify(e, path))?;
    let (app_id, version, tables) = read_identity(&tx).map_err(|e| classify(e, path))?;
    check_identity(path, app_id, version, tables)?;
    if version < LATEST_VERSION {
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(|e| StoreError::Migration {
                version: index as u32 + 1,
                error: e,
            })?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", LATEST_VERSION)?;
        tx.execute(
            "INSERT OR IGNORE INTO device (id, device_id, hlc) VALUES (1, ?1, 0)",
            [highland_domain::DeviceId::new().to_string()],
        )?;
    }
    tx.commit()?;
    Ok(conn)
}

/// Turns SQLite's answer for a damaged or foreign file into an error that says so.
fn classify(e: rusqlite::Error, path: &Path) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotHighland {
            path: path.to_owned(),
        },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path: path.to_owned(),
            detail: e.to_string(),
        },
        _ => StoreError::Sqlite(e),
    }
}
