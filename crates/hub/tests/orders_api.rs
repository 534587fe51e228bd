//! The staff's order endpoints over HTTP: placing an order, following it
//! through hand-over, receipt and payment, and the refusals on the way.
//! The order rules themselves are tested with crate::orders.

mod common;

use chrono::DateTime;
use common::*;
use highland_domain::{Actor, Listing, OrderAction, OrderId, Payload, Unit};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A hub with a member of staff and a seller with 10 kg of yak meat listed.
async fn hub_with_meat() -> (TestHub, Staff, Device, Listing) {
    let hub = spawn_hub().await;
    let staff = hub.add_staff("Pema");
    let dolma = hub.seller_in("Dolma", "Yubeng").await;
    let meat = new_listing("Yak meat", Unit::Kg, 6850);
    hub.sync(
        &dolma,
        vec![
            op(&dolma, NOW_MS, created(&meat)),
            op(&dolma, NOW_MS, received(&meat, 10_000)),
        ],
        0,
    )
    .await;
    (hub, staff, dolma, meat)
}

async fn place(hub: &TestHub, staff: &Staff, body: Value) -> Value {
    let response = hub.post_as(&staff.token, "/v1/orders", &body).await;
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let order: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        location.as_deref(),
        Some(format!("/v1/orders/{}", order["id"].as_str().unwrap()).as_str())
    );
    order
}

async fn post_ok(hub: &TestHub, staff: &Staff, path: &str, body: Value) -> Value {
    let response = hub.post_as(&staff.token, path, &body).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "POST {path}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// The seller accepts the order from their device, as the app does.
async fn accept(hub: &TestHub, device: &Device, order_id: &str) {
    let accept = Payload::OrderActionTaken {
        order_id: order_id.parse::<OrderId>().unwrap(),
        actor: Actor::Seller,
        action: OrderAction::Accept,
        at: DateTime::from_timestamp_millis(NOW_MS as i64).unwrap(),
    };
    let response = hub
        .sync(device, vec![op(device, NOW_MS + 100, accept)], 0)
        .await;
    assert!(applied(&response.acks[0]), "{:?}", response.acks[0]);
}

#[tokio::test]
async fn staff_place_an_order_and_follow_it_to_payment() {
    let (hub, staff, dolma, meat) = hub_with_meat().await;
    let order = place(
        &hub,
        &staff,
        json!({
            "listing_id": meat.id, "quantity": 2_500, "price_fen": 6_000,
            "hand_over_by": "2026-06-05", "note": "风干 dried, please",
        }),
    )
    .await;
    let id = order["id"].as_str().unwrap().to_owned();
    assert_eq!(order["state"], "placed");
    assert_eq!(order["listing_id"], meat.id.to_string());
    assert_eq!(order["seller_id"], dolma.seller_id);
    assert_eq!(
        (order["quantity"].as_i64(), order["quantity_unit"].as_str()),
        (Some(2_500), Some("g"))
    );
    assert_eq!(order["unit"], "kg");
    assert_eq!(order["unit_price_fen"], 6_000);
    assert_eq!(order["total_fen"], 15_000);
    assert_eq!(order["hand_over_by"], "2026-06-05");
    assert_eq!(order["note"], "风干 dried, please");

    let listed: Value = hub.staff_get(&staff, "/v1/orders").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["id"], id.as_str());
    assert_eq!(listed["items"][0]["state"], "placed");
    assert_eq!(listed["next_cursor"], Value::Null);

    accept(&hub, &dolma, &id).await;
    let one: Value = hub.staff_get(&staff, &format!("/v1/orders/{id}")).await;
    assert_eq!(one["state"], "accepted");

    let handed = post_ok(
        &hub,
        &staff,
        &format!("/v1/orders/{id}/hand-over"),
        json!({}),
    )
    .await;
    assert_eq!(handed["state"], "handed-over");
    // The buyer received a little less than ordered.
    let received = post_ok(
        &hub,
        &staff,
        &format!("/v1/orders/{id}/receipt"),
        json!({"quantity": 2_400}),
    )
    .await;
    assert_eq!(received["state"], "received");
    assert_eq!(received["received_quantity"], 2_400);
    assert!(received["sale_id"].is_string());
    assert_eq!(hub.listing(meat.id).stock, 10_000 - 2_400);

    let paid = post_ok(
        &hub,
        &staff,
        &format!("/v1/orders/{id}/payment"),
        json!({"amount_fen": 14_400, "method": "bank"}),
    )
    .await;
    assert_eq!(paid["state"], "paid");
    assert_eq!(
        (paid["paid_fen"].as_i64(), paid["paid_method"].as_str()),
        (Some(14_400), Some("bank"))
    );
    let history = paid["history"].as_array().unwrap();
    let actions: Vec<&str> = history
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["place", "accept", "hand-over", "receive", "pay"]);
    assert_eq!(history[4]["staff"], "Pema");
    assert_eq!(history[1]["actor"], "seller");
}

#[tokio::test]
async fn bad_orders_are_400_or_404_and_change_nothing() {
    let (hub, staff, _, meat) = hub_with_meat().await;
    let good = json!({"listing_id": meat.id, "quantity": 1_000, "price_fen": 6_000});
    let with = |key: &str, value: Value| {
        let mut body = good.clone();
        body[key] = value;
        body
    };
    // (body, status, code)
    let cases = [
        (
            with("quantity", json!(0)),
            StatusCode::BAD_REQUEST,
            "not_positive",
        ),
        (
            with("quantity", json!("1kg")),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            with("price_fen", json!(0)),
            StatusCode::BAD_REQUEST,
            "not_positive",
        ),
        (
            with("hand_over_by", json!("next week")),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            with("note", json!("x".repeat(2_001))),
            StatusCode::BAD_REQUEST,
            "too_long",
        ),
        (
            with("colour", json!("red")),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            with("listing_id", json!("yak")),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            with("listing_id", json!(OrderId::new())),
            StatusCode::NOT_FOUND,
            "unknown_listing",
        ),
        (json!([1, 2]), StatusCode::BAD_REQUEST, "bad_request"),
    ];
    for (body, status, code) in cases {
        let response = hub.post_as(&staff.token, "/v1/orders", &body).await;
        expect_error(response, status, code).await;
    }
    let listed: Value = hub.staff_get(&staff, "/v1/orders").await;
    assert_eq!(listed["items"], json!([]));
    assert_eq!(hub.listing(meat.id).stock, 10_000);
}

#[tokio::test]
async fn actions_the_order_is_not_ready_for_are_409() {
    let (hub, staff, _, meat) = hub_with_meat().await;
    let order = place(
        &hub,
        &staff,
        json!({"listing_id": meat.id, "quantity": 1_000, "price_fen": 6_000}),
    )
    .await;
    let id = order["id"].as_str().unwrap();
    for (path, body) in [
        ("receipt", json!({"quantity": 1_000})),
        ("payment", json!({"amount_fen": 6_000, "method": "cash"})),
    ] {
        let response = hub
            .post_as(&staff.token, &format!("/v1/orders/{id}/{path}"), &body)
            .await;
        expect_error(response, StatusCode::CONFLICT, "order_transition_refused").await;
    }
    let bad_method = hub
        .post_as(
            &staff.token,
            &format!("/v1/orders/{id}/payment"),
            &json!({"amount_fen": 6_000, "method": "shells"}),
        )
        .await;
    expect_error(bad_method, StatusCode::BAD_REQUEST, "unknown_choice").await;
    let no_reason = hub
        .post_as(
            &staff.token,
            &format!("/v1/orders/{id}/cancellation"),
            &json!({"reason": " "}),
        )
        .await;
    expect_error(no_reason, StatusCode::BAD_REQUEST, "empty").await;

    let cancelled = post_ok(
        &hub,
        &staff,
        &format!("/v1/orders/{id}/cancellation"),
        json!({"reason": "the truck broke down"}),
    )
    .await;
    assert_eq!(cancelled["state"], "cancelled");
    assert_eq!(cancelled["reason"], "the truck broke down");
    let again = hub
        .post_as(
            &staff.token,
            &format!("/v1/orders/{id}/cancellation"),
            &json!({"reason": "again"}),
        )
        .await;
    expect_error(again, StatusCode::CONFLICT, "order_transition_refused").await;

    let unknown = hub
        .post_as(
            &staff.token,
            &format!("/v1/orders/{}/hand-over", OrderId::new()),
            &json!({}),
        )
        .await;
    expect_error(unknown, StatusCode::NOT_FOUND, "unknown_order").await;
    let missing = hub
        .get_as(&staff.token, &format!("/v1/orders/{}", OrderId::new()))
        .await;
    expect_error(missing, StatusCode::NOT_FOUND, "unknown_order").await;
}

#[tokio::test]
async fn a_retried_placement_with_the_same_id_is_not_placed_twice() {
    let (hub, staff, _, meat) = hub_with_meat().await;
    let id = OrderId::new();
    let body = json!({"id": id, "listing_id": meat.id, "quantity": 1_000, "price_fen": 6_000});
    let first = place(&hub, &staff, body.clone()).await;
    assert_eq!(first["id"], id.to_string());
    let again = hub.post_as(&staff.token, "/v1/orders", &body).await;
    expect_error(again, StatusCode::CONFLICT, "order_exists").await;
    let listed: Value = hub.staff_get(&staff, "/v1/orders").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn orders_are_listed_newest_first_filtered_and_paged() {
    let (hub, staff, dolma, meat) = hub_with_meat().await;
    let mut ids = Vec::new();
    for quantity in [1_000, 2_000, 3_000] {
        let order = place(
            &hub,
            &staff,
            json!({"listing_id": meat.id, "quantity": quantity, "price_fen": 6_000}),
        )
        .await;
        ids.push(order["id"].as_str().unwrap().to_owned());
        hub.clock.advance(1_000);
    }
    accept(&hub, &dolma, &ids[1]).await;

    let mut walked = Vec::new();
    let mut path = "/v1/orders?limit=1".to_owned();
    loop {
        let page: Value = hub.staff_get(&staff, &path).await;
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        walked.push(items[0]["id"].as_str().unwrap().to_owned());
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/orders?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(walked, newest_first);

    let accepted: Value = hub.staff_get(&staff, "/v1/orders?state=accepted").await;
    assert_eq!(accepted["items"].as_array().unwrap().len(), 1);
    assert_eq!(accepted["items"][0]["id"], ids[1].as_str());
    let of_listing: Value = hub
        .staff_get(
            &staff,
            &format!("/v1/orders?listing={}&seller={}", meat.id, dolma.seller_id),
        )
        .await;
    assert_eq!(of_listing["items"].as_array().unwrap().len(), 3);
    for (query, code) in [
        ("state=lost", "unknown_choice"),
        ("limit=201", "invalid_limit"),
        ("cursor=abc", "invalid_cursor"),
        ("seller=dolma", "invalid_id"),
    ] {
        let response = hub
            .get_as(&staff.token, &format!("/v1/orders?{query}"))
            .await;
        expect_error(response, StatusCode::BAD_REQUEST, code).await;
    }
}

#[tokio::test]
async fn a_device_cannot_use_the_order_endpoints() {
    let (hub, _, dolma, meat) = hub_with_meat().await;
    let body = json!({"listing_id": meat.id, "quantity": 1_000, "price_fen": 6_000});
    let response = hub.post_as(&dolma.token, "/v1/orders", &body).await;
    expect_error(response, StatusCode::FORBIDDEN, "not_staff").await;
    let response = hub.get_as(&dolma.token, "/v1/orders").await;
    expect_error(response, StatusCode::FORBIDDEN, "not_staff").await;
}
