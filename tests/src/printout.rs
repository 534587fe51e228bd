//! Reading printouts back as a person would: poppler renders a PDF page
//! (or a piece of it) at printer resolution, zbar reads the QR codes in a
//! picture. A missing tool fails the test, naming the Debian package that
//! has it: a skipped check would prove nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, bail};

/// Printer resolution, dots per inch.
const DPI: f64 = 300.0;

fn run(tool: &str, package: &str, command: &mut Command) -> anyhow::Result<Output> {
    command
        .output()
        .with_context(|| format!("cannot run {tool}: install the Debian package {package}"))
}

/// Every QR code zbar reads in the picture, in the order it reports them.
pub fn qr_codes(png: &Path) -> anyhow::Result<Vec<String>> {
    let out = run(
        "zbarimg",
        "zbar-tools",
        Command::new("zbarimg").args(["--raw", "-q"]).arg(png),
    )?;
    // zbarimg exits 4 when it finds no code: an empty answer, not a failure.
    if !(out.status.success() || out.status.code() == Some(4)) {
        bail!(
            "zbarimg {}: {}",
            png.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// A rectangle of a page in millimetres from its top-left corner.
#[derive(Debug, Clone, Copy)]
pub struct Area {
    pub x_mm: f64,
    pub y_mm: f64,
    pub width_mm: f64,
    pub height_mm: f64,
}

/// Renders `area` of page `page` (from 1) of the PDF as a PNG at 300 dpi,
/// as the die-cut would cut one label from a printed sheet.
pub fn render_area(pdf: &Path, page: u32, area: Area, out: &Path) -> anyhow::Result<PathBuf> {
    let px = |mm: f64| ((mm / 25.4) * DPI).round().to_string();
    let stem = out.with_extension("");
    let page = page.to_string();
    let output = run(
        "pdftoppm",
        "poppler-utils",
        Command::new("pdftoppm")
            .args(["-r", "300", "-png", "-singlefile", "-f", &page, "-l", &page])
            .args(["-x", &px(area.x_mm), "-y", &px(area.y_mm)])
            .args(["-W", &px(area.width_mm), "-H", &px(area.height_mm)])
            .arg(pdf)
            .arg(&stem),
    )?;
    if !output.status.success() {
        bail!(
            "pdftoppm {}: {}",
            pdf.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(stem.with_extension("png"))
}

/// The PDF's text as a reader extracts it.
pub fn text(pdf: &Path) -> anyhow::Result<String> {
    let out = run(
        "pdftotext",
        "poppler-utils",
        Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(pdf)
            .arg("-"),
    )?;
    if !out.status.success() {
        bail!(
            "pdftotext {}: {}",
            pdf.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?)
}
