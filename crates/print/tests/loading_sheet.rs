//! A round's loading sheet read back with poppler: its text says, in
//! Chinese and Tibetan, what the driver loads at each stop, in the order
//! of the stops; a long round goes on over pages, under its heading again.

mod common;

use common::{fonts, pdftotext, render};
use highland_print::{LoadingSheet, PrintError, SheetLine, SheetStop, loading_sheet};

/// The text without the spaces pdftotext puts where glyphs overhang.
fn letters(text: &str) -> String {
    text.split_whitespace().collect()
}

fn line(seller: &str, product: &str, quantity: &str, lot: Option<&str>) -> SheetLine {
    SheetLine {
        seller: seller.to_owned(),
        product: product.to_owned(),
        quantity: quantity.to_owned(),
        lot_code: lot.map(str::to_owned),
    }
}

fn sheet(rows_at_yubeng: usize) -> LoadingSheet {
    LoadingSheet {
        date: "2026-10-15".into(),
        vehicle: "云F·12345 东风".into(),
        capacity: "1500 kg".into(),
        expected: "820 kg".into(),
        stops: vec![
            SheetStop {
                expected_at: "09:00".into(),
                place: "西当 Xidang".into(),
                expected: "12 kg".into(),
                lines: vec![line(
                    "卓玛 སྒྲོལ་མ།",
                    "牦牛肉 གཡག་ཤ",
                    "12 kg",
                    Some("7KQM-4XRP-Y"),
                )],
            },
            SheetStop {
                expected_at: "10:30".into(),
                place: "雨崩 གཡུ་འབབ།".into(),
                expected: "4.5 kg".into(),
                lines: (0..rows_at_yubeng)
                    .map(|i| {
                        line(
                            &format!("白玛 པདྨ། {i}"),
                            "雪山蜂蜜 གངས་རིའི་སྦྲང་རྩི།",
                            "6 jar · 4.5 kg",
                            None,
                        )
                    })
                    .collect(),
            },
        ],
    }
}

#[test]
fn the_sheet_lists_each_stops_sellers_products_quantities_and_lot_codes() {
    let pdf = loading_sheet(&fonts(), &sheet(2)).expect("a sheet");
    let (pdf_path, pages) = render(&pdf, "loading-sheet");
    assert_eq!(pages.len(), 1);
    let text = letters(&pdftotext(&pdf_path));
    for words in [
        "装车单ཁལ་བླུགས་ཐོ་ཡིག",
        "2026-10-15",
        "云F·12345东风",
        "1500kg",
        "09:00西当Xidang12kg",
        "卓玛སྒྲོལ་མ།",
        "牦牛肉གཡག་ཤ",
        "7KQM-4XRP-Y",
        "10:30雨崩གཡུ་འབབ།4.5kg",
        "雪山蜂蜜གངས་རིའི་སྦྲང་རྩི།",
        "6jar·4.5kg",
        "卖家ཚོང་པ།",
        "批次码ཚན་ཨང་།",
    ] {
        assert!(text.contains(words), "{words} missing from {text}");
    }
    // The stops in the truck's order.
    assert!(text.find("西当").unwrap() < text.find("雨崩").unwrap());
    assert!(pdf.len() < 120_000, "{} bytes", pdf.len());
}

#[test]
fn a_long_round_goes_on_over_pages_under_its_heading() {
    let pdf = loading_sheet(&fonts(), &sheet(80)).expect("a sheet");
    let (pdf_path, pages) = render(&pdf, "loading-sheet-long");
    assert!(pages.len() >= 2, "{} pages", pages.len());
    let text = pdftotext(&pdf_path);
    let per_page: Vec<String> = text.split('\u{c}').map(letters).collect();
    // Every row is there once, and each page has the table's heading.
    assert!(per_page[0].contains("白玛པདྨ།0"));
    let all = letters(&text);
    assert!(all.contains("白玛པདྨ།79"), "{all}");
    for page in per_page.iter().filter(|p| !p.is_empty()) {
        assert!(
            page.contains("产品ཐོན་རྫས།"),
            "a page without the heading: {page}"
        );
    }
}

#[test]
fn a_name_no_line_can_hold_is_refused_rather_than_cut() {
    let mut too_long = sheet(1);
    too_long.stops[0].lines[0].lot_code = Some("X".repeat(200));
    let err = loading_sheet(&fonts(), &too_long).unwrap_err();
    assert!(matches!(err, PrintError::DoesNotFit { .. }), "{err}");
}
