//! Collection rounds in the database: the round and its plan, where orders
//! ride, what was loaded, sellers' answers and the trip's cost; and the
//! views staff read, added up by [`highland_exchange::rounds::loads`] and
//! [`highland_exchange::rounds::costs`].
//!
//! Rounds, routes, loads and answers keep the newest by version (HLC, then
//! device id), like the devices' copies: every write here says `WHERE` the
//! incoming version beats the held one.

use chrono::{DateTime, Utc};
use highland_domain::{
    Load, LotId, Money, Operation, OrderId, OrderState, Quantity, Round, RoundAnswer, RoundCost,
    RoundId, RoundState, RoundStop, ShortText, Stop, StopId, Stops, TraceCode, TraceEvent,
    TraceEventId, TraceStep, Unit, Version, Weight,
};

use super::views::{format_time, ms, parse};
use super::{Record, Sql};
use crate::{Error, Result, SellerId};
use highland_exchange::rounds::costs::{self, CostReport, CostedRound};
use highland_exchange::rounds::loads::{self, OrderOnRound};
use highland_exchange::rounds::view::RoundDetail;

const ROUND_COLUMNS: &str = "id, date, vehicle, capacity_g, state, stops";

fn round_of(r: &Record) -> Result<Round> {
    let stops: Vec<Stop> = serde_json::from_str(r.get::<_, &str>(5))
        .map_err(|e| Error::BadRecord(format!("a round's stops: {e}")))?;
    Ok(Round {
        id: parse(r.get::<_, &str>(0))?,
        date: parse(r.get::<_, &str>(1))?,
        vehicle: ShortText::parse(r.get::<_, &str>(2))?,
        capacity: Weight::from_grams(r.get(3))?,
        stops: Stops::new(stops)?,
        state: parse::<RoundState>(r.get::<_, &str>(4))?,
    })
}

pub(crate) fn round(db: &mut dyn Sql, id: RoundId) -> Result<Option<Round>> {
    let row = db.query_opt(
        &format!("SELECT {ROUND_COLUMNS} FROM rounds WHERE id = ?1"),
        &[&id.to_string()],
    )?;
    row.as_ref().map(round_of).transpose()
}

pub(crate) fn save_round(db: &mut dyn Sql, round: &Round, version: Version) -> Result<()> {
    let stops = serde_json::to_string(&round.stops)
        .map_err(|e| Error::BadRecord(format!("a round's stops: {e}")))?;
    db.execute(
        "INSERT INTO rounds (id, date, vehicle, capacity_g, state, stops, hlc, device_id,
                             created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET
           date = excluded.date, vehicle = excluded.vehicle, capacity_g = excluded.capacity_g,
           state = excluded.state, stops = excluded.stops, hlc = excluded.hlc,
           device_id = excluded.device_id
         WHERE excluded.hlc > rounds.hlc
            OR (excluded.hlc = rounds.hlc AND excluded.device_id > rounds.device_id)",
        &[
            &round.id.to_string(),
            &round.date.to_string(),
            &round.vehicle.as_str(),
            &round.capacity.grams(),
            &round.state.slug(),
            &stops,
            &version.hlc.as_i64(),
            &version.device.to_string(),
            &ms(version.hlc.wall_ms()),
        ],
    )?;
    Ok(())
}

pub(crate) fn round_sellers(db: &mut dyn Sql, id: RoundId) -> Result<Vec<SellerId>> {
    db.query(
        "SELECT DISTINCT seller_id FROM orders WHERE round_id = ?1 ORDER BY seller_id",
        &[&id.to_string()],
    )?
    .iter()
    .map(|r| parse(r.get::<_, &str>(0)))
    .collect()
}

pub(crate) fn orders_at_stop(db: &mut dyn Sql, round: RoundId, stop: StopId) -> Result<u64> {
    let row = db.query_one(
        "SELECT count(*) FROM orders WHERE round_id = ?1 AND stop_id = ?2",
        &[&round.to_string(), &stop.to_string()],
    )?;
    Ok(row.get::<_, i64>(0) as u64)
}

pub(crate) fn seller_on_round(db: &mut dyn Sql, seller: SellerId, round: RoundId) -> Result<bool> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM orders WHERE seller_id = ?1 AND round_id = ?2 LIMIT 1",
            &[&seller.to_string(), &round.to_string()],
        )?
        .is_some())
}

pub(crate) fn seller_village(db: &mut dyn Sql, seller: SellerId) -> Result<Option<String>> {
    let row = db.query_opt(
        "SELECT village FROM sellers WHERE id = ?1",
        &[&seller.to_string()],
    )?;
    Ok(row.map(|r| r.get(0)))
}

pub(crate) fn route_order(
    db: &mut dyn Sql,
    order: OrderId,
    to: Option<RoundStop>,
    version: Version,
) -> Result<()> {
    db.execute(
        "UPDATE orders SET round_id = ?2, stop_id = ?3, routed_hlc = ?4, routed_device = ?5
         WHERE id = ?1
           AND (routed_hlc IS NULL OR routed_hlc < ?4
                OR (routed_hlc = ?4 AND routed_device < ?5))",
        &[
            &order.to_string(),
            &to.map(|t| t.round_id.to_string()),
            &to.map(|t| t.stop_id.to_string()),
            &version.hlc.as_i64(),
            &version.device.to_string(),
        ],
    )?;
    Ok(())
}

pub(crate) fn save_load(
    db: &mut dyn Sql,
    load: &Load,
    op: &Operation,
    staff: Option<&str>,
) -> Result<()> {
    // The trace step keeps the first load's id through corrections: one
    // shipment, one event.
    let trace_event = TraceEventId::from_uuid(op.id.as_uuid());
    db.execute(
        "INSERT INTO order_loads (order_id, round_id, stop_id, quantity, weight_g, at, hlc,
                                  device_id, trace_event_id, staff)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (order_id) DO UPDATE SET
           round_id = excluded.round_id, stop_id = excluded.stop_id,
           quantity = excluded.quantity, weight_g = excluded.weight_g, at = excluded.at,
           hlc = excluded.hlc, device_id = excluded.device_id, staff = excluded.staff
         WHERE excluded.hlc > order_loads.hlc
            OR (excluded.hlc = order_loads.hlc AND excluded.device_id > order_loads.device_id)",
        &[
            &load.order_id.to_string(),
            &load.round_id.to_string(),
            &load.stop_id.to_string(),
            &load.quantity.base(),
            &load.weight.grams(),
            &format_time(load.at),
            &op.hlc.as_i64(),
            &op.device_id.to_string(),
            &trace_event.to_string(),
            &staff,
        ],
    )?;
    Ok(())
}

pub(crate) fn save_answer(
    db: &mut dyn Sql,
    seller: SellerId,
    round: RoundId,
    answer: &RoundAnswer,
    at: DateTime<Utc>,
    version: Version,
) -> Result<()> {
    db.execute(
        "INSERT INTO round_answers (round_id, seller_id, answer, reason, at, hlc, device_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (round_id, seller_id) DO UPDATE SET
           answer = excluded.answer, reason = excluded.reason, at = excluded.at,
           hlc = excluded.hlc, device_id = excluded.device_id
         WHERE excluded.hlc > round_answers.hlc
            OR (excluded.hlc = round_answers.hlc AND excluded.device_id > round_answers.device_id)",
        &[
            &round.to_string(),
            &seller.to_string(),
            &answer.slug(),
            &answer.reason().map(|r| r.as_str()),
            &format_time(at),
            &version.hlc.as_i64(),
            &version.device.to_string(),
        ],
    )?;
    Ok(())
}

pub(crate) fn save_cost(db: &mut dyn Sql, id: RoundId, cost: &RoundCost, at: &str) -> Result<()> {
    db.execute(
        "UPDATE rounds SET fuel_fen = ?2, driver_fen = ?3, tolls_fen = ?4, cost_at = ?5
         WHERE id = ?1",
        &[
            &id.to_string(),
            &cost.fuel.fen(),
            &cost.driver.fen(),
            &cost.tolls.fen(),
            &at,
        ],
    )?;
    Ok(())
}

fn cost_of(db: &mut dyn Sql, id: RoundId) -> Result<Option<RoundCost>> {
    let row = db.query_one(
        "SELECT fuel_fen, driver_fen, tolls_fen FROM rounds WHERE id = ?1",
        &[&id.to_string()],
    )?;
    match (
        row.get::<_, Option<i64>>(0),
        row.get::<_, Option<i64>>(1),
        row.get::<_, Option<i64>>(2),
    ) {
        (Some(fuel), Some(driver), Some(tolls)) => Ok(Some(RoundCost {
            fuel: Money::from_fen(fuel)?,
            driver: Money::from_fen(driver)?,
            tolls: Money::from_fen(tolls)?,
        })),
        _ => Ok(None),
    }
}

/// Every order on a round, with its seller, listing, lot, answer and load.
fn orders_on(db: &mut dyn Sql, id: RoundId) -> Result<Vec<OrderOnRound>> {
    let rows = db.query(
        "SELECT o.id, o.seller_id, s.name, o.listing_id, l.title, t.trace_code, o.stop_id,
                o.state, o.quantity, o.unit, l.weight_per_unit_g, a.answer, a.reason,
                d.quantity, d.weight_g
         FROM orders o
         JOIN sellers s ON s.id = o.seller_id
         JOIN listings l ON l.id = o.listing_id
         LEFT JOIN lots t ON t.id = l.lot_id
         LEFT JOIN round_answers a ON a.round_id = o.round_id AND a.seller_id = o.seller_id
         LEFT JOIN order_loads d ON d.order_id = o.id AND d.round_id = o.round_id
         WHERE o.round_id = ?1
         ORDER BY s.name, o.seller_id, o.placed_hlc, o.id",
        &[&id.to_string()],
    )?;
    rows.iter()
        .map(|r| {
            let unit: Unit = parse(r.get::<_, &str>(9))?;
            let answer = match r.get::<_, Option<&str>>(11) {
                Some("coming") => Some(RoundAnswer::Coming),
                Some(_) => Some(RoundAnswer::NotComing {
                    reason: highland_domain::Reason::parse(
                        r.get::<_, Option<&str>>(12).unwrap_or("-"),
                    )?,
                }),
                None => None,
            };
            let loaded = match (r.get::<_, Option<i64>>(13), r.get::<_, Option<i64>>(14)) {
                (Some(q), Some(w)) => Some((Quantity::from_base(q, unit)?, Weight::from_grams(w)?)),
                _ => None,
            };
            Ok(OrderOnRound {
                order_id: r.get(0),
                seller_id: r.get(1),
                seller_name: r.get(2),
                listing_id: r.get(3),
                listing_title: r.get(4),
                lot_code: r.get::<_, Option<&str>>(5).map(|c| {
                    TraceCode::parse(c)
                        .map(|c| c.grouped())
                        .unwrap_or(c.to_owned())
                }),
                stop: parse(r.get::<_, &str>(6))?,
                state: parse::<OrderState>(r.get::<_, &str>(7))?,
                quantity: Quantity::from_base(r.get(8), unit)?,
                weight_per_unit: r
                    .get::<_, Option<i64>>(10)
                    .map(Weight::from_grams)
                    .transpose()?,
                answer,
                loaded,
            })
        })
        .collect()
}

pub(crate) fn detail(db: &mut dyn Sql, id: RoundId) -> Result<Option<RoundDetail>> {
    let Some(round) = round(db, id)? else {
        return Ok(None);
    };
    let orders = orders_on(db, id)?;
    let cost = cost_of(db, id)?;
    Ok(Some(loads::detail(&round, &orders, cost)))
}

/// The detail of a round the caller just wrote, which must be there.
pub(crate) fn written(db: &mut dyn Sql, id: RoundId) -> Result<RoundDetail> {
    detail(db, id)?
        .ok_or_else(|| Error::BadRecord(format!("round {id} vanished as it was written")))
}

/// Rounds from `from` on (every one when `None`), by date, newest first.
pub(crate) fn list(db: &mut dyn Sql, from: Option<&str>, limit: usize) -> Result<Vec<RoundDetail>> {
    let ids = db.query(
        "SELECT id FROM rounds WHERE (CAST(?1 AS TEXT) IS NULL OR date >= ?1)
         ORDER BY date DESC, id DESC LIMIT ?2",
        &[&from, &(limit as i64)],
    )?;
    let mut rounds = Vec::with_capacity(ids.len());
    for row in ids {
        let id: RoundId = parse(row.get::<_, &str>(0))?;
        if let Some(detail) = detail(db, id)? {
            rounds.push(detail);
        }
    }
    Ok(rounds)
}

/// The `shipped` steps of a lot: one for each load of an order for a
/// listing of the lot, on a round that was not cancelled, at the time the
/// truck was expected at the stop, with the vehicle.
pub(crate) fn shipments(db: &mut dyn Sql, lot: LotId) -> Result<Vec<TraceEvent>> {
    let rows = db.query(
        &format!(
            "SELECT d.trace_event_id, d.quantity, o.unit, d.stop_id, d.at, d.staff,
                    r.{}
             FROM order_loads d
             JOIN orders o ON o.id = d.order_id
             JOIN listings l ON l.id = o.listing_id
             JOIN rounds r ON r.id = d.round_id
             WHERE l.lot_id = ?1 AND r.state <> '{}'",
            ROUND_COLUMNS.replace(", ", ", r."),
            RoundState::Cancelled.slug()
        ),
        &[&lot.to_string()],
    )?;
    rows.iter()
        .map(|r| {
            let round = Round {
                id: parse(r.get::<_, &str>(6))?,
                date: parse(r.get::<_, &str>(7))?,
                vehicle: ShortText::parse(r.get::<_, &str>(8))?,
                capacity: Weight::from_grams(r.get(9))?,
                state: parse::<RoundState>(r.get::<_, &str>(10))?,
                stops: serde_json::from_str(r.get::<_, &str>(11))
                    .map_err(|e| Error::BadRecord(format!("a round's stops: {e}")))?,
            };
            let stop = round.stop(parse(r.get::<_, &str>(3))?);
            let loaded_at: DateTime<Utc> = parse(r.get::<_, &str>(4))?;
            Ok(TraceEvent {
                id: parse(r.get::<_, &str>(0))?,
                lot_id: lot,
                at: stop.map_or(loaded_at, |s| round.expected_at(s)),
                place: stop.map(|s| s.place.clone()),
                recorded_by: ShortText::parse(r.get::<_, Option<&str>>(5).unwrap_or("Highland"))?,
                step: TraceStep::Shipped {
                    quantity: Quantity::from_base(r.get(1), parse::<Unit>(r.get::<_, &str>(2))?)?,
                    to: None,
                    vehicle: Some(round.vehicle.clone()),
                    round_id: Some(round.id),
                },
            })
        })
        .collect()
}

/// Every open round, soonest first: where an order may go.
pub(crate) fn open_rounds(db: &mut dyn Sql) -> Result<Vec<Round>> {
    let rows = db.query(
        &format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE state IN ('{}', '{}')
             ORDER BY date, id",
            RoundState::Planned.slug(),
            RoundState::Loading.slug()
        ),
        &[],
    )?;
    rows.iter().map(round_of).collect()
}

/// The cost report over every done round whose cost is recorded.
pub(crate) fn cost_report(db: &mut dyn Sql) -> Result<CostReport> {
    let rows = db.query(
        &format!(
            "SELECT {ROUND_COLUMNS}, fuel_fen + driver_fen + tolls_fen FROM rounds
             WHERE state = '{}' AND fuel_fen IS NOT NULL
             ORDER BY date, id",
            RoundState::Done.slug()
        ),
        &[],
    )?;
    let mut costed = Vec::with_capacity(rows.len());
    for r in &rows {
        let round = round_of(r)?;
        let by_stop = db.query(
            "SELECT stop_id, CAST(coalesce(sum(weight_g), 0) AS BIGINT) FROM order_loads
             WHERE round_id = ?1 GROUP BY stop_id",
            &[&round.id.to_string()],
        )?;
        let loaded_at = |stop: StopId| {
            by_stop
                .iter()
                .find(|row| row.get::<_, &str>(0) == stop.to_string())
                .map_or(0, |row| row.get::<_, i64>(1))
        };
        costed.push(CostedRound {
            id: round.id.to_string(),
            date: round.date,
            vehicle: round.vehicle.to_string(),
            cost_fen: r.get(6),
            loaded: round
                .stops
                .as_slice()
                .iter()
                .map(|s| (s.place.to_string(), loaded_at(s.id)))
                .collect(),
        });
    }
    Ok(costs::report(&costed))
}
