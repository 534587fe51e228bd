//! The public trace page at /t/{code}: what a phone shows after scanning a
//! lot's QR code, or after its owner types the code from the label.

mod common;

use chrono::NaiveDate;
use common::*;
use highland_domain::{
    Altitude, Description, ListingStatus, Lot, LotId, Payload, ShortText, TraceCode, Unit,
};
use highland_hub::admin::{self, NewSeller};
use highland_hub::{Storage, WallClock};
use reqwest::StatusCode;

fn matsutake_lot() -> Lot {
    Lot {
        id: LotId::new(),
        village: ShortText::parse("雨崩 Yubeng").unwrap(),
        altitude: Some(Altitude::from_metres(3400).unwrap()),
        harvested_on: Some(NaiveDate::from_ymd_opt(2026, 8, 14).unwrap()),
        environment: Some(Description::parse("oak and pine forest, north slope").unwrap()),
    }
}

/// A seller with a phone number whose device recorded the lot, a listed
/// product from it and a draft one.
async fn hub_with_a_lot() -> (TestHub, Lot) {
    let hub = spawn_hub().await;
    let added = admin::add_seller(
        hub.db.as_ref(),
        NewSeller {
            name: ShortText::parse("Dolma Tsering").unwrap(),
            village: ShortText::parse("Yubeng").unwrap(),
            phone: Some(ShortText::parse("13800138000").unwrap()),
        },
        hub.clock.now_ms(),
    )
    .unwrap();
    let device = hub.enroll_ok(&added.code).await;
    let lot = matsutake_lot();
    let mut listed = new_listing("松茸 Matsutake, grade A", Unit::Kg, 48_000);
    listed.lot_id = Some(lot.id);
    let mut draft = new_listing("Dried matsutake (not yet for sale)", Unit::Jar, 9_000);
    draft.lot_id = Some(lot.id);
    draft.status = ListingStatus::Draft;
    let ops = vec![
        op(&device, NOW_MS, Payload::LotRecorded { lot: lot.clone() }),
        op(&device, NOW_MS + 1, created(&listed)),
        op(&device, NOW_MS + 2, created(&draft)),
    ];
    let response = hub.sync(&device, ops, 0).await;
    assert!(response.acks.iter().all(applied), "{:?}", response.acks);
    (hub, lot)
}

async fn page(hub: &TestHub, path: &str, language: Option<&str>) -> (StatusCode, String) {
    let mut request = hub.http.get(format!("{}{path}", hub.url));
    if let Some(language) = language {
        request = request.header("accept-language", language);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn a_lots_page_shows_its_origin_and_products_and_nothing_private() {
    let (hub, lot) = hub_with_a_lot().await;
    let code = TraceCode::of_lot(lot.id);
    let (status, html) = page(&hub, &format!("/t/{}", code.as_str()), Some("zh-CN")).await;
    assert_eq!(status, StatusCode::OK);
    for shown in [
        "产品溯源",
        "雨崩 Yubeng",
        "3400",
        "2026-08-14",
        "oak and pine forest, north slope",
        "松茸 Matsutake, grade A",
        code.grouped().as_str(),
    ] {
        assert!(html.contains(shown), "{shown:?} missing");
    }
    for hidden in ["13800138000", "Dolma", "Dried matsutake", "<script"] {
        assert!(!html.contains(hidden), "{hidden:?} shown");
    }
    // One small document for a slow phone link.
    assert!(html.len() < 30 * 1024, "{} bytes", html.len());
}

#[tokio::test]
async fn the_page_speaks_the_phones_language_or_the_one_chosen() {
    let (hub, lot) = hub_with_a_lot().await;
    let path = format!("/t/{}", TraceCode::of_lot(lot.id).as_str());
    let (_, tibetan) = page(&hub, &path, Some("bo-CN,zh;q=0.8")).await;
    assert!(tibetan.contains(r#"lang="bo""#) && tibetan.contains("ཐོན་རྫས་ཀྱི་རྗེས་འདེད།"));
    let (_, english) = page(&hub, &format!("{path}?lang=en"), Some("bo")).await;
    assert!(english.contains(r#"lang="en""#) && english.contains("Product trace"));
    let (_, default) = page(&hub, &path, Some("fr")).await;
    assert!(default.contains("产品溯源"));
}

#[tokio::test]
async fn a_code_typed_from_the_label_in_any_case_finds_the_lot() {
    let (hub, lot) = hub_with_a_lot().await;
    let typed = TraceCode::of_lot(lot.id).grouped().to_lowercase();
    let (status, html) = page(&hub, &format!("/t/{typed}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("雨崩 Yubeng"));
}

#[tokio::test]
async fn a_mistyped_or_unknown_code_gets_a_page_that_says_so() {
    let (hub, lot) = hub_with_a_lot().await;
    let mut typo = TraceCode::of_lot(lot.id).as_str().to_owned().into_bytes();
    typo[3] = if typo[3] == b'7' { b'8' } else { b'7' };
    let typo = String::from_utf8(typo).unwrap();
    let (status, html) = page(&hub, &format!("/t/{typo}?lang=en"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("This code has a typo"), "{html}");

    let unknown = TraceCode::of_lot(LotId::new());
    let (status, html) = page(&hub, &format!("/t/{}", unknown.as_str()), Some("en")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("No lot with this code"), "{html}");

    let (status, html) = page(&hub, "/t/%3Cscript%3E", Some("en")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("<script>"), "what was typed is escaped");
}

#[tokio::test]
async fn lots_recorded_before_codes_were_stored_get_theirs_when_the_hub_opens() {
    let (hub, lot) = hub_with_a_lot().await;
    let code = TraceCode::of_lot(lot.id);
    // As a database from before migration 4 holds them.
    hub.database
        .query_text("UPDATE lots SET trace_code = NULL RETURNING id");
    assert_eq!(hub.db.trace_chain(&code, None).unwrap(), None);
    let reopened = hub.database.open();
    let found = reopened
        .trace_chain(&code, None)
        .unwrap()
        .expect("the lot, found by its code");
    assert_eq!(found.lot.id, lot.id);
}

#[tokio::test]
async fn label_writes_the_qr_code_of_a_lot_the_hub_has_and_only_such_a_lot() {
    let (hub, lot) = hub_with_a_lot().await;
    let file = hub.dir.path().join("label.svg");
    let out = hub
        .database
        .hub_cli()
        .args(["label", "--lot", &lot.id.to_string(), "--json"])
        .args(["--base-url", "https://hub.example.org", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let code = TraceCode::of_lot(lot.id);
    assert_eq!(
        written["url"],
        format!("https://hub.example.org/t/{}", code.as_str())
    );
    let svg = std::fs::read_to_string(&file).unwrap();
    assert!(svg.starts_with("<svg ") && svg.contains(&code.grouped()));

    let elsewhere = hub.dir.path().join("other.png");
    let out = hub
        .database
        .hub_cli()
        .args(["label", "--lot", &LotId::new().to_string()])
        .args(["--base-url", "https://hub.example.org", "--out"])
        .arg(&elsewhere)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: the hub has no lot"), "{stderr}");
    assert!(!elsewhere.exists());
}
