//! What the hub shows of its merged state, with the same field names as the
//! device's views (highland-engine's views.rs) plus the seller, so tests and
//! scripts can compare a device's `highland listing list --json` with the
//! hub's `highland-hub listing list --json` field by field.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Received plus adjustments minus sold, in `stock_unit`. Negative when
    /// devices sold more between them than there was: the oversold amount.
    pub stock: i64,
    /// The base unit of `stock`: "g", "ml" or "count".
    pub stock_unit: String,
    /// The same stock written in the listing's unit, such as "12.5".
    pub stock_display: String,
    pub sold: i64,
    pub sales_count: i64,
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
}
