//! Enrollment: a one-time, expiring code traded once for a device token.

mod common;

use common::*;
use highland_domain::DeviceId;
use highland_domain::wire::EnrollResponse;
use reqwest::StatusCode;

#[tokio::test]
async fn a_code_gives_a_token_that_syncs_and_is_stored_only_hashed() {
    let hub = spawn_hub().await;
    let seller = hub.add_seller("Dolma");
    let device = DeviceId::new();
    let response = hub.enroll(&seller.code, device).await;
    assert_eq!(response.status(), StatusCode::OK);
    let enrolled: EnrollResponse = response.json().await.unwrap();
    assert_eq!(enrolled.seller_id, seller.seller_id);
    assert_eq!(enrolled.seller_name, "Dolma");
    assert_eq!(enrolled.village, "Yubeng");
    assert!(enrolled.device_token.len() >= 32, "at least 128 bits");

    let device = Device {
        id: device,
        token: enrolled.device_token.clone(),
        seller_id: enrolled.seller_id,
    };
    let synced = hub.sync(&device, vec![], 0).await;
    assert!(synced.acks.is_empty());

    let stored = hub.database.query_text("SELECT token_hash FROM devices");
    assert_ne!(stored, enrolled.device_token);
    assert!(!stored.contains(&enrolled.device_token));
}

#[tokio::test]
async fn a_code_typed_in_lower_case_without_dashes_works() {
    let hub = spawn_hub().await;
    let seller = hub.add_seller("Dolma");
    let typed = seller.code.replace('-', "").to_lowercase();
    assert_eq!(
        hub.enroll(&typed, DeviceId::new()).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_code_used_by_one_device_is_refused_to_another() {
    let hub = spawn_hub().await;
    let seller = hub.add_seller("Dolma");
    hub.enroll_ok(&seller.code).await;
    let response = hub.enroll(&seller.code, DeviceId::new()).await;
    expect_error(response, StatusCode::CONFLICT, "code_used").await;
    hub.assert_healthy().await;
}

#[tokio::test]
async fn the_device_that_used_a_code_may_retry_and_its_old_token_retires() {
    // The first answer may be lost on a mountain link; the device sends the
    // same code again and must not be locked out.
    let hub = spawn_hub().await;
    let seller = hub.add_seller("Dolma");
    let first = hub.enroll_ok(&seller.code).await;
    let response = hub.enroll(&seller.code, first.id).await;
    assert_eq!(response.status(), StatusCode::OK);
    let again: EnrollResponse = response.json().await.unwrap();
    assert_ne!(again.device_token, first.token);

    let request = hub.request(&first, vec![], 0);
    let old = hub.post_sync(Some(&first.token), &request).await;
    expect_error(old, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let new = hub.post_sync(Some(&again.device_token), &request).await;
    assert_eq!(new.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_code_expires_after_seven_days() {
    let hub = spawn_hub().await;
    let seller = hub.add_seller("Dolma");
    let early = hub.add_seller("Tashi");
    hub.clock.advance(7 * DAY_MS - 1);
    assert_eq!(
        hub.enroll(&early.code, DeviceId::new()).await.status(),
        StatusCode::OK
    );
    hub.clock.advance(1);
    let response = hub.enroll(&seller.code, DeviceId::new()).await;
    let body = expect_error(response, StatusCode::GONE, "code_expired").await;
    assert!(body.message.contains("new one"), "{}", body.message);
}

#[tokio::test]
async fn an_unknown_code_is_refused() {
    let hub = spawn_hub().await;
    hub.add_seller("Dolma");
    let response = hub.enroll(&unissued_code(), DeviceId::new()).await;
    expect_error(response, StatusCode::NOT_FOUND, "code_unknown").await;
}

#[tokio::test]
async fn a_mistyped_code_is_refused_before_the_database_is_asked() {
    let hub = spawn_hub().await;
    let seller = hub.add_seller("Dolma");
    let mut symbols: Vec<char> = seller.code.replace('-', "").chars().collect();
    symbols.swap(0, 1);
    if symbols[0] == symbols[1] {
        symbols[0] = if symbols[0] == '2' { '3' } else { '2' };
    }
    let typed: String = symbols.into_iter().collect();
    let response = hub.enroll(&typed, DeviceId::new()).await;
    expect_error(response, StatusCode::BAD_REQUEST, "code_mistyped").await;
    let response = hub.enroll("not a code!", DeviceId::new()).await;
    expect_error(response, StatusCode::BAD_REQUEST, "invalid_code").await;
    // The real code still works: a typing mistake does not use it up.
    hub.enroll_ok(&seller.code).await;
}

#[tokio::test]
async fn a_device_works_for_one_seller_only() {
    let hub = spawn_hub().await;
    let dolma = hub.add_seller("Dolma");
    let tashi = hub.add_seller("Tashi");
    let device = hub.enroll_ok(&dolma.code).await;
    let response = hub.enroll(&tashi.code, device.id).await;
    expect_error(response, StatusCode::CONFLICT, "device_enrolled_elsewhere").await;
    // Tashi's code was not spent on the refusal.
    hub.enroll_ok(&tashi.code).await;
}

#[tokio::test]
async fn another_protocol_version_is_refused_clearly() {
    let hub = spawn_hub().await;
    let response = hub
        .http
        .post(format!("{}/v1/enroll", hub.url))
        .json(&serde_json::json!({"protocol": 2, "pairing": {"qr": "..."}}))
        .send()
        .await
        .unwrap();
    let body = expect_error(response, StatusCode::BAD_REQUEST, "unsupported_protocol").await;
    assert!(body.message.contains("version 1"), "{}", body.message);
}
