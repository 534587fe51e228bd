//! A connection's statements, prepared once and kept with the connection,
//! and the [`Sql`] calls the PostgreSQL storage makes through them.
//!
//! Statements may be written with SQLite's numbered placeholders (`?1`),
//! which are turned into PostgreSQL's (`$1`) when they are prepared, so a
//! statement the two dialects share is written once (see `crate::sql`).

use std::borrow::Cow;
use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{GenericClient, Row, Statement};

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

/// The prepared statements of one connection, by their text as written.
/// Bounded by the number of distinct statements in this crate.
#[derive(Default)]
pub struct Statements(HashMap<String, Statement>);

/// A connection or a transaction, with its connection's statements.
pub struct Db<'a, C> {
    client: &'a mut C,
    statements: &'a mut Statements,
}

impl<'a, C: GenericClient> Db<'a, C> {
    pub fn new(client: &'a mut C, statements: &'a mut Statements) -> Self {
        Db { client, statements }
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.statements.0.get(sql) {
            return Ok(statement.clone());
        }
        // A statement prepared inside a transaction outlives it: PostgreSQL's
        // prepared statements belong to the session, not the transaction.
        let statement = self.client.prepare(&dialect(sql))?;
        self.statements.0.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

/// What the PostgreSQL storage asks of a connection or a transaction: the
/// calls of `postgres::GenericClient`, through prepared statements.
pub trait Sql {
    fn execute(&mut self, sql: &str, params: Params<'_>) -> Result<u64, postgres::Error>;
    fn query(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, postgres::Error>;
    fn query_opt(&mut self, sql: &str, params: Params<'_>) -> Result<Option<Row>, postgres::Error>;
    fn query_one(&mut self, sql: &str, params: Params<'_>) -> Result<Row, postgres::Error>;
}

impl<C: GenericClient> Sql for Db<'_, C> {
    fn execute(&mut self, sql: &str, params: Params<'_>) -> Result<u64, postgres::Error> {
        let statement = self.statement(sql)?;
        self.client.execute(&statement, params)
    }

    fn query(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, postgres::Error> {
        let statement = self.statement(sql)?;
        self.client.query(&statement, params)
    }

    fn query_opt(&mut self, sql: &str, params: Params<'_>) -> Result<Option<Row>, postgres::Error> {
        let statement = self.statement(sql)?;
        self.client.query_opt(&statement, params)
    }

    fn query_one(&mut self, sql: &str, params: Params<'_>) -> Result<Row, postgres::Error> {
        let statement = self.statement(sql)?;
        self.client.query_one(&statement, params)
    }
}

/// `?1` becomes `$1`; everything else, `$1` included, is kept. Quoted text
/// is left alone, so a `?` inside a string literal stays a `?`.
pub fn dialect(sql: &str) -> Cow<'_, str> {
    if !sql.contains('?') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted && chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::dialect;

    #[test]
    fn numbered_placeholders_become_postgres_ones() {
        let cases = [
            ("SELECT 1", "SELECT 1"),
            (
                "UPDATE t SET a = ?1 WHERE b = ?12",
                "UPDATE t SET a = $1 WHERE b = $12",
            ),
            ("WHERE a = $1 OR b = ?2", "WHERE a = $1 OR b = $2"),
            (
                "WHERE note = 'why?1' AND a = ?1",
                "WHERE note = 'why?1' AND a = $1",
            ),
            ("SELECT '?' , ?", "SELECT '?' , ?"),
        ];
        for (sqlite, postgres) in cases {
            assert_eq!(dialect(sqlite), postgres, "{sqlite}");
        }
    }
}
