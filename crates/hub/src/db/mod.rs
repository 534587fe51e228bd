//! The SQLite implementation of [`Storage`]: the only module with SQL in it.
//!
//! One connection serves the whole server behind a mutex. SQLite takes one
//! writer at a time anyway, and a workshop's or a cooperative's traffic is a
//! few syncs a second; admin commands open their own connection to the same
//! file and take turns through SQLite's lock (WAL, busy timeout).

mod catalog;
mod ledger;
mod open;
mod orders;
mod schema;
mod staff;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{LazyLock, Mutex, MutexGuard};

use chrono::{DateTime, SecondsFormat, Utc};
use highland_domain::quantity::format_in;
use highland_domain::wire::SyncResponse;
use highland_domain::{DeviceId, ListingId, OrderAction, OrderId, Unit};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

pub use open::open_database;
pub(crate) use orders::RESERVING_STATES;
pub use schema::{APPLICATION_ID, LATEST_VERSION};

use crate::catalog::{
    CatalogListing, ListingDetail, ListingQuery, Page, SellerQuery, SellerSummary,
};
use crate::orders::{NewOrder, OrderError, OrderFilter};
use crate::secret::SecretHash;
use crate::staff::{LoginAttempt, LoginOutcome, LoginRules, NewStaff, StaffMember};
use crate::storage::{EnrolledDevice, Enrollment, NewCode, Seller, Storage};
use crate::sync::{self, PullRequest, Pushed};
use crate::views::{ListingView, OrderDetail, OrderPage, SaleView};
use crate::{Error, Result, SellerId};

/// The file name of the database inside a data directory.
pub const DATABASE_FILE: &str = "hub.db";

/// The hub's SQLite database.
pub struct HubDb {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl HubDb {
    /// Opens the database in a data directory, creating both if missing.
    pub fn open_dir(dir: &Path) -> Result<HubDb> {
        std::fs::create_dir_all(dir)?;
        HubDb::open(&dir.join(DATABASE_FILE))
    }

    pub fn open(path: &Path) -> Result<HubDb> {
        Ok(HubDb {
            conn: Mutex::new(open_database(path)?),
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the connection, reporting what SQLite says, so a shutdown can
    /// log a database that did not close cleanly.
    pub fn close(self) -> Result<()> {
        let conn = self.conn.into_inner().unwrap_or_else(|e| e.into_inner());
        conn.close().map_err(|(_, e)| e.into())
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock rolled its transaction back when the
        // transaction dropped, so the connection itself is still sound.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Storage for HubDb {
    fn add_seller(&self, seller: &Seller, code: &NewCode) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO sellers (id, name, village, phone, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                seller.id.to_string(),
                seller.name,
                seller.village,
                seller.phone,
                ms(code.issued_at_ms)
            ],
        )?;
        insert_code(&tx, seller.id, code)?;
        tx.commit()?;
        Ok(())
    }

    fn add_code(&self, seller: SellerId, code: &NewCode) -> Result<Seller> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = seller_by_id(&tx, seller)?.ok_or(Error::UnknownSeller(seller.to_string()))?;
        insert_code(&tx, seller, code)?;
        tx.commit()?;
        Ok(found)
    }

    fn enroll(&self, enrollment: &Enrollment) -> Result<Seller> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let code: Option<(String, i64, Option<String>)> = tx
            .query_row(
                "SELECT seller_id, expires_at_ms, used_by FROM enrollment_codes
                 WHERE code_hash = ?1",
                [enrollment.code.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (seller, expires_at_ms, used_by) = code.ok_or(Error::CodeUnknown)?;
        let device = enrollment.device.to_string();
        if used_by.is_some_and(|d| d != device) {
            return Err(Error::CodeUsed);
        }
        if ms(enrollment.now_ms) >= expires_at_ms {
            return Err(Error::CodeExpired);
        }
        let enrolled_for: Option<String> = tx
            .query_row(
                "SELECT seller_id FROM devices WHERE id = ?1",
                [&device],
                |r| r.get(0),
            )
            .optional()?;
        // The hub's own id authors staff actions; a device must never pass for it.
        if enrolled_for.is_some_and(|s| s != seller)
            || orders::hub_device(&tx)? == enrollment.device
        {
            return Err(Error::DeviceEnrolledElsewhere);
        }
        tx.execute(
            "INSERT INTO devices (id, seller_id, token_hash, enrolled_at_ms)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash,
                                            enrolled_at_ms = excluded.enrolled_at_ms",
            params![
                device,
                seller,
                enrollment.token.as_str(),
                ms(enrollment.now_ms)
            ],
        )?;
        tx.execute(
            "UPDATE enrollment_codes SET used_by = ?1, used_at_ms = ?2
             WHERE code_hash = ?3 AND used_by IS NULL",
            params![device, ms(enrollment.now_ms), enrollment.code.as_str()],
        )?;
        let seller = seller_by_id(&tx, parse(&seller)?)?
            .ok_or_else(|| Error::BadRecord(format!("code for missing seller {seller}")))?;
        tx.commit()?;
        Ok(seller)
    }

    fn device_by_token(&self, token: &SecretHash) -> Result<Option<EnrolledDevice>> {
        let conn = self.conn();
        let row: Option<(String, String)> = conn
            .prepare_cached("SELECT id, seller_id FROM devices WHERE token_hash = ?1")?
            .query_row([token.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(id, seller)| {
            Ok(EnrolledDevice {
                id: parse::<DeviceId>(&id)?,
                seller: parse(&seller)?,
            })
        })
        .transpose()
    }

    fn exchange(
        &self,
        device: EnrolledDevice,
        pushed: Vec<Pushed>,
        pull: PullRequest,
        now_ms: u64,
    ) -> Result<SyncResponse> {
        let mut conn = self.conn();
        // IMMEDIATE takes the write lock before the first read, which is what
        // makes reading the log in position order safe (see sync::read_page).
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let response = sync::exchange(
            &mut ledger::SqliteLedger::new(&tx),
            device,
            pushed,
            pull,
            now_ms,
        )?;
        tx.commit()?;
        Ok(response)
    }

    fn listings(&self, seller: Option<SellerId>) -> Result<Vec<ListingView>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {} FROM listings l
             WHERE ?1 IS NULL OR l.seller_id = ?1
             ORDER BY l.created_hlc, l.id",
            *LISTING_COLUMNS
        ))?;
        let rows = stmt.query_and_then([seller.map(|s| s.to_string())], listing_view)?;
        rows.collect()
    }

    fn listing(&self, id: ListingId) -> Result<Option<ListingView>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {} FROM listings l WHERE l.id = ?1",
            *LISTING_COLUMNS
        ))?;
        stmt.query_and_then([id.to_string()], listing_view)?
            .next()
            .transpose()
    }

    fn place_order(
        &self,
        order: &NewOrder,
        staff: Option<&str>,
        now_ms: u64,
    ) -> Result<OrderDetail, OrderError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        crate::orders::place(&mut ledger::SqliteLedger::new(&tx), order, staff, now_ms)?;
        let detail = orders::written(&tx, order.id)?;
        tx.commit()?;
        Ok(detail)
    }

    fn act_on_order(
        &self,
        id: OrderId,
        action: OrderAction,
        staff: Option<&str>,
        now_ms: u64,
    ) -> Result<OrderDetail, OrderError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        crate::orders::act(
            &mut ledger::SqliteLedger::new(&tx),
            id,
            action,
            staff,
            now_ms,
        )?;
        let detail = orders::written(&tx, id)?;
        tx.commit()?;
        Ok(detail)
    }

    fn orders(&self, filter: &OrderFilter) -> Result<OrderPage> {
        let conn = self.conn();
        // One read transaction, so a page is one consistent snapshot.
        let tx = conn.unchecked_transaction()?;
        let page = orders::page(&tx, filter)?;
        tx.finish()?;
        Ok(page)
    }

    fn order(&self, id: OrderId) -> Result<Option<OrderDetail>> {
        let conn = self.conn();
        let tx = conn.unchecked_transaction()?;
        let detail = orders::detail(&tx, id)?;
        tx.finish()?;
        Ok(detail)
    }

    fn sales(&self, seller: Option<SellerId>) -> Result<Vec<SaleView>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, listing_id, seller_id, device_id, quantity, unit, unit_price_fen,
                    total_fen, payment, buyer, sold_at
             FROM sales
             WHERE ?1 IS NULL OR seller_id = ?1
             ORDER BY hlc, id",
        )?;
        let rows = stmt.query_and_then([seller.map(|s| s.to_string())], sale_view)?;
        rows.collect()
    }

    fn log_length(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM op_log", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    // ---- The buyer's staff and their catalog: see staff.rs and catalog.rs.

    fn add_staff(&self, new: &NewStaff) -> Result<()> {
        staff::add_staff(&self.conn(), new)
    }

    fn staff(&self) -> Result<Vec<StaffMember>> {
        staff::staff(&self.conn())
    }

    fn revoke_staff(&self, name: &str, now_ms: u64) -> Result<StaffMember> {
        staff::revoke_staff(&mut self.conn(), name, now_ms)
    }

    fn staff_by_token(&self, token: &SecretHash) -> Result<Option<StaffMember>> {
        staff::staff_by_token(&self.conn(), token)
    }

    fn log_in(&self, attempt: &LoginAttempt, rules: &LoginRules) -> Result<LoginOutcome> {
        staff::log_in(&mut self.conn(), attempt, rules)
    }

    fn staff_by_session(&self, session: &SecretHash, now_ms: u64) -> Result<Option<StaffMember>> {
        staff::staff_by_session(&self.conn(), session, now_ms)
    }

    fn end_session(&self, session: &SecretHash) -> Result<()> {
        staff::end_session(&self.conn(), session)
    }

    fn catalog_listings(&self, query: &ListingQuery) -> Result<Page<CatalogListing>> {
        catalog::listings(&self.conn(), query)
    }

    fn catalog_listing(&self, id: ListingId) -> Result<Option<ListingDetail>> {
        let conn = self.conn();
        // One read transaction: the listing, its seller and lot as of one moment.
        let tx = conn.unchecked_transaction()?;
        let detail = catalog::listing(&tx, id)?;
        tx.finish()?;
        Ok(detail)
    }

    fn catalog_sellers(&self, query: &SellerQuery) -> Result<Page<SellerSummary>> {
        catalog::sellers(&self.conn(), query)
    }
}

fn insert_code(conn: &Connection, seller: SellerId, code: &NewCode) -> Result<()> {
    conn.execute(
        "INSERT INTO enrollment_codes (code_hash, seller_id, issued_at_ms, expires_at_ms)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            code.hash.as_str(),
            seller.to_string(),
            ms(code.issued_at_ms),
            ms(code.expires_at_ms)
        ],
    )?;
    Ok(())
}

fn seller_by_id(conn: &Connection, id: SellerId) -> Result<Option<Seller>> {
    let row: Option<(String, String, Option<String>)> = conn
        .query_row(
            "SELECT name, village, phone FROM sellers WHERE id = ?1",
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(row.map(|(name, village, phone)| Seller {
        id,
        name,
        village,
        phone,
    }))
}

/// What [`listing_view`] reads, in order, from `listings l`. Stock is summed
/// here, never stored: received and adjusted, minus sold, minus what orders
/// hold back.
pub(crate) static LISTING_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "l.id, l.seller_id, l.title, l.category, l.unit, l.price_fen, l.status,
         l.description, l.lot_id,
         coalesce((SELECT sum(change) FROM stock_adjustments a WHERE a.listing_id = l.id), 0),
         coalesce((SELECT sum(quantity) FROM sales s WHERE s.listing_id = l.id), 0),
         (SELECT count(*) FROM sales s WHERE s.listing_id = l.id),
         coalesce((SELECT sum(quantity) FROM orders o
                   WHERE o.listing_id = l.id AND o.state IN ({})), 0)",
        *orders::RESERVING_STATES
    )
});

pub(crate) fn listing_view(r: &Row<'_>) -> Result<ListingView> {
    let unit: Unit = parse(&r.get::<_, String>(4)?)?;
    let adjusted: i64 = r.get(9)?;
    let sold: i64 = r.get(10)?;
    let reserved: i64 = r.get(12)?;
    let stock = adjusted - sold - reserved;
    Ok(ListingView {
        id: r.get(0)?,
        seller_id: r.get(1)?,
        title: r.get(2)?,
        category: r.get(3)?,
        unit: unit.slug().to_owned(),
        price_fen: r.get(5)?,
        status: r.get(6)?,
        description: r.get(7)?,
        lot_id: r.get(8)?,
        stock,
        stock_unit: unit.base().slug().to_owned(),
        stock_display: format_in(stock, unit),
        sold,
        sales_count: r.get(11)?,
        reserved,
    })
}

fn sale_view(r: &Row<'_>) -> Result<SaleView> {
    let unit: Unit = parse(&r.get::<_, String>(5)?)?;
    let quantity: i64 = r.get(4)?;
    Ok(SaleView {
        id: r.get(0)?,
        listing_id: r.get(1)?,
        seller_id: r.get(2)?,
        device_id: r.get(3)?,
        quantity,
        quantity_unit: unit.base().slug().to_owned(),
        unit: unit.slug().to_owned(),
        quantity_display: format_in(quantity, unit),
        unit_price_fen: r.get(6)?,
        total_fen: r.get(7)?,
        payment: r.get(8)?,
        buyer: r.get(9)?,
        sold_at: r.get(10)?,
    })
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::Database(Box::new(e))
    }
}

/// Reads stored text back into a value. The hub only ever writes valid
/// values, so a failure means the file was changed behind its back.
fn parse<T: FromStr>(raw: &str) -> Result<T> {
    raw.parse()
        .map_err(|_| Error::BadRecord(format!("unexpected value {raw:?}")))
}

/// Times as the device stores them, so views compare equal.
fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// SQLite integers are signed; times stay far below 2^63 ms.
fn ms(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
