//! Moving an operation this store holds to the timestamp the hub's log
//! holds it at.
//!
//! Every replica must merge an operation at one timestamp, and the log's is
//! the one: the hub re-stamps a write from a clock far ahead, and says so in
//! its acknowledgement ([`crate::sync`]'s commit), and a hub that went back
//! in time, having forgotten it re-stamped one, may take it again at the
//! time it was sent, while other devices hold it re-stamped; they meet it
//! again in the log at its new time. The operation's rows move to that time,
//! and what its time decides (a listing's fields, last writer wins; a
//! sale's void, earliest wins) is decided again from every write this store
//! holds, so a write it had let lose may win now, and the other way round.

use highland_domain::{ListingField, ListingId, Operation, Payload, SaleId, Version};
use rusqlite::{Connection, OptionalExtension, params};

use crate::apply::write_field;
use crate::{Result, StoreError};

/// Brings the store to `op` at `op.hlc`, the log's timestamp for it.
pub(crate) fn retime(conn: &Connection, op: &Operation) -> Result<()> {
    let hlc = op.hlc.as_i64();
    let id = op.id.to_string();
    let (sql, entity) = match &op.payload {
        Payload::ListingCreated { listing } => (
            "UPDATE listings SET created_hlc = ?1 WHERE id = ?2",
            listing.id.to_string(),
        ),
        Payload::LotRecorded { lot } => (
            "UPDATE lots SET created_hlc = ?1 WHERE id = ?2",
            lot.id.to_string(),
        ),
        Payload::CertificateIssued { certificate } => (
            "UPDATE certificates SET hlc = ?1 WHERE id = ?2",
            certificate.id.to_string(),
        ),
        Payload::SaleRecorded { sale } => (
            "UPDATE sales SET hlc = ?1 WHERE id = ?2",
            sale.id.to_string(),
        ),
        Payload::SaleVoided { .. } => (
            "UPDATE sale_voids SET hlc = ?1 WHERE op_id = ?2",
            id.clone(),
        ),
        Payload::StockAdjusted { adjustment } => (
            "UPDATE stock_adjustments SET hlc = ?1 WHERE id = ?2",
            adjustment.id.to_string(),
        ),
        Payload::PhotoAdded { photo } => (
            "UPDATE photos SET hlc = ?1 WHERE id = ?2",
            photo.id.to_string(),
        ),
        Payload::OrderPlaced { order } => (
            "UPDATE orders SET placed_hlc = ?1 WHERE id = ?2",
            order.id.to_string(),
        ),
        Payload::OrderActionTaken { .. } => (
            "UPDATE order_history SET hlc = ?1 WHERE op_id = ?2",
            id.clone(),
        ),
        // A weight per unit is a field version of its own.
        Payload::ListingWeighed { .. } => (
            "UPDATE field_versions SET hlc = ?1 WHERE op_id = ?2",
            id.clone(),
        ),
        // A removal has no row of its own to move. An answer to a round,
        // like an order proposal, is kept with its timestamp only once the
        // hub confirms it; the rest of a round is the hub's and never here.
        Payload::ListingEdited { .. }
        | Payload::PhotoRemoved { .. }
        | Payload::RoundAnswered { .. }
        | Payload::RoundPublished { .. }
        | Payload::OrderRouted { .. }
        | Payload::OrderLoaded { .. } => ("", String::new()),
    };
    if !sql.is_empty() {
        conn.execute(sql, params![hlc, entity])?;
    }
    match &op.payload {
        Payload::ListingCreated { listing } => decide_listing(conn, listing.id),
        Payload::ListingEdited { listing_id, .. } => decide_listing(conn, *listing_id),
        Payload::SaleVoided { sale_id, .. } => decide_void(conn, *sale_id),
        _ => Ok(()),
    }
}

/// Every operation this store applied whose text names `id`: its own
/// (acknowledged or pending) and those it pulled, at the timestamps it
/// holds them at now.
fn writes_naming(conn: &Connection, id: &str) -> Result<Vec<Operation>> {
    let pattern = format!("%{id}%");
    let mut stmt = conn.prepare_cached(
        "SELECT body FROM outbox WHERE state IN ('acked', 'pending') AND body LIKE ?1
         UNION ALL
         SELECT body FROM pulled_ops WHERE applied = 1 AND body LIKE ?1",
    )?;
    let bodies = stmt
        .query_map([pattern], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // One the store cannot read (a newer kind) decides nothing here.
    Ok(bodies
        .iter()
        .filter_map(|b| serde_json::from_str(b).ok())
        .collect())
}

/// Each field of listing `id` takes the value of the write with the greatest
/// version among those this store holds. A field whose current write is not
/// among them (applied before pulled operations were kept) keeps its value
/// unless a write held beats it.
fn decide_listing(conn: &Connection, id: ListingId) -> Result<()> {
    let key = id.to_string();
    let mut best: Vec<(Version, String, ListingField)> = Vec::new();
    for op in writes_naming(conn, &key)? {
        let fields = match &op.payload {
            Payload::ListingCreated { listing } if listing.id == id => listing.fields(),
            Payload::ListingEdited {
                listing_id,
                changes,
            } if *listing_id == id => changes.to_vec(),
            _ => continue,
        };
        let version = op.version();
        for field in fields {
            match best.iter_mut().find(|(_, _, f)| f.name() == field.name()) {
                Some(slot) if version.wins_over(Some(slot.0)) => {
                    *slot = (version, op.id.to_string(), field);
                }
                Some(_) => {}
                None => best.push((version, op.id.to_string(), field)),
            }
        }
    }
    for (version, op_id, field) in best {
        let held: Option<(i64, String, String)> = conn
            .query_row(
                "SELECT hlc, device_id, op_id FROM field_versions
                 WHERE entity_id = ?1 AND field = ?2",
                params![key, field.name()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((hlc, device, held_op)) = held {
            let held_version = Version {
                hlc: highland_domain::Hlc::from_i64(hlc),
                device: crate::rows::parse(&device)?,
            };
            let unknown_write = held_op != op_id && !holds_write(conn, &held_op)?;
            if unknown_write && !version.wins_over(Some(held_version)) {
                continue;
            }
            if held_op == op_id && held_version == version {
                continue;
            }
        }
        write_field(conn, &key, &field, version, &op_id)?;
    }
    Ok(())
}

/// Whether this store holds the text of operation `op_id`, its own or pulled.
fn holds_write(conn: &Connection, op_id: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM outbox WHERE op_id = ?1 UNION ALL SELECT 1 FROM pulled_ops WHERE op_id = ?1",
            [op_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Sale `id` keeps the earliest void, by (HLC, device), among those this
/// store holds.
fn decide_void(conn: &Connection, id: SaleId) -> Result<()> {
    let key = id.to_string();
    let earliest = writes_naming(conn, &key)?
        .into_iter()
        .filter(|op| matches!(&op.payload, Payload::SaleVoided { sale_id, .. } if *sale_id == id))
        .min_by_key(|op| (op.hlc, op.device_id));
    let Some(op) = earliest else {
        return Ok(());
    };
    let Payload::SaleVoided { reason, at, .. } = &op.payload else {
        return Err(StoreError::BadRecord("a void that is not one".into()));
    };
    let held: Option<String> = conn
        .query_row(
            "SELECT op_id FROM sale_voids WHERE sale_id = ?1",
            [&key],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(held) = held
        && held != op.id.to_string()
        && !holds_write(conn, &held)?
    {
        // Kept from before pulled operations were: it stays.
        return Ok(());
    }
    conn.execute(
        "INSERT INTO sale_voids (sale_id, reason, voided_at, hlc, device_id, op_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (sale_id) DO UPDATE SET
           reason = excluded.reason, voided_at = excluded.voided_at,
           hlc = excluded.hlc, device_id = excluded.device_id, op_id = excluded.op_id",
        params![
            key,
            reason.as_str(),
            crate::rows::format_time(*at),
            op.hlc.as_i64(),
            op.device_id.to_string(),
            op.id.to_string(),
        ],
    )?;
    Ok(())
}
