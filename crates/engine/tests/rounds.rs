//! Collection rounds on the device, specified with hand-made hub answers:
//! the seller sees the truck's day, time and what to bring; answers offline
//! and sees the hub's word on it; and a round, a route or a load changed on
//! the hub while the tablet was away ends as the hub's latest whatever order
//! the changes arrive in.

mod common;

use common::hub::{Hub, answer, refused, settle};
use common::{Device, device, new_listing, yak_meat};
use highland_domain::round::parse_time;
use highland_domain::wire::{Ack, AckOutcome, HubHistory, SyncResponse};
use highland_domain::{
    Actor, DeviceId, Hlc, ListingId, Load, Operation, OperationId, OrderAction, OrderId, Payload,
    Quantity, Reason, Round, RoundAnswer, RoundId, RoundState, RoundStop, ShortText, Stop, StopId,
    Stops, Unit, Weight,
};
use highland_engine::StoreError;

/// A round to Xidang at 09:00 and Yubeng at 10:30 on Thursday 15 October.
fn round(state: RoundState) -> Round {
    let stop = |place: &str, at: &str| Stop {
        id: StopId::new(),
        place: ShortText::parse(place).unwrap(),
        expected_at: parse_time(at).unwrap(),
    };
    Round {
        id: RoundId::new(),
        date: "2026-10-15".parse().unwrap(),
        vehicle: ShortText::parse("云F·12345 Dongfeng").unwrap(),
        capacity: Weight::parse_kg("1500").unwrap(),
        stops: Stops::new(vec![
            stop("西当 Xidang", "09:00"),
            stop("雨崩 Yubeng", "10:30"),
        ])
        .unwrap(),
        state,
    }
}

fn yubeng(round: &Round) -> RoundStop {
    RoundStop {
        round_id: round.id,
        stop_id: round.stops.as_slice()[1].id,
    }
}

fn published(hub: &mut Hub, round: &Round) -> Operation {
    hub.op(Payload::RoundPublished {
        round: round.clone(),
    })
}

fn routed(hub: &mut Hub, order: OrderId, to: Option<RoundStop>) -> Operation {
    hub.op(Payload::OrderRouted {
        order_id: order,
        round: to,
    })
}

fn accept(d: &mut Device, order: OrderId) {
    d.store.accept_order(order, false).unwrap();
    settle(d);
}

struct Planned {
    d: Device,
    hub: Hub,
    round: Round,
    yak: ListingId,
    honey: ListingId,
    orders: Vec<OrderId>,
}

/// Yak meat and honey; orders for 8 + 4 kg of yak meat and 6 jars of honey,
/// accepted, on the round at Yubeng; a fourth order for yak meat there, not
/// answered yet.
fn planned() -> Planned {
    let mut d = device();
    let yak = yak_meat(&mut d.store, "20");
    let honey = d
        .store
        .add_listing(new_listing("སྦྲང་རྩི 蜂蜜", Unit::Jar, "45", "10"))
        .unwrap();
    d.store
        .weigh_listing(honey, Some(Weight::parse_kg("0.75").unwrap()))
        .unwrap();
    settle(&mut d);
    let mut hub = Hub::new(&d);
    let round = round(RoundState::Planned);
    let mut pulled = vec![published(&mut hub, &round)];
    let mut orders = Vec::new();
    let lines = [
        (yak, "8", Unit::Kg),
        (yak, "4", Unit::Kg),
        (honey, "6", Unit::Jar),
        (yak, "1", Unit::Kg),
    ];
    for (listing, amount, unit) in lines {
        let (id, mut placed) = hub.place(listing, "1");
        let Payload::OrderPlaced { order } = &mut placed.payload else {
            unreachable!("hub.place places an order")
        };
        order.quantity = Quantity::parse(amount, unit).unwrap();
        pulled.push(placed);
        pulled.push(routed(&mut hub, id, Some(yubeng(&round))));
        orders.push(id);
    }
    answer(&mut d, vec![], pulled);
    for order in &orders[..3] {
        accept(&mut d, *order);
    }
    Planned {
        d,
        hub,
        round,
        yak,
        honey,
        orders,
    }
}

#[test]
fn the_seller_sees_when_the_truck_comes_and_what_to_bring() {
    let p = planned();
    let rounds = p.d.store.rounds().unwrap();
    assert_eq!(rounds.len(), 1, "one stop of one round: {rounds:?}");
    let r = &rounds[0];
    assert_eq!(r.id, p.round.id.to_string());
    assert_eq!(
        (r.date.as_str(), r.state.as_str(), r.vehicle.as_str()),
        ("2026-10-15", "planned", "云F·12345 Dongfeng")
    );
    assert_eq!(
        (r.stop.place.as_str(), r.stop.expected_at.as_str()),
        ("雨崩 Yubeng", "10:30")
    );
    assert_eq!(r.stops.len(), 2);
    // Bring what was accepted, summed by listing: 12 kg and 6 jars; the
    // order not answered yet is listed, not brought.
    let bring: Vec<_> = r
        .bring
        .iter()
        .map(|b| {
            (
                b.listing_id.clone(),
                b.quantity_display.clone(),
                b.unit.clone(),
            )
        })
        .collect();
    assert_eq!(
        bring,
        [
            (p.yak.to_string(), "12".to_owned(), "kg".to_owned()),
            (p.honey.to_string(), "6".to_owned(), "jar".to_owned()),
        ]
    );
    assert_eq!(r.orders.len(), 4);
    let honey = r
        .orders
        .iter()
        .find(|o| o.listing_id == p.honey.to_string())
        .unwrap();
    assert_eq!(honey.weight_g, Some(4_500), "6 jars of 750 g");
    assert_eq!(r.orders[3].state, "placed");
    assert_eq!((r.answer.as_ref(), r.answer_pending), (None, false));
    // Each order knows its round and stop.
    let o = p.d.store.order(p.orders[0]).unwrap().order;
    assert_eq!(o.round_id, Some(p.round.id.to_string()));
    assert_eq!(o.stop_id, Some(yubeng(&p.round).stop_id.to_string()));
}

#[test]
fn an_answer_offline_shows_at_once_and_the_hubs_word_settles_it() {
    let mut p = planned();
    let no = RoundAnswer::NotComing {
        reason: Reason::parse("路断了 the road is cut").unwrap(),
    };
    p.d.store.answer_round(p.round.id, no).unwrap();
    let r = &p.d.store.rounds().unwrap()[0];
    assert_eq!(
        (
            r.answer.as_deref(),
            r.answer_reason.as_deref(),
            r.answer_pending
        ),
        (Some("not-coming"), Some("路断了 the road is cut"), true)
    );

    // The hub takes it.
    settle(&mut p.d);
    let r = &p.d.store.rounds().unwrap()[0];
    assert_eq!(
        (r.answer.as_deref(), r.answer_pending),
        (Some("not-coming"), false)
    );

    // The road opens; the seller says they will come, but the truck left
    // the last stop before the answer reached the hub.
    p.d.store
        .answer_round(p.round.id, RoundAnswer::Coming)
        .unwrap();
    assert_eq!(
        p.d.store.rounds().unwrap()[0].answer.as_deref(),
        Some("coming")
    );
    let sent = p.d.store.pending_operations(10).unwrap()[0].id;
    answer(
        &mut p.d,
        vec![refused(
            sent,
            "round_closed",
            "The round is on the road, so it takes no more answers.",
        )],
        vec![],
    );
    let r = &p.d.store.rounds().unwrap()[0];
    assert_eq!(
        (r.answer.as_deref(), r.answer_pending),
        (Some("not-coming"), false),
        "back to what the hub holds"
    );
    let refusal = r.refusal.as_ref().expect("the refusal shows");
    assert_eq!(
        (refusal.action.as_str(), refusal.code.as_str()),
        ("answer", "round_closed")
    );

    // Answering again puts the refusal away.
    p.d.store
        .answer_round(p.round.id, RoundAnswer::Coming)
        .unwrap();
    assert!(p.d.store.rounds().unwrap()[0].refusal.is_none());
}

#[test]
fn the_sellers_other_tablet_answered_later_and_its_answer_stands() {
    let mut p = planned();
    p.d.store
        .answer_round(p.round.id, RoundAnswer::Coming)
        .unwrap();
    let mine = p.d.store.pending_operations(10).unwrap()[0].clone();
    // The other tablet's answer came after this one's, by the clock.
    let later = Operation {
        id: OperationId::new(),
        device_id: DeviceId::new(),
        hlc: Hlc::from_i64(mine.hlc.as_i64() + 1),
        payload: Payload::RoundAnswered {
            round_id: p.round.id,
            answer: RoundAnswer::NotComing {
                reason: Reason::parse("生病了 ill").unwrap(),
            },
            at: common::t0(),
        },
    };
    // Pulled before this tablet's own answer is acknowledged: the own
    // answer still shows, pending.
    answer(&mut p.d, vec![], vec![later]);
    assert_eq!(
        p.d.store.rounds().unwrap()[0].answer.as_deref(),
        Some("coming")
    );
    // Acknowledged: both are confirmed and the later one stands.
    answer(
        &mut p.d,
        vec![Ack {
            op_id: mine.id,
            outcome: AckOutcome::Applied { hlc: None },
        }],
        vec![],
    );
    let r = &p.d.store.rounds().unwrap()[0];
    assert_eq!(
        (
            r.answer.as_deref(),
            r.answer_reason.as_deref(),
            r.answer_pending
        ),
        (Some("not-coming"), Some("生病了 ill"), false)
    );
}

#[test]
fn what_the_round_does_not_allow_is_refused_here_and_records_nothing() {
    let mut p = planned();
    let before = p.d.store.pending_count().unwrap();
    let err =
        p.d.store
            .answer_round(RoundId::new(), RoundAnswer::Coming)
            .unwrap_err();
    assert!(matches!(err, StoreError::UnknownRound(_)), "{err}");

    // A round this seller has nothing on.
    let other = round(RoundState::Planned);
    let op = published(&mut p.hub, &other);
    answer(&mut p.d, vec![], vec![op]);
    let err =
        p.d.store
            .answer_round(other.id, RoundAnswer::Coming)
            .unwrap_err();
    assert_eq!(err.code(), "not_on_round");

    // The truck has left.
    let mut gone = p.round.clone();
    gone.state = RoundState::OnTheRoad;
    let op = published(&mut p.hub, &gone);
    answer(&mut p.d, vec![], vec![op]);
    let err =
        p.d.store
            .answer_round(p.round.id, RoundAnswer::Coming)
            .unwrap_err();
    assert_eq!(err.code(), "round_closed");
    assert_eq!(
        p.d.store.pending_count().unwrap(),
        before,
        "nothing recorded"
    );
}

#[test]
fn a_round_changed_while_offline_ends_as_the_hubs_latest_in_any_order() {
    let mut p = planned();
    // Staff moved the round to Friday, then the Yubeng stop to 11:00, and
    // moved one order to another round and back; the tablet gets them in
    // reverse (two pages read out of order are what it would see after the
    // hub went back and it pulled again).
    let mut friday = p.round.clone();
    friday.date = "2026-10-16".parse().unwrap();
    let first = published(&mut p.hub, &friday);
    let mut later = friday.clone();
    let mut stops: Vec<Stop> = later.stops.as_slice().to_vec();
    stops[1].expected_at = parse_time("11:00").unwrap();
    later.stops = Stops::new(stops).unwrap();
    let second = published(&mut p.hub, &later);
    let elsewhere = round(RoundState::Planned);
    let away = [
        published(&mut p.hub, &elsewhere),
        routed(&mut p.hub, p.orders[0], Some(yubeng(&elsewhere))),
    ];
    let back = routed(&mut p.hub, p.orders[0], Some(yubeng(&p.round)));
    answer(&mut p.d, vec![], vec![second, back]);
    answer(&mut p.d, vec![], [vec![first], away.to_vec()].concat());

    let rounds = p.d.store.rounds().unwrap();
    assert_eq!(rounds.len(), 1, "the order came back: {rounds:?}");
    let r = &rounds[0];
    assert_eq!(
        (r.date.as_str(), r.stop.expected_at.as_str()),
        ("2026-10-16", "11:00")
    );
    assert_eq!(r.orders.len(), 4);
}

#[test]
fn an_order_taken_off_its_round_leaves_it() {
    let mut p = planned();
    let ops: Vec<_> = p
        .orders
        .clone()
        .into_iter()
        .map(|o| routed(&mut p.hub, o, None))
        .collect();
    answer(&mut p.d, vec![], ops);
    assert!(p.d.store.rounds().unwrap().is_empty());
    assert_eq!(p.d.store.order(p.orders[0]).unwrap().order.round_id, None);
}

#[test]
fn what_was_loaded_at_the_stop_shows_and_a_correction_replaces_it() {
    let mut p = planned();
    let stop = yubeng(&p.round);
    let load = |quantity: Quantity, kg: &str| Load {
        order_id: p.orders[2],
        round_id: stop.round_id,
        stop_id: stop.stop_id,
        quantity,
        weight: Weight::parse_kg(kg).unwrap(),
        at: common::t0(),
    };
    let handed = p.hub.op(Payload::OrderActionTaken {
        order_id: p.orders[2],
        actor: Actor::Staff,
        action: OrderAction::HandOver,
        at: common::t0(),
    });
    let first = p.hub.op(Payload::OrderLoaded {
        load: load(Quantity::parse("6", Unit::Jar).unwrap(), "4.6"),
    });
    let correction = p.hub.op(Payload::OrderLoaded {
        load: load(Quantity::parse("5", Unit::Jar).unwrap(), "3.8"),
    });
    // The correction arrives first; the first record, older, changes nothing.
    answer(&mut p.d, vec![], vec![handed, correction, first]);
    let o = p.d.store.order(p.orders[2]).unwrap().order;
    assert_eq!(o.state, "handed-over");
    assert_eq!(
        (
            o.loaded_quantity,
            o.loaded_display.as_deref(),
            o.loaded_weight_g
        ),
        (Some(5), Some("5"), Some(3_800))
    );
    let r = &p.d.store.rounds().unwrap()[0];
    let honey = r
        .orders
        .iter()
        .find(|o| o.order_id == p.orders[2].to_string())
        .unwrap();
    assert_eq!(honey.loaded_weight_g, Some(3_800));
    // Handed over, it is no longer to bring.
    assert_eq!(r.bring.len(), 1);
}

#[test]
fn a_weight_per_unit_is_only_for_what_is_not_sold_by_weight_and_merges_by_version() {
    let mut p = planned();
    let err =
        p.d.store
            .weigh_listing(p.yak, Some(Weight::parse_kg("1").unwrap()))
            .unwrap_err();
    assert_eq!(err.code(), "weight_not_needed");
    assert_eq!(
        p.d.store.listing(p.honey).unwrap().weight_per_unit_g,
        Some(750)
    );
    assert_eq!(p.d.store.listing(p.yak).unwrap().weight_per_unit_g, None);

    // Staff weighed a jar on the hub after the seller did: theirs stands.
    let staff = p.hub.op(Payload::ListingWeighed {
        listing_id: p.honey,
        weight_per_unit: Some(Weight::from_grams(800).unwrap()),
    });
    answer(&mut p.d, vec![], vec![staff]);
    assert_eq!(
        p.d.store.listing(p.honey).unwrap().weight_per_unit_g,
        Some(800)
    );
    // The seller clears it; cleared stands until someone weighs it again.
    p.d.store.weigh_listing(p.honey, None).unwrap();
    assert_eq!(p.d.store.listing(p.honey).unwrap().weight_per_unit_g, None);
    let r = &p.d.store.rounds().unwrap()[0];
    let honey = r
        .orders
        .iter()
        .find(|o| o.listing_id == p.honey.to_string())
        .unwrap();
    assert_eq!(honey.weight_g, None, "no weight per unit, no weight");
}

#[test]
fn rounds_that_are_over_come_after_the_open_ones() {
    let mut p = planned();
    let next = round(RoundState::Planned);
    let (order, placed) = p.hub.place(p.yak, "2");
    let mut done = p.round.clone();
    done.state = RoundState::Done;
    let ops = vec![
        published(&mut p.hub, &done),
        published(&mut p.hub, &next),
        placed,
        routed(&mut p.hub, order, Some(yubeng(&next))),
    ];
    answer(&mut p.d, vec![], ops);
    let states: Vec<_> =
        p.d.store
            .rounds()
            .unwrap()
            .into_iter()
            .map(|r| (r.id, r.state))
            .collect();
    assert_eq!(
        states,
        [
            (next.id.to_string(), "planned".to_owned()),
            (p.round.id.to_string(), "done".to_owned()),
        ]
    );
}

/// A response from a hub of incarnation `incarnation` whose log ends at
/// `log_end`, with nothing else in it.
fn history_only(d: &Device, incarnation: &str, log_end: u64) -> SyncResponse {
    SyncResponse {
        protocol: 1,
        acks: vec![],
        operations: vec![],
        cursor: log_end,
        more: false,
        hub_time_ms: d.store.now().timestamp_millis() as u64,
        history: Some(HubHistory {
            incarnation: incarnation.into(),
            log_end,
            ..HubHistory::default()
        }),
        newest_release: None,
        hub_version: None,
    }
}

#[test]
fn an_answer_the_hub_lost_and_then_refused_is_no_longer_shown_as_confirmed() {
    let mut p = planned();
    let no = RoundAnswer::NotComing {
        reason: Reason::parse("路断了 the road is cut").unwrap(),
    };
    p.d.store.answer_round(p.round.id, no).unwrap();
    settle(&mut p.d);
    let cursor = p.d.store.sync_status().unwrap().cursor;
    p.d.store
        .commit_sync(&[], &history_only(&p.d, "one", cursor), 0)
        .unwrap();

    // The hub is put back to before the answer, and the truck leaves before
    // the answer, sent again, reaches it: refused for good.
    let went_back =
        p.d.store
            .commit_sync(&[], &history_only(&p.d, "two", 0), 0)
            .unwrap();
    assert!(went_back.hub_went_back);
    let sent = p.d.store.pending_operations(1000).unwrap();
    let acks = sent
        .iter()
        .map(|op| match op.payload {
            Payload::RoundAnswered { .. } => refused(
                op.id,
                "round_closed",
                "The round is on the road, so it takes no more answers.",
            ),
            _ => Ack {
                op_id: op.id,
                outcome: AckOutcome::Applied { hlc: None },
            },
        })
        .collect();
    answer(&mut p.d, acks, vec![]);

    // The hub holds no answer of this seller's: neither does the round here.
    let r = &p.d.store.rounds().unwrap()[0];
    assert_eq!(
        (
            r.answer.as_deref(),
            r.answer_reason.as_deref(),
            r.answer_pending
        ),
        (None, None, false)
    );
    assert_eq!(
        r.refusal.as_ref().map(|r| r.code.as_str()),
        Some("round_closed")
    );
}
