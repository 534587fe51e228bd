//! Applying an operation to the tables. Local writes and operations pulled
//! from the hub go through this one function, so both merge by the same rules:
//! listing fields last-writer-wins per field, sales, adjustments, lots and
//! certificates insert-only, a sale's void kept beside it (before it, if it
//! comes first), and every operation at most once.
//!
//! Orders are the one place where the source matters: the seller's own
//! action is a proposal the hub may still refuse, applied to what the seller
//! sees only; an action that came from the hub is confirmed (see
//! [`crate::orders`]).

use highland_domain::{ListingField, ListingId, Operation, Payload, Version};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};

use crate::{Result, StoreError, orders, rounds};

/// Where an operation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// Made on this device, just now; in the outbox, not yet confirmed.
    Local,
    /// Pulled from the hub, which logged it: made by another device, or by
    /// the hub itself.
    Hub,
}

/// Applies `op` unless it was applied before; returns whether it was new.
pub(crate) fn apply(conn: &Connection, op: &Operation, source: Source) -> Result<bool> {
    let fresh = conn.execute(
        "INSERT OR IGNORE INTO applied_ops (op_id) VALUES (?1)",
        [op.id.to_string()],
    )? == 1;
    if !fresh {
        return Ok(false);
    }
    let version = op.version();
    let op_id = op.id.to_string();
    match &op.payload {
        Payload::ListingCreated { listing } => {
            conn.execute(
                "INSERT OR IGNORE INTO listings
                   (id, title, category, unit, price_fen, status, description, lot_id, created_hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    listing.id.to_string(),
                    listing.title.as_str(),
                    listing.category.slug(),
                    listing.unit.slug(),
                    listing.price.fen(),
                    listing.status.slug(),
                    listing.description.as_ref().map(|d| d.as_str()),
                    listing.lot_id.map(|l| l.to_string()),
                    op.hlc.as_i64(),
                ],
            )?;
            merge_listing_fields(conn, listing.id, &listing.fields(), version, &op_id)?;
        }
        Payload::ListingEdited {
            listing_id,
            changes,
        } => {
            let exists: Option<i64> = conn
                .query_row(
                    "SELECT 1 FROM listings WHERE id = ?1",
                    [listing_id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            if exists.is_none() {
                return Err(StoreError::UnknownListing(*listing_id));
            }
            merge_listing_fields(conn, *listing_id, changes, version, &op_id)?;
        }
        Payload::LotRecorded { lot } => {
            conn.execute(
                "INSERT OR IGNORE INTO lots
                   (id, village, altitude_m, harvested_on, environment, created_hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    lot.id.to_string(),
                    lot.village.as_str(),
                    lot.altitude.map(|a| a.metres()),
                    lot.harvested_on.map(|d| d.to_string()),
                    lot.environment.as_ref().map(|e| e.as_str()),
                    op.hlc.as_i64(),
                ],
            )?;
        }
        Payload::CertificateIssued { certificate } => {
            crate::certificates::insert(conn, certificate, op)?;
        }
        Payload::SaleRecorded { sale } => {
            conn.execute(
                "INSERT OR IGNORE INTO sales
                   (id, listing_id, quantity, unit, unit_price_fen, total_fen, payment, buyer,
                    sold_at, hlc, device_id, order_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    sale.id.to_string(),
                    sale.listing_id.to_string(),
                    sale.quantity.base(),
                    sale.quantity.unit().slug(),
                    sale.unit_price.fen(),
                    sale.total().fen(),
                    sale.payment.slug(),
                    sale.buyer.as_ref().map(|b| b.as_str()),
                    crate::rows::format_time(sale.sold_at),
                    op.hlc.as_i64(),
                    op.device_id.to_string(),
                    sale.order_id.map(|o| o.to_string()),
                ],
            )?;
        }
        Payload::SaleVoided {
            sale_id,
            reason,
            at,
        } => {
            // Kept by the sale's id whether or not the sale is here yet. Of
            // two voids of one sale, the earlier (HLC, device) stays, so the
            // reason shown is the same on every replica whatever the order
            // they arrived in.
            conn.execute(
                "INSERT INTO sale_voids (sale_id, reason, voided_at, hlc, device_id, op_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (sale_id) DO UPDATE SET
                   reason = excluded.reason, voided_at = excluded.voided_at,
                   hlc = excluded.hlc, device_id = excluded.device_id, op_id = excluded.op_id
                 WHERE (excluded.hlc, excluded.device_id) < (sale_voids.hlc, sale_voids.device_id)",
                params![
                    sale_id.to_string(),
                    reason.as_str(),
                    crate::rows::format_time(*at),
                    op.hlc.as_i64(),
                    op.device_id.to_string(),
                    op_id,
                ],
            )?;
        }
        Payload::StockAdjusted { adjustment } => {
            conn.execute(
                "INSERT OR IGNORE INTO stock_adjustments
                   (id, listing_id, kind, change, unit, reason, at, hlc, device_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    adjustment.id.to_string(),
                    adjustment.listing_id.to_string(),
                    adjustment.kind.slug(),
                    adjustment.change.base(),
                    adjustment.change.unit().slug(),
                    adjustment.reason.as_ref().map(|r| r.as_str()),
                    crate::rows::format_time(adjustment.at),
                    op.hlc.as_i64(),
                    op.device_id.to_string(),
                ],
            )?;
        }
        Payload::PhotoAdded { photo } => {
            crate::photos::insert(conn, photo, op, source == Source::Local)?;
        }
        Payload::PhotoRemoved { photo_id } => crate::photos::remove(conn, *photo_id)?,
        Payload::OrderPlaced { order } => match source {
            Source::Hub => orders::insert_placed(conn, order, op)?,
            Source::Local => {
                return Err(StoreError::Unsupported(
                    "a device cannot place an order; the buyer's staff do, on the hub".into(),
                ));
            }
        },
        Payload::OrderActionTaken { order_id, .. } => match source {
            Source::Local => orders::propose(conn, *order_id)?,
            Source::Hub => orders::confirm(conn, op)?,
        },
        Payload::RoundPublished { round } => {
            hub_only(source, "plan a collection round")?;
            rounds::publish(conn, round, op)?;
        }
        Payload::OrderRouted { order_id, round } => {
            hub_only(source, "put an order on a round")?;
            rounds::route(conn, *order_id, *round, op)?;
        }
        Payload::OrderLoaded { load } => {
            hub_only(source, "record what a truck loaded")?;
            rounds::load(conn, load, op)?;
        }
        Payload::RoundAnswered { round_id, .. } => match source {
            Source::Local => rounds::propose(conn, *round_id)?,
            Source::Hub => rounds::confirm(conn, op)?,
        },
        Payload::ListingWeighed {
            listing_id,
            weight_per_unit,
        } => {
            crate::listings::require(conn, *listing_id)?;
            let field = ListingField::WeightPerUnit(*weight_per_unit);
            merge_listing_fields(conn, *listing_id, &[field], version, &op_id)?;
        }
    }
    Ok(true)
}

/// Rounds, routes and loads are the buyer's staff's, made on the hub.
fn hub_only(source: Source, what: &str) -> Result<()> {
    match source {
        Source::Hub => Ok(()),
        Source::Local => Err(StoreError::Unsupported(format!(
            "a device cannot {what}; the buyer's staff do, on the hub"
        ))),
    }
}

/// Does `op` write a listing field whose value here comes from one of this
/// device's own operations still pending, at a version `op` does not beat?
/// That version is not final: the hub may already have taken the operation
/// and re-stamped it earlier (the answer saying so lost on the way), and then
/// `op` wins. Re-stamping only ever moves a version back, so a pulled write
/// that beats the pending version beats the final one too.
pub(crate) fn loses_to_pending(conn: &Connection, op: &Operation) -> Result<bool> {
    if let Payload::SaleVoided { sale_id, .. } = &op.payload {
        return beats_pending_void(conn, op, *sale_id);
    }
    let (listing_id, fields) = match &op.payload {
        Payload::ListingCreated { listing } => (listing.id, listing.fields()),
        Payload::ListingEdited {
            listing_id,
            changes,
        } => (*listing_id, changes.to_vec()),
        Payload::ListingWeighed {
            listing_id,
            weight_per_unit,
        } => (
            *listing_id,
            vec![ListingField::WeightPerUnit(*weight_per_unit)],
        ),
        _ => return Ok(false),
    };
    let id = listing_id.to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT v.hlc, v.device_id FROM field_versions v
         JOIN outbox o ON o.op_id = v.op_id AND o.state = 'pending'
         WHERE v.entity_id = ?1 AND v.field = ?2",
    )?;
    for field in &fields {
        let held: Option<(i64, String)> = stmt
            .query_row(params![id, field.name()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((hlc, device)) = held {
            let held = Version {
                hlc: highland_domain::Hlc::from_i64(hlc),
                device: crate::rows::parse(&device)?,
            };
            if !op.version().wins_over(Some(held)) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Does `op`, a void of `sale`, beat this device's own void of it still
/// pending? The earlier void is kept, and the hub may re-stamp the pending
/// one earlier still, which would then win: judged now, `op` would replace
/// a void the device can no longer bring back. As with listing fields, the
/// page waits for that void's acknowledgement.
fn beats_pending_void(
    conn: &Connection,
    op: &Operation,
    sale: highland_domain::SaleId,
) -> Result<bool> {
    let held: Option<(i64, String)> = conn
        .query_row(
            "SELECT v.hlc, v.device_id FROM sale_voids v
             JOIN outbox o ON o.op_id = v.op_id AND o.state = 'pending'
             WHERE v.sale_id = ?1",
            [sale.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((hlc, device)) = held else {
        return Ok(false);
    };
    let held = Version {
        hlc: highland_domain::Hlc::from_i64(hlc),
        device: crate::rows::parse(&device)?,
    };
    Ok((op.hlc, op.device_id) < (held.hlc, held.device))
}

/// Writes each field whose incoming version beats the stored one.
fn merge_listing_fields(
    conn: &Connection,
    listing_id: ListingId,
    fields: &[ListingField],
    version: Version,
    op_id: &str,
) -> Result<()> {
    let id = listing_id.to_string();
    for field in fields {
        let current: Option<(i64, String)> = conn
            .query_row(
                "SELECT hlc, device_id FROM field_versions WHERE entity_id = ?1 AND field = ?2",
                params![id, field.name()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let current = current
            .map(|(hlc, device)| {
                Ok::<_, StoreError>(Version {
                    hlc: highland_domain::Hlc::from_i64(hlc),
                    device: crate::rows::parse(&device)?,
                })
            })
            .transpose()?;
        if !version.wins_over(current) {
            continue;
        }
        write_field(conn, &id, field, version, op_id)?;
    }
    Ok(())
}

/// Sets a listing's field to the value `op_id` wrote, at `version`.
pub(crate) fn write_field(
    conn: &Connection,
    listing_id: &str,
    field: &ListingField,
    version: Version,
    op_id: &str,
) -> Result<()> {
    let (column, value) = column_value(field);
    conn.execute(
        &format!("UPDATE listings SET {column} = ?1 WHERE id = ?2"),
        params![value, listing_id],
    )?;
    conn.execute(
        "INSERT INTO field_versions (entity_id, field, hlc, device_id, op_id)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (entity_id, field)
         DO UPDATE SET hlc = excluded.hlc, device_id = excluded.device_id, op_id = excluded.op_id",
        params![
            listing_id,
            field.name(),
            version.hlc.as_i64(),
            version.device.to_string(),
            op_id
        ],
    )?;
    Ok(())
}

/// The column a field lives in and its stored value. The column names are
/// fixed here, never taken from input.
fn column_value(field: &ListingField) -> (&'static str, Value) {
    let text = |s: &str| Value::Text(s.to_owned());
    match field {
        ListingField::Title(t) => ("title", text(t.as_str())),
        ListingField::Category(c) => ("category", text(c.slug())),
        ListingField::Price(p) => ("price_fen", Value::Integer(p.fen())),
        ListingField::Status(s) => ("status", text(s.slug())),
        ListingField::Description(d) => (
            "description",
            d.as_ref().map_or(Value::Null, |d| text(d.as_str())),
        ),
        ListingField::Lot(l) => (
            "lot_id",
            l.map_or(Value::Null, |l| Value::Text(l.to_string())),
        ),
        ListingField::WeightPerUnit(w) => (
            "weight_per_unit_g",
            w.map_or(Value::Null, |w| Value::Integer(w.grams())),
        ),
    }
}
