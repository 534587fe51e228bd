//! `highland`: every seller action from the command line, for scripts,
//! workshops and tests. A thin adapter: it parses arguments into domain
//! values, calls highland-engine, and prints what comes back.

mod commands;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use highland_engine::{Language, StoreError};

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
        .map_err(|e| explain_full_storage(e.into(), None))
        .with_context(|| format!("cannot open the data in {}", dir.display()))?;
    let language = store.settings().ok().and_then(|s| s.language);
    commands::run(store, cli.command).map_err(|e| explain_full_storage(e, language))
}

/// A full disk is the one failure a seller meets in the middle of a market
/// day, and SQLite's "database or disk is full" says neither that nothing
/// was recorded nor what to do. Say both, in the language the seller chose
/// in the app (English when none).
fn explain_full_storage(e: anyhow::Error, language: Option<Language>) -> anyhow::Error {
    let full = e.chain().any(|cause| {
        cause
            .downcast_ref::<StoreError>()
            .is_some_and(StoreError::is_storage_full)
    });
    if full {
        anyhow::anyhow!(storage_full_sentence(language.unwrap_or(Language::En)))
    } else {
        e
    }
}

fn storage_full_sentence(language: Language) -> &'static str {
    match language {
        Language::En => {
            "this device is full, so nothing was recorded; free some space (old photos, for \
             example) and try again"
        }
        Language::ZhHans => {
            "设备存储空间满了，这次什么都没有记下。请腾出一些空间（比如删掉旧照片）再试。"
        }
        // Needs a native speaker's review.
        Language::Bo => {
            "ཡོ་བྱད་འདི་གང་ཟིན། ཅི་ཡང་ཐོ་འགོད་བྱས་མེད། བར་སྟོང་ཅུང་ཟད་སྟོང་པ་བཟོས་ནས་ (དཔེར་ན་པར་རྙིང་བསུབ།) \
             ཡང་བསྐྱར་ཚོད་ལྟ་བྱོས།"
        }
    }
}

fn default_data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("org", "Highland", "highland")
        .map(|d| d.data_dir().to_owned())
        .context("no home directory to keep data in; pass --data-dir DIR")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_said_in_the_sellers_language_and_other_errors_pass_unchanged() {
        let full = || anyhow::Error::from(StoreError::StorageFull).context("recording the sale");
        let said = |language| explain_full_storage(full(), language).to_string();
        assert_eq!(
            said(None),
            "this device is full, so nothing was recorded; free some space (old photos, for \
             example) and try again"
        );
        assert!(said(Some(Language::ZhHans)).contains("什么都没有记下"));
        assert!(said(Some(Language::Bo)).contains("ཅི་ཡང་ཐོ་འགོད་བྱས་མེད"));
        for language in Language::ALL {
            assert!(!said(Some(language)).contains("database"));
        }
        let other = anyhow::Error::from(StoreError::UnknownSale(highland_domain::SaleId::new()));
        let kept = other.to_string();
        assert_eq!(explain_full_storage(other, None).to_string(), kept);
    }
}
