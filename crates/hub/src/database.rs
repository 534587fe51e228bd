//! Where the hub's database is: a data directory (`--data-dir DIR`, with
//! `hub.db` inside) or a URL (`--database-url URL`), and [`open_storage`],
//! the one place that turns either into a [`Storage`]: SQLite
//! ([`crate::HubDb`]) or PostgreSQL (`crate::pg::PgHub`, with the `postgres`
//! feature). A new backend is
//! a new [`Database`] variant and one match arm here.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::db::DATABASE_FILE;
#[cfg(feature = "postgres")]
use crate::pg::PgHub;
use crate::{Error, HubDb, Result, Storage};

/// A database the hub can be pointed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file, created (with its directory) when missing.
    Sqlite(PathBuf),
    /// A PostgreSQL URL. Kept whole (it may hold a password, so it is never
    /// printed).
    Postgres(String),
}

impl Database {
    /// The SQLite file in a data directory.
    pub fn in_dir(dir: &Path) -> Database {
        Database::Sqlite(dir.join(DATABASE_FILE))
    }

    /// Reads a database URL: `sqlite:///absolute/path/hub.db`,
    /// `sqlite://relative/path/hub.db` (or `sqlite:path`), or
    /// `postgres://…` / `postgresql://…`.
    pub fn from_url(url: &str) -> Result<Database> {
        let url = url.trim();
        let bad = |why: &str| Error::DatabaseUrl(format!("--database-url: {why}"));
        let Some((scheme, rest)) = url.split_once(':') else {
            return Err(bad(
                "not a URL; write sqlite:///path/to/hub.db, or use --data-dir DIR",
            ));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => {
                let path = rest.strip_prefix("//").unwrap_or(rest);
                if path.is_empty() {
                    return Err(bad("the URL names no file: write sqlite:///path/to/hub.db"));
                }
                if path == ":memory:" || path.contains('?') || path.contains('#') {
                    return Err(bad(
                        "only a file path is accepted (no :memory:, no ?options): \
                         write sqlite:///path/to/hub.db",
                    ));
                }
                Ok(Database::Sqlite(PathBuf::from(windows_drive(path))))
            }
            "postgres" | "postgresql" => Ok(Database::Postgres(url.to_owned())),
            other => Err(bad(&format!(
                "this hub cannot use a {other:?} database; write sqlite:///path/to/hub.db"
            ))),
        }
    }
}

impl Database {
    /// The database for a log line: a SQLite file's path, or PostgreSQL's
    /// hosts and database name, without the user or password.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres(url) => describe_postgres(url),
        }
    }
}

/// PostgreSQL's hosts and database name, without the user or password.
#[cfg(feature = "postgres")]
fn describe_postgres(url: &str) -> String {
    match url.parse::<postgres::Config>() {
        Ok(config) => {
            let hosts: Vec<String> = config
                .get_hosts()
                .iter()
                .map(|host| match host {
                    postgres::config::Host::Tcp(name) => name.clone(),
                    #[cfg(unix)]
                    postgres::config::Host::Unix(path) => path.display().to_string(),
                })
                .collect();
            let name = config.get_dbname().unwrap_or("(default database)");
            format!("postgresql on {}, database {name}", hosts.join(","))
        }
        Err(_) => "postgresql".to_owned(),
    }
}

#[cfg(not(feature = "postgres"))]
fn describe_postgres(_url: &str) -> String {
    "postgresql".to_owned()
}

/// `sqlite:///C:/data/hub.db` names `C:/data/hub.db`, not `/C:/data/hub.db`.
fn windows_drive(path: &str) -> &str {
    let bytes = path.as_bytes();
    match bytes {
        [b'/', drive, b':', b'/', ..] if drive.is_ascii_alphabetic() => &path[1..],
        _ => path,
    }
}

/// Opens the database, upgrading its schema if it is older than this build.
///
/// Blocks (PostgreSQL's client runs a runtime of its own): call it before
/// entering tokio, or on its blocking pool.
pub fn open_storage(database: &Database) -> Result<Arc<dyn Storage>> {
    match database {
        Database::Sqlite(path) => Ok(Arc::new(open_sqlite(path)?)),
        #[cfg(feature = "postgres")]
        Database::Postgres(url) => Ok(Arc::new(PgHub::open(url)?)),
        // The desktop app's workshop hub: SQLite only.
        #[cfg(not(feature = "postgres"))]
        Database::Postgres(_) => Err(Error::DatabaseUrl(
            "--database-url: this highland-hub was built without PostgreSQL; \
             write sqlite:///path/to/hub.db"
                .to_owned(),
        )),
    }
}

/// Opens a SQLite file, creating its directory when missing.
pub fn open_sqlite(path: &Path) -> Result<HubDb> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    HubDb::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_as_a_table() {
        let sqlite = |p: &str| Ok(Database::Sqlite(PathBuf::from(p)));
        let cases: Vec<(&str, Result<Database, ()>)> = vec![
            (
                "sqlite:///var/lib/highland/hub.db",
                sqlite("/var/lib/highland/hub.db"),
            ),
            ("sqlite://data/hub.db", sqlite("data/hub.db")),
            ("sqlite:data/hub.db", sqlite("data/hub.db")),
            ("SQLITE:///tmp/hub.db", sqlite("/tmp/hub.db")),
            ("sqlite:///C:/highland/hub.db", sqlite("C:/highland/hub.db")),
            (
                "postgres://hub:secret@db/highland",
                Ok(Database::Postgres(
                    "postgres://hub:secret@db/highland".into(),
                )),
            ),
            (
                "postgresql://db/highland",
                Ok(Database::Postgres("postgresql://db/highland".into())),
            ),
            ("sqlite://", Err(())),
            ("sqlite::memory:", Err(())),
            ("sqlite:///tmp/hub.db?mode=rwc", Err(())),
            ("mysql://db/highland", Err(())),
            ("/var/lib/highland/hub.db", Err(())),
        ];
        for (url, expected) in cases {
            let got = Database::from_url(url).map_err(|e| {
                assert!(e.to_string().starts_with("--database-url: "), "{e}");
            });
            assert_eq!(got, expected, "{url}");
        }
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn an_unreachable_postgres_server_is_an_error_that_keeps_the_password() {
        // Port 1 on loopback: nothing listens there, so the connection is
        // refused at once.
        let url = "postgres://hub:s3cret-pw@127.0.0.1:1/highland";
        let err = open_storage(&Database::from_url(url).unwrap())
            .err()
            .expect("no server, no storage")
            .to_string();
        assert!(!err.contains("s3cret-pw"), "{err}");
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn a_malformed_postgres_url_is_refused_without_echoing_it() {
        let url = "postgres://hub:s3cret-pw@127.0.0.1:notaport/highland";
        let err = open_storage(&Database::from_url(url).unwrap())
            .err()
            .expect("a bad URL opens nothing")
            .to_string();
        assert!(
            err.starts_with("--database-url: not a PostgreSQL URL"),
            "{err}"
        );
        assert!(!err.contains("s3cret-pw"), "{err}");
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn a_database_is_described_without_its_password() {
        let pg = Database::from_url("postgres://hub:s3cret@db.example:5433/highland").unwrap();
        assert_eq!(pg.describe(), "postgresql on db.example, database highland");
        let file = Database::from_url("sqlite:///var/lib/highland/hub.db").unwrap();
        assert_eq!(file.describe(), "/var/lib/highland/hub.db");
    }

    #[cfg(not(feature = "postgres"))]
    #[test]
    fn a_hub_built_without_postgres_says_so_and_keeps_the_password() {
        let url = "postgres://hub:s3cret-pw@db.example/highland";
        let err = open_storage(&Database::from_url(url).unwrap())
            .err()
            .expect("no PostgreSQL in this build")
            .to_string();
        assert!(err.contains("built without PostgreSQL"), "{err}");
        assert!(!err.contains("s3cret-pw"), "{err}");
    }

    #[test]
    fn a_sqlite_url_creates_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new").join("hub.db");
        let url = format!("sqlite://{}", path.display());
        let store = open_storage(&Database::from_url(&url).unwrap()).unwrap();
        assert_eq!(store.log_length().unwrap(), 0);
        assert!(path.exists());
    }
}
