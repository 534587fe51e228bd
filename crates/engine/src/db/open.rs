use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

use super::check::{self, Depth, Finding};
use super::rebuild;
use super::schema::{APPLICATION_ID, LATEST_VERSION, MIGRATIONS};
use crate::StoreError;
use crate::clock::Clock;
use crate::health::{self, StoreRepair};

/// Long enough for twenty processes writing at once to take their turn; each
/// write transaction holds the lock for a few milliseconds.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Opens (or creates) the device store at `path`, upgraded to the latest schema.
///
/// A file that is not a Highland database, or was written by a newer
/// version, is refused before anything writes to it: the checks run before
/// any write. A Highland file whose indexes are damaged has them rebuilt;
/// one whose tables are damaged is set aside unchanged and a new store is
/// made in its place from what can still be read of it (`rebuild`). The
/// full check that finds index damage runs after an unclean shutdown, at
/// least once a day by `clock`, and whenever `full_check` asks for it.
pub fn open_database(
    path: &Path,
    clock: &dyn Clock,
    full_check: bool,
) -> Result<Connection, StoreError> {
    match open_with_patience(path, clock, full_check)? {
        Opened::Ready(conn) => return Ok(conn),
        Opened::TablesDamaged => rebuild::rebuild(path, clock)?,
    }
    match open_with_patience(path, clock, full_check)? {
        Opened::Ready(conn) => Ok(conn),
        // A store made a moment ago is damaged already: the storage itself
        // is failing, and rebuilding again would only fail again.
        Opened::TablesDamaged => Err(StoreError::Corrupt {
            path: path.to_owned(),
            detail: "the store was rebuilt and is damaged again".into(),
        }),
    }
}

/// What opening found.
pub(super) enum Opened {
    Ready(Connection),
    /// A table's pages are damaged; the connection is closed and the file
    /// left as it was found.
    TablesDamaged,
}

pub(super) fn open_with_patience(
    path: &Path,
    clock: &dyn Clock,
    full_check: bool,
) -> Result<Opened, StoreError> {
    // SQLite does not call the busy handler for every lock it meets while a
    // new file is being switched to WAL by another process; opening is
    // idempotent, so wait and start over, within the same patience.
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        match try_open(path, clock, full_check) {
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

fn try_open(path: &Path, clock: &dyn Clock, full_check: bool) -> Result<Opened, StoreError> {
    rebuild::finish_interrupted(path)?;
    let (conn, unclean) = open_as_found(path)?;
    let now = clock.now();
    let last_full = match check::last_full_check(&conn) {
        Ok(last) => last,
        // Unreadable is as good as never: the full check says why.
        Err(e) if check::is_damage(&e) => None,
        Err(e) => return Err(classify(e, path)),
    };
    let cut_short = rebuild::cut_short(path);
    let full = full_check || unclean || cut_short || check::full_check_due(last_full, now);
    let (checked, finding) = inspect(&conn, path, full)?;
    if cut_short && !matches!(finding, Finding::Tables { .. }) {
        rebuild::discard_cut_short(path)?;
    }
    let repair = match finding {
        Finding::Sound => None,
        Finding::Indexes { names, findings } => match repair_indexes(&conn, &names)? {
            true => Some(StoreRepair::indexes_rebuilt(now, names, findings)),
            false => return Ok(Opened::TablesDamaged),
        },
        Finding::Tables { .. } => return Ok(Opened::TablesDamaged),
    };
    // Sound: a clean close folds the log in and removes it, which is how
    // the next open knows the shutdown was clean.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
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
    let conn = migrate(conn, path)?;
    if checked == Some(Depth::Full) {
        health::record(&conn, now, repair.as_ref())?;
    }
    Ok(Opened::Ready(conn))
}

/// A connection to the file that changes nothing in it by being opened,
/// read and closed, so that a damaged file can be set aside as it was
/// found; and whether the file was shut down uncleanly.
///
/// SQLite deletes a store's write-ahead log and its index when the last
/// connection closes; either one left behind means a process died with the
/// store open (or has it open now, which costs a needless full check). A
/// log found so is left as it is at close, not folded into the file. A log
/// that only this connection's reading made is empty, and goes at close as
/// always.
pub(super) fn open_as_found(path: &Path) -> Result<(Connection, bool), StoreError> {
    let unclean = [WAL, SHM].iter().any(|s| sidecar(path, s).exists());
    let conn = Connection::open(path).map_err(|e| classify(e, path))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, unclean)?;
    Ok((conn, unclean))
}

/// Rebuilds damaged indexes from their tables and checks the whole file
/// again; false if the damage was more than the indexes after all. Both in
/// one transaction, kept only when the file is then sound, so that a file
/// that goes on to be set aside is set aside as it was found.
fn repair_indexes(conn: &Connection, names: &[String]) -> Result<bool, StoreError> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    match check::reindex(&tx, names) {
        Ok(()) => {}
        // An index whose own pages are broken cannot always be cleared.
        Err(e) if check::is_damage(&e) => return Ok(false),
        Err(e) => return Err(e.into()),
    }
    if check::check(&tx, Depth::Full)? != Finding::Sound {
        return Ok(false);
    }
    tx.commit()?;
    Ok(true)
}

/// Refuses what must not be touched (garbage, other programs' files, and
/// databases from a newer Highland) and checks a Highland file. Returns the
/// depth of the check it ran (none on a new, empty file) and its finding.
pub(super) fn inspect(
    conn: &Connection,
    path: &Path,
    full: bool,
) -> Result<(Option<Depth>, Finding), StoreError> {
    let (app_id, version, tables) = read_identity(conn).map_err(|e| classify(e, path))?;
    check_identity(path, app_id, version, tables)?;
    if tables == 0 {
        return Ok((None, Finding::Sound));
    }
    let depth = if full { Depth::Full } else { Depth::Quick };
    Ok((Some(depth), check::check(conn, depth)?))
}

pub(super) const WAL: &str = "-wal";
pub(super) const SHM: &str = "-shm";

/// `path` with `suffix` appended to its name, as SQLite names a file's
/// write-ahead log ("-wal") and its index ("-shm").
pub(super) fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
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
