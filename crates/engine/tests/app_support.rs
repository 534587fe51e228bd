//! What the engine keeps for the app: its settings, a day-by-day view of
//! sales, and a demo to learn on.

mod common;

use chrono::{Duration, FixedOffset, NaiveDate};
use common::{device, sale, t0, yak_meat};
use highland_domain::{SimulatedNetwork, Unit};
use highland_engine::{Language, Profile, Settings, Store, demo};

#[test]
fn settings_default_until_saved_and_are_not_operations() {
    let mut d = device();
    assert_eq!(d.store.settings().unwrap(), Settings::default());
    let pending = d.store.pending_count().unwrap();
    let chosen = Settings {
        language: Some(Language::ZhHans),
        data_saver: true,
        profile: Profile::Demo,
        ..Settings::default()
    };
    d.store.save_settings(&chosen).unwrap();
    assert_eq!(d.store.settings().unwrap(), chosen);
    assert_eq!(
        d.store.pending_count().unwrap(),
        pending,
        "settings never sync"
    );
    d.store
        .save_settings(&Settings {
            language: None,
            ..chosen
        })
        .unwrap();
    assert_eq!(d.store.settings().unwrap().language, None);
}

#[test]
fn the_practice_network_and_when_it_was_set_are_kept_and_cleared() {
    let mut d = device();
    let set_at = t0();
    let chosen = Settings {
        practice_network: Some(SimulatedNetwork::Mountain2g),
        practice_network_set_at: Some(set_at),
        ..Settings::default()
    };
    d.store.save_settings(&chosen).unwrap();
    assert_eq!(d.store.settings().unwrap(), chosen);
    let json = serde_json::to_value(d.store.settings().unwrap()).unwrap();
    assert_eq!(json["practice_network"], "mountain_2g");
    // Back to the real network: the setting goes, the time of the change stays.
    d.store
        .save_settings(&Settings {
            practice_network: None,
            ..chosen
        })
        .unwrap();
    let back = d.store.settings().unwrap();
    assert_eq!(back.practice_network, None);
    assert_eq!(back.practice_network_set_at, Some(set_at));
}

#[test]
fn languages_are_their_bcp47_tags() {
    for l in Language::ALL {
        assert_eq!(l.tag().parse::<Language>().unwrap(), l);
        assert_eq!(serde_json::to_value(l).unwrap(), l.tag());
    }
    assert!("zh".parse::<Language>().is_err());
}

#[test]
fn daily_sales_put_each_sale_on_its_local_day() {
    let mut d = device();
    let yak = yak_meat(&mut d.store, "100");
    // t0 is 08:00 UTC, 16:00 in Yunnan (UTC+8).
    d.store.record_sale(sale(yak, "1", Unit::Kg)).unwrap();
    // 17:00 UTC is 01:00 the next day in Yunnan, but the same day in UTC.
    d.clock.set(t0() + Duration::hours(9));
    d.store.record_sale(sale(yak, "2", Unit::Kg)).unwrap();
    // Two days before: inside the week.
    d.clock.set(t0() - Duration::days(2));
    d.store.record_sale(sale(yak, "0.5", Unit::Kg)).unwrap();
    // Eight days before: outside it.
    d.clock.set(t0() - Duration::days(8));
    d.store.record_sale(sale(yak, "3", Unit::Kg)).unwrap();

    let yunnan = FixedOffset::east_opt(8 * 3600).unwrap();
    let day = |s: &str| s.parse::<NaiveDate>().unwrap();
    let week = d.store.daily_sales(day("2026-11-29"), 7, yunnan).unwrap();
    let shown: Vec<(&str, i64, i64)> = week
        .iter()
        .map(|d| (d.date.as_str(), d.count, d.total_fen))
        .collect();
    assert_eq!(
        shown,
        vec![
            ("2026-11-23", 0, 0),
            ("2026-11-24", 0, 0),
            ("2026-11-25", 0, 0),
            ("2026-11-26", 1, 3425),
            ("2026-11-27", 0, 0),
            ("2026-11-28", 1, 6850),
            ("2026-11-29", 1, 13_700),
        ]
    );
    let utc = FixedOffset::east_opt(0).unwrap();
    let in_utc = d.store.daily_sales(day("2026-11-28"), 1, utc).unwrap();
    assert_eq!((in_utc[0].count, in_utc[0].total_fen), (2, 6850 + 13_700));
}

#[test]
fn the_demo_is_seeded_once_with_a_week_of_sales_and_reset_on_demand() {
    let dir = tempfile::tempdir().unwrap();
    let now = t0();
    demo::seed(dir.path(), now).unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    let listings = store.listings().unwrap();
    assert_eq!(listings.len(), 5);
    assert_eq!(store.lots().unwrap().len(), 2);
    let week = store
        .daily_sales(now.date_naive(), 7, FixedOffset::east_opt(0).unwrap())
        .unwrap();
    assert_eq!(week.iter().map(|d| d.count).sum::<i64>(), 12);
    assert!(week.iter().filter(|d| d.count > 0).count() >= 6, "{week:?}");
    assert!(
        store
            .sales()
            .unwrap()
            .iter()
            .all(|s| s.sold_at.as_str() <= "2026-11-28T08:00:00.000Z")
    );
    drop(store);

    // Seeding again keeps the demo the seller has been using.
    let mut store = Store::open_dir(dir.path()).unwrap();
    store
        .record_sale(sale(listings[0].id.parse().unwrap(), "1", Unit::Jin))
        .unwrap();
    drop(store);
    demo::seed(dir.path(), now).unwrap();
    assert_eq!(
        Store::open_dir(dir.path()).unwrap().sales().unwrap().len(),
        13
    );

    demo::reset(dir.path(), now).unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    assert_eq!(store.sales().unwrap().len(), 12);
    let stock = |ls: &[highland_engine::views::ListingView]| -> Vec<(String, i64)> {
        ls.iter().map(|l| (l.title.clone(), l.stock)).collect()
    };
    assert_eq!(stock(&store.listings().unwrap()), stock(&listings));
}
