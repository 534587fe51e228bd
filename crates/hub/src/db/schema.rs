//! The schema's history. Each entry upgrades the database by one version; a
//! released entry is never edited, only followed by a new one.

/// `PRAGMA application_id` of a Highland hub database ("HLH1"), distinct
/// from the device store's, so neither opens the other's file.
pub const APPLICATION_ID: i32 = 0x484C_4831;

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_orders.sql"),
    include_str!("migrations/0003_staff.sql"),
    include_str!("migrations/0004_trace_codes.sql"),
    include_str!("migrations/0005_trace_events.sql"),
    include_str!("migrations/0006_photos.sql"),
    include_str!("migrations/0007_workshop.sql"),
    include_str!("migrations/0008_devices.sql"),
    include_str!("migrations/0009_incarnations.sql"),
    include_str!("migrations/0010_device_history.sql"),
    include_str!("migrations/0011_sale_voids.sql"),
    include_str!("migrations/0012_rounds.sql"),
    include_str!("migrations/0013_backup_mark.sql"),
];

/// The hub database as highland-sqlite opens and upgrades it.
pub(crate) const SCHEMA: highland_sqlite::Schema = highland_sqlite::Schema {
    application_id: APPLICATION_ID,
    migrations: MIGRATIONS,
};

/// The schema version this build writes; a database above it is refused.
pub const LATEST_VERSION: u32 = SCHEMA.latest();
