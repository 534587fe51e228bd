//! `--database-url` beside `--data-dir`: every admin command takes either.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn hub_cli() -> Command {
    let mut cmd = Command::cargo_bin("highland-hub").unwrap();
    cmd.env_remove("HIGHLAND_HUB_DATA_DIR")
        .env_remove("HIGHLAND_HUB_DATABASE_URL");
    cmd
}

fn json_of(cmd: &mut Command) -> Value {
    let output = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&output).unwrap()
}

#[test]
fn every_admin_command_works_on_a_sqlite_url() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deeper").join("hub.db");
    let url = format!("sqlite://{}", file.display());
    assert!(url.starts_with("sqlite:///"));
    let seller = json_of(hub_cli().args([
        "--database-url",
        &url,
        "seller",
        "add",
        "--name",
        "Dolma",
        "--village",
        "Yubeng",
        "--json",
    ]));
    let seller_id = seller["seller_id"].as_str().unwrap();
    json_of(hub_cli().args([
        "device",
        "code",
        "--seller",
        seller_id,
        "--json",
        "--database-url",
        &url,
    ]));
    assert_eq!(
        json_of(hub_cli().args(["--database-url", &url, "listing", "list", "--json"])),
        Value::Array(vec![])
    );
    assert_eq!(
        json_of(hub_cli().args(["--database-url", &url, "sale", "list", "--json"])),
        Value::Array(vec![])
    );
    json_of(hub_cli().args([
        "--database-url",
        &url,
        "staff",
        "add",
        "--name",
        "Pema",
        "--json",
    ]));
    let staff = json_of(hub_cli().args(["--database-url", &url, "staff", "list", "--json"]));
    assert_eq!(staff[0]["name"], "Pema");
    assert!(file.exists());

    // The same database through --data-dir.
    let staff = json_of(
        hub_cli()
            .arg("--data-dir")
            .arg(file.parent().unwrap())
            .args(["staff", "list", "--json"]),
    );
    assert_eq!(staff[0]["name"], "Pema");
}

#[test]
fn a_relative_sqlite_url_is_relative_to_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    hub_cli()
        .current_dir(dir.path())
        .args(["--database-url", "sqlite://data/hub.db", "staff", "list"])
        .assert()
        .success();
    assert!(dir.path().join("data").join("hub.db").exists());
}

#[test]
fn an_unreachable_postgres_server_is_one_line_without_the_password() {
    // Port 1 on loopback: nothing listens, so the connection is refused.
    let assert = hub_cli()
        .args([
            "--database-url",
            "postgres://hub:s3cret@127.0.0.1:1/highland",
            "staff",
            "list",
        ])
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: cannot open the hub's database: "),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"), "{stderr}");
}

#[test]
fn a_bad_url_or_both_flags_are_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    hub_cli()
        .args(["--database-url", "mysql://db/highland", "staff", "list"])
        .assert()
        .failure()
        .stderr(predicate::str::starts_with("error: --database-url:"));
    hub_cli()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--database-url", "sqlite:///tmp/x.db", "staff", "list"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("give one of them"));
    // A flag typed beats the other's environment variable.
    hub_cli()
        .env("HIGHLAND_HUB_DATA_DIR", dir.path().join("from-env"))
        .args([
            "--database-url",
            &format!("sqlite://{}/typed/hub.db", dir.path().display()),
            "staff",
            "list",
        ])
        .assert()
        .success();
    assert!(dir.path().join("typed").join("hub.db").exists());
    assert!(!dir.path().join("from-env").exists());
}
