//! A device the hub's staff revoked (lost or stolen): the hub answers every
//! request with its token 403 `device_revoked`. The sync stops at once with
//! its own error, never retries it, keeps it for `status`, and loses
//! nothing the seller recorded; enrolling again lifts it. The hub here is a
//! small fake over plain HTTP on 127.0.0.1 (the engine does not depend on
//! the real one; the end-to-end test in `tests/` runs the real one).

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use highland_domain::wire::{
    Ack, AckOutcome, EnrollResponse, ErrorBody, HubHistory, PROTOCOL_VERSION, SyncRequest,
    SyncResponse,
};
use highland_domain::{CheckedCode, Unit};
use highland_engine::Store;
use highland_engine::sync::{self, SyncError, SyncEvent, SyncOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A hub that enrolls anyone and acknowledges everything until its staff
/// revoke the device; enrolling again lifts the revocation, as a new
/// device record with a new token would.
struct FakeHub {
    url: String,
    revoked: Arc<AtomicBool>,
    /// Answers as a new incarnation every time, as if several hubs took
    /// turns behind one address.
    unsettled: Arc<AtomicBool>,
    /// Requests answered, by route, after the revocation.
    refused: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeHub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeHub {
    fn revoke(&self) {
        self.revoked.store(true, Ordering::SeqCst);
    }

    fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }
}

async fn fake_hub() -> FakeHub {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let revoked = Arc::new(AtomicBool::new(false));
    let unsettled = Arc::new(AtomicBool::new(false));
    let refused = Arc::new(AtomicUsize::new(0));
    let (is_revoked, is_unsettled, counted) = (revoked.clone(), unsettled.clone(), refused.clone());
    let task = tokio::spawn(async move {
        loop {
            let (mut tcp, _) = listener.accept().await.unwrap();
            let (is_revoked, is_unsettled, counted) =
                (is_revoked.clone(), is_unsettled.clone(), counted.clone());
            tokio::spawn(async move {
                let _ = answer(&mut tcp, &is_revoked, &is_unsettled, &counted).await;
            });
        }
    });
    FakeHub {
        url,
        revoked,
        unsettled,
        refused,
        task,
    }
}

/// Reads one request and answers it as the hub would.
async fn answer(
    stream: &mut (impl AsyncReadExt + AsyncWriteExt + Unpin),
    revoked: &AtomicBool,
    unsettled: &AtomicBool,
    refused: &AtomicUsize,
) -> std::io::Result<()> {
    let Some(http::RawRequest { head, body }) = http::read_request(stream).await? else {
        return Ok(());
    };
    let body = body.as_slice();
    let (status, json) = if head.starts_with("post /v1/enroll") {
        revoked.store(false, Ordering::SeqCst);
        let enrolled = EnrollResponse {
            protocol: PROTOCOL_VERSION,
            device_token: "token-of-the-device".to_owned(),
            seller_id: "seller-1".to_owned(),
            seller_name: "Dolma".to_owned(),
            village: "Yubeng".to_owned(),
        };
        ("200 OK", serde_json::to_vec(&enrolled).unwrap())
    } else if revoked.load(Ordering::SeqCst) {
        refused.fetch_add(1, Ordering::SeqCst);
        let error = ErrorBody {
            code: highland_domain::wire::HubErrorCode::DeviceRevoked,
            message: "this device was revoked by the hub's staff".to_owned(),
        };
        ("403 Forbidden", serde_json::to_vec(&error).unwrap())
    } else if head.starts_with("post /v1/sync") {
        let request: SyncRequest =
            serde_json::from_slice(&zstd::decode_all(body).unwrap()).unwrap();
        let response = SyncResponse {
            protocol: PROTOCOL_VERSION,
            acks: request
                .operations
                .iter()
                .map(|op| Ack {
                    op_id: op.envelope().unwrap().id,
                    outcome: AckOutcome::Applied { hlc: None },
                })
                .collect(),
            operations: vec![],
            cursor: request.cursor,
            more: false,
            hub_time_ms: t0().timestamp_millis() as u64,
            newest_release: None,
            hub_version: None,
            history: unsettled.load(Ordering::SeqCst).then(|| HubHistory {
                incarnation: uuid::Uuid::now_v7().to_string(),
                log_end: request.cursor,
                ..HubHistory::default()
            }),
        };
        ("200 OK", serde_json::to_vec(&response).unwrap())
    } else {
        (
            "404 Not Found",
            br#"{"code":"not_found","message":"no such page"}"#.to_vec(),
        )
    };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n",
        json.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.write_all(&json).await?;
    stream.shutdown().await
}

fn code() -> CheckedCode {
    CheckedCode::from_random(&[2, 7, 1, 8, 2, 8, 1, 8], 8)
}

/// No deadline: a sync that retried the revocation would never return, so
/// the test gives up after a while and fails.
async fn sync_once(store: &Mutex<Store>) -> (Result<sync::SyncReport, SyncError>, Vec<SyncEvent>) {
    let options = SyncOptions {
        deadline: None,
        first_wait: Duration::from_millis(10),
        max_wait: Duration::from_millis(50),
        fetch_photos: true,
    };
    let mut events = Vec::new();
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        sync::sync(store, &options, &mut |e| events.push(e)),
    )
    .await
    .expect("sync returned instead of retrying");
    (result, events)
}

#[tokio::test]
async fn a_revoked_device_stops_at_once_keeps_every_sale_and_says_why_in_its_status() {
    let hub = fake_hub().await;
    let mut d = device();
    let yak = yak_meat(&mut d.store, "12");
    d.store.record_sale(sale(yak, "1", Unit::Kg)).unwrap();
    let store = Mutex::new(d.store);
    sync::enroll(&store, &hub.url, code(), None).await.unwrap();
    let (first, _) = sync_once(&store).await;
    assert_eq!(
        first.unwrap().pushed,
        3,
        "the listing, its stock and a sale"
    );

    hub.revoke();
    let sold_after = store
        .lock()
        .unwrap()
        .record_sale(sale(yak, "2", Unit::Kg))
        .unwrap();

    let (result, events) = sync_once(&store).await;
    let error = result.unwrap_err();
    assert!(matches!(error, SyncError::DeviceRevoked), "{error:?}");
    assert_eq!(error.code(), "device_revoked");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, SyncEvent::Retrying { .. })),
        "{events:?}"
    );
    assert_eq!(hub.refused(), 1, "one request, never retried");

    {
        let s = store.lock().unwrap();
        let status = s.sync_status().unwrap();
        assert_eq!(status.last_error_code.as_deref(), Some("device_revoked"));
        assert_eq!(
            status.last_error.as_deref(),
            Some(error.to_string().as_str())
        );
        assert!(s.is_revoked().unwrap());
        assert_eq!(s.status().unwrap().sales, 2, "nothing recorded is lost");
        assert_eq!(
            status.pending_ops, 1,
            "the later sale still waits to be sent"
        );
        assert!(
            s.sales()
                .unwrap()
                .iter()
                .any(|x| x.id == sold_after.to_string())
        );
    }

    // Recorded in the file: a store opened anew (the next `highland
    // status`, the app after a restart) still knows.
    let path = d.dir.path().join("highland.db");
    drop(store);
    let store = Mutex::new(Store::open(&path).unwrap());
    assert!(store.lock().unwrap().is_revoked().unwrap());

    // Enrolled again with a new code: the revocation no longer holds, and
    // what waited goes to the hub.
    sync::enroll(&store, &hub.url, code(), None).await.unwrap();
    assert!(!store.lock().unwrap().is_revoked().unwrap());
    let (again, _) = sync_once(&store).await;
    assert_eq!(again.unwrap().pending_ops, 0);
    let status = store.lock().unwrap().sync_status().unwrap();
    assert_eq!((status.last_error, status.last_error_code), (None, None));
}

#[tokio::test]
async fn the_class_network_question_hears_a_revocation_and_keeps_it() {
    let hub = fake_hub().await;
    let d = device();
    let store = Mutex::new(d.store);
    sync::enroll(&store, &hub.url, code(), None).await.unwrap();
    assert_eq!(
        sync::class_network(&store).await.unwrap(),
        None,
        "not a workshop hub"
    );
    assert!(!store.lock().unwrap().is_revoked().unwrap());

    hub.revoke();
    let error = sync::class_network(&store).await.unwrap_err();
    assert!(matches!(error, SyncError::DeviceRevoked), "{error:?}");
    assert_eq!(hub.refused(), 1);
    assert!(store.lock().unwrap().is_revoked().unwrap());
}

#[tokio::test]
async fn a_refusal_that_is_no_revocation_is_recorded_with_its_own_code() {
    // `is_revoked` stays false: only the hub's own code says revoked.
    let hub = fake_hub().await;
    let mut d = device();
    yak_meat(&mut d.store, "3");
    d.store
        .save_enrollment(&sync::Enrollment {
            hub_url: format!("{}/nowhere", hub.url),
            seller_id: "seller-1".to_owned(),
            seller_name: "Dolma".to_owned(),
            village: "Yubeng".to_owned(),
            device_token: "token-of-the-device".to_owned(),
        })
        .unwrap();
    let store = Mutex::new(d.store);
    let (result, _) = sync_once(&store).await;
    let error = result.unwrap_err();
    assert_eq!(error.code(), "not_found", "{error}");
    let s = store.lock().unwrap();
    assert_eq!(
        s.sync_status().unwrap().last_error_code.as_deref(),
        Some("not_found")
    );
    assert!(!s.is_revoked().unwrap());
}

/// A hub whose history changes at every answer (two hubs behind one
/// address, say) looks like a restore each time: one sync sends everything
/// again a couple of times, then stops with its own code, losing nothing.
#[tokio::test]
async fn a_hub_that_goes_back_at_every_answer_stops_the_sync_instead_of_looping() {
    let hub = fake_hub().await;
    let mut d = device();
    let yak = yak_meat(&mut d.store, "12");
    d.store.record_sale(sale(yak, "1", Unit::Kg)).unwrap();
    let store = Mutex::new(d.store);
    sync::enroll(&store, &hub.url, code(), None).await.unwrap();
    sync_once(&store).await.0.unwrap();

    hub.unsettled.store(true, Ordering::SeqCst);
    // The first answer with a history is remembered; the next ones differ.
    sync_once(&store).await.0.unwrap();
    let (result, _) = sync_once(&store).await;
    let error = result.unwrap_err();
    assert_eq!(error.code(), sync::HUB_UNSETTLED, "{error:?}");
    let s = store.lock().unwrap();
    assert_eq!(s.sales().unwrap().len(), 1);
    let status = s.sync_status().unwrap();
    assert_eq!(status.last_error_code.as_deref(), Some(sync::HUB_UNSETTLED));
}
