//! One module per noun the seller uses. Each parses its arguments into domain
//! values (so bad input fails before anything is written), calls the store,
//! and prints the result for a person or, with `--json`, for a program.

mod certificate;
mod discover;
mod lesson;
mod listing;
mod lot;
mod order;
mod photo;
mod qr;
mod round;
mod sale;
mod status;
mod stock;
mod sync;
mod update;

use clap::Subcommand;
use highland_engine::Store;
use serde::Serialize;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Products for sale: add, edit, list, show.
    #[command(subcommand)]
    Listing(listing::ListingCommand),
    /// Batches of produce and where they came from.
    #[command(subcommand)]
    Lot(lot::LotCommand),
    /// Record and list sales.
    #[command(subcommand)]
    Sale(sale::SaleCommand),
    /// The central buyer's orders: list, show, accept, decline, hand over.
    #[command(subcommand)]
    Order(order::OrderCommand),
    /// The buyer's collection rounds: when the truck comes to your stop and
    /// what to bring; say whether you will be there.
    #[command(subcommand)]
    Round(round::RoundCommand),
    /// Photos of listings and lots: add, list, remove. They upload after
    /// the rest, resumably, when the link allows.
    #[command(subcommand)]
    Photo(photo::PhotoCommand),
    /// The workshop's guided lesson: start, show, end. Its steps tick
    /// themselves as the trainee really does them.
    #[command(subcommand)]
    Lesson(lesson::LessonCommand),
    /// Correct stock outside a sale.
    #[command(subcommand)]
    Stock(stock::StockCommand),
    /// Issue a certificate of compliance (承诺达标合格证) for a lot, offline,
    /// and write its printable slip (PDF) with the QR code of the lot's
    /// trace page.
    Certificate(certificate::CertificateArgs),
    /// A lot's QR code for its label (SVG or PNG, by the file's extension):
    /// it opens the lot's trace page on the hub this device is enrolled with.
    Qr {
        /// The lot's id (from `highland lot list`)
        #[arg(long, value_name = "ID")]
        lot: String,
        /// Where to write it: a .svg or .png file
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// What the store holds and what waits for the hub.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Hubs on this network that advertise themselves (a workshop's), by mDNS.
    Hubs {
        /// How long to listen, in seconds
        #[arg(long, value_name = "SECS", default_value_t = 3)]
        wait: u64,
        #[arg(long)]
        json: bool,
    },
    /// Join a hub with a one-time code from its staff or a trainer.
    Enroll {
        /// The hub's address, such as http://192.168.1.10:7878 or
        /// https://hub.example.org (default: the one hub found on this
        /// network, as `highland hubs` finds it)
        #[arg(long, value_name = "URL")]
        hub: Option<String>,
        #[arg(long)]
        code: String,
        /// Also trust this CA certificate (PEM) for an https:// hub with a
        /// certificate of its own; kept for every later sync
        #[arg(long, value_name = "FILE")]
        ca: Option<std::path::PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Send what waits and fetch what is new, retrying through a bad link.
    Sync {
        #[arg(long)]
        json: bool,
        /// Give up after this many seconds (default: keep trying)
        #[arg(long, value_name = "SECS")]
        timeout: Option<u64>,
        /// Keep syncing: after every local write, on a timer, and with
        /// backoff while the hub is unreachable
        #[arg(long)]
        watch: bool,
        /// Also download the photos of this seller's other devices when
        /// data saver is on (with it off, they always are)
        #[arg(long)]
        photos: bool,
    },
    /// Download the newer Highland the hub carries for this device, resuming
    /// through a bad link, and check it against the publisher's key.
    Update(update::UpdateArgs),
}

pub fn run(mut store: Store, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Listing(c) => listing::run(&mut store, c),
        Command::Lot(c) => lot::run(&mut store, c),
        Command::Sale(c) => sale::run(&mut store, c),
        Command::Order(c) => order::run(&mut store, c),
        Command::Round(c) => round::run(&mut store, c),
        Command::Stock(c) => stock::run(&mut store, c),
        Command::Lesson(c) => lesson::run(&mut store, c),
        Command::Hubs { wait, json } => discover::list(wait, json),
        Command::Photo(c) => photo::run(&mut store, c),
        Command::Certificate(args) => certificate::run(&mut store, args),
        Command::Qr { lot, out, json } => qr::run(&store, &lot, &out, json),
        Command::Status { json } => status::run(&mut store, json),
        Command::Enroll {
            hub,
            code,
            ca,
            json,
        } => {
            let hub = match hub {
                Some(hub) => hub,
                None => discover::the_one_hub()?,
            };
            sync::enroll(store, &hub, &code, ca.as_deref(), json)
        }
        Command::Sync {
            json,
            timeout,
            watch,
            photos,
        } => sync::run(store, json, timeout, watch, photos),
        Command::Update(args) => update::run(store, args),
    }
}

fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
