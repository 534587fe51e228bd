//! The outbox: every local operation, in the order it was made, waiting for
//! the hub to acknowledge it.

use highland_domain::{EntityKind, Operation, OperationId};
use rusqlite::{Connection, OptionalExtension, params};

use crate::{Result, Store, StoreError};

pub(crate) fn append(conn: &Connection, op: &Operation) -> Result<()> {
    let (kind, entity) = op.entity();
    let body = serde_json::to_string(op)
        .map_err(|e| StoreError::BadRecord(format!("operation does not serialise: {e}")))?;
    conn.execute(
        "INSERT INTO outbox (op_id, hlc, entity_kind, entity_id, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            op.id.to_string(),
            op.hlc.as_i64(),
            kind.slug(),
            entity.to_string(),
            body
        ],
    )?;
    Ok(())
}

/// This device's operation `op_id` about a thing of `kind`, from the
/// outbox, in whatever state; `None` when it is not one.
pub(crate) fn own_op(
    conn: &Connection,
    op_id: OperationId,
    kind: EntityKind,
) -> Result<Option<Operation>> {
    let body: Option<String> = conn
        .query_row(
            "SELECT body FROM outbox WHERE op_id = ?1 AND entity_kind = ?2",
            params![op_id.to_string(), kind.slug()],
            |r| r.get(0),
        )
        .optional()?;
    body.map(|b| {
        serde_json::from_str(&b).map_err(|e| StoreError::BadRecord(format!("outbox entry: {e}")))
    })
    .transpose()
}

impl Store {
    /// How many operations wait for the hub.
    pub fn pending_count(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// The oldest operations still waiting for the hub, in the order they were made.
    pub fn pending_operations(&self, limit: usize) -> Result<Vec<Operation>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?1",
        )?;
        let bodies = stmt
            .query_map([limit as i64], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        bodies
            .iter()
            .map(|b| {
                serde_json::from_str(b)
                    .map_err(|e| StoreError::BadRecord(format!("outbox entry: {e}")))
            })
            .collect()
    }
}
