//! The hub of a run: the real highland-hub router and `Storage` on a SQLite
//! file (or a PostgreSQL database of the run's own), answering requests
//! in-process with the same bytes a socket would carry. It can be killed
//! and started again on its database, backed up while it serves, and put
//! back from a backup as an operator would.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, header};
use highland_domain::wire::{EnrollRequest, EnrollResponse, PROTOCOL_VERSION};
use highland_domain::{CheckedCode, DeviceId};
use highland_engine::sync::{USER_AGENT, encode_body, read_answer};
use highland_exchange::history::Beginning;
use highland_hub::db::backup;
use highland_hub::{AppState, HubDb, ManualClock, Storage};
use tower::ServiceExt;

use crate::crash::Snapshot;
use crate::error::{Result, SimError};
use crate::link::Outgoing;

/// Where the hub keeps its database.
pub enum Database {
    /// `hub.db` in this directory.
    Sqlite(PathBuf),
    /// A database of this run's own on a PostgreSQL server, dropped at the
    /// end (see [`crate::postgres`]).
    Postgres(crate::postgres::RunDatabase),
}

/// The hub's answer as it left the hub: its status and its body,
/// decompressed as the client's HTTP stack would.
#[derive(Debug, Clone)]
pub struct Answered {
    pub status: u16,
    pub body: Vec<u8>,
    /// The body's length on the wire.
    pub wire_bytes: usize,
}

pub struct SimHub {
    database: Database,
    /// `None` only for the moment the hub is down.
    serving: Option<Serving>,
    clock: Arc<ManualClock>,
    /// Runs the router: a runtime of one thread; the storage calls go to
    /// its blocking pool and are awaited one at a time.
    runtime: tokio::runtime::Runtime,
}

impl SimHub {
    pub fn open(database: Database, clock: Arc<ManualClock>) -> Result<SimHub> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let serving = Serving::open(&database, &clock)?;
        let hub = SimHub {
            database,
            serving: Some(serving),
            clock,
            runtime,
        };
        // The first incarnation begins here, on the simulator's thread
        // (whose ids are seeded), not inside the first exchange.
        hub.storage()?.incarnation(hub.now_ms())?;
        Ok(hub)
    }

    pub fn storage(&self) -> Result<&dyn Storage> {
        Ok(self.serving()?.storage.as_ref())
    }

    fn serving(&self) -> Result<&Serving> {
        self.serving
            .as_ref()
            .ok_or_else(|| SimError::Setup("the hub is down".to_owned()))
    }

    pub fn now_ms(&self) -> u64 {
        highland_hub::WallClock::now_ms(self.clock.as_ref())
    }

    /// The SQLite file, when the hub is on SQLite.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        match &self.database {
            Database::Sqlite(dir) => Some(dir.join(highland_hub::db::DATABASE_FILE)),
            Database::Postgres(_) => None,
        }
    }

    pub fn postgres_url(&self) -> Option<&str> {
        match &self.database {
            Database::Sqlite(_) => None,
            Database::Postgres(db) => Some(db.url()),
        }
    }

    /// `POST /v1/sync` with the request's body, or with only its first
    /// `cut_at` bytes before the connection breaks.
    pub fn sync(&self, request: &Outgoing, cut_at: Option<usize>) -> Result<Answered> {
        let body = match cut_at {
            None => Body::from(request.body.clone()),
            Some(n) => {
                let head = Bytes::copy_from_slice(&request.body[..n.min(request.body.len())]);
                let cut = io::Error::new(io::ErrorKind::ConnectionReset, "the connection was cut");
                Body::from_stream(futures_util::stream::iter([Ok(head), Err(cut)]))
            }
        };
        let http = Request::post("/v1/sync")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_ENCODING, "zstd")
            .header(header::CONTENT_LENGTH, request.body.len())
            .header(header::ACCEPT_ENCODING, "zstd")
            .header(header::AUTHORIZATION, format!("Bearer {}", request.token))
            .header(header::USER_AGENT, USER_AGENT)
            .body(body)
            .map_err(|e| SimError::Setup(format!("a sync request: {e}")))?;
        self.call(http)
    }

    /// Enrolls a device with a code through `POST /v1/enroll`.
    pub fn enroll(&self, device: DeviceId, code: &str) -> Result<EnrollResponse> {
        let code = CheckedCode::parse(code)
            .map_err(|e| SimError::Setup(format!("the hub's code {code:?}: {e}")))?;
        let body = encode_body(&EnrollRequest {
            protocol: PROTOCOL_VERSION,
            code,
            device_id: device,
        })?;
        let http = Request::post("/v1/enroll")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_ENCODING, "zstd")
            .header(header::USER_AGENT, USER_AGENT)
            .body(Body::from(body))
            .map_err(|e| SimError::Setup(format!("an enrollment: {e}")))?;
        let answered = self.call(http)?;
        Ok(read_answer(answered.status, &answered.body)?)
    }

    fn call(&self, http: Request<Body>) -> Result<Answered> {
        let router = self.serving()?.router.clone();
        self.runtime.block_on(async move {
            let response = match router.oneshot(http).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            let status = response.status().as_u16();
            let zstd = response
                .headers()
                .get(header::CONTENT_ENCODING)
                .is_some_and(|v| v.as_bytes() == b"zstd");
            let wire = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .map_err(|e| SimError::Setup(format!("reading the hub's answer: {e}")))?;
            let body = if zstd {
                zstd::decode_all(wire.as_ref())?
            } else {
                wire.to_vec()
            };
            Ok(Answered {
                status,
                body,
                wire_bytes: wire.len(),
            })
        })
    }

    /// The process dies and is started again on the same database: what
    /// it committed is there, what it held in memory is not.
    pub fn restart(&mut self) -> Result<()> {
        let files = self.sqlite_file().map(|f| Snapshot::take(&f)).transpose()?;
        // Every handle on the database goes, so its connections close; the
        // files are then put back as the kill left them.
        self.serving = None;
        if let Some(files) = files {
            files.put_back()?;
        }
        self.serving = Some(Serving::open(&self.database, &self.clock)?);
        Ok(())
    }

    /// A backup taken while the hub serves (`highland-hub backup`, or
    /// `pg_dump` on PostgreSQL), into `out`.
    pub fn back_up(&self, out: &Path) -> Result<()> {
        match &self.database {
            Database::Sqlite(dir) => {
                backup::backup(&dir.join(highland_hub::db::DATABASE_FILE), out)?;
            }
            Database::Postgres(db) => db.dump(out)?,
        }
        Ok(())
    }

    /// The database put back from `from`. `by_command`: as
    /// `highland-hub restore` does it, beginning a new incarnation; else
    /// copied back by hand with the old write-ahead log removed, so the
    /// hub does not know it went back.
    pub fn restore(&mut self, from: &Path, by_command: bool) -> Result<()> {
        self.serving = None;
        match &self.database {
            Database::Sqlite(dir) => {
                let file = dir.join(highland_hub::db::DATABASE_FILE);
                if by_command {
                    backup::restore(from, &file, false, self.now_ms())?;
                } else {
                    std::fs::copy(from, &file)?;
                    for suffix in ["-wal", "-shm"] {
                        let mut log = file.clone().into_os_string();
                        log.push(suffix);
                        match std::fs::remove_file(&log) {
                            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e.into()),
                            _ => {}
                        }
                    }
                }
            }
            Database::Postgres(db) => db.restore(from)?,
        }
        let serving = Serving::open(&self.database, &self.clock)?;
        if by_command {
            serving
                .storage
                .begin_incarnation(Beginning::Restored, self.now_ms())?;
        } else {
            // The hub reads its incarnation as it starts serving (here, on
            // the simulator's thread, whose ids are seeded).
            serving.storage.incarnation(self.now_ms())?;
        }
        self.serving = Some(serving);
        Ok(())
    }
}

/// The hub's process while it runs: its database handle and its router.
struct Serving {
    storage: Arc<dyn Storage>,
    router: Router,
}

impl Serving {
    fn open(database: &Database, clock: &Arc<ManualClock>) -> Result<Serving> {
        let storage: Arc<dyn Storage> = match database {
            Database::Sqlite(dir) => Arc::new(HubDb::open_dir(dir)?),
            Database::Postgres(db) => Arc::new(highland_hub::pg::PgHub::open(db.url())?),
        };
        let clock: Arc<dyn highland_hub::WallClock> = clock.clone();
        let router = highland_hub::app(AppState::new(storage.clone(), clock));
        Ok(Serving { storage, router })
    }
}
