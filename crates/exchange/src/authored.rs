//! Operations the hub makes itself: staff's actions on orders, and the
//! rounds, routes and loads of collection rounds. Each is made under the
//! hub's own device id and clock, sealed (so a device may give it back to a
//! hub restored from a backup), appended to the log under the seller whose
//! devices must pull it, and applied by the same rules as any operation
//! ([`crate::sync::apply_by`]).

use chrono::{DateTime, Utc};
use highland_domain::{HybridClock, Operation, OperationId, Payload};

use crate::SellerId;
use crate::sync::{self, Ledger};

/// Makes, logs and applies the hub's own operations for `seller`, in order.
/// `staff` names who did it in an order's history.
pub fn author(
    ledger: &mut impl Ledger,
    seller: SellerId,
    payloads: Vec<Payload>,
    staff: Option<&str>,
    now_ms: u64,
) -> crate::Result<()> {
    let hub = ledger.hub_device()?;
    let seal = ledger.seal_key()?;
    let mut clock = HybridClock::new(ledger.clock()?);
    for payload in payloads {
        let op = Operation {
            id: OperationId::new(),
            device_id: hub,
            hlc: clock.tick(now_ms),
            payload,
        };
        ledger.append(seller, &op, &seal.seal(&op)?, now_ms)?;
        sync::apply_by(ledger, seller, &op, staff)?;
    }
    ledger.set_clock(clock.last())?;
    Ok(())
}

/// The hub's clock reading as a time to record.
pub fn time(now_ms: u64) -> DateTime<Utc> {
    i64::try_from(now_ms)
        .ok()
        .and_then(DateTime::from_timestamp_millis)
        .unwrap_or_default()
}
