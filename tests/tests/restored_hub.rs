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

use anyhow::{Context, ensure};
use highland_e2e::seller::two_tablets_with_honey;
use highland_e2e::{Device, Hub, postgres};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Restore {
    /// `highland-hub restore --from FILE`.
    Command,
    /// Stop, copy the backup over hub.db, remove its write-ahead log, start.
    ByHand,
    /// A hub on PostgreSQL: `pg_dump` at night; `pg_restore --clean`, then
    /// `highland-hub restore --database-url`.
    Postgres,
}

fn restored_hub_gets_back_every_sale(how: Restore) -> anyhow::Result<()> {
    let database = match how {
        Restore::Postgres => Some(postgres::fresh_database()?),
        _ => None,
    };
    let mut hub = match &database {
        Some(url) => Hub::start_on_postgres(url)?,
        None => Hub::start()?,
    };
    let (a, b, honey) = two_tablets_with_honey(&hub, "20")?;
    ensure!(b.listings()?.len() == 1, "B has A's listing");

    // Last night's backup, taken while the hub serves.
    let backups = tempfile::tempdir()?;
    let backup = backups.path().join("hub-backup.db");
    match &database {
        Some(url) => postgres::dump(url, &backup)?,
        None => {
            hub.ok(&["backup", "--out", backup.to_str().context("path")?])
                .context("highland-hub backup")?;
        }
    }

    // A sells three jars; the hub acknowledges them.
    for _ in 0..3 {
        a.sell(&honey, "1")?;
    }
    a.sync_all()?;
    ensure!(hub.sales()?.len() == 3, "{:?}", hub.sales()?);

    // The disk dies; the backup goes back.
    hub.shut_down()?;
    match (how, &database) {
        (Restore::Command, _) => {
            hub.ok(&["restore", "--from", backup.to_str().context("path")?])
                .context("highland-hub restore")?;
        }
        (Restore::ByHand, _) => copy_back(&backup, &hub.data_dir().join("hub.db"))?,
        (Restore::Postgres, Some(url)) => {
            postgres::restore(url, &backup)?;
            hub.ok(&["restore"]).context("highland-hub restore")?;
        }
        (Restore::Postgres, None) => unreachable!("a PostgreSQL hub has a database URL"),
    }
    hub.restart()?;
    ensure!(
        hub.sales()?.is_empty(),
        "the restored hub lost the three sales"
    );

    b.sell(&honey, "1")?;
    for _ in 0..2 {
        a.sync_all()?;
        b.sync_all()?;
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
    // Only what the hub lacked: the backup holds the listing and its stock.
    ensure!(notice.resent == 3, "{notice:?}");
    let shown = a.ok(&["status"])?;
    ensure!(
        shown.contains("the hub was restored from a backup; 3 sales were sent again"),
        "{shown}"
    );
    if how != Restore::ByHand {
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

/// The tablet that sold is lost with the hub's disk: what it sold, and the
/// order staff placed, come back from the other tablet, which pulled them.
#[test]
fn a_restored_hub_gets_back_from_one_tablet_what_a_lost_one_sold() -> anyhow::Result<()> {
    let mut hub = Hub::start()?;
    let (a, b, honey) = two_tablets_with_honey(&hub, "20")?;

    let backups = tempfile::tempdir()?;
    let backup = backups.path().join("hub-backup.db");
    hub.ok(&["backup", "--out", backup.to_str().context("path")?])?;

    for _ in 0..3 {
        a.sell(&honey, "1")?;
    }
    a.sync_all()?;
    let order = hub.ok(&[
        "order",
        "place",
        "--listing",
        &honey,
        "--quantity",
        "2",
        "--price",
        "40",
    ])?;
    b.sync_all()?;
    ensure!(b.sales()?.len() == 3, "B pulled A's sales");

    // The disk dies, and tablet A with it.
    hub.shut_down()?;
    drop(a);
    hub.ok(&["restore", "--from", backup.to_str().context("path")?])?;
    hub.restart()?;
    ensure!(hub.sales()?.is_empty(), "the restore lost the sales");

    b.sync_all()?;
    let on_hub = hub.sales()?;
    ensure!(
        on_hub.len() == 3,
        "the hub holds {} sales: {on_hub:?}",
        on_hub.len()
    );
    let shown = hub.ok(&["order", "show", order.trim()])?;
    ensure!(shown.contains("placed"), "the order came back: {shown}");
    let notice = b.status()?.hub_went_back.context("B noticed")?;
    // Three sales and the order, the hub's own operation, under its seal.
    ensure!(notice.returned == 4, "{notice:?}");
    ensure!(notice.resent == 0, "{notice:?}");
    ensure!(hub.listings()?[0].stock == 17, "20 jars less 3 sold");
    Ok(())
}

/// Scenario 5 of issue 14: the tablet's own file goes back (an old copy put
/// back). It takes its own sales back from the hub, shows them all with the
/// right stock, and its next edit wins over its older ones.
#[test]
fn a_tablet_put_back_from_an_old_copy_takes_its_own_sales_back() -> anyhow::Result<()> {
    let hub = Hub::start()?;
    let seller = hub.add_seller("Dolma", "Yubeng")?;
    let a = Device::new("tablet-a")?;
    a.enroll(&hub.url(), &seller.code)?;
    let honey = a.add_listing("Yubeng honey", "honey", "jar", "45", "20")?;
    for _ in 0..2 {
        a.sell(&honey, "1")?;
    }
    a.sync_all()?;
    let old_copy = a.copy_as("tablet-a-copy")?;

    for _ in 0..3 {
        a.sell(&honey, "1")?;
    }
    a.edit_price(&honey, "50")?;
    a.sync_all()?;
    ensure!(hub.sales()?.len() == 5);

    // The old copy goes back in place of the tablet's file.
    let put_back = old_copy;
    ensure!(put_back.sales()?.len() == 2);
    put_back.sync_all()?;
    let sales = put_back.sales()?;
    ensure!(sales.len() == 5, "the tablet shows {} sales", sales.len());
    let listing = &put_back.listings()?[0];
    ensure!(
        listing.stock == 15,
        "20 jars less 5 sold: {}",
        listing.stock
    );
    ensure!(
        listing.price_fen == 5000,
        "the newer price: {}",
        listing.price_fen
    );
    let recovered = put_back
        .status()?
        .own_recovered
        .context("the seller is told")?;
    ensure!(recovered.sales == 3, "{recovered:?}");

    // A new edit from the old copy orders after everything it took back.
    put_back.edit_price(&honey, "48")?;
    put_back.sync_all()?;
    ensure!(
        hub.listings()?[0].price_fen == 4800,
        "{:?}",
        hub.listings()?
    );
    ensure!(hub.sales()?.len() == 5, "nothing counted twice");
    Ok(())
}

#[test]
fn a_hub_restored_from_a_backup_gets_every_sale_back() -> anyhow::Result<()> {
    restored_hub_gets_back_every_sale(Restore::Command)
}

/// The same drill on PostgreSQL, with PostgreSQL's own backup tools.
#[test]
fn a_postgres_hub_restored_from_pg_dump_gets_every_sale_back() -> anyhow::Result<()> {
    restored_hub_gets_back_every_sale(Restore::Postgres)
}

#[test]
fn a_hub_copied_back_by_hand_gets_every_sale_back() -> anyhow::Result<()> {
    restored_hub_gets_back_every_sale(Restore::ByHand)
}
