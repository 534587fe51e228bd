//! The class: the trainer's staff account and the trainees' codes.
//!
//! Codes and tokens are stored only as hashes, so the hub cannot show an
//! old one again: every start (and every "print cards" in the console)
//! issues a fresh code to each trainee who has no device yet. A code not
//! used stays valid for its lifetime; that is harmless in a closed hall.

use highland_domain::ShortText;

use super::{TraineeCard, WorkshopError};
use crate::admin::{self, enrollment_text};
use crate::secret::{SecretHash, code_hash, new_enrollment_code, new_staff_token};
use crate::storage::{NewCode, Seller};
use crate::{SellerId, Storage};

/// The trainer's name as staff: the console's login name.
pub const TRAINER: &str = "trainer";

/// The trainer's staff token: a new member the first time, a new token for
/// the same member after (the old one stops working).
pub fn trainer_token(store: &dyn Storage, now_ms: u64) -> Result<String, WorkshopError> {
    let exists = store
        .staff()?
        .iter()
        .any(|m| m.name == TRAINER && m.revoked_at_ms.is_none());
    if exists {
        let token = new_staff_token();
        store.replace_staff_token(TRAINER, &SecretHash::of(&token))?;
        Ok(token)
    } else {
        let name = ShortText::parse(TRAINER)?;
        Ok(crate::staff::add_staff(store, name, now_ms)?.token)
    }
}

/// A trainee's name as sellers are named: Chinese first, as the class reads it.
pub fn trainee_name(number: u32) -> String {
    format!("学员 {number} Trainee {number}")
}

/// Makes trainees 1..=`count` that do not exist yet (all of them, with
/// `None`), and returns a card with a fresh code for every one of them
/// without a device.
pub fn prepare(
    store: &dyn Storage,
    count: Option<u32>,
    hub_url: &str,
    now_ms: u64,
) -> Result<Vec<TraineeCard>, WorkshopError> {
    let existing = store.trainees()?;
    let count = count.unwrap_or_else(|| existing.iter().map(|t| t.number).max().unwrap_or(0));
    let mut cards = Vec::new();
    for number in 1..=count {
        let name = trainee_name(number);
        let code = match existing.iter().find(|t| t.number == number) {
            Some(t) if t.devices > 0 => continue,
            Some(t) => admin::issue_device_code(store, t.seller_id, now_ms)?.code,
            None => {
                let code = new_enrollment_code();
                let seller = Seller {
                    id: SellerId::new(),
                    name: name.clone(),
                    village: super::round::TRAINEES_VILLAGE.to_owned(),
                    phone: None,
                };
                store.add_trainee(
                    number,
                    &seller,
                    &NewCode {
                        hash: code_hash(&code),
                        issued_at_ms: now_ms,
                        expires_at_ms: now_ms.saturating_add(admin::CODE_LIFETIME_MS),
                    },
                )?;
                code.grouped()
            }
        };
        cards.push(TraineeCard {
            enroll_text: enrollment_text(Some(hub_url), &code),
            name,
            code,
        });
    }
    Ok(cards)
}
