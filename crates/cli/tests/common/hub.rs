//! A hub in the test's own process on loopback, and the `highland` binary
//! run off the async runtime so that the hub can answer it.

use std::sync::Arc;

use highland_hub::{AppState, HubDb, RunningHub, SystemClock, WallClock};

use super::DataDir;

pub struct Hub {
    pub db: Arc<HubDb>,
    pub url: String,
    _running: RunningHub,
    _dir: tempfile::TempDir,
}

impl Hub {
    pub async fn start() -> Hub {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(HubDb::open_dir(dir.path()).unwrap());
        let state = AppState::new(db.clone(), Arc::new(SystemClock));
        let running = highland_hub::start("127.0.0.1:0".parse().unwrap(), state)
            .await
            .unwrap();
        Hub {
            db,
            url: running.url(),
            _running: running,
            _dir: dir,
        }
    }

    /// A new seller, 卓玛 Dolma of Yubeng, and the code that enrolls a
    /// device for her.
    pub fn new_seller_code(&self) -> String {
        highland_hub::admin::add_seller(
            self.db.as_ref(),
            highland_hub::admin::NewSeller {
                name: highland_domain::ShortText::parse("卓玛 Dolma").unwrap(),
                village: highland_domain::ShortText::parse("Yubeng").unwrap(),
                phone: None,
            },
            SystemClock.now_ms(),
        )
        .unwrap()
        .code
    }

    /// Enrolls `d` for a new seller.
    pub async fn enroll(&self, d: &DataDir) {
        let code = self.new_seller_code();
        highland(d, &["enroll", "--hub", &self.url, "--code", &code]).await;
    }
}

/// Runs the binary and returns what it printed; it must succeed.
pub async fn highland(d: &DataDir, args: &[&str]) -> String {
    let mut cmd = d.cmd();
    cmd.args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "highland {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
