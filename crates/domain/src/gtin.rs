//! A GS1 Global Trade Item Number: the barcode number of a packed product.
//! When a product lot has one, its QR code points at the GS1 Digital Link
//! `https://HUB/01/{GTIN}/10/{lot}`, which any GS1-aware scanner understands.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Kept as the 14-digit GTIN-14 that GS1 Digital Link puts in its paths:
/// shorter GTINs (8, 12 or 13 digits) are padded with leading zeros, as the
/// GS1 General Specifications say, so one product has one URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Gtin(String);

impl Gtin {
    pub fn parse(input: &str) -> Result<Gtin, DomainError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let invalid = || DomainError::InvalidGtin {
            input: input.to_owned(),
        };
        if !matches!(digits.len(), 8 | 12 | 13 | 14) || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(invalid());
        }
        let padded = format!("{digits:0>14}");
        let (body, check) = padded.split_at(13);
        let expected = check_digit(body);
        if check.as_bytes()[0] - b'0' != expected {
            return Err(DomainError::GtinMistyped {
                input: input.to_owned(),
                expected,
            });
        }
        Ok(Gtin(padded))
    }

    /// The 14 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// GS1's mod-10 check digit: weights 3 and 1 alternate from the right.
fn check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Gtin {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Gtin::parse(s)
    }
}

impl TryFrom<String> for Gtin {
    type Error = DomainError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Gtin::parse(&s)
    }
}

impl From<Gtin> for String {
    fn from(g: Gtin) -> String {
        g.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_lengths_gs1_allows_and_pads_to_fourteen() {
        // The example GTIN from the GS1 Digital Link standard.
        assert_eq!(
            Gtin::parse("09506000134352").unwrap().as_str(),
            "09506000134352"
        );
        assert_eq!(
            Gtin::parse("9506000134352").unwrap().as_str(),
            "09506000134352"
        );
        assert_eq!(Gtin::parse("96385074").unwrap().as_str(), "00000096385074");
        assert_eq!(
            Gtin::parse("0 12345 67890 5").unwrap().as_str(),
            "00012345678905"
        );
    }

    #[test]
    fn catches_a_wrong_check_digit_and_says_which_one_fits() {
        assert_eq!(
            Gtin::parse("09506000134353"),
            Err(DomainError::GtinMistyped {
                input: "09506000134353".into(),
                expected: 2
            })
        );
    }

    #[test]
    fn refuses_what_is_not_a_gtin() {
        for bad in [
            "",
            "123",
            "12345678901",
            "0950600013435X",
            "095060001343521",
        ] {
            assert!(
                matches!(Gtin::parse(bad), Err(DomainError::InvalidGtin { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_single_digit_change_is_caught() {
        let good = "09506000134352";
        for i in 0..good.len() {
            for d in b'0'..=b'9' {
                let mut typed = good.as_bytes().to_vec();
                if typed[i] == d {
                    continue;
                }
                typed[i] = d;
                let typed = String::from_utf8(typed).unwrap();
                assert!(Gtin::parse(&typed).is_err(), "{typed}");
            }
        }
    }
}
