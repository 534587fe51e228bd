//! Orders from the central buyer and the one state machine every replica
//! uses. The hub is the authority: a seller's action is a proposal that the
//! hub checks with [`OrderState::after`] and either logs (so every device
//! applies it) or refuses with a reason the seller sees.
//!
//! A device learns what the hub confirmed in whatever order its syncs bring
//! it (its own acknowledged proposals and pulled operations can cross), so it
//! merges confirmed states with [`OrderState::furthest`] rather than replaying
//! them in sequence: every path through the machine only moves forward, so
//! the furthest state seen is the one the hub holds.
//!
//! ```text
//! placed ──accept──> accepted ──hand over──> handed over ──receive──> received ──pay──> paid
//!   │                   │
//!   ├──decline──> declined
//!   └──cancel───> cancelled <──cancel── (accepted)
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    Description, DomainError, ListingId, Money, OrderId, PaymentMethod, Price, Quantity, Reason,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrderState {
    Placed,
    Accepted,
    Declined,
    HandedOver,
    Received,
    Paid,
    Cancelled,
}

impl OrderState {
    pub const ALL: [OrderState; 7] = [
        OrderState::Placed,
        OrderState::Accepted,
        OrderState::Declined,
        OrderState::HandedOver,
        OrderState::Received,
        OrderState::Paid,
        OrderState::Cancelled,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            OrderState::Placed => "placed",
            OrderState::Accepted => "accepted",
            OrderState::Declined => "declined",
            OrderState::HandedOver => "handed-over",
            OrderState::Received => "received",
            OrderState::Paid => "paid",
            OrderState::Cancelled => "cancelled",
        }
    }

    /// Does the order hold its quantity back from the listing's stock? From
    /// acceptance until the buyer's receipt turns it into a sale.
    pub fn reserves_stock(self) -> bool {
        matches!(self, OrderState::Accepted | OrderState::HandedOver)
    }

    /// How far along the machine a state lies. Every allowed move goes to a
    /// higher step, so the states an order passes through have distinct steps
    /// and the last of them has the highest.
    pub fn step(self) -> u8 {
        match self {
            OrderState::Placed => 0,
            OrderState::Accepted | OrderState::Declined => 1,
            OrderState::HandedOver | OrderState::Cancelled => 2,
            OrderState::Received => 3,
            OrderState::Paid => 4,
        }
    }

    /// Of two states one order was confirmed in, the one it reached last.
    /// Folding every confirmed state with this gives the hub's state whatever
    /// order they arrive in, and taking one twice changes nothing.
    pub fn furthest(self, other: OrderState) -> OrderState {
        if other.step() > self.step() {
            other
        } else {
            self
        }
    }

    /// The state `action` leads to, or why it cannot be taken now.
    pub fn after(self, action: &OrderAction) -> Result<OrderState, TransitionRefused> {
        use OrderAction as A;
        use OrderState as S;
        let next = match (self, action) {
            (S::Placed, A::Accept) => S::Accepted,
            (S::Placed, A::Decline { .. }) => S::Declined,
            (S::Accepted, A::HandOver) => S::HandedOver,
            (S::HandedOver, A::Receive { .. }) => S::Received,
            (S::Received, A::Pay { .. }) => S::Paid,
            (S::Placed | S::Accepted, A::Cancel { .. }) => S::Cancelled,
            (from, action) => {
                return Err(TransitionRefused {
                    from,
                    action: action.slug(),
                });
            }
        };
        Ok(next)
    }
}

impl fmt::Display for OrderState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for OrderState {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        OrderState::ALL
            .into_iter()
            .find(|state| state.slug() == wanted)
            .ok_or_else(|| DomainError::UnknownChoice {
                what: "order state",
                input: s.to_owned(),
                known: OrderState::ALL.map(OrderState::slug).join(", "),
            })
    }
}

/// Who took an action: the seller on the device, or the buyer's staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Actor {
    Seller,
    Staff,
}

impl Actor {
    pub const ALL: [Actor; 2] = [Actor::Seller, Actor::Staff];

    pub fn slug(self) -> &'static str {
        match self {
            Actor::Seller => "seller",
            Actor::Staff => "staff",
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for Actor {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Actor::ALL
            .into_iter()
            .find(|a| a.slug() == wanted)
            .ok_or_else(|| DomainError::UnknownChoice {
                what: "actor",
                input: s.to_owned(),
                known: Actor::ALL.map(Actor::slug).join(", "),
            })
    }
}

/// Something that moves an order on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum OrderAction {
    Accept,
    Decline {
        reason: Reason,
    },
    HandOver,
    /// The buyer received the goods; the quantity may differ from the order's.
    Receive {
        quantity: Quantity,
    },
    Pay {
        amount: Money,
        method: PaymentMethod,
    },
    Cancel {
        reason: Reason,
    },
}

impl OrderAction {
    pub fn slug(&self) -> &'static str {
        match self {
            OrderAction::Accept => "accept",
            OrderAction::Decline { .. } => "decline",
            OrderAction::HandOver => "hand-over",
            OrderAction::Receive { .. } => "receive",
            OrderAction::Pay { .. } => "pay",
            OrderAction::Cancel { .. } => "cancel",
        }
    }

    /// Sellers accept, decline and hand over; staff receive, pay and cancel,
    /// and may also record a hand-over that the seller did not.
    pub fn may_be_taken_by(&self, actor: Actor) -> bool {
        match self {
            OrderAction::Accept | OrderAction::Decline { .. } => actor == Actor::Seller,
            OrderAction::HandOver => true,
            OrderAction::Receive { .. } | OrderAction::Pay { .. } | OrderAction::Cancel { .. } => {
                actor == Actor::Staff
            }
        }
    }

    /// The state this action leads to from wherever it is allowed. A replica
    /// that learns of an action the hub confirmed takes it from here, without
    /// asking [`OrderState::after`] again: the hub already did.
    pub fn outcome(&self) -> OrderState {
        match self {
            OrderAction::Accept => OrderState::Accepted,
            OrderAction::Decline { .. } => OrderState::Declined,
            OrderAction::HandOver => OrderState::HandedOver,
            OrderAction::Receive { .. } => OrderState::Received,
            OrderAction::Pay { .. } => OrderState::Paid,
            OrderAction::Cancel { .. } => OrderState::Cancelled,
        }
    }
}

/// Why an action was refused: the order is not in a state that allows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an order that is {from} cannot be {}", past_tense(action))]
pub struct TransitionRefused {
    pub from: OrderState,
    pub action: &'static str,
}

fn past_tense(action: &str) -> &'static str {
    match action {
        "accept" => "accepted",
        "decline" => "declined",
        "hand-over" => "handed over",
        "receive" => "received",
        "pay" => "paid",
        _ => "cancelled",
    }
}

/// What the buyer asked for. Placed by the hub, never by a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub listing_id: ListingId,
    /// In the listing's unit.
    pub quantity: Quantity,
    pub unit_price: Price,
    /// The day the buyer wants the goods by, if any.
    pub hand_over_by: Option<NaiveDate>,
    pub note: Option<Description>,
    /// The hub's clock when staff placed it.
    pub placed_at: DateTime<Utc>,
}

impl Order {
    /// What the order is worth at its price, rounded to the nearest fen.
    pub fn total(&self) -> Money {
        self.unit_price.times(self.quantity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderState as S;

    fn reason() -> Reason {
        Reason::parse("no stock left").unwrap()
    }

    fn every_action() -> Vec<OrderAction> {
        vec![
            OrderAction::Accept,
            OrderAction::Decline { reason: reason() },
            OrderAction::HandOver,
            OrderAction::Receive {
                quantity: Quantity::parse("1", crate::Unit::Kg).unwrap(),
            },
            OrderAction::Pay {
                amount: Money::from_fen(100).unwrap(),
                method: PaymentMethod::Bank,
            },
            OrderAction::Cancel { reason: reason() },
        ]
    }

    #[test]
    fn the_state_machine_as_a_table() {
        // (from, action, to) for every allowed move; everything else is refused.
        let allowed = [
            (S::Placed, "accept", S::Accepted),
            (S::Placed, "decline", S::Declined),
            (S::Placed, "cancel", S::Cancelled),
            (S::Accepted, "hand-over", S::HandedOver),
            (S::Accepted, "cancel", S::Cancelled),
            (S::HandedOver, "receive", S::Received),
            (S::Received, "pay", S::Paid),
        ];
        for from in OrderState::ALL {
            for action in every_action() {
                let expected = allowed
                    .iter()
                    .find(|(f, a, _)| *f == from && *a == action.slug())
                    .map(|(_, _, to)| *to);
                match (from.after(&action), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want),
                    (Err(e), None) => {
                        assert_eq!(e.from, from);
                        assert!(e.to_string().starts_with("an order that is"));
                    }
                    (got, want) => panic!("{from} + {}: got {got:?}, want {want:?}", action.slug()),
                }
            }
        }
    }

    #[test]
    fn only_accepted_and_handed_over_orders_hold_stock() {
        let holding: Vec<_> = OrderState::ALL
            .into_iter()
            .filter(|s| s.reserves_stock())
            .collect();
        assert_eq!(holding, [S::Accepted, S::HandedOver]);
    }

    #[test]
    fn sellers_and_staff_each_have_their_actions() {
        let by = |actor| -> Vec<_> {
            every_action()
                .into_iter()
                .filter(|a| a.may_be_taken_by(actor))
                .map(|a| a.slug())
                .collect()
        };
        assert_eq!(by(Actor::Seller), ["accept", "decline", "hand-over"]);
        assert_eq!(by(Actor::Staff), ["hand-over", "receive", "pay", "cancel"]);
    }

    #[test]
    fn an_allowed_move_leads_to_the_actions_outcome_one_step_further() {
        for from in OrderState::ALL {
            for action in every_action() {
                if let Ok(to) = from.after(&action) {
                    assert_eq!(to, action.outcome(), "{from} + {}", action.slug());
                    assert!(to.step() > from.step(), "{from} -> {to}");
                }
            }
        }
    }

    /// Every sequence of allowed actions from `placed`, with the states it passes.
    fn every_path() -> Vec<Vec<OrderState>> {
        let mut done = Vec::new();
        let mut open = vec![vec![S::Placed]];
        while let Some(path) = open.pop() {
            let last = *path.last().unwrap();
            let next: Vec<_> = every_action()
                .iter()
                .filter_map(|a| last.after(a).ok())
                .collect();
            for state in next {
                let mut longer = path.clone();
                longer.push(state);
                open.push(longer);
            }
            done.push(path);
        }
        done
    }

    #[test]
    fn confirmed_states_merge_to_the_last_in_any_order() {
        let paths = every_path();
        assert_eq!(paths.len(), 8, "{paths:?}");
        for path in paths {
            let last = *path.last().unwrap();
            // Every rotation and the reverse of the states, each seen twice.
            let mut orders = vec![path.iter().rev().copied().collect::<Vec<_>>()];
            for turn in 0..path.len() {
                let mut rotated = path.clone();
                rotated.rotate_left(turn);
                orders.push(rotated);
            }
            for seen in orders {
                let merged = seen
                    .iter()
                    .chain(&seen)
                    .fold(S::Placed, |acc, s| acc.furthest(*s));
                assert_eq!(merged, last, "{seen:?}");
            }
        }
    }

    #[test]
    fn states_and_actors_parse_from_their_slugs() {
        for state in OrderState::ALL {
            assert_eq!(state.slug().parse::<OrderState>().unwrap(), state);
        }
        assert!("handed_over".parse::<OrderState>().is_err());
        for actor in Actor::ALL {
            assert_eq!(actor.slug().parse::<Actor>().unwrap(), actor);
        }
    }

    #[test]
    fn an_orders_total_is_its_price_times_its_quantity() {
        let order = Order {
            id: OrderId::new(),
            listing_id: ListingId::new(),
            quantity: Quantity::parse("2.5", crate::Unit::Kg).unwrap(),
            unit_price: Price::parse_yuan("68.50").unwrap(),
            hand_over_by: None,
            note: None,
            placed_at: DateTime::UNIX_EPOCH,
        };
        assert_eq!(order.total().fen(), 17125);
    }

    #[test]
    fn refusals_read_as_sentences() {
        let e = S::Declined.after(&OrderAction::Accept).unwrap_err();
        assert_eq!(
            e.to_string(),
            "an order that is declined cannot be accepted"
        );
    }
}
