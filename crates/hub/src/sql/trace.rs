//! What the public trace page shows of a lot, found by its trace code.

use highland_domain::{LotId, TraceCode};

use super::catalog::{LOT_SELECT, lot_view};
use super::views::parse;
use super::{Record, Sql};
use crate::Result;
use crate::trace::{TraceListing, TraceView};

/// The lot with this code and the listings that name it. The seller is
/// shown by village only: the page is public, and a seller's name and
/// phone are theirs to give.
pub(super) fn lot_by_code(db: &mut dyn Sql, code: &TraceCode) -> Result<Option<TraceView>> {
    // Two lots sharing a code is one chance in 500,000 among a million lots
    // (see TraceCode); the first recorded keeps it.
    let Some(lot) = db
        .query_opt(
            &format!("{LOT_SELECT} WHERE trace_code = ?1 ORDER BY created_hlc, id LIMIT 1"),
            &[&code.as_str()],
        )?
        .as_ref()
        .map(lot_view)
        .transpose()?
    else {
        return Ok(None);
    };
    let listings = db
        .query(
            "SELECT title FROM listings
             WHERE lot_id = ?1 AND status <> 'draft'
             ORDER BY created_hlc, id",
            &[&lot.id],
        )?
        .iter()
        .map(|r: &Record| TraceListing { title: r.get(0) })
        .collect();
    Ok(Some(TraceView {
        code: code.clone(),
        lot,
        listings,
    }))
}

/// Gives every lot recorded before trace codes were stored its code. Runs
/// when a hub opens its database; finds nothing to do after the first time.
pub(crate) fn fill_in_codes(tx: &mut dyn Sql) -> Result<()> {
    let missing = tx.query("SELECT id FROM lots WHERE trace_code IS NULL", &[])?;
    for row in missing {
        let id: LotId = parse(row.get::<_, &str>(0))?;
        tx.execute(
            "UPDATE lots SET trace_code = ?1 WHERE id = ?2",
            &[&TraceCode::of_lot(id).as_str(), &id.to_string()],
        )?;
    }
    Ok(())
}
