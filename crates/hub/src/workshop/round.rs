//! The workshop's demo round: "Thursday's truck", through the demo villages
//! and, last, the village hall where the class meets (the trainees'
//! village), so the demo order and every order the workshop's buyer places
//! for a trainee ride it, and each trainee sees the truck's day and time
//! on their tablet and answers it.

use chrono::{DateTime, Datelike, Days, NaiveDate, Weekday};
use highland_domain::{RoundId, ShortText, Weight};
use uuid::Uuid;

use super::WorkshopError;
use crate::Storage;
use highland_exchange::rounds::{PlannedStop, RoundChoice, RoundError, RoundPlan};

/// Fixed, so a second start plans nothing twice.
pub(crate) const DEMO_ROUND: RoundId =
    RoundId::from_uuid(Uuid::from_u128(0x6869_676c_616e_6400_0000_0000_0052_0001));

/// The village trainees are added in: the hall the class meets in.
pub(crate) const TRAINEES_VILLAGE: &str = "培训班 Workshop";

/// The stops, in the truck's order: the demo villages, then the hall.
const STOPS: [&str; 4] = [
    "08:30 西当村 Xidang",
    "10:00 雨崩村 Yubeng",
    "11:30 明永村 Mingyong",
    "14:00 培训班 Workshop",
];

/// The first Thursday after the day of `now_ms`: a truck the class can
/// still answer.
fn next_thursday(now_ms: u64) -> NaiveDate {
    let today = DateTime::from_timestamp_millis(now_ms as i64)
        .map(|t| t.date_naive())
        .unwrap_or_default();
    let ahead = (7 + Weekday::Thu.num_days_from_monday() as i64
        - today.weekday().num_days_from_monday() as i64)
        % 7;
    let ahead = if ahead == 0 { 7 } else { ahead } as u64;
    today.checked_add_days(Days::new(ahead)).unwrap_or(today)
}

/// Plans the demo round unless it is there already.
pub(crate) fn plan(store: &dyn Storage, now_ms: u64) -> Result<(), WorkshopError> {
    let plan = RoundPlan {
        date: next_thursday(now_ms),
        vehicle: ShortText::parse("云R·D1234 东风 Dongfeng 3 t")?,
        capacity: Weight::parse_kg("3000")?,
        stops: STOPS
            .iter()
            .map(|s| PlannedStop::parse_line(s))
            .collect::<Result<_, _>>()?,
    };
    match store.plan_round(DEMO_ROUND, &plan, now_ms) {
        Ok(_) | Err(RoundError::RoundExists(_)) => Ok(()),
        Err(e) => Err(WorkshopError::Round(e)),
    }
}

/// The demo round, at the stop of the seller's village.
pub(crate) fn choice() -> RoundChoice {
    RoundChoice {
        round: DEMO_ROUND,
        stop: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_truck_comes_on_the_next_thursday_never_today() {
        let ms = |d: &str| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis() as u64
        };
        // A Monday, a Thursday, a Friday.
        assert_eq!(next_thursday(ms("2026-10-12")).to_string(), "2026-10-15");
        assert_eq!(next_thursday(ms("2026-10-15")).to_string(), "2026-10-22");
        assert_eq!(next_thursday(ms("2026-10-16")).to_string(), "2026-10-22");
    }

    #[test]
    fn the_round_stops_at_the_trainees_village_last() {
        let last = PlannedStop::parse_line(STOPS[STOPS.len() - 1]).unwrap();
        assert_eq!(last.place.as_str(), TRAINEES_VILLAGE);
    }
}
