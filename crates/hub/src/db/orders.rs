//! Orders in SQLite: the rows the rules in [`crate::orders`] and
//! [`crate::sync`] write through the ledger, and the views staff read.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use highland_domain::quantity::format_in;
use highland_domain::{DeviceId, Order, OrderAction, OrderId, OrderState, Price, Quantity, Unit};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{format_time, parse};
use crate::orders::{OrderError, OrderFilter};
use crate::sync::{HistoryEntry, KnownOrder};
use crate::views::{OrderDetail, OrderHistoryEntry, OrderPage, OrderView};
use crate::{Error, Result, SellerId};

/// `'accepted', 'handed-over'`: the states whose quantity is held back from
/// the listing's stock, spelled from the domain's rule so that SQL can never
/// disagree with it.
pub(crate) static RESERVING_STATES: LazyLock<String> = LazyLock::new(|| {
    OrderState::ALL
        .into_iter()
        .filter(|s| s.reserves_stock())
        .map(|s| format!("'{}'", s.slug()))
        .collect::<Vec<_>>()
        .join(", ")
});

impl From<rusqlite::Error> for OrderError {
    fn from(e: rusqlite::Error) -> OrderError {
        OrderError::Hub(e.into())
    }
}

pub(super) fn hub_device(conn: &Connection) -> Result<DeviceId> {
    let id: String = conn
        .prepare_cached("SELECT device_id FROM hub_identity WHERE id = 1")?
        .query_row([], |r| r.get(0))?;
    parse(&id)
}

pub(super) fn known(conn: &Connection, id: OrderId) -> Result<Option<KnownOrder>> {
    let row: Option<(String, String, String, i64, String, i64)> = conn
        .prepare_cached(
            "SELECT seller_id, listing_id, state, quantity, unit, unit_price_fen
             FROM orders WHERE id = ?1",
        )?
        .query_row([id.to_string()], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    row.map(|(seller, listing, state, quantity, unit, price)| {
        Ok(KnownOrder {
            seller: parse(&seller)?,
            listing: parse(&listing)?,
            state: parse(&state)?,
            quantity: Quantity::from_base(quantity, parse::<Unit>(&unit)?)?,
            unit_price: Price::from_fen(price)?,
        })
    })
    .transpose()
}

pub(super) fn insert(conn: &Connection, seller: SellerId, order: &Order, hlc: i64) -> Result<()> {
    let placed_at = format_time(order.placed_at);
    conn.prepare_cached(
        "INSERT OR IGNORE INTO orders
           (id, seller_id, listing_id, quantity, unit, unit_price_fen, hand_over_by, note,
            placed_at, placed_hlc, state, state_changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?9)",
    )?
    .execute(params![
        order.id.to_string(),
        seller.to_string(),
        order.listing_id.to_string(),
        order.quantity.base(),
        order.quantity.unit().slug(),
        order.unit_price.fen(),
        order.hand_over_by.map(|d| d.to_string()),
        order.note.as_ref().map(|n| n.as_str()),
        placed_at,
        hlc,
        OrderState::Placed.slug(),
    ])?;
    Ok(())
}

pub(super) fn set_state(
    conn: &Connection,
    id: OrderId,
    action: &OrderAction,
    at: DateTime<Utc>,
) -> Result<()> {
    let details = Details::of(action);
    conn.prepare_cached(
        "UPDATE orders SET state = ?2, state_changed_at = ?3,
                reason = coalesce(?4, reason),
                received_quantity = coalesce(?5, received_quantity),
                paid_fen = coalesce(?6, paid_fen), paid_method = coalesce(?7, paid_method)
         WHERE id = ?1",
    )?
    .execute(params![
        id.to_string(),
        action.outcome().slug(),
        format_time(at),
        details.reason,
        details.quantity,
        details.amount_fen,
        details.method,
    ])?;
    Ok(())
}

pub(super) fn record_history(conn: &Connection, entry: &HistoryEntry<'_>) -> Result<()> {
    let details = entry.action.map(Details::of).unwrap_or_default();
    conn.prepare_cached(
        "INSERT OR IGNORE INTO order_history
           (op_id, order_id, step, action, actor, device_id, staff, reason, quantity, amount_fen,
            method, at, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        entry.op.id.to_string(),
        entry.order.to_string(),
        entry.action.map_or(0, |a| a.outcome().step()),
        entry.action.map_or("place", |a| a.slug()),
        entry.actor.slug(),
        entry.op.device_id.to_string(),
        entry.staff,
        details.reason,
        details.quantity,
        details.amount_fen,
        details.method,
        format_time(entry.at),
        entry.op.hlc.as_i64(),
    ])?;
    Ok(())
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

const ORDER_COLUMNS: &str = "o.id, o.seller_id, o.listing_id, l.title, o.quantity, o.unit,
    o.unit_price_fen, o.hand_over_by, o.note, o.placed_at, o.state, o.state_changed_at, o.reason,
    o.received_quantity, o.paid_fen, o.paid_method,
    (SELECT s.id FROM sales s WHERE s.order_id = o.id)";

fn order_view(r: &Row<'_>) -> Result<OrderView> {
    let unit: Unit = parse(&r.get::<_, String>(5)?)?;
    let quantity: i64 = r.get(4)?;
    let unit_price_fen: i64 = r.get(6)?;
    let total = Price::from_fen(unit_price_fen)?.times(Quantity::from_base(quantity, unit)?);
    let received: Option<i64> = r.get(13)?;
    Ok(OrderView {
        id: r.get(0)?,
        seller_id: r.get(1)?,
        listing_id: r.get(2)?,
        listing_title: r.get(3)?,
        quantity,
        quantity_unit: unit.base().slug().to_owned(),
        unit: unit.slug().to_owned(),
        quantity_display: format_in(quantity, unit),
        unit_price_fen,
        total_fen: total.fen(),
        hand_over_by: r.get(7)?,
        note: r.get(8)?,
        placed_at: r.get(9)?,
        state: r.get(10)?,
        state_changed_at: r.get(11)?,
        reason: r.get(12)?,
        received_quantity: received,
        received_display: received.map(|q| format_in(q, unit)),
        paid_fen: r.get(14)?,
        paid_method: r.get(15)?,
        sale_id: r.get(16)?,
    })
}

pub(super) fn page(conn: &Connection, filter: &OrderFilter) -> Result<OrderPage> {
    let limit = filter.limit.clamp(1, OrderFilter::MAX_LIMIT);
    let (beyond, direction) = if filter.newest_first {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    // Keyset paging on (placed_hlc, id): a page never repeats or skips an
    // order however many are placed while someone reads.
    let sql = format!(
        "SELECT {ORDER_COLUMNS}
         FROM orders o JOIN listings l ON l.id = o.listing_id
         WHERE (?1 IS NULL OR o.state = ?1)
           AND (?2 IS NULL OR o.seller_id = ?2)
           AND (?3 IS NULL OR o.listing_id = ?3)
           AND (?4 IS NULL
                OR (o.placed_hlc, o.id) {beyond} (SELECT placed_hlc, id FROM orders WHERE id = ?4))
         ORDER BY o.placed_hlc {direction}, o.id {direction}
         LIMIT ?5"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut orders = stmt
        .query_and_then(
            params![
                filter.state.map(|s| s.slug()),
                filter.seller.map(|s| s.to_string()),
                filter.listing.map(|l| l.to_string()),
                filter.after.map(|a| a.to_string()),
                (limit + 1) as i64,
            ],
            order_view,
        )?
        .collect::<Result<Vec<_>>>()?;
    let next_after = if orders.len() > limit {
        orders.truncate(limit);
        orders.last().map(|o| o.id.clone())
    } else {
        None
    };
    Ok(OrderPage { orders, next_after })
}

pub(super) fn detail(conn: &Connection, id: OrderId) -> Result<Option<OrderDetail>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders o JOIN listings l ON l.id = o.listing_id
         WHERE o.id = ?1"
    ))?;
    let Some(order) = stmt
        .query_and_then([id.to_string()], order_view)?
        .next()
        .transpose()?
    else {
        return Ok(None);
    };
    let unit: Unit = parse(&order.unit)?;
    let mut stmt = conn.prepare_cached(
        "SELECT action, actor, device_id, staff, at, reason, quantity, amount_fen, method
         FROM order_history WHERE order_id = ?1 ORDER BY step, hlc, op_id",
    )?;
    let history = stmt
        .query_and_then([id.to_string()], |r| -> Result<OrderHistoryEntry> {
            let quantity: Option<i64> = r.get(6)?;
            Ok(OrderHistoryEntry {
                action: r.get(0)?,
                actor: r.get(1)?,
                device_id: r.get(2)?,
                staff: r.get(3)?,
                at: r.get(4)?,
                reason: r.get(5)?,
                quantity,
                quantity_display: quantity.map(|q| format_in(q, unit)),
                amount_fen: r.get(7)?,
                method: r.get(8)?,
            })
        })?
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(OrderDetail { order, history }))
}

/// The detail of an order the caller just wrote, which must be there.
pub(super) fn written(conn: &Connection, id: OrderId) -> Result<OrderDetail> {
    detail(conn, id)?
        .ok_or_else(|| Error::BadRecord(format!("order {id} vanished as it was written")))
}
