//! From the bytes a camera or gallery gave to the two JPEGs the device keeps.

use std::io::Cursor;

use highland_domain::MediaType;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageReader, Limits, RgbImage};

use super::format::{InputFormat, jpeg_is_complete, sniff};
use super::location::{self, Location};
use super::{
    DISPLAY_QUALITY, DISPLAY_SIDE, MAX_DECODED_BYTES, MAX_INPUT_BYTES, MAX_SIDE, PhotoError,
    THUMBNAIL_QUALITY, THUMBNAIL_SIDE,
};

/// What the seller chose about a photo's metadata.
#[derive(Debug, Clone, Copy, Default)]
pub struct IngestOptions {
    /// Read the GPS position (for a lot's origin). It is returned in
    /// [`Ingested::location`], never kept in the files.
    pub keep_location: bool,
}

/// One encoded version of a photo: JPEG bytes with no metadata, upright.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    bytes: Vec<u8>,
    width: u32,
    height: u32,
}

impl Encoded {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn media_type(&self) -> MediaType {
        MediaType::Jpeg
    }
}

/// A photo ready to store: its display version, its thumbnail, and where it
/// was taken when the seller asked to keep that.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub(super) format: InputFormat,
    pub(super) display: Encoded,
    pub(super) thumbnail: Encoded,
    pub(super) location: Option<Location>,
}

impl Ingested {
    /// The format the photo arrived in.
    pub fn format(&self) -> InputFormat {
        self.format
    }

    pub fn display(&self) -> &Encoded {
        &self.display
    }

    pub fn thumbnail(&self) -> &Encoded {
        &self.thumbnail
    }

    /// The GPS position, only when [`IngestOptions::keep_location`] was set
    /// and the photo had one.
    pub fn location(&self) -> Option<Location> {
        self.location
    }
}

/// Decodes a photo, turns it upright, and encodes its display version and
/// thumbnail. Pure: reads no file and writes none.
pub fn ingest(bytes: &[u8], options: IngestOptions) -> Result<Ingested, PhotoError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(PhotoError::TooLarge { bytes: bytes.len() });
    }
    let format = sniff(bytes)?;
    if format == InputFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(PhotoError::Damaged {
            detail: "the JPEG ends before its last marker".to_owned(),
        });
    }

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.limits(limits());
    // Reads the header only, and refuses dimensions over the limits.
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(PhotoError::TooManyPixels);
    }
    // A damaged EXIF block costs the orientation or the location, not the photo.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let location = if options.keep_location {
        decoder
            .exif_metadata()
            .ok()
            .flatten()
            .and_then(location::from_exif)
    } else {
        None
    };
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    picture.apply_orientation(orientation);
    let picture = opaque(picture);

    let display = shrink(&picture, DISPLAY_SIDE);
    let thumbnail = shrink(&display, THUMBNAIL_SIDE);
    Ok(Ingested {
        format,
        display: encode(&display, DISPLAY_QUALITY)?,
        thumbnail: encode(&thumbnail, THUMBNAIL_QUALITY)?,
        location,
    })
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits
}

fn refusal(error: ImageError) -> PhotoError {
    match error {
        ImageError::Limits(_) => PhotoError::TooManyPixels,
        other => PhotoError::Damaged {
            detail: other.to_string(),
        },
    }
}

/// RGB with any transparency laid over white, as a JPEG must be.
fn opaque(picture: DynamicImage) -> RgbImage {
    if !picture.color().has_alpha() {
        return picture.into_rgb8();
    }
    let rgba = picture.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| {
            let (c, a) = (u32::from(c), u32::from(a));
            ((c * a + 255 * (255 - a) + 127) / 255) as u8
        };
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

/// The picture with its longest side at most `side`, never enlarged.
pub(super) fn shrink(picture: &RgbImage, side: u32) -> RgbImage {
    let (width, height) = picture.dimensions();
    let longest = width.max(height);
    if longest <= side {
        return picture.clone();
    }
    let scale = |n: u32| {
        ((u64::from(n) * u64::from(side) + u64::from(longest) / 2) / u64::from(longest)).max(1)
            as u32
    };
    image::imageops::resize(picture, scale(width), scale(height), FilterType::CatmullRom)
}

/// A baseline JPEG with nothing but pixels: the encoder writes a JFIF header
/// and no EXIF, XMP or ICC block.
pub(super) fn encode(picture: &RgbImage, quality: u8) -> Result<Encoded, PhotoError> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(picture)
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    Ok(Encoded {
        bytes,
        width: picture.width(),
        height: picture.height(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinking_keeps_the_aspect_and_never_enlarges() {
        let wide = RgbImage::new(4000, 3000);
        assert_eq!(shrink(&wide, 1600).dimensions(), (1600, 1200));
        let tall = RgbImage::new(1000, 3001);
        assert_eq!(shrink(&tall, 320).dimensions(), (107, 320));
        let small = RgbImage::new(200, 100);
        assert_eq!(shrink(&small, 320).dimensions(), (200, 100));
        let sliver = RgbImage::new(10_000, 1);
        assert_eq!(shrink(&sliver, 320).dimensions(), (320, 1));
    }

    #[test]
    fn transparency_is_laid_over_white() {
        let mut rgba = image::RgbaImage::new(2, 1);
        rgba.put_pixel(0, 0, image::Rgba([0, 0, 0, 0]));
        rgba.put_pixel(1, 0, image::Rgba([200, 10, 10, 255]));
        let rgb = opaque(DynamicImage::ImageRgba8(rgba));
        assert_eq!(rgb.get_pixel(0, 0).0, [255, 255, 255]);
        assert_eq!(rgb.get_pixel(1, 0).0, [200, 10, 10]);
    }

    #[test]
    fn an_oversized_input_is_refused_before_it_is_looked_at() {
        let huge = vec![0u8; MAX_INPUT_BYTES + 1];
        assert!(matches!(
            ingest(&huge, IngestOptions::default()),
            Err(PhotoError::TooLarge { .. })
        ));
    }
}
