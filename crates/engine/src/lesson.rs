//! The workshop's guided lesson: six steps a trainee takes on their own
//! device, in order: list a product, take a photo, record a sale offline,
//! sync, accept an order, print a QR label.
//!
//! A step is checked off by what the store saw the trainee do, in the same
//! transaction as the write that did it, never by a button that says "done":
//! a trainer can trust the ticks. The lesson and the link state are this
//! device's own; neither syncs.

use chrono::{DateTime, Utc};
use highland_domain::{Actor, OperationId, OrderAction, Payload};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::rows::{format_time, parse};
use crate::{Result, Store, StoreError};

/// One step of the lesson, in the order the lesson takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LessonStep {
    /// A listing created on this device.
    ListProduct,
    /// A photo added to a listing or a lot.
    TakePhoto,
    /// A sale recorded while the hub could not be reached.
    SaleOffline,
    /// A sync that delivered that offline sale to the hub.
    Sync,
    /// An order from the buyer accepted.
    AcceptOrder,
    /// A certificate of compliance printed, with its lot's QR code.
    PrintLabel,
}

impl LessonStep {
    pub const ALL: [LessonStep; 6] = [
        LessonStep::ListProduct,
        LessonStep::TakePhoto,
        LessonStep::SaleOffline,
        LessonStep::Sync,
        LessonStep::AcceptOrder,
        LessonStep::PrintLabel,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            LessonStep::ListProduct => "list_product",
            LessonStep::TakePhoto => "take_photo",
            LessonStep::SaleOffline => "sale_offline",
            LessonStep::Sync => "sync",
            LessonStep::AcceptOrder => "accept_order",
            LessonStep::PrintLabel => "print_label",
        }
    }

    fn from_slug(slug: &str) -> Result<LessonStep> {
        LessonStep::ALL
            .into_iter()
            .find(|step| step.slug() == slug)
            .ok_or_else(|| StoreError::BadRecord(format!("unknown lesson step {slug:?}")))
    }

    /// The step a local operation accomplishes, if any. The offline sale
    /// also depends on the link, so it is decided by the caller.
    fn done_by(payload: &Payload) -> Option<LessonStep> {
        match payload {
            Payload::ListingCreated { .. } => Some(LessonStep::ListProduct),
            Payload::PhotoAdded { .. } => Some(LessonStep::TakePhoto),
            Payload::SaleRecorded { .. } => Some(LessonStep::SaleOffline),
            Payload::OrderActionTaken {
                actor: Actor::Seller,
                action: OrderAction::Accept,
                ..
            } => Some(LessonStep::AcceptOrder),
            Payload::CertificateIssued { .. } => Some(LessonStep::PrintLabel),
            _ => None,
        }
    }
}

/// The lesson as the trainee sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LessonView {
    /// RFC 3339, UTC.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub started_at: DateTime<Utc>,
    /// Every step, in the lesson's order.
    pub steps: Vec<LessonStepView>,
    /// The first step not yet done; none once the lesson is finished.
    pub current: Option<LessonStep>,
    pub finished: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LessonStepView {
    pub step: LessonStep,
    /// RFC 3339, UTC; null until the trainee did it.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub done_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Starts the lesson from its first step, forgetting any earlier one.
    /// Only what the trainee does from now on counts.
    pub fn start_lesson(&mut self) -> Result<LessonView> {
        let now = format_time(self.now());
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM lesson_steps", [])?;
        tx.execute(
            "INSERT INTO lesson (id, started_at) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at",
            [&now],
        )?;
        tx.commit()?;
        self.lesson()?
            .ok_or_else(|| StoreError::BadRecord("the lesson just started is gone".into()))
    }

    /// The lesson in progress, if one was started.
    pub fn lesson(&self) -> Result<Option<LessonView>> {
        let Some(started_at) = started_at(&self.conn)? else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT step, done_at FROM lesson_steps")?;
        let done = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut steps: Vec<LessonStepView> = LessonStep::ALL
            .into_iter()
            .map(|step| LessonStepView {
                step,
                done_at: None,
            })
            .collect();
        for (slug, at) in done {
            let step = LessonStep::from_slug(&slug)?;
            if let Some(view) = steps.iter_mut().find(|view| view.step == step) {
                view.done_at = Some(parse(&at)?);
            }
        }
        let current = steps.iter().find(|s| s.done_at.is_none()).map(|s| s.step);
        Ok(Some(LessonView {
            started_at: parse(&started_at)?,
            steps,
            current,
            finished: current.is_none(),
        }))
    }

    /// Ends the lesson; what was recorded during it stays.
    pub fn end_lesson(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM lesson_steps", [])?;
        tx.execute("DELETE FROM lesson", [])?;
        tx.commit()?;
        Ok(())
    }

    /// Notes whether the hub can be reached: from each sync attempt, and
    /// from the workshop's simulator when a trainer switches the network.
    pub fn note_link(&mut self, reachable: bool) -> Result<()> {
        note_link(&self.conn, reachable, self.now())
    }

    /// Whether the hub could be reached when last tried; `None` before the
    /// first try.
    pub fn link_reachable(&self) -> Result<Option<bool>> {
        Ok(self
            .conn
            .query_row("SELECT reachable FROM link WHERE id = 1", [], |r| {
                r.get::<_, bool>(0)
            })
            .optional()?)
    }
}

pub(crate) fn note_link(conn: &Connection, reachable: bool, now: DateTime<Utc>) -> Result<()> {
    // `since` moves only when the state changes: it says how long the
    // device has been offline, not when it last retried.
    conn.execute(
        "INSERT INTO link (id, reachable, since) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET reachable = excluded.reachable,
             since = CASE WHEN link.reachable = excluded.reachable THEN link.since
                          ELSE excluded.since END",
        params![reachable, format_time(now)],
    )?;
    Ok(())
}

/// Checks off the step a local operation did, if a lesson is running. Runs
/// inside the write's transaction, so the tick and the write stand or fall
/// together.
pub(crate) fn observe(
    conn: &Connection,
    op_id: OperationId,
    payload: &Payload,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(step) = LessonStep::done_by(payload) else {
        return Ok(());
    };
    if started_at(conn)?.is_none() {
        return Ok(());
    }
    if step == LessonStep::SaleOffline {
        let offline: Option<bool> = conn
            .query_row("SELECT reachable = 0 FROM link WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        if offline != Some(true) {
            return Ok(());
        }
    }
    check_off(conn, step, now, Some(op_id))
}

/// After a sync committed: the sync step is done once the hub holds the
/// sale the trainee recorded offline.
pub(crate) fn after_sync(conn: &Connection, now: DateTime<Utc>) -> Result<()> {
    let offline_sale: Option<String> = conn
        .query_row(
            "SELECT operation_id FROM lesson_steps WHERE step = ?1",
            [LessonStep::SaleOffline.slug()],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let Some(op_id) = offline_sale else {
        return Ok(());
    };
    let delivered: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE op_id = ?1 AND state = 'acked')",
        [&op_id],
        |r| r.get(0),
    )?;
    if delivered {
        check_off(conn, LessonStep::Sync, now, None)?;
    }
    Ok(())
}

fn check_off(
    conn: &Connection,
    step: LessonStep,
    now: DateTime<Utc>,
    op_id: Option<OperationId>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO lesson_steps (step, done_at, operation_id) VALUES (?1, ?2, ?3)
         ON CONFLICT (step) DO NOTHING",
        params![
            step.slug(),
            format_time(now),
            op_id.map(|id| id.to_string())
        ],
    )?;
    Ok(())
}

fn started_at(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT started_at FROM lesson WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?)
}
