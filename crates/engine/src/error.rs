use std::path::PathBuf;

use highland_domain::order::TransitionRefused;
use highland_domain::round::AnswerRefused;
use highland_domain::{DomainError, ListingId, LotId, OrderId, PhotoId, RoundId, SaleId, Unit};
use thiserror::Error;

use crate::photos::PhotoError;

/// What can go wrong in the device store. Every variant that a seller can cause
/// says what to do about it; SQLite's own errors are kept for the logs.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error("no listing with id {0}")]
    UnknownListing(ListingId),
    #[error("no lot with id {0}")]
    UnknownLot(LotId),
    #[error("no order with id {0}")]
    UnknownOrder(OrderId),
    #[error("no photo with id {0}")]
    UnknownPhoto(PhotoId),
    #[error("no collection round with id {0}")]
    UnknownRound(RoundId),
    #[error("none of this seller's orders rides round {0}, so there is nothing to answer")]
    NotOnRound(RoundId),
    /// The round, as this device sees it, takes no more answers.
    #[error(transparent)]
    RoundClosed(#[from] AnswerRefused),
    #[error("no sale with id {0}")]
    UnknownSale(SaleId),
    #[error(
        "sale {0} is the receipt of an order; the buyer's staff recorded it, so it cannot be \
         voided here"
    )]
    ReceiptNotVoidable(SaleId),
    #[error("sale {0} is already voided")]
    SaleAlreadyVoided(SaleId),
    /// A photo refused on the way in (too large, not a picture, ...), or
    /// its file could not be written.
    #[error(transparent)]
    Photo(#[from] PhotoError),
    /// The order, as this device sees it, does not allow the action.
    #[error(transparent)]
    OrderTransition(#[from] TransitionRefused),
    #[error(
        "only {available} {unit} of this listing are available, so an order of {requested} {unit} \
         cannot be accepted; record the stock that came in first, or allow overselling"
    )]
    OrderOversell {
        available: String,
        requested: String,
        unit: Unit,
    },
    #[error(
        "only {available} {unit} of this listing are in stock, so {requested} {unit} cannot be sold; \
         record the stock that came in first, or allow overselling"
    )]
    Oversell {
        available: String,
        requested: String,
        unit: Unit,
    },
    #[error("{} is not a Highland database; it was left untouched", path.display())]
    NotHighland { path: PathBuf },
    #[error("{} is damaged ({detail}); it was left untouched, restore it from a backup", path.display())]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{} was written by a newer Highland (schema {found}, this one knows up to {supported}); \
         it was left untouched, update Highland to open it",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("upgrading the database to schema {version} failed: {error}")]
    Migration {
        version: u32,
        error: rusqlite::Error,
    },
    #[error("{0}")]
    Unsupported(String),
    /// The device's storage is full (SQLite's `SQLITE_FULL`): the write was
    /// rolled back whole, so nothing of it was recorded, and the store is
    /// intact; freeing space is all it takes to go on.
    #[error(
        "the device's storage is full, so nothing was recorded; free some space (old photos, \
         for example) and try again"
    )]
    StorageFull,
    // Not a `#[source]`: rusqlite's message already repeats its cause, and
    // printing the chain would say "database is locked" three times.
    #[error("the database failed: {0}")]
    Sqlite(rusqlite::Error),
    #[error("a stored record could not be read: {0}")]
    BadRecord(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) {
            return StoreError::StorageFull;
        }
        StoreError::Sqlite(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// The device ran out of space: SQLite's "database or disk is full", or
    /// the file system's.
    pub fn is_storage_full(&self) -> bool {
        match self {
            StoreError::StorageFull => true,
            StoreError::Sqlite(e) | StoreError::Migration { error: e, .. } => {
                e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
            }
            StoreError::Io(e) => e.kind() == std::io::ErrorKind::StorageFull,
            StoreError::Photo(e) => e.is_storage_full(),
            _ => false,
        }
    }

    /// A stable name for the kind of error, for front ends that translate.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Invalid(e) => e.code(),
            StoreError::UnknownListing(_) => "unknown_listing",
            StoreError::UnknownLot(_) => "unknown_lot",
            StoreError::UnknownOrder(_) => "unknown_order",
            StoreError::UnknownPhoto(_) => "unknown_photo",
            StoreError::UnknownRound(_) => "unknown_round",
            StoreError::NotOnRound(_) => "not_on_round",
            StoreError::RoundClosed(_) => "round_closed",
            StoreError::UnknownSale(_) => "unknown_sale",
            StoreError::ReceiptNotVoidable(_) => "receipt_not_voidable",
            StoreError::SaleAlreadyVoided(_) => "sale_already_voided",
            StoreError::Photo(e) => e.code(),
            StoreError::OrderTransition(_) => "order_transition_refused",
            StoreError::OrderOversell { .. } => "oversell",
            StoreError::Oversell { .. } => "oversell",
            StoreError::NotHighland { .. } => "not_highland",
            StoreError::Corrupt { .. } => "corrupt",
            StoreError::TooNew { .. } => "too_new",
            StoreError::Migration { .. } => "migration",
            StoreError::Unsupported(_) => "unsupported",
            StoreError::StorageFull => "storage_full",
            StoreError::Sqlite(_) => "database",
            StoreError::BadRecord(_) => "bad_record",
            StoreError::Io(_) => "io",
        }
    }
}
