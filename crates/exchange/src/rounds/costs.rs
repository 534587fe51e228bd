//! What each kilogram carried cost, per round and per village over time:
//! which routes pay, and why fuller trucks mean better prices.
//!
//! A round's cost per kilogram is its cost over what it loaded. A village's
//! share of a round's cost is its share of the load, so within one round
//! every village's kilogram costs the same; across rounds, a village's line
//! follows the trips that collected there, and its average weighs each
//! trip by what the village sent. Pure, so it is tested as a table.

use chrono::NaiveDate;
use highland_domain::round::{fen_per_kg, same_place_text};
use serde::{Deserialize, Serialize};

/// A done round with its cost, as read from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostedRound {
    pub id: String,
    pub date: NaiveDate,
    pub vehicle: String,
    pub cost_fen: i64,
    /// Each stop's place and the grams loaded there, in stop order.
    pub loaded: Vec<(String, i64)>,
}

/// Cost per kilogram, per round and per village, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CostReport {
    pub rounds: Vec<RoundCostPoint>,
    pub villages: Vec<VillageCosts>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundCostPoint {
    pub round_id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub vehicle: String,
    pub loaded_g: i64,
    pub cost_fen: i64,
    /// Null when the round loaded nothing.
    pub fen_per_kg: Option<i64>,
}

/// One village (or collection point) across the rounds that loaded there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageCosts {
    /// As the first round to stop there spelled it.
    pub village: String,
    pub points: Vec<VillagePoint>,
    pub loaded_g: i64,
    /// Its share of the rounds' costs, by weight, in fen.
    pub cost_fen: i64,
    /// Over every round: its share of the costs over what it sent.
    pub fen_per_kg: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillagePoint {
    pub round_id: String,
    pub date: String,
    pub loaded_g: i64,
    pub fen_per_kg: i64,
}

/// The report over `rounds`, in date order.
pub fn report(rounds: &[CostedRound]) -> CostReport {
    let mut sorted: Vec<&CostedRound> = rounds.iter().collect();
    sorted.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
    let mut report = CostReport::default();
    for round in sorted {
        let loaded: i64 = round.loaded.iter().map(|(_, g)| g).sum();
        let per_kg = fen_per_kg(round.cost_fen, loaded);
        report.rounds.push(RoundCostPoint {
            round_id: round.id.clone(),
            date: round.date.to_string(),
            vehicle: round.vehicle.clone(),
            loaded_g: loaded,
            cost_fen: round.cost_fen,
            fen_per_kg: per_kg,
        });
        let Some(per_kg) = per_kg else { continue };
        for (place, grams) in round.loaded.iter().filter(|(_, g)| *g > 0) {
            let share = share_of_cost(round.cost_fen, *grams, loaded);
            let at = report
                .villages
                .iter()
                .position(|v| same_place_text(&v.village, place));
            let village = match at {
                Some(i) => &mut report.villages[i],
                None => {
                    report.villages.push(VillageCosts {
                        village: place.clone(),
                        points: Vec::new(),
                        loaded_g: 0,
                        cost_fen: 0,
                        fen_per_kg: None,
                    });
                    let last = report.villages.len() - 1;
                    &mut report.villages[last]
                }
            };
            village.points.push(VillagePoint {
                round_id: round.id.clone(),
                date: round.date.to_string(),
                loaded_g: *grams,
                fen_per_kg: per_kg,
            });
            village.loaded_g += grams;
            village.cost_fen += share;
            village.fen_per_kg = fen_per_kg(village.cost_fen, village.loaded_g);
        }
    }
    report
}

/// The part of `cost` that `grams` of `total` grams bear, to the nearest fen.
fn share_of_cost(cost: i64, grams: i64, total: i64) -> i64 {
    let share =
        (i128::from(cost) * i128::from(grams) * 2 + i128::from(total)) / (2 * i128::from(total));
    i64::try_from(share).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(id: &str, date: &str, cost_fen: i64, loaded: &[(&str, i64)]) -> CostedRound {
        CostedRound {
            id: id.into(),
            date: date.parse().unwrap(),
            vehicle: "truck".into(),
            cost_fen,
            loaded: loaded.iter().map(|(p, g)| (p.to_string(), *g)).collect(),
        }
    }

    #[test]
    fn fuller_trucks_carry_each_kilogram_for_less() {
        let rounds = [
            // Listed out of order: the report sorts by date.
            round(
                "b",
                "2026-10-22",
                60_000,
                &[("Yubeng", 600_000), ("Xidang", 200_000)],
            ),
            round(
                "a",
                "2026-10-15",
                60_000,
                &[("yubeng ", 300_000), ("Xidang", 0)],
            ),
            round("c", "2026-10-29", 50_000, &[("Xidang", 0)]),
        ];
        let r = report(&rounds);
        let per_round: Vec<_> = r
            .rounds
            .iter()
            .map(|p| (p.round_id.as_str(), p.fen_per_kg))
            .collect();
        assert_eq!(per_round, [("a", Some(200)), ("b", Some(75)), ("c", None)]);

        // Yubeng: ¥600 over 300 kg, then ¥450 of ¥600 over 600 kg.
        let yubeng = &r.villages[0];
        assert_eq!(yubeng.village, "yubeng ", "as first spelled");
        let points: Vec<_> = yubeng
            .points
            .iter()
            .map(|p| (p.date.as_str(), p.fen_per_kg))
            .collect();
        assert_eq!(points, [("2026-10-15", 200), ("2026-10-22", 75)]);
        assert_eq!((yubeng.loaded_g, yubeng.cost_fen), (900_000, 105_000));
        assert_eq!(yubeng.fen_per_kg, Some(117));
        // Xidang sent nothing on the first trip and is not on it.
        let xidang = &r.villages[1];
        assert_eq!(xidang.points.len(), 1);
        assert_eq!((xidang.cost_fen, xidang.fen_per_kg), (15_000, Some(75)));
    }

    #[test]
    fn shares_of_a_cost_round_to_the_nearest_fen() {
        assert_eq!(share_of_cost(100, 1, 3), 33);
        assert_eq!(share_of_cost(100, 2, 3), 67);
    }
}
