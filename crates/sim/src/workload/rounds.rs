//! Collection rounds: staff plan them on the hub, edit them, move them on
//! or cancel them, put orders on them and record what was loaded at a
//! stop; sellers answer them from their devices, online or not. Each is the
//! hub's `Storage` call or the engine's `Store` call a person would make.

use std::str::FromStr;

use chrono::{DateTime, Days, NaiveTime};
use highland_domain::weight::needs_weight_per_unit;
use highland_domain::{
    OrderId, OrderState, Quantity, Reason, Round, RoundAnswer, RoundId, RoundState, ShortText,
    Unit, Weight,
};
use highland_exchange::orders::OrderFilter;
use highland_exchange::rounds::view::RoundDetail;
use highland_exchange::rounds::{LoadEntry, PlannedStop, RoundChoice, RoundError, RoundPlan};

use super::{invalid, parse_id, short, step_of};
use crate::config::Fault;
use crate::error::Result;
use crate::world::{World, text};

/// The places a round may stop at. Every seller lives in the first, so a
/// round without it takes none of their orders unless staff pick a stop.
const VILLAGES: [&str; 4] = ["Yubeng", "Xidang", "Deqen", "Feilaisi"];

/// More rounds than a run ever plans: every one of them.
const EVERY_ROUND: usize = 10_000;

#[derive(Debug, Clone, Copy)]
enum RoundWork {
    Plan,
    Edit,
    Move,
    Route,
    Load,
}

impl World {
    /// The seller says from one of their devices whether they will be at a
    /// round's stop; an offline device keeps the answer until it syncs.
    pub(super) fn answer_round(&mut self, d: usize) -> Result<()> {
        let rounds = self.devices[d].store()?.rounds()?;
        let Some(round) = self.rng.pick(&rounds) else {
            return Ok(());
        };
        let id: RoundId = parse_id(&round.id)?;
        let answer = if self.rng.percent(70) {
            RoundAnswer::Coming
        } else {
            RoundAnswer::NotComing {
                reason: Reason::parse(&self.unique("cannot come")).map_err(invalid)?,
            }
        };
        let slug = answer.slug();
        let result = self.devices[d].store()?.answer_round(id, answer);
        self.wrote(
            d,
            |_| format!("answers round {}: {slug}", short(&id)),
            result,
        )?;
        Ok(())
    }

    /// Staff do one thing with the rounds, on the hub.
    pub(super) fn staff_works_rounds(&mut self, now: u64) -> Result<()> {
        let open = self.hub.storage()?.open_rounds()?;
        let work = self.rng.weighted(&[
            (if open.is_empty() { 10 } else { 2 }, RoundWork::Plan),
            (2, RoundWork::Edit),
            (3, RoundWork::Move),
            (4, RoundWork::Route),
            (3, RoundWork::Load),
        ]);
        match work {
            Some(RoundWork::Plan) => self.staff_plan_round(now),
            Some(RoundWork::Edit) => self.staff_edit_round(&open, now),
            Some(RoundWork::Move) => self.staff_move_round(now),
            Some(RoundWork::Route) => self.staff_route_order(&open, now),
            Some(RoundWork::Load) => self.staff_load(now),
            None => Ok(()),
        }
    }

    fn staff_plan_round(&mut self, now: u64) -> Result<()> {
        let id = RoundId::new();
        let plan = self.round_plan(now, None)?;
        let result = self.hub.storage()?.plan_round(id, &plan, now);
        self.staff_on_round(format!("plan round {}", short(&id)), result)
    }

    fn staff_edit_round(&mut self, open: &[Round], now: u64) -> Result<()> {
        let Some(round) = self.rng.pick(open).cloned() else {
            return Ok(());
        };
        let plan = self.round_plan(now, Some(&round))?;
        let result = self.hub.storage()?.edit_round(round.id, &plan, now);
        self.staff_on_round(format!("edit round {}", short(&round.id)), result)
    }

    /// Moves a round on to its next state, or cancels it; now and then
    /// tries a move its state refuses.
    fn staff_move_round(&mut self, now: u64) -> Result<()> {
        let rounds = self.hub.storage()?.rounds(None, EVERY_ROUND)?;
        let Some(round) = self.rng.pick(&rounds) else {
            return Ok(());
        };
        let id: RoundId = parse_id(&round.id)?;
        let state = RoundState::from_str(&round.state).map_err(invalid)?;
        let to = if self.rng.percent(15) {
            RoundState::Cancelled
        } else {
            match state {
                RoundState::Planned => RoundState::Loading,
                RoundState::Loading => RoundState::OnTheRoad,
                _ => RoundState::Done,
            }
        };
        let result = self.hub.storage()?.move_round(id, to, now);
        self.staff_on_round(
            format!("move round {} to {}", short(&id), to.slug()),
            result,
        )
    }

    /// Puts an order on an open round (at its seller's village, or at a
    /// stop staff pick), or takes it off any.
    fn staff_route_order(&mut self, open: &[Round], now: u64) -> Result<()> {
        let orders = self.hub.storage()?.orders(&OrderFilter {
            limit: OrderFilter::MAX_LIMIT,
            ..OrderFilter::default()
        })?;
        let Some(order) = self.rng.pick(&orders.orders) else {
            return Ok(());
        };
        let id: OrderId = parse_id(&order.id)?;
        let to = if self.rng.percent(15) {
            None
        } else {
            self.some_round_choice(open)
        };
        let what = match &to {
            Some(choice) => format!(
                "route order {} to round {}",
                short(&id),
                short(&choice.round)
            ),
            None => format!("take order {} off its round", short(&id)),
        };
        let result = self.hub.storage()?.route_order(id, to, Some("staff"), now);
        self.staff_on_round(what, result)
    }

    /// Records what was loaded at one stop of a round the truck is out on:
    /// most of its orders there, some of them short.
    fn staff_load(&mut self, now: u64) -> Result<()> {
        let rounds: Vec<RoundDetail> = self
            .hub
            .storage()?
            .rounds(None, EVERY_ROUND)?
            .into_iter()
            .filter(|r| RoundState::from_str(&r.state).is_ok_and(RoundState::takes_loads))
            .collect();
        let Some(round) = self.rng.pick(&rounds).cloned() else {
            return Ok(());
        };
        let Some(stop) = self.rng.pick(&round.stops).cloned() else {
            return Ok(());
        };
        let mut entries = Vec::new();
        for line in &stop.lines {
            // Staff load an order the seller handed over, or accepted and
            // brought; now and then one they cannot, and are refused.
            let loadable = [OrderState::Accepted, OrderState::HandedOver]
                .iter()
                .any(|s| s.slug() == line.state);
            if !self.rng.percent(if loadable { 80 } else { 5 }) {
                continue;
            }
            let unit = Unit::from_str(&line.unit).map_err(invalid)?;
            let short_by = if self.rng.percent(20) {
                step_of(unit)
            } else {
                0
            };
            let amount = (line.quantity - short_by).max(step_of(unit));
            let weight = needs_weight_per_unit(unit)
                .then(|| Weight::from_grams(self.rng.between(100, 5_000) * amount))
                .transpose()
                .map_err(invalid)?;
            entries.push(LoadEntry {
                order: parse_id(&line.order_id)?,
                quantity: Quantity::from_base(amount, unit).map_err(invalid)?,
                weight,
            });
        }
        if entries.is_empty() {
            return Ok(());
        }
        let what = format!(
            "load {} orders at {} on round {}",
            entries.len(),
            stop.place,
            super::tail(&round.id)
        );
        let id: RoundId = parse_id(&round.id)?;
        let result =
            self.hub
                .storage()?
                .load_at_stop(id, parse_id(&stop.id)?, &entries, Some("staff"), now);
        self.staff_on_round(what, result)
    }

    /// Whether staff leave the rounds alone for the rest of the run: once
    /// the hub went back in time. A round spans many sellers' logs, and a
    /// hub put back from a backup holds it as it then stood, without what
    /// its sellers' devices give back yet. Two product bugs follow (see the
    /// report on branch `simrounds`): a move or an edit made meanwhile is
    /// published to nobody, since the routes are not back yet, and the
    /// seller's devices keep the old state for good (replay `highland-sim
    /// --seed 7 --trace --no-response-lost --no-hub-killed
    /// --no-device-killed --no-clock-skew --no-hub-clock-back
    /// --no-device-offline --no-mixed-versions` without this guard); and an
    /// order put on the round publishes its old state to another seller at
    /// a new version, which then beats the newer state a device gives back
    /// (`highland-sim --seed 272 --trace --no-request-lost --no-hub-killed
    /// --no-device-killed --no-clock-skew --no-hub-clock-back
    /// --no-mixed-versions`). Sellers still answer the rounds they see.
    pub(super) fn rounds_left_alone(&self) -> bool {
        self.stats.faults.contains_key(&Fault::HubRestored)
    }

    /// One of the open rounds for an order, at the seller's village or, now
    /// and then, at a stop staff pick.
    pub(super) fn some_round_choice(&mut self, open: &[Round]) -> Option<RoundChoice> {
        let round = self.rng.pick(open)?;
        let stop = if self.rng.percent(25) {
            self.rng.pick(round.stops.as_slice()).map(|s| s.id)
        } else {
            None
        };
        Some(RoundChoice {
            round: round.id,
            stop,
        })
    }

    /// A plan for a new round, or a new plan for `before`: a day soon, a
    /// truck, and stops at some of the villages. An edit keeps most stops
    /// (named by id or by place, as the console does), drops some (refused
    /// while orders ride them) and adds others.
    fn round_plan(&mut self, now: u64, before: Option<&Round>) -> Result<RoundPlan> {
        let today = DateTime::from_timestamp_millis(now as i64)
            .unwrap_or_default()
            .date_naive();
        let date = today + Days::new(self.rng.below(10));
        let mut places: Vec<(Option<_>, ShortText)> = Vec::new();
        for stop in before.map_or(&[][..], |r| r.stops.as_slice()) {
            if self.rng.percent(85) {
                let id = self.rng.percent(50).then_some(stop.id);
                places.push((id, stop.place.clone()));
            }
        }
        for village in VILLAGES {
            let here = places.iter().any(|(_, p)| p.as_str() == village);
            let chance = match (before.is_some(), village == VILLAGES[0]) {
                (true, _) => 10,
                (false, true) => 90,
                (false, false) => 35,
            };
            if !here && self.rng.percent(chance) {
                places.push((None, text(village)?));
            }
        }
        if places.is_empty() {
            places.push((None, text(VILLAGES[0])?));
        }
        let start = self.rng.between(6 * 60, 10 * 60) as u32;
        let stops = places
            .into_iter()
            .enumerate()
            .map(|(n, (id, place))| {
                let minutes = start + 50 * n as u32;
                Ok(PlannedStop {
                    id,
                    place,
                    expected_at: NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0)
                        .ok_or_else(|| invalid(format!("{minutes} minutes into a day")))?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(RoundPlan {
            date,
            vehicle: text(&self.unique("truck"))?,
            capacity: Weight::from_grams(self.rng.between(300, 3_000) * 1_000).map_err(invalid)?,
            stops,
        })
    }

    /// Counts and traces a staff action on a round that went through, and
    /// traces one the hub's rules refused; fails on the hub's own failure.
    fn staff_on_round<T>(&mut self, what: String, result: Result<T, RoundError>) -> Result<()> {
        match result {
            Ok(_) => {
                self.stats.operations += 1;
                self.trace.note(format!("staff {what}"));
                Ok(())
            }
            Err(RoundError::Hub(e)) => Err(RoundError::Hub(e).into()),
            Err(e) => {
                self.trace.note(format!("staff may not {what}: {e}"));
                Ok(())
            }
        }
    }
}
