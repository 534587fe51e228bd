//! `highland-hub round create|edit|list|show|move|route|load|cost|costs`:
//! collection rounds from the command line. Each command is one call to
//! [`Storage`], so it works while `serve` runs.

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use highland_domain::{
    Money, OrderId, Quantity, RoundCost, RoundId, RoundState, ShortText, Unit, Weight,
};
use highland_exchange::rounds::view::RoundDetail;
use highland_exchange::rounds::{LoadEntry, PlannedStop, RoundChoice, RoundPlan};
use highland_hub::Storage;

use super::print_json;

#[derive(Debug, Subcommand)]
pub(crate) enum RoundCommand {
    /// Plan a round; prints its id.
    Create {
        #[command(flatten)]
        plan: PlanArgs,
        /// Print the round as JSON instead of its id.
        #[arg(long)]
        json: bool,
    },
    /// Replace an open round's plan; its sellers hear on their next sync.
    Edit {
        id: String,
        #[command(flatten)]
        plan: PlanArgs,
        #[arg(long)]
        json: bool,
    },
    /// Rounds, newest first, with their loads in kg.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One round, stop by stop, order by order.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Move a round on: loading, on-the-road, done; or cancelled.
    Move {
        id: String,
        #[arg(long, value_name = "STATE")]
        to: String,
        #[arg(long)]
        json: bool,
    },
    /// Put an order on a round (at the stop of its seller's village unless
    /// --stop says), or take it off any with --off.
    Route {
        #[arg(long, value_name = "ID")]
        order: String,
        #[arg(long, value_name = "ID", required_unless_present = "off")]
        round: Option<String>,
        #[arg(long, value_name = "ID")]
        stop: Option<String>,
        #[arg(long, conflicts_with_all = ["round", "stop"])]
        off: bool,
    },
    /// Record what was loaded for an order at its stop.
    Load {
        id: String,
        #[arg(long, value_name = "ID")]
        stop: String,
        #[arg(long, value_name = "ID")]
        order: String,
        /// In the order's unit
        #[arg(long, value_name = "QTY")]
        quantity: String,
        /// What it weighed, in kg: needed for jars, pieces, bags, litres
        #[arg(long, value_name = "KG")]
        weight: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Record what a done round cost, in yuan.
    Cost {
        id: String,
        #[arg(long, value_name = "YUAN")]
        fuel: String,
        #[arg(long, value_name = "YUAN")]
        driver: String,
        #[arg(long, value_name = "YUAN")]
        tolls: String,
        #[arg(long)]
        json: bool,
    },
    /// What each kilogram cost, per round and per village.
    Costs {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    /// The day of the trip, YYYY-MM-DD
    #[arg(long)]
    date: String,
    /// The truck, as staff name it
    #[arg(long)]
    vehicle: String,
    /// What it carries, in kg
    #[arg(long, value_name = "KG")]
    capacity: String,
    /// A stop, in the order the truck makes them: "10:30 Yubeng"
    #[arg(long = "stop", value_name = "HH:MM PLACE", required = true)]
    stops: Vec<String>,
}

impl PlanArgs {
    fn plan(&self) -> anyhow::Result<RoundPlan> {
        Ok(RoundPlan {
            date: NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d").with_context(|| {
                format!("--date: {:?} is not a date such as 2026-10-15", self.date)
            })?,
            vehicle: ShortText::parse(&self.vehicle).context("--vehicle")?,
            capacity: Weight::parse_kg(&self.capacity).context("--capacity")?,
            stops: self
                .stops
                .iter()
                .map(|s| PlannedStop::parse_line(s))
                .collect::<Result<_, _>>()
                .context("--stop")?,
        })
    }
}

pub(crate) fn run(store: &dyn Storage, command: RoundCommand, now_ms: u64) -> anyhow::Result<()> {
    match command {
        RoundCommand::Create { plan, json } => {
            let round = store.plan_round(RoundId::new(), &plan.plan()?, now_ms)?;
            shown(&round, json, false)
        }
        RoundCommand::Edit { id, plan, json } => {
            let round = store.edit_round(id.parse()?, &plan.plan()?, now_ms)?;
            shown(&round, json, true)
        }
        RoundCommand::List { json } => {
            let rounds = store.rounds(None, 500)?;
            if json {
                return print_json(&rounds);
            }
            if rounds.is_empty() {
                println!("No rounds.");
            }
            for r in &rounds {
                println!("{}", summary(r));
            }
            Ok(())
        }
        RoundCommand::Show { id, json } => {
            let id: RoundId = id.parse()?;
            let round = store
                .round(id)?
                .with_context(|| format!("no round with id {id}"))?;
            shown(&round, json, true)
        }
        RoundCommand::Move { id, to, json } => {
            let to: RoundState = to.parse().context("--to")?;
            let round = store.move_round(id.parse()?, to, now_ms)?;
            shown(&round, json, false)
        }
        RoundCommand::Route {
            order,
            round,
            stop,
            off: _,
        } => {
            let order: OrderId = order.parse().context("--order")?;
            let to = choice(round.as_deref(), stop.as_deref())?;
            let routed = store.route_order(order, to, None, now_ms)?;
            println!(
                "{}  round {}  stop {}",
                routed.order.id,
                routed.order.round_id.as_deref().unwrap_or("-"),
                routed.order.stop_id.as_deref().unwrap_or("-")
            );
            Ok(())
        }
        RoundCommand::Load {
            id,
            stop,
            order,
            quantity,
            weight,
            json,
        } => {
            let order: OrderId = order.parse().context("--order")?;
            let unit: Unit = store
                .order(order)?
                .with_context(|| format!("no order with id {order}"))?
                .order
                .unit
                .parse()?;
            let entry = LoadEntry {
                order,
                quantity: Quantity::parse(&quantity, unit).context("--quantity")?,
                weight: weight
                    .as_deref()
                    .map(Weight::parse_kg)
                    .transpose()
                    .context("--weight")?,
            };
            let round = store.load_at_stop(
                id.parse()?,
                stop.parse().context("--stop")?,
                &[entry],
                None,
                now_ms,
            )?;
            shown(&round, json, false)
        }
        RoundCommand::Cost {
            id,
            fuel,
            driver,
            tolls,
            json,
        } => {
            let cost = RoundCost {
                fuel: Money::parse_yuan(&fuel).context("--fuel")?,
                driver: Money::parse_yuan(&driver).context("--driver")?,
                tolls: Money::parse_yuan(&tolls).context("--tolls")?,
            };
            let round = store.record_round_cost(id.parse()?, &cost, now_ms)?;
            shown(&round, json, false)
        }
        RoundCommand::Costs { json } => {
            let report = store.round_costs()?;
            if json {
                return print_json(&report);
            }
            for r in &report.rounds {
                let per_kg = r
                    .fen_per_kg
                    .map_or("-".to_owned(), |f| format!("{f} fen/kg"));
                println!("{}  {}  {}  {per_kg}", r.date, r.round_id, r.vehicle);
            }
            for v in &report.villages {
                let per_kg = v
                    .fen_per_kg
                    .map_or("-".to_owned(), |f| format!("{f} fen/kg"));
                println!("{}  {} rounds  {per_kg}", v.village, v.points.len());
            }
            Ok(())
        }
    }
}

/// The round and stop typed after `--round` and `--stop`, if any.
pub(crate) fn choice(
    round: Option<&str>,
    stop: Option<&str>,
) -> anyhow::Result<Option<RoundChoice>> {
    let Some(round) = round else {
        return Ok(None);
    };
    Ok(Some(RoundChoice {
        round: round.parse().context("--round")?,
        stop: stop.map(str::parse).transpose().context("--stop")?,
    }))
}

/// Prints a round: as JSON, in full, or its id alone.
fn shown(round: &RoundDetail, json: bool, full: bool) -> anyhow::Result<()> {
    if json {
        return print_json(round);
    }
    if !full {
        println!("{}", round.id);
        return Ok(());
    }
    println!("{}", summary(round));
    for stop in &round.stops {
        println!(
            "  {} {}  {}  expected {} kg, confirmed {} kg, loaded {} kg",
            stop.expected_at,
            stop.place,
            stop.id,
            kg(stop.totals.expected_g),
            kg(stop.totals.confirmed_g),
            kg(stop.totals.loaded_g)
        );
        for line in &stop.lines {
            println!(
                "    {}  {}  {} {} of {}  {}",
                line.order_id,
                line.seller_name,
                line.quantity_display,
                line.unit,
                line.listing_title,
                line.state
            );
        }
    }
    Ok(())
}

/// One line per round: id, date, state, vehicle, how full.
fn summary(r: &RoundDetail) -> String {
    format!(
        "{}  {}  {}  {}  {} of {} kg ({}%){}",
        r.id,
        r.date,
        r.state,
        r.vehicle,
        kg(r.totals.expected_g.max(r.totals.loaded_g)),
        kg(r.capacity_g),
        r.totals.share_permille / 10,
        if r.totals.over_capacity {
            "  OVER CAPACITY"
        } else {
            ""
        }
    )
}

fn kg(grams: i64) -> String {
    highland_domain::quantity::format_in(grams, Unit::Kg)
}
