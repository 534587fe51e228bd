//! The PostgreSQL back end: connections, the schema (migrations in
//! `pg/migrations/`, the SQLite tables in PostgreSQL's types), and the
//! [`Backend`] the hub's queries ([`crate::sql`]) run on.
//!
//! The hub keeps no state outside the database, so several hub processes may
//! serve one PostgreSQL database at once. What SQLite gets from its single
//! writer, PostgreSQL gets from transaction-scoped advisory locks: every
//! transaction that reads or appends the log takes [`LOG_LOCK`], and every
//! login attempt takes [`LOGIN_LOCK`] (see their comments).
//!
//! Connections come from a small blocking pool ([`pool::Pool`]), each with
//! its prepared statements ([`conn`]); the HTTP layer calls storage on
//! tokio's blocking threads.

mod conn;
mod pool;

use highland_domain::DeviceId;

use crate::sql::OrDb;
use crate::sql::{Backend, Lock, Sql};
use crate::{Error, Result};

pub use pool::Pool;

/// The schema's history on PostgreSQL, one entry per SQLite migration of the
/// same number. A released entry is never edited, only followed by a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_orders.sql"),
    include_str!("migrations/0003_staff.sql"),
    include_str!("migrations/0004_trace_codes.sql"),
    include_str!("migrations/0005_trace_events.sql"),
    include_str!("migrations/0006_photos.sql"),
    include_str!("migrations/0007_workshop.sql"),
    include_str!("migrations/0008_devices.sql"),
    include_str!("migrations/0009_incarnations.sql"),
    include_str!("migrations/0010_device_history.sql"),
    include_str!("migrations/0011_sale_voids.sql"),
    include_str!("migrations/0012_rounds.sql"),
    include_str!("migrations/0013_backup_mark.sql"),
];

/// The schema version this build writes; a database above it is refused.
pub const LATEST_VERSION: u32 = MIGRATIONS.len() as u32;

/// The advisory lock every transaction that reads or appends the log holds
/// until it ends ("HLOG" in ASCII).
///
/// Why: `seq` comes from a sequence, which hands out numbers when rows are
/// inserted, not when their transactions commit. Under READ COMMITTED two
/// exchanges on two hub processes could insert seq 7 and seq 8, the second
/// commit first, and a device pulling in between would see 8, advance its
/// cursor past 7, and never receive 7. Holding one transaction-scoped lock
/// from before the first read to the commit makes appends and pulls take
/// turns, so numbers are committed in order and a page never has a gap that
/// fills in later. The hub clock row is read and written under the same
/// lock, so two processes never issue the same timestamp either. It is the
/// same discipline as SQLite's IMMEDIATE transaction in `db/mod.rs`.
const LOG_LOCK: i64 = 0x484C_4F47;

/// Serializes login attempts across processes ("HLGN"), as SQLite's IMMEDIATE
/// transaction does: two attempts never read the same failure count.
const LOGIN_LOCK: i64 = 0x484C_474E;

/// Serializes schema upgrades when several hubs start on one new database.
const MIGRATE_LOCK: i64 = 0x484C_4D47;

/// How many connections one hub process keeps by default.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// The hub's PostgreSQL database.
pub struct PgHub {
    pool: Pool,
}

impl PgHub {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/database`),
    /// upgrading the schema if it is older than this build.
    pub fn open(url: &str) -> Result<PgHub> {
        PgHub::open_with(url, DEFAULT_POOL_SIZE)
    }

    pub fn open_with(url: &str, pool_size: usize) -> Result<PgHub> {
        let pool = Pool::new(url, pool_size)?;
        migrate(&mut *pool.get()?)?;
        let hub = PgHub { pool };
        hub.write(Lock::Rows, crate::sql::trace::fill_in_codes)?;
        Ok(hub)
    }

    /// Closes every idle connection.
    pub fn close(self) -> Result<()> {
        self.pool.close()
    }
}

/// Runs every missing upgrade in one transaction under [`MIGRATE_LOCK`].
/// The version lives in `highland_schema`, the PostgreSQL counterpart of
/// SQLite's `application_id` and `user_version`.
fn migrate(client: &mut postgres::Client) -> Result<()> {
    let mut tx = client.transaction().or_db()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])
        .or_db()?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS highland_schema (
             id          INTEGER PRIMARY KEY CHECK (id = 1),
             application TEXT    NOT NULL,
             version     INTEGER NOT NULL
         )",
    )
    .or_db()?;
    let found = tx
        .query_opt("SELECT application, version FROM highland_schema", &[])
        .or_db()?;
    let version = match found {
        None => {
            let tables: i64 = tx
                .query_one(
                    "SELECT count(*) FROM information_schema.tables
                     WHERE table_schema = current_schema() AND table_name <> 'highland_schema'",
                    &[],
                )
                .or_db()?
                .get(0);
            if tables > 0 {
                return Err(not_hub());
            }
            tx.execute(
                "INSERT INTO highland_schema (id, application, version)
                 VALUES (1, 'highland-hub', 0)",
                &[],
            )
            .or_db()?;
            0
        }
        Some(row) => {
            if row.get::<_, &str>(0) != "highland-hub" {
                return Err(not_hub());
            }
            row.get::<_, i32>(1) as u32
        }
    };
    if version > LATEST_VERSION {
        return Err(Error::DatabaseTooNew {
            path: "the PostgreSQL database".into(),
            found: version,
            supported: LATEST_VERSION,
        });
    }
    for sql in MIGRATIONS.iter().skip(version as usize) {
        tx.batch_execute(sql).or_db()?;
    }
    // The hub's own device id, made once (see db/open.rs).
    tx.execute(
        "INSERT INTO hub_identity (id, device_id) VALUES (1, $1) ON CONFLICT DO NOTHING",
        &[&DeviceId::new().to_string()],
    )
    .or_db()?;
    tx.execute(
        "UPDATE hub_identity SET seal_key = $1 WHERE id = 1 AND seal_key IS NULL",
        &[&crate::secret::new_seal_key()],
    )
    .or_db()?;
    tx.execute(
        "UPDATE highland_schema SET version = $1",
        &[&(LATEST_VERSION as i32)],
    )
    .or_db()?;
    tx.commit().or_db()?;
    Ok(())
}

fn not_hub() -> Error {
    Error::NotHubDatabase {
        path: "the PostgreSQL database".into(),
    }
}

impl Backend for PgHub {
    fn write<T, E: From<Error>>(
        &self,
        lock: Lock,
        work: impl FnOnce(&mut dyn Sql) -> Result<T, E>,
    ) -> Result<T, E> {
        let key = match lock {
            Lock::Rows => None,
            Lock::Log => Some(LOG_LOCK),
            Lock::Login => Some(LOGIN_LOCK),
        };
        self.pool.get()?.transaction(|tx| {
            if let Some(key) = key {
                // Released when the transaction commits or rolls back.
                tx.execute("SELECT pg_advisory_xact_lock(?1)", &[&key])?;
            }
            work(tx)
        })
    }

    fn read<T>(&self, work: impl FnOnce(&mut dyn Sql) -> Result<T>) -> Result<T> {
        work(&mut self.pool.get()?.db())
    }

    fn snapshot<T>(&self, work: impl FnOnce(&mut dyn Sql) -> Result<T>) -> Result<T> {
        self.pool.get()?.snapshot(|tx| work(tx))
    }
}
