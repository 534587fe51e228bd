//! Reading QR codes from a picture, in this process: an enrollment card
//! photographed with the tablet's camera, or an image file on a desktop.
//! Pure Rust (rqrr), so scanning needs no Google Play services, which most
//! tablets sold in China lack.
//!
//! A camera's picture is not a printed code's clean pixels: it is large,
//! tilted, unevenly lit, a little blurred and compressed. The picture is
//! made small enough to search quickly (a code fills a good part of a photo
//! taken to scan it), then read as it is; if nothing reads, it is read again
//! after its contrast is stretched and again after a local threshold, which
//! rescue dark, washed-out and unevenly lit photos.

use image::{DynamicImage, GrayImage, imageops::FilterType};

/// Why a picture gave no code.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("the picture could not be read: {0}")]
    NotAPicture(String),
    #[error("no QR code could be read in the picture")]
    NoCode,
}

/// Pictures are searched at most this many pixels on their longer side:
/// enough for a code that fills a fifth of a photo, fast on a slow tablet.
const MAX_SIDE: u32 = 1024;

/// The text of every QR code found in an encoded picture (JPEG, PNG or
/// WebP), in the order found; at least one, or [`ScanError::NoCode`].
pub fn decode_qr(encoded: &[u8]) -> Result<Vec<String>, ScanError> {
    let picture =
        image::load_from_memory(encoded).map_err(|e| ScanError::NotAPicture(e.to_string()))?;
    decode_qr_image(&picture)
}

/// [`decode_qr`] for a picture already decoded (a camera frame).
pub fn decode_qr_image(picture: &DynamicImage) -> Result<Vec<String>, ScanError> {
    let grey = shrink(picture.to_luma8());
    // A code far from the lens leaves two or three pixels a module, too few
    // for the finder's line scans; doubled, its modules read again.
    let enlarged = (grey.width().max(grey.height()) < SMALL_SIDE).then(|| {
        image::imageops::resize(
            &grey,
            grey.width() * 2,
            grey.height() * 2,
            FilterType::CatmullRom,
        )
    });
    for picture in std::iter::once(&grey).chain(enlarged.as_ref()) {
        for attempt in [Attempt::AsIs, Attempt::Stretched, Attempt::LocalThreshold] {
            let texts = read(&attempt.apply(picture));
            if !texts.is_empty() {
                return Ok(texts);
            }
        }
    }
    Err(ScanError::NoCode)
}

/// Below this many pixels on its longer side a picture is also tried at
/// twice its size.
const SMALL_SIDE: u32 = 720;

#[derive(Clone, Copy)]
enum Attempt {
    AsIs,
    /// The darkest and lightest few percent become black and white.
    Stretched,
    /// Each pixel against the mean of its neighbourhood: shadows and glare
    /// across a card no longer hide its modules.
    LocalThreshold,
}

impl Attempt {
    fn apply(self, grey: &GrayImage) -> GrayImage {
        match self {
            Attempt::AsIs => grey.clone(),
            Attempt::Stretched => stretch(grey),
            Attempt::LocalThreshold => local_threshold(grey),
        }
    }
}

fn shrink(grey: GrayImage) -> GrayImage {
    let (w, h) = grey.dimensions();
    let longer = w.max(h);
    if longer <= MAX_SIDE {
        return grey;
    }
    let scale = f64::from(MAX_SIDE) / f64::from(longer);
    let (nw, nh) = (
        ((f64::from(w) * scale).round() as u32).max(1),
        ((f64::from(h) * scale).round() as u32).max(1),
    );
    image::imageops::resize(&grey, nw, nh, FilterType::Triangle)
}

fn read(grey: &GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(grey.clone());
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

fn stretch(grey: &GrayImage) -> GrayImage {
    let mut histogram = [0u64; 256];
    for p in grey.pixels() {
        histogram[usize::from(p.0[0])] += 1;
    }
    let total: u64 = histogram.iter().sum();
    let cut = total / 50;
    let level = |from_top: bool| {
        let mut seen = 0;
        let order: Box<dyn Iterator<Item = usize>> = if from_top {
            Box::new((0..256).rev())
        } else {
            Box::new(0..256)
        };
        for v in order {
            seen += histogram[v];
            if seen > cut {
                return v as i32;
            }
        }
        if from_top { 255 } else { 0 }
    };
    let (low, high) = (level(false), level(true));
    if high <= low {
        return grey.clone();
    }
    let mut out = grey.clone();
    for p in out.pixels_mut() {
        let v = (i32::from(p.0[0]) - low) * 255 / (high - low);
        p.0[0] = v.clamp(0, 255) as u8;
    }
    out
}

fn local_threshold(grey: &GrayImage) -> GrayImage {
    let (w, h) = grey.dimensions();
    let (w, h) = (w as usize, h as usize);
    // A summed-area table gives every window's mean in four lookups.
    let mut sum = vec![0u64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u64;
        for x in 0..w {
            row += u64::from(grey.get_pixel(x as u32, y as u32).0[0]);
            sum[(y + 1) * (w + 1) + x + 1] = sum[y * (w + 1) + x + 1] + row;
        }
    }
    let radius = (w.max(h) / 16).max(4);
    let mut out = GrayImage::new(w as u32, h as u32);
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(radius), (y + radius + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(radius), (x + radius + 1).min(w));
            let area = ((x1 - x0) * (y1 - y0)) as u64;
            let total = sum[y1 * (w + 1) + x1] + sum[y0 * (w + 1) + x0]
                - sum[y0 * (w + 1) + x1]
                - sum[y1 * (w + 1) + x0];
            let value = u64::from(grey.get_pixel(x as u32, y as u32).0[0]);
            // A little below the mean: flat areas go white, not noise.
            let dark = value * area * 100 < total * 92;
            out.put_pixel(
                x as u32,
                y as u32,
                image::Luma([if dark { 0 } else { 255 }]),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_with_no_code_or_no_picture_at_all_is_refused_clearly() {
        let blank = DynamicImage::ImageLuma8(GrayImage::from_pixel(200, 200, image::Luma([200])));
        assert!(matches!(decode_qr_image(&blank), Err(ScanError::NoCode)));
        assert!(matches!(
            decode_qr(b"not a picture"),
            Err(ScanError::NotAPicture(_))
        ));
    }
}
