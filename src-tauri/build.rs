//! Tauri's build step. Every command is declared to Tauri's access control
//! here, which generates an `allow-<command>` permission for each, so the
//! window may call only what `capabilities/default.json` grants
//! (tests/capabilities.rs keeps the two lists and the bindings in step).

const COMMANDS: &[&str] = &[
    "app_info",
    "set_language",
    "enroll",
    "start_demo",
    "reset_demo",
    "use_real_profile",
    "list_listings",
    "listing_detail",
    "create_listing",
    "edit_listing",
    "record_sale",
    "void_sale",
    "adjust_stock",
    "list_lots",
    "record_lot",
    "issue_certificate",
    "list_certificates",
    "add_photo",
    "decode_qr",
    "remove_photo",
    "photos_of",
    "list_photos",
    "photo_transfers",
    "list_orders",
    "order_detail",
    "accept_order",
    "decline_order",
    "hand_over_order",
    "list_rounds",
    "answer_round",
    "weigh_listing",
    "sync_status",
    "sync_now",
    "week_sales",
    "get_settings",
    "set_settings",
    "set_large_text",
    "set_low_stock_at",
    "reset_tablet",
    "set_practice_network",
    "start_lesson",
    "lesson",
    "end_lesson",
    "find_hubs",
    "start_workshop",
    "workshop",
    "stop_workshop",
    "install_update",
    "restart_app",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("the Tauri build step failed");
}
