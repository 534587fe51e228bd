//! A hub that went back in time (docs/sync-protocol.md section 14): its
//! disk died and last night's backup was put back. What it acknowledged
//! since is gone from it, though the tablet saw it acknowledged. The real
//! `highland` binaries notice at their next sync, send it all again, pull
//! the hub's log again from the start, and tell the seller.
//!
//! Once with `highland-hub restore` (a new incarnation), once with the file
//! copied back by hand (the same incarnation: only the tablet's cursor,
//! past the end of the restored log, gives it away).

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, ensure};
use highland_e2e::{Device, Hub};

const SYNC_LIMIT: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Restore {
    /// `highland-hub restore --from FILE`.
    Command,
    /// Stop, copy the backup over hub.db, remove its write-ahead log, start.
    ByHand,
}

fn sync(device: &Device) -> anyhow::Result<()> {
    let report = device
        .sync(SYNC_LIMIT)
        .map_err(|f| anyhow::anyhow!("{} sync: {f}", device.name()))?;
    ensure!(report.pending_ops == 0, "{}: {report:?}", device.name());
    Ok(())
}

fn restored_hub_gets_back_every_sale(how: Restore) -> anyhow::Result<()> {
    let mut hub = Hub::start()?;
    let seller = hub.add_seller("Dolma", "Yubeng")?;
    let a = Device::new("tablet-a")?;
    let b = Device::new("tablet-b")?;
    a.enroll(&hub.url(), &seller.code)?;
    let honey = a.add_listing("Yubeng honey", "honey", "jar", "45", "20")?;
    sync(&a)?;
    b.enroll(&hub.url(), &hub.device_code(&seller.seller_id)?)?;
    sync(&b)?;
    ensure!(b.listings()?.len() == 1, "B has A's listing");

    // Last night's backup, taken while the hub serves.
    let backups = tempfile::tempdir()?;
    let backup = backups.path().join("hub-backup.db");
    hub.ok(&["backup", "--out", backup.to_str().context("path")?])
        .context("highland-hub backup")?;

    // A sells three jars; the hub acknowledges them.
    for _ in 0..3 {
        a.sell(&honey, "1")?;
    }
    sync(&a)?;
    ensure!(hub.sales()?.len() == 3, "{:?}", hub.sales()?);

    // The disk dies; the backup goes back.
    hub.shut_down()?;
    let database = hub.data_dir().join("hub.db");
    match how {
        Restore::Command => {
            hub.ok(&["restore", "--from", backup.to_str().context("path")?])
                .context("highland-hub restore")?;
        }
        Restore::ByHand => copy_back(&backup, &database)?,
    }
    hub.restart()?;
    ensure!(
        hub.sales()?.is_empty(),
        "the restored hub lost the three sales"
    );

    b.sell(&honey, "1")?;
    for _ in 0..2 {
        sync(&a)?;
        sync(&b)?;
    }

    let on_hub = hub.sales()?;
    ensure!(
        on_hub.len() == 4,
        "the hub holds {} sales: {on_hub:?}",
        on_hub.len()
    );
    for device in [&a, &b] {
        let sales = device.sales()?;
        ensure!(
            sales.len() == 4,
            "{} shows {} sales: {sales:?}",
            device.name(),
            sales.len()
        );
    }
    let stock = |d: &Device| -> anyhow::Result<i64> { Ok(d.listings()?[0].stock) };
    let hub_stock = hub.listings()?[0].stock;
    ensure!(
        stock(&a)? == stock(&b)? && stock(&a)? == hub_stock,
        "stock: A {}, B {}, hub {hub_stock}",
        stock(&a)?,
        stock(&b)?
    );
    ensure!(stock(&a)? == 16, "20 jars less 4 sold: {}", stock(&a)?);

    let status = a.status()?;
    let notice = status
        .hub_went_back
        .as_ref()
        .with_context(|| format!("A tells the seller: {status:?}"))?;
    ensure!(notice.resent_sales == 3, "{notice:?}");
    // The listing and its stock, and the three sales.
    ensure!(notice.resent == 5, "{notice:?}");
    let shown = a.ok(&["status"])?;
    ensure!(
        shown.contains("the hub was restored from a backup; 3 sales were sent again"),
        "{shown}"
    );
    if how == Restore::Command {
        // B noticed the new incarnation too, but sent no sale again.
        let notice = b.status()?.hub_went_back.context("B noticed")?;
        ensure!(notice.resent_sales == 0, "{notice:?}");
    }
    Ok(())
}

/// What an operator without the restore command does: the file put back
/// by hand, and the old write-ahead log removed.
fn copy_back(backup: &Path, database: &Path) -> anyhow::Result<()> {
    std::fs::copy(backup, database)?;
    for log in ["-wal", "-shm"] {
        let mut name = database.as_os_str().to_owned();
        name.push(log);
        match std::fs::remove_file(&name) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(())
}

#[test]
fn a_hub_restored_from_a_backup_gets_every_sale_back() -> anyhow::Result<()> {
    restored_hub_gets_back_every_sale(Restore::Command)
}

#[test]
fn a_hub_copied_back_by_hand_gets_every_sale_back() -> anyhow::Result<()> {
    restored_hub_gets_back_every_sale(Restore::ByHand)
}
