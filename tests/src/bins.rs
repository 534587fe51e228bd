//! Finding the real `highland` and `highland-hub` binaries, built and up to date.
//!
//! Cargo's `CARGO_BIN_EXE_*` variables only exist for a package's own binaries, so the binaries
//! of highland-cli and highland-hub are looked up next to the running executable: a test runs
//! from `target/PROFILE/deps/`, a bench binary from `target/PROFILE/`, and Cargo puts binaries
//! in `target/PROFILE/`.
//!
//! Cargo builds only the packages asked for, so `cargo nextest run -p highland-e2e` would run
//! against whatever binaries an earlier build left there, possibly stale. To rule that out, the
//! first lookup in a process runs `cargo build [--release] -p highland-cli -p highland-hub`
//! (a no-op taking a fraction of a second when they are up to date, and it waits for any other
//! build's lock). Set `HIGHLAND_E2E_NO_BUILD=1` to skip that and use the binaries as they are,
//! and `HIGHLAND_E2E_BIN_DIR=DIR` to take them from elsewhere.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The device's command line.
pub const HIGHLAND: &str = "highland";
/// The hub.
pub const HIGHLAND_HUB: &str = "highland-hub";

/// The path of one of the two binaries, building them first (once per process) unless
/// `HIGHLAND_E2E_NO_BUILD` is set.
///
/// Panics with what to do when they cannot be built or found: without them nothing here can run.
pub fn bin(name: &str) -> PathBuf {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let dir = DIR
        .get_or_init(prepare)
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing; run `cargo build -p highland-cli -p highland-hub` (with --release for a \
         release bench)",
        path.display()
    );
    path
}

fn prepare() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("HIGHLAND_E2E_BIN_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let dir = profile_dir()?;
    if std::env::var_os("HIGHLAND_E2E_NO_BUILD").is_none() {
        build(&dir)?;
    }
    Ok(dir)
}

/// `target/PROFILE`, from where the running executable is.
fn profile_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot tell where I run from: {e}"))?;
    let mut dir = exe
        .parent()
        .ok_or_else(|| format!("{} has no directory", exe.display()))?;
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir = dir.parent().unwrap_or(dir);
    }
    Ok(dir.to_owned())
}

fn build(profile_dir: &Path) -> Result<(), String> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("the e2e package has no parent directory")?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(workspace).args([
        "build",
        "--quiet",
        "-p",
        "highland-cli",
        "-p",
        "highland-hub",
    ]);
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            command.arg("--release");
        }
        Some(profile) => {
            command.args(["--profile", profile]);
        }
    }
    let output = command.output().map_err(|e| {
        format!(
            "cannot run cargo to build the binaries ({e}); build them with `cargo build -p \
             highland-cli -p highland-hub` and set HIGHLAND_E2E_NO_BUILD=1"
        )
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "building highland-cli and highland-hub failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}
