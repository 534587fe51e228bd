//! The rules of one sync, apart from any database: which pushed operations
//! are accepted, at what timestamp, how they change the merged state, and
//! which page of the log goes back to the device.
//!
//! One exchange, in one transaction:
//! 1. every pushed operation, in order, is authorized ([`authorize`]), looked
//!    up by id (a duplicate changes nothing and is acknowledged again),
//!    stamped ([`stamp`]), appended to the log and applied ([`apply`]); a
//!    refused operation gets its reason and the next one is taken as if it
//!    had not been there;
//! 2. then the page after the device's cursor is read, so a device that
//!    pushes and pulls in one request never misses what was applied in it.
//!
//! [`apply`] mirrors highland-engine's apply.rs rule for rule (listing fields
//! last-writer-wins per field by [`Version::wins_over`]; lots, sales and
//! stock adjustments insert-only and idempotent by id; a sale's earliest
//! void kept), so the hub and every
//! device that has seen the same operations hold the same state.
//!
//! Orders differ in one way: the hub decides. A seller's order action is a
//! proposal, checked against the order's state machine when it arrives
//! ([`check_transition`]) and refused if the order has moved on; staff
//! actions are operations the hub makes itself ([`crate::orders`]), logged
//! and applied here like any other.

use chrono::{DateTime, Utc};
use highland_domain::weight::needs_weight_per_unit;
use highland_domain::wire::{
    Ack, AckOutcome, HubHistory, LogMark, LoggedOperation, PROTOCOL_VERSION, Refusal, RefusalCode,
    SyncResponse,
};
use highland_domain::{
    Actor, Certificate, DeviceId, EntityKind, Hlc, HybridClock, Listing, ListingField, ListingId,
    ListingStatus, Load, Lot, LotId, Operation, OperationId, Order, OrderAction, OrderId,
    OrderState, Payload, Photo, PhotoId, PhotoSubject, Price, Quantity, Reason, Round, RoundAnswer,
    RoundId, RoundState, RoundStop, Sale, SaleId, StockAdjustment, StopId, TraceCode, Unit,
    Version,
};

use uuid::Uuid;

use crate::history::Incarnation;
use crate::seal::SealKey;
use crate::{EnrolledDevice, Error, Result, SellerId};

/// The largest file of a photo the hub keeps. A display version is a few
/// hundred kilobytes; this bounds what one upload may claim, and a photo
/// that says it is larger is refused.
pub const MAX_PHOTO_BYTES: u64 = 8 * 1024 * 1024;

/// How far ahead of the hub's clock an operation's timestamp may be before
/// the hub re-stamps it. Ten minutes forgives a tablet a little fast; a
/// tablet a year ahead can neither drag every clock forward nor make its own
/// edits unbeatable.
pub const MAX_AHEAD_MS: u64 = 10 * 60 * 1000;

/// The smallest and largest page of pulled operations, in bytes of JSON.
/// Below 8 KiB a request's overhead dominates; above 512 KiB a page takes
/// minutes on a mountain link, and a dropped connection loses it all.
pub const PULL_BYTES_MIN: usize = 8 * 1024;
pub const PULL_BYTES_MAX: usize = 512 * 1024;

/// How many log rows one read fetches while filling a page.
const LOG_CHUNK: usize = 256;

/// One element of a request's `operations`, read on its own so that one the
/// hub cannot read refuses only itself.
#[derive(Debug, Clone)]
pub enum Pushed {
    /// Read, and kept with the text it came as: the log stores that text, so
    /// a field a newer app added to a kind this hub knows travels on.
    Operation {
        op: Operation,
        text: LoggedOperation,
        /// The device sends it again after this hub went back in time: a
        /// hub acknowledged it before, so it keeps its timestamp.
        resent: bool,
    },
    /// Its id could be read, the rest not (a newer app's new kind of change,
    /// or a value out of bounds).
    Unreadable {
        id: OperationId,
        /// Whether its `kind` is one this hub reads: then it is malformed,
        /// else it may come from a newer app.
        known_kind: bool,
        detail: String,
    },
}

impl Pushed {
    /// The id it is acknowledged by.
    pub fn id(&self) -> OperationId {
        match self {
            Pushed::Operation { op, .. } => op.id,
            Pushed::Unreadable { id, .. } => *id,
        }
    }

    /// An operation made in this process, as if a device had sent it.
    pub fn made(op: Operation) -> Result<Pushed> {
        let text = LoggedOperation::of(&op)
            .map_err(|e| Error::BadRecord(format!("an operation does not serialise: {e}")))?;
        Ok(Pushed::Operation {
            op,
            text,
            resent: false,
        })
    }
}

/// Where the device's reading of the log stands, and how much it wants.
#[derive(Debug, Clone, Default)]
pub struct PullRequest {
    pub cursor: u64,
    pub max_bytes: u32,
    /// The last entry the device pulled ([`highland_domain::wire::SyncRequest::last_pulled`]).
    pub last_pulled: Option<LogMark>,
    /// Its own operations too: its file went back.
    pub own_too: bool,
    /// The protocol version the request spoke, kept for the device list.
    pub protocol: u32,
    /// The incarnation that answered the device's last sync
    /// ([`highland_domain::wire::SyncRequest::incarnation`]).
    pub incarnation: Option<String>,
}

/// What the hub already holds about the entities an operation names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts {
    /// The listing the operation creates, edits, sells from or adjusts.
    pub listing: Option<KnownListing>,
    /// The seller of the lot the operation records or links a listing to.
    pub lot_seller: Option<SellerId>,
    /// The order the operation acts on.
    pub order: Option<KnownOrder>,
    /// The seller of the photo the operation adds or removes.
    pub photo_seller: Option<SellerId>,
    /// Whether another lot already has the trace code of the lot the
    /// operation records. Devices choose lot ids, and the code is read
    /// from part of the id, so a device could pick one to take over
    /// another lot's labels and trace page.
    pub trace_code_taken: bool,
    /// The seller who already holds the id of the sale, adjustment or
    /// certificate the operation inserts. Those are inserted once by id, so
    /// another seller's would otherwise be acknowledged and kept nowhere.
    pub id_holder: Option<SellerId>,
    /// The sale the operation voids.
    pub sale: Option<KnownSale>,
    /// The state of the round the operation answers.
    pub round: Option<RoundState>,
    /// Whether the asking device's seller has an order on that round.
    pub on_round: bool,
}

/// A sale as the rules need it: whose it is, and whether it is an order's
/// receipt (which only the buyer's staff may correct).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownSale {
    pub seller: SellerId,
    pub order: Option<OrderId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownListing {
    pub seller: SellerId,
    pub unit: Unit,
    pub status: ListingStatus,
}

/// An order as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownOrder {
    pub seller: SellerId,
    pub listing: ListingId,
    pub state: OrderState,
    /// In the listing's unit.
    pub quantity: Quantity,
    pub unit_price: Price,
    /// The round it rides, and the stop.
    pub round: Option<RoundStop>,
}

/// One entry of an order's history, as the hub keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry<'a> {
    pub op: &'a Operation,
    pub order: OrderId,
    /// The action, or `None` for the placement.
    pub action: Option<&'a OrderAction>,
    pub actor: Actor,
    /// The staff member who took it, as the caller named them.
    pub staff: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// An operation already in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Logged {
    pub device: DeviceId,
    pub hlc: Hlc,
}

/// One row of the log as it is pulled.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub seq: u64,
    /// The operation's JSON, as it is sent to devices.
    pub body: String,
}

/// What the rules need from a database transaction. Every method reads or
/// writes exactly what its name says; no rule lives behind it.
pub trait Ledger {
    /// The hub's clock: the latest timestamp it issued or saw. Kept in the
    /// database, so several hub processes sharing one database share it.
    fn clock(&mut self) -> Result<Hlc>;
    fn set_clock(&mut self, last: Hlc) -> Result<()>;
    fn logged(&mut self, op: OperationId) -> Result<Option<Logged>>;
    fn listing(&mut self, id: ListingId) -> Result<Option<KnownListing>>;
    fn lot_seller(&mut self, id: LotId) -> Result<Option<SellerId>>;
    /// The id of the village lot or product lot whose trace code is `code`.
    fn trace_code_holder(&mut self, code: TraceCode) -> Result<Option<Uuid>>;
    /// The current incarnation; a database without one begins its first
    /// ([`crate::history`]).
    fn current_incarnation(&mut self, now_ms: u64) -> Result<Incarnation>;
    /// The log's last position when the first incarnation `device` has not
    /// synced with began: beyond it, what the device pulled may be lost.
    /// `known`: the incarnation the device last synced with, if it says.
    fn log_floor(
        &mut self,
        device: DeviceId,
        current: &Incarnation,
        known: Option<&str>,
    ) -> Result<u64>;
    /// The seller of the sale, adjustment or certificate with this id.
    fn holder_of(&mut self, kind: EntityKind, id: Uuid) -> Result<Option<SellerId>>;
    fn order(&mut self, id: OrderId) -> Result<Option<KnownOrder>>;
    fn sale(&mut self, id: SaleId) -> Result<Option<KnownSale>>;
    fn photo_seller(&mut self, id: PhotoId) -> Result<Option<SellerId>>;
    /// The device id the hub makes its own operations under.
    fn hub_device(&mut self) -> Result<DeviceId>;
    /// The key of the hub's seal on the operations it makes.
    fn seal_key(&mut self) -> Result<SealKey>;
    /// The seller an enrolled device (revoked or not) works for.
    fn device_seller(&mut self, device: DeviceId) -> Result<Option<SellerId>>;
    /// How many of `device`'s operations the log holds, and the newest
    /// timestamp among them.
    fn held_from(&mut self, device: DeviceId) -> Result<(u64, Hlc)>;
    /// The position of an operation in the log.
    fn position_of(&mut self, op: OperationId) -> Result<Option<u64>>;
    /// Appends `op`, kept as `text`, to the log; returns the new entry's
    /// position.
    fn append(
        &mut self,
        seller: SellerId,
        op: &Operation,
        text: &LoggedOperation,
        received_at_ms: u64,
    ) -> Result<u64>;
    /// Inserts a listing unless one with its id exists.
    fn insert_listing(&mut self, seller: SellerId, listing: &Listing, created: Hlc) -> Result<()>;
    fn field_version(&mut self, listing: ListingId, field: &'static str)
    -> Result<Option<Version>>;
    fn write_field(
        &mut self,
        listing: ListingId,
        field: &ListingField,
        version: Version,
        op: OperationId,
    ) -> Result<()>;
    /// Inserts unless a row with the same id exists, like the three below.
    fn insert_lot(&mut self, seller: SellerId, lot: &Lot, created: Hlc) -> Result<()>;
    fn insert_certificate(
        &mut self,
        seller: SellerId,
        certificate: &Certificate,
        hlc: Hlc,
    ) -> Result<()>;
    fn insert_sale(&mut self, seller: SellerId, sale: &Sale, op: &Operation) -> Result<()>;
    /// Marks a sale voided, unless an earlier void (by `op`'s version) marked it.
    fn void_sale(
        &mut self,
        sale: SaleId,
        reason: &Reason,
        at: DateTime<Utc>,
        op: &Operation,
    ) -> Result<()>;
    fn insert_adjustment(
        &mut self,
        seller: SellerId,
        adjustment: &StockAdjustment,
        op: &Operation,
    ) -> Result<()>;
    /// Inserts a photo unless one with its id exists (a removed one stays
    /// removed: removal wins).
    fn insert_photo(&mut self, seller: SellerId, photo: &Photo, op: &Operation) -> Result<()>;
    fn remove_photo(&mut self, id: PhotoId) -> Result<()>;
    /// Inserts an order in state placed, unless one with its id exists.
    fn insert_order(&mut self, seller: SellerId, order: &Order, op: &Operation) -> Result<()>;
    /// Moves an order to `action`'s outcome and keeps what the action says
    /// (a reason, the quantity received, the payment).
    fn set_order_state(
        &mut self,
        id: OrderId,
        action: &OrderAction,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Adds an entry to an order's history, unless its operation has one.
    fn record_order_history(&mut self, entry: &HistoryEntry<'_>) -> Result<()>;
    /// A collection round as the hub holds it.
    fn round(&mut self, id: RoundId) -> Result<Option<Round>>;
    /// Keeps `round` as it stands, unless a newer version of it is held.
    fn save_round(&mut self, round: &Round, version: Version) -> Result<()>;
    /// Every seller with an order on the round.
    fn round_sellers(&mut self, id: RoundId) -> Result<Vec<SellerId>>;
    /// How many orders ride a round's stop.
    fn orders_at_stop(&mut self, round: RoundId, stop: StopId) -> Result<u64>;
    /// Whether `seller` has an order on the round.
    fn seller_on_round(&mut self, seller: SellerId, round: RoundId) -> Result<bool>;
    /// The village a seller sells from.
    fn seller_village(&mut self, seller: SellerId) -> Result<Option<String>>;
    /// Puts an order on a round's stop (or off any), unless a newer route
    /// of it is held.
    fn route_order(
        &mut self,
        order: OrderId,
        to: Option<RoundStop>,
        version: Version,
    ) -> Result<()>;
    /// Keeps what was loaded for an order, unless a newer record is held.
    fn save_load(&mut self, load: &Load, op: &Operation, staff: Option<&str>) -> Result<()>;
    /// Keeps a seller's answer to a round, unless a newer one is held.
    fn save_answer(
        &mut self,
        seller: SellerId,
        round: RoundId,
        answer: &RoundAnswer,
        at: DateTime<Utc>,
        version: Version,
    ) -> Result<()>;
    /// Up to `limit` log entries after `after`, of `seller`, not from
    /// `not_from` when one is named, in log order.
    fn visible_after(
        &mut self,
        seller: SellerId,
        not_from: Option<DeviceId>,
        after: u64,
        limit: usize,
    ) -> Result<Vec<LogEntry>>;
    /// The position of the log's last entry (0 when empty).
    fn last_seq(&mut self) -> Result<u64>;
}

/// One sync exchange; see the module's documentation for the steps.
pub fn exchange(
    ledger: &mut impl Ledger,
    device: EnrolledDevice,
    pushed: Vec<Pushed>,
    pull: PullRequest,
    now_ms: u64,
) -> Result<SyncResponse> {
    let mut clock = HybridClock::new(ledger.clock()?);
    let mut acks = Vec::with_capacity(pushed.len());
    let incarnation = ledger.current_incarnation(now_ms)?;
    // A device that last synced with another incarnation has not learned
    // that this hub went back in time. Taken now, its new writes would come
    // before the old ones it is about to send again, and a timestamp the
    // hub gave one (its clock may be behind the device's, and forgot what it
    // had seen) could order it before them. This answer tells it; it sends
    // its writes again, the old first.
    let unsettled = pull
        .incarnation
        .as_deref()
        .is_some_and(|seen| seen != incarnation.id);
    let (held, newest) = ledger.held_from(device.id)?;
    let mut asker = Asker {
        device,
        held,
        newest,
        hub: ledger.hub_device()?,
        seal: None,
    };
    for item in pushed {
        let ack = match item {
            item if unsettled => Ack {
                op_id: item.id(),
                outcome: AckOutcome::Refused {
                    reason: refusal(
                        RefusalCode::HubWentBack,
                        "The hub went back in time since this device last synced; this \
                         change goes again, after what the hub lost.",
                    ),
                },
            },
            Pushed::Operation { op, text, resent } => {
                let pushed = Taken { op, text, resent };
                take_in(ledger, &mut clock, &mut asker, pushed, now_ms)?
            }
            Pushed::Unreadable {
                id,
                known_kind,
                detail,
            } => Ack {
                op_id: id,
                outcome: AckOutcome::Refused {
                    reason: if known_kind {
                        refusal(
                            RefusalCode::MalformedOperation,
                            format!("The hub cannot read this change: {detail}."),
                        )
                    } else {
                        refusal(
                            RefusalCode::UnsupportedOperation,
                            format!(
                                "The hub cannot read this change; it may come from a newer \
                                 version of the app. ({detail})"
                            ),
                        )
                    },
                },
            },
        };
        acks.push(ack);
    }
    ledger.set_clock(clock.last())?;
    let page = read_page(ledger, device, &pull)?;
    let log_start = ledger.log_floor(device.id, &incarnation, pull.incarnation.as_deref())?;
    let (from_device, device_hlc) = (asker.held, asker.newest);
    let mark_held = match pull.last_pulled {
        Some(mark) => Some(holds_mark(ledger, device, &pull, mark)?),
        None => None,
    };
    Ok(SyncResponse {
        protocol: PROTOCOL_VERSION,
        acks,
        operations: page.operations,
        cursor: page.cursor,
        more: page.more,
        hub_time_ms: now_ms,
        hub_version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        history: Some(HubHistory {
            incarnation: incarnation.id,
            log_end: page.log_end,
            log_start,
            from_device: Some(from_device),
            device_hlc: (from_device > 0).then_some(device_hlc),
            mark_held,
        }),
        // The HTTP layer adds it: release files are not in the ledger.
        newest_release: None,
    })
}

/// Whether the log still holds `mark`, the last operation the device pulled,
/// as the device read it: at or before the position the device gives, with
/// nothing the device may see after it up to the device's cursor (there was
/// nothing when it read that far). A log copied back by hand keeps its
/// incarnation, and other devices may have filled it again since, giving
/// back what it lost (`mark` too, at another place) and sending more: then
/// positions the device has passed hold operations it never had.
fn holds_mark(
    ledger: &mut impl Ledger,
    device: EnrolledDevice,
    pull: &PullRequest,
    mark: LogMark,
) -> Result<bool> {
    let Some(at) = ledger.position_of(mark.op_id)? else {
        return Ok(false);
    };
    if at > mark.seq {
        return Ok(false);
    }
    let not_from = (!pull.own_too).then_some(device.id);
    let next = ledger.visible_after(device.seller, not_from, at, 1)?;
    let read_to = pull.cursor.max(mark.seq);
    Ok(next.first().is_none_or(|entry| entry.seq > read_to))
}

/// The device that asked, as [`take_in`] needs it across one request.
struct Asker {
    device: EnrolledDevice,
    /// How many of its operations the log holds, and the newest timestamp
    /// among them: read once, and kept up to date as its operations are
    /// appended.
    held: u64,
    newest: Hlc,
    /// The hub's own device id.
    hub: DeviceId,
    /// Read once, when a request first gives back a sealed operation.
    seal: Option<SealKey>,
}

/// Who made a pushed operation.
enum Author {
    /// The device that sent it.
    Asker,
    /// Another device of the same seller: given back to a hub that lost it.
    Sibling(EnrolledDevice),
    /// This hub, under its seal: given back likewise.
    Hub,
}

/// Whose operation `op` is. Any device may give back what its seller's
/// other devices made, and what the hub made under its seal; nothing else
/// from another device.
fn author_of(
    ledger: &mut impl Ledger,
    asker: &mut Asker,
    op: &Operation,
    text: &LoggedOperation,
) -> Result<Option<Author>> {
    if op.device_id == asker.device.id {
        return Ok(Some(Author::Asker));
    }
    if op.device_id == asker.hub {
        if asker.seal.is_none() {
            asker.seal = Some(ledger.seal_key()?);
        }
        let sealed = asker.seal.as_ref().is_some_and(|key| key.verify(text));
        return Ok(sealed.then_some(Author::Hub));
    }
    Ok(ledger
        .device_seller(op.device_id)?
        .filter(|seller| *seller == asker.device.seller)
        .map(|seller| {
            Author::Sibling(EnrolledDevice {
                id: op.device_id,
                seller,
            })
        }))
}

/// A pushed operation that could be read.
struct Taken {
    op: Operation,
    text: LoggedOperation,
    resent: bool,
}

fn take_in(
    ledger: &mut impl Ledger,
    clock: &mut HybridClock,
    asker: &mut Asker,
    pushed: Taken,
    now_ms: u64,
) -> Result<Ack> {
    let Taken {
        mut op,
        text,
        resent,
    } = pushed;
    let op_id = op.id;
    let refused = |reason| Ack {
        op_id,
        outcome: AckOutcome::Refused { reason },
    };
    let Some(author) = author_of(ledger, asker, &op, &text)? else {
        return Ok(refused(refusal(
            RefusalCode::WrongDevice,
            "This change was made on another device, so this device cannot send it.",
        )));
    };
    // Authorization comes before the duplicate check so that nobody learns
    // which operation ids another device has used. It is stable across
    // replays: a listing's or lot's seller never changes. The hub's own
    // operations were authorized when it made them.
    let facts = gather_facts(ledger, &op, asker.device.seller)?;
    let maker = match author {
        Author::Asker => Some(asker.device),
        Author::Sibling(sibling) => Some(sibling),
        Author::Hub => None,
    };
    let checked = match maker {
        Some(maker) => authorize(&op, maker, &facts),
        // One it holds already is answered as held, below, whatever the
        // order's state has become since.
        None if ledger.logged(op.id)?.is_some() => Ok(()),
        None => held_for_own(&op, &facts),
    };
    if let Err(reason) = checked {
        return Ok(refused(reason));
    }
    if let Some(logged) = ledger.logged(op.id)? {
        if logged.device != op.device_id {
            return Ok(refused(refusal(
                RefusalCode::DuplicateId,
                "Another device already sent a change with the same id, so this one was not applied.",
            )));
        }
        return Ok(Ack {
            op_id,
            outcome: AckOutcome::Applied {
                hlc: (logged.hlc != op.hlc).then_some(logged.hlc),
            },
        });
    }
    // After the duplicate check, unlike authorization: an accepted proposal
    // moved the order on, so its replay would fail this check, yet it was
    // applied and must be acknowledged as such.
    if let Err(reason) = check_transition(&op, &facts) {
        return Ok(refused(reason));
    }
    let seller = asker.device.seller;
    let own = matches!(author, Author::Asker);
    if !own || resent {
        // Given back, or sent again by its device: logged before, at this
        // timestamp, by a hub that lost it, and other replicas may hold it
        // as it was. It keeps its time, and its text (a seal stays
        // verifiable): a new timestamp would merge it here otherwise than
        // everywhere else.
        clock.observe(op.hlc, now_ms);
        if own {
            asker.newest = asker.newest.max(op.hlc);
            asker.held += 1;
        }
        ledger.append(seller, &op, &text, now_ms)?;
        apply(ledger, seller, &op)?;
        return Ok(Ack {
            op_id,
            outcome: AckOutcome::Applied { hlc: None },
        });
    }
    let stamped = stamp_from(clock, asker.newest, op.hlc, now_ms);
    let text = if stamped.restamped {
        op.hlc = stamped.hlc;
        text.with_hlc(stamped.hlc)
            .map_err(|e| Error::BadRecord(format!("an operation does not serialise: {e}")))?
    } else {
        text
    };
    asker.newest = asker.newest.max(op.hlc);
    asker.held += 1;
    ledger.append(seller, &op, &text, now_ms)?;
    apply(ledger, seller, &op)?;
    Ok(Ack {
        op_id,
        outcome: AckOutcome::Applied {
            hlc: stamped.restamped.then_some(stamped.hlc),
        },
    })
}

/// What the hub holds about what `op` names; `seller` is the asking
/// device's, whose orders an answer to a round must ride.
fn gather_facts(ledger: &mut impl Ledger, op: &Operation, seller: SellerId) -> Result<Facts> {
    let photo = match &op.payload {
        Payload::PhotoAdded { photo } => Some(photo.id),
        Payload::PhotoRemoved { photo_id } => Some(*photo_id),
        _ => None,
    };
    let (listing, lot, order) = match &op.payload {
        Payload::ListingCreated { listing } => (Some(listing.id), listing.lot_id, None),
        Payload::ListingEdited {
            listing_id,
            changes,
        } => (Some(*listing_id), changes.lot().flatten(), None),
        Payload::LotRecorded { lot } => (None, Some(lot.id), None),
        Payload::CertificateIssued { certificate } => (None, Some(certificate.lot_id), None),
        Payload::SaleRecorded { sale } => (Some(sale.listing_id), None, sale.order_id),
        Payload::SaleVoided { .. } => (None, None, None),
        Payload::StockAdjusted { adjustment } => (Some(adjustment.listing_id), None, None),
        Payload::OrderPlaced { order } => (Some(order.listing_id), None, None),
        Payload::OrderActionTaken { order_id, .. } => (None, None, Some(*order_id)),
        Payload::PhotoAdded { photo } => match photo.subject {
            PhotoSubject::Listing(id) => (Some(id), None, None),
            PhotoSubject::Lot(id) => (None, Some(id), None),
        },
        Payload::PhotoRemoved { .. } => (None, None, None),
        Payload::ListingWeighed { listing_id, .. } => (Some(*listing_id), None, None),
        Payload::RoundPublished { .. }
        | Payload::OrderRouted { .. }
        | Payload::OrderLoaded { .. }
        | Payload::RoundAnswered { .. } => (None, None, None),
    };
    let (round, on_round) = match &op.payload {
        Payload::RoundAnswered { round_id, .. } => (
            ledger.round(*round_id)?.map(|r| r.state),
            ledger.seller_on_round(seller, *round_id)?,
        ),
        _ => (None, false),
    };
    Ok(Facts {
        round,
        on_round,
        listing: listing.map(|id| ledger.listing(id)).transpose()?.flatten(),
        lot_seller: lot.map(|id| ledger.lot_seller(id)).transpose()?.flatten(),
        order: order.map(|id| ledger.order(id)).transpose()?.flatten(),
        photo_seller: photo
            .map(|id| ledger.photo_seller(id))
            .transpose()?
            .flatten(),
        id_holder: match (&op.payload, op.entity()) {
            // A void names a sale; it inserts none.
            (Payload::SaleVoided { .. }, _) => None,
            (
                _,
                (kind @ (EntityKind::Sale | EntityKind::Adjustment | EntityKind::Certificate), id),
            ) => ledger.holder_of(kind, id)?,
            _ => None,
        },
        sale: match &op.payload {
            Payload::SaleVoided { sale_id, .. } => ledger.sale(*sale_id)?,
            _ => None,
        },
        trace_code_taken: match &op.payload {
            Payload::LotRecorded { lot } => ledger
                .trace_code_holder(TraceCode::of_lot(lot.id))?
                .is_some_and(|holder| holder != lot.id.as_uuid()),
            _ => false,
        },
    })
}

/// May `device` make `op`, given what the hub holds? A device acts only for
/// its own seller: it sends only operations it made, and writes only its
/// seller's listings and lots. A lot a listing links to may not have reached
/// the hub yet (links are soft, as on the device), but if it has, it must be
/// the same seller's.
pub fn authorize(op: &Operation, device: EnrolledDevice, facts: &Facts) -> Result<(), Refusal> {
    if op.device_id != device.id {
        return Err(refusal(
            RefusalCode::WrongDevice,
            "This change was made on another device, so this device cannot send it.",
        ));
    }
    let mine = |seller: SellerId| seller == device.seller;
    if facts.id_holder.is_some_and(|holder| !mine(holder)) {
        return Err(refusal(
            RefusalCode::IdTaken,
            "Another seller's record already has this id, so this one was not kept. \
             It stays on the tablet; record it again to give it a new id.",
        ));
    }
    let lot_is_mine_or_unknown = || match facts.lot_seller {
        Some(seller) if !mine(seller) => Err(refusal(
            RefusalCode::NotYourLot,
            "This lot belongs to another seller, so it cannot be recorded or linked from here.",
        )),
        _ => Ok(()),
    };
    let listing_is_mine = || match facts.listing {
        None => Err(refusal(
            RefusalCode::UnknownListing,
            "The hub has no listing for this change, so it was not applied.",
        )),
        Some(known) if !mine(known.seller) => Err(not_your_listing()),
        Some(known) => Ok(known),
    };
    match &op.payload {
        Payload::ListingCreated { .. } => {
            if facts.listing.is_some_and(|known| !mine(known.seller)) {
                return Err(not_your_listing());
            }
            lot_is_mine_or_unknown()
        }
        Payload::ListingEdited { .. } => {
            listing_is_mine()?;
            lot_is_mine_or_unknown()
        }
        Payload::LotRecorded { .. } if facts.trace_code_taken => Err(refusal(
            RefusalCode::TraceCodeTaken,
            "Another lot already has this lot's trace code, so this one was not kept. \
             Record the lot again: it gets a new code.",
        )),
        Payload::LotRecorded { .. } => lot_is_mine_or_unknown(),
        // A certificate speaks for a lot the hub must already hold: the
        // device sends the lot before it, in the order they were made.
        Payload::CertificateIssued { .. } => match facts.lot_seller {
            None => Err(refusal(
                RefusalCode::UnknownLot,
                "The hub has no record of this lot, so its certificate was not kept.",
            )),
            Some(_) => lot_is_mine_or_unknown(),
        },
        Payload::SaleRecorded { sale } => {
            if sale.order_id.is_some() {
                return Err(staff_only());
            }
            let known = listing_is_mine()?;
            same_measure(sale.quantity.unit(), known.unit)
        }
        // The device sends a sale before its void, so the hub holds it.
        Payload::SaleVoided { .. } => match facts.sale {
            None => Err(refusal(
                RefusalCode::UnknownSale,
                "The hub has no record of this sale, so it cannot be voided.",
            )),
            Some(known) if !mine(known.seller) => Err(refusal(
                RefusalCode::NotYourSale,
                "This sale was recorded by another seller, so it cannot be voided from here.",
            )),
            Some(KnownSale { order: Some(_), .. }) => Err(refusal(
                RefusalCode::ReceiptNotVoidable,
                "This sale is an order's receipt, recorded by the buyer's staff, so a seller \
                 cannot void it; ask the buyer to correct the order.",
            )),
            Some(_) => Ok(()),
        },
        Payload::StockAdjusted { adjustment } => {
            let known = listing_is_mine()?;
            same_measure(adjustment.change.unit(), known.unit)
        }
        Payload::OrderPlaced { .. } => Err(staff_only()),
        Payload::OrderActionTaken { actor, action, .. } => {
            if *actor != Actor::Seller || !action.may_be_taken_by(Actor::Seller) {
                return Err(staff_only());
            }
            match facts.order {
                None => Err(refusal(
                    RefusalCode::UnknownOrder,
                    "The hub has no such order, so this change was not applied.",
                )),
                Some(known) if !mine(known.seller) => Err(refusal(
                    RefusalCode::NotYourOrder,
                    "This order was placed with another seller, so it cannot be changed from here.",
                )),
                Some(_) => Ok(()),
            }
        }
        Payload::PhotoAdded { photo } => {
            match photo.subject {
                PhotoSubject::Listing(_) => {
                    listing_is_mine()?;
                }
                PhotoSubject::Lot(_) => match facts.lot_seller {
                    None => {
                        return Err(refusal(
                            RefusalCode::UnknownLot,
                            "The hub has no record of this lot, so its photo was not kept.",
                        ));
                    }
                    Some(_) => lot_is_mine_or_unknown()?,
                },
            }
            photo_is_mine_or_new(facts.photo_seller, device.seller)?;
            if let Some(version) = photo
                .versions()
                .into_iter()
                .find(|v| v.bytes() > MAX_PHOTO_BYTES)
            {
                return Err(refusal(
                    RefusalCode::PhotoTooLarge,
                    format!(
                        "This photo's file is {} bytes; the hub keeps photos of at most {} \
                         bytes, so it was not kept.",
                        version.bytes(),
                        MAX_PHOTO_BYTES
                    ),
                ));
            }
            Ok(())
        }
        Payload::PhotoRemoved { .. } => match facts.photo_seller {
            None => Err(refusal(
                RefusalCode::UnknownPhoto,
                "The hub has no such photo, so it cannot be removed.",
            )),
            Some(seller) => photo_is_mine_or_new(Some(seller), device.seller),
        },
        // Rounds are the buyer's staff's to plan, fill and load.
        Payload::RoundPublished { .. }
        | Payload::OrderRouted { .. }
        | Payload::OrderLoaded { .. } => Err(staff_only()),
        // A round is never deleted, so this holds for every replay.
        Payload::RoundAnswered { .. } => match facts.round {
            None => Err(refusal(
                RefusalCode::UnknownRound,
                "The hub has no such collection round, so this answer was not kept.",
            )),
            Some(_) => Ok(()),
        },
        Payload::ListingWeighed { .. } => {
            let known = listing_is_mine()?;
            if needs_weight_per_unit(known.unit) {
                Ok(())
            } else {
                Err(refusal(
                    RefusalCode::WeightNotNeeded,
                    format!(
                        "This listing is sold in {}, so it weighs what it says and takes no \
                         weight per unit.",
                        known.unit
                    ),
                ))
            }
        }
    }
}

/// Whether the hub holds what one of its own operations, given back by a
/// device, applies to: the listing an order is placed for or a receipt's
/// sale is of, the order an action or a receipt is for. It was authorized
/// when the hub made it; but a hub put back from a backup may have lost
/// those too, and then they come from the device that made them, maybe in
/// another request. Until they do the operation is refused, not half
/// applied (a device gives back all it pulled again when it finds the hub
/// went back).
///
/// A receipt's sale is kept only while the order waits for its receipt: the
/// hub, gone back, may since have recorded the receipt again with another
/// sale, and two would count the goods twice.
fn held_for_own(op: &Operation, facts: &Facts) -> Result<(), Refusal> {
    let listing = facts.listing.is_some();
    let (needs_order, receipt) = match &op.payload {
        Payload::OrderPlaced { .. } if !listing => return Err(no_listing()),
        Payload::SaleRecorded { .. } if !listing => return Err(no_listing()),
        Payload::SaleRecorded { sale } => (sale.order_id.is_some(), sale.order_id.is_some()),
        Payload::OrderActionTaken { .. } => (true, false),
        _ => (false, false),
    };
    match facts.order {
        None if needs_order => Err(refusal(
            RefusalCode::UnknownOrder,
            "The hub has no such order, so this change was not applied.",
        )),
        Some(order) if receipt && order.state != OrderState::HandedOver => Err(refusal(
            RefusalCode::OrderTransitionRefused,
            format!(
                "The order is {}, not waiting for its receipt, so this receipt was not kept.",
                order.state
            ),
        )),
        _ => Ok(()),
    }
}

fn no_listing() -> Refusal {
    refusal(
        RefusalCode::UnknownListing,
        "The hub has no listing for this change, so it was not applied.",
    )
}

/// A photo id is its seller's for good: another seller's device may
/// neither add under it nor remove it.
fn photo_is_mine_or_new(owner: Option<SellerId>, me: SellerId) -> Result<(), Refusal> {
    match owner {
        Some(seller) if seller != me => Err(refusal(
            RefusalCode::NotYourPhoto,
            "This photo belongs to another seller, so it cannot be changed from here.",
        )),
        _ => Ok(()),
    }
}

/// May the order move on as the operation proposes, from the state the hub
/// holds now? And may the seller still answer the round? Only order actions
/// and answers are checked; the sentence comes from the state machine, so
/// the seller reads why ("An order that is cancelled cannot be accepted.").
pub fn check_transition(op: &Operation, facts: &Facts) -> Result<(), Refusal> {
    if let (Payload::RoundAnswered { .. }, Some(state)) = (&op.payload, facts.round) {
        if !facts.on_round {
            return Err(refusal(
                RefusalCode::NotOnRound,
                "None of your orders rides this round any more, so there is nothing to answer.",
            ));
        }
        return RoundAnswer::allowed_in(state)
            .map_err(|late| refusal(RefusalCode::RoundClosed, sentence(&late.to_string())));
    }
    let (Payload::OrderActionTaken { action, .. }, Some(order)) = (&op.payload, facts.order) else {
        return Ok(());
    };
    order.state.after(action).map(|_| ()).map_err(|refused| {
        refusal(
            RefusalCode::OrderTransitionRefused,
            sentence(&refused.to_string()),
        )
    })
}

/// "an order that is …" as a sentence of its own: capitalised, with a full stop.
pub(crate) fn sentence(clause: &str) -> String {
    let mut chars = clause.chars();
    let first = chars.next().map(|c| c.to_uppercase().to_string());
    format!("{}{}.", first.unwrap_or_default(), chars.as_str())
}

fn staff_only() -> Refusal {
    refusal(
        RefusalCode::StaffOnly,
        "Only the buyer's staff place orders and record their receipt, payment or cancellation, \
         so this change was not applied.",
    )
}

fn not_your_listing() -> Refusal {
    refusal(
        RefusalCode::NotYourListing,
        "This listing belongs to another seller, so it cannot be changed or sold from here.",
    )
}

/// Stock adds up in the listing's base unit; grams cannot be counted
/// against jars.
fn same_measure(got: Unit, listing: Unit) -> Result<(), Refusal> {
    if got.base() == listing.base() {
        return Ok(());
    }
    Err(refusal(
        RefusalCode::UnitMismatch,
        format!(
            "This amount is in {got}, but the listing is sold in {listing}, so it was not applied."
        ),
    ))
}

fn refusal(code: RefusalCode, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

/// The timestamp an accepted operation is kept and forwarded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamped {
    pub hlc: Hlc,
    pub restamped: bool,
}

/// [`stamp`], for an operation from a device whose newest operation in the
/// log has timestamp `newest`. A device's clock only moves forward, so an
/// operation at or before that was made on a device whose file went back
/// (put back from an old copy): it gets a fresh timestamp, or it would lose
/// every merge to the device's own older writes.
pub fn stamp_from(clock: &mut HybridClock, newest: Hlc, sent: Hlc, now_ms: u64) -> Stamped {
    if sent <= newest {
        return Stamped {
            hlc: clock.observe(newest, now_ms),
            restamped: true,
        };
    }
    stamp(clock, sent, now_ms)
}

/// Keeps an operation's own timestamp (and moves the hub's clock past it)
/// unless it is more than [`MAX_AHEAD_MS`] ahead of the hub's wall clock; then
/// the operation gets a fresh timestamp from the hub's clock instead, so
/// neither the hub's clock nor any device's is dragged into the future.
///
/// Unless, too, the hub has seen a later timestamp already (its wall clock
/// was set back since): then the sent one drags nothing, and a fresh one
/// would be later than it. A new timestamp is only ever earlier than the
/// one sent, which devices rely on to judge a pulled write against one of
/// their own not yet acknowledged.
pub fn stamp(clock: &mut HybridClock, sent: Hlc, now_ms: u64) -> Stamped {
    if sent.wall_ms() > now_ms.saturating_add(MAX_AHEAD_MS) && sent > clock.last() {
        return Stamped {
            hlc: clock.tick(now_ms),
            restamped: true,
        };
    }
    clock.observe(sent, now_ms);
    Stamped {
        hlc: sent,
        restamped: false,
    }
}

/// Applies an accepted operation to the merged state; see the module docs.
pub fn apply(ledger: &mut impl Ledger, seller: SellerId, op: &Operation) -> Result<()> {
    apply_by(ledger, seller, op, None)
}

/// [`apply`], naming the staff member behind a hub-made operation in the
/// order's history.
pub(crate) fn apply_by(
    ledger: &mut impl Ledger,
    seller: SellerId,
    op: &Operation,
    staff: Option<&str>,
) -> Result<()> {
    let version = op.version();
    match &op.payload {
        Payload::ListingCreated { listing } => {
            ledger.insert_listing(seller, listing, op.hlc)?;
            merge_fields(ledger, listing.id, &listing.fields(), version, op.id)
        }
        Payload::ListingEdited {
            listing_id,
            changes,
        } => merge_fields(ledger, *listing_id, changes, version, op.id),
        Payload::LotRecorded { lot } => ledger.insert_lot(seller, lot, op.hlc),
        Payload::CertificateIssued { certificate } => {
            ledger.insert_certificate(seller, certificate, op.hlc)
        }
        Payload::SaleRecorded { sale } => ledger.insert_sale(seller, sale, op),
        Payload::SaleVoided {
            sale_id,
            reason,
            at,
        } => ledger.void_sale(*sale_id, reason, *at, op),
        Payload::StockAdjusted { adjustment } => ledger.insert_adjustment(seller, adjustment, op),
        Payload::OrderPlaced { order } => {
            ledger.insert_order(seller, order, op)?;
            ledger.record_order_history(&HistoryEntry {
                op,
                order: order.id,
                action: None,
                actor: Actor::Staff,
                staff,
                at: order.placed_at,
            })
        }
        Payload::OrderActionTaken {
            order_id,
            actor,
            action,
            at,
        } => {
            // The outcome, not `after`: whoever made this operation checked
            // the transition before it was logged.
            ledger.set_order_state(*order_id, action, *at)?;
            ledger.record_order_history(&HistoryEntry {
                op,
                order: *order_id,
                action: Some(action),
                actor: *actor,
                staff,
                at: *at,
            })
        }
        Payload::PhotoAdded { photo } => ledger.insert_photo(seller, photo, op),
        Payload::PhotoRemoved { photo_id } => ledger.remove_photo(*photo_id),
        Payload::RoundPublished { round } => ledger.save_round(round, version),
        Payload::OrderRouted { order_id, round } => ledger.route_order(*order_id, *round, version),
        Payload::OrderLoaded { load } => ledger.save_load(load, op, staff),
        Payload::RoundAnswered {
            round_id,
            answer,
            at,
        } => ledger.save_answer(seller, *round_id, answer, *at, version),
        Payload::ListingWeighed {
            listing_id,
            weight_per_unit,
        } => {
            let field = ListingField::WeightPerUnit(*weight_per_unit);
            merge_fields(ledger, *listing_id, &[field], version, op.id)
        }
    }
}

fn merge_fields(
    ledger: &mut impl Ledger,
    listing: ListingId,
    fields: &[ListingField],
    version: Version,
    op: OperationId,
) -> Result<()> {
    for field in fields {
        let current = ledger.field_version(listing, field.name())?;
        if version.wins_over(current) {
            ledger.write_field(listing, field, version, op)?;
        }
    }
    Ok(())
}

struct Page {
    operations: Vec<LoggedOperation>,
    cursor: u64,
    more: bool,
    /// The log's last position, as this transaction sees it.
    log_end: u64,
}

/// The operations after the cursor that the device may see: its seller's,
/// made on its other devices, in log order, until the page is full. A page
/// holds at least one operation if any waits, however large, so an
/// oversized operation can never stall a device.
///
/// Reading in log order is safe because positions become visible in order:
/// on SQLite every write transaction, this one included, holds the single
/// write lock (BEGIN IMMEDIATE) from its first read to its commit, so no
/// operation with a lower position can commit after a reader has passed it.
/// PostgreSQL gives no such guarantee: sequence values are taken at insert
/// and transactions commit in any order, so a reader could pass position 7
/// while 6 is still uncommitted and skip it for good. That backend will
/// serialize appends per seller (an advisory lock, or a per-seller counter
/// row updated in the appending transaction) or pull only up to the oldest
/// position still in flight.
fn read_page(ledger: &mut impl Ledger, device: EnrolledDevice, pull: &PullRequest) -> Result<Page> {
    let cap = (pull.max_bytes as usize).clamp(PULL_BYTES_MIN, PULL_BYTES_MAX);
    let mut operations = Vec::new();
    let mut bytes = 0usize;
    let mut cursor = pull.cursor;
    let mut more = false;
    'fill: loop {
        let not_from = (!pull.own_too).then_some(device.id);
        let chunk = ledger.visible_after(device.seller, not_from, cursor, LOG_CHUNK)?;
        let exhausted = chunk.len() < LOG_CHUNK;
        for entry in chunk {
            if !operations.is_empty() && bytes + entry.body.len() > cap {
                more = true;
                break 'fill;
            }
            bytes += entry.body.len();
            cursor = entry.seq;
            // Sent as the log holds it, read or not: a kind this build does
            // not know (logged by a newer hub before a rollback) is the
            // devices' to keep until they can read it.
            let op = LoggedOperation::from_text(entry.body).map_err(|e| {
                Error::BadRecord(format!("log entry {} is not JSON: {e}", entry.seq))
            })?;
            operations.push(op);
        }
        if exhausted {
            break;
        }
    }
    let log_end = ledger.last_seq()?;
    if !more {
        // Nothing visible remains, so everything up to the end of the log is
        // read for this device: the next sync starts there and never rescans
        // other sellers' rows or its own.
        cursor = cursor.max(log_end);
    }
    Ok(Page {
        operations,
        cursor,
        more,
        log_end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use highland_domain::{
        AdjustmentId, AdjustmentKind, Category, ListingStatus, PaymentMethod, Price, Quantity,
        QuantityDelta, SaleId, ShortText, Title,
    };

    fn seller(n: u128) -> SellerId {
        SellerId::from_uuid(Uuid::from_u128(n))
    }

    fn device_id(n: u128) -> DeviceId {
        DeviceId::from_uuid(Uuid::from_u128(n))
    }

    fn me() -> EnrolledDevice {
        EnrolledDevice {
            id: device_id(1),
            seller: seller(1),
        }
    }

    fn op(device: DeviceId, payload: Payload) -> Operation {
        Operation {
            id: OperationId::new(),
            device_id: device,
            hlc: Hlc::from_wall_ms(1_000),
            payload,
        }
    }

    fn listing(lot: Option<LotId>) -> Listing {
        Listing {
            id: ListingId::from_uuid(Uuid::from_u128(50)),
            title: Title::parse("蜂蜜").unwrap(),
            category: Category::Honey,
            unit: Unit::Jar,
            price: Price::from_fen(4500).unwrap(),
            status: ListingStatus::Listed,
            description: None,
            lot_id: lot,
        }
    }

    fn created() -> Payload {
        Payload::ListingCreated {
            listing: listing(None),
        }
    }

    fn created_with_lot() -> Payload {
        Payload::ListingCreated {
            listing: listing(Some(LotId::from_uuid(Uuid::from_u128(60)))),
        }
    }

    fn edited() -> Payload {
        Payload::ListingEdited {
            listing_id: listing(None).id,
            changes: highland_domain::FieldChanges::new(vec![ListingField::Price(
                Price::from_fen(5000).unwrap(),
            )])
            .unwrap(),
        }
    }

    fn lot() -> Payload {
        Payload::LotRecorded {
            lot: Lot {
                id: LotId::from_uuid(Uuid::from_u128(60)),
                village: ShortText::parse("Yubeng").unwrap(),
                altitude: None,
                harvested_on: None,
                environment: None,
            },
        }
    }

    fn sale(unit: Unit) -> Payload {
        Payload::SaleRecorded {
            sale: Sale {
                id: SaleId::new(),
                listing_id: listing(None).id,
                quantity: Quantity::from_base(2, unit).unwrap(),
                unit_price: Price::from_fen(4500).unwrap(),
                payment: PaymentMethod::Cash,
                buyer: None,
                sold_at: chrono::DateTime::UNIX_EPOCH,
                order_id: None,
            },
        }
    }

    fn adjusted() -> Payload {
        Payload::StockAdjusted {
            adjustment: StockAdjustment {
                id: AdjustmentId::new(),
                listing_id: listing(None).id,
                kind: AdjustmentKind::Received,
                change: QuantityDelta::from_base(10, Unit::Jar).unwrap(),
                reason: None,
                at: chrono::DateTime::UNIX_EPOCH,
            },
        }
    }

    fn facts(listing_of: Option<u128>, lot_of: Option<u128>) -> Facts {
        Facts {
            listing: listing_of.map(|s| KnownListing {
                seller: seller(s),
                unit: Unit::Jar,
                status: ListingStatus::Listed,
            }),
            lot_seller: lot_of.map(seller),
            order: None,
            photo_seller: None,
            trace_code_taken: false,
            id_holder: None,
            sale: None,
            round: None,
            on_round: false,
        }
    }

    fn photo(subject: PhotoSubject, display_bytes: u64) -> Payload {
        let version = |bytes| {
            highland_domain::PhotoRef::new(
                highland_domain::Sha256::from_digest([1; 32]),
                bytes,
                10,
                10,
                highland_domain::MediaType::Jpeg,
            )
            .unwrap()
        };
        Payload::PhotoAdded {
            photo: Photo {
                id: PhotoId::from_uuid(Uuid::from_u128(80)),
                subject,
                display: version(display_bytes),
                thumbnail: version(100),
                location: None,
            },
        }
    }

    #[test]
    fn photo_authorization_table() {
        let on_listing = || PhotoSubject::Listing(listing(None).id);
        let on_lot = || PhotoSubject::Lot(LotId::from_uuid(Uuid::from_u128(60)));
        let with_photo_of = |mut f: Facts, s: u128| {
            f.photo_seller = Some(seller(s));
            f
        };
        let removed = Payload::PhotoRemoved {
            photo_id: PhotoId::from_uuid(Uuid::from_u128(80)),
        };
        const MAX: u64 = MAX_PHOTO_BYTES;
        // (payload, what the hub holds, expected refusal code or None)
        let cases: Vec<(Payload, Facts, Option<&str>)> = vec![
            (photo(on_listing(), 1000), facts(Some(1), None), None),
            (photo(on_listing(), MAX), facts(Some(1), None), None),
            (photo(on_lot(), 1000), facts(None, Some(1)), None),
            (
                photo(on_listing(), 1000),
                facts(None, None),
                Some("unknown_listing"),
            ),
            (
                photo(on_listing(), 1000),
                facts(Some(2), None),
                Some("not_your_listing"),
            ),
            (
                photo(on_lot(), 1000),
                facts(None, None),
                Some("unknown_lot"),
            ),
            (
                photo(on_lot(), 1000),
                facts(None, Some(2)),
                Some("not_your_lot"),
            ),
            (
                photo(on_listing(), 1000),
                with_photo_of(facts(Some(1), None), 1),
                None,
            ),
            (
                photo(on_listing(), 1000),
                with_photo_of(facts(Some(1), None), 2),
                Some("not_your_photo"),
            ),
            (
                photo(on_listing(), MAX + 1),
                facts(Some(1), None),
                Some("photo_too_large"),
            ),
            (removed.clone(), with_photo_of(Facts::default(), 1), None),
            (removed.clone(), Facts::default(), Some("unknown_photo")),
            (
                removed,
                with_photo_of(Facts::default(), 2),
                Some("not_your_photo"),
            ),
        ];
        for (payload, facts, expected) in cases {
            let op = op(device_id(1), payload);
            let got = authorize(&op, me(), &facts).err().map(|r| r.code);
            assert_eq!(
                got.as_ref().map(RefusalCode::as_str),
                expected,
                "{:?} with {facts:?}",
                op.payload
            );
        }
    }

    fn order_id() -> OrderId {
        OrderId::from_uuid(Uuid::from_u128(70))
    }

    /// The hub holds the order, of seller `of`, in `state`.
    fn order_facts(of: Option<u128>, state: OrderState) -> Facts {
        Facts {
            order: of.map(|s| KnownOrder {
                seller: seller(s),
                listing: listing(None).id,
                state,
                quantity: Quantity::from_base(5, Unit::Jar).unwrap(),
                unit_price: Price::from_fen(4500).unwrap(),
                round: None,
            }),
            ..Facts::default()
        }
    }

    fn acted(actor: Actor, action: OrderAction) -> Payload {
        Payload::OrderActionTaken {
            order_id: order_id(),
            actor,
            action,
            at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    fn placed() -> Payload {
        Payload::OrderPlaced {
            order: Order {
                id: order_id(),
                listing_id: listing(None).id,
                quantity: Quantity::from_base(5, Unit::Jar).unwrap(),
                unit_price: Price::from_fen(4500).unwrap(),
                hand_over_by: None,
                note: None,
                placed_at: chrono::DateTime::UNIX_EPOCH,
            },
        }
    }

    fn sale_of_an_order() -> Payload {
        let Payload::SaleRecorded { mut sale } = sale(Unit::Jar) else {
            unreachable!()
        };
        sale.order_id = Some(order_id());
        Payload::SaleRecorded { sale }
    }

    fn reason() -> highland_domain::Reason {
        highland_domain::Reason::parse("no honey left").unwrap()
    }

    #[test]
    fn order_authorization_table() {
        use OrderState as S;
        let cancel = || OrderAction::Cancel { reason: reason() };
        // (payload, made on, what the hub holds, expected refusal code or None)
        let cases: Vec<(Payload, u128, Facts, Option<&str>)> = vec![
            (
                acted(Actor::Seller, OrderAction::Accept),
                1,
                order_facts(Some(1), S::Placed),
                None,
            ),
            (
                acted(Actor::Seller, OrderAction::Decline { reason: reason() }),
                1,
                order_facts(Some(1), S::Placed),
                None,
            ),
            (
                acted(Actor::Seller, OrderAction::HandOver),
                1,
                order_facts(Some(1), S::Accepted),
                None,
            ),
            (
                acted(Actor::Seller, OrderAction::Accept),
                2,
                order_facts(Some(1), S::Placed),
                Some("wrong_device"),
            ),
            (
                acted(Actor::Seller, OrderAction::Accept),
                1,
                order_facts(None, S::Placed),
                Some("unknown_order"),
            ),
            (
                acted(Actor::Seller, OrderAction::Accept),
                1,
                order_facts(Some(2), S::Placed),
                Some("not_your_order"),
            ),
            // A device cannot claim to be staff, nor take staff actions.
            (
                acted(Actor::Staff, OrderAction::HandOver),
                1,
                order_facts(Some(1), S::Accepted),
                Some("staff_only"),
            ),
            (
                acted(Actor::Seller, cancel()),
                1,
                order_facts(Some(1), S::Placed),
                Some("staff_only"),
            ),
            (
                acted(
                    Actor::Seller,
                    OrderAction::Receive {
                        quantity: Quantity::from_base(5, Unit::Jar).unwrap(),
                    },
                ),
                1,
                order_facts(Some(1), S::HandedOver),
                Some("staff_only"),
            ),
            (placed(), 1, Facts::default(), Some("staff_only")),
            (
                sale_of_an_order(),
                1,
                facts(Some(1), None),
                Some("staff_only"),
            ),
            // The state is not authorization's business: that is checked later.
            (
                acted(Actor::Seller, OrderAction::Accept),
                1,
                order_facts(Some(1), S::Cancelled),
                None,
            ),
        ];
        for (payload, made_on, facts, expected) in cases {
            let op = op(device_id(made_on), payload);
            let got = authorize(&op, me(), &facts).err().map(|r| r.code);
            assert_eq!(
                got.as_ref().map(RefusalCode::as_str),
                expected,
                "{:?} with {facts:?}",
                op.payload
            );
        }
    }

    #[test]
    fn a_proposal_is_checked_against_the_state_the_hub_holds() {
        use OrderState as S;
        // (state on the hub, proposed action, expected refusal message or None)
        let cases = [
            (S::Placed, OrderAction::Accept, None),
            (S::Placed, OrderAction::Decline { reason: reason() }, None),
            (S::Accepted, OrderAction::HandOver, None),
            (
                S::Placed,
                OrderAction::HandOver,
                Some("An order that is placed cannot be handed over."),
            ),
            (
                S::Cancelled,
                OrderAction::Accept,
                Some("An order that is cancelled cannot be accepted."),
            ),
            (
                S::Accepted,
                OrderAction::Decline { reason: reason() },
                Some("An order that is accepted cannot be declined."),
            ),
        ];
        for (state, action, expected) in cases {
            let op = op(device_id(1), acted(Actor::Seller, action));
            let got = check_transition(&op, &order_facts(Some(1), state)).err();
            assert_eq!(
                got.as_ref().map(|r| r.message.as_str()),
                expected,
                "{state} + {:?}",
                op.payload
            );
            if let Some(refusal) = got {
                assert_eq!(refusal.code, "order_transition_refused");
            }
        }
        // Anything else passes untouched.
        assert!(
            check_transition(&op(device_id(1), sale(Unit::Jar)), &facts(Some(1), None)).is_ok()
        );
    }

    #[test]
    fn authorization_table() {
        // (payload, made on, what the hub holds, expected refusal code or None)
        let cases: Vec<(Payload, u128, Facts, Option<&str>)> = vec![
            (created(), 1, facts(None, None), None),
            (created(), 2, facts(None, None), Some("wrong_device")),
            (created(), 1, facts(Some(1), None), None),
            (created(), 1, facts(Some(2), None), Some("not_your_listing")),
            (created_with_lot(), 1, facts(None, Some(1)), None),
            (
                created_with_lot(),
                1,
                facts(None, Some(2)),
                Some("not_your_lot"),
            ),
            (edited(), 1, facts(Some(1), None), None),
            (edited(), 1, facts(None, None), Some("unknown_listing")),
            (edited(), 1, facts(Some(2), None), Some("not_your_listing")),
            (edited(), 2, facts(Some(1), None), Some("wrong_device")),
            (lot(), 1, facts(None, None), None),
            (lot(), 1, facts(None, Some(1)), None),
            (lot(), 1, facts(None, Some(2)), Some("not_your_lot")),
            (
                lot(),
                1,
                Facts {
                    trace_code_taken: true,
                    ..facts(None, None)
                },
                Some("trace_code_taken"),
            ),
            (sale(Unit::Jar), 1, facts(Some(1), None), None),
            (
                sale(Unit::Jar),
                1,
                Facts {
                    id_holder: Some(seller(1)),
                    ..facts(Some(1), None)
                },
                None,
            ),
            (
                sale(Unit::Jar),
                1,
                Facts {
                    id_holder: Some(seller(2)),
                    ..facts(Some(1), None)
                },
                Some("id_taken"),
            ),
            (sale(Unit::Piece), 1, facts(Some(1), None), None),
            (
                sale(Unit::Kg),
                1,
                facts(Some(1), None),
                Some("unit_mismatch"),
            ),
            (
                sale(Unit::Jar),
                1,
                facts(None, None),
                Some("unknown_listing"),
            ),
            (
                sale(Unit::Jar),
                1,
                facts(Some(2), None),
                Some("not_your_listing"),
            ),
            (adjusted(), 1, facts(Some(1), None), None),
            (adjusted(), 1, facts(None, None), Some("unknown_listing")),
            (
                adjusted(),
                1,
                facts(Some(2), None),
                Some("not_your_listing"),
            ),
        ];
        for (payload, made_on, facts, expected) in cases {
            let op = op(device_id(made_on), payload);
            let got = authorize(&op, me(), &facts).err().map(|r| r.code);
            assert_eq!(
                got.as_ref().map(RefusalCode::as_str),
                expected,
                "{:?} from device {made_on} with {facts:?}",
                op.payload
            );
        }
    }

    #[test]
    fn rounds_are_staffs_and_an_answer_needs_an_open_round_with_the_sellers_order() {
        use highland_domain::{
            Load, Round, RoundAnswer, RoundId, RoundStop, ShortText, StopId, Weight,
        };
        let round_id = RoundId::from_uuid(Uuid::from_u128(80));
        let stop_id = StopId::from_uuid(Uuid::from_u128(81));
        let stop = highland_domain::Stop {
            id: stop_id,
            place: ShortText::parse("Yubeng").unwrap(),
            expected_at: highland_domain::round::parse_time("10:00").unwrap(),
        };
        let round = Round {
            id: round_id,
            date: "2026-10-15".parse().unwrap(),
            vehicle: ShortText::parse("truck").unwrap(),
            capacity: Weight::parse_kg("1000").unwrap(),
            stops: highland_domain::Stops::new(vec![stop]).unwrap(),
            state: RoundState::Planned,
        };
        let routed = Payload::OrderRouted {
            order_id: order_id(),
            round: Some(RoundStop { round_id, stop_id }),
        };
        let loaded = Payload::OrderLoaded {
            load: Load {
                order_id: order_id(),
                round_id,
                stop_id,
                quantity: Quantity::from_base(5, Unit::Jar).unwrap(),
                weight: Weight::from_grams(3_000).unwrap(),
                at: chrono::DateTime::UNIX_EPOCH,
            },
        };
        for payload in [Payload::RoundPublished { round }, routed, loaded] {
            let refused = authorize(&op(device_id(1), payload), me(), &Facts::default());
            assert_eq!(refused.unwrap_err().code, RefusalCode::StaffOnly);
        }

        let answered = op(
            device_id(1),
            Payload::RoundAnswered {
                round_id,
                answer: RoundAnswer::Coming,
                at: chrono::DateTime::UNIX_EPOCH,
            },
        );
        let on = |state, on_round| Facts {
            round: Some(state),
            on_round,
            ..Facts::default()
        };
        let code = |facts: &Facts| {
            authorize(&answered, me(), facts)
                .and_then(|()| check_transition(&answered, facts))
                .err()
                .map(|r| r.code)
        };
        assert_eq!(code(&Facts::default()), Some(RefusalCode::UnknownRound));
        assert_eq!(code(&on(RoundState::Planned, true)), None);
        assert_eq!(code(&on(RoundState::Loading, true)), None);
        assert_eq!(
            code(&on(RoundState::Planned, false)),
            Some(RefusalCode::NotOnRound)
        );
        for closed in [
            RoundState::OnTheRoad,
            RoundState::Done,
            RoundState::Cancelled,
        ] {
            assert_eq!(code(&on(closed, true)), Some(RefusalCode::RoundClosed));
        }
        let late = check_transition(&answered, &on(RoundState::Done, true)).unwrap_err();
        assert_eq!(
            late.message,
            "The round is done, so it takes no more answers."
        );

        let weighed = op(
            device_id(1),
            Payload::ListingWeighed {
                listing_id: listing(None).id,
                weight_per_unit: Some(Weight::from_grams(750).unwrap()),
            },
        );
        let of = |seller_of: u128, unit: Unit| Facts {
            listing: Some(KnownListing {
                seller: seller(seller_of),
                unit,
                status: ListingStatus::Listed,
            }),
            ..Facts::default()
        };
        let code = |facts: &Facts| authorize(&weighed, me(), facts).err().map(|r| r.code);
        assert_eq!(code(&of(1, Unit::Jar)), None);
        assert_eq!(code(&of(1, Unit::Kg)), Some(RefusalCode::WeightNotNeeded));
        assert_eq!(code(&of(2, Unit::Jar)), Some(RefusalCode::NotYourListing));
        assert_eq!(code(&Facts::default()), Some(RefusalCode::UnknownListing));
    }

    #[test]
    fn refusals_are_sentences() {
        let op = op(device_id(1), sale(Unit::Kg));
        let refusal = authorize(&op, me(), &facts(Some(1), None)).unwrap_err();
        assert!(refusal.message.ends_with('.'), "{}", refusal.message);
        assert!(refusal.message.contains("kg") && refusal.message.contains("jar"));
    }

    #[test]
    fn stamp_table() {
        let now = 1_000_000_000;
        // (sent wall ms, re-stamped?)
        let cases = [
            (now - 86_400_000, false),
            (now, false),
            (now + MAX_AHEAD_MS, false),
            (now + MAX_AHEAD_MS + 1, true),
            (now + 365 * 86_400_000, true),
        ];
        for (sent, restamped) in cases {
            let mut clock = HybridClock::new(Hlc::ZERO);
            let stamped = stamp(&mut clock, Hlc::from_wall_ms(sent), now);
            assert_eq!(stamped.restamped, restamped, "sent at {sent}");
            if restamped {
                assert_eq!(stamped.hlc.wall_ms(), now);
            } else {
                assert_eq!(stamped.hlc, Hlc::from_wall_ms(sent));
            }
            // The hub's clock never runs more than the allowance ahead.
            assert!(clock.last().wall_ms() <= now + MAX_AHEAD_MS);
            assert!(clock.last() >= stamped.hlc);
        }
    }

    #[test]
    fn a_restamped_operation_orders_after_everything_the_hub_has_seen() {
        let now = 5_000_000;
        let mut clock = HybridClock::new(Hlc::ZERO);
        let near = stamp(&mut clock, Hlc::from_wall_ms(now + 60_000), now);
        let far = stamp(&mut clock, Hlc::from_wall_ms(now + 86_400_000), now);
        assert!(far.restamped && far.hlc > near.hlc);
    }

    #[test]
    fn a_receipt_given_back_is_kept_only_while_its_order_waits_for_one() {
        let receipt = op(device_id(9), sale_of_an_order());
        let held = |state| Facts {
            listing: facts(Some(1), None).listing,
            ..order_facts(Some(1), state)
        };
        assert_eq!(
            held_for_own(&receipt, &held(OrderState::HandedOver)),
            Ok(())
        );
        // Received again since the hub went back, or not handed over yet:
        // a second receipt would count the goods twice.
        for state in [OrderState::Received, OrderState::Paid, OrderState::Accepted] {
            let refused = held_for_own(&receipt, &held(state)).unwrap_err();
            assert_eq!(refused.code, RefusalCode::OrderTransitionRefused, "{state}");
        }
        let refused = held_for_own(&receipt, &facts(Some(1), None)).unwrap_err();
        assert_eq!(refused.code, RefusalCode::UnknownOrder);
    }
}
