//! Opening the SQLite file: safety checks, pragmas, schema upgrades, and
//! repairing a damaged file (`check` finds the damage, `rebuild` replaces a
//! store whose tables are damaged, `salvage` reads what it still can).

mod check;
mod open;
mod rebuild;
mod salvage;
mod schema;

pub(crate) use check::{full_check_due, last_full_check};
pub use open::open_database;
pub use schema::LATEST_VERSION;
