use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveTime, Utc};
use highland_domain::quantity::format_in;
use highland_domain::{
    ListingId, Payload, PaymentMethod, Price, Quantity, Reason, Sale, SaleId, ShortText, Unit,
};
use rusqlite::OptionalExtension;

use crate::rows::parse;
use crate::views::{DaySalesView, SaleView, StatusView, VoidView};
use crate::{Result, Store, StoreError, listings};

/// A sale about to be recorded.
#[derive(Debug, Clone)]
pub struct NewSale {
    pub listing_id: ListingId,
    /// In the listing's unit, or another unit of the same kind ("500g" of a
    /// listing sold by the kg).
    pub quantity: Quantity,
    /// The listing's price when `None`.
    pub unit_price: Option<Price>,
    pub payment: PaymentMethod,
    pub buyer: Option<ShortText>,
    /// Record the sale even when it is more than the stock: the goods are
    /// already gone, and the stock on the device may simply be out of date.
    pub allow_oversell: bool,
}

impl Store {
    /// Records a sale. Unless overselling is allowed, a sale of more than the
    /// stock is refused; the check and the insert share one IMMEDIATE
    /// transaction, so two sales at once cannot both take the last kilogram.
    pub fn record_sale(&mut self, new: NewSale) -> Result<SaleId> {
        let id = SaleId::new();
        let sold_at = self.now();
        self.record(|tx| {
            let (unit, price): (String, i64) = tx
                .query_row(
                    "SELECT unit, price_fen FROM listings WHERE id = ?1",
                    [new.listing_id.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .ok_or(StoreError::UnknownListing(new.listing_id))?;
            let unit: Unit = parse(&unit)?;
            if new.quantity.unit().base() != unit.base() {
                return Err(highland_domain::DomainError::UnitMismatch {
                    expected: unit.slug(),
                    got: new.quantity.unit().slug(),
                }
                .into());
            }
            let quantity = Quantity::from_base(new.quantity.base(), unit)?;
            if !new.allow_oversell {
                let available = listings::stock_of(tx, new.listing_id)?;
                if quantity.base() > available {
                    return Err(StoreError::Oversell {
                        available: format_in(available.max(0), unit),
                        requested: format_in(quantity.base(), unit),
                        unit,
                    });
                }
            }
            let unit_price = match new.unit_price {
                Some(p) => p,
                None => Price::from_fen(price)?,
            };
            Ok(vec![Payload::SaleRecorded {
                sale: Sale {
                    id,
                    listing_id: new.listing_id,
                    quantity,
                    unit_price,
                    payment: new.payment,
                    buyer: new.buyer,
                    sold_at,
                    order_id: None,
                },
            }])
        })?;
        Ok(id)
    }

    /// Voids a sale recorded by mistake: its quantity comes back to stock
    /// and it leaves the totals, here at once and on every replica once the
    /// void syncs. The sale itself stays, marked, with `reason`.
    ///
    /// Refused for a sale this device does not hold, for an order's receipt
    /// (the buyer's staff recorded it on the hub; the order's own history is
    /// where it is corrected), and for a sale already voided, so a second
    /// tap on Undo records nothing twice.
    pub fn void_sale(&mut self, sale_id: SaleId, reason: Reason) -> Result<()> {
        let at = self.now();
        self.record(|tx| {
            let found: Option<(Option<String>, bool)> = tx
                .query_row(
                    "SELECT s.order_id,
                            EXISTS (SELECT 1 FROM sale_voids v WHERE v.sale_id = s.id)
                     FROM sales s WHERE s.id = ?1",
                    [sale_id.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match found {
                None => Err(StoreError::UnknownSale(sale_id)),
                Some((Some(_), _)) => Err(StoreError::ReceiptNotVoidable(sale_id)),
                Some((None, true)) => Err(StoreError::SaleAlreadyVoided(sale_id)),
                Some((None, false)) => Ok(vec![Payload::SaleVoided {
                    sale_id,
                    reason,
                    at,
                }]),
            }
        })?;
        Ok(())
    }

    /// One sale, voided or not.
    pub fn sale(&self, id: SaleId) -> Result<Option<SaleView>> {
        Ok(self
            .query_sales("s.id = ?1", id.to_string())?
            .into_iter()
            .next())
    }

    /// Every sale, oldest first, voided ones included (and marked).
    pub fn sales(&self) -> Result<Vec<SaleView>> {
        self.sales_of(None)
    }

    pub(crate) fn sales_of(&self, listing: Option<ListingId>) -> Result<Vec<SaleView>> {
        match listing {
            Some(l) => self.query_sales("s.listing_id = ?1", l.to_string()),
            None => self.query_sales("?1 IS NULL", rusqlite::types::Null),
        }
    }

    /// Sales matching `filter` (a fixed condition on `sales s` with one
    /// parameter), oldest first.
    fn query_sales(&self, filter: &str, param: impl rusqlite::ToSql) -> Result<Vec<SaleView>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT s.id, s.listing_id, l.title, s.quantity, s.unit, s.unit_price_fen,
                    s.total_fen, s.payment, s.buyer, s.sold_at, s.order_id,
                    v.reason, v.voided_at
             FROM sales s JOIN listings l ON l.id = s.listing_id
             LEFT JOIN sale_voids v ON v.sale_id = s.id
             WHERE {filter}
             ORDER BY s.hlc, s.id"
        ))?;
        let rows = stmt.query_and_then([param], |r| {
            let unit: Unit = parse(&r.get::<_, String>(4)?)?;
            let quantity: i64 = r.get(3)?;
            Ok(SaleView {
                id: r.get(0)?,
                listing_id: r.get(1)?,
                listing_title: r.get(2)?,
                quantity,
                quantity_unit: unit.base().slug().to_owned(),
                unit: unit.slug().to_owned(),
                quantity_display: format_in(quantity, unit),
                unit_price_fen: r.get(5)?,
                total_fen: r.get(6)?,
                payment: r.get(7)?,
                buyer: r.get(8)?,
                sold_at: r.get(9)?,
                order_id: r.get(10)?,
                voided: match (r.get::<_, Option<String>>(11)?, r.get(12)?) {
                    (Some(reason), Some(at)) => Some(VoidView { reason, at }),
                    _ => None,
                },
            })
        })?;
        rows.collect()
    }

    /// Sales per day for the `days` days that end with `last_day`, oldest
    /// first, one entry per day (zero when nothing sold). Days are calendar
    /// days at `offset` from UTC, the seller's time zone.
    pub fn daily_sales(
        &self,
        last_day: NaiveDate,
        days: u32,
        offset: FixedOffset,
    ) -> Result<Vec<DaySalesView>> {
        let first_day = last_day - Days::new(u64::from(days.saturating_sub(1)));
        let mut out: Vec<DaySalesView> = first_day
            .iter_days()
            .take(days as usize)
            .map(|d| DaySalesView {
                date: d.format("%Y-%m-%d").to_string(),
                total_fen: 0,
                count: 0,
            })
            .collect();
        // A day early in UTC covers every offset; each row is then placed by
        // its own local date.
        let since = first_day
            .pred_opt()
            .unwrap_or(first_day)
            .and_time(NaiveTime::MIN)
            .and_utc();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT sold_at, total_fen FROM counted_sales WHERE sold_at >= ?1")?;
        let rows = stmt.query_map([crate::rows::format_time(since)], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (sold_at, total_fen) = row?;
            let sold_at: DateTime<Utc> = parse(&sold_at)?;
            let day = sold_at.with_timezone(&offset).date_naive();
            let Some(index) = day
                .signed_duration_since(first_day)
                .num_days()
                .try_into()
                .ok()
                .filter(|i: &usize| *i < out.len())
            else {
                continue;
            };
            out[index].total_fen += total_fen;
            out[index].count += 1;
        }
        Ok(out)
    }

    /// Counts of what the store holds and of what waits for the hub.
    pub fn status(&self) -> Result<StatusView> {
        let count = |table: &str| -> Result<i64> {
            Ok(self
                .conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
        };
        Ok(StatusView {
            device_id: self.device_id().to_string(),
            listings: count("listings")?,
            lots: count("lots")?,
            sales: count("sales")?,
            orders: count("orders")?,
            orders_to_answer: self.conn.query_row(
                "SELECT count(*) FROM orders WHERE state = 'placed'",
                [],
                |r| r.get(0),
            )?,
            pending_ops: self.pending_count()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use highland_domain::{Category, ListingStatus, Title};

    use super::*;
    use crate::{ManualClock, NewListing};

    /// A store on a "disk" that fills up: SQLite's `max_page_count` makes
    /// the file refuse to grow, with the same `SQLITE_FULL` a full disk gives.
    #[test]
    fn a_sale_on_a_full_disk_is_refused_as_storage_full_and_records_nothing() {
        let dir = tempfile::TempDir::new().unwrap();
        let clock = Arc::new(ManualClock::at("2026-11-28T08:00:00Z".parse().unwrap()));
        let mut store = Store::open_with_clock(&dir.path().join("highland.db"), clock).unwrap();
        let listing = store
            .add_listing(NewListing {
                title: Title::parse("Honey").unwrap(),
                category: Category::Honey,
                unit: Unit::Jar,
                price: Price::parse_yuan("45").unwrap(),
                status: ListingStatus::Listed,
                description: None,
                lot_id: None,
                stock: Some(Quantity::parse("100000", Unit::Jar).unwrap()),
            })
            .unwrap();
        let pages: i64 = store
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        store
            .conn
            .execute_batch(&format!("PRAGMA max_page_count = {}", pages + 2))
            .unwrap();
        let sell = |store: &mut Store| {
            store.record_sale(NewSale {
                listing_id: listing,
                quantity: Quantity::parse("1", Unit::Jar).unwrap(),
                unit_price: None,
                payment: PaymentMethod::Cash,
                buyer: Some(ShortText::parse(&"卓玛 Dolma ".repeat(8)).unwrap()),
                allow_oversell: false,
            })
        };
        let error = loop {
            match sell(&mut store) {
                Ok(_) => continue,
                Err(e) => break e,
            }
        };
        assert!(matches!(error, StoreError::StorageFull), "{error:?}");
        assert_eq!(error.code(), "storage_full");
        assert!(error.is_storage_full());
        assert!(
            error.to_string().contains("nothing was recorded"),
            "{error}"
        );
        // The refused sale left nothing behind: every recorded sale has its
        // operation, and the store still checks out.
        let sales = store.sales().unwrap().len() as u64;
        assert!(sales > 0);
        assert_eq!(store.pending_count().unwrap(), sales + 2);
        let check: String = store
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        // Space comes back, and so does selling.
        store
            .conn
            .execute_batch("PRAGMA max_page_count = 1073741823")
            .unwrap();
        sell(&mut store).unwrap();
    }
}
