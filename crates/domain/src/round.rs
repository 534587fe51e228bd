//! Collection rounds: one truck's trip on one day through villages and
//! collection points, each stop with the time the truck is expected there,
//! and the orders it collects.
//!
//! The hub is the authority on a round, as on an order: staff plan, edit,
//! move and cancel it, and the hub sends its seller-facing part to every
//! seller with an order on it ([`crate::Payload::RoundPublished`]). A seller
//! answers "I will be there" or "I cannot come" ([`RoundAnswer`]), a
//! proposal the hub checks against the round's state when it arrives.
//!
//! ```text
//! planned ──> loading ──> on the road ──> done
//!    │           │
//!    └──> cancelled <──┘
//! ```
//!
//! Planned: staff plan it and sellers answer. Loading: the truck is out,
//! collecting at its stops, which record what each seller handed over.
//! On the road: loaded, on its way to the buyer. Done: arrived; its cost is
//! recorded then.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::{DomainError, Money, OrderId, Quantity, Reason, RoundId, ShortText, StopId, Weight};

/// A round stops at most this many times: a day's drive on mountain roads.
pub const MAX_STOPS: usize = 30;

/// China Standard Time, UTC+8 all year: the clock the buyer's staff plan by
/// and the villages live by. Stop times are typed and shown in it.
pub const CHINA_TIME: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    // Evaluated when the crate compiles: eight hours is a valid offset.
    None => panic!("UTC+8 is a valid offset"),
};

/// Where a round stops, and when the truck is expected there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stop {
    pub id: StopId,
    /// A village or a named collection point, as staff wrote it.
    pub place: ShortText,
    /// China Standard Time, on the round's date: "10:00".
    #[serde(with = "hhmm")]
    pub expected_at: NaiveTime,
}

/// A time of day as staff type it: "10:00", "9:30", "14:05".
pub fn parse_time(input: &str) -> Result<NaiveTime, DomainError> {
    NaiveTime::parse_from_str(input.trim(), "%H:%M").map_err(|_| DomainError::InvalidTime {
        input: input.to_owned(),
    })
}

/// A time of day on the wire: "HH:MM".
mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&time.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_time(&text).map_err(serde::de::Error::custom)
    }
}

/// A round's stops in the order the truck makes them: at least one, at most
/// [`MAX_STOPS`], no place or id twice, and no stop expected before the one
/// before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Stop>", into = "Vec<Stop>")]
pub struct Stops(Vec<Stop>);

impl Stops {
    pub fn new(stops: Vec<Stop>) -> Result<Stops, DomainError> {
        if stops.is_empty() {
            return Err(DomainError::NoStops);
        }
        if stops.len() > MAX_STOPS {
            return Err(DomainError::TooManyStops { max: MAX_STOPS });
        }
        for (i, stop) in stops.iter().enumerate() {
            let earlier = &stops[..i];
            if earlier.iter().any(|s| same_place(&s.place, &stop.place)) {
                return Err(DomainError::StopRepeated {
                    place: stop.place.to_string(),
                });
            }
            if earlier.iter().any(|s| s.id == stop.id) {
                return Err(DomainError::StopRepeated {
                    place: stop.place.to_string(),
                });
            }
            if let Some(before) = earlier.last()
                && stop.expected_at < before.expected_at
            {
                return Err(DomainError::StopsOutOfOrder {
                    place: stop.place.to_string(),
                });
            }
        }
        Ok(Stops(stops))
    }

    pub fn as_slice(&self) -> &[Stop] {
        &self.0
    }

    pub fn get(&self, id: StopId) -> Option<&Stop> {
        self.0.iter().find(|s| s.id == id)
    }

    /// The stop at `place`, however its case or spaces were typed.
    pub fn at_place(&self, place: &str) -> Option<&Stop> {
        self.0
            .iter()
            .find(|s| same_place_text(s.place.as_str(), place))
    }
}

fn same_place(a: &ShortText, b: &ShortText) -> bool {
    same_place_text(a.as_str(), b.as_str())
}

/// Two places are one when they read the same, ignoring case and spaces:
/// "Yubeng" and " yubeng".
pub fn same_place_text(a: &str, b: &str) -> bool {
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    key(a) == key(b)
}

impl TryFrom<Vec<Stop>> for Stops {
    type Error = DomainError;

    fn try_from(stops: Vec<Stop>) -> Result<Self, Self::Error> {
        Stops::new(stops)
    }
}

impl From<Stops> for Vec<Stop> {
    fn from(stops: Stops) -> Vec<Stop> {
        stops.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoundState {
    Planned,
    Loading,
    OnTheRoad,
    Done,
    Cancelled,
}

impl RoundState {
    pub const ALL: [RoundState; 5] = [
        RoundState::Planned,
        RoundState::Loading,
        RoundState::OnTheRoad,
        RoundState::Done,
        RoundState::Cancelled,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            RoundState::Planned => "planned",
            RoundState::Loading => "loading",
            RoundState::OnTheRoad => "on-the-road",
            RoundState::Done => "done",
            RoundState::Cancelled => "cancelled",
        }
    }

    /// Whether the round may still change: its plan edited, orders put on
    /// it, sellers answering. Until the truck leaves the last stop.
    pub fn is_open(self) -> bool {
        matches!(self, RoundState::Planned | RoundState::Loading)
    }

    /// Whether what was loaded at a stop may be recorded: from when the
    /// truck is out until after it arrived (staff often type the driver's
    /// sheet in once back).
    pub fn takes_loads(self) -> bool {
        matches!(
            self,
            RoundState::Loading | RoundState::OnTheRoad | RoundState::Done
        )
    }

    /// Whether the trip's cost may be recorded: once it is done.
    pub fn takes_cost(self) -> bool {
        self == RoundState::Done
    }

    /// May a round move from this state to `to`? Each state leads forward
    /// to the next; a round that has not left the last stop may be cancelled.
    pub fn to(self, to: RoundState) -> Result<RoundState, RoundMoveRefused> {
        use RoundState as S;
        match (self, to) {
            (S::Planned, S::Loading)
            | (S::Loading, S::OnTheRoad)
            | (S::OnTheRoad, S::Done)
            | (S::Planned | S::Loading, S::Cancelled) => Ok(to),
            (from, to) => Err(RoundMoveRefused { from, to }),
        }
    }

    /// The states a round may move to from this one.
    pub fn next(self) -> Vec<RoundState> {
        RoundState::ALL
            .into_iter()
            .filter(|to| self.to(*to).is_ok())
            .collect()
    }
}

impl fmt::Display for RoundState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RoundState::OnTheRoad => "on the road",
            other => other.slug(),
        })
    }
}

impl FromStr for RoundState {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        RoundState::ALL
            .into_iter()
            .find(|state| state.slug() == wanted)
            .ok_or_else(|| DomainError::UnknownChoice {
                what: "round state",
                input: s.to_owned(),
                known: RoundState::ALL.map(RoundState::slug).join(", "),
            })
    }
}

/// Why a round cannot move as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a round that is {from} cannot become {to}")]
pub struct RoundMoveRefused {
    pub from: RoundState,
    pub to: RoundState,
}

/// A round as the hub plans it and sends it to sellers. Its cost is the
/// buyer's own and never leaves the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    pub id: RoundId,
    /// The day of the trip.
    pub date: NaiveDate,
    /// The truck, as staff name it: "云F·12345 blue Dongfeng".
    pub vehicle: ShortText,
    pub capacity: Weight,
    pub stops: Stops,
    pub state: RoundState,
}

impl Round {
    pub fn stop(&self, id: StopId) -> Option<&Stop> {
        self.stops.get(id)
    }

    /// When the truck is expected at `stop`, as an instant.
    pub fn expected_at(&self, stop: &Stop) -> DateTime<Utc> {
        let local = self.date.and_time(stop.expected_at);
        CHINA_TIME
            .from_local_datetime(&local)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| local.and_utc())
    }
}

/// Where an order rides: a round, and the stop its seller brings it to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoundStop {
    pub round_id: RoundId,
    pub stop_id: StopId,
}

/// A seller's answer to a round: whether they will be at their stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub enum RoundAnswer {
    Coming,
    NotComing { reason: Reason },
}

impl RoundAnswer {
    pub fn slug(&self) -> &'static str {
        match self {
            RoundAnswer::Coming => "coming",
            RoundAnswer::NotComing { .. } => "not-coming",
        }
    }

    pub fn reason(&self) -> Option<&Reason> {
        match self {
            RoundAnswer::Coming => None,
            RoundAnswer::NotComing { reason } => Some(reason),
        }
    }

    /// May a seller answer a round in `state`? Only while it is open: once
    /// the truck has left the last stop, an answer comes too late.
    pub fn allowed_in(state: RoundState) -> Result<(), AnswerRefused> {
        if state.is_open() {
            Ok(())
        } else {
            Err(AnswerRefused { state })
        }
    }
}

/// Why a seller's answer comes too late.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the round is {state}, so it takes no more answers")]
pub struct AnswerRefused {
    pub state: RoundState,
}

/// What was loaded onto a round's truck at a stop for one order: recorded
/// at the hand-over, by the buyer's staff or the driver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Load {
    pub order_id: OrderId,
    pub round_id: RoundId,
    pub stop_id: StopId,
    /// In the order's unit; it may differ from what was ordered.
    pub quantity: Quantity,
    /// What it weighed: weighed at the stop when the unit is counted, the
    /// quantity itself when it is sold by weight.
    pub weight: Weight,
    /// When it was loaded, as the recorder says.
    pub at: DateTime<Utc>,
}

impl Load {
    /// The weight of a load of `quantity`: `weighed` when the unit is not a
    /// weight (a jar weighs what the scale says), else the quantity's own,
    /// which a different scale reading cannot change.
    pub fn weight_for(quantity: Quantity, weighed: Option<Weight>) -> Result<Weight, DomainError> {
        match crate::weight::weight_of(quantity, None) {
            Some(grams) => Weight::from_grams(grams),
            None => weighed.ok_or(DomainError::WeightNeeded {
                unit: quantity.unit().slug(),
            }),
        }
    }
}

/// A round's cost, recorded when it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundCost {
    pub fuel: Money,
    pub driver: Money,
    pub tolls: Money,
}

impl RoundCost {
    pub fn total(&self) -> Result<Money, DomainError> {
        self.fuel
            .checked_add(self.driver)
            .and_then(|m| m.checked_add(self.tolls))
            .ok_or(DomainError::TooLarge { field: "cost" })
    }
}

/// Fen per kilogram carried, to the nearest fen: what a trip cost for each
/// kilogram it brought back. `None` when it carried nothing.
pub fn fen_per_kg(cost_fen: i64, grams: i64) -> Option<i64> {
    if grams <= 0 || cost_fen < 0 {
        return None;
    }
    let per_kg = (i128::from(cost_fen) * 1000 * 2 + i128::from(grams)) / (2 * i128::from(grams));
    i64::try_from(per_kg).ok()
}

/// How full a truck is, in thousandths of its capacity (1000 = full).
pub fn share_of_capacity(grams: i64, capacity: Weight) -> i64 {
    let share = (i128::from(grams.max(0)) * 1000) / i128::from(capacity.grams());
    i64::try_from(share).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use RoundState as S;

    fn stop(place: &str, at: &str) -> Stop {
        Stop {
            id: StopId::new(),
            place: ShortText::parse(place).unwrap(),
            expected_at: parse_time(at).unwrap(),
        }
    }

    #[test]
    fn the_state_machine_as_a_table() {
        let allowed = [
            (S::Planned, S::Loading),
            (S::Loading, S::OnTheRoad),
            (S::OnTheRoad, S::Done),
            (S::Planned, S::Cancelled),
            (S::Loading, S::Cancelled),
        ];
        for from in RoundState::ALL {
            for to in RoundState::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.to(to).is_ok(), expected, "{from} -> {to}");
            }
        }
        assert_eq!(
            S::Done.to(S::Loading).unwrap_err().to_string(),
            "a round that is done cannot become loading"
        );
        assert_eq!(S::Planned.next(), [S::Loading, S::Cancelled]);
        assert!(S::Done.next().is_empty() && S::Cancelled.next().is_empty());
    }

    #[test]
    fn open_rounds_take_answers_and_loads_come_once_the_truck_is_out() {
        let open: Vec<_> = RoundState::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(open, [S::Planned, S::Loading]);
        let loading: Vec<_> = RoundState::ALL
            .into_iter()
            .filter(|s| s.takes_loads())
            .collect();
        assert_eq!(loading, [S::Loading, S::OnTheRoad, S::Done]);
        assert!(RoundAnswer::allowed_in(S::Loading).is_ok());
        assert_eq!(
            RoundAnswer::allowed_in(S::OnTheRoad)
                .unwrap_err()
                .to_string(),
            "the round is on the road, so it takes no more answers"
        );
    }

    #[test]
    fn states_parse_from_their_slugs() {
        for state in RoundState::ALL {
            assert_eq!(state.slug().parse::<RoundState>().unwrap(), state);
        }
        assert!("on the road".parse::<RoundState>().is_err());
    }

    #[test]
    fn stops_go_forward_in_time_and_never_twice() {
        let ok = Stops::new(vec![stop("Yubeng", "09:00"), stop("Xidang", "10:30")]);
        assert!(ok.is_ok());
        assert_eq!(Stops::new(vec![]), Err(DomainError::NoStops));
        assert!(matches!(
            Stops::new(vec![stop("Yubeng", "11:00"), stop("Xidang", "10:30")]),
            Err(DomainError::StopsOutOfOrder { .. })
        ));
        assert!(matches!(
            Stops::new(vec![stop("Yubeng", "09:00"), stop(" yubeng", "10:30")]),
            Err(DomainError::StopRepeated { .. })
        ));
        let many = (0..=MAX_STOPS)
            .map(|i| stop(&format!("P{i}"), "10:00"))
            .collect();
        assert_eq!(
            Stops::new(many),
            Err(DomainError::TooManyStops { max: MAX_STOPS })
        );
    }

    #[test]
    fn stops_travel_with_their_times_as_hours_and_minutes() {
        let s = stop("雨崩 གཡུ་འབབ།", "9:05");
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["expected_at"], "09:05");
        let back: Stop = serde_json::from_value(json).unwrap();
        assert_eq!(back, s);
        let mut bad = serde_json::to_value(&s).unwrap();
        bad["expected_at"] = "25:00".into();
        assert!(serde_json::from_value::<Stop>(bad).is_err());
        // Out of order on the wire is refused when read, like on a form.
        let stops = serde_json::json!([
            {"id": StopId::new(), "place": "A", "expected_at": "11:00"},
            {"id": StopId::new(), "place": "B", "expected_at": "10:00"},
        ]);
        assert!(serde_json::from_value::<Stops>(stops).is_err());
    }

    #[test]
    fn the_expected_time_is_china_standard_time() {
        let yubeng = stop("Yubeng", "10:00");
        let round = Round {
            id: RoundId::new(),
            date: "2026-10-15".parse().unwrap(),
            vehicle: ShortText::parse("云F·12345").unwrap(),
            capacity: Weight::parse_kg("1500").unwrap(),
            stops: Stops::new(vec![yubeng.clone()]).unwrap(),
            state: S::Planned,
        };
        assert_eq!(
            round.expected_at(&yubeng).to_rfc3339(),
            "2026-10-15T02:00:00+00:00"
        );
    }

    #[test]
    fn answers_round_trip_with_the_answer_beside_its_reason() {
        let no = RoundAnswer::NotComing {
            reason: Reason::parse("路断了 road is cut").unwrap(),
        };
        assert_eq!(
            serde_json::to_value(&no).unwrap(),
            serde_json::json!({"answer": "not-coming", "reason": "路断了 road is cut"})
        );
        assert_eq!(
            serde_json::to_value(RoundAnswer::Coming).unwrap(),
            serde_json::json!({"answer": "coming"})
        );
        assert!(
            serde_json::from_value::<RoundAnswer>(serde_json::json!({"answer": "not-coming"}))
                .is_err()
        );
    }

    #[test]
    fn a_load_weighs_itself_unless_it_is_counted() {
        let kg = Quantity::parse("11.5", crate::Unit::Kg).unwrap();
        let scale = Weight::parse_kg("12").unwrap();
        assert_eq!(Load::weight_for(kg, Some(scale)).unwrap().grams(), 11_500);
        let jars = Quantity::parse("6", crate::Unit::Jar).unwrap();
        assert_eq!(Load::weight_for(jars, Some(scale)).unwrap(), scale);
        assert_eq!(
            Load::weight_for(jars, None),
            Err(DomainError::WeightNeeded { unit: "jar" })
        );
    }

    #[test]
    fn cost_per_kg_and_share_of_capacity_round_exactly() {
        // ¥1,200 for 800 kg is ¥1.50 a kg.
        assert_eq!(fen_per_kg(120_000, 800_000), Some(150));
        // ¥100 for 3 kg: 33.33 fen, to the nearest fen.
        assert_eq!(fen_per_kg(100, 3_000), Some(33));
        assert_eq!(fen_per_kg(100, 0), None);
        let truck = Weight::parse_kg("1500").unwrap();
        assert_eq!(share_of_capacity(1_200_000, truck), 800);
        assert_eq!(share_of_capacity(1_800_000, truck), 1200);
        let cost = RoundCost {
            fuel: Money::from_fen(80_000).unwrap(),
            driver: Money::from_fen(30_000).unwrap(),
            tolls: Money::from_fen(10_000).unwrap(),
        };
        assert_eq!(cost.total().unwrap().fen(), 120_000);
    }
}
