//! What the store shows: read models with stable field names, shared by the
//! command line's `--json` output and the app. Money is integer fen in fields
//! ending `_fen`; quantities are integers in their base unit, named beside them.

use serde::Serialize;

/// A listing as a seller sees it, with its derived stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ListingView {
    pub id: String,
    pub title: String,
    pub category: String,
    /// The unit the price is per ("kg", "jin", "jar", ...).
    pub unit: String,
    pub price_fen: i64,
    pub status: String,
    pub description: Option<String>,
    pub lot_id: Option<String>,
    /// Available now: received plus adjustments minus sold minus `reserved`,
    /// in `stock_unit`. Negative when devices sold (or orders reserved) more
    /// between them than there was: the oversold amount.
    pub stock: i64,
    /// The base unit of `stock`: "g", "ml" or "count".
    pub stock_unit: String,
    /// The same stock written in the listing's unit, such as "12.5".
    pub stock_display: String,
    pub sold: i64,
    pub sales_count: i64,
    /// Held back for accepted orders not yet received, in `stock_unit`.
    pub reserved: i64,
    /// At or below the seller's low-stock mark (`Settings::low_stock_at`).
    pub low_stock: bool,
    /// What one unit weighs, in grams, for a listing not sold by weight;
    /// null when unknown (and always for one sold by weight).
    pub weight_per_unit_g: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SaleView {
    pub id: String,
    pub listing_id: String,
    pub listing_title: String,
    /// In `quantity_unit`, the listing's base unit.
    pub quantity: i64,
    pub quantity_unit: String,
    /// The listing's unit, for showing the quantity as the seller typed it.
    pub unit: String,
    pub quantity_display: String,
    pub unit_price_fen: i64,
    pub total_fen: i64,
    pub payment: String,
    pub buyer: Option<String>,
    pub sold_at: String,
    /// The order whose receipt this sale records; such a sale cannot be
    /// voided by the seller.
    pub order_id: Option<String>,
    /// Set when the sale was voided: it no longer counts in stock or totals.
    pub voided: Option<VoidView>,
}

/// Why and when a sale was voided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VoidView {
    pub reason: String,
    /// RFC 3339, the voiding device's clock.
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AdjustmentView {
    pub id: String,
    pub kind: String,
    pub change: i64,
    pub change_unit: String,
    pub change_display: String,
    pub reason: Option<String>,
    pub at: String,
}

/// A listing with its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ListingDetail {
    #[serde(flatten)]
    pub listing: ListingView,
    pub sales: Vec<SaleView>,
    pub adjustments: Vec<AdjustmentView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LotView {
    pub id: String,
    pub village: String,
    pub altitude_m: Option<i32>,
    pub harvested_on: Option<String>,
    pub environment: Option<String>,
}

/// An order from the central buyer as the seller sees it. The fields it
/// shares with the hub's view (highland-hub's `OrderView`) have the same
/// names and meanings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderView {
    pub id: String,
    pub listing_id: String,
    pub listing_title: String,
    /// In `quantity_unit`, the listing's base unit.
    pub quantity: i64,
    pub quantity_unit: String,
    /// The listing's unit, in which `quantity_display` is written.
    pub unit: String,
    pub quantity_display: String,
    pub unit_price_fen: i64,
    /// Price times quantity, rounded to the nearest fen.
    pub total_fen: i64,
    /// `YYYY-MM-DD`, or null.
    pub hand_over_by: Option<String>,
    pub note: Option<String>,
    /// RFC 3339, UTC, by the hub's clock.
    pub placed_at: String,
    /// What the seller sees: the hub's state with this device's pending
    /// action applied. placed, accepted, declined, handed-over, received,
    /// paid or cancelled.
    pub state: String,
    /// The state as the hub last confirmed it.
    pub confirmed_state: String,
    /// The seller's latest action that waits for the hub (accept, decline,
    /// hand-over), or null.
    pub pending_action: Option<String>,
    /// Why the hub refused the seller's last action, or null.
    pub refusal: Option<RefusalView>,
    /// Why the seller declined or staff cancelled, or null.
    pub reason: Option<String>,
    /// What the buyer received, in `quantity_unit` (may differ from `quantity`).
    pub received_quantity: Option<i64>,
    pub received_display: Option<String>,
    pub paid_fen: Option<i64>,
    pub paid_method: Option<String>,
    /// The sale the buyer's receipt recorded.
    pub sale_id: Option<String>,
    /// The collection round the order rides, and the stop its goods are
    /// collected at; null when it rides none.
    pub round_id: Option<String>,
    pub stop_id: Option<String>,
    /// What was loaded onto the round's truck, in `quantity_unit`, and what
    /// it weighed in grams; null until the hand-over at the stop.
    pub loaded_quantity: Option<i64>,
    pub loaded_display: Option<String>,
    pub loaded_weight_g: Option<i64>,
}

/// A collection round as the seller sees it, at one stop where their
/// orders are collected: "the truck comes to Yubeng on Thursday at about
/// 10:00; bring 12 kg of yak meat and 6 jars of honey".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RoundView {
    pub id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub vehicle: String,
    /// planned, loading, on-the-road, done or cancelled.
    pub state: String,
    /// This seller's stop.
    pub stop: StopView,
    /// Every stop of the round, in the order the truck makes them.
    pub stops: Vec<StopView>,
    /// What to bring: the accepted orders at this stop, summed by listing.
    pub bring: Vec<BringView>,
    /// This seller's orders at this stop, in any state.
    pub orders: Vec<RoundOrderView>,
    /// The seller's answer: coming, not-coming, or null before any.
    pub answer: Option<String>,
    pub answer_reason: Option<String>,
    /// The answer shown waits for the hub.
    pub answer_pending: bool,
    /// Why the hub refused the seller's last answer, until they answer again.
    pub refusal: Option<RefusalView>,
}

/// One stop of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StopView {
    pub id: String,
    pub place: String,
    /// `HH:MM`, China Standard Time, on the round's date.
    pub expected_at: String,
}

/// One listing's goods to bring to a stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BringView {
    pub listing_id: String,
    pub listing_title: String,
    /// In the base unit of `unit`.
    pub quantity: i64,
    pub unit: String,
    pub quantity_display: String,
}

/// One of the seller's orders on a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RoundOrderView {
    pub order_id: String,
    pub listing_id: String,
    pub listing_title: String,
    /// In the base unit of `unit`.
    pub quantity: i64,
    pub unit: String,
    pub quantity_display: String,
    /// What it should weigh, in grams; null for a listing not sold by weight
    /// that has no weight per unit.
    pub weight_g: Option<i64>,
    pub state: String,
    pub stop_id: String,
    pub loaded_display: Option<String>,
    pub loaded_weight_g: Option<i64>,
}

/// The hub's refusal of one of the seller's actions on an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefusalView {
    /// The action refused: accept, decline or hand-over; `answer` for an
    /// answer to a round.
    pub action: String,
    /// A stable code: order_transition_refused, not_your_order, unknown_order, ...
    pub code: String,
    /// A sentence to show, such as "An order that is cancelled cannot be accepted."
    pub message: String,
}

/// One thing the hub confirmed about an order, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderHistoryView {
    /// `place`, or the action: accept, decline, hand-over, receive, pay, cancel.
    pub action: String,
    /// `seller` or `staff`.
    pub actor: String,
    /// RFC 3339, by the clock of whoever took it.
    pub at: String,
    pub reason: Option<String>,
    /// The quantity received, in the order's `quantity_unit`.
    pub quantity: Option<i64>,
    pub quantity_display: Option<String>,
    pub amount_fen: Option<i64>,
    pub method: Option<String>,
}

/// An order with its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: OrderView,
    pub history: Vec<OrderHistoryView>,
}

/// The store at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StatusView {
    pub device_id: String,
    pub listings: i64,
    pub lots: i64,
    pub sales: i64,
    pub orders: i64,
    /// Orders placed that wait for the seller to accept or decline.
    pub orders_to_answer: i64,
    /// Operations waiting for the hub.
    pub pending_ops: u64,
}

/// What one day's sales came to, in the seller's local calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DaySalesView {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub total_fen: i64,
    pub count: i64,
}

/// A certificate of compliance (承诺达标合格证) as it was issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CertificateView {
    pub id: String,
    pub lot_id: String,
    pub product: String,
    /// In `quantity_unit`, the base unit of `unit`.
    pub quantity: i64,
    pub quantity_unit: String,
    /// The unit it was issued in, in which `quantity_display` is written.
    pub unit: String,
    pub quantity_display: String,
    /// The lot's village.
    pub origin: String,
    pub issuer: String,
    pub contact: Option<String>,
    /// `YYYY-MM-DD`.
    pub issued_on: String,
    /// What the promise rests on: lab_test, self_test, quality_control or own_word.
    pub basis: String,
}

/// A photo of a listing or a lot, with where its files are.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PhotoView {
    pub id: String,
    /// "listing" or "lot".
    pub subject_kind: String,
    pub subject_id: String,
    /// At most 1600 pixels on its longest side.
    pub display: PhotoFileView,
    /// At most 320 pixels; uploads and downloads first.
    pub thumbnail: PhotoFileView,
    /// The hub has the photo's record, but not yet both of its files.
    pub waiting_to_upload: bool,
    /// The hub refused the photo (see `highland status` for why); its files
    /// will not upload.
    pub refused: bool,
    /// Where a lot's photo was taken, when the seller kept it: decimal
    /// degrees north and east.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// One stored version of a photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PhotoFileView {
    pub sha256: String,
    pub bytes: i64,
    pub width: u32,
    pub height: u32,
    /// The file is on this device (taken here, or downloaded).
    pub here: bool,
    /// The hub holds the whole file.
    pub on_hub: bool,
    /// Where the file is, when it is here.
    pub path: Option<String>,
}

/// What photo files are left to move, and how many bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PhotoTransfers {
    pub uploads_waiting: u64,
    pub upload_bytes_left: u64,
    pub downloads_waiting: u64,
    pub download_bytes_left: u64,
}
