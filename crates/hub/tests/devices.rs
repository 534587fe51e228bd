//! Lost and stolen tablets: the operator sees every device (last sync, app
//! version, what it has not pulled), revokes one, and its token stops
//! working everywhere at once; a new tablet of the same seller pulls
//! everything back.

mod common;

use common::*;
use highland_domain::{Payload, Unit};
use highland_hub::{Storage, WallClock};
use reqwest::StatusCode;
use serde_json::Value;

/// A client that says it is the app at `version`, as the engine does.
fn app_client(version: &str) -> reqwest::Client {
    http_client()
        .user_agent(format!("highland/{version}"))
        .build()
        .unwrap()
}

async fn sync_as(hub: &TestHub, client: &reqwest::Client, device: &Device) -> StatusCode {
    client
        .post(format!("{}/v1/sync", hub.url))
        .bearer_auth(&device.token)
        .json(&hub.request(device, vec![], 0))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_list_shows_each_devices_last_sync_app_version_and_what_it_has_not_pulled() {
    let hub = spawn_hub().await;
    let first = hub.seller_with_device("Dolma").await;
    let second = hub.second_device(&first).await;
    let other = hub.seller_with_device("Pema").await;
    assert_eq!(
        sync_as(&hub, &app_client("0.3.1"), &first).await,
        StatusCode::OK
    );
    let meat = new_listing("Yak meat", Unit::Kg, 6850);
    hub.sync(
        &second,
        vec![
            op(&second, NOW_MS, created(&meat)),
            op(&second, NOW_MS + 1, received(&meat, 5_000)),
        ],
        0,
    )
    .await;

    let seller = first.seller_id.parse().unwrap();
    let devices = hub.db.devices(Some(seller)).unwrap();
    assert_eq!(devices.len(), 2, "{devices:?}");
    let of = |d: &Device| devices.iter().find(|r| r.id == d.id.to_string()).unwrap();
    assert_eq!(of(&first).app_version.as_deref(), Some("0.3.1"));
    assert_eq!(of(&first).protocol, Some(1), "the protocol it spoke");
    assert!(of(&first).last_sync_at.is_some());
    assert_eq!(of(&first).not_pulled, 2, "the second device's two changes");
    assert_eq!(of(&second).not_pulled, 0, "its own changes are not for it");
    assert_eq!(of(&second).app_version, None, "no Highland User-Agent");
    assert!(devices.iter().all(|d| d.revoked_at.is_none()));
    assert_eq!(hub.db.devices(None).unwrap().len(), 3);
    let never = hub.db.devices(None).unwrap();
    let never = never.iter().find(|d| d.id == other.id.to_string()).unwrap();
    assert_eq!(
        never.protocol, None,
        "a device that never synced spoke none yet"
    );

    // A new version is recorded when the app is updated.
    assert_eq!(
        sync_as(&hub, &app_client("0.4.0"), &first).await,
        StatusCode::OK
    );
    let updated = hub.db.devices(Some(seller)).unwrap();
    assert!(
        updated
            .iter()
            .any(|d| d.app_version.as_deref() == Some("0.4.0"))
    );
    let _ = other;
}

#[tokio::test]
async fn a_revoked_device_is_refused_everywhere_and_its_sellers_other_devices_go_on() {
    let hub = spawn_hub().await;
    let lost = hub.seller_with_device("Dolma").await;
    let kept = hub.second_device(&lost).await;
    let meat = new_listing("Yak meat", Unit::Kg, 6850);
    hub.sync(&lost, vec![op(&lost, NOW_MS, created(&meat))], 0)
        .await;

    let revoked = hub.db.revoke_device(lost.id, hub.clock.now_ms()).unwrap();
    assert!(revoked.revoked_at.is_some());
    // Revoking again keeps the first time.
    hub.clock.advance(60_000);
    let again = hub.db.revoke_device(lost.id, hub.clock.now_ms()).unwrap();
    assert_eq!(again.revoked_at, revoked.revoked_at);

    let sync = hub
        .post_sync(Some(&lost.token), &hub.request(&lost, vec![], 0))
        .await;
    let error = expect_error(sync, StatusCode::FORBIDDEN, "device_revoked").await;
    assert!(error.message.contains("revoked"), "{}", error.message);
    let photo = hub
        .http
        .head(format!("{}/v1/photos/{}/upload", hub.url, "ab".repeat(32)))
        .bearer_auth(&lost.token)
        .send()
        .await
        .unwrap();
    assert_eq!(photo.status(), StatusCode::FORBIDDEN);

    // The seller's records and other tablet are untouched.
    let (ops, _) = hub.pull_all(&kept, 0).await;
    assert_eq!(ops.len(), 1);
    assert_eq!(hub.listing(meat.id).title, "Yak meat");
}

#[tokio::test]
async fn a_revoked_device_comes_back_only_with_a_code_issued_after() {
    let hub = spawn_hub().await;
    let seller = hub.add_seller("Dolma");
    let lost = hub.enroll_ok(&seller.code).await;
    hub.db.revoke_device(lost.id, hub.clock.now_ms()).unwrap();

    // The code it enrolled with, still unexpired, is no way back.
    let reused = hub.enroll(&seller.code, lost.id).await;
    expect_error(reused, StatusCode::FORBIDDEN, "device_revoked").await;

    let fresh = hub.new_code(&seller.seller_id);
    let back = hub.enroll(&fresh, lost.id).await;
    assert_eq!(back.status(), StatusCode::OK);
    let back: highland_domain::wire::EnrollResponse = back.json().await.unwrap();
    let found = Device {
        token: back.device_token,
        ..lost.clone()
    };
    hub.sync(&found, vec![], 0).await;
    let listed = hub.db.devices(None).unwrap();
    assert!(listed[0].revoked_at.is_none());
}

#[tokio::test]
async fn a_new_tablet_of_the_seller_pulls_back_everything_the_lost_one_recorded() {
    let hub = spawn_hub().await;
    let staff = hub.add_staff("Tashi");
    let lost = hub.seller_with_device("Dolma").await;
    let lot = village_lot("Yubeng", "2026-08-14");
    let meat = new_listing("Yak meat", Unit::Kg, 6850);
    hub.sync(
        &lost,
        vec![
            op(&lost, NOW_MS, Payload::LotRecorded { lot }),
            op(&lost, NOW_MS + 1, created(&meat)),
            op(&lost, NOW_MS + 2, received(&meat, 10_000)),
            op(&lost, NOW_MS + 3, sold(&meat, 1_500)),
        ],
        0,
    )
    .await;
    let placed = hub
        .post_as(
            &staff.token,
            "/v1/orders",
            &serde_json::json!({"listing_id": meat.id, "quantity": 2_000,
                                "price_fen": 6_000, "hand_over_by": "2026-06-05"}),
        )
        .await;
    assert_eq!(placed.status(), StatusCode::CREATED);
    hub.db.revoke_device(lost.id, hub.clock.now_ms()).unwrap();

    let new = hub.enroll_ok(&hub.new_code(&lost.seller_id)).await;
    let (ops, _) = hub.pull_all(&new, 0).await;
    let kinds: Vec<Value> = ops
        .iter()
        .map(|o| serde_json::to_value(&o.payload).unwrap()["kind"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            "lot_recorded",
            "listing_created",
            "stock_adjusted",
            "sale_recorded",
            "order_placed"
        ]
    );
}

#[tokio::test]
async fn the_operator_lists_and_revokes_with_the_real_binary() {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("ཟླ་བ Dawa").await;
    let cli = || hub.database.hub_cli();
    let listed = json_of(cli().args(["device", "list", "--seller", &device.seller_id, "--json"]));
    assert_eq!(listed[0]["id"], device.id.to_string());
    assert_eq!(listed[0]["seller_name"], "ཟླ་བ Dawa");
    assert_eq!(listed[0]["revoked_at"], Value::Null);

    let text = stdout_of(cli().args(["device", "revoke", &device.id.to_string()]));
    assert!(text.contains("no longer works"), "{text}");
    let sync = hub
        .post_sync(Some(&device.token), &hub.request(&device, vec![], 0))
        .await;
    expect_error(sync, StatusCode::FORBIDDEN, "device_revoked").await;

    let unknown = highland_domain::DeviceId::new().to_string();
    let refused = stderr_of_failure(cli().args(["device", "revoke", &unknown]));
    assert!(refused.contains("no device with id"), "{refused}");
    assert!(stdout_of(cli().args(["device", "list"])).contains("revoked"));
}
