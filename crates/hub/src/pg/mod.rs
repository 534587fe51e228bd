//! The PostgreSQL implementation of [`Storage`], beside the SQLite one in
//! [`crate::db`]: the same tables (migrations in `pg/migrations/`, the SQLite
//! files in PostgreSQL's types), the same statements in PostgreSQL's dialect,
//! and the same rules, which live in [`crate::sync`], [`crate::orders`] and
//! [`crate::staff`] and reach the database only through their ledgers.
//!
//! The hub keeps no state outside the database, so several hub processes may
//! serve one PostgreSQL database at once. What SQLite gets from its single
//! writer, PostgreSQL gets from transaction-scoped advisory locks: every
//! transaction that reads or appends the log takes [`ledger::LOG_LOCK`], and
//! every login attempt takes [`LOGIN_LOCK`] (see their comments).
//!
//! Connections come from a small blocking pool ([`pool::Pool`]); the HTTP
//! layer already calls storage on tokio's blocking threads.
//!
//! Not yet wired into [`crate::database::open_storage`].

mod catalog;
mod conn;
mod ledger;
mod orders;
mod pool;
mod staff;

use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use highland_domain::quantity::format_in;
use highland_domain::wire::SyncResponse;
use highland_domain::{DeviceId, ListingId, OrderAction, OrderId, Unit};
use postgres::Row;

use conn::Sql;

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

pub use pool::Pool;

/// The schema's history on PostgreSQL, one entry per SQLite migration of the
/// same number. A released entry is never edited, only followed by a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_orders.sql"),
    include_str!("migrations/0003_staff.sql"),
];

/// The schema version this build writes; a database above it is refused.
pub const LATEST_VERSION: u32 = MIGRATIONS.len() as u32;

/// Serializes login attempts across processes ("HLGN"), as SQLite's IMMEDIATE
/// transaction does: two attempts never read the same failure count.
const LOGIN_LOCK: i64 = 0x484C_474E;

/// Serializes schema upgrades when several hubs start on one new database.
const MIGRATE_LOCK: i64 = 0x484C_4D47;

/// How many connections one hub process keeps by default.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// The hub's PostgreSQL database.
pub struct PgHub {
    pool: Pool,
}

impl PgHub {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/database`),
    /// upgrading the schema if it is older than this build.
    pub fn open(url: &str) -> Result<PgHub> {
        PgHub::open_with(url, DEFAULT_POOL_SIZE)
    }

    pub fn open_with(url: &str, pool_size: usize) -> Result<PgHub> {
        let pool = Pool::new(url, pool_size)?;
        migrate(&mut *pool.get()?)?;
        Ok(PgHub { pool })
    }

    /// Closes every idle connection.
    pub fn close(self) -> Result<()> {
        self.pool.close()
    }
}

/// Runs every missing upgrade in one transaction under [`MIGRATE_LOCK`].
/// The version lives in `highland_schema`, the PostgreSQL counterpart of
/// SQLite's `application_id` and `user_version`.
fn migrate(client: &mut postgres::Client) -> Result<()> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS highland_schema (
             id          INTEGER PRIMARY KEY CHECK (id = 1),
             application TEXT    NOT NULL,
             version     INTEGER NOT NULL
         )",
    )?;
    let found = tx.query_opt("SELECT application, version FROM highland_schema", &[])?;
    let version = match found {
        None => {
            let tables: i64 = tx
                .query_one(
                    "SELECT count(*) FROM information_schema.tables
                     WHERE table_schema = current_schema() AND table_name <> 'highland_schema'",
                    &[],
                )?
                .get(0);
            if tables > 0 {
                return Err(not_hub());
            }
            tx.execute(
                "INSERT INTO highland_schema (id, application, version)
                 VALUES (1, 'highland-hub', 0)",
                &[],
            )?;
            0
        }
        Some(row) => {
            if row.get::<_, &str>(0) != "highland-hub" {
                return Err(not_hub());
            }
            row.get::<_, i32>(1) as u32
        }
    };
    if version > LATEST_VERSION {
        return Err(Error::DatabaseTooNew {
            path: "the PostgreSQL database".into(),
            found: version,
            supported: LATEST_VERSION,
        });
    }
    for sql in MIGRATIONS.iter().skip(version as usize) {
        tx.batch_execute(sql)?;
    }
    // The hub's own device id, made once (see db/open.rs).
    tx.execute(
        "INSERT INTO hub_identity (id, device_id) VALUES (1, $1) ON CONFLICT DO NOTHING",
        &[&DeviceId::new().to_string()],
    )?;
    tx.execute(
        "UPDATE highland_schema SET version = $1",
        &[&(LATEST_VERSION as i32)],
    )?;
    tx.commit()?;
    Ok(())
}

fn not_hub() -> Error {
    Error::NotHubDatabase {
        path: "the PostgreSQL database".into(),
    }
}

impl Storage for PgHub {
    fn add_seller(&self, seller: &Seller, code: &NewCode) -> Result<()> {
        self.pool.get()?.transaction(|tx| {
            tx.execute(
                "INSERT INTO sellers (id, name, village, phone, created_at_ms)
             VALUES ($1, $2, $3, $4, $5)",
                &[
                    &seller.id.to_string(),
                    &seller.name,
                    &seller.village,
                    &seller.phone,
                    &ms(code.issued_at_ms),
                ],
            )?;
            insert_code(tx, seller.id, code)
        })
    }

    fn add_code(&self, seller: SellerId, code: &NewCode) -> Result<Seller> {
        self.pool.get()?.transaction(|tx| {
            let found =
                seller_by_id(tx, seller)?.ok_or(Error::UnknownSeller(seller.to_string()))?;
            insert_code(tx, seller, code)?;
            Ok(found)
        })
    }

    fn enroll(&self, enrollment: &Enrollment) -> Result<Seller> {
        self.pool.get()?.transaction(|tx| {
            // FOR UPDATE: two devices presenting one code take turns, and the
            // second sees the first's `used_by`.
            let code = tx.query_opt(
                "SELECT seller_id, expires_at_ms, used_by FROM enrollment_codes
             WHERE code_hash = $1 FOR UPDATE",
                &[&enrollment.code.as_str()],
            )?;
            let code = code.ok_or(Error::CodeUnknown)?;
            let (seller, expires_at_ms, used_by): (String, i64, Option<String>) =
                (code.get(0), code.get(1), code.get(2));
            let device = enrollment.device.to_string();
            if used_by.is_some_and(|d| d != device) {
                return Err(Error::CodeUsed);
            }
            if ms(enrollment.now_ms) >= expires_at_ms {
                return Err(Error::CodeExpired);
            }
            let enrolled_for: Option<String> = tx
                .query_opt("SELECT seller_id FROM devices WHERE id = $1", &[&device])?
                .map(|r| r.get(0));
            if enrolled_for.is_some_and(|s| s != seller) || hub_device(tx)? == enrollment.device {
                return Err(Error::DeviceEnrolledElsewhere);
            }
            tx.execute(
                "INSERT INTO devices (id, seller_id, token_hash, enrolled_at_ms)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash,
                                            enrolled_at_ms = excluded.enrolled_at_ms",
                &[
                    &device,
                    &seller,
                    &enrollment.token.as_str(),
                    &ms(enrollment.now_ms),
                ],
            )?;
            tx.execute(
                "UPDATE enrollment_codes SET used_by = $1, used_at_ms = $2
             WHERE code_hash = $3 AND used_by IS NULL",
                &[&device, &ms(enrollment.now_ms), &enrollment.code.as_str()],
            )?;
            seller_by_id(tx, parse(&seller)?)?
                .ok_or_else(|| Error::BadRecord(format!("code for missing seller {seller}")))
        })
    }

    fn device_by_token(&self, token: &SecretHash) -> Result<Option<EnrolledDevice>> {
        let row = self.pool.get()?.db().query_opt(
            "SELECT id, seller_id FROM devices WHERE token_hash = $1",
            &[&token.as_str()],
        )?;
        row.map(|r| {
            Ok(EnrolledDevice {
                id: parse::<DeviceId>(r.get::<_, &str>(0))?,
                seller: parse(r.get::<_, &str>(1))?,
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
        self.pool.get()?.transaction(|tx| {
            ledger::lock_log(tx)?;
            sync::exchange(&mut ledger::PgLedger::new(tx), device, pushed, pull, now_ms)
        })
    }

    fn listings(&self, seller: Option<SellerId>) -> Result<Vec<ListingView>> {
        let rows = self.pool.get()?.db().query(
            &format!(
                "SELECT {} FROM listings l
                 WHERE $1::text IS NULL OR l.seller_id = $1
                 ORDER BY l.created_hlc, l.id",
                listing_columns()
            ),
            &[&seller.map(|s| s.to_string())],
        )?;
        rows.iter().map(listing_view).collect()
    }

    fn listing(&self, id: ListingId) -> Result<Option<ListingView>> {
        listing_by_id(&mut self.pool.get()?.db(), id)
    }

    fn place_order(
        &self,
        order: &NewOrder,
        staff: Option<&str>,
        now_ms: u64,
    ) -> Result<OrderDetail, OrderError> {
        self.pool.get()?.transaction(|tx| {
            ledger::lock_log(tx)?;
            crate::orders::place(&mut ledger::PgLedger::new(tx), order, staff, now_ms)?;
            Ok(orders::written(tx, order.id)?)
        })
    }

    fn act_on_order(
        &self,
        id: OrderId,
        action: OrderAction,
        staff: Option<&str>,
        now_ms: u64,
    ) -> Result<OrderDetail, OrderError> {
        self.pool.get()?.transaction(|tx| {
            ledger::lock_log(tx)?;
            crate::orders::act(&mut ledger::PgLedger::new(tx), id, action, staff, now_ms)?;
            Ok(orders::written(tx, id)?)
        })
    }

    fn orders(&self, filter: &OrderFilter) -> Result<OrderPage> {
        orders::page(&mut self.pool.get()?.db(), filter)
    }

    fn order(&self, id: OrderId) -> Result<Option<OrderDetail>> {
        // The order and its history as of one moment.
        self.pool.get()?.snapshot(|tx| orders::detail(tx, id))
    }

    fn sales(&self, seller: Option<SellerId>) -> Result<Vec<SaleView>> {
        let rows = self.pool.get()?.db().query(
            "SELECT id, listing_id, seller_id, device_id, quantity, unit, unit_price_fen,
                    total_fen, payment, buyer, sold_at
             FROM sales
             WHERE $1::text IS NULL OR seller_id = $1
             ORDER BY hlc, id",
            &[&seller.map(|s| s.to_string())],
        )?;
        rows.iter().map(sale_view).collect()
    }

    fn log_length(&self) -> Result<u64> {
        let n: i64 = self
            .pool
            .get()?
            .db()
            .query_one("SELECT count(*) FROM op_log", &[])?
            .get(0);
        Ok(n as u64)
    }

    fn add_staff(&self, new: &NewStaff) -> Result<()> {
        staff::add_staff(&mut self.pool.get()?.db(), new)
    }

    fn staff(&self) -> Result<Vec<StaffMember>> {
        staff::staff(&mut self.pool.get()?.db())
    }

    fn revoke_staff(&self, name: &str, now_ms: u64) -> Result<StaffMember> {
        self.pool
            .get()?
            .transaction(|tx| staff::revoke_staff(tx, name, now_ms))
    }

    fn staff_by_token(&self, token: &SecretHash) -> Result<Option<StaffMember>> {
        staff::staff_by_token(&mut self.pool.get()?.db(), token)
    }

    fn log_in(&self, attempt: &LoginAttempt, rules: &LoginRules) -> Result<LoginOutcome> {
        self.pool.get()?.transaction(|tx| {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOGIN_LOCK])?;
            crate::staff::log_in(&mut staff::PgLoginLedger::new(tx), attempt, rules)
        })
    }

    fn staff_by_session(&self, session: &SecretHash, now_ms: u64) -> Result<Option<StaffMember>> {
        staff::staff_by_session(&mut self.pool.get()?.db(), session, now_ms)
    }

    fn end_session(&self, session: &SecretHash) -> Result<()> {
        staff::end_session(&mut self.pool.get()?.db(), session)
    }

    fn catalog_listings(&self, query: &ListingQuery) -> Result<Page<CatalogListing>> {
        catalog::listings(&mut self.pool.get()?.db(), query)
    }

    fn catalog_listing(&self, id: ListingId) -> Result<Option<ListingDetail>> {
        self.pool.get()?.snapshot(|tx| catalog::listing(tx, id))
    }

    fn catalog_sellers(&self, query: &SellerQuery) -> Result<Page<SellerSummary>> {
        catalog::sellers(&mut self.pool.get()?.db(), query)
    }
}

pub(crate) fn hub_device(client: &mut impl Sql) -> Result<DeviceId> {
    let row = client.query_one("SELECT device_id FROM hub_identity WHERE id = 1", &[])?;
    parse(row.get::<_, &str>(0))
}

fn insert_code(tx: &mut impl Sql, seller: SellerId, code: &NewCode) -> Result<()> {
    tx.execute(
        "INSERT INTO enrollment_codes (code_hash, seller_id, issued_at_ms, expires_at_ms)
         VALUES ($1, $2, $3, $4)",
        &[
            &code.hash.as_str(),
            &seller.to_string(),
            &ms(code.issued_at_ms),
            &ms(code.expires_at_ms),
        ],
    )?;
    Ok(())
}

fn seller_by_id(client: &mut impl Sql, id: SellerId) -> Result<Option<Seller>> {
    let row = client.query_opt(
        "SELECT name, village, phone FROM sellers WHERE id = $1",
        &[&id.to_string()],
    )?;
    Ok(row.map(|r| Seller {
        id,
        name: r.get(0),
        village: r.get(1),
        phone: r.get(2),
    }))
}

pub(crate) fn listing_by_id(client: &mut impl Sql, id: ListingId) -> Result<Option<ListingView>> {
    let row = client.query_opt(
        &format!(
            "SELECT {} FROM listings l WHERE l.id = $1",
            listing_columns()
        ),
        &[&id.to_string()],
    )?;
    row.as_ref().map(listing_view).transpose()
}

/// What [`listing_view`] reads, in order, from `listings l`: the SQLite
/// columns (`db::LISTING_COLUMNS`), with sums cast back to `bigint`
/// (PostgreSQL sums `bigint`s as `numeric`).
pub(crate) fn listing_columns() -> String {
    format!(
        "l.id, l.seller_id, l.title, l.category, l.unit, l.price_fen, l.status,
         l.description, l.lot_id,
         coalesce((SELECT sum(change) FROM stock_adjustments a
                   WHERE a.listing_id = l.id), 0)::bigint,
         coalesce((SELECT sum(quantity) FROM sales s WHERE s.listing_id = l.id), 0)::bigint,
         (SELECT count(*) FROM sales s WHERE s.listing_id = l.id),
         coalesce((SELECT sum(quantity) FROM orders o
                   WHERE o.listing_id = l.id AND o.state IN ({})), 0)::bigint",
        *crate::db::RESERVING_STATES
    )
}

pub(crate) fn listing_view(r: &Row) -> Result<ListingView> {
    let unit: Unit = parse(r.get::<_, &str>(4))?;
    let adjusted: i64 = r.get(9);
    let sold: i64 = r.get(10);
    let reserved: i64 = r.get(12);
    let stock = adjusted - sold - reserved;
    Ok(ListingView {
        id: r.get(0),
        seller_id: r.get(1),
        title: r.get(2),
        category: r.get(3),
        unit: unit.slug().to_owned(),
        price_fen: r.get(5),
        status: r.get(6),
        description: r.get(7),
        lot_id: r.get(8),
        stock,
        stock_unit: unit.base().slug().to_owned(),
        stock_display: format_in(stock, unit),
        sold,
        sales_count: r.get(11),
        reserved,
    })
}

fn sale_view(r: &Row) -> Result<SaleView> {
    let unit: Unit = parse(r.get::<_, &str>(5))?;
    let quantity: i64 = r.get(4);
    Ok(SaleView {
        id: r.get(0),
        listing_id: r.get(1),
        seller_id: r.get(2),
        device_id: r.get(3),
        quantity,
        quantity_unit: unit.base().slug().to_owned(),
        unit: unit.slug().to_owned(),
        quantity_display: format_in(quantity, unit),
        unit_price_fen: r.get(6),
        total_fen: r.get(7),
        payment: r.get(8),
        buyer: r.get(9),
        sold_at: r.get(10),
    })
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Error {
        Error::Database(Box::new(e))
    }
}

impl From<postgres::Error> for OrderError {
    fn from(e: postgres::Error) -> OrderError {
        OrderError::Hub(e.into())
    }
}

/// Reads stored text back into a value (see `db::parse`).
fn parse<T: FromStr>(raw: &str) -> Result<T> {
    raw.parse()
        .map_err(|_| Error::BadRecord(format!("unexpected value {raw:?}")))
}

/// Times as the device stores them, so views compare equal.
fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// PostgreSQL's bigint is signed; times stay far below 2^63 ms.
fn ms(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
