//! Fresh PostgreSQL databases on the test server (`scripts/pg.sh`), and
//! PostgreSQL's own backup tools, for tests of a hub on PostgreSQL.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::process;

/// The variable that names the test server (an admin URL); `scripts/test.sh` sets it.
pub const POSTGRES_URL_VAR: &str = "HIGHLAND_TEST_POSTGRES_URL";

const LIMIT: Duration = Duration::from_secs(120);

/// A new, empty database on the test server; its URL.
pub fn fresh_database() -> anyhow::Result<String> {
    let admin = std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|u| !u.is_empty())
        .with_context(|| {
            format!("{POSTGRES_URL_VAR} is not set: run ./scripts/test.sh, or scripts/pg.sh start")
        })?;
    let name = format!("e2e_{}", uuid_like());
    tool(
        "psql",
        &[
            &admin,
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            &format!("CREATE DATABASE {name}"),
        ],
    )?;
    let (server, _) = admin
        .rsplit_once('/')
        .context("the admin URL names a database")?;
    Ok(format!("{server}/{name}"))
}

/// `pg_dump --format=custom` of `url` into `file`: the nightly backup.
pub fn dump(url: &str, file: &Path) -> anyhow::Result<()> {
    let file = file.to_str().context("path")?;
    tool("pg_dump", &["--format=custom", "--file", file, url])
}

/// `pg_restore --clean` of `file` into `url`: the backup put back.
pub fn restore(url: &str, file: &Path) -> anyhow::Result<()> {
    let file = file.to_str().context("path")?;
    tool(
        "pg_restore",
        &[
            "--clean",
            "--if-exists",
            "--no-owner",
            "--dbname",
            url,
            file,
        ],
    )
}

fn tool(name: &str, args: &[&str]) -> anyhow::Result<()> {
    let out = process::run(Command::new(name).args(args), LIMIT)
        .with_context(|| format!("{name} {args:?}"))?;
    if !out.status.success() {
        bail!("{name} failed ({}): {}", out.status, out.stderr);
    }
    Ok(())
}

/// Unique enough for a database name, with no dependency for it.
fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}_{:x}", std::process::id(), nanos)
}
