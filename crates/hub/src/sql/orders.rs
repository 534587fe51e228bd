//! The views of orders staff read: a page of orders, one order with its
//! history.

use highland_domain::quantity::format_in;
use highland_domain::{OrderId, Price, Quantity, Unit};

use super::views::parse;
use super::{Record, Sql};
use crate::views::{OrderDetail, OrderHistoryEntry, OrderPage, OrderView};
use crate::{Error, Result};
use highland_exchange::orders::OrderFilter;

const ORDER_COLUMNS: &str = "o.id, o.seller_id, o.listing_id, l.title, o.quantity, o.unit,
    o.unit_price_fen, o.hand_over_by, o.note, o.placed_at, o.state, o.state_changed_at, o.reason,
    o.received_quantity, o.paid_fen, o.paid_method,
    (SELECT s.id FROM sales s WHERE s.order_id = o.id),
    o.round_id, o.stop_id,
    (SELECT d.quantity FROM order_loads d WHERE d.order_id = o.id),
    (SELECT d.weight_g FROM order_loads d WHERE d.order_id = o.id)";

fn order_view(r: &Record) -> Result<OrderView> {
    let unit: Unit = parse(r.get::<_, &str>(5))?;
    let quantity: i64 = r.get(4);
    let unit_price_fen: i64 = r.get(6);
    let total = Price::from_fen(unit_price_fen)?.times(Quantity::from_base(quantity, unit)?);
    let received: Option<i64> = r.get(13);
    let loaded: Option<i64> = r.get(19);
    Ok(OrderView {
        id: r.get(0),
        seller_id: r.get(1),
        listing_id: r.get(2),
        listing_title: r.get(3),
        quantity,
        quantity_unit: unit.base().slug().to_owned(),
        unit: unit.slug().to_owned(),
        quantity_display: format_in(quantity, unit),
        unit_price_fen,
        total_fen: total.fen(),
        hand_over_by: r.get(7),
        note: r.get(8),
        placed_at: r.get(9),
        state: r.get(10),
        state_changed_at: r.get(11),
        reason: r.get(12),
        received_quantity: received,
        received_display: received.map(|q| format_in(q, unit)),
        paid_fen: r.get(14),
        paid_method: r.get(15),
        sale_id: r.get(16),
        round_id: r.get(17),
        stop_id: r.get(18),
        loaded_quantity: loaded,
        loaded_display: loaded.map(|q| format_in(q, unit)),
        loaded_weight_g: r.get(20),
    })
}

pub(super) fn page(client: &mut dyn Sql, filter: &OrderFilter) -> Result<OrderPage> {
    let limit = filter.limit.clamp(1, OrderFilter::MAX_LIMIT);
    let (beyond, direction) = if filter.newest_first {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    // Keyset paging on (placed_hlc, id), as on SQLite; one statement, so one snapshot.
    let sql = format!(
        "SELECT {ORDER_COLUMNS}
         FROM orders o JOIN listings l ON l.id = o.listing_id
         WHERE (CAST(?1 AS TEXT) IS NULL OR o.state = ?1)
           AND (CAST(?2 AS TEXT) IS NULL OR o.seller_id = ?2)
           AND (CAST(?3 AS TEXT) IS NULL OR o.listing_id = ?3)
           AND (CAST(?4 AS TEXT) IS NULL
                OR (o.placed_hlc, o.id) {beyond} (SELECT placed_hlc, id FROM orders WHERE id = ?4))
         ORDER BY o.placed_hlc {direction}, o.id {direction}
         LIMIT ?5"
    );
    let rows = client.query(
        &sql,
        &[
            &filter.state.map(|s| s.slug()),
            &filter.seller.map(|s| s.to_string()),
            &filter.listing.map(|l| l.to_string()),
            &filter.after.map(|a| a.to_string()),
            &((limit + 1) as i64),
        ],
    )?;
    let mut orders = rows.iter().map(order_view).collect::<Result<Vec<_>>>()?;
    let next_after = if orders.len() > limit {
        orders.truncate(limit);
        orders.last().map(|o| o.id.clone())
    } else {
        None
    };
    Ok(OrderPage { orders, next_after })
}

pub(super) fn detail(client: &mut dyn Sql, id: OrderId) -> Result<Option<OrderDetail>> {
    let row = client.query_opt(
        &format!(
            "SELECT {ORDER_COLUMNS} FROM orders o JOIN listings l ON l.id = o.listing_id
             WHERE o.id = ?1"
        ),
        &[&id.to_string()],
    )?;
    let Some(order) = row.as_ref().map(order_view).transpose()? else {
        return Ok(None);
    };
    let unit: Unit = parse(&order.unit)?;
    let rows = client.query(
        "SELECT action, actor, device_id, staff, at, reason, quantity, amount_fen, method
         FROM order_history WHERE order_id = ?1 ORDER BY step, hlc, op_id",
        &[&id.to_string()],
    )?;
    let history = rows
        .iter()
        .map(|r| {
            let quantity: Option<i64> = r.get(6);
            OrderHistoryEntry {
                action: r.get(0),
                actor: r.get(1),
                device_id: r.get(2),
                staff: r.get(3),
                at: r.get(4),
                reason: r.get(5),
                quantity,
                quantity_display: quantity.map(|q| format_in(q, unit)),
                amount_fen: r.get(7),
                method: r.get(8),
            }
        })
        .collect();
    Ok(Some(OrderDetail { order, history }))
}

/// The detail of an order the caller just wrote, which must be there.
pub(super) fn written(client: &mut dyn Sql, id: OrderId) -> Result<OrderDetail> {
    detail(client, id)?
        .ok_or_else(|| Error::BadRecord(format!("order {id} vanished as it was written")))
}
