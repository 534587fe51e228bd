//! `highland` as a seller uses it: what each command records and prints.

mod common;

use common::DataDir;
use serde_json::json;

#[test]
fn listing_add_prints_only_the_new_id() {
    let d = DataDir::new();
    let id = d.add_listing("12.5");
    assert_eq!(id.len(), 36, "{id:?}");
    let listing = d.json(&["listing", "show", &id]);
    assert_eq!(listing["id"], id.as_str());
    assert_eq!(listing["title"], "གཡག་ཤ 牦牛肉");
    assert_eq!(listing["price_fen"], 6850);
    assert_eq!(listing["stock"], 12_500);
    assert_eq!(listing["stock_unit"], "g");
    assert_eq!(listing["unit"], "kg");
    assert_eq!(listing["category"], "yak-meat");
    assert_eq!(listing["status"], "listed");
}

#[test]
fn json_field_names_are_the_documented_ones() {
    let d = DataDir::new();
    let id = d.add_listing("3");
    d.ok(&["sale", "add", "--listing", &id, "--quantity", "1"]);
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&d.json(&["listing", "list"])[0]),
        [
            "category",
            "description",
            "id",
            "lot_id",
            "low_stock",
            "price_fen",
            "reserved",
            "sales_count",
            "sold",
            "status",
            "stock",
            "stock_display",
            "stock_unit",
            "title",
            "unit",
            "weight_per_unit_g"
        ]
    );
    assert_eq!(
        keys(&d.json(&["sale", "list"])[0]),
        [
            "buyer",
            "id",
            "listing_id",
            "listing_title",
            "order_id",
            "payment",
            "quantity",
            "quantity_display",
            "quantity_unit",
            "sold_at",
            "total_fen",
            "unit",
            "unit_price_fen",
            "voided"
        ]
    );
    assert_eq!(
        keys(&d.json(&["status"])),
        [
            "deferred_ops",
            "device_id",
            "hub",
            "hub_went_back",
            "last_error",
            "last_error_code",
            "last_sync_at",
            "listings",
            "lots",
            "orders",
            "orders_to_answer",
            "own_recovered",
            "pending_ops",
            "photos",
            "refused_ops",
            "release_ready",
            "sales",
            "seller_id",
            "store_repaired",
            "waiting_for_update"
        ]
    );
}

#[test]
fn sales_reduce_stock_and_carry_their_totals() {
    let d = DataDir::new();
    let id = d.add_listing("10");
    let sale = d.ok(&[
        "sale",
        "add",
        "--listing",
        &id,
        "--quantity",
        "2.5",
        "--payment",
        "wechat",
        "--buyer",
        "བཀྲ་ཤིས 扎西",
    ]);
    assert_eq!(sale.trim().len(), 36);
    d.ok(&[
        "sale",
        "add",
        "--listing",
        &id,
        "--quantity",
        "3jin",
        "--price",
        "70",
    ]);
    let sales = d.json(&["sale", "list"]);
    assert_eq!(sales[0]["total_fen"], 17_125);
    assert_eq!(sales[0]["payment"], "wechat");
    assert_eq!(sales[0]["buyer"], "བཀྲ་ཤིས 扎西");
    assert_eq!(sales[1]["quantity"], 1500);
    assert_eq!(sales[1]["total_fen"], 10_500);
    assert_eq!(d.json(&["listing", "show", &id])["stock"], 6000);
}

#[test]
fn a_voided_sale_gives_its_stock_back_once_and_stays_listed_with_its_reason() {
    let d = DataDir::new();
    let id = d.add_listing("10");
    let sale = d.ok(&["sale", "add", "--listing", &id, "--quantity", "4"]);
    let sale = sale.trim();
    let out = d.ok(&["sale", "void", sale, "--reason", "按错了 wrong button"]);
    assert_eq!(out.trim(), format!("{sale} voided"));
    let listing = d.json(&["listing", "show", &id]);
    assert_eq!(
        (listing["stock"].as_i64(), listing["sold"].as_i64()),
        (Some(10_000), Some(0))
    );
    let sales = d.json(&["sale", "list"]);
    assert_eq!(sales[0]["voided"]["reason"], "按错了 wrong button");
    assert!(d.ok(&["sale", "list"]).contains("按错了 wrong button"));

    let again = d.fails(&["sale", "void", sale, "--reason", "again"]);
    assert!(again.contains("already voided"), "{again}");
    let blank = d.fails(&["sale", "void", sale, "--reason", " "]);
    assert!(blank.contains("reason"), "{blank}");
    assert_eq!(
        d.json(&["status"])["pending_ops"],
        4,
        "listing, stock, sale, void"
    );
}

#[test]
fn stock_adjustments_may_be_negative_and_keep_their_reason() {
    let d = DataDir::new();
    let id = d.add_listing("10");
    d.ok(&[
        "stock",
        "adjust",
        &id,
        "--by",
        "-1.5",
        "--reason",
        "spoiled 坏了",
    ]);
    d.ok(&[
        "stock",
        "adjust",
        &id,
        "--by",
        "4",
        "--reason",
        "new harvest",
    ]);
    let shown = d.json(&["listing", "show", &id]);
    assert_eq!(shown["stock"], 12_500);
    assert_eq!(shown["adjustments"][1]["change"], -1500);
    assert_eq!(shown["adjustments"][1]["reason"], "spoiled 坏了");
}

#[test]
fn listing_edit_changes_only_what_is_given() {
    let d = DataDir::new();
    let id = d.add_listing("10");
    d.ok(&[
        "listing", "edit", &id, "--price", "72", "--status", "sold-out",
    ]);
    d.ok(&["listing", "edit", &id, "--description", "风干 སྐམ་པོ"]);
    let l = d.json(&["listing", "show", &id]);
    assert_eq!(l["price_fen"], 7200);
    assert_eq!(l["status"], "sold-out");
    assert_eq!(l["description"], "风干 སྐམ་པོ");
    assert_eq!(l["title"], "གཡག་ཤ 牦牛肉");
}

#[test]
fn lots_record_their_origin_and_listings_can_point_to_them() {
    let d = DataDir::new();
    let lot = d.ok(&[
        "lot",
        "add",
        "--village",
        "ཡུ་བེང 雨崩村",
        "--altitude",
        "3400",
        "--harvested",
        "2026-09-15",
        "--environment",
        "oak forest, north slope",
    ]);
    let lot = lot.trim();
    let listing = d.ok(&[
        "listing",
        "add",
        "--title",
        "松茸 Matsutake",
        "--category",
        "matsutake",
        "--unit",
        "jin",
        "--price",
        "380",
        "--stock",
        "4",
        "--lot",
        lot,
    ]);
    let lots = d.json(&["lot", "list"]);
    assert_eq!(
        lots[0],
        json!({"id": lot, "village": "ཡུ་བེང 雨崩村", "altitude_m": 3400,
               "harvested_on": "2026-09-15", "environment": "oak forest, north slope"})
    );
    assert_eq!(d.json(&["listing", "show", listing.trim()])["lot_id"], lot);
}

#[test]
fn status_counts_what_was_recorded_and_what_waits_for_the_hub() {
    let d = DataDir::new();
    let id = d.add_listing("10");
    d.ok(&["sale", "add", "--listing", &id, "--quantity", "1"]);
    d.ok(&["lot", "add", "--village", "Xidang"]);
    let status = d.json(&["status"]);
    assert_eq!(status["listings"], 1);
    assert_eq!(status["sales"], 1);
    assert_eq!(status["lots"], 1);
    // listing + its received stock + sale + lot
    assert_eq!(status["pending_ops"], 4);
}

#[test]
fn human_output_lines_up_with_tibetan_and_chinese_titles() {
    let d = DataDir::new();
    d.add_listing("10");
    d.ok(&[
        "listing",
        "add",
        "--title",
        "Honey",
        "--category",
        "honey",
        "--unit",
        "jar",
        "--price",
        "45",
        "--stock",
        "20",
    ]);
    let out = d.ok(&["listing", "list"]);
    let column = |line: &str| {
        let at = line
            .find("yak-meat")
            .or_else(|| line.find("honey "))
            .or_else(|| line.find("CATEGORY"));
        unicode_width::UnicodeWidthStr::width(&line[..at.unwrap()])
    };
    let columns: Vec<usize> = out.lines().map(column).collect();
    assert_eq!(columns.len(), 3);
    assert!(columns.iter().all(|c| *c == columns[0]), "{out}");
}

#[test]
fn the_environment_variable_chooses_the_data_directory() {
    let d = DataDir::new();
    let mut cmd = assert_cmd::Command::cargo_bin("highland").unwrap();
    cmd.env("HIGHLAND_DATA_DIR", d.path())
        .args(["lot", "add", "--village", "Benzilan"])
        .assert()
        .success();
    assert!(d.path().join("highland.db").exists());
    assert_eq!(d.json(&["status"])["lots"], 1);
}
