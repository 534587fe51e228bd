//! The operator's commands, through the real binary, on the same data
//! directory as a hub that is serving.

mod common;

use common::*;
use highland_domain::{CheckedCode, Unit};
use highland_hub::{ListingView, SaleView};
use predicates::prelude::*;

#[tokio::test]
async fn seller_add_and_device_code_print_codes_that_enroll_while_the_hub_serves() {
    let hub = spawn_hub_at(common_now()).await;
    let added = json_of(hub.database.hub_cli().args([
        "seller",
        "add",
        "--name",
        "ཟླ་བ Dawa",
        "--village",
        "Yubeng",
        "--phone",
        "139 0887 1234",
        "--json",
    ]));
    assert_eq!(added["name"], "ཟླ་བ Dawa");
    assert_eq!(added["village"], "Yubeng");
    assert_eq!(added["phone"], "139 0887 1234");
    let code = added["code"].as_str().unwrap();
    assert_eq!(code.len(), 11, "XXXX-XXXX-X: {code}");
    assert!(code.parse::<CheckedCode>().is_ok());
    let expires =
        chrono::DateTime::parse_from_rfc3339(added["code_expires_at"].as_str().unwrap()).unwrap();
    assert!(expires.timestamp_millis() as u64 >= common_now() + 6 * DAY_MS);

    let seller_id = added["seller_id"].as_str().unwrap();
    let first = hub.enroll_ok(code).await;
    assert_eq!(first.seller_id, seller_id);

    let issued = json_of(
        hub.database
            .hub_cli()
            .args(["device", "code", "--seller", seller_id, "--json"]),
    );
    assert_eq!(issued["seller_id"], seller_id);
    let second_code = issued["code"].as_str().unwrap();
    assert_ne!(second_code, code);
    let second = hub.enroll_ok(second_code).await;
    assert_eq!(second.seller_id, seller_id);
}

/// The CLI stamps codes with the real clock, so the hub must agree on "now".
fn common_now() -> u64 {
    use highland_hub::WallClock;
    highland_hub::SystemClock.now_ms()
}

#[test]
fn seller_add_shows_the_code_and_a_qr_code_for_people() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::fresh(dir.path());
    database
        .hub_cli()
        .args(["seller", "add", "--name", "Dolma", "--village", "Yubeng"])
        .args(["--hub-url", "http://192.168.4.1:7878"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Enrollment code: "))
        .stdout(predicate::str::contains("seller id"))
        .stdout(predicate::str::contains("█"));
}

#[test]
fn an_unknown_or_malformed_seller_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::fresh(dir.path());
    let unknown = uuid::Uuid::now_v7().to_string();
    let assert = database
        .hub_cli()
        .args(["device", "code", "--seller", &unknown])
        .assert()
        .failure()
        .code(1)
        .stdout(predicate::str::is_empty());
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains("no seller"),
        "{stderr}"
    );

    database
        .hub_cli()
        .args(["device", "code", "--seller", "dolma"])
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::starts_with("error: --seller"));
    database
        .hub_cli()
        .args(["seller", "add", "--name", " ", "--village", "Yubeng"])
        .assert()
        .failure()
        .stderr(predicate::str::starts_with("error: --name"));
}

#[tokio::test]
async fn listing_and_sale_lists_show_the_merged_state_as_json() {
    let hub = spawn_hub().await;
    let dolma = hub.seller_with_device("Dolma").await;
    let tashi = hub.seller_with_device("Tashi").await;
    let meat = new_listing("Yak meat", Unit::Kg, 6850);
    hub.sync(
        &dolma,
        vec![
            op(&dolma, NOW_MS, created(&meat)),
            op(&dolma, NOW_MS, received(&meat, 10_000)),
            op(&dolma, NOW_MS + 1, sold(&meat, 2_500)),
        ],
        0,
    )
    .await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    hub.sync(&tashi, vec![op(&tashi, NOW_MS, created(&honey))], 0)
        .await;

    let all: Vec<ListingView> = serde_json::from_value(json_of(
        hub.database.hub_cli().args(["listing", "list", "--json"]),
    ))
    .unwrap();
    assert_eq!(all.len(), 2);
    let mine: Vec<ListingView> = serde_json::from_value(json_of(hub.database.hub_cli().args([
        "listing",
        "list",
        "--seller",
        &dolma.seller_id,
        "--json",
    ])))
    .unwrap();
    assert_eq!(mine.len(), 1);
    let listing = &mine[0];
    assert_eq!(listing.id, meat.id.to_string());
    assert_eq!(listing.seller_id, dolma.seller_id);
    assert_eq!(
        (listing.title.as_str(), listing.category.as_str()),
        ("Yak meat", "honey")
    );
    assert_eq!(
        (
            listing.unit.as_str(),
            listing.price_fen,
            listing.status.as_str()
        ),
        ("kg", 6850, "listed")
    );
    assert_eq!((listing.stock, listing.stock_unit.as_str()), (7_500, "g"));
    assert_eq!(listing.stock_display, "7.5");

    let raw = json_of(hub.database.hub_cli().args(["sale", "list", "--json"]));
    for field in [
        "id",
        "listing_id",
        "quantity",
        "quantity_unit",
        "unit_price_fen",
        "total_fen",
        "seller_id",
    ] {
        assert!(raw[0].get(field).is_some(), "{field}");
    }
    let sales: Vec<SaleView> = serde_json::from_value(raw).unwrap();
    assert_eq!(sales.len(), 1);
    let sale = &sales[0];
    assert_eq!((sale.quantity, sale.quantity_unit.as_str()), (2_500, "g"));
    assert_eq!((sale.unit_price_fen, sale.total_fen), (6850, 17125));
    assert_eq!(sale.seller_id, dolma.seller_id);
    assert_eq!(sale.listing_id, meat.id.to_string());
}
