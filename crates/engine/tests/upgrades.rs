//! A store written by any earlier Highland opens in this one, upgraded, with
//! everything it held: what it sold, what it still has to send, and what
//! each schema added.
//!
//! `fixtures/schema_vN.sql` is a store as the build whose newest schema was
//! N left it. `scripts/schema-fixtures.sh engine N` made it from migrations
//! 1..N as git held them then, with after each migration k the rows of
//! `fixtures/seeds/k_*.sql`: one seller's story, 卓玛 Dolma's honey, told
//! schema by schema. `schema_v1.sql` and `schema_v2.sql` are dumps from those
//! builds themselves; the seeds of schemas 1 and 2 reproduce v2's row for row,
//! and v1's story (another seller's) is told in open.rs. Every version here
//! reads the same checks, each from the version whose store holds it.
//!
//! When migration N+1 is added, schema N stops being the newest:
//! 1. write `fixtures/seeds/N_*.sql` (if schema N's rows are not there yet):
//!    what a seller did with that build, in the rows that build wrote;
//! 2. run `scripts/schema-fixtures.sh engine N` and commit its output as it
//!    is, never to be edited;
//! 3. add `N` to `written_by!` below, and to `Story` what its rows show.

mod common;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use highland_engine::{LATEST_VERSION, ManualClock, Store};
use rusqlite::Connection;
use tempfile::TempDir;

const HONEY: &str = "01a221c4-2c41-72c9-9d38-255c3e8e432b";
/// The sale of one jar for cash, recorded offline before schema 3.
const CASH_SALE: &str = "01a221c4-2c93-75a0-ad42-41c97f8707bb";
const ORDER: &str = "01a22a10-5b1e-7c3a-8d41-6f0e2b9c7a11";
const LOT: &str = "01a22a10-6c20-7d11-9e52-7a1f3c0d8b22";
const ROUND: &str = "01a3b7c2-1a00-7b44-8f10-2c3d4e5f6a01";

/// When the fixtures are opened: the evening of the last day they tell.
fn evening() -> DateTime<Utc> {
    "2026-12-07T18:00:00Z".parse().unwrap()
}

/// Opens the fixture of `version` the way the app and the CLI open a store
/// (`Store::open` is this with the system's clock), and checks that it is
/// now at the latest schema.
fn opened(version: u32, dump: &str) -> (TempDir, Store) {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("highland.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(dump).unwrap();
    let found: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        found, version,
        "the fixture of schema {version} says {found}"
    );
    drop(conn);
    let store = Store::open_with_clock(&path, Arc::new(ManualClock::at(evening())))
        .unwrap_or_else(|e| panic!("a store written by schema {version} does not open: {e}"));
    assert_eq!(user_version(&path), LATEST_VERSION, "schema {version}");
    (dir, store)
}

fn user_version(path: &Path) -> u32 {
    Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// What the store of `version` held, read back through the engine.
fn holds_its_story(version: u32, store: &Store) {
    let at = |since: u32| version >= since;
    let ctx = format!("a store written by schema {version}");

    // Schemas 1 and 2: 20 jars of honey received, 2 sold by WeChat Pay and
    // acknowledged, 1 sold for cash; schema 3 reserved 5 for an order;
    // schema 10 pulled a new price from the seller's other tablet; schema 12
    // voided the cash sale.
    let listings = store.listings().unwrap();
    assert_eq!(listings.len(), 1, "{ctx}: {listings:?}");
    let honey = &listings[0];
    assert_eq!(
        (honey.id.as_str(), honey.title.as_str(), honey.unit.as_str()),
        (HONEY, "蜂蜜 Honey", "jar"),
        "{ctx}"
    );
    assert_eq!(honey.price_fen, if at(10) { 4800 } else { 4500 }, "{ctx}");
    // Available: received less sold (a void gives back) less reserved.
    let reserved = if at(3) { 5 } else { 0 };
    assert_eq!(honey.reserved, reserved, "{ctx}");
    assert_eq!(honey.stock, 20 - 2 - i64::from(!at(12)) - reserved, "{ctx}");
    let sales = store.sales().unwrap();
    assert_eq!(sales.len(), 2, "{ctx}: each sale once: {sales:?}");
    let cash = sales.iter().find(|s| s.id == CASH_SALE).unwrap();
    assert_eq!((cash.total_fen, cash.payment.as_str()), (4500, "cash"));
    assert_eq!(
        cash.voided.as_ref().map(|v| v.reason.as_str()),
        at(12).then_some("rang up twice"),
        "{ctx}"
    );
    assert_eq!(
        honey.sales_count,
        if at(12) { 1 } else { 2 },
        "{ctx}: a voided sale is not counted"
    );

    // Schema 2: enrolled with the hub.
    let sync = store.sync_status().unwrap();
    assert_eq!(
        sync.seller_id.as_deref(),
        Some("01a221c4-2ae0-7614-9560-846aad4dd93f"),
        "{ctx}"
    );
    assert_eq!(
        store.enrollment().unwrap().unwrap().seller_name,
        "卓玛 Dolma"
    );

    // Schema 3: staff ordered 5 jars; the seller accepted, offline until
    // schema 9's sync confirmed it.
    let orders = store.orders().unwrap();
    assert_eq!(orders.len(), usize::from(at(3)), "{ctx}: {orders:?}");
    if let Some(order) = orders.first() {
        assert_eq!((order.id.as_str(), order.quantity), (ORDER, 5), "{ctx}");
        assert_eq!(order.state, "accepted", "{ctx}");
        if at(9) {
            assert_eq!(order.confirmed_state, "accepted", "{ctx}");
            assert_eq!(order.pending_action, None, "{ctx}");
        } else {
            assert_eq!(order.confirmed_state, "placed", "{ctx}");
            assert_eq!(order.pending_action.as_deref(), Some("accept"), "{ctx}");
        }
        assert_eq!(
            order.round_id.as_deref(),
            at(13).then_some(ROUND),
            "{ctx}: routed onto schema 13's round"
        );
    }

    // Schema 4: the seller chose Tibetan and large text.
    let settings = store.settings().unwrap();
    assert_eq!(
        settings.language.map(|l| l.tag()),
        at(4).then_some("bo"),
        "{ctx}"
    );
    assert_eq!(settings.large_text, at(4), "{ctx}");

    // Schema 5: a lot from Yubeng and a certificate of compliance for it.
    let lots = store.lots().unwrap();
    assert_eq!(
        lots.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        if at(5) { vec![LOT] } else { vec![] },
        "{ctx}"
    );
    let certificates = store.certificates(None).unwrap();
    assert_eq!(certificates.len(), usize::from(at(5)), "{ctx}");
    if let Some(c) = certificates.first() {
        assert_eq!((c.lot_id.as_str(), c.quantity), (LOT, 12), "{ctx}");
        assert_eq!(c.issuer, "卓玛 Dolma", "{ctx}");
    }

    // Schema 6: a photo of the honey, waiting to go up.
    let photos = store.photos().unwrap();
    assert_eq!(photos.len(), usize::from(at(6)), "{ctx}");
    if let Some(p) = photos.first() {
        assert_eq!(
            (p.subject_kind.as_str(), p.subject_id.as_str()),
            ("listing", HONEY)
        );
    }

    // Schema 7: the workshop's lesson, begun, the hub out of reach until
    // schema 9's sync.
    let lesson = store.lesson().unwrap();
    assert_eq!(
        lesson.map(|l| l.started_at.to_rfc3339()),
        at(7).then(|| "2026-12-05T02:00:00+00:00".to_owned()),
        "{ctx}"
    );
    assert_eq!(
        store.link_reachable().unwrap(),
        if at(9) {
            Some(true)
        } else {
            at(7).then_some(false)
        },
        "{ctx}"
    );

    // Schema 8: the hub said this tablet was revoked; schema 9 enrolled it
    // again.
    assert_eq!(store.is_revoked().unwrap(), version == 8, "{ctx}");
    assert_eq!(
        sync.last_error_code.as_deref(),
        (version == 8).then_some("device_revoked"),
        "{ctx}"
    );

    // Where in the hub's log the store had pulled to: schema 3 pulled the
    // order, schema 9 sent five operations, schema 10 pulled the new price
    // and schema 13 the round.
    assert_eq!(
        sync.cursor,
        match version {
            ..=2 => 3,
            3..=8 => 4,
            9 => 9,
            10..=12 => 10,
            _ => 12,
        },
        "{ctx}"
    );

    // Schema 11: the day's full check of the file, which a store from before
    // it gets on opening.
    let checked: DateTime<Utc> = if at(11) {
        "2026-12-07T12:00:00Z".parse().unwrap()
    } else {
        evening()
    };
    assert_eq!(store.last_full_check().unwrap(), Some(checked), "{ctx}");

    // Schema 13: a round on Thursday, stopping at Yubeng, that the seller
    // answered she will come to, offline.
    let rounds = store.rounds().unwrap();
    assert_eq!(rounds.len(), usize::from(at(13)), "{ctx}");
    if let Some(round) = rounds.first() {
        assert_eq!(round.id, ROUND, "{ctx}");
        assert_eq!(round.stop.place, "雨崩 Yubeng", "{ctx}");
        assert_eq!(round.answer.as_deref(), Some("coming"), "{ctx}");
        assert!(round.answer_pending, "{ctx}");
    }

    // What was not yet sent is still pending, once each, reads as the
    // operation it was, and goes in the next sync.
    let pending: &[&str] = match version {
        ..=2 => &["sale_recorded"],
        3 | 4 => &["sale_recorded", "order_action_taken"],
        5 => &[
            "sale_recorded",
            "order_action_taken",
            "lot_recorded",
            "certificate_issued",
        ],
        6..=8 => &[
            "sale_recorded",
            "order_action_taken",
            "lot_recorded",
            "certificate_issued",
            "photo_added",
        ],
        // Schema 9's sync took them all.
        9..=11 => &[],
        12 => &["sale_voided"],
        _ => &["sale_voided", "round_answered"],
    };
    let kinds: Vec<String> = store
        .pending_operations(100)
        .unwrap()
        .iter()
        .map(|op| serde_json::to_value(&op.payload).unwrap()["kind"].to_string())
        .collect();
    assert_eq!(
        kinds,
        pending
            .iter()
            .map(|k| format!("\"{k}\""))
            .collect::<Vec<_>>(),
        "{ctx}"
    );
    let count = pending.len() as u64;
    assert_eq!(store.pending_count().unwrap(), count, "{ctx}");
    assert_eq!(sync.pending_ops, count, "{ctx}");
    let push = store.next_push(1 << 20, 100).unwrap();
    assert_eq!(push.operations.len() as u64, count, "{ctx}: sendable");
}

macro_rules! written_by {
    ($($name:ident: $version:literal,)*) => {
        $(
            #[test]
            fn $name() {
                let (_dir, store) = opened(
                    $version,
                    include_str!(concat!("fixtures/schema_v", $version, ".sql")),
                );
                holds_its_story($version, &store);
            }
        )*

        /// Every earlier schema has its fixture and its test (schema 1's, a
        /// store of another seller's, in open.rs).
        #[test]
        fn every_earlier_schema_has_a_fixture_that_is_tested() {
            let tested = [1, $($version),*];
            let mut found: Vec<u32> = std::fs::read_dir(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
            )
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.strip_prefix("schema_v")?.strip_suffix(".sql")?.parse().ok()
            })
            .collect();
            found.sort_unstable();
            assert_eq!(found, (1..LATEST_VERSION).collect::<Vec<_>>());
            assert_eq!(tested.to_vec(), found);
        }
    };
}

written_by! {
    a_store_written_by_schema_2_opens_with_its_enrollment_and_cursor: 2,
    a_store_written_by_schema_3_opens_with_its_accepted_order_still_to_send: 3,
    a_store_written_by_schema_4_opens_with_its_settings: 4,
    a_store_written_by_schema_5_opens_with_its_lot_and_certificate: 5,
    a_store_written_by_schema_6_opens_with_its_photo_waiting_to_go_up: 6,
    a_store_written_by_schema_7_opens_with_its_lesson_and_link: 7,
    a_store_written_by_schema_8_opens_still_revoked: 8,
    a_store_written_by_schema_9_opens_with_everything_acknowledged: 9,
    a_store_written_by_schema_10_opens_with_what_it_pulled_applied: 10,
    a_store_written_by_schema_11_opens_with_its_last_check: 11,
    a_store_written_by_schema_12_opens_with_its_void_counted_once: 12,
    a_store_written_by_schema_13_opens_with_its_round_and_answer: 13,
}
