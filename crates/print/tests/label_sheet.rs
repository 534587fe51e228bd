//! Label sheets read back as a phone and a reader would: every QR code on
//! every page decodes to its lot's URL, and the text extracts as written.

mod common;

use std::path::{Path, PathBuf};

use common::{cells, decode, fonts, pdftotext, render, trace};
use highland_print::{LabelItem, PrintError, label_sheet};

const NAMES: [&str; 4] = [
    "牦牛肉 གཡག་ཤ",
    "青稞 ནས་",
    "酥油 མར་ 那曲高原",
    "བསྒྲུབས་པའི་ཕྱུགས་ཤ 风干牦牛肉",
];

/// The 24 labels of a rendered A4 sheet: 3 x 8 of 70 x 37 mm, 0.5 mm down.
fn sheet_cells(page: &Path) -> Vec<PathBuf> {
    cells(page, 3, 8, (70.0, 37.0), 0.5)
}

fn items(count: usize) -> Vec<LabelItem> {
    (0..count)
        .map(|i| {
            let (url, code) = trace();
            LabelItem {
                url,
                name: NAMES[i % NAMES.len()].to_owned(),
                code,
                lines: match i % 3 {
                    0 => vec![],
                    1 => vec!["采收 2026-09-12".to_owned()],
                    _ => vec!["采收 2026-09-12".to_owned(), "ཡུལ། 那曲 5 kg".to_owned()],
                },
            }
        })
        .collect()
}

#[test]
fn thirty_labels_print_on_two_sheets_and_every_code_reads_back_its_url() {
    let items = items(30);
    let pdf = label_sheet(&fonts(), &items).expect("a sheet");
    let (pdf_path, pages) = render(&pdf, "labels-30");
    assert_eq!(pages.len(), 2, "24 labels to a sheet");

    // Label n on page p is the code of item 24p + n: every label reads back
    // exactly its own URL, and the cells past the last label are blank.
    let read: Vec<Vec<String>> = pages
        .iter()
        .flat_map(|page| sheet_cells(page))
        .map(|cell| decode(&cell))
        .collect();
    for (i, item) in items.iter().enumerate() {
        assert_eq!(read[i], vec![item.url.clone()], "label {i}");
    }
    assert!(read[items.len()..].iter().all(Vec::is_empty));

    let text = pdftotext(&pdf_path);
    for item in &items {
        assert!(
            text.contains(&item.code),
            "{} missing from {text}",
            item.code
        );
    }
    assert!(text.contains("གཡག་ཤ"), "no Tibetan in {text}");
    // pdftotext may put a space where a mark's glyph overhangs; the
    // letters themselves must all be there, in order.
    let letters: String = text.split_whitespace().collect();
    assert!(
        letters.contains("བསྒྲུབས་པའི་ཕྱུགས་ཤ"),
        "no Tibetan stacks in {text}"
    );
    assert!(text.contains("牦牛肉"), "no Chinese in {text}");
    assert!(text.contains("2026-09-12"), "no date in {text}");
}

#[test]
fn a_full_sheet_of_twenty_four_is_one_page_and_small() {
    let items = items(24);
    let fonts = fonts();
    let started = std::time::Instant::now();
    let pdf = label_sheet(&fonts, &items).expect("a sheet");
    eprintln!("a sheet of 24 labels took {:?}", started.elapsed());
    let (_, pages) = render(&pdf, "labels-24");
    assert_eq!(pages.len(), 1);
    let read: Vec<String> = sheet_cells(&pages[0])
        .iter()
        .flat_map(|c| decode(c))
        .collect();
    let wanted: Vec<String> = items.iter().map(|i| i.url.clone()).collect();
    assert_eq!(read, wanted);
    // Subset fonts and vector codes: a sheet goes by message or mail.
    eprintln!("a sheet of 24 labels is {} bytes", pdf.len());
    assert!(pdf.len() < 100_000, "{} bytes", pdf.len());
}

#[test]
fn a_long_name_shrinks_and_wraps_inside_its_label() {
    let (url, code) = trace();
    let item = LabelItem {
        url: url.clone(),
        name: "高原散养风干牦牛肉（特级） བསྒྲུབས་པའི་གཡག་ཤ་སྐམ་པོ་ཡག་ཤོས་ 那曲县".to_owned(),
        code: code.clone(),
        lines: vec!["采收 2026-09-12".to_owned(), "保质期 12 个月".to_owned()],
    };
    let pdf = label_sheet(&fonts(), &[item]).expect("shrunk and wrapped to fit");
    let (pdf_path, pages) = render(&pdf, "labels-long-name");
    assert_eq!(decode(&pages[0]), vec![url]);
    let text = pdftotext(&pdf_path);
    assert!(text.contains(&code), "{text}");
    assert!(text.contains("保质期"), "{text}");
}

#[test]
fn a_name_too_long_for_any_legible_size_is_refused_with_its_label() {
    let mut items = items(3);
    items[2].name = "牦牛肉".repeat(60);
    let error = label_sheet(&fonts(), &items).expect_err("180 characters cannot fit 37 mm");
    assert!(
        matches!(&error, PrintError::DoesNotFit { what, .. } if what.contains("label 2")),
        "{error:?}"
    );
    assert!(error.to_string().contains("6 pt"), "{error}");
}

#[test]
fn a_label_without_a_url_is_refused_before_anything_is_printed() {
    let mut items = items(2);
    items[1].url = "  ".to_owned();
    let error = label_sheet(&fonts(), &items).expect_err("no URL");
    assert!(
        matches!(error, PrintError::EmptyUrl { index: 1 }),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "label 1 has no URL for its QR code");
}

#[test]
fn a_label_has_room_for_two_extra_lines_only() {
    let mut items = items(1);
    items[0].lines = vec!["a".into(), "b".into(), "c".into()];
    let error = label_sheet(&fonts(), &items).expect_err("three lines");
    assert!(
        matches!(
            error,
            PrintError::TooManyLines {
                index: 0,
                count: 3,
                max: 2
            }
        ),
        "{error:?}"
    );
}

#[test]
fn no_labels_make_one_blank_sheet() {
    let pdf = label_sheet(&fonts(), &[]).expect("a blank sheet");
    let (_, pages) = render(&pdf, "labels-none");
    assert_eq!(pages.len(), 1);
    assert!(decode(&pages[0]).is_empty());
}

#[test]
fn a_missing_font_names_the_package_to_install() {
    let error = PrintError::FontMissing {
        script: "Tibetan",
        looked_in: vec!["/usr/share/fonts/truetype/noto/NotoSerifTibetan-Regular*".into()],
    };
    assert!(error.to_string().contains("fonts-noto-core"), "{error}");
    let error = PrintError::FontMissing {
        script: "Chinese",
        looked_in: vec![],
    };
    assert!(error.to_string().contains("fonts-noto-cjk"), "{error}");
}
