//! `highland-hub backup` and `highland-hub restore`: a consistent copy of a
//! SQLite hub while it serves, and putting one back as a new incarnation.
//! PostgreSQL is backed up with its own tools; `restore` then tells the hub
//! it went back (docs/operations.md).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use highland_exchange::history::{Beginning, Incarnation};
use highland_hub::db::backup;
use highland_hub::{Database, open_storage};

use super::print_json;

/// `backup --out FILE [--json]`.
pub(crate) fn backup(database: &Database, out: &Path, json: bool) -> anyhow::Result<()> {
    let Database::Sqlite(path) = database else {
        bail!(
            "a PostgreSQL hub is backed up with pg_dump or point-in-time recovery, and its photo \
             store beside it; see docs/operations.md"
        );
    };
    let summary =
        backup::backup(path, out).with_context(|| format!("backing up {}", path.display()))?;
    if json {
        return print_json(&summary);
    }
    println!(
        "Backed up {} to {} ({} bytes): {} sellers, {} devices, the log up to position {}.",
        path.display(),
        summary.file.display(),
        summary.bytes,
        summary.sellers,
        summary.devices,
        summary.log_end
    );
    println!("The photo files are not in it: copy the photo store beside it.");
    Ok(())
}

/// What `restore --json` prints.
#[derive(serde::Serialize)]
struct Restored {
    incarnation: Incarnation,
    /// Where the database it replaced was moved (SQLite), if there was one.
    replaced: Option<PathBuf>,
}

/// `restore [--from FILE] [--force] [--json]`.
pub(crate) fn restore(
    database: &Database,
    from: Option<&Path>,
    force: bool,
    json: bool,
    now_ms: u64,
) -> anyhow::Result<()> {
    let replaced = match (database, from) {
        (Database::Sqlite(path), Some(from)) => backup::restore(from, path, force, now_ms)
            .with_context(|| format!("restoring {} from {}", path.display(), from.display()))?,
        (Database::Sqlite(_), None) => bail!("--from FILE: the backup to restore"),
        (Database::Postgres(_), Some(_)) => bail!(
            "restore a PostgreSQL hub with pg_restore or point-in-time recovery, then run \
             `highland-hub restore` without --from, so the hub knows it went back; see \
             docs/operations.md"
        ),
        (Database::Postgres(_), None) => None,
    };
    let store = open_storage(database).context("opening the restored database")?;
    let incarnation = store.begin_incarnation(Beginning::Restored, now_ms)?;
    if json {
        return print_json(&Restored {
            incarnation,
            replaced,
        });
    }
    if let Some(aside) = &replaced {
        println!("The database it replaced is kept as {}.", aside.display());
    }
    println!(
        "The hub is now incarnation {} ({}), begun at log position {}: every sync answer says \
         so, and tells devices how far its log reaches.",
        incarnation.number, incarnation.id, incarnation.log_start
    );
    Ok(())
}
