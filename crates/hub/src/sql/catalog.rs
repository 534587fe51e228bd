//! The staff catalog's reads: every village's listings, one listing with
//! its seller and lot, and the sellers, in keyset pages newest first.

use highland_domain::ListingId;
use uuid::Uuid;

use super::views::{format_time, listing_by_id, listing_columns, listing_view, parse};
use super::{Param, Record, Sql};
use crate::catalog::{
    CatalogListing, Cursor, ListingDetail, ListingQuery, LotView, Page, SellerQuery, SellerSummary,
};
use crate::{Error, Result};

type Arg = Box<dyn Param>;

fn refs(args: &[Arg]) -> Vec<&dyn Param> {
    args.iter().map(|a| a.as_ref()).collect()
}

fn position(r: &Record) -> Result<Cursor> {
    let id: &str = r.get("position_id");
    Ok(Cursor {
        time: r.get("position_time"),
        id: Uuid::try_parse(id).map_err(|_| Error::BadRecord(format!("unexpected id {id:?}")))?,
    })
}

pub(super) fn listings(client: &mut dyn Sql, query: &ListingQuery) -> Result<Page<CatalogListing>> {
    let mut conditions = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    if let Some(village) = &query.village {
        args.push(Box::new(village.clone()));
        conditions.push(format!("sel.village = ?{}", args.len()));
    }
    if let Some(category) = query.category {
        args.push(Box::new(category.slug().to_owned()));
        conditions.push(format!("l.category = ?{}", args.len()));
    }
    if let Some(status) = query.status {
        args.push(Box::new(status.slug().to_owned()));
        conditions.push(format!("l.status = ?{}", args.len()));
    }
    if let Some(after) = query.after {
        args.push(Box::new(after.time));
        args.push(Box::new(after.id.hyphenated().to_string()));
        conditions.push(format!(
            "(l.created_hlc, l.id) < (?{}, ?{})",
            args.len() - 1,
            args.len()
        ));
    }
    args.push(Box::new(i64::from(query.size.get()) + 1));
    let sql = format!(
        "SELECT {columns}, sel.name AS seller_name, sel.village AS seller_village,
                l.created_hlc AS position_time, l.id AS position_id
         FROM listings l JOIN sellers sel ON sel.id = l.seller_id
         {filter}
         ORDER BY l.created_hlc DESC, l.id DESC
         LIMIT ?{limit}",
        columns = listing_columns(),
        filter = where_clause(&conditions),
        limit = args.len(),
    );
    let rows = client.query(&sql, &refs(&args))?;
    let rows = rows
        .iter()
        .map(|r| {
            Ok((
                position(r)?,
                CatalogListing {
                    listing: listing_view(r)?,
                    seller_name: r.get("seller_name"),
                    village: r.get("seller_village"),
                },
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Page::from_rows(rows, query.size))
}

pub(super) fn listing(client: &mut dyn Sql, id: ListingId) -> Result<Option<ListingDetail>> {
    let Some(listing) = listing_by_id(client, id)? else {
        return Ok(None);
    };
    let seller = client
        .query_opt(
            &format!("{SELLER_SELECT} WHERE s.id = ?1"),
            &[&listing.seller_id],
        )?
        .as_ref()
        .map(seller_summary)
        .transpose()?
        .ok_or_else(|| Error::BadRecord(format!("listing {id} has no seller")))?;
    let lot = match &listing.lot_id {
        None => None,
        Some(lot_id) => client
            .query_opt(&format!("{LOT_SELECT} WHERE id = ?1"), &[lot_id])?
            .as_ref()
            .map(lot_view)
            .transpose()?,
    };
    Ok(Some(ListingDetail {
        listing,
        seller: seller.1,
        lot,
    }))
}

/// What [`lot_view`] reads.
pub(super) const LOT_SELECT: &str =
    "SELECT id, village, altitude_m, harvested_on, environment FROM lots";

pub(super) fn lot_view(r: &Record) -> Result<LotView> {
    // The domain keeps altitudes far inside i32; the column is a BIGINT.
    let altitude: Option<i64> = r.get(2);
    Ok(LotView {
        id: r.get(0),
        village: r.get(1),
        altitude_m: altitude
            .map(|a| i32::try_from(a).map_err(|_| Error::BadRecord(format!("altitude {a} m"))))
            .transpose()?,
        harvested_on: r.get(3),
        environment: r.get(4),
    })
}

const SELLER_SELECT: &str = "SELECT s.id, s.name, s.village, s.phone, s.created_at_ms,
        (SELECT count(*) FROM devices d WHERE d.seller_id = s.id),
        (SELECT count(*) FROM listings l WHERE l.seller_id = s.id)
     FROM sellers s";

fn seller_summary(r: &Record) -> Result<(Cursor, SellerSummary)> {
    let id: String = r.get(0);
    let created_at_ms: i64 = r.get(4);
    let created_at = chrono::DateTime::from_timestamp_millis(created_at_ms)
        .ok_or_else(|| Error::BadRecord(format!("seller {id} has no valid time")))?;
    Ok((
        Cursor {
            time: created_at_ms,
            id: parse(&id)?,
        },
        SellerSummary {
            id,
            name: r.get(1),
            village: r.get(2),
            phone: r.get(3),
            created_at: format_time(created_at),
            devices: r.get(5),
            listings: r.get(6),
        },
    ))
}

pub(super) fn sellers(client: &mut dyn Sql, query: &SellerQuery) -> Result<Page<SellerSummary>> {
    let mut conditions = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    if let Some(village) = &query.village {
        args.push(Box::new(village.clone()));
        conditions.push(format!("s.village = ?{}", args.len()));
    }
    if let Some(after) = query.after {
        args.push(Box::new(after.time));
        args.push(Box::new(after.id.hyphenated().to_string()));
        conditions.push(format!(
            "(s.created_at_ms, s.id) < (?{}, ?{})",
            args.len() - 1,
            args.len()
        ));
    }
    args.push(Box::new(i64::from(query.size.get()) + 1));
    let sql = format!(
        "{SELLER_SELECT} {filter} ORDER BY s.created_at_ms DESC, s.id DESC LIMIT ?{limit}",
        filter = where_clause(&conditions),
        limit = args.len(),
    );
    let rows = client.query(&sql, &refs(&args))?;
    let rows = rows
        .iter()
        .map(seller_summary)
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
