//! `highland-hub order place|list|show|hand-over|receive|pay|cancel`: what
//! the buyer's staff do with orders, from the command line. Each command is
//! one call to [`Storage`], so it works while `serve` runs.

use anyhow::Context;
use chrono::NaiveDate;
use clap::Subcommand;
use highland_domain::{
    Description, ListingId, Money, OrderAction, OrderId, OrderState, PaymentMethod, Price,
    Quantity, Reason, Unit,
};
use highland_exchange::orders::{NewOrder, OrderFilter};
use highland_hub::{OrderDetail, OrderView, SellerId, Storage};

use super::print_json;

#[derive(Debug, Subcommand)]
pub(crate) enum OrderCommand {
    /// Place an order for a listing; prints its id. The seller's devices get
    /// it on their next sync.
    Place {
        #[arg(long, value_name = "ID")]
        listing: String,
        /// In the listing's unit, or with a unit of the same kind ("500g")
        #[arg(long, value_name = "QTY", allow_hyphen_values = true)]
        quantity: String,
        /// Price per unit of the listing, in yuan
        #[arg(long, value_name = "YUAN", allow_hyphen_values = true)]
        price: String,
        /// The day the goods are wanted by, YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        hand_over_by: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// A planned or loading collection round for the order to ride
        #[arg(long, value_name = "ID")]
        round: Option<String>,
        /// The round's stop; without it, the stop at the seller's village
        #[arg(long, value_name = "ID", requires = "round")]
        stop: Option<String>,
        /// Print the order as JSON instead of its id.
        #[arg(long)]
        json: bool,
    },
    /// List orders, oldest first.
    List {
        /// placed, accepted, declined, handed-over, received, paid or cancelled
        #[arg(long)]
        state: Option<String>,
        /// Only this seller's.
        #[arg(long, value_name = "ID")]
        seller: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show one order with its history.
    Show {
        id: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Record that the seller handed the goods over, when they did not.
    HandOver {
        id: String,
        /// Print the order as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record what the buyer received, which records the sale.
    Receive {
        id: String,
        /// What arrived, in the listing's unit; it may differ from the order
        #[arg(long, value_name = "QTY", allow_hyphen_values = true)]
        quantity: String,
        /// Print the order as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record the payment for a received order.
    Pay {
        id: String,
        /// In yuan
        #[arg(long, value_name = "YUAN", allow_hyphen_values = true)]
        amount: String,
        /// cash, wechat, alipay, bank or other
        #[arg(long, default_value = "bank")]
        method: String,
        /// Print the order as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Cancel an order that is placed or accepted, saying why.
    Cancel {
        id: String,
        #[arg(long)]
        reason: String,
        /// Print the order as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(store: &dyn Storage, command: OrderCommand, now_ms: u64) -> anyhow::Result<()> {
    match command {
        OrderCommand::Place {
            listing,
            quantity,
            price,
            hand_over_by,
            note,
            round,
            stop,
            json,
        } => {
            let listing_id: ListingId = listing.parse().context("--listing")?;
            let unit: Unit = store
                .listing(listing_id)?
                .with_context(|| format!("no listing with id {listing_id}"))?
                .unit
                .parse()?;
            let new = NewOrder {
                id: OrderId::new(),
                listing_id,
                quantity: Quantity::parse(&quantity, unit).context("--quantity")?,
                unit_price: Price::parse_yuan(&price).context("--price")?,
                hand_over_by: hand_over_by
                    .as_deref()
                    .map(parse_date)
                    .transpose()
                    .context("--hand-over-by")?,
                note: note
                    .as_deref()
                    .map(Description::parse)
                    .transpose()
                    .context("--note")?,
                round: super::round::choice(round.as_deref(), stop.as_deref())?,
            };
            let placed = store.place_order(&new, None, now_ms)?;
            if json {
                return print_json(&placed);
            }
            println!("{}", placed.order.id);
            Ok(())
        }
        OrderCommand::List {
            state,
            seller,
            json,
        } => {
            let mut filter = OrderFilter {
                state: state
                    .as_deref()
                    .map(str::parse::<OrderState>)
                    .transpose()
                    .context("--state")?,
                seller: seller
                    .as_deref()
                    .map(str::parse::<SellerId>)
                    .transpose()
                    .context("--seller")?,
                limit: OrderFilter::MAX_LIMIT,
                ..OrderFilter::default()
            };
            let mut orders = Vec::new();
            loop {
                let page = store.orders(&filter)?;
                orders.extend(page.orders);
                match page.next_after {
                    Some(after) => filter.after = Some(after.parse()?),
                    None => break,
                }
            }
            if json {
                return print_json(&orders);
            }
            if orders.is_empty() {
                println!("No orders.");
            }
            for o in &orders {
                println!("{}", summary(o));
            }
            Ok(())
        }
        OrderCommand::Show { id, json } => {
            let id: OrderId = id.parse()?;
            let detail = store
                .order(id)?
                .with_context(|| format!("no order with id {id}"))?;
            if json {
                return print_json(&detail);
            }
            print_detail(&detail);
            Ok(())
        }
        OrderCommand::HandOver { id, json } => {
            act(store, &id, |_| Ok(OrderAction::HandOver), json, now_ms)
        }
        OrderCommand::Receive { id, quantity, json } => act(
            store,
            &id,
            |order| {
                let unit: Unit = order.unit.parse()?;
                Ok(OrderAction::Receive {
                    quantity: Quantity::parse(&quantity, unit).context("--quantity")?,
                })
            },
            json,
            now_ms,
        ),
        OrderCommand::Pay {
            id,
            amount,
            method,
            json,
        } => {
            let amount = Money::parse_yuan(&amount).context("--amount")?;
            let method: PaymentMethod = method.parse().context("--method")?;
            act(
                store,
                &id,
                |_| Ok(OrderAction::Pay { amount, method }),
                json,
                now_ms,
            )
        }
        OrderCommand::Cancel { id, reason, json } => {
            let reason = Reason::parse(&reason).context("--reason")?;
            act(
                store,
                &id,
                |_| Ok(OrderAction::Cancel { reason }),
                json,
                now_ms,
            )
        }
    }
}

/// Takes a staff action on order `id`; `action` builds it from the order as
/// it stands (a receipt is typed in the order's unit).
fn act(
    store: &dyn Storage,
    id: &str,
    action: impl FnOnce(&OrderView) -> anyhow::Result<OrderAction>,
    json: bool,
    now_ms: u64,
) -> anyhow::Result<()> {
    let id: OrderId = id.parse()?;
    let order = store
        .order(id)?
        .with_context(|| format!("no order with id {id}"))?;
    let action = action(&order.order)?;
    let done = store.act_on_order(id, action, None, now_ms)?;
    if json {
        return print_json(&done);
    }
    println!("{}", summary(&done.order));
    Ok(())
}

fn parse_date(text: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .with_context(|| format!("{text:?} is not a date such as 2026-12-01"))
}

/// One line per order: id, state, what and how much, for whom.
fn summary(o: &OrderView) -> String {
    format!(
        "{}  {}  {} {} of {}  {} fen  seller {}",
        o.id, o.state, o.quantity_display, o.unit, o.listing_title, o.total_fen, o.seller_id
    )
}

fn print_detail(detail: &OrderDetail) {
    let o = &detail.order;
    println!("{}", summary(o));
    println!("  listing        {}", o.listing_id);
    println!("  price          {} fen per {}", o.unit_price_fen, o.unit);
    if let Some(by) = &o.hand_over_by {
        println!("  hand over by   {by}");
    }
    if let Some(note) = &o.note {
        println!("  note           {note}");
    }
    if let Some(reason) = &o.reason {
        println!("  reason         {reason}");
    }
    if let Some(received) = &o.received_display {
        println!("  received       {received} {}", o.unit);
    }
    if let (Some(paid), Some(method)) = (o.paid_fen, &o.paid_method) {
        println!("  paid           {paid} fen ({method})");
    }
    if let Some(sale) = &o.sale_id {
        println!("  sale           {sale}");
    }
    for h in &detail.history {
        let by = h.staff.as_deref().unwrap_or(&h.actor);
        let what = h
            .reason
            .clone()
            .or_else(|| {
                h.quantity_display
                    .clone()
                    .map(|q| format!("{q} {}", o.unit))
            })
            .or_else(|| h.amount_fen.map(|a| format!("{a} fen")))
            .unwrap_or_default();
        let line = format!("  {}  {:<9} {by}  {what}", h.at, h.action);
        println!("{}", line.trim_end());
    }
}
