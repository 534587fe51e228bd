//! The store's file on disk, before it is trusted: its sidecar files (the
//! write-ahead log and its index), opening it without changing it, and
//! telling a Highland store from anything else.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use highland_sqlite::{Identity, OpenError};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode};

use super::check::{self, Depth, Finding};
use super::schema::SCHEMA;
use crate::StoreError;

/// Long enough for twenty processes writing at once to take their turn; each
/// write transaction holds the lock for a few milliseconds.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

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

/// Refuses what must not be touched (garbage, other programs' files, and
/// databases from a newer Highland) and checks a Highland file. Returns the
/// depth of the check it ran (none on a new, empty file) and its finding.
pub(super) fn inspect(
    conn: &Connection,
    path: &Path,
    full: bool,
) -> Result<(Option<Depth>, Finding), StoreError> {
    let found = Identity::read(conn).map_err(|e| classify(e, path))?;
    found.check(&SCHEMA).map_err(|e| refused(e, path))?;
    if found.objects == 0 {
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

/// highland-sqlite's reason for not opening or upgrading, said of this file.
pub(super) fn refused(e: OpenError, path: &Path) -> StoreError {
    match e {
        OpenError::Foreign => StoreError::NotHighland {
            path: path.to_owned(),
        },
        OpenError::TooNew { found, supported } => StoreError::TooNew {
            path: path.to_owned(),
            found,
            supported,
        },
        OpenError::NoWriteAheadLog => StoreError::Unsupported(format!(
            "the file system of {} does not support SQLite's write-ahead log",
            path.display()
        )),
        OpenError::Migration { version, error } => StoreError::Migration { version, error },
        OpenError::Sqlite(e) => classify(e, path),
    }
}

/// Turns SQLite's answer for a damaged or foreign file into an error that says so.
pub(super) fn classify(e: rusqlite::Error, path: &Path) -> StoreError {
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
