//! The store's one way in: prepare the file, and when its tables are
//! damaged, rebuild it and prepare the new one.

use std::path::Path;

use rusqlite::Connection;

use super::prepare::{Opened, open_with_patience};
use super::rebuild;
use crate::StoreError;
use crate::clock::Clock;

/// Opens (or creates) the device store at `path`, upgraded to the latest schema.
///
/// A file that is not a Highland database, or was written by a newer
/// version, is refused before anything writes to it: the checks run before
/// any write. A Highland file whose indexes are damaged has them rebuilt;
/// one whose tables are damaged is set aside unchanged and a new store is
/// made in its place from what can still be read of it (`rebuild`). The
/// full check that finds index damage runs after an unclean shutdown, at
/// least once a day by `clock`, and whenever `full_check` asks for it.
pub fn open_database(
    path: &Path,
    clock: &dyn Clock,
    full_check: bool,
) -> Result<Connection, StoreError> {
    match open_with_patience(path, clock, full_check)? {
        Opened::Ready(conn) => return Ok(conn),
        Opened::TablesDamaged => rebuild::rebuild(path, clock)?,
    }
    match open_with_patience(path, clock, full_check)? {
        Opened::Ready(conn) => Ok(conn),
        // A store made a moment ago is damaged already: the storage itself
        // is failing, and rebuilding again would only fail again.
        Opened::TablesDamaged => Err(StoreError::Corrupt {
            path: path.to_owned(),
            detail: "the store was rebuilt and is damaged again".into(),
        }),
    }
}
