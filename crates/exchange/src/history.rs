//! The hub's own history: its incarnations. A hub restored from a backup,
//! moved to another back end, or started on a fresh database is a new
//! incarnation, and every sync response says which one answered and how
//! far its log reaches (docs/sync-protocol.md, section "the hub goes back
//! in time"). A device that finds either gone backwards knows the hub has
//! lost what it had acknowledged.

use std::fmt;

use serde::Serialize;

/// Why an incarnation began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Beginning {
    /// The database was new.
    Created,
    /// The database was put back from a backup (`highland-hub restore`).
    Restored,
    /// The database was moved to another back end (`highland-hub migrate`).
    Migrated,
}

impl Beginning {
    pub fn slug(self) -> &'static str {
        match self {
            Beginning::Created => "created",
            Beginning::Restored => "restored",
            Beginning::Migrated => "migrated",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Beginning> {
        [Beginning::Created, Beginning::Restored, Beginning::Migrated]
            .into_iter()
            .find(|b| b.slug() == slug)
    }
}

impl fmt::Display for Beginning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// One unbroken run of the hub's database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incarnation {
    /// 1 for the first, counting up.
    pub number: u64,
    /// Unique across every hub: a UUID.
    pub id: String,
    pub reason: Beginning,
    pub started_at_ms: u64,
    /// The log's last position when it began.
    pub log_start: u64,
}
