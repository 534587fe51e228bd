//! "Find a hub nearby": the enroll screen's mDNS search, through the app's
//! adapter, finds a workshop hub advertised on the LAN. Like
//! highland-discovery's own test, it re-runs itself inside a network
//! namespace with only a multicast-capable loopback (needs root, as the
//! README's test command runs), so no other host's mDNS can answer.

use std::sync::Arc;

use highland_app_lib::Highland;
use highland_discovery::lan_test::inside_own_namespace;

#[tokio::test]
async fn the_enroll_screen_finds_a_workshop_hub_advertised_nearby() {
    if !inside_own_namespace("the_enroll_screen_finds_a_workshop_hub_advertised_nearby") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let app = Highland::open(dir.path(), Arc::new(|_| {})).unwrap();
    assert!(app.find_hubs().await.unwrap().is_empty(), "no hub yet");
    let url = "http://127.0.0.1:7878";
    let _advertised = highland_discovery::advertise("Deqen workshop", url, 7878).unwrap();
    let found = app.find_hubs().await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].name.as_str(), found[0].url.as_str()),
        ("Deqen workshop", url)
    );
}
