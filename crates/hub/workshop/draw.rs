//! Draws the workshop's demo photos: simple illustrations of the goods the
//! demo sellers list, made from shapes so that they ship with the project
//! with no question of who owns them (CC0-1.0, see LICENSE.md).
//!
//! Run from the repository's root to draw them again:
//! `cargo run -p highland-hub --example draw-workshop-photos`
//! The hub embeds the JPEGs in `crates/hub/workshop/photos/`; it never runs this.

use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

/// 320 x 240: a thumbnail's size, so one file serves as both versions.
const W: u32 = 320;
const H: u32 = 240;

fn main() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("workshop/photos");
    std::fs::create_dir_all(&out).expect("the photos folder");
    for (name, draw) in [
        ("honey", honey as fn(&mut RgbImage)),
        ("matsutake", matsutake),
        ("barley", barley),
        ("yak-meat", yak_meat),
        ("yak-cheese", yak_cheese),
    ] {
        let mut img = RgbImage::new(W, H);
        draw(&mut img);
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, 82)
            .encode_image(&img)
            .expect("JPEG encoding");
        std::fs::write(out.join(format!("{name}.jpg")), &bytes).expect("writing the photo");
        println!("{name}.jpg: {} bytes", bytes.len());
    }
}

/// A vertical gradient from `top` to `bottom`.
fn sky(img: &mut RgbImage, top: [u8; 3], bottom: [u8; 3]) {
    for (_, y, p) in img.enumerate_pixels_mut() {
        let t = y as f32 / H as f32;
        *p = Rgb(std::array::from_fn(|i| {
            (top[i] as f32 * (1.0 - t) + bottom[i] as f32 * t) as u8
        }));
    }
}

fn ellipse(img: &mut RgbImage, cx: f32, cy: f32, rx: f32, ry: f32, color: [u8; 3]) {
    for (x, y, p) in img.enumerate_pixels_mut() {
        let (dx, dy) = ((x as f32 - cx) / rx, (y as f32 - cy) / ry);
        if dx * dx + dy * dy <= 1.0 {
            *p = Rgb(color);
        }
    }
}

fn rect(img: &mut RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, color: [u8; 3]) {
    for y in y0..y1.min(H) {
        for x in x0..x1.min(W) {
            img.put_pixel(x, y, Rgb(color));
        }
    }
}

/// Snowy peaks along the horizon, as seen from Deqen.
fn mountains(img: &mut RgbImage, base: u32) {
    for x in 0..W {
        let xf = x as f32;
        let peak = 60.0 + 35.0 * (xf / 37.0).sin().abs() + 20.0 * (xf / 13.0).cos();
        for y in (peak as u32)..base {
            let snow = (y as f32) < peak + 18.0;
            img.put_pixel(
                x,
                y,
                Rgb(if snow {
                    [240, 244, 250]
                } else {
                    [96, 110, 128]
                }),
            );
        }
    }
}

fn honey(img: &mut RgbImage) {
    sky(img, [250, 236, 200], [214, 170, 110]);
    rect(img, 0, 200, W, H, [120, 84, 52]); // the table
    rect(img, 110, 70, 210, 200, [214, 140, 20]); // the jar's honey
    rect(img, 104, 56, 216, 76, [180, 40, 40]); // its red lid
    rect(img, 120, 110, 200, 150, [250, 240, 220]); // the label
    ellipse(img, 160.0, 130.0, 14.0, 10.0, [214, 140, 20]); // a drop on the label
    ellipse(img, 250.0, 185.0, 22.0, 14.0, [232, 170, 40]); // honeycomb
}

fn matsutake(img: &mut RgbImage) {
    sky(img, [70, 110, 60], [40, 70, 36]); // forest floor
    for (cx, h) in [(110.0, 1.0), (200.0, 0.8)] {
        rect(
            img,
            (cx - 12.0 * h) as u32,
            (110.0 + 20.0 * (1.0 - h)) as u32,
            (cx + 12.0 * h) as u32,
            210,
            [236, 226, 206],
        );
        ellipse(
            img,
            cx,
            110.0 + 20.0 * (1.0 - h),
            42.0 * h,
            26.0 * h,
            [122, 82, 52],
        );
    }
    ellipse(img, 160.0, 215.0, 150.0, 18.0, [96, 64, 40]); // pine needles
}

fn barley(img: &mut RgbImage) {
    sky(img, [120, 170, 230], [190, 220, 245]);
    mountains(img, 130);
    rect(img, 0, 130, W, H, [190, 170, 70]);
    for x in (4..W).step_by(9) {
        for y in (136..H).step_by(17) {
            let sway = (x + y) % 5;
            rect(img, x + sway, y, x + sway + 3, y + 11, [226, 200, 96]);
        }
    }
}

fn yak_meat(img: &mut RgbImage) {
    sky(img, [236, 230, 222], [200, 190, 180]);
    ellipse(img, 160.0, 130.0, 120.0, 70.0, [228, 220, 210]); // the board
    ellipse(img, 140.0, 125.0, 70.0, 42.0, [150, 40, 40]);
    ellipse(img, 200.0, 140.0, 50.0, 30.0, [170, 52, 48]);
    rect(img, 110, 118, 170, 124, [240, 226, 214]); // fat
    rect(img, 180, 138, 220, 143, [240, 226, 214]);
}

fn yak_cheese(img: &mut RgbImage) {
    sky(img, [210, 200, 180], [170, 150, 120]);
    ellipse(img, 160.0, 150.0, 110.0, 60.0, [160, 120, 70]); // the basket
    for (cx, cy) in [
        (120.0, 130.0),
        (160.0, 120.0),
        (200.0, 132.0),
        (140.0, 150.0),
        (185.0, 152.0),
    ] {
        ellipse(img, cx, cy, 22.0, 14.0, [244, 236, 214]);
    }
}
