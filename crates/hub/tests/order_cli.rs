//! `highland-hub order ...` through the real binary, on the data directory
//! of a hub database that stays open beside it, as a serving hub's would.

mod common;

use common::*;
use highland_domain::wire::PROTOCOL_VERSION;
use highland_domain::{Actor, CheckedCode, DeviceId, OrderAction, OrderId, Payload, Unit};
use highland_exchange::sync::{PullRequest, Pushed};
use highland_hub::secret::{SecretHash, code_hash};
use highland_hub::storage::{EnrolledDevice, Enrollment};
use highland_hub::{ListingView, OrderDetail, OrderView, Storage, SystemClock, WallClock};
use serde_json::Value;

fn ok(dir: &TestDatabase, args: &[&str]) -> String {
    let out = dir.hub_cli().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "highland-hub {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(dir: &TestDatabase, args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    serde_json::from_str(&ok(dir, &args)).unwrap()
}

/// Runs a command that must fail and returns its one line of error.
fn fails(dir: &TestDatabase, args: &[&str]) -> String {
    let out = dir.hub_cli().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "highland-hub {args:?} should fail"
    );
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr
}

/// A hub database with one seller, their enrolled device, and 10 kg of
/// yak meat that the device synced.
struct Setup {
    _dir: tempfile::TempDir,
    database: TestDatabase,
    db: std::sync::Arc<OffRuntime>,
    device: EnrolledDevice,
    listing: highland_domain::Listing,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::fresh(dir.path());
    let db = database.open();
    let now = SystemClock.now_ms();
    let seller = highland_hub::admin::add_seller(
        db.as_ref(),
        highland_hub::admin::NewSeller {
            name: highland_domain::ShortText::parse("Dolma").unwrap(),
            village: highland_domain::ShortText::parse("Yubeng").unwrap(),
            phone: None,
        },
        now,
    )
    .unwrap();
    let device = DeviceId::new();
    db.enroll(&Enrollment {
        code: code_hash(&seller.code.parse::<CheckedCode>().unwrap()),
        device,
        token: SecretHash::of("a token"),
        now_ms: now,
    })
    .unwrap();
    let device = EnrolledDevice {
        id: device,
        seller: seller.seller_id.parse().unwrap(),
    };
    let listing = new_listing("牦牛肉 Yak meat", Unit::Kg, 6850);
    let me = Device {
        id: device.id,
        token: String::new(),
        seller_id: seller.seller_id.clone(),
    };
    push(
        &db,
        device,
        vec![created(&listing), received(&listing, 10_000)],
        &me,
    );
    Setup {
        _dir: dir,
        database,
        db,
        device,
        listing,
    }
}

fn push(db: &OffRuntime, device: EnrolledDevice, payloads: Vec<Payload>, me: &Device) {
    let pushed = payloads
        .into_iter()
        .map(|p| Pushed::made(op(me, SystemClock.now_ms(), p)).unwrap())
        .collect();
    let pull = PullRequest {
        cursor: 0,
        max_bytes: 65_536,
        ..PullRequest::default()
    };
    let response = db
        .exchange(device, pushed, pull, SystemClock.now_ms())
        .unwrap();
    assert_eq!(response.protocol, PROTOCOL_VERSION);
    assert!(response.acks.iter().all(applied), "{:?}", response.acks);
}

#[test]
fn staff_place_follow_and_settle_an_order_from_the_command_line() {
    let s = setup();
    let dir = &s.database;
    let listing = s.listing.id.to_string();

    let placed: OrderDetail = serde_json::from_value(json(
        dir,
        &[
            "order",
            "place",
            "--listing",
            &listing,
            "--quantity",
            "4",
            "--price",
            "60",
            "--hand-over-by",
            "2026-12-01",
            "--note",
            "风干 dried",
        ],
    ))
    .unwrap();
    let o = &placed.order;
    assert_eq!(
        (o.state.as_str(), o.quantity, o.total_fen),
        ("placed", 4_000, 24_000)
    );
    assert_eq!(
        (o.hand_over_by.as_deref(), o.note.as_deref()),
        (Some("2026-12-01"), Some("风干 dried"))
    );
    let id = o.id.clone();

    // Without --json, place prints the new id alone.
    let second = ok(
        dir,
        &[
            "order",
            "place",
            "--listing",
            &listing,
            "--quantity",
            "500g",
            "--price",
            "58.5",
        ],
    );
    let second = second.trim();
    assert!(second.parse::<OrderId>().is_ok(), "{second:?}");

    let placed_ones: Vec<OrderView> =
        serde_json::from_value(json(dir, &["order", "list", "--state", "placed"])).unwrap();
    assert_eq!(placed_ones.len(), 2);
    assert_eq!(placed_ones[1].quantity_display, "0.5");
    let theirs: Vec<OrderView> = serde_json::from_value(json(
        dir,
        &["order", "list", "--seller", &s.device.seller.to_string()],
    ))
    .unwrap();
    assert_eq!(theirs.len(), 2);

    // The seller accepts from their device.
    let me = Device {
        id: s.device.id,
        token: String::new(),
        seller_id: s.device.seller.to_string(),
    };
    push(
        &s.db,
        s.device,
        vec![Payload::OrderActionTaken {
            order_id: id.parse().unwrap(),
            actor: Actor::Seller,
            action: OrderAction::Accept,
            at: chrono::DateTime::from_timestamp_millis(SystemClock.now_ms() as i64).unwrap(),
        }],
        &me,
    );
    let listings: Vec<ListingView> =
        serde_json::from_value(json(dir, &["listing", "list"])).unwrap();
    assert_eq!((listings[0].stock, listings[0].reserved), (6_000, 4_000));

    let human = ok(dir, &["order", "hand-over", &id]);
    assert!(human.contains("handed-over"), "{human}");
    let received: OrderDetail =
        serde_json::from_value(json(dir, &["order", "receive", &id, "--quantity", "3.8"])).unwrap();
    assert_eq!(received.order.state, "received");
    assert_eq!(received.order.received_quantity, Some(3_800));
    let paid: OrderDetail = serde_json::from_value(json(
        dir,
        &["order", "pay", &id, "--amount", "228", "--method", "wechat"],
    ))
    .unwrap();
    assert_eq!(
        (paid.order.paid_fen, paid.order.paid_method.as_deref()),
        (Some(22_800), Some("wechat"))
    );

    let shown = json(dir, &["order", "show", &id]);
    let actions: Vec<_> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, ["place", "accept", "hand-over", "receive", "pay"]);
    assert_eq!(shown["sale_id"], json(dir, &["sale", "list"])[0]["id"]);
    let human = ok(dir, &["order", "show", &id]);
    assert!(
        human.contains("receive") && human.contains("3.8 kg"),
        "{human}"
    );

    let cancelled = ok(
        dir,
        &["order", "cancel", second, "--reason", "路断了 road closed"],
    );
    assert!(cancelled.contains("cancelled"), "{cancelled}");
    let listings: Vec<ListingView> =
        serde_json::from_value(json(dir, &["listing", "list"])).unwrap();
    assert_eq!(
        (listings[0].stock, listings[0].reserved, listings[0].sold),
        (6_200, 0, 3_800)
    );
}

#[test]
fn bad_order_commands_are_one_clear_line_and_change_nothing() {
    let s = setup();
    let dir = &s.database;
    let listing = s.listing.id.to_string();
    let id = ok(
        dir,
        &[
            "order",
            "place",
            "--listing",
            &listing,
            "--quantity",
            "1",
            "--price",
            "60",
        ],
    );
    let id = id.trim();
    let log = s.db.log_length().unwrap();

    let unknown = OrderId::new().to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["order", "show", &unknown], "no order with id"),
        (
            vec!["order", "receive", id, "--quantity", "1"],
            "an order that is placed cannot be received",
        ),
        (
            vec!["order", "pay", id, "--amount", "60"],
            "an order that is placed cannot be paid",
        ),
        (
            vec!["order", "receive", id, "--quantity", "2 jar"],
            "cannot be used for a listing sold in kg",
        ),
        (vec!["order", "cancel", id, "--reason", " "], "--reason"),
        (vec!["order", "list", "--state", "lost"], "--state"),
        (
            vec![
                "order",
                "place",
                "--listing",
                &unknown,
                "--quantity",
                "1",
                "--price",
                "1",
            ],
            "no listing with id",
        ),
        (
            vec![
                "order",
                "place",
                "--listing",
                &listing,
                "--quantity",
                "1",
                "--price",
                "1",
                "--hand-over-by",
                "12/01",
            ],
            "--hand-over-by",
        ),
        (
            vec![
                "order",
                "place",
                "--listing",
                &listing,
                "--quantity",
                "0",
                "--price",
                "1",
            ],
            "--quantity",
        ),
    ];
    for (args, expected) in cases {
        let line = fails(dir, &args);
        assert!(line.contains(expected), "{args:?}: {line}");
    }
    assert_eq!(s.db.log_length().unwrap(), log);
    assert_eq!(json(dir, &["order", "show", id])["state"], "placed");
}
