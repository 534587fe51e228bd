//! The one boundary between the hub and its database. Handlers and admin
//! commands see only [`Storage`]. It is implemented once, in [`crate::sql`],
//! for every [`crate::sql::Backend`]: SQLite ([`crate::db`]) and PostgreSQL
//! ([`crate::pg`]).
//!
//! Methods block: the HTTP layer calls them on tokio's blocking pool. Each
//! method is one transaction, so nothing a caller does can leave half a
//! change behind.

use chrono::NaiveDate;
use highland_domain::wire::SyncResponse;
use highland_domain::{
    DeviceId, Gtin, ListingId, OrderAction, OrderId, PhotoSubject, Round, RoundCost, RoundId,
    RoundState, Sha256, StopId, TraceCode, TraceEvent, Weight,
};

use crate::catalog::{
    CatalogListing, ListingDetail, ListingQuery, Page, SellerQuery, SellerSummary,
};
use crate::photos::{PhotoReader, PhotoView, UploadError, UploadStatus};
use crate::secret::SecretHash;
use crate::staff::{LoginAttempt, LoginOutcome, LoginRules, NewStaff, StaffMember};
use crate::trace::chain::{Chain, ChainLot, Recorded};
use crate::views::{ListingView, OrderDetail, OrderPage, SaleView};
use crate::workshop::{ChangeMarker, Trainee, WorkshopSetting};
pub use highland_exchange::EnrolledDevice;
use highland_exchange::history::{Beginning, Incarnation};
use highland_exchange::orders::{NewOrder, OrderError, OrderFilter};
use highland_exchange::rounds::costs::CostReport;
use highland_exchange::rounds::view::RoundDetail;
use highland_exchange::rounds::{LoadEntry, RoundChoice, RoundError, RoundPlan};
use highland_exchange::sync::{PullRequest, Pushed};

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

/// The device a token was given to, revoked or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHolder {
    pub device: EnrolledDevice,
    /// Revoked by staff: its token no longer works.
    pub revoked: bool,
    /// The app version it last said it runs.
    pub app_version: Option<String>,
}

/// A device as the operator sees it (`highland-hub device list`, the
/// console's seller page). Times are RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeviceRecord {
    pub id: String,
    pub seller_id: String,
    pub seller_name: String,
    pub village: String,
    pub enrolled_at: String,
    pub last_sync_at: Option<String>,
    /// From the app's User-Agent, such as "0.1.0"; `None` until it syncs.
    pub app_version: Option<String>,
    /// The sync protocol version it spoke at its last sync.
    pub protocol: Option<u32>,
    pub revoked_at: Option<String>,
    /// Operations of its seller, made elsewhere, that it had not pulled at
    /// its last sync.
    pub not_pulled: u64,
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

    /// The device holding the token with this hash, if any, revoked or not.
    fn device_by_token(&self, token: &SecretHash) -> Result<Option<TokenHolder>>;

    /// Records the app version a device says it runs.
    fn set_app_version(&self, device: DeviceId, version: &str) -> Result<()>;

    /// Every enrolled device, or one seller's, oldest first.
    fn devices(&self, seller: Option<SellerId>) -> Result<Vec<DeviceRecord>>;

    /// The incarnation serving now; a database without one begins its
    /// first ([`highland_exchange::history`]).
    fn incarnation(&self, now_ms: u64) -> Result<Incarnation>;

    /// Begins a new incarnation: after a restore or a move to another
    /// back end.
    fn begin_incarnation(&self, reason: Beginning, now_ms: u64) -> Result<Incarnation>;

    /// Revokes a device: its token stops working at once, on every hub
    /// process; its seller's records stay. Fails with
    /// [`crate::Error::UnknownDevice`].
    fn revoke_device(&self, device: DeviceId, now_ms: u64) -> Result<DeviceRecord>;

    /// One sync: takes in what the device pushed, then reads the page of the
    /// log it may pull, in one transaction (see [`highland_exchange::sync::exchange`]).
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
    /// One listing's sales, oldest first, voided ones marked.
    fn listing_sales(&self, listing: ListingId) -> Result<Vec<SaleView>>;

    /// How many operations the log holds.
    fn log_length(&self) -> Result<u64>;

    // ---- The buyer's staff: members, console sessions, the catalog. -------
    // The rules are in crate::staff and crate::catalog; these store and read.

    /// Records a member of staff; fails with
    /// [`crate::Error::StaffNameTaken`] when the name is in use.
    fn add_staff(&self, staff: &NewStaff) -> Result<()>;

    /// Every member of staff, revoked ones too, oldest first.
    fn staff(&self) -> Result<Vec<StaffMember>>;

    /// Revokes a member's access: their token stops working and their
    /// sessions end. Fails with [`crate::Error::UnknownStaff`].
    fn revoke_staff(&self, name: &str, now_ms: u64) -> Result<StaffMember>;

    /// The active member holding the token with this hash, if any.
    fn staff_by_token(&self, token: &SecretHash) -> Result<Option<StaffMember>>;

    /// One login attempt, in one transaction (see [`crate::staff::log_in`]),
    /// so that parallel attempts, from this process or another, cannot
    /// all read the same failure count.
    fn log_in(&self, attempt: &LoginAttempt, rules: &LoginRules) -> Result<LoginOutcome>;

    /// The active member whose session has this hash, if it has not ended.
    fn staff_by_session(&self, session: &SecretHash, now_ms: u64) -> Result<Option<StaffMember>>;

    /// Ends a session (logging out); ending one that is gone is no error.
    fn end_session(&self, session: &SecretHash) -> Result<()>;

    /// A page of every village's listings, newest first, filtered.
    fn catalog_listings(&self, query: &ListingQuery) -> Result<Page<CatalogListing>>;

    /// One listing with its seller and lot.
    fn catalog_listing(&self, id: ListingId) -> Result<Option<ListingDetail>>;

    /// A page of sellers, newest first.
    fn catalog_sellers(&self, query: &SellerQuery) -> Result<Page<SellerSummary>>;

    // ---- End of the staff block. ------------------------------------------

    /// One listing with its stock, if the hub has it.
    fn listing(&self, id: ListingId) -> Result<Option<ListingView>>;

    // Orders: what the buyer's staff do (see [`highland_exchange::orders`] for the rules).
    // `staff` names who did it in the order's history; `None` when unknown.

    /// Places an order; its seller's devices pull it on their next sync.
    fn place_order(
        &self,
        order: &NewOrder,
        staff: Option<&str>,
        now_ms: u64,
    ) -> Result<OrderDetail, OrderError>;

    /// Records a staff action on an order: hand-over, receipt (which records
    /// the sale), payment or cancellation. Returns the order as it now is.
    fn act_on_order(
        &self,
        id: OrderId,
        action: OrderAction,
        staff: Option<&str>,
        now_ms: u64,
    ) -> Result<OrderDetail, OrderError>;

    /// A page of orders, without their histories.
    fn orders(&self, filter: &OrderFilter) -> Result<OrderPage>;

    /// One order with its history, if the hub has it.
    fn order(&self, id: OrderId) -> Result<Option<OrderDetail>>;

    // Collection rounds: what the buyer's staff plan and record (see
    // [`highland_exchange::rounds`] for the rules). Each write tells the sellers whose
    // orders ride the round, through their logs.

    /// Plans a new round; fails with [`RoundError::RoundExists`] when the
    /// id is taken (a retry after a lost answer).
    fn plan_round(
        &self,
        id: RoundId,
        plan: &RoundPlan,
        now_ms: u64,
    ) -> Result<RoundDetail, RoundError>;

    /// Replaces an open round's plan.
    fn edit_round(
        &self,
        id: RoundId,
        plan: &RoundPlan,
        now_ms: u64,
    ) -> Result<RoundDetail, RoundError>;

    /// Moves a round on, or cancels it.
    fn move_round(
        &self,
        id: RoundId,
        to: RoundState,
        now_ms: u64,
    ) -> Result<RoundDetail, RoundError>;

    /// Records what a done round cost.
    fn record_round_cost(
        &self,
        id: RoundId,
        cost: &RoundCost,
        now_ms: u64,
    ) -> Result<RoundDetail, RoundError>;

    /// Puts an order on a round (or takes it off any, with `None`).
    fn route_order(
        &self,
        order: OrderId,
        to: Option<RoundChoice>,
        staff: Option<&str>,
        now_ms: u64,
    ) -> Result<OrderDetail, RoundError>;

    /// Records what was loaded at a stop, all or none.
    fn load_at_stop(
        &self,
        round: RoundId,
        stop: StopId,
        loads: &[LoadEntry],
        staff: Option<&str>,
        now_ms: u64,
    ) -> Result<RoundDetail, RoundError>;

    /// Sets (or clears) what one unit of a listing weighs.
    fn weigh_listing(
        &self,
        listing: ListingId,
        weight_per_unit: Option<Weight>,
        staff: Option<&str>,
        now_ms: u64,
    ) -> Result<ListingView, RoundError>;

    /// Rounds on or after `from` (every one when `None`), newest first.
    fn rounds(&self, from: Option<NaiveDate>, limit: usize) -> Result<Vec<RoundDetail>>;

    /// One round with its loads, if the hub has it.
    fn round(&self, id: RoundId) -> Result<Option<RoundDetail>>;

    /// The rounds an order may be put on now (planned or loading), soonest first.
    fn open_rounds(&self) -> Result<Vec<Round>>;

    /// What each kilogram cost, per done round and per village.
    fn round_costs(&self) -> Result<CostReport>;

    /// The chain of the lot with this code: the lots it was made from and
    /// everything recorded about them. With a GTIN (a GS1 Digital Link),
    /// only a product lot made under that GTIN is found.
    fn trace_chain(&self, code: &TraceCode, gtin: Option<&Gtin>) -> Result<Option<Chain>>;

    /// Records a step of a lot's chain at the buyer's. The same event
    /// recorded twice is kept once. Fails with [`crate::Error::UnknownLot`]
    /// when the lot (or a processing step's input) is not known.
    fn record_trace_event(&self, event: &TraceEvent, now_ms: u64) -> Result<Recorded>;

    /// The newest lots, village and product alike.
    fn recent_lots(&self, limit: u32) -> Result<Vec<ChainLot>>;

    // ---- Photos (see crate::photos and docs/sync-protocol.md, section 13).

    /// Where the upload of a file stands, for a device of `seller`; `None`
    /// when no photo of theirs (not removed) names the file.
    fn upload_status(&self, seller: SellerId, name: Sha256) -> Result<Option<UploadStatus>>;

    /// Opens the upload of a file (once; later calls find it open). Fails
    /// with [`UploadError::TooManyUploads`] when `device` has as many
    /// unfinished uploads as it may.
    fn start_upload(
        &self,
        device: EnrolledDevice,
        name: Sha256,
        length: u64,
        now_ms: u64,
    ) -> Result<(), UploadError>;

    /// Keeps the next bytes of an upload at `offset`, which must be what
    /// the hub holds; returns the new offset.
    fn append_upload(
        &self,
        seller: SellerId,
        name: Sha256,
        offset: u64,
        bytes: &[u8],
    ) -> Result<u64, UploadError>;

    /// Every byte received of an upload, in order.
    fn upload_bytes(&self, name: Sha256) -> Result<Vec<u8>>;

    /// Records a verified file as stored and forgets its upload's parts.
    fn finish_upload(&self, name: Sha256, bytes: u64, now_ms: u64) -> Result<()>;

    /// Forgets an upload and its parts (its file did not verify).
    fn drop_upload(&self, name: Sha256) -> Result<()>;

    /// The length of a stored file that `reader` may download.
    fn photo_file(&self, name: Sha256, reader: PhotoReader) -> Result<Option<u64>>;

    /// A listing's or a lot's photos, not removed, oldest first.
    fn photos_of(&self, subject: PhotoSubject) -> Result<Vec<PhotoView>>;

    // ---- Workshop mode (see crate::workshop). -----------------------------

    /// A workshop setting and when it was last set; `None` if never set.
    fn workshop_setting(&self, key: &str) -> Result<Option<WorkshopSetting>>;

    /// Sets a workshop setting, or clears it with `None` (keeping the time).
    fn set_workshop_setting(&self, key: &str, value: Option<&str>, now_ms: u64) -> Result<()>;

    /// Records a new seller as trainee `number`, with the code for their
    /// first device, in one transaction.
    fn add_trainee(&self, number: u32, seller: &Seller, code: &NewCode) -> Result<()>;

    /// Every trainee, by number, with their devices and latest sync.
    fn trainees(&self) -> Result<Vec<Trainee>>;

    /// Gives an active member of staff a new token; the old one stops
    /// working. Fails with [`crate::Error::UnknownStaff`].
    fn replace_staff_token(&self, name: &str, token: &SecretHash) -> Result<StaffMember>;

    /// What changes whenever the log grows, a device syncs or a workshop
    /// setting changes: the projector's cue to redraw.
    fn change_marker(&self) -> Result<ChangeMarker>;
}
