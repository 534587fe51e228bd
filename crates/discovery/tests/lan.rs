//! A device finds an advertised hub by mDNS, on a LAN of the test's own.
//!
//! The test re-runs itself inside a new network namespace that has only a
//! loopback interface with multicast switched on (`lan_test`): no other
//! host's mDNS traffic can answer, and a CI runner's real network (or its
//! lack of multicast) plays no part.

use std::time::Duration;

use highland_discovery::lan_test::inside_own_namespace;
use highland_discovery::{FoundHub, advertise, browse};

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
