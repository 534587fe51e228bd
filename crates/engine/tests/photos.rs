//! Taking in a seller's photo: what comes out, what is refused, and what
//! ends up in `photos/`.

use std::fs;
use std::path::{Path, PathBuf};

use highland_domain::Sha256;
use highland_engine::photos::sample::{self, ExifFields, Gps};
use highland_engine::photos::{self, IngestOptions, PhotoError, PhotoStore};
use image::{ImageDecoder, Rgb, RgbImage};
use sha2::Digest;

const KEEP_LOCATION: IngestOptions = IngestOptions {
    keep_location: true,
};

fn photo_store() -> (tempfile::TempDir, PhotoStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = PhotoStore::open(dir.path()).unwrap();
    (dir, store)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn four_megapixels() -> Vec<u8> {
    sample::jpeg(&sample::synthetic_photo(2448, 1632, 7), 92)
}

/// Whether a JPEG carries an APP1 segment (EXIF or XMP), found by walking
/// its markers up to the scan.
fn has_app1(jpeg: &[u8]) -> bool {
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        if marker == 0xE1 {
            return true;
        }
        if marker == 0xDA {
            return false;
        }
        at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
    }
    false
}

fn decode(jpeg: &[u8]) -> RgbImage {
    image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
        .unwrap()
        .into_rgb8()
}

#[test]
fn a_phone_photo_becomes_a_display_version_and_a_thumbnail() {
    let (_dir, store) = photo_store();
    let stored = store
        .add(&four_megapixels(), IngestOptions::default())
        .unwrap();
    let (display, thumbnail) = (stored.refs.display, stored.refs.thumbnail);
    assert_eq!((display.width(), display.height()), (1600, 1067));
    assert_eq!((thumbnail.width(), thumbnail.height()), (320, 213));
    assert!(display.bytes() < 400_000, "{} bytes", display.bytes());
    assert!(thumbnail.bytes() < 40_000, "{} bytes", thumbnail.bytes());
    for photo in [display, thumbnail] {
        let path = store.path_of(&photo);
        let bytes = fs::read(&path).unwrap();
        assert_eq!(bytes.len() as u64, photo.bytes());
        let digest = Sha256::from_digest(sha2::Sha256::digest(&bytes).into());
        assert_eq!(digest, photo.sha256());
        assert_eq!(
            path.file_name().unwrap().to_str().unwrap(),
            format!("{digest}.jpg"),
            "the file is named by its SHA-256"
        );
        assert_eq!(decode(&bytes).dimensions(), (photo.width(), photo.height()));
    }
    assert_eq!(files(store.dir()).len(), 2, "no temporary file is left");
}

#[test]
fn a_small_photo_is_never_enlarged() {
    let small = sample::jpeg(&sample::synthetic_photo(640, 480, 1), 90);
    let ingested = photos::ingest(&small, IngestOptions::default()).unwrap();
    assert_eq!(
        (ingested.display().width(), ingested.display().height()),
        (640, 480)
    );
    assert_eq!(
        (ingested.thumbnail().width(), ingested.thumbnail().height()),
        (320, 240)
    );
}

#[test]
fn the_same_photo_twice_is_stored_once() {
    let (_dir, store) = photo_store();
    let input = sample::jpeg(&sample::synthetic_photo(800, 600, 3), 90);
    let first = store.add(&input, IngestOptions::default()).unwrap();
    let second = store.add(&input, IngestOptions::default()).unwrap();
    assert_eq!(first, second);
    assert_eq!(files(store.dir()).len(), 2);
}

/// 400 x 200, red on the left half's top-left quarter, the rest grey.
fn marked_picture() -> RgbImage {
    RgbImage::from_fn(400, 200, |x, y| {
        if x < 100 && y < 100 {
            Rgb([220, 20, 20])
        } else {
            Rgb([128, 128, 128])
        }
    })
}

fn is_red(pixel: &Rgb<u8>) -> bool {
    let [r, g, b] = pixel.0;
    r > 180 && g < 70 && b < 70
}

#[test]
fn exif_orientation_turns_the_photo_upright() {
    // Orientation 6: the camera was turned clockwise, so the stored pixels
    // must be turned 90 degrees clockwise to be seen upright.
    let input = sample::with_exif(
        &sample::jpeg(&marked_picture(), 95),
        &ExifFields {
            orientation: Some(6),
            gps: None,
        },
    );
    let ingested = photos::ingest(&input, IngestOptions::default()).unwrap();
    let display = decode(ingested.display().bytes());
    assert_eq!(display.dimensions(), (200, 400), "width and height swap");
    let (w, h) = display.dimensions();
    assert!(
        is_red(display.get_pixel(w - 10, 10)),
        "the red corner moved to the top right"
    );
    assert!(!is_red(display.get_pixel(10, 10)));
    assert!(!is_red(display.get_pixel(w - 10, h - 10)));
}

#[test]
fn without_orientation_the_photo_is_left_as_it_is() {
    let input = sample::jpeg(&marked_picture(), 95);
    let display = decode(
        photos::ingest(&input, IngestOptions::default())
            .unwrap()
            .display()
            .bytes(),
    );
    assert_eq!(display.dimensions(), (400, 200));
    assert!(is_red(display.get_pixel(10, 10)));
}

#[test]
fn gps_is_stripped_and_returned_only_when_kept() {
    let gps = Gps {
        latitude: 29.6500,
        longitude: 91.1000,
    };
    let input = sample::with_exif(
        &sample::jpeg(&sample::synthetic_photo(800, 600, 5), 90),
        &ExifFields {
            orientation: Some(1),
            gps: Some(gps),
        },
    );
    assert!(has_app1(&input), "the test input carries EXIF");
    let mut input_decoder =
        image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&input)).unwrap();
    assert!(input_decoder.exif_metadata().unwrap().is_some());

    let plain = photos::ingest(&input, IngestOptions::default()).unwrap();
    assert_eq!(plain.location(), None);

    let kept = photos::ingest(&input, KEEP_LOCATION).unwrap();
    let location = kept.location().expect("the GPS position");
    assert!((location.latitude() - 29.65).abs() < 1e-4, "{location:?}");
    assert!((location.longitude() - 91.1).abs() < 1e-4, "{location:?}");

    for ingested in [&plain, &kept] {
        for version in [ingested.display(), ingested.thumbnail()] {
            let bytes = version.bytes();
            assert!(!has_app1(bytes), "no EXIF or XMP segment");
            let mut decoder =
                image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(bytes)).unwrap();
            assert_eq!(decoder.exif_metadata().unwrap(), None);
            assert_eq!(decoder.icc_profile().unwrap(), None);
        }
    }
    assert_eq!(
        plain.display().bytes(),
        kept.display().bytes(),
        "keeping the location changes no pixel and no byte"
    );
}

#[test]
fn a_png_is_accepted() {
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(sample::synthetic_photo(1000, 700, 2))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let (_dir, store) = photo_store();
    let stored = store.add(&png, IngestOptions::default()).unwrap();
    assert_eq!(
        (stored.refs.display.width(), stored.refs.display.height()),
        (1000, 700)
    );
    assert_eq!(files(store.dir()).len(), 2);
}

#[test]
fn a_webp_is_accepted() {
    let mut webp = Vec::new();
    image::DynamicImage::ImageRgb8(sample::synthetic_photo(300, 500, 4))
        .write_to(
            &mut std::io::Cursor::new(&mut webp),
            image::ImageFormat::WebP,
        )
        .unwrap();
    let ingested = photos::ingest(&webp, IngestOptions::default()).unwrap();
    assert_eq!(ingested.format(), photos::InputFormat::WebP);
    assert_eq!(
        (ingested.thumbnail().width(), ingested.thumbnail().height()),
        (192, 320)
    );
}

/// A PNG that declares `width` x `height` but holds a few bytes: the shape
/// of a decompression bomb.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut small = Vec::new();
    image::DynamicImage::ImageRgb8(RgbImage::new(8, 8))
        .write_to(
            &mut std::io::Cursor::new(&mut small),
            image::ImageFormat::Png,
        )
        .unwrap();
    // Signature (8), IHDR length and type (8), then width and height.
    small[16..20].copy_from_slice(&width.to_be_bytes());
    small[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&small[12..29]);
    small[29..33].copy_from_slice(&crc.to_be_bytes());
    small
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn heic_header() -> Vec<u8> {
    let mut b = 24u32.to_be_bytes().to_vec();
    b.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    b.extend_from_slice(&[0u8; 64]);
    b
}

#[test]
fn refused_inputs_say_why_and_leave_the_store_empty() {
    let jpeg = four_megapixels();
    let truncated = jpeg[..jpeg.len() / 2].to_vec();
    let oversized = {
        let mut b = jpeg.clone();
        b.resize(photos::MAX_INPUT_BYTES + 1, 0);
        b
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "a text file",
            b"yak butter, 68 yuan a jin\n".to_vec(),
            "not_an_image",
        ),
        ("a truncated JPEG", truncated, "image_damaged"),
        ("a HEIC file", heic_header(), "unsupported_image_format"),
        ("an oversized input", oversized, "photo_too_large"),
        (
            "a 60000 x 60000 PNG",
            png_declaring(60_000, 60_000),
            "image_dimensions",
        ),
        // Within 12,000 a side, but 11,000 x 11,000 RGB is 363 MB decoded.
        (
            "an 11000 x 11000 PNG",
            png_declaring(11_000, 11_000),
            "image_dimensions",
        ),
    ];
    let (_dir, store) = photo_store();
    for (what, bytes, code) in cases {
        let error = store
            .add(&bytes, KEEP_LOCATION)
            .expect_err(&format!("{what} was accepted"));
        assert_eq!(error.code(), code, "{what}: {error}");
        assert!(files(store.dir()).is_empty(), "{what} left a file");
    }
}

#[test]
fn the_errors_read_as_advice() {
    let heic = photos::ingest(&heic_header(), IngestOptions::default()).unwrap_err();
    assert_eq!(
        heic.to_string(),
        "unsupported format: HEIC; export the photo as JPEG and try again"
    );
    let bomb =
        photos::ingest(&png_declaring(60_000, 60_000), IngestOptions::default()).unwrap_err();
    assert!(matches!(bomb, PhotoError::TooManyPixels));
    assert!(bomb.to_string().contains("12000 pixels a side"), "{bomb}");
}

#[test]
fn the_photo_store_sits_beside_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let store = PhotoStore::beside(&dir.path().join("highland.db")).unwrap();
    assert_eq!(store.dir(), dir.path().join("photos"));
    assert!(store.dir().is_dir());
}
