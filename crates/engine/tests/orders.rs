//! Orders on the device, specified with hand-made hub responses: what the
//! seller sees at once, what the hub's answers change, and that the device
//! ends where the hub is whatever order the answers come in.

mod common;

use chrono::Duration;
use common::hub::{Hub, answer, refused, settle};
use common::{Device, device, sale, yak_meat};
use highland_domain::wire::{Ack, AckOutcome, LoggedOperation, SyncResponse};
use highland_domain::{
    Actor, DeviceId, Hlc, ListingId, Money, Operation, OperationId, OrderAction, OrderId, Payload,
    PaymentMethod, Price, Quantity, Reason, Sale, SaleId, Unit,
};
use highland_engine::StoreError;

impl Hub {
    fn staff(&mut self, order_id: OrderId, action: OrderAction) -> Operation {
        self.op(Payload::OrderActionTaken {
            order_id,
            actor: Actor::Staff,
            action,
            at: common::t0(),
        })
    }

    /// What a receipt makes: the sale, then the receipt.
    fn receive(&mut self, order_id: OrderId, listing: ListingId, kg: &str) -> Vec<Operation> {
        let quantity = Quantity::parse(kg, Unit::Kg).unwrap();
        let sale = self.op(Payload::SaleRecorded {
            sale: Sale {
                id: SaleId::new(),
                listing_id: listing,
                quantity,
                unit_price: Price::parse_yuan("60").unwrap(),
                payment: PaymentMethod::Bank,
                buyer: None,
                sold_at: common::t0(),
                order_id: Some(order_id),
            },
        });
        let receipt = self.staff(order_id, OrderAction::Receive { quantity });
        vec![sale, receipt]
    }
}

fn reason(text: &str) -> Reason {
    Reason::parse(text).unwrap()
}

/// A seller's proposal as another device of theirs made it, pulled via the hub.
fn from_other_device(order_id: OrderId, action: OrderAction, wall_ms: u64) -> Operation {
    Operation {
        id: OperationId::new(),
        device_id: DeviceId::new(),
        hlc: Hlc::from_wall_ms(wall_ms),
        payload: Payload::OrderActionTaken {
            order_id,
            actor: Actor::Seller,
            action,
            at: common::t0(),
        },
    }
}

fn applied(op: OperationId) -> Ack {
    Ack {
        op_id: op,
        outcome: AckOutcome::Applied { hlc: None },
    }
}

/// The id of this device's latest operation, an order proposal.
fn last_proposal(d: &Device) -> OperationId {
    let op = d.store.pending_operations(1000).unwrap().pop().unwrap();
    assert!(matches!(op.payload, Payload::OrderActionTaken { .. }));
    op.id
}

/// A device with 10 kg of yak meat and an order for 4 kg of it, pulled.
fn with_an_order() -> (Device, Hub, ListingId, OrderId) {
    let mut d = device();
    let listing = yak_meat(&mut d.store, "10");
    settle(&mut d);
    let mut hub = Hub::new(&d);
    let (order, placed) = hub.place(listing, "4");
    answer(&mut d, vec![], vec![placed]);
    (d, hub, listing, order)
}

#[test]
fn an_order_arrives_with_a_sync_and_holds_nothing_until_accepted() {
    let (d, _, listing, order) = with_an_order();
    let orders = d.store.orders().unwrap();
    assert_eq!(orders.len(), 1);
    let o = &orders[0];
    assert_eq!(o.id, order.to_string());
    assert_eq!(
        (o.state.as_str(), o.confirmed_state.as_str()),
        ("placed", "placed")
    );
    assert_eq!(
        (
            o.quantity,
            o.quantity_unit.as_str(),
            o.quantity_display.as_str()
        ),
        (4000, "g", "4")
    );
    assert_eq!((o.unit_price_fen, o.total_fen), (6000, 24_000));
    assert_eq!(o.hand_over_by.as_deref(), Some("2026-12-05"));
    assert_eq!(o.listing_title, "གཡག་ཤ 牦牛肉");
    assert_eq!(
        (o.pending_action.as_ref(), o.refusal.as_ref()),
        (None, None)
    );
    let l = d.store.listing(listing).unwrap();
    assert_eq!((l.stock, l.reserved), (10_000, 0));
    let status = d.store.status().unwrap();
    assert_eq!((status.orders, status.orders_to_answer), (1, 1));
    let history = d.store.order(order).unwrap().history;
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].action.as_str(), history[0].actor.as_str()),
        ("place", "staff")
    );
}

#[test]
fn accepting_offline_reserves_the_stock_at_once_and_sales_see_it() {
    let (mut d, _, listing, order) = with_an_order();
    d.store.accept_order(order, false).unwrap();

    let o = d.store.order(order).unwrap().order;
    assert_eq!(
        (o.state.as_str(), o.confirmed_state.as_str()),
        ("accepted", "placed")
    );
    assert_eq!(o.pending_action.as_deref(), Some("accept"));
    let l = d.store.listing(listing).unwrap();
    assert_eq!(
        (l.stock, l.reserved, l.stock_display.as_str()),
        (6_000, 4_000, "6")
    );
    assert_eq!(d.store.status().unwrap().orders_to_answer, 0);

    // 7 kg are on the shelf but 4 are promised: a sale of 7 is an oversell.
    let err = d
        .store
        .record_sale(sale(listing, "7", Unit::Kg))
        .unwrap_err();
    assert!(matches!(err, StoreError::Oversell { .. }), "{err}");
    d.store.record_sale(sale(listing, "6", Unit::Kg)).unwrap();
    assert_eq!(d.store.listing(listing).unwrap().stock, 0);
}

#[test]
fn an_order_for_more_than_is_available_is_accepted_only_when_allowed() {
    let mut d = device();
    let listing = yak_meat(&mut d.store, "3");
    let mut hub = Hub::new(&d);
    let (order, placed) = hub.place(listing, "4");
    answer(&mut d, vec![], vec![placed]);
    let pending = d.store.pending_count().unwrap();

    let err = d.store.accept_order(order, false).unwrap_err();
    assert_eq!(err.code(), "oversell");
    assert!(err.to_string().contains("only 3 kg"), "{err}");
    assert_eq!(
        d.store.pending_count().unwrap(),
        pending,
        "nothing recorded"
    );
    assert_eq!(d.store.order(order).unwrap().order.state, "placed");

    d.store.accept_order(order, true).unwrap();
    let l = d.store.listing(listing).unwrap();
    assert_eq!((l.stock, l.stock_display.as_str()), (-1_000, "-1"));
}

#[test]
fn an_acknowledged_accept_is_confirmed_and_reserves_once() {
    let (mut d, _, listing, order) = with_an_order();
    d.store.accept_order(order, false).unwrap();
    let accept = last_proposal(&d);
    answer(&mut d, vec![applied(accept)], vec![]);

    let detail = d.store.order(order).unwrap();
    let o = &detail.order;
    assert_eq!(
        (o.state.as_str(), o.confirmed_state.as_str()),
        ("accepted", "accepted")
    );
    assert_eq!(o.pending_action, None);
    let l = d.store.listing(listing).unwrap();
    assert_eq!((l.stock, l.reserved), (6_000, 4_000));
    let actions: Vec<_> = detail.history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["place", "accept"]);
    assert_eq!(detail.history[1].actor, "seller");

    // The same answer again (its response was lost) changes nothing.
    let response = SyncResponse {
        protocol: 1,
        acks: vec![applied(accept)],
        operations: vec![],
        cursor: 1,
        more: false,
        hub_time_ms: d.store.now().timestamp_millis() as u64,
        history: None,
        newest_release: None,
        hub_version: None,
    };
    d.store.commit_sync(&[accept], &response, 0).unwrap();
    assert_eq!(d.store.listing(listing).unwrap().reserved, 4_000);
    assert_eq!(d.store.order(order).unwrap().history.len(), 2);
}

#[test]
fn a_refused_proposal_goes_back_to_the_hubs_state_and_shows_why() {
    let (mut d, _, listing, order) = with_an_order();
    d.store.hand_over_order(order).unwrap_err();
    d.store.accept_order(order, false).unwrap();
    let accept = last_proposal(&d);
    answer(
        &mut d,
        vec![refused(
            accept,
            "order_transition_refused",
            "An order that is declined cannot be accepted.",
        )],
        vec![],
    );
    let o = d.store.order(order).unwrap().order;
    assert_eq!(
        (o.state.as_str(), o.pending_action.as_ref()),
        ("placed", None)
    );
    let refusal = o.refusal.unwrap();
    assert_eq!(
        (refusal.action.as_str(), refusal.code.as_str()),
        ("accept", "order_transition_refused")
    );
    assert_eq!(
        refusal.message,
        "An order that is declined cannot be accepted."
    );
    assert_eq!(d.store.listing(listing).unwrap().reserved, 0);
    let status = d.store.sync_status().unwrap();
    assert_eq!(status.refused.len(), 1);
    assert_eq!(
        (
            status.refused[0].entity.as_str(),
            status.refused[0].entity_id.as_str()
        ),
        ("order", order.to_string().as_str())
    );

    // Acting again clears the refusal: it answered an action no longer current.
    d.store
        .decline_order(order, reason("家里有事 family matters"))
        .unwrap();
    let o = d.store.order(order).unwrap().order;
    assert_eq!(o.refusal, None);
    assert_eq!(
        (o.state.as_str(), o.reason.as_deref()),
        ("declined", Some("家里有事 family matters"))
    );
}

/// The seller accepts offline while staff cancel on the hub. The hub refuses
/// the accept; the device learns of the cancellation by a pull and of the
/// refusal by an acknowledgement, in either order or together.
#[test]
fn accepting_offline_while_staff_cancel_ends_cancelled_with_the_reason_shown() {
    #[derive(Debug, Clone, Copy)]
    enum Arrival {
        Together,
        CancelFirst,
        RefusalFirst,
    }
    for arrival in [
        Arrival::Together,
        Arrival::CancelFirst,
        Arrival::RefusalFirst,
    ] {
        let (mut d, mut hub, listing, order) = with_an_order();
        d.store.accept_order(order, false).unwrap();
        assert_eq!(d.store.listing(listing).unwrap().reserved, 4_000);
        let accept = last_proposal(&d);
        let cancel = hub.staff(
            order,
            OrderAction::Cancel {
                reason: reason("truck broke down"),
            },
        );
        let refusal = refused(
            accept,
            "order_transition_refused",
            "An order that is cancelled cannot be accepted.",
        );
        match arrival {
            Arrival::Together => answer(&mut d, vec![refusal], vec![cancel]),
            Arrival::CancelFirst => {
                // A page pulled before the accept was answered.
                let response = SyncResponse {
                    protocol: 1,
                    acks: vec![],
                    operations: LoggedOperation::all(&[cancel]).unwrap(),
                    cursor: 9,
                    more: true,
                    hub_time_ms: hub.wall_ms,
                    history: None,
                    newest_release: None,
                    hub_version: None,
                };
                d.store.commit_sync(&[], &response, 0).unwrap();
                let o = d.store.order(order).unwrap().order;
                assert_eq!(
                    o.state, "cancelled",
                    "{arrival:?}: the accept no longer applies"
                );
                answer(&mut d, vec![refusal], vec![]);
            }
            Arrival::RefusalFirst => {
                answer(&mut d, vec![refusal], vec![]);
                answer(&mut d, vec![], vec![cancel]);
            }
        }
        let o = d.store.order(order).unwrap().order;
        assert_eq!(o.state, "cancelled", "{arrival:?}");
        assert_eq!(o.confirmed_state, "cancelled", "{arrival:?}");
        assert_eq!(o.pending_action, None, "{arrival:?}");
        assert_eq!(o.reason.as_deref(), Some("truck broke down"), "{arrival:?}");
        assert_eq!(
            o.refusal.map(|r| r.message).as_deref(),
            Some("An order that is cancelled cannot be accepted."),
            "{arrival:?}"
        );
        let l = d.store.listing(listing).unwrap();
        assert_eq!((l.stock, l.reserved), (10_000, 0), "{arrival:?}");
        assert_eq!(d.store.pending_count().unwrap(), 0);
    }
}

/// Device A accepts and hands over offline; device B of the same seller
/// accepted first. The hub refuses A's accept and takes A's hand-over. A
/// learns of its hand-over by the ack before it pulls B's accept, which the
/// log holds earlier: the device still ends handed over, as the hub is.
#[test]
fn confirmations_that_cross_still_end_where_the_hub_is() {
    let (mut d, mut hub, listing, order) = with_an_order();
    d.store.accept_order(order, false).unwrap();
    let accept = last_proposal(&d);
    d.store.hand_over_order(order).unwrap();
    let hand_over = last_proposal(&d);
    assert_eq!(d.store.order(order).unwrap().order.state, "handed-over");

    answer(
        &mut d,
        vec![
            refused(
                accept,
                "order_transition_refused",
                "An order that is accepted cannot be accepted.",
            ),
            applied(hand_over),
        ],
        vec![],
    );
    let b_accepted = from_other_device(order, OrderAction::Accept, hub.wall_ms + 5);
    answer(&mut d, vec![], vec![b_accepted]);

    let detail = d.store.order(order).unwrap();
    let o = &detail.order;
    assert_eq!(
        (o.state.as_str(), o.confirmed_state.as_str()),
        ("handed-over", "handed-over")
    );
    assert_eq!(d.store.listing(listing).unwrap().reserved, 4_000);
    let actions: Vec<_> = detail.history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["place", "accept", "hand-over"]);

    // And the receipt ends the hold: the goods are sold, once.
    let receipt = hub.receive(order, listing, "3.8");
    answer(&mut d, vec![], receipt.clone());
    answer(&mut d, vec![], receipt);
    let l = d.store.listing(listing).unwrap();
    assert_eq!((l.reserved, l.sold, l.stock), (0, 3_800, 6_200));
    let o = d.store.order(order).unwrap().order;
    assert_eq!(
        (o.state.as_str(), o.received_quantity),
        ("received", Some(3_800))
    );
    assert_eq!(o.received_display.as_deref(), Some("3.8"));
    let sales = d.store.sales().unwrap();
    assert_eq!(sales.len(), 1);
    assert_eq!(o.sale_id.as_deref(), Some(sales[0].id.as_str()));
    assert_eq!(
        (sales[0].total_fen, sales[0].payment.as_str()),
        (22_800, "bank")
    );
}

#[test]
fn accept_and_hand_over_offline_are_confirmed_one_after_the_other() {
    let (mut d, mut hub, listing, order) = with_an_order();
    d.store.accept_order(order, false).unwrap();
    d.store.hand_over_order(order).unwrap();
    let proposals: Vec<Ack> = d
        .store
        .pending_operations(10)
        .unwrap()
        .iter()
        .map(|o| applied(o.id))
        .collect();
    assert_eq!(proposals.len(), 2);
    answer(&mut d, proposals, vec![]);
    let o = d.store.order(order).unwrap().order;
    assert_eq!(
        (o.state.as_str(), o.confirmed_state.as_str()),
        ("handed-over", "handed-over")
    );
    assert_eq!(d.store.listing(listing).unwrap().reserved, 4_000);

    let mut ops = hub.receive(order, listing, "4");
    ops.push(hub.staff(
        order,
        OrderAction::Pay {
            amount: Money::from_fen(24_000).unwrap(),
            method: PaymentMethod::Wechat,
        },
    ));
    answer(&mut d, vec![], ops);
    let detail = d.store.order(order).unwrap();
    assert_eq!(detail.order.state, "paid");
    assert_eq!(
        (detail.order.paid_fen, detail.order.paid_method.as_deref()),
        (Some(24_000), Some("wechat"))
    );
    let actions: Vec<_> = detail.history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["place", "accept", "hand-over", "receive", "pay"]);
    let l = d.store.listing(listing).unwrap();
    assert_eq!((l.stock, l.reserved, l.sold), (6_000, 0, 4_000));
}

#[test]
fn a_decline_waits_with_its_reason_and_frees_nothing() {
    let (mut d, _, listing, order) = with_an_order();
    d.store
        .decline_order(order, reason("雪太大 too much snow"))
        .unwrap();
    let o = d.store.order(order).unwrap().order;
    assert_eq!(
        (o.state.as_str(), o.pending_action.as_deref()),
        ("declined", Some("decline"))
    );
    assert_eq!(o.reason.as_deref(), Some("雪太大 too much snow"));
    let decline = last_proposal(&d);
    let Payload::OrderActionTaken { actor, action, .. } = d
        .store
        .pending_operations(10)
        .unwrap()
        .pop()
        .unwrap()
        .payload
    else {
        unreachable!()
    };
    assert_eq!(actor, Actor::Seller);
    assert_eq!(action.slug(), "decline");
    answer(&mut d, vec![applied(decline)], vec![]);
    let o = d.store.order(order).unwrap().order;
    assert_eq!(
        (o.confirmed_state.as_str(), o.reason.as_deref()),
        ("declined", Some("雪太大 too much snow"))
    );
    assert_eq!(d.store.listing(listing).unwrap().stock, 10_000);
}

#[test]
fn what_the_order_does_not_allow_is_refused_here_and_records_nothing() {
    let (mut d, _, _, order) = with_an_order();
    d.store.decline_order(order, reason("no")).unwrap();
    let pending = d.store.pending_count().unwrap();
    let cases: Vec<(StoreError, &str)> = vec![
        (
            d.store.accept_order(order, false).unwrap_err(),
            "an order that is declined cannot be accepted",
        ),
        (
            d.store.hand_over_order(order).unwrap_err(),
            "an order that is declined cannot be handed over",
        ),
        (
            d.store.decline_order(order, reason("again")).unwrap_err(),
            "an order that is declined cannot be declined",
        ),
    ];
    for (err, message) in cases {
        assert_eq!(err.code(), "order_transition_refused");
        assert_eq!(err.to_string(), message);
    }
    let unknown = OrderId::new();
    let err = d.store.accept_order(unknown, false).unwrap_err();
    assert_eq!(err.code(), "unknown_order");
    assert_eq!(err.to_string(), format!("no order with id {unknown}"));
    assert!(matches!(
        d.store.order(unknown),
        Err(StoreError::UnknownOrder(_))
    ));
    assert_eq!(d.store.pending_count().unwrap(), pending);
}

#[test]
fn an_order_for_a_listing_the_device_lacks_is_not_taken_in_and_the_cursor_stays() {
    let mut d = device();
    let mut hub = Hub::new(&d);
    let (_, placed) = hub.place(ListingId::new(), "1");
    let response = SyncResponse {
        protocol: 1,
        acks: vec![],
        operations: LoggedOperation::all(&[placed]).unwrap(),
        cursor: 3,
        more: false,
        hub_time_ms: hub.wall_ms,
        history: None,
        newest_release: None,
        hub_version: None,
    };
    assert!(d.store.commit_sync(&[], &response, 0).is_err());
    assert!(d.store.orders().unwrap().is_empty());
    assert_eq!(d.store.sync_status().unwrap().cursor, 0);
}

#[test]
fn history_follows_the_state_machine_whatever_the_clocks_say() {
    // History follows the state machine, not timestamps: a staff receipt
    // stamped before the seller's hand-over (clocks disagree) still shows after.
    let (mut d, mut hub, listing, order) = with_an_order();
    d.clock.advance(Duration::days(2));
    d.store.accept_order(order, false).unwrap();
    d.store.hand_over_order(order).unwrap();
    let acks = d
        .store
        .pending_operations(10)
        .unwrap()
        .iter()
        .map(|o| applied(o.id))
        .collect();
    hub.wall_ms -= 60_000;
    let receipt = hub.receive(order, listing, "4");
    answer(&mut d, acks, receipt);
    let actions: Vec<_> = d
        .store
        .order(order)
        .unwrap()
        .history
        .iter()
        .map(|h| h.action.clone())
        .collect();
    assert_eq!(actions, ["place", "accept", "hand-over", "receive"]);
}
