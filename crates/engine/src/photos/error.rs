use thiserror::Error;

use super::{MAX_DECODED_BYTES, MAX_INPUT_BYTES, MAX_SIDE};

/// Why a photo was refused or could not be stored. Each one a seller can
/// cause says what to do; none of them leaves anything behind.
#[derive(Debug, Error)]
pub enum PhotoError {
    #[error(
        "the photo is {bytes} bytes; at most {max} are accepted, so send a smaller copy",
        max = MAX_INPUT_BYTES
    )]
    TooLarge { bytes: usize },
    #[error("this file is not a picture; choose a JPEG, PNG or WebP photo")]
    NotAnImage,
    /// A picture in a format this device cannot decode, such as HEIC.
    #[error("unsupported format: {format}; export the photo as JPEG and try again")]
    Unsupported { format: &'static str },
    #[error(
        "the picture is too large to open: at most {side} pixels a side and {mib} MiB \
         decoded are allowed",
        side = MAX_SIDE,
        mib = MAX_DECODED_BYTES / (1024 * 1024)
    )]
    TooManyPixels,
    #[error("the photo could not be read ({detail}); it may be damaged or incomplete")]
    Damaged { detail: String },
    /// Encoding failed; not something a seller can cause.
    #[error("the photo could not be encoded: {0}")]
    Encode(String),
    #[error("the photo could not be stored: {0}")]
    Io(#[from] std::io::Error),
}

impl PhotoError {
    /// A stable name for the kind of error, for front ends that translate.
    pub fn code(&self) -> &'static str {
        match self {
            PhotoError::TooLarge { .. } => "photo_too_large",
            PhotoError::NotAnImage => "not_an_image",
            PhotoError::Unsupported { .. } => "unsupported_image_format",
            PhotoError::TooManyPixels => "image_dimensions",
            PhotoError::Damaged { .. } => "image_damaged",
            PhotoError::Encode(_) => "image_encode",
            PhotoError::Io(_) => "io",
        }
    }

    /// The device ran out of space while storing.
    pub fn is_storage_full(&self) -> bool {
        matches!(self, PhotoError::Io(e) if e.kind() == std::io::ErrorKind::StorageFull)
    }
}
