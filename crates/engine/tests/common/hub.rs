//! The hub as a device's tests see it: operations made under a device id
//! of its own and committed to the device as a sync's answer would be.

use highland_domain::wire::{Ack, AckOutcome, LoggedOperation, Refusal, SyncResponse};
use highland_domain::{
    DeviceId, Hlc, ListingId, Operation, OperationId, Order, OrderId, Payload, Price, Quantity,
    Unit,
};

use super::Device;

/// The hub as the device sees it: operations under its own device id.
pub struct Hub {
    pub id: DeviceId,
    pub wall_ms: u64,
}

impl Hub {
    pub fn new(d: &Device) -> Hub {
        Hub {
            id: DeviceId::new(),
            wall_ms: d.store.now().timestamp_millis() as u64,
        }
    }

    pub fn op(&mut self, payload: Payload) -> Operation {
        self.wall_ms += 1_000;
        Operation {
            id: OperationId::new(),
            device_id: self.id,
            hlc: Hlc::from_wall_ms(self.wall_ms),
            payload,
        }
    }

    pub fn place(&mut self, listing: ListingId, kg: &str) -> (OrderId, Operation) {
        let order = Order {
            id: OrderId::new(),
            listing_id: listing,
            quantity: Quantity::parse(kg, Unit::Kg).unwrap(),
            unit_price: Price::parse_yuan("60").unwrap(),
            hand_over_by: Some("2026-12-05".parse().unwrap()),
            note: None,
            placed_at: super::t0(),
        };
        let id = order.id;
        (id, self.op(Payload::OrderPlaced { order }))
    }
}

/// The hub's refusal of `op`, with its code and sentence.
pub fn refused(op: OperationId, code: &str, message: &str) -> Ack {
    Ack {
        op_id: op,
        outcome: AckOutcome::Refused {
            reason: Refusal {
                code: code.into(),
                message: message.into(),
            },
        },
    }
}

/// Commits one hub response to everything pending (the acks name what was sent).
pub fn answer(d: &mut Device, acks: Vec<Ack>, pulled: Vec<Operation>) {
    let sent: Vec<OperationId> = d
        .store
        .pending_operations(1000)
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    let cursor = d.store.sync_status().unwrap().cursor + pulled.len() as u64;
    let response = SyncResponse {
        protocol: 1,
        acks,
        operations: LoggedOperation::all(&pulled).unwrap(),
        cursor,
        more: false,
        hub_time_ms: d.store.now().timestamp_millis() as u64,
        history: None,
        newest_release: None,
        hub_version: None,
    };
    d.store.commit_sync(&sent, &response, 0).unwrap();
}

/// Everything already in the outbox acknowledged, so a test starts clean.
pub fn settle(d: &mut Device) {
    let acks = d
        .store
        .pending_operations(1000)
        .unwrap()
        .iter()
        .map(|o| Ack {
            op_id: o.id,
            outcome: AckOutcome::Applied { hlc: None },
        })
        .collect();
    answer(d, acks, vec![]);
}
