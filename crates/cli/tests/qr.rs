//! `highland qr`: a lot's QR code for its label, opening the lot's trace
//! page on the hub the device is enrolled with.

mod common;

use common::DataDir;
use highland_domain::{LotId, TraceCode};
use highland_engine::Store;
use highland_engine::sync::Enrollment;

fn a_lot(d: &DataDir) -> String {
    d.ok(&[
        "lot",
        "add",
        "--village",
        "雨崩 Yubeng",
        "--altitude",
        "3400",
    ])
    .trim()
    .to_owned()
}

fn enrolled_with(d: &DataDir, hub_url: &str) {
    Store::open_dir(d.path())
        .unwrap()
        .save_enrollment(&Enrollment {
            hub_url: hub_url.to_owned(),
            seller_id: uuid_like(),
            seller_name: "Dolma".into(),
            village: "Yubeng".into(),
            device_token: "a token".into(),
        })
        .unwrap();
}

fn uuid_like() -> String {
    LotId::new().to_string()
}

#[test]
fn a_lots_qr_code_opens_its_trace_page_on_the_hub() {
    let d = DataDir::new();
    let lot = a_lot(&d);
    enrolled_with(&d, "https://hub.example/");
    let file = d.path().join("label.png");
    let written = d.json(&["qr", "--lot", &lot, "--out", file.to_str().unwrap()]);
    let code = TraceCode::of_lot(lot.parse().unwrap());
    assert_eq!(written["trace_code"], code.grouped());
    assert_eq!(
        written["url"],
        format!("https://hub.example/t/{}", code.as_str())
    );
    assert!(std::fs::read(&file).unwrap().starts_with(b"\x89PNG"));

    let svg = d.path().join("label.svg");
    d.ok(&["qr", "--lot", &lot, "--out", svg.to_str().unwrap()]);
    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(svg.starts_with("<svg ") && svg.contains("width=\"25mm\""));
}

#[test]
fn without_a_hub_an_unknown_lot_or_format_it_says_why_and_writes_nothing() {
    let d = DataDir::new();
    let lot = a_lot(&d);
    let file = d.path().join("label.png");
    let out = file.to_str().unwrap();
    assert!(
        d.fails(&["qr", "--lot", &lot, "--out", out])
            .contains("enroll")
    );
    enrolled_with(&d, "https://hub.example");
    let unknown = LotId::new().to_string();
    assert!(
        d.fails(&["qr", "--lot", &unknown, "--out", out])
            .contains("no lot")
    );
    assert!(
        d.fails(&["qr", "--lot", "yak", "--out", out])
            .contains("not a lot id")
    );
    let jpg = d.path().join("label.jpg");
    assert!(
        d.fails(&["qr", "--lot", &lot, "--out", jpg.to_str().unwrap()])
            .contains(".svg or .png")
    );
    assert!(!file.exists() && !jpg.exists());
}
