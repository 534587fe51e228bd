//! One module per noun the seller uses. Each parses its arguments into domain
//! values (so bad input fails before anything is written), calls the store,
//! and prints the result for a person or, with `--json`, for a program.

mod listing;
mod lot;
mod sale;
mod status;
mod stock;

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
    /// Correct stock outside a sale.
    #[command(subcommand)]
    Stock(stock::StockCommand),
    /// What the store holds and what waits for the hub.
    Status {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(store: &mut Store, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Listing(c) => listing::run(store, c),
        Command::Lot(c) => lot::run(store, c),
        Command::Sale(c) => sale::run(store, c),
        Command::Stock(c) => stock::run(store, c),
        Command::Status { json } => status::run(store, json),
    }
}

fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
