//! Ids the hub makes. Sellers are created on the hub (by staff or a
//! trainer), so unlike listings and sales their ids are not made on a device.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A seller: one villager (or household) whose devices share one set of listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SellerId(Uuid);

impl SellerId {
    pub fn new() -> SellerId {
        SellerId(highland_domain::new_uuid())
    }

    pub fn from_uuid(uuid: Uuid) -> SellerId {
        SellerId(uuid)
    }
}

impl Default for SellerId {
    fn default() -> Self {
        SellerId::new()
    }
}

impl fmt::Display for SellerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

impl FromStr for SellerId {
    type Err = highland_domain::DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim()).map(SellerId).map_err(|_| {
            highland_domain::DomainError::InvalidId {
                input: s.to_owned(),
            }
        })
    }
}

/// A member of the buyer's staff, made on the hub by `highland-hub staff add`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StaffId(Uuid);

impl StaffId {
    pub fn new() -> StaffId {
        StaffId(highland_domain::new_uuid())
    }

    pub fn from_uuid(uuid: Uuid) -> StaffId {
        StaffId(uuid)
    }
}

impl Default for StaffId {
    fn default() -> Self {
        StaffId::new()
    }
}

impl fmt::Display for StaffId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

impl FromStr for StaffId {
    type Err = highland_domain::DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim()).map(StaffId).map_err(|_| {
            highland_domain::DomainError::InvalidId {
                input: s.to_owned(),
            }
        })
    }
}

/// A device that presented a valid token: who it is and whom it sells for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnrolledDevice {
    pub id: highland_domain::DeviceId,
    pub seller: SellerId,
}
