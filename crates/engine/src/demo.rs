//! A demo to learn on: a store with a village's lots, a few listings and a
//! week of sales, kept in a data directory of its own so that nothing done
//! in the demo ever mixes with the seller's real records or reaches a hub.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Days, Duration, Utc};
use highland_domain::{
    Altitude, Category, Description, ListingStatus, PaymentMethod, Price, Quantity, ShortText,
    Title, Unit,
};

use crate::settings::Language;
use crate::store::DATABASE_FILE;
use crate::{ManualClock, NewListing, NewLot, NewSale, Result, Store};

/// One listing of the demo: its title in Tibetan (with the Chinese that
/// sellers in Deqen read beside it), in Chinese and in English; category,
/// unit, price in yuan, stock.
type DemoListing = (
    [&'static str; 3],
    Category,
    Unit,
    &'static str,
    &'static str,
);

const LISTINGS: [DemoListing; 5] = [
    (
        ["གཡག་ཤ། 牦牛肉", "牦牛肉", "Yak meat"],
        Category::YakMeat,
        Unit::Jin,
        "68",
        "40",
    ),
    (
        ["ཤ་མོ། 松茸", "松茸", "Matsutake"],
        Category::Matsutake,
        Unit::Jin,
        "180",
        "12",
    ),
    (
        ["སྦྲང་རྩི། 蜂蜜", "蜂蜜", "Honey"],
        Category::Honey,
        Unit::Jar,
        "45",
        "20",
    ),
    (
        ["ནས། 青稞", "青稞", "Highland barley"],
        Category::HighlandBarley,
        Unit::Kg,
        "12.50",
        "100",
    ),
    (
        ["ཕྱུར་བ། 牦牛奶渣", "牦牛奶渣", "Yak cheese"],
        Category::YakCheese,
        Unit::Bag,
        "30",
        "15",
    ),
];

/// The two lots: village, altitude, days since harvest, environment; each
/// text in Tibetan, Chinese and English. The Tibetan entries keep the
/// Chinese description until a native speaker writes one.
const LOTS: [([&str; 3], i32, u64, [&str; 3]); 2] = [
    (
        ["ཞི་ཐང་། 西当村", "西当村", "Xidang"],
        3300,
        40,
        [
            "澜沧江河谷上方的高山草甸，牦牛五月到十月自由放牧。",
            "澜沧江河谷上方的高山草甸，牦牛五月到十月自由放牧。",
            "Alpine meadow above the Lancang valley; yaks graze free from May to October.",
        ],
    ),
    (
        ["ཡུ་ཕེང་། 雨崩村", "雨崩村", "Yubeng"],
        3050,
        12,
        [
            "梅里雪山山坡上的栎树和松树林，清晨手工采摘。",
            "梅里雪山山坡上的栎树和松树林，清晨手工采摘。",
            "Oak and pine forest on the slopes of Kawagarbo; picked by hand at dawn.",
        ],
    ),
];

/// Sales of the last seven days: days ago, listing index, quantity, payment.
const SALES: [(u64, usize, &str, PaymentMethod); 12] = [
    (6, 0, "2", PaymentMethod::Cash),
    (6, 3, "5", PaymentMethod::Wechat),
    (5, 2, "1", PaymentMethod::Cash),
    (4, 0, "3", PaymentMethod::Alipay),
    (4, 1, "0.5", PaymentMethod::Wechat),
    (3, 4, "2", PaymentMethod::Cash),
    (2, 0, "1.5", PaymentMethod::Cash),
    (2, 2, "2", PaymentMethod::Wechat),
    (2, 3, "10", PaymentMethod::Cash),
    (1, 1, "1", PaymentMethod::Alipay),
    (0, 0, "2", PaymentMethod::Wechat),
    (0, 4, "1", PaymentMethod::Cash),
];

/// Whether `dir` holds a store already.
pub fn exists(dir: &Path) -> bool {
    dir.join(DATABASE_FILE).exists()
}

/// Creates the demo store in `dir`, as of `now`, unless one is there
/// already (a demo the seller has been using is kept). Its texts are
/// Tibetan with Chinese beside them; see [`seed_in`].
pub fn seed(dir: &Path, now: DateTime<Utc>) -> Result<()> {
    seed_in(dir, now, Language::Bo)
}

/// [`seed`], with the demo's listings and lots written in `language`, so a
/// trainee starts from sample data they can read.
pub fn seed_in(dir: &Path, now: DateTime<Utc>, language: Language) -> Result<()> {
    if exists(dir) {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    // Written to a temporary name and moved into place, so a crash halfway
    // leaves no half-seeded demo behind.
    let partial = dir.join(format!("{DATABASE_FILE}.seeding"));
    remove_store_files(&partial)?;
    {
        let clock = Arc::new(ManualClock::at(now - Duration::days(30)));
        let mut store = Store::open_with_clock(&partial, clock.clone())?;
        fill(&mut store, &clock, now, language)?;
        // Dropping the last connection folds the write-ahead log into the
        // file and removes it, so the one file can move.
    }
    std::fs::rename(&partial, dir.join(DATABASE_FILE))?;
    remove_store_files(&partial)?;
    Ok(())
}

/// Throws the demo in `dir` away and seeds a fresh one. The caller must have
/// closed every connection to it.
pub fn reset(dir: &Path, now: DateTime<Utc>) -> Result<()> {
    reset_in(dir, now, Language::Bo)
}

/// [`reset`], seeding the fresh demo in `language`.
pub fn reset_in(dir: &Path, now: DateTime<Utc>, language: Language) -> Result<()> {
    remove_store_files(&dir.join(DATABASE_FILE))?;
    seed_in(dir, now, language)
}

fn remove_store_files(db: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(())
}

fn fill(
    store: &mut Store,
    clock: &ManualClock,
    now: DateTime<Utc>,
    language: Language,
) -> Result<()> {
    let text = |texts: [&'static str; 3]| match language {
        Language::Bo => texts[0],
        Language::ZhHans => texts[1],
        Language::En => texts[2],
    };
    let mut lots = Vec::with_capacity(LOTS.len());
    for (village, metres, days_ago, environment) in LOTS {
        lots.push(store.add_lot(NewLot {
            village: ShortText::parse(text(village))?,
            altitude: Some(Altitude::from_metres(metres)?),
            harvested_on: now.date_naive().checked_sub_days(Days::new(days_ago)),
            environment: Some(Description::parse(text(environment))?),
        })?);
    }
    let lot = lots[0];
    let mut ids = Vec::with_capacity(LISTINGS.len());
    for (titles, category, unit, price, stock) in LISTINGS {
        ids.push(store.add_listing(NewListing {
            title: Title::parse(text(titles))?,
            category,
            unit,
            price: Price::parse_yuan(price)?,
            status: ListingStatus::Listed,
            description: None,
            lot_id: (category == Category::YakMeat).then_some(lot),
            stock: Some(Quantity::parse(stock, unit)?),
        })?);
    }
    for (n, (days_ago, listing, quantity, payment)) in SALES.into_iter().enumerate() {
        // Spread through the day, and never later than `now`.
        let at = now - Duration::days(days_ago as i64) - Duration::minutes(90 - 7 * n as i64);
        clock.set(at);
        store.record_sale(NewSale {
            listing_id: ids[listing],
            quantity: Quantity::parse(quantity, LISTINGS[listing].2)?,
            unit_price: None,
            payment,
            buyer: None,
            allow_oversell: false,
        })?;
    }
    Ok(())
}
