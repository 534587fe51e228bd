//! Which database the hub tests run on. The whole suite runs twice in the
//! README's test command: on SQLite (the default), and with
//! `HIGHLAND_TEST_HUB_BACKEND=postgres` on the PostgreSQL server that
//! `HIGHLAND_TEST_POSTGRES_URL` names, where every test database is a new
//! database of its own, dropped at the end. A missing or unreachable server
//! fails the tests; nothing is skipped.

use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use highland_domain::wire::SyncResponse;
use highland_domain::{
    DeviceId, Gtin, ListingId, OrderAction, OrderId, PhotoSubject, Round, RoundCost, RoundId,
    RoundState, Sha256, StopId, TraceCode, TraceEvent, Weight,
};
use highland_exchange::history::{Beginning, Incarnation};
use highland_exchange::orders::{NewOrder, OrderError, OrderFilter};
use highland_exchange::rounds::costs::CostReport;
use highland_exchange::rounds::view::RoundDetail;
use highland_exchange::rounds::{LoadEntry, RoundChoice, RoundError, RoundPlan};
use highland_exchange::sync::{PullRequest, Pushed};
use highland_hub::catalog::{
    CatalogListing, ListingDetail, ListingQuery, Page, SellerQuery, SellerSummary,
};
use highland_hub::photos::{PhotoReader, PhotoView, UploadError, UploadStatus};
use highland_hub::secret::SecretHash;
use highland_hub::staff::{LoginAttempt, LoginOutcome, LoginRules, NewStaff, StaffMember};
use highland_hub::storage::{
    DeviceRecord, EnrolledDevice, Enrollment, NewCode, Seller, TokenHolder,
};
use highland_hub::trace::chain::{Chain, ChainLot, Recorded};
use highland_hub::views::{ListingView, OrderDetail, OrderPage, SaleView};
use highland_hub::workshop::{ChangeMarker, Trainee, WorkshopSetting};
use highland_hub::{Database, HubDb, Storage, pg::PgHub};
use highland_hub::{Result, SellerId};

pub const BACKEND_VAR: &str = "HIGHLAND_TEST_HUB_BACKEND";
pub const POSTGRES_URL_VAR: &str = "HIGHLAND_TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The back end this run of the suite is for.
    pub fn of_this_run() -> Backend {
        match std::env::var(BACKEND_VAR).as_deref() {
            Err(_) | Ok("") | Ok("sqlite") => Backend::Sqlite,
            Ok("postgres") => Backend::Postgres,
            Ok(other) => panic!("{BACKEND_VAR}={other:?}: expected sqlite or postgres"),
        }
    }
}

/// A fresh, empty hub database for one test, and what keeps it alive.
pub struct TestDatabase {
    pub database: Database,
    /// Dropped last: drops the PostgreSQL database.
    _postgres: Option<PostgresDatabase>,
}

impl TestDatabase {
    /// A new database of this run's back end; a SQLite one lives in `dir`.
    pub fn fresh(dir: &Path) -> TestDatabase {
        match Backend::of_this_run() {
            Backend::Sqlite => TestDatabase {
                database: Database::in_dir(dir),
                _postgres: None,
            },
            Backend::Postgres => {
                let postgres = PostgresDatabase::create();
                TestDatabase {
                    database: Database::Postgres(postgres.url.clone()),
                    _postgres: Some(postgres),
                }
            }
        }
    }

    /// A SQLite database in `dir`, whatever back end this run is for.
    pub fn sqlite(dir: &Path) -> TestDatabase {
        TestDatabase {
            database: Database::in_dir(dir),
            _postgres: None,
        }
    }

    /// `postgres`, kept as long as this is.
    pub fn postgres(postgres: PostgresDatabase) -> TestDatabase {
        TestDatabase {
            database: Database::Postgres(postgres.url.clone()),
            _postgres: Some(postgres),
        }
    }

    /// Opens it as the hub does (schema upgrades included).
    pub fn open(&self) -> Arc<OffRuntime> {
        let database = self.database.clone();
        let store: Arc<dyn Storage> = off_runtime(move || match &database {
            Database::Sqlite(path) => Arc::new(HubDb::open(path).unwrap()) as Arc<dyn Storage>,
            Database::Postgres(url) => Arc::new(PgHub::open(url).unwrap()),
        });
        Arc::new(OffRuntime(store))
    }

    /// The flags that point `highland-hub` at this database.
    pub fn cli_args(&self) -> [OsString; 2] {
        match &self.database {
            Database::Sqlite(file) => [
                "--data-dir".into(),
                file.parent().expect("a file in a data directory").into(),
            ],
            Database::Postgres(url) => ["--database-url".into(), url.into()],
        }
    }

    /// `highland-hub` pointed at this database, whatever the environment
    /// says.
    pub fn hub_cli(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("highland-hub").unwrap();
        cmd.args(self.cli_args())
            .env_remove("HIGHLAND_HUB_DATA_DIR")
            .env_remove("HIGHLAND_HUB_DATABASE_URL");
        cmd
    }

    /// Everything the database holds: every byte of a SQLite data directory
    /// (the database and its log), or every row of every PostgreSQL table as
    /// text. For tests that a secret is never stored.
    pub fn everything_stored(&self) -> Vec<u8> {
        let database = self.database.clone();
        off_runtime(move || match &database {
            Database::Sqlite(file) => {
                let mut bytes = Vec::new();
                for entry in std::fs::read_dir(file.parent().unwrap()).unwrap() {
                    // Files only: the photo store is a folder beside them.
                    let path = entry.unwrap().path();
                    if path.is_file() {
                        bytes.extend(std::fs::read(path).unwrap());
                    }
                }
                bytes
            }
            Database::Postgres(url) => {
                let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
                let tables: Vec<String> = client
                    .query(
                        "SELECT table_name FROM information_schema.tables
                         WHERE table_schema = current_schema()",
                        &[],
                    )
                    .unwrap()
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                let mut bytes = Vec::new();
                for table in tables {
                    for row in client
                        .query(&format!("SELECT CAST(t AS TEXT) FROM \"{table}\" t"), &[])
                        .unwrap()
                    {
                        bytes.extend(row.get::<_, String>(0).into_bytes());
                    }
                }
                bytes
            }
        })
    }

    /// Runs one statement that both back ends understand and returns the
    /// first column of its first row as text: for the few tests that check
    /// what is stored, not what the hub answers.
    pub fn query_text(&self, sql: &str) -> String {
        let (database, sql) = (self.database.clone(), sql.to_owned());
        off_runtime(move || match &database {
            Database::Sqlite(path) => rusqlite::Connection::open(path)
                .unwrap()
                .query_row(&sql, [], |r| r.get(0))
                .unwrap(),
            Database::Postgres(url) => postgres::Client::connect(url, postgres::NoTls)
                .unwrap()
                .query_one(&sql, &[])
                .unwrap()
                .get(0),
        })
    }
}

/// A database of the test's own on the test server, dropped with the guard.
pub struct PostgresDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PostgresDatabase {
    pub fn create() -> PostgresDatabase {
        off_runtime(|| {
            let admin_url = std::env::var(POSTGRES_URL_VAR)
                .ok()
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| {
                    panic!(
                        "{POSTGRES_URL_VAR} is not set: run ./scripts/test.sh, \
                         or start a server with scripts/pg.sh start"
                    )
                });
            let name = format!("test_{}", uuid::Uuid::new_v4().simple());
            let mut client =
                postgres::Client::connect(&admin_url, postgres::NoTls).unwrap_or_else(|e| {
                    panic!("{POSTGRES_URL_VAR} is set but PostgreSQL is unreachable: {e}")
                });
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap();
            let (base, _) = admin_url
                .split('?')
                .next()
                .unwrap()
                .rsplit_once('/')
                .expect("a URL with a database name");
            let url = format!("{base}/{name}");
            PostgresDatabase {
                admin_url,
                name,
                url,
            }
        })
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        off_runtime(move || {
            if let Ok(mut client) = postgres::Client::connect(&url, postgres::NoTls) {
                let _ =
                    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        });
    }
}

/// Runs `f` on a thread of its own. Storage blocks, and PostgreSQL's client
/// runs a runtime of its own, which panics on a thread that is already
/// running async code; the hub itself calls storage on tokio's blocking
/// pool, and tests call it through here.
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(f)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// A hub's storage that tests may call from async code: every call runs
/// through [`off_runtime`].
pub struct OffRuntime(pub Arc<dyn Storage>);

impl OffRuntime {
    pub fn inner(&self) -> Arc<dyn Storage> {
        self.0.clone()
    }
}

macro_rules! off_runtime_storage {
    ($( fn $name:ident(&self $(, $arg:ident: $ty:ty)* ) -> $ret:ty; )*) => {
        impl Storage for OffRuntime {
            $(
                fn $name(&self $(, $arg: $ty)*) -> $ret {
                    let inner = &self.0;
                    off_runtime(move || inner.$name($($arg),*))
                }
            )*
        }
    };
}

off_runtime_storage! {
    fn add_seller(&self, seller: &Seller, code: &NewCode) -> Result<()>;
    fn add_code(&self, seller: SellerId, code: &NewCode) -> Result<Seller>;
    fn enroll(&self, enrollment: &Enrollment) -> Result<Seller>;
    fn device_by_token(&self, token: &SecretHash) -> Result<Option<TokenHolder>>;
    fn set_app_version(&self, device: DeviceId, version: &str) -> Result<()>;
    fn devices(&self, seller: Option<SellerId>) -> Result<Vec<DeviceRecord>>;
    fn revoke_device(&self, device: DeviceId, now_ms: u64) -> Result<DeviceRecord>;
    fn incarnation(&self, now_ms: u64) -> Result<Incarnation>;
    fn begin_incarnation(&self, reason: Beginning, now_ms: u64) -> Result<Incarnation>;
    fn exchange(
        &self,
        device: EnrolledDevice,
        pushed: Vec<Pushed>,
        pull: PullRequest,
        now_ms: u64
    ) -> Result<SyncResponse>;
    fn listings(&self, seller: Option<SellerId>) -> Result<Vec<ListingView>>;
    fn sales(&self, seller: Option<SellerId>) -> Result<Vec<SaleView>>;
    fn listing_sales(&self, listing: ListingId) -> Result<Vec<SaleView>>;
    fn log_length(&self) -> Result<u64>;
    fn add_staff(&self, staff: &NewStaff) -> Result<()>;
    fn staff(&self) -> Result<Vec<StaffMember>>;
    fn revoke_staff(&self, name: &str, now_ms: u64) -> Result<StaffMember>;
    fn staff_by_token(&self, token: &SecretHash) -> Result<Option<StaffMember>>;
    fn log_in(&self, attempt: &LoginAttempt, rules: &LoginRules) -> Result<LoginOutcome>;
    fn staff_by_session(&self, session: &SecretHash, now_ms: u64) -> Result<Option<StaffMember>>;
    fn end_session(&self, session: &SecretHash) -> Result<()>;
    fn catalog_listings(&self, query: &ListingQuery) -> Result<Page<CatalogListing>>;
    fn catalog_listing(&self, id: ListingId) -> Result<Option<ListingDetail>>;
    fn catalog_sellers(&self, query: &SellerQuery) -> Result<Page<SellerSummary>>;
    fn listing(&self, id: ListingId) -> Result<Option<ListingView>>;
    fn place_order(
        &self,
        order: &NewOrder,
        staff: Option<&str>,
        now_ms: u64
    ) -> std::result::Result<OrderDetail, OrderError>;
    fn act_on_order(
        &self,
        id: OrderId,
        action: OrderAction,
        staff: Option<&str>,
        now_ms: u64
    ) -> std::result::Result<OrderDetail, OrderError>;
    fn orders(&self, filter: &OrderFilter) -> Result<OrderPage>;
    fn order(&self, id: OrderId) -> Result<Option<OrderDetail>>;
    fn plan_round(
        &self,
        id: RoundId,
        plan: &RoundPlan,
        now_ms: u64
    ) -> std::result::Result<RoundDetail, RoundError>;
    fn edit_round(
        &self,
        id: RoundId,
        plan: &RoundPlan,
        now_ms: u64
    ) -> std::result::Result<RoundDetail, RoundError>;
    fn move_round(
        &self,
        id: RoundId,
        to: RoundState,
        now_ms: u64
    ) -> std::result::Result<RoundDetail, RoundError>;
    fn record_round_cost(
        &self,
        id: RoundId,
        cost: &RoundCost,
        now_ms: u64
    ) -> std::result::Result<RoundDetail, RoundError>;
    fn route_order(
        &self,
        order: OrderId,
        to: Option<RoundChoice>,
        staff: Option<&str>,
        now_ms: u64
    ) -> std::result::Result<OrderDetail, RoundError>;
    fn load_at_stop(
        &self,
        round: RoundId,
        stop: StopId,
        loads: &[LoadEntry],
        staff: Option<&str>,
        now_ms: u64
    ) -> std::result::Result<RoundDetail, RoundError>;
    fn weigh_listing(
        &self,
        listing: ListingId,
        weight_per_unit: Option<Weight>,
        staff: Option<&str>,
        now_ms: u64
    ) -> std::result::Result<ListingView, RoundError>;
    fn rounds(&self, from: Option<NaiveDate>, limit: usize) -> Result<Vec<RoundDetail>>;
    fn round(&self, id: RoundId) -> Result<Option<RoundDetail>>;
    fn open_rounds(&self) -> Result<Vec<Round>>;
    fn round_costs(&self) -> Result<CostReport>;
    fn trace_chain(&self, code: &TraceCode, gtin: Option<&Gtin>) -> Result<Option<Chain>>;
    fn record_trace_event(&self, event: &TraceEvent, now_ms: u64) -> Result<Recorded>;
    fn recent_lots(&self, limit: u32) -> Result<Vec<ChainLot>>;
    fn upload_status(&self, seller: SellerId, name: Sha256) -> Result<Option<UploadStatus>>;
    fn start_upload(
        &self,
        device: EnrolledDevice,
        name: Sha256,
        length: u64,
        now_ms: u64
    ) -> std::result::Result<(), UploadError>;
    fn append_upload(
        &self,
        seller: SellerId,
        name: Sha256,
        offset: u64,
        bytes: &[u8]
    ) -> std::result::Result<u64, UploadError>;
    fn upload_bytes(&self, name: Sha256) -> Result<Vec<u8>>;
    fn finish_upload(&self, name: Sha256, bytes: u64, now_ms: u64) -> Result<()>;
    fn drop_upload(&self, name: Sha256) -> Result<()>;
    fn photo_file(&self, name: Sha256, reader: PhotoReader) -> Result<Option<u64>>;
    fn photos_of(&self, subject: PhotoSubject) -> Result<Vec<PhotoView>>;
    fn workshop_setting(&self, key: &str) -> Result<Option<WorkshopSetting>>;
    fn set_workshop_setting(&self, key: &str, value: Option<&str>, now_ms: u64) -> Result<()>;
    fn add_trainee(&self, number: u32, seller: &Seller, code: &NewCode) -> Result<()>;
    fn trainees(&self) -> Result<Vec<Trainee>>;
    fn replace_staff_token(&self, name: &str, token: &SecretHash) -> Result<StaffMember>;
    fn change_marker(&self) -> Result<ChangeMarker>;
}
