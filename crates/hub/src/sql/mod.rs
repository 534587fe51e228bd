//! The hub's queries, written once for both back ends.
//!
//! Everything the hub stores and reads is here: the [`Storage`] methods
//! ([`hub`]), the sync and order rules' ledger ([`ledger`]), the staff's
//! records ([`staff`]), the catalog ([`catalog`]) and the orders' views
//! ([`orders`]). A back end gives them only transactions and a way to run a
//! statement ([`Backend`], [`Sql`]): SQLite in [`crate::db`], PostgreSQL in
//! [`crate::pg`]. Statements use SQLite's numbered placeholders (`?1`), which
//! PostgreSQL's side rewrites, and the SQL both dialects accept (`CAST`,
//! `ON CONFLICT`, `RETURNING`); the few places the dialects differ ask
//! [`Sql::dialect`].
//!
//! [`Storage`]: crate::Storage

pub(crate) mod catalog;
mod devices;
pub(crate) mod history;
mod hub;
pub(crate) mod ledger;
pub(crate) mod orders;
pub(crate) mod photos;
pub(crate) mod rounds;
pub(crate) mod staff;
pub(crate) mod trace;
pub(crate) mod views;
mod workshop;

use std::sync::Arc;

use crate::{Error, Result};

/// A back end's own error (rusqlite's, postgres's) as the hub's, kept for
/// the logs: `.or_db()?` where `?` alone cannot convert it.
pub(crate) trait OrDb<T> {
    fn or_db(self) -> Result<T>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> OrDb<T> for std::result::Result<T, E> {
    fn or_db(self) -> Result<T> {
        self.map_err(Error::database)
    }
}

/// Which SQL a statement may use beyond what both accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// What a write must be serialized with, beyond its own rows.
///
/// SQLite serializes every write transaction (they are IMMEDIATE), so it
/// needs none of these; PostgreSQL takes an advisory lock for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// Nothing beyond the rows the transaction touches.
    Rows,
    /// Every other transaction that appends to or reads pages of the
    /// operation log, so that log positions commit in order (see
    /// [`highland_exchange::sync`]).
    Log,
    /// Every other login attempt, so that two never read the same count.
    Login,
}

/// A database the hub's queries can run on.
pub trait Backend: Send + Sync + 'static {
    /// Runs `work` in one read-write transaction, committed when it returns
    /// `Ok` and rolled back when it returns `Err`.
    fn write<T, E: From<Error>>(
        &self,
        lock: Lock,
        work: impl FnOnce(&mut dyn Sql) -> Result<T, E>,
    ) -> Result<T, E>;

    /// Runs `work` outside a transaction: each statement sees the database
    /// as of its own start.
    fn read<T>(&self, work: impl FnOnce(&mut dyn Sql) -> Result<T>) -> Result<T>;

    /// Runs `work` in a read-only transaction whose statements all see one
    /// snapshot.
    fn snapshot<T>(&self, work: impl FnOnce(&mut dyn Sql) -> Result<T>) -> Result<T>;
}

/// A connection or transaction that runs statements.
pub trait Sql {
    fn dialect(&self) -> Dialect;

    /// Runs a statement and returns how many rows it changed.
    fn execute(&mut self, sql: &str, params: &[&dyn Param]) -> Result<u64>;

    /// Runs a statement and returns every row it answers.
    fn query(&mut self, sql: &str, params: &[&dyn Param]) -> Result<Vec<Record>>;

    /// The first row, if any.
    fn query_opt(&mut self, sql: &str, params: &[&dyn Param]) -> Result<Option<Record>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first row, which must be there.
    fn query_one(&mut self, sql: &str, params: &[&dyn Param]) -> Result<Record> {
        self.query_opt(sql, params)?.ok_or_else(|| {
            Error::BadRecord("a statement that always answers a row answered none".into())
        })
    }
}

/// A statement's parameter, typed so that PostgreSQL can check it: a null
/// keeps the type of the column it goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

/// What can be bound to a statement.
pub trait Param: Sync {
    fn value(&self) -> Value;
}

impl Param for Value {
    fn value(&self) -> Value {
        self.clone()
    }
}

impl Param for i64 {
    fn value(&self) -> Value {
        Value::Int(Some(*self))
    }
}

impl Param for i32 {
    fn value(&self) -> Value {
        Value::Int(Some(i64::from(*self)))
    }
}

impl Param for str {
    fn value(&self) -> Value {
        Value::Text(Some(self.to_owned()))
    }
}

impl Param for String {
    fn value(&self) -> Value {
        Value::Text(Some(self.clone()))
    }
}

impl Param for [u8] {
    fn value(&self) -> Value {
        Value::Bytes(Some(self.to_vec()))
    }
}

impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> Value {
        (**self).value()
    }
}

impl Param for Option<i64> {
    fn value(&self) -> Value {
        Value::Int(*self)
    }
}

impl Param for Option<i32> {
    fn value(&self) -> Value {
        Value::Int(self.map(i64::from))
    }
}

impl Param for Option<String> {
    fn value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl Param for Option<&str> {
    fn value(&self) -> Value {
        Value::Text(self.map(str::to_owned))
    }
}

/// A column's value in a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// One row a statement answered, its columns by position or by name.
#[derive(Debug, Clone)]
pub struct Record {
    names: Arc<[String]>,
    cells: Vec<Cell>,
}

impl Record {
    pub fn new(names: Arc<[String]>, cells: Vec<Cell>) -> Record {
        Record { names, cells }
    }

    /// The column's value as `T`. A column of another type or a missing
    /// column is a bug in this crate's SQL, not bad data, so it panics,
    /// as `postgres::Row::get` does.
    pub fn get<'a, I: ColumnIndex, T: FromCell<'a>>(&'a self, column: I) -> T {
        match self.try_get(column) {
            Ok(value) => value,
            Err(e) => panic!("{e}"),
        }
    }

    pub fn try_get<'a, I: ColumnIndex, T: FromCell<'a>>(&'a self, column: I) -> Result<T> {
        let i = column
            .position(&self.names)
            .ok_or_else(|| Error::BadRecord(format!("no column {column:?}")))?;
        T::from_cell(&self.cells[i])
            .ok_or_else(|| Error::BadRecord(format!("column {column:?} holds {:?}", self.cells[i])))
    }
}

/// A column by position or by name.
pub trait ColumnIndex: std::fmt::Debug + Copy {
    fn position(self, names: &[String]) -> Option<usize>;
}

impl ColumnIndex for usize {
    fn position(self, names: &[String]) -> Option<usize> {
        (self < names.len()).then_some(self)
    }
}

impl ColumnIndex for &str {
    fn position(self, names: &[String]) -> Option<usize> {
        names.iter().position(|n| n == self)
    }
}

/// A Rust value a column can be read as.
pub trait FromCell<'a>: Sized {
    fn from_cell(cell: &'a Cell) -> Option<Self>;
}

impl FromCell<'_> for i64 {
    fn from_cell(cell: &Cell) -> Option<Self> {
        match cell {
            Cell::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl FromCell<'_> for i32 {
    fn from_cell(cell: &Cell) -> Option<Self> {
        i64::from_cell(cell).and_then(|i| i32::try_from(i).ok())
    }
}

impl FromCell<'_> for String {
    fn from_cell(cell: &Cell) -> Option<Self> {
        match cell {
            Cell::Text(t) => Some(t.clone()),
            _ => None,
        }
    }
}

impl<'a> FromCell<'a> for &'a [u8] {
    fn from_cell(cell: &'a Cell) -> Option<Self> {
        match cell {
            Cell::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

impl<'a> FromCell<'a> for &'a str {
    fn from_cell(cell: &'a Cell) -> Option<Self> {
        match cell {
            Cell::Text(t) => Some(t),
            _ => None,
        }
    }
}

impl<'a, T: FromCell<'a>> FromCell<'a> for Option<T> {
    fn from_cell(cell: &'a Cell) -> Option<Self> {
        match cell {
            Cell::Null => Some(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_columns_by_position_and_name() {
        let record = Record::new(
            Arc::from(vec!["id".to_owned(), "stock".to_owned(), "note".to_owned()]),
            vec![Cell::Text("a".into()), Cell::Int(42), Cell::Null],
        );
        assert_eq!(record.get::<_, &str>(0), "a");
        assert_eq!(record.get::<_, i64>("stock"), 42);
        assert_eq!(record.get::<_, Option<String>>("note"), None);
        assert!(record.try_get::<_, i64>("id").is_err());
        assert!(record.try_get::<_, i64>("missing").is_err());
        assert!(record.try_get::<_, String>(3).is_err());
    }
}
