use chrono::NaiveDate;
use clap::Subcommand;
use highland_domain::{Altitude, Description, ShortText};
use highland_engine::{NewLot, Store};

use super::print_json;
use crate::table::Table;

#[derive(Debug, Subcommand)]
pub enum LotCommand {
    /// Record a lot (a harvest or a slaughter); prints its id.
    Add {
        #[arg(long)]
        village: String,
        /// Metres above sea level
        #[arg(long, value_name = "M")]
        altitude: Option<String>,
        /// The day of harvest or slaughter
        #[arg(long, value_name = "YYYY-MM-DD")]
        harvested: Option<String>,
        /// The growing environment: pasture, forest, slope...
        #[arg(long)]
        environment: Option<String>,
    },
    /// List every lot.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(store: &mut Store, command: LotCommand) -> anyhow::Result<()> {
    match command {
        LotCommand::Add {
            village,
            altitude,
            harvested,
            environment,
        } => {
            let harvested_on = harvested
                .as_deref()
                .map(|d| {
                    NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                        anyhow::anyhow!("harvest date must look like 2026-09-15, not {d:?}")
                    })
                })
                .transpose()?;
            let id = store.add_lot(NewLot {
                village: ShortText::parse(&village)?,
                altitude: altitude
                    .as_deref()
                    .map(str::parse::<Altitude>)
                    .transpose()?,
                harvested_on,
                environment: environment.as_deref().map(Description::parse).transpose()?,
            })?;
            println!("{id}");
        }
        LotCommand::List { json } => {
            let lots = store.lots()?;
            if json {
                return print_json(&lots);
            }
            let mut table = Table::new(&["ID", "VILLAGE", "ALTITUDE", "HARVESTED", "ENVIRONMENT"]);
            for lot in lots {
                table.row(vec![
                    lot.id,
                    lot.village,
                    lot.altitude_m.map(|m| format!("{m} m")).unwrap_or_default(),
                    lot.harvested_on.unwrap_or_default(),
                    lot.environment.unwrap_or_default(),
                ]);
            }
            print!("{}", table.render());
        }
    }
    Ok(())
}
