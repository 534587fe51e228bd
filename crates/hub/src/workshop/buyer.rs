//! The workshop's buyer: a short while after a trainee's new listing
//! reaches the hub, it orders one unit of it, so every trainee gets an
//! order to accept (the lesson's fifth step) without the trainer placing
//! ten orders by hand in the console.
//!
//! It orders each listing once, ever: it looks for an existing order of the
//! listing before placing one, so a restarted workshop does not order again.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use highland_domain::{Description, ListingId, OrderId, Price, Quantity, Unit};
use tokio::sync::watch;

use super::{Tuning, WorkshopError, blocking, seed::BUYER};
use crate::views::ListingView;
use crate::{Storage, WallClock};
use highland_exchange::orders::{NewOrder, OrderError, OrderFilter};

/// What the buyer remembers between rounds.
#[derive(Default)]
struct Buyer {
    /// When each trainee listing was first seen, by the hub's clock.
    first_seen_ms: HashMap<String, u64>,
    /// Listings already ordered (by this buyer or anyone).
    ordered: HashSet<String>,
}

/// Runs until `stop` turns true.
pub(crate) async fn run(
    store: Arc<dyn Storage>,
    clock: Arc<dyn WallClock>,
    tuning: Tuning,
    mut stop: watch::Receiver<bool>,
) {
    let mut buyer = Some(Buyer::default());
    loop {
        tokio::select! {
            _ = stop.wait_for(|stop| *stop) => return,
            () = tokio::time::sleep(tuning.poll) => {}
        }
        let (store, now_ms) = (store.clone(), clock.now_ms());
        let Some(mut state) = buyer.take() else {
            return;
        };
        let delay_ms = tuning.buyer_delay.as_millis() as u64;
        let round = blocking(move || {
            let result = state.round(store.as_ref(), delay_ms, now_ms);
            Ok((state, result))
        })
        .await;
        match round {
            Ok((state, Ok(placed))) => {
                if placed > 0 {
                    tracing::info!(orders = placed, "the workshop's buyer ordered new listings");
                }
                buyer = Some(state);
            }
            Ok((state, Err(e))) => {
                tracing::warn!("the workshop's buyer could not order: {e}");
                buyer = Some(state);
            }
            Err(e) => {
                tracing::warn!("the workshop's buyer stopped: {e}");
                return;
            }
        }
    }
}

impl Buyer {
    /// Orders every trainee listing seen at least `delay_ms` ago and not
    /// ordered yet; returns how many orders it placed.
    fn round(
        &mut self,
        store: &dyn Storage,
        delay_ms: u64,
        now_ms: u64,
    ) -> Result<usize, WorkshopError> {
        let trainees: HashSet<String> = store
            .trainees()?
            .into_iter()
            .map(|t| t.seller_id.to_string())
            .collect();
        let mut placed = 0;
        // One read of every listing, not one per trainee, every round.
        for listing in store.listings(None)? {
            if !trainees.contains(&listing.seller_id)
                || self.ordered.contains(&listing.id)
                || !orderable(&listing)
            {
                continue;
            }
            let seen = *self
                .first_seen_ms
                .entry(listing.id.clone())
                .or_insert(now_ms);
            if now_ms.saturating_sub(seen) < delay_ms {
                continue;
            }
            if order_once(store, &listing, now_ms)? {
                placed += 1;
            }
            self.ordered.insert(listing.id);
        }
        Ok(placed)
    }
}

/// A listing that is listed and has stock to sell.
fn orderable(listing: &ListingView) -> bool {
    listing.status == "listed" && listing.stock > 0
}

/// Orders one unit of the listing (or all its stock, when less), unless
/// it has an order already; true when it placed one.
fn order_once(
    store: &dyn Storage,
    listing: &ListingView,
    now_ms: u64,
) -> Result<bool, WorkshopError> {
    let id: ListingId = listing.id.parse()?;
    let existing = store.orders(&OrderFilter {
        listing: Some(id),
        limit: 1,
        ..OrderFilter::default()
    })?;
    if !existing.orders.is_empty() {
        return Ok(false);
    }
    let unit: Unit = listing.unit.parse()?;
    let quantity = Quantity::from_base(listing.stock.min(unit.factor()), unit)?;
    let order = NewOrder {
        id: OrderId::new(),
        listing_id: id,
        quantity,
        unit_price: Price::from_fen(listing.price_fen)?,
        hand_over_by: None,
        note: Some(Description::parse("工作坊订单 Workshop order")?),
        round: Some(super::round::choice()),
    };
    let placed = match store.place_order(&order, Some(BUYER), now_ms) {
        // The trainer moved the demo round on, or a trainee's village is
        // not on it: the order goes without a truck.
        Err(OrderError::Round(_)) => {
            let order = NewOrder {
                round: None,
                ..order
            };
            store.place_order(&order, Some(BUYER), now_ms)
        }
        placed => placed,
    };
    match placed {
        Ok(_) => Ok(true),
        // Sold out or withdrawn since it was read: nothing to order.
        Err(OrderError::ListingNotOpen { .. }) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
