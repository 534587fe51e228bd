//! Who may use which route: every route the hub serves (API, console,
//! photos, workshop, projector, trace pages), tried with every kind of
//! credential, against one table of the statuses each must get. A route
//! added without its row fails [`every_route_has_its_row`].
//!
//! The hub is a workshop hub, so that the workshop's and the projector's
//! routes are served too. Every request is made with an empty body (an
//! empty JSON object or form), which a permitted caller gets a 4xx for on
//! almost every route, so that a route that forgot its guard shows as a
//! status that differs from its row.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::workshop::{TestWorkshop, quick};
use common::*;
use highland_domain::{Payload, TraceCode, Unit};
use highland_hub::{Storage, WallClock};
use reqwest::Method;
use serde_json::json;

/// The credentials each route is tried with, in the table's column order.
#[derive(Debug, Clone, Copy)]
enum Credential {
    None,
    GarbageToken,
    /// A device of the seller who owns what the path names.
    OwnDevice,
    OtherSellersDevice,
    /// A device of the owning seller that staff revoked.
    RevokedDevice,
    Staff,
    RevokedStaff,
    /// A console session, with no CSRF token in its forms.
    SessionWithoutCsrf,
}

const CREDENTIALS: [Credential; 8] = [
    Credential::None,
    Credential::GarbageToken,
    Credential::OwnDevice,
    Credential::OtherSellersDevice,
    Credential::RevokedDevice,
    Credential::Staff,
    Credential::RevokedStaff,
    Credential::SessionWithoutCsrf,
];

/// One route and the status each credential gets, in [`CREDENTIALS`]
/// order: none, garbage, own device, other seller's device, revoked
/// device, staff, revoked staff, session without CSRF.
struct Row {
    method: &'static str,
    route: &'static str,
    expect: [u16; 8],
}

const fn row(method: &'static str, route: &'static str, expect: [u16; 8]) -> Row {
    Row {
        method,
        route,
        expect,
    }
}

/// Open to anyone: the same answer whoever asks.
const fn open(method: &'static str, route: &'static str, status: u16) -> Row {
    row(method, route, [status; 8])
}

// The patterns most rows follow.
/// The staff API: a session or a staff token.
const STAFF_API: [u16; 8] = [401, 401, 403, 403, 403, 200, 401, 200];
/// The staff API's writes, with an empty body: past the guard it is a 400.
const STAFF_API_WRITE: [u16; 8] = [401, 401, 403, 403, 403, 400, 401, 400];
/// A console page: signed in with a session, else sent to sign in.
const CONSOLE_PAGE: [u16; 8] = [303, 303, 303, 303, 303, 303, 303, 200];
/// A console form: a session and its CSRF token, else refused or sent to
/// sign in.
const CONSOLE_FORM: [u16; 8] = [303, 303, 303, 303, 303, 303, 303, 403];
/// A device's own route: its token, never staff's.
const DEVICE_ONLY_WRITE: [u16; 8] = [401, 401, 400, 400, 403, 401, 401, 401];

const TABLE: &[Row] = &[
    open("GET", "/healthz", 200),
    open("GET", "/v1/openapi.json", 200),
    open("POST", "/v1/enroll", 400),
    row("POST", "/v1/sync", DEVICE_ONLY_WRITE),
    row(
        "GET",
        "/v1/photos/{sha256}",
        [401, 401, 404, 404, 403, 404, 401, 404],
    ),
    row(
        "HEAD",
        "/v1/photos/{sha256}/upload",
        [401, 401, 404, 404, 403, 401, 401, 401],
    ),
    // Past the token, an upload must be framed bytes, whoever's it is.
    row(
        "PATCH",
        "/v1/photos/{sha256}/upload",
        [401, 401, 415, 415, 403, 401, 401, 401],
    ),
    // Release files are public, as the app itself is: a tablet whose token
    // was revoked may still update. Nothing newer than the asker: 204.
    open("GET", "/v1/releases/{platform}/{current_version}", 204),
    open("GET", "/v1/releases/{platform}/{version}/file", 404),
    row("GET", "/v1/session", STAFF_API),
    open("POST", "/v1/session", 400),
    // Logging out ends the session the request carries, if any.
    open("DELETE", "/v1/session", 204),
    row("GET", "/v1/listings", STAFF_API),
    row("GET", "/v1/listings/{id}", STAFF_API),
    row("GET", "/v1/sellers", STAFF_API),
    row("GET", "/v1/orders", STAFF_API),
    row("POST", "/v1/orders", STAFF_API_WRITE),
    row("GET", "/v1/orders/{id}", STAFF_API),
    // Handing over waits for the seller to accept, whatever the body.
    row(
        "POST",
        "/v1/orders/{id}/hand-over",
        [401, 401, 403, 403, 403, 409, 401, 409],
    ),
    row("POST", "/v1/orders/{id}/receipt", STAFF_API_WRITE),
    row("POST", "/v1/orders/{id}/payment", STAFF_API_WRITE),
    row("POST", "/v1/orders/{id}/cancellation", STAFF_API_WRITE),
    row("POST", "/v1/orders/{id}/round", STAFF_API_WRITE),
    // Taking an order off its round needs no body.
    row("DELETE", "/v1/orders/{id}/round", STAFF_API),
    row("GET", "/v1/rounds", STAFF_API),
    row("POST", "/v1/rounds", STAFF_API_WRITE),
    row("GET", "/v1/rounds/costs", STAFF_API),
    row("GET", "/v1/rounds/{id}", STAFF_API),
    row("PUT", "/v1/rounds/{id}", STAFF_API_WRITE),
    row("POST", "/v1/rounds/{id}/state", STAFF_API_WRITE),
    row("POST", "/v1/rounds/{id}/cost", STAFF_API_WRITE),
    row("POST", "/v1/rounds/{id}/loads", STAFF_API_WRITE),
    // An empty body forgets the weight per unit, which yak meat sold by
    // the kg never takes: a 400 `weight_not_needed`.
    row("PUT", "/v1/listings/{id}/weight", STAFF_API_WRITE),
    // Without its lot the export is a 400.
    row(
        "GET",
        "/v1/epcis/events",
        [401, 401, 403, 403, 403, 400, 401, 400],
    ),
    row(
        "GET",
        "/v1/workshop/network",
        [401, 401, 200, 200, 403, 200, 401, 200],
    ),
    // An empty switch sends every tablet back to its real link.
    row("PUT", "/v1/workshop/network", STAFF_API),
    open("GET", "/t/{code}", 200),
    open("GET", "/01/{gtin}/10/{lot}", 404),
    open("GET", "/p/{file}", 404),
    open("GET", "/projector", 200),
    open("GET", "/projector/events", 200),
    open("GET", "/projector/photos/{file}", 404),
    // The console's door leads to its listings, where the guard is.
    open("GET", "/console", 303),
    open("GET", "/console/", 303),
    open("GET", "/console/static/console.css", 200),
    open("GET", "/console/login", 200),
    // An empty name and token fail; the fifth failure from one address
    // locks it (the login throttle), so the last three are told to wait.
    row(
        "POST",
        "/console/login",
        [401, 401, 401, 401, 401, 429, 429, 429],
    ),
    row("POST", "/console/logout", CONSOLE_FORM),
    row("GET", "/console/listings", CONSOLE_PAGE),
    row("GET", "/console/listings/{id}", CONSOLE_PAGE),
    row("POST", "/console/listings/{id}/orders", CONSOLE_FORM),
    row(
        "GET",
        "/console/photos/{file}",
        [303, 303, 303, 303, 303, 303, 303, 404],
    ),
    row("GET", "/console/sellers", CONSOLE_PAGE),
    row("POST", "/console/sellers", CONSOLE_FORM),
    row("POST", "/console/sellers/{id}/codes", CONSOLE_FORM),
    row("GET", "/console/sellers/{id}/devices", CONSOLE_PAGE),
    row(
        "POST",
        "/console/sellers/{id}/devices/{device}/revoke",
        CONSOLE_FORM,
    ),
    row("GET", "/console/orders", CONSOLE_PAGE),
    row("GET", "/console/orders/{id}", CONSOLE_PAGE),
    row("POST", "/console/orders/{id}/{action}", CONSOLE_FORM),
    row("POST", "/console/orders/{id}/round", CONSOLE_FORM),
    row("POST", "/console/listings/{id}/weight", CONSOLE_FORM),
    row("GET", "/console/rounds", CONSOLE_PAGE),
    row("POST", "/console/rounds", CONSOLE_FORM),
    row("GET", "/console/rounds/costs", CONSOLE_PAGE),
    row("GET", "/console/rounds/{id}", CONSOLE_PAGE),
    row("POST", "/console/rounds/{id}/{action}", CONSOLE_FORM),
    row(
        "GET",
        "/console/rounds/{id}/loading-sheet.pdf",
        [303, 303, 303, 303, 303, 303, 303, 200],
    ),
    row("GET", "/console/lots", CONSOLE_PAGE),
    row("POST", "/console/lots", CONSOLE_FORM),
    // Labels of no lot are a 400.
    row(
        "GET",
        "/console/lots/labels.pdf",
        [303, 303, 303, 303, 303, 303, 303, 400],
    ),
    row("GET", "/console/lots/{code}", CONSOLE_PAGE),
    row("POST", "/console/lots/{code}/{step}", CONSOLE_FORM),
    row("GET", "/console/workshop", CONSOLE_PAGE),
    row("POST", "/console/workshop/network", CONSOLE_FORM),
    row("POST", "/console/workshop/cards", CONSOLE_FORM),
];

/// What the paths name: things of the owning seller, and the people asking.
struct World {
    workshop: TestWorkshop,
    owner: Device,
    other: Device,
    revoked_device: Device,
    staff: Staff,
    revoked: Staff,
    session_cookie: String,
    listing: String,
    seller: String,
    order: String,
    round: String,
    lot_code: String,
}

async fn world() -> World {
    let workshop = TestWorkshop::start(1, quick(Duration::from_secs(3600))).await;
    let owner = workshop.seller_with_device("Dolma").await;
    let other = workshop.seller_with_device("Pema").await;
    let revoked_device = workshop.second_device(&owner).await;
    workshop
        .db
        .revoke_device(revoked_device.id, workshop.clock.now_ms())
        .unwrap();
    let staff = workshop.add_staff("Tashi");
    let revoked = workshop.add_staff("Gone");
    workshop
        .db
        .revoke_staff("Gone", workshop.clock.now_ms())
        .unwrap();
    let login = workshop.log_in(&staff.name, &staff.token).await;
    let cookie = login.headers()["set-cookie"].to_str().unwrap();
    let session_cookie = cookie.split(';').next().unwrap().to_owned();

    let lot = village_lot("Yubeng", "2026-08-14");
    let lot_code = TraceCode::of_lot(lot.id).as_str().to_owned();
    let meat = new_listing("Yak meat", Unit::Kg, 6850);
    workshop
        .sync(
            &owner,
            vec![
                op(&owner, NOW_MS, Payload::LotRecorded { lot }),
                op(&owner, NOW_MS + 1, created(&meat)),
                op(&owner, NOW_MS + 2, received(&meat, 10_000)),
            ],
            0,
        )
        .await;
    let placed = workshop
        .post_as(
            &staff.token,
            "/v1/orders",
            &json!({"listing_id": meat.id, "quantity": 1_000, "price_fen": 6_000,
                    "hand_over_by": "2026-06-05"}),
        )
        .await;
    assert_eq!(placed.status(), 201);
    let order: serde_json::Value = placed.json().await.unwrap();
    let planned = workshop
        .post_as(
            &staff.token,
            "/v1/rounds",
            &json!({"date": "2026-06-04", "vehicle": "云F·12345", "capacity_g": 1_500_000,
                    "stops": [{"place": "Yubeng", "expected_at": "10:30"}]}),
        )
        .await;
    assert_eq!(planned.status(), 201);
    let round: serde_json::Value = planned.json().await.unwrap();
    World {
        round: round["id"].as_str().unwrap().to_owned(),
        listing: meat.id.to_string(),
        seller: owner.seller_id.clone(),
        order: order["id"].as_str().unwrap().to_owned(),
        lot_code,
        workshop,
        owner,
        other,
        revoked_device,
        staff,
        revoked,
        session_cookie,
    }
}

impl World {
    /// The route with its parameters filled in with what the owner has.
    fn path(&self, route: &str) -> String {
        let id = if route.contains("/sellers/") {
            &self.seller
        } else if route.contains("/rounds/") {
            &self.round
        } else if route.contains("/orders/") {
            &self.order
        } else {
            &self.listing
        };
        let unknown_sha = "ab".repeat(32);
        route
            .replace("{id}", id)
            .replace("{sha256}", &unknown_sha)
            .replace("{file}", &format!("{unknown_sha}.jpg"))
            .replace("{code}", &self.lot_code)
            .replace("{step}", "inspected")
            .replace("{device}", &self.owner.id.to_string())
            .replace("{action}", "cancel")
            .replace("{platform}", "linux-x86_64")
            .replace("{current_version}", "0.1.0")
            .replace("{version}", "0.1.0")
            .replace("{gtin}", "06901234567892")
            .replace("{lot}", &self.lot_code)
    }

    async fn status(&self, row: &Row, credential: Credential) -> u16 {
        let method = Method::from_bytes(row.method.as_bytes()).unwrap();
        let url = format!("{}{}", self.workshop.url, self.path(row.route));
        let client = http_client()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut request = client.request(method.clone(), url);
        request = match credential {
            Credential::None => request,
            Credential::GarbageToken => request.bearer_auth("not-a-token-at-all"),
            Credential::OwnDevice => request.bearer_auth(&self.owner.token),
            Credential::OtherSellersDevice => request.bearer_auth(&self.other.token),
            Credential::RevokedDevice => request.bearer_auth(&self.revoked_device.token),
            Credential::Staff => request.bearer_auth(&self.staff.token),
            Credential::RevokedStaff => request.bearer_auth(&self.revoked.token),
            Credential::SessionWithoutCsrf => request.header("cookie", &self.session_cookie),
        };
        if [Method::POST, Method::PUT, Method::PATCH].contains(&method) {
            request = if row.route.starts_with("/console") {
                request
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body("")
            } else {
                request
                    .header("content-type", "application/json")
                    .body("{}")
            };
        }
        // The event stream never ends: its status line is all we read.
        let response = request.send().await.unwrap();
        response.status().as_u16()
    }
}

#[tokio::test]
async fn every_route_answers_each_credential_as_its_row_says() {
    let world = world().await;
    let mut wrong = Vec::new();
    for row in TABLE {
        for (credential, expected) in CREDENTIALS.into_iter().zip(row.expect) {
            // Logging out would end the session the later rows use.
            if row.method == "DELETE" && matches!(credential, Credential::SessionWithoutCsrf) {
                continue;
            }
            let got = world.status(row, credential).await;
            if got != expected {
                wrong.push(format!(
                    "{} {} with {credential:?}: {got}, not {expected}",
                    row.method, row.route
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn every_route_has_its_row() {
    let hub = spawn_hub().await;
    let mut state = highland_hub::AppState::new(hub.db.inner(), hub.clock.clone());
    state.workshop = true;
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let router = highland_hub::workshop::router(state, Duration::from_millis(50), stopped);
    let served = common::routes::served(router).await;
    let table: BTreeSet<(String, String)> = TABLE
        .iter()
        .map(|r| (r.method.to_owned(), r.route.to_owned()))
        .collect();
    let missing: Vec<_> = served.difference(&table).collect();
    let stale: Vec<_> = table.difference(&served).collect();
    assert!(missing.is_empty(), "routes without a row: {missing:?}");
    assert!(stale.is_empty(), "rows of no route: {stale:?}");
}
