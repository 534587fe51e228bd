//! A lot's trace code: the short code printed beside its QR code, which a
//! buyer types by hand when a phone cannot scan. It is derived from the lot's
//! id, so a device knows it the moment the lot is recorded, with no network,
//! and the hub derives the same one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{CheckedCode, DomainError, LotId};

/// Twelve symbols of 31 (59 bits) before the check character: among a
/// million lots, two share a code with a chance of about one in 500,000.
const BODY: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TraceCode(CheckedCode);

impl TraceCode {
    pub fn of_lot(lot: LotId) -> TraceCode {
        let bytes = lot.as_uuid().into_bytes();
        // The id's last eight bytes are random but for the variant's two
        // high bits (UUIDv7 and v4 alike).
        let tail: [u8; 8] = bytes[8..].try_into().expect("16 bytes");
        let mut random = u64::from_be_bytes(tail) & (u64::MAX >> 2);
        let mut symbols = [0u8; BODY];
        for symbol in symbols.iter_mut().rev() {
            *symbol = (random % 31) as u8;
            random /= 31;
        }
        TraceCode(CheckedCode::from_random(&symbols, BODY))
    }

    /// Reads a code as typed (any case, with or without dashes), refusing a
    /// mistyped one: every single wrong or swapped character is caught.
    pub fn parse(input: &str) -> Result<TraceCode, DomainError> {
        let code = CheckedCode::parse(input)?;
        if code.as_str().len() != BODY + 1 {
            return Err(DomainError::InvalidCode {
                input: input.to_owned(),
            });
        }
        Ok(TraceCode(code))
    }

    /// The symbols with no separators, as stored and put in URLs.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// "K7QM-4XRP-Y2AB-C", for a label.
    pub fn grouped(&self) -> String {
        self.0.grouped()
    }
}

impl fmt::Display for TraceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

impl FromStr for TraceCode {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TraceCode::parse(s)
    }
}

impl TryFrom<String> for TraceCode {
    type Error = DomainError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        TraceCode::parse(&s)
    }
}

impl From<TraceCode> for String {
    fn from(c: TraceCode) -> String {
        c.0.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_lot_always_has_the_same_code() {
        let lot: LotId = "01970000-0000-7000-8000-00000000002a".parse().unwrap();
        assert_eq!(TraceCode::of_lot(lot), TraceCode::of_lot(lot));
        assert_eq!(TraceCode::of_lot(lot).as_str().len(), 13);
        assert_ne!(TraceCode::of_lot(lot), TraceCode::of_lot(LotId::new()));
    }

    #[test]
    fn other_codes_are_refused() {
        // An enrollment code is a valid CheckedCode of another length.
        assert!(TraceCode::parse(&CheckedCode::from_random(&[1; 8], 8).grouped()).is_err());
        assert!(TraceCode::parse("").is_err());
    }

    proptest! {
        #[test]
        fn a_code_reads_back_and_one_wrong_character_is_caught(
            seed in any::<u128>(), at in 0usize..13, shift in 1u8..31,
        ) {
            let lot = LotId::from_uuid(uuid::Uuid::from_u128(seed));
            let code = TraceCode::of_lot(lot);
            prop_assert_eq!(TraceCode::parse(&code.grouped().to_lowercase()).unwrap(), code.clone());
            let alphabet = b"0123456789ABCDEFGHJKMNPQRSTVWXY";
            let mut typed = code.as_str().as_bytes().to_vec();
            let i = alphabet.iter().position(|a| *a == typed[at]).unwrap();
            typed[at] = alphabet[(i + shift as usize) % 31];
            prop_assert!(TraceCode::parse(std::str::from_utf8(&typed).unwrap()).is_err());
        }
    }
}
