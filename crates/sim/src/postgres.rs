//! A PostgreSQL database of one run's own, on a server the caller names
//! (`--postgres-url`, an admin URL such as `scripts/pg.sh start` prints):
//! created empty when the run starts and dropped when it ends. Backups are
//! PostgreSQL's own tools, as an operator would take them.

use std::path::Path;
use std::process::Command;

use crate::error::{Result, SimError};

pub struct RunDatabase {
    admin: String,
    name: String,
    url: String,
}

impl RunDatabase {
    /// A new empty database named `name` (dropped first if a run that
    /// died left it behind).
    pub fn create(admin: &str, name: &str) -> Result<RunDatabase> {
        let (server, _) = admin.rsplit_once('/').ok_or_else(|| {
            SimError::Setup(format!(
                "{admin:?} is not a PostgreSQL URL with a database, like postgres://host:5432/postgres"
            ))
        })?;
        let mut client = postgres::Client::connect(admin, postgres::NoTls)?;
        // One statement each: CREATE DATABASE runs in no transaction.
        client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
        client.batch_execute(&format!("CREATE DATABASE {name}"))?;
        Ok(RunDatabase {
            admin: admin.to_owned(),
            name: name.to_owned(),
            url: format!("{server}/{name}"),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// `pg_dump --format=custom` into `out`: the nightly backup.
    pub fn dump(&self, out: &Path) -> Result<()> {
        tool(
            Command::new("pg_dump")
                .arg("--format=custom")
                .arg("--file")
                .arg(out)
                .arg(&self.url),
        )
    }

    /// `pg_restore --clean` of `from`: the backup put back.
    pub fn restore(&self, from: &Path) -> Result<()> {
        tool(
            Command::new("pg_restore")
                .args(["--clean", "--if-exists", "--no-owner", "--dbname"])
                .arg(&self.url)
                .arg(from),
        )
    }
}

impl Drop for RunDatabase {
    fn drop(&mut self) {
        // Best effort: a database left behind is dropped by the next run
        // of the same name, or with the throwaway server.
        if let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

fn tool(command: &mut Command) -> Result<()> {
    let out = command.output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(SimError::Setup(format!(
            "{command:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}
