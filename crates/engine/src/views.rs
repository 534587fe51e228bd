//! What the store shows: read models with stable field names, shared by the
//! command line's `--json` output and the app. Money is integer fen in fields
//! ending `_fen`; quantities are integers in their base unit, named beside them.

use serde::Serialize;

/// A listing as a seller sees it, with its derived stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
pub struct ListingDetail {
    #[serde(flatten)]
    pub listing: ListingView,
    pub sales: Vec<SaleView>,
    pub adjustments: Vec<AdjustmentView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotView {
    pub id: String,
    pub village: String,
    pub altitude_m: Option<i32>,
    pub harvested_on: Option<String>,
    pub environment: Option<String>,
}

/// The store at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusView {
    pub device_id: String,
    pub listings: i64,
    pub lots: i64,
    pub sales: i64,
    /// Operations waiting for the hub.
    pub pending_ops: u64,
}
