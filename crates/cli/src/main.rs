//! `highland`: every seller action from the command line, for scripts,
//! workshops and tests. A thin adapter: it parses arguments into domain
//! values, calls highland-engine, and prints what comes back.

mod commands;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use commands::Command;

#[derive(Debug, Parser)]
#[command(
    name = "highland",
    version,
    about = "Sell from the village, online or not."
)]
struct Cli {
    /// Where the seller's data lives (default: the platform's data directory).
    #[arg(long, global = true, env = "HIGHLAND_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line a person can act on; the chain is joined, not dumped.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let dir = match cli.data_dir {
        Some(dir) => dir,
        None => default_data_dir()?,
    };
    let store = highland_engine::Store::open_dir(&dir)
        .with_context(|| format!("cannot open the data in {}", dir.display()))?;
    commands::run(store, cli.command)
}

fn default_data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("org", "Highland", "highland")
        .map(|d| d.data_dir().to_owned())
        .context("no home directory to keep data in; pass --data-dir DIR")
}
