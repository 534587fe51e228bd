//! The app in a workshop, below the window, against the real hub: the
//! practice network sends syncs through the network simulator (the tests'
//! own fault-injecting proxy), so a sale made "offline" waits and reaches
//! the hub when the signal comes back, and the guided lesson ticks off the
//! offline sale and the sync that delivered it.

use std::sync::Arc;
use std::time::Duration;

use highland_app_lib::highland::ListingInput;
use highland_app_lib::{Asked, ErrorCode, Highland};
use highland_domain::SimulatedNetwork;
use highland_e2e::Hub;
use highland_engine::lesson::LessonStep;

fn tsampa() -> ListingInput {
    ListingInput {
        title: "རྩམ་པ། Tsampa".into(),
        category: "highland-barley".into(),
        unit: "jin".into(),
        price: "12".into(),
        stock: "20".into(),
        description: None,
        lot_id: None,
        status: None,
    }
}

fn done(app: &Highland, step: LessonStep) -> bool {
    let lesson = app.lesson().unwrap().expect("a lesson is running");
    lesson
        .steps
        .iter()
        .find(|s| s.step == step)
        .is_some_and(|s| s.done_at.is_some())
}

#[tokio::test]
async fn a_sale_made_on_the_simulated_offline_network_waits_and_syncs_when_it_is_good() {
    let hub = Hub::start().unwrap();
    let seller = hub.add_seller("Lhamo", "Cizhong").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = Highland::open(dir.path(), Arc::new(|_| {})).unwrap();
    app.enroll(&hub.url(), &seller.code).await.unwrap();
    let lesson = app.start_lesson().unwrap();
    assert_eq!(lesson.current, Some(LessonStep::ListProduct));
    let listing = app.create_listing(tsampa()).unwrap();
    app.sync_now().await.unwrap();
    assert!(done(&app, LessonStep::ListProduct));

    // The trainer switches this tablet off the network.
    let settings = app.set_practice_network(Some("offline")).await.unwrap();
    assert_eq!(settings.practice_network, Some(SimulatedNetwork::Offline));
    let set_at = settings.practice_network_set_at.expect("when it was set");
    let status = app.sync_status().unwrap();
    assert!(status.simulated, "an http:// hub is simulated");
    assert_eq!(status.practice_network, Some(SimulatedNetwork::Offline));

    app.record_sale(&listing.id, "2", "cash").unwrap();
    assert!(
        done(&app, LessonStep::SaleOffline),
        "a sale while the simulator is offline is a sale made offline"
    );
    let failed = app
        .sync_once(Duration::from_secs(2), Asked::BySeller)
        .await
        .unwrap_err();
    assert_eq!(failed.code, ErrorCode::HubUnreachable);
    app.record_sale(&listing.id, "1", "wechat").unwrap();
    assert_eq!(
        app.sync_status().unwrap().pending_ops,
        2,
        "the changes wait"
    );
    assert!(hub.sales().unwrap().is_empty(), "nothing reached the hub");
    assert!(!done(&app, LessonStep::Sync));

    // The signal comes back: the waiting sales go through the simulator.
    app.set_practice_network(Some("good")).await.unwrap();
    let status = app.sync_now().await.unwrap();
    assert_eq!(status.pending_ops, 0);
    assert!(status.simulated && status.last_error.is_none());
    assert_eq!(hub.sales().unwrap().len(), 2);
    assert!(done(&app, LessonStep::Sync));
    assert_eq!(
        app.lesson().unwrap().unwrap().current,
        Some(LessonStep::TakePhoto),
        "the photo is the first step left"
    );

    // Mountain 2G is slow but gets there.
    app.set_practice_network(Some("mountain_2g")).await.unwrap();
    app.record_sale(&listing.id, "1", "cash").unwrap();
    let status = app.sync_now().await.unwrap();
    assert_eq!(status.pending_ops, 0);
    assert_eq!(hub.sales().unwrap().len(), 3);

    // Back to the real network: the sync goes straight to the hub.
    let settings = app.set_practice_network(None).await.unwrap();
    assert_eq!(settings.practice_network, None);
    assert!(settings.practice_network_set_at > Some(set_at));
    let status = app.sync_now().await.unwrap();
    assert!(!status.simulated && status.practice_network.is_none());

    // A network the app does not know is refused by name.
    let e = app.set_practice_network(Some("5g")).await.unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::UnknownChoice, Some("network"))
    );

    // Asking the hub for the class's network never fails the app; a hub
    // that set none leaves this tablet's choice alone.
    app.follow_class_once().await.unwrap();
    assert_eq!(app.get_settings().unwrap().practice_network, None);

    app.end_lesson().unwrap();
    assert!(app.lesson().unwrap().is_none());
}

#[tokio::test]
async fn the_practice_network_is_kept_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    {
        let app = Highland::open(dir.path(), Arc::new(|_| {})).unwrap();
        app.set_practice_network(Some("3g")).await.unwrap();
    }
    let app = Highland::open(dir.path(), Arc::new(|_| {})).unwrap();
    assert_eq!(
        app.get_settings().unwrap().practice_network,
        Some(SimulatedNetwork::ThreeG)
    );
    // Not enrolled: nothing is simulated, and the bar says which is set.
    let status = app.sync_status().unwrap();
    assert!(!status.simulated);
    assert_eq!(status.practice_network, Some(SimulatedNetwork::ThreeG));
}
