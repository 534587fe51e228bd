//! A round's loads, from its plan and the orders on it: per stop and in
//! total, expected (accepted orders), confirmed (their sellers said they
//! will be there) and loaded (recorded at the stop), against the vehicle's
//! capacity. Pure, so the rule is tested as a table.

use highland_domain::quantity::format_in;
use highland_domain::round::{fen_per_kg, share_of_capacity};
use highland_domain::weight::weight_of;
use highland_domain::{OrderState, Quantity, Round, RoundAnswer, RoundCost, StopId, Weight};

use super::view::{CostView, LoadLine, LoadTotals, RoundDetail, StopLoad};

/// One order on a round, as read from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderOnRound {
    pub order_id: String,
    pub seller_id: String,
    pub seller_name: String,
    pub listing_id: String,
    pub listing_title: String,
    pub lot_code: Option<String>,
    pub stop: StopId,
    pub state: OrderState,
    pub quantity: Quantity,
    pub weight_per_unit: Option<Weight>,
    pub answer: Option<RoundAnswer>,
    /// What was loaded, in the order's unit, and what it weighed.
    pub loaded: Option<(Quantity, Weight)>,
}

impl OrderOnRound {
    /// Whether the truck expects it: the seller accepted it, and it was
    /// neither declined nor cancelled.
    fn expected(&self) -> bool {
        matches!(
            self.state,
            OrderState::Accepted | OrderState::HandedOver | OrderState::Received | OrderState::Paid
        )
    }

    fn weight(&self) -> Option<i64> {
        weight_of(self.quantity, self.weight_per_unit)
    }

    fn line(&self) -> LoadLine {
        let unit = self.quantity.unit();
        let (answer, answer_reason) = match &self.answer {
            Some(a) => (Some(a.slug().to_owned()), a.reason().map(|r| r.to_string())),
            None => (None, None),
        };
        LoadLine {
            order_id: self.order_id.clone(),
            seller_id: self.seller_id.clone(),
            seller_name: self.seller_name.clone(),
            listing_id: self.listing_id.clone(),
            listing_title: self.listing_title.clone(),
            lot_code: self.lot_code.clone(),
            quantity: self.quantity.base(),
            unit: unit.slug().to_owned(),
            quantity_display: format_in(self.quantity.base(), unit),
            state: self.state.slug().to_owned(),
            weight_g: self.weight(),
            answer,
            answer_reason,
            loaded_quantity: self.loaded.map(|(q, _)| q.base()),
            loaded_display: self.loaded.map(|(q, _)| format_in(q.base(), q.unit())),
            loaded_weight_g: self.loaded.map(|(_, w)| w.grams()),
        }
    }
}

/// Adds up `orders` against a vehicle of `capacity`.
fn totals<'a>(orders: impl Iterator<Item = &'a OrderOnRound>, capacity: Weight) -> LoadTotals {
    let mut t = LoadTotals::default();
    for o in orders {
        if let Some((_, weight)) = o.loaded {
            t.loaded_g += weight.grams();
        }
        if o.state == OrderState::Placed {
            t.awaiting += 1;
        }
        if !o.expected() {
            continue;
        }
        match o.weight() {
            Some(grams) => {
                t.expected_g += grams;
                if matches!(o.answer, Some(RoundAnswer::Coming)) {
                    t.confirmed_g += grams;
                }
            }
            None => t.unweighed += 1,
        }
    }
    let heaviest = t.expected_g.max(t.loaded_g);
    t.share_permille = share_of_capacity(heaviest, capacity);
    t.over_capacity = heaviest > capacity.grams();
    t
}

/// The round as staff see it, with its loads and, once recorded, its cost
/// per kilogram loaded.
pub fn detail(round: &Round, orders: &[OrderOnRound], cost: Option<RoundCost>) -> RoundDetail {
    let stops = round
        .stops
        .as_slice()
        .iter()
        .map(|stop| {
            let here = || orders.iter().filter(|o| o.stop == stop.id);
            StopLoad {
                id: stop.id.to_string(),
                place: stop.place.to_string(),
                expected_at: stop.expected_at.format("%H:%M").to_string(),
                totals: totals(here(), round.capacity),
                lines: here().map(OrderOnRound::line).collect(),
            }
        })
        .collect();
    let totals = totals(orders.iter(), round.capacity);
    let cost = cost.and_then(|c| {
        Some(CostView {
            fuel_fen: c.fuel.fen(),
            driver_fen: c.driver.fen(),
            tolls_fen: c.tolls.fen(),
            total_fen: c.total().ok()?.fen(),
        })
    });
    RoundDetail {
        id: round.id.to_string(),
        date: round.date.to_string(),
        vehicle: round.vehicle.to_string(),
        capacity_g: round.capacity.grams(),
        state: round.state.slug().to_owned(),
        next_states: round
            .state
            .next()
            .iter()
            .map(|s| s.slug().to_owned())
            .collect(),
        stops,
        fen_per_kg: cost.and_then(|c| fen_per_kg(c.total_fen, totals.loaded_g)),
        totals,
        cost,
    }
}

#[cfg(test)]
mod tests {
    use highland_domain::round::parse_time;
    use highland_domain::{Money, Reason, RoundId, RoundState, ShortText, Stop, Stops, Unit};

    use super::*;

    fn stop(place: &str, at: &str) -> Stop {
        Stop {
            id: StopId::new(),
            place: ShortText::parse(place).unwrap(),
            expected_at: parse_time(at).unwrap(),
        }
    }

    fn round(capacity_kg: &str) -> Round {
        Round {
            id: RoundId::new(),
            date: "2026-10-15".parse().unwrap(),
            vehicle: ShortText::parse("云F·12345").unwrap(),
            capacity: Weight::parse_kg(capacity_kg).unwrap(),
            stops: Stops::new(vec![stop("Xidang", "09:00"), stop("Yubeng", "10:30")]).unwrap(),
            state: RoundState::Loading,
        }
    }

    fn order(
        stop: StopId,
        state: OrderState,
        quantity: &str,
        unit: Unit,
        answer: Option<RoundAnswer>,
    ) -> OrderOnRound {
        OrderOnRound {
            order_id: "o".into(),
            seller_id: "s".into(),
            seller_name: "Dolma".into(),
            listing_id: "l".into(),
            listing_title: "Yak meat".into(),
            lot_code: None,
            stop,
            state,
            quantity: Quantity::parse(quantity, unit).unwrap(),
            weight_per_unit: None,
            answer,
            loaded: None,
        }
    }

    #[test]
    fn loads_add_up_per_stop_and_in_total() {
        let r = round("100");
        let (xidang, yubeng) = (r.stops.as_slice()[0].id, r.stops.as_slice()[1].id);
        let no = RoundAnswer::NotComing {
            reason: Reason::parse("ill").unwrap(),
        };
        let mut honey = order(
            yubeng,
            OrderState::Accepted,
            "6",
            Unit::Jar,
            Some(RoundAnswer::Coming),
        );
        honey.weight_per_unit = Some(Weight::from_grams(750).unwrap());
        let mut loaded = order(yubeng, OrderState::HandedOver, "20", Unit::Kg, None);
        loaded.loaded = Some((
            Quantity::parse("19.5", Unit::Kg).unwrap(),
            Weight::parse_kg("19.5").unwrap(),
        ));
        let orders = vec![
            order(
                xidang,
                OrderState::Accepted,
                "12",
                Unit::Kg,
                Some(RoundAnswer::Coming),
            ),
            order(xidang, OrderState::Accepted, "8", Unit::Kg, Some(no)),
            order(xidang, OrderState::Placed, "50", Unit::Kg, None),
            order(xidang, OrderState::Declined, "50", Unit::Kg, None),
            order(
                yubeng,
                OrderState::Accepted,
                "3",
                Unit::Bag,
                Some(RoundAnswer::Coming),
            ),
            honey,
            loaded,
        ];
        let d = detail(&r, &orders, None);
        let x = &d.stops[0].totals;
        assert_eq!(
            (
                x.expected_g,
                x.confirmed_g,
                x.loaded_g,
                x.awaiting,
                x.unweighed
            ),
            (20_000, 12_000, 0, 1, 0)
        );
        let y = &d.stops[1].totals;
        // 4.5 kg of honey and 20 kg of meat; the bags weigh nothing known.
        assert_eq!(
            (y.expected_g, y.confirmed_g, y.loaded_g, y.unweighed),
            (24_500, 4_500, 19_500, 1)
        );
        let t = d.totals;
        assert_eq!(
            (t.expected_g, t.confirmed_g, t.loaded_g),
            (44_500, 16_500, 19_500)
        );
        assert_eq!((t.share_permille, t.over_capacity), (445, false));
        assert_eq!(d.stops[0].lines.len(), 4, "every order is listed");
        assert_eq!(d.stops[1].lines[1].weight_g, Some(4_500));
        assert_eq!(d.stops[1].lines[2].loaded_display.as_deref(), Some("19.5"));
        assert_eq!(d.next_states, ["on-the-road", "cancelled"]);
    }

    #[test]
    fn a_round_is_over_capacity_when_expected_or_loaded_is_beyond_it() {
        let r = round("10");
        let yubeng = r.stops.as_slice()[1].id;
        let orders = vec![order(yubeng, OrderState::Accepted, "12", Unit::Kg, None)];
        let t = detail(&r, &orders, None).totals;
        assert_eq!((t.share_permille, t.over_capacity), (1200, true));
        let mut light = order(yubeng, OrderState::HandedOver, "8", Unit::Kg, None);
        light.loaded = Some((
            Quantity::parse("11", Unit::Kg).unwrap(),
            Weight::parse_kg("11").unwrap(),
        ));
        let t = detail(&r, &[light], None).totals;
        assert_eq!(
            (t.expected_g, t.loaded_g, t.over_capacity),
            (8_000, 11_000, true)
        );
        let exactly = vec![order(yubeng, OrderState::Accepted, "10", Unit::Kg, None)];
        assert!(!detail(&r, &exactly, None).totals.over_capacity);
    }

    #[test]
    fn the_cost_per_kg_is_of_what_was_loaded() {
        let mut r = round("1000");
        r.state = RoundState::Done;
        let yubeng = r.stops.as_slice()[1].id;
        let mut carried = order(yubeng, OrderState::Received, "500", Unit::Kg, None);
        carried.loaded = Some((
            Quantity::parse("400", Unit::Kg).unwrap(),
            Weight::parse_kg("400").unwrap(),
        ));
        let cost = RoundCost {
            fuel: Money::from_fen(40_000).unwrap(),
            driver: Money::from_fen(15_000).unwrap(),
            tolls: Money::from_fen(5_000).unwrap(),
        };
        let d = detail(&r, &[carried], Some(cost));
        assert_eq!(d.cost.map(|c| c.total_fen), Some(60_000));
        assert_eq!(d.fen_per_kg, Some(150), "¥600 for 400 kg");
        assert!(d.next_states.is_empty());
        assert_eq!(
            detail(&r, &[], Some(cost)).fen_per_kg,
            None,
            "nothing carried"
        );
    }
}
