//! Staff members, their console sessions and the login throttle.

use super::views::{for_update, ms, parse};
use super::{Record, Sql};
use crate::secret::SecretHash;
use crate::staff::{LoginLedger, NewStaff, StaffMember, Throttle};
use crate::{Error, Result};
use highland_exchange::ids::StaffId;

const MEMBER_COLUMNS: &str = "id, name, created_at_ms, revoked_at_ms";

fn member(r: &Record) -> Result<StaffMember> {
    Ok(StaffMember {
        id: parse::<StaffId>(r.get::<_, &str>(0))?,
        name: r.get(1),
        created_at_ms: r.get::<_, i64>(2) as u64,
        revoked_at_ms: r.get::<_, Option<i64>>(3).map(|v| v as u64),
    })
}

/// A name in use inserts nothing, whichever hub process got there first.
pub(super) fn add_staff(tx: &mut dyn Sql, staff: &NewStaff) -> Result<()> {
    let inserted = tx.execute(
        "INSERT INTO staff (id, name, token_hash, created_at_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (name) DO NOTHING",
        &[
            &staff.id.to_string(),
            &staff.name.as_str(),
            &staff.token.as_str(),
            &ms(staff.created_at_ms),
        ],
    )?;
    if inserted == 0 {
        return Err(Error::StaffNameTaken(staff.name.to_string()));
    }
    Ok(())
}

pub(super) fn staff(client: &mut dyn Sql) -> Result<Vec<StaffMember>> {
    let rows = client.query(
        &format!("SELECT {MEMBER_COLUMNS} FROM staff ORDER BY created_at_ms, id"),
        &[],
    )?;
    rows.iter().map(member).collect()
}

/// In one transaction (the caller's).
pub(super) fn revoke_staff(tx: &mut dyn Sql, name: &str, now_ms: u64) -> Result<StaffMember> {
    let found = tx
        .query_opt(
            &format!(
                "SELECT {MEMBER_COLUMNS} FROM staff WHERE name = ?1{}",
                for_update(tx.dialect())
            ),
            &[&name.trim()],
        )?
        .as_ref()
        .map(member)
        .transpose()?
        .ok_or_else(|| Error::UnknownStaff(name.trim().to_owned()))?;
    // As on SQLite: a value no SHA-256 in hex can equal, unique per member.
    let retired = SecretHash::from_stored(format!("revoked:{}", found.id));
    tx.execute(
        "UPDATE staff SET revoked_at_ms = coalesce(revoked_at_ms, ?2), token_hash = ?3
         WHERE id = ?1",
        &[&found.id.to_string(), &ms(now_ms), &retired.as_str()],
    )?;
    tx.execute(
        "DELETE FROM staff_sessions WHERE staff_id = ?1",
        &[&found.id.to_string()],
    )?;
    let revoked = member(&tx.query_one(
        &format!("SELECT {MEMBER_COLUMNS} FROM staff WHERE id = ?1"),
        &[&found.id.to_string()],
    )?)?;
    Ok(revoked)
}

/// In one transaction (the caller's): an active member's new token.
pub(super) fn replace_token(
    tx: &mut dyn Sql,
    name: &str,
    token: &SecretHash,
) -> Result<StaffMember> {
    let changed = tx.execute(
        "UPDATE staff SET token_hash = ?2 WHERE name = ?1 AND revoked_at_ms IS NULL",
        &[&name.trim(), &token.as_str()],
    )?;
    if changed == 0 {
        return Err(Error::UnknownStaff(name.trim().to_owned()));
    }
    member(&tx.query_one(
        &format!("SELECT {MEMBER_COLUMNS} FROM staff WHERE name = ?1"),
        &[&name.trim()],
    )?)
}

pub(super) fn staff_by_token(
    client: &mut dyn Sql,
    token: &SecretHash,
) -> Result<Option<StaffMember>> {
    client
        .query_opt(
            &format!(
                "SELECT {MEMBER_COLUMNS} FROM staff
                 WHERE token_hash = ?1 AND revoked_at_ms IS NULL"
            ),
            &[&token.as_str()],
        )?
        .as_ref()
        .map(member)
        .transpose()
}

pub(super) fn staff_by_session(
    client: &mut dyn Sql,
    session: &SecretHash,
    now_ms: u64,
) -> Result<Option<StaffMember>> {
    client
        .query_opt(
            "SELECT s.id, s.name, s.created_at_ms, s.revoked_at_ms
             FROM staff_sessions x JOIN staff s ON s.id = x.staff_id
             WHERE x.id_hash = ?1 AND x.expires_at_ms > ?2 AND s.revoked_at_ms IS NULL",
            &[&session.as_str(), &ms(now_ms)],
        )?
        .as_ref()
        .map(member)
        .transpose()
}

pub(super) fn end_session(client: &mut dyn Sql, session: &SecretHash) -> Result<()> {
    client.execute(
        "DELETE FROM staff_sessions WHERE id_hash = ?1",
        &[&session.as_str()],
    )?;
    Ok(())
}

/// The login rules' view of a transaction that holds `LOGIN_LOCK`.
pub(super) struct SqlLoginLedger<'t> {
    tx: &'t mut dyn Sql,
}

impl<'t> SqlLoginLedger<'t> {
    /// The caller holds [`super::Lock::Login`] in this transaction.
    pub(super) fn new(tx: &'t mut dyn Sql) -> Self {
        SqlLoginLedger { tx }
    }
}

impl LoginLedger for SqlLoginLedger<'_> {
    fn throttle(&mut self, key: &str) -> Result<Option<Throttle>> {
        let row = self.tx.query_opt(
            "SELECT failures, window_start_ms, locked_until_ms FROM login_throttle
             WHERE key = ?1",
            &[&key],
        )?;
        Ok(row.map(|r| Throttle {
            failures: r.get::<_, i64>(0).clamp(0, i64::from(u32::MAX)) as u32,
            window_start_ms: r.get::<_, i64>(1).max(0) as u64,
            locked_until_ms: r.get::<_, i64>(2).max(0) as u64,
        }))
    }

    fn set_throttle(&mut self, key: &str, t: &Throttle) -> Result<()> {
        self.tx.execute(
            "INSERT INTO login_throttle (key, failures, window_start_ms, locked_until_ms)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
                 window_start_ms = excluded.window_start_ms,
                 locked_until_ms = excluded.locked_until_ms",
            &[
                &key,
                &i64::from(t.failures),
                &ms(t.window_start_ms),
                &ms(t.locked_until_ms),
            ],
        )?;
        Ok(())
    }

    fn clear_throttle(&mut self, key: &str) -> Result<()> {
        self.tx
            .execute("DELETE FROM login_throttle WHERE key = ?1", &[&key])?;
        Ok(())
    }

    fn active_staff_by_name(&mut self, name: &str) -> Result<Option<(StaffMember, SecretHash)>> {
        let row = self.tx.query_opt(
            &format!(
                "SELECT {MEMBER_COLUMNS}, token_hash FROM staff
                 WHERE name = ?1 AND revoked_at_ms IS NULL"
            ),
            &[&name],
        )?;
        row.map(|r| Ok((member(&r)?, SecretHash::from_stored(r.get::<_, String>(4)))))
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
            &[
                &session.as_str(),
                &staff.to_string(),
                &ms(created_at_ms),
                &ms(expires_at_ms),
            ],
        )?;
        Ok(())
    }

    fn forget_expired(&mut self, now_ms: u64, window_start_before_ms: u64) -> Result<()> {
        self.tx.execute(
            "DELETE FROM staff_sessions WHERE expires_at_ms <= ?1",
            &[&ms(now_ms)],
        )?;
        self.tx.execute(
            "DELETE FROM login_throttle WHERE locked_until_ms <= ?1 AND window_start_ms < ?2",
            &[&ms(now_ms), &ms(window_start_before_ms)],
        )?;
        Ok(())
    }
}
