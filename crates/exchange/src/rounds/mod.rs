//! Collection rounds: what the buyer's staff do with them. Plan a round (a
//! day, a vehicle with its capacity, stops with expected times), edit it
//! while it is open, move it through planned, loading, on the road and
//! done (or cancel it), put orders on it, record at each stop what was
//! loaded, and record what the trip cost. The seller's side, the answer to
//! a round, arrives as a proposal in a sync and is checked in
//! [`crate::sync`].
//!
//! A round spans many sellers, and each seller's log stands alone, so the
//! hub sends the round to each seller with an order on it, as an operation
//! of that seller's ([`Payload::RoundPublished`]), whenever it changes;
//! routes and loads go to the order's seller. Devices keep the newest of
//! each, so a seller who was offline sees the round as it last stood.
//!
//! Each function here runs inside the caller's transaction and changes
//! nothing when it fails. [`loads`] computes a round's loads, [`costs`] the
//! cost per kilogram over time; both are pure.

pub mod costs;
pub mod loads;
pub mod view;

use chrono::{NaiveDate, NaiveTime};
use highland_domain::round::RoundMoveRefused;
use highland_domain::weight::needs_weight_per_unit;
use highland_domain::{
    Actor, DomainError, HybridClock, ListingId, Load, OrderAction, OrderId, OrderState, Payload,
    Quantity, Round, RoundCost, RoundId, RoundState, RoundStop, ShortText, Stop, StopId, Stops,
    Version, Weight,
};
use thiserror::Error;

use crate::SellerId;
use crate::authored::{author, time};
use crate::sync::Ledger;

/// The round an order is to ride, and its stop; without one, the stop at
/// the seller's village.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundChoice {
    pub round: RoundId,
    pub stop: Option<StopId>,
}

/// A round as staff type it: a new one, or the new plan of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundPlan {
    pub date: NaiveDate,
    pub vehicle: ShortText,
    pub capacity: Weight,
    /// In the order the truck makes them.
    pub stops: Vec<PlannedStop>,
}

/// A stop as staff type it. An existing stop keeps its id when the plan
/// names it, or names its place again, so the orders on it stay on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStop {
    pub id: Option<StopId>,
    pub place: ShortText,
    pub expected_at: NaiveTime,
}

impl PlannedStop {
    /// A stop as one line of text: its time, then its place, such as
    /// "10:30 雨崩 Yubeng" (the console's box and the command line).
    pub fn parse_line(line: &str) -> Result<PlannedStop, DomainError> {
        let line = line.trim();
        let (time, place) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        Ok(PlannedStop {
            id: None,
            expected_at: highland_domain::round::parse_time(time)?,
            place: ShortText::parse(place)?,
        })
    }

    /// Every non-empty line of `text` as a stop.
    pub fn parse_lines(text: &str) -> Result<Vec<PlannedStop>, DomainError> {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(PlannedStop::parse_line)
            .collect()
    }

    /// The stop as [`PlannedStop::parse_line`] reads it back.
    pub fn line_of(stop: &Stop) -> String {
        format!("{} {}", stop.expected_at.format("%H:%M"), stop.place)
    }
}

impl RoundPlan {
    /// The plan's stops with their ids: kept from `before` for a stop named
    /// by id or by place, new otherwise.
    fn stops(&self, before: Option<&Stops>) -> Result<Stops, RoundError> {
        let mut stops = Vec::with_capacity(self.stops.len());
        for planned in &self.stops {
            let kept = before.and_then(|b| match planned.id {
                Some(id) => b.get(id).map(|s| s.id),
                None => b.at_place(planned.place.as_str()).map(|s| s.id),
            });
            if let (Some(id), None) = (planned.id, kept) {
                return Err(RoundError::UnknownStop(id));
            }
            stops.push(Stop {
                id: kept.unwrap_or_default(),
                place: planned.place.clone(),
                expected_at: planned.expected_at,
            });
        }
        Ok(Stops::new(stops)?)
    }
}

/// One order's load as staff type it at a stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadEntry {
    pub order: OrderId,
    /// In the order's unit, or another of the same measure.
    pub quantity: Quantity,
    /// What the scale said; needed when the unit is not a weight.
    pub weight: Option<Weight>,
}

/// Why staff could not do what they asked with a round. [`RoundError::code`]
/// is the stable name to branch on.
#[derive(Debug, Error)]
pub enum RoundError {
    #[error("no collection round with id {0}")]
    UnknownRound(RoundId),
    #[error("a round with id {0} already exists")]
    RoundExists(RoundId),
    #[error("no order with id {0}")]
    UnknownOrder(OrderId),
    #[error("no listing with id {0}")]
    UnknownListing(ListingId),
    #[error("the round has no stop with id {0}")]
    UnknownStop(StopId),
    #[error("the round does not stop at {village:?}, the seller's village; choose a stop")]
    NoStopForVillage { village: String },
    #[error(
        "the round is {state}; only a planned or loading round changes its plan or takes orders"
    )]
    Closed { state: RoundState },
    #[error(transparent)]
    Move(#[from] RoundMoveRefused),
    #[error(
        "the round is {state}; loads are recorded once the truck is out (loading, on the road or done)"
    )]
    NotLoading { state: RoundState },
    #[error("the round is {state}; its cost is recorded once it is done")]
    NotDone { state: RoundState },
    #[error("the order is {state}; only a placed or accepted order is put on a round")]
    OrderNotRoutable { state: OrderState },
    #[error("the order is {state}; only an accepted or handed-over order is loaded")]
    OrderNotLoadable { state: OrderState },
    #[error("order {order} does not ride this round at this stop")]
    OrderNotAtStop { order: OrderId },
    #[error("{count} orders ride the stop at {place:?}; move them to another stop first")]
    StopHasOrders { place: String, count: u64 },
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// The database or the hub failed; see [`crate::Error`].
    #[error(transparent)]
    Hub(#[from] crate::Error),
}

impl RoundError {
    /// A stable, machine-readable name for the kind of error. Never rename
    /// one: clients branch on it.
    pub fn code(&self) -> &'static str {
        match self {
            RoundError::UnknownRound(_) => "unknown_round",
            RoundError::RoundExists(_) => "round_exists",
            RoundError::UnknownOrder(_) => "unknown_order",
            RoundError::UnknownListing(_) => "unknown_listing",
            RoundError::UnknownStop(_) => "unknown_stop",
            RoundError::NoStopForVillage { .. } => "no_stop_for_village",
            RoundError::Closed { .. } => "round_closed",
            RoundError::Move(_) => "round_move_refused",
            RoundError::NotLoading { .. } => "round_not_loading",
            RoundError::NotDone { .. } => "round_not_done",
            RoundError::OrderNotRoutable { .. } => "order_not_routable",
            RoundError::OrderNotLoadable { .. } => "order_not_loadable",
            RoundError::OrderNotAtStop { .. } => "order_not_at_stop",
            RoundError::StopHasOrders { .. } => "stop_has_orders",
            RoundError::Invalid(e) => e.code(),
            RoundError::Hub(_) => "internal",
        }
    }

    /// Whether the error names something that is not there (a 404).
    pub fn is_missing(&self) -> bool {
        matches!(
            self,
            RoundError::UnknownRound(_)
                | RoundError::UnknownOrder(_)
                | RoundError::UnknownListing(_)
        )
    }
}

/// Plans a new round, in state planned. No seller hears of it until an
/// order is put on it.
pub fn plan(
    ledger: &mut impl Ledger,
    id: RoundId,
    plan: &RoundPlan,
    now_ms: u64,
) -> Result<(), RoundError> {
    if ledger.round(id)?.is_some() {
        return Err(RoundError::RoundExists(id));
    }
    let round = Round {
        id,
        date: plan.date,
        vehicle: plan.vehicle.clone(),
        capacity: plan.capacity,
        stops: plan.stops(None)?,
        state: RoundState::Planned,
    };
    save(ledger, &round, now_ms)
}

/// Replaces an open round's plan and tells its sellers. A stop that orders
/// ride cannot be dropped: they would ride to nowhere.
pub fn edit(
    ledger: &mut impl Ledger,
    id: RoundId,
    plan: &RoundPlan,
    now_ms: u64,
) -> Result<(), RoundError> {
    let before = open_round(ledger, id)?;
    let stops = plan.stops(Some(&before.stops))?;
    for gone in before.stops.as_slice() {
        if stops.get(gone.id).is_none() {
            let count = ledger.orders_at_stop(id, gone.id)?;
            if count > 0 {
                return Err(RoundError::StopHasOrders {
                    place: gone.place.to_string(),
                    count,
                });
            }
        }
    }
    let round = Round {
        date: plan.date,
        vehicle: plan.vehicle.clone(),
        capacity: plan.capacity,
        stops,
        ..before
    };
    save(ledger, &round, now_ms)?;
    publish(ledger, &round, now_ms)
}

/// Moves a round on (planned, loading, on the road, done) or cancels it,
/// and tells its sellers.
pub fn move_to(
    ledger: &mut impl Ledger,
    id: RoundId,
    to: RoundState,
    now_ms: u64,
) -> Result<(), RoundError> {
    let mut round = ledger.round(id)?.ok_or(RoundError::UnknownRound(id))?;
    round.state = round.state.to(to)?;
    save(ledger, &round, now_ms)?;
    publish(ledger, &round, now_ms)
}

/// Checks that a round may take its cost now. The cost itself is the
/// buyer's own, stored beside the round and never sent to a device.
pub fn check_cost(round: &Round, cost: &RoundCost) -> Result<(), RoundError> {
    if !round.state.takes_cost() {
        return Err(RoundError::NotDone { state: round.state });
    }
    cost.total()?;
    Ok(())
}

/// Puts an order on a round (or takes it off any, with `None`) and tells
/// its seller.
pub fn route(
    ledger: &mut impl Ledger,
    order_id: OrderId,
    to: Option<RoundChoice>,
    staff: Option<&str>,
    now_ms: u64,
) -> Result<(), RoundError> {
    let order = ledger
        .order(order_id)?
        .ok_or(RoundError::UnknownOrder(order_id))?;
    if !matches!(order.state, OrderState::Placed | OrderState::Accepted) {
        return Err(RoundError::OrderNotRoutable { state: order.state });
    }
    let payloads = match to {
        Some(to) => route_payloads(ledger, order_id, order.seller, to)?,
        None => vec![Payload::OrderRouted {
            order_id,
            round: None,
        }],
    };
    Ok(author(ledger, order.seller, payloads, staff, now_ms)?)
}

/// What putting an order of `seller` on a round makes: the round as it
/// stands, for the seller's devices to show, then the route.
pub(crate) fn route_payloads(
    ledger: &mut impl Ledger,
    order_id: OrderId,
    seller: SellerId,
    to: RoundChoice,
) -> Result<Vec<Payload>, RoundError> {
    let round = open_round(ledger, to.round)?;
    let stop = match to.stop {
        Some(id) => round.stop(id).ok_or(RoundError::UnknownStop(id))?.id,
        None => {
            let village = ledger.seller_village(seller)?.unwrap_or_default();
            round
                .stops
                .at_place(&village)
                .ok_or(RoundError::NoStopForVillage { village })?
                .id
        }
    };
    Ok(vec![
        Payload::RoundPublished {
            round: round.clone(),
        },
        Payload::OrderRouted {
            order_id,
            round: Some(RoundStop {
                round_id: round.id,
                stop_id: stop,
            }),
        },
    ])
}

/// Records what was loaded at a stop, order by order, all or none. An
/// accepted order is handed over by the loading, as the seller would have
/// recorded; a correction of a load replaces it.
pub fn load(
    ledger: &mut impl Ledger,
    round_id: RoundId,
    stop_id: StopId,
    entries: &[LoadEntry],
    staff: Option<&str>,
    now_ms: u64,
) -> Result<(), RoundError> {
    let round = ledger
        .round(round_id)?
        .ok_or(RoundError::UnknownRound(round_id))?;
    if !round.state.takes_loads() {
        return Err(RoundError::NotLoading { state: round.state });
    }
    round
        .stop(stop_id)
        .ok_or(RoundError::UnknownStop(stop_id))?;
    let at = time(now_ms);
    for entry in entries {
        let order = ledger
            .order(entry.order)?
            .ok_or(RoundError::UnknownOrder(entry.order))?;
        let here = RoundStop { round_id, stop_id };
        if order.round != Some(here) {
            return Err(RoundError::OrderNotAtStop { order: entry.order });
        }
        let mut payloads = Vec::with_capacity(2);
        match order.state {
            OrderState::Accepted => payloads.push(Payload::OrderActionTaken {
                order_id: entry.order,
                actor: Actor::Staff,
                action: OrderAction::HandOver,
                at,
            }),
            OrderState::HandedOver => {}
            state => return Err(RoundError::OrderNotLoadable { state }),
        }
        let quantity = entry.quantity.in_unit(order.quantity.unit())?;
        payloads.push(Payload::OrderLoaded {
            load: Load {
                order_id: entry.order,
                round_id,
                stop_id,
                quantity,
                weight: Load::weight_for(quantity, entry.weight)?,
                at,
            },
        });
        author(ledger, order.seller, payloads, staff, now_ms)?;
    }
    Ok(())
}

/// Sets what one unit of a listing weighs, for its seller's devices too:
/// staff weigh a jar when the seller did not.
pub fn weigh(
    ledger: &mut impl Ledger,
    listing_id: ListingId,
    weight_per_unit: Option<Weight>,
    staff: Option<&str>,
    now_ms: u64,
) -> Result<(), RoundError> {
    let listing = ledger
        .listing(listing_id)?
        .ok_or(RoundError::UnknownListing(listing_id))?;
    if !needs_weight_per_unit(listing.unit) {
        return Err(DomainError::WeightNotNeeded {
            unit: listing.unit.slug(),
        }
        .into());
    }
    let payload = Payload::ListingWeighed {
        listing_id,
        weight_per_unit,
    };
    Ok(author(
        ledger,
        listing.seller,
        vec![payload],
        staff,
        now_ms,
    )?)
}

fn open_round(ledger: &mut impl Ledger, id: RoundId) -> Result<Round, RoundError> {
    let round = ledger.round(id)?.ok_or(RoundError::UnknownRound(id))?;
    if !round.state.is_open() {
        return Err(RoundError::Closed { state: round.state });
    }
    Ok(round)
}

/// Keeps the round as it now stands, at a fresh version of the hub's clock.
fn save(ledger: &mut impl Ledger, round: &Round, now_ms: u64) -> Result<(), RoundError> {
    let mut clock = HybridClock::new(ledger.clock()?);
    let version = Version {
        hlc: clock.tick(now_ms),
        device: ledger.hub_device()?,
    };
    ledger.set_clock(clock.last())?;
    ledger.save_round(round, version)?;
    Ok(())
}

/// Sends the round as it stands to every seller with an order on it.
fn publish(ledger: &mut impl Ledger, round: &Round, now_ms: u64) -> Result<(), RoundError> {
    for seller in ledger.round_sellers(round.id)? {
        let payload = Payload::RoundPublished {
            round: round.clone(),
        };
        author(ledger, seller, vec![payload], None, now_ms)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use highland_domain::wire::HubErrorCode;

    use super::*;

    #[test]
    fn every_rounds_error_code_is_a_code_the_wire_knows() {
        let id = RoundId::new();
        let errors = [
            RoundError::UnknownRound(id),
            RoundError::RoundExists(id),
            RoundError::UnknownOrder(OrderId::new()),
            RoundError::UnknownListing(ListingId::new()),
            RoundError::UnknownStop(StopId::new()),
            RoundError::NoStopForVillage {
                village: "Yubeng".into(),
            },
            RoundError::Closed {
                state: RoundState::Done,
            },
            RoundError::Move(RoundState::Done.to(RoundState::Loading).unwrap_err()),
            RoundError::NotLoading {
                state: RoundState::Planned,
            },
            RoundError::NotDone {
                state: RoundState::Loading,
            },
            RoundError::OrderNotRoutable {
                state: OrderState::Paid,
            },
            RoundError::OrderNotLoadable {
                state: OrderState::Placed,
            },
            RoundError::OrderNotAtStop {
                order: OrderId::new(),
            },
            RoundError::StopHasOrders {
                place: "Yubeng".into(),
                count: 1,
            },
            RoundError::Invalid(DomainError::NoStops),
        ];
        for e in &errors {
            // No catch-all: a new kind does not compile until it is here.
            match e {
                RoundError::UnknownRound(_)
                | RoundError::RoundExists(_)
                | RoundError::UnknownOrder(_)
                | RoundError::UnknownListing(_)
                | RoundError::UnknownStop(_)
                | RoundError::NoStopForVillage { .. }
                | RoundError::Closed { .. }
                | RoundError::Move(_)
                | RoundError::NotLoading { .. }
                | RoundError::NotDone { .. }
                | RoundError::OrderNotRoutable { .. }
                | RoundError::OrderNotLoadable { .. }
                | RoundError::OrderNotAtStop { .. }
                | RoundError::StopHasOrders { .. }
                | RoundError::Invalid(_)
                | RoundError::Hub(_) => {}
            }
            let code = HubErrorCode::from(e.code());
            assert!(!matches!(code, HubErrorCode::Other(_)), "{}", e.code());
        }
    }
}
