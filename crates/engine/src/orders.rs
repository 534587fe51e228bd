//! Orders from the central buyer, as the seller's device holds them.
//!
//! The hub places orders and decides every transition. The seller accepts,
//! declines or hands over on the device, offline if need be: the action is
//! an operation in the outbox (a proposal), and the order shows it at once,
//! so an accepted order holds its stock before any sync. Each order keeps:
//!
//! - `confirmed_state`: the furthest state among the actions the hub has
//!   confirmed, which arrive as acknowledgements of this device's proposals
//!   and as pulled operations (staff actions, other devices' proposals), in
//!   no reliable order. [`OrderState::furthest`] makes the order irrelevant.
//! - `state`: what the seller sees, and what reserves stock: the confirmed
//!   state with this device's pending proposals applied, in the order they
//!   were made, skipping any that no longer apply, exactly as the hub will
//!   when they reach it. It is recomputed ([`refresh`]) whenever either
//!   input changes.
//! - `refusal`: the hub's reason when it refused a proposal, until the seller
//!   acts on the order again.
//!
//! So when the seller accepts offline while staff cancel on the hub, the
//! device ends cancelled whatever arrives first, with the refusal's reason
//! to show.

use highland_domain::quantity::format_in;
use highland_domain::wire::Refusal;
use highland_domain::{
    Actor, EntityKind, ListingId, Operation, OperationId, Order, OrderAction, OrderId, OrderState,
    Payload, Price, Quantity, Reason, Unit,
};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use crate::rows::{format_time, parse};
use crate::views::{OrderDetail, OrderHistoryView, OrderView, RefusalView};
use crate::{Result, Store, StoreError, listings};

/// The hub's last word on a refused proposal, as kept on the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StoredRefusal {
    action: String,
    code: String,
    message: String,
}

impl Store {
    /// Accepts an order: it holds its quantity back from the listing's stock
    /// at once, and the hub confirms or refuses on the next sync. Unless
    /// `allow_oversell`, an order for more than the listing has available is
    /// refused here, as a sale would be.
    pub fn accept_order(&mut self, id: OrderId, allow_oversell: bool) -> Result<()> {
        self.propose(id, OrderAction::Accept, allow_oversell)
    }

    /// Declines an order, saying why; the buyer's staff see the reason.
    pub fn decline_order(&mut self, id: OrderId, reason: Reason) -> Result<()> {
        self.propose(id, OrderAction::Decline { reason }, false)
    }

    /// Records that the goods went to the buyer.
    pub fn hand_over_order(&mut self, id: OrderId) -> Result<()> {
        self.propose(id, OrderAction::HandOver, false)
    }

    fn propose(&mut self, id: OrderId, action: OrderAction, allow_oversell: bool) -> Result<()> {
        let at = self.now();
        self.record(|tx| {
            let (state, listing, quantity) = current(tx, id)?;
            state.after(&action)?;
            if action == OrderAction::Accept && !allow_oversell {
                let available = listings::stock_of(tx, listing)?;
                if quantity.base() > available {
                    return Err(StoreError::OrderOversell {
                        available: format_in(available.max(0), quantity.unit()),
                        requested: format_in(quantity.base(), quantity.unit()),
                        unit: quantity.unit(),
                    });
                }
            }
            Ok(vec![Payload::OrderActionTaken {
                order_id: id,
                actor: Actor::Seller,
                action,
                at,
            }])
        })?;
        Ok(())
    }

    /// Every order, oldest first, as the seller sees it.
    pub fn orders(&self) -> Result<Vec<OrderView>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders o JOIN listings l ON l.id = o.listing_id
             ORDER BY o.placed_hlc, o.id"
        ))?;
        let rows = stmt.query_and_then([], order_view)?;
        rows.collect()
    }

    /// One order with the history the hub confirmed.
    pub fn order(&self, id: OrderId) -> Result<OrderDetail> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders o JOIN listings l ON l.id = o.listing_id
             WHERE o.id = ?1"
        ))?;
        let order = stmt
            .query_and_then([id.to_string()], order_view)?
            .next()
            .unwrap_or(Err(StoreError::UnknownOrder(id)))?;
        let unit: Unit = parse(&order.unit)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT action, actor, at, reason, quantity, amount_fen, method
             FROM order_history WHERE order_id = ?1 ORDER BY step, hlc, op_id",
        )?;
        let history = stmt
            .query_and_then([id.to_string()], |r| -> Result<OrderHistoryView> {
                let quantity: Option<i64> = r.get(4)?;
                Ok(OrderHistoryView {
                    action: r.get(0)?,
                    actor: r.get(1)?,
                    at: r.get(2)?,
                    reason: r.get(3)?,
                    quantity,
                    quantity_display: quantity.map(|q| format_in(q, unit)),
                    amount_fen: r.get(5)?,
                    method: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>>>()?;
        Ok(OrderDetail { order, history })
    }
}

/// What the seller sees of an order now, and what it is for.
fn current(conn: &Connection, id: OrderId) -> Result<(OrderState, ListingId, Quantity)> {
    let row: Option<(String, String, i64, String)> = conn
        .query_row(
            "SELECT state, listing_id, quantity, unit FROM orders WHERE id = ?1",
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let (state, listing, quantity, unit) = row.ok_or(StoreError::UnknownOrder(id))?;
    Ok((
        parse(&state)?,
        parse(&listing)?,
        Quantity::from_base(quantity, parse(&unit)?)?,
    ))
}

/// A placement pulled from the hub. Its listing must be here already: the
/// hub logged the listing before any order for it.
pub(crate) fn insert_placed(conn: &Connection, order: &Order, op: &Operation) -> Result<()> {
    listings::require(conn, order.listing_id)?;
    conn.execute(
        "INSERT OR IGNORE INTO orders
           (id, listing_id, quantity, unit, unit_price_fen, hand_over_by, note, placed_at,
            placed_hlc, confirmed_state, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'placed', 'placed')",
        params![
            order.id.to_string(),
            order.listing_id.to_string(),
            order.quantity.base(),
            order.quantity.unit().slug(),
            order.unit_price.fen(),
            order.hand_over_by.map(|d| d.to_string()),
            order.note.as_ref().map(|n| n.as_str()),
            format_time(order.placed_at),
            op.hlc.as_i64(),
        ],
    )?;
    record_history(conn, op, order.id, None, Actor::Staff, order.placed_at)
}

/// This device's proposal, already in the outbox: the seller sees it at once,
/// if the order as they see it allows it.
pub(crate) fn propose(conn: &Connection, id: OrderId) -> Result<()> {
    let (state, _, _) = current(conn, id)?;
    let pending = pending_of(conn, id)?;
    if let Some(latest) = pending.last() {
        state.after(latest)?;
    }
    // The seller has acted since any refusal: it no longer needs showing.
    conn.execute(
        "UPDATE orders SET refusal = NULL WHERE id = ?1",
        [id.to_string()],
    )?;
    refresh(conn, id)
}

/// An action the hub confirmed, from a pulled operation or the
/// acknowledgement of this device's own.
pub(crate) fn confirm(conn: &Connection, op: &Operation) -> Result<()> {
    let Payload::OrderActionTaken {
        order_id,
        actor,
        action,
        at,
    } = &op.payload
    else {
        return Ok(());
    };
    let confirmed: Option<String> = conn
        .query_row(
            "SELECT confirmed_state FROM orders WHERE id = ?1",
            [order_id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    let confirmed: OrderState = parse(&confirmed.ok_or(StoreError::UnknownOrder(*order_id))?)?;
    let (reason, received, paid_fen, paid_method) = details(action);
    conn.execute(
        "UPDATE orders SET confirmed_state = ?2,
                reason = coalesce(?3, reason),
                received_quantity = coalesce(?4, received_quantity),
                paid_fen = coalesce(?5, paid_fen), paid_method = coalesce(?6, paid_method)
         WHERE id = ?1",
        params![
            order_id.to_string(),
            confirmed.furthest(action.outcome()).slug(),
            reason,
            received,
            paid_fen,
            paid_method
        ],
    )?;
    record_history(conn, op, *order_id, Some(action), *actor, *at)?;
    refresh(conn, *order_id)
}

/// The hub acknowledged this device's operation `op_id`: if it was an order
/// proposal, the hub has confirmed it.
pub(crate) fn acknowledged(conn: &Connection, op_id: OperationId) -> Result<()> {
    if let Some(op) = crate::outbox::own_op(conn, op_id, EntityKind::Order)? {
        confirm(conn, &op)?;
    }
    Ok(())
}

/// The hub refused this device's operation `op_id`: if it was an order
/// proposal, the order goes back to what the hub holds, with the reason.
/// The hub no longer holds an action it had confirmed: it went back in time
/// and lost it. This device's own proposal, sent again, is pending once
/// more; another device's or the hub's, given back and refused, did not
/// happen as far as the hub knows. Either way its confirmation is taken
/// out, and the order's confirmed state and details are read again from
/// the confirmations that remain, or the device would keep a state the hub
/// no longer has.
pub(crate) fn withdraw(conn: &Connection, op_id: &str) -> Result<()> {
    let order: Option<String> = conn
        .query_row(
            "SELECT order_id FROM order_history WHERE op_id = ?1 AND action <> 'place'",
            [op_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(order) = order else {
        return Ok(());
    };
    conn.execute("DELETE FROM order_history WHERE op_id = ?1", [op_id])?;
    type Confirmed = (
        String,
        Option<String>,
        Option<i64>,
        Option<i64>,
        Option<String>,
    );
    let confirmed: Vec<Confirmed> = {
        let mut stmt = conn.prepare_cached(
            "SELECT action, reason, quantity, amount_fen, method FROM order_history
             WHERE order_id = ?1 ORDER BY step, hlc, op_id",
        )?;
        stmt.query_map([&order], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    let mut state = OrderState::Placed;
    let (mut reason, mut received, mut paid_fen, mut paid_method) = (None, None, None, None);
    for (action, why, quantity, amount, method) in confirmed {
        state = state.furthest(outcome_of(&action)?);
        reason = why.or(reason);
        received = quantity.or(received);
        paid_fen = amount.or(paid_fen);
        paid_method = method.or(paid_method);
    }
    conn.execute(
        "UPDATE orders SET confirmed_state = ?2, reason = ?3, received_quantity = ?4,
                paid_fen = ?5, paid_method = ?6
         WHERE id = ?1",
        params![order, state.slug(), reason, received, paid_fen, paid_method],
    )?;
    refresh(conn, parse(&order)?)
}

/// The state an action of the history (by its slug) leads to.
fn outcome_of(action: &str) -> Result<OrderState> {
    Ok(match action {
        "place" => OrderState::Placed,
        "accept" => OrderState::Accepted,
        "decline" => OrderState::Declined,
        "hand-over" => OrderState::HandedOver,
        "receive" => OrderState::Received,
        "pay" => OrderState::Paid,
        "cancel" => OrderState::Cancelled,
        other => {
            return Err(StoreError::BadRecord(format!(
                "an order's action {other:?}"
            )));
        }
    })
}

pub(crate) fn refused(conn: &Connection, op_id: OperationId, reason: &Refusal) -> Result<()> {
    let Some(op) = crate::outbox::own_op(conn, op_id, EntityKind::Order)? else {
        return Ok(());
    };
    let Payload::OrderActionTaken {
        order_id, action, ..
    } = &op.payload
    else {
        return Ok(());
    };
    let refusal = serde_json::to_string(&StoredRefusal {
        action: action.slug().to_owned(),
        code: reason.code.to_string(),
        message: reason.message.clone(),
    })
    .map_err(|e| StoreError::BadRecord(e.to_string()))?;
    conn.execute(
        "UPDATE orders SET refusal = ?2 WHERE id = ?1",
        params![order_id.to_string(), refusal],
    )?;
    refresh(conn, *order_id)
}

/// This device's proposals on order `id` that the hub has not answered, in
/// the order they were made.
fn pending_of(conn: &Connection, id: OrderId) -> Result<Vec<OrderAction>> {
    let mut stmt = conn.prepare_cached(
        "SELECT body FROM outbox
         WHERE state = 'pending' AND entity_kind = 'order' AND entity_id = ?1
         ORDER BY seq",
    )?;
    let bodies = stmt
        .query_map([id.to_string()], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut actions = Vec::with_capacity(bodies.len());
    for body in bodies {
        let op: Operation = serde_json::from_str(&body)
            .map_err(|e| StoreError::BadRecord(format!("outbox entry: {e}")))?;
        if let Payload::OrderActionTaken { action, .. } = op.payload {
            actions.push(action);
        }
    }
    Ok(actions)
}

/// Recomputes what the seller sees of order `id` from what the hub confirmed
/// and what this device still proposes. A proposal that no longer applies
/// (the order moved on at the hub) is skipped, as the hub will skip it.
fn refresh(conn: &Connection, id: OrderId) -> Result<()> {
    let confirmed: String = conn.query_row(
        "SELECT confirmed_state FROM orders WHERE id = ?1",
        [id.to_string()],
        |r| r.get(0),
    )?;
    let mut state: OrderState = parse(&confirmed)?;
    let mut still = Vec::new();
    for action in pending_of(conn, id)? {
        if let Ok(next) = state.after(&action) {
            state = next;
            still.push(action);
        }
    }
    let pending = if still.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&still).map_err(|e| StoreError::BadRecord(e.to_string()))?)
    };
    conn.execute(
        "UPDATE orders SET state = ?2, pending = ?3 WHERE id = ?1",
        params![id.to_string(), state.slug(), pending],
    )?;
    Ok(())
}

fn record_history(
    conn: &Connection,
    op: &Operation,
    order: OrderId,
    action: Option<&OrderAction>,
    actor: Actor,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let (reason, quantity, amount_fen, method) = action.map(details).unwrap_or_default();
    conn.execute(
        "INSERT OR IGNORE INTO order_history
           (op_id, order_id, step, action, actor, device_id, reason, quantity, amount_fen,
            method, at, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            op.id.to_string(),
            order.to_string(),
            action.map_or(0, |a| a.outcome().step()),
            action.map_or("place", |a| a.slug()),
            actor.slug(),
            op.device_id.to_string(),
            reason,
            quantity,
            amount_fen,
            method,
            format_time(at),
            op.hlc.as_i64(),
        ],
    )?;
    Ok(())
}

type Details<'a> = (
    Option<&'a str>,
    Option<i64>,
    Option<i64>,
    Option<&'static str>,
);

/// What an action says beyond its name: (reason, quantity, amount, method).
fn details(action: &OrderAction) -> Details<'_> {
    match action {
        OrderAction::Decline { reason } | OrderAction::Cancel { reason } => {
            (Some(reason.as_str()), None, None, None)
        }
        OrderAction::Receive { quantity } => (None, Some(quantity.base()), None, None),
        OrderAction::Pay { amount, method } => {
            (None, None, Some(amount.fen()), Some(method.slug()))
        }
        OrderAction::Accept | OrderAction::HandOver => (None, None, None, None),
    }
}

const ORDER_COLUMNS: &str = "o.id, o.listing_id, l.title, o.quantity, o.unit, o.unit_price_fen,
    o.hand_over_by, o.note, o.placed_at, o.state, o.confirmed_state, o.pending, o.refusal,
    o.reason, o.received_quantity, o.paid_fen, o.paid_method,
    (SELECT s.id FROM sales s WHERE s.order_id = o.id),
    o.round_id, o.stop_id, o.loaded_quantity, o.loaded_weight_g";

fn order_view(r: &Row<'_>) -> Result<OrderView> {
    let unit: Unit = parse(&r.get::<_, String>(4)?)?;
    let quantity: i64 = r.get(3)?;
    let unit_price_fen: i64 = r.get(5)?;
    let total = Price::from_fen(unit_price_fen)?.times(Quantity::from_base(quantity, unit)?);
    let pending: Vec<OrderAction> = match r.get::<_, Option<String>>(11)? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| StoreError::BadRecord(format!("pending actions: {e}")))?,
        None => Vec::new(),
    };
    let refusal: Option<StoredRefusal> = r
        .get::<_, Option<String>>(12)?
        .map(|json| serde_json::from_str(&json))
        .transpose()
        .map_err(|e| StoreError::BadRecord(format!("refusal: {e}")))?;
    // A decline the hub has not confirmed yet still shows its reason.
    let pending_reason = pending.iter().find_map(|a| match a {
        OrderAction::Decline { reason } => Some(reason.to_string()),
        _ => None,
    });
    let received: Option<i64> = r.get(14)?;
    let loaded: Option<i64> = r.get(20)?;
    Ok(OrderView {
        id: r.get(0)?,
        listing_id: r.get(1)?,
        listing_title: r.get(2)?,
        quantity,
        quantity_unit: unit.base().slug().to_owned(),
        unit: unit.slug().to_owned(),
        quantity_display: format_in(quantity, unit),
        unit_price_fen,
        total_fen: total.fen(),
        hand_over_by: r.get(6)?,
        note: r.get(7)?,
        placed_at: r.get(8)?,
        state: r.get(9)?,
        confirmed_state: r.get(10)?,
        pending_action: pending.last().map(|a| a.slug().to_owned()),
        refusal: refusal.map(|r| RefusalView {
            action: r.action,
            code: r.code,
            message: r.message,
        }),
        reason: r.get::<_, Option<String>>(13)?.or(pending_reason),
        received_quantity: received,
        received_display: received.map(|q| format_in(q, unit)),
        paid_fen: r.get(15)?,
        paid_method: r.get(16)?,
        sale_id: r.get(17)?,
        round_id: r.get(18)?,
        stop_id: r.get(19)?,
        loaded_quantity: loaded,
        loaded_display: loaded.map(|q| format_in(q, unit)),
        loaded_weight_g: r.get(21)?,
    })
}
