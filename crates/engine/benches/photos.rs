//! What taking in a photo costs the device, and what each encoding would
//! cost the uplink.
//!
//! `cargo bench -p highland-engine --bench photos` prints a table of sizes
//! (display and thumbnail, JPEG at several qualities and lossless WebP) for
//! a synthetic 4-megapixel photo, then times `ingest` on it.

use std::hint::black_box;

use criterion::Criterion;
use highland_engine::photos::{self, IngestOptions, sample};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::{ImageEncoder, RgbImage};

/// 2448 x 1632: a 4-megapixel 3:2 photo, as a budget phone writes it.
fn phone_jpeg() -> Vec<u8> {
    sample::jpeg(&sample::synthetic_photo(2448, 1632, 7), 92)
}

fn shrink(picture: &RgbImage, side: u32) -> RgbImage {
    let (w, h) = picture.dimensions();
    let longest = w.max(h);
    // Rounded as `ingest` does.
    let scale = |n: u32| (n * side + longest / 2) / longest;
    image::imageops::resize(picture, scale(w), scale(h), FilterType::CatmullRom)
}

/// The encoded length and the peak signal-to-noise ratio against the
/// unencoded picture, in dB (higher is closer; above about 35 dB JPEG's
/// losses are hard to see at viewing size).
fn jpeg(picture: &RgbImage, quality: u8) -> (usize, f64) {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(picture)
        .unwrap();
    let decoded = image::load_from_memory(&out).unwrap().into_rgb8();
    (out.len(), psnr(picture, &decoded))
}

fn psnr(a: &RgbImage, b: &RgbImage) -> f64 {
    let squared: f64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum();
    let mse = squared / a.as_raw().len() as f64;
    10.0 * (255.0 * 255.0 / mse).log10()
}

fn webp_lossless_len(picture: &RgbImage) -> usize {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .write_image(
            picture.as_raw(),
            picture.width(),
            picture.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out.len()
}

fn print_sizes(input: &[u8]) {
    let picture = image::load_from_memory(input).unwrap().into_rgb8();
    let display = shrink(&picture, photos::DISPLAY_SIDE);
    let thumbnail = shrink(&display, photos::THUMBNAIL_SIDE);
    println!(
        "input: {}x{} JPEG q92, {} bytes; display {}x{}, thumbnail {}x{}",
        picture.width(),
        picture.height(),
        input.len(),
        display.width(),
        display.height(),
        thumbnail.width(),
        thumbnail.height()
    );
    println!("| encoding | display bytes | display PSNR | thumbnail bytes | thumbnail PSNR |");
    println!("|---|---:|---:|---:|---:|");
    for quality in [60, 70, 75, 80, 90] {
        let (display_len, display_psnr) = jpeg(&display, quality);
        let (thumbnail_len, thumbnail_psnr) = jpeg(&thumbnail, quality);
        println!(
            "| JPEG q{quality} | {display_len} | {display_psnr:.1} dB | {thumbnail_len} | \
             {thumbnail_psnr:.1} dB |"
        );
    }
    println!(
        "| WebP lossless | {} | exact | {} | exact |",
        webp_lossless_len(&display),
        webp_lossless_len(&thumbnail)
    );
    let ingested = photos::ingest(input, IngestOptions::default()).unwrap();
    println!(
        "chosen: display q{} = {} bytes, thumbnail q{} = {} bytes",
        photos::DISPLAY_QUALITY,
        ingested.display().bytes().len(),
        photos::THUMBNAIL_QUALITY,
        ingested.thumbnail().bytes().len()
    );
}

fn main() {
    let input = phone_jpeg();
    print_sizes(&input);
    let mut criterion = Criterion::default().configure_from_args();
    criterion.bench_function("ingest a 4 MP JPEG", |b| {
        b.iter(|| photos::ingest(black_box(&input), IngestOptions::default()).unwrap())
    });
    criterion.final_summary();
}
