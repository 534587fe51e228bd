//! What a review of the hub found an attacker could do, each closed: a
//! listing linked to another seller's lot by naming `lot` twice in one
//! edit; a small compressed enrollment that claimed hundreds of megabytes;
//! a device's token on a console page answered with a 500. And the headers
//! every page carries so a browser does no more with it than it should.
//! (Slow and idle connections are in connections.rs.)

mod common;

use common::*;
use highland_domain::{TraceCode, Unit};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION};
use sha2::{Digest, Sha256};

/// Seller A has a lot; seller B a listing. B sends `changes` for its
/// listing as raw JSON, as an attacker would.
async fn edit_as_b(hub: &TestHub, b: &Device, listing: &str, changes: serde_json::Value) -> String {
    let id = highland_domain::OperationId::new();
    let body = serde_json::json!({
        "protocol": 1, "device_id": b.id, "cursor": 0, "max_pull_bytes": 65536,
        "operations": [{
            "id": id, "device_id": b.id, "hlc": highland_domain::Hlc::from_wall_ms(NOW_MS + 5),
            "payload": {"kind": "listing_edited", "listing_id": listing, "changes": changes},
        }],
    });
    let response = hub.sync_raw(&b.token, &body).await;
    assert_eq!(response.acks[0].op_id, id);
    refusal_code(&response.acks[0])
        .unwrap_or("applied")
        .to_owned()
}

#[tokio::test]
async fn an_edit_that_names_the_lot_twice_is_refused_and_links_nothing() {
    let hub = spawn_hub().await;
    let a = hub.seller_with_device("Dolma").await;
    let b = hub.seller_with_device("Pema").await;
    let lot = village_lot("Yubeng", "2026-08-14");
    let lot_id = lot.id;
    hub.sync(
        &a,
        vec![op(
            &a,
            NOW_MS,
            highland_domain::Payload::LotRecorded { lot },
        )],
        0,
    )
    .await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    hub.sync(&b, vec![op(&b, NOW_MS + 1, created(&honey))], 0)
        .await;
    let listing = honey.id.to_string();

    let someone_elses_then_a_fresh_one = serde_json::json!([
        {"field": "lot", "value": lot_id},
        {"field": "lot", "value": highland_domain::LotId::new()},
    ]);
    let code = edit_as_b(&hub, &b, &listing, someone_elses_then_a_fresh_one).await;
    assert_eq!(code, "malformed_operation");
    assert_eq!(hub.listing(honey.id).lot_id, None);
    let (_, page) = trace_page(&hub, TraceCode::of_lot(lot_id)).await;
    assert!(!page.contains("Honey"), "B's listing shows on A's lot");

    // Once, the same lot is refused for what it is.
    let once = serde_json::json!([{"field": "lot", "value": lot_id}]);
    assert_eq!(edit_as_b(&hub, &b, &listing, once).await, "not_your_lot");
    // And any other field named twice is malformed too.
    let twice = serde_json::json!([
        {"field": "price", "value": 100}, {"field": "price", "value": 200},
    ]);
    assert_eq!(
        edit_as_b(&hub, &b, &listing, twice).await,
        "malformed_operation"
    );
    assert_eq!(hub.listing(honey.id).price_fen, 4500);
}

/// A zstd body of a few hundred bytes that decompresses to `size` bytes
/// of `{"a":0}` objects inside an enrollment.
fn enrollment_bomb(size: usize) -> Vec<u8> {
    let mut json = String::with_capacity(size + 64);
    json.push_str(r#"{"protocol": 1, "padding": ["#);
    while json.len() < size {
        json.push_str(r#"{"a":0},"#);
    }
    json.push_str(r#"{"a":0}]}"#);
    zstd::encode_all(json.as_bytes(), 19).unwrap()
}

#[tokio::test]
async fn an_enrollment_is_read_within_a_few_hundred_bytes() {
    let hub = spawn_hub().await;
    let bomb = enrollment_bomb(8 * 1024 * 1024);
    assert!(bomb.len() < 2048, "{} bytes compressed", bomb.len());
    let response = hub
        .http
        .post(format!("{}/v1/enroll", hub.url))
        .header("content-type", "application/json")
        .header("content-encoding", "zstd")
        .body(bomb)
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;

    // A real enrollment, compressed or not, fits with room to spare.
    let seller = hub.add_seller("Dolma");
    hub.enroll_ok(&seller.code).await;
}

#[tokio::test]
async fn a_devices_token_on_the_console_is_sent_to_sign_in_like_no_token() {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("Dolma").await;
    let no_redirects = http_client()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in ["/console/listings", "/console/orders", "/console/sellers"] {
        for token in [Some(device.token.as_str()), None] {
            let mut request = no_redirects.get(format!("{}{path}", hub.url));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
            assert_eq!(response.headers()[LOCATION], "/console/login", "{path}");
        }
    }
    let form = no_redirects
        .post(format!("{}/console/sellers", hub.url))
        .bearer_auth(&device.token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=Pema&village=Yubeng")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::SEE_OTHER);
}

async fn trace_page(hub: &TestHub, code: TraceCode) -> (HeaderMap, String) {
    let response = hub
        .http
        .get(format!("{}/t/{}", hub.url, code.as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    (response.headers().clone(), response.text().await.unwrap())
}

/// The policy's `directive`, such as "style-src 'sha256-…'".
fn directive<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers["content-security-policy"]
        .to_str()
        .unwrap()
        .split(';')
        .map(str::trim)
        .find(|d| d.split(' ').next() == Some(name))
}

/// The CSP source of an inline element's text.
fn hash_source(text: &str) -> String {
    use base64::Engine;
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn between<'t>(text: &'t str, open: &str, close: &str) -> &'t str {
    let start = text.find(open).unwrap() + open.len();
    let end = start + text[start..].find(close).unwrap();
    &text[start..end]
}

fn assert_plain_headers(headers: &HeaderMap) {
    assert_eq!(headers["x-content-type-options"], "nosniff");
    // Not no-referrer: browsers would send Origin: null with the console's
    // forms, which a plain-HTTP workshop hub then refuses as cross-site.
    assert_eq!(headers["referrer-policy"], "same-origin");
}

#[tokio::test]
async fn every_page_carries_a_policy_that_fits_it() {
    let hub = spawn_hub().await;
    let a = hub.seller_with_device("Dolma").await;
    let lot = village_lot("Yubeng", "2026-08-14");
    let code = TraceCode::of_lot(lot.id);
    hub.sync(
        &a,
        vec![op(
            &a,
            NOW_MS,
            highland_domain::Payload::LotRecorded { lot },
        )],
        0,
    )
    .await;

    // The trace page: no script; its one inline style allowed by its hash.
    let (headers, html) = trace_page(&hub, code).await;
    assert_plain_headers(&headers);
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(
        directive(&headers, "default-src"),
        Some("default-src 'none'")
    );
    assert_eq!(directive(&headers, "script-src"), None);
    let style = between(&html, "<style>", "</style>");
    assert_eq!(
        directive(&headers, "style-src"),
        Some(format!("style-src {}", hash_source(style)).as_str())
    );
    assert_eq!(
        directive(&headers, "frame-ancestors"),
        Some("frame-ancestors 'none'")
    );

    // The console: its own stylesheet and images, forms to itself, no script.
    let login = hub
        .http
        .get(format!("{}/console/login", hub.url))
        .send()
        .await
        .unwrap();
    let headers = login.headers().clone();
    let html = login.text().await.unwrap();
    assert_plain_headers(&headers);
    assert_eq!(directive(&headers, "style-src"), Some("style-src 'self'"));
    assert_eq!(
        directive(&headers, "form-action"),
        Some("form-action 'self'")
    );
    assert_eq!(directive(&headers, "script-src"), None);
    assert!(
        !html.contains("style=\""),
        "an inline style the policy refuses"
    );
    assert!(!html.contains("<script"));

    // The API and files: no sniffing, no referrer.
    let health = hub
        .http
        .get(format!("{}/healthz", hub.url))
        .send()
        .await
        .unwrap();
    assert_plain_headers(health.headers());
}

#[tokio::test]
async fn the_projectors_inline_style_and_script_are_the_only_ones_allowed() {
    let quiet_buyer = common::workshop::quick(std::time::Duration::from_secs(3600));
    let workshop = common::workshop::TestWorkshop::start(1, quiet_buyer).await;
    let response = workshop
        .http
        .get(format!("{}/projector", workshop.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let html = response.text().await.unwrap();
    assert_plain_headers(&headers);
    let style = between(&html, "<style>", "</style>");
    let script = between(&html, "<script>", "</script>");
    assert_eq!(
        directive(&headers, "style-src"),
        Some(format!("style-src {}", hash_source(style)).as_str())
    );
    assert_eq!(
        directive(&headers, "script-src"),
        Some(format!("script-src {}", hash_source(script)).as_str())
    );
    assert_eq!(
        directive(&headers, "connect-src"),
        Some("connect-src 'self'")
    );
}
