//! Photos on the hub: the files that `photo_added` operations name, taken
//! in by resumable uploads and served to devices, staff and (for lots) the
//! public trace page. See docs/sync-protocol.md, section 13.
//!
//! - [`frames`] reads an upload's body: length, CRC-32 and data per frame.
//! - [`upload`] keeps the frames as they arrive, through a task of its own
//!   that outlives the request (a cut connection must not lose what came
//!   before the cut), and verifies the whole file before it is stored.
//! - [`store`] is where verified files live: a folder, or S3-compatible
//!   object storage.
//!
//! Uploads in progress live in the database, never in a hub's memory or
//! disk, so any hub process on the same database resumes any upload.

pub mod frames;
pub mod store;
pub mod upload;

use highland_domain::{Location, PhotoId, PhotoRef};
use thiserror::Error;

use crate::SellerId;

pub use store::{PhotoStore, PhotoStoreError};

pub use highland_exchange::sync::MAX_PHOTO_BYTES;

/// The largest frame of an upload's body; the device sends 4 KiB ones.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// How many uploads one device may leave unfinished: enough for a few
/// photos in flight, too few to fill the database with parts.
pub const MAX_UNFINISHED_UPLOADS: u32 = 8;

/// Where an upload stands: the bytes the hub holds of the file's length.
/// `offset == length` means the file is whole, verified and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadStatus {
    pub length: u64,
    pub offset: u64,
    /// Whether the whole file is verified and in the photo store. Every
    /// byte may have arrived before it is (a hub stopped while checking
    /// it): the next request for it finishes the job.
    pub stored: bool,
}

/// Who asks for a stored file, which decides which files they may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoReader {
    /// A device: the files of its own seller's photos.
    Seller(SellerId),
    /// The buyer's staff: every file.
    Staff,
    /// Anyone: the files of photos on lots (the trace page's), not removed.
    Public,
}

/// A photo as the console and the trace page show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoView {
    pub id: PhotoId,
    pub thumbnail: PhotoRef,
    pub display: PhotoRef,
    /// Whether the thumbnail's file has arrived (a page shows only those).
    pub thumbnail_stored: bool,
    pub location: Option<Location>,
}

/// Why an upload's request was not taken (or not wholly).
#[derive(Debug, Error)]
pub enum UploadError {
    #[error("no photo of this seller names this file; add the photo, and sync, first")]
    UnknownPhoto,
    #[error("the hub holds {held} bytes of this file; send from there")]
    OffsetMismatch { held: u64 },
    #[error("this device has {max} unfinished uploads of other photos; finish those first")]
    TooManyUploads { max: u32 },
    #[error(
        "another seller's device is uploading the same file; when it is done the hub has it, \
         so try again later"
    )]
    UploadElsewhere,
    #[error("a frame's checksum did not match; the hub holds {held} bytes, send from there")]
    ChunkCorrupted { held: u64 },
    #[error("the whole file did not hash to its name; the hub dropped it, send it again")]
    PhotoCorrupted,
    #[error(
        "the frames run past the file's length, or a frame is over 64 KiB; the hub holds \
         {held} bytes"
    )]
    TooLarge { held: u64 },
    #[error("the photo store failed: {0}")]
    Store(#[from] PhotoStoreError),
    #[error(transparent)]
    Hub(#[from] crate::Error),
}

impl UploadError {
    /// The offset to report in `Upload-Offset`, when the answer has one.
    pub fn held(&self) -> Option<u64> {
        match self {
            UploadError::OffsetMismatch { held }
            | UploadError::ChunkCorrupted { held }
            | UploadError::TooLarge { held } => Some(*held),
            UploadError::PhotoCorrupted => Some(0),
            _ => None,
        }
    }
}
