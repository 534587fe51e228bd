//! Workshop mode (issue 8), on this run's back end: a hub that starts with
//! a demo village and a card per trainee, picks the class up where it was
//! after a restart, lets the trainer switch the class's network, orders
//! each trainee's new listing once, and shows it all on the projector.

mod common;

use std::time::{Duration, Instant};

use common::workshop::{TestWorkshop, quick};
use common::{NOW_MS, created, expect_error, new_listing, op, received, spawn_hub};
use highland_domain::{PhotoSubject, Unit};
use highland_exchange::orders::OrderFilter;
use highland_hub::Storage;
use highland_hub::photos::PhotoReader;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn orders_of(workshop: &TestWorkshop, listing: Option<&str>) -> Vec<highland_hub::OrderView> {
    workshop
        .db
        .orders(&OrderFilter {
            listing: listing.map(|l| l.parse().unwrap()),
            ..OrderFilter::default()
        })
        .unwrap()
        .orders
}

#[tokio::test]
async fn a_workshop_starts_with_a_demo_village_and_a_card_for_each_trainee() {
    let workshop = TestWorkshop::start(3, quick(Duration::from_secs(8))).await;
    let info = workshop.info();

    let names: Vec<&str> = info.trainees.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["学员 1 Trainee 1", "学员 2 Trainee 2", "学员 3 Trainee 3"]
    );
    for card in &info.trainees {
        assert_eq!(
            card.enroll_text,
            format!("highland://enroll?hub={}&code={}", info.hub_url, card.code)
        );
    }
    assert_eq!(info.projector_url, format!("{}/projector", info.hub_url));
    assert_eq!(
        info.console_url,
        format!("{}/console/workshop", info.hub_url)
    );

    // Five demo sellers, each with a listing in stock, its photo stored and
    // served, and sales; one order from the buyer waits.
    let listings = workshop.db.listings(None).unwrap();
    assert_eq!(listings.len(), 5, "{listings:?}");
    for listing in &listings {
        assert!(listing.stock > 0 && listing.sales_count > 0, "{listing:?}");
        let photos = workshop
            .db
            .photos_of(PhotoSubject::Listing(listing.id.parse().unwrap()))
            .unwrap();
        assert_eq!(photos.len(), 1, "{}", listing.title);
        assert!(photos[0].thumbnail_stored);
        let file = photos[0].thumbnail.sha256();
        assert!(
            workshop
                .db
                .photo_file(file, PhotoReader::Staff)
                .unwrap()
                .is_some()
        );
    }
    assert!(listings.iter().any(|l| l.title.contains("松茸")));
    assert_eq!(orders_of(&workshop, None).len(), 1);
    // Thursday's truck, through the demo villages to the class's hall,
    // carries the demo order from Mingyong.
    let rounds = workshop.db.rounds(None, 10).unwrap();
    assert_eq!(rounds.len(), 1, "{rounds:?}");
    let round = &rounds[0];
    let weekday = chrono::NaiveDate::parse_from_str(&round.date, "%Y-%m-%d").unwrap();
    assert_eq!(chrono::Datelike::weekday(&weekday), chrono::Weekday::Thu);
    let places: Vec<_> = round.stops.iter().map(|s| s.place.as_str()).collect();
    assert_eq!(places.last(), Some(&"培训班 Workshop"));
    let mingyong = round
        .stops
        .iter()
        .find(|s| s.place.contains("Mingyong"))
        .unwrap();
    assert_eq!(mingyong.lines.len(), 1);
    assert_eq!(
        orders_of(&workshop, None)[0].round_id.as_deref(),
        Some(round.id.as_str())
    );

    // A trainee joins with the printed code, as a tablet does.
    let trainee = workshop.enroll_ok(&info.trainees[0].code).await;
    let trainees = workshop.db.trainees().unwrap();
    assert_eq!(trainees[0].seller_id.to_string(), trainee.seller_id);
    assert_eq!(trainees[0].devices, 1);
    assert_eq!(trainees[1].devices, 0);
}

#[tokio::test]
async fn a_restart_seeds_nothing_twice_and_prints_cards_only_for_trainees_not_yet_joined() {
    let mut workshop = TestWorkshop::start(3, quick(Duration::from_secs(8))).await;
    let first = workshop.info().clone();
    let joined = workshop.enroll_ok(&first.trainees[1].code).await;

    workshop.restart().await;
    let again = workshop.info().clone();

    assert_eq!(workshop.db.listings(None).unwrap().len(), 5);
    assert_eq!(orders_of(&workshop, None).len(), 1);
    assert_eq!(workshop.db.trainees().unwrap().len(), 3);
    let names: Vec<&str> = again.trainees.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["学员 1 Trainee 1", "学员 3 Trainee 3"]);
    assert_ne!(
        again.trainees[0].code, first.trainees[0].code,
        "a fresh code"
    );
    // The joined tablet carries on with its token.
    workshop.sync(&joined, vec![], 0).await;

    // The trainer's token is new at every start; the old one stops working.
    assert_ne!(again.staff_token, first.staff_token);
    let whoami = |token: String| {
        let request = workshop
            .http
            .get(format!("{}/v1/session", workshop.url))
            .bearer_auth(token);
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(whoami(first.staff_token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(whoami(again.staff_token).await, StatusCode::OK);
}

#[tokio::test]
async fn the_trainer_switches_the_class_network_and_every_tablet_reads_it() {
    let workshop = TestWorkshop::start(1, quick(Duration::from_secs(8))).await;
    let tablet = workshop.enroll_ok(&workshop.info().trainees[0].code).await;
    let trainer = workshop.info().staff_token.clone();
    let url = format!("{}/v1/workshop/network", workshop.url);
    let read = || async {
        let response = workshop
            .http
            .get(&url)
            .bearer_auth(&tablet.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<Value>().await.unwrap()
    };
    let switch = |token: String, body: Value| {
        let request = workshop.http.put(&url).bearer_auth(token).json(&body);
        async move { request.send().await.unwrap() }
    };

    assert_eq!(read().await, json!({"network": null, "set_at": null}));

    let response = switch(trainer.clone(), json!({"network": "mountain_2g"})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let now = read().await;
    assert_eq!(now["network"], "mountain_2g");
    assert_eq!(now["set_at"], "2026-05-28T20:26:40.000Z");

    // A tablet cannot switch the class; nor can a network that is not one.
    let refused = switch(tablet.token.clone(), json!({"network": "offline"})).await;
    expect_error(refused, StatusCode::FORBIDDEN, "not_staff").await;
    let refused = switch(trainer.clone(), json!({"network": "5g"})).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(read().await["network"], "mountain_2g");

    let response = switch(trainer, json!({"network": null})).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(read().await["network"], Value::Null);

    let anonymous = workshop.http.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_hub_that_runs_no_workshop_has_no_class_network() {
    let hub = spawn_hub().await;
    let tablet = hub.seller_with_device("Dolma").await;
    let response = hub
        .http
        .get(format!("{}/v1/workshop/network", hub.url))
        .bearer_auth(&tablet.token)
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

/// Waits (in real time) until `check` holds, for at most five seconds.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < Duration::from_secs(5), "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_buyer_orders_a_trainees_new_listing_once_after_the_delay() {
    let workshop = TestWorkshop::start(1, quick(Duration::from_secs(60))).await;
    let tablet = workshop.enroll_ok(&workshop.info().trainees[0].code).await;
    let honey = new_listing("蜂蜜 trainee honey", Unit::Jar, 4500);
    workshop
        .sync(
            &tablet,
            vec![
                op(&tablet, NOW_MS, created(&honey)),
                op(&tablet, NOW_MS, received(&honey, 20)),
            ],
            0,
        )
        .await;
    let id = honey.id.to_string();

    // The buyer has seen it, but the hub's clock has not moved on.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(orders_of(&workshop, Some(&id)).is_empty());

    workshop.clock.advance(61_000);
    eventually("the buyer orders the honey", || {
        orders_of(&workshop, Some(&id)).len() == 1
    })
    .await;
    let order = &orders_of(&workshop, Some(&id))[0];
    assert_eq!((order.quantity, order.unit_price_fen), (1, 4500));
    assert_eq!(order.state, "placed");

    // Once: later rounds, and more time, place no second order, and the
    // demo sellers' listings get none beyond the demo's own.
    workshop.clock.advance(600_000);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(orders_of(&workshop, Some(&id)).len(), 1);
    assert_eq!(orders_of(&workshop, None).len(), 2);

    // The tablet pulls it on its next sync, on Thursday's truck at the
    // class's hall.
    let pulled = workshop.pull_all(&tablet, 0).await.0;
    assert!(
        pulled
            .iter()
            .any(|op| matches!(op.payload, highland_domain::Payload::OrderPlaced { .. }))
    );
    let round = pulled
        .iter()
        .find_map(|op| match &op.payload {
            highland_domain::Payload::RoundPublished { round } => Some(round.clone()),
            _ => None,
        })
        .expect("the round came with the order");
    let routed = pulled.iter().find_map(|op| match &op.payload {
        highland_domain::Payload::OrderRouted { round, .. } => *round,
        _ => None,
    });
    let stop = round
        .stop(routed.expect("the order rides the round").stop_id)
        .unwrap();
    assert_eq!(stop.place.as_str(), "培训班 Workshop");
}

/// Reads server-sent events until one named `board` holds `needle`.
async fn board_with(events: &mut reqwest::Response, buffer: &mut String, needle: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if event.contains("event: board") && event.contains(needle) {
                return event;
            }
        }
        let chunk = tokio::time::timeout_at(deadline, events.chunk())
            .await
            .unwrap_or_else(|_| panic!("no board with {needle:?}; last: {buffer}"))
            .unwrap()
            .expect("the stream stays open");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn the_projector_shows_the_class_and_streams_a_new_board_when_a_tablet_syncs() {
    let workshop = TestWorkshop::start(2, quick(Duration::from_secs(600))).await;
    let page = workshop
        .http
        .get(format!("{}/projector", workshop.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("松茸"), "the demo's listings");
    assert!(html.contains("¥180.00 / jin"), "prices in yuan, per unit");
    assert!(html.contains("学员 2 Trainee 2"), "the class");
    assert!(html.contains("new EventSource('/projector/events')"));
    // Every demo listing shows its photo, served to the wall.
    let photos: Vec<&str> = html
        .split("src=\"/projector/photos/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    assert_eq!(photos.len(), 5, "{html}");
    let photo = workshop
        .http
        .get(format!("{}/projector/photos/{}", workshop.url, photos[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(photo.status(), StatusCode::OK);
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    assert!(
        photo
            .bytes()
            .await
            .unwrap()
            .starts_with(&[0xFF, 0xD8, 0xFF])
    );
    let missing = workshop
        .http
        .get(format!(
            "{}/projector/photos/{}.jpg",
            workshop.url,
            "0".repeat(64)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let mut events = workshop
        .http
        .get(format!("{}/projector/events", workshop.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        events.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let mut buffer = String::new();
    let first = board_with(&mut events, &mut buffer, "学员 1 Trainee 1").await;
    assert!(first.contains("尚未加入 Not joined yet"));

    let tablet = workshop.enroll_ok(&workshop.info().trainees[0].code).await;
    let listing = new_listing("ནས། 青稞 trainee barley", Unit::Kg, 1250);
    workshop
        .sync(&tablet, vec![op(&tablet, NOW_MS, created(&listing))], 0)
        .await;
    let board = board_with(&mut events, &mut buffer, "trainee barley").await;
    assert!(board.contains("同步 Synced 0 秒前 s ago"), "{board}");

    // The class's network shows on the wall once the trainer switches it.
    let switched = workshop
        .http
        .put(format!("{}/v1/workshop/network", workshop.url))
        .bearer_auth(&workshop.info().staff_token)
        .json(&json!({"network": "offline"}))
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status(), StatusCode::OK);
    board_with(&mut events, &mut buffer, "断网 Offline").await;
}
