//! `highland-hub label`: a lot's QR code for the label on its jar or bag,
//! or an A4 sheet of labels for several lots.

use std::path::{Path, PathBuf};

use highland_hub::trace::chain::Chain;
use highland_hub::trace::labels::label_item;
use highland_hub::trace::lot_url;
use highland_hub::trace::record::{StepError, find_lot};
use highland_label::Qr;
use serde::Serialize;

use super::print_json;
use crate::Storage;

#[derive(Debug, clap::Args)]
pub(crate) struct LabelArgs {
    /// The lot's trace code or id; repeat it (or separate codes with
    /// commas) for a sheet of several lots' labels in a .pdf
    #[arg(long, value_name = "CODE", required = true, value_delimiter = ',')]
    lot: Vec<String>,
    /// The hub's address as buyers' phones reach it, such as
    /// https://hub.example.org: the code opens the lot's page there
    #[arg(long, value_name = "URL", env = "HIGHLAND_HUB_PUBLIC_URL")]
    base_url: String,
    /// Where to write it: a .svg or .png file of one lot's code, or a .pdf
    /// of A4 label sheets (3 x 8 labels of 70 x 37 mm a page)
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Written {
    lot_id: String,
    trace_code: String,
    url: String,
    file: PathBuf,
}

#[derive(Serialize)]
struct SheetWritten {
    file: PathBuf,
    pages: usize,
    labels: Vec<LabelWritten>,
}

#[derive(Serialize)]
struct LabelWritten {
    lot_id: String,
    trace_code: String,
    url: String,
    name: String,
    lines: Vec<String>,
}

/// Labels a sheet holds.
const PER_SHEET: usize = 24;

pub(crate) fn run(store: &dyn Storage, args: LabelArgs) -> anyhow::Result<()> {
    let base = super::base_url("--base-url", &args.base_url)?;
    let typed: Vec<&str> = args
        .lot
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    if typed.is_empty() {
        anyhow::bail!("--lot: name at least one lot");
    }
    let is_pdf = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if is_pdf {
        return sheet(store, base, &typed, &args.out, args.json);
    }
    let [typed] = typed[..] else {
        anyhow::bail!(
            "--out {}: an .svg or .png holds one lot's code; write {} lots' labels to a .pdf",
            args.out.display(),
            typed.len()
        );
    };
    let chain = chain_of(store, typed)?;
    let lot = chain.lot;
    let (id, code) = (lot.id, lot.code.clone());
    let url = lot_url(base, &lot);
    Qr::new(&url)?.write_label(&args.out, &code.grouped())?;
    if args.json {
        return print_json(&Written {
            lot_id: id.to_string(),
            trace_code: code.grouped(),
            url,
            file: args.out,
        });
    }
    println!("{}", args.out.display());
    println!("  trace code  {}", code.grouped());
    println!("  opens       {url}");
    Ok(())
}

/// Writes A4 sheets with one label for each lot, in the order given. Every
/// lot is found and every label laid out before the file is written, so an
/// unknown lot or a name too long for a label leaves no file behind.
fn sheet(
    store: &dyn Storage,
    base: &str,
    typed: &[&str],
    out: &Path,
    json: bool,
) -> anyhow::Result<()> {
    let chains = typed
        .iter()
        .map(|t| chain_of(store, t))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let items: Vec<_> = chains.iter().map(|c| label_item(base, c)).collect();
    let fonts = highland_print::Fonts::system()?;
    let pdf = highland_print::label_sheet(&fonts, &items)?;
    highland_print::save(&pdf, out)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    let written = SheetWritten {
        file: out.to_owned(),
        pages: items.len().div_ceil(PER_SHEET),
        labels: chains
            .iter()
            .zip(items)
            .map(|(chain, item)| LabelWritten {
                lot_id: chain.lot.id.to_string(),
                trace_code: item.code,
                url: item.url,
                name: item.name,
                lines: item.lines,
            })
            .collect(),
    };
    if json {
        return print_json(&written);
    }
    println!("{}", out.display());
    println!(
        "  {} labels on {} A4 sheet(s) of 3 x 8",
        written.labels.len(),
        written.pages
    );
    for label in &written.labels {
        println!("  {}  {}", label.trace_code, label.name);
    }
    Ok(())
}

/// The chain of a lot named by its code or id, found as a phone will find
/// it: a label is never printed for a page that would say "no lot".
fn chain_of(store: &dyn Storage, typed: &str) -> anyhow::Result<Chain> {
    let unknown = || {
        anyhow::anyhow!(
            "the hub has no lot {typed}; a village lot arrives with its seller's next sync"
        )
    };
    let lot = find_lot(store, typed).map_err(|e| match e {
        StepError::Hub(highland_hub::Error::UnknownLot(_)) => unknown(),
        other => anyhow::anyhow!("--lot {typed}: {other}"),
    })?;
    store.trace_chain(&lot.code, None)?.ok_or_else(unknown)
}
