//! Collection rounds on the hub: staff plan a round and put orders on it;
//! the sellers' devices pull the round and answer, which the hub checks;
//! what is loaded at each stop adds up against the truck's capacity; and a
//! done round's cost comes out per kilogram, per round and per village.
//! Runs on SQLite and on PostgreSQL like the rest of the suite.

mod common;

use common::*;
use highland_domain::round::parse_time;
use highland_domain::{
    Actor, Listing, Money, Operation, OrderAction, OrderId, Payload, Price, Quantity, Reason,
    RoundAnswer, RoundCost, RoundId, RoundState, ShortText, StopId, Unit, Weight,
};
use highland_exchange::orders::NewOrder;
use highland_exchange::rounds::view::RoundDetail;
use highland_exchange::rounds::{LoadEntry, PlannedStop, RoundChoice, RoundError, RoundPlan};
use highland_hub::{Storage, WallClock};

fn stop(line: &str) -> PlannedStop {
    PlannedStop::parse_line(line).unwrap()
}

/// Thursday's truck: Xidang at 09:00, Yubeng at 10:30; 100 kg.
fn plan(capacity_kg: &str) -> RoundPlan {
    RoundPlan {
        date: "2026-06-04".parse().unwrap(),
        vehicle: ShortText::parse("云F·12345 Dongfeng").unwrap(),
        capacity: Weight::parse_kg(capacity_kg).unwrap(),
        stops: vec![stop("09:00 Xidang"), stop("10:30 Yubeng")],
    }
}

fn planned(hub: &TestHub, capacity_kg: &str) -> RoundDetail {
    hub.db
        .plan_round(RoundId::new(), &plan(capacity_kg), hub.clock.now_ms())
        .unwrap()
}

fn round_id(round: &RoundDetail) -> RoundId {
    round.id.parse().unwrap()
}

fn stop_id(round: &RoundDetail, place: &str) -> StopId {
    round
        .stops
        .iter()
        .find(|s| s.place == place)
        .unwrap()
        .id
        .parse()
        .unwrap()
}

/// A seller of Yubeng with a listing, synced, and its stock.
async fn seller_with(hub: &TestHub, name: &str, listing: &Listing, stock: i64) -> Device {
    let device = hub.seller_in(name, "Yubeng").await;
    let response = hub
        .sync(
            &device,
            vec![
                op(&device, NOW_MS, created(listing)),
                op(&device, NOW_MS, received(listing, stock)),
            ],
            0,
        )
        .await;
    assert!(response.acks.iter().all(applied));
    device
}

fn order_on(
    hub: &TestHub,
    listing: &Listing,
    quantity: &str,
    round: Option<&RoundDetail>,
) -> Result<OrderId, highland_exchange::orders::OrderError> {
    let new = NewOrder {
        id: OrderId::new(),
        listing_id: listing.id,
        quantity: Quantity::parse(quantity, listing.unit).unwrap(),
        unit_price: Price::parse_yuan("60").unwrap(),
        hand_over_by: None,
        note: None,
        round: round.map(|r| RoundChoice {
            round: round_id(r),
            stop: None,
        }),
    };
    hub.db
        .place_order(&new, Some("Lhamo"), hub.clock.now_ms())
        .map(|o| o.order.id.parse().unwrap())
}

fn seller_op(device: &Device, wall_ms: u64, payload: Payload) -> Operation {
    op(device, wall_ms, payload)
}

fn accept(device: &Device, order: OrderId) -> Operation {
    seller_op(
        device,
        NOW_MS + 1_000,
        Payload::OrderActionTaken {
            order_id: order,
            actor: Actor::Seller,
            action: OrderAction::Accept,
            at: chrono::DateTime::from_timestamp_millis(NOW_MS as i64).unwrap(),
        },
    )
}

fn answer(device: &Device, round: RoundId, answer: RoundAnswer, wall_ms: u64) -> Operation {
    seller_op(
        device,
        wall_ms,
        Payload::RoundAnswered {
            round_id: round,
            answer,
            at: chrono::DateTime::from_timestamp_millis(wall_ms as i64).unwrap(),
        },
    )
}

fn round_now(hub: &TestHub, round: &RoundDetail) -> RoundDetail {
    hub.db.round(round_id(round)).unwrap().unwrap()
}

fn refused(result: Result<RoundDetail, RoundError>) -> &'static str {
    result.map(|_| ()).unwrap_err().code()
}

#[tokio::test]
async fn a_round_reaches_its_sellers_and_their_answers_add_up_to_confirmed_loads() {
    let hub = spawn_hub().await;
    let round = planned(&hub, "100");
    let log_before = hub.db.log_length().unwrap();
    assert_eq!(log_before, 0, "no seller hears of a round without orders");
    let meat = new_listing("牦牛肉 Yak meat", Unit::Kg, 6850);
    let honey = new_listing("蜂蜜 Honey", Unit::Jar, 4500);
    let dolma = seller_with(&hub, "Dolma", &meat, 50_000).await;
    let pema = seller_with(&hub, "Pema", &honey, 20).await;
    let (_, dolma_cursor) = hub.pull_all(&dolma, 0).await;
    let (_, pema_cursor) = hub.pull_all(&pema, 0).await;

    // Placed on the round; no stop named, so the seller's village.
    let meat_order = order_on(&hub, &meat, "12", Some(&round)).unwrap();
    let honey_order = order_on(&hub, &honey, "6", Some(&round)).unwrap();

    let (pulled, _) = hub.pull_all(&dolma, dolma_cursor).await;
    let kinds: Vec<_> = pulled.iter().map(|o| o.entity().0.slug()).collect();
    assert_eq!(
        kinds,
        ["order", "round", "order"],
        "placed, the round, the route"
    );
    let Payload::RoundPublished { round: sent } = &pulled[1].payload else {
        panic!("{:?}", pulled[1].payload)
    };
    assert_eq!(sent.id, round_id(&round));
    assert_eq!(
        sent.stops.as_slice()[1].expected_at,
        parse_time("10:30").unwrap()
    );
    let Payload::OrderRouted {
        round: Some(to), ..
    } = &pulled[2].payload
    else {
        panic!("{:?}", pulled[2].payload)
    };
    assert_eq!(to.stop_id, stop_id(&round, "Yubeng"));

    // Nothing is expected until the sellers accept; then Dolma says she
    // will be there and Pema that she cannot.
    let r = round_now(&hub, &round);
    assert_eq!((r.totals.expected_g, r.totals.awaiting), (0, 2));
    let response = hub
        .sync(
            &dolma,
            vec![
                accept(&dolma, meat_order),
                answer(
                    &dolma,
                    round_id(&round),
                    RoundAnswer::Coming,
                    NOW_MS + 2_000,
                ),
            ],
            0,
        )
        .await;
    assert!(response.acks.iter().all(applied), "{:?}", response.acks);
    let no = RoundAnswer::NotComing {
        reason: Reason::parse("路断了 the road is cut").unwrap(),
    };
    let response = hub
        .sync(
            &pema,
            vec![
                accept(&pema, honey_order),
                answer(&pema, round_id(&round), no, NOW_MS + 2_000),
            ],
            pema_cursor,
        )
        .await;
    assert!(response.acks.iter().all(applied), "{:?}", response.acks);

    // The honey has no weight per unit yet: expected leaves it out, and says so.
    let r = round_now(&hub, &round);
    assert_eq!(
        (
            r.totals.expected_g,
            r.totals.confirmed_g,
            r.totals.unweighed
        ),
        (12_000, 12_000, 1)
    );
    // Staff weigh a jar; the seller's devices get it too.
    hub.db
        .weigh_listing(
            honey.id,
            Some(Weight::from_grams(750).unwrap()),
            Some("Lhamo"),
            NOW_MS,
        )
        .unwrap();
    let r = round_now(&hub, &round);
    assert_eq!(
        (
            r.totals.expected_g,
            r.totals.confirmed_g,
            r.totals.unweighed
        ),
        (16_500, 12_000, 0)
    );
    let yubeng = &r.stops[1];
    assert_eq!(yubeng.totals.expected_g, 16_500);
    let pema_line = yubeng
        .lines
        .iter()
        .find(|l| l.seller_name == "Pema")
        .unwrap();
    assert_eq!(
        (
            pema_line.answer.as_deref(),
            pema_line.answer_reason.as_deref()
        ),
        (Some("not-coming"), Some("路断了 the road is cut"))
    );
    assert_eq!(pema_line.weight_g, Some(4_500));
    let (pulled, _) = hub.pull_all(&pema, pema_cursor).await;
    assert!(pulled.iter().any(|o| matches!(
        o.payload,
        Payload::ListingWeighed { weight_per_unit: Some(w), .. } if w.grams() == 750
    )));
    // The order, as staff read it, rides the round.
    let o = hub.db.order(meat_order).unwrap().unwrap().order;
    assert_eq!(o.round_id.as_deref(), Some(round.id.as_str()));
}

#[tokio::test]
async fn an_answer_is_refused_when_the_round_is_unknown_not_theirs_or_gone() {
    let hub = spawn_hub().await;
    let round = planned(&hub, "100");
    let meat = new_listing("牦牛肉 Yak meat", Unit::Kg, 6850);
    let dolma = seller_with(&hub, "Dolma", &meat, 50_000).await;
    let pema = hub.seller_in("Pema", "Yubeng").await;
    let order = order_on(&hub, &meat, "12", Some(&round)).unwrap();
    let coming =
        |device: &Device, round: RoundId, at: u64| answer(device, round, RoundAnswer::Coming, at);

    let unknown = coming(&dolma, RoundId::new(), NOW_MS + 1);
    let theirs = coming(&pema, round_id(&round), NOW_MS + 1);
    let early = coming(&dolma, round_id(&round), NOW_MS + 2);
    let r = hub.sync(&dolma, vec![unknown, early.clone()], 0).await;
    assert_eq!(refusal_code(&r.acks[0]), Some("unknown_round"));
    assert!(applied(&r.acks[1]));
    let r = hub.sync(&pema, vec![theirs], 0).await;
    assert_eq!(refusal_code(&r.acks[0]), Some("not_on_round"));

    // The truck leaves; a later answer comes too late, but the one the hub
    // took before is acknowledged again when it comes again.
    hub.db
        .move_round(round_id(&round), RoundState::Loading, NOW_MS)
        .unwrap();
    hub.db
        .move_round(round_id(&round), RoundState::OnTheRoad, NOW_MS)
        .unwrap();
    let late = coming(&dolma, round_id(&round), NOW_MS + 3);
    let r = hub.sync(&dolma, vec![early, late], 0).await;
    assert!(applied(&r.acks[0]), "{:?}", r.acks[0]);
    match &r.acks[1].outcome {
        highland_domain::wire::AckOutcome::Refused { reason } => {
            assert_eq!(reason.code.as_str(), "round_closed");
            assert_eq!(
                reason.message,
                "The round is on the road, so it takes no more answers."
            );
        }
        other => panic!("{other:?}"),
    }
    // Moved off the round, the seller has nothing more to answer.
    let _ = order;
}

#[tokio::test]
async fn editing_a_round_tells_its_sellers_and_keeps_the_stops_their_orders_ride() {
    let hub = spawn_hub().await;
    let round = planned(&hub, "100");
    let meat = new_listing("牦牛肉 Yak meat", Unit::Kg, 6850);
    let dolma = seller_with(&hub, "Dolma", &meat, 50_000).await;
    order_on(&hub, &meat, "12", Some(&round)).unwrap();
    let (_, cursor) = hub.pull_all(&dolma, 0).await;
    let yubeng = stop_id(&round, "Yubeng");

    // Friday, Yubeng first at 08:30, Xidang dropped; Yubeng named by place
    // keeps its id, so Dolma's order still rides it.
    let friday = RoundPlan {
        date: "2026-06-05".parse().unwrap(),
        stops: vec![stop("08:30 yubeng"), stop("11:00 Lanjia")],
        ..plan("120")
    };
    let edited = hub
        .db
        .edit_round(round_id(&round), &friday, NOW_MS + 10)
        .unwrap();
    assert_eq!(stop_id(&edited, "yubeng"), yubeng);
    assert_eq!(edited.stops[0].lines.len(), 1);
    assert_eq!(
        (edited.date.as_str(), edited.capacity_g),
        ("2026-06-05", 120_000)
    );
    let (pulled, cursor) = hub.pull_all(&dolma, cursor).await;
    assert_eq!(pulled.len(), 1);
    let Payload::RoundPublished { round: sent } = &pulled[0].payload else {
        panic!("{:?}", pulled[0].payload)
    };
    assert_eq!(sent.date.to_string(), "2026-06-05");

    // Dropping the stop an order rides is refused, and changes nothing.
    let without = RoundPlan {
        stops: vec![stop("11:00 Lanjia")],
        ..friday.clone()
    };
    let err = hub
        .db
        .edit_round(round_id(&round), &without, NOW_MS + 20)
        .unwrap_err();
    assert_eq!(err.code(), "stop_has_orders");
    assert_eq!(round_now(&hub, &round), edited);
    assert!(hub.pull_all(&dolma, cursor).await.0.is_empty());

    // A stop named by an id the round never had is refused too.
    let ghost = RoundPlan {
        stops: vec![PlannedStop {
            id: Some(StopId::new()),
            ..stop("08:30 Yubeng")
        }],
        ..friday.clone()
    };
    assert_eq!(
        refused(hub.db.edit_round(round_id(&round), &ghost, NOW_MS + 30)),
        "unknown_stop"
    );

    // Cancelled: the sellers hear, and it no longer changes.
    hub.db
        .move_round(round_id(&round), RoundState::Cancelled, NOW_MS + 40)
        .unwrap();
    let (pulled, _) = hub.pull_all(&dolma, cursor).await;
    assert!(matches!(
        &pulled[..],
        [o] if matches!(&o.payload, Payload::RoundPublished { round } if round.state == RoundState::Cancelled)
    ));
    assert_eq!(
        refused(hub.db.edit_round(round_id(&round), &friday, NOW_MS + 50)),
        "round_closed"
    );
    assert_eq!(
        refused(
            hub.db
                .move_round(round_id(&round), RoundState::Loading, NOW_MS + 60)
        ),
        "round_move_refused"
    );
}

#[tokio::test]
async fn orders_move_between_rounds_while_they_are_open() {
    let hub = spawn_hub().await;
    let thursday = planned(&hub, "100");
    let friday = planned(&hub, "100");
    let meat = new_listing("牦牛肉 Yak meat", Unit::Kg, 6850);
    let dolma = seller_with(&hub, "Dolma", &meat, 50_000).await;
    let order = order_on(&hub, &meat, "12", None).unwrap();
    let to = |r: &RoundDetail, stop: Option<StopId>| RoundChoice {
        round: round_id(r),
        stop,
    };
    let route = |to: Option<RoundChoice>| hub.db.route_order(order, to, Some("Lhamo"), NOW_MS);

    let moved = route(Some(to(&thursday, Some(stop_id(&thursday, "Xidang"))))).unwrap();
    assert_eq!(
        moved.order.stop_id,
        Some(stop_id(&thursday, "Xidang").to_string())
    );
    route(Some(to(&friday, None))).unwrap();
    assert_eq!(round_now(&hub, &thursday).stops[0].lines.len(), 0);
    assert_eq!(round_now(&hub, &friday).stops[1].lines.len(), 1);
    let err = route(Some(to(&friday, Some(StopId::new())))).unwrap_err();
    assert_eq!(err.code(), "unknown_stop");
    let err = route(Some(RoundChoice {
        round: RoundId::new(),
        stop: None,
    }))
    .unwrap_err();
    assert_eq!(err.code(), "unknown_round");

    // A seller of a village the round does not stop at needs a stop named.
    let tashi = hub.seller_in("Tashi", "Deqen").await;
    let barley = new_listing("青稞 Barley", Unit::Kg, 800);
    hub.sync(
        &tashi,
        vec![
            op(&tashi, NOW_MS, created(&barley)),
            op(&tashi, NOW_MS, received(&barley, 10_000)),
        ],
        0,
    )
    .await;
    let err = order_on(&hub, &barley, "5", Some(&friday)).unwrap_err();
    assert_eq!(err.code(), "no_stop_for_village");
    assert!(
        hub.db.orders(&Default::default()).unwrap().orders.len() == 1,
        "nothing placed"
    );

    // Taken off, then on a closed round: refused.
    route(None).unwrap();
    assert_eq!(hub.db.order(order).unwrap().unwrap().order.round_id, None);
    hub.db
        .move_round(round_id(&thursday), RoundState::Cancelled, NOW_MS)
        .unwrap();
    assert_eq!(
        route(Some(to(&thursday, None))).unwrap_err().code(),
        "round_closed"
    );
    let (pulled, _) = hub.pull_all(&dolma, 0).await;
    let routes = pulled
        .iter()
        .filter(|o| matches!(o.payload, Payload::OrderRouted { .. }))
        .count();
    assert_eq!(routes, 3, "every move reached the seller");
}

#[tokio::test]
async fn loads_recorded_at_a_stop_hand_over_and_warn_past_capacity() {
    let hub = spawn_hub().await;
    let round = planned(&hub, "20");
    let meat = new_listing("牦牛肉 Yak meat", Unit::Kg, 6850);
    let honey = new_listing("蜂蜜 Honey", Unit::Jar, 4500);
    let dolma = seller_with(&hub, "Dolma", &meat, 50_000).await;
    let pema = seller_with(&hub, "Pema", &honey, 20).await;
    let meat_order = order_on(&hub, &meat, "12", Some(&round)).unwrap();
    let honey_order = order_on(&hub, &honey, "6", Some(&round)).unwrap();
    hub.sync(&dolma, vec![accept(&dolma, meat_order)], 0).await;
    hub.sync(&pema, vec![accept(&pema, honey_order)], 0).await;
    let (id, yubeng) = (round_id(&round), stop_id(&round, "Yubeng"));
    let entry = |order, quantity: &str, unit, kg: Option<&str>| LoadEntry {
        order,
        quantity: Quantity::parse(quantity, unit).unwrap(),
        weight: kg.map(|k| Weight::parse_kg(k).unwrap()),
    };
    let load = |entries: &[LoadEntry]| {
        hub.db
            .load_at_stop(id, yubeng, entries, Some("Lhamo"), NOW_MS)
    };

    // Not while the round is planned.
    let meat_load = entry(meat_order, "12.5", Unit::Kg, None);
    assert_eq!(
        refused(load(std::slice::from_ref(&meat_load))),
        "round_not_loading"
    );
    hub.db.move_round(id, RoundState::Loading, NOW_MS).unwrap();
    // Jars need the scale's reading; all or none, so the meat is not loaded either.
    let jars = entry(honey_order, "6", Unit::Jar, None);
    assert_eq!(refused(load(&[meat_load.clone(), jars])), "weight_needed");
    assert_eq!(round_now(&hub, &round).totals.loaded_g, 0);
    // At the wrong stop.
    assert_eq!(
        refused(hub.db.load_at_stop(
            id,
            stop_id(&round, "Xidang"),
            std::slice::from_ref(&meat_load),
            None,
            NOW_MS
        )),
        "order_not_at_stop"
    );

    let jars = entry(honey_order, "6", Unit::Jar, Some("9"));
    let r = load(&[meat_load, jars]).unwrap();
    assert_eq!(r.totals.loaded_g, 21_500);
    assert!(r.totals.over_capacity, "21.5 kg on a 20 kg truck");
    assert_eq!(r.totals.share_permille, 1075);
    let o = hub.db.order(meat_order).unwrap().unwrap().order;
    assert_eq!(o.state, "handed-over");
    assert_eq!(
        (o.loaded_display.as_deref(), o.loaded_weight_g),
        (Some("12.5"), Some(12_500))
    );
    // A correction replaces the load; the order stays handed over.
    let r = load(&[entry(meat_order, "11", Unit::Kg, None)]).unwrap();
    assert_eq!((r.totals.loaded_g, r.totals.over_capacity), (20_000, false));
    // The seller's device pulls the hand-over and both loads.
    let (pulled, _) = hub.pull_all(&dolma, 0).await;
    let loads: Vec<i64> = pulled
        .iter()
        .filter_map(|o| match &o.payload {
            Payload::OrderLoaded { load } => Some(load.weight.grams()),
            _ => None,
        })
        .collect();
    assert_eq!(loads, [12_500, 11_000]);
    assert!(pulled.iter().any(|o| matches!(
        o.payload,
        Payload::OrderActionTaken {
            action: OrderAction::HandOver,
            actor: Actor::Staff,
            ..
        }
    )));
    // A seller cannot load, route or plan from a device.
    let load_op = pulled
        .iter()
        .find(|o| matches!(o.payload, Payload::OrderLoaded { .. }))
        .unwrap()
        .payload
        .clone();
    let r = hub
        .sync(&dolma, vec![op(&dolma, NOW_MS + 5, load_op)], 0)
        .await;
    assert_eq!(refusal_code(&r.acks[0]), Some("staff_only"));
}

#[tokio::test]
async fn a_done_rounds_cost_comes_out_per_kilogram_per_round_and_per_village() {
    let hub = spawn_hub().await;
    let round = planned(&hub, "100");
    let meat = new_listing("牦牛肉 Yak meat", Unit::Kg, 6850);
    let dolma = seller_with(&hub, "Dolma", &meat, 50_000).await;
    let order = order_on(&hub, &meat, "40", Some(&round)).unwrap();
    hub.sync(&dolma, vec![accept(&dolma, order)], 0).await;
    let id = round_id(&round);
    let cost = RoundCost {
        fuel: Money::parse_yuan("40").unwrap(),
        driver: Money::parse_yuan("15").unwrap(),
        tolls: Money::parse_yuan("5").unwrap(),
    };
    assert_eq!(
        refused(hub.db.record_round_cost(id, &cost, NOW_MS)),
        "round_not_done"
    );
    hub.db.move_round(id, RoundState::Loading, NOW_MS).unwrap();
    let entry = LoadEntry {
        order,
        quantity: Quantity::parse("40", Unit::Kg).unwrap(),
        weight: None,
    };
    hub.db
        .load_at_stop(id, stop_id(&round, "Yubeng"), &[entry], None, NOW_MS)
        .unwrap();
    hub.db
        .move_round(id, RoundState::OnTheRoad, NOW_MS)
        .unwrap();
    hub.db.move_round(id, RoundState::Done, NOW_MS).unwrap();
    let r = hub.db.record_round_cost(id, &cost, NOW_MS).unwrap();
    assert_eq!(r.cost.map(|c| c.total_fen), Some(6_000));
    assert_eq!(r.fen_per_kg, Some(150), "¥60 for 40 kg");

    let report = hub.db.round_costs().unwrap();
    assert_eq!(report.rounds.len(), 1);
    assert_eq!(report.rounds[0].fen_per_kg, Some(150));
    assert_eq!(report.villages.len(), 1);
    assert_eq!(
        (
            report.villages[0].village.as_str(),
            report.villages[0].loaded_g
        ),
        ("Yubeng", 40_000)
    );
    // The cost is the buyer's: nothing of it went to the seller's devices.
    let (pulled, _) = hub.pull_all(&dolma, 0).await;
    let text = serde_json::to_string(&pulled).unwrap();
    assert!(!text.contains("fuel") && !text.contains("cost"), "{text}");
}

#[tokio::test]
async fn a_weight_per_unit_is_only_for_what_is_not_sold_by_weight() {
    let hub = spawn_hub().await;
    let meat = new_listing("牦牛肉 Yak meat", Unit::Kg, 6850);
    let honey = new_listing("蜂蜜 Honey", Unit::Jar, 4500);
    let dolma = seller_with(&hub, "Dolma", &meat, 50_000).await;
    let pema = seller_with(&hub, "Pema", &honey, 20).await;
    let err = hub
        .db
        .weigh_listing(meat.id, Some(Weight::parse_kg("1").unwrap()), None, NOW_MS)
        .unwrap_err();
    assert_eq!(err.code(), "weight_not_needed");
    let weigh = |device: &Device, listing: &Listing, grams: i64, at: u64| {
        op(
            device,
            at,
            Payload::ListingWeighed {
                listing_id: listing.id,
                weight_per_unit: Some(Weight::from_grams(grams).unwrap()),
            },
        )
    };
    let r = hub
        .sync(
            &pema,
            vec![
                weigh(&pema, &honey, 750, NOW_MS + 1),
                weigh(&pema, &meat, 1000, NOW_MS + 2),
            ],
            0,
        )
        .await;
    assert!(applied(&r.acks[0]));
    assert_eq!(refusal_code(&r.acks[1]), Some("not_your_listing"));
    assert_eq!(hub.listing(honey.id).weight_per_unit_g, Some(750));
    let r = hub
        .sync(&dolma, vec![weigh(&dolma, &meat, 1000, NOW_MS + 3)], 0)
        .await;
    assert_eq!(refusal_code(&r.acks[0]), Some("weight_not_needed"));
    // An older weighing from another tablet loses to the newer one.
    let second = hub.second_device(&pema).await;
    let r = hub
        .sync(&second, vec![weigh(&second, &honey, 500, NOW_MS)], 0)
        .await;
    assert!(applied(&r.acks[0]));
    assert_eq!(hub.listing(honey.id).weight_per_unit_g, Some(750));
}

#[tokio::test]
async fn the_lots_trace_page_shows_the_truck_and_the_day_it_carried_it() {
    let hub = spawn_hub().await;
    let round = planned(&hub, "100");
    let lot = village_lot("雨崩 Yubeng", "2026-05-20");
    let mut meat = new_listing("牦牛肉 Yak meat", Unit::Kg, 6850);
    meat.lot_id = Some(lot.id);
    let dolma = hub.seller_in("Dolma", "Yubeng").await;
    hub.sync(
        &dolma,
        vec![
            op(&dolma, NOW_MS, Payload::LotRecorded { lot: lot.clone() }),
            op(&dolma, NOW_MS, created(&meat)),
            op(&dolma, NOW_MS, received(&meat, 50_000)),
        ],
        0,
    )
    .await;
    let order = order_on(&hub, &meat, "12", Some(&round)).unwrap();
    hub.sync(&dolma, vec![accept(&dolma, order)], 0).await;
    let id = round_id(&round);
    hub.db.move_round(id, RoundState::Loading, NOW_MS).unwrap();
    let entry = |kg: &str| LoadEntry {
        order,
        quantity: Quantity::parse(kg, Unit::Kg).unwrap(),
        weight: None,
    };
    let yubeng = stop_id(&round, "Yubeng");
    hub.db
        .load_at_stop(id, yubeng, &[entry("12")], Some("Lhamo"), NOW_MS)
        .unwrap();
    // Corrected: still one step, with the new quantity.
    hub.db
        .load_at_stop(id, yubeng, &[entry("11.5")], Some("Lhamo"), NOW_MS + 5)
        .unwrap();

    let code = highland_domain::TraceCode::of_lot(lot.id);
    let chain = hub.db.trace_chain(&code, None).unwrap().unwrap();
    let shipped: Vec<_> = chain
        .events
        .iter()
        .filter(|e| e.step.kind() == highland_domain::TraceStepKind::Shipped)
        .collect();
    assert_eq!(shipped.len(), 1, "{:?}", chain.events);
    let step = shipped[0];
    // 10:30 China time on the round's day.
    assert_eq!(step.at.to_rfc3339(), "2026-06-04T02:30:00+00:00");
    assert_eq!(step.place.as_ref().map(|p| p.as_str()), Some("Yubeng"));
    match &step.step {
        highland_domain::TraceStep::Shipped {
            quantity,
            vehicle,
            round_id,
            ..
        } => {
            assert_eq!(quantity.base(), 11_500);
            assert_eq!(
                vehicle.as_ref().map(|v| v.as_str()),
                Some("云F·12345 Dongfeng")
            );
            assert_eq!(*round_id, Some(id));
        }
        other => panic!("{other:?}"),
    }
    let page = hub
        .http
        .get(format!("{}/t/{}?lang=zh", hub.url, code.as_str()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("发货 · 2026-06-04"), "{page}");
    assert!(page.contains("云F·12345 Dongfeng"), "{page}");

    // A cancelled trip shipped nothing.
    hub.db
        .move_round(id, RoundState::Cancelled, NOW_MS + 10)
        .unwrap();
    let chain = hub.db.trace_chain(&code, None).unwrap().unwrap();
    assert!(chain.events.is_empty(), "{:?}", chain.events);
}
