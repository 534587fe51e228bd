//! The sync protocol's messages, shared by the device's client and the hub.
//! docs/sync-protocol.md describes the exchange; these types are its contract.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::{AppVersion, CheckedCode, DeviceId, Hlc, Operation, OperationId, Payload};

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// The oldest protocol version a hub of this build still serves: the one
/// before its own, so a tablet that missed a season's update still syncs.
/// A hub refuses requests outside `OLDEST_SERVED_PROTOCOL..=PROTOCOL_VERSION`
/// with the error code `unsupported_protocol`.
pub const OLDEST_SERVED_PROTOCOL: u32 = if PROTOCOL_VERSION > 1 {
    PROTOCOL_VERSION - 1
} else {
    PROTOCOL_VERSION
};

/// `POST /v1/enroll`: a one-time code exchanged for a device token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub protocol: u32,
    pub code: CheckedCode,
    pub device_id: DeviceId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub protocol: u32,
    /// The bearer token for every later request; the hub keeps only its hash.
    pub device_token: String,
    pub seller_id: String,
    pub seller_name: String,
    pub village: String,
}

/// `POST /v1/sync`: what the device has not had acknowledged, and where its
/// reading of the hub's log stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRequest {
    pub protocol: u32,
    pub device_id: DeviceId,
    /// The hub log position up to which this device has committed what it pulled.
    pub cursor: u64,
    /// Oldest first, each as its author wrote it: this device's own, or
    /// given back to a hub that lost them (its seller's other devices', and
    /// the hub's own under its seal). Re-sending an operation the hub
    /// already has is harmless.
    pub operations: Vec<LoggedOperation>,
    /// How large a page of pulled operations the device wants, in bytes of
    /// uncompressed JSON; the hub clamps it to its own limits.
    pub max_pull_bytes: u32,
    /// The last entry of the hub's log this device pulled, so the hub can say
    /// whether its log still holds it there (a database copied back by hand
    /// keeps its incarnation; this is how it is caught). Absent before the
    /// device pulled anything, and from older devices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_pulled: Option<LogMark>,
    /// Pull this device's own operations too: it lost some of them (its file
    /// was put back from an old copy) and takes them back from the hub.
    #[serde(default, skip_serializing_if = "is_false")]
    pub own_too: bool,
    /// The kind of device this is (`linux-x86_64`, `android-aarch64`), so
    /// the hub can say whether it carries a newer release for it. Absent
    /// from older devices; a hub that does not know the value ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Which of `operations` are this device's own that a hub acknowledged
    /// before it went back in time, sent again: other replicas may hold
    /// them already, so the hub keeps their timestamps, as it keeps those of
    /// operations given back. Absent when there are none, and from older
    /// devices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resent: Vec<OperationId>,
    /// The incarnation of the hub that answered this device's last sync
    /// ([`HubHistory::incarnation`]). A hub put back from a backup tells by
    /// it how much of what the device saw its own log still holds: nothing,
    /// if the device saw an incarnation this database never had. Absent
    /// before the first sync, and from older devices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incarnation: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// An operation a device pulled, and a position of the hub's log at or
/// after the one it was pulled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogMark {
    pub seq: u64,
    pub op_id: OperationId,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub protocol: u32,
    /// One per pushed operation, in the same order.
    pub acks: Vec<Ack>,
    /// Operations from the hub's log after the request's cursor that this
    /// device may see, in log order, each exactly as the log holds it (which
    /// may be a kind or carry fields this build does not know).
    pub operations: Vec<LoggedOperation>,
    /// Where the device's cursor moves once it has committed `operations`.
    pub cursor: u64,
    /// More operations wait after `cursor`: sync again.
    pub more: bool,
    /// The hub's clock, so a device whose clock is far off can tell.
    pub hub_time_ms: u64,
    /// The hub's build (`highland-hub --version`): an operation it deferred
    /// is sent again once another build answers. Absent from older hubs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hub_version: Option<String>,
    /// Which run of the hub answered, and how far its log reaches. Absent
    /// from hubs older than it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HubHistory>,
    /// The newest release of the app the hub carries for the asking
    /// device's platform, whatever version the device runs: the device
    /// compares. Absent when the hub carries none, and from older hubs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest_release: Option<ReleaseNotice>,
}

/// A release of the app that a hub carries (docs/releases.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseNotice {
    pub version: AppVersion,
    /// The release file's size in bytes, so the app can say how long the
    /// download takes and whether it fits.
    pub size: u64,
}

/// `GET /v1/releases/{platform}/{current_version}`: the newest release for
/// a platform, in the shape Tauri's updater reads from a dynamic update
/// server, plus what a resumable download needs (`size`, `sha256`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseManifest {
    pub version: AppVersion,
    /// What changed, as the operator wrote it.
    #[serde(default)]
    pub notes: String,
    /// When the release was added to the hub (RFC 3339).
    pub pub_date: String,
    /// Where the file is, on this hub.
    pub url: String,
    /// The minisign signature of the file, base64 (the content of the
    /// `.sig` file `tauri signer sign` writes).
    pub signature: String,
    pub size: u64,
    pub sha256: crate::Sha256,
}

impl SyncResponse {
    /// The pulled operations, read; an error for the first this build cannot read.
    pub fn read_operations(&self) -> Result<Vec<Operation>, serde_json::Error> {
        self.operations.iter().map(LoggedOperation::read).collect()
    }
}

/// What a device needs to notice that the hub went back in time: restored
/// from a backup, moved, or started on a fresh database (a new
/// incarnation), or a log that ends before the device's cursor
/// (docs/sync-protocol.md, "When the hub goes back in time").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubHistory {
    /// The incarnation that answered: new after every restore or move.
    pub incarnation: String,
    /// The last position of the hub's whole log when it answered.
    pub log_end: u64,
    /// The log's last position when this incarnation began: after a restore,
    /// what lies beyond it in an earlier incarnation may be lost.
    #[serde(default)]
    pub log_start: u64,
    /// How many of the asking device's operations the log holds, so a
    /// device sends again only what the hub lacks, and notices when the hub
    /// holds more of its own than it does (its own file went back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_device: Option<u64>,
    /// The newest timestamp the log holds from the asking device: a device
    /// whose file went back moves its clock past it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_hlc: Option<Hlc>,
    /// Whether the log still holds the request's `last_pulled` where the
    /// device saw it; absent when the request named none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark_held: Option<bool>,
}

/// One operation as the hub's log holds it and a device receives it: its
/// JSON text, kept exactly. Reading it is a separate step, so an operation
/// this build cannot read (a newer kind, or fields it does not know) still
/// travels, is kept, and goes on unchanged.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LoggedOperation(Box<RawValue>);

impl PartialEq for LoggedOperation {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

impl Eq for LoggedOperation {}

/// The parts of an operation that every version can read.
#[derive(Deserialize)]
struct Envelope {
    id: OperationId,
    device_id: DeviceId,
    hlc: Hlc,
    payload: KindOnly,
}

#[derive(Deserialize)]
struct KindOnly {
    kind: String,
}

/// What [`LoggedOperation::envelope`] reads of any operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationEnvelope {
    pub id: OperationId,
    pub device_id: DeviceId,
    pub hlc: Hlc,
    pub kind: String,
}

impl OperationEnvelope {
    /// Whether this build reads operations of its kind.
    pub fn known_kind(&self) -> bool {
        Payload::KINDS.contains(&self.kind.as_str())
    }
}

impl LoggedOperation {
    /// Takes `text` as it is, if it is JSON.
    pub fn from_text(text: String) -> Result<Self, serde_json::Error> {
        RawValue::from_string(text).map(LoggedOperation)
    }

    /// The text of an operation this build made.
    pub fn of(op: &Operation) -> Result<Self, serde_json::Error> {
        serde_json::value::to_raw_value(op).map(LoggedOperation)
    }

    /// [`LoggedOperation::of`] each.
    pub fn all(ops: &[Operation]) -> Result<Vec<Self>, serde_json::Error> {
        ops.iter().map(LoggedOperation::of).collect()
    }

    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// The same operation at another timestamp (the hub re-stamped it),
    /// every other field kept as it was, known to this build or not.
    pub fn with_hlc(&self, hlc: Hlc) -> Result<Self, serde_json::Error> {
        let mut value: serde_json::Value = serde_json::from_str(self.text())?;
        if let Some(map) = value.as_object_mut() {
            map.insert("hlc".to_owned(), serde_json::to_value(hlc)?);
        }
        serde_json::value::to_raw_value(&value).map(LoggedOperation)
    }

    /// The operation, if this build reads its kind and every value in it.
    pub fn read(&self) -> Result<Operation, serde_json::Error> {
        serde_json::from_str(self.text())
    }

    /// Its id, author, timestamp and kind, which every version reads.
    pub fn envelope(&self) -> Result<OperationEnvelope, serde_json::Error> {
        let e: Envelope = serde_json::from_str(self.text())?;
        Ok(OperationEnvelope {
            id: e.id,
            device_id: e.device_id,
            hlc: e.hlc,
            kind: e.payload.kind,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub op_id: OperationId,
    #[serde(flatten)]
    pub outcome: AckOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AckOutcome {
    /// Applied now, or before (a duplicate): either way the hub has it.
    /// `hlc` is set when the hub re-stamped an operation whose timestamp was
    /// too far ahead of the hub's clock; the device must merge it at that time.
    Applied {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hlc: Option<Hlc>,
    },
    /// Refused for good; the device keeps it visible and stops sending it.
    Refused { reason: Refusal },
}

/// Why the hub refused one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub code: RefusalCode,
    pub message: String,
}

/// Declares a closed code enum and its wire names in one list, so the two
/// cannot drift apart. The `Other` case keeps a code from a newer version
/// as it came, so an older part still shows the error with its message.
macro_rules! wire_codes {
    (
        $(#[$enum_doc:meta])*
        pub enum $name:ident {
            $($(#[$doc:meta])* $variant:ident = $wire:literal,)+
        }
    ) => {
        $(#[$enum_doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($(#[$doc])* $variant,)+
            /// A code this build does not know.
            Other(String),
        }

        impl $name {
            /// Every code this build knows.
            pub const KNOWN: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(code) => code,
                }
            }
        }

        impl From<String> for $name {
            fn from(code: String) -> $name {
                match code.as_str() {
                    $($wire => $name::$variant,)+
                    _ => $name::Other(code),
                }
            }
        }

        impl From<&str> for $name {
            fn from(code: &str) -> $name {
                $name::from(code.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(code: $name) -> String {
                code.as_str().to_owned()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

wire_codes! {
    /// The stable reason code of a refusal: what a device branches on.
    pub enum RefusalCode {
        /// The operation was made on another device.
        WrongDevice = "wrong_device",
        /// Another device already sent an operation with this id.
        DuplicateId = "duplicate_id",
        /// Another seller's record already has this id.
        IdTaken = "id_taken",
        NotYourListing = "not_your_listing",
        NotYourLot = "not_your_lot",
        NotYourOrder = "not_your_order",
        NotYourPhoto = "not_your_photo",
        UnknownListing = "unknown_listing",
        UnknownLot = "unknown_lot",
        UnknownOrder = "unknown_order",
        UnknownPhoto = "unknown_photo",
        /// A void of a sale the hub does not hold.
        UnknownSale = "unknown_sale",
        /// A void of another seller's sale.
        NotYourSale = "not_your_sale",
        /// A void of an order's receipt, which only the buyer's staff correct.
        ReceiptNotVoidable = "receipt_not_voidable",
        /// Another lot already has this lot's trace code.
        TraceCodeTaken = "trace_code_taken",
        /// Only the buyer's staff may do this (place an order, record a receipt).
        StaffOnly = "staff_only",
        /// The order has moved on; the proposed action no longer applies.
        OrderTransitionRefused = "order_transition_refused",
        /// An amount in another measure than the listing's.
        UnitMismatch = "unit_mismatch",
        PhotoTooLarge = "photo_too_large",
        /// A kind the hub reads, with values it cannot.
        MalformedOperation = "malformed_operation",
        /// A kind the hub does not read (from a newer app): not yet, rather
        /// than never; the device sends it again to another version of the hub.
        UnsupportedOperation = "unsupported_operation",
        /// An answer to a collection round the hub does not have.
        UnknownRound = "unknown_round",
        /// An answer to a round the seller has no order on.
        NotOnRound = "not_on_round",
        /// An answer to a round that is on the road, done or cancelled.
        RoundClosed = "round_closed",
        /// A weight per unit for a listing sold by weight, which needs none.
        WeightNotNeeded = "weight_not_needed",
        /// The hub went back in time since the device last synced (another
        /// incarnation answers): nothing is taken until the device has sent
        /// again what the hub lost, so its new writes come after its old ones.
        HubWentBack = "hub_went_back",
    }
}

/// The body of every error response: a stable code to branch on and a
/// sentence to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: HubErrorCode,
    pub message: String,
}

wire_codes! {
    /// The stable code of an error response from the hub: what a device,
    /// the console's scripts and the API's clients branch on. A hub may add
    /// codes within a protocol version; an older part reads them as
    /// [`HubErrorCode::Other`] and shows the message.
    pub enum HubErrorCode {
        // The request itself.
        BadRequest = "bad_request",
        /// The request's protocol version is one this hub does not serve:
        /// the app or the hub needs an update (the message says which).
        UnsupportedProtocol = "unsupported_protocol",
        NotFound = "not_found",
        MethodNotAllowed = "method_not_allowed",
        TooLarge = "too_large",
        TooManyOperations = "too_many_operations",
        UnsupportedEncoding = "unsupported_encoding",
        UnsupportedMediaType = "unsupported_media_type",
        RangeNotSatisfiable = "range_not_satisfiable",
        /// Plain HTTP to a hub that takes only HTTPS.
        HttpsRequired = "https_required",
        InvalidLimit = "invalid_limit",
        InvalidCursor = "invalid_cursor",
        /// A refusal without a more precise code.
        Error = "error",
        /// The hub failed; worth trying again later.
        Internal = "internal",

        // Who is asking.
        Unauthorized = "unauthorized",
        WrongDevice = "wrong_device",
        DeviceRevoked = "device_revoked",
        NotStaff = "not_staff",
        CrossSite = "cross_site",
        LoginRefused = "login_refused",
        TooManyAttempts = "too_many_attempts",
        RateLimited = "rate_limited",

        // Enrollment and the hub's records.
        CodeUnknown = "code_unknown",
        CodeUsed = "code_used",
        CodeExpired = "code_expired",
        DeviceEnrolledElsewhere = "device_enrolled_elsewhere",
        UnknownSeller = "unknown_seller",
        UnknownDevice = "unknown_device",
        StaffNameTaken = "staff_name_taken",
        UnknownStaff = "unknown_staff",
        UnknownListing = "unknown_listing",
        UnknownLot = "unknown_lot",
        LotExists = "lot_exists",

        // Orders.
        UnknownOrder = "unknown_order",
        ListingNotOpen = "listing_not_open",
        OrderExists = "order_exists",
        SellerOnly = "seller_only",
        OrderTransitionRefused = "order_transition_refused",

        // Photos.
        UnknownPhoto = "unknown_photo",
        OffsetMismatch = "offset_mismatch",
        TooManyUploads = "too_many_uploads",
        UploadElsewhere = "upload_elsewhere",
        ChunkCorrupted = "chunk_corrupted",
        PhotoCorrupted = "photo_corrupted",

        // A value that broke a domain rule ([`crate::DomainError::code`]).
        InvalidMoney = "invalid_money",
        NotPositive = "not_positive",
        InvalidQuantity = "invalid_quantity",
        NotWhole = "not_whole",
        TooPrecise = "too_precise",
        UnknownUnit = "unknown_unit",
        UnknownCategory = "unknown_category",
        UnknownChoice = "unknown_choice",
        Empty = "empty",
        TooLong = "too_long",
        ControlCharacter = "control_character",
        InvalidAltitude = "invalid_altitude",
        OutOfRange = "out_of_range",
        InvalidId = "invalid_id",
        UnitMismatch = "unit_mismatch",
        InvalidCode = "invalid_code",
        CodeMistyped = "code_mistyped",
        InvalidGtin = "invalid_gtin",
        GtinMistyped = "gtin_mistyped",
        InputsRepeat = "inputs_repeat",
        NoInputs = "no_inputs",
        FieldRepeated = "field_repeated",
        InvalidTime = "invalid_time",
        NoStops = "no_stops",
        TooManyStops = "too_many_stops",
        StopRepeated = "stop_repeated",
        StopsOutOfOrder = "stops_out_of_order",
        WeightNeeded = "weight_needed",
        WeightNotNeeded = "weight_not_needed",
        NotEditable = "not_editable",

        // Collection rounds (the hub's `RoundError`).
        UnknownRound = "unknown_round",
        RoundExists = "round_exists",
        UnknownStop = "unknown_stop",
        NoStopForVillage = "no_stop_for_village",
        RoundClosed = "round_closed",
        RoundMoveRefused = "round_move_refused",
        RoundNotLoading = "round_not_loading",
        RoundNotDone = "round_not_done",
        OrderNotRoutable = "order_not_routable",
        OrderNotLoadable = "order_not_loadable",
        OrderNotAtStop = "order_not_at_stop",
        StopHasOrders = "stop_has_orders",
        InvalidDate = "invalid_date",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_refusal_code_reads_back_as_itself() {
        for code in RefusalCode::KNOWN {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(&serde_json::from_str::<RefusalCode>(&json).unwrap(), code);
            assert!(!matches!(
                RefusalCode::from(code.to_string()),
                RefusalCode::Other(_)
            ));
        }
    }

    #[test]
    fn every_known_error_code_reads_back_as_itself_and_each_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for code in HubErrorCode::KNOWN {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(&serde_json::from_str::<HubErrorCode>(&json).unwrap(), code);
            assert!(seen.insert(code.as_str()), "{code} is listed twice");
        }
    }

    #[test]
    fn an_error_code_from_a_newer_hub_is_kept_as_it_came() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"code":"round_cancelled","message":"No truck."}"#).unwrap();
        assert_eq!(body.code, HubErrorCode::Other("round_cancelled".into()));
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"code":"round_cancelled","message":"No truck."}"#
        );
    }

    #[test]
    fn a_refusal_code_from_a_newer_hub_is_kept_as_it_came() {
        let refusal: Refusal =
            serde_json::from_str(r#"{"code":"round_full","message":"The truck is full."}"#)
                .unwrap();
        assert_eq!(refusal.code, RefusalCode::Other("round_full".into()));
        assert_eq!(
            serde_json::to_string(&refusal).unwrap(),
            r#"{"code":"round_full","message":"The truck is full."}"#
        );
    }
}
