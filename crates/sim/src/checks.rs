//! The invariants, checked after every committed answer (the cursor) and
//! whenever everyone online has synced to the end (the rest):
//!
//! - every sale a device recorded is on the hub exactly once, unless the
//!   hub refused it and the device shows why;
//! - the hub and every device of a seller hold the same listings (with
//!   their stock), sales and voids, orders and their states, lots,
//!   certificates and photos, and the collection rounds the seller's
//!   orders ride (their plan, state and the seller's answer);
//! - no device's cursor lies past an operation it may see and has not got;
//! - on each side, stock is what was received and adjusted, less the sales
//!   that count, less what accepted orders hold back;
//! - changes of a kind this build does not know wait, and are not lost;
//! - every SQLite file passes `integrity_check`.

use std::collections::{BTreeMap, BTreeSet};

use highland_domain::{LotId, OrderState, PhotoSubject, TraceCode};
use highland_exchange::orders::OrderFilter;
use highland_hub::trace::chain::LotOrigin;

use crate::device::integrity_of;
use crate::error::{Result, ensure};
use crate::hub_log;
use crate::views::{self, Listing, Order, Round, Sale};
use crate::workload::parse_id;
use crate::world::World;

/// Refusals a device may show after everyone synced: a seller's answer to
/// an order that staff had moved on, or to a round that left or that staff
/// took the seller's orders off.
const EXPECTED_REFUSALS: [&str; 3] = ["order_transition_refused", "round_closed", "not_on_round"];

/// More rounds than a run ever plans: every one of them.
const EVERY_ROUND: usize = 10_000;

impl World {
    /// No operation device `d` may see lies at or before its cursor
    /// without its having it.
    pub(crate) fn check_cursor(&mut self, d: usize) -> Result<()> {
        let device = &self.devices[d];
        let cursor = device.store()?.sync_status()?.cursor;
        let seller = self.sellers[device.seller].id.to_string();
        let visible = hub_log::visible_up_to(&self.hub, &seller, &device.id.to_string(), cursor)?;
        let known = device.known_operations()?;
        let skipped: Vec<&(u64, String)> = visible
            .iter()
            .filter(|(_, op)| !known.contains(op))
            .collect();
        self.stats.checks += 1;
        ensure(skipped.is_empty(), || {
            format!(
                "{}'s cursor is at {cursor} but it never got {} operations the hub logged \
                 before it for its seller: {skipped:?}",
                device.name,
                skipped.len()
            )
        })
    }

    /// Every operation device `d` counts as acknowledged is in the hub's
    /// log: checked when it has just committed an answer, so a hub that
    /// went back in time and lost some must have told it.
    pub(crate) fn check_acknowledged(&mut self, d: usize) -> Result<()> {
        let device = &self.devices[d];
        let held = hub_log::made_by(&self.hub, &device.id.to_string())?;
        let missing: Vec<String> = device
            .acknowledged()?
            .into_iter()
            .filter(|op| !held.contains(op))
            .collect();
        self.stats.checks += 1;
        ensure(missing.is_empty(), || {
            format!(
                "{} counts {} operations as acknowledged that the hub's log lacks: {missing:?}",
                device.name,
                missing.len()
            )
        })
    }

    /// Everything that must hold once the devices `synced` (and the hub)
    /// have synced to the end.
    pub(crate) fn check_quiescent(&mut self, synced: &[usize]) -> Result<()> {
        self.check_files()?;
        for &d in synced {
            self.check_cursor(d)?;
            self.check_device_stock(d)?;
        }
        self.check_sales_once(synced)?;
        for s in 0..self.sellers.len() {
            let devices: Vec<usize> = synced
                .iter()
                .copied()
                .filter(|&d| self.devices[d].seller == s)
                .collect();
            self.check_converged(s, &devices)?;
            self.check_hub_stock(s, synced)?;
            self.check_newer_changes(s, &devices)?;
        }
        self.trace.note(format!(
            "every invariant holds ({} checks so far)",
            self.stats.checks
        ));
        Ok(())
    }

    fn check_files(&mut self) -> Result<()> {
        let mut files: Vec<(String, std::path::PathBuf)> = self
            .devices
            .iter()
            .map(|d| (d.name.clone(), d.path().to_owned()))
            .collect();
        if let Some(hub) = self.hub.sqlite_file() {
            files.push(("the hub".to_owned(), hub));
        }
        for (who, file) in files {
            let said = integrity_of(&file)?;
            self.stats.checks += 1;
            ensure(said == "ok", || {
                format!("{who}'s database fails integrity_check: {said}")
            })?;
        }
        Ok(())
    }

    /// Every sale the devices `synced` recorded is on the hub once, or
    /// refused there with the reason shown on its device; the hub holds no
    /// sale but those and the receipts staff recorded.
    fn check_sales_once(&mut self, synced: &[usize]) -> Result<()> {
        let storage = self.hub.storage()?;
        let mut on_hub: BTreeMap<String, usize> = BTreeMap::new();
        for sale in storage.sales(None)? {
            *on_hub.entry(sale.id).or_default() += 1;
        }
        let twice: Vec<_> = on_hub.iter().filter(|(_, n)| **n > 1).collect();
        ensure(twice.is_empty(), || {
            format!("the hub holds sales twice: {twice:?}")
        })?;
        let receipts: BTreeSet<String> = hub_orders(storage, None)?
            .into_iter()
            .filter_map(|o| o.sale_id)
            .collect();
        let mut refused: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
        for &d in synced {
            let shown = self.devices[d].store()?.sync_status()?.refused;
            refused.insert(d, shown.into_iter().map(|r| r.entity_id).collect());
        }
        for (sale, made) in &self.ledger.sales {
            let Some(refused_there) = refused.get(&made.device) else {
                continue;
            };
            let id = sale.to_string();
            let held = on_hub.contains_key(&id);
            let shown_refused = refused_there.contains(&id);
            self.stats.checks += 1;
            ensure(held != shown_refused, || {
                format!(
                    "sale {id} of {}: on the hub {held}, shown refused {shown_refused}",
                    self.devices[made.device].name
                )
            })?;
        }
        let made: BTreeSet<String> = self.ledger.sales.keys().map(|s| s.to_string()).collect();
        let stray: Vec<&String> = on_hub
            .keys()
            .filter(|id| !made.contains(*id) && !receipts.contains(*id))
            .collect();
        ensure(stray.is_empty(), || {
            format!("the hub holds sales nobody recorded: {stray:?}")
        })
    }

    /// The hub and the devices of seller `s` hold the same state.
    fn check_converged(&mut self, s: usize, devices: &[usize]) -> Result<()> {
        let seller = self.sellers[s].id;
        let storage = self.hub.storage()?;
        let listings: BTreeMap<String, Listing> = storage
            .listings(Some(seller))?
            .iter()
            .map(|l| (l.id.clone(), Listing::from_hub(l)))
            .collect();
        let sales: BTreeMap<String, Sale> = storage
            .sales(Some(seller))?
            .iter()
            .map(|s| (s.id.clone(), Sale::from_hub(s)))
            .collect();
        let orders: BTreeMap<String, Order> = hub_orders(storage, Some(seller))?
            .iter()
            .map(|o| (o.id.clone(), Order::from_hub(o)))
            .collect();
        let seller_id = seller.to_string();
        let rounds: BTreeMap<String, Round> = storage
            .rounds(None, EVERY_ROUND)?
            .iter()
            .filter_map(|r| Some((r.id.clone(), Round::from_hub(r, &seller_id)?)))
            .collect();
        let lots = hub_lots(self, seller)?;
        let mut photos = BTreeSet::new();
        for id in listings.keys() {
            photos.extend(hub_photos(self, PhotoSubject::Listing(parse_id(id)?))?);
        }
        for id in lots.keys() {
            photos.extend(hub_photos(self, PhotoSubject::Lot(parse_id(id)?))?);
        }
        for &d in devices {
            let device = &self.devices[d];
            let store = device.store()?;
            let name = &device.name;
            let theirs: BTreeMap<String, Sale> = store
                .sales()?
                .iter()
                .map(|s| (s.id.clone(), Sale::from_device(s)))
                .collect();
            views::ensure_same("sales", name, &theirs, &sales)?;
            let theirs: BTreeMap<String, Listing> = store
                .listings()?
                .iter()
                .map(|l| (l.id.clone(), Listing::from_device(l)))
                .collect();
            views::ensure_same("listings", name, &theirs, &listings)?;
            let shown = store.orders()?;
            let waiting: Vec<_> = shown
                .iter()
                .filter(|o| o.pending_action.is_some() || o.state != o.confirmed_state)
                .map(|o| &o.id)
                .collect();
            ensure(waiting.is_empty(), || {
                format!(
                    "{name} still shows answers to orders the hub has not confirmed: {waiting:?}"
                )
            })?;
            let theirs: BTreeMap<String, Order> = shown
                .iter()
                .map(|o| (o.id.clone(), Order::from_device(o)))
                .collect();
            views::ensure_same("orders", name, &theirs, &orders)?;
            let shown = store.rounds()?;
            let waiting: Vec<_> = shown
                .iter()
                .filter(|r| r.answer_pending)
                .map(|r| &r.id)
                .collect();
            ensure(waiting.is_empty(), || {
                format!(
                    "{name} still shows answers to rounds the hub has not confirmed: {waiting:?}"
                )
            })?;
            views::ensure_same("rounds", name, &Round::from_device(&shown), &rounds)?;
            let mut theirs = BTreeMap::new();
            for lot in store.lots()? {
                theirs.insert(lot.id.clone(), views::Lot::from_device(&lot, &store)?);
            }
            views::ensure_same("lots and their certificates", name, &theirs, &lots)?;
            let theirs: BTreeSet<(String, String)> = store
                .photos()?
                .into_iter()
                .map(|p| (p.id, p.subject_id))
                .collect();
            ensure(theirs == photos, || {
                format!("{name} shows the photos {theirs:?}, the hub {photos:?}")
            })?;
            let status = store.sync_status()?;
            let unexpected: Vec<_> = status
                .refused
                .iter()
                .filter(|r| !EXPECTED_REFUSALS.contains(&r.code.as_str()))
                .collect();
            ensure(unexpected.is_empty(), || {
                format!("the hub refused what {name} sent: {unexpected:?}")
            })?;
            ensure(status.pending_ops == status.deferred_ops, || {
                format!(
                    "{name} has {} operations pending after syncing to the end ({} deferred)",
                    status.pending_ops, status.deferred_ops
                )
            })?;
            self.stats.checks += 9;
        }
        Ok(())
    }

    /// On device `d`: each listing's stock is what it received and
    /// adjusted, less its sales that count, less what the orders it shows
    /// accepted hold back.
    fn check_device_stock(&mut self, d: usize) -> Result<()> {
        let device = &self.devices[d];
        let store = device.store()?;
        let orders = store.orders()?;
        for listing in store.listings()? {
            let detail = store.listing_detail(parse_id(&listing.id)?)?;
            let moved: i64 = detail.adjustments.iter().map(|a| a.change).sum();
            let counted: Vec<_> = detail.sales.iter().filter(|s| s.voided.is_none()).collect();
            let sold: i64 = counted.iter().map(|s| s.quantity).sum();
            let reserved = reserved(
                orders.iter().map(|o| (&o.listing_id, &o.state, o.quantity)),
                &listing.id,
            );
            self.stats.checks += 1;
            ensure(
                listing.sold == sold
                    && listing.sales_count == counted.len() as i64
                    && listing.reserved == reserved
                    && listing.stock == moved - sold - reserved,
                || {
                    format!(
                        "{} shows listing {} with stock {}, sold {} in {} sales, reserved {}; \
                         its records say received and adjusted {moved}, sold {sold} in {} \
                         sales, reserved {reserved}",
                        device.name,
                        listing.id,
                        listing.stock,
                        listing.sold,
                        listing.sales_count,
                        listing.reserved,
                        counted.len()
                    )
                },
            )?;
        }
        Ok(())
    }

    /// On the hub, for seller `s`: each listing's stock is what the devices
    /// `synced` received and adjusted, less the hub's sales that count,
    /// less what its accepted orders hold back.
    fn check_hub_stock(&mut self, s: usize, synced: &[usize]) -> Result<()> {
        let storage = self.hub.storage()?;
        let orders = hub_orders(storage, Some(self.sellers[s].id))?;
        for listing in storage.listings(Some(self.sellers[s].id))? {
            let id = parse_id(&listing.id)?;
            let moved = self.ledger.stock_moved(id, |d| synced.contains(&d));
            let sales = storage.listing_sales(id)?;
            let sold: i64 = sales
                .iter()
                .filter(|s| s.voided.is_none())
                .map(|s| s.quantity)
                .sum();
            let reserved = reserved(
                orders.iter().map(|o| (&o.listing_id, &o.state, o.quantity)),
                &listing.id,
            );
            self.stats.checks += 1;
            ensure(
                listing.sold == sold
                    && listing.reserved == reserved
                    && listing.stock == moved - sold - reserved,
                || {
                    format!(
                        "the hub shows listing {} with stock {}, sold {}, reserved {}; the \
                         devices received and adjusted {moved}, its sales come to {sold} and \
                         its orders hold back {reserved}",
                        listing.id, listing.stock, listing.sold, listing.reserved
                    )
                },
            )?;
        }
        Ok(())
    }

    /// Changes of a kind this build does not know: a device's own stays
    /// pending, deferred, and never reaches the log; the hub's reach every
    /// device of the seller and wait there for an update; one the hub lost
    /// (put back from a backup) waits, on the devices that had it, to go
    /// back to a hub that can read it.
    fn check_newer_changes(&mut self, s: usize, devices: &[usize]) -> Result<()> {
        let unknown = hub_log::unknown_kinds(&self.hub, &self.sellers[s].id.to_string())?;
        for (d, op) in &self.ledger.newer_on_devices {
            if !devices.contains(d) {
                continue;
            }
            let device = &self.devices[*d];
            let deferred = device.deferred(op)?;
            self.stats.checks += 1;
            ensure(deferred && !unknown.contains(op), || {
                format!(
                    "{}'s change {op} from a newer Highland: deferred there {deferred}, \
                     in the hub's log {}",
                    device.name,
                    unknown.contains(op)
                )
            })?;
        }
        for &d in devices {
            let device = &self.devices[d];
            let waiting = device.waiting_operations()?;
            let to_give_back = device.deferred_give_backs()?;
            let missing: Vec<&String> = unknown.difference(&waiting).collect();
            let lost: Vec<&String> = waiting
                .difference(&unknown)
                .filter(|op| !to_give_back.contains(*op))
                .collect();
            self.stats.checks += 1;
            ensure(missing.is_empty() && lost.is_empty(), || {
                format!(
                    "{} keeps {waiting:?} for an update and {to_give_back:?} to give back; \
                     the hub's log holds {unknown:?} that this build cannot read",
                    device.name
                )
            })?;
        }
        Ok(())
    }
}

/// What the orders, each (listing, state, quantity), hold back of `listing`.
fn reserved<'a>(orders: impl Iterator<Item = (&'a String, &'a String, i64)>, listing: &str) -> i64 {
    orders
        .filter(|(of, state, _)| {
            *of == listing
                && state
                    .parse::<OrderState>()
                    .is_ok_and(OrderState::reserves_stock)
        })
        .map(|(_, _, quantity)| quantity)
        .sum()
}

/// Every order on the hub, or one seller's, page after page.
fn hub_orders(
    storage: &dyn highland_hub::Storage,
    seller: Option<highland_hub::SellerId>,
) -> Result<Vec<highland_hub::OrderView>> {
    let mut orders = Vec::new();
    let mut after = None;
    loop {
        let page = storage.orders(&OrderFilter {
            seller,
            after,
            limit: OrderFilter::MAX_LIMIT,
            ..OrderFilter::default()
        })?;
        orders.extend(page.orders);
        match page.next_after {
            Some(next) => after = Some(parse_id(&next)?),
            None => return Ok(orders),
        }
    }
}

/// The seller's village lots on the hub, each with its certificates.
fn hub_lots(world: &World, seller: highland_hub::SellerId) -> Result<BTreeMap<String, views::Lot>> {
    let storage = world.hub.storage()?;
    let mut lots = BTreeMap::new();
    for lot in storage.recent_lots(u32::MAX)? {
        let LotOrigin::Harvest {
            lot: harvest,
            seller_id,
            ..
        } = &lot.origin
        else {
            continue;
        };
        if *seller_id != seller {
            continue;
        }
        let chain = storage.trace_chain(&TraceCode::of_lot(lot.id), None)?;
        let certificates = chain
            .map(|c| c.certificates.iter().map(|c| c.id.to_string()).collect())
            .unwrap_or_default();
        lots.insert(
            lot.id.to_string(),
            views::Lot::from_hub(harvest, certificates),
        );
    }
    Ok(lots)
}

/// The photos the hub shows of one listing or lot: (photo, subject).
fn hub_photos(world: &World, subject: PhotoSubject) -> Result<Vec<(String, String)>> {
    let subject_id = match subject {
        PhotoSubject::Listing(id) => id.to_string(),
        PhotoSubject::Lot(id) => LotId::to_string(&id),
    };
    Ok(world
        .hub
        .storage()?
        .photos_of(subject)?
        .into_iter()
        .map(|p| (p.id.to_string(), subject_id.clone()))
        .collect())
}
