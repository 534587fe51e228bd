//! The sync rules' view of a SQLite transaction.

use chrono::{DateTime, Utc};
use highland_domain::{
    DeviceId, Hlc, Listing, ListingField, ListingId, ListingStatus, Lot, LotId, Operation,
    OperationId, Order, OrderAction, OrderId, Sale, StockAdjustment, Unit, Version,
};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction, params};

use super::{format_time, ms, orders, parse};
use crate::sync::{HistoryEntry, KnownListing, KnownOrder, Ledger, LogEntry, Logged};
use crate::{Error, Result, SellerId};

pub(crate) struct SqliteLedger<'a> {
    tx: &'a Transaction<'a>,
}

impl<'a> SqliteLedger<'a> {
    pub(crate) fn new(tx: &'a Transaction<'a>) -> Self {
        SqliteLedger { tx }
    }
}

impl Ledger for SqliteLedger<'_> {
    fn clock(&mut self) -> Result<Hlc> {
        let raw: i64 = self
            .tx
            .query_row("SELECT hlc FROM hub_clock WHERE id = 1", [], |r| r.get(0))?;
        Ok(Hlc::from_i64(raw))
    }

    fn set_clock(&mut self, last: Hlc) -> Result<()> {
        self.tx.execute(
            "UPDATE hub_clock SET hlc = max(hlc, ?1) WHERE id = 1",
            [last.as_i64()],
        )?;
        Ok(())
    }

    fn logged(&mut self, op: OperationId) -> Result<Option<Logged>> {
        let row: Option<(String, i64)> = self
            .tx
            .prepare_cached("SELECT device_id, hlc FROM op_log WHERE op_id = ?1")?
            .query_row([op.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(device, hlc)| {
            Ok(Logged {
                device: parse(&device)?,
                hlc: Hlc::from_i64(hlc),
            })
        })
        .transpose()
    }

    fn listing(&mut self, id: ListingId) -> Result<Option<KnownListing>> {
        let row: Option<(String, String, String)> = self
            .tx
            .prepare_cached("SELECT seller_id, unit, status FROM listings WHERE id = ?1")?
            .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        row.map(|(seller, unit, status)| {
            Ok(KnownListing {
                seller: parse(&seller)?,
                unit: parse::<Unit>(&unit)?,
                status: parse::<ListingStatus>(&status)?,
            })
        })
        .transpose()
    }

    fn order(&mut self, id: OrderId) -> Result<Option<KnownOrder>> {
        orders::known(self.tx, id)
    }

    fn hub_device(&mut self) -> Result<DeviceId> {
        orders::hub_device(self.tx)
    }

    fn lot_seller(&mut self, id: LotId) -> Result<Option<SellerId>> {
        let seller: Option<String> = self
            .tx
            .prepare_cached("SELECT seller_id FROM lots WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?;
        seller.map(|s| parse(&s)).transpose()
    }

    fn append(&mut self, seller: SellerId, op: &Operation, received_at_ms: u64) -> Result<u64> {
        let body = serde_json::to_string(op)
            .map_err(|e| Error::BadRecord(format!("operation does not serialise: {e}")))?;
        self.tx
            .prepare_cached(
                "INSERT INTO op_log (op_id, seller_id, device_id, hlc, body, received_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                op.id.to_string(),
                seller.to_string(),
                op.device_id.to_string(),
                op.hlc.as_i64(),
                body,
                ms(received_at_ms),
            ])?;
        Ok(self.tx.last_insert_rowid() as u64)
    }

    fn insert_listing(&mut self, seller: SellerId, listing: &Listing, created: Hlc) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO listings
                   (id, seller_id, title, category, unit, price_fen, status, description, lot_id,
                    created_hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                listing.id.to_string(),
                seller.to_string(),
                listing.title.as_str(),
                listing.category.slug(),
                listing.unit.slug(),
                listing.price.fen(),
                listing.status.slug(),
                listing.description.as_ref().map(|d| d.as_str()),
                listing.lot_id.map(|l| l.to_string()),
                created.as_i64(),
            ])?;
        Ok(())
    }

    fn field_version(
        &mut self,
        listing: ListingId,
        field: &'static str,
    ) -> Result<Option<Version>> {
        let row: Option<(i64, String)> = self
            .tx
            .prepare_cached(
                "SELECT hlc, device_id FROM listing_field_versions
                 WHERE listing_id = ?1 AND field = ?2",
            )?
            .query_row(params![listing.to_string(), field], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        row.map(|(hlc, device)| {
            Ok(Version {
                hlc: Hlc::from_i64(hlc),
                device: parse::<DeviceId>(&device)?,
            })
        })
        .transpose()
    }

    fn write_field(
        &mut self,
        listing: ListingId,
        field: &ListingField,
        version: Version,
        op: OperationId,
    ) -> Result<()> {
        let id = listing.to_string();
        let (column, value) = column_value(field);
        self.tx.execute(
            &format!("UPDATE listings SET {column} = ?1 WHERE id = ?2"),
            params![value, id],
        )?;
        self.tx
            .prepare_cached(
                "INSERT INTO listing_field_versions (listing_id, field, hlc, device_id, op_id)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (listing_id, field)
                 DO UPDATE SET hlc = excluded.hlc, device_id = excluded.device_id,
                               op_id = excluded.op_id",
            )?
            .execute(params![
                id,
                field.name(),
                version.hlc.as_i64(),
                version.device.to_string(),
                op.to_string(),
            ])?;
        Ok(())
    }

    fn insert_lot(&mut self, seller: SellerId, lot: &Lot, created: Hlc) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO lots
                   (id, seller_id, village, altitude_m, harvested_on, environment, created_hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                lot.id.to_string(),
                seller.to_string(),
                lot.village.as_str(),
                lot.altitude.map(|a| a.metres()),
                lot.harvested_on.map(|d| d.to_string()),
                lot.environment.as_ref().map(|e| e.as_str()),
                created.as_i64(),
            ])?;
        Ok(())
    }

    fn insert_sale(&mut self, seller: SellerId, sale: &Sale, op: &Operation) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO sales
                   (id, listing_id, seller_id, quantity, unit, unit_price_fen, total_fen, payment,
                    buyer, sold_at, hlc, device_id, order_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                sale.id.to_string(),
                sale.listing_id.to_string(),
                seller.to_string(),
                sale.quantity.base(),
                sale.quantity.unit().slug(),
                sale.unit_price.fen(),
                sale.total().fen(),
                sale.payment.slug(),
                sale.buyer.as_ref().map(|b| b.as_str()),
                format_time(sale.sold_at),
                op.hlc.as_i64(),
                op.device_id.to_string(),
                sale.order_id.map(|o| o.to_string()),
            ])?;
        Ok(())
    }

    fn insert_adjustment(
        &mut self,
        seller: SellerId,
        adjustment: &StockAdjustment,
        op: &Operation,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO stock_adjustments
                   (id, listing_id, seller_id, kind, change, unit, reason, at, hlc, device_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                adjustment.id.to_string(),
                adjustment.listing_id.to_string(),
                seller.to_string(),
                adjustment.kind.slug(),
                adjustment.change.base(),
                adjustment.change.unit().slug(),
                adjustment.reason.as_ref().map(|r| r.as_str()),
                format_time(adjustment.at),
                op.hlc.as_i64(),
                op.device_id.to_string(),
            ])?;
        Ok(())
    }

    fn insert_order(&mut self, seller: SellerId, order: &Order, op: &Operation) -> Result<()> {
        orders::insert(self.tx, seller, order, op.hlc.as_i64())
    }

    fn set_order_state(
        &mut self,
        id: OrderId,
        action: &OrderAction,
        at: DateTime<Utc>,
    ) -> Result<()> {
        orders::set_state(self.tx, id, action, at)
    }

    fn record_order_history(&mut self, entry: &HistoryEntry<'_>) -> Result<()> {
        orders::record_history(self.tx, entry)
    }

    fn visible_after(
        &mut self,
        seller: SellerId,
        not_from: DeviceId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<LogEntry>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT seq, body FROM op_log
             WHERE seller_id = ?1 AND seq > ?2 AND device_id <> ?3
             ORDER BY seq LIMIT ?4",
        )?;
        let rows = stmt.query_map(
            params![
                seller.to_string(),
                ms(after),
                not_from.to_string(),
                limit as i64
            ],
            |r| {
                Ok(LogEntry {
                    seq: r.get::<_, i64>(0)? as u64,
                    body: r.get(1)?,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn last_seq(&mut self) -> Result<u64> {
        let seq: i64 = self
            .tx
            .query_row("SELECT coalesce(max(seq), 0) FROM op_log", [], |r| r.get(0))?;
        Ok(seq as u64)
    }
}

/// The column a field lives in and its stored value. The column names are
/// fixed here, never taken from input.
fn column_value(field: &ListingField) -> (&'static str, Value) {
    let text = |s: &str| Value::Text(s.to_owned());
    match field {
        ListingField::Title(t) => ("title", text(t.as_str())),
        ListingField::Category(c) => ("category", text(c.slug())),
        ListingField::Price(p) => ("price_fen", Value::Integer(p.fen())),
        ListingField::Status(s) => ("status", text(s.slug())),
        ListingField::Description(d) => (
            "description",
            d.as_ref().map_or(Value::Null, |d| text(d.as_str())),
        ),
        ListingField::Lot(l) => (
            "lot_id",
            l.map_or(Value::Null, |l| Value::Text(l.to_string())),
        ),
    }
}
