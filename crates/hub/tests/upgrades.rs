//! A hub database written by any earlier highland-hub opens in this one,
//! upgraded, with everything it held, and goes on taking orders.
//!
//! `fixtures/schema_vN.sql` is a database as the build whose newest schema
//! was N left it. `scripts/schema-fixtures.sh hub N` made it from migrations
//! 1..N as git held them then, with after each migration k the rows of
//! `fixtures/seeds/k_*.sql`: one seller's story, 卓玛 Dolma's honey, told
//! schema by schema. `schema_v1.sql` is a dump from that build itself, which
//! the seed of schema 1 reproduces row for row. Schema 2 has no fixture: it
//! came in one build with schema 3, so no hub was ever left at 2.
//!
//! When migration N+1 is added, schema N stops being the newest:
//! 1. write `fixtures/seeds/N_*.sql` (if schema N's rows are not there yet):
//!    what the hub's sellers and staff did with that build, in the rows it
//!    wrote;
//! 2. run `scripts/schema-fixtures.sh hub N` and commit its output as it is,
//!    never to be edited;
//! 3. add `N` to `written_by!` below, and to `holds_its_story` what its
//!    rows show.
//!
//! SQLite only: a PostgreSQL hub's history is its own (pg/migrations).

mod common;

use std::path::Path;
use std::sync::Arc;

use highland_domain::{ListingId, OrderId, PhotoSubject, Price, Quantity, TraceCode, Unit};
use highland_exchange::orders::NewOrder;
use highland_hub::database::open_storage;
use highland_hub::{Database, Storage};
use rusqlite::Connection;
use tempfile::TempDir;

const HONEY: &str = "01a221c4-2c41-72c9-9d38-255c3e8e432b";
const TABLET: &str = "01a221c4-2c16-7480-b648-d6de26b973f6";
const LOST_TABLET: &str = "01a2b5e0-7d31-7c0a-9a4e-3b5c6d7e8f90";
/// The sale of one jar for cash, recorded offline on 28 November.
const CASH_SALE: &str = "01a221c4-2c93-75a0-ad42-41c97f8707bb";
const ORDER: &str = "01a22a10-5b1e-7c3a-8d41-6f0e2b9c7a11";
const LOT: &str = "01a22a10-6c20-7d11-9e52-7a1f3c0d8b22";
const ROUND: &str = "01a3b7c2-1a00-7b44-8f10-2c3d4e5f6a01";

/// When the fixtures are opened: 2026-12-07T18:00:00Z, the evening of the
/// last day they tell.
const EVENING_MS: u64 = 1_796_666_400_000;

/// Opens the fixture of `version` the way `highland-hub serve` and the
/// admin commands open a database, and checks that it is now at the latest
/// schema.
fn opened(version: u32, dump: &str) -> (TempDir, Arc<dyn Storage>) {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(highland_hub::db::DATABASE_FILE);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(dump).unwrap();
    assert_eq!(
        user_version(&conn),
        version,
        "the fixture of schema {version}"
    );
    drop(conn);
    let db = open_storage(&Database::Sqlite(path.clone())).unwrap_or_else(|e| {
        panic!("a hub database written by schema {version} does not open: {e}")
    });
    assert_eq!(
        user_version(&Connection::open(&path).unwrap()),
        highland_hub::db::LATEST_VERSION,
        "schema {version}"
    );
    (dir, db)
}

fn user_version(conn: &Connection) -> u32 {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// What the database of `version` held, read back through the hub's
/// storage; then it takes a new order.
fn holds_its_story(version: u32, db: &dyn Storage) {
    let at = |since: u32| version >= since;
    let ctx = format!("a hub database written by schema {version}");

    // Schema 1: the seller's tablet sent her honey listing, 20 jars received
    // and a sale of 2; schema 3's order reserved 5 of them; schema 11 brought
    // the cash sale with its void.
    let listings = db.listings(None).unwrap();
    assert_eq!(listings.len(), 1, "{ctx}: {listings:?}");
    let honey = &listings[0];
    assert_eq!(
        (honey.id.as_str(), honey.title.as_str(), honey.price_fen),
        (HONEY, "蜂蜜 Honey", 4500),
        "{ctx}"
    );
    let reserved = if at(3) { 5 } else { 0 };
    assert_eq!(
        (honey.stock, honey.reserved),
        (18 - reserved, reserved),
        "{ctx}"
    );
    let sales = db.sales(None).unwrap();
    assert_eq!(sales.len(), if at(11) { 2 } else { 1 }, "{ctx}: {sales:?}");
    let cash = sales.iter().find(|s| s.id == CASH_SALE);
    assert_eq!(
        cash.and_then(|s| s.voided.as_ref())
            .map(|v| v.reason.as_str()),
        at(11).then_some("rang up twice"),
        "{ctx}"
    );

    // The log, in which every schema's operations stay in order.
    let log_length = match version {
        1 => 3,
        // The order placed and accepted.
        3 => 5,
        // The lot; its certificate; the photo.
        4 => 6,
        5 => 7,
        6..=10 => 8,
        // The cash sale and its void.
        11 => 10,
        // The round, the order on it, the seller's answer.
        _ => 13,
    };
    assert_eq!(db.log_length().unwrap(), log_length, "{ctx}");

    // Schema 3: staff member Lhamo, and her order, which the seller accepted
    // and schema 12 put on Thursday's round.
    assert_eq!(
        db.staff()
            .unwrap()
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        if at(3) { vec!["Lhamo"] } else { vec![] },
        "{ctx}"
    );
    let order = db.order(ORDER.parse().unwrap()).unwrap();
    assert_eq!(order.is_some(), at(3), "{ctx}");
    if let Some(order) = order {
        assert_eq!(
            (order.order.state.as_str(), order.order.total_fen),
            ("accepted", 20_000),
            "{ctx}"
        );
        let history: Vec<_> = order
            .history
            .iter()
            .map(|h| (h.action.as_str(), h.actor.as_str(), h.staff.as_deref()))
            .collect();
        assert_eq!(
            history,
            [
                ("place", "staff", Some("Lhamo")),
                ("accept", "seller", None)
            ],
            "{ctx}"
        );
        assert_eq!(
            order.order.round_id.as_deref(),
            at(12).then_some(ROUND),
            "{ctx}"
        );
    }

    // Schema 4: the lot, found by its trace code; schema 5 its certificate
    // and the buyer's receipt of 12 jars.
    let chain = db
        .trace_chain(&TraceCode::of_lot(LOT.parse().unwrap()), None)
        .unwrap();
    assert_eq!(chain.is_some(), at(4), "{ctx}");
    if let Some(chain) = chain {
        assert_eq!(chain.certificates.len(), usize::from(at(5)), "{ctx}");
        assert_eq!(chain.events.len(), usize::from(at(5)), "{ctx}");
    }

    // Schema 6: the honey's photo, both files here.
    let honey_id: ListingId = HONEY.parse().unwrap();
    let photos = db.photos_of(PhotoSubject::Listing(honey_id)).unwrap();
    assert_eq!(photos.len(), usize::from(at(6)), "{ctx}");
    assert!(photos.iter().all(|p| p.thumbnail_stored), "{ctx}");

    // Schema 7: the workshop's practice network.
    assert_eq!(
        db.workshop_setting("network")
            .unwrap()
            .and_then(|s| s.value),
        at(7).then(|| "mountain_2g".to_owned()),
        "{ctx}"
    );

    // Schemas 7, 8 and 10: when the tablet last synced, its app and its
    // protocol; the lost tablet, revoked.
    let devices = db.devices(None).unwrap();
    let tablet = devices.iter().find(|d| d.id == TABLET).unwrap();
    assert_eq!(tablet.last_sync_at.is_some(), at(7), "{ctx}");
    assert_eq!(
        tablet.app_version.as_deref(),
        at(8).then_some("0.1.0"),
        "{ctx}"
    );
    assert_eq!(tablet.protocol, at(10).then_some(1), "{ctx}");
    assert!(tablet.revoked_at.is_none(), "{ctx}");
    let lost = devices.iter().find(|d| d.id == LOST_TABLET);
    assert_eq!(
        lost.map(|d| d.revoked_at.is_some()),
        at(8).then_some(true),
        "{ctx}"
    );

    // Schema 9: the hub's first incarnation, begun at log position 8; an
    // older hub's begins now, at the end of its log.
    let incarnation = db.incarnation(EVENING_MS).unwrap();
    assert_eq!(incarnation.number, 1, "{ctx}");
    if at(9) {
        assert_eq!(
            (incarnation.id.as_str(), incarnation.log_start),
            ("01a3a0c0-1f00-7c11-9d22-3e4f5a6b7c8d", 8),
            "{ctx}"
        );
    } else {
        assert_eq!(
            (incarnation.started_at_ms, incarnation.log_start),
            (EVENING_MS, log_length),
            "{ctx}"
        );
    }

    // Schema 12: Thursday's round with the order at Yubeng, and the seller's
    // word that she will be there.
    let rounds = db.rounds(None, 10).unwrap();
    assert_eq!(rounds.len(), usize::from(at(12)), "{ctx}");
    if let Some(round) = rounds.first() {
        assert_eq!(round.id, ROUND, "{ctx}");
        let yubeng = &round.stops[1];
        assert_eq!(yubeng.place, "雨崩 Yubeng", "{ctx}");
        let answers: Vec<_> = yubeng
            .lines
            .iter()
            .map(|l| (l.order_id.as_str(), l.answer.as_deref()))
            .collect();
        assert_eq!(answers, [(ORDER, Some("coming"))], "{ctx}");
    }

    // And the upgraded hub takes a new order, logged after everything else.
    let placed = db
        .place_order(
            &NewOrder {
                id: OrderId::new(),
                listing_id: honey_id,
                quantity: Quantity::parse("2", Unit::Jar).unwrap(),
                unit_price: Price::parse_yuan("40").unwrap(),
                hand_over_by: None,
                note: None,
                round: None,
            },
            Some("Lhamo"),
            EVENING_MS,
        )
        .unwrap();
    assert_eq!(placed.order.state, "placed", "{ctx}");
    assert_eq!(db.log_length().unwrap(), log_length + 1, "{ctx}");
}

macro_rules! written_by {
    ($($name:ident: $version:literal,)*) => {
        $(
            #[test]
            fn $name() {
                let (_dir, db) = opened(
                    $version,
                    include_str!(concat!("fixtures/schema_v", $version, ".sql")),
                );
                holds_its_story($version, db.as_ref());
            }
        )*

        /// Every schema a hub was ever left at, but the newest, has its
        /// fixture and its test.
        #[test]
        fn every_earlier_schema_has_a_fixture_that_is_tested() {
            let tested = [$($version),*];
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
            let released: Vec<u32> = (1..highland_hub::db::LATEST_VERSION)
                .filter(|v| *v != 2)
                .collect();
            assert_eq!(found, released);
            assert_eq!(tested.to_vec(), found);
        }
    };
}

written_by! {
    a_hub_written_by_schema_1_opens_with_the_sellers_log: 1,
    a_hub_written_by_schema_3_opens_with_its_staff_and_accepted_order: 3,
    a_hub_written_by_schema_4_opens_with_its_lot_found_by_trace_code: 4,
    a_hub_written_by_schema_5_opens_with_the_lots_certificate_and_receipt: 5,
    a_hub_written_by_schema_6_opens_with_its_photos: 6,
    a_hub_written_by_schema_7_opens_with_its_workshop_settings: 7,
    a_hub_written_by_schema_8_opens_with_its_revoked_tablet: 8,
    a_hub_written_by_schema_9_opens_in_the_same_incarnation: 9,
    a_hub_written_by_schema_10_opens_with_each_tablets_protocol: 10,
    a_hub_written_by_schema_11_opens_with_its_void_counted_once: 11,
    a_hub_written_by_schema_12_opens_with_its_round_and_answers: 12,
}
