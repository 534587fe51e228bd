//! QR codes for what Highland prints and shows: a lot's trace URL on its
//! label, an enrollment code on a screen. One drawing, two formats: SVG
//! (exact at any size, for screens and printing) and PNG (for anything that
//! takes only pictures).
//!
//! Every code has error correction level M (15% of it may be dirty or torn
//! and it still reads) and the standard quiet zone of four modules, without
//! which phone cameras often fail to find it.

use std::path::Path;

pub mod scan;

use highland_domain::TraceCode;
use qrcode::{Color, EcLevel, QrCode};

/// The light margin round the code, in modules (the standard's minimum).
pub const QUIET_ZONE: usize = 4;

/// The side of a lot's label code: a phone camera reads a code of this size
/// from a hand's length, and it fits a 3 cm label.
pub const LABEL_SIDE_MM: f64 = 25.0;

#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    #[error("the text is too long for a QR code ({0} bytes)")]
    TooLong(usize),
    #[error("{0:?} names no picture format this can write; end it in .svg or .png")]
    UnknownFormat(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// The page a lot's QR code opens: `{hub}/t/{code}` (the short form the
/// hub resolves; GS1 Digital Link paths need a GTIN, which village lots do
/// not have).
pub fn trace_url(hub_base_url: &str, code: &TraceCode) -> String {
    format!("{}/t/{}", hub_base_url.trim_end_matches('/'), code.as_str())
}

/// A QR code, ready to draw.
pub struct Qr {
    width: usize,
    dark: Vec<bool>,
}

impl Qr {
    pub fn new(text: &str) -> Result<Qr, LabelError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|_| LabelError::TooLong(text.len()))?;
        Ok(Qr {
            width: code.width(),
            dark: code.to_colors().iter().map(|c| *c == Color::Dark).collect(),
        })
    }

    /// Modules per side, quiet zone included.
    pub fn side(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// Whether the module at column `x`, row `y` (0..[`Qr::side`], quiet
    /// zone included, so the margin reads light) is dark: for drawing the
    /// code in formats this crate does not write, such as PDF.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        let inside = QUIET_ZONE..QUIET_ZONE + self.width;
        inside.contains(&x)
            && inside.contains(&y)
            && self.dark[(y - QUIET_ZONE) * self.width + (x - QUIET_ZONE)]
    }

    /// An SVG of one path of unit squares, `side_mm` millimetres wide when
    /// printed (`None`: it fills whatever holds it). `label` is its
    /// accessible name; it is escaped.
    pub fn svg(&self, side_mm: Option<f64>, label: &str) -> String {
        let side = self.side();
        let mut path = String::new();
        for y in 0..side {
            for x in 0..side {
                if self.is_dark(x, y) {
                    path.push_str(&format!("M{x} {y}h1v1h-1z"));
                }
            }
        }
        let size = side_mm
            .map(|mm| format!(" width=\"{mm}mm\" height=\"{mm}mm\""))
            .unwrap_or_default();
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\"{size} \
             shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"{label}\">\
             <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
             <path fill=\"#000\" d=\"{path}\"/></svg>",
            label = escape(label),
        )
    }

    /// A black-and-white PNG with `pixels_per_module` pixels to a module.
    pub fn png(&self, pixels_per_module: usize) -> Vec<u8> {
        let scale = pixels_per_module.max(1);
        let pixels = self.side() * scale;
        let mut rows = Vec::with_capacity(pixels * pixels);
        for py in 0..pixels {
            for px in 0..pixels {
                rows.push(if self.is_dark(px / scale, py / scale) {
                    0
                } else {
                    255
                });
            }
        }
        let mut bytes = Vec::new();
        let side = u32::try_from(pixels).expect("a QR code is at most 185 modules");
        let mut encoder = png::Encoder::new(&mut bytes, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("writing to memory");
        writer.write_image_data(&rows).expect("writing to memory");
        writer.finish().expect("writing to memory");
        bytes
    }

    /// Writes the code to `path` as SVG or PNG, by its extension, sized for
    /// a label: [`LABEL_SIDE_MM`] wide as SVG, 300 dots per inch as PNG.
    pub fn write_label(&self, path: &Path, label: &str) -> Result<(), LabelError> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let bytes = match extension.as_deref() {
            Some("svg") => self.svg(Some(LABEL_SIDE_MM), label).into_bytes(),
            Some("png") => {
                // 300 dpi across LABEL_SIDE_MM, in whole pixels per module.
                let dots = LABEL_SIDE_MM / 25.4 * 300.0;
                self.png(((dots / self.side() as f64).round() as usize).max(2))
            }
            _ => return Err(LabelError::UnknownFormat(path.display().to_string())),
        };
        std::fs::write(path, bytes).map_err(|source| LabelError::Write {
            path: path.display().to_string(),
            source,
        })
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use highland_domain::LotId;

    #[test]
    fn a_lots_url_is_its_hubs_short_trace_path() {
        let code = TraceCode::of_lot(LotId::new());
        assert_eq!(
            trace_url("https://hub.example/", &code),
            format!("https://hub.example/t/{}", code.as_str())
        );
    }

    #[test]
    fn the_svg_has_a_quiet_zone_a_size_and_an_escaped_name() {
        let qr = Qr::new("https://hub.example/t/K7QM4XRPY2ABC").unwrap();
        let svg = qr.svg(Some(25.0), "lot \"K7QM\" <a>");
        assert!(svg.contains("width=\"25mm\""), "{svg}");
        assert!(svg.contains("aria-label=\"lot &quot;K7QM&quot; &lt;a&gt;\""));
        // No dark module in the quiet zone: none starts left of or above it.
        let path = svg.split(" d=\"").nth(1).unwrap();
        for square in path.trim_end_matches("\"/></svg>").split('M').skip(1) {
            let mut xy = square.split(['h', ' ']);
            let x: usize = xy.next().unwrap().parse().unwrap();
            let y: usize = xy.next().unwrap().parse().unwrap();
            assert!(x >= QUIET_ZONE && y >= QUIET_ZONE && x < qr.side() - QUIET_ZONE);
        }
    }

    #[test]
    fn the_png_is_a_picture_of_the_same_modules() {
        let qr = Qr::new("K7QM-4XRP-Y").unwrap();
        let bytes = qr.png(3);
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!(info.width as usize, qr.side() * 3);
        for y in 0..qr.side() {
            for x in 0..qr.side() {
                let pixel = pixels[(y * 3 + 1) * info.width as usize + x * 3 + 1];
                assert_eq!(pixel == 0, qr.is_dark(x, y), "module {x},{y}");
            }
        }
    }

    /// Decodes a PNG of ours the way a phone's reader does.
    pub(crate) fn read_back(bytes: &[u8]) -> String {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        let (w, h) = (info.width as usize, info.height as usize);
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the picture");
        grids[0].decode().unwrap().1
    }

    #[test]
    fn a_label_reads_back_as_its_lots_url() {
        let url = trace_url("https://hub.example", &TraceCode::of_lot(LotId::new()));
        let dir = std::env::temp_dir().join(format!("highland-label-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("lot.png");
        Qr::new(&url).unwrap().write_label(&file, "lot").unwrap();
        assert_eq!(read_back(&std::fs::read(&file).unwrap()), url);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn text_too_long_for_any_qr_code_is_refused() {
        assert!(matches!(
            Qr::new(&"x".repeat(4000)),
            Err(LabelError::TooLong(4000))
        ));
    }

    #[test]
    fn a_file_is_written_by_its_extension_or_refused() {
        let dir = std::env::temp_dir().join(format!("highland-label-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let qr = Qr::new("https://hub.example/t/K7QM4XRPY2ABC").unwrap();
        qr.write_label(&dir.join("a.svg"), "lot").unwrap();
        qr.write_label(&dir.join("a.PNG"), "lot").unwrap();
        assert!(
            std::fs::read(dir.join("a.PNG"))
                .unwrap()
                .starts_with(b"\x89PNG")
        );
        assert!(matches!(
            qr.write_label(&dir.join("a.jpg"), "lot"),
            Err(LabelError::UnknownFormat(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
