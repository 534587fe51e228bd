//! The sync protocol's messages, shared by the device's client and the hub.
//! docs/sync-protocol.md describes the exchange; these types are its contract.

use serde::{Deserialize, Serialize};

use crate::{CheckedCode, DeviceId, Hlc, Operation, OperationId};

/// The protocol version this build speaks. A hub refuses requests that carry
/// another, with the error code `unsupported_protocol`.
pub const PROTOCOL_VERSION: u32 = 1;

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
    /// Oldest first. Re-sending an operation the hub already has is harmless.
    pub operations: Vec<Operation>,
    /// How large a page of pulled operations the device wants, in bytes of
    /// uncompressed JSON; the hub clamps it to its own limits.
    pub max_pull_bytes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub protocol: u32,
    /// One per pushed operation, in the same order.
    pub acks: Vec<Ack>,
    /// Operations from the hub's log after the request's cursor that this
    /// device may see, in log order.
    pub operations: Vec<Operation>,
    /// Where the device's cursor moves once it has committed `operations`.
    pub cursor: u64,
    /// More operations wait after `cursor`: sync again.
    pub more: bool,
    /// The hub's clock, so a device whose clock is far off can tell.
    pub hub_time_ms: u64,
    /// Which run of the hub answered, and how far its log reaches. Absent
    /// from hubs older than it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HubHistory>,
}

/// What a device needs to notice that the hub went back in time: restored
/// from a backup, moved, or started on a fresh database (a new
/// incarnation), or a log that ends before the device's cursor
/// (docs/sync-protocol.md, "When the hub goes back in time").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubHistory {
    /// The incarnation that answered: new after every restore or move.
    pub incarnation: String,
    /// The last position of the hub's whole log when it answered.
    pub log_end: u64,
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
    pub code: String,
    pub message: String,
}

/// The body of every error response: a stable code to branch on and a
/// sentence to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}
