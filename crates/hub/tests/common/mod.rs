//! What every hub test shares: a hub serving in this process on a fresh data
//! directory with a clock the test sets, typed requests, and operations
//! built from the domain types the way a device builds them.

#![allow(dead_code)] // each test binary uses its own part of this

mod backend;
pub mod binary;
pub mod console;
pub mod printout;
pub mod routes;
pub mod workshop;

#[allow(unused_imports)] // each test binary uses its own part of this
pub use backend::{OffRuntime, PostgresDatabase, TestDatabase, off_runtime};

use std::sync::Arc;

use chrono::DateTime;
use highland_domain::wire::{
    Ack, AckOutcome, EnrollResponse, ErrorBody, LoggedOperation, PROTOCOL_VERSION, SyncRequest,
    SyncResponse,
};
use highland_domain::{
    AdjustmentId, AdjustmentKind, Category, CheckedCode, DeviceId, FieldChanges, Hlc, Listing,
    ListingField, ListingId, ListingStatus, Lot, LotId, Operation, OperationId, Payload,
    PaymentMethod, Price, Quantity, QuantityDelta, Sale, SaleId, ShortText, StockAdjustment, Title,
    Unit,
};
use highland_hub::admin::{self, NewSeller, SellerAdded};
use highland_hub::{AppState, Limits, ManualClock, RunningHub, SellerId, Storage, WallClock};
use reqwest::StatusCode;
use tempfile::TempDir;

/// 2026-05-28T20:26:40Z: a fixed "now" for hubs whose clock tests control.
pub const NOW_MS: u64 = 1_780_000_000_000;
pub const DAY_MS: u64 = 24 * 60 * 60 * 1000;

pub struct TestHub {
    pub url: String,
    pub http: reqwest::Client,
    /// The hub's storage, callable from async tests.
    pub db: Arc<OffRuntime>,
    pub clock: Arc<ManualClock>,
    /// A directory of the test's own (the SQLite database's, on SQLite).
    pub dir: TempDir,
    pub(crate) running: Option<RunningHub>,
    /// Last: dropping it drops a PostgreSQL database.
    pub database: TestDatabase,
}

/// A hub whose clock reads [`NOW_MS`] until the test moves it.
pub async fn spawn_hub() -> TestHub {
    spawn_hub_at(NOW_MS).await
}

pub async fn spawn_hub_at(now_ms: u64) -> TestHub {
    let dir = tempfile::tempdir().unwrap();
    spawn_hub_in(dir, now_ms).await
}

/// A hub on an existing data directory (for the admin commands' tests).
pub async fn spawn_hub_in(dir: TempDir, now_ms: u64) -> TestHub {
    spawn_hub_with(dir, now_ms, Limits::default()).await
}

/// A hub with the limits a test sets (small budgets, small bodies).
pub async fn spawn_hub_with(dir: TempDir, now_ms: u64, limits: Limits) -> TestHub {
    let database = TestDatabase::fresh(dir.path());
    let store = database.open().inner();
    serve_store(store, dir, database, now_ms, limits).await
}

/// A hub serving `store`, which lives in `database`, whatever back end
/// this run is for (a test that moves a hub from one to the other).
pub async fn serve_store(
    store: Arc<dyn Storage>,
    dir: TempDir,
    database: TestDatabase,
    now_ms: u64,
    limits: Limits,
) -> TestHub {
    let clock = Arc::new(ManualClock::at(now_ms));
    let mut state = AppState::new(store.clone(), clock.clone());
    state.limits = limits;
    // As `serve` does by default: a folder beside the database.
    state.photos = highland_hub::photos::PhotoStore::local(&dir.path().join("photos")).unwrap();
    let running = highland_hub::start("127.0.0.1:0".parse().unwrap(), state)
        .await
        .unwrap();
    TestHub {
        url: running.url(),
        http: http_client().build().unwrap(),
        db: Arc::new(OffRuntime(store)),
        clock,
        dir,
        running: Some(running),
        database,
    }
}

/// A client builder for tests. The workspace's reqwest has no crypto
/// provider of its own (TLS is rustls on ring, chosen explicitly where a
/// client is built), so this installs ring as the test process's default.
pub fn http_client() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// A device as the tests play it: its id and the token it was given.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: DeviceId,
    pub token: String,
    pub seller_id: String,
}

impl TestHub {
    pub async fn stop(mut self) {
        self.running.take().unwrap().stop().await.unwrap();
    }

    /// Stops serving and closes the database, as a stopped `highland-hub`
    /// leaves it (for the operator's commands that need it stopped).
    pub async fn stop_and_close(mut self) -> (TestDatabase, TempDir) {
        self.running.take().unwrap().stop().await.unwrap();
        let TestHub {
            db, database, dir, ..
        } = self;
        drop(db);
        (database, dir)
    }

    pub fn add_seller(&self, name: &str) -> SellerAdded {
        let new = NewSeller {
            name: ShortText::parse(name).unwrap(),
            village: ShortText::parse("Yubeng").unwrap(),
            phone: None,
        };
        admin::add_seller(self.db.as_ref(), new, self.clock.now_ms()).unwrap()
    }

    pub fn new_code(&self, seller_id: &str) -> String {
        let seller: SellerId = seller_id.parse().unwrap();
        admin::issue_device_code(self.db.as_ref(), seller, self.clock.now_ms())
            .unwrap()
            .code
    }

    pub async fn enroll(&self, code: &str, device: DeviceId) -> reqwest::Response {
        self.http
            .post(format!("{}/v1/enroll", self.url))
            .json(&serde_json::json!({
                "protocol": PROTOCOL_VERSION, "code": code, "device_id": device,
            }))
            .send()
            .await
            .unwrap()
    }

    /// Enrolls a new device with `code`, which must work.
    pub async fn enroll_ok(&self, code: &str) -> Device {
        let id = DeviceId::new();
        let response = self.enroll(code, id).await;
        assert_eq!(response.status(), StatusCode::OK);
        let enrolled: EnrollResponse = response.json().await.unwrap();
        Device {
            id,
            token: enrolled.device_token,
            seller_id: enrolled.seller_id,
        }
    }

    /// A new seller with one enrolled device.
    pub async fn seller_with_device(&self, name: &str) -> Device {
        let seller = self.add_seller(name);
        self.enroll_ok(&seller.code).await
    }

    /// Another enrolled device of the same seller.
    pub async fn second_device(&self, of: &Device) -> Device {
        let code = self.new_code(&of.seller_id);
        self.enroll_ok(&code).await
    }

    pub fn request(&self, device: &Device, ops: Vec<Operation>, cursor: u64) -> SyncRequest {
        sync_request(device, ops, cursor)
    }

    pub async fn post_sync(&self, token: Option<&str>, body: &SyncRequest) -> reqwest::Response {
        let mut request = self.http.post(format!("{}/v1/sync", self.url)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// One sync that must succeed.
    pub async fn sync_request(&self, device: &Device, request: &SyncRequest) -> SyncResponse {
        let response = self.post_sync(Some(&device.token), request).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{text}");
        serde_json::from_str(&text).unwrap()
    }

    pub async fn sync(&self, device: &Device, ops: Vec<Operation>, cursor: u64) -> SyncResponse {
        let request = self.request(device, ops, cursor);
        self.sync_request(device, &request).await
    }

    /// Pulls everything after `cursor`, page by page; returns the operations
    /// and the final cursor.
    pub async fn pull_all(&self, device: &Device, mut cursor: u64) -> (Vec<Operation>, u64) {
        let mut ops = Vec::new();
        loop {
            let response = self.sync(device, vec![], cursor).await;
            ops.extend(response.read_operations().unwrap());
            cursor = response.cursor;
            if !response.more {
                return (ops, cursor);
            }
        }
    }

    pub async fn assert_healthy(&self) {
        let response = self
            .http
            .get(format!("{}/healthz", self.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.text().await.unwrap(), "ok");
    }

    pub fn listing(&self, id: ListingId) -> highland_hub::ListingView {
        self.db
            .listings(None)
            .unwrap()
            .into_iter()
            .find(|l| l.id == id.to_string())
            .expect("the hub has the listing")
    }
}

/// Reads an error response, checking its status and code.
pub async fn expect_error(
    response: reqwest::Response,
    status: StatusCode,
    code: &str,
) -> ErrorBody {
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json"),
    );
    assert_eq!(response.status(), status);
    let body: ErrorBody = response.json().await.unwrap();
    assert_eq!(body.code, code, "{}", body.message);
    assert!(!body.message.is_empty());
    body
}

pub fn applied(ack: &Ack) -> bool {
    matches!(ack.outcome, AckOutcome::Applied { .. })
}

pub fn refusal_code(ack: &Ack) -> Option<&str> {
    match &ack.outcome {
        AckOutcome::Refused { reason } => Some(reason.code.as_str()),
        AckOutcome::Applied { .. } => None,
    }
}

/// The request a device sends to push `ops` from `cursor`, for tests that
/// talk to a hub they started some other way (a binary, TLS).
pub fn sync_request(device: &Device, ops: Vec<Operation>, cursor: u64) -> SyncRequest {
    SyncRequest {
        protocol: PROTOCOL_VERSION,
        device_id: device.id,
        cursor,
        operations: LoggedOperation::all(&ops).unwrap(),
        max_pull_bytes: 256 * 1024,
        last_pulled: None,
        own_too: false,
        platform: None,
        resent: Vec::new(),
        incarnation: None,
    }
}

pub fn op(device: &Device, wall_ms: u64, payload: Payload) -> Operation {
    Operation {
        id: OperationId::new(),
        device_id: device.id,
        hlc: Hlc::from_wall_ms(wall_ms),
        payload,
    }
}

/// A village lot harvested on `harvested` (YYYY-MM-DD), as a seller
/// records it with `highland lot add`.
pub fn village_lot(village: &str, harvested: &str) -> Lot {
    Lot {
        id: LotId::new(),
        village: ShortText::parse(village).unwrap(),
        altitude: None,
        harvested_on: Some(harvested.parse().unwrap()),
        environment: None,
    }
}

pub fn new_listing(title: &str, unit: Unit, price_fen: i64) -> Listing {
    Listing {
        id: ListingId::new(),
        title: Title::parse(title).unwrap(),
        category: Category::Honey,
        unit,
        price: Price::from_fen(price_fen).unwrap(),
        status: ListingStatus::Listed,
        description: None,
        lot_id: None,
    }
}

pub fn created(listing: &Listing) -> Payload {
    Payload::ListingCreated {
        listing: listing.clone(),
    }
}

pub fn received(listing: &Listing, base: i64) -> Payload {
    Payload::StockAdjusted {
        adjustment: StockAdjustment {
            id: AdjustmentId::new(),
            listing_id: listing.id,
            kind: AdjustmentKind::Received,
            change: QuantityDelta::from_base(base, listing.unit).unwrap(),
            reason: None,
            at: DateTime::from_timestamp_millis(NOW_MS as i64).unwrap(),
        },
    }
}

pub fn sold(listing: &Listing, base: i64) -> Payload {
    Payload::SaleRecorded {
        sale: Sale {
            id: SaleId::new(),
            listing_id: listing.id,
            quantity: Quantity::from_base(base, listing.unit).unwrap(),
            unit_price: listing.price,
            payment: PaymentMethod::Wechat,
            buyer: None,
            sold_at: DateTime::from_timestamp_millis(NOW_MS as i64).unwrap(),
            order_id: None,
        },
    }
}

pub fn priced(listing: &Listing, fen: i64) -> Payload {
    Payload::ListingEdited {
        listing_id: listing.id,
        changes: FieldChanges::new(vec![ListingField::Price(Price::from_fen(fen).unwrap())])
            .unwrap(),
    }
}

pub fn retitled(listing: &Listing, title: &str) -> Payload {
    Payload::ListingEdited {
        listing_id: listing.id,
        changes: FieldChanges::new(vec![ListingField::Title(Title::parse(title).unwrap())])
            .unwrap(),
    }
}

/// A code with a correct check character that no hub issued.
pub fn unissued_code() -> String {
    CheckedCode::from_random(&[7, 7, 7, 7, 7, 7, 7, 7], 8).grouped()
}

// ---------------------------------------------------------------------------
// The buyer's staff and the staff API

/// A member of staff as the tests play them: their name and token.
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: String,
    pub name: String,
    pub token: String,
}

impl TestHub {
    /// A member of staff, added as `highland-hub staff add` adds them.
    pub fn add_staff(&self, name: &str) -> Staff {
        let added = highland_hub::staff::add_staff(
            self.db.as_ref(),
            ShortText::parse(name).unwrap(),
            self.clock.now_ms(),
        )
        .unwrap();
        Staff {
            id: added.staff_id,
            name: added.name,
            token: added.token,
        }
    }

    /// A seller in `village` with one enrolled device.
    pub async fn seller_in(&self, name: &str, village: &str) -> Device {
        let new = NewSeller {
            name: ShortText::parse(name).unwrap(),
            village: ShortText::parse(village).unwrap(),
            phone: None,
        };
        let added = admin::add_seller(self.db.as_ref(), new, self.clock.now_ms()).unwrap();
        self.enroll_ok(&added.code).await
    }

    /// `GET path` (such as "/v1/listings?village=Yubeng") with a bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// `POST path` with a JSON body and a bearer token.
    pub async fn post_as(
        &self,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.url))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// A staff GET that must succeed, read as `T`.
    pub async fn staff_get<T: serde::de::DeserializeOwned>(&self, staff: &Staff, path: &str) -> T {
        let response = self.get_as(&staff.token, path).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// Every listing a query finds, following `next_cursor` page by page;
    /// also returns how many pages that took.
    pub async fn walk_listings(
        &self,
        staff: &Staff,
        query: &str,
    ) -> (Vec<highland_hub::catalog::CatalogListing>, usize) {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut path = format!("/v1/listings?{query}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page: highland_hub::catalog::ListingPage = self.staff_get(staff, &path).await;
            pages += 1;
            items.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return (items, pages),
            }
            assert!(pages < 1000, "the pages never end");
        }
    }

    /// `POST /v1/session` with a name and a token.
    pub async fn log_in(&self, name: &str, token: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/v1/session", self.url))
            .json(&serde_json::json!({"name": name, "token": token}))
            .send()
            .await
            .unwrap()
    }

    /// `GET path` with a session cookie.
    pub async fn get_with_session(&self, session: &str, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.url))
            .header(
                "cookie",
                format!("{}={session}", highland_hub::staff::SESSION_COOKIE),
            )
            .send()
            .await
            .unwrap()
    }
}

/// A listing with the category and status a test needs.
pub fn listing_of(title: &str, category: Category, status: ListingStatus) -> Listing {
    Listing {
        category,
        status,
        ..new_listing(title, Unit::Kg, 6850)
    }
}

/// The session id in a login response's `Set-Cookie`.
pub fn session_of(response: &reqwest::Response) -> String {
    let cookie = response
        .headers()
        .get("set-cookie")
        .expect("a Set-Cookie header")
        .to_str()
        .unwrap();
    let (pair, _) = cookie.split_once(';').unwrap();
    let (name, value) = pair.split_once('=').unwrap();
    assert_eq!(name, highland_hub::staff::SESSION_COOKIE);
    value.to_owned()
}

/// The `Retry-After` of a 429, in seconds.
pub fn retry_after(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// A form value as a browser sends it (application/x-www-form-urlencoded):
/// every byte but the unreserved ones percent-encoded.
pub fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What a command printed on stdout, which must have succeeded.
pub fn stdout_of(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

/// The JSON a command printed, which must have succeeded.
pub fn json_of(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    serde_json::from_str(&stdout_of(cmd)).unwrap()
}

/// What a command said on stderr, which must have failed.
pub fn stderr_of_failure(cmd: &mut assert_cmd::Command) -> String {
    let err = cmd.assert().failure().get_output().stderr.clone();
    String::from_utf8(err).unwrap()
}

impl TestHub {
    /// `POST /v1/sync` with a body as an attacker or a newer app writes it,
    /// not as this build's types can; the answer must be a 200.
    pub async fn sync_raw(&self, token: &str, body: &serde_json::Value) -> SyncResponse {
        let response = self
            .http
            .post(format!("{}/v1/sync", self.url))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }
}
