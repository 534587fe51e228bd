//! Taking in operations made elsewhere (another device of the same seller, or
//! the hub), by the same rules as local writes.

use highland_domain::{HybridClock, Operation};
use rusqlite::TransactionBehavior;

use crate::apply::Source;
use crate::store::{read_hlc, write_hlc};
use crate::{Result, Store, apply};

impl Store {
    /// Applies operations from elsewhere in one transaction and returns how
    /// many were new. They are taken as having passed the hub: an order
    /// action among them is confirmed, not a proposal. Applying the same operations again changes nothing.
    /// The device's clock moves past every timestamp it sees, so its next
    /// write orders after them even if its wall clock is behind.
    pub fn apply_remote(&mut self, ops: &[Operation]) -> Result<usize> {
        let wall_ms = u64::try_from(self.now().timestamp_millis()).unwrap_or(0);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut clock = HybridClock::new(read_hlc(&tx)?);
        let mut fresh = 0;
        for op in ops {
            if apply::apply(&tx, op, Source::Hub)? {
                fresh += 1;
            }
            clock.observe(op.hlc, wall_ms);
        }
        write_hlc(&tx, clock.last())?;
        tx.commit()?;
        Ok(fresh)
    }
}
