use std::path::PathBuf;

use highland_domain::DomainError;
use thiserror::Error;

/// What can go wrong in the hub. The variants a person can cause say what to
/// do about it; the database's own errors are kept for the logs, never shown
/// to a device.
#[derive(Debug, Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error("this enrollment code was never issued by this hub; check it, or ask for a new one")]
    CodeUnknown,
    #[error("this enrollment code was already used by another device; ask for a new one")]
    CodeUsed,
    #[error("this enrollment code has expired; ask for a new one")]
    CodeExpired,
    #[error(
        "this device is already enrolled for another seller; a device works for one seller only"
    )]
    DeviceEnrolledElsewhere,
    #[error(
        "this device was revoked by the hub's staff; its records stay on it, and a new code \
         from the staff enrolls it again"
    )]
    DeviceRevoked,
    #[error("no device with id {0}")]
    UnknownDevice(String),
    #[error("no seller with id {0}")]
    UnknownSeller(String),
    #[error("a member of staff is already called {0:?}; choose another name")]
    StaffNameTaken(String),
    #[error("no member of staff is called {0:?}")]
    UnknownStaff(String),
    #[error("the hub has no lot {0}; check the code on its label")]
    UnknownLot(String),
    #[error("lot {0} already exists, so a processing step cannot make it again")]
    LotExists(String),
    /// `--database-url` names no database this build can open; the message
    /// says why.
    #[error("{0}")]
    DatabaseUrl(String),
    #[error("{} is not a Highland hub database; it was left untouched", path.display())]
    NotHubDatabase { path: PathBuf },
    #[error(
        "{} was written by a newer highland-hub (schema {found}; this one knows up to {supported}); \
         it was left untouched, upgrade highland-hub",
        path.display()
    )]
    DatabaseTooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("the hub database holds a record it cannot read: {0}")]
    BadRecord(String),
    /// The database failed. Kept as a boxed source so that the storage
    /// boundary does not leak one backend's error type.
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl Error {
    /// A database's own error, kept for the logs. The back ends live in
    /// highland-hub, which cannot give this type a `From` for their errors.
    pub fn database(e: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::Database(Box::new(e))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
