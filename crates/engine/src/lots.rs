use chrono::NaiveDate;
use highland_domain::{Altitude, Description, Lot, LotId, Payload, ShortText};
use rusqlite::{Connection, OptionalExtension};

use crate::views::LotView;
use crate::{Result, Store, StoreError};

/// A lot about to be recorded: where and when the produce came from.
#[derive(Debug, Clone)]
pub struct NewLot {
    pub village: ShortText,
    pub altitude: Option<Altitude>,
    pub harvested_on: Option<NaiveDate>,
    pub environment: Option<Description>,
}

impl Store {
    pub fn add_lot(&mut self, new: NewLot) -> Result<LotId> {
        let id = LotId::new();
        self.record(|_| {
            Ok(vec![Payload::LotRecorded {
                lot: Lot {
                    id,
                    village: new.village,
                    altitude: new.altitude,
                    harvested_on: new.harvested_on,
                    environment: new.environment,
                },
            }])
        })?;
        Ok(id)
    }

    /// Every lot, oldest first.
    pub fn lots(&self) -> Result<Vec<LotView>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, village, altitude_m, harvested_on, environment
             FROM lots ORDER BY created_hlc, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(LotView {
                id: r.get(0)?,
                village: r.get(1)?,
                altitude_m: r.get(2)?,
                harvested_on: r.get(3)?,
                environment: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Fails with [`StoreError::UnknownLot`] unless the lot exists.
pub(crate) fn require(conn: &Connection, id: LotId) -> Result<()> {
    let found: Option<i64> = conn
        .query_row("SELECT 1 FROM lots WHERE id = ?1", [id.to_string()], |r| {
            r.get(0)
        })
        .optional()?;
    found.map(|_| ()).ok_or(StoreError::UnknownLot(id))
}
