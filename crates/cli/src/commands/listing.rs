use clap::Subcommand;
use highland_domain::quantity::format_in;
use highland_domain::{
    Category, Description, ListingField, ListingId, ListingStatus, LotId, Price, Quantity, Title,
    Unit, Weight,
};
use highland_engine::views::ListingView;
use highland_engine::{NewListing, Store};

use super::print_json;
use crate::table::{Table, yuan};

#[derive(Debug, Subcommand)]
pub enum ListingCommand {
    /// Add a listing; prints its id.
    Add {
        #[arg(long)]
        title: String,
        /// yak-meat, yak-butter, yak-cheese, honey, matsutake, other-mushrooms,
        /// cordyceps, highland-barley, walnuts, medicinal-herbs, handicrafts, other
        #[arg(long, value_name = "CAT")]
        category: String,
        /// kg, jin, g, l, ml, jar, piece or bag
        #[arg(long)]
        unit: String,
        /// Price per unit in yuan, such as 68 or 68.50
        #[arg(long, value_name = "YUAN", allow_hyphen_values = true)]
        price: String,
        /// Stock on hand, in the unit
        #[arg(long, value_name = "QTY", allow_hyphen_values = true)]
        stock: String,
        #[arg(long, value_name = "ID")]
        lot: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// draft, listed, sold-out or archived
        #[arg(long, default_value = "listed")]
        status: String,
        /// What one unit weighs, in kg, for a listing not sold by weight
        /// (a jar, a bag), so the buyer's truck load adds up
        #[arg(long, value_name = "KG")]
        weight_per_unit: Option<String>,
    },
    /// Set what one unit of a listing not sold by weight weighs, in kg.
    Weigh {
        id: String,
        /// In kg, such as 0.75
        #[arg(long, value_name = "KG", required_unless_present = "clear")]
        kg: Option<String>,
        /// Forget it
        #[arg(long, conflicts_with = "kg")]
        clear: bool,
    },
    /// Change a listing's title, price, status or description.
    #[command(group(clap::ArgGroup::new("change").required(true).multiple(true)))]
    Edit {
        id: String,
        #[arg(long, group = "change")]
        title: Option<String>,
        #[arg(
            long,
            value_name = "YUAN",
            group = "change",
            allow_hyphen_values = true
        )]
        price: Option<String>,
        #[arg(long, group = "change")]
        status: Option<String>,
        #[arg(long, group = "change")]
        description: Option<String>,
        #[arg(long, value_name = "ID", group = "change")]
        lot: Option<String>,
    },
    /// List every listing with its stock.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one listing with its sales and stock history.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(store: &mut Store, command: ListingCommand) -> anyhow::Result<()> {
    match command {
        ListingCommand::Add {
            title,
            category,
            unit,
            price,
            stock,
            lot,
            description,
            status,
            weight_per_unit,
        } => {
            let unit: Unit = unit.parse()?;
            let weight = weight_per_unit
                .as_deref()
                .map(Weight::parse_kg)
                .transpose()?;
            let new = NewListing {
                title: Title::parse(&title)?,
                category: category.parse::<Category>()?,
                unit,
                price: Price::parse_yuan(&price)?,
                status: status.parse::<ListingStatus>()?,
                description: description.as_deref().map(Description::parse).transpose()?,
                lot_id: lot.as_deref().map(str::parse::<LotId>).transpose()?,
                stock: Some(Quantity::parse(&stock, unit)?),
            };
            let id = store.add_listing(new)?;
            if weight.is_some() {
                store.weigh_listing(id, weight)?;
            }
            println!("{id}");
        }
        ListingCommand::Weigh { id, kg, clear: _ } => {
            let weight = kg.as_deref().map(Weight::parse_kg).transpose()?;
            store.weigh_listing(id.parse()?, weight)?;
        }
        ListingCommand::Edit {
            id,
            title,
            price,
            status,
            description,
            lot,
        } => {
            let id: ListingId = id.parse()?;
            let mut changes = Vec::new();
            if let Some(t) = title {
                changes.push(ListingField::Title(Title::parse(&t)?));
            }
            if let Some(p) = price {
                changes.push(ListingField::Price(Price::parse_yuan(&p)?));
            }
            if let Some(s) = status {
                changes.push(ListingField::Status(s.parse()?));
            }
            if let Some(d) = description {
                // An empty description clears it.
                let d = (!d.trim().is_empty())
                    .then(|| Description::parse(&d))
                    .transpose()?;
                changes.push(ListingField::Description(d));
            }
            if let Some(l) = lot {
                changes.push(ListingField::Lot(Some(l.parse()?)));
            }
            store.edit_listing(id, changes)?;
        }
        ListingCommand::List { json } => {
            let listings = store.listings()?;
            if json {
                print_json(&listings)?;
            } else {
                print!("{}", listing_table(&listings));
            }
        }
        ListingCommand::Show { id, json } => {
            let detail = store.listing_detail(id.parse()?)?;
            if json {
                return print_json(&detail);
            }
            let l = &detail.listing;
            println!("{}", l.title);
            println!("  id:          {}", l.id);
            println!("  category:    {}", l.category);
            println!("  price:       {} / {}", yuan(l.price_fen), l.unit);
            println!("  stock:       {} {}", l.stock_display, l.unit);
            if l.reserved != 0 {
                let unit: Unit = l.unit.parse()?;
                println!(
                    "  reserved:    {} {} for accepted orders",
                    format_in(l.reserved, unit),
                    l.unit
                );
            }
            println!("  status:      {}", l.status);
            if let Some(d) = &l.description {
                println!("  description: {d}");
            }
            if let Some(lot) = &l.lot_id {
                println!("  lot:         {lot}");
            }
            println!();
            let mut sales = Table::new(&["SOLD AT", "QUANTITY", "TOTAL", "PAYMENT", "BUYER"]);
            for s in &detail.sales {
                sales.row(vec![
                    s.sold_at.clone(),
                    format!("{} {}", s.quantity_display, s.unit),
                    yuan(s.total_fen),
                    s.payment.clone(),
                    s.buyer.clone().unwrap_or_default(),
                ]);
            }
            print!("{}", sales.render());
        }
    }
    Ok(())
}

fn listing_table(listings: &[ListingView]) -> String {
    let mut table = Table::new(&["ID", "TITLE", "CATEGORY", "PRICE", "STOCK", "STATUS"]);
    for l in listings {
        table.row(vec![
            l.id.clone(),
            l.title.clone(),
            l.category.clone(),
            format!("{}/{}", yuan(l.price_fen), l.unit),
            format!("{} {}", l.stock_display, l.unit),
            l.status.clone(),
        ]);
    }
    table.render()
}
