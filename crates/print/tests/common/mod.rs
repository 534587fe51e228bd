//! Reading printouts back with the tools a person would use: poppler renders
//! a PDF to pictures and extracts its text, zbar reads every QR code in a
//! picture. A missing tool fails the test, naming the package to install:
//! a skipped test would pass without proving anything.

#![allow(dead_code)]

pub mod camera;

use std::path::{Path, PathBuf};
use std::process::Command;

use highland_domain::{LotId, TraceCode};
use highland_print::Fonts;

pub const HUB: &str = "https://hub.highland.example";

pub fn fonts() -> Fonts {
    Fonts::system().unwrap_or_else(|e| panic!("{e}"))
}

/// A fresh lot's trace code and URL, as the app prints them.
pub fn trace() -> (String, String) {
    let code = TraceCode::of_lot(LotId::new());
    (highland_label::trace_url(HUB, &code), code.grouped())
}

/// Where test printouts are kept to be looked at: `artifacts/print/` at the
/// workspace root (ignored by git).
pub fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts/print");
    std::fs::create_dir_all(&dir).expect("artifacts/print");
    dir
}

/// Runs a tool and returns its standard output, failing the test with the
/// Debian package to install when the tool is not there.
fn run(tool: &str, package: &str, args: &[&str]) -> std::process::Output {
    Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run {tool} ({e}): install the Debian package {package} (apt-get install {package})")
    })
}

/// Writes `pdf` to `artifacts/print/{name}.pdf` and renders every page at
/// 300 dpi, as a printer would, into `artifacts/print/{name}/`: the PNGs,
/// page by page. Each printout has its own folder so that tests running
/// side by side never clear each other's pages.
pub fn render(pdf: &[u8], name: &str) -> (PathBuf, Vec<PathBuf>) {
    let dir = artifacts();
    let pdf_path = dir.join(format!("{name}.pdf"));
    std::fs::write(&pdf_path, pdf).expect("write the PDF");
    let pages_dir = dir.join(name);
    if pages_dir.exists() {
        std::fs::remove_dir_all(&pages_dir).expect("remove the old pages");
    }
    std::fs::create_dir_all(&pages_dir).expect("a folder for the pages");
    let output = run(
        "pdftoppm",
        "poppler-utils",
        &[
            "-r",
            "300",
            "-png",
            path(&pdf_path),
            path(&pages_dir.join("page")),
        ],
    );
    assert!(
        output.status.success(),
        "pdftoppm failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&pages_dir)
        .expect("the pages")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    pages.sort();
    (pdf_path, pages)
}

/// Every QR code zbar finds in the picture, in the order it reports them.
pub fn decode(png: &Path) -> Vec<String> {
    let output = run("zbarimg", "zbar-tools", &["--raw", "-q", path(png)]);
    // zbarimg exits 4 when it finds no code: that is an empty answer here.
    assert!(
        output.status.success() || output.status.code() == Some(4),
        "zbarimg failed on {}: {}",
        png.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("the codes are UTF-8")
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The PDF's text as a reader extracts it: only right when the fonts are
/// embedded with a correct ToUnicode map.
pub fn pdftotext(pdf_path: &Path) -> String {
    let output = run(
        "pdftotext",
        "poppler-utils",
        &["-enc", "UTF-8", path(pdf_path), "-"],
    );
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Cuts a page rendered at 300 dpi along a grid of `columns` x `rows`
/// cells of `width` x `height` mm starting `top` mm down, as the die-cut
/// cuts the sheet, and writes each cell as a PNG: one label, as a phone
/// sees it.
///
/// zbar reading a whole sheet at once pairs the finder patterns of
/// neighbouring codes in a tight grid and now and then drops one; reading
/// label by label is how the codes are used, and it also proves each code
/// sits in its own label.
pub fn cells(
    page: &Path,
    columns: usize,
    rows: usize,
    size_mm: (f64, f64),
    top_mm: f64,
) -> Vec<PathBuf> {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(page).expect("a rendered page"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut pixels).expect("one frame");
    let channels = info.color_type.samples();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let px = |mm: f64| (mm / 25.4 * 300.0).round() as usize;
    // Beside the page, so that each printout's cells are its own.
    let dir = page.parent().expect("a page folder").join("cells");
    std::fs::create_dir_all(&dir).expect("a directory for cells");
    let stem = page.file_stem().and_then(|s| s.to_str()).expect("a name");
    let mut out = Vec::new();
    for row in 0..rows {
        for column in 0..columns {
            let (x0, x1) = (
                px(column as f64 * size_mm.0),
                px((column + 1) as f64 * size_mm.0),
            );
            let y0 = px(top_mm + row as f64 * size_mm.1);
            let y1 = px(top_mm + (row + 1) as f64 * size_mm.1);
            let (x1, y1) = (x1.min(info.width as usize), y1.min(info.height as usize));
            let mut cell = Vec::with_capacity((x1 - x0) * (y1 - y0));
            for y in y0..y1 {
                let line = &pixels[y * info.line_size..(y + 1) * info.line_size];
                // The first channel is enough: the printout is black and white.
                cell.extend((x0..x1).map(|x| line[x * channels]));
            }
            let path = dir.join(format!("{stem}-{}.png", row * columns + column));
            let file = std::fs::File::create(&path).expect("a cell file");
            let mut encoder = png::Encoder::new(
                std::io::BufWriter::new(file),
                (x1 - x0) as u32,
                (y1 - y0) as u32,
            );
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().expect("a PNG header");
            writer.write_image_data(&cell).expect("a cell");
            writer.finish().expect("a cell written");
            out.push(path);
        }
    }
    out
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}
