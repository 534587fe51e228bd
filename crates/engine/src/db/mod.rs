//! Opening the SQLite file: safety checks, pragmas, schema upgrades, and
//! repairing a damaged file. `open` is the way in; `file` reads a file as
//! found and tells a Highland store from anything else; `prepare` waits out
//! other processes, checks, repairs indexes and upgrades; `check` finds
//! damage; `rebuild` replaces a store whose tables are damaged from what
//! `salvage` can still read, and `swap` puts the new store in place,
//! crash-safe.

mod check;
mod file;
mod open;
mod prepare;
mod rebuild;
mod salvage;
mod schema;
mod swap;

pub(crate) use check::{full_check_due, last_full_check};
pub use open::open_database;
pub use schema::LATEST_VERSION;
