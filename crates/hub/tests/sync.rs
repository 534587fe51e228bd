//! The sync exchange: push, acknowledge, pull, merge.

mod common;

use common::*;
use highland_domain::wire::AckOutcome;
use highland_domain::{Description, Payload, Unit};
use highland_exchange::sync::MAX_AHEAD_MS;
use highland_hub::Storage;
use reqwest::StatusCode;

#[tokio::test]
async fn a_sellers_second_device_pulls_what_the_first_pushed_and_no_one_else_does() {
    let hub = spawn_hub().await;
    let first = hub.seller_with_device("Dolma").await;
    let second = hub.second_device(&first).await;
    let stranger = hub.seller_with_device("Tashi").await;

    let honey = new_listing("蜂蜜 Honey", Unit::Jar, 4500);
    let pushed = vec![
        op(&first, NOW_MS, created(&honey)),
        op(&first, NOW_MS + 1, received(&honey, 10)),
        op(&first, NOW_MS + 2, sold(&honey, 2)),
    ];
    let response = hub.sync(&first, pushed.clone(), 0).await;
    assert_eq!(response.acks.len(), 3);
    for (ack, op) in response.acks.iter().zip(&pushed) {
        assert_eq!(ack.op_id, op.id);
        assert_eq!(ack.outcome, AckOutcome::Applied { hlc: None });
    }
    assert!(
        response.operations.is_empty(),
        "a device never pulls its own"
    );

    let pulled = hub.sync(&second, vec![], 0).await;
    assert_eq!(pulled.read_operations().unwrap(), pushed);
    assert!(!pulled.more);
    assert!(pulled.cursor > 0);
    assert_eq!(pulled.hub_time_ms, NOW_MS);

    let nothing = hub.sync(&stranger, vec![], 0).await;
    assert!(nothing.operations.is_empty());
    // Its cursor moves past the rows it may not see, so it never rescans them.
    assert_eq!(nothing.cursor, pulled.cursor);

    let listing = hub.listing(honey.id);
    assert_eq!((listing.stock, listing.stock_unit.as_str()), (8, "count"));
    assert_eq!(listing.seller_id, first.seller_id);
    assert_eq!(hub.db.sales(None).unwrap().len(), 1);
}

#[tokio::test]
async fn another_sellers_edits_and_sales_are_refused_one_by_one_and_the_rest_applies() {
    let hub = spawn_hub().await;
    let dolma = hub.seller_with_device("Dolma").await;
    let tashi = hub.seller_with_device("Tashi").await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    hub.sync(
        &dolma,
        vec![
            op(&dolma, NOW_MS, created(&honey)),
            op(&dolma, NOW_MS, received(&honey, 10)),
        ],
        0,
    )
    .await;

    let barley = new_listing("Barley", Unit::Kg, 800);
    let mut stolen = honey.clone();
    stolen.title = highland_domain::Title::parse("Mine now").unwrap();
    let pushed = vec![
        op(&tashi, NOW_MS + 10, priced(&honey, 1)),
        op(&tashi, NOW_MS + 10, sold(&honey, 5)),
        op(&tashi, NOW_MS + 10, created(&barley)),
        op(&tashi, NOW_MS + 10, received(&honey, 100)),
        op(&tashi, NOW_MS + 10, created(&stolen)),
        op(&dolma, NOW_MS + 10, sold(&barley, 1000)),
        op(&tashi, NOW_MS + 11, sold(&barley, 1500)),
        op(
            &tashi,
            NOW_MS + 11,
            priced(&new_listing("Ghost", Unit::Jar, 1), 5),
        ),
    ];
    let response = hub.sync(&tashi, pushed, 0).await;
    let codes: Vec<_> = response.acks.iter().map(refusal_code).collect();
    assert_eq!(
        codes,
        vec![
            Some("not_your_listing"),
            Some("not_your_listing"),
            None,
            Some("not_your_listing"),
            Some("not_your_listing"),
            Some("wrong_device"),
            None,
            Some("unknown_listing"),
        ]
    );
    for ack in &response.acks {
        if let AckOutcome::Refused { reason } = &ack.outcome {
            assert!(reason.message.ends_with('.'), "{}", reason.message);
        }
    }

    let honey_now = hub.listing(honey.id);
    assert_eq!((honey_now.price_fen, honey_now.stock), (4500, 10));
    assert_eq!(honey_now.title, "Honey");
    assert_eq!(hub.listing(barley.id).stock, -1500);
    // Dolma's devices never see Tashi's listing, and the refused ops are not logged.
    let dolma_second = hub.second_device(&dolma).await;
    let (pulled, _) = hub.pull_all(&dolma_second, 0).await;
    assert_eq!(pulled.len(), 2);
    assert_eq!(hub.db.log_length().unwrap(), 4);
}

#[tokio::test]
async fn two_devices_selling_more_than_the_stock_show_the_oversold_amount() {
    let hub = spawn_hub().await;
    let first = hub.seller_with_device("Dolma").await;
    let second = hub.second_device(&first).await;
    let meat = new_listing("Yak meat", Unit::Kg, 6850);
    hub.sync(
        &first,
        vec![
            op(&first, NOW_MS, created(&meat)),
            op(&first, NOW_MS, received(&meat, 10_000)),
        ],
        0,
    )
    .await;
    let (_, cursor) = hub.pull_all(&second, 0).await;
    // Both sell 6 kg of the 10 while offline, then sync.
    let a = hub
        .sync(&first, vec![op(&first, NOW_MS + 5, sold(&meat, 6_000))], 0)
        .await;
    let b = hub
        .sync(
            &second,
            vec![op(&second, NOW_MS + 5, sold(&meat, 6_000))],
            cursor,
        )
        .await;
    assert!(a.acks.iter().chain(&b.acks).all(applied));
    assert_eq!(
        b.operations.len(),
        1,
        "the second device pulls the first's sale"
    );
    let listing = hub.listing(meat.id);
    assert_eq!(
        (listing.stock, listing.sold, listing.sales_count),
        (-2_000, 12_000, 2)
    );
    assert_eq!(listing.stock_display, "-2");
}

#[tokio::test]
async fn replaying_a_request_any_number_of_times_leaves_the_same_state() {
    let hub = spawn_hub().await;
    let first = hub.seller_with_device("Dolma").await;
    let second = hub.second_device(&first).await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    let request = hub.request(
        &first,
        vec![
            op(&first, NOW_MS, created(&honey)),
            op(&first, NOW_MS, received(&honey, 10)),
            op(&first, NOW_MS + 1, sold(&honey, 3)),
            op(&first, NOW_MS + 2, priced(&honey, 5000)),
        ],
        0,
    );
    let first_answer = hub.sync_request(&first, &request).await;
    let state = |hub: &TestHub| {
        (
            hub.db.listings(None).unwrap(),
            hub.db.sales(None).unwrap(),
            hub.db.log_length().unwrap(),
        )
    };
    let before = state(&hub);
    for _ in 0..5 {
        let again = hub.sync_request(&first, &request).await;
        assert_eq!(again.acks, first_answer.acks);
        assert_eq!(state(&hub), before);
    }
    assert_eq!(before.2, 4);
    assert_eq!(before.0[0].stock, 7);
    let (pulled, _) = hub.pull_all(&second, 0).await;
    assert_eq!(pulled.len(), 4, "each operation is in the log once");
}

#[tokio::test]
async fn an_operation_the_hub_cannot_read_is_refused_alone() {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("Dolma").await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    let good = op(&device, NOW_MS, created(&honey));
    let newer_kind_id = highland_domain::OperationId::new();
    let body = serde_json::json!({
        "protocol": 1, "device_id": device.id, "cursor": 0, "max_pull_bytes": 65536,
        "operations": [
            {"id": newer_kind_id, "device_id": device.id, "hlc": 1,
             "payload": {"kind": "order_accepted", "order_id": "x"}},
            good,
        ],
    });
    let response = hub.sync_raw(&device.token, &body).await;
    assert_eq!(response.acks[0].op_id, newer_kind_id);
    assert_eq!(
        refusal_code(&response.acks[0]),
        Some("unsupported_operation")
    );
    assert!(applied(&response.acks[1]));
    assert_eq!(hub.listing(honey.id).title, "Honey");

    // Without a readable id it cannot even be acknowledged: the whole request is bad.
    let body = serde_json::json!({
        "protocol": 1, "device_id": device.id, "cursor": 0, "max_pull_bytes": 65536,
        "operations": [{"payload": {}}],
    });
    let response = hub
        .http
        .post(format!("{}/v1/sync", hub.url))
        .bearer_auth(&device.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn a_request_naming_another_device_than_the_token_is_forbidden() {
    let hub = spawn_hub().await;
    let first = hub.seller_with_device("Dolma").await;
    let second = hub.second_device(&first).await;
    let request = hub.request(&second, vec![], 0);
    let response = hub.post_sync(Some(&first.token), &request).await;
    expect_error(response, StatusCode::FORBIDDEN, "wrong_device").await;
}

#[tokio::test]
async fn a_large_backlog_comes_in_pages_capped_by_bytes() {
    let hub = spawn_hub().await;
    let first = hub.seller_with_device("Dolma").await;
    let second = hub.second_device(&first).await;
    let other = hub.seller_with_device("Tashi").await;
    let mut pushed = Vec::new();
    for i in 0..60u64 {
        let mut listing = new_listing(&format!("Matsutake {i}"), Unit::Kg, 30_000);
        listing.description = Some(Description::parse(&"ཤ".repeat(400)).unwrap());
        pushed.push(op(&first, NOW_MS + i, created(&listing)));
        // Another seller's rows between them must be skipped, not sent.
        hub.sync(
            &other,
            vec![op(
                &other,
                NOW_MS + i,
                created(&new_listing("Barley", Unit::Kg, 800)),
            )],
            0,
        )
        .await;
    }
    for chunk in pushed.chunks(20) {
        hub.sync(&first, chunk.to_vec(), 0).await;
    }

    let cap = 8 * 1024;
    let mut cursor = 0;
    let mut pages = 0;
    let mut pulled = Vec::new();
    loop {
        let mut request = hub.request(&second, vec![], cursor);
        request.max_pull_bytes = cap;
        let page = hub.sync_request(&second, &request).await;
        let bytes: usize = page
            .operations
            .iter()
            .map(|o| serde_json::to_string(o).unwrap().len())
            .sum();
        assert!(!page.operations.is_empty());
        assert!(bytes <= cap as usize, "page of {bytes} bytes");
        assert!(page.cursor > cursor);
        pages += 1;
        cursor = page.cursor;
        pulled.extend(page.read_operations().unwrap());
        if !page.more {
            break;
        }
    }
    assert!(pages >= 5, "{pages} pages");
    assert_eq!(pulled, pushed, "every operation once, in order");
    let after = hub.sync(&second, vec![], cursor).await;
    assert!(after.operations.is_empty() && !after.more);
    assert_eq!(after.cursor, cursor);

    // A tiny page size is raised to the hub's minimum rather than stalling.
    let mut request = hub.request(&second, vec![], 0);
    request.max_pull_bytes = 1;
    let page = hub.sync_request(&second, &request).await;
    assert!(page.operations.len() > 1 && page.more);
}

#[tokio::test]
async fn a_timestamp_far_ahead_is_restamped_and_later_edits_still_beat_it() {
    let hub = spawn_hub().await;
    let fast = hub.seller_with_device("Dolma").await;
    let right = hub.second_device(&fast).await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    let next_year = NOW_MS + 365 * DAY_MS;
    hub.sync(&fast, vec![op(&fast, NOW_MS, created(&honey))], 0)
        .await;

    let edit = op(&fast, next_year, priced(&honey, 9900));
    let response = hub.sync(&fast, vec![edit.clone()], 0).await;
    let AckOutcome::Applied {
        hlc: Some(restamped),
    } = response.acks[0].outcome
    else {
        panic!("expected a new timestamp: {:?}", response.acks[0]);
    };
    assert!(restamped.wall_ms() >= NOW_MS);
    assert!(restamped.wall_ms() <= NOW_MS + MAX_AHEAD_MS);
    assert_eq!(hub.listing(honey.id).price_fen, 9900);

    // The other device receives it with the hub's timestamp.
    let (pulled, cursor) = hub.pull_all(&right, 0).await;
    assert_eq!(pulled.last().unwrap().hlc, restamped);
    assert_eq!(pulled.last().unwrap().id, edit.id);

    // A replay of the original gets the same new timestamp and changes nothing.
    let replay = hub.sync(&fast, vec![edit], 0).await;
    assert_eq!(
        replay.acks[0].outcome,
        AckOutcome::Applied {
            hlc: Some(restamped)
        }
    );

    // A minute later, a device with a right clock edits the price: it wins.
    hub.clock.advance(60_000);
    let later = op(&right, NOW_MS + 60_000, priced(&honey, 4800));
    let response = hub.sync(&right, vec![later], cursor).await;
    assert_eq!(response.acks[0].outcome, AckOutcome::Applied { hlc: None });
    assert_eq!(hub.listing(honey.id).price_fen, 4800);
}

#[tokio::test]
async fn a_hub_whose_clock_is_behind_restamps_every_device_relative_to_itself() {
    // The hub is set a day back; a device stamping with the real time is
    // "a day ahead" and gets the hub's time instead.
    let hub = spawn_hub_at(NOW_MS - DAY_MS).await;
    let device = hub.seller_with_device("Dolma").await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    let response = hub
        .sync(&device, vec![op(&device, NOW_MS, created(&honey))], 0)
        .await;
    let AckOutcome::Applied { hlc: Some(hlc) } = response.acks[0].outcome else {
        panic!("{:?}", response.acks[0]);
    };
    assert_eq!(hlc.wall_ms(), NOW_MS - DAY_MS);
    // A device a few minutes fast is within the allowance and keeps its time.
    let near = op(
        &device,
        NOW_MS - DAY_MS + 5 * 60_000,
        retitled(&honey, "Wild honey"),
    );
    let response = hub.sync(&device, vec![near], 0).await;
    assert_eq!(response.acks[0].outcome, AckOutcome::Applied { hlc: None });
}

#[tokio::test]
async fn equal_timestamps_are_broken_by_device_id_whatever_the_order_of_arrival() {
    let hub = spawn_hub().await;
    let a = hub.seller_with_device("Dolma").await;
    let b = hub.second_device(&a).await;
    let (low, high) = if a.id < b.id { (a, b) } else { (b, a) };

    for (round, high_first) in [false, true].into_iter().enumerate() {
        // Each device's clock moves forward from round to round, as a real one does.
        let at = NOW_MS + 1_000 * round as u64;
        let honey = new_listing("Honey", Unit::Jar, 4500);
        hub.sync(&low, vec![op(&low, at, created(&honey))], 0).await;
        let from_low = op(&low, at + 100, priced(&honey, 1111));
        let from_high = op(&high, at + 100, priced(&honey, 2222));
        assert_eq!(from_low.hlc, from_high.hlc);
        if high_first {
            hub.sync(&high, vec![from_high], 0).await;
            hub.sync(&low, vec![from_low], 0).await;
        } else {
            hub.sync(&low, vec![from_low], 0).await;
            hub.sync(&high, vec![from_high], 0).await;
        }
        assert_eq!(
            hub.listing(honey.id).price_fen,
            2222,
            "high first: {high_first}"
        );
    }
}

#[tokio::test]
async fn fields_merge_one_by_one() {
    let hub = spawn_hub().await;
    let a = hub.seller_with_device("Dolma").await;
    let b = hub.second_device(&a).await;
    let c = hub.second_device(&a).await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    hub.sync(&a, vec![op(&a, NOW_MS, created(&honey))], 0).await;
    // b renames later; a changes the price earlier but arrives last, and c
    // renamed earlier still and arrives last of all.
    hub.sync(
        &b,
        vec![op(&b, NOW_MS + 20, retitled(&honey, "Wild honey"))],
        0,
    )
    .await;
    hub.sync(&a, vec![op(&a, NOW_MS + 10, priced(&honey, 5200))], 0)
        .await;
    hub.sync(
        &c,
        vec![op(&c, NOW_MS + 5, retitled(&honey, "Old name"))],
        0,
    )
    .await;
    let listing = hub.listing(honey.id);
    assert_eq!(
        (listing.title.as_str(), listing.price_fen),
        ("Wild honey", 5200)
    );
}

#[tokio::test]
async fn a_device_whose_clock_went_back_past_its_own_operations_is_restamped() {
    // A device's clock only moves forward, so an operation at or before the
    // newest the hub holds from it was made on a file put back from an old
    // copy: kept at its own time, it would lose to the device's older writes.
    let hub = spawn_hub().await;
    let a = hub.seller_with_device("Dolma").await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    hub.sync(&a, vec![op(&a, NOW_MS, created(&honey))], 0).await;
    hub.sync(&a, vec![op(&a, NOW_MS + 50, priced(&honey, 5200))], 0)
        .await;
    let restored = op(&a, NOW_MS + 10, priced(&honey, 6000));
    let response = hub.sync(&a, vec![restored.clone()], 0).await;
    let AckOutcome::Applied { hlc: Some(hlc) } = response.acks[0].outcome else {
        panic!("re-stamped: {:?}", response.acks[0]);
    };
    assert!(hlc > restored.hlc, "{hlc:?}");
    assert_eq!(
        hub.listing(honey.id).price_fen,
        6000,
        "the newest write wins"
    );
    let history = response.history.unwrap();
    assert_eq!(history.from_device, Some(3));
    assert_eq!(history.device_hlc, Some(hlc));
    // Sent again, it is a duplicate, acknowledged at the hub's time.
    let again = hub.sync(&a, vec![restored], 0).await;
    assert_eq!(
        again.acks[0].outcome,
        AckOutcome::Applied { hlc: Some(hlc) }
    );
}

#[tokio::test]
async fn payloads_that_are_not_listing_changes_are_checked_too() {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("Dolma").await;
    let meat = new_listing("Yak meat", Unit::Kg, 6850);
    hub.sync(&device, vec![op(&device, NOW_MS, created(&meat))], 0)
        .await;
    // A sale counted in jars cannot come off a listing weighed in grams.
    let mut sale = sold(&meat, 1);
    if let Payload::SaleRecorded { sale } = &mut sale {
        sale.quantity = highland_domain::Quantity::from_base(1, Unit::Jar).unwrap();
    }
    let response = hub.sync(&device, vec![op(&device, NOW_MS, sale)], 0).await;
    assert_eq!(refusal_code(&response.acks[0]), Some("unit_mismatch"));
    assert_eq!(hub.listing(meat.id).stock, 0);
}

#[tokio::test]
async fn a_sale_whose_id_another_seller_used_is_refused_not_silently_dropped() {
    let hub = spawn_hub().await;
    let dolma = hub.seller_with_device("Dolma").await;
    let pema = hub.seller_with_device("Pema").await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    let butter = new_listing("Butter", Unit::Jar, 3000);
    let first = sold(&honey, 2);
    let Payload::SaleRecorded { sale } = &first else {
        unreachable!()
    };
    let mut same_id = sold(&butter, 1);
    if let Payload::SaleRecorded { sale: theirs } = &mut same_id {
        theirs.id = sale.id;
    }
    hub.sync(
        &dolma,
        vec![
            op(&dolma, NOW_MS, created(&honey)),
            op(&dolma, NOW_MS + 1, first.clone()),
        ],
        0,
    )
    .await;
    let response = hub
        .sync(
            &pema,
            vec![
                op(&pema, NOW_MS + 2, created(&butter)),
                op(&pema, NOW_MS + 3, same_id.clone()),
            ],
            0,
        )
        .await;
    assert!(applied(&response.acks[0]));
    assert_eq!(refusal_code(&response.acks[1]), Some("id_taken"));
    let sales = hub.db.sales(None).unwrap();
    assert_eq!(sales.len(), 1);
    assert_eq!(sales[0].listing_id, honey.id.to_string());
    assert_eq!(hub.listing(butter.id).sales_count, 0);

    // The same seller sending it again, from another device, is no conflict.
    let second = hub.second_device(&dolma).await;
    let replay = hub
        .sync(&second, vec![op(&second, NOW_MS + 4, first)], 0)
        .await;
    assert!(applied(&replay.acks[0]));
    assert_eq!(hub.db.sales(None).unwrap().len(), 1);
}
