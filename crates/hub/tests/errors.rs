//! Bad requests get a clear JSON error, change nothing, and the hub keeps
//! serving after every one of them.

mod common;

use std::io::Write;

use common::*;
use highland_domain::wire::PROTOCOL_VERSION;
use highland_hub::Storage;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_ENCODING, CONTENT_TYPE};

async fn post_sync_bytes(
    hub: &TestHub,
    token: &str,
    body: Vec<u8>,
    encoding: Option<&str>,
) -> reqwest::Response {
    let mut request = hub
        .http
        .post(format!("{}/v1/sync", hub.url))
        .bearer_auth(token)
        .header(CONTENT_TYPE, "application/json")
        .body(body);
    if let Some(encoding) = encoding {
        request = request.header(CONTENT_ENCODING, encoding);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_missing_or_unknown_token_is_401() {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("Dolma").await;
    let request = hub.request(&device, vec![], 0);
    let none = hub.post_sync(None, &request).await;
    assert_eq!(none.headers().get("www-authenticate").unwrap(), "Bearer");
    expect_error(none, StatusCode::UNAUTHORIZED, "unauthorized").await;
    hub.assert_healthy().await;
    let wrong = hub.post_sync(Some("00ff"), &request).await;
    expect_error(wrong, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let basic = hub
        .http
        .post(format!("{}/v1/sync", hub.url))
        .basic_auth("dolma", Some(&device.token))
        .json(&request)
        .send()
        .await
        .unwrap();
    expect_error(basic, StatusCode::UNAUTHORIZED, "unauthorized").await;
    hub.assert_healthy().await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_compressed_or_not() {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("Dolma").await;
    let honey = new_listing("Honey", highland_domain::Unit::Jar, 4500);
    let mut request = hub.request(&device, vec![op(&device, NOW_MS, created(&honey))], 0);
    request.max_pull_bytes = 8192;

    // Over the limit as sent: 1.5 MiB of JSON.
    let mut big = serde_json::to_value(&request).unwrap();
    big["padding"] = serde_json::Value::String("x".repeat(1536 * 1024));
    let response =
        post_sync_bytes(&hub, &device.token, serde_json::to_vec(&big).unwrap(), None).await;
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
    hub.assert_healthy().await;

    // Small as sent, 16 MiB once decompressed: a zip bomb.
    big["padding"] = serde_json::Value::String("x".repeat(16 * 1024 * 1024));
    let bomb = zstd::encode_all(serde_json::to_vec(&big).unwrap().as_slice(), 1).unwrap();
    assert!(bomb.len() < 64 * 1024);
    let response = post_sync_bytes(&hub, &device.token, bomb, Some("zstd")).await;
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
    hub.assert_healthy().await;
    assert_eq!(hub.db.log_length().unwrap(), 0, "nothing was applied");

    // The same operation in a normal request goes through.
    let ok = hub.sync_request(&device, &request).await;
    assert!(ok.acks.iter().all(applied));
}

#[tokio::test]
async fn more_than_a_thousand_operations_is_413() {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("Dolma").await;
    let honey = new_listing("Honey", highland_domain::Unit::Jar, 4500);
    let ops = (0..1001)
        .map(|i| op(&device, NOW_MS + i, received(&honey, 1)))
        .collect();
    let request = hub.request(&device, ops, 0);
    let response = hub.post_sync(Some(&device.token), &request).await;
    let body = expect_error(
        response,
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_many_operations",
    )
    .await;
    assert!(body.message.contains("1000"), "{}", body.message);
    hub.assert_healthy().await;
}

#[tokio::test]
async fn malformed_bodies_are_400_with_a_json_error() {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("Dolma").await;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("not json", b"{\"protocol\": 1, \"device_id\": ".to_vec()),
        ("not an object", b"[1, 2, 3]".to_vec()),
        ("no protocol", br#"{"cursor": 0}"#.to_vec()),
        (
            "fields missing",
            format!(
                r#"{{"protocol": {PROTOCOL_VERSION}, "device_id": "{}"}}"#,
                device.id
            )
            .into_bytes(),
        ),
        (
            "a negative cursor",
            serde_json::to_vec(&serde_json::json!({
                "protocol": 1, "device_id": device.id, "cursor": -1,
                "operations": [], "max_pull_bytes": 65536,
            }))
            .unwrap(),
        ),
        ("gzip that is not", b"\x1f\x8b\x08 garbage".to_vec()),
    ];
    for (what, body) in cases {
        let encoding = what.starts_with("gzip").then_some("gzip");
        let response = post_sync_bytes(&hub, &device.token, body, encoding).await;
        let status = response.status();
        let error = response.json::<highland_domain::wire::ErrorBody>().await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}");
        assert_eq!(error.unwrap().code, "bad_request", "{what}");
        hub.assert_healthy().await;
    }
}

#[tokio::test]
async fn another_protocol_version_is_refused_before_the_rest_is_read() {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("Dolma").await;
    let body = serde_json::json!({"protocol": 2, "batches": [{"whatever": true}]});
    let response = post_sync_bytes(
        &hub,
        &device.token,
        serde_json::to_vec(&body).unwrap(),
        None,
    )
    .await;
    let error = expect_error(response, StatusCode::BAD_REQUEST, "unsupported_protocol").await;
    assert!(
        error.message.contains("update the hub"),
        "{}",
        error.message
    );

    // Older than the hub serves: the seller is told whom to ask.
    let body = serde_json::json!({"protocol": 0, "cursor": 0});
    let response = post_sync_bytes(
        &hub,
        &device.token,
        serde_json::to_vec(&body).unwrap(),
        None,
    )
    .await;
    let error = expect_error(response, StatusCode::BAD_REQUEST, "unsupported_protocol").await;
    assert!(
        error
            .message
            .contains("ask your trainer to update Highland"),
        "{}",
        error.message
    );
    hub.assert_healthy().await;
}

#[tokio::test]
async fn an_unknown_content_encoding_is_415() {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("Dolma").await;
    let mut brotli = Vec::new();
    brotli.write_all(b"pretend brotli").unwrap();
    let response = post_sync_bytes(&hub, &device.token, brotli, Some("br")).await;
    expect_error(
        response,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_encoding",
    )
    .await;
    hub.assert_healthy().await;
}

#[tokio::test]
async fn unknown_addresses_and_methods_get_json_errors() {
    let hub = spawn_hub().await;
    let response = hub
        .http
        .get(format!("{}/v2/sync", hub.url))
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::NOT_FOUND, "not_found").await;
    let response = hub
        .http
        .get(format!("{}/v1/sync", hub.url))
        .send()
        .await
        .unwrap();
    expect_error(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
    hub.assert_healthy().await;
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_the_callers() {
    let hub = spawn_hub().await;
    let response = hub
        .http
        .get(format!("{}/healthz", hub.url))
        .send()
        .await
        .unwrap();
    let id = response.headers().get("x-request-id").unwrap();
    assert!(!id.is_empty());
    let response = hub
        .http
        .get(format!("{}/healthz", hub.url))
        .header("x-request-id", "tablet-7-sync-42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers().get("x-request-id").unwrap(),
        "tablet-7-sync-42"
    );
}
