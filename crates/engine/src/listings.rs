use std::sync::LazyLock;

use highland_domain::quantity::format_in;
use highland_domain::weight::needs_weight_per_unit;
use highland_domain::{
    AdjustmentId, AdjustmentKind, Category, Description, FieldChanges, ListingField, ListingId,
    ListingStatus, LotId, OrderState, Payload, Price, Quantity, QuantityDelta, Reason,
    StockAdjustment, Title, Unit, Weight,
};
use rusqlite::{Connection, OptionalExtension, Row};

use crate::rows::parse;
use crate::views::{AdjustmentView, ListingDetail, ListingView};
use crate::{Result, Store, StoreError, lots};

/// A listing about to be created, with the stock it starts with.
#[derive(Debug, Clone)]
pub struct NewListing {
    pub title: Title,
    pub category: Category,
    pub unit: Unit,
    pub price: Price,
    pub status: ListingStatus,
    pub description: Option<Description>,
    pub lot_id: Option<LotId>,
    pub stock: Option<Quantity>,
}

/// `'accepted', 'handed-over'`: the order states that hold stock back,
/// spelled from the domain's rule so that SQL can never disagree with it.
static RESERVING_STATES: LazyLock<String> = LazyLock::new(|| {
    OrderState::ALL
        .into_iter()
        .filter(|s| s.reserves_stock())
        .map(|s| format!("'{}'", s.slug()))
        .collect::<Vec<_>>()
        .join(", ")
});

/// What [`listing_view`] reads, in order, from `listings l`.
static LISTING_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "l.id, l.title, l.category, l.unit, l.price_fen, l.status, l.description, l.lot_id,
         coalesce((SELECT sum(change) FROM stock_adjustments a WHERE a.listing_id = l.id), 0),
         coalesce((SELECT sum(quantity) FROM counted_sales s WHERE s.listing_id = l.id), 0),
         (SELECT count(*) FROM counted_sales s WHERE s.listing_id = l.id),
         {},
         (SELECT value FROM settings WHERE key = '{}'),
         l.weight_per_unit_g",
        reserved_sql("l.id"),
        crate::settings::LOW_STOCK_AT
    )
});

/// The stock orders hold back from the listing whose id is `listing`.
fn reserved_sql(listing: &str) -> String {
    format!(
        "coalesce((SELECT sum(quantity) FROM orders o
                   WHERE o.listing_id = {listing} AND o.state IN ({})), 0)",
        *RESERVING_STATES
    )
}

impl Store {
    /// Creates a listing; its starting stock is recorded as goods received, in
    /// the same transaction.
    pub fn add_listing(&mut self, new: NewListing) -> Result<ListingId> {
        let id = ListingId::new();
        let now = self.now();
        self.record(|tx| {
            if let Some(lot) = new.lot_id {
                lots::require(tx, lot)?;
            }
            let listing = highland_domain::Listing {
                id,
                title: new.title,
                category: new.category,
                unit: new.unit,
                price: new.price,
                status: new.status,
                description: new.description,
                lot_id: new.lot_id,
            };
            let mut ops = vec![Payload::ListingCreated { listing }];
            if let Some(stock) = new.stock {
                let change = in_unit(stock.base(), stock.unit(), new.unit)?;
                ops.push(Payload::StockAdjusted {
                    adjustment: StockAdjustment {
                        id: AdjustmentId::new(),
                        listing_id: id,
                        kind: AdjustmentKind::Received,
                        change,
                        reason: None,
                        at: now,
                    },
                });
            }
            Ok(ops)
        })?;
        Ok(id)
    }

    /// Changes some fields of a listing, each at most once. Nothing to
    /// change records nothing.
    pub fn edit_listing(&mut self, id: ListingId, changes: Vec<ListingField>) -> Result<()> {
        let changes = FieldChanges::new(changes)?;
        self.record(|tx| {
            require(tx, id)?;
            for change in &changes {
                if let ListingField::Lot(Some(lot)) = change {
                    lots::require(tx, *lot)?;
                }
            }
            if changes.is_empty() {
                return Ok(vec![]);
            }
            Ok(vec![Payload::ListingEdited {
                listing_id: id,
                changes,
            }])
        })?;
        Ok(())
    }

    /// Sets what one unit of a listing weighs (a jar, a bag), or forgets it
    /// with `None`, so that the truck's load adds up in kilograms. A listing
    /// sold by weight weighs what it says and takes none.
    pub fn weigh_listing(&mut self, id: ListingId, weight_per_unit: Option<Weight>) -> Result<()> {
        self.record(|tx| {
            let unit = listing_unit(tx, id)?;
            if !needs_weight_per_unit(unit) {
                return Err(
                    highland_domain::DomainError::WeightNotNeeded { unit: unit.slug() }.into(),
                );
            }
            Ok(vec![Payload::ListingWeighed {
                listing_id: id,
                weight_per_unit,
            }])
        })?;
        Ok(())
    }

    /// Records stock that came in (positive) or went (negative) outside a sale.
    pub fn adjust_stock(
        &mut self,
        id: ListingId,
        change: QuantityDelta,
        kind: AdjustmentKind,
        reason: Option<Reason>,
    ) -> Result<AdjustmentId> {
        let adjustment_id = AdjustmentId::new();
        let now = self.now();
        self.record(|tx| {
            let unit = listing_unit(tx, id)?;
            let change = in_unit(change.base(), change.unit(), unit)?;
            Ok(vec![Payload::StockAdjusted {
                adjustment: StockAdjustment {
                    id: adjustment_id,
                    listing_id: id,
                    kind,
                    change,
                    reason,
                    at: now,
                },
            }])
        })?;
        Ok(adjustment_id)
    }

    /// Every listing, oldest first, with its stock.
    pub fn listings(&self) -> Result<Vec<ListingView>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {} FROM listings l ORDER BY l.created_hlc, l.id",
            *LISTING_COLUMNS
        ))?;
        let rows = stmt.query_and_then([], listing_view)?;
        rows.collect()
    }

    pub fn listing(&self, id: ListingId) -> Result<ListingView> {
        listing_view_of(&self.conn, id)
    }

    /// A listing with its sales and stock history.
    pub fn listing_detail(&self, id: ListingId) -> Result<ListingDetail> {
        let listing = listing_view_of(&self.conn, id)?;
        let sales = self.sales_of(Some(id))?;
        let unit: Unit = parse(&listing.unit)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, change, reason, at FROM stock_adjustments
             WHERE listing_id = ?1 ORDER BY hlc, id",
        )?;
        let adjustments = stmt
            .query_and_then([id.to_string()], |r| -> Result<AdjustmentView> {
                let change: i64 = r.get(2)?;
                Ok(AdjustmentView {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    change,
                    change_unit: unit.base().slug().to_owned(),
                    change_display: format_in(change, unit),
                    reason: r.get(3)?,
                    at: r.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>>>()?;
        Ok(ListingDetail {
            listing,
            sales,
            adjustments,
        })
    }
}

/// Fails with [`StoreError::UnknownListing`] unless the listing exists.
pub(crate) fn require(conn: &Connection, id: ListingId) -> Result<()> {
    listing_unit(conn, id).map(|_| ())
}

pub(crate) fn listing_unit(conn: &Connection, id: ListingId) -> Result<Unit> {
    let unit: Option<String> = conn
        .query_row(
            "SELECT unit FROM listings WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    match unit {
        Some(u) => parse(&u),
        None => Err(StoreError::UnknownListing(id)),
    }
}

pub(crate) fn listing_view_of(conn: &Connection, id: ListingId) -> Result<ListingView> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM listings l WHERE l.id = ?1",
        *LISTING_COLUMNS
    ))?;
    stmt.query_and_then([id.to_string()], listing_view)?
        .next()
        .unwrap_or(Err(StoreError::UnknownListing(id)))
}

/// Re-expresses an exact amount in the listing's unit, which must measure the
/// same thing (grams, millilitres or pieces).
fn in_unit(base: i64, from: Unit, to: Unit) -> Result<QuantityDelta> {
    if from.base() != to.base() {
        return Err(highland_domain::DomainError::UnitMismatch {
            expected: to.slug(),
            got: from.slug(),
        }
        .into());
    }
    Ok(QuantityDelta::from_base(base, to)?)
}

fn listing_view(r: &Row<'_>) -> Result<ListingView> {
    let unit: Unit = parse(&r.get::<_, String>(3)?)?;
    let adjusted: i64 = r.get(8)?;
    let sold: i64 = r.get(9)?;
    let reserved: i64 = r.get(11)?;
    let stock = adjusted - sold - reserved;
    let low_stock_at = r
        .get::<_, Option<String>>(12)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(crate::settings::DEFAULT_LOW_STOCK_AT);
    Ok(ListingView {
        id: r.get(0)?,
        title: r.get(1)?,
        category: r.get(2)?,
        unit: unit.slug().to_owned(),
        price_fen: r.get(4)?,
        status: r.get(5)?,
        description: r.get(6)?,
        lot_id: r.get(7)?,
        stock,
        stock_unit: unit.base().slug().to_owned(),
        stock_display: format_in(stock, unit),
        sold,
        sales_count: r.get(10)?,
        reserved,
        low_stock: crate::settings::is_low_stock(stock, unit, low_stock_at),
        weight_per_unit_g: r.get(13)?,
    })
}

/// Stock of one listing available now, in base units: what came in, less
/// what was sold and what accepted orders hold back.
pub(crate) fn stock_of(conn: &Connection, id: ListingId) -> Result<i64> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT coalesce((SELECT sum(change) FROM stock_adjustments WHERE listing_id = ?1), 0)
                  - coalesce((SELECT sum(quantity) FROM counted_sales WHERE listing_id = ?1), 0)
                  - {}",
            reserved_sql("?1")
        )
    });
    let stock: i64 = conn.query_row(&SQL, [id.to_string()], |r| r.get(0))?;
    Ok(stock)
}
