//! `highland-hub workshop`: a hub for a class in a village hall, in one
//! command. It seeds the demo village, prints the hub's LAN address and a
//! card (code and QR code) for each trainee, advertises itself by mDNS, and
//! serves until Ctrl-C. The rules are in [`highland_hub::workshop`].

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use highland_hub::admin;
use highland_hub::workshop::{self, Tuning, WorkshopInfo, WorkshopOptions};

#[derive(Debug, Args)]
pub(crate) struct WorkshopArgs {
    /// The address and port to listen on: every interface by default, so
    /// the tablets on the hall's Wi-Fi reach it.
    #[arg(long, default_value = "0.0.0.0:7878", value_name = "ADDR")]
    listen: SocketAddr,
    /// How many trainees the class has; each gets a card with a code.
    #[arg(long, default_value_t = 10, value_name = "N")]
    trainees: u16,
    /// Do not advertise the hub on the LAN by mDNS (tablets must type its address).
    #[arg(long)]
    no_advertise: bool,
    /// How long after a trainee's new listing arrives the workshop's buyer orders it.
    #[arg(long, default_value_t = 8, value_name = "SECONDS")]
    order_after_secs: u64,
    /// Print the workshop's details as one line of JSON instead of cards.
    #[arg(long)]
    json: bool,
}

/// Runs the workshop until the future `stop_signal` makes (inside the
/// runtime, where signals can be caught) resolves. `data_dir` is the
/// workshop's own directory, never a real hub's.
pub(crate) fn run<F: Future<Output = ()>>(
    data_dir: PathBuf,
    args: WorkshopArgs,
    stop_signal: impl FnOnce() -> anyhow::Result<F>,
) -> anyhow::Result<()> {
    let options = WorkshopOptions {
        data_dir,
        listen: args.listen,
        trainees: args.trainees,
        advertise: !args.no_advertise,
    };
    let tuning = Tuning {
        buyer_delay: Duration::from_secs(args.order_after_secs),
        ..Tuning::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let stop = stop_signal()?;
        let running = workshop::start_with(options, tuning)
            .await
            .context("cannot start the workshop")?;
        if args.json {
            println!("{}", serde_json::to_string(running.info())?);
        } else {
            print_cards(running.info());
        }
        std::io::stdout().flush()?;
        stop.await;
        running.shutdown().await;
        anyhow::Ok(())
    })
}

fn print_cards(info: &WorkshopInfo) {
    println!("Highland workshop: tablets join at {}", info.hub_url);
    if info.lan_addresses.is_empty() {
        println!(
            "  (no Wi-Fi or LAN address yet: only this computer reaches the hub; start the \
             hotspot, then start the workshop again)"
        );
    } else if info.lan_addresses.len() > 1 {
        let all: Vec<String> = info.lan_addresses.iter().map(|a| a.to_string()).collect();
        println!("  this computer's addresses: {}", all.join(", "));
    }
    println!();
    println!("Projector:  {}", info.projector_url);
    println!("Console:    {}", info.console_url);
    println!(
        "  sign in as \"{}\" with the token",
        workshop::trainees::TRAINER
    );
    println!("  {}", info.staff_token);
    println!("  (a new token at every start; the console prints the trainees' cards)");
    for card in &info.trainees {
        println!();
        println!("{}: code {}", card.name, card.code);
        if let Some(qr) = admin::qr_for_terminal(&card.enroll_text) {
            println!("{qr}");
        }
    }
    if info.trainees.is_empty() {
        println!();
        println!("Every trainee's tablet has joined already.");
    }
    println!();
    println!("Stop the workshop with Ctrl-C; start it again on the same folder to carry on.");
}
