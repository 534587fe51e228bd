//! Orders from the central buyer and the one state machine every replica
//! uses. The hub is the authority: a seller's action is a proposal that the
//! hub checks with [`OrderState::after`] and either logs (so every device
//! applies it) or refuses with a reason the seller sees.
//!
//! ```text
//! placed ──accept──> accepted ──hand over──> handed over ──receive──> received ──pay──> paid
//!   │                   │
//!   ├──decline──> declined
//!   └──cancel───> cancelled <──cancel── (accepted)
//! ```

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Description, ListingId, Money, OrderId, PaymentMethod, Price, Quantity, Reason};

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

/// Who may take an action: the seller on the device, or the buyer's staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Actor {
    Seller,
    Staff,
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

    /// Sellers accept, decline and hand over; staff do the rest.
    pub fn actor(&self) -> Actor {
        match self {
            OrderAction::Accept | OrderAction::Decline { .. } | OrderAction::HandOver => {
                Actor::Seller
            }
            OrderAction::Receive { .. } | OrderAction::Pay { .. } | OrderAction::Cancel { .. } => {
                Actor::Staff
            }
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

/// What the buyer asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub listing_id: ListingId,
    /// In the listing's unit.
    pub quantity: Quantity,
    pub unit_price: Price,
    pub hand_over_by: Option<NaiveDate>,
    pub note: Option<Description>,
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
        let seller: Vec<_> = every_action()
            .into_iter()
            .filter(|a| a.actor() == Actor::Seller)
            .map(|a| a.slug())
            .collect();
        assert_eq!(seller, ["accept", "decline", "hand-over"]);
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
