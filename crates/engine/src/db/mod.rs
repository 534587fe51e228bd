//! Opening the SQLite file: safety checks, pragmas and schema upgrades.

mod open;
mod schema;

pub use open::open_database;
pub use schema::LATEST_VERSION;
