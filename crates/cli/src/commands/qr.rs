use std::path::Path;

use anyhow::Context;
use highland_domain::{LotId, TraceCode};
use highland_engine::Store;
use highland_label::{Qr, trace_url};
use serde::Serialize;

use super::print_json;

#[derive(Serialize)]
struct Written<'a> {
    lot_id: String,
    trace_code: String,
    url: String,
    file: &'a Path,
}

pub fn run(store: &Store, lot: &str, out: &Path, json: bool) -> anyhow::Result<()> {
    let id: LotId = lot
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("--lot: {lot:?} is not a lot id; see `highland lot list`"))?;
    if !store.lots()?.iter().any(|l| l.id == id.to_string()) {
        anyhow::bail!("no lot {id} on this device; see `highland lot list`");
    }
    // The code opens a page on the hub, so its address comes from enrollment.
    let hub = store.enrollment()?.context(
        "this device is not enrolled with a hub, and the QR code opens the lot's page \
         there; enroll first with `highland enroll --hub URL --code CODE`",
    )?;
    let code = TraceCode::of_lot(id);
    let url = trace_url(&hub.hub_url, &code);
    Qr::new(&url)?.write_label(out, &code.grouped())?;
    if json {
        return print_json(&Written {
            lot_id: id.to_string(),
            trace_code: code.grouped(),
            url,
            file: out,
        });
    }
    println!("{}", out.display());
    println!("  trace code  {}", code.grouped());
    println!("  opens       {url}");
    Ok(())
}
