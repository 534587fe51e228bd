//! The schema's history. Each entry upgrades the database by one version; a
//! released entry is never edited, only followed by a new one.

/// `PRAGMA application_id` of a Highland device store ("HLD1"), so that a file
/// from another program is recognised and left alone.
pub const APPLICATION_ID: i32 = 0x484C_4431;

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_sync.sql"),
    include_str!("migrations/0003_orders.sql"),
    include_str!("migrations/0004_settings.sql"),
    include_str!("migrations/0005_certificates.sql"),
    include_str!("migrations/0006_photos.sql"),
    include_str!("migrations/0007_lesson.sql"),
    include_str!("migrations/0008_sync_error_code.sql"),
    include_str!("migrations/0009_hub_history.sql"),
    include_str!("migrations/0010_pulled_ops.sql"),
    include_str!("migrations/0011_store_health.sql"),
    include_str!("migrations/0012_sale_voids.sql"),
    include_str!("migrations/0013_rounds.sql"),
    include_str!("migrations/0014_resent.sql"),
];

/// The device store as highland-sqlite opens and upgrades it.
pub(crate) const SCHEMA: highland_sqlite::Schema = highland_sqlite::Schema {
    application_id: APPLICATION_ID,
    migrations: MIGRATIONS,
};

/// The schema version this build writes; a database above it is refused.
pub const LATEST_VERSION: u32 = SCHEMA.latest();
