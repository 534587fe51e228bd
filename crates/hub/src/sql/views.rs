//! How rows become the hub's views, and the conversions every query shares.

use std::str::FromStr;
use std::sync::LazyLock;

use chrono::{DateTime, SecondsFormat, Utc};
use highland_domain::quantity::format_in;
use highland_domain::{ListingId, OrderState, Unit};

use super::{Dialect, Record, Sql};
use crate::views::{ListingView, SaleView, SaleVoidView};
use crate::{Error, Result};

/// Locks the rows a `SELECT` reads until the transaction ends. SQLite's
/// write transactions already exclude every other writer, so it needs none.
pub(crate) fn for_update(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "",
        Dialect::Postgres => " FOR UPDATE",
    }
}

pub(crate) fn listing_by_id(client: &mut dyn Sql, id: ListingId) -> Result<Option<ListingView>> {
    let row = client.query_opt(
        &format!(
            "SELECT {} FROM listings l WHERE l.id = ?1",
            listing_columns()
        ),
        &[&id.to_string()],
    )?;
    row.as_ref().map(listing_view).transpose()
}

/// The order states whose quantity is held back from a listing's stock, as
/// an SQL list.
pub(crate) static RESERVING_STATES: LazyLock<String> = LazyLock::new(|| {
    OrderState::ALL
        .into_iter()
        .filter(|s| s.reserves_stock())
        .map(|s| format!("'{}'", s.slug()))
        .collect::<Vec<_>>()
        .join(", ")
});

/// What [`listing_view`] reads, in order, from `listings l`, stock derived
/// from the insert-only tables. Sums are cast back to BIGINT: PostgreSQL
/// sums BIGINTs as NUMERIC.
static LISTING_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "l.id, l.seller_id, l.title, l.category, l.unit, l.price_fen, l.status,
         l.description, l.lot_id,
         CAST(coalesce((SELECT sum(change) FROM stock_adjustments a
                        WHERE a.listing_id = l.id), 0) AS BIGINT),
         CAST(coalesce((SELECT sum(quantity) FROM sales s
                        WHERE s.listing_id = l.id AND s.void_reason IS NULL), 0)
              AS BIGINT),
         (SELECT count(*) FROM sales s WHERE s.listing_id = l.id AND s.void_reason IS NULL),
         CAST(coalesce((SELECT sum(quantity) FROM orders o
                   WHERE o.listing_id = l.id AND o.state IN ({})), 0) AS BIGINT),
         l.weight_per_unit_g",
        *RESERVING_STATES
    )
});

pub(crate) fn listing_columns() -> &'static str {
    &LISTING_COLUMNS
}

pub(crate) fn listing_view(r: &Record) -> Result<ListingView> {
    let unit: Unit = parse(r.get::<_, &str>(4))?;
    let adjusted: i64 = r.get(9);
    let sold: i64 = r.get(10);
    let reserved: i64 = r.get(12);
    let stock = adjusted - sold - reserved;
    Ok(ListingView {
        id: r.get(0),
        seller_id: r.get(1),
        title: r.get(2),
        category: r.get(3),
        unit: unit.slug().to_owned(),
        price_fen: r.get(5),
        status: r.get(6),
        description: r.get(7),
        lot_id: r.get(8),
        stock,
        stock_unit: unit.base().slug().to_owned(),
        stock_display: format_in(stock, unit),
        sold,
        sales_count: r.get(11),
        reserved,
        weight_per_unit_g: r.get(13),
    })
}

pub(crate) fn sale_view(r: &Record) -> Result<SaleView> {
    let unit: Unit = parse(r.get::<_, &str>(5))?;
    let quantity: i64 = r.get(4);
    Ok(SaleView {
        id: r.get(0),
        listing_id: r.get(1),
        seller_id: r.get(2),
        device_id: r.get(3),
        quantity,
        quantity_unit: unit.base().slug().to_owned(),
        unit: unit.slug().to_owned(),
        quantity_display: format_in(quantity, unit),
        unit_price_fen: r.get(6),
        total_fen: r.get(7),
        payment: r.get(8),
        buyer: r.get(9),
        sold_at: r.get(10),
        voided: match (
            r.get::<_, Option<String>>(11),
            r.get::<_, Option<String>>(12),
        ) {
            (Some(reason), Some(at)) => Some(SaleVoidView { reason, at }),
            _ => None,
        },
    })
}

/// What [`sale_view`] reads, in order, from `sales`.
pub(crate) const SALE_COLUMNS: &str = "id, listing_id, seller_id, device_id, quantity, unit,
    unit_price_fen, total_fen, payment, buyer, sold_at, void_reason, void_at";

/// Reads stored text back into a value (see `db::parse`).
pub(crate) fn parse<T: FromStr>(raw: &str) -> Result<T> {
    raw.parse()
        .map_err(|_| Error::BadRecord(format!("unexpected value {raw:?}")))
}

/// Times as the device stores them, so views compare equal.
pub(crate) fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// PostgreSQL's bigint is signed; times stay far below 2^63 ms.
pub(crate) fn ms(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
