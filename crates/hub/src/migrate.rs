//! Moving a SQLite hub onto PostgreSQL (`highland-hub migrate --to URL`),
//! for a cooperative that outgrew one file: every row of every table,
//! as it is, so that devices go on syncing with the tokens and cursors they
//! hold, staff with theirs, and the log keeps its positions.
//!
//! Both back ends build the same schema from their migrations (a test
//! checks it), so the copy is generic: tables in the order their foreign
//! keys allow, columns by name, values by the type SQLite declares. The
//! source is read in one snapshot; the target is written in one
//! transaction, which either holds the whole hub or nothing. The target
//! then begins a new incarnation ([`highland_exchange::history`]).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::db::HubDb;
use crate::pg::PgHub;
use crate::sql::{Backend, Lock, Param, Record, Sql, Value, history};
use crate::{Error, Result};
use highland_exchange::history::{Beginning, Incarnation};

/// What was moved.
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    /// Each table with the number of rows copied, in the order copied.
    pub tables: Vec<(String, u64)>,
    pub incarnation: Incarnation,
}

/// One table of the source, read whole.
struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
    rows: Vec<Record>,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Int,
    Text,
    Bytes,
}

/// Copies the hub in `source` into the empty PostgreSQL hub `target`.
pub fn to_postgres(source: &HubDb, target: &PgHub, now_ms: u64) -> Result<Moved> {
    let tables = source.snapshot(read_all)?;
    target.write(Lock::Log, |tx| {
        refuse_unless_empty(tx)?;
        // The target's own migrations made rows of their own (a hub
        // identity, a clock); the source's are the ones its log was
        // written under.
        for table in tables.iter().rev() {
            tx.execute(&format!("DELETE FROM {}", table.name), &[])?;
        }
        let mut copied = Vec::with_capacity(tables.len());
        for table in &tables {
            copy(tx, table)?;
            copied.push((table.name.clone(), table.rows.len() as u64));
        }
        continue_sequences(tx)?;
        let incarnation = history::begin(tx, Beginning::Migrated, now_ms)?;
        Ok(Moved {
            tables: copied,
            incarnation,
        })
    })
}

fn read_all(db: &mut dyn Sql) -> Result<Vec<Table>> {
    let names: Vec<String> = db
        .query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            &[],
        )?
        .iter()
        .map(|r| r.get::<_, &str>(0).to_owned())
        .collect();
    let mut tables = Vec::new();
    for name in in_key_order(db, names)? {
        let columns = db
            .query(
                "SELECT name, upper(type) FROM pragma_table_info(?1) ORDER BY cid",
                &[&name],
            )?
            .iter()
            .map(|r| {
                let (column, declared): (&str, &str) = (r.get(0), r.get(1));
                let kind = match declared {
                    "INTEGER" => Kind::Int,
                    "TEXT" => Kind::Text,
                    "BLOB" => Kind::Bytes,
                    other => {
                        return Err(Error::BadRecord(format!(
                            "{name}.{column} is declared {other}, which the move does not know"
                        )));
                    }
                };
                Ok((column.to_owned(), kind))
            })
            .collect::<Result<Vec<_>>>()?;
        let list = column_list(&columns);
        let rows = db.query(&format!("SELECT {list} FROM {name}"), &[])?;
        tables.push(Table {
            name,
            columns,
            rows,
        });
    }
    Ok(tables)
}

/// The tables ordered so that each comes after those its foreign keys
/// point to.
fn in_key_order(db: &mut dyn Sql, names: Vec<String>) -> Result<Vec<String>> {
    let mut needs = Vec::new();
    for name in &names {
        let parents: BTreeSet<String> = db
            .query("SELECT \"table\" FROM pragma_foreign_key_list(?1)", &[name])?
            .iter()
            .map(|r| r.get::<_, &str>(0).to_owned())
            .filter(|parent| parent != name)
            .collect();
        needs.push((name.clone(), parents));
    }
    let mut ordered: Vec<String> = Vec::new();
    while !needs.is_empty() {
        let ready = needs
            .iter()
            .position(|(_, parents)| parents.iter().all(|p| ordered.contains(p)))
            .ok_or_else(|| Error::BadRecord("the tables' foreign keys form a circle".into()))?;
        ordered.push(needs.remove(ready).0);
    }
    Ok(ordered)
}

fn refuse_unless_empty(tx: &mut dyn Sql) -> Result<()> {
    for table in ["sellers", "devices", "op_log", "staff"] {
        let rows: i64 = tx
            .query_one(
                &format!("SELECT CAST(count(*) AS BIGINT) FROM {table}"),
                &[],
            )?
            .get(0);
        if rows > 0 {
            return Err(Error::DatabaseUrl(format!(
                "the database to move to already holds a hub ({rows} rows in {table}); \
                 move into an empty database"
            )));
        }
    }
    Ok(())
}

fn copy(tx: &mut dyn Sql, table: &Table) -> Result<()> {
    let list = column_list(&table.columns);
    let placeholders = (1..=table.columns.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let insert = format!(
        "INSERT INTO {} ({list}) VALUES ({placeholders})",
        table.name
    );
    for row in &table.rows {
        let values: Vec<Value> = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, kind))| match kind {
                Kind::Int => Value::Int(row.get(i)),
                Kind::Text => Value::Text(row.get(i)),
                Kind::Bytes => Value::Bytes(row.get::<_, Option<&[u8]>>(i).map(<[u8]>::to_vec)),
            })
            .collect();
        let params: Vec<&dyn Param> = values.iter().map(|v| v as &dyn Param).collect();
        tx.execute(&insert, &params)?;
    }
    Ok(())
}

/// Rows were copied with their own keys: each serial column's sequence
/// goes on after the highest, so the log hands out no position twice.
fn continue_sequences(tx: &mut dyn Sql) -> Result<()> {
    let serial = tx.query(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'",
        &[],
    )?;
    for column in &serial {
        let (table, name): (&str, &str) = (column.get(0), column.get(1));
        tx.query(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{name}'),
                               GREATEST((SELECT max({name}) FROM {table}), 1),
                               (SELECT max({name}) FROM {table}) IS NOT NULL)"
            ),
            &[],
        )?;
    }
    Ok(())
}

/// Column names quoted, since some are keywords (`offset`).
fn column_list(columns: &[(String, Kind)]) -> String {
    columns
        .iter()
        .map(|(name, _)| format!("\"{name}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
