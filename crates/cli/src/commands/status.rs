use highland_engine::{RepairKind, Store, StoreRepair};
use serde_json::json;

use super::print_json;

pub fn run(store: &mut Store, json: bool) -> anyhow::Result<()> {
    let status = store.status()?;
    let sync = store.sync_status()?;
    let photos = store.photo_transfers()?;
    let repair = store.last_repair()?;
    if json {
        return print_json(&json!({
            "device_id": status.device_id,
            "listings": status.listings,
            "lots": status.lots,
            "sales": status.sales,
            "orders": status.orders,
            "orders_to_answer": status.orders_to_answer,
            "pending_ops": status.pending_ops,
            "hub": sync.hub,
            "seller_id": sync.seller_id,
            "last_sync_at": sync.last_sync_at,
            "last_error": sync.last_error,
            "last_error_code": sync.last_error_code,
            "refused_ops": sync.refused,
            "hub_went_back": sync.hub_went_back,
            "own_recovered": sync.own_recovered,
            "waiting_for_update": sync.waiting_for_update,
            "deferred_ops": sync.deferred_ops,
            "release_ready": sync.release_ready,
            "store_repaired": repair,
            "photos": photos,
        }));
    }
    println!("listings:         {}", status.listings);
    println!("lots:             {}", status.lots);
    println!("sales:            {}", status.sales);
    println!(
        "orders:           {} ({} to answer)",
        status.orders, status.orders_to_answer
    );
    println!("waiting for hub:  {}", status.pending_ops);
    if photos.uploads_waiting > 0 {
        println!(
            "photos to upload: {} files, {} bytes",
            photos.uploads_waiting, photos.upload_bytes_left
        );
    }
    if photos.downloads_waiting > 0 {
        println!(
            "photos to fetch:  {} files, {} bytes (`highland sync --photos`)",
            photos.downloads_waiting, photos.download_bytes_left
        );
    }
    match &sync.hub {
        Some(hub) => println!("hub:              {hub}"),
        None => println!("hub:              not enrolled"),
    }
    println!(
        "last sync:        {}",
        sync.last_sync_at.as_deref().unwrap_or("never")
    );
    if let Some(error) = &sync.last_error {
        println!("last problem:     {error}");
    }
    if let Some(back) = &sync.hub_went_back {
        println!(
            "hub restored:     {}: the hub was restored from a backup; {} sales were sent again ({} changes in all), {} changes of other tablets given back",
            back.at, back.resent_sales, back.resent, back.returned
        );
    }
    if let Some(own) = &sync.own_recovered {
        println!(
            "taken back:       {}: {} sales of this device were brought back from the hub ({} changes in all)",
            own.at, own.sales, own.operations
        );
    }
    if let Some(ready) = &sync.release_ready {
        println!(
            "update:           a new Highland ({}, {:.1} MB) is ready on the hub",
            ready.version,
            ready.size_bytes as f64 / 1_000_000.0
        );
    }
    if sync.waiting_for_update > 0 {
        println!(
            "needs an update:  {} from a newer Highland {} for an update of this app",
            changes(sync.waiting_for_update),
            if sync.waiting_for_update == 1 {
                "waits"
            } else {
                "wait"
            }
        );
    }
    if sync.deferred_ops > 0 {
        println!(
            "hub too old:      {} {} until the hub is updated",
            changes(sync.deferred_ops),
            if sync.deferred_ops == 1 {
                "waits"
            } else {
                "wait"
            }
        );
    }
    if let Some(repair) = &repair {
        println!("store repaired:   {}: {}", repair.at, repaired(repair));
    }
    for refused in &sync.refused {
        println!(
            "refused by hub:   {} {}: {}",
            refused.entity, refused.entity_id, refused.message
        );
    }
    Ok(())
}

fn changes(n: u64) -> String {
    if n == 1 {
        "1 change".to_owned()
    } else {
        format!("{n} changes")
    }
}

/// What the last repair of the store did, in a sentence.
fn repaired(repair: &StoreRepair) -> String {
    match repair.kind {
        RepairKind::IndexesRebuilt => format!(
            "this device's data had damaged indexes ({}); they were rebuilt and nothing was lost",
            repair.indexes.join(", ")
        ),
        RepairKind::StoreRebuilt => {
            let mut said = format!(
                "this device's data was damaged and set aside in {}; {} changes were recovered \
                 from it ({} sales), {} could not be read; the rest comes back from the hub at \
                 the next sync",
                repair.set_aside.as_deref().unwrap_or("?"),
                repair.recovered,
                repair.recovered_sales,
                repair.unreadable
            );
            if repair.enrollment_lost {
                said.push_str("; enroll this device again, its enrollment could not be read");
            }
            said
        }
    }
}
