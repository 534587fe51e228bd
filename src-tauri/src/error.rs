//! The one error every command returns: a stable [`ErrorCode`] the UI
//! translates into the seller's language, the form field it belongs to, and
//! the values to put in the sentence. `message` is English for logs and
//! developers; the UI never has to show it.

use std::collections::BTreeMap;

use highland_domain::DomainError;
use highland_domain::wire::HubErrorCode;
use highland_engine::sync::{HubError, SyncError};
use highland_engine::{PhotoError, StoreError};
use highland_print::PrintError;
use serde::{Deserialize, Serialize};

/// What went wrong, as the UI branches on it. Never rename a variant: the
/// UI's translation files are keyed by these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // The seller typed something that is not a valid value.
    InvalidPrice,
    InvalidQuantity,
    NotPositive,
    TooLarge,
    NotWhole,
    TooPrecise,
    UnitMismatch,
    UnknownUnit,
    UnknownCategory,
    UnknownChoice,
    Empty,
    TooLong,
    ControlCharacter,
    InvalidAltitude,
    InvalidDate,
    InvalidId,
    InvalidCode,
    CodeMistyped,
    // The records do not allow it.
    UnknownListing,
    UnknownLot,
    UnknownOrder,
    UnknownPhoto,
    UnknownSale,
    /// An order's receipt: the buyer's staff recorded it, so only they
    /// correct it.
    ReceiptNotVoidable,
    SaleAlreadyVoided,
    OrderTransitionRefused,
    Oversold,
    /// A collection round this tablet does not know (yet).
    UnknownRound,
    /// None of the seller's orders rides the round any more.
    NotOnRound,
    /// The truck has left the last stop, or the round was cancelled: an
    /// answer comes too late.
    RoundClosed,
    /// A weight per unit for a listing sold by weight.
    WeightNotNeeded,
    // A certificate of compliance: what the records could not fill in.
    NeedsProduct,
    NeedsQuantity,
    NeedsIssuer,
    // A photo the seller chose.
    PhotoTooLarge,
    NotAnImage,
    UnsupportedImageFormat,
    ImageTooManyPixels,
    ImageDamaged,
    /// A photo taken to scan a code, with no QR code that could be read.
    NoQrCode,
    // The hub.
    NotEnrolled,
    DemoProfile,
    HubUnreachable,
    BadHubUrl,
    UntrustedCertificate,
    Unauthorized,
    /// The hub's staff removed this device (lost or stolen); everything
    /// recorded stays on it until a trainer enrolls it again.
    DeviceRevoked,
    CodeUnknown,
    CodeUsed,
    CodeExpired,
    DeviceEnrolledElsewhere,
    /// The hub and this app speak different versions of the sync protocol
    /// (`unsupported_protocol`): one of them needs an update.
    UpdateNeeded,
    /// The hub carries no newer Highland for this device.
    NoUpdate,
    /// The new Highland on the hub is not signed by its publisher (or was
    /// damaged on the way): not installed, not kept.
    UpdateRejected,
    /// This app cannot install updates itself (a build without the
    /// publisher's key, or a kind of device with no releases).
    UpdateNotInstallable,
    HubRefused,
    // The device.
    StorageFull,
    DataDamaged,
    TooNew,
    Busy,
    /// The fonts a printout needs are not on this device.
    FontMissing,
    /// A text does not fit on the printout even at its smallest size.
    DoesNotFit,
    /// A file (such as a certificate's slip) could not be written.
    FileNotSaved,
    Internal,
}

/// An error the UI can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    /// The input it is about ("price", "quantity", "code", ...), for forms.
    pub field: Option<String>,
    /// Values for the translated sentence, such as `available` and `unit`.
    pub params: BTreeMap<String, String>,
    /// English, for logs; not meant for the seller.
    pub message: String,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError {
            code,
            field: None,
            params: BTreeMap::new(),
            message: message.into(),
        }
    }

    pub fn with_field(mut self, field: &str) -> AppError {
        self.field = Some(field.to_owned());
        self
    }

    pub fn with_param(mut self, key: &str, value: impl ToString) -> AppError {
        self.params.insert(key.to_owned(), value.to_string());
        self
    }
}

/// Names the input a parse was for: `Price::parse_yuan(p).field("price")?`.
pub trait FieldExt<T> {
    fn field(self, field: &str) -> AppResult<T>;
}

impl<T, E: Into<AppError>> FieldExt<T> for Result<T, E> {
    fn field(self, field: &str) -> AppResult<T> {
        self.map_err(|e| e.into().with_field(field))
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> AppError {
        use DomainError as D;
        use ErrorCode as C;
        let message = e.to_string();
        let error = |code| AppError::new(code, message.clone());
        match e {
            D::InvalidMoney { field, input } => error(C::InvalidPrice)
                .with_field(field)
                .with_param("input", input),
            D::NotPositive { field } => error(C::NotPositive).with_field(field),
            D::TooLarge { field } => error(C::TooLarge).with_field(field),
            D::InvalidQuantity { input } => error(C::InvalidQuantity).with_param("input", input),
            D::NotWhole { unit, input } => error(C::NotWhole)
                .with_param("unit", unit)
                .with_param("input", input),
            D::TooPrecise { input, base } => error(C::TooPrecise)
                .with_param("input", input)
                .with_param("base", base),
            D::UnknownUnit { input, known } => error(C::UnknownUnit)
                .with_param("input", input)
                .with_param("known", known),
            D::UnknownCategory { input, known } => error(C::UnknownCategory)
                .with_param("input", input)
                .with_param("known", known),
            D::UnknownChoice { what, input, known } => error(C::UnknownChoice)
                .with_field(what)
                .with_param("input", input)
                .with_param("known", known),
            D::Empty { field } => error(C::Empty).with_field(field),
            D::TooLong { field, len, max } => error(C::TooLong)
                .with_field(field)
                .with_param("len", len)
                .with_param("max", max),
            D::ControlCharacter { field } => error(C::ControlCharacter).with_field(field),
            D::InvalidAltitude { input, min, max } => error(C::InvalidAltitude)
                .with_param("input", input)
                .with_param("min", min)
                .with_param("max", max),
            D::InvalidId { input } => error(C::InvalidId).with_param("input", input),
            D::InvalidCode { input } => error(C::InvalidCode).with_param("input", input),
            D::CodeMistyped { input } => error(C::CodeMistyped).with_param("input", input),
            // The app takes no GTINs, records no processing, takes
            // locations only from a photo's own GPS and edits each field
            // once: these reach it only through a bug, so they are logged,
            // not explained.
            D::InvalidGtin { .. }
            | D::GtinMistyped { .. }
            | D::FieldRepeated { .. }
            | D::InputsRepeat
            | D::NoInputs
            | D::OutOfRange { .. } => logged(error(C::Internal)),
            D::UnitMismatch { expected, got } => error(C::UnitMismatch)
                .with_param("expected", expected)
                .with_param("got", got),
            D::WeightNotNeeded { unit } => error(C::WeightNotNeeded)
                .with_field("weight_per_unit")
                .with_param("unit", unit),
            // Staff plan rounds and record loads on the hub; the app never
            // does, so these too reach it only through a bug.
            D::InvalidTime { .. }
            | D::NoStops
            | D::TooManyStops { .. }
            | D::StopRepeated { .. }
            | D::StopsOutOfOrder { .. }
            | D::WeightNeeded { .. }
            | D::NotEditable { .. } => logged(error(C::Internal)),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        use ErrorCode as C;
        let message = e.to_string();
        match e {
            StoreError::Invalid(d) => d.into(),
            StoreError::UnknownListing(id) => {
                AppError::new(C::UnknownListing, message).with_param("id", id)
            }
            StoreError::UnknownLot(id) => {
                AppError::new(C::UnknownLot, message).with_param("id", id)
            }
            StoreError::UnknownOrder(id) => {
                AppError::new(C::UnknownOrder, message).with_param("id", id)
            }
            StoreError::UnknownPhoto(id) => {
                AppError::new(C::UnknownPhoto, message).with_param("id", id)
            }
            StoreError::UnknownSale(id) => {
                AppError::new(C::UnknownSale, message).with_param("id", id)
            }
            StoreError::UnknownRound(id) => {
                AppError::new(C::UnknownRound, message).with_param("id", id)
            }
            StoreError::NotOnRound(id) => {
                AppError::new(C::NotOnRound, message).with_param("id", id)
            }
            StoreError::RoundClosed(late) => {
                AppError::new(C::RoundClosed, message).with_param("state", late.state.slug())
            }
            StoreError::ReceiptNotVoidable(id) => {
                AppError::new(C::ReceiptNotVoidable, message).with_param("id", id)
            }
            StoreError::SaleAlreadyVoided(id) => {
                AppError::new(C::SaleAlreadyVoided, message).with_param("id", id)
            }
            StoreError::Photo(PhotoError::TooLarge { bytes }) => {
                AppError::new(C::PhotoTooLarge, message)
                    .with_field("photo")
                    .with_param("bytes", bytes)
                    .with_param("max", highland_engine::photos::MAX_INPUT_BYTES)
            }
            StoreError::Photo(PhotoError::NotAnImage) => {
                AppError::new(C::NotAnImage, message).with_field("photo")
            }
            StoreError::Photo(PhotoError::Unsupported { format }) => {
                AppError::new(C::UnsupportedImageFormat, message)
                    .with_field("photo")
                    .with_param("format", format)
            }
            StoreError::Photo(PhotoError::TooManyPixels) => {
                AppError::new(C::ImageTooManyPixels, message).with_field("photo")
            }
            StoreError::Photo(PhotoError::Damaged { .. }) => {
                AppError::new(C::ImageDamaged, message).with_field("photo")
            }
            StoreError::OrderTransition(t) => AppError::new(C::OrderTransitionRefused, message)
                .with_param("state", t.from.slug())
                .with_param("action", t.action),
            StoreError::Oversell {
                available,
                requested,
                unit,
            }
            | StoreError::OrderOversell {
                available,
                requested,
                unit,
            } => AppError::new(C::Oversold, message)
                .with_field("quantity")
                .with_param("available", available)
                .with_param("requested", requested)
                .with_param("unit", unit),
            StoreError::NotHighland { .. }
            | StoreError::Corrupt { .. }
            | StoreError::BadRecord(_) => logged(AppError::new(C::DataDamaged, message)),
            StoreError::TooNew { .. } => logged(AppError::new(C::TooNew, message)),
            StoreError::StorageFull => logged(AppError::new(C::StorageFull, message)),
            ref full if full.is_storage_full() => logged(AppError::new(C::StorageFull, message)),
            StoreError::Sqlite(_)
            | StoreError::Io(_)
            | StoreError::Photo(PhotoError::Io(_) | PhotoError::Encode(_))
            | StoreError::Migration { .. }
            | StoreError::Unsupported(_) => logged(AppError::new(C::Internal, message)),
        }
    }
}

impl From<highland_label::scan::ScanError> for AppError {
    fn from(e: highland_label::scan::ScanError) -> AppError {
        use highland_label::scan::ScanError;
        let message = e.to_string();
        match e {
            ScanError::NotAPicture(_) => AppError::new(ErrorCode::NotAnImage, message),
            ScanError::NoCode => AppError::new(ErrorCode::NoQrCode, message),
        }
    }
}

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> AppError {
        use ErrorCode as C;
        let message = e.to_string();
        match e {
            SyncError::NotEnrolled => AppError::new(C::NotEnrolled, message),
            SyncError::Unauthorized => AppError::new(C::Unauthorized, message),
            SyncError::DeviceRevoked => AppError::new(C::DeviceRevoked, message),
            SyncError::Refused { code, .. } => hub_refusal(&code, message),
            SyncError::HubUnsettled => AppError::new(C::HubRefused, message)
                .with_param("hub_code", highland_engine::sync::HUB_UNSETTLED),
            SyncError::TimedOut { .. } => AppError::new(C::HubUnreachable, message),
            SyncError::Hub(h) => h.into(),
            SyncError::Store(s) => s.into(),
        }
    }
}

impl From<HubError> for AppError {
    fn from(e: HubError) -> AppError {
        use ErrorCode as C;
        let message = e.to_string();
        match e {
            HubError::Unreachable(_) => AppError::new(C::HubUnreachable, message),
            HubError::Refused { code, .. } => hub_refusal(&code, message),
            HubError::BadResponse(_) => logged(AppError::new(C::HubRefused, message)),
            HubError::BadUrl(_) | HubError::NotTls(_) | HubError::CaWithoutTls(_) => {
                AppError::new(C::BadHubUrl, message).with_field("hub_url")
            }
            HubError::UntrustedCertificate(_) => AppError::new(C::UntrustedCertificate, message),
        }
    }
}

impl From<PrintError> for AppError {
    fn from(e: PrintError) -> AppError {
        use ErrorCode as C;
        let message = e.to_string();
        match e {
            PrintError::FontMissing { script, .. } => {
                logged(AppError::new(C::FontMissing, message).with_param("script", script))
            }
            PrintError::Font { .. } => logged(AppError::new(C::FontMissing, message)),
            PrintError::DoesNotFit { what, .. } => {
                AppError::new(C::DoesNotFit, message).with_param("what", what)
            }
            PrintError::Pdf(_)
            | PrintError::Qr(_)
            | PrintError::EmptyUrl { .. }
            | PrintError::CertificateWithoutUrl
            | PrintError::TooManyLines { .. } => logged(AppError::new(C::Internal, message)),
        }
    }
}

/// A file the app could not write: a full disk is said as such.
pub fn file_not_saved(e: &std::io::Error, path: &std::path::Path) -> AppError {
    let message = format!("cannot write {}: {e}", path.display());
    let code = if e.kind() == std::io::ErrorKind::StorageFull {
        ErrorCode::StorageFull
    } else {
        ErrorCode::FileNotSaved
    };
    logged(AppError::new(code, message).with_param("path", path.display()))
}

/// The hub's own stable codes that a seller can do something about; any
/// other refusal keeps the hub's code in `params.hub_code`.
fn hub_refusal(code: &HubErrorCode, message: String) -> AppError {
    use ErrorCode as C;
    let known = match code {
        HubErrorCode::CodeUnknown => Some(C::CodeUnknown),
        HubErrorCode::CodeUsed => Some(C::CodeUsed),
        HubErrorCode::CodeExpired => Some(C::CodeExpired),
        HubErrorCode::DeviceEnrolledElsewhere => Some(C::DeviceEnrolledElsewhere),
        HubErrorCode::Unauthorized => Some(C::Unauthorized),
        HubErrorCode::DeviceRevoked => Some(C::DeviceRevoked),
        HubErrorCode::UnsupportedProtocol => Some(C::UpdateNeeded),
        _ => None,
    };
    match known {
        Some(c @ (C::CodeUnknown | C::CodeUsed | C::CodeExpired)) => {
            AppError::new(c, message).with_field("code")
        }
        Some(c) => AppError::new(c, message),
        None => AppError::new(C::HubRefused, message).with_param("hub_code", code),
    }
}

fn logged(e: AppError) -> AppError {
    tracing::error!(code = ?e.code, "{}", e.message);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_serializes_as_its_stable_snake_case_name() {
        let e = AppError::new(ErrorCode::InvalidPrice, "x").with_field("price");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "invalid_price");
        assert_eq!(json["field"], "price");
        assert_eq!(json["message"], "x");
    }

    #[test]
    fn a_seller_typo_in_a_price_names_the_field_and_keeps_the_input() {
        let e: AppError = highland_domain::Price::parse_yuan("68,5x")
            .field("price")
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidPrice);
        assert_eq!(e.field.as_deref(), Some("price"));
        assert_eq!(e.params["input"], "68,5x");
    }

    #[test]
    fn hub_codes_the_seller_can_act_on_are_their_own_codes() {
        let e: AppError = SyncError::Refused {
            code: "code_expired".into(),
            message: "expired".into(),
        }
        .into();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::CodeExpired, Some("code"))
        );
        let e: AppError = SyncError::Refused {
            code: "something_new".into(),
            message: "?".into(),
        }
        .into();
        assert_eq!(e.code, ErrorCode::HubRefused);
        assert_eq!(e.params["hub_code"], "something_new");
    }

    #[test]
    fn a_hub_of_another_protocol_asks_for_an_update() {
        let e: AppError = HubError::Refused {
            status: 400,
            code: "unsupported_protocol".into(),
            message: "this hub speaks version 1".into(),
        }
        .into();
        assert_eq!(e.code, ErrorCode::UpdateNeeded);
        assert_eq!(serde_json::to_value(e.code).unwrap(), "update_needed");
    }

    #[test]
    fn a_revoked_device_has_its_own_code_however_it_is_heard() {
        let e: AppError = SyncError::DeviceRevoked.into();
        assert_eq!(e.code, ErrorCode::DeviceRevoked);
        assert_eq!(serde_json::to_value(e.code).unwrap(), "device_revoked");
        let e: AppError = HubError::Refused {
            status: 403,
            code: "device_revoked".into(),
            message: "revoked".into(),
        }
        .into();
        assert_eq!(e.code, ErrorCode::DeviceRevoked);
    }
}
