//! A seller voids a sale (`sale_voided`): the hub takes it only from the
//! sale's own seller, never for an order's receipt, keeps the earlier of two
//! voids, and passes it on to the seller's other devices.

mod common;

use common::*;
use highland_domain::{
    Actor, OrderAction, OrderId, Payload, Price, Quantity, Reason, SaleId, Unit,
};
use highland_exchange::orders::NewOrder;
use highland_hub::{Storage, WallClock};

fn void(sale: SaleId, reason: &str) -> Payload {
    Payload::SaleVoided {
        sale_id: sale,
        reason: Reason::parse(reason).unwrap(),
        at: chrono::DateTime::from_timestamp_millis(NOW_MS as i64).unwrap(),
    }
}

/// `listing` created on `device` with `stock` received, then `then`, each
/// a millisecond after the last, in one sync.
async fn listed(
    hub: &TestHub,
    device: &Device,
    listing: &highland_domain::Listing,
    stock: i64,
    then: Vec<Payload>,
) -> Vec<highland_domain::Operation> {
    let payloads = [created(listing), received(listing, stock)]
        .into_iter()
        .chain(then);
    let ops: Vec<_> = payloads
        .enumerate()
        .map(|(i, p)| op(device, NOW_MS + i as u64, p))
        .collect();
    let response = hub.sync(device, ops.clone(), 0).await;
    assert!(response.acks.iter().all(applied), "{:?}", response.acks);
    ops
}

fn sale_id(payload: &Payload) -> SaleId {
    match payload {
        Payload::SaleRecorded { sale } => sale.id,
        other => panic!("not a sale: {other:?}"),
    }
}

#[tokio::test]
async fn a_void_gives_the_stock_back_and_the_sale_stays_marked_with_its_reason() {
    let hub = spawn_hub().await;
    let dolma = hub.seller_with_device("Dolma").await;
    let second = hub.second_device(&dolma).await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    let sale = sold(&honey, 3);
    let id = sale_id(&sale);
    let pushed = listed(
        &hub,
        &dolma,
        &honey,
        10,
        vec![sale, void(id, "按错了 wrong button")],
    )
    .await;
    // A replay is acknowledged and changes nothing.
    let again = hub.sync(&dolma, pushed[3..].to_vec(), 0).await;
    assert!(again.acks.iter().all(applied));

    let listing = hub.listing(honey.id);
    assert_eq!(
        (listing.stock, listing.sold, listing.sales_count),
        (10, 0, 0)
    );
    let sales = hub.db.sales(None).unwrap();
    assert_eq!(sales.len(), 1);
    let voided = sales[0].voided.as_ref().expect("marked voided");
    assert_eq!(voided.reason, "按错了 wrong button");
    assert_eq!(hub.db.listing_sales(honey.id).unwrap(), sales);

    // The seller's other device pulls the void after its sale.
    let pulled = hub.sync(&second, vec![], 0).await;
    assert_eq!(pulled.read_operations().unwrap(), pushed);
}

#[tokio::test]
async fn only_the_sales_own_seller_may_void_it_and_only_a_sale_the_hub_holds() {
    let hub = spawn_hub().await;
    let dolma = hub.seller_with_device("Dolma").await;
    let tashi = hub.seller_with_device("Tashi").await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    let sale = sold(&honey, 2);
    let id = sale_id(&sale);
    listed(&hub, &dolma, &honey, 10, vec![sale]).await;

    let response = hub
        .sync(
            &tashi,
            vec![
                op(&tashi, NOW_MS, void(id, "not mine")),
                op(&tashi, NOW_MS, void(SaleId::new(), "never sold")),
            ],
            0,
        )
        .await;
    let codes: Vec<_> = response.acks.iter().map(refusal_code).collect();
    assert_eq!(codes, [Some("not_your_sale"), Some("unknown_sale")]);
    assert_eq!(hub.listing(honey.id).stock, 8);
    assert!(hub.db.sales(None).unwrap()[0].voided.is_none());
}

#[tokio::test]
async fn an_orders_receipt_cannot_be_voided_by_its_seller() {
    let hub = spawn_hub().await;
    let dolma = hub.seller_with_device("Dolma").await;
    let meat = new_listing("Yak meat", Unit::Kg, 6850);
    listed(&hub, &dolma, &meat, 10_000, vec![]).await;
    let order = NewOrder {
        id: OrderId::new(),
        listing_id: meat.id,
        quantity: Quantity::parse("4", Unit::Kg).unwrap(),
        unit_price: Price::parse_yuan("60").unwrap(),
        hand_over_by: None,
        note: None,
        round: None,
    };
    let now = hub.clock.now_ms();
    hub.db.place_order(&order, Some("Lhamo"), now).unwrap();
    let seller_action = |action| {
        op(
            &dolma,
            NOW_MS + 1,
            Payload::OrderActionTaken {
                order_id: order.id,
                actor: Actor::Seller,
                action,
                at: chrono::DateTime::from_timestamp_millis(NOW_MS as i64).unwrap(),
            },
        )
    };
    hub.sync(
        &dolma,
        vec![
            seller_action(OrderAction::Accept),
            seller_action(OrderAction::HandOver),
        ],
        0,
    )
    .await;
    let received = OrderAction::Receive {
        quantity: Quantity::parse("4", Unit::Kg).unwrap(),
    };
    hub.db
        .act_on_order(order.id, received, Some("Lhamo"), now)
        .unwrap();
    let receipt: SaleId = hub.db.sales(None).unwrap()[0].id.parse().unwrap();

    let response = hub
        .sync(&dolma, vec![op(&dolma, NOW_MS + 2, void(receipt, "no"))], 0)
        .await;
    assert_eq!(
        refusal_code(&response.acks[0]),
        Some("receipt_not_voidable")
    );
    assert_eq!(hub.listing(meat.id).sold, 4_000);
}

#[tokio::test]
async fn two_devices_voiding_one_sale_leave_the_earlier_reason() {
    let hub = spawn_hub().await;
    let first = hub.seller_with_device("Dolma").await;
    let second = hub.second_device(&first).await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    let sale = sold(&honey, 1);
    let id = sale_id(&sale);
    listed(&hub, &first, &honey, 5, vec![sale]).await;
    // The later void arrives first; the earlier one still wins.
    hub.sync(
        &second,
        vec![op(&second, NOW_MS + 60_000, void(id, "later"))],
        0,
    )
    .await;
    hub.sync(
        &first,
        vec![op(&first, NOW_MS + 1_000, void(id, "earlier"))],
        0,
    )
    .await;
    let sales = hub.db.sales(None).unwrap();
    assert_eq!(sales[0].voided.as_ref().unwrap().reason, "earlier");
    assert_eq!(hub.listing(honey.id).stock, 5);
}
