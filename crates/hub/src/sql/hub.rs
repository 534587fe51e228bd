//! [`Storage`] on any [`Backend`]: each method is one transaction (or one
//! statement) of the queries in this module's siblings.

use chrono::NaiveDate;
use highland_domain::wire::SyncResponse;
use highland_domain::{
    DeviceId, Gtin, ListingId, OrderAction, OrderId, PhotoSubject, Round, RoundCost, RoundId,
    RoundState, Sha256, StopId, TraceCode, TraceEvent, Weight,
};

use super::ledger::{SqlLedger, hub_device};
use super::views::{
    SALE_COLUMNS, for_update, format_time, listing_by_id, listing_columns, listing_view, ms, parse,
    sale_view,
};
use super::{
    Backend, Lock, Sql, catalog, devices, history, orders, photos, rounds, staff, trace, workshop,
};
use crate::catalog::{
    CatalogListing, ListingDetail, ListingQuery, Page, SellerQuery, SellerSummary,
};
use crate::photos::{PhotoReader, PhotoView, UploadError, UploadStatus};
use crate::secret::SecretHash;
use crate::staff::{LoginAttempt, LoginOutcome, LoginRules, NewStaff, StaffMember};
use crate::storage::{
    DeviceRecord, EnrolledDevice, Enrollment, NewCode, Seller, Storage, TokenHolder,
};
use crate::trace::chain::{Chain, ChainLot, Recorded};
use crate::views::{ListingView, OrderDetail, OrderPage, SaleView};
use crate::workshop::{ChangeMarker, Trainee, WorkshopSetting};
use crate::{Error, Result, SellerId};
use highland_exchange::history::{Beginning, Incarnation};
use highland_exchange::orders::{NewOrder, OrderError, OrderFilter};
use highland_exchange::rounds::costs::CostReport;
use highland_exchange::rounds::view::RoundDetail;
use highland_exchange::rounds::{LoadEntry, RoundChoice, RoundError, RoundPlan};
use highland_exchange::sync::{self, PullRequest, Pushed};

impl<B: Backend> Storage for B {
    fn add_seller(&self, seller: &Seller, code: &NewCode) -> Result<()> {
        self.write(Lock::Rows, |tx| insert_seller(tx, seller, code))
    }

    fn add_code(&self, seller: SellerId, code: &NewCode) -> Result<Seller> {
        self.write(Lock::Rows, |tx| {
            let found =
                seller_by_id(tx, seller)?.ok_or(Error::UnknownSeller(seller.to_string()))?;
            insert_code(tx, seller, code)?;
            Ok(found)
        })
    }

    fn enroll(&self, enrollment: &Enrollment) -> Result<Seller> {
        self.write(Lock::Rows, |tx| {
            // Locked: two devices presenting one code take turns, and the
            // second sees the first's `used_by`.
            let code = tx.query_opt(
                &format!(
                    "SELECT seller_id, expires_at_ms, used_by FROM enrollment_codes
                     WHERE code_hash = ?1{}",
                    for_update(tx.dialect())
                ),
                &[&enrollment.code.as_str()],
            )?;
            let code = code.ok_or(Error::CodeUnknown)?;
            let (seller, expires_at_ms, used_by): (String, i64, Option<String>) =
                (code.get(0), code.get(1), code.get(2));
            let device = enrollment.device.to_string();
            if used_by.as_deref().is_some_and(|d| d != device) {
                return Err(Error::CodeUsed);
            }
            if ms(enrollment.now_ms) >= expires_at_ms {
                return Err(Error::CodeExpired);
            }
            let enrolled: Option<(String, Option<i64>)> = tx
                .query_opt(
                    "SELECT seller_id, revoked_at_ms FROM devices WHERE id = ?1",
                    &[&device],
                )?
                .map(|r| (r.get(0), r.get(1)));
            if enrolled.as_ref().is_some_and(|(s, _)| *s != seller)
                || hub_device(tx)? == enrollment.device
            {
                return Err(Error::DeviceEnrolledElsewhere);
            }
            // A revoked device comes back only with a code issued for it
            // since, never with the one it held when it was lost.
            let revoked = enrolled.is_some_and(|(_, at)| at.is_some());
            if revoked && used_by.is_some() {
                return Err(Error::DeviceRevoked);
            }
            tx.execute(
                "INSERT INTO devices (id, seller_id, token_hash, enrolled_at_ms)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash,
                                            enrolled_at_ms = excluded.enrolled_at_ms,
                                            revoked_at_ms = NULL",
                &[
                    &device,
                    &seller,
                    &enrollment.token.as_str(),
                    &ms(enrollment.now_ms),
                ],
            )?;
            tx.execute(
                "UPDATE enrollment_codes SET used_by = ?1, used_at_ms = ?2
             WHERE code_hash = ?3 AND used_by IS NULL",
                &[&device, &ms(enrollment.now_ms), &enrollment.code.as_str()],
            )?;
            seller_by_id(tx, parse(&seller)?)?
                .ok_or_else(|| Error::BadRecord(format!("code for missing seller {seller}")))
        })
    }

    fn device_by_token(&self, token: &SecretHash) -> Result<Option<TokenHolder>> {
        self.read(|db| devices::by_token(db, token))
    }

    fn set_app_version(&self, device: DeviceId, version: &str) -> Result<()> {
        self.write(Lock::Rows, |tx| {
            devices::set_app_version(tx, device, version)
        })
    }

    fn devices(&self, seller: Option<SellerId>) -> Result<Vec<DeviceRecord>> {
        self.read(|db| devices::list(db, seller))
    }

    fn incarnation(&self, now_ms: u64) -> Result<Incarnation> {
        self.write(Lock::Log, |tx| history::current(tx, now_ms))
    }

    fn begin_incarnation(&self, reason: Beginning, now_ms: u64) -> Result<Incarnation> {
        self.write(Lock::Log, |tx| history::begin(tx, reason, now_ms))
    }

    fn revoke_device(&self, device: DeviceId, now_ms: u64) -> Result<DeviceRecord> {
        self.write(Lock::Rows, |tx| devices::revoke(tx, device, now_ms))
    }

    fn exchange(
        &self,
        device: EnrolledDevice,
        pushed: Vec<Pushed>,
        pull: PullRequest,
        now_ms: u64,
    ) -> Result<SyncResponse> {
        self.write(Lock::Log, |tx| {
            let response = sync::exchange(
                &mut SqlLedger::new(tx),
                device,
                pushed,
                pull.clone(),
                now_ms,
            )?;
            // Every sync, pushes or not: for the operator's device list and
            // the workshop's projector. After the exchange, which reads the
            // last sync before this one.
            devices::mark_synced(tx, device.id, &pull, now_ms)?;
            Ok(response)
        })
    }

    fn listings(&self, seller: Option<SellerId>) -> Result<Vec<ListingView>> {
        let rows = self.read(|db| {
            db.query(
                &format!(
                    "SELECT {} FROM listings l
                     WHERE CAST(?1 AS TEXT) IS NULL OR l.seller_id = ?1
                     ORDER BY l.created_hlc, l.id",
                    listing_columns()
                ),
                &[&seller.map(|s| s.to_string())],
            )
        })?;
        rows.iter().map(listing_view).collect()
    }

    fn listing(&self, id: ListingId) -> Result<Option<ListingView>> {
        self.read(|db| listing_by_id(db, id))
    }

    fn place_order(
        &self,
        order: &NewOrder,
        staff: Option<&str>,
        now_ms: u64,
    ) -> Result<OrderDetail, OrderError> {
        self.write(Lock::Log, |tx| {
            highland_exchange::orders::place(&mut SqlLedger::new(tx), order, staff, now_ms)?;
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
        self.write(Lock::Log, |tx| {
            highland_exchange::orders::act(&mut SqlLedger::new(tx), id, action, staff, now_ms)?;
            Ok(orders::written(tx, id)?)
        })
    }

    fn plan_round(
        &self,
        id: RoundId,
        plan: &RoundPlan,
        now_ms: u64,
    ) -> Result<RoundDetail, RoundError> {
        round_write(self, id, |l| {
            highland_exchange::rounds::plan(l, id, plan, now_ms)
        })
    }

    fn edit_round(
        &self,
        id: RoundId,
        plan: &RoundPlan,
        now_ms: u64,
    ) -> Result<RoundDetail, RoundError> {
        round_write(self, id, |l| {
            highland_exchange::rounds::edit(l, id, plan, now_ms)
        })
    }

    fn move_round(
        &self,
        id: RoundId,
        to: RoundState,
        now_ms: u64,
    ) -> Result<RoundDetail, RoundError> {
        round_write(self, id, |l| {
            highland_exchange::rounds::move_to(l, id, to, now_ms)
        })
    }

    fn record_round_cost(
        &self,
        id: RoundId,
        cost: &RoundCost,
        now_ms: u64,
    ) -> Result<RoundDetail, RoundError> {
        self.write(Lock::Rows, |tx| {
            let round = rounds::round(tx, id)?.ok_or(RoundError::UnknownRound(id))?;
            highland_exchange::rounds::check_cost(&round, cost)?;
            rounds::save_cost(
                tx,
                id,
                cost,
                &format_time(highland_exchange::authored::time(now_ms)),
            )?;
            Ok(rounds::written(tx, id)?)
        })
    }

    fn route_order(
        &self,
        order: OrderId,
        to: Option<RoundChoice>,
        staff: Option<&str>,
        now_ms: u64,
    ) -> Result<OrderDetail, RoundError> {
        self.write(Lock::Log, |tx| {
            highland_exchange::rounds::route(&mut SqlLedger::new(tx), order, to, staff, now_ms)?;
            Ok(orders::written(tx, order)?)
        })
    }

    fn load_at_stop(
        &self,
        round: RoundId,
        stop: StopId,
        loads: &[LoadEntry],
        staff: Option<&str>,
        now_ms: u64,
    ) -> Result<RoundDetail, RoundError> {
        round_write(self, round, |l| {
            highland_exchange::rounds::load(l, round, stop, loads, staff, now_ms)
        })
    }

    fn weigh_listing(
        &self,
        listing: ListingId,
        weight_per_unit: Option<Weight>,
        staff: Option<&str>,
        now_ms: u64,
    ) -> Result<ListingView, RoundError> {
        self.write(Lock::Log, |tx| {
            highland_exchange::rounds::weigh(
                &mut SqlLedger::new(tx),
                listing,
                weight_per_unit,
                staff,
                now_ms,
            )?;
            listing_by_id(tx, listing)?.ok_or(RoundError::UnknownListing(listing))
        })
    }

    fn rounds(&self, from: Option<NaiveDate>, limit: usize) -> Result<Vec<RoundDetail>> {
        let from = from.map(|d| d.to_string());
        self.snapshot(|db| rounds::list(db, from.as_deref(), limit))
    }

    fn round(&self, id: RoundId) -> Result<Option<RoundDetail>> {
        self.snapshot(|db| rounds::detail(db, id))
    }

    fn open_rounds(&self) -> Result<Vec<Round>> {
        self.read(rounds::open_rounds)
    }

    fn round_costs(&self) -> Result<CostReport> {
        self.snapshot(rounds::cost_report)
    }

    fn orders(&self, filter: &OrderFilter) -> Result<OrderPage> {
        self.read(|db| orders::page(db, filter))
    }

    fn order(&self, id: OrderId) -> Result<Option<OrderDetail>> {
        // The order and its history as of one moment.
        self.snapshot(|tx| orders::detail(tx, id))
    }

    fn sales(&self, seller: Option<SellerId>) -> Result<Vec<SaleView>> {
        let rows = self.read(|db| {
            db.query(
                &format!(
                    "SELECT {SALE_COLUMNS} FROM sales
                     WHERE CAST(?1 AS TEXT) IS NULL OR seller_id = ?1
                     ORDER BY hlc, id"
                ),
                &[&seller.map(|s| s.to_string())],
            )
        })?;
        rows.iter().map(sale_view).collect()
    }

    fn listing_sales(&self, listing: ListingId) -> Result<Vec<SaleView>> {
        let rows = self.read(|db| {
            db.query(
                &format!("SELECT {SALE_COLUMNS} FROM sales WHERE listing_id = ?1 ORDER BY hlc, id"),
                &[&listing.to_string()],
            )
        })?;
        rows.iter().map(sale_view).collect()
    }

    fn log_length(&self) -> Result<u64> {
        let n: i64 = self
            .read(|db| db.query_one("SELECT count(*) FROM op_log", &[]))?
            .get(0);
        Ok(n as u64)
    }

    fn add_staff(&self, new: &NewStaff) -> Result<()> {
        self.write(Lock::Rows, |tx| staff::add_staff(tx, new))
    }

    fn staff(&self) -> Result<Vec<StaffMember>> {
        self.read(|db| staff::staff(db))
    }

    fn revoke_staff(&self, name: &str, now_ms: u64) -> Result<StaffMember> {
        self.write(Lock::Rows, |tx| staff::revoke_staff(tx, name, now_ms))
    }

    fn staff_by_token(&self, token: &SecretHash) -> Result<Option<StaffMember>> {
        self.read(|db| staff::staff_by_token(db, token))
    }

    fn log_in(&self, attempt: &LoginAttempt, rules: &LoginRules) -> Result<LoginOutcome> {
        self.write(Lock::Login, |tx| {
            crate::staff::log_in(&mut staff::SqlLoginLedger::new(tx), attempt, rules)
        })
    }

    fn staff_by_session(&self, session: &SecretHash, now_ms: u64) -> Result<Option<StaffMember>> {
        self.read(|db| staff::staff_by_session(db, session, now_ms))
    }

    fn end_session(&self, session: &SecretHash) -> Result<()> {
        self.write(Lock::Rows, |tx| staff::end_session(tx, session))
    }

    fn catalog_listings(&self, query: &ListingQuery) -> Result<Page<CatalogListing>> {
        self.read(|db| catalog::listings(db, query))
    }

    fn catalog_listing(&self, id: ListingId) -> Result<Option<ListingDetail>> {
        self.snapshot(|tx| catalog::listing(tx, id))
    }

    fn catalog_sellers(&self, query: &SellerQuery) -> Result<Page<SellerSummary>> {
        self.read(|db| catalog::sellers(db, query))
    }

    fn trace_chain(&self, code: &TraceCode, gtin: Option<&Gtin>) -> Result<Option<Chain>> {
        self.snapshot(|db| trace::chain(db, code, gtin))
    }

    fn record_trace_event(&self, event: &TraceEvent, now_ms: u64) -> Result<Recorded> {
        self.write(Lock::Rows, |tx| trace::record_event(tx, event, now_ms))
    }

    fn recent_lots(&self, limit: u32) -> Result<Vec<ChainLot>> {
        self.snapshot(|db| trace::recent_lots(db, limit))
    }

    fn upload_status(&self, seller: SellerId, name: Sha256) -> Result<Option<UploadStatus>> {
        self.snapshot(|db| photos::upload_status(db, seller, name))
    }

    fn start_upload(
        &self,
        device: EnrolledDevice,
        name: Sha256,
        length: u64,
        now_ms: u64,
    ) -> Result<(), UploadError> {
        self.write(Lock::Rows, |tx| {
            photos::start_upload(tx, device, name, length, now_ms)
        })
    }

    fn append_upload(
        &self,
        seller: SellerId,
        name: Sha256,
        offset: u64,
        bytes: &[u8],
    ) -> Result<u64, UploadError> {
        self.write(Lock::Rows, |tx| {
            photos::append_upload(tx, seller, name, offset, bytes)
        })
    }

    fn upload_bytes(&self, name: Sha256) -> Result<Vec<u8>> {
        self.snapshot(|db| photos::upload_bytes(db, name))
    }

    fn finish_upload(&self, name: Sha256, bytes: u64, now_ms: u64) -> Result<()> {
        self.write(Lock::Rows, |tx| {
            photos::finish_upload(tx, name, bytes, now_ms)
        })
    }

    fn drop_upload(&self, name: Sha256) -> Result<()> {
        self.write(Lock::Rows, |tx| photos::drop_upload(tx, name))
    }

    fn photo_file(&self, name: Sha256, reader: PhotoReader) -> Result<Option<u64>> {
        self.read(|db| photos::photo_file(db, name, reader))
    }

    fn photos_of(&self, subject: PhotoSubject) -> Result<Vec<PhotoView>> {
        self.read(|db| photos::photos_of(db, subject))
    }

    fn workshop_setting(&self, key: &str) -> Result<Option<WorkshopSetting>> {
        self.read(|db| workshop::setting(db, key))
    }

    fn set_workshop_setting(&self, key: &str, value: Option<&str>, now_ms: u64) -> Result<()> {
        self.write(Lock::Rows, |tx| {
            workshop::set_setting(tx, key, value, now_ms)
        })
    }

    fn add_trainee(&self, number: u32, seller: &Seller, code: &NewCode) -> Result<()> {
        self.write(Lock::Rows, |tx| {
            insert_seller(tx, seller, code)?;
            workshop::add_trainee(tx, number, seller)
        })
    }

    fn trainees(&self) -> Result<Vec<Trainee>> {
        self.read(workshop::trainees)
    }

    fn replace_staff_token(&self, name: &str, token: &SecretHash) -> Result<StaffMember> {
        self.write(Lock::Rows, |tx| staff::replace_token(tx, name, token))
    }

    fn change_marker(&self) -> Result<ChangeMarker> {
        self.read(workshop::change_marker)
    }
}

/// A new seller, created when their first code is issued, with that code.
/// Runs one of [`highland_exchange::rounds`]' rules in a transaction that holds the
/// log, and answers with round `id` as it then stands.
fn round_write<B: Backend>(
    backend: &B,
    id: RoundId,
    rule: impl FnOnce(&mut SqlLedger<'_>) -> Result<(), RoundError>,
) -> Result<RoundDetail, RoundError> {
    backend.write(Lock::Log, |tx| {
        rule(&mut SqlLedger::new(tx))?;
        Ok(rounds::written(tx, id)?)
    })
}

fn insert_seller(tx: &mut dyn Sql, seller: &Seller, code: &NewCode) -> Result<()> {
    tx.execute(
        "INSERT INTO sellers (id, name, village, phone, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        &[
            &seller.id.to_string(),
            &seller.name,
            &seller.village,
            &seller.phone,
            &ms(code.issued_at_ms),
        ],
    )?;
    insert_code(tx, seller.id, code)
}

fn insert_code(tx: &mut dyn Sql, seller: SellerId, code: &NewCode) -> Result<()> {
    tx.execute(
        "INSERT INTO enrollment_codes (code_hash, seller_id, issued_at_ms, expires_at_ms)
         VALUES (?1, ?2, ?3, ?4)",
        &[
            &code.hash.as_str(),
            &seller.to_string(),
            &ms(code.issued_at_ms),
            &ms(code.expires_at_ms),
        ],
    )?;
    Ok(())
}

fn seller_by_id(client: &mut dyn Sql, id: SellerId) -> Result<Option<Seller>> {
    let row = client.query_opt(
        "SELECT name, village, phone FROM sellers WHERE id = ?1",
        &[&id.to_string()],
    )?;
    Ok(row.map(|r| Seller {
        id,
        name: r.get(0),
        village: r.get(1),
        phone: r.get(2),
    }))
}
