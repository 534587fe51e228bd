//! A device finds an advertised hub by mDNS, on a LAN of the test's own.
//!
//! The test re-runs itself inside a new network namespace that has only a
//! loopback interface with multicast switched on: no other host's mDNS
//! traffic can answer, and a CI runner's real network (or its lack of
//! multicast) plays no part. Creating the namespace needs root, as the README's
//! test command runs; without it the test fails rather than pass unchecked.

use std::process::Command;
use std::time::Duration;

use highland_discovery::{FoundHub, advertise, browse};

const INSIDE: &str = "HIGHLAND_DISCOVERY_IN_NETNS";

/// Runs `test` again inside a fresh network namespace; true when this is
/// already the run inside.
fn inside_own_namespace(test: &str) -> bool {
    if std::env::var_os(INSIDE).is_some() {
        return true;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let output = Command::new("unshare")
        .args(["--net", "--", "sh", "-ec"])
        .arg(
            "ip link set lo up; ip link set lo multicast on; \
             ip route add 224.0.0.0/4 dev lo; exec \"$0\" \"$@\"",
        )
        .arg(exe)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .output()
        .expect("unshare (util-linux) runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the run inside a network namespace failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("1 passed"),
        "the run inside the namespace ran no test:\n{stdout}\n{stderr}"
    );
    false
}

#[test]
fn a_device_finds_an_advertised_hub_and_forgets_it_once_withdrawn() {
    if !inside_own_namespace("a_device_finds_an_advertised_hub_and_forgets_it_once_withdrawn") {
        return;
    }
    let name = "德钦 workshop";
    let url = "http://127.0.0.1:7878";
    let advertisement = advertise(name, url, 7878).expect("advertise");

    let found = browse(Duration::from_secs(3)).expect("browse");
    assert_eq!(
        found,
        vec![FoundHub {
            name: name.to_owned(),
            url: url.to_owned()
        }]
    );

    drop(advertisement);
    let found = browse(Duration::from_secs(2)).expect("browse again");
    assert!(
        found.is_empty(),
        "a withdrawn hub is still offered: {found:?}"
    );
}
