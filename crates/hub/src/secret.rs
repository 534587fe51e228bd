//! The secrets a device holds: its enrollment code (short, typed once) and
//! its token (long, kept). The hub stores only their SHA-256 hashes, so a
//! copy of the database lets nobody act as a device.

use highland_domain::CheckedCode;
use highland_exchange::seal::hex;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Symbols in an enrollment code before its check character: 31^8 (about
/// 8.5 * 10^11) codes, for a code that lives a week and works once.
pub const CODE_SYMBOLS: usize = 8;

/// Random bytes in a device token: 256 bits, far beyond guessing.
const TOKEN_BYTES: usize = 32;

/// The SHA-256 of a secret, in lowercase hex: what the database keeps.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretHash(String);

impl SecretHash {
    pub fn of(secret: &str) -> SecretHash {
        SecretHash(hex(&Sha256::digest(secret.as_bytes())))
    }

    pub fn from_stored(hex: String) -> SecretHash {
        SecretHash(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A bearer token for a newly enrolled device, in hex.
pub fn new_device_token() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// What every staff token starts with, so that neither a person nor the hub
/// mistakes it for a device's token, and secret scanners can spot a leaked one.
pub const STAFF_TOKEN_PREFIX: &str = "hls_";

/// A bearer token for a member of the buyer's staff: the prefix and 256
/// random bits in hex.
pub fn new_staff_token() -> String {
    format!("{STAFF_TOKEN_PREFIX}{}", new_device_token())
}

/// The random value of a console session's cookie: 256 bits in hex.
pub fn new_session_id() -> String {
    new_device_token()
}

/// Whether two hashes are equal, in time that does not depend on where
/// they differ.
pub fn same_hash(a: &SecretHash, b: &SecretHash) -> bool {
    let (a, b) = (a.as_str().as_bytes(), b.as_str().as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new one-time enrollment code.
pub fn new_enrollment_code() -> CheckedCode {
    // Only bytes below 248 (8 * 31) are kept, so every symbol is equally
    // likely: the code's strength is exactly 31^8.
    let mut symbols = Vec::with_capacity(CODE_SYMBOLS);
    let mut rng = rand::rng();
    while symbols.len() < CODE_SYMBOLS {
        let byte = (rng.next_u32() & 0xff) as u8;
        if byte < 248 {
            symbols.push(byte);
        }
    }
    CheckedCode::from_random(&symbols, CODE_SYMBOLS)
}

/// The hash an enrollment code is stored and looked up under: of its
/// canonical symbols, so however it was typed it finds the same row.
pub fn code_hash(code: &CheckedCode) -> SecretHash {
    SecretHash::of(code.as_str())
}

/// A new key for the hub's seal on its own operations ([`highland_exchange::seal`]).
pub fn new_seal_key() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_differ() {
        let a = new_device_token();
        let b = new_device_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(SecretHash::of(&a), SecretHash::of(&b));
    }

    #[test]
    fn staff_tokens_carry_their_prefix_and_differ_from_device_tokens() {
        let token = new_staff_token();
        assert!(token.starts_with(STAFF_TOKEN_PREFIX));
        assert_eq!(token.len(), STAFF_TOKEN_PREFIX.len() + 64);
        assert!(!new_device_token().starts_with(STAFF_TOKEN_PREFIX));
        assert_ne!(new_session_id(), new_session_id());
    }

    #[test]
    fn hashes_compare_equal_only_when_equal() {
        let a = SecretHash::of("a");
        assert!(same_hash(&a, &SecretHash::of("a")));
        assert!(!same_hash(&a, &SecretHash::of("b")));
        assert!(!same_hash(&a, &SecretHash::from_stored("ab".to_owned())));
    }

    #[test]
    fn codes_hash_the_same_however_they_are_typed() {
        let code = new_enrollment_code();
        assert_eq!(code.as_str().len(), CODE_SYMBOLS + 1);
        let typed: CheckedCode = code.grouped().to_lowercase().parse().unwrap();
        assert_eq!(code_hash(&typed), code_hash(&code));
    }
}
