//! `highland-hub export-epcis`: a lot's whole chain as an EPCIS 2.0
//! JSON-LD document, the same as `GET /v1/epcis/events?lot=CODE`.

use std::path::PathBuf;

use anyhow::Context;
use highland_hub::trace::record::lot_code;

use crate::Storage;

#[derive(Debug, clap::Args)]
pub(crate) struct ExportEpcisArgs {
    /// The lot's trace code or id
    #[arg(long, value_name = "CODE")]
    lot: String,
    /// The hub's address as buyers reach it, such as https://hub.example.org:
    /// the document names lots by their trace pages there
    #[arg(long, value_name = "URL", env = "HIGHLAND_HUB_PUBLIC_URL")]
    base_url: String,
    /// Write the document here instead of to standard output
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub(crate) fn run(store: &dyn Storage, args: ExportEpcisArgs, now_ms: u64) -> anyhow::Result<()> {
    let base = super::base_url("--base-url", &args.base_url)?;
    let code = lot_code(&args.lot).context("--lot")?;
    let chain = store.trace_chain(&code, None)?.ok_or_else(|| {
        anyhow::anyhow!(
            "the hub has no lot {}; a village lot arrives with its seller's next sync",
            code.grouped()
        )
    })?;
    let created = chrono::DateTime::from_timestamp_millis(i64::try_from(now_ms)?)
        .context("the system clock")?;
    let document = highland_hub::epcis::document(&chain, base, created);
    let text = serde_json::to_string_pretty(&document)?;
    match args.out {
        // Whole or not at all, as a printout is.
        Some(path) => highland_print::save(format!("{text}\n").as_bytes(), &path)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => println!("{text}"),
    }
    Ok(())
}
