//! The sync and order rules' view of a transaction ([`Ledger`]).
//!
//! Every transaction that builds a ledger holds [`super::Lock::Log`]: that
//! is what makes the log safe to pull in `seq` order.

use chrono::{DateTime, Utc};
use highland_domain::wire::LoggedOperation;
use highland_domain::{
    Certificate, DeviceId, EntityKind, Hlc, Listing, ListingField, ListingId, ListingStatus, Load,
    Lot, LotId, Operation, OperationId, Order, OrderAction, OrderId, Photo, PhotoId, Price,
    Quantity, Reason, Round, RoundAnswer, RoundId, RoundStop, Sale, SaleId, StockAdjustment,
    StopId, TraceCode, Unit, Version,
};

use uuid::Uuid;

use super::views::{format_time, ms, parse};
use super::{Param, Sql};
use crate::{Error, Result, SellerId};
use highland_exchange::history::Incarnation;
use highland_exchange::seal::SealKey;
use highland_exchange::sync::{
    HistoryEntry, KnownListing, KnownOrder, KnownSale, Ledger, LogEntry, Logged,
};

pub(crate) struct SqlLedger<'t> {
    tx: &'t mut dyn Sql,
}

impl<'t> SqlLedger<'t> {
    /// The caller holds [`super::Lock::Log`] in this transaction.
    pub(crate) fn new(tx: &'t mut dyn Sql) -> Self {
        SqlLedger { tx }
    }
}

/// The hub's own device id: the author of what the hub itself records.
pub(crate) fn hub_device(client: &mut dyn Sql) -> Result<DeviceId> {
    let row = client.query_one("SELECT device_id FROM hub_identity WHERE id = 1", &[])?;
    parse(row.get::<_, &str>(0))
}

impl Ledger for SqlLedger<'_> {
    fn clock(&mut self) -> Result<Hlc> {
        let row = self
            .tx
            .query_one("SELECT hlc FROM hub_clock WHERE id = 1", &[])?;
        Ok(Hlc::from_i64(row.get(0)))
    }

    fn set_clock(&mut self, last: Hlc) -> Result<()> {
        self.tx.execute(
            "UPDATE hub_clock SET hlc = CASE WHEN hlc > ?1 THEN hlc ELSE ?1 END WHERE id = 1",
            &[&last.as_i64()],
        )?;
        Ok(())
    }

    fn logged(&mut self, op: OperationId) -> Result<Option<Logged>> {
        let row = self.tx.query_opt(
            "SELECT device_id, hlc FROM op_log WHERE op_id = ?1",
            &[&op.to_string()],
        )?;
        row.map(|r| {
            Ok(Logged {
                device: parse(r.get::<_, &str>(0))?,
                hlc: Hlc::from_i64(r.get(1)),
            })
        })
        .transpose()
    }

    fn listing(&mut self, id: ListingId) -> Result<Option<KnownListing>> {
        let row = self.tx.query_opt(
            "SELECT seller_id, unit, status FROM listings WHERE id = ?1",
            &[&id.to_string()],
        )?;
        row.map(|r| {
            Ok(KnownListing {
                seller: parse(r.get::<_, &str>(0))?,
                unit: parse::<Unit>(r.get::<_, &str>(1))?,
                status: parse::<ListingStatus>(r.get::<_, &str>(2))?,
            })
        })
        .transpose()
    }

    fn order(&mut self, id: OrderId) -> Result<Option<KnownOrder>> {
        let row = self.tx.query_opt(
            "SELECT seller_id, listing_id, state, quantity, unit, unit_price_fen, round_id, stop_id
             FROM orders WHERE id = ?1",
            &[&id.to_string()],
        )?;
        row.map(|r| {
            Ok(KnownOrder {
                seller: parse(r.get::<_, &str>(0))?,
                listing: parse(r.get::<_, &str>(1))?,
                state: parse(r.get::<_, &str>(2))?,
                quantity: Quantity::from_base(r.get(3), parse::<Unit>(r.get::<_, &str>(4))?)?,
                unit_price: Price::from_fen(r.get(5))?,
                round: match (r.get::<_, Option<&str>>(6), r.get::<_, Option<&str>>(7)) {
                    (Some(round), Some(stop)) => Some(RoundStop {
                        round_id: parse(round)?,
                        stop_id: parse(stop)?,
                    }),
                    _ => None,
                },
            })
        })
        .transpose()
    }

    fn photo_seller(&mut self, id: PhotoId) -> Result<Option<SellerId>> {
        super::photos::photo_seller(self.tx, id)
    }

    fn insert_photo(&mut self, seller: SellerId, photo: &Photo, op: &Operation) -> Result<()> {
        super::photos::insert_photo(self.tx, seller, photo, op)
    }

    fn remove_photo(&mut self, id: PhotoId) -> Result<()> {
        super::photos::remove_photo(self.tx, id)
    }

    fn hub_device(&mut self) -> Result<DeviceId> {
        hub_device(self.tx)
    }

    fn lot_seller(&mut self, id: LotId) -> Result<Option<SellerId>> {
        let row = self.tx.query_opt(
            "SELECT seller_id FROM lots WHERE id = ?1",
            &[&id.to_string()],
        )?;
        row.map(|r| parse(r.get::<_, &str>(0))).transpose()
    }

    fn trace_code_holder(&mut self, code: TraceCode) -> Result<Option<Uuid>> {
        let row = self.tx.query_opt(
            "SELECT id FROM lots WHERE trace_code = ?1
             UNION ALL SELECT id FROM product_lots WHERE trace_code = ?1
             LIMIT 1",
            &[&code.as_str()],
        )?;
        row.map(|r| {
            let id: &str = r.get(0);
            Uuid::parse_str(id).map_err(|e| Error::BadRecord(format!("lot id {id:?}: {e}")))
        })
        .transpose()
    }

    fn current_incarnation(&mut self, now_ms: u64) -> Result<Incarnation> {
        super::history::current(self.tx, now_ms)
    }

    fn log_floor(
        &mut self,
        device: DeviceId,
        current: &Incarnation,
        known: Option<&str>,
    ) -> Result<u64> {
        super::history::floor_for(self.tx, device, current, known)
    }

    fn seal_key(&mut self) -> Result<SealKey> {
        let row = self
            .tx
            .query_one("SELECT seal_key FROM hub_identity WHERE id = 1", &[])?;
        SealKey::from_hex(row.get::<_, &str>(0))
    }

    fn device_seller(&mut self, device: DeviceId) -> Result<Option<SellerId>> {
        let row = self.tx.query_opt(
            "SELECT seller_id FROM devices WHERE id = ?1",
            &[&device.to_string()],
        )?;
        row.map(|r| parse(r.get::<_, &str>(0))).transpose()
    }

    fn held_from(&mut self, device: DeviceId) -> Result<(u64, Hlc)> {
        let row = self.tx.query_one(
            "SELECT CAST(count(*) AS BIGINT), CAST(coalesce(max(hlc), 0) AS BIGINT)
             FROM op_log WHERE device_id = ?1",
            &[&device.to_string()],
        )?;
        Ok((row.get::<_, i64>(0) as u64, Hlc::from_i64(row.get(1))))
    }

    fn position_of(&mut self, op: OperationId) -> Result<Option<u64>> {
        let row = self.tx.query_opt(
            "SELECT seq FROM op_log WHERE op_id = ?1",
            &[&op.to_string()],
        )?;
        Ok(row.map(|r| r.get::<_, i64>(0) as u64))
    }

    fn holder_of(&mut self, kind: EntityKind, id: Uuid) -> Result<Option<SellerId>> {
        let table = match kind {
            EntityKind::Sale => "sales",
            EntityKind::Adjustment => "stock_adjustments",
            EntityKind::Certificate => "certificates",
            _ => return Ok(None),
        };
        let row = self.tx.query_opt(
            &format!("SELECT seller_id FROM {table} WHERE id = ?1"),
            &[&id.to_string()],
        )?;
        row.map(|r| parse(r.get::<_, &str>(0))).transpose()
    }

    fn sale(&mut self, id: SaleId) -> Result<Option<KnownSale>> {
        let row = self.tx.query_opt(
            "SELECT seller_id, order_id FROM sales WHERE id = ?1",
            &[&id.to_string()],
        )?;
        row.map(|r| {
            Ok(KnownSale {
                seller: parse(r.get::<_, &str>(0))?,
                order: r.get::<_, Option<&str>>(1).map(parse).transpose()?,
            })
        })
        .transpose()
    }

    fn append(
        &mut self,
        seller: SellerId,
        op: &Operation,
        text: &LoggedOperation,
        received_at_ms: u64,
    ) -> Result<u64> {
        let body = text.text();
        let row = self.tx.query_one(
            "INSERT INTO op_log (op_id, seller_id, device_id, hlc, body, received_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING seq",
            &[
                &op.id.to_string(),
                &seller.to_string(),
                &op.device_id.to_string(),
                &op.hlc.as_i64(),
                &body,
                &ms(received_at_ms),
            ],
        )?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    fn insert_listing(&mut self, seller: SellerId, listing: &Listing, created: Hlc) -> Result<()> {
        self.tx.execute(
            "INSERT INTO listings
               (id, seller_id, title, category, unit, price_fen, status, description, lot_id,
                created_hlc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT DO NOTHING",
            &[
                &listing.id.to_string(),
                &seller.to_string(),
                &listing.title.as_str(),
                &listing.category.slug(),
                &listing.unit.slug(),
                &listing.price.fen(),
                &listing.status.slug(),
                &listing.description.as_ref().map(|d| d.as_str()),
                &listing.lot_id.map(|l| l.to_string()),
                &created.as_i64(),
            ],
        )?;
        Ok(())
    }

    fn field_version(
        &mut self,
        listing: ListingId,
        field: &'static str,
    ) -> Result<Option<Version>> {
        let row = self.tx.query_opt(
            "SELECT hlc, device_id FROM listing_field_versions
             WHERE listing_id = ?1 AND field = ?2",
            &[&listing.to_string(), &field],
        )?;
        row.map(|r| {
            Ok(Version {
                hlc: Hlc::from_i64(r.get(0)),
                device: parse::<DeviceId>(r.get::<_, &str>(1))?,
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
        let value: &dyn Param = match &value {
            FieldValue::Text(t) => t,
            FieldValue::Integer(i) => i,
            FieldValue::MaybeInteger(i) => i,
        };
        self.tx.execute(
            &format!("UPDATE listings SET {column} = ?1 WHERE id = ?2"),
            &[value, &id],
        )?;
        self.tx.execute(
            "INSERT INTO listing_field_versions (listing_id, field, hlc, device_id, op_id)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (listing_id, field)
             DO UPDATE SET hlc = excluded.hlc, device_id = excluded.device_id,
                           op_id = excluded.op_id",
            &[
                &id,
                &field.name(),
                &version.hlc.as_i64(),
                &version.device.to_string(),
                &op.to_string(),
            ],
        )?;
        Ok(())
    }

    fn insert_lot(&mut self, seller: SellerId, lot: &Lot, created: Hlc) -> Result<()> {
        self.tx.execute(
            "INSERT INTO lots
               (id, seller_id, village, altitude_m, harvested_on, environment, created_hlc,
                trace_code)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT DO NOTHING",
            &[
                &lot.id.to_string(),
                &seller.to_string(),
                &lot.village.as_str(),
                &lot.altitude.map(|a| i64::from(a.metres())),
                &lot.harvested_on.map(|d| d.to_string()),
                &lot.environment.as_ref().map(|e| e.as_str()),
                &created.as_i64(),
                &TraceCode::of_lot(lot.id).as_str(),
            ],
        )?;
        Ok(())
    }

    fn insert_certificate(
        &mut self,
        seller: SellerId,
        certificate: &Certificate,
        hlc: Hlc,
    ) -> Result<()> {
        super::trace::insert_certificate(self.tx, seller, certificate, hlc)
    }

    fn insert_sale(&mut self, seller: SellerId, sale: &Sale, op: &Operation) -> Result<()> {
        self.tx.execute(
            "INSERT INTO sales
               (id, listing_id, seller_id, quantity, unit, unit_price_fen, total_fen, payment,
                buyer, sold_at, hlc, device_id, order_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT DO NOTHING",
            &[
                &sale.id.to_string(),
                &sale.listing_id.to_string(),
                &seller.to_string(),
                &sale.quantity.base(),
                &sale.quantity.unit().slug(),
                &sale.unit_price.fen(),
                &sale.total().fen(),
                &sale.payment.slug(),
                &sale.buyer.as_ref().map(|b| b.as_str()),
                &format_time(sale.sold_at),
                &op.hlc.as_i64(),
                &op.device_id.to_string(),
                &sale.order_id.map(|o| o.to_string()),
            ],
        )?;
        Ok(())
    }

    fn void_sale(
        &mut self,
        sale: SaleId,
        reason: &Reason,
        at: DateTime<Utc>,
        op: &Operation,
    ) -> Result<()> {
        // The earlier void stays, as on the devices (engine's apply.rs).
        self.tx.execute(
            "UPDATE sales SET void_reason = ?2, void_at = ?3, void_hlc = ?4, void_device = ?5
             WHERE id = ?1
               AND (void_hlc IS NULL OR void_hlc > ?4 OR (void_hlc = ?4 AND void_device > ?5))",
            &[
                &sale.to_string(),
                &reason.as_str(),
                &format_time(at),
                &op.hlc.as_i64(),
                &op.device_id.to_string(),
            ],
        )?;
        Ok(())
    }

    fn insert_adjustment(
        &mut self,
        seller: SellerId,
        adjustment: &StockAdjustment,
        op: &Operation,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO stock_adjustments
               (id, listing_id, seller_id, kind, change, unit, reason, at, hlc, device_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT DO NOTHING",
            &[
                &adjustment.id.to_string(),
                &adjustment.listing_id.to_string(),
                &seller.to_string(),
                &adjustment.kind.slug(),
                &adjustment.change.base(),
                &adjustment.change.unit().slug(),
                &adjustment.reason.as_ref().map(|r| r.as_str()),
                &format_time(adjustment.at),
                &op.hlc.as_i64(),
                &op.device_id.to_string(),
            ],
        )?;
        Ok(())
    }

    fn insert_order(&mut self, seller: SellerId, order: &Order, op: &Operation) -> Result<()> {
        let placed_at = format_time(order.placed_at);
        self.tx.execute(
            "INSERT INTO orders
               (id, seller_id, listing_id, quantity, unit, unit_price_fen, hand_over_by, note,
                placed_at, placed_hlc, state, state_changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?9)
             ON CONFLICT DO NOTHING",
            &[
                &order.id.to_string(),
                &seller.to_string(),
                &order.listing_id.to_string(),
                &order.quantity.base(),
                &order.quantity.unit().slug(),
                &order.unit_price.fen(),
                &order.hand_over_by.map(|d| d.to_string()),
                &order.note.as_ref().map(|n| n.as_str()),
                &placed_at,
                &op.hlc.as_i64(),
                &highland_domain::OrderState::Placed.slug(),
            ],
        )?;
        Ok(())
    }

    fn set_order_state(
        &mut self,
        id: OrderId,
        action: &OrderAction,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let details = Details::of(action);
        self.tx.execute(
            "UPDATE orders SET state = ?2, state_changed_at = ?3,
                    reason = coalesce(?4, reason),
                    received_quantity = coalesce(?5, received_quantity),
                    paid_fen = coalesce(?6, paid_fen), paid_method = coalesce(?7, paid_method)
             WHERE id = ?1",
            &[
                &id.to_string(),
                &action.outcome().slug(),
                &format_time(at),
                &details.reason,
                &details.quantity,
                &details.amount_fen,
                &details.method,
            ],
        )?;
        Ok(())
    }

    fn record_order_history(&mut self, entry: &HistoryEntry<'_>) -> Result<()> {
        let details = entry.action.map(Details::of).unwrap_or_default();
        self.tx.execute(
            "INSERT INTO order_history
               (op_id, order_id, step, action, actor, device_id, staff, reason, quantity,
                amount_fen, method, at, hlc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT DO NOTHING",
            &[
                &entry.op.id.to_string(),
                &entry.order.to_string(),
                &i64::from(entry.action.map_or(0, |a| a.outcome().step())),
                &entry.action.map_or("place", |a| a.slug()),
                &entry.actor.slug(),
                &entry.op.device_id.to_string(),
                &entry.staff,
                &details.reason,
                &details.quantity,
                &details.amount_fen,
                &details.method,
                &format_time(entry.at),
                &entry.op.hlc.as_i64(),
            ],
        )?;
        Ok(())
    }

    fn round(&mut self, id: RoundId) -> Result<Option<Round>> {
        super::rounds::round(self.tx, id)
    }

    fn save_round(&mut self, round: &Round, version: Version) -> Result<()> {
        super::rounds::save_round(self.tx, round, version)
    }

    fn round_sellers(&mut self, id: RoundId) -> Result<Vec<SellerId>> {
        super::rounds::round_sellers(self.tx, id)
    }

    fn orders_at_stop(&mut self, round: RoundId, stop: StopId) -> Result<u64> {
        super::rounds::orders_at_stop(self.tx, round, stop)
    }

    fn seller_on_round(&mut self, seller: SellerId, round: RoundId) -> Result<bool> {
        super::rounds::seller_on_round(self.tx, seller, round)
    }

    fn seller_village(&mut self, seller: SellerId) -> Result<Option<String>> {
        super::rounds::seller_village(self.tx, seller)
    }

    fn route_order(
        &mut self,
        order: OrderId,
        to: Option<RoundStop>,
        version: Version,
    ) -> Result<()> {
        super::rounds::route_order(self.tx, order, to, version)
    }

    fn save_load(&mut self, load: &Load, op: &Operation, staff: Option<&str>) -> Result<()> {
        super::rounds::save_load(self.tx, load, op, staff)
    }

    fn save_answer(
        &mut self,
        seller: SellerId,
        round: RoundId,
        answer: &RoundAnswer,
        at: DateTime<Utc>,
        version: Version,
    ) -> Result<()> {
        super::rounds::save_answer(self.tx, seller, round, answer, at, version)
    }

    fn visible_after(
        &mut self,
        seller: SellerId,
        not_from: Option<DeviceId>,
        after: u64,
        limit: usize,
    ) -> Result<Vec<LogEntry>> {
        let rows = self.tx.query(
            "SELECT seq, body FROM op_log
             WHERE seller_id = ?1 AND seq > ?2
               AND (CAST(?3 AS TEXT) IS NULL OR device_id <> ?3)
             ORDER BY seq LIMIT ?4",
            &[
                &seller.to_string(),
                &ms(after),
                &not_from.map(|d| d.to_string()),
                &(limit as i64),
            ],
        )?;
        Ok(rows
            .iter()
            .map(|r| LogEntry {
                seq: r.get::<_, i64>(0) as u64,
                body: r.get(1),
            })
            .collect())
    }

    fn last_seq(&mut self) -> Result<u64> {
        let row = self.tx.query_one(
            "SELECT CAST(coalesce(max(seq), 0) AS BIGINT) FROM op_log",
            &[],
        )?;
        Ok(row.get::<_, i64>(0) as u64)
    }
}

enum FieldValue {
    Text(Option<String>),
    Integer(i64),
    MaybeInteger(Option<i64>),
}

/// The column a field lives in and its stored value. The column names are
/// fixed here, never taken from input.
fn column_value(field: &ListingField) -> (&'static str, FieldValue) {
    let text = |s: &str| FieldValue::Text(Some(s.to_owned()));
    match field {
        ListingField::Title(t) => ("title", text(t.as_str())),
        ListingField::Category(c) => ("category", text(c.slug())),
        ListingField::Price(p) => ("price_fen", FieldValue::Integer(p.fen())),
        ListingField::Status(s) => ("status", text(s.slug())),
        ListingField::Description(d) => (
            "description",
            FieldValue::Text(d.as_ref().map(|d| d.as_str().to_owned())),
        ),
        ListingField::Lot(l) => ("lot_id", FieldValue::Text(l.map(|l| l.to_string()))),
        ListingField::WeightPerUnit(w) => (
            "weight_per_unit_g",
            FieldValue::MaybeInteger(w.map(|w| w.grams())),
        ),
    }
}

/// What an action says beyond its name, as stored.
#[derive(Default)]
struct Details<'a> {
    reason: Option<&'a str>,
    quantity: Option<i64>,
    amount_fen: Option<i64>,
    method: Option<&'static str>,
}

impl<'a> Details<'a> {
    fn of(action: &'a OrderAction) -> Details<'a> {
        match action {
            OrderAction::Decline { reason } | OrderAction::Cancel { reason } => Details {
                reason: Some(reason.as_str()),
                ..Details::default()
            },
            OrderAction::Receive { quantity } => Details {
                quantity: Some(quantity.base()),
                ..Details::default()
            },
            OrderAction::Pay { amount, method } => Details {
                amount_fen: Some(amount.fen()),
                method: Some(method.slug()),
                ..Details::default()
            },
            OrderAction::Accept | OrderAction::HandOver => Details::default(),
        }
    }
}
