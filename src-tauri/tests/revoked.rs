//! A tablet the hub's staff revoked, as the app opens it again after a
//! restart: the sync bar says so at once, from what the engine kept, before
//! (and without) asking the hub; enrolling it again clears it.

use std::sync::Arc;

use highland_app_lib::{ErrorCode, Highland};
use highland_engine::Store;
use highland_engine::sync::{Enrollment, SyncError};

fn enrollment() -> Enrollment {
    Enrollment {
        // Nothing listens here: the app must not need the hub to say it.
        hub_url: "http://127.0.0.1:9".to_owned(),
        seller_id: "seller-1".to_owned(),
        seller_name: "Dolma".to_owned(),
        village: "Yubeng".to_owned(),
        device_token: "token-of-the-lost-tablet".to_owned(),
    }
}

#[test]
fn the_sync_bar_says_a_kept_revocation_without_asking_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open_dir(dir.path()).unwrap();
        store.save_enrollment(&enrollment()).unwrap();
        let revoked = SyncError::DeviceRevoked;
        store
            .note_sync_stopped(revoked.code(), &revoked.to_string())
            .unwrap();
    }
    let app = Highland::open(dir.path(), Arc::new(|_| {})).unwrap();
    let status = app.sync_status().unwrap();
    assert!(status.enrolled);
    assert_eq!(
        status.last_error.map(|e| e.code),
        Some(ErrorCode::DeviceRevoked)
    );
    drop(app);

    // Enrolled anew (a new token): nothing is kept against it.
    Store::open_dir(dir.path())
        .unwrap()
        .save_enrollment(&Enrollment {
            device_token: "a-new-token".to_owned(),
            ..enrollment()
        })
        .unwrap();
    let app = Highland::open(dir.path(), Arc::new(|_| {})).unwrap();
    assert_eq!(app.sync_status().unwrap().last_error, None);
}
