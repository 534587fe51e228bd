//! What Highland's two SQLite databases, the device store (highland-engine)
//! and the hub's (highland-hub), do alike when they open a file: know their
//! own ([`Schema`]: an application id and a list of migrations), refuse
//! another program's file or a newer Highland's before writing anything
//! ([`Identity::check`]), take the write-ahead log with every commit synced
//! ([`write_ahead_synced`]), and upgrade the schema in one transaction
//! ([`Schema::upgrade`]).
//!
//! What this crate must not do: know either schema's tables, or decide what
//! a damaged file means (the device store repairs and rebuilds; the hub
//! refuses). Each caller turns [`OpenError`] into its own error, with the
//! file's path.

use rusqlite::{Connection, Transaction, TransactionBehavior};
use thiserror::Error;

/// Why a database was not opened, or not upgraded.
#[derive(Debug, Error)]
pub enum OpenError {
    /// Another program's file (or a Highland file of the other kind).
    #[error("the file belongs to another program")]
    Foreign,
    /// Written by a newer Highland: left untouched.
    #[error("written by a newer version (schema {found}; this one knows up to {supported})")]
    TooNew { found: u32, supported: u32 },
    #[error("the file system does not support SQLite's write-ahead log")]
    NoWriteAheadLog,
    /// A migration failed; nothing of the upgrade was kept.
    #[error("the upgrade to schema {version} failed: {error}")]
    Migration {
        version: u32,
        #[source]
        error: rusqlite::Error,
    },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// A kind of Highland database: who it is, and how it came to its latest
/// shape. A released migration is never edited, only followed by a new one.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    /// `PRAGMA application_id`, so a file from another program, or of the
    /// other kind, is recognised and left alone.
    pub application_id: i32,
    /// Each entry upgrades the database by one version.
    pub migrations: &'static [&'static str],
}

impl Schema {
    /// The schema version this build writes; a database above it is refused.
    pub const fn latest(&self) -> u32 {
        self.migrations.len() as u32
    }

    /// Runs every missing upgrade in one IMMEDIATE transaction, reading the
    /// file's identity again inside it: when several processes open a new
    /// database at once, one upgrades and the others find the work done.
    /// `made` runs in the same transaction after the upgrade, for the rows
    /// a database must always have (its own ids and keys).
    pub fn upgrade(
        &self,
        conn: &mut Connection,
        made: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<()>,
    ) -> Result<(), OpenError> {
        let found = Identity::read(conn)?;
        if found.application_id == self.application_id && found.version == self.latest() {
            return Ok(());
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = Identity::read(&tx)?;
        found.check(self)?;
        if found.version < self.latest() {
            for (index, sql) in self
                .migrations
                .iter()
                .enumerate()
                .skip(found.version as usize)
            {
                tx.execute_batch(sql)
                    .map_err(|error| OpenError::Migration {
                        version: index as u32 + 1,
                        error,
                    })?;
            }
            tx.pragma_update(None, "application_id", self.application_id)?;
            tx.pragma_update(None, "user_version", self.latest())?;
            made(&tx)?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// What a file says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub application_id: i32,
    pub version: u32,
    /// Tables, indexes and the like: none in a new, empty file.
    pub objects: i64,
}

impl Identity {
    /// Reads the identity in one read transaction: three separate reads
    /// could straddle another process's upgrade and see half of it.
    pub fn read(conn: &Connection) -> rusqlite::Result<Identity> {
        if !conn.is_autocommit() {
            return Identity::read_now(conn);
        }
        let tx = conn.unchecked_transaction()?;
        let identity = Identity::read_now(&tx)?;
        tx.finish()?;
        Ok(identity)
    }

    fn read_now(conn: &Connection) -> rusqlite::Result<Identity> {
        Ok(Identity {
            application_id: conn.query_row("PRAGMA application_id", [], |r| r.get(0))?,
            version: conn.query_row("PRAGMA user_version", [], |r| r.get(0))?,
            objects: conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?,
        })
    }

    /// A file nobody has written to yet.
    pub fn is_new(&self) -> bool {
        self.application_id == 0 && self.version == 0 && self.objects == 0
    }

    /// Refuses another program's file and a newer Highland's.
    pub fn check(&self, schema: &Schema) -> Result<(), OpenError> {
        if !self.is_new() && self.application_id != schema.application_id {
            return Err(OpenError::Foreign);
        }
        if self.version > schema.latest() {
            return Err(OpenError::TooNew {
                found: self.version,
                supported: schema.latest(),
            });
        }
        Ok(())
    }
}

/// Foreign keys on, the write-ahead log (readers run beside the writer),
/// and FULL sync of every commit: once a seller is told a sale is saved, or
/// a device that it is applied, a power cut must not take it back.
pub fn write_ahead_synced(conn: &Connection) -> Result<(), OpenError> {
    conn.pragma_update(None, "foreign_keys", true)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(OpenError::NoWriteAheadLog);
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: Schema = Schema {
        application_id: 0x5445_5354,
        migrations: &[
            "CREATE TABLE listing (id INTEGER PRIMARY KEY, title TEXT NOT NULL)",
            "ALTER TABLE listing ADD COLUMN price_fen INTEGER NOT NULL DEFAULT 0",
        ],
    };

    fn file() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("test.db")).unwrap();
        (dir, conn)
    }

    fn identity(conn: &Connection) -> Identity {
        Identity::read(conn).unwrap()
    }

    #[test]
    fn a_new_file_is_upgraded_to_the_latest_schema_with_its_made_rows() {
        let (_dir, mut conn) = file();
        assert!(identity(&conn).is_new());
        SCHEMA
            .upgrade(&mut conn, |tx| {
                tx.execute("INSERT INTO listing (title) VALUES ('酥油')", [])
                    .map(drop)
            })
            .unwrap();
        let found = identity(&conn);
        assert_eq!((found.application_id, found.version), (0x5445_5354, 2));
        let price: i64 = conn
            .query_row("SELECT price_fen FROM listing", [], |r| r.get(0))
            .unwrap();
        assert_eq!(price, 0);
        // Upgraded already: nothing runs again, and nothing is made twice.
        SCHEMA.upgrade(&mut conn, |_| panic!("made again")).unwrap();
    }

    #[test]
    fn an_older_file_takes_only_the_migrations_it_lacks() {
        let (_dir, mut conn) = file();
        conn.execute_batch(SCHEMA.migrations[0]).unwrap();
        conn.execute("INSERT INTO listing (title) VALUES ('蜂蜜')", [])
            .unwrap();
        conn.pragma_update(None, "application_id", SCHEMA.application_id)
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        SCHEMA.upgrade(&mut conn, |_| Ok(())).unwrap();
        let (title, price): (String, i64) = conn
            .query_row("SELECT title, price_fen FROM listing", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((title.as_str(), price), ("蜂蜜", 0));
        assert_eq!(identity(&conn).version, 2);
    }

    #[test]
    fn another_programs_file_and_a_newer_one_are_refused_untouched() {
        let (_dir, mut conn) = file();
        conn.execute_batch("CREATE TABLE theirs (x)").unwrap();
        assert!(matches!(
            SCHEMA.upgrade(&mut conn, |_| Ok(())),
            Err(OpenError::Foreign)
        ));
        assert_eq!(identity(&conn).version, 0);

        let (_dir, mut conn) = file();
        SCHEMA.upgrade(&mut conn, |_| Ok(())).unwrap();
        conn.pragma_update(None, "user_version", 3).unwrap();
        assert!(matches!(
            SCHEMA.upgrade(&mut conn, |_| Ok(())),
            Err(OpenError::TooNew {
                found: 3,
                supported: 2
            })
        ));
    }

    #[test]
    fn a_failed_migration_keeps_nothing_of_the_upgrade() {
        const BROKEN: Schema = Schema {
            application_id: 0x5445_5354,
            migrations: &[
                "CREATE TABLE listing (id INTEGER PRIMARY KEY)",
                "ALTER TABLE no_such_table ADD COLUMN x",
            ],
        };
        let (_dir, mut conn) = file();
        let err = BROKEN.upgrade(&mut conn, |_| Ok(())).unwrap_err();
        assert!(
            matches!(err, OpenError::Migration { version: 2, .. }),
            "{err}"
        );
        assert!(identity(&conn).is_new());
    }

    #[test]
    fn the_write_ahead_log_is_taken_with_every_commit_synced() {
        let (_dir, conn) = file();
        write_ahead_synced(&conn).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let synchronous: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        let keys: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!((mode.as_str(), synchronous, keys), ("wal", 2, 1));
    }
}
