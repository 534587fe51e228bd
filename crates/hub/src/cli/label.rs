//! `highland-hub label`: a lot's QR code for the label on its jar or bag.

use std::path::PathBuf;

use highland_hub::trace::lot_url;
use highland_hub::trace::record::{StepError, find_lot};
use highland_label::Qr;
use serde::Serialize;

use super::print_json;
use crate::Storage;

#[derive(Debug, clap::Args)]
pub(crate) struct LabelArgs {
    /// The lot's trace code or id
    #[arg(long, value_name = "CODE")]
    lot: String,
    /// The hub's address as buyers' phones reach it, such as
    /// https://hub.example.org: the code opens the lot's page there
    #[arg(long, value_name = "URL", env = "HIGHLAND_HUB_PUBLIC_URL")]
    base_url: String,
    /// Where to write it: a .svg or .png file
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

pub(crate) fn run(store: &dyn Storage, args: LabelArgs) -> anyhow::Result<()> {
    let base = args.base_url.trim();
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        anyhow::bail!("--base-url: {base:?} is not an http:// or https:// address");
    }
    // Found as a phone will find it: a label is never printed for a page
    // that would say "no lot".
    let lot = find_lot(store, &args.lot).map_err(|e| match e {
        StepError::Hub(highland_hub::Error::UnknownLot(_)) => anyhow::anyhow!(
            "the hub has no lot {}; a village lot arrives with its seller's next sync",
            args.lot.trim()
        ),
        other => other.into(),
    })?;
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
