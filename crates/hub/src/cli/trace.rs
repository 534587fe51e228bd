//! `highland-hub trace record|show`: the steps of a lot's chain at the
//! buyer's (received, processed, inspected, packed, shipped), recorded from
//! the command line, and a lot's whole chain.

use clap::Subcommand;
use highland_domain::TraceCode;
use highland_hub::trace::chain::{LotOrigin, Recorded};
use highland_hub::trace::record::{StepInput, find_lot, record};
use highland_hub::{Storage, SystemClock, WallClock};
use serde::Serialize;

use super::print_json;

#[derive(Debug, Subcommand)]
pub(crate) enum TraceCommand {
    /// Record a step of a lot's chain; prints the lot's trace code (for
    /// processing, the code of the new product lot).
    Record(Box<RecordArgs>),
    /// Show a lot's chain: its lots, steps and certificates.
    Show {
        /// The lot's trace code or id
        lot: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
pub(crate) struct RecordArgs {
    /// received, processed, inspected, packed or shipped
    step: String,
    /// The lot's trace code (as on its label) or id; not for processed
    #[arg(long, default_value = "", hide_default_value = true)]
    lot: String,
    /// Who recorded it: a member of staff's name
    #[arg(long)]
    by: String,
    /// With its unit, such as "20 kg"
    #[arg(long, value_name = "QTY")]
    quantity: Option<String>,
    /// When it happened: YYYY-MM-DD or an RFC 3339 time (default: now)
    #[arg(long)]
    at: Option<String>,
    /// Where it happened, such as "香格里拉 加工厂"
    #[arg(long)]
    place: Option<String>,
    /// received: the order the lot was bought under
    #[arg(long, value_name = "ID")]
    order: Option<String>,
    /// processed: the product's name
    #[arg(long)]
    product: Option<String>,
    /// processed: the product's GTIN, if it has one
    #[arg(long)]
    gtin: Option<String>,
    /// processed: an input lot and the quantity used, CODE=QTY; repeat for each
    #[arg(long = "input", value_name = "CODE=QTY")]
    inputs: Vec<String>,
    /// inspected: who inspected it
    #[arg(long)]
    inspector: Option<String>,
    /// inspected: the inspection certificate's number
    #[arg(long)]
    certificate_number: Option<String>,
    /// inspected: passed or failed
    #[arg(long)]
    result: Option<String>,
    /// packed: how, such as "500 g jars"
    #[arg(long)]
    packaging: Option<String>,
    /// shipped: who it went to
    #[arg(long)]
    to: Option<String>,
    /// An id for this step, so that running the command again records it once
    #[arg(long, value_name = "UUID")]
    event_id: Option<String>,
    /// Print the recorded step as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Written {
    event_id: String,
    lot_id: String,
    trace_code: String,
    recorded: Recorded,
}

pub(crate) fn run(store: &dyn Storage, command: TraceCommand) -> anyhow::Result<()> {
    match command {
        TraceCommand::Record(args) => {
            let input = StepInput {
                step: args.step,
                lot: args.lot,
                quantity: args.quantity,
                at: args.at,
                place: args.place,
                order: args.order,
                product: args.product,
                gtin: args.gtin,
                inputs: args.inputs,
                inspector: args.inspector,
                certificate_number: args.certificate_number,
                result: args.result,
                packaging: args.packaging,
                to: args.to,
                event_id: args.event_id,
            };
            let (event, recorded) = record(store, &input, &args.by, SystemClock.now_ms())?;
            let code = TraceCode::of_lot(event.lot_id);
            if args.json {
                return print_json(&Written {
                    event_id: event.id.to_string(),
                    lot_id: event.lot_id.to_string(),
                    trace_code: code.grouped(),
                    recorded,
                });
            }
            println!("{}", code.grouped());
            if recorded == Recorded::AlreadyKnown {
                eprintln!("(this step was already recorded; nothing changed)");
            }
            Ok(())
        }
        TraceCommand::Show { lot, json } => {
            let code = find_lot(store, &lot)?.code;
            let chain = store
                .trace_chain(&code, None)?
                .ok_or_else(|| anyhow::anyhow!("the hub has no lot {}", code.grouped()))?;
            if json {
                return print_json(&chain);
            }
            for lot in &chain.lots {
                match &lot.origin {
                    LotOrigin::Harvest { lot: h, .. } => println!(
                        "{}  harvest  {}  {}",
                        lot.code.grouped(),
                        h.village,
                        h.harvested_on.map(|d| d.to_string()).unwrap_or_default()
                    ),
                    LotOrigin::Product { product, made_at } => println!(
                        "{}  product  {}  {}  {}",
                        lot.code.grouped(),
                        product.name,
                        product.quantity,
                        made_at.date_naive()
                    ),
                }
            }
            for event in &chain.events {
                println!(
                    "{}  {}  {}  by {}",
                    event.at.format("%Y-%m-%d %H:%M"),
                    event.step.kind().slug(),
                    TraceCode::of_lot(event.lot_id).grouped(),
                    event.recorded_by
                );
            }
            for c in &chain.certificates {
                println!(
                    "{}  certificate  {}  {}  {}",
                    c.issued_on, c.product, c.quantity, c.issuer
                );
            }
            Ok(())
        }
    }
}
