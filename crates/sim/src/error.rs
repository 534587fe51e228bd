//! Why a run failed. A [`SimError::Violation`] is what the simulation exists
//! to find; every other variant is a part that failed where nothing should
//! (an error from the engine or the hub on a valid request), which is a
//! finding too.

use highland_engine::StoreError;
use highland_engine::sync::{HubError, SyncError};
use highland_exchange::orders::OrderError;
use highland_exchange::rounds::RoundError;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("invariant broken: {0}")]
    Violation(String),
    #[error("a device's store failed: {0}")]
    Store(#[from] StoreError),
    #[error("a device's sync stopped: {0}")]
    Sync(#[from] SyncError),
    #[error("the network gave an answer the device could not take: {0}")]
    Wire(#[from] HubError),
    #[error("the hub failed: {0}")]
    Hub(#[from] highland_hub::Error),
    #[error("the hub failed a staff action: {0}")]
    Order(#[from] OrderError),
    #[error("the hub failed a staff action on a round: {0}")]
    Round(#[from] RoundError),
    #[error("reading a SQLite file: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the hub's PostgreSQL database: {}", postgres_detail(.0))]
    Postgres(#[from] postgres::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Setup(String),
}

pub type Result<T, E = SimError> = std::result::Result<T, E>;

/// The server's own message, which `postgres::Error` keeps out of its
/// `Display` ("db error").
fn postgres_detail(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{e}: {}", db.message()),
        None => e.to_string(),
    }
}

/// Fails the run with `why` unless `holds`.
pub fn ensure(holds: bool, why: impl FnOnce() -> String) -> Result<()> {
    if holds {
        Ok(())
    } else {
        Err(SimError::Violation(why()))
    }
}
