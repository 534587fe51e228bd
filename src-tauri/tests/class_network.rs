//! The trainer's class-wide network switch as a tablet follows it: the app
//! asks its workshop hub's `GET /v1/workshop/network` (the real hub,
//! highland_hub::workshop, in this process) straight, never through the
//! simulator, and takes the trainer's network only when it was set after
//! the tablet's own choice.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use highland_app_lib::highland::ListingInput;
use highland_app_lib::{AppEvent, Highland};
use highland_domain::SimulatedNetwork;
use highland_engine::lesson::LessonStep;
use highland_hub::photos::PhotoStore;
use highland_hub::workshop::{self, RunningWorkshop, Tuning, WorkshopOptions, network};
use highland_hub::{HubDb, ManualClock, Storage};

/// A workshop hub with one trainee, on a SQLite file in `dir`.
async fn workshop_hub(dir: &std::path::Path) -> (RunningWorkshop, Arc<dyn Storage>) {
    let store: Arc<dyn Storage> = Arc::new(HubDb::open(&dir.join("hub.db")).unwrap());
    let running = workshop::start_on(
        store.clone(),
        PhotoStore::in_memory(),
        Arc::new(ManualClock::at(Utc::now().timestamp_millis() as u64)),
        WorkshopOptions {
            data_dir: dir.to_owned(),
            listen: "127.0.0.1:0".parse().unwrap(),
            trainees: 1,
            advertise: false,
        },
        Tuning::default(),
    )
    .await
    .unwrap();
    (running, store)
}

/// The trainer switches the class, as the console does, at `at`.
fn switch(hub: &Arc<dyn Storage>, to: Option<SimulatedNetwork>, at: DateTime<Utc>) {
    let store = hub.clone();
    std::thread::spawn(move || {
        network::set_network(store.as_ref(), to, at.timestamp_millis() as u64).unwrap()
    })
    .join()
    .unwrap();
}

fn honey() -> ListingInput {
    ListingInput {
        title: "སྦྲང་རྩི། 蜂蜜".into(),
        category: "honey".into(),
        unit: "jar".into(),
        price: "45".into(),
        stock: "20".into(),
        description: None,
        lot_id: None,
        status: None,
    }
}

#[tokio::test]
async fn a_tablet_takes_the_trainers_network_only_when_it_is_newer_than_its_own() {
    let hub_dir = tempfile::tempdir().unwrap();
    let (running, hub) = workshop_hub(hub_dir.path()).await;
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let app = Highland::open(dir.path(), Arc::new(move |e| sink.lock().unwrap().push(e))).unwrap();
    let card = running.info().trainees[0].clone();
    app.enroll(&running.info().hub_url, &card.code)
        .await
        .unwrap();
    let network = |app: &Highland| app.get_settings().unwrap().practice_network;

    // The trainer has not switched the class: nothing changes.
    assert!(app.follow_class_once().await.unwrap(), "a workshop hub");
    assert_eq!(network(&app), None);

    // The trainer switches the class to mountain 2G: the tablet follows,
    // and the window hears of it.
    switch(
        &hub,
        Some(SimulatedNetwork::Mountain2g),
        Utc::now() - Duration::seconds(5),
    );
    app.follow_class_once().await.unwrap();
    assert_eq!(network(&app), Some(SimulatedNetwork::Mountain2g));
    assert!(events.lock().unwrap().iter().any(|e| matches!(
        e,
        AppEvent::PracticeNetworkChanged(c) if c.network.as_deref() == Some("mountain_2g")
    )));

    // The trainee picks Good on the tablet afterwards: that stands.
    app.set_practice_network(Some("good")).await.unwrap();
    app.follow_class_once().await.unwrap();
    assert_eq!(network(&app), Some(SimulatedNetwork::Good));

    // The trainer switches everyone offline: a sale now is a sale made
    // offline, and the class's switch is still heard (it never goes
    // through the simulator it controls).
    app.start_lesson().unwrap();
    let listing = app.create_listing(honey()).unwrap();
    let t2 = Utc::now() + Duration::seconds(1);
    switch(&hub, Some(SimulatedNetwork::Offline), t2);
    app.follow_class_once().await.unwrap();
    assert_eq!(network(&app), Some(SimulatedNetwork::Offline));
    app.record_sale(&listing.id, "1", "cash").unwrap();
    let lesson = app.lesson().unwrap().unwrap();
    assert!(
        lesson
            .steps
            .iter()
            .any(|s| s.step == LessonStep::SaleOffline && s.done_at.is_some()),
        "{lesson:?}"
    );
    switch(&hub, None, t2 + Duration::seconds(1));
    app.follow_class_once().await.unwrap();
    assert_eq!(network(&app), None, "back to the real network");

    running.shutdown().await;
}

#[tokio::test]
async fn a_tablet_of_a_hub_that_runs_no_workshop_has_no_class_to_follow() {
    let hub_dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Storage> = Arc::new(HubDb::open(&hub_dir.path().join("hub.db")).unwrap());
    let seller = highland_hub::admin::NewSeller {
        name: highland_domain::ShortText::parse("Dolma").unwrap(),
        village: highland_domain::ShortText::parse("Yubeng").unwrap(),
        phone: None,
    };
    let added = {
        let store = store.clone();
        std::thread::spawn(move || {
            highland_hub::admin::add_seller(
                store.as_ref(),
                seller,
                Utc::now().timestamp_millis() as u64,
            )
            .unwrap()
        })
        .join()
        .unwrap()
    };
    let state = highland_hub::AppState::new(store, Arc::new(highland_hub::SystemClock));
    let hub = highland_hub::start("127.0.0.1:0".parse().unwrap(), state)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = Highland::open(dir.path(), Arc::new(|_| {})).unwrap();
    app.enroll(&hub.url(), &added.code).await.unwrap();
    assert!(!app.follow_class_once().await.unwrap());
    hub.stop().await.unwrap();
}
