//! The trainer's class-wide network switch as a tablet follows it: the app
//! asks its hub's `GET /v1/workshop/network` (a stand-in hub here, answering
//! what the test sets) straight, never through the simulator, and takes the
//! trainer's network only when it was set after the tablet's own choice.

use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use highland_app_lib::highland::ListingInput;
use highland_app_lib::{AppEvent, Highland};
use highland_domain::SimulatedNetwork;
use highland_engine::Store;
use highland_engine::lesson::LessonStep;
use highland_engine::sync::Enrollment;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the stand-in hub answers, and the requests it saw (their heads).
#[derive(Default)]
struct Hub {
    answer: Mutex<(u16, String)>,
    seen: Mutex<Vec<String>>,
}

impl Hub {
    fn answer(&self, status: u16, body: serde_json::Value) {
        *self.answer.lock().unwrap() = (status, body.to_string());
    }
}

/// Serves one answer per connection on 127.0.0.1, as long as the test runs.
async fn serve(hub: Arc<Hub>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                return;
            };
            let hub = hub.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                hub.seen
                    .lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&head).into_owned());
                let (status, body) = hub.answer.lock().unwrap().clone();
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = conn.write_all(response.as_bytes()).await;
            });
        }
    });
    url
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
    let hub = Arc::new(Hub::default());
    let url = serve(hub.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    Store::open_dir(dir.path())
        .unwrap()
        .save_enrollment(&Enrollment {
            hub_url: url.clone(),
            seller_id: "seller".into(),
            seller_name: "Trainee 1".into(),
            village: "Xidang".into(),
            device_token: "device-token".into(),
        })
        .unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let app = Highland::open(dir.path(), Arc::new(move |e| sink.lock().unwrap().push(e))).unwrap();
    let network = |app: &Highland| app.get_settings().unwrap().practice_network;

    // The trainer has not switched the class: nothing changes.
    hub.answer(200, serde_json::json!({"network": null, "set_at": null}));
    assert!(app.follow_class_once().await.unwrap(), "a workshop hub");
    assert_eq!(network(&app), None);
    let seen = hub.seen.lock().unwrap().clone();
    assert!(seen[0].starts_with("GET /v1/workshop/network "), "{seen:?}");
    assert!(
        seen[0]
            .to_lowercase()
            .contains("authorization: bearer device-token"),
        "{seen:?}"
    );

    // The trainer switches the class to mountain 2G: the tablet follows,
    // and the window hears of it.
    let t1 = Utc::now() - Duration::seconds(5);
    hub.answer(
        200,
        serde_json::json!({"network": "mountain_2g", "set_at": t1.to_rfc3339()}),
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
    hub.answer(
        200,
        serde_json::json!({"network": "offline", "set_at": t2.to_rfc3339()}),
    );
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
    let t3 = t2 + Duration::seconds(1);
    hub.answer(
        200,
        serde_json::json!({"network": null, "set_at": t3.to_rfc3339()}),
    );
    app.follow_class_once().await.unwrap();
    assert_eq!(network(&app), None, "back to the real network");

    // A hub without the page is not a workshop hub.
    hub.answer(
        404,
        serde_json::json!({"code": "not_found", "message": "no such page"}),
    );
    assert!(!app.follow_class_once().await.unwrap());
}
