//! The buyer's staff: tokens from the command line, bearer auth, console
//! sessions, and the limits that keep anyone from wearing them out.

mod common;

use common::*;
use highland_hub::staff::{LoginRules, RatePolicy, ThrottlePolicy};
use highland_hub::{Limits, Storage};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn staff_add_prints_a_token_once_that_works_and_is_stored_only_hashed() {
    let hub = spawn_hub().await;
    let output = hub
        .database
        .hub_cli()
        .args(["staff", "add", "--name", "བསོད་ནམས Sonam", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let added: Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(added["name"], "བསོད་ནམས Sonam");
    let token = added["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("hls_") && token.len() == 68, "{token}");

    let who = hub.get_as(&token, "/v1/session").await;
    assert_eq!(who.status(), StatusCode::OK);
    let who: Value = who.json().await.unwrap();
    assert_eq!(who["staff_id"], added["staff_id"]);
    assert_eq!(who["credential"], "bearer");

    // Shown once: listing the staff never shows it again.
    let listed = hub
        .database
        .hub_cli()
        .args(["staff", "list", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!contains(&listed, &token));
    assert!(contains(&listed, "Sonam"));
    // Stored hashed: no file of the hub holds it.
    assert!(!contains(&hub.database.everything_stored(), &token));
    assert!(!contains(
        &hub.database.everything_stored(),
        &token["hls_".len()..]
    ));
}

#[test]
fn staff_add_for_people_shows_the_token_and_refuses_a_taken_name() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::fresh(dir.path());
    let text = database
        .hub_cli()
        .args(["staff", "add", "--name", "Pema"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("token     hls_"), "{text}");
    assert!(text.contains("shown this once"), "{text}");
    let again = database
        .hub_cli()
        .args(["staff", "add", "--name", "Pema"])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let again = String::from_utf8(again).unwrap();
    assert!(
        again.starts_with("error: ") && again.contains("already called"),
        "{again}"
    );
    database
        .hub_cli()
        .args(["staff", "add", "--name", "  "])
        .assert()
        .failure()
        .stderr(predicates::str::starts_with("error: --name"));
}

#[tokio::test]
async fn without_a_working_staff_token_the_api_is_401() {
    let hub = spawn_hub().await;
    let pema = hub.add_staff("Pema");
    let none = hub
        .http
        .get(format!("{}/v1/listings", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(none.headers().get("www-authenticate").unwrap(), "Bearer");
    expect_error(none, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let unknown = hub.get_as("hls_0000", "/v1/listings").await;
    expect_error(unknown, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let basic = hub
        .http
        .get(format!("{}/v1/listings", hub.url))
        .basic_auth("Pema", Some(&pema.token))
        .send()
        .await
        .unwrap();
    expect_error(basic, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let ok = hub.get_as(&pema.token, "/v1/listings").await;
    assert_eq!(ok.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_device_token_on_a_staff_route_is_403_and_a_staff_token_cannot_sync() {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("Dolma").await;
    let pema = hub.add_staff("Pema");
    for path in ["/v1/listings", "/v1/sellers", "/v1/session"] {
        let response = hub.get_as(&device.token, path).await;
        let body = expect_error(response, StatusCode::FORBIDDEN, "not_staff").await;
        assert!(body.message.contains("device"), "{}", body.message);
    }
    // Not even with the device's own id in the body.
    let request = hub.request(&device, vec![], 0);
    let response = hub.post_sync(Some(&pema.token), &request).await;
    let body = expect_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert!(body.message.contains("staff token"), "{}", body.message);
    // The device still syncs.
    hub.sync(&device, vec![], 0).await;
}

#[tokio::test]
async fn revoking_a_member_stops_their_token_and_ends_their_sessions() {
    let hub = spawn_hub().await;
    let pema = hub.add_staff("Pema");
    let tashi = hub.add_staff("Tashi");
    let session = session_of(&hub.log_in("Pema", &pema.token).await);
    assert_eq!(
        hub.get_with_session(&session, "/v1/listings")
            .await
            .status(),
        StatusCode::OK
    );
    hub.database
        .hub_cli()
        .args(["staff", "revoke", "--name", "Pema"])
        .assert()
        .success();
    let bearer = hub.get_as(&pema.token, "/v1/listings").await;
    expect_error(bearer, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let cookie = hub.get_with_session(&session, "/v1/listings").await;
    expect_error(cookie, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let login = hub.log_in("Pema", &pema.token).await;
    expect_error(login, StatusCode::UNAUTHORIZED, "login_refused").await;
    // Others are not touched.
    assert_eq!(
        hub.get_as(&tashi.token, "/v1/listings").await.status(),
        StatusCode::OK
    );
    let members = hub.db.staff().unwrap();
    assert!(members[0].revoked_at_ms.is_some() && members[1].revoked_at_ms.is_none());
}

#[tokio::test]
async fn a_login_sets_a_secure_httponly_strict_cookie_that_works_until_logout() {
    let hub = spawn_hub().await;
    let pema = hub.add_staff("Pema");
    let response = hub.log_in("Pema", &pema.token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let attributes: Vec<&str> = cookie.split("; ").collect();
    for wanted in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(attributes.contains(&wanted), "{wanted} in {cookie}");
    }
    assert!(cookie.starts_with("__Host-highland_session="), "{cookie}");
    let session = session_of(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["name"], "Pema");
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));
    // The session id is stored hashed.
    assert!(!contains(&hub.database.everything_stored(), &session));

    let who: Value = hub
        .get_with_session(&session, "/v1/session")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(who["credential"], "session");
    assert_eq!(who["staff_id"], pema.id.as_str());

    let out = hub
        .http
        .delete(format!("{}/v1/session", hub.url))
        .header(
            "cookie",
            format!("{}={session}", highland_hub::staff::SESSION_COOKIE),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let cleared = out.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let after = hub.get_with_session(&session, "/v1/listings").await;
    expect_error(after, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn a_session_ends_after_twelve_hours() {
    let hub = spawn_hub().await;
    let pema = hub.add_staff("Pema");
    let session = session_of(&hub.log_in("Pema", &pema.token).await);
    hub.clock.advance(12 * 60 * 60 * 1000 - 1);
    assert_eq!(
        hub.get_with_session(&session, "/v1/listings")
            .await
            .status(),
        StatusCode::OK
    );
    hub.clock.advance(1);
    let ended = hub.get_with_session(&session, "/v1/listings").await;
    expect_error(ended, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn a_wrong_name_or_token_is_refused_without_saying_which() {
    let hub = spawn_hub().await;
    let pema = hub.add_staff("Pema");
    let wrong_token = hub.log_in("Pema", "hls_guess").await;
    assert!(wrong_token.headers().get("set-cookie").is_none());
    let a = expect_error(wrong_token, StatusCode::UNAUTHORIZED, "login_refused").await;
    let wrong_name = hub.log_in("Pemba", &pema.token).await;
    let b = expect_error(wrong_name, StatusCode::UNAUTHORIZED, "login_refused").await;
    assert_eq!(a.message, b.message);
    let not_json = hub
        .http
        .post(format!("{}/v1/session", hub.url))
        .json(&json!({"name": "Pema"}))
        .send()
        .await
        .unwrap();
    expect_error(not_json, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn five_wrong_tokens_lock_the_name_with_429_and_retry_after_even_for_the_right_one() {
    let hub = spawn_hub().await;
    let pema = hub.add_staff("Pema");
    for _ in 0..5 {
        let response = hub.log_in("Pema", "hls_guess").await;
        expect_error(response, StatusCode::UNAUTHORIZED, "login_refused").await;
    }
    let locked = hub.log_in("Pema", &pema.token).await;
    assert_eq!(retry_after(&locked), 15 * 60);
    expect_error(locked, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    // The bearer API is not locked with it.
    assert_eq!(
        hub.get_as(&pema.token, "/v1/listings").await.status(),
        StatusCode::OK
    );
    hub.clock.advance(10 * 60 * 1000);
    let still = hub.log_in("Pema", &pema.token).await;
    assert_eq!(retry_after(&still), 5 * 60);
    hub.clock.advance(5 * 60 * 1000);
    assert_eq!(
        hub.log_in("Pema", &pema.token).await.status(),
        StatusCode::OK
    );
}

fn small_login_limits() -> Limits {
    let policy = |max_failures| ThrottlePolicy {
        max_failures,
        window_ms: 60_000,
        lockout_ms: 60_000,
    };
    Limits {
        login: LoginRules {
            per_name: policy(100),
            per_address: policy(4),
            ..LoginRules::default()
        },
        ..Limits::default()
    }
}

#[tokio::test]
async fn many_names_tried_from_one_address_lock_that_address() {
    let dir = tempfile::tempdir().unwrap();
    let hub = spawn_hub_with(dir, NOW_MS, small_login_limits()).await;
    let pema = hub.add_staff("Pema");
    for name in ["Dawa", "Dolma", "Tashi", "Lhamo"] {
        let response = hub.log_in(name, "hls_guess").await;
        expect_error(response, StatusCode::UNAUTHORIZED, "login_refused").await;
    }
    let locked = hub.log_in("Pema", &pema.token).await;
    assert_eq!(retry_after(&locked), 60);
    expect_error(locked, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    hub.clock.advance(60_000);
    assert_eq!(
        hub.log_in("Pema", &pema.token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_login_throttle_is_shared_by_every_hub_process_on_the_database() {
    // Two hubs on one database, as two replicas behind a load balancer:
    // guesses spread over both count as one.
    let dir = tempfile::tempdir().unwrap();
    let first = spawn_hub_with(dir, NOW_MS, small_login_limits()).await;
    let pema = first.add_staff("Pema");
    let second = {
        let db = first.database.open().inner();
        let mut state = highland_hub::AppState::new(db, first.clock.clone());
        state.limits = small_login_limits();
        highland_hub::start("127.0.0.1:0".parse().unwrap(), state)
            .await
            .unwrap()
    };
    for (i, name) in ["Dawa", "Dolma", "Tashi", "Lhamo"].iter().enumerate() {
        let url = if i % 2 == 0 {
            &first.url
        } else {
            &second.url()
        };
        let response = first
            .http
            .post(format!("{url}/v1/session"))
            .json(&json!({"name": name, "token": "hls_guess"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    for hub_url in [&first.url, &second.url()] {
        let response = first
            .http
            .post(format!("{hub_url}/v1/session"))
            .json(&json!({"name": "Pema", "token": pema.token}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    second.stop().await.unwrap();
}

#[tokio::test]
async fn parallel_guesses_cannot_all_read_the_same_count() {
    let dir = tempfile::tempdir().unwrap();
    let hub = spawn_hub_with(dir, NOW_MS, small_login_limits()).await;
    let mut guesses = tokio::task::JoinSet::new();
    for i in 0..12 {
        let (http, url) = (hub.http.clone(), hub.url.clone());
        guesses.spawn(async move {
            http.post(format!("{url}/v1/session"))
                .json(&json!({"name": format!("guess{i}"), "token": "hls_guess"}))
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    let statuses = guesses.join_all().await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    // Exactly the address's budget of guesses had their token checked.
    assert_eq!(checked, 4, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS)
    );
}

#[tokio::test]
async fn a_member_over_their_budget_gets_429_with_retry_after_and_others_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        staff_requests: RatePolicy {
            burst: 3,
            per_minute: 60,
        },
        ..Limits::default()
    };
    let hub = spawn_hub_with(dir, NOW_MS, limits).await;
    let pema = hub.add_staff("Pema");
    let tashi = hub.add_staff("Tashi");
    for _ in 0..3 {
        assert_eq!(
            hub.get_as(&pema.token, "/v1/sellers").await.status(),
            StatusCode::OK
        );
    }
    let limited = hub.get_as(&pema.token, "/v1/sellers").await;
    assert_eq!(retry_after(&limited), 1);
    expect_error(limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // A session of the same member shares the budget; another member has their own.
    let session = session_of(&hub.log_in("Pema", &pema.token).await);
    let by_cookie = hub.get_with_session(&session, "/v1/sellers").await;
    expect_error(by_cookie, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(
        hub.get_as(&tashi.token, "/v1/sellers").await.status(),
        StatusCode::OK
    );
    hub.clock.advance(1_000);
    assert_eq!(
        hub.get_as(&pema.token, "/v1/sellers").await.status(),
        StatusCode::OK
    );
    let again = hub.get_as(&pema.token, "/v1/sellers").await;
    assert_eq!(again.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_staff_body_over_the_api_limit_is_413() {
    let hub = spawn_hub().await;
    let pema = hub.add_staff("Pema");
    let huge = json!({"name": "Pema", "token": "x".repeat(65 * 1024)});
    let response = hub.post_as(&pema.token, "/v1/session", &huge).await;
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
    // Just under the limit is read (and refused for what it says).
    let big = json!({"name": "Pema", "token": "x".repeat(60 * 1024)});
    let response = hub.post_as(&pema.token, "/v1/session", &big).await;
    expect_error(response, StatusCode::UNAUTHORIZED, "login_refused").await;
    hub.assert_healthy().await;
}

#[tokio::test]
async fn the_address_lock_holds_one_address_only() {
    // The hub counts by the connection's address: a client on another
    // loopback address is not held back by this one's failures.
    let dir = tempfile::tempdir().unwrap();
    let hub = spawn_hub_with(dir, NOW_MS, small_login_limits()).await;
    let pema = hub.add_staff("Pema");
    for name in ["Dawa", "Dolma", "Tashi", "Lhamo"] {
        let response = hub.log_in(name, "hls_guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = hub.log_in("Pema", &pema.token).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = http_client()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let response = elsewhere
        .post(format!("{}/v1/session", hub.url))
        .json(&json!({"name": "Pema", "token": pema.token}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_session_cannot_change_anything_from_another_site() {
    let hub = spawn_hub().await;
    let pema = hub.add_staff("Pema");
    let session = session_of(&hub.log_in("Pema", &pema.token).await);
    let cookie = format!("{}={session}", highland_hub::staff::SESSION_COOKIE);
    let host = hub.url.trim_start_matches("http://").to_owned();
    let post = |headers: Vec<(&'static str, String)>| {
        let mut request = hub
            .http
            .post(format!("{}/v1/orders", hub.url))
            .header("cookie", &cookie)
            .json(&json!({}));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send()
    };
    // (headers a browser would send, refused as cross-site?)
    let cases: Vec<(Vec<(&'static str, String)>, bool)> = vec![
        (vec![("sec-fetch-site", "cross-site".into())], true),
        (vec![("sec-fetch-site", "same-site".into())], true),
        (vec![("origin", "https://evil.example".into())], true),
        (vec![("sec-fetch-site", "same-origin".into())], false),
        (vec![("origin", format!("http://{host}"))], false),
        (vec![], false),
    ];
    for (headers, cross_site) in cases {
        let response = post(headers).await.unwrap();
        if cross_site {
            expect_error(response, StatusCode::FORBIDDEN, "cross_site").await;
        } else {
            // Past the check: refused for its empty body instead.
            expect_error(response, StatusCode::BAD_REQUEST, "bad_request").await;
        }
    }
    // Reading is not a change; a bearer token is not a browser's cookie.
    let read = hub
        .http
        .get(format!("{}/v1/orders", hub.url))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    let bearer = hub
        .http
        .post(format!("{}/v1/orders", hub.url))
        .bearer_auth(&pema.token)
        .header("origin", "https://evil.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    expect_error(bearer, StatusCode::BAD_REQUEST, "bad_request").await;
}
