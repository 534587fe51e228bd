//! The OpenAPI document against the router itself: every route the hub
//! serves is in the document and every operation in the document is
//! served, and the checked-in copy (docs/openapi.json) is the served one.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::http::StatusCode;
use common::*;
use highland_domain::wire::ErrorBody;
use highland_hub::{AppState, HubDb, ManualClock, app, openapi};
use serde_json::Value;

/// The console's pages and the public trace pages (`/t/CODE`, and GS1
/// Digital Link's `/01/GTIN/10/LOT`) are HTML for people, not the API.
/// The public photo files (`/p/SHA.jpg`) are the trace page's images.
fn is_api(path: &str) -> bool {
    !path.starts_with("/console")
        && !path.starts_with("/t/")
        && !path.starts_with("/01/")
        && !path.starts_with("/p/")
}

/// The (method, path) pairs the document describes.
fn documented() -> BTreeSet<(String, String)> {
    let doc = serde_json::to_value(openapi()).unwrap();
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.insert((method.to_uppercase(), path.clone()));
        }
    }
    ops
}

#[tokio::test]
async fn the_document_describes_exactly_the_routes_the_router_serves() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(HubDb::open_dir(dir.path()).unwrap());
    let state = AppState::new(db, Arc::new(ManualClock::at(NOW_MS)));
    let router = app(state);

    let paths = common::routes::paths(&router);
    let documented = documented();
    for (_, path) in &documented {
        assert!(paths.contains(path), "{path} is documented but not routed");
    }
    let mut served = common::routes::served(router).await;
    served.retain(|(_, p)| is_api(p));
    let documented: BTreeSet<_> = documented.into_iter().filter(|(_, p)| is_api(p)).collect();
    assert_eq!(served, documented);
    assert!(served.contains(&("GET".to_owned(), "/v1/listings".to_owned())));
    assert!(served.contains(&("POST".to_owned(), "/v1/sync".to_owned())));
}

#[tokio::test]
async fn the_hub_serves_the_document_and_docs_holds_the_same() {
    let hub = spawn_hub().await;
    let response = hub
        .http
        .get(format!("{}/v1/openapi.json", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/json"
    );
    let served: Value = response.json().await.unwrap();
    assert!(served["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(served, serde_json::to_value(openapi()).unwrap());

    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let pretty = openapi().to_pretty_json().unwrap() + "\n";
    if std::env::var_os("HIGHLAND_UPDATE_OPENAPI").is_some() {
        std::fs::write(&file, &pretty).unwrap();
    }
    let checked_in = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        checked_in == pretty,
        "docs/openapi.json is not the document the hub serves; regenerate it with \
         HIGHLAND_UPDATE_OPENAPI=1 cargo nextest run -p highland-hub --test openapi"
    );
}

#[test]
fn the_error_schema_is_the_error_body() {
    let doc = serde_json::to_value(openapi()).unwrap();
    let schema = &doc["components"]["schemas"]["ErrorBody"];
    let documented: BTreeSet<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let body = serde_json::to_value(ErrorBody {
        code: "c".into(),
        message: "m".into(),
    })
    .unwrap();
    let real: BTreeSet<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(documented, real);
}

#[test]
fn every_staff_operation_names_its_credentials() {
    let doc = serde_json::to_value(openapi()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !(path.starts_with("/v1/listings")
            || path.starts_with("/v1/sellers")
            || path.starts_with("/v1/orders"))
        {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let schemes: BTreeSet<&str> = op["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} has no security"))
                .iter()
                .flat_map(|s| s.as_object().unwrap().keys().map(String::as_str))
                .collect();
            assert_eq!(
                schemes,
                BTreeSet::from(["staff_token", "session_cookie"]),
                "{method} {path}"
            );
            for status in ["401", "403", "429"] {
                assert!(
                    op["responses"].get(status).is_some(),
                    "{method} {path} documents no {status}"
                );
            }
        }
    }
}
