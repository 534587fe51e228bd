//! What people do: sellers on their devices (listings and their edits,
//! lots, sales and voids, stock, photos, certificates, answers to orders)
//! and the buyer's staff on the hub (orders placed, handed over, received,
//! paid, cancelled) and collection rounds ([`rounds`]), each through the
//! real engine or hub call.

mod rounds;

use std::str::FromStr;

use chrono::NaiveDate;
use highland_domain::{
    AdjustmentKind, Altitude, Category, CommitmentBasis, Description, ListingField, ListingId,
    ListingStatus, LotId, Money, OrderAction, OrderId, PaymentMethod, PhotoId, PhotoSubject, Price,
    Quantity, QuantityDelta, Reason, SaleId, Title, Unit,
};
use highland_engine::{NewCertificate, NewListing, NewLot, NewSale, StoreError};
use highland_exchange::orders::{NewOrder, OrderError, OrderFilter};
use highland_exchange::rounds::RoundError;

use crate::error::{Result, SimError};
use crate::ledger::SaleMade;
use crate::world::{World, text};

/// What a device may refuse a seller, as the seller would see it; any
/// other error of a write is a failure.
const REFUSALS: [&str; 6] = [
    "order_transition_refused",
    "oversell",
    "receipt_not_voidable",
    "sale_already_voided",
    // An answer to a round its copy shows as left, or that staff took the
    // seller's orders off.
    "round_closed",
    "not_on_round",
];

/// The units listings are sold in, and the step their amounts go by.
const UNITS: [(Unit, i64); 5] = [
    (Unit::Kg, 250),
    (Unit::Jin, 250),
    (Unit::Jar, 1),
    (Unit::Piece, 1),
    (Unit::Bag, 1),
];

#[derive(Debug, Clone, Copy)]
enum SellerAction {
    AddListing,
    Edit,
    AddLot,
    Sell,
    MarketDay,
    Void,
    Adjust,
    AddPhoto,
    RemovePhoto,
    Certify,
    AnswerOrder,
    AnswerRound,
}

impl World {
    /// A seller does one thing on one of their devices.
    pub(crate) fn seller_acts(&mut self) -> Result<()> {
        let d = self.rng.below(self.devices.len() as u64) as usize;
        let action = self.rng.weighted(&[
            (4, SellerAction::AddListing),
            (6, SellerAction::Edit),
            (1, SellerAction::AddLot),
            (10, SellerAction::Sell),
            (1, SellerAction::MarketDay),
            (2, SellerAction::Void),
            (3, SellerAction::Adjust),
            (1, SellerAction::AddPhoto),
            (1, SellerAction::RemovePhoto),
            (1, SellerAction::Certify),
            (4, SellerAction::AnswerOrder),
            (3, SellerAction::AnswerRound),
        ]);
        match action {
            Some(SellerAction::AddListing) => self.add_listing(d),
            Some(SellerAction::Edit) => self.edit_listing(d),
            Some(SellerAction::AddLot) => self.add_lot(d),
            Some(SellerAction::Sell) => self.sell(d, 1),
            Some(SellerAction::MarketDay) => {
                let sales = self.rng.between(10, 30) as usize;
                self.sell(d, sales)
            }
            Some(SellerAction::Void) => self.void(d),
            Some(SellerAction::Adjust) => self.adjust(d),
            Some(SellerAction::AddPhoto) => self.add_photo(d),
            Some(SellerAction::RemovePhoto) => self.remove_photo(d),
            Some(SellerAction::Certify) => self.certify(d),
            Some(SellerAction::AnswerOrder) => self.answer_order(d),
            Some(SellerAction::AnswerRound) => self.answer_round(d),
            None => Ok(()),
        }
    }

    /// Counts and traces a write that went through, and a refusal a seller
    /// would see; fails on any other error.
    fn wrote<T>(
        &mut self,
        d: usize,
        what: impl FnOnce(&T) -> String,
        result: Result<T, StoreError>,
    ) -> Result<Option<T>> {
        let name = &self.devices[d].name;
        match result {
            Ok(value) => {
                self.stats.operations += 1;
                self.trace.note(format!("{name} {}", what(&value)));
                Ok(Some(value))
            }
            Err(e) if REFUSALS.contains(&e.code()) => {
                self.trace.note(format!("{name} is refused here: {e}"));
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn add_listing(&mut self, d: usize) -> Result<()> {
        let (unit, step) = *self.rng.pick(&UNITS).unwrap_or(&UNITS[0]);
        let title = self.unique("listing");
        let price = self.rng.between(100, 20_000);
        let stock = self.rng.percent(70).then(|| self.rng.between(1, 12) * step);
        let lot = self.some_lot(d)?.filter(|_| self.rng.percent(30));
        let status = if self.rng.percent(85) {
            ListingStatus::Listed
        } else {
            ListingStatus::Draft
        };
        let new = NewListing {
            title: title_of(&title)?,
            category: Category::Honey,
            unit,
            price: price_of(price)?,
            status,
            description: None,
            lot_id: lot,
            stock: stock
                .map(|s| Quantity::from_base(s, unit))
                .transpose()
                .map_err(invalid)?,
        };
        let result = self.devices[d].store()?.add_listing(new);
        let done = self.wrote(
            d,
            |id| format!("lists {} \"{title}\" ({unit}, stock {stock:?})", short(id)),
            result,
        )?;
        if let (Some(id), Some(change)) = (done, stock) {
            self.ledger.stock_moved_by(id, d, change);
        }
        Ok(())
    }

    fn edit_listing(&mut self, d: usize) -> Result<()> {
        let Some((id, _)) = self.some_listing(d)? else {
            return Ok(());
        };
        let lot = self.some_lot(d)?;
        let mut changes = Vec::new();
        for field in 0..5 {
            if !self.rng.percent(if changes.is_empty() && field == 4 {
                100
            } else {
                30
            }) {
                continue;
            }
            changes.push(match field {
                0 => ListingField::Title(title_of(&self.unique("title"))?),
                1 => ListingField::Price(price_of(self.rng.between(100, 20_000))?),
                2 => ListingField::Status(
                    *self
                        .rng
                        .pick(&ListingStatus::ALL)
                        .unwrap_or(&ListingStatus::Listed),
                ),
                3 => ListingField::Description(if self.rng.percent(70) {
                    Some(Description::parse(&self.unique("description")).map_err(invalid)?)
                } else {
                    None
                }),
                _ => ListingField::Lot(lot.filter(|_| self.rng.percent(70))),
            });
        }
        let names: Vec<&str> = changes.iter().map(ListingField::name).collect();
        let what = format!("edits {} ({})", short(&id), names.join(", "));
        let result = self.devices[d].store()?.edit_listing(id, changes);
        self.wrote(d, |_| what, result)?;
        Ok(())
    }

    fn add_lot(&mut self, d: usize) -> Result<()> {
        let altitude = self.rng.between(2_800, 4_500) as i32;
        let day = self.rng.between(1, 28) as u32;
        let new = NewLot {
            village: text("Yubeng")?,
            altitude: Some(Altitude::from_metres(altitude).map_err(invalid)?),
            harvested_on: NaiveDate::from_ymd_opt(2026, 9, day),
            environment: None,
        };
        let result = self.devices[d].store()?.add_lot(new);
        self.wrote(d, |id| format!("records lot {}", short(id)), result)?;
        Ok(())
    }

    /// `count` sales of one listing, one amount each.
    fn sell(&mut self, d: usize, count: usize) -> Result<()> {
        let Some((id, unit)) = self.some_listing(d)? else {
            return Ok(());
        };
        let step = step_of(unit);
        for _ in 0..count {
            let amount = self.rng.between(1, 4) * step;
            let new = NewSale {
                listing_id: id,
                quantity: Quantity::from_base(amount, unit).map_err(invalid)?,
                unit_price: None,
                payment: PaymentMethod::Cash,
                buyer: None,
                // Sold offline from stock another device may have sold too.
                allow_oversell: true,
            };
            let result = self.devices[d].store()?.record_sale(new);
            let sold = self.wrote(
                d,
                |sale| format!("sells {amount} of {} (sale {})", short(&id), short(sale)),
                result,
            )?;
            if let Some(sale) = sold {
                let seller = self.devices[d].seller;
                self.ledger
                    .sales
                    .insert(sale, SaleMade { device: d, seller });
            }
        }
        Ok(())
    }

    fn void(&mut self, d: usize) -> Result<()> {
        let sales: Vec<SaleId> = self.devices[d]
            .store()?
            .sales()?
            .into_iter()
            .filter(|s| s.voided.is_none() && s.order_id.is_none())
            .map(|s| parse_id(&s.id))
            .collect::<Result<_>>()?;
        let Some(&sale) = self.rng.pick(&sales) else {
            return Ok(());
        };
        let reason = Reason::parse(&self.unique("void")).map_err(invalid)?;
        let result = self.devices[d].store()?.void_sale(sale, reason);
        self.wrote(d, |_| format!("voids sale {}", short(&sale)), result)?;
        Ok(())
    }

    fn adjust(&mut self, d: usize) -> Result<()> {
        let Some((id, unit)) = self.some_listing(d)? else {
            return Ok(());
        };
        let change = match self.rng.between(-3, 6) {
            0 => 1,
            n => n,
        } * step_of(unit);
        let kind = if change > 0 {
            AdjustmentKind::Received
        } else {
            AdjustmentKind::Correction
        };
        let delta = QuantityDelta::from_base(change, unit).map_err(invalid)?;
        let result = self.devices[d].store()?.adjust_stock(id, delta, kind, None);
        let done = self.wrote(d, |_| format!("adjusts {} by {change}", short(&id)), result)?;
        if done.is_some() {
            self.ledger.stock_moved_by(id, d, change);
        }
        Ok(())
    }

    fn add_photo(&mut self, d: usize) -> Result<()> {
        let subject = if self.rng.percent(70) {
            self.some_listing(d)?
                .map(|(id, _)| PhotoSubject::Listing(id))
        } else {
            self.some_lot(d)?.map(PhotoSubject::Lot)
        };
        let Some(subject) = subject else {
            return Ok(());
        };
        let picture = self.rng.below(self.pictures.len() as u64) as usize;
        let result = {
            let bytes = &self.pictures[picture];
            self.devices[d].store()?.add_photo(subject, bytes, false)
        };
        self.wrote(d, |p| format!("adds photo {}", tail(&p.id)), result)?;
        Ok(())
    }

    fn remove_photo(&mut self, d: usize) -> Result<()> {
        let photos: Vec<PhotoId> = self.devices[d]
            .store()?
            .photos()?
            .iter()
            .map(|p| parse_id(&p.id))
            .collect::<Result<_>>()?;
        let Some(&photo) = self.rng.pick(&photos) else {
            return Ok(());
        };
        let result = self.devices[d].store()?.remove_photo(photo);
        self.wrote(d, |_| format!("removes photo {}", short(&photo)), result)?;
        Ok(())
    }

    fn certify(&mut self, d: usize) -> Result<()> {
        let Some(lot) = self.some_lot(d)? else {
            return Ok(());
        };
        let unit = self.devices[d]
            .store()?
            .units_of_lot(lot)?
            .first()
            .copied()
            .unwrap_or(Unit::Jar);
        let amount = self.rng.between(1, 20) * step_of(unit);
        let basis = *self
            .rng
            .pick(&[CommitmentBasis::OwnWord, CommitmentBasis::SelfTest])
            .unwrap_or(&CommitmentBasis::OwnWord);
        let new = NewCertificate {
            lot_id: lot,
            quantity: Some(Quantity::from_base(amount, unit).map_err(invalid)?),
            product: Some(title_of(&self.unique("product"))?),
            issuer: None,
            contact: None,
            basis,
            issued_on: None,
        };
        let result = self.devices[d].store()?.issue_certificate(new);
        self.wrote(
            d,
            |c| {
                format!(
                    "certifies lot {} (certificate {})",
                    short(&lot),
                    short(&c.id)
                )
            },
            result,
        )?;
        Ok(())
    }

    /// The seller answers an order from the buyer, as the state it shows
    /// allows, or now and then as it no longer does.
    fn answer_order(&mut self, d: usize) -> Result<()> {
        let orders = self.devices[d].store()?.orders()?;
        let Some(order) = self.rng.pick(&orders) else {
            return Ok(());
        };
        let id: OrderId = parse_id(&order.id)?;
        let state = order.state.clone();
        let decline = self.rng.percent(20);
        let reason = Reason::parse(&self.unique("declined")).map_err(invalid)?;
        let mut store = self.devices[d].store()?;
        let (what, result) = match state.as_str() {
            "placed" if decline => ("declines", store.decline_order(id, reason)),
            "placed" => ("accepts", store.accept_order(id, true)),
            _ => ("hands over", store.hand_over_order(id)),
        };
        drop(store);
        self.wrote(d, |_| format!("{what} order {}", short(&id)), result)?;
        Ok(())
    }

    /// The buyer's staff place an order or act on one, or work on the
    /// collection rounds, on the hub.
    pub(crate) fn staff_acts(&mut self) -> Result<()> {
        let now = self.hub.now_ms();
        if self.rng.percent(35) && !self.rounds_left_alone() {
            return self.staff_works_rounds(now);
        }
        let orders = self.hub.storage()?.orders(&OrderFilter {
            limit: OrderFilter::MAX_LIMIT,
            ..OrderFilter::default()
        })?;
        if orders.orders.is_empty() || self.rng.percent(40) {
            return self.staff_place_order(now);
        }
        let Some(order) = self.rng.pick(&orders.orders).cloned() else {
            return Ok(());
        };
        let id: OrderId = parse_id(&order.id)?;
        let unit = Unit::from_str(&order.unit).map_err(invalid)?;
        let action = match self.rng.below(4) {
            0 => OrderAction::HandOver,
            1 => OrderAction::Receive {
                quantity: Quantity::from_base(order.quantity, unit).map_err(invalid)?,
            },
            2 => OrderAction::Pay {
                amount: Money::from_fen(order.total_fen.max(1)).map_err(invalid)?,
                method: PaymentMethod::Bank,
            },
            _ => OrderAction::Cancel {
                reason: Reason::parse(&self.unique("cancelled")).map_err(invalid)?,
            },
        };
        let slug = action.slug();
        match self
            .hub
            .storage()?
            .act_on_order(id, action, Some("staff"), now)
        {
            Ok(detail) => {
                self.stats.operations += 1;
                self.trace.note(format!(
                    "staff {slug} order {} (now {})",
                    short(&id),
                    detail.order.state
                ));
            }
            Err(OrderError::Transition(why)) => {
                self.trace
                    .note(format!("staff may not {slug} order {}: {why}", short(&id)));
            }
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }

    fn staff_place_order(&mut self, now: u64) -> Result<()> {
        let open: Vec<_> = self
            .hub
            .storage()?
            .listings(None)?
            .into_iter()
            .filter(|l| l.status == "listed" || l.status == "sold-out")
            .collect();
        let Some(listing) = self.rng.pick(&open).cloned() else {
            return Ok(());
        };
        let unit = Unit::from_str(&listing.unit).map_err(invalid)?;
        let amount = self.rng.between(1, 3) * step_of(unit);
        let round = if self.rng.percent(40) && !self.rounds_left_alone() {
            let open = self.hub.storage()?.open_rounds()?;
            self.some_round_choice(&open)
        } else {
            None
        };
        let order = NewOrder {
            id: OrderId::new(),
            listing_id: parse_id(&listing.id)?,
            quantity: Quantity::from_base(amount, unit).map_err(invalid)?,
            unit_price: price_of(listing.price_fen.max(1))?,
            hand_over_by: None,
            note: None,
            round,
        };
        match self.hub.storage()?.place_order(&order, Some("staff"), now) {
            Ok(_) => {
                self.stats.operations += 1;
                let on = order
                    .round
                    .map(|r| format!(" on round {}", short(&r.round)))
                    .unwrap_or_default();
                self.trace.note(format!(
                    "staff order {amount} of {}{on} (order {})",
                    tail(&listing.id),
                    short(&order.id)
                ));
            }
            // The round refused the order: it left, or stops nowhere near
            // the seller.
            Err(OrderError::Round(e)) if !matches!(e, RoundError::Hub(_)) => {
                self.trace.note(format!(
                    "staff may not order {amount} of {} on a round: {e}",
                    tail(&listing.id)
                ));
            }
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }

    /// One of the listings device `d` holds, with its unit.
    fn some_listing(&mut self, d: usize) -> Result<Option<(ListingId, Unit)>> {
        let listings = self.devices[d].store()?.listings()?;
        let Some(listing) = self.rng.pick(&listings) else {
            return Ok(None);
        };
        let unit = Unit::from_str(&listing.unit).map_err(invalid)?;
        Ok(Some((parse_id(&listing.id)?, unit)))
    }

    /// One of the lots device `d` holds.
    fn some_lot(&mut self, d: usize) -> Result<Option<LotId>> {
        let lots = self.devices[d].store()?.lots()?;
        match self.rng.pick(&lots) {
            Some(lot) => Ok(Some(parse_id(&lot.id)?)),
            None => Ok(None),
        }
    }
}

fn step_of(unit: Unit) -> i64 {
    UNITS
        .iter()
        .find(|(u, _)| *u == unit)
        .map_or(1, |(_, step)| *step)
}

fn title_of(s: &str) -> Result<Title> {
    Title::parse(s).map_err(invalid)
}

fn price_of(fen: i64) -> Result<Price> {
    Price::from_fen(fen).map_err(invalid)
}

/// A value the simulator made that the domain refuses: the simulator's
/// own mistake.
fn invalid(e: impl std::fmt::Display) -> SimError {
    SimError::Setup(format!("the simulator made an invalid value: {e}"))
}

pub(crate) fn parse_id<T: FromStr>(s: &str) -> Result<T> {
    s.parse()
        .map_err(|_| SimError::Setup(format!("an id that does not read back: {s:?}")))
}

/// An id as the trace shows it: its last six characters.
pub(crate) fn short(id: &impl ToString) -> String {
    tail(&id.to_string())
}

pub(crate) fn tail(id: &str) -> String {
    id[id.len().saturating_sub(6)..].to_owned()
}
