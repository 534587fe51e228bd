//! Backing up a SQLite hub while it serves, and putting a backup back.
//!
//! A backup is `VACUUM INTO`: one read transaction, so the copy is one
//! consistent moment of the database, and the server's writes go on
//! meanwhile (WAL). It holds everything the database holds, the photos'
//! index included (which files the hub has); the photo files themselves
//! live in the photo store beside it (docs/operations.md).
//!
//! A restore never deletes: the database it replaces is moved aside, with
//! its write-ahead log, so a restore done by mistake can be undone.
//!
//! A backup is marked as one (`hub_identity.is_backup`): a hub that finds
//! the mark on the database it serves begins a new incarnation, whether the
//! backup was put back by `restore` or copied back by hand, so devices
//! learn that it went back in time, and to where.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::open::inspect_read_only;
use crate::sql::OrDb;
use crate::{Error, Result};

/// What a backup holds, as the operator wants to see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackupSummary {
    pub file: PathBuf,
    pub bytes: u64,
    /// The log's last position in the copy.
    pub log_end: u64,
    pub sellers: u64,
    pub devices: u64,
}

/// Writes a consistent copy of the hub database at `database` to `out`,
/// which must not exist yet; checks the copy before saying it is done.
pub fn backup(database: &Path, out: &Path) -> Result<BackupSummary> {
    inspect_read_only(database)?;
    if out.exists() {
        return Err(Error::Io(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} already exists; back up to a new file", out.display()),
        )));
    }
    // Written under another name and renamed once whole, so a backup cut
    // short never looks like one.
    let partial = with_suffix(out, ".partial");
    let _ = std::fs::remove_file(&partial);
    let source = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY).or_db()?;
    source
        .busy_timeout(std::time::Duration::from_secs(30))
        .or_db()?;
    let target = partial.to_str().ok_or_else(|| {
        Error::Io(std::io::Error::other(format!(
            "{} is not a path SQLite can take",
            partial.display()
        )))
    })?;
    source.execute("VACUUM INTO ?1", [target]).or_db()?;
    drop(source);
    // The copy knows it is a backup: a hub that serves it, put back by
    // `restore` or copied back by hand, begins a new incarnation.
    Connection::open(&partial)
        .or_db()?
        .execute("UPDATE hub_identity SET is_backup = 1 WHERE id = 1", [])
        .or_db()?;
    let summary = check(&partial)?;
    std::fs::rename(&partial, out)?;
    Ok(BackupSummary {
        file: out.to_owned(),
        ..summary
    })
}

/// Puts the backup `from` in place of the database at `database`. The
/// database it replaces, if any, is moved aside (returned), never deleted.
/// The hub must not be serving on it: a write-ahead log beside it says one
/// may be, and is refused unless `force` (a hub that crashed leaves one).
/// The one moved aside is named by `now_ms`.
pub fn restore(from: &Path, database: &Path, force: bool, now_ms: u64) -> Result<Option<PathBuf>> {
    inspect_read_only(from)?;
    check(from)?;
    let wal = with_suffix(database, "-wal");
    if wal.exists() && !force {
        return Err(Error::Io(std::io::Error::other(format!(
            "{} exists: a hub may be serving on {}; stop it first \
             (or pass --force if it stopped without closing the database)",
            wal.display(),
            database.display()
        ))));
    }
    let copy = with_suffix(database, ".restoring");
    std::fs::copy(from, &copy)?;
    std::fs::File::open(&copy)?.sync_all()?;
    let aside = if database.exists() {
        let stamp = chrono::DateTime::from_timestamp_millis(now_ms as i64)
            .unwrap_or_default()
            .format("%Y%m%dT%H%M%SZ");
        let aside = with_suffix(database, &format!(".replaced-{stamp}"));
        std::fs::rename(database, &aside)?;
        for log in ["-wal", "-shm"] {
            let file = with_suffix(database, log);
            if file.exists() {
                std::fs::rename(&file, with_suffix(&aside, log))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&copy, database)?;
    Ok(aside)
}

/// Checks a database file whole (`integrity_check`) and reads what it holds.
fn check(file: &Path) -> Result<BackupSummary> {
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY).or_db()?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .or_db()?;
    if integrity != "ok" {
        return Err(Error::BadRecord(format!(
            "{} is damaged: {integrity}",
            file.display()
        )));
    }
    let count = |sql: &str| -> Result<u64> {
        Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0)).or_db()? as u64)
    };
    Ok(BackupSummary {
        file: file.to_owned(),
        bytes: std::fs::metadata(file)?.len(),
        log_end: count("SELECT coalesce(max(seq), 0) FROM op_log")?,
        sellers: count("SELECT count(*) FROM sellers")?,
        devices: count("SELECT count(*) FROM devices")?,
    })
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
