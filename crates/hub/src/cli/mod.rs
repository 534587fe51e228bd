//! The operator's commands that have grown past a few lines, one module per
//! noun; main.rs parses the shared flags and hands each its storage.

pub(crate) mod backup;
pub(crate) mod device;
pub(crate) mod epcis;
pub(crate) mod label;
pub(crate) mod migrate;
pub(crate) mod order;
pub(crate) mod release;
pub(crate) mod round;
pub(crate) mod staff;
pub(crate) mod trace;
pub(crate) mod workshop;

/// Prints a value as pretty JSON on stdout.
pub(crate) fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// The hub's public address as typed after `flag`, without a trailing
/// `/`; refused unless it is an http:// or https:// address.
pub(crate) fn base_url<'a>(flag: &str, typed: &'a str) -> anyhow::Result<&'a str> {
    let base = typed.trim().trim_end_matches('/');
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        anyhow::bail!("{flag}: {base:?} is not an http:// or https:// address");
    }
    Ok(base)
}
