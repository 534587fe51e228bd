//! `highland certificate`: a certificate of compliance (承诺达标合格证)
//! issued offline for a lot, with its printable slip; and, with a hub in
//! this process, the certificate reaching the hub on sync.

mod common;

use std::path::Path;
use std::process::Command;

use common::DataDir;
use highland_domain::LotId;
use highland_engine::Store;
use highland_engine::sync::Enrollment;

/// A lot from Yubeng with one listing of yak meat naming it, 10 kg in stock.
fn a_lot_with_its_listing(d: &DataDir) -> String {
    let lot = d
        .ok(&["lot", "add", "--village", "雨崩 Yubeng"])
        .trim()
        .to_owned();
    d.ok(&[
        "listing",
        "add",
        "--title",
        "གཡག་ཤ 牦牛肉",
        "--category",
        "yak-meat",
        "--unit",
        "kg",
        "--price",
        "68.50",
        "--stock",
        "10",
        "--lot",
        &lot,
    ]);
    lot
}

fn enrolled(d: &DataDir) {
    Store::open_dir(d.path())
        .unwrap()
        .save_enrollment(&Enrollment {
            hub_url: "https://hub.example".into(),
            seller_id: LotId::new().to_string(),
            seller_name: "卓玛 Dolma".into(),
            village: "Yubeng".into(),
            device_token: "a token".into(),
        })
        .unwrap();
}

/// The text of a PDF, by poppler's `pdftotext`.
fn pdf_text(file: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(file)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!("pdftotext is needed to read the slip ({e}); install poppler-utils")
        });
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        file.display()
    );
    String::from_utf8(out.stdout).unwrap()
}

fn certificates_in_outbox(d: &DataDir) -> usize {
    let ops = Store::open_dir(d.path())
        .unwrap()
        .next_push(1 << 20, 1000)
        .unwrap()
        .read()
        .unwrap();
    ops.iter()
        .filter(|op| {
            matches!(
                op.payload,
                highland_domain::Payload::CertificateIssued { .. }
            )
        })
        .count()
}

#[test]
fn a_certificate_is_issued_offline_and_its_slip_printed() {
    let d = DataDir::new();
    let lot = a_lot_with_its_listing(&d);
    enrolled(&d);
    let file = d.path().join("合格证.pdf");
    let out = d.ok(&[
        "certificate",
        "--lot",
        &lot,
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(out.contains("牦牛肉"), "{out}");
    let pdf = std::fs::read(&file).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&file);
    for expected in [
        "承诺达标合格证",
        "牦牛肉",
        "雨崩 Yubeng",
        "卓玛 Dolma",
        "10 kg",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not in the slip:\n{text}"
        );
    }
    assert_eq!(certificates_in_outbox(&d), 1);
    // No partial file is left beside it.
    let left: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn with_json_it_prints_the_certificate() {
    let d = DataDir::new();
    let lot = a_lot_with_its_listing(&d);
    enrolled(&d);
    let file = d.path().join("slip.pdf");
    let c = d.json(&[
        "certificate",
        "--lot",
        &lot,
        "--out",
        file.to_str().unwrap(),
        "--quantity",
        "3 jin",
        "--product",
        "风干牦牛肉 dried yak meat",
        "--contact",
        "139 0000 0000",
        "--basis",
        "self-test",
    ]);
    assert_eq!(c["lot_id"], lot.as_str());
    assert_eq!(c["product"], "风干牦牛肉 dried yak meat");
    assert_eq!(
        (c["quantity"].as_i64(), c["quantity_unit"].as_str()),
        (Some(1500), Some("g"))
    );
    assert_eq!(
        (c["unit"].as_str(), c["quantity_display"].as_str()),
        (Some("kg"), Some("1.5"))
    );
    assert_eq!(c["origin"], "雨崩 Yubeng");
    assert_eq!(c["issuer"], "卓玛 Dolma");
    assert_eq!(c["contact"], "139 0000 0000");
    assert_eq!(c["basis"], "self_test");
    assert_eq!(c["issued_on"].as_str().unwrap().len(), 10);
    assert_eq!(c["file"], file.to_str().unwrap());
    assert!(
        c["trace_url"]
            .as_str()
            .unwrap()
            .starts_with("https://hub.example/t/")
    );
    assert!(pdf_text(&file).contains("风干牦牛肉"));

    // Issuing again is a second certificate, not the first one again.
    let again = d.json(&[
        "certificate",
        "--lot",
        &lot,
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_ne!(again["id"], c["id"]);
    assert_eq!(certificates_in_outbox(&d), 2);
}

#[test]
fn bad_input_says_why_records_nothing_and_writes_nothing() {
    let d = DataDir::new();
    let lot = a_lot_with_its_listing(&d);
    let bare = d.ok(&["lot", "add", "--village", "雨崩"]).trim().to_owned();
    let file = d.path().join("slip.pdf");
    let out = file.to_str().unwrap();
    let before = d.snapshot();

    let err = d.fails(&["certificate", "--lot", &lot, "--out", out]);
    assert!(
        err.contains("not enrolled") && err.contains("enroll"),
        "{err}"
    );
    enrolled(&d);
    let before_enrolled = d.snapshot();
    let unknown = LotId::new().to_string();
    assert!(
        d.fails(&["certificate", "--lot", &unknown, "--out", out])
            .contains("no lot")
    );
    assert!(
        d.fails(&["certificate", "--lot", "yak", "--out", out])
            .contains("not a lot id")
    );
    let err = d.fails(&[
        "certificate",
        "--lot",
        &lot,
        "--out",
        out,
        "--quantity",
        "3",
        "--unit",
        "jar",
    ]);
    assert!(err.contains("jar") && err.contains("kg"), "{err}");
    let err = d.fails(&[
        "certificate",
        "--lot",
        &lot,
        "--out",
        out,
        "--quantity",
        "0",
    ]);
    assert!(err.contains("--quantity"), "{err}");
    let err = d.fails(&[
        "certificate",
        "--lot",
        &lot,
        "--out",
        out,
        "--basis",
        "trust me",
    ]);
    assert!(err.contains("own_word"), "{err}");
    let slip_png = d.path().join("slip.png");
    let err = d.fails(&[
        "certificate",
        "--lot",
        &lot,
        "--out",
        slip_png.to_str().unwrap(),
    ]);
    assert!(err.contains(".pdf"), "{err}");
    // A lot no listing names: the product and quantity must be given.
    let err = d.fails(&["certificate", "--lot", &bare, "--out", out]);
    assert!(err.contains("--product"), "{err}");
    let err = d.fails(&[
        "certificate",
        "--lot",
        &bare,
        "--out",
        out,
        "--product",
        "蜂蜜",
    ]);
    assert!(err.contains("--quantity"), "{err}");
    let err = d.fails(&[
        "certificate",
        "--lot",
        &bare,
        "--out",
        out,
        "--product",
        "蜂蜜",
        "--quantity",
        "2",
    ]);
    assert!(err.contains("--unit"), "{err}");

    assert!(!file.exists() && !slip_png.exists());
    assert_eq!(certificates_in_outbox(&d), 0);
    let (listings, sales, _, _) = d.snapshot();
    assert_eq!((listings, sales), (before.0, before.1));
    assert_eq!(
        before_enrolled.3["pending_ops"],
        d.snapshot().3["pending_ops"]
    );
}

/// The real thing on loopback: a hub in this process, the `highland` binary
/// enrolling, issuing and syncing.
mod with_a_hub {
    use highland_domain::TraceCode;
    use highland_hub::Storage;
    use serde_json::Value;

    use super::*;
    use crate::common::hub::{Hub, highland};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_certificate_reaches_the_hub_on_sync() {
        let hub = Hub::start().await;
        let d = DataDir::new();
        hub.enroll(&d).await;
        let lot = a_lot_with_its_listing(&d);
        let file = d.path().join("slip.pdf");
        let issued: Value = serde_json::from_str(
            &highland(
                &d,
                &[
                    "certificate",
                    "--lot",
                    &lot,
                    "--out",
                    file.to_str().unwrap(),
                    "--json",
                ],
            )
            .await,
        )
        .unwrap();
        assert_eq!(issued["issuer"], "卓玛 Dolma", "the enrolled seller's name");
        highland(&d, &["sync"]).await;

        let status: Value =
            serde_json::from_str(&highland(&d, &["status", "--json"]).await).unwrap();
        assert_eq!(status["pending_ops"], 0, "{status}");
        assert_eq!(status["refused_ops"], serde_json::json!([]), "{status}");
        let chain = hub
            .db
            .trace_chain(&TraceCode::of_lot(lot.parse().unwrap()), None)
            .unwrap()
            .expect("the lot is on the hub");
        assert_eq!(chain.certificates.len(), 1);
        assert_eq!(
            chain.certificates[0].id.to_string(),
            issued["id"].as_str().unwrap()
        );
        assert_eq!(chain.certificates[0].product.as_str(), "གཡག་ཤ 牦牛肉");
    }
}
