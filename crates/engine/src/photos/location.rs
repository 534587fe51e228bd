//! Where a photo was taken, read from its EXIF GPS fields when the seller
//! keeps it (a lot's origin). The position is returned as a value and never
//! written into a stored file.

use exif::{In, Tag, Value};

pub use highland_domain::Location;

/// Reads the GPS position from a raw EXIF block (the TIFF structure a JPEG's
/// APP1 segment carries). A block without a complete, sensible position
/// gives `None`: a missing location is not an error.
pub(super) fn from_exif(raw: Vec<u8>) -> Option<Location> {
    let exif = exif::Reader::new().read_raw(raw).ok()?;
    let coordinate = |value: Tag, reference: Tag, negative: &[u8]| -> Option<f64> {
        let degrees = match &exif.get_field(value, In::PRIMARY)?.value {
            Value::Rational(parts) if parts.len() == 3 => {
                let part = |i: usize| {
                    let r = parts[i];
                    (r.denom != 0).then(|| f64::from(r.num) / f64::from(r.denom))
                };
                part(0)? + part(1)? / 60.0 + part(2)? / 3600.0
            }
            _ => return None,
        };
        let sign = match &exif.get_field(reference, In::PRIMARY)?.value {
            Value::Ascii(texts) => match texts.first()?.first()? {
                c if negative.contains(c) => -1.0,
                _ => 1.0,
            },
            _ => return None,
        };
        Some(sign * degrees)
    };
    Location::from_degrees(
        coordinate(Tag::GPSLatitude, Tag::GPSLatitudeRef, b"Ss")?,
        coordinate(Tag::GPSLongitude, Tag::GPSLongitudeRef, b"Ww")?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::photos::sample::{ExifFields, Gps, exif_tiff};

    #[test]
    fn a_gps_position_is_read_with_its_hemispheres() {
        let gps = Gps {
            latitude: 27.8333,
            longitude: -99.7167,
        };
        let raw = exif_tiff(&ExifFields {
            orientation: None,
            gps: Some(gps),
        });
        let location = from_exif(raw).unwrap();
        assert!((location.latitude() - 27.8333).abs() < 1e-4, "{location:?}");
        assert!(
            (location.longitude() + 99.7167).abs() < 1e-4,
            "{location:?}"
        );
    }

    #[test]
    fn no_gps_or_no_exif_is_no_location() {
        let raw = exif_tiff(&ExifFields {
            orientation: Some(6),
            gps: None,
        });
        assert_eq!(from_exif(raw), None);
        assert_eq!(from_exif(b"not exif".to_vec()), None);
    }

    #[test]
    fn a_position_off_the_globe_is_none() {
        assert_eq!(Location::from_degrees(91.0, 0.0), None);
        assert_eq!(Location::from_degrees(0.0, -180.5), None);
        assert!(Location::from_degrees(f64::NAN, 0.0).is_none());
    }
}
