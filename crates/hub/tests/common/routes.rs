//! The router's own table of routes, as (method, path template) pairs, for
//! the tests that must cover every route (the OpenAPI document, the
//! authorization matrix).

use std::collections::BTreeSet;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{Next, from_fn};
use axum::response::Response;
use tower::ServiceExt;

const METHODS: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/// Tells, in a response header, which route answered the request.
async fn echo_matched_path(request: Request, next: Next) -> Response {
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(path) = matched {
        response
            .headers_mut()
            .insert("x-matched-path", HeaderValue::from_str(&path).unwrap());
    }
    response
}

/// The path templates in the router's table. axum shows them only in its
/// Debug output, so they are read from there; callers check that paths
/// they know of are found, which also catches a change of that format.
pub fn paths(router: &Router) -> BTreeSet<String> {
    format!("{router:?}")
        .split('"')
        .filter(|s| s.starts_with('/') && !s.contains(' '))
        .map(str::to_owned)
        .collect()
}

/// Every (method, path template) the router answers, found by asking each
/// path with each method and keeping those its own route answered. A GET
/// route's implied HEAD is left out; a HEAD of its own is kept.
pub async fn served(router: Router) -> BTreeSet<(String, String)> {
    let paths = paths(&router);
    let router = router.layer(from_fn(echo_matched_path));
    let mut served = BTreeSet::new();
    for path in &paths {
        let uri = path
            .replace("{id}", "0192f5e4-0000-7000-8000-000000000000")
            .replace(['{', '}'], "");
        for method in METHODS {
            let request = axum::http::Request::builder()
                .method(Method::from_bytes(method.as_bytes()).unwrap())
                .uri(&uri)
                .body(Body::empty())
                .unwrap();
            let response = router.clone().oneshot(request).await.unwrap();
            let matched = response.headers().get("x-matched-path").cloned();
            if response.status() != StatusCode::METHOD_NOT_ALLOWED
                && matched.as_ref().is_some_and(|m| m == path.as_str())
            {
                served.insert((method.to_owned(), path.clone()));
            }
        }
    }
    let gets: BTreeSet<String> = served
        .iter()
        .filter(|(m, _)| m == "GET")
        .map(|(_, p)| p.clone())
        .collect();
    served.retain(|(m, p)| m != "HEAD" || !gets.contains(p));
    served
}
