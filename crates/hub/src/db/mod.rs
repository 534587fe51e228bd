//! The SQLite back end: the database file, its schema, and the [`Backend`]
//! the hub's queries ([`crate::sql`]) run on.
//!
//! One connection serves the whole server behind a mutex. SQLite takes one
//! writer at a time anyway, and a workshop's or a cooperative's traffic is a
//! few syncs a second; admin commands open their own connection to the same
//! file and take turns through SQLite's lock (WAL, busy timeout). Every write
//! is an IMMEDIATE transaction, which takes the write lock before the first
//! read: that is what makes reading the log in position order safe (see
//! [`highland_exchange::sync`]), so SQLite needs none of [`Lock`]'s locks.

pub mod backup;
mod open;
mod schema;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::types::{Value as Bound, ValueRef};
use rusqlite::{Connection, TransactionBehavior, params_from_iter};

pub use open::open_database;
pub use schema::{APPLICATION_ID, LATEST_VERSION};

use crate::sql::OrDb;
use crate::sql::{Backend, Cell, Dialect, Lock, Param, Record, Sql, Value};
use crate::{Error, Result};

/// The file name of the database inside a data directory.
pub const DATABASE_FILE: &str = "hub.db";

/// The hub's SQLite database.
pub struct HubDb {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl HubDb {
    /// Opens the database in a data directory, creating both if missing.
    pub fn open_dir(dir: &Path) -> Result<HubDb> {
        std::fs::create_dir_all(dir)?;
        HubDb::open(&dir.join(DATABASE_FILE))
    }

    pub fn open(path: &Path) -> Result<HubDb> {
        let db = HubDb {
            conn: Mutex::new(open_database(path)?),
            path: path.to_owned(),
        };
        db.write(Lock::Rows, crate::sql::trace::fill_in_codes)?;
        Ok(db)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the connection, reporting what SQLite says, so a shutdown can
    /// log a database that did not close cleanly.
    pub fn close(self) -> Result<()> {
        let conn = self.conn.into_inner().unwrap_or_else(|e| e.into_inner());
        conn.close().map_err(|(_, e)| Error::database(e))
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock rolled its transaction back when the
        // transaction dropped, so the connection itself is still sound.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Backend for HubDb {
    fn write<T, E: From<Error>>(
        &self,
        _lock: Lock,
        work: impl FnOnce(&mut dyn Sql) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .or_db()?;
        let done = work(&mut Sqlite(&tx))?;
        tx.commit().or_db()?;
        Ok(done)
    }

    fn read<T>(&self, work: impl FnOnce(&mut dyn Sql) -> Result<T>) -> Result<T> {
        work(&mut Sqlite(&self.conn()))
    }

    fn snapshot<T>(&self, work: impl FnOnce(&mut dyn Sql) -> Result<T>) -> Result<T> {
        let mut conn = self.conn();
        // DEFERRED: the snapshot is taken at the first read and kept to the end.
        let tx = conn.transaction().or_db()?;
        let done = work(&mut Sqlite(&tx))?;
        tx.commit().or_db()?;
        Ok(done)
    }
}

/// A connection (or a transaction, which derefs to one) running statements
/// from its statement cache.
struct Sqlite<'c>(&'c Connection);

impl Sql for Sqlite<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[&dyn Param]) -> Result<u64> {
        let changed = self
            .0
            .prepare_cached(sql)
            .or_db()?
            .execute(params_from_iter(params.iter().map(|p| bound(p.value()))))
            .or_db()?;
        Ok(changed as u64)
    }

    fn query(&mut self, sql: &str, params: &[&dyn Param]) -> Result<Vec<Record>> {
        let mut statement = self.0.prepare_cached(sql).or_db()?;
        let names: Arc<[String]> = statement.column_names().map(str::to_owned).collect();
        let mut rows = statement
            .query(params_from_iter(params.iter().map(|p| bound(p.value()))))
            .or_db()?;
        let mut records = Vec::new();
        while let Some(row) = rows.next().or_db()? {
            let cells = (0..names.len())
                .map(|i| cell(row.get_ref(i).or_db()?))
                .collect::<Result<Vec<_>>>()?;
            records.push(Record::new(names.clone(), cells));
        }
        Ok(records)
    }
}

fn bound(value: Value) -> Bound {
    match value {
        Value::Int(Some(i)) => Bound::Integer(i),
        Value::Text(Some(t)) => Bound::Text(t),
        Value::Bytes(Some(b)) => Bound::Blob(b),
        Value::Int(None) | Value::Text(None) | Value::Bytes(None) => Bound::Null,
    }
}

fn cell(value: ValueRef<'_>) -> Result<Cell> {
    Ok(match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Int(i),
        ValueRef::Text(t) => Cell::Text(
            String::from_utf8(t.to_vec())
                .map_err(|_| Error::BadRecord("text that is not UTF-8".into()))?,
        ),
        ValueRef::Real(r) => return Err(Error::BadRecord(format!("unexpected number {r}"))),
        ValueRef::Blob(b) => Cell::Bytes(b.to_vec()),
    })
}
