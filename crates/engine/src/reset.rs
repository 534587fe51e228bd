//! A trainer's reset of a tablet for the next class: everything this store
//! holds goes, the enrollment too, and the tablet starts as if new, under a
//! new device id (so the hub never mistakes the next trainee's tablet for
//! the last one's). Nothing is sent to the hub: what the last trainee
//! recorded and synced stays there, with their seller.

use highland_domain::DeviceId;
use rusqlite::TransactionBehavior;

use crate::photos::PhotoStore;
use crate::{Result, Store};

impl Store {
    /// Forgets every record, setting, photo and the enrollment, in one
    /// transaction; the photo files go after it commits (a crash in
    /// between leaves only files nothing refers to).
    pub fn reset_for_next_class(&mut self) -> Result<()> {
        let device = DeviceId::new();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Every table, so one added later is not forgotten here; the
        // references between them are checked once, at the commit. The
        // device row is renewed below, and the file's own health record
        // (`store_health`, when its last check ran) is the file's, not the
        // trainee's: both stay.
        tx.pragma_update(None, "defer_foreign_keys", true)?;
        let tables: Vec<String> = tx
            .prepare(
                "SELECT name FROM sqlite_master
                 WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                   AND name NOT IN ('device', 'store_health')",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for table in &tables {
            tx.execute(&format!("DELETE FROM \"{table}\""), [])?;
        }
        tx.execute("INSERT INTO sync_state (id) VALUES (1)", [])?;
        tx.execute(
            "UPDATE device SET device_id = ?1, hlc = 0 WHERE id = 1",
            [device.to_string()],
        )?;
        tx.commit()?;
        self.set_device_id(device);
        self.set_clock_offset(0);
        let photos = PhotoStore::beside(self.path())?;
        std::fs::remove_dir_all(photos.dir())?;
        PhotoStore::beside(self.path())?;
        Ok(())
    }
}
