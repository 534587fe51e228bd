//! Preparing a store that is there or new: waiting out other processes,
//! checking it as often as it needs, repairing damaged indexes, and
//! upgrading its schema. A store whose tables are damaged is reported, for
//! `rebuild` to replace.

use std::path::Path;
use std::time::Duration;

use highland_sqlite::write_ahead_synced;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

use super::check::{self, Depth, Finding};
use super::file::{BUSY_TIMEOUT, classify, inspect, open_as_found, refused};
use super::schema::SCHEMA;
use super::swap;
use crate::StoreError;
use crate::clock::Clock;
use crate::health::{self, StoreRepair};

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
    swap::finish_interrupted(path)?;
    let (conn, unclean) = open_as_found(path)?;
    let now = clock.now();
    let last_full = match check::last_full_check(&conn) {
        Ok(last) => last,
        // Unreadable is as good as never: the full check says why.
        Err(e) if check::is_damage(&e) => None,
        Err(e) => return Err(classify(e, path)),
    };
    let cut_short = swap::cut_short(path);
    let full = full_check || unclean || cut_short || check::full_check_due(last_full, now);
    let (checked, finding) = inspect(&conn, path, full)?;
    if cut_short && !matches!(finding, Finding::Tables { .. }) {
        swap::discard_cut_short(path)?;
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
    // WAL lets readers run beside the writer; FULL syncs the WAL on every
    // commit, so a recorded sale survives a power cut, not just a crash.
    write_ahead_synced(&conn).map_err(|e| refused(e, path))?;
    let mut conn = conn;
    SCHEMA
        .upgrade(&mut conn, |tx| {
            tx.execute(
                "INSERT OR IGNORE INTO device (id, device_id, hlc) VALUES (1, ?1, 0)",
                [highland_domain::DeviceId::new().to_string()],
            )
            .map(drop)
        })
        .map_err(|e| refused(e, path))?;
    if checked == Some(Depth::Full) {
        health::record(&conn, now, repair.as_ref())?;
    }
    Ok(Opened::Ready(conn))
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
