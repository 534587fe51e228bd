//! `highland-hub workshop` as a trainer types it: where it keeps its data,
//! and what it refuses before starting anything.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use predicates::str::contains;
use serde_json::Value;

#[test]
fn a_workshop_keeps_its_data_apart_from_the_hub_the_environment_names() {
    let real_hub = tempfile::tempdir().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("highland-hub"))
        .env("HIGHLAND_HUB_DATA_DIR", real_hub.path())
        .env_remove("HIGHLAND_HUB_DATABASE_URL")
        .args(["workshop", "--json", "--listen", "127.0.0.1:0"])
        .args(["--trainees", "1", "--no-advertise"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (line, printed) = mpsc::channel();
    std::thread::spawn(move || {
        let mut first = String::new();
        let _ = BufReader::new(stdout).read_line(&mut first);
        let _ = line.send(first);
    });
    let first = printed.recv_timeout(Duration::from_secs(60));
    let _ = child.kill();
    let _ = child.wait();
    let info: Value = serde_json::from_str(&first.unwrap()).unwrap();
    assert_eq!(info["trainees"].as_array().unwrap().len(), 1);
    assert!(real_hub.path().join("workshop/hub.db").exists());
    assert!(
        !real_hub.path().join("hub.db").exists(),
        "the real hub's database is untouched"
    );
}

#[test]
fn a_workshop_refuses_a_typed_database_url_and_a_class_of_no_one() {
    let dir = tempfile::tempdir().unwrap();
    let workshop = || {
        let mut cmd = assert_cmd::Command::cargo_bin("highland-hub").unwrap();
        cmd.env_remove("HIGHLAND_HUB_DATA_DIR")
            .env_remove("HIGHLAND_HUB_DATABASE_URL")
            .arg("--data-dir")
            .arg(dir.path())
            .args(["workshop", "--listen", "127.0.0.1:0", "--no-advertise"]);
        cmd
    };
    workshop()
        .args(["--trainees", "0"])
        .assert()
        .failure()
        .stderr(contains("at least one trainee and at most 200, not 0"));
    assert!(!dir.path().join("hub.db").exists(), "nothing was created");

    let mut typed = assert_cmd::Command::cargo_bin("highland-hub").unwrap();
    typed
        .env_remove("HIGHLAND_HUB_DATA_DIR")
        .args(["--database-url", "postgres://hub@localhost/hub"])
        .args(["workshop", "--listen", "127.0.0.1:0"])
        .assert()
        .failure()
        .stderr(contains(
            "a workshop keeps its own SQLite database in --data-dir",
        ));
}
