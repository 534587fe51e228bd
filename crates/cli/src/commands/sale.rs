use clap::Subcommand;
use highland_domain::{ListingId, PaymentMethod, Price, Quantity, Reason, SaleId, ShortText, Unit};
use highland_engine::{NewSale, Store};

use super::print_json;
use crate::table::{Table, yuan};

#[derive(Debug, Subcommand)]
pub enum SaleCommand {
    /// Record a sale; prints its id.
    Add {
        #[arg(long, value_name = "ID")]
        listing: String,
        /// In the listing's unit, or with a unit of the same kind ("500g")
        #[arg(long, value_name = "QTY", allow_hyphen_values = true)]
        quantity: String,
        /// Price per unit in yuan (default: the listing's price)
        #[arg(long, value_name = "YUAN", allow_hyphen_values = true)]
        price: Option<String>,
        /// cash, wechat, alipay, bank or other
        #[arg(long, default_value = "cash")]
        payment: String,
        #[arg(long)]
        buyer: Option<String>,
        /// Record the sale even if it is more than the stock on this device
        #[arg(long)]
        allow_oversell: bool,
    },
    /// Void a sale recorded by mistake: its stock comes back and it no
    /// longer counts in totals, here and, after a sync, everywhere. An
    /// order's receipt cannot be voided.
    Void {
        /// The sale's id (`highland sale list` shows it)
        id: String,
        /// Why, as the buyer's staff will read it
        #[arg(long)]
        reason: String,
    },
    /// List every sale, oldest first; voided ones are marked.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(store: &mut Store, command: SaleCommand) -> anyhow::Result<()> {
    match command {
        SaleCommand::Add {
            listing,
            quantity,
            price,
            payment,
            buyer,
            allow_oversell,
        } => {
            let listing_id: ListingId = listing.parse()?;
            let payment: PaymentMethod = payment.parse()?;
            let unit_price = price.as_deref().map(Price::parse_yuan).transpose()?;
            let buyer = buyer.as_deref().map(ShortText::parse).transpose()?;
            let unit: Unit = store.listing(listing_id)?.unit.parse()?;
            let id = store.record_sale(NewSale {
                listing_id,
                quantity: Quantity::parse(&quantity, unit)?,
                unit_price,
                payment,
                buyer,
                allow_oversell,
            })?;
            println!("{id}");
        }
        SaleCommand::Void { id, reason } => {
            let id: SaleId = id.parse()?;
            store.void_sale(id, Reason::parse(&reason)?)?;
            println!("{id} voided");
        }
        SaleCommand::List { json } => {
            let sales = store.sales()?;
            if json {
                return print_json(&sales);
            }
            let mut table = Table::new(&[
                "ID", "SOLD AT", "LISTING", "QUANTITY", "TOTAL", "PAYMENT", "VOIDED",
            ]);
            for s in sales {
                table.row(vec![
                    s.id,
                    s.sold_at,
                    s.listing_title,
                    format!("{} {}", s.quantity_display, s.unit),
                    yuan(s.total_fen),
                    s.payment,
                    s.voided.map(|v| v.reason).unwrap_or_default(),
                ]);
            }
            print!("{}", table.render());
        }
    }
    Ok(())
}
