//! Pictures made in code, for tests, benchmarks and the demo: a synthetic
//! photograph whose gradients and grain compress like a real one, and the
//! EXIF block a phone camera writes (orientation, GPS).

use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, Rgb, RgbImage};

/// A landscape-like picture: a sky gradient, hills, a few bright shapes and
/// sensor grain. The same `seed` gives the same pixels.
pub fn synthetic_photo(width: u32, height: u32, seed: u64) -> RgbImage {
    let mut state = seed | 1;
    let mut noise = move || {
        // xorshift64: fast, deterministic, good enough for grain.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 17) as i32 - 8
    };
    let (w, h) = (width as f32, height as f32);
    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 / w, y as f32 / h);
        let ridge = 0.55 + 0.08 * (fx * 9.0).sin() + 0.04 * (fx * 23.0 + 1.0).sin();
        let mut rgb = if fy < ridge {
            // Sky: deep blue at the top to pale at the horizon.
            [90.0 + 120.0 * fy, 140.0 + 90.0 * fy, 230.0 - 20.0 * fy]
        } else {
            // Grass and scree, with stripes of texture.
            let t = (fx * 180.0 + fy * 60.0).sin() * 18.0 + (fy * 340.0).sin() * 10.0;
            [
                70.0 + 60.0 * fy + t,
                110.0 + 40.0 * (fx * 5.0).cos() + t,
                50.0 + t * 0.5,
            ]
        };
        // A few sunlit yaks' worth of bright blobs.
        for (cx, cy, r) in [(0.3, 0.75, 0.05), (0.62, 0.8, 0.07), (0.8, 0.7, 0.03)] {
            let d = ((fx - cx) * w / h).hypot(fy - cy);
            if d < r {
                let shade = 1.0 - d / r;
                rgb = [
                    40.0 + 60.0 * shade,
                    30.0 + 40.0 * shade,
                    25.0 + 30.0 * shade,
                ];
            }
        }
        let grain = noise() as f32;
        Rgb(rgb.map(|c| (c + grain).clamp(0.0, 255.0) as u8))
    })
}

/// Encodes a picture as a plain JPEG (JFIF, no EXIF).
pub fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("encoding to memory");
    out
}

/// A GPS position as a camera records it, in decimal degrees.
#[derive(Debug, Clone, Copy)]
pub struct Gps {
    pub latitude: f64,
    pub longitude: f64,
}

/// What to put in an EXIF block.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExifFields {
    /// The EXIF orientation, 1 to 8 (6: the camera was turned clockwise).
    pub orientation: Option<u16>,
    pub gps: Option<Gps>,
}

/// A JPEG with an EXIF APP1 segment holding `fields`, inserted right after
/// the start-of-image marker, as cameras write it.
pub fn with_exif(jpeg: &[u8], fields: &ExifFields) -> Vec<u8> {
    assert!(jpeg.starts_with(&[0xFF, 0xD8]), "not a JPEG");
    let tiff = exif_tiff(fields);
    let length = u16::try_from(2 + 6 + tiff.len()).expect("a small EXIF block");
    let mut out = Vec::with_capacity(jpeg.len() + tiff.len() + 10);
    out.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xE1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// The TIFF structure inside an EXIF block (little-endian): IFD0 with the
/// orientation and a pointer to the GPS IFD, which holds latitude and
/// longitude as degrees, minutes and seconds.
pub fn exif_tiff(fields: &ExifFields) -> Vec<u8> {
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    const BYTE: u16 = 1;
    const RATIONAL: u16 = 5;

    fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&value);
    }
    fn dms(degrees: f64) -> [(u32, u32); 3] {
        let d = degrees.abs();
        let whole = d.trunc();
        let minutes = ((d - whole) * 60.0).trunc();
        let seconds = ((d - whole) * 60.0 - minutes) * 60.0;
        [
            (whole as u32, 1),
            (minutes as u32, 1),
            ((seconds * 10_000.0).round() as u32, 10_000),
        ]
    }

    let ifd0_entries = u32::from(fields.orientation.is_some()) + u32::from(fields.gps.is_some());
    let ifd0_len = 2 + 12 * ifd0_entries + 4;
    let gps_ifd = 8 + ifd0_len;

    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&(ifd0_entries as u16).to_le_bytes());
    if let Some(orientation) = fields.orientation {
        let [a, b] = orientation.to_le_bytes();
        entry(&mut out, 0x0112, SHORT, 1, [a, b, 0, 0]);
    }
    if fields.gps.is_some() {
        entry(&mut out, 0x8825, LONG, 1, gps_ifd.to_le_bytes());
    }
    out.extend_from_slice(&0u32.to_le_bytes());

    if let Some(gps) = fields.gps {
        let gps_len = 2 + 12 * 5 + 4;
        let latitude_at = gps_ifd + gps_len;
        let longitude_at = latitude_at + 24;
        let hemisphere =
            |negative: bool, yes: u8, no: u8| [if negative { yes } else { no }, 0, 0, 0];
        out.extend_from_slice(&5u16.to_le_bytes());
        entry(&mut out, 0x0000, BYTE, 4, [2, 2, 0, 0]);
        entry(
            &mut out,
            0x0001,
            ASCII,
            2,
            hemisphere(gps.latitude < 0.0, b'S', b'N'),
        );
        entry(&mut out, 0x0002, RATIONAL, 3, latitude_at.to_le_bytes());
        entry(
            &mut out,
            0x0003,
            ASCII,
            2,
            hemisphere(gps.longitude < 0.0, b'W', b'E'),
        );
        entry(&mut out, 0x0004, RATIONAL, 3, longitude_at.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        for (num, denom) in dms(gps.latitude).into_iter().chain(dms(gps.longitude)) {
            out.extend_from_slice(&num.to_le_bytes());
            out.extend_from_slice(&denom.to_le_bytes());
        }
    }
    out
}
