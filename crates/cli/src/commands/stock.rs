use clap::Subcommand;
use highland_domain::{AdjustmentKind, ListingId, QuantityDelta, Reason, Unit};
use highland_engine::Store;

#[derive(Debug, Subcommand)]
pub enum StockCommand {
    /// Add (positive) or remove (negative) stock, with the reason.
    Adjust {
        id: String,
        /// In the listing's unit; negative removes stock
        #[arg(long, value_name = "QTY", allow_hyphen_values = true)]
        by: String,
        #[arg(long)]
        reason: String,
    },
}

pub fn run(store: &mut Store, command: StockCommand) -> anyhow::Result<()> {
    match command {
        StockCommand::Adjust { id, by, reason } => {
            let id: ListingId = id.parse()?;
            let reason = Reason::parse(&reason)?;
            let unit: Unit = store.listing(id)?.unit.parse()?;
            let change = QuantityDelta::parse(&by, unit)?;
            store.adjust_stock(id, change, AdjustmentKind::Correction, Some(reason))?;
        }
    }
    Ok(())
}
