//! Orders on the hub: staff place them and record receipt, payment and
//! cancellation; sellers' devices pull them and propose accept, decline and
//! hand-over, which the hub checks against the state machine.

mod common;

use common::*;
use highland_domain::wire::AckOutcome;
use highland_domain::{
    Actor, FieldChanges, ListingField, ListingStatus, Money, Operation, OrderAction, OrderId,
    Payload, PaymentMethod, Price, Quantity, Reason, Unit,
};
use highland_exchange::orders::{NewOrder, OrderError, OrderFilter};
use highland_hub::{OrderDetail, Storage, WallClock};

/// A seller with 10 kg of yak meat, synced to the hub.
async fn seller_with_yak_meat(hub: &TestHub, name: &str) -> (Device, highland_domain::Listing) {
    let device = hub.seller_with_device(name).await;
    let meat = new_listing("牦牛肉 Yak meat", Unit::Kg, 6850);
    let response = hub
        .sync(
            &device,
            vec![
                op(&device, NOW_MS, created(&meat)),
                op(&device, NOW_MS, received(&meat, 10_000)),
            ],
            0,
        )
        .await;
    assert!(response.acks.iter().all(applied));
    (device, meat)
}

fn new_order(listing: &highland_domain::Listing, quantity: &str) -> NewOrder {
    NewOrder {
        id: OrderId::new(),
        listing_id: listing.id,
        quantity: Quantity::parse(quantity, listing.unit).unwrap(),
        unit_price: Price::parse_yuan("60").unwrap(),
        hand_over_by: Some("2026-06-05".parse().unwrap()),
        note: Some(highland_domain::Description::parse("风干 dried").unwrap()),
        round: None,
    }
}

fn place(hub: &TestHub, listing: &highland_domain::Listing, quantity: &str) -> OrderDetail {
    hub.db
        .place_order(
            &new_order(listing, quantity),
            Some("Lhamo"),
            hub.clock.now_ms(),
        )
        .unwrap()
}

fn order_id(detail: &OrderDetail) -> OrderId {
    detail.order.id.parse().unwrap()
}

fn propose(device: &Device, order: OrderId, action: OrderAction) -> Operation {
    op(
        device,
        NOW_MS + 1_000,
        Payload::OrderActionTaken {
            order_id: order,
            actor: Actor::Seller,
            action,
            at: chrono::DateTime::from_timestamp_millis(NOW_MS as i64).unwrap(),
        },
    )
}

fn staff(hub: &TestHub, order: OrderId, action: OrderAction) -> Result<OrderDetail, OrderError> {
    hub.db
        .act_on_order(order, action, Some("Lhamo"), hub.clock.now_ms())
}

fn refusal(ack: &highland_domain::wire::Ack) -> Option<(&str, &str)> {
    match &ack.outcome {
        AckOutcome::Refused { reason } => Some((reason.code.as_str(), &reason.message)),
        AckOutcome::Applied { .. } => None,
    }
}

fn history(detail: &OrderDetail) -> Vec<(&str, &str)> {
    detail
        .history
        .iter()
        .map(|h| (h.action.as_str(), h.actor.as_str()))
        .collect()
}

fn reason(text: &str) -> Reason {
    Reason::parse(text).unwrap()
}

#[tokio::test]
async fn an_order_staff_place_reaches_every_device_of_its_seller_and_no_one_else() {
    let hub = spawn_hub().await;
    let (first, meat) = seller_with_yak_meat(&hub, "Dolma").await;
    let second = hub.second_device(&first).await;
    let stranger = hub.seller_with_device("Tashi").await;

    let placed = place(&hub, &meat, "4");
    let o = &placed.order;
    assert_eq!(
        (o.state.as_str(), o.seller_id.as_str()),
        ("placed", first.seller_id.as_str())
    );
    assert_eq!(
        (o.quantity, o.quantity_unit.as_str(), o.unit.as_str()),
        (4_000, "g", "kg")
    );
    assert_eq!((o.unit_price_fen, o.total_fen), (6000, 24_000));
    assert_eq!(o.hand_over_by.as_deref(), Some("2026-06-05"));
    assert_eq!(o.listing_title, "牦牛肉 Yak meat");
    assert_eq!(history(&placed), [("place", "staff")]);
    assert_eq!(placed.history[0].staff.as_deref(), Some("Lhamo"));

    for device in [&first, &second] {
        let (pulled, _) = hub.pull_all(device, 0).await;
        let orders: Vec<_> = pulled
            .iter()
            .filter_map(|op| match &op.payload {
                Payload::OrderPlaced { order } => Some((op, order)),
                _ => None,
            })
            .collect();
        assert_eq!(orders.len(), 1);
        let (op, order) = orders[0];
        assert_eq!(order.id, order_id(&placed));
        assert_eq!(order.quantity, Quantity::parse("4", Unit::Kg).unwrap());
        assert_ne!(op.device_id, first.id);
        assert_eq!(placed.history[0].device_id, op.device_id.to_string());
    }
    let (pulled, _) = hub.pull_all(&stranger, 0).await;
    assert!(pulled.is_empty());
    // Placing holds nothing back: only the seller's acceptance does.
    assert_eq!(hub.listing(meat.id).reserved, 0);
}

#[tokio::test]
async fn an_accept_is_applied_reserves_stock_and_reaches_the_sellers_other_device() {
    let hub = spawn_hub().await;
    let (first, meat) = seller_with_yak_meat(&hub, "Dolma").await;
    let second = hub.second_device(&first).await;
    let order = order_id(&place(&hub, &meat, "4"));
    let (_, cursor) = hub.pull_all(&second, 0).await;

    let accept = propose(&first, order, OrderAction::Accept);
    let response = hub.sync(&first, vec![accept.clone()], 0).await;
    assert_eq!(response.acks[0].outcome, AckOutcome::Applied { hlc: None });

    let detail = hub.db.order(order).unwrap().unwrap();
    assert_eq!(detail.order.state, "accepted");
    assert_eq!(history(&detail), [("place", "staff"), ("accept", "seller")]);
    assert_eq!(detail.history[1].device_id, first.id.to_string());
    let listing = hub.listing(meat.id);
    assert_eq!((listing.stock, listing.reserved), (6_000, 4_000));

    let (pulled, _) = hub.pull_all(&second, cursor).await;
    assert_eq!(pulled, vec![accept.clone()]);

    // A lost response: the same accept again is acknowledged, not refused.
    let again = hub.sync(&first, vec![accept], 0).await;
    assert_eq!(again.acks[0].outcome, AckOutcome::Applied { hlc: None });
    assert_eq!(hub.listing(meat.id).reserved, 4_000);
}

#[tokio::test]
async fn a_decline_keeps_the_sellers_reason() {
    let hub = spawn_hub().await;
    let (device, meat) = seller_with_yak_meat(&hub, "Dolma").await;
    let order = order_id(&place(&hub, &meat, "4"));
    let decline = propose(
        &device,
        order,
        OrderAction::Decline {
            reason: reason("下雪了 snowed in"),
        },
    );
    let response = hub.sync(&device, vec![decline], 0).await;
    assert!(applied(&response.acks[0]));
    let detail = hub.db.order(order).unwrap().unwrap();
    assert_eq!(detail.order.state, "declined");
    assert_eq!(detail.order.reason.as_deref(), Some("下雪了 snowed in"));
    assert_eq!(
        detail.history[1].reason.as_deref(),
        Some("下雪了 snowed in")
    );
    assert_eq!(hub.listing(meat.id).reserved, 0);
}

#[tokio::test]
async fn proposals_on_orders_not_the_sellers_are_refused_one_by_one() {
    let hub = spawn_hub().await;
    let (dolma, meat) = seller_with_yak_meat(&hub, "Dolma").await;
    let tashi = hub.seller_with_device("Tashi").await;
    let order = order_id(&place(&hub, &meat, "4"));
    let honey = new_listing("Honey", Unit::Jar, 4500);

    let pushed = vec![
        propose(&tashi, order, OrderAction::Accept),
        propose(&tashi, OrderId::new(), OrderAction::Accept),
        op(&tashi, NOW_MS, created(&honey)),
        propose(
            &tashi,
            order,
            OrderAction::Cancel {
                reason: reason("mine now"),
            },
        ),
    ];
    let response = hub.sync(&tashi, pushed, 0).await;
    let codes: Vec<_> = response.acks.iter().map(refusal_code).collect();
    assert_eq!(
        codes,
        [
            Some("not_your_order"),
            Some("unknown_order"),
            None,
            Some("staff_only")
        ]
    );
    for ack in &response.acks {
        if let Some((_, message)) = refusal(ack) {
            assert!(message.ends_with('.'), "{message}");
        }
    }
    assert_eq!(hub.db.order(order).unwrap().unwrap().order.state, "placed");
    // Dolma's device cannot make the hub's own operations either.
    let placement = hub.db.order(order).unwrap().unwrap();
    let forged = op(
        &dolma,
        NOW_MS,
        Payload::OrderPlaced {
            order: highland_domain::Order {
                id: OrderId::new(),
                listing_id: meat.id,
                quantity: Quantity::parse("1", Unit::Kg).unwrap(),
                unit_price: Price::parse_yuan("1").unwrap(),
                hand_over_by: None,
                note: None,
                placed_at: chrono::DateTime::UNIX_EPOCH,
            },
        },
    );
    let response = hub.sync(&dolma, vec![forged], 0).await;
    assert_eq!(refusal_code(&response.acks[0]), Some("staff_only"));
    assert_eq!(hub.db.order(order).unwrap().unwrap(), placement);
}

#[tokio::test]
async fn a_proposal_the_order_no_longer_allows_comes_back_with_the_machines_sentence() {
    let hub = spawn_hub().await;
    let (device, meat) = seller_with_yak_meat(&hub, "Dolma").await;
    let order = order_id(&place(&hub, &meat, "4"));
    let cancelled = staff(
        &hub,
        order,
        OrderAction::Cancel {
            reason: reason("truck broke down"),
        },
    )
    .unwrap();
    assert_eq!(cancelled.order.state, "cancelled");

    let response = hub
        .sync(
            &device,
            vec![
                propose(&device, order, OrderAction::HandOver),
                propose(&device, order, OrderAction::Accept),
            ],
            0,
        )
        .await;
    let refusals: Vec<_> = response.acks.iter().map(refusal).collect();
    assert_eq!(
        refusals,
        [
            Some((
                "order_transition_refused",
                "An order that is cancelled cannot be handed over."
            )),
            Some((
                "order_transition_refused",
                "An order that is cancelled cannot be accepted."
            )),
        ]
    );
    // The device learns of the cancellation in the same answer.
    let pulled = response.read_operations().unwrap();
    let cancel = pulled.iter().find_map(|op| match &op.payload {
        Payload::OrderActionTaken { action, actor, .. } => Some((action.slug(), *actor)),
        _ => None,
    });
    assert_eq!(cancel, Some(("cancel", Actor::Staff)));
    let detail = hub.db.order(order).unwrap().unwrap();
    assert_eq!(history(&detail), [("place", "staff"), ("cancel", "staff")]);
    assert_eq!(detail.order.reason.as_deref(), Some("truck broke down"));
}

#[tokio::test]
async fn a_hand_over_before_acceptance_is_refused() {
    let hub = spawn_hub().await;
    let (device, meat) = seller_with_yak_meat(&hub, "Dolma").await;
    let order = order_id(&place(&hub, &meat, "4"));
    let response = hub
        .sync(
            &device,
            vec![propose(&device, order, OrderAction::HandOver)],
            0,
        )
        .await;
    assert_eq!(
        refusal(&response.acks[0]),
        Some((
            "order_transition_refused",
            "An order that is placed cannot be handed over."
        ))
    );
    assert_eq!(hub.db.order(order).unwrap().unwrap().order.state, "placed");
}

#[tokio::test]
async fn a_receipt_records_one_sale_at_the_order_price_and_ends_the_hold() {
    let hub = spawn_hub().await;
    let (device, meat) = seller_with_yak_meat(&hub, "Dolma").await;
    let second = hub.second_device(&device).await;
    let order = order_id(&place(&hub, &meat, "4"));
    hub.sync(
        &device,
        vec![
            propose(&device, order, OrderAction::Accept),
            propose(&device, order, OrderAction::HandOver),
        ],
        0,
    )
    .await;
    assert_eq!(hub.listing(meat.id).reserved, 4_000);
    let log_before = hub.db.log_length().unwrap();

    // Received 3.8 kg of the 4 ordered, typed in grams.
    let received = staff(
        &hub,
        order,
        OrderAction::Receive {
            quantity: Quantity::parse("3800g", Unit::Kg).unwrap(),
        },
    )
    .unwrap();
    let o = &received.order;
    assert_eq!(o.state, "received");
    assert_eq!(
        (o.received_quantity, o.received_display.as_deref()),
        (Some(3_800), Some("3.8"))
    );
    let sales = hub.db.sales(None).unwrap();
    assert_eq!(sales.len(), 1);
    let sale = &sales[0];
    assert_eq!(o.sale_id.as_deref(), Some(sale.id.as_str()));
    assert_eq!((sale.quantity, sale.unit.as_str()), (3_800, "kg"));
    assert_eq!((sale.unit_price_fen, sale.total_fen), (6000, 22_800));
    assert_eq!(sale.payment, "bank");
    let listing = hub.listing(meat.id);
    assert_eq!(
        (listing.stock, listing.reserved, listing.sold),
        (6_200, 0, 3_800)
    );
    assert_eq!(hub.db.log_length().unwrap(), log_before + 2);

    // Replaying the staff call is refused and records nothing.
    let again = staff(
        &hub,
        order,
        OrderAction::Receive {
            quantity: Quantity::parse("3.8", Unit::Kg).unwrap(),
        },
    )
    .unwrap_err();
    assert_eq!(again.code(), "order_transition_refused");
    assert_eq!(
        again.to_string(),
        "an order that is received cannot be received"
    );
    assert_eq!(hub.db.sales(None).unwrap().len(), 1);
    assert_eq!(hub.db.log_length().unwrap(), log_before + 2);

    // The seller's devices pull the sale, then the receipt, as often as they like.
    for _ in 0..2 {
        let (pulled, _) = hub.pull_all(&second, 0).await;
        let kinds: Vec<_> = pulled
            .iter()
            .map(|op| match &op.payload {
                Payload::SaleRecorded { sale } => {
                    assert_eq!(sale.order_id, Some(order));
                    "sale"
                }
                Payload::OrderActionTaken { action, .. } => action.slug(),
                Payload::OrderPlaced { .. } => "place",
                _ => "listing",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "listing",
                "listing",
                "place",
                "accept",
                "hand-over",
                "sale",
                "receive"
            ]
        );
    }
    assert_eq!(hub.db.sales(None).unwrap().len(), 1);
    assert_eq!(hub.listing(meat.id).stock, 6_200);
}

#[tokio::test]
async fn payment_follows_receipt_and_cancellation_only_comes_before_hand_over() {
    let hub = spawn_hub().await;
    let (device, meat) = seller_with_yak_meat(&hub, "Dolma").await;
    let order = order_id(&place(&hub, &meat, "2"));
    let pay = |fen| OrderAction::Pay {
        amount: Money::from_fen(fen).unwrap(),
        method: PaymentMethod::Bank,
    };
    assert_eq!(
        staff(&hub, order, pay(12_000)).unwrap_err().code(),
        "order_transition_refused"
    );
    // Staff may not accept for the seller, but may record a hand-over.
    let err = staff(&hub, order, OrderAction::Accept).unwrap_err();
    assert_eq!(err.code(), "seller_only");
    assert_eq!(
        err.to_string(),
        "only the seller can accept an order, from their device"
    );
    hub.sync(
        &device,
        vec![propose(&device, order, OrderAction::Accept)],
        0,
    )
    .await;
    let handed = staff(&hub, order, OrderAction::HandOver).unwrap();
    assert_eq!(handed.order.state, "handed-over");
    assert_eq!(
        staff(
            &hub,
            order,
            OrderAction::Cancel {
                reason: reason("late")
            }
        )
        .unwrap_err()
        .code(),
        "order_transition_refused"
    );
    staff(
        &hub,
        order,
        OrderAction::Receive {
            quantity: Quantity::parse("2", Unit::Kg).unwrap(),
        },
    )
    .unwrap();
    assert_eq!(
        staff(&hub, order, pay(0)).unwrap_err().code(),
        "not_positive"
    );
    let paid = staff(&hub, order, pay(12_000)).unwrap();
    assert_eq!(paid.order.state, "paid");
    assert_eq!(
        (paid.order.paid_fen, paid.order.paid_method.as_deref()),
        (Some(12_000), Some("bank"))
    );
    assert_eq!(
        history(&paid),
        [
            ("place", "staff"),
            ("accept", "seller"),
            ("hand-over", "staff"),
            ("receive", "staff"),
            ("pay", "staff")
        ]
    );
    assert_eq!(paid.history[4].amount_fen, Some(12_000));

    // An accepted order may be cancelled, and its stock comes back.
    let second = order_id(&place(&hub, &meat, "3"));
    hub.sync(
        &device,
        vec![propose(&device, second, OrderAction::Accept)],
        0,
    )
    .await;
    assert_eq!(hub.listing(meat.id).reserved, 3_000);
    let cancelled = staff(
        &hub,
        second,
        OrderAction::Cancel {
            reason: reason("no truck"),
        },
    )
    .unwrap();
    assert_eq!(
        (
            cancelled.order.state.as_str(),
            cancelled.order.reason.as_deref()
        ),
        ("cancelled", Some("no truck"))
    );
    assert_eq!(hub.listing(meat.id).reserved, 0);
    assert_eq!(hub.listing(meat.id).stock, 8_000);
    assert!(matches!(
        staff(&hub, OrderId::new(), OrderAction::HandOver),
        Err(OrderError::UnknownOrder(_))
    ));
}

#[tokio::test]
async fn an_order_needs_an_open_listing_in_its_measure_and_a_new_id() {
    let hub = spawn_hub().await;
    let (device, meat) = seller_with_yak_meat(&hub, "Dolma").await;
    let log = hub.db.log_length().unwrap();
    let now = hub.clock.now_ms();

    let unknown = new_order(&new_listing("Ghost", Unit::Kg, 100), "1");
    let err = hub.db.place_order(&unknown, None, now).unwrap_err();
    assert_eq!(err.code(), "unknown_listing");

    let mut jars = new_order(&meat, "1");
    jars.quantity = Quantity::parse("3", Unit::Jar).unwrap();
    assert_eq!(
        hub.db.place_order(&jars, None, now).unwrap_err().code(),
        "unit_mismatch"
    );

    let placed = new_order(&meat, "1");
    hub.db.place_order(&placed, None, now).unwrap();
    let err = hub.db.place_order(&placed, None, now).unwrap_err();
    assert_eq!(err.code(), "order_exists");

    for (edit, (status, allowed)) in [
        (ListingStatus::Draft, false),
        (ListingStatus::Archived, false),
        (ListingStatus::SoldOut, true),
    ]
    .into_iter()
    .enumerate()
    {
        hub.sync(
            &device,
            vec![op(
                &device,
                NOW_MS + 10 + edit as u64,
                Payload::ListingEdited {
                    listing_id: meat.id,
                    changes: FieldChanges::new(vec![ListingField::Status(status)]).unwrap(),
                },
            )],
            0,
        )
        .await;
        let result = hub.db.place_order(&new_order(&meat, "1"), None, now);
        match allowed {
            true => assert!(result.is_ok(), "{status}"),
            false => {
                let err = result.unwrap_err();
                assert_eq!(err.code(), "listing_not_open", "{status}");
                assert!(err.to_string().contains(status.slug()), "{err}");
            }
        }
    }
    // One placement for the first good order, one for the sold-out listing,
    // three edits: nothing for the refusals.
    assert_eq!(hub.db.log_length().unwrap(), log + 5);
}

#[tokio::test]
async fn orders_are_listed_by_state_and_seller_a_page_at_a_time() {
    let hub = spawn_hub().await;
    let (dolma, meat) = seller_with_yak_meat(&hub, "Dolma").await;
    let (_, barley) = seller_with_yak_meat(&hub, "Tashi").await;
    let mut placed = Vec::new();
    for i in 0..5 {
        hub.clock.advance(1_000);
        let listing = if i % 2 == 0 { &meat } else { &barley };
        placed.push(order_id(&place(&hub, listing, "1")));
    }
    hub.sync(
        &dolma,
        vec![propose(&dolma, placed[0], OrderAction::Accept)],
        0,
    )
    .await;

    let ids = |filter: &OrderFilter| -> Vec<OrderId> {
        hub.db
            .orders(filter)
            .unwrap()
            .orders
            .iter()
            .map(|o| o.id.parse().unwrap())
            .collect()
    };
    assert_eq!(ids(&OrderFilter::default()), placed);
    let dolmas: Vec<_> = placed.iter().copied().step_by(2).collect();
    assert_eq!(
        ids(&OrderFilter {
            seller: Some(dolma.seller_id.parse().unwrap()),
            ..OrderFilter::default()
        }),
        dolmas
    );
    assert_eq!(
        ids(&OrderFilter {
            state: Some(highland_domain::OrderState::Accepted),
            ..OrderFilter::default()
        }),
        [placed[0]]
    );

    // Pages of two, both ways, never repeat or skip.
    for newest_first in [false, true] {
        let mut filter = OrderFilter {
            limit: 2,
            newest_first,
            ..OrderFilter::default()
        };
        let mut seen = Vec::new();
        loop {
            let page = hub.db.orders(&filter).unwrap();
            assert!(page.orders.len() <= 2);
            seen.extend(page.orders.iter().map(|o| o.id.parse::<OrderId>().unwrap()));
            match page.next_after {
                Some(after) => filter.after = Some(after.parse().unwrap()),
                None => break,
            }
        }
        let mut expected = placed.clone();
        if newest_first {
            expected.reverse();
        }
        assert_eq!(seen, expected, "newest first: {newest_first}");
    }
}

#[tokio::test]
async fn staff_actions_are_made_under_one_hub_identity_that_no_device_can_take() {
    let hub = spawn_hub().await;
    let (device, meat) = seller_with_yak_meat(&hub, "Dolma").await;
    let first = order_id(&place(&hub, &meat, "1"));
    staff(
        &hub,
        first,
        OrderAction::Cancel {
            reason: reason("x"),
        },
    )
    .unwrap();
    let second = hub.second_device(&device).await;
    let (pulled, _) = hub.pull_all(&second, 0).await;
    let hub_ids: std::collections::BTreeSet<_> = pulled
        .iter()
        .filter(|op| op.device_id != device.id)
        .map(|op| op.device_id)
        .collect();
    assert_eq!(hub_ids.len(), 1, "{pulled:?}");
    let hub_id = *hub_ids.iter().next().unwrap();

    // Enrolling a device under the hub's id is refused.
    let code = hub.new_code(&device.seller_id);
    let response = hub.enroll(&code, hub_id).await;
    expect_error(
        response,
        reqwest::StatusCode::CONFLICT,
        "device_enrolled_elsewhere",
    )
    .await;
}

#[test]
fn a_hub_database_from_schema_1_is_upgraded_and_takes_orders() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(highland_hub::db::DATABASE_FILE);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(include_str!("fixtures/schema_v1.sql"))
        .unwrap();
    let db = highland_hub::HubDb::open(&path).unwrap();
    let listings = db.listings(None).unwrap();
    assert_eq!(listings.len(), 1);
    let listing = &listings[0];
    assert_eq!(
        (listing.title.as_str(), listing.stock, listing.reserved),
        ("蜂蜜 Honey", 18, 0)
    );
    assert_eq!(db.sales(None).unwrap().len(), 1);

    let order = NewOrder {
        id: OrderId::new(),
        listing_id: listing.id.parse().unwrap(),
        quantity: Quantity::parse("5", Unit::Jar).unwrap(),
        unit_price: Price::parse_yuan("40").unwrap(),
        hand_over_by: None,
        note: None,
        round: None,
    };
    let placed = db.place_order(&order, None, NOW_MS).unwrap();
    assert_eq!(
        (placed.order.state.as_str(), placed.order.total_fen),
        ("placed", 20_000)
    );
    assert_eq!(db.log_length().unwrap(), 4);
}
