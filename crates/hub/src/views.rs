//! What the hub shows of its merged state, with the same field names as the
//! device's views (highland-engine's views.rs) plus the seller, so tests and
//! scripts can compare a device's `highland listing list --json` with the
//! hub's `highland-hub listing list --json` field by field.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListingView {
    pub id: String,
    pub seller_id: String,
    pub title: String,
    pub category: String,
    /// The unit the price is per ("kg", "jin", "jar", ...).
    pub unit: String,
    pub price_fen: i64,
    pub status: String,
    pub description: Option<String>,
    pub lot_id: Option<String>,
    /// Available now: received plus adjustments minus sold minus
    /// `reserved`, in `stock_unit`. Negative when devices sold (or orders
    /// reserved) more between them than there was: the oversold amount.
    pub stock: i64,
    /// The base unit of `stock`: "g", "ml" or "count".
    pub stock_unit: String,
    /// The same stock written in the listing's unit, such as "12.5".
    pub stock_display: String,
    pub sold: i64,
    pub sales_count: i64,
    /// Held back for accepted orders not yet received, in `stock_unit`.
    pub reserved: i64,
    /// What one unit weighs, in grams, for a listing not sold by weight;
    /// null when unknown (and always for one sold by weight).
    pub weight_per_unit_g: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleView {
    pub id: String,
    pub listing_id: String,
    pub seller_id: String,
    /// The device that recorded the sale.
    pub device_id: String,
    /// In `quantity_unit`, the listing's base unit.
    pub quantity: i64,
    pub quantity_unit: String,
    /// The unit the quantity was recorded in.
    pub unit: String,
    pub quantity_display: String,
    pub unit_price_fen: i64,
    pub total_fen: i64,
    pub payment: String,
    pub buyer: Option<String>,
    pub sold_at: String,
    /// Set when the seller voided the sale: it no longer counts.
    pub voided: Option<SaleVoidView>,
}

/// Why and when a seller voided a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleVoidView {
    pub reason: String,
    /// RFC 3339, the voiding device's clock.
    pub at: String,
}

/// An order as staff see it. The fields it shares with the device's view
/// (highland-engine's `OrderView`) have the same names and meanings, so the
/// two compare field by field; the hub adds the seller and the staff's
/// record of receipt and payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderView {
    pub id: String,
    pub seller_id: String,
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
    /// placed, accepted, declined, handed-over, received, paid or cancelled.
    pub state: String,
    /// When the latest action was taken, by the clock of whoever took it
    /// (the seller's device, or the hub for staff actions).
    pub state_changed_at: String,
    /// Why the seller declined or staff cancelled, or null.
    pub reason: Option<String>,
    /// What the buyer received, in `quantity_unit` (may differ from `quantity`).
    pub received_quantity: Option<i64>,
    pub received_display: Option<String>,
    pub paid_fen: Option<i64>,
    pub paid_method: Option<String>,
    /// The sale the receipt recorded.
    pub sale_id: Option<String>,
    /// The collection round the order rides and its stop; null when none.
    pub round_id: Option<String>,
    pub stop_id: Option<String>,
    /// What was loaded at the stop, in `quantity_unit`, and what it
    /// weighed in grams; null until then.
    pub loaded_quantity: Option<i64>,
    pub loaded_display: Option<String>,
    pub loaded_weight_g: Option<i64>,
}

/// One thing that happened to an order, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderHistoryEntry {
    /// `place`, or the action: accept, decline, hand-over, receive, pay, cancel.
    pub action: String,
    /// `seller` or `staff`.
    pub actor: String,
    /// The device that took it; the hub's own id for staff actions.
    pub device_id: String,
    /// The staff member, as the caller named them, or null.
    pub staff: Option<String>,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: OrderView,
    pub history: Vec<OrderHistoryEntry>,
}

/// One page of orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPage {
    pub orders: Vec<OrderView>,
    /// Pass as `after` for the next page; null on the last one.
    pub next_after: Option<String>,
}
