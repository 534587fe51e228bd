//! A seller's photos: taken in, made small, and kept by content.
//!
//! [`ingest`] turns what the camera or gallery gave (JPEG, PNG or WebP, up to
//! [`MAX_INPUT_BYTES`]) into two JPEGs: a display version, at most
//! [`DISPLAY_SIDE`] pixels on its longest side, and a thumbnail, at most
//! [`THUMBNAIL_SIDE`]. The picture is turned upright by its EXIF orientation;
//! nothing else of the original's metadata survives the re-encoding (no GPS,
//! no camera serial, no EXIF at all). When the seller chooses to keep where a
//! lot came from, the GPS position is read and handed back as a value
//! ([`Location`]), never inside a file. Ingesting touches no file.
//!
//! [`PhotoStore`] keeps the versions in `photos/` beside the database, each
//! named by the SHA-256 of its bytes, written beside and renamed into place so
//! a crash leaves either the whole file or none. Storing the same photo twice
//! stores it once. Every refusal (too large, not an image, an unsupported
//! format, damaged, absurd dimensions) is a [`PhotoError`] and changes nothing.
//!
//! [`Store::add_photo`](crate::Store::add_photo) records a photo of a
//! listing or a lot as an operation naming its files; the files themselves
//! travel after the operations, resumably (`crate::sync::photos`), and the
//! store keeps which are here and which the hub holds.

mod error;
mod format;
mod ingest;
mod location;
mod records;
pub mod sample;
mod store;

pub use error::PhotoError;
pub use format::InputFormat;
pub use ingest::{Encoded, IngestOptions, Ingested, ingest};
pub use location::Location;
pub(crate) use records::{insert, remove};
pub use store::{PHOTOS_DIR, PhotoRefs, PhotoStore, StoredPhoto};

/// The largest input accepted, checked before anything is decoded. A
/// 50-megapixel phone JPEG is about 15 MB; a PNG screenshot rarely 10.
pub const MAX_INPUT_BYTES: usize = 25 * 1024 * 1024;

/// The widest or tallest picture that is decoded at all. Phone cameras stop
/// near 8,000 pixels; beyond this a file is a mistake or an attack.
pub const MAX_SIDE: u32 = 12_000;

/// What a decoded picture may take: a 50-megapixel RGB photo (150 MB) or
/// 12,000 x 7,000 RGB (252 MB) fits, a decompression bomb does not.
pub const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;

/// The display version's longest side, in pixels: sharp on a phone held
/// upright, a tablet, or a web page. Smaller pictures are never enlarged.
pub const DISPLAY_SIDE: u32 = 1600;

/// The thumbnail's longest side, in pixels: a list row or a grid cell on a
/// high-density screen.
pub const THUMBNAIL_SIDE: u32 = 320;

/// JPEG quality of the display version. See docs/bench.md, "Photos": q70
/// is 27% smaller than q80 and 57% smaller than q90 for a 4-megapixel
/// photo (133 KB against 183 and 309), which on a 20 kbit/s uplink is
/// 53 s against 73 and 124.
pub const DISPLAY_QUALITY: u8 = 70;

/// JPEG quality of the thumbnail: a little higher than the display's,
/// because a small picture shows blocking sooner and costs few bytes.
pub const THUMBNAIL_QUALITY: u8 = 75;
