use std::path::Path;
use std::time::Duration;

use highland_sqlite::{Identity, OpenError, write_ahead_synced};
use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::schema::SCHEMA;
use crate::sql::OrDb;
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
    let mut conn = Connection::open(path).map_err(|e| classify(e, path))?;
    conn.busy_timeout(BUSY_TIMEOUT).or_db()?;
    write_ahead_synced(&conn).map_err(|e| refused(e, path))?;
    SCHEMA
        .upgrade(&mut conn, |tx| {
            // The hub's own device id, made once: it authors the operations
            // staff cause (orders), and must stay the same for as long as
            // the log lives. And the key of its seal on them
            // ([`highland_exchange::seal`]), made once likewise.
            tx.execute(
                "INSERT OR IGNORE INTO hub_identity (id, device_id) VALUES (1, ?1)",
                [highland_domain::DeviceId::new().to_string()],
            )?;
            tx.execute(
                "UPDATE hub_identity SET seal_key = ?1 WHERE id = 1 AND seal_key IS NULL",
                [crate::secret::new_seal_key()],
            )?;
            Ok(())
        })
        .map_err(|e| refused(e, path))?;
    Ok(conn)
}

pub(super) fn inspect_read_only(path: &Path) -> Result<()> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| classify(e, path))?;
    conn.busy_timeout(BUSY_TIMEOUT).or_db()?;
    Identity::read(&conn)
        .map_err(|e| classify(e, path))?
        .check(&SCHEMA)
        .map_err(|e| refused(e, path))
}

/// highland-sqlite's reason, said of this file.
fn refused(e: OpenError, path: &Path) -> Error {
    match e {
        OpenError::Foreign => Error::NotHubDatabase {
            path: path.to_owned(),
        },
        OpenError::TooNew { found, supported } => Error::DatabaseTooNew {
            path: path.to_owned(),
            found,
            supported,
        },
        OpenError::NoWriteAheadLog => Error::Io(std::io::Error::other(format!(
            "the file system of {} does not support SQLite's write-ahead log",
            path.display()
        ))),
        OpenError::Sqlite(e) | OpenError::Migration { error: e, .. } => classify(e, path),
    }
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
    use crate::db::{APPLICATION_ID, LATEST_VERSION};

    #[test]
    fn a_new_database_gets_the_latest_schema_and_opens_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        drop(open_database(&path).unwrap());
        let conn = open_database(&path).unwrap();
        let found = Identity::read(&conn).unwrap();
        assert_eq!(
            (found.application_id, found.version),
            (APPLICATION_ID, LATEST_VERSION)
        );
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
