//! Lots' chains: the trace events staff record, the certificates sellers
//! issue, and walking a lot back through what it was made from.

use std::collections::{HashSet, VecDeque};

use chrono::{DateTime, Utc};
use highland_domain::{
    Altitude, Certificate, Description, Gtin, Hlc, Lot, LotId, ShortText, TraceCode, TraceEvent,
    TraceStep,
};

use super::views::{format_time, ms, parse};
use super::{Record, Sql};
use crate::trace::chain::{Chain, ChainLot, LotOrigin, Recorded};
use crate::{Error, Result, SellerId};

/// A chain stops growing here: a product of more lots than this is not
/// something a village co-operative's buyer makes, and the walk must end.
const MAX_LOTS: usize = 500;

/// The lot with this code and everything behind it; with a GTIN (from a
/// GS1 Digital Link), only a product lot made under that GTIN.
pub(super) fn chain(
    db: &mut dyn Sql,
    code: &TraceCode,
    gtin: Option<&Gtin>,
) -> Result<Option<Chain>> {
    let Some(id) = lot_id_by_code(db, code)? else {
        return Ok(None);
    };
    let Some(root) = lot(db, id)? else {
        return Ok(None);
    };
    if let Some(gtin) = gtin {
        let LotOrigin::Product { product, .. } = &root.origin else {
            return Ok(None);
        };
        if product.gtin.as_ref() != Some(gtin) {
            return Ok(None);
        }
    }
    let mut lots = vec![root.clone()];
    let mut seen = HashSet::from([id]);
    let mut queue = VecDeque::from([id]);
    while let Some(output) = queue.pop_front() {
        for input in related(db, "input_lot_id", "output_lot_id", output)? {
            if lots.len() >= MAX_LOTS || !seen.insert(input) {
                continue;
            }
            if let Some(found) = lot(db, input)? {
                lots.push(found);
                queue.push_back(input);
            }
        }
    }
    let mut events = Vec::new();
    let mut certificates = Vec::new();
    for l in &lots {
        let lot_id = l.id.to_string();
        for row in db.query(
            "SELECT body FROM trace_events WHERE lot_id = ?1",
            &[&lot_id],
        )? {
            events.push(json::<TraceEvent>(&row)?);
        }
        // The collection rounds that carried it, each a `shipped` step.
        events.extend(super::rounds::shipments(db, l.id)?);
        for row in db.query(
            "SELECT body FROM certificates WHERE lot_id = ?1",
            &[&lot_id],
        )? {
            certificates.push(json::<Certificate>(&row)?);
        }
    }
    events.sort_by_key(|e| (e.at, e.id));
    certificates.sort_by_key(|c| (c.issued_on, c.id));
    let mut made_into = Vec::new();
    for output in related(db, "output_lot_id", "input_lot_id", id)? {
        if let Some(found) = lot(db, output)? {
            made_into.push(found);
        }
    }
    let listings = db
        .query(
            "SELECT title FROM listings
             WHERE lot_id = ?1 AND status <> 'draft'
             ORDER BY created_hlc, id",
            &[&id.to_string()],
        )?
        .iter()
        .map(|r: &Record| r.get(0))
        .collect();
    Ok(Some(Chain {
        lot: root,
        lots,
        events,
        certificates,
        made_into,
        listings,
    }))
}

/// Lots a processing step links to `lot`: its inputs, or what it went into.
fn related(db: &mut dyn Sql, want: &str, by: &str, lot: LotId) -> Result<Vec<LotId>> {
    db.query(
        &format!("SELECT DISTINCT {want} FROM lot_inputs WHERE {by} = ?1 ORDER BY {want}"),
        &[&lot.to_string()],
    )?
    .iter()
    .map(|r| parse(r.get::<_, &str>(0)))
    .collect()
}

fn lot_id_by_code(db: &mut dyn Sql, code: &TraceCode) -> Result<Option<LotId>> {
    // Two lots sharing a code is one chance in 500,000 among a million lots
    // (see TraceCode); the first recorded keeps it.
    let village = db.query_opt(
        "SELECT id FROM lots WHERE trace_code = ?1 ORDER BY created_hlc, id LIMIT 1",
        &[&code.as_str()],
    )?;
    let found = match village {
        Some(row) => Some(row),
        None => db.query_opt(
            "SELECT id FROM product_lots WHERE trace_code = ?1 ORDER BY id LIMIT 1",
            &[&code.as_str()],
        )?,
    };
    found.map(|r| parse(r.get::<_, &str>(0))).transpose()
}

/// A village lot as its seller recorded it, or a product lot as the
/// processing step that made it says.
pub(super) fn lot(db: &mut dyn Sql, id: LotId) -> Result<Option<ChainLot>> {
    let key = id.to_string();
    if let Some(row) = db.query_opt(
        "SELECT seller_id, village, altitude_m, harvested_on, environment, created_hlc
         FROM lots WHERE id = ?1",
        &[&key],
    )? {
        return Ok(Some(ChainLot {
            id,
            code: TraceCode::of_lot(id),
            origin: harvest(id, &row)?,
        }));
    }
    let Some(row) = db.query_opt(
        "SELECT e.body FROM product_lots p JOIN trace_events e ON e.id = p.event_id
         WHERE p.id = ?1",
        &[&key],
    )?
    else {
        return Ok(None);
    };
    let event: TraceEvent = json(&row)?;
    let TraceStep::Processed { product, .. } = event.step else {
        return Err(Error::BadRecord(format!(
            "product lot {id} made by a {:?}",
            event.step.kind()
        )));
    };
    Ok(Some(ChainLot {
        id,
        code: TraceCode::of_lot(id),
        origin: LotOrigin::Product {
            product,
            made_at: event.at,
        },
    }))
}

fn harvest(id: LotId, r: &Record) -> Result<LotOrigin> {
    let bad = |what: &str| Error::BadRecord(format!("lot {id}: {what}"));
    let altitude: Option<i64> = r.get(2);
    let harvested_on: Option<String> = r.get(3);
    let environment: Option<String> = r.get(4);
    let created: i64 = r.get(5);
    let lot = Lot {
        id,
        village: ShortText::parse(r.get(1))?,
        altitude: altitude
            .map(|a| {
                i32::try_from(a)
                    .map_err(|_| bad("altitude"))
                    .and_then(|m| Altitude::from_metres(m).map_err(Error::from))
            })
            .transpose()?,
        harvested_on: harvested_on.as_deref().map(parse).transpose()?,
        environment: environment.as_deref().map(Description::parse).transpose()?,
    };
    let wall = Hlc::from_i64(created).wall_ms();
    let recorded_at =
        DateTime::<Utc>::from_timestamp_millis(i64::try_from(wall).unwrap_or(i64::MAX))
            .ok_or_else(|| bad("time"))?;
    Ok(LotOrigin::Harvest {
        lot,
        seller_id: parse(r.get::<_, &str>(0))?,
        recorded_at,
    })
}

fn json<T: serde::de::DeserializeOwned>(row: &Record) -> Result<T> {
    serde_json::from_str(row.get::<_, &str>(0)).map_err(|e| Error::BadRecord(e.to_string()))
}

/// Records what staff did with a lot. The lot must exist; a processing
/// step's inputs must exist and its product lot must not.
pub(super) fn record_event(tx: &mut dyn Sql, event: &TraceEvent, now_ms: u64) -> Result<Recorded> {
    let id = event.id.to_string();
    if tx
        .query_opt("SELECT 1 FROM trace_events WHERE id = ?1", &[&id])?
        .is_some()
    {
        return Ok(Recorded::AlreadyKnown);
    }
    let known = lot_exists;
    if let TraceStep::Processed { inputs, .. } = &event.step {
        if known(tx, event.lot_id)? {
            return Err(Error::LotExists(TraceCode::of_lot(event.lot_id).grouped()));
        }
        for input in inputs.as_slice() {
            if !known(tx, input.lot_id)? {
                return Err(Error::UnknownLot(TraceCode::of_lot(input.lot_id).grouped()));
            }
        }
    } else if !known(tx, event.lot_id)? {
        return Err(Error::UnknownLot(TraceCode::of_lot(event.lot_id).grouped()));
    }
    let body = serde_json::to_string(event).map_err(|e| Error::BadRecord(e.to_string()))?;
    tx.execute(
        "INSERT INTO trace_events (id, lot_id, step, at, body, recorded_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[
            &id,
            &event.lot_id.to_string(),
            &event.step.kind().slug(),
            &format_time(event.at),
            &body,
            &ms(now_ms),
        ],
    )?;
    if let TraceStep::Processed { product, inputs } = &event.step {
        tx.execute(
            "INSERT INTO product_lots (id, trace_code, gtin, name, event_id)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            &[
                &event.lot_id.to_string(),
                &TraceCode::of_lot(event.lot_id).as_str(),
                &product.gtin.as_ref().map(|g| g.as_str()),
                &product.name.as_str(),
                &id,
            ],
        )?;
        for input in inputs.as_slice() {
            tx.execute(
                "INSERT INTO lot_inputs (event_id, output_lot_id, input_lot_id)
                 VALUES (?1, ?2, ?3)",
                &[&id, &event.lot_id.to_string(), &input.lot_id.to_string()],
            )?;
        }
    }
    Ok(Recorded::New)
}

fn lot_exists(tx: &mut dyn Sql, lot: LotId) -> Result<bool> {
    let key = lot.to_string();
    Ok(tx
        .query_opt("SELECT 1 FROM lots WHERE id = ?1", &[&key])?
        .is_some()
        || tx
            .query_opt("SELECT 1 FROM product_lots WHERE id = ?1", &[&key])?
            .is_some())
}

/// Keeps a certificate a seller issued; applied like any synced operation.
pub(crate) fn insert_certificate(
    tx: &mut dyn Sql,
    seller: SellerId,
    certificate: &Certificate,
    hlc: Hlc,
) -> Result<()> {
    let body = serde_json::to_string(certificate).map_err(|e| Error::BadRecord(e.to_string()))?;
    tx.execute(
        "INSERT INTO certificates (id, lot_id, seller_id, issued_on, body, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT DO NOTHING",
        &[
            &certificate.id.to_string(),
            &certificate.lot_id.to_string(),
            &seller.to_string(),
            &certificate.issued_on.to_string(),
            &body,
            &hlc.as_i64(),
        ],
    )?;
    Ok(())
}

/// The most recent lots, village and product alike, newest first, for
/// the console.
pub(super) fn recent_lots(db: &mut dyn Sql, limit: u32) -> Result<Vec<ChainLot>> {
    let limit = i64::from(limit);
    let mut found: Vec<(u64, LotId)> = Vec::new();
    for row in db.query(
        "SELECT id, created_hlc FROM lots ORDER BY created_hlc DESC, id LIMIT ?1",
        &[&limit],
    )? {
        found.push((
            Hlc::from_i64(row.get(1)).wall_ms(),
            parse(row.get::<_, &str>(0))?,
        ));
    }
    for row in db.query(
        "SELECT p.id, e.recorded_at_ms FROM product_lots p JOIN trace_events e ON e.id = p.event_id
         ORDER BY e.recorded_at_ms DESC, p.id LIMIT ?1",
        &[&limit],
    )? {
        let at: i64 = row.get(1);
        found.push((at.max(0) as u64, parse(row.get::<_, &str>(0))?));
    }
    found.sort_by(|a, b| b.cmp(a));
    found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let mut lots = Vec::with_capacity(found.len());
    for (_, id) in found {
        if let Some(l) = lot(db, id)? {
            lots.push(l);
        }
    }
    Ok(lots)
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
