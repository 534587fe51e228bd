//! A store whose tables are damaged is set aside exactly as it was found,
//! and a new store takes its place: the same device id, enrollment and
//! settings, and every operation its outbox still gives back, pending again
//! and applied, so the seller sees them before the next sync and the hub
//! gets them again (it keeps each once, by its id). The new store has
//! acknowledged nothing, pulls the hub's log from the start, and remembers
//! no run of the hub, so the next sync brings back what the hub holds.
//!
//! The new store is made under another name and put in place crash-safe
//! (`swap`).

use std::fs;
use std::path::Path;

use highland_domain::Payload;
use rusqlite::TransactionBehavior;

use super::check::Finding;
use super::file::{self, WAL, sidecar};
use super::prepare::{self, Opened};
use super::salvage::{self, Salvage};
use super::swap::{BUILDING, BUILT, aside_name, finish, remove_building, sync_dir, take_lock};
use crate::apply::{self, Source};
use crate::clock::Clock;
use crate::health::{self, RepairKind, StoreRepair};
use crate::store::write_hlc;
use crate::{Result, StoreError, outbox};

/// Sets the damaged store at `path` aside and makes a new one in its place.
/// Returns with nothing done if, once it holds the lock, the store at
/// `path` is no longer one with damaged tables: another process rebuilt
/// it meanwhile.
pub(super) fn rebuild(path: &Path, clock: &dyn Clock) -> Result<()> {
    let _lock = take_lock(path)?;
    if finish(path)? {
        return Ok(());
    }
    let (damaged, _) = file::open_as_found(path)?;
    let findings = match file::inspect(&damaged, path, true)? {
        (_, Finding::Tables { findings }) => findings,
        (_, Finding::Sound | Finding::Indexes { .. }) => return Ok(()),
    };
    let file_bytes = [path.to_owned(), sidecar(path, WAL)]
        .iter()
        .map(|p| fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    let salvage = salvage::read(&damaged, file_bytes);
    drop(damaged);
    let now = clock.now();
    let aside = aside_name(path, now);
    build(path, &aside, &salvage, findings, clock)?;
    finish(path)?;
    Ok(())
}

/// Makes the new store, whole, as `.rebuilt` beside `path`.
fn build(
    path: &Path,
    aside: &Path,
    salvage: &Salvage,
    findings: String,
    clock: &dyn Clock,
) -> Result<()> {
    remove_building(path)?;
    let building = sidecar(path, BUILDING);
    let mut conn = match prepare::open_with_patience(&building, clock, false)? {
        Opened::Ready(conn) => conn,
        Opened::TablesDamaged => {
            return Err(StoreError::Corrupt {
                path: building,
                detail: "a store made a moment ago is damaged already".into(),
            });
        }
    };
    let now = clock.now();
    let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(id) = salvage.device_id {
        // The hub knows this device's token by its id, and every operation
        // it made carries it.
        tx.execute(
            "UPDATE device SET device_id = ?1 WHERE id = 1",
            [id.to_string()],
        )?;
    }
    write_hlc(&tx, salvage.hlc)?;
    if let Some(e) = &salvage.enrollment {
        e.write(&tx)?;
        tx.execute(
            "UPDATE sync_state SET clock_offset_ms = ?1 WHERE id = 1",
            [salvage.clock_offset_ms],
        )?;
    }
    for (key, value) in &salvage.settings {
        tx.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)",
            [key, value],
        )?;
    }
    let mut sales = 0;
    for op in &salvage.ops {
        outbox::append(&tx, op)?;
        if matches!(op.payload, Payload::SaleRecorded { .. }) {
            sales += 1;
        }
        // An operation that needs what the damaged file lost (a sale of a
        // listing whose creation is gone, an answer to an order not pulled
        // yet) is not applied here; it goes to the hub all the same, and
        // comes back with what it needs.
        let step = tx.savepoint()?;
        match apply::apply(&step, op, Source::Local) {
            Ok(_) => step.commit()?,
            Err(e) if e.is_storage_full() => return Err(e),
            Err(_) => {}
        }
    }
    let report = StoreRepair {
        at: crate::rows::format_time(now),
        kind: RepairKind::StoreRebuilt,
        findings,
        indexes: Vec::new(),
        set_aside: Some(aside.display().to_string()),
        recovered: salvage.ops.len() as u64,
        recovered_sales: sales,
        unreadable: salvage.unreadable,
        enrollment_lost: salvage.enrollment_lost,
    };
    health::record(&tx, now, Some(&report))?;
    tx.commit()?;
    // Closed, its log folded in and removed, before it is renamed.
    drop(conn);
    fs::rename(&building, sidecar(path, BUILT))?;
    sync_dir(path);
    Ok(())
}
