//! What the operator does from the command line: add a seller, issue a code
//! for another of their devices. Each works on the database directly, so it
//! works whether or not the server runs.

use chrono::{DateTime, SecondsFormat};
use highland_domain::{CheckedCode, ShortText};
use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;
use serde::Serialize;

use crate::secret::{code_hash, new_enrollment_code};
use crate::storage::{NewCode, Seller, Storage};
use crate::{Result, SellerId};

/// How long an enrollment code works: a week, long enough to reach a
/// village and back.
pub const CODE_LIFETIME_MS: u64 = 7 * 24 * 60 * 60 * 1000;

/// A seller to add, in their own words.
#[derive(Debug, Clone)]
pub struct NewSeller {
    pub name: ShortText,
    pub village: ShortText,
    pub phone: Option<ShortText>,
}

/// A seller just added, with the code for their first device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SellerAdded {
    pub seller_id: String,
    pub name: String,
    pub village: String,
    pub phone: Option<String>,
    /// Grouped for reading aloud ("K7QM-4XRP-Y"); devices accept it with or
    /// without the dashes, in any case.
    pub code: String,
    /// RFC 3339, UTC.
    pub code_expires_at: String,
}

/// A code for another device of an existing seller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeIssued {
    pub seller_id: String,
    pub name: String,
    pub code: String,
    pub code_expires_at: String,
}

pub fn add_seller(store: &dyn Storage, new: NewSeller, now_ms: u64) -> Result<SellerAdded> {
    let seller = Seller {
        id: SellerId::new(),
        name: new.name.to_string(),
        village: new.village.to_string(),
        phone: new.phone.map(|p| p.to_string()),
    };
    let (code, stored) = fresh_code(now_ms);
    store.add_seller(&seller, &stored)?;
    Ok(SellerAdded {
        seller_id: seller.id.to_string(),
        name: seller.name,
        village: seller.village,
        phone: seller.phone,
        code: code.grouped(),
        code_expires_at: format_ms(stored.expires_at_ms),
    })
}

pub fn issue_device_code(store: &dyn Storage, seller: SellerId, now_ms: u64) -> Result<CodeIssued> {
    let (code, stored) = fresh_code(now_ms);
    let found = store.add_code(seller, &stored)?;
    Ok(CodeIssued {
        seller_id: found.id.to_string(),
        name: found.name,
        code: code.grouped(),
        code_expires_at: format_ms(stored.expires_at_ms),
    })
}

fn fresh_code(now_ms: u64) -> (CheckedCode, NewCode) {
    let code = new_enrollment_code();
    let stored = NewCode {
        hash: code_hash(&code),
        issued_at_ms: now_ms,
        expires_at_ms: now_ms.saturating_add(CODE_LIFETIME_MS),
    };
    (code, stored)
}

/// What the QR code holds: a link the app opens when it knows the hub's
/// address, or just the code, which the app asks the hub address for.
pub fn enrollment_text(hub_url: Option<&str>, code: &str) -> String {
    match hub_url {
        Some(url) => format!(
            "highland://enroll?hub={}&code={}",
            percent_encode(url),
            percent_encode(code)
        ),
        None => code.to_owned(),
    }
}

/// The QR code of `text` in Unicode half blocks, two rows of modules per
/// line, light on dark so it scans from a terminal with a dark background.
pub fn qr_for_terminal(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

/// RFC 3339 in UTC with milliseconds, as the device writes times.
pub fn format_ms(ms: u64) -> String {
    i64::try_from(ms)
        .ok()
        .and_then(DateTime::from_timestamp_millis)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Escapes everything but RFC 3986's unreserved characters and the ':' and
/// '/' of a URL, which a query may hold as they are.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enrollment_link_escapes_the_hub_address() {
        assert_eq!(
            enrollment_text(Some("http://192.168.4.1:7878/x?y=1&z"), "K7QM-4XRP-Y"),
            "highland://enroll?hub=http://192.168.4.1:7878/x%3Fy%3D1%26z&code=K7QM-4XRP-Y"
        );
        assert_eq!(enrollment_text(None, "K7QM-4XRP-Y"), "K7QM-4XRP-Y");
    }

    #[test]
    fn a_code_renders_as_a_qr_code() {
        let qr = qr_for_terminal("K7QM-4XRP-Y").unwrap();
        assert!(qr.lines().count() > 10);
    }

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(format_ms(1_764_000_000_000), "2025-11-24T16:00:00.000Z");
    }
}
