//! `highland order ...`: the buyer's orders as a seller lists, shows,
//! accepts, declines and hands them over, and, with a hub in this process
//! on loopback, the round trip of an order and of a refused answer.

mod common;

use common::DataDir;
use highland_domain::{
    DeviceId, Hlc, ListingId, Operation, OperationId, Order, OrderAction, OrderId, Payload, Price,
    Quantity, Reason, Unit,
};
use highland_engine::Store;
use serde_json::Value;

/// Puts an order for `kg` of `listing` on the device as if a sync had
/// pulled it from the hub.
fn order_arrives(d: &DataDir, listing: &str, kg: &str) -> String {
    let order = Order {
        id: OrderId::new(),
        listing_id: listing.parse::<ListingId>().unwrap(),
        quantity: Quantity::parse(kg, Unit::Kg).unwrap(),
        unit_price: Price::parse_yuan("60").unwrap(),
        hand_over_by: Some("2026-12-05".parse().unwrap()),
        note: Some(highland_domain::Description::parse("风干 dried, please").unwrap()),
        placed_at: "2026-11-28T08:00:00Z".parse().unwrap(),
    };
    let id = order.id.to_string();
    let mut store = Store::open_dir(d.path()).unwrap();
    store
        .apply_remote(&[Operation {
            id: OperationId::new(),
            device_id: DeviceId::new(),
            hlc: Hlc::from_wall_ms(1_764_316_800_000),
            payload: Payload::OrderPlaced { order },
        }])
        .unwrap();
    id
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

const ORDER_KEYS: [&str; 27] = [
    "confirmed_state",
    "hand_over_by",
    "id",
    "listing_id",
    "listing_title",
    "loaded_display",
    "loaded_quantity",
    "loaded_weight_g",
    "note",
    "paid_fen",
    "paid_method",
    "pending_action",
    "placed_at",
    "quantity",
    "quantity_display",
    "quantity_unit",
    "reason",
    "received_display",
    "received_quantity",
    "refusal",
    "round_id",
    "sale_id",
    "state",
    "stop_id",
    "total_fen",
    "unit",
    "unit_price_fen",
];

#[test]
fn an_order_from_the_hub_is_listed_and_shown_with_the_documented_fields() {
    let d = DataDir::new();
    let listing = d.add_listing("10");
    let id = order_arrives(&d, &listing, "4");

    let list = d.json(&["order", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(keys(&list[0]), ORDER_KEYS);
    let o = &list[0];
    assert_eq!(o["id"], id.as_str());
    assert_eq!(o["listing_id"], listing.as_str());
    assert_eq!(o["listing_title"], "གཡག་ཤ 牦牛肉");
    assert_eq!(
        (o["quantity"].as_i64(), o["quantity_unit"].as_str()),
        (Some(4000), Some("g"))
    );
    assert_eq!(
        (o["unit"].as_str(), o["quantity_display"].as_str()),
        (Some("kg"), Some("4"))
    );
    assert_eq!(
        (o["unit_price_fen"].as_i64(), o["total_fen"].as_i64()),
        (Some(6000), Some(24_000))
    );
    assert_eq!(o["hand_over_by"], "2026-12-05");
    assert_eq!(o["note"], "风干 dried, please");
    assert_eq!(
        (o["state"].as_str(), o["confirmed_state"].as_str()),
        (Some("placed"), Some("placed"))
    );
    assert_eq!(
        (&o["pending_action"], &o["refusal"]),
        (&Value::Null, &Value::Null)
    );

    let shown = d.json(&["order", "show", &id]);
    let mut with_history: Vec<&str> = ORDER_KEYS.to_vec();
    with_history.push("history");
    with_history.sort();
    assert_eq!(keys(&shown), with_history);
    assert_eq!(
        keys(&shown["history"][0]),
        [
            "action",
            "actor",
            "amount_fen",
            "at",
            "method",
            "quantity",
            "quantity_display",
            "reason"
        ]
    );
    assert_eq!(
        (
            shown["history"][0]["action"].as_str(),
            shown["history"][0]["actor"].as_str()
        ),
        (Some("place"), Some("staff"))
    );

    let human = d.ok(&["order", "show", &id]);
    assert!(
        human.contains("风干 dried, please") && human.contains("¥240.00"),
        "{human}"
    );
    let status = d.json(&["status"]);
    assert_eq!(
        (
            status["orders"].as_i64(),
            status["orders_to_answer"].as_i64()
        ),
        (Some(1), Some(1))
    );
}

#[test]
fn accepting_holds_the_stock_back_at_once_and_prints_nothing() {
    let d = DataDir::new();
    let listing = d.add_listing("10");
    let id = order_arrives(&d, &listing, "4");
    assert_eq!(d.ok(&["order", "accept", &id]), "");

    let o = d.json(&["order", "show", &id]);
    assert_eq!(
        (o["state"].as_str(), o["confirmed_state"].as_str()),
        (Some("accepted"), Some("placed"))
    );
    assert_eq!(o["pending_action"], "accept");
    let l = d.json(&["listing", "show", &listing]);
    assert_eq!(
        (l["stock"].as_i64(), l["reserved"].as_i64()),
        (Some(6000), Some(4000))
    );
    assert!(
        d.ok(&["order", "list"])
            .contains("accepted (waiting for the hub)")
    );

    // The oversell check counts what the order holds.
    let err = d.fails(&["sale", "add", "--listing", &listing, "--quantity", "7"]);
    assert!(err.starts_with("error: only 6 kg"), "{err}");
    assert_eq!(d.json(&["status"])["pending_ops"], 3);
}

#[test]
fn an_order_larger_than_the_stock_needs_allow_oversell() {
    let d = DataDir::new();
    let listing = d.add_listing("3");
    let id = order_arrives(&d, &listing, "4");
    let err = d.fails(&["order", "accept", &id]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: only 3 kg of this listing are available"),
        "{err}"
    );
    d.ok(&["order", "accept", &id, "--allow-oversell"]);
    assert_eq!(d.json(&["listing", "show", &listing])["stock"], -1000);
}

#[test]
fn decline_takes_a_reason_and_hand_over_comes_after_accepting() {
    let d = DataDir::new();
    let listing = d.add_listing("10");
    let first = order_arrives(&d, &listing, "4");
    let second = order_arrives(&d, &listing, "2");

    let usage = d.cmd().args(["order", "decline", &first]).output().unwrap();
    assert_eq!(
        usage.status.code(),
        Some(2),
        "a missing --reason is a usage error"
    );
    d.ok(&[
        "order",
        "decline",
        &first,
        "--reason",
        "雪太大 too much snow",
    ]);
    let o = d.json(&["order", "show", &first]);
    assert_eq!(
        (o["state"].as_str(), o["reason"].as_str()),
        (Some("declined"), Some("雪太大 too much snow"))
    );
    assert_eq!(o["pending_action"], "decline");

    d.ok(&["order", "accept", &second]);
    d.ok(&["order", "handed-over", &second]);
    let o = d.json(&["order", "show", &second]);
    assert_eq!(
        (o["state"].as_str(), o["pending_action"].as_str()),
        (Some("handed-over"), Some("hand-over"))
    );
    assert_eq!(d.json(&["listing", "show", &listing])["reserved"], 2000);
}

#[test]
fn what_an_order_does_not_allow_is_one_line_and_changes_nothing() {
    let d = DataDir::new();
    let listing = d.add_listing("10");
    let id = order_arrives(&d, &listing, "4");
    d.ok(&["order", "decline", &id, "--reason", "no"]);
    let before = (d.snapshot(), d.json(&["order", "list"]));

    let unknown = OrderId::new().to_string();
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["order", "accept", &id],
            "error: an order that is declined cannot be accepted".into(),
        ),
        (
            vec!["order", "handed-over", &id],
            "error: an order that is declined cannot be handed over".into(),
        ),
        (
            vec!["order", "decline", &id, "--reason", "again"],
            "error: an order that is declined cannot be declined".into(),
        ),
        (
            vec!["order", "accept", &unknown],
            format!("error: no order with id {unknown}"),
        ),
        (
            vec!["order", "show", &unknown],
            format!("error: no order with id {unknown}"),
        ),
        (
            vec!["order", "accept", "order-1"],
            "error: \"order-1\" is not a valid id".into(),
        ),
        (
            vec!["order", "decline", &id, "--reason", "  "],
            "error: reason must not be empty".into(),
        ),
    ];
    for (args, expected) in cases {
        let err = d.fails(&args);
        assert_eq!(err.trim_end(), expected, "{args:?}");
    }
    assert_eq!((d.snapshot(), d.json(&["order", "list"])), before);
}

/// The real thing on loopback: a hub in this process, the `highland` binary
/// enrolling and syncing with it.
mod with_a_hub {
    use super::*;
    use highland_exchange::orders::NewOrder;
    use highland_hub::{Storage, SystemClock, WallClock};

    use crate::common::hub::{Hub, highland};

    async fn json(d: &DataDir, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        serde_json::from_str(&highland(d, &args).await).unwrap()
    }

    fn place(hub: &Hub, listing: &str, kg: &str) -> OrderId {
        let new = NewOrder {
            id: OrderId::new(),
            listing_id: listing.parse().unwrap(),
            quantity: Quantity::parse(kg, Unit::Kg).unwrap(),
            unit_price: Price::parse_yuan("60").unwrap(),
            hand_over_by: None,
            note: None,
            round: None,
        };
        hub.db
            .place_order(&new, Some("Lhamo"), SystemClock.now_ms())
            .unwrap();
        new.id
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_order_goes_round_and_a_refused_accept_comes_back_with_its_reason() {
        let hub = Hub::start().await;
        let d = DataDir::new();
        hub.enroll(&d).await;
        let listing = d.add_listing("10");
        highland(&d, &["sync"]).await;

        let kept = place(&hub, &listing, "4");
        let lost = place(&hub, &listing, "3");
        highland(&d, &["sync"]).await;
        let orders = json(&d, &["order", "list"]).await;
        assert_eq!(orders.as_array().unwrap().len(), 2);

        // Offline, the seller accepts both; meanwhile staff cancel one.
        highland(&d, &["order", "accept", &kept.to_string()]).await;
        highland(&d, &["order", "accept", &lost.to_string()]).await;
        assert_eq!(
            json(&d, &["listing", "show", &listing]).await["stock"],
            3000
        );
        hub.db
            .act_on_order(
                lost,
                OrderAction::Cancel {
                    reason: Reason::parse("truck broke down").unwrap(),
                },
                Some("Lhamo"),
                SystemClock.now_ms(),
            )
            .unwrap();
        let report = json(&d, &["sync"]).await;
        assert_eq!(
            (report["pushed"].as_u64(), report["refused"].as_u64()),
            (Some(1), Some(1))
        );

        let kept_here = json(&d, &["order", "show", &kept.to_string()]).await;
        assert_eq!(kept_here["state"], "accepted");
        assert_eq!(kept_here["confirmed_state"], "accepted");
        let lost_here = json(&d, &["order", "show", &lost.to_string()]).await;
        assert_eq!(lost_here["state"], "cancelled");
        assert_eq!(lost_here["reason"], "truck broke down");
        assert_eq!(
            lost_here["refusal"]["message"],
            "An order that is cancelled cannot be accepted."
        );
        assert!(
            highland(&d, &["order", "show", &lost.to_string()])
                .await
                .contains("An order that is cancelled cannot be accepted.")
        );
        let status = highland(&d, &["status"]).await;
        assert!(status.contains("refused by hub:   order"), "{status}");

        // The device, the hub and its console agree.
        let on_hub = hub.db.order(kept).unwrap().unwrap();
        assert_eq!(on_hub.order.state, "accepted");
        assert_eq!(
            hub.db.order(lost).unwrap().unwrap().order.state,
            "cancelled"
        );
        let hub_listing = hub.db.listing(listing.parse().unwrap()).unwrap().unwrap();
        let here = json(&d, &["listing", "show", &listing]).await;
        assert_eq!(
            (here["stock"].as_i64(), here["reserved"].as_i64()),
            (Some(hub_listing.stock), Some(hub_listing.reserved))
        );
        assert_eq!(hub_listing.reserved, 4000);

        // The goods go; the buyer receives 3.9 kg: a sale, and the hold ends.
        highland(&d, &["order", "handed-over", &kept.to_string()]).await;
        highland(&d, &["sync"]).await;
        hub.db
            .act_on_order(
                kept,
                OrderAction::Receive {
                    quantity: Quantity::parse("3.9", Unit::Kg).unwrap(),
                },
                None,
                SystemClock.now_ms(),
            )
            .unwrap();
        highland(&d, &["sync"]).await;
        let here = json(&d, &["listing", "show", &listing]).await;
        assert_eq!(
            (
                here["stock"].as_i64(),
                here["reserved"].as_i64(),
                here["sold"].as_i64()
            ),
            (Some(6100), Some(0), Some(3900))
        );
        let received = json(&d, &["order", "show", &kept.to_string()]).await;
        assert_eq!(received["state"], "received");
        let history: Vec<_> = received["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["action"].as_str().unwrap().to_owned(),
                    h["actor"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            history,
            [
                ("place".to_owned(), "staff".to_owned()),
                ("accept".into(), "seller".into()),
                ("hand-over".into(), "seller".into()),
                ("receive".into(), "staff".into())
            ]
        );
        let hub_listing = hub.db.listing(listing.parse().unwrap()).unwrap().unwrap();
        assert_eq!(hub_listing.stock, 6100);
    }
}
