//! [`Sql`] on a PostgreSQL connection or transaction: each statement is
//! prepared once per connection and kept with it, its SQLite placeholders
//! (`?1`) turned into PostgreSQL's (`$1`), and rows read into [`Record`]s.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use postgres::types::{ToSql, Type};
use postgres::{GenericClient, Row, Statement};

use crate::sql::OrDb;
use crate::sql::{Cell, Dialect, Param, Record, Sql, Value};
use crate::{Error, Result};

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

    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(statement) = self.statements.0.get(sql) {
            return Ok(statement.clone());
        }
        // A statement prepared inside a transaction outlives it: PostgreSQL's
        // prepared statements belong to the session, not the transaction.
        let statement = self.client.prepare(&dialect(sql)).or_db()?;
        self.statements.0.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

impl<C: GenericClient> Sql for Db<'_, C> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[&dyn Param]) -> Result<u64> {
        let statement = self.statement(sql)?;
        let bound = bind(params);
        self.client.execute(&statement, &refs(&bound)).or_db()
    }

    fn query(&mut self, sql: &str, params: &[&dyn Param]) -> Result<Vec<Record>> {
        let statement = self.statement(sql)?;
        let bound = bind(params);
        let rows = self.client.query(&statement, &refs(&bound)).or_db()?;
        let names: Arc<[String]> = statement
            .columns()
            .iter()
            .map(|c| c.name().to_owned())
            .collect();
        rows.iter()
            .map(|row| {
                let cells = (0..names.len())
                    .map(|i| cell(row, i))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Record::new(names.clone(), cells))
            })
            .collect()
    }
}

type Bound = Box<dyn ToSql + Sync>;

/// Each value with the Rust type PostgreSQL checks against its column; a
/// null keeps its type too.
fn bind(params: &[&dyn Param]) -> Vec<Bound> {
    params
        .iter()
        .map(|p| match p.value() {
            Value::Int(i) => Box::new(i) as Bound,
            Value::Text(t) => Box::new(t) as Bound,
            Value::Bytes(b) => Box::new(b) as Bound,
        })
        .collect()
}

fn refs(bound: &[Bound]) -> Vec<&(dyn ToSql + Sync)> {
    bound.iter().map(|b| b.as_ref()).collect()
}

fn cell(row: &Row, i: usize) -> Result<Cell> {
    let column = &row.columns()[i];
    let ty = column.type_();
    let value = if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i).or_db()?.map(Cell::Int)
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i)
            .or_db()?
            .map(|v| Cell::Int(v.into()))
    } else if *ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(i)
            .or_db()?
            .map(|v| Cell::Int(v.into()))
    } else if [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(ty) {
        row.try_get::<_, Option<String>>(i).or_db()?.map(Cell::Text)
    } else if *ty == Type::BYTEA {
        row.try_get::<_, Option<Vec<u8>>>(i)
            .or_db()?
            .map(Cell::Bytes)
    } else {
        return Err(Error::BadRecord(format!(
            "column {} is of type {ty}, which the hub does not read",
            column.name()
        )));
    };
    Ok(value.unwrap_or(Cell::Null))
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
