//! The scanner on pictures as a tablet's camera takes them: enrollment
//! cards and lot labels, rendered as they are printed (highland-label's
//! `Qr`, the `qrcode` crate), on paper, then rotated, sheared, blurred,
//! shrunk, darkened and saved as a low-quality JPEG, in every mix. At least
//! 95% of them must read back exactly.
//!
//! The degradations come from a fixed seed, so a failure replays; the
//! pictures that did not read are written to `target/scan-failures/` for a
//! look when this test fails.

use highland_domain::{LotId, TraceCode};
use highland_label::scan::{ScanError, decode_qr, decode_qr_image};
use highland_label::{Qr, trace_url};
use image::{DynamicImage, GrayImage, Luma, imageops};

const CASES: usize = 300;

/// A small, seeded generator (xorshift): the same pictures on every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in `lo..hi`.
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

/// What the pictures say: enrollment codes with a workshop's or a
/// prefecture hub's address, a bare code, and lots' trace URLs.
fn texts(n: usize) -> Vec<String> {
    let hubs = ["http://192.168.1.10:7878", "https://hub.deqen.example.cn"];
    (0..n)
        .map(|i| match i % 4 {
            0 | 1 => format!(
                "highland://enroll?hub={}&code=K7QM-4XRP-{}",
                hubs[i % 2],
                ["Y", "3", "H", "V"][i % 4 / 2 + i % 2]
            ),
            2 => "K7QM-4XRP-Y".to_owned(),
            _ => trace_url(hubs[1], &TraceCode::of_lot(LotId::new())),
        })
        .collect()
}

/// The code as printed: `module` pixels a module, on a sheet of paper
/// `margin` modules wider on each side than its quiet zone.
fn printed(text: &str, module: u32) -> GrayImage {
    let qr = Qr::new(text).unwrap();
    let side = qr.side() as u32;
    let margin = 6;
    let total = (side + 2 * margin) * module;
    GrayImage::from_fn(total, total, |x, y| {
        let (mx, my) = (x / module, y / module);
        let dark = mx >= margin
            && my >= margin
            && mx - margin < side
            && my - margin < side
            && qr.is_dark((mx - margin) as usize, (my - margin) as usize);
        Luma([if dark { 20 } else { 235 }])
    })
}

/// Rotation by `angle` radians and a shear, about the centre, on a table
/// (mid grey) that shows where the paper ends; bilinear, as a lens blurs.
fn warp(src: &GrayImage, angle: f64, shear: f64) -> GrayImage {
    let (w, h) = src.dimensions();
    let (cx, cy) = (f64::from(w) / 2.0, f64::from(h) / 2.0);
    let out_side = (f64::from(w.max(h)) * 1.5) as u32;
    let (ox, oy) = (f64::from(out_side) / 2.0, f64::from(out_side) / 2.0);
    // Forward: shear then rotate; each output pixel looks back through the inverse.
    let (c, s) = (angle.cos(), angle.sin());
    let (a, b, cc, d) = (c, c * shear - s, s, s * shear + c);
    let det = a * d - b * cc;
    let (ia, ib, ic, id) = (d / det, -b / det, -cc / det, a / det);
    GrayImage::from_fn(out_side, out_side, |x, y| {
        let (dx, dy) = (f64::from(x) - ox, f64::from(y) - oy);
        let (sx, sy) = (ia * dx + ib * dy + cx, ic * dx + id * dy + cy);
        if sx < 0.0 || sy < 0.0 || sx >= f64::from(w - 1) || sy >= f64::from(h - 1) {
            return Luma([120]);
        }
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = (sx - x0, sy - y0);
        let p = |x: f64, y: f64| f64::from(src.get_pixel(x as u32, y as u32).0[0]);
        let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1.0, y0) * fx;
        let bottom = p(x0, y0 + 1.0) * (1.0 - fx) + p(x0 + 1.0, y0 + 1.0) * fx;
        Luma([(top * (1.0 - fy) + bottom * fy).round() as u8])
    })
}

/// Dim light: contrast squeezed towards black, and a shadow across the card.
fn darken(img: &mut GrayImage, factor: f64, shadow: f64) {
    let w = f64::from(img.width());
    for (x, _, p) in img.enumerate_pixels_mut() {
        let gradient = 1.0 - shadow * f64::from(x) / w;
        p.0[0] = (f64::from(p.0[0]) * factor * gradient)
            .round()
            .clamp(0.0, 255.0) as u8;
    }
}

fn jpeg(img: &GrayImage, quality: u8) -> Vec<u8> {
    let mut bytes = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality);
    DynamicImage::ImageLuma8(img.clone())
        .write_with_encoder(encoder)
        .unwrap();
    bytes
}

/// One camera's picture of `text`, degraded by the dice, and how.
fn photographed(text: &str, dice: &mut Dice) -> (Vec<u8>, String) {
    let module = dice.range(4.0, 9.0) as u32;
    let mut img = printed(text, module);
    let angle = dice.range(-0.6, 0.6); // up to about 35 degrees either way
    let shear = dice.range(-0.18, 0.18);
    img = warp(&img, angle, shear);
    let blur = dice.range(0.0, 1.4) as f32;
    if blur > 0.2 {
        img = imageops::blur(&img, blur);
    }
    // Shrunk: the code far from the camera, down to about 2.5 pixels a module.
    let shrink = dice.range(0.45, 1.0);
    let (w, h) = img.dimensions();
    img = imageops::resize(
        &img,
        ((f64::from(w) * shrink) as u32).max(1),
        ((f64::from(h) * shrink) as u32).max(1),
        imageops::FilterType::Triangle,
    );
    let (light, shadow) = (dice.range(0.35, 1.0), dice.range(0.0, 0.5));
    darken(&mut img, light, shadow);
    let quality = dice.range(25.0, 70.0) as u8;
    let how = format!(
        "{:.1} px a module, turned {:.0}°, sheared {shear:.2}, blur {blur:.1}, light {light:.2}, \
         shadow {shadow:.2}, JPEG quality {quality}",
        f64::from(module) * shrink,
        angle.to_degrees()
    );
    (jpeg(&img, quality), how)
}

#[test]
fn at_least_95_percent_of_photographed_codes_read_back_exactly() {
    let mut dice = Dice(0x5eed_1a4d_2026);
    let texts = texts(CASES);
    let failures_dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/scan-failures");
    let mut failed = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let (picture, how) = photographed(text, &mut dice);
        let read = decode_qr(&picture);
        let ok = matches!(&read, Ok(found) if found.iter().any(|t| t == text));
        if !ok {
            std::fs::create_dir_all(&failures_dir).unwrap();
            std::fs::write(failures_dir.join(format!("{i:03}.jpg")), &picture).unwrap();
            eprintln!("{i:03} not read: {how}");
            failed.push((i, read.map_err(|e| e.to_string())));
        }
    }
    let read = CASES - failed.len();
    eprintln!(
        "scan: {read} of {CASES} photographed codes read back ({:.1}%)",
        100.0 * read as f64 / CASES as f64
    );
    assert!(
        read * 100 >= CASES * 95,
        "only {read} of {CASES} read back; failures: {failed:?}"
    );
}

#[test]
fn a_clean_card_and_a_wrong_one_are_told_apart() {
    let text = "highland://enroll?hub=http://192.168.1.10:7878&code=K7QM-4XRP-Y";
    let clean = DynamicImage::ImageLuma8(printed(text, 6));
    assert_eq!(decode_qr_image(&clean).unwrap(), [text]);
    let paper = DynamicImage::ImageLuma8(GrayImage::from_pixel(400, 300, Luma([235])));
    assert!(matches!(decode_qr_image(&paper), Err(ScanError::NoCode)));
}
