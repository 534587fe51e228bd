//! Mixed versions on the hub (docs/sync-protocol.md section 15): nothing a
//! newer Highland wrote stops a sync. A record in the log this build cannot
//! read (a newer hub wrote it before a rollback) goes to the seller's
//! devices as it is; a field this build does not know, in a kind it does,
//! is kept and forwarded; a kind it does not know, pushed by a newer app, is
//! refused only for now (`unsupported_operation`), and the rest goes on.

mod common;

use common::*;
use highland_domain::Unit;
use highland_domain::wire::AckOutcome;
use serde_json::json;

/// Puts a record in the log as a newer hub would have: a kind this build
/// does not know, for `device`'s seller.
fn log_a_newer_record(hub: &TestHub, device: &Device, id: &str) -> String {
    let body = json!({
        "id": id,
        "device_id": device.id.to_string(),
        "hlc": (NOW_MS + 50) << 16,
        "payload": {"kind": "sale_voided", "sale_id": "x", "reason": "a mistake"},
    })
    .to_string();
    hub.database.query_text(&format!(
        "INSERT INTO op_log (op_id, seller_id, device_id, hlc, body, received_at_ms)
         VALUES ('{id}', '{}', '{}', {}, '{body}', {NOW_MS}) RETURNING op_id",
        device.seller_id,
        device.id,
        (NOW_MS + 50) << 16,
    ));
    body
}

#[tokio::test]
async fn a_log_record_this_hub_cannot_read_goes_to_the_devices_as_it_is() {
    let hub = spawn_hub().await;
    let a = hub.seller_with_device("Dolma").await;
    let b = hub.second_device(&a).await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    hub.sync(&a, vec![op(&a, NOW_MS, created(&honey))], 0).await;
    let newer = log_a_newer_record(&hub, &a, "0193a1c4-0000-7000-8000-00000000abcd");
    hub.sync(&a, vec![op(&a, NOW_MS + 100, priced(&honey, 5000))], 0)
        .await;

    // Every device of the seller still syncs, and pulls it among the rest.
    let pulled = hub.sync(&b, vec![], 0).await;
    assert_eq!(pulled.operations.len(), 3);
    let texts: Vec<&str> = pulled.operations.iter().map(|o| o.text()).collect();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(texts[1]).unwrap(),
        serde_json::from_str::<serde_json::Value>(&newer).unwrap(),
        "forwarded exactly"
    );
    assert!(
        pulled.operations[1].read().is_err(),
        "this build cannot read it"
    );
    assert_eq!(hub.listing(honey.id).price_fen, 5000);
    let again = hub
        .sync(&a, vec![op(&a, NOW_MS + 200, priced(&honey, 5100))], 0)
        .await;
    assert!(again.acks.iter().all(applied));
}

#[tokio::test]
async fn a_field_this_build_does_not_know_is_kept_and_forwarded() {
    let hub = spawn_hub().await;
    let a = hub.seller_with_device("Dolma").await;
    let b = hub.second_device(&a).await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    let mut created = serde_json::to_value(op(&a, NOW_MS, created(&honey))).unwrap();
    created["grown_at_m"] = json!(3400);
    created["payload"]["listing"]["flower"] = json!("杜鹃");
    let body = json!({
        "protocol": 1,
        "device_id": a.id.to_string(),
        "cursor": 0,
        "operations": [created],
        "max_pull_bytes": 65536,
    });
    let pushed = hub.sync_raw(&a.token, &body).await;
    assert_eq!(pushed.acks[0].outcome, AckOutcome::Applied { hlc: None });
    assert_eq!(hub.listing(honey.id).title.as_str(), "Honey");

    let pulled = hub.sync(&b, vec![], 0).await;
    let forwarded: serde_json::Value = serde_json::from_str(pulled.operations[0].text()).unwrap();
    assert_eq!(forwarded["grown_at_m"], json!(3400));
    assert_eq!(forwarded["payload"]["listing"]["flower"], json!("杜鹃"));
}

#[tokio::test]
async fn a_kind_this_hub_does_not_know_is_refused_for_now_and_the_rest_goes_through() {
    let hub = spawn_hub().await;
    let a = hub.seller_with_device("Dolma").await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    let known = serde_json::to_value(op(&a, NOW_MS, created(&honey))).unwrap();
    let newer = json!({
        "id": "0193a1c4-0000-7000-8000-00000000beef",
        "device_id": a.id.to_string(),
        "hlc": (NOW_MS + 1) << 16,
        "payload": {"kind": "round_joined", "round_id": "r"},
    });
    let sale = serde_json::to_value(op(&a, NOW_MS + 2, sold(&honey, 1))).unwrap();
    let body = json!({
        "protocol": 1,
        "device_id": a.id.to_string(),
        "cursor": 0,
        "operations": [known, newer, sale],
        "max_pull_bytes": 65536,
    });
    let response = hub.sync_raw(&a.token, &body).await;
    assert!(applied(&response.acks[0]));
    assert_eq!(
        refusal_code(&response.acks[1]),
        Some("unsupported_operation")
    );
    assert!(applied(&response.acks[2]), "the rest goes through");
    assert!(
        response.hub_version.is_some(),
        "so the device knows when to try again"
    );
}
