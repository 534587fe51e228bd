//! The hub's seal on the operations it authors (orders, staff actions).
//!
//! A hub restored from a backup has lost what it logged since; its devices
//! give back what they pulled (docs/sync-protocol.md section 14). A device's
//! own operations and those of its seller's other devices it may give back
//! freely: they are that seller's to write. An operation in the hub's name
//! is not, so the hub takes one back only under its own seal: an
//! HMAC-SHA256, keyed by a secret in its database, over the operation's
//! canonical JSON (every object's keys sorted; serde_json's map is ordered),
//! carried in the operation's `seal` field, which devices keep with the
//! text they pulled and otherwise ignore.

use highland_domain::Operation;
use highland_domain::wire::LoggedOperation;
use ring::hmac;
use serde_json::Value;

use crate::{Error, Result};

const FIELD: &str = "seal";

/// The key, as the database keeps it: hex.
pub struct SealKey(hmac::Key);

impl SealKey {
    pub fn from_hex(hex: &str) -> Result<SealKey> {
        let bytes = unhex(hex)
            .filter(|b| b.len() >= 32)
            .ok_or_else(|| Error::BadRecord("the hub's seal key is not 32 bytes of hex".into()))?;
        Ok(SealKey(hmac::Key::new(hmac::HMAC_SHA256, &bytes)))
    }

    /// `op` as the log keeps it, with its seal.
    pub fn seal(&self, op: &Operation) -> Result<LoggedOperation> {
        let mut value = serde_json::to_value(op).map_err(not_json)?;
        let tag = hmac::sign(&self.0, canonical(&value)?.as_bytes());
        if let Value::Object(map) = &mut value {
            map.insert(FIELD.to_owned(), Value::String(hex(tag.as_ref())));
        }
        LoggedOperation::from_text(value.to_string()).map_err(not_json)
    }

    /// Whether `op` carries this hub's seal over exactly what it says.
    pub fn verify(&self, op: &LoggedOperation) -> bool {
        let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(op.text()) else {
            return false;
        };
        let Some(Value::String(seal)) = map.remove(FIELD) else {
            return false;
        };
        let Some(tag) = unhex(&seal) else {
            return false;
        };
        canonical(&Value::Object(map))
            .is_ok_and(|text| hmac::verify(&self.0, text.as_bytes(), &tag).is_ok())
    }
}

/// Serialising a `Value` writes each object's keys in order (serde_json's
/// map is a `BTreeMap` here), so one value has one text however it came.
fn canonical(value: &Value) -> Result<String> {
    serde_json::to_string(value).map_err(not_json)
}

fn not_json(e: serde_json::Error) -> Error {
    Error::BadRecord(format!("an operation does not serialise: {e}"))
}

/// Bytes as lowercase hex, as the database keeps keys and hashes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use highland_domain::{
        Actor, DeviceId, Hlc, OperationId, OrderAction, OrderId, Payload, Reason,
    };

    fn key(byte: u8) -> SealKey {
        SealKey::from_hex(&hex(&[byte; 32])).unwrap()
    }

    fn staff_cancels() -> Operation {
        Operation {
            id: OperationId::new(),
            device_id: DeviceId::new(),
            hlc: Hlc::from_wall_ms(1_700_000_000_000),
            payload: Payload::OrderActionTaken {
                order_id: OrderId::new(),
                actor: Actor::Staff,
                action: OrderAction::Cancel {
                    reason: Reason::parse("卡车坏了").unwrap(),
                },
                at: crate::authored::time(1_700_000_000_000),
            },
        }
    }

    #[test]
    fn a_sealed_operation_reads_back_and_verifies_under_its_own_key_only() {
        let op = staff_cancels();
        let sealed = key(7).seal(&op).unwrap();
        assert_eq!(sealed.read().unwrap(), op, "the seal is ignored when read");
        assert!(key(7).verify(&sealed));
        assert!(!key(8).verify(&sealed), "another hub's key");
    }

    #[test]
    fn a_changed_or_unsealed_operation_does_not_verify() {
        let op = staff_cancels();
        let sealed = key(7).seal(&op).unwrap();
        let forged = sealed.text().replace("卡车坏了", "不要了");
        assert_ne!(forged, sealed.text());
        assert!(!key(7).verify(&LoggedOperation::from_text(forged).unwrap()));
        assert!(!key(7).verify(&LoggedOperation::of(&op).unwrap()));
    }

    #[test]
    fn the_seal_survives_a_reordering_of_the_text() {
        let sealed = key(7).seal(&staff_cancels()).unwrap();
        let Value::Object(map) = serde_json::from_str::<Value>(sealed.text()).unwrap() else {
            panic!("an object");
        };
        // Written back in reverse key order, as another serialiser might.
        let reversed: Vec<String> = map
            .iter()
            .rev()
            .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), v))
            .collect();
        let text = format!("{{{}}}", reversed.join(","));
        assert_ne!(text, sealed.text());
        assert!(key(7).verify(&LoggedOperation::from_text(text).unwrap()));
    }
}
