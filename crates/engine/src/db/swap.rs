//! Putting a rebuilt store in the damaged one's place, crash-safe in
//! steps: the new store is made under another name (`.rebuilding`) and
//! renamed `.rebuilt` only once it is whole; then the damaged file and its
//! log are moved aside and `.rebuilt` put in place. Every open finishes a
//! `.rebuilt` it finds before anything else ([`finish_interrupted`]), so a
//! crash at any step leaves either the damaged file in place, to be
//! rebuilt again, or a whole new store to be put in place.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::file::{SHM, WAL, sidecar};
use crate::health;
use crate::{Result, StoreError};

/// The new store while it is being made,
pub(super) const BUILDING: &str = ".rebuilding";
/// and once it is whole, until it is in the damaged file's place.
pub(super) const BUILT: &str = ".rebuilt";
/// Held while rebuilding, so that processes that find the same damage at
/// once rebuild it once. Never moved, unlike the store.
const LOCK: &str = ".lock";

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

pub(super) fn take_lock(path: &Path) -> Result<File> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(sidecar(path, LOCK))?;
    file.lock()?;
    Ok(file)
}

/// Puts a whole new store (`.rebuilt`) in the place of the damaged file,
/// which goes, with its log, where the new store's report says. Runs again
/// to the same end after a crash halfway: each step that is done is
/// skipped. Returns whether there was one to put in place.
pub(super) fn finish(path: &Path) -> Result<bool> {
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
pub(super) fn aside_name(path: &Path, at: DateTime<Utc>) -> PathBuf {
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
pub(super) fn remove_building(path: &Path) -> Result<()> {
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
pub(super) fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().and_then(|d| File::open(d).ok()) {
        // Best effort: the renames are done either way, and a power cut
        // that undoes one leaves a state `finish` completes.
        let _ = dir.sync_all();
    }
}
