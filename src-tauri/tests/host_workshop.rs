//! "Start a workshop" on the trainer's computer: the desktop app serves
//! the workshop hub in its own process, on the hub's usual port, shows a
//! card for each trainee, and advertises the hub so a tablet's "Find a hub
//! nearby" finds it. It re-runs itself inside a network namespace of its
//! own (as the other discovery tests do), so the port and the mDNS
//! traffic are the test's alone.

use std::sync::Arc;

use highland_app_lib::Highland;
use highland_discovery::lan_test::inside_own_namespace;

#[tokio::test]
async fn the_trainer_starts_a_workshop_that_a_tablet_finds_and_joins_and_it_carries_on_after_a_stop()
 {
    if !inside_own_namespace(
        "the_trainer_starts_a_workshop_that_a_tablet_finds_and_joins_and_it_carries_on_after_a_stop",
    ) {
        return;
    }
    let trainer_dir = tempfile::tempdir().unwrap();
    let trainer = Highland::open(trainer_dir.path(), Arc::new(|_| {})).unwrap();
    assert!(trainer.app_info().unwrap().can_host_workshop);
    assert_eq!(trainer.workshop().await.unwrap(), None);

    let shown = trainer.start_workshop().await.unwrap();
    // Only loopback in this namespace: the hub says so by its address.
    assert_eq!(shown.hub_url, "http://127.0.0.1:7878");
    assert!(shown.lan_addresses.is_empty());
    assert_eq!(shown.trainees.len(), 10);
    let card = &shown.trainees[0];
    assert!(card.qr_svg.starts_with("<svg"), "{}", card.qr_svg);
    assert_eq!(
        card.enroll_text,
        format!("highland://enroll?hub={}&code={}", shown.hub_url, card.code)
    );
    // Pressing the button again shows the same workshop.
    assert_eq!(trainer.start_workshop().await.unwrap(), shown);
    assert_eq!(trainer.workshop().await.unwrap().as_ref(), Some(&shown));

    // A tablet finds it nearby and joins with the first card.
    let tablet_dir = tempfile::tempdir().unwrap();
    let tablet = Highland::open(tablet_dir.path(), Arc::new(|_| {})).unwrap();
    let found = tablet.find_hubs().await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].url, shown.hub_url);
    tablet.enroll(&found[0].url, &card.code).await.unwrap();

    // Stopped, the hub is gone; started again, it keeps its class: nine
    // cards, each with a new code, and the tablet syncs as before.
    trainer.stop_workshop().await.unwrap();
    assert_eq!(trainer.workshop().await.unwrap(), None);
    let again = trainer.start_workshop().await.unwrap();
    assert_eq!(again.trainees.len(), 9);
    assert!(again.trainees.iter().all(|c| c.name != card.name));
    let status = tablet.sync_now().await.unwrap();
    assert!(status.last_error.is_none(), "{status:?}");
    assert!(status.last_sync_at.is_some());
    trainer.stop_workshop().await.unwrap();
}
