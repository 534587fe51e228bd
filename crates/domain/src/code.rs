//! Short codes that people type from a screen or a label: enrollment codes
//! now, trace codes on lots later. The alphabet has 31 symbols (a prime), which
//! leaves out the letters people confuse with digits (I, L, O, U, Z), and the
//! last symbol is a check character: a weighted sum modulo 31 that catches
//! every single wrong character and every swap of two neighbours.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKMNPQRSTVWXY";

/// At most 29 symbols before the check. Symbol i weighs i + 1; swapping the
/// last symbol with the check character goes unnoticed exactly when that
/// weight plus one is a multiple of 31, so 30 symbols would be one too many.
const MAX_BODY: usize = 29;

/// A code of symbols from the alphabet ending in its check character. Shown
/// in groups of four separated by '-'; typed in any case, with or without
/// the dashes and spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CheckedCode(String);

impl CheckedCode {
    /// Makes a code from `body_len` random symbols drawn from `random` (any
    /// bytes; each is reduced modulo 31, so pass uniformly random bytes
    /// rejected above 247 for a uniform result, or accept the tiny bias).
    pub fn from_random(random: &[u8], body_len: usize) -> CheckedCode {
        assert!(body_len > 0 && body_len <= MAX_BODY && random.len() >= body_len);
        let body: Vec<u8> = random[..body_len]
            .iter()
            .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()])
            .collect();
        let mut code = String::from_utf8(body).expect("alphabet is ASCII");
        code.push(ALPHABET[check_value(code.as_bytes())] as char);
        CheckedCode(code)
    }

    pub fn parse(input: &str) -> Result<CheckedCode, DomainError> {
        let invalid = || DomainError::InvalidCode {
            input: input.to_owned(),
        };
        let symbols: String = input
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| match c.to_ascii_uppercase() {
                // Read the way people misread them (as Crockford's base 32 does).
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            })
            .collect();
        if symbols.len() < 2 || symbols.len() > MAX_BODY + 1 {
            return Err(invalid());
        }
        if !symbols.bytes().all(|b| ALPHABET.contains(&b)) {
            return Err(invalid());
        }
        let (body, check) = symbols.split_at(symbols.len() - 1);
        if ALPHABET[check_value(body.as_bytes())] != check.as_bytes()[0] {
            return Err(DomainError::CodeMistyped {
                input: input.to_owned(),
            });
        }
        Ok(CheckedCode(symbols))
    }

    /// The symbols with no separators: the canonical form to store and compare.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Groups of four for reading aloud and typing: "K7QM-4XRP-Y".
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).expect("ASCII"))
            .collect::<Vec<_>>()
            .join("-")
    }
}

fn check_value(body: &[u8]) -> usize {
    body.iter()
        .enumerate()
        .map(|(i, b)| {
            let value = ALPHABET
                .iter()
                .position(|a| a == b)
                .expect("checked symbol");
            value * (i + 1)
        })
        .sum::<usize>()
        % ALPHABET.len()
}

impl fmt::Display for CheckedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

impl FromStr for CheckedCode {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CheckedCode::parse(s)
    }
}

impl TryFrom<String> for CheckedCode {
    type Error = DomainError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        CheckedCode::parse(&s)
    }
}

impl From<CheckedCode> for String {
    fn from(c: CheckedCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_read_back_however_they_are_typed() {
        let code = CheckedCode::from_random(&[3, 14, 15, 92, 65, 35, 89, 79], 8);
        let typed = code.grouped().to_lowercase().replace('-', " ");
        assert_eq!(CheckedCode::parse(&typed).unwrap(), code);
        assert_eq!(code.as_str().len(), 9);
    }

    #[test]
    fn letters_mistaken_for_digits_read_as_the_digits() {
        let code = CheckedCode::from_random(&[0, 1, 0, 1], 4);
        assert_eq!(code.as_str()[..4].to_string(), "0101");
        let typed = format!("OiOl{}", &code.as_str()[4..]);
        assert_eq!(CheckedCode::parse(&typed).unwrap(), code);
    }

    #[test]
    fn confusable_letters_are_not_symbols() {
        for c in ['I', 'L', 'O', 'U', 'Z'] {
            assert!(!ALPHABET.contains(&(c as u8)));
        }
    }

    fn any_code() -> impl Strategy<Value = CheckedCode> {
        (
            proptest::collection::vec(any::<u8>(), 29),
            1usize..=MAX_BODY,
        )
            .prop_map(|(bytes, len)| CheckedCode::from_random(&bytes, len))
    }

    proptest! {
        #[test]
        fn every_single_substitution_is_caught(code in any_code(), at in any::<prop::sample::Index>(), with in 0usize..31) {
            let mut symbols = code.as_str().as_bytes().to_vec();
            let at = at.index(symbols.len());
            prop_assume!(symbols[at] != ALPHABET[with]);
            symbols[at] = ALPHABET[with];
            let typed = String::from_utf8(symbols).unwrap();
            prop_assert!(CheckedCode::parse(&typed).is_err());
        }

        #[test]
        fn every_adjacent_swap_is_caught(code in any_code(), at in any::<prop::sample::Index>()) {
            let mut symbols = code.as_str().as_bytes().to_vec();
            let at = at.index(symbols.len() - 1);
            prop_assume!(symbols[at] != symbols[at + 1]);
            symbols.swap(at, at + 1);
            let typed = String::from_utf8(symbols).unwrap();
            prop_assert!(CheckedCode::parse(&typed).is_err());
        }
    }
}
