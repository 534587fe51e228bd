//! A tablet's camera, as the scanner tests imagine it: a printout
//! photographed rotated, sheared, blurred, from afar, in dim light with a
//! shadow, and saved as a low-quality JPEG, all from a seeded die so that
//! a failure replays.

#![allow(dead_code)]

use image::{DynamicImage, GrayImage, Luma, imageops};

/// A small, seeded generator (xorshift): the same pictures on every run.
pub struct Dice(pub u64);

impl Dice {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

/// Rotation by `angle` radians and a shear, about the centre, on a table
/// (mid grey) that shows where the paper ends; bilinear, as a lens blurs.
pub fn warp(src: &GrayImage, angle: f64, shear: f64) -> GrayImage {
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
pub fn darken(img: &mut GrayImage, factor: f64, shadow: f64) {
    let w = f64::from(img.width());
    for (x, _, p) in img.enumerate_pixels_mut() {
        let gradient = 1.0 - shadow * f64::from(x) / w;
        p.0[0] = (f64::from(p.0[0]) * factor * gradient)
            .round()
            .clamp(0.0, 255.0) as u8;
    }
}

pub fn jpeg(img: &GrayImage, quality: u8) -> Vec<u8> {
    let mut bytes = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality);
    DynamicImage::ImageLuma8(img.clone())
        .write_with_encoder(encoder)
        .unwrap();
    bytes
}

/// One camera's picture of `printed` (a label or a card, rendered from its
/// PDF at 300 dpi), degraded by the dice, and how.
pub fn photographed(printed: &GrayImage, dice: &mut Dice) -> (Vec<u8>, String) {
    let mut img = printed.clone();
    let angle = dice.range(-0.6, 0.6); // up to about 35 degrees either way
    let shear = dice.range(-0.18, 0.18);
    img = warp(&img, angle, shear);
    let blur = dice.range(0.0, 1.4) as f32;
    if blur > 0.2 {
        img = imageops::blur(&img, blur);
    }
    // Shrunk: the code far from the camera, down to about 3.5 pixels a
    // module (a label's code is 8 printer dots a module at 300 dpi).
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
        "shrunk to {shrink:.2}, turned {:.0}°, sheared {shear:.2}, blur {blur:.1}, light {light:.2}, \
         shadow {shadow:.2}, JPEG quality {quality}",
        angle.to_degrees()
    );
    (jpeg(&img, quality), how)
}
