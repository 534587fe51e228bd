//! A photo as the rest of Highland refers to it: by the SHA-256 of its
//! bytes, with its size and dimensions. The bytes themselves live beside the
//! device's database (highland-engine's `photos` module) and travel apart
//! from the data that points at them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{DomainError, ListingId, LotId, PhotoId};

/// A SHA-256 digest, written as 64 lower-case hex digits. A photo's digest
/// is its name: the same bytes always have the same one.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sha256([u8; 32]);

impl Sha256 {
    /// The digest a hash function returned.
    pub fn from_digest(digest: [u8; 32]) -> Sha256 {
        Sha256(digest)
    }

    /// Reads 64 hex digits; upper-case digits are accepted, surrounding
    /// white space is not.
    pub fn parse(input: &str) -> Result<Sha256, DomainError> {
        let invalid = || DomainError::InvalidId {
            input: input.to_owned(),
        };
        let hex = input.as_bytes();
        if hex.len() != 64 {
            return Err(invalid());
        }
        let mut digest = [0u8; 32];
        for (byte, pair) in digest.iter_mut().zip(hex.chunks_exact(2)) {
            let high = hex_value(pair[0]).ok_or_else(invalid)?;
            let low = hex_value(pair[1]).ok_or_else(invalid)?;
            *byte = high << 4 | low;
        }
        Ok(Sha256(digest))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({self})")
    }
}

impl FromStr for Sha256 {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Sha256::parse(s)
    }
}

impl TryFrom<String> for Sha256 {
    type Error = DomainError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Sha256::parse(&s)
    }
}

impl From<Sha256> for String {
    fn from(digest: Sha256) -> String {
        digest.to_string()
    }
}

/// The encodings a stored photo can have. Only JPEG today: every phone and
/// browser shows it, and it is what the device writes (see the engine's
/// `photos` module for why not WebP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MediaType {
    #[serde(rename = "image/jpeg")]
    Jpeg,
}

impl MediaType {
    /// The IANA media type, as in a `Content-Type` header.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpg",
        }
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One stored version of a photo (its display size or its thumbnail): which
/// bytes, how many, and how large a picture they make. A `PhotoRef` that
/// exists describes a non-empty picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawPhotoRef")]
pub struct PhotoRef {
    sha256: Sha256,
    bytes: u64,
    width: u32,
    height: u32,
    media_type: MediaType,
}

impl PhotoRef {
    pub fn new(
        sha256: Sha256,
        bytes: u64,
        width: u32,
        height: u32,
        media_type: MediaType,
    ) -> Result<PhotoRef, DomainError> {
        if bytes == 0 {
            return Err(DomainError::NotPositive {
                field: "photo size",
            });
        }
        if width == 0 {
            return Err(DomainError::NotPositive {
                field: "photo width",
            });
        }
        if height == 0 {
            return Err(DomainError::NotPositive {
                field: "photo height",
            });
        }
        Ok(PhotoRef {
            sha256,
            bytes,
            width,
            height,
            media_type,
        })
    }

    pub fn sha256(&self) -> Sha256 {
        self.sha256
    }

    /// The length of the file in bytes.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Pixels across, as shown (EXIF orientation already applied).
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Pixels down, as shown.
    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn media_type(&self) -> MediaType {
        self.media_type
    }

    /// The file's name in a photo store: `<sha256>.<extension>`.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.sha256, self.media_type.extension())
    }
}

/// The serialized shape, checked by [`PhotoRef::new`] on the way in.
#[derive(Deserialize)]
struct RawPhotoRef {
    sha256: Sha256,
    bytes: u64,
    width: u32,
    height: u32,
    media_type: MediaType,
}

impl TryFrom<RawPhotoRef> for PhotoRef {
    type Error = DomainError;

    fn try_from(raw: RawPhotoRef) -> Result<Self, Self::Error> {
        PhotoRef::new(raw.sha256, raw.bytes, raw.width, raw.height, raw.media_type)
    }
}

/// What a photo shows: one of the seller's listings, or one of their lots
/// (a lot's photos appear on its public trace page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum PhotoSubject {
    Listing(ListingId),
    Lot(LotId),
}

/// A photo added to a listing or a lot: its two stored versions and, for a
/// lot's origin when the seller chose to keep it, where it was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    pub id: PhotoId,
    pub subject: PhotoSubject,
    /// At most 1600 pixels on its longest side.
    pub display: PhotoRef,
    /// At most 320 pixels; it travels first.
    pub thumbnail: PhotoRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Photo {
    /// Both versions, the smaller first: the order they upload in.
    pub fn versions(&self) -> [PhotoRef; 2] {
        [self.thumbnail, self.display]
    }
}

/// A position on the globe (WGS 84, as GPS records it), in whole
/// microdegrees: about 11 cm, finer than any phone's GPS, and exact, so a
/// location survives every round trip unchanged. North and east are
/// positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawLocation")]
pub struct Location {
    latitude_microdegrees: i32,
    longitude_microdegrees: i32,
}

impl Location {
    /// A position from decimal degrees, if both numbers are on the globe.
    pub fn from_degrees(latitude: f64, longitude: f64) -> Option<Location> {
        let micro = |degrees: f64| (degrees * 1e6).round();
        if !((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)) {
            return None;
        }
        Location::from_microdegrees(micro(latitude) as i32, micro(longitude) as i32).ok()
    }

    pub fn from_microdegrees(latitude: i32, longitude: i32) -> Result<Location, DomainError> {
        if !(-90_000_000..=90_000_000).contains(&latitude) {
            return Err(DomainError::OutOfRange {
                field: "latitude",
                input: latitude.to_string(),
            });
        }
        if !(-180_000_000..=180_000_000).contains(&longitude) {
            return Err(DomainError::OutOfRange {
                field: "longitude",
                input: longitude.to_string(),
            });
        }
        Ok(Location {
            latitude_microdegrees: latitude,
            longitude_microdegrees: longitude,
        })
    }

    pub fn latitude_microdegrees(&self) -> i32 {
        self.latitude_microdegrees
    }

    pub fn longitude_microdegrees(&self) -> i32 {
        self.longitude_microdegrees
    }

    /// Decimal degrees north (negative: south).
    pub fn latitude(&self) -> f64 {
        f64::from(self.latitude_microdegrees) / 1e6
    }

    /// Decimal degrees east (negative: west).
    pub fn longitude(&self) -> f64 {
        f64::from(self.longitude_microdegrees) / 1e6
    }
}

#[derive(Deserialize)]
struct RawLocation {
    latitude_microdegrees: i32,
    longitude_microdegrees: i32,
}

impl TryFrom<RawLocation> for Location {
    type Error = DomainError;

    fn try_from(raw: RawLocation) -> Result<Self, Self::Error> {
        Location::from_microdegrees(raw.latitude_microdegrees, raw.longitude_microdegrees)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // SHA-256 of the empty string.
    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn a_digest_reads_and_writes_64_lower_case_hex_digits() {
        let digest = Sha256::parse(EMPTY).unwrap();
        assert_eq!(digest.as_bytes()[0], 0xe3);
        assert_eq!(digest.to_string(), EMPTY);
        assert_eq!(
            Sha256::parse(&EMPTY.to_uppercase()).unwrap(),
            digest,
            "upper-case digits name the same digest"
        );
    }

    #[test]
    fn anything_but_64_hex_digits_is_refused() {
        for bad in [
            "",
            &EMPTY[..63],
            &format!("{EMPTY}0"),
            &format!(" {}", &EMPTY[1..]),
            &EMPTY.replace('e', "g"),
            "é3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
        ] {
            assert!(
                matches!(Sha256::parse(bad), Err(DomainError::InvalidId { .. })),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn a_photo_ref_is_json_with_its_digest_as_hex() {
        let photo = PhotoRef::new(
            Sha256::parse(EMPTY).unwrap(),
            812,
            320,
            213,
            MediaType::Jpeg,
        )
        .unwrap();
        let json = serde_json::to_value(photo).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "sha256": EMPTY, "bytes": 812, "width": 320, "height": 213,
                "media_type": "image/jpeg"
            })
        );
        assert_eq!(serde_json::from_value::<PhotoRef>(json).unwrap(), photo);
        assert_eq!(photo.file_name(), format!("{EMPTY}.jpg"));
    }

    #[test]
    fn an_empty_photo_is_refused_by_constructor_and_by_serde() {
        let digest = Sha256::parse(EMPTY).unwrap();
        assert!(PhotoRef::new(digest, 0, 1, 1, MediaType::Jpeg).is_err());
        assert!(PhotoRef::new(digest, 1, 0, 1, MediaType::Jpeg).is_err());
        assert!(PhotoRef::new(digest, 1, 1, 0, MediaType::Jpeg).is_err());
        let zero_width = serde_json::json!({
            "sha256": EMPTY, "bytes": 812, "width": 0, "height": 213, "media_type": "image/jpeg"
        });
        assert!(serde_json::from_value::<PhotoRef>(zero_width).is_err());
        let bad_digest = serde_json::json!({
            "sha256": "abc", "bytes": 812, "width": 1, "height": 1, "media_type": "image/jpeg"
        });
        assert!(serde_json::from_value::<PhotoRef>(bad_digest).is_err());
    }

    proptest! {
        #[test]
        fn every_digest_survives_its_hex(bytes in proptest::array::uniform32(any::<u8>())) {
            let digest = Sha256::from_digest(bytes);
            prop_assert_eq!(Sha256::parse(&digest.to_hex()).unwrap(), digest);
        }
    }
}
