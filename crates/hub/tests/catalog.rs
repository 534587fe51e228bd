//! The staff catalog: every village's listings, filtered and paged, one
//! listing with its seller and lot, and the sellers.

mod common;

use std::collections::HashSet;

use common::*;
use highland_domain::{
    Altitude, Category, Description, ListingStatus, Lot, LotId, Payload, ShortText, Unit,
};
use highland_hub::catalog::{ListingDetail, ListingPage, SellerPage};
use reqwest::StatusCode;

/// Three sellers in two villages, with listings of several categories and
/// statuses; returns the hub and a member of staff.
async fn stocked_hub() -> (TestHub, Staff) {
    let hub = spawn_hub().await;
    let staff = hub.add_staff("Pema");
    let dolma = hub.seller_in("Dolma", "Yubeng").await;
    let tashi = hub.seller_in("Tashi", "Yubeng").await;
    let dawa = hub.seller_in("Dawa", "Xidang").await;
    let listings = [
        (&dolma, "Yak meat", Category::YakMeat, ListingStatus::Listed),
        (
            &dolma,
            "Old butter",
            Category::YakButter,
            ListingStatus::Archived,
        ),
        (&tashi, "Honey", Category::Honey, ListingStatus::Listed),
        (
            &tashi,
            "Matsutake",
            Category::Matsutake,
            ListingStatus::SoldOut,
        ),
        (
            &dawa,
            "Highland honey",
            Category::Honey,
            ListingStatus::Listed,
        ),
        (&dawa, "Walnuts", Category::Walnuts, ListingStatus::Draft),
    ];
    for (i, (device, title, category, status)) in listings.into_iter().enumerate() {
        let listing = listing_of(title, category, status);
        hub.sync(
            device,
            vec![op(device, NOW_MS + i as u64, created(&listing))],
            0,
        )
        .await;
    }
    (hub, staff)
}

fn titles(page: &ListingPage) -> Vec<&str> {
    page.items
        .iter()
        .map(|l| l.listing.title.as_str())
        .collect()
}

#[tokio::test]
async fn listings_filter_by_village_category_and_status_newest_first() {
    let (hub, staff) = stocked_hub().await;
    let all: ListingPage = hub.staff_get(&staff, "/v1/listings").await;
    assert_eq!(
        titles(&all),
        [
            "Walnuts",
            "Highland honey",
            "Matsutake",
            "Honey",
            "Old butter",
            "Yak meat"
        ]
    );
    assert_eq!(all.next_cursor, None);

    // (query, titles expected, newest first)
    let cases: &[(&str, &[&str])] = &[
        (
            "village=Yubeng",
            &["Matsutake", "Honey", "Old butter", "Yak meat"],
        ),
        ("village=Xidang", &["Walnuts", "Highland honey"]),
        ("village=Nowhere", &[]),
        ("category=honey", &["Highland honey", "Honey"]),
        ("status=listed", &["Highland honey", "Honey", "Yak meat"]),
        ("status=sold-out", &["Matsutake"]),
        ("village=Yubeng&category=honey", &["Honey"]),
        (
            "village=Yubeng&status=listed&category=yak-meat",
            &["Yak meat"],
        ),
        ("village=Xidang&status=archived", &[]),
        // Empty values, as an HTML form sends them, filter nothing.
        (
            "village=&category=&status=",
            &[
                "Walnuts",
                "Highland honey",
                "Matsutake",
                "Honey",
                "Old butter",
                "Yak meat",
            ],
        ),
    ];
    for (query, expected) in cases {
        let page: ListingPage = hub
            .staff_get(&staff, &format!("/v1/listings?{query}"))
            .await;
        assert_eq!(titles(&page), *expected, "{query}");
    }

    let honey = &all.items[3];
    assert_eq!(
        (honey.seller_name.as_str(), honey.village.as_str()),
        ("Tashi", "Yubeng")
    );
    assert_eq!(honey.listing.category, "honey");
    assert_eq!(
        (honey.listing.unit.as_str(), honey.listing.price_fen),
        ("kg", 6850)
    );
}

#[tokio::test]
async fn walking_every_page_yields_each_listing_once_in_order() {
    let hub = spawn_hub().await;
    let staff = hub.add_staff("Pema");
    let dolma = hub.seller_in("Dolma", "Yubeng").await;
    let tashi = hub.seller_in("Tashi", "Xidang").await;
    let mut ops_dolma = Vec::new();
    let mut ops_tashi = Vec::new();
    let mut made = Vec::new();
    for i in 0..23u64 {
        let category = if i % 3 == 0 {
            Category::Honey
        } else {
            Category::YakMeat
        };
        let listing = listing_of(&format!("L{i}"), category, ListingStatus::Listed);
        made.push((listing.id.to_string(), category));
        // Some share a timestamp, so the id must break ties.
        let at = NOW_MS + i / 2;
        if i % 2 == 0 {
            ops_dolma.push(op(&dolma, at, created(&listing)));
        } else {
            ops_tashi.push(op(&tashi, at, created(&listing)));
        }
    }
    hub.sync(&dolma, ops_dolma, 0).await;
    hub.sync(&tashi, ops_tashi, 0).await;

    let (one_page, _) = hub.walk_listings(&staff, "limit=200").await;
    for (query, want) in [
        ("limit=5", 23),
        ("limit=1", 23),
        ("limit=23", 23),
        ("limit=7&category=honey", 8),
        ("limit=2&village=Xidang", 11),
    ] {
        let (items, pages) = hub.walk_listings(&staff, query).await;
        let ids: Vec<&str> = items.iter().map(|l| l.listing.id.as_str()).collect();
        let unique: HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(ids.len(), want, "{query}: every one");
        assert_eq!(unique.len(), want, "{query}: none twice");
        let limit: usize = query[6..].split('&').next().unwrap().parse().unwrap();
        assert_eq!(pages, want.div_ceil(limit).max(1), "{query}: pages");
        // The same order as one big page, filtered.
        let expected: Vec<&str> = one_page
            .iter()
            .filter(|l| ids.contains(&l.listing.id.as_str()))
            .map(|l| l.listing.id.as_str())
            .collect();
        assert_eq!(ids, expected, "{query}: order");
    }
    assert_eq!(one_page.len(), 23);
    let honey: Vec<_> = made.iter().filter(|(_, c)| *c == Category::Honey).collect();
    assert_eq!(honey.len(), 8);
}

#[tokio::test]
async fn a_listing_shows_its_seller_and_its_lot() {
    let hub = spawn_hub().await;
    let staff = hub.add_staff("Pema");
    let dolma = hub.seller_in("Dolma", "Yubeng").await;
    let lot = Lot {
        id: LotId::new(),
        village: ShortText::parse("Yubeng upper pasture").unwrap(),
        altitude: Some(Altitude::from_metres(3900).unwrap()),
        harvested_on: Some("2026-09-12".parse().unwrap()),
        environment: Some(Description::parse("summer pasture").unwrap()),
    };
    let mut meat = new_listing("Yak meat", Unit::Kg, 6850);
    meat.lot_id = Some(lot.id);
    // A listing whose lot has not reached the hub yet.
    let mut honey = new_listing("Honey", Unit::Jar, 4500);
    honey.lot_id = Some(LotId::new());
    hub.sync(
        &dolma,
        vec![
            op(&dolma, NOW_MS, Payload::LotRecorded { lot: lot.clone() }),
            op(&dolma, NOW_MS, created(&meat)),
            op(&dolma, NOW_MS, received(&meat, 10_000)),
            op(&dolma, NOW_MS + 1, sold(&meat, 2_500)),
            op(&dolma, NOW_MS + 2, created(&honey)),
        ],
        0,
    )
    .await;

    let detail: ListingDetail = hub
        .staff_get(&staff, &format!("/v1/listings/{}", meat.id))
        .await;
    assert_eq!(detail.listing.title, "Yak meat");
    assert_eq!(
        (detail.listing.stock, detail.listing.stock_unit.as_str()),
        (7_500, "g")
    );
    assert_eq!(detail.seller.id, dolma.seller_id);
    assert_eq!(
        (detail.seller.name.as_str(), detail.seller.village.as_str()),
        ("Dolma", "Yubeng")
    );
    assert_eq!((detail.seller.devices, detail.seller.listings), (1, 2));
    let got = detail.lot.unwrap();
    assert_eq!(got.id, lot.id.to_string());
    assert_eq!(got.village, "Yubeng upper pasture");
    assert_eq!(got.altitude_m, Some(3900));
    assert_eq!(got.harvested_on.as_deref(), Some("2026-09-12"));
    assert_eq!(got.environment.as_deref(), Some("summer pasture"));

    let raw: serde_json::Value = hub
        .staff_get(&staff, &format!("/v1/listings/{}", honey.id))
        .await;
    assert_eq!(raw["lot"], serde_json::Value::Null);
    assert_eq!(raw["lot_id"], honey.lot_id.unwrap().to_string());
    assert_eq!(raw["price_fen"], 4500);

    let missing = hub
        .get_as(&staff.token, &format!("/v1/listings/{}", LotId::new()))
        .await;
    expect_error(missing, StatusCode::NOT_FOUND, "unknown_listing").await;
    let malformed = hub.get_as(&staff.token, "/v1/listings/yak").await;
    expect_error(malformed, StatusCode::BAD_REQUEST, "invalid_id").await;
}

#[tokio::test]
async fn sellers_are_listed_newest_first_with_their_devices_and_listings() {
    let (hub, staff) = stocked_hub().await;
    let page: SellerPage = hub.staff_get(&staff, "/v1/sellers").await;
    let names: Vec<&str> = page.items.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Dawa", "Tashi", "Dolma"]);
    assert!(page.items.iter().all(|s| s.devices == 1 && s.listings == 2));
    assert!(page.items[0].created_at.ends_with('Z'));

    let yubeng: SellerPage = hub.staff_get(&staff, "/v1/sellers?village=Yubeng").await;
    let names: Vec<&str> = yubeng.items.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Tashi", "Dolma"]);

    let first: SellerPage = hub.staff_get(&staff, "/v1/sellers?limit=2").await;
    assert_eq!(first.items.len(), 2);
    let cursor = first.next_cursor.unwrap();
    let rest: SellerPage = hub
        .staff_get(&staff, &format!("/v1/sellers?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].name, "Dolma");
    assert_eq!(rest.next_cursor, None);
}

#[tokio::test]
async fn bad_queries_are_400_with_a_code_that_says_which() {
    let (hub, staff) = stocked_hub().await;
    // (path, code)
    let cases = [
        ("/v1/listings?limit=201", "invalid_limit"),
        ("/v1/listings?limit=0", "invalid_limit"),
        ("/v1/sellers?limit=1000", "invalid_limit"),
        ("/v1/listings?limit=many", "bad_request"),
        ("/v1/listings?cursor=yesterday", "invalid_cursor"),
        ("/v1/sellers?cursor=1.2", "invalid_cursor"),
        ("/v1/listings?category=caviar", "unknown_category"),
        ("/v1/listings?status=sold", "unknown_choice"),
        // A misspelt filter would otherwise widen the list silently.
        ("/v1/listings?categroy=honey", "bad_request"),
    ];
    for (path, code) in cases {
        let response = hub.get_as(&staff.token, path).await;
        let body = expect_error(response, StatusCode::BAD_REQUEST, code).await;
        assert!(!body.message.is_empty(), "{path}");
    }
    // The largest page is allowed.
    let page: ListingPage = hub.staff_get(&staff, "/v1/listings?limit=200").await;
    assert_eq!(page.items.len(), 6);
}
