//! Finding a workshop hub on the LAN, so a trainee need not type its address.

use std::time::Duration;

use highland_discovery::{FoundHub, browse};

use super::print_json;

/// How long `enroll` without `--hub` listens for hubs.
const ENROLL_WAIT: Duration = Duration::from_secs(3);

pub fn list(wait_secs: u64, json: bool) -> anyhow::Result<()> {
    let hubs = browse(Duration::from_secs(wait_secs))?;
    if json {
        let hubs: Vec<_> = hubs
            .iter()
            .map(|hub| serde_json::json!({"name": hub.name, "url": hub.url}))
            .collect();
        return print_json(&hubs);
    }
    if hubs.is_empty() {
        println!("no hub found on this network");
    }
    for FoundHub { name, url } in &hubs {
        println!("{url}  {name}");
    }
    Ok(())
}

/// The hub to enroll with when none was named: the only one on the network.
pub fn the_one_hub() -> anyhow::Result<String> {
    let mut hubs = browse(ENROLL_WAIT)?;
    match hubs.len() {
        0 => anyhow::bail!("no hub found on this network; pass its address with --hub URL"),
        1 => Ok(hubs.remove(0).url),
        _ => {
            let urls: Vec<String> = hubs
                .iter()
                .map(|h| format!("{} ({})", h.url, h.name))
                .collect();
            anyhow::bail!(
                "several hubs on this network: {}; choose one with --hub URL",
                urls.join(", ")
            )
        }
    }
}
