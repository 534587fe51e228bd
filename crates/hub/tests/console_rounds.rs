//! Collection rounds in the staff console, as a browser without JavaScript
//! uses it: a round planned from its form, orders put on it from their
//! pages, loads that add up per stop with a warning past capacity, loads
//! recorded at a stop, the loading sheet as a PDF, and the cost per kg as a
//! chart. A form refused shows again with its reason and changes nothing.

mod common;

use common::console::Browser;
use common::*;
use highland_domain::{Actor, OrderAction, OrderId, Payload, Unit};
use highland_hub::Storage;
use reqwest::StatusCode;

/// A signed-in browser, and Dolma of Yubeng with 100 kg of yak meat and
/// Pema of Yubeng with 20 jars of honey.
async fn console() -> (TestHub, Staff, Vec<(Device, highland_domain::Listing)>) {
    let hub = spawn_hub().await;
    let staff = hub.add_staff("Lhamo");
    let mut sellers = Vec::new();
    for (name, title, unit, stock) in [
        ("Dolma", "牦牛肉 Yak meat", Unit::Kg, 100_000),
        ("Pema", "蜂蜜 Honey", Unit::Jar, 20),
    ] {
        let device = hub.seller_in(name, "Yubeng").await;
        let listing = new_listing(title, unit, 6850);
        hub.sync(
            &device,
            vec![
                op(&device, NOW_MS, created(&listing)),
                op(&device, NOW_MS, received(&listing, stock)),
            ],
            0,
        )
        .await;
        sellers.push((device, listing));
    }
    (hub, staff, sellers)
}

fn accept(device: &Device, order: &str) -> highland_domain::Operation {
    op(
        device,
        NOW_MS + 1_000,
        Payload::OrderActionTaken {
            order_id: order.parse::<OrderId>().unwrap(),
            actor: Actor::Seller,
            action: OrderAction::Accept,
            at: chrono::DateTime::from_timestamp_millis(NOW_MS as i64).unwrap(),
        },
    )
}

/// The value of the first `<option>` whose text contains `text`.
fn option_value(html: &str, text: &str) -> String {
    html.split("<option value=\"")
        .skip(1)
        .find(|o| o.split("</option>").next().unwrap().contains(text))
        .map(|o| o.split('"').next().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no option with {text}: {html}"))
}

#[tokio::test]
async fn a_round_planned_in_the_console_fills_and_warns_past_capacity() {
    let (hub, staff, sellers) = console().await;
    let mut browser = Browser::new(&hub);
    browser.sign_in(&staff).await;

    // A form with stops out of order is refused, kept, and plans nothing.
    let list = browser.get("/console/rounds").await;
    assert_eq!(list.status, StatusCode::OK);
    let bad = browser
        .post(
            "/console/rounds",
            &[
                ("csrf", &list.csrf()),
                ("date", "2026-06-04"),
                ("vehicle", "云F·12345"),
                ("capacity", "20"),
                ("stops", "11:00 Yubeng\n09:00 Xidang"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body
            .contains("List the stops in the order the truck makes them"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("11:00 Yubeng"),
        "the stops typed are kept"
    );
    assert!(hub.db.rounds(None, 10).unwrap().is_empty());

    let planned = browser
        .post(
            "/console/rounds",
            &[
                ("csrf", &list.csrf()),
                ("date", "2026-06-04"),
                ("vehicle", "云F·12345"),
                ("capacity", "20"),
                ("stops", "09:00 Xidang\n10:30 Yubeng\n"),
            ],
        )
        .await;
    assert_eq!(planned.status, StatusCode::SEE_OTHER, "{}", planned.body);
    let round_path = planned.location.unwrap();
    let round = hub.db.rounds(None, 10).unwrap().remove(0);
    assert_eq!(round_path, format!("/console/rounds/{}", round.id));

    // Orders placed on it from the listings' pages, at Yubeng.
    let mut orders = Vec::new();
    for ((device, listing), quantity) in sellers.iter().zip(["18", "6"]) {
        let page = browser
            .get(&format!("/console/listings/{}", listing.id))
            .await;
        let choice = option_value(&page.body, "10:30 Yubeng");
        let placed = browser
            .post(
                &format!("/console/listings/{}/orders", listing.id),
                &[
                    ("csrf", &page.csrf()),
                    ("quantity", quantity),
                    ("price", "60"),
                    ("round", &choice),
                ],
            )
            .await;
        assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.body);
        let order = placed
            .location
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        hub.sync(device, vec![accept(device, &order)], 0).await;
        orders.push(order);
    }

    // 18 kg of meat; the honey has no weight yet, and the page says so.
    let page = browser.get(&round_path).await;
    assert!(
        page.body.contains("data-testid=\"expected-kg\">18 kg"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("1 accepted orders have no weight"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("over-capacity"));
    // A jar weighs 750 g: 22.5 kg on a 20 kg truck.
    let honey = &sellers[1].1;
    let listing = browser
        .get(&format!("/console/listings/{}", honey.id))
        .await;
    let weighed = browser
        .post(
            &format!("/console/listings/{}/weight", honey.id),
            &[("csrf", &listing.csrf()), ("weight", "0.75")],
        )
        .await;
    assert_eq!(weighed.status, StatusCode::SEE_OTHER, "{}", weighed.body);
    let page = browser.get(&round_path).await;
    assert!(
        page.body.contains("data-testid=\"expected-kg\">22.5 kg"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("data-testid=\"over-capacity\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("112% · 22.5 / 20 kg"), "{}", page.body);

    // The truck goes out; what was loaded at Yubeng is recorded from the stop's form.
    let moved = browser
        .post(
            &format!("{round_path}/move"),
            &[("csrf", &page.csrf()), ("to", "loading")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let page = browser.get(&round_path).await;
    let yubeng = &round.stops[1].id;
    let loaded = browser
        .post(
            &format!("{round_path}/loads"),
            &[
                ("csrf", &page.csrf()),
                ("stop", yubeng),
                (&format!("quantity:{}", orders[0]), "17.5"),
                (&format!("quantity:{}", orders[1]), "6"),
                (&format!("weight:{}", orders[1]), ""),
            ],
        )
        .await;
    // A jar needs its weight from the scale: nothing is loaded, the form stays.
    assert_eq!(loaded.status, StatusCode::BAD_REQUEST, "{}", loaded.body);
    assert!(
        loaded.body.contains("need their weight from the scale"),
        "{}",
        loaded.body
    );
    assert!(loaded.body.contains("value=\"17.5\""), "typed values kept");
    assert_eq!(
        hub.db
            .round(round.id.parse().unwrap())
            .unwrap()
            .unwrap()
            .totals
            .loaded_g,
        0
    );
    let loaded = browser
        .post(
            &format!("{round_path}/loads"),
            &[
                ("csrf", &page.csrf()),
                ("stop", yubeng),
                (&format!("quantity:{}", orders[0]), "17.5"),
                (&format!("quantity:{}", orders[1]), "6"),
                (&format!("weight:{}", orders[1]), "4.8"),
            ],
        )
        .await;
    assert_eq!(loaded.status, StatusCode::SEE_OTHER, "{}", loaded.body);
    let page = browser.get(&round_path).await;
    assert!(
        page.body.contains("data-testid=\"loaded-kg\">22.3 kg"),
        "{}",
        page.body
    );
    let meat_order = hub
        .db
        .order(orders[0].parse().unwrap())
        .unwrap()
        .unwrap()
        .order;
    assert_eq!(meat_order.state, "handed-over");

    // The loading sheet prints.
    let sheet = browser
        .request(
            reqwest::Method::GET,
            &format!("{round_path}/loading-sheet.pdf"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(sheet.status(), StatusCode::OK);
    assert_eq!(sheet.headers()["content-type"], "application/pdf");
    assert!(sheet.bytes().await.unwrap().starts_with(b"%PDF"));
}

#[tokio::test]
async fn a_done_rounds_cost_shows_per_kg_and_on_the_chart() {
    let (hub, staff, sellers) = console().await;
    let mut browser = Browser::new(&hub);
    browser.sign_in(&staff).await;
    let (device, meat) = &sellers[0];
    let plan = highland_exchange::rounds::RoundPlan {
        date: "2026-06-04".parse().unwrap(),
        vehicle: highland_domain::ShortText::parse("云F·12345").unwrap(),
        capacity: highland_domain::Weight::parse_kg("100").unwrap(),
        stops: vec![highland_exchange::rounds::PlannedStop::parse_line("10:30 Yubeng").unwrap()],
    };
    let round = hub
        .db
        .plan_round(highland_domain::RoundId::new(), &plan, NOW_MS)
        .unwrap();
    let id: highland_domain::RoundId = round.id.parse().unwrap();
    let order = hub
        .db
        .place_order(
            &highland_exchange::orders::NewOrder {
                id: OrderId::new(),
                listing_id: meat.id,
                quantity: highland_domain::Quantity::parse("40", Unit::Kg).unwrap(),
                unit_price: highland_domain::Price::parse_yuan("60").unwrap(),
                hand_over_by: None,
                note: None,
                round: Some(highland_exchange::rounds::RoundChoice {
                    round: id,
                    stop: None,
                }),
            },
            None,
            NOW_MS,
        )
        .unwrap();
    hub.sync(device, vec![accept(device, &order.order.id)], 0)
        .await;
    for to in [
        highland_domain::RoundState::Loading,
        highland_domain::RoundState::OnTheRoad,
    ] {
        hub.db.move_round(id, to, NOW_MS).unwrap();
    }
    let entry = highland_exchange::rounds::LoadEntry {
        order: order.order.id.parse().unwrap(),
        quantity: highland_domain::Quantity::parse("40", Unit::Kg).unwrap(),
        weight: None,
    };
    hub.db
        .load_at_stop(
            id,
            round.stops[0].id.parse().unwrap(),
            &[entry],
            None,
            NOW_MS,
        )
        .unwrap();

    let path = format!("/console/rounds/{id}");
    let page = browser.get(&path).await;
    assert!(
        !page.body.contains("name=\"fuel\""),
        "no cost before it is done"
    );
    browser
        .post(
            &format!("{path}/move"),
            &[("csrf", &page.csrf()), ("to", "done")],
        )
        .await;
    let page = browser.get(&path).await;
    let refused = browser
        .post(
            &format!("{path}/cost"),
            &[
                ("csrf", &page.csrf()),
                ("fuel", "forty"),
                ("driver", "15"),
                ("tolls", "5"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("value=\"forty\""));
    let recorded = browser
        .post(
            &format!("{path}/cost"),
            &[
                ("csrf", &page.csrf()),
                ("fuel", "40"),
                ("driver", "15"),
                ("tolls", "5"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let page = browser.get(&path).await;
    assert!(
        page.body.contains("data-testid=\"fen-per-kg\">¥1.50"),
        "{}",
        page.body
    );

    let costs = browser.get("/console/rounds/costs").await;
    assert_eq!(costs.status, StatusCode::OK);
    assert!(
        costs.body.contains("data-testid=\"cost-chart\""),
        "{}",
        costs.body
    );
    assert!(costs.body.contains("<polyline"), "{}", costs.body);
    assert!(costs.body.contains("Yubeng"));
}
