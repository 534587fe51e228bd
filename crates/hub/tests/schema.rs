//! The two back ends' migrations are written twice, once in each dialect
//! (crates/hub/src/db/migrations and pg/migrations). This builds a fresh
//! database of each from its migrations and checks that they define the
//! same tables, columns (type, nullability, primary key) and indexes, so a
//! migration added to one and forgotten, or mistyped, in the other fails
//! here rather than on a buyer's server. Needs PostgreSQL (see postgres.rs).

mod common;

use std::collections::BTreeSet;

use common::{PostgresDatabase, off_runtime};
use highland_hub::pg::PgHub;
use highland_hub::{Database, HubDb};

/// A column as both dialects can say it: (table, column, type, not null,
/// part of the primary key).
type Column = (String, String, &'static str, bool, bool);
/// An index by what it does: (table, its columns in order, unique).
type Index = (String, Vec<String>, bool);

/// The type a column holds, whatever the dialect calls it.
fn kind(declared: &str) -> &'static str {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "int" | "smallint" | "int8" | "int4" => "integer",
        "text" | "character varying" | "varchar" => "text",
        "blob" | "bytea" => "bytes",
        "real" | "double precision" => "real",
        other => panic!("a column type neither dialect should use: {other}"),
    }
}

fn sqlite_schema(path: &std::path::Path) -> (BTreeSet<Column>, BTreeSet<Index>) {
    let db = rusqlite::Connection::open(path).unwrap();
    let mut columns = BTreeSet::new();
    let mut statement = db
        .prepare(
            "SELECT m.name, p.name, p.type, p.\"notnull\", p.pk
             FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
        )
        .unwrap();
    let rows = statement
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, i64>(4)? > 0,
            ))
        })
        .unwrap();
    for row in rows {
        let (table, column, declared, not_null, pk) = row.unwrap();
        // SQLite lets a primary key hold NULL unless told; PostgreSQL never does.
        columns.insert((table, column, kind(&declared), not_null || pk, pk));
    }
    let mut indexes = BTreeSet::new();
    let mut statement = db
        .prepare(
            "SELECT m.name, l.name, l.\"unique\"
             FROM sqlite_master m JOIN pragma_index_list(m.name) l
             WHERE m.type = 'table' AND l.origin <> 'pk'",
        )
        .unwrap();
    let listed: Vec<(String, String, bool)> = statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (table, index, unique) in listed {
        let mut statement = db
            .prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
            .unwrap();
        let columns: Vec<String> = statement
            .query_map([&index], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        indexes.insert((table, columns, unique));
    }
    (columns, indexes)
}

fn postgres_schema(url: &str) -> (BTreeSet<Column>, BTreeSet<Index>) {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let primary: BTreeSet<(String, String)> = client
        .query(
            "SELECT c.relname, a.attname FROM pg_index i
             JOIN pg_class c ON c.oid = i.indrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
             WHERE i.indisprimary",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let columns = client
        .query(
            "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'NO'
             FROM information_schema.columns WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| {
            let (table, column): (String, String) = (r.get(0), r.get(1));
            let pk = primary.contains(&(table.clone(), column.clone()));
            (table, column, kind(r.get(2)), r.get(3), pk)
        })
        .collect();
    let indexes = client
        .query(
            "SELECT c.relname,
                    array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(n, o)
                          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.n
                          ORDER BY k.o),
                    i.indisunique
             FROM pg_index i
             JOIN pg_class c ON c.oid = i.indrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
             WHERE NOT i.indisprimary",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    (columns, indexes)
}

#[test]
fn both_back_ends_migrate_to_the_same_tables_columns_and_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Database::in_dir(dir.path());
    let Database::Sqlite(path) = &sqlite else {
        unreachable!("in_dir is SQLite")
    };
    HubDb::open(path).unwrap().close().unwrap();
    let (sqlite_columns, sqlite_indexes) = sqlite_schema(path);

    let postgres = PostgresDatabase::create();
    let url = postgres.url.clone();
    off_runtime(move || PgHub::open(&url).unwrap().close().unwrap());
    let (pg_columns, pg_indexes) = off_runtime(|| postgres_schema(&postgres.url));

    // Each keeps its schema version its own way (PRAGMA user_version, a
    // table of its own), which is not part of the hub's schema.
    let pg_columns: BTreeSet<Column> = pg_columns
        .into_iter()
        .filter(|c| c.0 != "highland_schema")
        .collect();
    let pg_indexes: BTreeSet<Index> = pg_indexes
        .into_iter()
        .filter(|i| i.0 != "highland_schema")
        .collect();

    let missing: Vec<_> = sqlite_columns.symmetric_difference(&pg_columns).collect();
    assert!(
        missing.is_empty(),
        "columns that differ (table, column, type, not null, primary key): {missing:#?}"
    );
    assert!(
        sqlite_columns.len() > 50,
        "{} columns",
        sqlite_columns.len()
    );
    let differ: Vec<_> = sqlite_indexes.symmetric_difference(&pg_indexes).collect();
    assert!(
        differ.is_empty(),
        "indexes that differ (table, columns, unique): {differ:#?}"
    );
}
