//! A store whose tables are damaged is set aside exactly as it was found,
//! and a new store takes its place: the same device id, enrollment and
//! settings, and every operation its outbox still gives back, pending again
//! and applied, so the seller sees them before the next sync and the hub
//! gets them again (it keeps each once, by its id). The new store has
//! acknowledged nothing, pulls the hub's log from the start, and remembers
//! no run of the hub, so the next sync brings back what the hub holds.
//!
//! Crash-safe in steps: the new store is made under another name
//! (`.rebuilding`) and renamed `.rebuilt` only once it is whole; then the
//! damaged file and its log are moved aside and `.rebuilt` put in place.
//! Every open finishes a `.rebuilt` it finds before anything else, so a
//! crash at any step leaves either the damaged file in place, to be
//! rebuilt again, or a whole new store to be put in place.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use highland_domain::Payload;
use rusqlite::{Connection, TransactionBehavior};

use super::check::Finding;
use super::open::{self, Opened, SHM, WAL, sidecar};
use super::salvage::{self, Salvage};
use crate::apply::{self, Source};
use crate::clock::Clock;
use crate::health::{self, RepairKind, StoreRepair};
use crate::store::write_hlc;
use crate::{Result, StoreError, outbox};

/// The new store while it is being made,
const BUILDING: &str = ".rebuilding";
/// and once it is whole, until it is in the damaged file's place.
const BUILT: &str = ".rebuilt";
/// Held while rebuilding, so that processes that find the same damage at
/// once rebuild it once. Never moved, unlike the store.
const LOCK: &str = ".lock";

/// Sets the damaged store at `path` aside and makes a new one in its place.
/// Returns with nothing done if, once it holds the lock, the store at
/// `path` is no longer one with damaged tables: another process rebuilt
/// it meanwhile.
pub(super) fn rebuild(path: &Path, clock: &dyn Clock) -> Result<()> {
    let _lock = take_lock(path)?;
    if finish(path)? {
        return Ok(());
    }
    let (damaged, _) = open::open_as_found(path)?;
    let findings = match open::inspect(&damaged, path, true)? {
        (_, Finding::Tables { findings }) => findings,
        (_, Finding::Sound | Finding::Indexes { .. }) => return Ok(()),
    };
    let file_bytes = [path.to_owned(), sidecar(path, WAL)]
        .iter()
        .map(|p| fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    let salvage = salvage::read(&damaged, file_bytes);
    drop(damaged);
    let now = clock.now();
    let aside = aside_name(path, now);
    build(path, &aside, &salvage, findings, clock)?;
    finish(path)?;
    Ok(())
}

/// Finishes a rebuild that a crash or a killed process cut short after the
/// new store was whole.
pub(super) fn finish_interrupted(path: &Path) -> Result<()> {
    if sidecar(path, BUILT).exists() {
        let _lock = take_lock(path)?;
        finish(path)?;
    }
    Ok(())
}

/// Whether a rebuild of the store at `path` began and never finished: the
/// damage it was for is still there, and the next check must be the full
/// one that found it.
pub(super) fn cut_short(path: &Path) -> bool {
    sidecar(path, BUILDING).exists()
}

/// Removes what a rebuild cut short left, once the full check found no
/// damaged table after all (another process rebuilt the store meanwhile).
pub(super) fn discard_cut_short(path: &Path) -> Result<()> {
    let _lock = take_lock(path)?;
    remove_building(path)
}

fn take_lock(path: &Path) -> Result<File> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(sidecar(path, LOCK))?;
    file.lock()?;
    Ok(file)
}

/// Makes the new store, whole, as `.rebuilt` beside `path`.
fn build(
    path: &Path,
    aside: &Path,
    salvage: &Salvage,
    findings: String,
    clock: &dyn Clock,
) -> Result<()> {
    remove_building(path)?;
    let building = sidecar(path, BUILDING);
    let mut conn = match open::open_with_patience(&building, clock, false)? {
        Opened::Ready(conn) => conn,
        Opened::TablesDamaged => {
            return Err(StoreError::Corrupt {
                path: building,
                detail: "a store made a moment ago is damaged already".into(),
            });
        }
    };
    let now = clock.now();
    let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(id) = salvage.device_id {
        // The hub knows this device's token by its id, and every operation
        // it made carries it.
        tx.execute(
            "UPDATE device SET device_id = ?1 WHERE id = 1",
            [id.to_string()],
        )?;
    }
    write_hlc(&tx, salvage.hlc)?;
    if let Some(e) = &salvage.enrollment {
        e.write(&tx)?;
        tx.execute(
            "UPDATE sync_state SET clock_offset_ms = ?1 WHERE id = 1",
            [salvage.clock_offset_ms],
        )?;
    }
    for (key, value) in &salvage.settings {
        tx.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)",
            [key, value],
        )?;
    }
    let mut sales = 0;
    for op in &salvage.ops {
        outbox::append(&tx, op)?;
        if matches!(op.payload, Payload::SaleRecorded { .. }) {
            sales += 1;
        }
        // An operation that needs what the damaged file lost (a sale of a
        // listing whose creation is gone, an answer to an order not pulled
        // yet) is not applied here; it goes to the hub all the same, and
        // comes back with what it needs.
        let step = tx.savepoint()?;
        match apply::apply(&step, op, Source::Local) {
            Ok(_) => step.commit()?,
            Err(e) if e.is_storage_full() => return Err(e),
            Err(_) => {}
        }
    }
    let report = StoreRepair {
        at: crate::rows::format_time(now),
        kind: RepairKind::StoreRebuilt,
        findings,
        indexes: Vec::new(),
        set_aside: Some(aside.display().to_string()),
        recovered: salvage.ops.len() as u64,
        recovered_sales: sales,
        unreadable: salvage.unreadable,
        enrollment_lost: salvage.enrollment_lost,
    };
    health::record(&tx, now, Some(&report))?;
    tx.commit()?;
    // Closed, its log folded in and removed, before it is renamed.
    drop(conn);
    fs::rename(&building, sidecar(path, BUILT))?;
    sync_dir(path);
    Ok(())
}

/// Puts a whole new store (`.rebuilt`) in the place of the damaged file,
/// which goes, with its log, where the new store's report says. Runs again
/// to the same end after a crash halfway: each step that is done is
/// skipped. Returns whether there was one to put in place.
fn finish(path: &Path) -> Result<bool> {
    let built = sidecar(path, BUILT);
    if !built.exists() {
        return Ok(false);
    }
    let aside = {
        let conn = Connection::open(&built)?;
        health::last_repair(&conn)?.and_then(|r| r.set_aside)
    };
    let aside = aside.map(PathBuf::from).ok_or_else(|| {
        StoreError::BadRecord(format!("{} says nowhere to set aside", built.display()))
    })?;
    // The log before the file: a file without its log is only older, but a
    // log left beside the new store would be read into it.
    for suffix in [WAL, SHM, ""] {
        let from = sidecar(path, suffix);
        if from.exists() {
            fs::rename(&from, sidecar(&aside, suffix))?;
        }
    }
    fs::rename(&built, path)?;
    sync_dir(path);
    Ok(true)
}

/// `highland.db.damaged-20261128T080000Z`, or with `-2`, `-3`, ... when a
/// file of that name (or its log) is there already.
fn aside_name(path: &Path, at: DateTime<Utc>) -> PathBuf {
    let first = sidecar(path, &format!(".damaged-{}", at.format("%Y%m%dT%H%M%SZ")));
    let taken = |p: &Path| ["", WAL, SHM].iter().any(|s| sidecar(p, s).exists());
    let mut name = first.clone();
    let mut n = 1;
    while taken(&name) {
        n += 1;
        name = sidecar(&first, &format!("-{n}"));
    }
    name
}

/// Removes a new store that was being made: a rebuild cut short left it,
/// and it was never in use.
fn remove_building(path: &Path) -> Result<()> {
    let building = sidecar(path, BUILDING);
    for suffix in ["", WAL, SHM] {
        remove_if_present(&sidecar(&building, suffix))?;
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// Makes the renames durable, where the platform can open a directory
/// (Windows cannot, and does without).
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().and_then(|d| File::open(d).ok()) {
        // Best effort: the renames are done either way, and a power cut
        // that undoes one leaves a state `finish` completes.
        let _ = dir.sync_all();
    }
}
