//! What the device (`highland ... --json`) and the hub (`highland-hub ... --json`) show of
//! listings and sales: the fields both print under the same names, so a device and the hub can
//! be compared with `==`. Fields only one side prints (the hub's `seller_id`, the device's
//! `listing_title`) are left out.

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Listing {
    pub id: String,
    pub title: String,
    pub category: String,
    pub unit: String,
    pub price_fen: i64,
    pub status: String,
    pub description: Option<String>,
    pub lot_id: Option<String>,
    /// Received + adjustments - sold, in `stock_unit`.
    pub stock: i64,
    pub stock_unit: String,
    pub stock_display: String,
    pub sold: i64,
    pub sales_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Sale {
    pub id: String,
    pub listing_id: String,
    pub quantity: i64,
    pub quantity_unit: String,
    pub unit: String,
    pub quantity_display: String,
    pub unit_price_fen: i64,
    pub total_fen: i64,
    pub payment: String,
    pub buyer: Option<String>,
    pub sold_at: String,
}

/// `highland sync --json`: what one finished sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SyncReport {
    pub pushed: u64,
    pub refused: u64,
    pub pulled: u64,
    pub round_trips: u32,
    pub retries: u32,
    pub bytes_up: u64,
    pub pending_ops: u64,
    #[serde(default)]
    pub photos_uploaded: u64,
    #[serde(default)]
    pub photo_bytes_up: u64,
    #[serde(default)]
    pub photo_bytes_left: u64,
}

/// `highland status --json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Status {
    pub device_id: String,
    pub listings: u64,
    pub sales: u64,
    pub pending_ops: u64,
    pub hub: Option<String>,
    pub seller_id: Option<String>,
    pub last_sync_at: Option<String>,
    pub last_error: Option<String>,
    /// The stable code of the error that stopped the last sync.
    #[serde(default)]
    pub last_error_code: Option<String>,
    pub refused_ops: Vec<serde_json::Value>,
    /// The last time the device found the hub gone back in time (restored
    /// from a backup), and what it sent again.
    #[serde(default)]
    pub hub_went_back: Option<HubWentBack>,
    /// The last time the device's own file went back, and what it took back.
    #[serde(default)]
    pub own_recovered: Option<OwnRecovered>,
    /// Pulled changes from a newer Highland waiting for an update.
    #[serde(default)]
    pub waiting_for_update: u64,
    /// Changes of this device the hub cannot read yet.
    #[serde(default)]
    pub deferred_ops: u64,
    /// The last time the device found its own file damaged, and what it did.
    #[serde(default)]
    pub store_repaired: Option<StoreRepair>,
    /// A newer Highland the hub carries for this device.
    #[serde(default)]
    pub release_ready: Option<ReleaseReady>,
}

/// `status --json`'s `release_ready`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ReleaseReady {
    pub version: String,
    pub size_bytes: u64,
}

/// `status --json`'s `store_repaired`: what the device did about its damaged file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StoreRepair {
    /// `indexes_rebuilt` or `store_rebuilt`.
    pub kind: String,
    pub set_aside: Option<String>,
    pub recovered: u64,
    pub recovered_sales: u64,
    pub unreadable: u64,
    pub enrollment_lost: bool,
}

/// `status --json`'s `own_recovered`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OwnRecovered {
    pub at: String,
    pub operations: u64,
    pub sales: u64,
}

/// `status --json`'s `hub_went_back`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HubWentBack {
    pub at: String,
    pub resent: u64,
    pub resent_sales: u64,
    #[serde(default)]
    pub returned: u64,
}
