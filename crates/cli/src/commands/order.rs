use clap::Subcommand;
use highland_domain::{OrderId, Reason};
use highland_engine::Store;
use highland_engine::views::{OrderDetail, OrderView};

use super::print_json;
use crate::table::{Table, yuan};

#[derive(Debug, Subcommand)]
pub enum OrderCommand {
    /// List the buyer's orders, oldest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one order with what the hub confirmed of it.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Accept an order; its quantity is held back from the listing's stock.
    Accept {
        id: String,
        /// Accept even if it is more than the stock on this device
        #[arg(long)]
        allow_oversell: bool,
    },
    /// Decline an order, saying why.
    Decline {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Record that the goods went to the buyer.
    HandedOver { id: String },
}

pub fn run(store: &mut Store, command: OrderCommand) -> anyhow::Result<()> {
    match command {
        OrderCommand::List { json } => {
            let orders = store.orders()?;
            if json {
                return print_json(&orders);
            }
            let mut table = Table::new(&["ID", "LISTING", "QUANTITY", "TOTAL", "BY", "STATE"]);
            for o in &orders {
                table.row(vec![
                    o.id.clone(),
                    o.listing_title.clone(),
                    format!("{} {}", o.quantity_display, o.unit),
                    yuan(o.total_fen),
                    o.hand_over_by.clone().unwrap_or_default(),
                    state_line(o),
                ]);
            }
            print!("{}", table.render());
        }
        OrderCommand::Show { id, json } => {
            let detail = store.order(id.parse()?)?;
            if json {
                return print_json(&detail);
            }
            print_detail(&detail);
        }
        OrderCommand::Accept { id, allow_oversell } => {
            store.accept_order(id.parse()?, allow_oversell)?;
        }
        OrderCommand::Decline { id, reason } => {
            let id: OrderId = id.parse()?;
            store.decline_order(id, Reason::parse(&reason)?)?;
        }
        OrderCommand::HandedOver { id } => {
            store.hand_over_order(id.parse()?)?;
        }
    }
    Ok(())
}

/// "accepted (waiting for the hub)", or the state alone once the hub agrees.
fn state_line(o: &OrderView) -> String {
    match &o.pending_action {
        Some(_) => format!("{} (waiting for the hub)", o.state),
        None => o.state.clone(),
    }
}

fn print_detail(detail: &OrderDetail) {
    let o = &detail.order;
    println!("{}", o.listing_title);
    println!("  id:           {}", o.id);
    println!("  quantity:     {} {}", o.quantity_display, o.unit);
    println!("  price:        {} / {}", yuan(o.unit_price_fen), o.unit);
    println!("  total:        {}", yuan(o.total_fen));
    if let Some(by) = &o.hand_over_by {
        println!("  hand over by: {by}");
    }
    if let Some(note) = &o.note {
        println!("  note:         {note}");
    }
    println!("  state:        {}", state_line(o));
    if let Some(reason) = &o.reason {
        println!("  reason:       {reason}");
    }
    if let Some(received) = &o.received_display {
        println!("  received:     {received} {}", o.unit);
    }
    if let Some(paid) = o.paid_fen {
        let method = o.paid_method.as_deref().unwrap_or_default();
        println!("  paid:         {} ({method})", yuan(paid));
    }
    if let Some(refusal) = &o.refusal {
        println!("  refused:      {} ({})", refusal.message, refusal.action);
    }
    println!();
    let mut history = Table::new(&["AT", "BY", "ACTION", "DETAIL"]);
    for h in &detail.history {
        let detail = match (&h.reason, &h.quantity_display, h.amount_fen) {
            (Some(reason), _, _) => reason.clone(),
            (_, Some(quantity), _) => format!("{quantity} {}", o.unit),
            (_, _, Some(amount)) => format!(
                "{} {}",
                yuan(amount),
                h.method.as_deref().unwrap_or_default()
            ),
            _ => String::new(),
        };
        history.row(vec![
            h.at.clone(),
            h.actor.clone(),
            h.action.clone(),
            detail,
        ]);
    }
    print!("{}", history.render());
}
