//! For tests of discovery: a LAN of the test's own.
//!
//! mDNS needs multicast, and a test must not hear (or be heard by) other
//! hosts on a CI runner's network. [`inside_own_namespace`] re-runs the
//! calling test inside a new network namespace that has only loopback, with
//! multicast switched on. Creating it needs root, as the README's test
//! command runs; without it the test fails rather than pass unchecked.

use std::process::Command;

/// Set in the re-run, so it knows it is the one inside.
const INSIDE: &str = "HIGHLAND_TEST_IN_OWN_NETNS";

/// True in the run inside the namespace, where the test does its work.
/// Outside, runs the test `test` (its full name, as `--exact` takes it)
/// again inside a fresh namespace, panics if that run did not pass, and
/// returns false: the outer run then has nothing left to do.
pub fn inside_own_namespace(test: &str) -> bool {
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
        output.status.success() && stdout.contains("1 passed"),
        "the run inside a network namespace failed or ran no test:\n{stdout}\n{stderr}"
    );
    false
}
