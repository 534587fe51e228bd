//! Structured fuzzing of what a stranger can send the hub: sync bodies from
//! an enrolled device, enrollments from no one in particular, photo uploads
//! and plain bytes, through the real router in this process
//! (`highland_hub::app` over SQLite in a temporary directory, by `oneshot`).
//!
//! The attacker is seller A's device; the victim is seller B, who has a lot,
//! a listing on it, stock, a sale, a certificate, a photo half uploaded and
//! an order on a collection round. Operations are generated as JSON, so shapes no device makes are
//! reached too: every payload kind, B's ids where A's belong, fields given
//! twice (in an edit's changes, as duplicate keys), extreme numbers, odd
//! Unicode, wrong types. After every case: no answer is a 500 (a handler
//! that panics answers one), nothing of B's reaches A, and B's data is what
//! it was: B's listings, sales, order, photos and uploads, B's log as B's
//! device pulls it, and the public trace page of B's lot.
//!
//! Each property runs 256 cases from proptest's fixed ChaCha seed, so CI runs
//! the same cases every time. For more cases, or others (the seed is any u64;
//! ChaCha is seeded with its little-endian bytes):
//!
//! ```text
//! HIGHLAND_FUZZ_CASES=5000 HIGHLAND_FUZZ_SEED=7 cargo nextest run -p highland-hub --test fuzz
//! ```

mod common;

use std::fmt::Debug;
use std::io::Write;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, request};
use common::{Device, NOW_MS};
use highland_domain::wire::{EnrollResponse, PROTOCOL_VERSION, SyncResponse};
use highland_domain::{
    DeviceId, ListingId, LotId, Operation, OrderId, Payload, PhotoSubject, Price, Quantity,
    RoundId, Sha256, ShortText, TraceCode, Unit, Weight,
};
use highland_exchange::orders::NewOrder;
use highland_exchange::rounds::view::RoundDetail;
use highland_exchange::rounds::{PlannedStop, RoundChoice, RoundPlan};
use highland_hub::admin::{self, NewSeller};
use highland_hub::photos::frames::encode_frame;
use highland_hub::photos::{PhotoView, UploadStatus};
use highland_hub::{AppState, HubDb, ListingView, ManualClock, OrderDetail, SaleView, Storage};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseResult, TestRng, TestRunner};
use serde_json::{Value, json};
use sha2::Digest;
use tower::ServiceExt;
use uuid::Uuid;

/// B's listing's title: in nothing A is sent.
const VICTIM_TITLE: &str = "Victim's yak butter";
/// The length of each seller's photo files; B has sent half of one.
const PHOTO_BYTES: usize = 20_000;
const FRAMES: &str = "application/vnd.highland.photo-frames";

// ---------------------------------------------------------------------------
// The hub, the two sellers and B's data

/// The ids of one seller's things, or of things no one has.
#[derive(Debug, Clone, Copy)]
struct Ids {
    listing: Uuid,
    lot: Uuid,
    sale: Uuid,
    certificate: Uuid,
    adjustment: Uuid,
    photo: Uuid,
    order: Uuid,
    /// The first operation of the seller's.
    op: Uuid,
    display: Sha256,
    thumbnail: Sha256,
    /// The collection round the seller's order rides, and its stop.
    round: Uuid,
    stop: Uuid,
}

impl Ids {
    fn fresh(seed: u128) -> Ids {
        let id = |k: u128| Uuid::from_u128(seed.wrapping_add(k));
        let sha = |k| Sha256::from_digest(sha2::Sha256::digest(id(k).as_bytes()).into());
        let [
            listing,
            lot,
            sale,
            certificate,
            adjustment,
            photo,
            order,
            op,
        ] = [0, 1, 2, 3, 4, 5, 6, 7].map(id);
        let (display, thumbnail) = (sha(8), sha(9));
        let (round, stop) = (id(10), id(11));
        Ids {
            round,
            stop,
            listing,
            lot,
            sale,
            certificate,
            adjustment,
            photo,
            order,
            op,
            display,
            thumbnail,
        }
    }

    /// Every id, to put where any id may go.
    fn all(&self) -> Vec<Value> {
        let ids = [
            self.listing,
            self.lot,
            self.sale,
            self.certificate,
            self.adjustment,
            self.photo,
            self.order,
            self.op,
            self.round,
            self.stop,
        ];
        ids.iter()
            .map(|id| json!(id))
            .chain([json!(self.display)])
            .collect()
    }
}

/// A well-formed payload of `kind` about `own`'s thing, naming `refs`'s
/// things (B's, when the attacker reaches across). `flag` picks between two
/// forms; `true` is what a device makes.
fn template(kind: &str, own: Ids, refs: Ids, flag: bool) -> Value {
    let at = "2026-05-28T20:26:40Z";
    let kg = |base: i64| json!({"unit": "kg", "base": base});
    let file = |sha| json!({"sha256": sha, "bytes": PHOTO_BYTES, "width": 1600, "height": 1200, "media_type": "image/jpeg"});
    let subject = if flag {
        json!({"kind": "lot", "id": refs.lot})
    } else {
        json!({"kind": "listing", "id": refs.listing})
    };
    let mut payload = match kind {
        "listing_created" => {
            json!({"listing": {"id": own.listing, "title": "Fuzz", "category": "honey", "unit": "kg",
            "price": 6850, "status": "listed", "description": null, "lot_id": refs.lot}})
        }
        "listing_edited" => {
            json!({"listing_id": own.listing, "changes": [{"field": "price", "value": 1},
            {"field": "lot", "value": refs.lot}]})
        }
        "lot_recorded" => json!({"lot": {"id": own.lot, "village": "Yubeng", "altitude": null,
            "harvested_on": "2026-05-01", "environment": null}}),
        "certificate_issued" => {
            json!({"certificate": {"id": own.certificate, "lot_id": refs.lot, "product": "Fuzz",
            "quantity": kg(1_000), "origin": "Yubeng", "issuer": "Fuzz", "issued_on": "2026-05-02", "basis": "own_word"}})
        }
        "sale_recorded" => {
            json!({"sale": {"id": own.sale, "listing_id": refs.listing, "quantity": kg(1_000),
            "unit_price": 6850, "payment": "cash", "buyer": null, "sold_at": at}})
        }
        "photo_added" => json!({"photo": {"id": own.photo, "subject": subject,
            "display": file(refs.display), "thumbnail": file(refs.thumbnail)}}),
        "photo_removed" => json!({"photo_id": own.photo}),
        // A device voids its own sale; the fuzz also has it name the other
        // seller's (refs) to see that refused.
        "sale_voided" => json!({"sale_id": if flag { own.sale } else { refs.sale },
            "reason": "a mistake", "at": at}),
        "stock_adjusted" => json!({"adjustment": {"id": own.adjustment, "listing_id": refs.listing,
            "kind": if flag { "received" } else { "correction" }, "change": kg(if flag { 10_000 } else { -5_000 }),
            "reason": null, "at": at}}),
        "order_placed" => {
            json!({"order": {"id": own.order, "listing_id": refs.listing, "quantity": kg(1_000),
            "unit_price": 1, "hand_over_by": null, "note": null, "placed_at": at}})
        }
        "order_action_taken" if flag => {
            json!({"order_id": own.order, "actor": "seller", "action": "decline",
            "reason": "none left", "at": at})
        }
        "order_action_taken" => {
            json!({"order_id": own.order, "actor": "staff", "action": "receive",
            "quantity": kg(1), "at": at})
        }
        // The hub's own: a device sending one is refused whoever's it names.
        "round_published" => json!({"round": {"id": refs.round, "date": "2026-06-04",
            "vehicle": "Fuzz", "capacity": 1_000_000, "state": if flag { "planned" } else { "cancelled" },
            "stops": [{"id": refs.stop, "place": "Yubeng", "expected_at": "10:00"}]}}),
        "order_routed" => json!({"order_id": refs.order,
            "round": if flag { json!({"round_id": own.round, "stop_id": own.stop}) } else { json!(null) }}),
        "order_loaded" => json!({"load": {"order_id": refs.order, "round_id": refs.round,
            "stop_id": refs.stop, "quantity": kg(1_000), "weight": 1_000, "at": at}}),
        // A device answers the round its own orders ride; the fuzz also has
        // it answer the other seller's (refs), to see that refused.
        "round_answered" if flag => json!({"round_id": refs.round, "answer": "coming", "at": at}),
        "round_answered" => json!({"round_id": refs.round, "answer": "not-coming",
            "reason": "fuzz", "at": at}),
        "listing_weighed" => json!({"listing_id": refs.listing,
            "weight_per_unit": if flag { json!(750) } else { json!(null) }}),
        _ => unreachable!("{kind}"),
    };
    if kind == "sale_recorded" && !flag {
        payload["sale"]["order_id"] = json!(refs.order); // only the hub makes these
    }
    payload["kind"] = json!(kind);
    payload
}

/// An operation's text: `payload` is text, so it may be JSON no `Value` holds.
fn operation(id: Uuid, device: DeviceId, hlc: &str, payload: &str) -> String {
    format!(
        r#"{{"id":{},"device_id":{},"hlc":{hlc},"payload":{payload}}}"#,
        json!(id),
        json!(device)
    )
}

fn sync_body(device: DeviceId, cursor: &str, ops: &[String], max_pull_bytes: &str) -> String {
    format!(
        r#"{{"protocol":{PROTOCOL_VERSION},"device_id":{},"cursor":{cursor},"operations":[{}],"max_pull_bytes":{max_pull_bytes}}}"#,
        json!(device),
        ops.join(",")
    )
}

struct Seller {
    device: Device,
    code: String,
    ids: Ids,
}

/// Everything of B's that A must not change.
#[derive(Debug, PartialEq)]
struct Snapshot {
    listings: Vec<ListingView>,
    sales: Vec<SaleView>,
    order: Option<OrderDetail>,
    photos: Vec<PhotoView>,
    uploads: [Option<UploadStatus>; 2],
    log: (StatusCode, Vec<Operation>),
    trace_page: (StatusCode, String),
    round: Option<RoundDetail>,
}

/// The real router over a SQLite hub, called from synchronous proptest
/// closures.
struct Hub {
    rt: tokio::runtime::Runtime,
    router: Router,
    db: Arc<HubDb>,
    _dir: tempfile::TempDir,
}

/// The hub, the two sellers, and B's data as it was.
struct Fixture {
    hub: Hub,
    a: Seller,
    b: Seller,
    before: Snapshot,
}

fn request(
    method: Method,
    uri: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> request::Builder {
    let auth = token.map(|t| format!("Bearer {t}"));
    let auth = auth.iter().map(|a| ("authorization", a.as_str()));
    let builder = Request::builder().method(method).uri(uri);
    auth.chain(headers.iter().copied())
        .fold(builder, |b, (name, value)| b.header(name, value))
}

fn sha(bytes: &[u8]) -> Sha256 {
    Sha256::from_digest(sha2::Sha256::digest(bytes).into())
}

/// An id with the last eight bytes of `id` (where a trace code comes from)
/// and the first eight of `seed`.
fn twin(id: Uuid, seed: u128) -> Uuid {
    Uuid::from_u128((seed << 64) | (id.as_u128() & u128::from(u64::MAX)))
}

/// The bytes of a seller's photo file (the hub never decodes one).
fn photo_file(seed: u8) -> Vec<u8> {
    (0..PHOTO_BYTES)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect()
}

impl Hub {
    fn new() -> Hub {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(HubDb::open_dir(dir.path()).unwrap());
        let state = AppState::new(db.clone(), Arc::new(ManualClock::at(NOW_MS)));
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        Hub {
            rt,
            router: highland_hub::app(state),
            db,
            _dir: dir,
        }
    }

    /// One request through the router: its status and its body as text.
    fn call(&self, request: Request<Body>) -> (StatusCode, String) {
        self.rt.block_on(async {
            let response = self.router.clone().oneshot(request).await.unwrap();
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&body).into_owned())
        })
    }

    fn post_json(&self, path: &str, token: Option<&str>, body: String) -> (StatusCode, String) {
        let request = request(
            Method::POST,
            path,
            token,
            &[("content-type", "application/json")],
        );
        self.call(request.body(Body::from(body)).unwrap())
    }

    fn patch(
        &self,
        device: &Device,
        name: impl Debug + ToString,
        offset: &str,
        body: Vec<u8>,
    ) -> (StatusCode, String) {
        let headers = [("content-type", FRAMES), ("upload-offset", offset)];
        let uri = format!("/v1/photos/{}/upload", name.to_string());
        self.call(
            request(Method::PATCH, &uri, Some(&device.token), &headers)
                .body(Body::from(body))
                .unwrap(),
        )
    }

    /// A seller with an enrolled device, a lot, a listing on it with stock
    /// and a sale, a certificate, a photo of the lot, and an order from staff.
    fn seller(&self, name: &str, title: &str, seed: u8) -> Seller {
        let text = |s: &str| ShortText::parse(s).unwrap();
        let new = NewSeller {
            name: text(name),
            village: text("Yubeng"),
            phone: None,
        };
        let added = admin::add_seller(self.db.as_ref(), new, NOW_MS).unwrap();
        let id = DeviceId::new();
        let enroll = json!({"protocol": PROTOCOL_VERSION, "code": added.code, "device_id": id});
        let (status, answer) = self.post_json("/v1/enroll", None, enroll.to_string());
        assert_eq!(status, StatusCode::OK, "{answer}");
        let enrolled: EnrollResponse = serde_json::from_str(&answer).unwrap();
        let device = Device {
            id,
            token: enrolled.device_token,
            seller_id: enrolled.seller_id,
        };
        let files = [photo_file(seed), photo_file(seed + 1)];
        let ids = Ids {
            display: sha(&files[0]),
            thumbnail: sha(&files[1]),
            ..Ids::fresh(u128::from_be_bytes([seed; 16]))
        };
        let kinds = [
            "lot_recorded",
            "listing_created",
            "stock_adjusted",
            "sale_recorded",
            "certificate_issued",
            "photo_added",
        ];
        let ops: Vec<String> = (0u16..)
            .zip(kinds)
            .map(|(i, kind)| {
                let mut payload = template(kind, ids, ids, true);
                if kind == "listing_created" {
                    payload["listing"]["title"] = json!(title);
                }
                operation(
                    Uuid::from_u128(ids.op.as_u128() + u128::from(i)),
                    id,
                    &((NOW_MS + u64::from(i)) << 16).to_string(),
                    &payload.to_string(),
                )
            })
            .collect();
        let (status, answer) = self.post_json(
            "/v1/sync",
            Some(&device.token),
            sync_body(id, "0", &ops, "65536"),
        );
        let acks = serde_json::from_str::<SyncResponse>(&answer).unwrap().acks;
        assert!(
            status == StatusCode::OK && acks.iter().all(common::applied),
            "{answer}"
        );
        // A round of the seller's own, whose stop id the hub makes.
        let plan = RoundPlan {
            date: "2026-06-04".parse().unwrap(),
            vehicle: text(name),
            capacity: Weight::parse_kg("1000").unwrap(),
            stops: vec![PlannedStop::parse_line("10:00 Yubeng").unwrap()],
        };
        let round = self
            .db
            .plan_round(RoundId::from_uuid(ids.round), &plan, NOW_MS)
            .unwrap();
        let ids = Ids {
            stop: round.stops[0].id.parse().unwrap(),
            ..ids
        };
        let order = NewOrder {
            id: OrderId::from_uuid(ids.order),
            listing_id: ListingId::from_uuid(ids.listing),
            quantity: Quantity::from_base(2_000, Unit::Kg).unwrap(),
            unit_price: Price::from_fen(6850).unwrap(),
            hand_over_by: None,
            note: None,
            round: Some(RoundChoice {
                round: RoundId::from_uuid(ids.round),
                stop: None,
            }),
        };
        self.db.place_order(&order, Some("Lhamo"), NOW_MS).unwrap();
        Seller {
            device,
            code: added.code,
            ids,
        }
    }

    fn snapshot(&self, b: &Seller) -> Snapshot {
        let seller = b.device.seller_id.parse().unwrap();
        let lot = LotId::from_uuid(b.ids.lot);
        let (status, pulled) = self.post_json(
            "/v1/sync",
            Some(&b.device.token),
            sync_body(b.device.id, "0", &[], "16777216"),
        );
        let log = serde_json::from_str::<SyncResponse>(&pulled)
            .map_or(vec![], |r| r.read_operations().unwrap());
        let page = format!("/t/{}", TraceCode::of_lot(lot).as_str());
        let page =
            request(Method::GET, &page, None, &[("accept-language", "en")]).body(Body::empty());
        Snapshot {
            listings: self.db.listings(Some(seller)).unwrap(),
            sales: self.db.sales(Some(seller)).unwrap(),
            order: self.db.order(OrderId::from_uuid(b.ids.order)).unwrap(),
            photos: self.db.photos_of(PhotoSubject::Lot(lot)).unwrap(),
            uploads: [b.ids.display, b.ids.thumbnail]
                .map(|n| self.db.upload_status(seller, n).unwrap()),
            log: (status, log),
            trace_page: self.call(page.unwrap()),
            round: self.db.round(RoundId::from_uuid(b.ids.round)).unwrap(),
        }
    }
}

impl Fixture {
    fn new() -> Fixture {
        let hub = Hub::new();
        let a = hub.seller("Attacker", "Attacker's honey", 1);
        let b = hub.seller("Victim", VICTIM_TITLE, 3);
        let half: Vec<u8> = photo_file(3)[..PHOTO_BYTES / 2]
            .chunks(4096)
            .flat_map(encode_frame)
            .collect();
        assert_eq!(
            hub.patch(&b.device, b.ids.display, "0", half).0,
            StatusCode::NO_CONTENT
        );
        let before = hub.snapshot(&b);
        assert!(
            before.trace_page.1.contains(VICTIM_TITLE),
            "the trace page shows B's listing: {:?}",
            before.trace_page
        );
        assert_eq!(before, hub.snapshot(&b), "looking changes nothing");
        Fixture { hub, a, b, before }
    }

    /// What every case must leave true, whatever it sent.
    fn check(&self, sent: &str, (status, answer): (StatusCode, String)) -> TestCaseResult {
        let sent: String = sent.chars().take(2000).collect();
        prop_assert!(
            status.as_u16() < 500,
            "answered {status}: {answer}\nto: {sent}"
        );
        prop_assert!(
            !answer.contains(VICTIM_TITLE),
            "B's listing reached A: {answer}"
        );
        let now = self.hub.snapshot(&self.b);
        prop_assert!(
            now == self.before,
            "B's data changed\nwas: {:?}\nnow: {now:?}\nafter: {sent}",
            self.before
        );
        Ok(())
    }
}

/// Runs a property for `HIGHLAND_FUZZ_CASES` cases (256 unless set) from a
/// fixed seed, or `HIGHLAND_FUZZ_SEED`'s, so CI is deterministic.
fn run<S: Strategy>(strategy: S, test: impl Fn(S::Value) -> TestCaseResult)
where
    S::Value: Debug,
{
    let env = |name| {
        std::env::var(name)
            .ok()
            .map(|v| v.parse::<u64>().expect(name))
    };
    let config = Config {
        cases: env("HIGHLAND_FUZZ_CASES").map_or(256, |n| n as u32),
        failure_persistence: None,
        // The hub keeps what every case did, so a smaller case replayed
        // after the failing one proves nothing: report the one that failed.
        max_shrink_iters: 0,
        ..Config::default()
    };
    let rng = match env("HIGHLAND_FUZZ_SEED") {
        Some(seed) => TestRng::from_seed(
            RngAlgorithm::ChaCha,
            &[seed.to_le_bytes(), [0; 8], [0; 8], [0; 8]].concat(),
        ),
        None => TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    };
    if let Err(failure) = TestRunner::new_with_rng(config, rng).run(&strategy, test) {
        panic!("{failure}");
    }
}

// ---------------------------------------------------------------------------
// Hostile values

/// Markers for JSON that `serde_json::Value` cannot hold, written into the
/// text in their place: a number past u64 (and past f64), a lone UTF-16
/// surrogate, and nesting deeper than serde_json reads.
fn render(value: &Value) -> String {
    let raw = [
        ("big", "123456789012345678901234567890".to_owned()),
        ("huge", "-1e400".to_owned()),
        ("surrogate", r#""\ud800 alone""#.to_owned()),
        ("deep", format!("{}{}", "[".repeat(300), "]".repeat(300))),
    ];
    raw.iter().fold(value.to_string(), |text, (name, raw)| {
        text.replace(&marker(name).to_string(), raw)
    })
}

fn marker(name: &str) -> Value {
    json!(format!("\u{1}{name}"))
}

fn hostile_string() -> impl Strategy<Value = String> {
    let odd = [
        "བཀྲ་ཤིས་བདེ་ལེགས། ཡུལ་ཚོ་",                       // Tibetan
        "\u{202E}\u{200F}ཡི་གེ\u{202C} right to left", // bidi overrides and marks
        "nul\0inside",
        "\u{0301}\u{0F71}", // combining marks with nothing to combine with
        "🐂🍯👩‍👩‍👧\u{FE0F}",
        "",
        " \t\n",
        "<script>alert(1)</script>&amp;",
        "\u{FEFF}\u{FFFF}\u{10FFFF}",
    ];
    prop_oneof![
        4 => select(odd.map(str::to_owned).to_vec()),
        1 => Just("ཀ".repeat(20_000)), // 60 KB: just under what one operation may be
        1 => Just("a".repeat(70_000)), // over it
        2 => any::<String>(),
    ]
}

fn hostile_number() -> impl Strategy<Value = Value> {
    let extreme = vec![
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(-1),
        json!(0),
        json!(0.5),
        json!(-1e300),
        marker("big"),
        marker("huge"),
    ];
    prop_oneof![3 => select(extreme), 1 => any::<i64>().prop_map(Value::from)]
}

/// Anything where a value goes, B's ids included.
fn hostile_value(b: Ids) -> impl Strategy<Value = Value> {
    let shapes = vec![
        Value::Null,
        json!(true),
        json!([]),
        json!({}),
        json!([1, "two"]),
        json!({"kind": "lot"}),
        marker("surrogate"),
        marker("deep"),
    ];
    prop_oneof![
        4 => hostile_string().prop_map(Value::from),
        4 => hostile_number(),
        3 => select(b.all()),
        1 => any::<u128>().prop_map(|n| json!(Uuid::from_u128(n))),
        1 => select(shapes),
    ]
}

// ---------------------------------------------------------------------------
// Operations

/// Whose ids go somewhere.
#[derive(Debug, Clone, Copy)]
enum Who {
    Attacker,
    Victim,
    Fresh(u128),
    /// Fresh ids, but a lot whose id ends as B's lot's does: the random
    /// part its trace code is made from, so the two share a trace code.
    Twin(u128),
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        Just(Who::Attacker),
        Just(Who::Victim),
        any::<u128>().prop_map(Who::Fresh),
        any::<u128>().prop_map(Who::Twin),
    ]
}

/// A change to a well-formed payload.
#[derive(Debug, Clone)]
enum Edit {
    /// Replaces the value at one place in the payload, at any depth.
    Replace(Index, Value),
    Remove(Index),
    Add(&'static str, Value),
    /// Appends to an edit's changes a field it may already change.
    RepeatField(&'static str, Value),
}

fn edit(b: Ids) -> impl Strategy<Value = Edit> {
    let keys = vec![
        "seller_id",
        "device_id",
        "kind",
        "lot_id",
        "listing_id",
        "__proto__",
    ];
    let fields = vec![
        "lot",
        "lot",
        "price",
        "title",
        "status",
        "description",
        "category",
        "seller",
    ];
    prop_oneof![
        (any::<Index>(), hostile_value(b)).prop_map(|(i, v)| Edit::Replace(i, v)),
        any::<Index>().prop_map(Edit::Remove),
        (select(keys), hostile_value(b)).prop_map(|(k, v)| Edit::Add(k, v)),
        (
            select(fields),
            prop_oneof![Just(json!(b.lot)), hostile_value(b)]
        )
            .prop_map(|(f, v)| Edit::RepeatField(f, v)),
    ]
}

/// Every JSON pointer below `value`.
fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => vec![],
    };
    for (key, child) in children {
        out.push(format!("{at}/{key}"));
        pointers(child, &format!("{at}/{key}"), out);
    }
}

fn apply(payload: &mut Value, edit: &Edit) {
    let mut all = vec![];
    pointers(payload, "", &mut all);
    match edit {
        Edit::Replace(i, value) if !all.is_empty() => {
            *payload.pointer_mut(i.get::<String>(&all)).unwrap() = value.clone()
        }
        Edit::Remove(i) if !all.is_empty() => {
            let (parent, last) = i.get::<String>(&all).rsplit_once('/').unwrap();
            match payload.pointer_mut(parent) {
                Some(Value::Object(map)) => _ = map.remove(last),
                Some(Value::Array(items)) => _ = items.remove(last.parse().unwrap()),
                _ => {}
            }
        }
        Edit::Add(key, value) => payload[*key] = value.clone(),
        Edit::RepeatField(field, value) => {
            if let Some(Value::Array(changes)) = payload.get_mut("changes") {
                changes.push(json!({"field": field, "value": value}));
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
struct OpCase {
    kind: &'static str,
    /// Whose thing the operation is about, and whose things it names.
    own: Who,
    refs: Who,
    flag: bool,
    /// Whose operation id and device id it carries.
    id: Who,
    device: Who,
    hlc: Value,
    edits: Vec<Edit>,
    /// A key written twice in the payload: first this value, then its own.
    duplicate: Option<(&'static str, Value)>,
}

fn op_case(b: Ids) -> impl Strategy<Value = OpCase> {
    // Now, an hour ago (before B's things), or anything.
    let hlc = prop_oneof![
        2 => Just(json!(NOW_MS << 16)),
        1 => Just(json!((NOW_MS - 3_600_000) << 16)),
        1 => hostile_number()
    ];
    let device = prop_oneof![4 => Just(Who::Attacker), 1 => who()];
    let keys = vec!["kind", "listing_id", "order_id", "listing", "photo_id"];
    let duplicate = proptest::option::weighted(0.2, (select(keys), select(b.all())));
    let edits = vec(edit(b), 0..3);
    (
        select(Payload::KINDS.to_vec()),
        who(),
        who(),
        any::<bool>(),
        who(),
        device,
        hlc,
        edits,
        duplicate,
    )
        .prop_map(
            |(kind, own, refs, flag, id, device, hlc, edits, duplicate)| OpCase {
                kind,
                own,
                refs,
                flag,
                id,
                device,
                hlc,
                edits,
                duplicate,
            },
        )
}

impl Fixture {
    fn ids(&self, who: Who) -> Ids {
        match who {
            Who::Attacker => self.a.ids,
            Who::Victim => self.b.ids,
            Who::Fresh(n) => Ids::fresh(n),
            Who::Twin(n) => Ids {
                lot: twin(self.b.ids.lot, n),
                ..Ids::fresh(n)
            },
        }
    }

    fn device_id(&self, who: Who) -> DeviceId {
        match who {
            Who::Attacker => self.a.device.id,
            Who::Victim => self.b.device.id,
            Who::Fresh(n) | Who::Twin(n) => DeviceId::from_uuid(Uuid::from_u128(n)),
        }
    }

    fn operation(&self, case: &OpCase) -> String {
        let mut payload = template(
            case.kind,
            self.ids(case.own),
            self.ids(case.refs),
            case.flag,
        );
        case.edits.iter().for_each(|edit| apply(&mut payload, edit));
        let mut payload = render(&payload);
        if let Some((key, value)) = &case.duplicate {
            payload = format!("{{{}:{value},{}", json!(key), &payload[1..]);
        }
        operation(
            self.ids(case.id).op,
            self.device_id(case.device),
            &render(&case.hlc),
            &payload,
        )
    }
}

#[derive(Debug, Clone)]
struct SyncCase {
    protocol: Value,
    device: Who,
    /// Sends `device_id` twice, B's first.
    duplicate_device: bool,
    cursor: Value,
    max_pull_bytes: Value,
    ops: Vec<OpCase>,
    zstd: bool,
}

fn sync_case(b: Ids) -> impl Strategy<Value = SyncCase> {
    let u64s = prop_oneof![Just(0), Just(u64::MAX), any::<u64>()].prop_map(Value::from);
    let u32s =
        prop_oneof![Just(65_536), Just(0), Just(u32::MAX), any::<u32>()].prop_map(Value::from);
    (
        prop_oneof![12 => Just(json!(PROTOCOL_VERSION)), 1 => hostile_number()],
        prop_oneof![9 => Just(Who::Attacker), 1 => who()],
        proptest::bool::weighted(0.05),
        prop_oneof![6 => u64s, 1 => hostile_number()],
        prop_oneof![6 => u32s, 1 => hostile_number()],
        vec(op_case(b), 1..6),
        proptest::bool::weighted(0.25),
    )
        .prop_map(
            |(protocol, device, duplicate_device, cursor, max_pull_bytes, ops, zstd)| SyncCase {
                protocol,
                device,
                duplicate_device,
                cursor,
                max_pull_bytes,
                ops,
                zstd,
            },
        )
}

// ---------------------------------------------------------------------------
// Headers and bodies

/// A `Content-Encoding`, and whether the body is compressed to match it.
type Encoding = (Option<&'static str>, bool);

fn encodings() -> impl Strategy<Value = Encoding> {
    let odd = vec![
        Some("gzip"),
        Some("br"),
        Some("identity"),
        Some("zstd, gzip"),
        Some("ZSTD"),
        Some("x-unknown"),
    ];
    (
        prop_oneof![3 => Just(None), 2 => Just(Some("zstd")), 2 => select(odd)],
        any::<bool>(),
    )
}

fn content_types() -> impl Strategy<Value = Option<&'static str>> {
    let odd = vec![
        None,
        Some("application/json; charset=utf-8"),
        Some("text/plain"),
        Some(""),
        Some(FRAMES),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
    ];
    prop_oneof![3 => Just(Some("application/json")), 1 => select(odd)]
}

/// A POST of `body`, compressed as `encoding` says.
fn post(
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    encoding: Encoding,
    body: Vec<u8>,
) -> Request<Body> {
    let body = match encoding {
        (Some("zstd" | "ZSTD"), true) => zstd::encode_all(&body[..], 3).unwrap(),
        (Some("gzip"), true) => {
            let mut gzip = flate2::write::GzEncoder::new(vec![], flate2::Compression::fast());
            gzip.write_all(&body).unwrap();
            gzip.finish().unwrap()
        }
        _ => body,
    };
    let headers: Vec<_> = [
        ("content-type", content_type),
        ("content-encoding", encoding.0),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value?)))
    .collect();
    request(Method::POST, path, token, &headers)
        .body(Body::from(body))
        .unwrap()
}

// ---------------------------------------------------------------------------
// The properties

#[test]
fn hostile_operations_from_one_seller_leave_another_sellers_data_alone() {
    let fx = Fixture::new();
    run(sync_case(fx.b.ids), |case| {
        let ops: Vec<String> = case.ops.iter().map(|op| fx.operation(op)).collect();
        let mut body = sync_body(
            fx.device_id(case.device),
            &render(&case.cursor),
            &ops,
            &render(&case.max_pull_bytes),
        );
        body = body.replacen(
            &format!(r#""protocol":{PROTOCOL_VERSION}"#),
            &format!(r#""protocol":{}"#, render(&case.protocol)),
            1,
        );
        if case.duplicate_device {
            body = format!(r#"{{"device_id":{},{}"#, json!(fx.b.device.id), &body[1..]);
        }
        let json = Some("application/json");
        let request = post(
            "/v1/sync",
            Some(&fx.a.device.token),
            json,
            (case.zstd.then_some("zstd"), true),
            body.clone().into_bytes(),
        );
        fx.check(&body, fx.hub.call(request))
    });
}

#[test]
fn raw_bytes_to_sync_are_refused_without_a_500() {
    let fx = Fixture::new();
    let starts = select(vec![
        "",
        r#"{"protocol":1,"#,
        r#"{"protocol":1,"device_id":"#,
    ]);
    let body = (starts, vec(any::<u8>(), 0..512))
        .prop_map(|(start, bytes)| [start.as_bytes(), &bytes].concat());
    run(
        (body, content_types(), encodings()),
        |(body, content_type, encoding)| {
            let sent = format!(
                "{content_type:?} {encoding:?} {}",
                String::from_utf8_lossy(&body)
            );
            fx.check(
                &sent,
                fx.hub.call(post(
                    "/v1/sync",
                    Some(&fx.a.device.token),
                    content_type,
                    encoding,
                    body,
                )),
            )
        },
    );
}

#[test]
fn hostile_enrollments_never_reach_another_seller() {
    let fx = Fixture::new();
    let (a, b) = (&fx.a, fx.b.ids);
    // The attacker knows its own code, used by now, and codes it makes up.
    let mistyped = a.code.replacen(|c: char| c.is_ascii_alphanumeric(), "0", 1);
    let codes = vec![
        json!(a.code),
        json!(a.code.to_lowercase()),
        json!(mistyped),
        json!(common::unissued_code()),
    ];
    let devices = vec![
        json!(a.device.id),
        json!(fx.b.device.id),
        json!(DeviceId::new()),
    ];
    let field = prop_oneof![
        (
            Just("protocol"),
            prop_oneof![3 => Just(json!(PROTOCOL_VERSION)), 1 => hostile_number()]
        ),
        (
            Just("code"),
            prop_oneof![2 => select(codes), 1 => hostile_value(b)]
        ),
        (
            Just("device_id"),
            prop_oneof![2 => select(devices), 1 => hostile_value(b)]
        ),
        (select(vec!["seller_id", "token", "code"]), hostile_value(b)),
    ];
    // Written by hand, so a field may come twice.
    let object = vec(field, 0..6).prop_map(|fields| {
        let fields: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}:{}", json!(k), render(v)))
            .collect();
        format!("{{{}}}", fields.join(",")).into_bytes()
    });
    let body = prop_oneof![3 => object, 1 => any::<Vec<u8>>()];
    run(
        (body, content_types(), encodings()),
        |(bytes, content_type, encoding)| {
            let sent = format!(
                "{content_type:?} {encoding:?} {}",
                String::from_utf8_lossy(&bytes)
            );
            let answer = fx
                .hub
                .call(post("/v1/enroll", None, content_type, encoding, bytes));
            let elsewhere = answer.0 == StatusCode::OK && !answer.1.contains(&a.device.seller_id);
            prop_assert!(
                !elsewhere,
                "a device was enrolled for a seller whose code was not sent: {}",
                answer.1
            );
            fx.check(&sent, answer)
        },
    );
}

#[derive(Debug, Clone)]
enum Offset {
    /// What `HEAD` says the hub holds, as a device resuming would send.
    Held,
    Given(String),
    Absent,
}

impl Fixture {
    /// B's photo's file is named by A's photo too (files are named by their
    /// content, so two sellers may hold the same one); whether the hub takes
    /// that or not, A must not spoil B's upload of it.
    fn name_bs_file(&self) {
        let refs = Ids {
            display: self.b.ids.display,
            ..self.a.ids
        };
        let payload = template("photo_added", Ids::fresh(7), refs, false).to_string();
        let op = operation(
            Uuid::from_u128(7),
            self.a.device.id,
            &(NOW_MS << 16).to_string(),
            &payload,
        );
        let body = sync_body(self.a.device.id, "0", &[op], "65536");
        assert_eq!(
            self.hub
                .post_json("/v1/sync", Some(&self.a.device.token), body)
                .0,
            StatusCode::OK
        );
    }
}

#[test]
fn hostile_uploads_leave_another_sellers_photos_alone() {
    let fx = Fixture::new();
    fx.name_bs_file();
    let (a, b) = (fx.a.ids, fx.b.ids);
    let names = prop_oneof![
        4 => select(vec![a.display, a.thumbnail, b.display, b.thumbnail]).prop_map(|n| n.to_string()),
        1 => Just(b.display.to_string().to_uppercase()),
        1 => "[0-9a-f]{64}",
        1 => "[0-9a-zA-Z%._~-]{0,70}",
    ];
    let offsets = vec![
        "0",
        "-1",
        "1e3",
        " 0 ",
        "0x10",
        "",
        "½",
        "18446744073709551615",
    ];
    let offset = prop_oneof![
        3 => Just(Offset::Held),
        1 => select(offsets).prop_map(|o| Offset::Given(o.to_owned())),
        1 => any::<u64>().prop_map(|n| Offset::Given(n.to_string())),
        1 => Just(Offset::Absent),
    ];
    let frames = vec(vec(any::<u8>(), 1..3000), 0..4);
    let framed =
        |frames: Vec<Vec<u8>>| -> Vec<u8> { frames.iter().flat_map(|f| encode_frame(f)).collect() };
    let corrupted = (frames.clone(), any::<Index>()).prop_map(move |(frames, at)| {
        let mut bytes = framed(frames);
        if !bytes.is_empty() {
            let i = at.index(bytes.len());
            bytes[i] ^= 0x5A; // a bit flipped on the way
        }
        bytes
    });
    let body = prop_oneof![2 => frames.prop_map(framed), 1 => corrupted, 1 => any::<Vec<u8>>()];
    let content_type = prop_oneof![4 => Just(Some(FRAMES)), 1 => content_types()];
    let token = Some(fx.a.device.token.as_str());
    run(
        (names, any::<bool>(), offset, content_type, body),
        |(name, head, offset, content_type, bytes)| {
            let uri = format!("/v1/photos/{name}/upload");
            let head_request = || {
                request(Method::HEAD, &uri, token, &[])
                    .body(Body::empty())
                    .unwrap()
            };
            if head {
                return fx.check(&format!("HEAD {uri}"), fx.hub.call(head_request()));
            }
            let offset = match offset {
                Offset::Held => {
                    let response = fx
                        .hub
                        .rt
                        .block_on(fx.hub.router.clone().oneshot(head_request()))
                        .unwrap();
                    let held = response
                        .headers()
                        .get("upload-offset")
                        .and_then(|v| v.to_str().ok());
                    Some(held.unwrap_or("0").to_owned())
                }
                Offset::Given(offset) => Some(offset),
                Offset::Absent => None,
            };
            let headers: Vec<_> = [
                ("content-type", content_type),
                ("upload-offset", offset.as_deref()),
            ]
            .into_iter()
            .filter_map(|(name, value)| Some((name, value?)))
            .collect();
            let sent = format!("PATCH {uri} {headers:?} ({} bytes)", bytes.len());
            fx.check(
                &sent,
                fx.hub.call(
                    request(Method::PATCH, &uri, token, &headers)
                        .body(Body::from(bytes))
                        .unwrap(),
                ),
            )
        },
    );
}

/// The case the property above found, on its own: A names B's file, asks
/// where its upload stands, and sends bytes of its own from there.
#[test]
fn a_seller_naming_anothers_file_cannot_write_into_its_upload() {
    let fx = Fixture::new();
    fx.name_bs_file();
    let held = fx.before.uploads[0].unwrap().offset.to_string();
    let answer = fx.hub.patch(
        &fx.a.device,
        fx.b.ids.display,
        &held,
        encode_frame(&[0xAA; 1000]),
    );
    fx.check("A's 1000 bytes at B's offset", answer).unwrap();
}

/// A case the first property finds (with HIGHLAND_FUZZ_CASES=400), on its
/// own: A records a lot whose trace code is B's lot's (the code is printed
/// on B's labels, and comes from the last eight bytes of the lot's id),
/// stamped an hour before B's. B's trace page must still show B's lot.
#[test]
fn a_lot_sharing_bs_trace_code_does_not_take_over_bs_trace_page() {
    let fx = Fixture::new();
    let own = Ids {
        lot: twin(fx.b.ids.lot, 7),
        ..Ids::fresh(7)
    };
    let payload = template("lot_recorded", own, own, true).to_string();
    let hour_ago = ((NOW_MS - 3_600_000) << 16).to_string();
    let op = operation(own.op, fx.a.device.id, &hour_ago, &payload);
    let body = sync_body(fx.a.device.id, "0", &[op], "65536");
    let answer = fx
        .hub
        .post_json("/v1/sync", Some(&fx.a.device.token), body.clone());
    fx.check(&body, answer).unwrap();
}
