//! An operation is one local write as it is kept in the outbox and sent to
//! the hub. Every operation carries its own id, so the hub applies it at most
//! once however often a lost response makes the device send it again.
//!
//! Most operations are made on a device. Orders are the exception: staff
//! place them and record receipt, payment and cancellation on the hub, which
//! makes those operations itself (under its own device id and clock) and logs
//! them so that the seller's devices pull them like any other.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    Actor, Certificate, DeviceId, FieldChanges, Hlc, Listing, ListingId, Load, Lot, OperationId,
    Order, OrderAction, OrderId, Photo, PhotoId, Reason, Round, RoundAnswer, RoundId, RoundStop,
    Sale, SaleId, StockAdjustment, Version, Weight,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub id: OperationId,
    pub device_id: DeviceId,
    pub hlc: Hlc,
    pub payload: Payload,
}

impl Operation {
    /// The version its field writes carry when merged.
    pub fn version(&self) -> Version {
        Version {
            hlc: self.hlc,
            device: self.device_id,
        }
    }

    pub fn entity(&self) -> (EntityKind, Uuid) {
        self.payload.entity()
    }
}

/// What the operation does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payload {
    ListingCreated {
        listing: Listing,
    },
    /// Changes some fields of a listing; each field merges on its own.
    ListingEdited {
        listing_id: ListingId,
        changes: FieldChanges,
    },
    LotRecorded {
        lot: Lot,
    },
    /// A seller issued a certificate of compliance for one of their lots.
    CertificateIssued {
        certificate: Certificate,
    },
    SaleRecorded {
        sale: Sale,
    },
    /// A seller took back a sale recorded by mistake. The sale stays, as the
    /// fact it was, but no longer counts: its quantity is back in stock and
    /// it is left out of totals. Sales are insert-only, so a void is a fact
    /// of its own rather than an edit, and it merges in any order with the
    /// sale it names (a replica that meets the void first keeps it until the
    /// sale arrives). An order's receipt cannot be voided by a seller.
    SaleVoided {
        sale_id: SaleId,
        reason: Reason,
        /// The wall clock of the device that voided it, shown beside the
        /// reason; like a sale's `sold_at`, it orders nothing.
        at: DateTime<Utc>,
    },
    /// A seller added a photo to a listing or a lot. The operation carries
    /// only the photo's name (SHA-256) and size; its files follow the
    /// operations, resumably (docs/sync-protocol.md, section 13).
    PhotoAdded {
        photo: Photo,
    },
    /// A seller took a photo off its listing or lot. The files stay where
    /// they are (another photo may share them); the photo is no longer shown.
    PhotoRemoved {
        photo_id: PhotoId,
    },
    StockAdjusted {
        adjustment: StockAdjustment,
    },
    /// The buyer's staff placed an order. Made by the hub only.
    OrderPlaced {
        order: Order,
    },
    /// An order moved on. From a device this is the seller's proposal, which
    /// the hub logs only if [`crate::OrderState::after`] allows it; from the
    /// hub it is a staff action. On the wire the action's fields sit beside
    /// the others: `{"kind": "order_action_taken", "order_id": …, "actor":
    /// "seller", "action": "decline", "reason": "…", "at": …}`.
    OrderActionTaken {
        order_id: OrderId,
        actor: Actor,
        #[serde(flatten)]
        action: OrderAction,
        /// The wall clock of whoever took it, shown in the order's history;
        /// like a sale's `sold_at`, it orders nothing.
        at: DateTime<Utc>,
    },
    /// Staff planned or changed a collection round: the round as it now
    /// stands. The hub sends one to each seller with an order on the round
    /// (a seller's log stands alone, so each gets an operation of their
    /// own), whenever the round changes; a replica keeps the newest by
    /// version. Made by the hub only.
    RoundPublished {
        round: Round,
    },
    /// An order was put on a round at a stop, moved to another, or taken
    /// off any (`round: null`). Made by the hub only; the newest by version
    /// stands.
    OrderRouted {
        order_id: OrderId,
        round: Option<RoundStop>,
    },
    /// A seller's answer to a round: "I will be there", or "I cannot come"
    /// with a reason. A proposal, like an order action: the hub logs it
    /// only while the round is open ([`RoundAnswer::allowed_in`]) and the
    /// seller has an order on it. On the wire the answer's fields sit beside
    /// the others: `{"kind": "round_answered", "round_id": …, "answer":
    /// "not-coming", "reason": "…", "at": …}`. The newest by version stands.
    RoundAnswered {
        round_id: RoundId,
        #[serde(flatten)]
        answer: RoundAnswer,
        /// The wall clock of the device that answered, for showing only.
        at: DateTime<Utc>,
    },
    /// What was loaded onto the truck at a stop for one order. Made by the
    /// hub only; a correction replaces it (the newest by version stands).
    OrderLoaded {
        load: Load,
    },
    /// A listing's weight per unit was set or cleared (`null`). Merges like
    /// an edited field, last writer wins; a kind of its own so that an older
    /// hub, which would refuse an edit of a field it does not know, holds it
    /// back as from a newer app instead.
    ListingWeighed {
        listing_id: ListingId,
        weight_per_unit: Option<Weight>,
    },
}

/// The kind of thing an operation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Listing,
    Lot,
    Certificate,
    Sale,
    Adjustment,
    Order,
    Photo,
    Round,
}

impl EntityKind {
    pub fn slug(self) -> &'static str {
        match self {
            EntityKind::Listing => "listing",
            EntityKind::Lot => "lot",
            EntityKind::Certificate => "certificate",
            EntityKind::Sale => "sale",
            EntityKind::Adjustment => "adjustment",
            EntityKind::Order => "order",
            EntityKind::Photo => "photo",
            EntityKind::Round => "round",
        }
    }
}

impl Payload {
    /// Every `kind` this version reads, as named on the wire. A part that
    /// cannot read an operation of one of these kinds was sent a malformed
    /// one; of any other kind, one from a newer version.
    pub const KINDS: [&'static str; 16] = [
        "listing_created",
        "listing_edited",
        "lot_recorded",
        "certificate_issued",
        "sale_recorded",
        "sale_voided",
        "photo_added",
        "photo_removed",
        "stock_adjusted",
        "order_placed",
        "order_action_taken",
        "round_published",
        "order_routed",
        "round_answered",
        "order_loaded",
        "listing_weighed",
    ];

    pub fn entity(&self) -> (EntityKind, Uuid) {
        match self {
            Payload::ListingCreated { listing } => (EntityKind::Listing, listing.id.as_uuid()),
            Payload::ListingEdited { listing_id, .. } => {
                (EntityKind::Listing, listing_id.as_uuid())
            }
            Payload::LotRecorded { lot } => (EntityKind::Lot, lot.id.as_uuid()),
            Payload::CertificateIssued { certificate } => {
                (EntityKind::Certificate, certificate.id.as_uuid())
            }
            Payload::SaleRecorded { sale } => (EntityKind::Sale, sale.id.as_uuid()),
            Payload::SaleVoided { sale_id, .. } => (EntityKind::Sale, sale_id.as_uuid()),
            Payload::PhotoAdded { photo } => (EntityKind::Photo, photo.id.as_uuid()),
            Payload::PhotoRemoved { photo_id } => (EntityKind::Photo, photo_id.as_uuid()),
            Payload::StockAdjusted { adjustment } => {
                (EntityKind::Adjustment, adjustment.id.as_uuid())
            }
            Payload::OrderPlaced { order } => (EntityKind::Order, order.id.as_uuid()),
            Payload::OrderActionTaken { order_id, .. } => (EntityKind::Order, order_id.as_uuid()),
            Payload::RoundPublished { round } => (EntityKind::Round, round.id.as_uuid()),
            Payload::OrderRouted { order_id, .. } => (EntityKind::Order, order_id.as_uuid()),
            Payload::RoundAnswered { round_id, .. } => (EntityKind::Round, round_id.as_uuid()),
            Payload::OrderLoaded { load } => (EntityKind::Order, load.order_id.as_uuid()),
            Payload::ListingWeighed { listing_id, .. } => {
                (EntityKind::Listing, listing_id.as_uuid())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Category, Description, ListingStatus, Money, PaymentMethod, Price, Quantity, Reason, Title,
        Unit,
    };

    #[test]
    fn operations_round_trip_through_json_with_a_kind_tag() {
        let listing = Listing {
            id: ListingId::new(),
            title: Title::parse("གཡག་ཤ 牦牛肉").unwrap(),
            category: Category::YakMeat,
            unit: Unit::Kg,
            price: Price::parse_yuan("68.50").unwrap(),
            status: ListingStatus::Listed,
            description: None,
            lot_id: None,
        };
        let op = Operation {
            id: OperationId::new(),
            device_id: DeviceId::new(),
            hlc: Hlc::from_wall_ms(1_764_000_000_000),
            payload: Payload::ListingCreated {
                listing: listing.clone(),
            },
        };
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(json["payload"]["kind"], "listing_created");
        assert_eq!(json["payload"]["listing"]["price"], 6850);
        let back: Operation = serde_json::from_value(json).unwrap();
        assert_eq!(back, op);
        assert_eq!(op.entity(), (EntityKind::Listing, listing.id.as_uuid()));
    }

    fn order() -> Order {
        Order {
            id: OrderId::new(),
            listing_id: ListingId::new(),
            quantity: Quantity::parse("12.5", Unit::Kg).unwrap(),
            unit_price: Price::parse_yuan("60").unwrap(),
            hand_over_by: Some("2026-12-01".parse().unwrap()),
            note: Some(Description::parse("风干 dried, please").unwrap()),
            placed_at: "2026-11-28T08:00:00Z".parse().unwrap(),
        }
    }

    fn round_trip(payload: Payload) -> serde_json::Value {
        let op = Operation {
            id: OperationId::new(),
            device_id: DeviceId::new(),
            hlc: Hlc::from_wall_ms(1_764_000_000_000),
            payload,
        };
        let json = serde_json::to_value(&op).unwrap();
        let back: Operation = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, op);
        json["payload"].clone()
    }

    #[test]
    fn an_order_placement_round_trips() {
        let order = order();
        let json = round_trip(Payload::OrderPlaced {
            order: order.clone(),
        });
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "order_placed",
                "order": {
                    "id": order.id, "listing_id": order.listing_id,
                    "quantity": {"unit": "kg", "base": 12500}, "unit_price": 6000,
                    "hand_over_by": "2026-12-01", "note": "风干 dried, please",
                    "placed_at": "2026-11-28T08:00:00Z"
                }
            })
        );
        assert_eq!(
            Payload::OrderPlaced {
                order: order.clone()
            }
            .entity(),
            (EntityKind::Order, order.id.as_uuid())
        );
    }

    #[test]
    fn every_order_action_round_trips_with_its_fields_beside_the_others() {
        let order_id = OrderId::new();
        let at: chrono::DateTime<chrono::Utc> = "2026-11-29T09:30:00Z".parse().unwrap();
        // (actor, action, the action's own fields on the wire)
        let cases = [
            (
                Actor::Seller,
                OrderAction::Accept,
                serde_json::json!({"action": "accept"}),
            ),
            (
                Actor::Seller,
                OrderAction::Decline {
                    reason: Reason::parse("没有了 none left").unwrap(),
                },
                serde_json::json!({"action": "decline", "reason": "没有了 none left"}),
            ),
            (
                Actor::Seller,
                OrderAction::HandOver,
                serde_json::json!({"action": "hand-over"}),
            ),
            (
                Actor::Staff,
                OrderAction::HandOver,
                serde_json::json!({"action": "hand-over"}),
            ),
            (
                Actor::Staff,
                OrderAction::Receive {
                    quantity: Quantity::parse("9.5", Unit::Kg).unwrap(),
                },
                serde_json::json!({"action": "receive", "quantity": {"unit": "kg", "base": 9500}}),
            ),
            (
                Actor::Staff,
                OrderAction::Pay {
                    amount: Money::from_fen(57_000).unwrap(),
                    method: PaymentMethod::Bank,
                },
                serde_json::json!({"action": "pay", "amount": 57000, "method": "bank"}),
            ),
            (
                Actor::Staff,
                OrderAction::Cancel {
                    reason: Reason::parse("truck broke down").unwrap(),
                },
                serde_json::json!({"action": "cancel", "reason": "truck broke down"}),
            ),
        ];
        for (actor, action, fields) in cases {
            let json = round_trip(Payload::OrderActionTaken {
                order_id,
                actor,
                action: action.clone(),
                at,
            });
            let mut expected = serde_json::json!({
                "kind": "order_action_taken", "order_id": order_id,
                "actor": actor.slug(), "at": "2026-11-29T09:30:00Z",
            });
            for (k, v) in fields.as_object().unwrap() {
                expected[k] = v.clone();
            }
            assert_eq!(json, expected, "{}", action.slug());
        }
    }

    #[test]
    fn order_actions_with_bad_values_or_no_action_are_refused_when_read() {
        let base = serde_json::json!({
            "kind": "order_action_taken", "order_id": OrderId::new(),
            "actor": "seller", "at": "2026-11-29T09:30:00Z",
        });
        let with = |fields: serde_json::Value| {
            let mut v = base.clone();
            for (k, f) in fields.as_object().unwrap() {
                v[k] = f.clone();
            }
            serde_json::from_value::<Payload>(v)
        };
        assert!(with(serde_json::json!({"action": "accept"})).is_ok());
        assert!(with(serde_json::json!({})).is_err());
        assert!(with(serde_json::json!({"action": "steal"})).is_err());
        assert!(with(serde_json::json!({"action": "decline", "reason": " "})).is_err());
        assert!(with(serde_json::json!({"action": "decline"})).is_err());
        assert!(
            with(serde_json::json!({"action": "receive", "quantity": {"unit": "kg", "base": 0}}))
                .is_err()
        );
        assert!(with(serde_json::json!({"action": "accept", "actor": "buyer"})).is_err());
    }

    #[test]
    fn a_void_round_trips_and_names_its_sale() {
        let sale_id = SaleId::new();
        let payload = Payload::SaleVoided {
            sale_id,
            reason: Reason::parse("按错了 wrong button").unwrap(),
            at: "2026-12-07T10:00:00Z".parse().unwrap(),
        };
        assert_eq!(
            round_trip(payload.clone()),
            serde_json::json!({
                "kind": "sale_voided", "sale_id": sale_id,
                "reason": "按错了 wrong button", "at": "2026-12-07T10:00:00Z"
            })
        );
        assert_eq!(payload.entity(), (EntityKind::Sale, sale_id.as_uuid()));
        // A void says why: an empty reason is not one.
        let blank = serde_json::json!({
            "kind": "sale_voided", "sale_id": sale_id, "reason": " ",
            "at": "2026-12-07T10:00:00Z"
        });
        assert!(serde_json::from_value::<Payload>(blank).is_err());
    }

    #[test]
    fn invalid_values_inside_an_operation_are_refused_when_read() {
        let json = serde_json::json!({
            "id": OperationId::new(), "device_id": DeviceId::new(), "hlc": 1,
            "payload": {"kind": "listing_edited", "listing_id": ListingId::new(),
                        "changes": [{"field": "title", "value": ""}]}
        });
        assert!(serde_json::from_value::<Operation>(json).is_err());
    }

    #[test]
    fn an_edit_that_changes_one_field_twice_cannot_be_read() {
        let edit = |changes: serde_json::Value| {
            serde_json::json!({
                "id": OperationId::new(), "device_id": DeviceId::new(), "hlc": 1,
                "payload": {"kind": "listing_edited", "listing_id": ListingId::new(),
                            "changes": changes}
            })
        };
        let (a, b) = (crate::LotId::new(), crate::LotId::new());
        let twice = edit(serde_json::json!([
            {"field": "lot", "value": a}, {"field": "lot", "value": b}
        ]));
        let error = serde_json::from_value::<Operation>(twice).unwrap_err();
        assert!(error.to_string().contains("lot twice"), "{error}");
        let once_each = edit(serde_json::json!([
            {"field": "lot", "value": a}, {"field": "price", "value": 6850}
        ]));
        let op: Operation = serde_json::from_value(once_each).unwrap();
        let Payload::ListingEdited { changes, .. } = op.payload else {
            panic!("not an edit")
        };
        assert_eq!(changes.lot(), Some(Some(a)));
        assert_eq!(changes.len(), 2);
    }

    #[test]
    fn round_operations_round_trip_as_documented() {
        use crate::{Quantity, RoundState, ShortText, Stop, StopId, Stops, Unit};
        let stop = Stop {
            id: StopId::new(),
            place: ShortText::parse("雨崩 Yubeng").unwrap(),
            expected_at: crate::round::parse_time("10:00").unwrap(),
        };
        let round = Round {
            id: RoundId::new(),
            date: "2026-10-15".parse().unwrap(),
            vehicle: ShortText::parse("云F·12345").unwrap(),
            capacity: Weight::parse_kg("1500").unwrap(),
            stops: Stops::new(vec![stop.clone()]).unwrap(),
            state: RoundState::Planned,
        };
        assert_eq!(
            round_trip(Payload::RoundPublished {
                round: round.clone()
            }),
            serde_json::json!({
                "kind": "round_published",
                "round": {
                    "id": round.id, "date": "2026-10-15", "vehicle": "云F·12345",
                    "capacity": 1_500_000, "state": "planned",
                    "stops": [{"id": stop.id, "place": "雨崩 Yubeng", "expected_at": "10:00"}]
                }
            })
        );
        let order_id = OrderId::new();
        let on = RoundStop {
            round_id: round.id,
            stop_id: stop.id,
        };
        assert_eq!(
            round_trip(Payload::OrderRouted {
                order_id,
                round: Some(on)
            }),
            serde_json::json!({
                "kind": "order_routed", "order_id": order_id,
                "round": {"round_id": round.id, "stop_id": stop.id}
            })
        );
        let off = round_trip(Payload::OrderRouted {
            order_id,
            round: None,
        });
        assert_eq!(off["round"], serde_json::Value::Null);
        let answer = Payload::RoundAnswered {
            round_id: round.id,
            answer: RoundAnswer::NotComing {
                reason: Reason::parse("雪太大 too much snow").unwrap(),
            },
            at: "2026-10-14T09:30:00Z".parse().unwrap(),
        };
        assert_eq!(
            round_trip(answer.clone()),
            serde_json::json!({
                "kind": "round_answered", "round_id": round.id, "answer": "not-coming",
                "reason": "雪太大 too much snow", "at": "2026-10-14T09:30:00Z"
            })
        );
        assert_eq!(answer.entity(), (EntityKind::Round, round.id.as_uuid()));
        let load = Load {
            order_id,
            round_id: round.id,
            stop_id: stop.id,
            quantity: Quantity::parse("6", Unit::Jar).unwrap(),
            weight: Weight::parse_kg("4.5").unwrap(),
            at: "2026-10-15T02:10:00Z".parse().unwrap(),
        };
        let json = round_trip(Payload::OrderLoaded { load });
        assert_eq!(
            json["load"]["quantity"],
            serde_json::json!({"unit": "jar", "base": 6})
        );
        assert_eq!(json["load"]["weight"], 4500);
        let listing_id = ListingId::new();
        assert_eq!(
            round_trip(Payload::ListingWeighed {
                listing_id,
                weight_per_unit: Some(Weight::from_grams(750).unwrap())
            }),
            serde_json::json!({
                "kind": "listing_weighed", "listing_id": listing_id, "weight_per_unit": 750
            })
        );
    }

    #[test]
    fn the_known_kinds_are_the_enums_own() {
        // serde lists the variants it expects when it meets another one.
        let error = serde_json::from_value::<Payload>(serde_json::json!({"kind": "newer"}))
            .unwrap_err()
            .to_string();
        let listed: Vec<&str> = error
            .split_once("expected one of ")
            .unwrap()
            .1
            .split(", ")
            .map(|k| k.trim_matches(|c: char| c == '`' || !c.is_ascii_graphic()))
            .map(|k| k.split('`').next().unwrap())
            .collect();
        assert_eq!(listed, Payload::KINDS, "{error}");
    }
}
