//! `highland-hub migrate --to postgres://...`: a SQLite hub moved onto
//! PostgreSQL (see [`highland_hub::migrate`]).

use anyhow::{Context, bail};
use highland_hub::pg::PgHub;
use highland_hub::{Database, HubDb};

use super::print_json;

pub(crate) fn run(database: &Database, to: &str, json: bool, now_ms: u64) -> anyhow::Result<()> {
    let Database::Sqlite(path) = database else {
        bail!(
            "migrate moves a SQLite hub (--data-dir) onto PostgreSQL; this one is already on PostgreSQL"
        );
    };
    let Database::Postgres(url) = Database::from_url(to).context("--to")? else {
        bail!("--to must be a postgres:// database");
    };
    let source = HubDb::open(path).with_context(|| format!("opening {}", path.display()))?;
    let target = PgHub::open(&url).context("opening the PostgreSQL database")?;
    let moved = highland_hub::migrate::to_postgres(&source, &target, now_ms)?;
    target.close()?;
    source.close()?;
    if json {
        return print_json(&moved);
    }
    for (table, rows) in &moved.tables {
        println!("{rows:>8}  {table}");
    }
    println!(
        "Moved {} onto PostgreSQL, as incarnation {} ({}). Serve it with --database-url, and \
         the same photo store: --photo-dir {} (or copy the files to the new store).",
        path.display(),
        moved.incarnation.number,
        moved.incarnation.id,
        path.with_file_name("photos").display()
    );
    Ok(())
}
