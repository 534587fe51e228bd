//! A process killed with a SQLite file open, in-process.
//!
//! A killed process leaves its file with the write-ahead log beside it (what
//! it committed is in one or the other), where a clean close folds the log
//! in and removes it. The simulation's parts run in one process, so their
//! connections close cleanly when dropped; this copies the files aside
//! before, and puts them back after, so the next open finds them as a kill
//! leaves them, and goes through recovery (and, on a device, the full check
//! that follows an unclean shutdown).

use std::path::{Path, PathBuf};

use crate::error::Result;

const SIDECARS: [&str; 2] = ["-wal", "-shm"];

/// The files of a database as they were at one moment.
pub struct Snapshot {
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
}

impl Snapshot {
    /// Reads the database at `path` and its sidecars, while no transaction
    /// is open on it.
    pub fn take(path: &Path) -> Result<Snapshot> {
        let mut files = vec![(path.to_owned(), Some(std::fs::read(path)?))];
        for suffix in SIDECARS {
            let sidecar = sidecar(path, suffix);
            let bytes = match std::fs::read(&sidecar) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(e.into()),
            };
            files.push((sidecar, bytes));
        }
        Ok(Snapshot { files })
    }

    /// Puts every file back as it was; a sidecar that was not there is
    /// removed.
    pub fn put_back(self) -> Result<()> {
        for (path, bytes) in self.files {
            match bytes {
                Some(bytes) => std::fs::write(&path, bytes)?,
                None => match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                    _ => {}
                },
            }
        }
        Ok(())
    }
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_killed_connection_leaves_its_log_behind_and_loses_no_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let snapshot = Snapshot::take(&path).unwrap();
        drop(conn);
        assert!(
            !sidecar(&path, "-wal").exists(),
            "a clean close removes the log"
        );
        snapshot.put_back().unwrap();
        assert!(sidecar(&path, "-wal").exists(), "as a kill leaves it");
        let conn = rusqlite::Connection::open(&path).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}
