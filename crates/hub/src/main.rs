//! `highland-hub`: serve devices, and the operator's commands beside it. A
//! thin adapter: it parses arguments, calls the library, prints the result.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use highland_domain::ShortText;
use highland_hub::admin::{self, NewSeller};
use highland_hub::pg::PgHub;
use highland_hub::photos::PhotoStore;
use highland_hub::{
    AppState, Database, HubDb, SellerId, Storage, SystemClock, WallClock, open_storage,
};

mod cli;

#[derive(Debug, Parser)]
#[command(
    name = "highland-hub",
    version,
    about = "The hub that village sellers' devices sync with."
)]
struct Cli {
    /// Where the hub keeps its database (default: the platform's data directory).
    #[arg(long, global = true, env = "HIGHLAND_HUB_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// The hub's database as a URL, instead of --data-dir: sqlite:///path/to/hub.db
    /// or postgres://user[:password]@host[:port]/database.
    #[arg(
        long,
        global = true,
        env = "HIGHLAND_HUB_DATABASE_URL",
        value_name = "URL"
    )]
    database_url: Option<String>,

    #[command(subcommand)]
    command: Command,
}

/// Where the hub keeps files: sellers' photos, and the app's releases
/// beside them.
#[derive(Debug, Clone, clap::Args)]
struct FileStoreArgs {
    /// Keep photos in S3-compatible object storage: s3://bucket/prefix,
    /// with the standard AWS_* variables (AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT, AWS_ALLOW_HTTP).
    #[arg(
        long,
        value_name = "URL",
        env = "HIGHLAND_HUB_PHOTO_STORE",
        conflicts_with = "photo_dir"
    )]
    photo_store: Option<String>,
    /// The S3-compatible server of --photo-store (MinIO, Garage, ...),
    /// instead of AWS_ENDPOINT.
    #[arg(
        long,
        value_name = "URL",
        env = "HIGHLAND_HUB_PHOTO_STORE_ENDPOINT",
        requires = "photo_store"
    )]
    photo_store_endpoint: Option<String>,
    /// Keep photos in this folder (default: `photos` beside the
    /// database, or in the data directory with a PostgreSQL database).
    #[arg(long, value_name = "DIR", env = "HIGHLAND_HUB_PHOTO_DIR")]
    photo_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve devices over HTTPS (or plain HTTP on a local network) until Ctrl-C or SIGTERM.
    Serve {
        /// The address and port to listen on; port 0 picks a free one.
        #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR")]
        listen: SocketAddr,
        /// How log lines on stderr look.
        #[arg(long, value_enum, default_value_t = LogFormat::Compact, env = "HIGHLAND_HUB_LOG_FORMAT")]
        log_format: LogFormat,
        /// Serve HTTPS with this certificate chain (PEM: the hub's certificate, then intermediates).
        #[arg(
            long,
            value_name = "FILE",
            requires = "tls_key",
            env = "HIGHLAND_HUB_TLS_CERT"
        )]
        tls_cert: Option<PathBuf>,
        /// The private key of --tls-cert (PEM).
        #[arg(
            long,
            value_name = "FILE",
            requires = "tls_cert",
            env = "HIGHLAND_HUB_TLS_KEY"
        )]
        tls_key: Option<PathBuf>,
        /// Serve plain HTTP even on an address beyond loopback and private LANs (such as 0.0.0.0).
        #[arg(long, conflicts_with = "tls_cert")]
        allow_plain_http: bool,
        /// The hub's address as buyers' phones reach it, such as
        /// https://hub.example.org, for the QR codes on the console's lot
        /// pages and label sheets (default: the address each request came to).
        #[arg(long, value_name = "URL", env = "HIGHLAND_HUB_PUBLIC_URL")]
        public_url: Option<String>,
        /// Open connections at most; past it a connection gets a 503 with
        /// Retry-After (default: half the open-files limit, at most 4096).
        #[arg(long, value_name = "N", env = "HIGHLAND_HUB_MAX_CONNECTIONS",
              value_parser = clap::value_parser!(u32).range(1..))]
        max_connections: Option<u32>,
        #[command(flatten)]
        files: FileStoreArgs,
    },
    /// Write a consistent copy of a SQLite hub's database to a new file,
    /// while it serves (PostgreSQL: use pg_dump; see docs/operations.md).
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Put a backup back (SQLite: --from FILE; the database it replaces is
    /// kept beside it), or, on PostgreSQL after pg_restore, tell the hub it
    /// went back. Either way a new incarnation of the hub begins.
    Restore {
        /// The backup to restore (SQLite).
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        /// Restore even though a write-ahead log says a hub may be serving
        /// (one that crashed leaves one too).
        #[arg(long)]
        force: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Move a SQLite hub (--data-dir, or a sqlite: --database-url) onto an
    /// empty PostgreSQL database: every seller, device and token, the log,
    /// orders, trace events, staff and the photos' records. Devices go on
    /// syncing without enrolling again.
    Migrate {
        /// The PostgreSQL database to move to: postgres://...
        #[arg(long, value_name = "URL")]
        to: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Sellers and their first device.
    Seller {
        #[command(subcommand)]
        command: SellerCommand,
    },
    /// Sellers' devices: codes for more, the list of them, and revoking a
    /// lost one.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Listings as merged on the hub.
    Listing {
        #[command(subcommand)]
        command: ListCommand,
    },
    /// Sales as merged on the hub.
    Sale {
        #[command(subcommand)]
        command: ListCommand,
    },
    /// The buyer's staff and their API tokens.
    Staff {
        #[command(subcommand)]
        command: cli::staff::StaffCommand,
    },
    /// Orders from the buyer: place, list, show, and record hand-over,
    /// receipt, payment or cancellation.
    Order {
        #[command(subcommand)]
        command: cli::order::OrderCommand,
    },
    /// Collection rounds: one truck, one day, its stops; the orders on it,
    /// what was loaded at each stop, and what the trip cost.
    Round {
        #[command(subcommand)]
        command: cli::round::RoundCommand,
    },
    /// A lot's QR code for its label (SVG or PNG, by the file's extension),
    /// opening the lot's public trace page.
    Label(cli::label::LabelArgs),
    /// A lot's whole chain as an EPCIS 2.0 JSON-LD document.
    ExportEpcis(cli::epcis::ExportEpcisArgs),
    /// The chain of a lot at the buyer's: record received, processed,
    /// inspected, packed and shipped steps; show a lot's chain.
    Trace {
        #[command(subcommand)]
        command: cli::trace::TraceCommand,
    },
    /// The app's release files this hub carries: devices that sync learn
    /// of a newer one and update from the hub (docs/releases.md).
    Release {
        #[command(subcommand)]
        command: cli::release::ReleaseCommand,
        #[command(flatten)]
        files: FileStoreArgs,
    },
    /// Run a workshop with no internet: a hub on the LAN with a demo
    /// village, a card for each trainee, and a projector view, until Ctrl-C.
    /// Its data is kept apart from a real hub's (`workshop` in the data
    /// directory, unless --data-dir names another).
    Workshop(cli::workshop::WorkshopArgs),
}

#[derive(Debug, Subcommand)]
enum SellerCommand {
    /// Add a seller and print a one-time code (and QR code) for their first device.
    Add {
        /// The seller's name, as they write it.
        #[arg(long)]
        name: String,
        /// The village they sell from.
        #[arg(long)]
        village: String,
        /// A phone number to reach them.
        #[arg(long)]
        phone: Option<String>,
        /// The hub's address as devices reach it, put in the QR code.
        #[arg(long, value_name = "URL")]
        hub_url: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum DeviceCommand {
    /// List the enrolled devices: their seller, last sync, app version,
    /// what they have not pulled yet, and whether they were revoked.
    List {
        /// Only this seller's devices.
        #[arg(long, value_name = "ID")]
        seller: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a device (a lost or stolen tablet): its token stops working
    /// at once; its seller's records stay on the hub. Only a code issued
    /// after this enrolls it again.
    Revoke {
        /// The device's id, as `device list` shows it.
        id: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print a one-time code for another device of a seller.
    Code {
        /// The seller's id, as `seller add` printed it.
        #[arg(long, value_name = "ID")]
        seller: String,
        /// The hub's address as devices reach it, put in the QR code.
        #[arg(long, value_name = "URL")]
        hub_url: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ListCommand {
    /// List them, oldest first.
    List {
        /// Only this seller's.
        #[arg(long, value_name = "ID")]
        seller: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Compact,
    Json,
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // A workshop's demo village must never land in a real hub's database:
    // a data directory from the environment (a real hub's) gets a
    // `workshop` folder of its own; only one typed for the workshop is used
    // as it is.
    let typed = |id| matches.value_source(id) == Some(ValueSource::CommandLine);
    if matches!(cli.command, Command::Workshop(_)) {
        if !typed("data_dir") {
            cli.data_dir = cli.data_dir.map(|dir| dir.join("workshop"));
        }
        if !typed("database_url") {
            cli.database_url = None;
        }
    }
    let database = match database(&cli, &matches) {
        Ok(database) => database,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    match run(cli, database) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The database the flags name. A flag typed on the command line beats an
/// environment variable; typing both flags is a mistake.
fn database(cli: &Cli, matches: &ArgMatches) -> anyhow::Result<Database> {
    let typed = |id| matches.value_source(id) == Some(ValueSource::CommandLine);
    Ok(match (&cli.database_url, &cli.data_dir) {
        (Some(_), Some(_)) if typed("database_url") && typed("data_dir") => {
            anyhow::bail!("--data-dir and --database-url name two databases; give one of them")
        }
        (Some(_), Some(dir)) if typed("data_dir") => Database::in_dir(dir),
        (Some(url), _) => Database::from_url(url)?,
        (None, Some(dir)) => Database::in_dir(dir),
        (None, None) => Database::in_dir(&default_data_dir()?),
    })
}

fn run(cli: Cli, database: Database) -> anyhow::Result<()> {
    match cli.command {
        Command::Workshop(args) => {
            if cli.database_url.is_some() {
                anyhow::bail!(
                    "a workshop keeps its own SQLite database in --data-dir; \
                     --database-url is for a real hub"
                );
            }
            init_logging(LogFormat::Compact);
            let data_dir = match cli.data_dir {
                Some(dir) => dir,
                None => default_data_dir()?.join("workshop"),
            };
            cli::workshop::run(data_dir, args, stop_signal)
        }
        Command::Serve {
            listen,
            log_format,
            tls_cert,
            tls_key,
            allow_plain_http,
            public_url,
            max_connections,
            files,
        } => {
            let photos = photo_store_for(&database, cli.data_dir.as_deref(), &files)?;
            let public_url = public_url
                .filter(|u| !u.trim().is_empty())
                .map(|u| cli::base_url("--public-url", &u).map(str::to_owned))
                .transpose()?;
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => {
                    Some(highland_hub::TlsConfig::from_pem_files(&cert, &key)?)
                }
                _ => None,
            };
            if tls.is_none() && !allow_plain_http {
                highland_hub::server::check_plain_http(listen)?;
            }
            let max_connections = max_connections.map(|n| n as usize);
            serve(
                &database,
                listen,
                log_format,
                tls,
                public_url,
                max_connections,
                photos,
            )
        }
        Command::Seller {
            command:
                SellerCommand::Add {
                    name,
                    village,
                    phone,
                    hub_url,
                    json,
                },
        } => {
            let new = NewSeller {
                name: ShortText::parse(&name).context("--name")?,
                village: ShortText::parse(&village).context("--village")?,
                phone: phone
                    .map(|p| ShortText::parse(&p))
                    .transpose()
                    .context("--phone")?,
            };
            let added = admin::add_seller(&*open(&database)?, new, SystemClock.now_ms())?;
            if json {
                return print_json(&added);
            }
            println!("Seller added: {} ({})", added.name, added.village);
            println!("  seller id  {}", added.seller_id);
            if let Some(phone) = &added.phone {
                println!("  phone      {phone}");
            }
            print_code(&added.code, &added.code_expires_at, hub_url.as_deref());
            Ok(())
        }
        Command::Device {
            command: DeviceCommand::List { seller, json },
        } => cli::device::list(&*open(&database)?, seller.as_deref(), json),
        Command::Device {
            command: DeviceCommand::Revoke { id, json },
        } => cli::device::revoke(&*open(&database)?, &id, json, SystemClock.now_ms()),
        Command::Device {
            command:
                DeviceCommand::Code {
                    seller,
                    hub_url,
                    json,
                },
        } => {
            let seller: SellerId = seller.parse().context("--seller")?;
            let issued =
                admin::issue_device_code(&*open(&database)?, seller, SystemClock.now_ms())?;
            if json {
                return print_json(&issued);
            }
            println!("A code for another device of {}", issued.name);
            println!("  seller id  {}", issued.seller_id);
            print_code(&issued.code, &issued.code_expires_at, hub_url.as_deref());
            Ok(())
        }
        Command::Listing {
            command: ListCommand::List { seller, json },
        } => {
            let listings = open(&database)?.listings(parse_seller(seller)?)?;
            if json {
                return print_json(&listings);
            }
            if listings.is_empty() {
                println!("No listings yet.");
            }
            for l in &listings {
                println!(
                    "{}  {}  stock {} {}  {} fen/{}  {}  seller {}",
                    l.id,
                    l.title,
                    l.stock_display,
                    l.unit,
                    l.price_fen,
                    l.unit,
                    l.status,
                    l.seller_id
                );
            }
            Ok(())
        }
        Command::Release { command, files } => {
            let photos = photo_store_for(&database, cli.data_dir.as_deref(), &files)?;
            cli::release::run(command, &photos)
        }
        Command::Migrate { to, json } => {
            cli::migrate::run(&database, &to, json, SystemClock.now_ms())
        }
        Command::Backup { out, json } => cli::backup::backup(&database, &out, json),
        Command::Restore { from, force, json } => cli::backup::restore(
            &database,
            from.as_deref(),
            force,
            json,
            SystemClock.now_ms(),
        ),
        Command::Staff { command } => {
            cli::staff::run(&*open(&database)?, command, SystemClock.now_ms())
        }
        Command::Label(args) => cli::label::run(&*open(&database)?, args),
        Command::ExportEpcis(args) => {
            cli::epcis::run(&*open(&database)?, args, SystemClock.now_ms())
        }
        Command::Trace { command } => cli::trace::run(&*open(&database)?, command),
        Command::Order { command } => {
            cli::order::run(&*open(&database)?, command, SystemClock.now_ms())
        }
        Command::Round { command } => {
            cli::round::run(&*open(&database)?, command, SystemClock.now_ms())
        }
        Command::Sale {
            command: ListCommand::List { seller, json },
        } => {
            let sales = open(&database)?.sales(parse_seller(seller)?)?;
            if json {
                return print_json(&sales);
            }
            if sales.is_empty() {
                println!("No sales yet.");
            }
            for s in &sales {
                println!(
                    "{}  {}  {} {}  {} fen  {}  listing {}",
                    s.sold_at,
                    s.id,
                    s.quantity_display,
                    s.unit,
                    s.total_fen,
                    s.payment,
                    s.listing_id
                );
            }
            Ok(())
        }
    }
}

fn serve(
    database: &Database,
    listen: SocketAddr,
    log_format: LogFormat,
    tls: Option<highland_hub::TlsConfig>,
    public_url: Option<String>,
    max_connections: Option<usize>,
    photos: PhotoStore,
) -> anyhow::Result<()> {
    init_logging(log_format);
    let server = Server {
        listen,
        tls,
        database: database.describe(),
        public_url,
        max_connections,
        photos,
    };
    match database {
        Database::Sqlite(path) => server.run(
            highland_hub::database::open_sqlite(path).with_context(|| cannot_open(database))?,
            HubDb::close,
        ),
        Database::Postgres(url) => server.run(
            PgHub::open(url).with_context(|| cannot_open(database))?,
            PgHub::close,
        ),
    }
}

struct Server {
    listen: SocketAddr,
    tls: Option<highland_hub::TlsConfig>,
    /// What the log says the database is (never a password).
    database: String,
    public_url: Option<String>,
    max_connections: Option<usize>,
    photos: PhotoStore,
}

impl Server {
    /// Serves until a stop signal, then closes the database with `close`
    /// once no request holds it any more, so that its errors are reported.
    fn run<S: Storage>(
        self,
        db: S,
        close: fn(S) -> highland_hub::Result<()>,
    ) -> anyhow::Result<()> {
        let Server {
            listen,
            tls,
            database,
            public_url,
            max_connections,
            photos,
        } = self;
        let db = Arc::new(db);
        let mut state = AppState::new(db.clone(), Arc::new(SystemClock));
        state.public_url = public_url;
        state.limits.connections.max_connections = max_connections;
        if tls.is_none() {
            state.session_cookie = highland_hub::staff::SessionCookie::PlainHttp;
        }
        let photo_store = photos.describe().to_owned();
        state.keep_files_in(photos);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async {
            // Signals are caught before the address is announced, so a stop
            // sent the moment a caller reads it is a graceful one.
            let stop = stop_signal()?;
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            let addr = listener.local_addr()?;
            let scheme = if tls.is_some() { "https" } else { "http" };
            println!("listening on {scheme}://{addr}");
            std::io::stdout().flush()?;
            tracing::info!(%addr, scheme, database, photo_store, "serving");
            match &tls {
                Some(tls) => highland_hub::server::serve_tls(listener, tls, state, stop).await?,
                None => highland_hub::server::serve(listener, state, stop).await?,
            }
            anyhow::Ok(())
        })?;
        // Dropping the runtime waits for storage work still running for
        // clients that went away, so that the database is closed last.
        drop(runtime);
        match Arc::try_unwrap(db) {
            Ok(db) => close(db).context("closing the database")?,
            Err(_) => tracing::warn!("the database was still in use at shutdown"),
        }
        tracing::info!("stopped");
        Ok(())
    }
}

#[cfg(unix)]
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        tracing::info!("stopping: finishing the requests in flight");
    })
}

#[cfg(not(unix))]
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("stopping: finishing the requests in flight");
    })
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("HIGHLAND_HUB_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Compact => logs.compact().init(),
        LogFormat::Json => logs.json().init(),
    }
}

/// Where photos are kept: the bucket or folder the flags name, else the
/// `photos` folder beside a SQLite database. A PostgreSQL database has no
/// folder of its own: its hubs use `photos` in the data directory
/// (`--data-dir`, or the platform's), which is right for one hub, and
/// they are told that several must share one store.
fn photo_store_for(
    database: &Database,
    data_dir: Option<&std::path::Path>,
    files: &FileStoreArgs,
) -> anyhow::Result<PhotoStore> {
    if let Some(url) = files
        .photo_store
        .as_deref()
        .filter(|u| !u.trim().is_empty())
    {
        return Ok(PhotoStore::s3(
            url.trim(),
            files.photo_store_endpoint.as_deref(),
        )?);
    }
    let dir = match (files.photo_dir.as_deref(), database) {
        (Some(dir), _) => dir.to_owned(),
        (None, Database::Sqlite(file)) => file
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .join("photos"),
        (None, Database::Postgres(_)) => {
            let dir = match data_dir {
                Some(dir) => dir.to_owned(),
                None => default_data_dir()?,
            }
            .join("photos");
            eprintln!(
                "note: photos are kept in {}; hubs sharing this PostgreSQL database must share \
                 their photos too: give each --photo-store s3://bucket/prefix or one shared \
                 --photo-dir",
                dir.display()
            );
            dir
        }
    };
    Ok(PhotoStore::local(&dir)?)
}

fn open(database: &Database) -> anyhow::Result<Arc<dyn Storage>> {
    open_storage(database).with_context(|| cannot_open(database))
}

fn cannot_open(database: &Database) -> String {
    match database {
        Database::Sqlite(path) => format!("cannot open the hub's database {}", path.display()),
        // A URL may hold a password: it is not repeated.
        _ => "cannot open the hub's database".to_owned(),
    }
}

fn parse_seller(seller: Option<String>) -> anyhow::Result<Option<SellerId>> {
    seller.map(|s| s.parse().context("--seller")).transpose()
}

fn print_code(code: &str, expires_at: &str, hub_url: Option<&str>) {
    println!();
    println!("Enrollment code: {code}");
    println!("  works once, until {expires_at}");
    if let Some(qr) = admin::qr_for_terminal(&admin::enrollment_text(hub_url, code)) {
        println!("{qr}");
    }
    println!(
        "Type the code on the device (`highland enroll --hub URL --code {code}`), or scan it."
    );
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn default_data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("org", "Highland", "highland-hub")
        .map(|d| d.data_dir().to_owned())
        .context("no home directory to keep data in; pass --data-dir DIR")
}
