//! The app's sync against the real hub, below the window: enrolling by code,
//! a sale reaching the hub, the events the UI hears, and a hub that is down
//! reported by its code.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use highland_app_lib::highland::ListingInput;
use highland_app_lib::{AppEvent, Asked, ErrorCode, Highland};
use highland_e2e::Hub;
use highland_engine::Profile;

fn yak() -> ListingInput {
    ListingInput {
        title: "གཡག་ཤ། Yak meat".into(),
        category: "yak-meat".into(),
        unit: "jin".into(),
        price: "68".into(),
        stock: "10".into(),
        description: None,
        lot_id: None,
        status: None,
    }
}

#[tokio::test]
async fn an_enrolled_app_sends_its_sale_to_the_hub_and_says_how_it_went() {
    let hub = Hub::start().unwrap();
    let seller = hub.add_seller("Dolma", "Xidang").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let app = Highland::open(dir.path(), Arc::new(move |e| sink.lock().unwrap().push(e))).unwrap();
    // Enrolling from the demo switches to the seller's own profile.
    app.start_demo().unwrap();
    let info = app.enroll(&hub.url(), &seller.code).await.unwrap();
    assert_eq!(info.profile, Profile::Real);
    assert_eq!(info.enrollment.unwrap().seller_name, "Dolma");

    let listing = app.create_listing(yak()).unwrap();
    app.record_sale(&listing.id, "2", "cash").unwrap();
    assert_eq!(app.sync_status().unwrap().pending_ops, 3);
    let status = app.sync_now().await.unwrap();
    assert_eq!(status.pending_ops, 0);
    assert!(status.last_sync_at.is_some() && status.last_error.is_none());
    let sales = hub.sales().unwrap();
    assert_eq!(sales.len(), 1);
    assert_eq!((sales[0].quantity, sales[0].total_fen), (1000, 13_600));
    {
        let events = events.lock().unwrap();
        assert!(matches!(events.first(), Some(AppEvent::SyncStarted(s)) if s.pending_ops == 3));
        assert!(matches!(events.last(), Some(AppEvent::SyncFinished(f)) if f.pushed == 3));
    }

    // With the hub gone, a sync fails by its code, and says so in an event.
    hub.stop().unwrap();
    app.record_sale(&listing.id, "1", "wechat").unwrap();
    events.lock().unwrap().clear();
    let once = app
        .sync_once(Duration::from_secs(2), Asked::InBackground)
        .await
        .unwrap_err();
    assert_eq!(once.code, ErrorCode::HubUnreachable);
    let status = app.sync_status().unwrap();
    assert_eq!(status.pending_ops, 1);
    assert_eq!(
        status.last_error.map(|e| e.code),
        Some(ErrorCode::HubUnreachable)
    );
    assert!(events.lock().unwrap().iter().any(
        |e| matches!(e, AppEvent::SyncFailed(f) if f.error.code == ErrorCode::HubUnreachable)
    ));
    // While it retried, the UI heard why, and that one change still waits.
    assert!(events.lock().unwrap().iter().any(|e| matches!(
        e,
        AppEvent::SyncProgress(p) if p.retrying == Some(ErrorCode::HubUnreachable) && p.pending_ops == 1
    )));
}

#[tokio::test]
async fn a_write_wakes_the_background_sync() {
    let hub = Hub::start().unwrap();
    let seller = hub.add_seller("Pema", "Yubeng").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(Highland::open(dir.path(), Arc::new(|_| {})).unwrap());
    app.enroll(&hub.url(), &seller.code).await.unwrap();
    let background = {
        let app = app.clone();
        tokio::spawn(async move { highland_app_lib::keep_in_sync(&app).await })
    };
    app.create_listing(yak()).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while app.sync_status().unwrap().pending_ops > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the write was never sent"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(hub.listings().unwrap().len(), 1);
    background.abort();
}

/// `highland-hub order place` beside the running hub; the new order's id.
fn place_order(hub: &Hub, listing: &str, quantity: &str, price: &str) -> String {
    use highland_e2e::bins::{HIGHLAND_HUB, bin};
    let out = std::process::Command::new(bin(HIGHLAND_HUB))
        .env_remove("HIGHLAND_HUB_DATA_DIR")
        .arg("--data-dir")
        .arg(hub.data_dir())
        .args([
            "order",
            "place",
            "--listing",
            listing,
            "--quantity",
            quantity,
        ])
        .args(["--price", price, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let order: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    order["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn orders_from_the_hub_arrive_with_an_event_and_the_sellers_answers_reach_it() {
    let hub = Hub::start().unwrap();
    let seller = hub.add_seller("Tashi", "Benzilan").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let app = Highland::open(dir.path(), Arc::new(move |e| sink.lock().unwrap().push(e))).unwrap();
    app.enroll(&hub.url(), &seller.code).await.unwrap();
    let listing = app.create_listing(yak()).unwrap();
    app.sync_now().await.unwrap();

    let wanted = place_order(&hub, &listing.id, "4", "68");
    let unwanted = place_order(&hub, &listing.id, "1", "60");
    app.sync_now().await.unwrap();
    assert!(
        events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, AppEvent::NewOrders(n) if n.count == 2 && n.to_answer == 2))
    );
    let orders = app.list_orders().unwrap();
    assert_eq!(orders.len(), 2);
    assert!(orders.iter().all(|o| o.state == "placed"));

    let accepted = app.accept_order(&wanted).unwrap();
    assert_eq!(
        (accepted.state.as_str(), accepted.pending_action.as_deref()),
        ("accepted", Some("accept"))
    );
    // The accepted order holds its 4 jin back from the stock at once.
    assert_eq!(app.list_listings().unwrap()[0].stock, 5000 - 2000);
    let declined = app
        .decline_order(&unwanted, "the price is too low")
        .unwrap();
    assert_eq!(declined.state, "declined");
    app.sync_now().await.unwrap();
    let detail = app.order_detail(&wanted).unwrap();
    assert_eq!(
        (
            detail.order.confirmed_state.as_str(),
            detail.order.pending_action
        ),
        ("accepted", None)
    );
    let handed = app.hand_over_order(&wanted).unwrap();
    assert_eq!(handed.state, "handed-over");
    let status = app.sync_now().await.unwrap();
    assert_eq!(status.pending_ops, 0);
    assert_eq!(
        app.order_detail(&wanted).unwrap().order.confirmed_state,
        "handed-over"
    );
    // An answer the order no longer allows is refused before it is recorded.
    let e = app.accept_order(&unwanted).unwrap_err();
    assert_eq!(e.code, ErrorCode::OrderTransitionRefused);
    assert_eq!(e.params["state"], "declined");
}
