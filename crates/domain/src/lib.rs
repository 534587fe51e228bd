//! Highland's domain: the values a seller works with and the rules they obey.
//!
//! Everything here is pure: no I/O, no clock reads, no randomness that a caller
//! cannot supply. The device (highland-engine) and the hub build on these types,
//! and the only things they exchange over the network are the [`operation`]
//! and [`wire`] types defined here.
//!
//! Values are parsed, not validated: a [`Money`], [`Quantity`] or [`Title`] that
//! exists is valid, because its only constructors check it.

pub mod category;
pub mod certificate;
pub mod code;
pub mod error;
pub mod gtin;
pub mod hlc;
pub mod hub_url;
pub mod ids;
pub mod listing;
pub mod lot;
pub mod merge;
pub mod money;
pub mod operation;
pub mod order;
pub mod photo;
pub mod quantity;
pub mod release;
pub mod round;
pub mod sale;
pub mod text;
pub mod trace;
pub mod trace_event;
pub mod weight;
pub mod wire;
pub mod workshop;

pub use category::Category;
pub use certificate::{Certificate, CommitmentBasis};
pub use code::CheckedCode;
pub use error::DomainError;
pub use gtin::Gtin;
pub use hlc::{Hlc, HybridClock};
pub use ids::{
    AdjustmentId, CertificateId, DeviceId, ListingId, LotId, OperationId, OrderId, PhotoId,
    RoundId, SaleId, StopId, TraceEventId, new_uuid,
};
pub use listing::{FieldChanges, Listing, ListingField, ListingStatus};
pub use lot::{Altitude, Lot};
pub use merge::Version;
pub use money::{Money, Price};
pub use operation::{EntityKind, Operation, Payload};
pub use order::{Actor, Order, OrderAction, OrderState};
pub use photo::{Location, MediaType, Photo, PhotoRef, PhotoSubject, Sha256};
pub use quantity::{BaseUnit, Quantity, QuantityDelta, Unit};
pub use release::{AppVersion, Platform};
pub use round::{Load, Round, RoundAnswer, RoundCost, RoundState, RoundStop, Stop, Stops};
pub use sale::{AdjustmentKind, PaymentMethod, Sale, StockAdjustment};
pub use text::{Description, Reason, ShortText, Title};
pub use trace::TraceCode;
pub use trace_event::{
    Inputs, InspectionResult, LotInput, ProductLot, TraceEvent, TraceStep, TraceStepKind,
};
pub use weight::Weight;
pub use workshop::SimulatedNetwork;
