//! Collection rounds as the seller's device holds them: the truck's trip,
//! which of this seller's orders ride it and at which stop, what was loaded,
//! and the seller's answer.
//!
//! Rounds, routes and loads come from the hub, one operation at a time, and
//! each keeps the newest by version (HLC, then device id), whatever order
//! they arrive in: a round changed while this device was offline converges
//! to the hub's latest plan.
//!
//! The seller's answer ("I will be there", "I cannot come" with a reason)
//! is a proposal, like an order action: it waits in the outbox and is shown
//! at once; the hub confirms it (an `applied` acknowledgement, or the
//! answer pulled from the seller's other device) or refuses it with a reason
//! that stays on the round until the seller answers again.

use std::collections::BTreeMap;

use highland_domain::quantity::format_in;
use highland_domain::weight::weight_of;
use highland_domain::wire::{LoggedOperation, Refusal};
use highland_domain::{
    EntityKind, Load, Operation, OperationId, OrderState, Payload, Quantity, Round, RoundAnswer,
    RoundId, RoundState, RoundStop, Stop, Unit, Weight,
};
use rusqlite::{Connection, OptionalExtension, params};

use crate::rows::{format_time, parse};
use crate::views::{BringView, RefusalView, RoundOrderView, RoundView, StopView};
use crate::{Result, Store, StoreError};

impl Store {
    /// Says whether the seller will be at their stop. Shown at once; the
    /// hub confirms it on the next sync, or refuses it when the round has
    /// left or the seller's orders were moved off it meanwhile.
    pub fn answer_round(&mut self, id: RoundId, answer: RoundAnswer) -> Result<()> {
        let at = self.now();
        self.record(|tx| {
            let state = round_state(tx, id)?;
            RoundAnswer::allowed_in(state)?;
            if !has_orders_on(tx, id)? {
                return Err(StoreError::NotOnRound(id));
            }
            Ok(vec![Payload::RoundAnswered {
                round_id: id,
                answer,
                at,
            }])
        })?;
        Ok(())
    }

    /// Every round this seller has an order on, once per stop their orders
    /// are collected at: soonest first, then the ones that are over.
    pub fn rounds(&self) -> Result<Vec<RoundView>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.date, r.vehicle, r.capacity_g, r.state, r.stops,
                    a.answer, a.reason, a.refusal
             FROM rounds r LEFT JOIN round_answers a ON a.round_id = r.id
             WHERE EXISTS (SELECT 1 FROM orders o WHERE o.round_id = r.id)
             ORDER BY r.date, r.id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut views = Vec::new();
        for (id, date, vehicle, state, stops, answer, reason, refusal) in rows {
            let round_id: RoundId = parse(&id)?;
            let stops: Vec<Stop> = serde_json::from_str(&stops)
                .map_err(|e| StoreError::BadRecord(format!("round {id}'s stops: {e}")))?;
            let pending = pending_answer(&self.conn, round_id)?;
            let (answer, reason) = match &pending {
                Some(p) => (Some(p.slug().to_owned()), p.reason().map(|r| r.to_string())),
                None => (answer, reason),
            };
            let refusal = refusal
                .map(|json| serde_json::from_str::<Refusal>(&json))
                .transpose()
                .map_err(|e| StoreError::BadRecord(format!("a round's refusal: {e}")))?
                .map(|r| RefusalView {
                    action: "answer".to_owned(),
                    code: r.code.to_string(),
                    message: r.message,
                });
            let orders = orders_on(&self.conn, round_id)?;
            for stop in &stops {
                let here: Vec<_> = orders
                    .iter()
                    .filter(|o| o.stop_id == stop.id.to_string())
                    .cloned()
                    .collect();
                if here.is_empty() {
                    continue;
                }
                views.push(RoundView {
                    id: id.clone(),
                    date: date.clone(),
                    vehicle: vehicle.clone(),
                    state: state.clone(),
                    stop: stop_view(stop),
                    stops: stops.iter().map(stop_view).collect(),
                    bring: bring(&here)?,
                    orders: here,
                    answer: answer.clone(),
                    answer_reason: reason.clone(),
                    answer_pending: pending.is_some(),
                    refusal: refusal.clone(),
                });
            }
        }
        // Open rounds first, soonest first; then those that are over.
        views.sort_by_key(|v| {
            let open = v.state.parse::<RoundState>().is_ok_and(RoundState::is_open);
            (!open, v.date.clone(), v.stop.expected_at.clone())
        });
        Ok(views)
    }
}

fn stop_view(stop: &Stop) -> StopView {
    StopView {
        id: stop.id.to_string(),
        place: stop.place.to_string(),
        expected_at: stop.expected_at.format("%H:%M").to_string(),
    }
}

/// What the seller brings to the stop: their accepted orders, summed by
/// listing, in the order the listings first appear.
fn bring(orders: &[RoundOrderView]) -> Result<Vec<BringView>> {
    let mut by_listing: BTreeMap<&str, (usize, &RoundOrderView, i64)> = BTreeMap::new();
    for (i, o) in orders.iter().enumerate() {
        if o.state != OrderState::Accepted.slug() {
            continue;
        }
        by_listing
            .entry(&o.listing_id)
            .and_modify(|(_, _, sum)| *sum += o.quantity)
            .or_insert((i, o, o.quantity));
    }
    let mut items: Vec<_> = by_listing.into_values().collect();
    items.sort_by_key(|(first, _, _)| *first);
    items
        .into_iter()
        .map(|(_, o, quantity)| {
            let unit: Unit = parse(&o.unit)?;
            Ok(BringView {
                listing_id: o.listing_id.clone(),
                listing_title: o.listing_title.clone(),
                quantity,
                unit: o.unit.clone(),
                quantity_display: format_in(quantity, unit),
            })
        })
        .collect()
}

/// This seller's orders on a round, oldest first.
fn orders_on(conn: &Connection, round: RoundId) -> Result<Vec<RoundOrderView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.listing_id, l.title, o.quantity, o.unit, o.state, o.stop_id,
                o.loaded_quantity, o.loaded_weight_g, l.weight_per_unit_g
         FROM orders o JOIN listings l ON l.id = o.listing_id
         WHERE o.round_id = ?1 ORDER BY o.placed_hlc, o.id",
    )?;
    stmt.query_and_then([round.to_string()], |r| -> Result<RoundOrderView> {
        let unit: Unit = parse(&r.get::<_, String>(4)?)?;
        let quantity: i64 = r.get(3)?;
        let loaded: Option<i64> = r.get(7)?;
        let per_unit = r
            .get::<_, Option<i64>>(9)?
            .and_then(|g| Weight::from_grams(g).ok());
        Ok(RoundOrderView {
            order_id: r.get(0)?,
            listing_id: r.get(1)?,
            listing_title: r.get(2)?,
            quantity,
            unit: unit.slug().to_owned(),
            quantity_display: format_in(quantity, unit),
            weight_g: weight_of(Quantity::from_base(quantity, unit)?, per_unit),
            state: r.get(5)?,
            stop_id: r.get(6)?,
            loaded_display: loaded.map(|q| format_in(q, unit)),
            loaded_weight_g: r.get(8)?,
        })
    })?
    .collect()
}

fn round_state(conn: &Connection, id: RoundId) -> Result<RoundState> {
    let state: Option<String> = conn
        .query_row(
            "SELECT state FROM rounds WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    parse(&state.ok_or(StoreError::UnknownRound(id))?)
}

fn has_orders_on(conn: &Connection, id: RoundId) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM orders WHERE round_id = ?1 LIMIT 1",
            [id.to_string()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// A round the hub sent: kept unless a newer version of it is here.
pub(crate) fn publish(conn: &Connection, round: &Round, op: &Operation) -> Result<()> {
    let stops = serde_json::to_string(&round.stops)
        .map_err(|e| StoreError::BadRecord(format!("a round's stops: {e}")))?;
    conn.execute(
        "INSERT INTO rounds (id, date, vehicle, capacity_g, state, stops, hlc, device_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET
           date = excluded.date, vehicle = excluded.vehicle, capacity_g = excluded.capacity_g,
           state = excluded.state, stops = excluded.stops, hlc = excluded.hlc,
           device_id = excluded.device_id
         WHERE (excluded.hlc, excluded.device_id) > (rounds.hlc, rounds.device_id)",
        params![
            round.id.to_string(),
            round.date.to_string(),
            round.vehicle.as_str(),
            round.capacity.grams(),
            round.state.slug(),
            stops,
            op.hlc.as_i64(),
            op.device_id.to_string(),
        ],
    )?;
    Ok(())
}

/// An order put on a round, moved, or taken off: kept unless a newer route
/// is here. The hub logs an order before any route of it.
pub(crate) fn route(
    conn: &Connection,
    order: highland_domain::OrderId,
    to: Option<RoundStop>,
    op: &Operation,
) -> Result<()> {
    let exists: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM orders WHERE id = ?1",
            [order.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Err(StoreError::UnknownOrder(order));
    }
    conn.execute(
        "UPDATE orders SET round_id = ?2, stop_id = ?3, routed_hlc = ?4, routed_device = ?5
         WHERE id = ?1
           AND (routed_hlc IS NULL OR (?4, ?5) > (routed_hlc, routed_device))",
        params![
            order.to_string(),
            to.map(|t| t.round_id.to_string()),
            to.map(|t| t.stop_id.to_string()),
            op.hlc.as_i64(),
            op.device_id.to_string(),
        ],
    )?;
    Ok(())
}

/// What was loaded for an order: kept unless a newer record is here (a
/// correction replaces what was typed first).
pub(crate) fn load(conn: &Connection, load: &Load, op: &Operation) -> Result<()> {
    let changed = conn.execute(
        "UPDATE orders SET loaded_quantity = ?2, loaded_weight_g = ?3, loaded_at = ?4,
                loaded_hlc = ?5, loaded_device = ?6
         WHERE id = ?1
           AND (loaded_hlc IS NULL OR (?5, ?6) > (loaded_hlc, loaded_device))",
        params![
            load.order_id.to_string(),
            load.quantity.base(),
            load.weight.grams(),
            format_time(load.at),
            op.hlc.as_i64(),
            op.device_id.to_string(),
        ],
    )?;
    if changed == 0 {
        let exists: Option<i64> = conn
            .query_row(
                "SELECT 1 FROM orders WHERE id = ?1",
                [load.order_id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::UnknownOrder(load.order_id));
        }
    }
    Ok(())
}

/// This device's answer, just put in the outbox: any refusal shown for an
/// earlier one no longer applies.
pub(crate) fn propose(conn: &Connection, round: RoundId) -> Result<()> {
    conn.execute(
        "UPDATE round_answers SET refusal = NULL WHERE round_id = ?1",
        [round.to_string()],
    )?;
    Ok(())
}

/// An answer the hub confirmed: pulled from the seller's other device, or
/// the acknowledgement of this one's. The newest by version stands.
pub(crate) fn confirm(conn: &Connection, op: &Operation) -> Result<()> {
    let Payload::RoundAnswered {
        round_id,
        answer,
        at,
    } = &op.payload
    else {
        return Ok(());
    };
    conn.execute(
        "INSERT INTO round_answers (round_id, answer, reason, at, hlc, device_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (round_id) DO UPDATE SET
           answer = excluded.answer, reason = excluded.reason, at = excluded.at,
           hlc = excluded.hlc, device_id = excluded.device_id
         WHERE round_answers.hlc IS NULL
            OR (excluded.hlc, excluded.device_id) > (round_answers.hlc, round_answers.device_id)",
        params![
            round_id.to_string(),
            answer.slug(),
            answer.reason().map(|r| r.as_str()),
            format_time(*at),
            op.hlc.as_i64(),
            op.device_id.to_string(),
        ],
    )?;
    Ok(())
}

/// The hub acknowledged this device's operation `op_id`: if it was an
/// answer to a round, the hub has confirmed it.
pub(crate) fn acknowledged(conn: &Connection, op_id: OperationId) -> Result<()> {
    if let Some(op) = crate::outbox::own_op(conn, op_id, EntityKind::Round)? {
        confirm(conn, &op)?;
    }
    Ok(())
}

/// The hub no longer holds an answer it had confirmed: it went back in time
/// and lost it. This device's own answer, sent again, is pending once more;
/// another device's, given back and refused, did not happen as far as the
/// hub knows. Either way, if it is the answer the round shows as confirmed,
/// the confirmation is taken out and the newest that remains stands (none
/// when none does), or the device would keep an answer the hub no longer
/// has.
pub(crate) fn withdraw(conn: &Connection, op_id: &str) -> Result<()> {
    let Some(op) = answer_op(conn, op_id)? else {
        return Ok(());
    };
    let Payload::RoundAnswered { round_id, .. } = &op.payload else {
        return Ok(());
    };
    let round = round_id.to_string();
    let confirmed: Option<(Option<i64>, Option<String>)> = conn
        .query_row(
            "SELECT hlc, device_id FROM round_answers WHERE round_id = ?1",
            [&round],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let this = (Some(op.hlc.as_i64()), Some(op.device_id.to_string()));
    if confirmed != Some(this) {
        return Ok(());
    }
    conn.execute(
        "UPDATE round_answers
         SET answer = NULL, reason = NULL, at = NULL, hlc = NULL, device_id = NULL
         WHERE round_id = ?1",
        [&round],
    )?;
    // What remains confirmed: this device's acknowledged answers and the
    // other devices' pulled ones. `confirm` keeps the newest.
    let mut bodies: Vec<String> = {
        let mut stmt = conn.prepare_cached(
            "SELECT body FROM outbox
             WHERE state = 'acked' AND entity_kind = 'round' AND entity_id = ?1 AND op_id <> ?2",
        )?;
        stmt.query_map(params![round, op_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    for body in bodies.drain(..) {
        let op: Operation = serde_json::from_str(&body)
            .map_err(|e| StoreError::BadRecord(format!("outbox entry: {e}")))?;
        confirm(conn, &op)?;
    }
    for op in pulled_answers(conn, &round, op_id)? {
        confirm(conn, &op)?;
    }
    Ok(())
}

/// The answer operation `op_id`, this device's own or one it pulled.
fn answer_op(conn: &Connection, op_id: &str) -> Result<Option<Operation>> {
    let own: Option<String> = conn
        .query_row(
            "SELECT body FROM outbox WHERE op_id = ?1 AND entity_kind = 'round'",
            [op_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(body) = own {
        return serde_json::from_str(&body)
            .map(Some)
            .map_err(|e| StoreError::BadRecord(format!("outbox entry: {e}")));
    }
    let pulled: Option<String> = conn
        .query_row(
            "SELECT body FROM pulled_ops WHERE op_id = ?1",
            [op_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(pulled.and_then(|body| read_pulled(body).ok().flatten()))
}

/// The answers to `round` pulled from the seller's other devices, but for
/// `except`. Only operations naming the round are read.
fn pulled_answers(conn: &Connection, round: &str, except: &str) -> Result<Vec<Operation>> {
    let mut stmt = conn.prepare_cached(
        "SELECT body FROM pulled_ops
         WHERE applied = 1 AND op_id <> ?2 AND instr(body, ?1) > 0",
    )?;
    let bodies: Vec<String> = stmt
        .query_map(params![round, except], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(bodies
        .into_iter()
        .filter_map(|body| read_pulled(body).ok().flatten())
        .filter(|op| matches!(&op.payload, Payload::RoundAnswered { round_id, .. } if round_id.to_string() == round))
        .collect())
}

/// A kept pulled operation, if this build can read it (one it cannot was
/// never applied here).
fn read_pulled(body: String) -> Result<Option<Operation>> {
    let text = LoggedOperation::from_text(body)
        .map_err(|e| StoreError::BadRecord(format!("a kept operation: {e}")))?;
    Ok(text.read().ok())
}

/// The hub refused this device's operation `op_id`: if it was an answer,
/// the round shows why until the seller answers again.
pub(crate) fn refused(conn: &Connection, op_id: OperationId, reason: &Refusal) -> Result<()> {
    let Some(op) = crate::outbox::own_op(conn, op_id, EntityKind::Round)? else {
        return Ok(());
    };
    let Payload::RoundAnswered { round_id, .. } = &op.payload else {
        return Ok(());
    };
    let refusal =
        serde_json::to_string(reason).map_err(|e| StoreError::BadRecord(e.to_string()))?;
    conn.execute(
        "INSERT INTO round_answers (round_id, refusal) VALUES (?1, ?2)
         ON CONFLICT (round_id) DO UPDATE SET refusal = excluded.refusal",
        params![round_id.to_string(), refusal],
    )?;
    Ok(())
}

/// This device's latest answer to `round` that the hub has not answered yet.
fn pending_answer(conn: &Connection, round: RoundId) -> Result<Option<RoundAnswer>> {
    let body: Option<String> = conn
        .query_row(
            "SELECT body FROM outbox
             WHERE state = 'pending' AND entity_kind = 'round' AND entity_id = ?1
             ORDER BY seq DESC LIMIT 1",
            [round.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    let Some(body) = body else {
        return Ok(None);
    };
    let op: Operation = serde_json::from_str(&body)
        .map_err(|e| StoreError::BadRecord(format!("outbox entry: {e}")))?;
    Ok(match op.payload {
        Payload::RoundAnswered { answer, .. } => Some(answer),
        _ => None,
    })
}
