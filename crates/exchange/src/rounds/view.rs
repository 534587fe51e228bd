//! What staff see of a round: its plan, and its load per stop and in
//! total, in grams (the console shows kilograms). The same shapes go out on
//! `/v1/rounds` and feed the console and the loading sheet.

use serde::{Deserialize, Serialize};

/// A round with its loads. Weights are grams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundDetail {
    pub id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub vehicle: String,
    pub capacity_g: i64,
    /// planned, loading, on-the-road, done or cancelled.
    pub state: String,
    /// The states the round may move to now.
    pub next_states: Vec<String>,
    /// In the order the truck makes them, each with its orders.
    pub stops: Vec<StopLoad>,
    pub totals: LoadTotals,
    /// What the trip cost, once recorded.
    pub cost: Option<CostView>,
    /// The cost for each kilogram loaded, in fen; null until both are known.
    pub fen_per_kg: Option<i64>,
}

/// Loads added up: expected from accepted orders, confirmed by sellers who
/// said they will be there, and loaded at the stops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoadTotals {
    pub expected_g: i64,
    pub confirmed_g: i64,
    pub loaded_g: i64,
    /// Accepted orders whose weight is not known (a listing not sold by
    /// weight, with no weight per unit): the expected weight leaves them out.
    pub unweighed: u32,
    /// Orders placed and not answered yet: not expected until accepted.
    pub awaiting: u32,
    /// The largest of expected and loaded, in thousandths of the vehicle's
    /// capacity (1000 is full).
    pub share_permille: i64,
    pub over_capacity: bool,
}

/// One stop with what rides from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StopLoad {
    pub id: String,
    pub place: String,
    /// `HH:MM`, China Standard Time.
    pub expected_at: String,
    pub totals: LoadTotals,
    pub lines: Vec<LoadLine>,
}

/// One order at a stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoadLine {
    pub order_id: String,
    pub seller_id: String,
    pub seller_name: String,
    pub listing_id: String,
    pub listing_title: String,
    /// The trace code of the listing's lot, grouped for reading, if any.
    pub lot_code: Option<String>,
    /// In the base unit of `unit`.
    pub quantity: i64,
    pub unit: String,
    pub quantity_display: String,
    /// The order's state.
    pub state: String,
    /// What the order should weigh; null when it cannot be known.
    pub weight_g: Option<i64>,
    /// The seller's answer: coming, not-coming, or null.
    pub answer: Option<String>,
    pub answer_reason: Option<String>,
    pub loaded_quantity: Option<i64>,
    pub loaded_display: Option<String>,
    pub loaded_weight_g: Option<i64>,
}

/// A round's cost, in fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CostView {
    pub fuel_fen: i64,
    pub driver_fen: i64,
    pub tolls_fen: i64,
    pub total_fen: i64,
}
