//! Staff members, their console sessions and the login throttle, on SQLite.

use rusqlite::{
    Connection, ErrorCode, OptionalExtension, Row, Transaction, TransactionBehavior, params,
};

use super::{ms, parse};
use crate::ids::StaffId;
use crate::secret::SecretHash;
use crate::staff::{
    self, LoginAttempt, LoginLedger, LoginOutcome, LoginRules, NewStaff, StaffMember, Throttle,
};
use crate::{Error, Result};

const MEMBER_COLUMNS: &str = "id, name, created_at_ms, revoked_at_ms";

fn member(r: &Row<'_>) -> Result<StaffMember> {
    Ok(StaffMember {
        id: parse::<StaffId>(&r.get::<_, String>(0)?)?,
        name: r.get(1)?,
        created_at_ms: r.get::<_, i64>(2)? as u64,
        revoked_at_ms: r.get::<_, Option<i64>>(3)?.map(|v| v as u64),
    })
}

pub(super) fn add_staff(conn: &Connection, staff: &NewStaff) -> Result<()> {
    let inserted = conn.execute(
        "INSERT INTO staff (id, name, token_hash, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![
            staff.id.to_string(),
            staff.name.as_str(),
            staff.token.as_str(),
            ms(staff.created_at_ms)
        ],
    );
    match inserted {
        Err(e)
            if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation)
                && e.to_string().contains("staff.name") =>
        {
            Err(Error::StaffNameTaken(staff.name.to_string()))
        }
        other => other.map(drop).map_err(Error::from),
    }
}

pub(super) fn staff(conn: &Connection) -> Result<Vec<StaffMember>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {MEMBER_COLUMNS} FROM staff ORDER BY created_at_ms, id"
    ))?;
    let rows = stmt.query_and_then([], member)?;
    rows.collect()
}

pub(super) fn revoke_staff(conn: &mut Connection, name: &str, now_ms: u64) -> Result<StaffMember> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = tx
        .query_row(
            &format!("SELECT {MEMBER_COLUMNS} FROM staff WHERE name = ?1"),
            [name.trim()],
            |r| Ok(member(r)),
        )
        .optional()?
        .transpose()?
        .ok_or_else(|| Error::UnknownStaff(name.trim().to_owned()))?;
    // The token's hash is replaced by a value no SHA-256 in hex can equal,
    // unique per member, so the column stays unique and not null.
    let retired = SecretHash::from_stored(format!("revoked:{}", found.id));
    tx.execute(
        "UPDATE staff SET revoked_at_ms = coalesce(revoked_at_ms, ?2), token_hash = ?3
         WHERE id = ?1",
        params![found.id.to_string(), ms(now_ms), retired.as_str()],
    )?;
    tx.execute(
        "DELETE FROM staff_sessions WHERE staff_id = ?1",
        [found.id.to_string()],
    )?;
    let revoked = tx.query_row(
        &format!("SELECT {MEMBER_COLUMNS} FROM staff WHERE id = ?1"),
        [found.id.to_string()],
        |r| Ok(member(r)),
    )??;
    tx.commit()?;
    Ok(revoked)
}

pub(super) fn staff_by_token(conn: &Connection, token: &SecretHash) -> Result<Option<StaffMember>> {
    conn.prepare_cached(&format!(
        "SELECT {MEMBER_COLUMNS} FROM staff WHERE token_hash = ?1 AND revoked_at_ms IS NULL"
    ))?
    .query_row([token.as_str()], |r| Ok(member(r)))
    .optional()?
    .transpose()
}

pub(super) fn log_in(
    conn: &mut Connection,
    attempt: &LoginAttempt,
    rules: &LoginRules,
) -> Result<LoginOutcome> {
    // IMMEDIATE: the write lock is taken before the counts are read, so two
    // attempts (from any process) read and count one after the other.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let outcome = staff::log_in(&mut SqliteLoginLedger { tx: &tx }, attempt, rules)?;
    tx.commit()?;
    Ok(outcome)
}

pub(super) fn staff_by_session(
    conn: &Connection,
    session: &SecretHash,
    now_ms: u64,
) -> Result<Option<StaffMember>> {
    conn.prepare_cached(
        "SELECT s.id, s.name, s.created_at_ms, s.revoked_at_ms
         FROM staff_sessions x JOIN staff s ON s.id = x.staff_id
         WHERE x.id_hash = ?1 AND x.expires_at_ms > ?2 AND s.revoked_at_ms IS NULL",
    )?
    .query_row(params![session.as_str(), ms(now_ms)], |r| Ok(member(r)))
    .optional()?
    .transpose()
}

pub(super) fn end_session(conn: &Connection, session: &SecretHash) -> Result<()> {
    conn.execute(
        "DELETE FROM staff_sessions WHERE id_hash = ?1",
        [session.as_str()],
    )?;
    Ok(())
}

struct SqliteLoginLedger<'a> {
    tx: &'a Transaction<'a>,
}

impl LoginLedger for SqliteLoginLedger<'_> {
    fn throttle(&mut self, key: &str) -> Result<Option<Throttle>> {
        let row: Option<(i64, i64, i64)> = self
            .tx
            .prepare_cached(
                "SELECT failures, window_start_ms, locked_until_ms FROM login_throttle
                 WHERE key = ?1",
            )?
            .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        Ok(row.map(|(failures, window_start, locked_until)| Throttle {
            failures: failures.clamp(0, i64::from(u32::MAX)) as u32,
            window_start_ms: window_start.max(0) as u64,
            locked_until_ms: locked_until.max(0) as u64,
        }))
    }

    fn set_throttle(&mut self, key: &str, t: &Throttle) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO login_throttle (key, failures, window_start_ms, locked_until_ms)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
                     window_start_ms = excluded.window_start_ms,
                     locked_until_ms = excluded.locked_until_ms",
            )?
            .execute(params![
                key,
                t.failures,
                ms(t.window_start_ms),
                ms(t.locked_until_ms)
            ])?;
        Ok(())
    }

    fn clear_throttle(&mut self, key: &str) -> Result<()> {
        self.tx
            .execute("DELETE FROM login_throttle WHERE key = ?1", [key])?;
        Ok(())
    }

    fn active_staff_by_name(&mut self, name: &str) -> Result<Option<(StaffMember, SecretHash)>> {
        let row = self
            .tx
            .prepare_cached(&format!(
                "SELECT {MEMBER_COLUMNS}, token_hash FROM staff
                 WHERE name = ?1 AND revoked_at_ms IS NULL"
            ))?
            .query_row([name], |r| Ok((member(r), r.get::<_, String>(4)?)))
            .optional()?;
        row.map(|(m, hash)| Ok((m?, SecretHash::from_stored(hash))))
            .transpose()
    }

    fn insert_session(
        &mut self,
        staff: StaffId,
        session: &SecretHash,
        created_at_ms: u64,
        expires_at_ms: u64,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO staff_sessions (id_hash, staff_id, created_at_ms, expires_at_ms)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                session.as_str(),
                staff.to_string(),
                ms(created_at_ms),
                ms(expires_at_ms)
            ],
        )?;
        Ok(())
    }

    fn forget_expired(&mut self, now_ms: u64, window_start_before_ms: u64) -> Result<()> {
        self.tx.execute(
            "DELETE FROM staff_sessions WHERE expires_at_ms <= ?1",
            [ms(now_ms)],
        )?;
        self.tx.execute(
            "DELETE FROM login_throttle WHERE locked_until_ms <= ?1 AND window_start_ms < ?2",
            params![ms(now_ms), ms(window_start_before_ms)],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::super::open::open_database;
    use super::super::schema::{APPLICATION_ID, MIGRATIONS};

    #[test]
    fn a_database_from_before_the_staff_schema_upgrades_and_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        let staff_at = MIGRATIONS
            .iter()
            .position(|m| m.contains("CREATE TABLE staff "))
            .unwrap();
        {
            // The schema as it was just before, with a seller in it.
            let conn = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..staff_at] {
                conn.execute_batch(sql).unwrap();
            }
            conn.execute(
                "INSERT INTO sellers (id, name, village, created_at_ms)
                 VALUES ('01a221b1-7f92-71fb-9448-28ac3239e67f', 'Dolma', 'Yubeng', 1)",
                [],
            )
            .unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            conn.pragma_update(None, "user_version", staff_at as u32)
                .unwrap();
        }
        let conn = open_database(&path).unwrap();
        let sellers: i64 = conn
            .query_row("SELECT count(*) FROM sellers", [], |r| r.get(0))
            .unwrap();
        let staff: i64 = conn
            .query_row("SELECT count(*) FROM staff", [], |r| r.get(0))
            .unwrap();
        assert_eq!((sellers, staff), (1, 0));
    }
}
