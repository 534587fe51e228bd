//! `highland-hub staff add|list|revoke`: the buyer's staff and their tokens.

use anyhow::Context;
use clap::Subcommand;
use highland_hub::Storage;
use highland_hub::admin::format_ms;
use highland_hub::staff::{self, StaffMember};
use serde::Serialize;

use super::print_json;

#[derive(Debug, Subcommand)]
pub(crate) enum StaffCommand {
    /// Add a member of the buyer's staff and print their API token, once.
    Add {
        /// Their name, which they also log in to the console with.
        #[arg(long)]
        name: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List the members of staff (never their tokens: the hub has only hashes).
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a member's token and end their console sessions, at once.
    Revoke {
        #[arg(long)]
        name: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// A member as `staff list --json` prints them.
#[derive(Serialize)]
struct Listed {
    staff_id: String,
    name: String,
    created_at: String,
    revoked_at: Option<String>,
}

impl From<StaffMember> for Listed {
    fn from(m: StaffMember) -> Self {
        Listed {
            staff_id: m.id.to_string(),
            name: m.name,
            created_at: format_ms(m.created_at_ms),
            revoked_at: m.revoked_at_ms.map(format_ms),
        }
    }
}

pub(crate) fn run(store: &dyn Storage, command: StaffCommand, now_ms: u64) -> anyhow::Result<()> {
    match command {
        StaffCommand::Add { name, json } => {
            let name = staff::parse_name(&name).context("--name")?;
            let added = staff::add_staff(store, name, now_ms)?;
            if json {
                return print_json(&added);
            }
            println!("Staff member added: {}", added.name);
            println!("  staff id  {}", added.staff_id);
            println!("  token     {}", added.token);
            println!();
            println!("The token is shown this once; the hub keeps only its hash. Keep it safe.");
            println!("Send it as \"Authorization: Bearer <token>\", or log in to the console");
            println!("with the name and the token.");
            Ok(())
        }
        StaffCommand::List { json } => {
            let members: Vec<Listed> = store.staff()?.into_iter().map(Listed::from).collect();
            if json {
                return print_json(&members);
            }
            if members.is_empty() {
                println!("No staff yet: add them with `highland-hub staff add --name NAME`.");
            }
            for m in &members {
                let revoked = m
                    .revoked_at
                    .as_deref()
                    .map(|at| format!("  revoked {at}"))
                    .unwrap_or_default();
                println!(
                    "{}  {}  added {}{revoked}",
                    m.staff_id, m.name, m.created_at
                );
            }
            Ok(())
        }
        StaffCommand::Revoke { name, json } => {
            let revoked = Listed::from(store.revoke_staff(&name, now_ms)?);
            if json {
                return print_json(&revoked);
            }
            println!(
                "Revoked {}: their token no longer works and their sessions have ended.",
                revoked.name
            );
            Ok(())
        }
    }
}
