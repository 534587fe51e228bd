//! The one boundary between the hub and its database. Handlers and admin
//! commands see only [`Storage`]; SQLite implements it in [`crate::db`], and a
//! PostgreSQL backend will be a second implementation beside it, with no
//! change to the handlers or to the rules in [`crate::sync`].
//!
//! Methods block: the HTTP layer calls them on tokio's blocking pool. Each
//! method is one transaction, so nothing a caller does can leave half a
//! change behind.

use highland_domain::DeviceId;
use highland_domain::wire::SyncResponse;

use crate::secret::SecretHash;
use crate::sync::{PullRequest, Pushed};
use crate::views::{ListingView, SaleView};
use crate::{Result, SellerId};

/// A seller as the hub knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seller {
    pub id: SellerId,
    pub name: String,
    pub village: String,
    pub phone: Option<String>,
}

/// An enrollment code about to be stored, already hashed.
#[derive(Debug, Clone)]
pub struct NewCode {
    pub hash: SecretHash,
    pub issued_at_ms: u64,
    pub expires_at_ms: u64,
}

/// A device asking to trade its code for a token.
#[derive(Debug, Clone)]
pub struct Enrollment {
    pub code: SecretHash,
    pub device: DeviceId,
    /// The hash of the token the device will be given if the code is good.
    pub token: SecretHash,
    pub now_ms: u64,
}

/// A device that presented a valid token: who it is and whom it sells for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnrolledDevice {
    pub id: DeviceId,
    pub seller: SellerId,
}

pub trait Storage: Send + Sync + 'static {
    /// Records a new seller and the first code for one of their devices.
    fn add_seller(&self, seller: &Seller, code: &NewCode) -> Result<()>;

    /// Records another code for an existing seller; fails with
    /// [`crate::Error::UnknownSeller`] when there is none.
    fn add_code(&self, seller: SellerId, code: &NewCode) -> Result<Seller>;

    /// Trades a code for a device token. A code works once, within its
    /// lifetime; the device that used it may use it again while it is
    /// valid (its first answer may have been lost on the way), which gives
    /// it a new token and retires the old one.
    fn enroll(&self, enrollment: &Enrollment) -> Result<Seller>;

    /// The device holding the token with this hash, if any.
    fn device_by_token(&self, token: &SecretHash) -> Result<Option<EnrolledDevice>>;

    /// One sync: takes in what the device pushed, then reads the page of the
    /// log it may pull, in one transaction (see [`crate::sync::exchange`]).
    fn exchange(
        &self,
        device: EnrolledDevice,
        pushed: Vec<Pushed>,
        pull: PullRequest,
        now_ms: u64,
    ) -> Result<SyncResponse>;

    /// Listings with their stock, oldest first; every seller's when `None`.
    fn listings(&self, seller: Option<SellerId>) -> Result<Vec<ListingView>>;

    /// Sales, oldest first; every seller's when `None`.
    fn sales(&self, seller: Option<SellerId>) -> Result<Vec<SaleView>>;

    /// How many operations the log holds.
    fn log_length(&self) -> Result<u64>;
}
