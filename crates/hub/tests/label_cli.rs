//! `highland-hub label --out FILE.pdf`: an A4 sheet of several lots'
//! labels, through the real binary, read back with poppler and zbar.

mod common;

use common::printout::label_codes;
use common::*;
use highland_domain::{Lot, LotId, Payload, TraceCode};
use serde_json::Value;

const BASE: &str = "https://hub.highland.example";

async fn hub_with_two_lots() -> (TestHub, Lot, Lot) {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("Dolma").await;
    let (a, b) = (
        village_lot("雨崩 Yubeng", "2026-08-14"),
        village_lot("明永 Mingyong", "2026-08-20"),
    );
    let response = hub
        .sync(
            &device,
            vec![
                op(&device, NOW_MS, Payload::LotRecorded { lot: a.clone() }),
                op(&device, NOW_MS + 1, Payload::LotRecorded { lot: b.clone() }),
            ],
            0,
        )
        .await;
    assert!(response.acks.iter().all(applied), "{:?}", response.acks);
    (hub, a, b)
}

fn code(lot: &Lot) -> TraceCode {
    TraceCode::of_lot(lot.id)
}

#[tokio::test]
async fn two_lots_make_a_pdf_sheet_whose_codes_open_their_pages() {
    let (hub, a, b) = hub_with_two_lots().await;
    let inspected = hub
        .database
        .hub_cli()
        .args(["trace", "record", "inspected", "--lot", &code(&b).grouped()])
        .args(["--by", "Pema", "--inspector", "迪庆州农产品质量检测站"])
        .args(["--certificate-number", "DQ-1", "--result", "passed"])
        .args(["--at", "2026-09-12"])
        .output()
        .unwrap();
    assert!(inspected.status.success(), "{inspected:?}");

    let file = hub.dir.path().join("labels.pdf");
    let out = hub
        .database
        .hub_cli()
        .args(["label", "--lot", &code(&a).grouped(), "--lot"])
        .arg(b.id.to_string())
        .args(["--base-url", BASE, "--json", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(written["pages"], 1);
    let labels = written["labels"].as_array().unwrap();
    assert_eq!(labels.len(), 2);
    assert_eq!(labels[0]["trace_code"], code(&a).grouped());
    assert_eq!(labels[0]["name"], "雨崩 Yubeng");
    assert_eq!(labels[0]["lines"][0], "采收 2026-08-14");
    assert_eq!(labels[1]["lot_id"], b.id.to_string());
    assert_eq!(
        labels[1]["lines"],
        serde_json::json!(["采收 2026-08-20", "检验合格 2026-09-12"])
    );

    let pdf = std::fs::read(&file).unwrap();
    assert_eq!(
        label_codes(&pdf, 2),
        [
            vec![format!("{BASE}/t/{}", code(&a).as_str())],
            vec![format!("{BASE}/t/{}", code(&b).as_str())],
        ]
    );

    // A comma list works as well as repeating the flag.
    let again = hub.dir.path().join("again.pdf");
    hub.database
        .hub_cli()
        .args(["label", "--base-url", BASE, "--out"])
        .arg(&again)
        .args([
            "--lot",
            &format!("{},{}", code(&a).as_str(), code(&b).as_str()),
        ])
        .assert()
        .success();
    assert!(std::fs::read(&again).unwrap().starts_with(b"%PDF-"));
}

#[tokio::test]
async fn an_unknown_lot_is_named_and_nothing_is_written() {
    let (hub, a, b) = hub_with_two_lots().await;
    let unknown = TraceCode::of_lot(LotId::new()).grouped();
    let file = hub.dir.path().join("labels.pdf");
    let out = hub
        .database
        .hub_cli()
        .args(["label", "--lot", &code(&a).grouped(), "--lot", &unknown])
        .args(["--base-url", BASE, "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!("error: the hub has no lot {unknown}")),
        "{stderr}"
    );
    assert!(!file.exists());

    // An SVG holds one lot's code.
    let svg = hub.dir.path().join("label.svg");
    let out = hub
        .database
        .hub_cli()
        .args([
            "label",
            "--lot",
            &code(&a).grouped(),
            "--lot",
            &code(&b).grouped(),
        ])
        .args(["--base-url", BASE, "--out"])
        .arg(&svg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".pdf"));
    assert!(!svg.exists());
}
