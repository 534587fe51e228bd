//! What the run asked of the system, as it asked it: every sale a device
//! recorded, every quantity of stock a device received or adjusted, and
//! the operations of kinds this build does not know. The checks hold the
//! parts to it; nothing here decides how the parts should merge.

use std::collections::BTreeMap;

use highland_domain::{ListingId, SaleId};

#[derive(Debug, Clone, Copy)]
pub struct SaleMade {
    pub device: usize,
    pub seller: usize,
}

/// A change of stock outside sales, made on `device`, in base units.
#[derive(Debug, Clone, Copy)]
pub struct StockMoved {
    pub device: usize,
    pub change: i64,
}

#[derive(Debug, Default)]
pub struct Ledger {
    pub sales: BTreeMap<SaleId, SaleMade>,
    /// Received stock and adjustments, by listing, in the order made.
    pub stock: BTreeMap<ListingId, Vec<StockMoved>>,
    /// Operations of a kind this build does not know, written on a device
    /// as a newer app would: (device, operation id).
    pub newer_on_devices: Vec<(usize, String)>,
    /// The same, logged on the hub as a newer hub did: (seller, operation id).
    pub newer_on_hub: Vec<(usize, String)>,
}

impl Ledger {
    /// Device `device` received or adjusted `change` of `listing`'s stock.
    pub fn stock_moved_by(&mut self, listing: ListingId, device: usize, change: i64) {
        self.stock
            .entry(listing)
            .or_default()
            .push(StockMoved { device, change });
    }

    /// Stock received and adjusted for `listing` on the devices `counted`.
    pub fn stock_moved(&self, listing: ListingId, counted: impl Fn(usize) -> bool) -> i64 {
        self.stock
            .get(&listing)
            .into_iter()
            .flatten()
            .filter(|m| counted(m.device))
            .map(|m| m.change)
            .sum()
    }
}
