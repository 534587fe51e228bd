//! The app's own QR decoder (highland-label's `scan`, rqrr in the app's
//! process: no Google Play services) on pictures of real printouts:
//! enrollment codes and lots' trace URLs printed on label sheets by
//! highland-print, the PDF rasterised at 300 dpi by poppler and cut into
//! labels, then each label photographed as a tablet's camera would
//! (rotated, sheared, blurred, from afar, in dim light, a low-quality JPEG).
//! At least 95% must read back exactly.
//!
//! The pictures that did not read are written to
//! `artifacts/print/scan/failed/` for a look when this test fails.

mod common;

use common::camera::{Dice, photographed};
use common::{HUB, cells, fonts, render};
use highland_domain::{LotId, TraceCode};
use highland_label::scan::decode_qr;
use highland_label::trace_url;
use highland_print::{LabelItem, label_sheet};

const CASES: usize = 300;

/// What the codes say: enrollment codes with a workshop's or a
/// prefecture hub's address, a bare code, and lots' trace URLs.
fn texts(n: usize) -> Vec<String> {
    let hubs = ["http://192.168.1.10:7878", HUB];
    (0..n)
        .map(|i| match i % 4 {
            0 | 1 => format!(
                "highland://enroll?hub={}&code=K7QM-4XRP-{}",
                hubs[i % 2],
                ["Y", "3", "H", "V"][i % 4 / 2 + i % 2]
            ),
            2 => "K7QM-4XRP-Y".to_owned(),
            _ => trace_url(HUB, &TraceCode::of_lot(LotId::new())),
        })
        .collect()
}

#[test]
fn at_least_95_percent_of_photographed_printouts_read_back_exactly() {
    let texts = texts(CASES);
    let items: Vec<LabelItem> = texts
        .iter()
        .map(|text| LabelItem {
            url: text.clone(),
            name: "牦牛肉 གཡག་ཤ".to_owned(),
            code: "K7QM-4XRP-Y2AB-C".to_owned(),
            lines: vec!["采收 2026-09-12".to_owned()],
        })
        .collect();
    let pdf = label_sheet(&fonts(), &items).expect("the sheet prints");
    let (_, pages) = render(&pdf, "scan");
    let labels: Vec<_> = pages
        .iter()
        .flat_map(|page| cells(page, 3, 8, (70.0, 37.0), 0.5))
        .take(CASES)
        .collect();
    assert_eq!(labels.len(), CASES, "every label was printed");

    let failed_dir = common::artifacts().join("scan/failed");
    let _ = std::fs::remove_dir_all(&failed_dir);
    let mut dice = Dice(0x5eed_1a4d_2026);
    let mut failed = Vec::new();
    for (i, (label, text)) in labels.iter().zip(&texts).enumerate() {
        let printed = image::open(label).expect("a label").to_luma8();
        let (picture, how) = photographed(&printed, &mut dice);
        let read = decode_qr(&picture);
        if !matches!(&read, Ok(found) if found.iter().any(|t| t == text)) {
            std::fs::create_dir_all(&failed_dir).unwrap();
            std::fs::write(failed_dir.join(format!("{i:03}.jpg")), &picture).unwrap();
            eprintln!("{i:03} not read: {how}");
            failed.push((i, read.map_err(|e| e.to_string())));
        }
    }
    let read = CASES - failed.len();
    eprintln!(
        "scan: {read} of {CASES} photographed printouts read back ({:.1}%)",
        100.0 * read as f64 / CASES as f64
    );
    assert!(
        read * 100 >= CASES * 95,
        "only {read} of {CASES} read back; failures: {failed:?}"
    );
}
