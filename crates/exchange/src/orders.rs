//! What the buyer's staff do with orders: place one, and record its
//! hand-over, receipt, payment or cancellation. The seller's side (accept,
//! decline, hand over) arrives as proposals in a sync and is checked in
//! [`crate::sync`].
//!
//! Every staff action is an operation the hub makes itself, under its own
//! device id and clock, appended to the log under the order's seller and
//! applied by [`crate::sync`]'s rules, so the seller's devices pull it like
//! any other. A receipt makes two: the sale it records (at the order's
//! price, for the quantity received, linked to the order), then the receipt
//! itself, which ends the order's hold on the listing's stock. The sale
//! comes first so that a device that pulls one page and not yet the next
//! counts the goods twice for a moment, never zero times: it may refuse a
//! sale it could make, but it cannot oversell.
//!
//! Each function here runs inside the caller's transaction (see
//! [`crate::Storage::place_order`] and [`crate::Storage::act_on_order`]) and
//! changes nothing when it fails. Replaying one (a response lost on the
//! way) is refused by the state machine or as a duplicate id, so a receipt
//! never records two sales.

use chrono::NaiveDate;
use highland_domain::order::TransitionRefused;
use highland_domain::{
    Actor, Description, DomainError, ListingId, ListingStatus, Order, OrderAction, OrderId,
    OrderState, Payload, PaymentMethod, Price, Quantity, Sale, SaleId,
};
use thiserror::Error;

use crate::SellerId;
use crate::authored::{author, time};
use crate::rounds::RoundChoice;
use crate::sync::Ledger;

/// An order staff are about to place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// Made by the caller (`OrderId::new()`), so that a caller who lost the
    /// answer can tell by [`OrderError::OrderExists`] that the order was placed.
    pub id: OrderId,
    pub listing_id: ListingId,
    /// In the listing's unit, or another unit of the same measure (grams
    /// for a listing sold by the kilogram).
    pub quantity: Quantity,
    pub unit_price: Price,
    pub hand_over_by: Option<NaiveDate>,
    pub note: Option<Description>,
    /// The collection round the order rides, if staff chose one.
    pub round: Option<RoundChoice>,
}

/// Which orders to list, and which page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFilter {
    pub state: Option<OrderState>,
    pub seller: Option<SellerId>,
    pub listing: Option<ListingId>,
    /// The page after this order (the previous page's `next_after`).
    pub after: Option<OrderId>,
    /// At most this many; clamped to 1..=[`OrderFilter::MAX_LIMIT`].
    pub limit: usize,
    /// Newest placement first, as a console shows them; else oldest first.
    pub newest_first: bool,
}

impl OrderFilter {
    pub const DEFAULT_LIMIT: usize = 50;
    pub const MAX_LIMIT: usize = 500;
}

impl Default for OrderFilter {
    fn default() -> Self {
        OrderFilter {
            state: None,
            seller: None,
            listing: None,
            after: None,
            limit: OrderFilter::DEFAULT_LIMIT,
            newest_first: false,
        }
    }
}

/// Why staff could not do what they asked. [`OrderError::code`] is the
/// stable name to branch on; the message is a sentence for people.
#[derive(Debug, Error)]
pub enum OrderError {
    #[error("no order with id {0}")]
    UnknownOrder(OrderId),
    #[error("no listing with id {0}")]
    UnknownListing(ListingId),
    #[error("the listing is {status}; orders are placed only for listed or sold-out listings")]
    ListingNotOpen { status: ListingStatus },
    #[error("an order with id {0} already exists")]
    OrderExists(OrderId),
    #[error("only the seller can {action} an order, from their device")]
    SellerOnly { action: &'static str },
    #[error(transparent)]
    Transition(#[from] TransitionRefused),
    /// The round the order was to ride refused it.
    #[error(transparent)]
    Round(#[from] crate::rounds::RoundError),
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// The database or the hub failed; see [`crate::Error`].
    #[error(transparent)]
    Hub(#[from] crate::Error),
}

impl OrderError {
    /// A stable, machine-readable name for the kind of error. Never rename
    /// one: clients branch on it. `Hub` errors are the hub's own failures.
    pub fn code(&self) -> &'static str {
        match self {
            OrderError::UnknownOrder(_) => "unknown_order",
            OrderError::UnknownListing(_) => "unknown_listing",
            OrderError::ListingNotOpen { .. } => "listing_not_open",
            OrderError::OrderExists(_) => "order_exists",
            OrderError::SellerOnly { .. } => "seller_only",
            OrderError::Transition(_) => "order_transition_refused",
            OrderError::Round(e) => e.code(),
            OrderError::Invalid(e) => e.code(),
            OrderError::Hub(_) => "internal",
        }
    }
}

/// Places `new` for its listing's seller. The listing must be listed or
/// sold out (a buyer may order the next harvest), not a draft or archived.
pub fn place(
    ledger: &mut impl Ledger,
    new: &NewOrder,
    staff: Option<&str>,
    now_ms: u64,
) -> Result<(), OrderError> {
    if ledger.order(new.id)?.is_some() {
        return Err(OrderError::OrderExists(new.id));
    }
    let listing = ledger
        .listing(new.listing_id)?
        .ok_or(OrderError::UnknownListing(new.listing_id))?;
    if !matches!(
        listing.status,
        ListingStatus::Listed | ListingStatus::SoldOut
    ) {
        return Err(OrderError::ListingNotOpen {
            status: listing.status,
        });
    }
    let order = Order {
        id: new.id,
        listing_id: new.listing_id,
        quantity: new.quantity.in_unit(listing.unit)?,
        unit_price: new.unit_price,
        hand_over_by: new.hand_over_by,
        note: new.note.clone(),
        placed_at: time(now_ms),
    };
    let mut payloads = vec![Payload::OrderPlaced { order }];
    if let Some(to) = new.round {
        payloads.extend(crate::rounds::route_payloads(
            ledger,
            new.id,
            listing.seller,
            to,
        )?);
    }
    Ok(author(ledger, listing.seller, payloads, staff, now_ms)?)
}

/// Records what staff did to order `id`: a hand-over the seller did not
/// record, the receipt (which records the sale), the payment, or a
/// cancellation. Accepting and declining are the seller's alone.
pub fn act(
    ledger: &mut impl Ledger,
    id: OrderId,
    action: OrderAction,
    staff: Option<&str>,
    now_ms: u64,
) -> Result<(), OrderError> {
    let order = ledger.order(id)?.ok_or(OrderError::UnknownOrder(id))?;
    if !action.may_be_taken_by(Actor::Staff) {
        return Err(OrderError::SellerOnly {
            action: action.slug(),
        });
    }
    order.state.after(&action)?;
    let at = time(now_ms);
    let mut payloads = Vec::with_capacity(2);
    let action = match action {
        OrderAction::Receive { quantity } => {
            let quantity = quantity.in_unit(order.quantity.unit())?;
            payloads.push(Payload::SaleRecorded {
                sale: Sale {
                    id: SaleId::new(),
                    listing_id: order.listing,
                    quantity,
                    unit_price: order.unit_price,
                    // The buyer settles orders by bank transfer; how it was
                    // actually paid is the order's, recorded with `pay`.
                    payment: PaymentMethod::Bank,
                    buyer: None,
                    sold_at: at,
                    order_id: Some(id),
                },
            });
            OrderAction::Receive { quantity }
        }
        OrderAction::Pay { amount, .. } if amount.fen() == 0 => {
            return Err(DomainError::NotPositive { field: "amount" }.into());
        }
        other => other,
    };
    payloads.push(Payload::OrderActionTaken {
        order_id: id,
        actor: Actor::Staff,
        action,
        at,
    });
    Ok(author(ledger, order.seller, payloads, staff, now_ms)?)
}
