//! The operator's commands that have grown past a few lines, one module per
//! noun; main.rs parses the shared flags and hands each its storage.

pub(crate) mod label;
pub(crate) mod order;
pub(crate) mod staff;
pub(crate) mod trace;

/// Prints a value as pretty JSON on stdout.
pub(crate) fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
