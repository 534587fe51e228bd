//! Reading a label sheet back as a phone would: poppler renders each label
//! of the PDF on its own, at a printer's 300 dpi, and zbar reads its QR
//! code. A missing tool fails the test, naming the Debian package: a
//! skipped test would prove nothing.

use std::path::Path;
use std::process::{Command, Output};

/// The grid of highland-print's sheets: A4, 3 x 8 labels of 70 x 37 mm,
/// the spare half millimetre above the first row.
const COLUMNS: usize = 3;
const ROWS: usize = 8;
const LABEL_MM: (f64, f64) = (70.0, 37.0);
const TOP_MM: f64 = 0.5;

fn run(tool: &str, package: &str, args: &[&str]) -> Output {
    Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool} ({e}): install the Debian package {package}"))
}

/// What the QR code of each of the first `count` labels of the sheet says,
/// label by label, in the order they fill the sheet.
pub fn label_codes(pdf: &[u8], count: usize) -> Vec<Vec<String>> {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let dir = tempfile::tempdir().unwrap();
    let pdf_path = dir.path().join("sheet.pdf");
    std::fs::write(&pdf_path, pdf).unwrap();
    let px = |mm: f64| ((mm / 25.4 * 300.0).round() as usize).to_string();
    (0..count)
        .map(|n| {
            let (page, on_page) = (n / (COLUMNS * ROWS) + 1, n % (COLUMNS * ROWS));
            let (column, row) = (on_page % COLUMNS, on_page / COLUMNS);
            let out = dir.path().join(format!("label-{n}"));
            let page = page.to_string();
            let output = run(
                "pdftoppm",
                "poppler-utils",
                &[
                    "-r",
                    "300",
                    "-f",
                    &page,
                    "-l",
                    &page,
                    "-x",
                    &px(column as f64 * LABEL_MM.0),
                    "-y",
                    &px(TOP_MM + row as f64 * LABEL_MM.1),
                    "-W",
                    &px(LABEL_MM.0),
                    "-H",
                    &px(LABEL_MM.1),
                    "-png",
                    "-singlefile",
                    path(&pdf_path),
                    path(&out),
                ],
            );
            assert!(
                output.status.success(),
                "pdftoppm: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            decode(&out.with_extension("png"))
        })
        .collect()
}

/// Every QR code zbar finds in a picture.
fn decode(png: &Path) -> Vec<String> {
    let output = run("zbarimg", "zbar-tools", &["--raw", "-q", path(png)]);
    // zbarimg exits 4 when it finds no code: an empty answer here.
    assert!(
        output.status.success() || output.status.code() == Some(4),
        "zbarimg: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}
