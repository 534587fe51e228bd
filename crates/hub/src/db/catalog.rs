//! The staff catalog's reads: every village's listings, one listing with
//! its seller and lot, and the sellers, in keyset pages newest first.

use highland_domain::ListingId;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params_from_iter};
use uuid::Uuid;

use super::{LISTING_COLUMNS, format_time, listing_view, parse};
use crate::catalog::{
    CatalogListing, Cursor, ListingDetail, ListingQuery, LotView, Page, SellerQuery, SellerSummary,
};
use crate::{Error, Result};

/// A listing's place in the catalog's order: its creation timestamp, then
/// its id, both descending.
fn position(r: &Row<'_>) -> Result<Cursor> {
    let id: String = r.get("position_id")?;
    Ok(Cursor {
        time: r.get("position_time")?,
        id: Uuid::try_parse(&id).map_err(|_| Error::BadRecord(format!("unexpected id {id:?}")))?,
    })
}

pub(super) fn listings(conn: &Connection, query: &ListingQuery) -> Result<Page<CatalogListing>> {
    let mut conditions = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(village) = &query.village {
        args.push(Value::Text(village.clone()));
        conditions.push(format!("sel.village = ?{}", args.len()));
    }
    if let Some(category) = query.category {
        args.push(Value::Text(category.slug().to_owned()));
        conditions.push(format!("l.category = ?{}", args.len()));
    }
    if let Some(status) = query.status {
        args.push(Value::Text(status.slug().to_owned()));
        conditions.push(format!("l.status = ?{}", args.len()));
    }
    if let Some(after) = query.after {
        args.push(Value::Integer(after.time));
        args.push(Value::Text(after.id.hyphenated().to_string()));
        conditions.push(format!(
            "(l.created_hlc, l.id) < (?{}, ?{})",
            args.len() - 1,
            args.len()
        ));
    }
    args.push(Value::Integer(i64::from(query.size.get()) + 1));
    let sql = format!(
        "SELECT {columns}, sel.name AS seller_name, sel.village AS seller_village,
                l.created_hlc AS position_time, l.id AS position_id
         FROM listings l JOIN sellers sel ON sel.id = l.seller_id
         {filter}
         ORDER BY l.created_hlc DESC, l.id DESC
         LIMIT ?{limit}",
        columns = *LISTING_COLUMNS,
        filter = where_clause(&conditions),
        limit = args.len(),
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_and_then(params_from_iter(args), |r| {
            Ok((
                position(r)?,
                CatalogListing {
                    listing: listing_view(r)?,
                    seller_name: r.get("seller_name")?,
                    village: r.get("seller_village")?,
                },
            ))
        })?
        .collect::<Result<Vec<_>>>()?;
    Ok(Page::from_rows(rows, query.size))
}

pub(super) fn listing(conn: &Connection, id: ListingId) -> Result<Option<ListingDetail>> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT {columns} FROM listings l WHERE l.id = ?1",
            columns = *LISTING_COLUMNS
        ))?
        .query_and_then([id.to_string()], listing_view)?
        .next()
        .transpose()?;
    let Some(listing) = found else {
        return Ok(None);
    };
    let seller = conn
        .prepare_cached(&format!("{SELLER_SELECT} WHERE s.id = ?1"))?
        .query_and_then([&listing.seller_id], seller_summary)?
        .next()
        .transpose()?
        .ok_or_else(|| Error::BadRecord(format!("listing {id} has no seller")))?;
    let lot = match &listing.lot_id {
        None => None,
        Some(lot_id) => conn
            .prepare_cached(
                "SELECT id, village, altitude_m, harvested_on, environment FROM lots
                 WHERE id = ?1",
            )?
            .query_row([lot_id], |r| {
                Ok(LotView {
                    id: r.get(0)?,
                    village: r.get(1)?,
                    altitude_m: r.get(2)?,
                    harvested_on: r.get(3)?,
                    environment: r.get(4)?,
                })
            })
            .optional()?,
    };
    Ok(Some(ListingDetail {
        listing,
        seller: seller.1,
        lot,
    }))
}

const SELLER_SELECT: &str = "SELECT s.id, s.name, s.village, s.phone, s.created_at_ms,
        (SELECT count(*) FROM devices d WHERE d.seller_id = s.id),
        (SELECT count(*) FROM listings l WHERE l.seller_id = s.id)
     FROM sellers s";

fn seller_summary(r: &Row<'_>) -> Result<(Cursor, SellerSummary)> {
    let id: String = r.get(0)?;
    let created_at_ms: i64 = r.get(4)?;
    let created_at = chrono::DateTime::from_timestamp_millis(created_at_ms)
        .ok_or_else(|| Error::BadRecord(format!("seller {id} has no valid time")))?;
    Ok((
        Cursor {
            time: created_at_ms,
            id: parse(&id)?,
        },
        SellerSummary {
            id,
            name: r.get(1)?,
            village: r.get(2)?,
            phone: r.get(3)?,
            created_at: format_time(created_at),
            devices: r.get(5)?,
            listings: r.get(6)?,
        },
    ))
}

pub(super) fn sellers(conn: &Connection, query: &SellerQuery) -> Result<Page<SellerSummary>> {
    let mut conditions = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(village) = &query.village {
        args.push(Value::Text(village.clone()));
        conditions.push(format!("s.village = ?{}", args.len()));
    }
    if let Some(after) = query.after {
        args.push(Value::Integer(after.time));
        args.push(Value::Text(after.id.hyphenated().to_string()));
        conditions.push(format!(
            "(s.created_at_ms, s.id) < (?{}, ?{})",
            args.len() - 1,
            args.len()
        ));
    }
    args.push(Value::Integer(i64::from(query.size.get()) + 1));
    let sql = format!(
        "{SELLER_SELECT} {filter} ORDER BY s.created_at_ms DESC, s.id DESC LIMIT ?{limit}",
        filter = where_clause(&conditions),
        limit = args.len(),
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_and_then(params_from_iter(args), seller_summary)?
        .collect::<Result<Vec<_>>>()?;
    Ok(Page::from_rows(rows, query.size))
}

fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    }
}
