//! The demo listings' photos: illustrations drawn for Highland by
//! `crates/hub/workshop/draw.rs` (CC0-1.0; see crates/hub/workshop/LICENSE.md),
//! embedded so a workshop needs no file beside the binary.

use highland_domain::{DomainError, MediaType, PhotoRef, Sha256};
use sha2::Digest;

/// Every demo photo is drawn at this size: small enough to be its own
/// thumbnail (at most 320 pixels), so one file serves as both versions.
pub(crate) const WIDTH: u32 = 320;
pub(crate) const HEIGHT: u32 = 240;

pub(crate) const HONEY: &[u8] = include_bytes!("../../workshop/photos/honey.jpg");
pub(crate) const MATSUTAKE: &[u8] = include_bytes!("../../workshop/photos/matsutake.jpg");
pub(crate) const BARLEY: &[u8] = include_bytes!("../../workshop/photos/barley.jpg");
pub(crate) const YAK_MEAT: &[u8] = include_bytes!("../../workshop/photos/yak-meat.jpg");
pub(crate) const YAK_CHEESE: &[u8] = include_bytes!("../../workshop/photos/yak-cheese.jpg");

/// A photo file's reference, named by its SHA-256 as devices name theirs.
pub(crate) fn reference(file: &[u8]) -> Result<PhotoRef, DomainError> {
    let sha = Sha256::from_digest(sha2::Sha256::digest(file).into());
    PhotoRef::new(sha, file.len() as u64, WIDTH, HEIGHT, MediaType::Jpeg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_photo_is_a_small_jpeg() {
        for file in [HONEY, MATSUTAKE, BARLEY, YAK_MEAT, YAK_CHEESE] {
            assert!(file.starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG");
            assert!(file.len() < 60 * 1024, "{} bytes", file.len());
            reference(file).unwrap();
        }
    }
}
