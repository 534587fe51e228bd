//! What a file is, from its first bytes, before any decoder sees it.

use image::ImageFormat;

use super::PhotoError;

/// The formats the device decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Jpeg,
    Png,
    WebP,
}

impl InputFormat {
    pub(super) fn image_format(self) -> ImageFormat {
        match self {
            InputFormat::Jpeg => ImageFormat::Jpeg,
            InputFormat::Png => ImageFormat::Png,
            InputFormat::WebP => ImageFormat::WebP,
        }
    }
}

/// Names the format from the bytes, refusing what is not a picture and the
/// pictures this device cannot decode.
///
/// HEIC (what iPhones save by default) is refused with its name, for now.
/// Pure-Rust decoders exist on crates.io (December 2026) but are young:
/// `heifer` 0.3 (MIT OR Apache-2.0, with an image-crate integration),
/// `heic-rs` 0.1 (MIT OR Apache-2.0, its HEVC decoder added within 0.1) and
/// `heic` 0.1 (AGPL or commercial, so not for us). A full HEVC decoder is a
/// large surface to hand every untrusted photo; it needs trying on real
/// iPhone files, fuzzing and a look at binary size first. libheif would
/// bring a C toolchain and GPL codec plugins. Phones export JPEG when
/// asked, and the error says so.
pub fn sniff(bytes: &[u8]) -> Result<InputFormat, PhotoError> {
    if let Some(format) = iso_media_image(bytes) {
        return Err(PhotoError::Unsupported { format });
    }
    match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => Ok(InputFormat::Jpeg),
        Ok(ImageFormat::Png) => Ok(InputFormat::Png),
        Ok(ImageFormat::WebP) => Ok(InputFormat::WebP),
        Ok(other) => Err(PhotoError::Unsupported {
            format: format_name(other),
        }),
        Err(_) => Err(PhotoError::NotAnImage),
    }
}

fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Gif => "GIF",
        ImageFormat::Bmp => "BMP",
        ImageFormat::Tiff => "TIFF",
        ImageFormat::Avif => "AVIF",
        ImageFormat::Ico => "ICO",
        ImageFormat::OpenExr => "OpenEXR",
        ImageFormat::Hdr => "Radiance HDR",
        ImageFormat::Qoi => "QOI",
        ImageFormat::Pnm => "PNM",
        ImageFormat::Tga => "TGA",
        ImageFormat::Dds => "DDS",
        ImageFormat::Farbfeld => "farbfeld",
        _ => "this kind of picture",
    }
}

/// An ISO base media file (HEIF, AVIF) starts with an `ftyp` box whose
/// brands say what it holds. Returns the picture format it names, if any.
fn iso_media_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.len() < 16 || &bytes[4..8] != b"ftyp" {
        return None;
    }
    let size = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    let end = size.clamp(16, bytes.len());
    // The major brand, then (after a 4-byte minor version) the compatible ones.
    let brands = std::iter::once(&bytes[8..12]).chain(bytes[16..end].chunks_exact(4));
    let mut found = None;
    for brand in brands {
        match brand {
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"hevm" | b"hevs" => {
                return Some("HEIC");
            }
            b"avif" | b"avis" => found = found.or(Some("AVIF")),
            b"mif1" | b"msf1" => found = found.or(Some("HEIF")),
            _ => {}
        }
    }
    found
}

/// Whether a JPEG's markers run to its end-of-image marker. The decoder is
/// lenient and paints a cut-off file grey; a photo that did not arrive whole
/// is refused instead. Bytes after the end marker (motion photos, maker
/// trailers) are allowed.
pub(super) fn jpeg_is_complete(bytes: &[u8]) -> bool {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return false;
    }
    let mut at = 2;
    loop {
        // Fill bytes: any number of 0xFF before a marker.
        while at < bytes.len() && bytes[at] == 0xFF {
            at += 1;
        }
        let Some(&marker) = bytes.get(at) else {
            return false;
        };
        if at < 3 || bytes[at - 1] != 0xFF {
            return false;
        }
        at += 1;
        match marker {
            0xD9 => return true,
            // Markers without a length: restart markers, SOI, TEM.
            0xD0..=0xD7 | 0xD8 | 0x01 => continue,
            _ => {}
        }
        let Some(length) = bytes.get(at..at + 2) else {
            return false;
        };
        let length = usize::from(u16::from_be_bytes([length[0], length[1]]));
        if length < 2 {
            return false;
        }
        at += length;
        if at > bytes.len() {
            return false;
        }
        if marker == 0xDA {
            // Entropy-coded data runs to the next marker that is neither a
            // stuffed zero nor a restart marker.
            loop {
                let Some(offset) = bytes[at..].iter().position(|&b| b == 0xFF) else {
                    return false;
                };
                at += offset;
                match bytes.get(at + 1) {
                    None => return false,
                    Some(0x00 | 0xD0..=0xD7 | 0xFF) => at += 1,
                    Some(_) => break,
                }
            }
            // `at` is on the 0xFF that starts the next marker.
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut b = (size as u32).to_be_bytes().to_vec();
        b.extend_from_slice(b"ftyp");
        b.extend_from_slice(major);
        b.extend_from_slice(&[0, 0, 0, 0]);
        for brand in compatible {
            b.extend_from_slice(*brand);
        }
        b.extend_from_slice(&[0; 32]);
        b
    }

    #[test]
    fn heic_and_its_cousins_are_named_by_their_brands() {
        let cases: [(Vec<u8>, &str); 4] = [
            (ftyp(b"heic", &[b"mif1", b"heic"]), "HEIC"),
            (ftyp(b"mif1", &[b"mif1", b"heic"]), "HEIC"),
            (ftyp(b"mif1", &[b"mif1"]), "HEIF"),
            (ftyp(b"avif", &[b"mif1", b"avif"]), "AVIF"),
        ];
        for (bytes, name) in cases {
            match sniff(&bytes) {
                Err(PhotoError::Unsupported { format }) => assert_eq!(format, name),
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_video_or_text_is_not_an_image() {
        assert!(matches!(
            sniff(&ftyp(b"isom", &[b"isom", b"mp41"])),
            Err(PhotoError::NotAnImage)
        ));
        assert!(matches!(
            sniff(b"price list: yak butter 68 yuan"),
            Err(PhotoError::NotAnImage)
        ));
        assert!(matches!(sniff(b""), Err(PhotoError::NotAnImage)));
    }

    #[test]
    fn other_known_formats_are_named() {
        assert!(matches!(
            sniff(b"GIF89a\x01\x00\x01\x00"),
            Err(PhotoError::Unsupported { format: "GIF" })
        ));
    }

    #[test]
    fn a_jpeg_must_reach_its_end_marker() {
        // SOI, an APP0 of 4 bytes, SOS (length 2 for the test), data with a
        // stuffed zero and a restart marker, EOI.
        let whole = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0xAA, 0xBB, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF,
            0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD9,
        ];
        assert!(jpeg_is_complete(&whole));
        let mut trailer = whole.to_vec();
        trailer.extend_from_slice(b"ftypmp42 motion photo");
        assert!(jpeg_is_complete(&trailer));
        for cut in 0..whole.len() {
            assert!(!jpeg_is_complete(&whole[..cut]), "cut at {cut}");
        }
    }
}
