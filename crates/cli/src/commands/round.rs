//! `highland round list|answer`: the buyer's collection rounds this seller
//! has orders on, and the seller's answer to one.

use clap::Subcommand;
use highland_domain::{Reason, RoundAnswer, RoundId};
use highland_engine::Store;

use super::print_json;

#[derive(Debug, Subcommand)]
pub enum RoundCommand {
    /// When the truck comes, where, and what to bring: open rounds first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Say whether you will be at your stop.
    #[command(group(clap::ArgGroup::new("answer").required(true)))]
    Answer {
        id: String,
        /// I will be there
        #[arg(long, group = "answer")]
        coming: bool,
        /// I cannot come, and why
        #[arg(long, group = "answer", value_name = "REASON")]
        cannot_come: Option<String>,
    },
}

pub fn run(store: &mut Store, command: RoundCommand) -> anyhow::Result<()> {
    match command {
        RoundCommand::List { json } => {
            let rounds = store.rounds()?;
            if json {
                return print_json(&rounds);
            }
            if rounds.is_empty() {
                println!("No rounds.");
            }
            for r in &rounds {
                let bring = r
                    .bring
                    .iter()
                    .map(|b| format!("{} {} of {}", b.quantity_display, b.unit, b.listing_title))
                    .collect::<Vec<_>>()
                    .join(", ");
                let answer = match (r.answer.as_deref(), r.answer_pending) {
                    (Some(a), true) => format!("{a} (waiting for the hub)"),
                    (Some(a), false) => a.to_owned(),
                    (None, _) => "not answered".to_owned(),
                };
                println!(
                    "{}  {} {} at {}  {}  {}  bring: {}  you: {answer}",
                    r.id,
                    r.date,
                    r.stop.expected_at,
                    r.stop.place,
                    r.state,
                    r.vehicle,
                    if bring.is_empty() { "-" } else { &bring }
                );
                if let Some(refusal) = &r.refusal {
                    println!("  refused: {}", refusal.message);
                }
            }
        }
        RoundCommand::Answer {
            id,
            coming,
            cannot_come,
        } => {
            let id: RoundId = id.parse()?;
            let answer = match cannot_come {
                Some(reason) if !coming => RoundAnswer::NotComing {
                    reason: Reason::parse(&reason)?,
                },
                _ => RoundAnswer::Coming,
            };
            store.answer_round(id, answer)?;
        }
    }
    Ok(())
}
