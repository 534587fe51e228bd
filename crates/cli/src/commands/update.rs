//! `highland update`: fetch the newer Highland the hub carries
//! (docs/releases.md). The app installs it itself; this command is how an
//! operator, or a test, fetches and checks one on a command line.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use highland_engine::Store;
use highland_engine::sync::{self, ReleaseEvent, SyncOptions};

#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    /// The folder to download into (a cut download resumes from there).
    #[arg(long, value_name = "DIR")]
    to: PathBuf,
    /// The publisher's public key: the `.pub` file `tauri signer generate`
    /// wrote, or its content.
    #[arg(long, value_name = "KEY")]
    public_key: String,
    /// Give up after this many seconds (default: keep trying).
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
    #[arg(long)]
    json: bool,
}

pub fn run(store: Store, args: UpdateArgs) -> anyhow::Result<()> {
    let key_file = std::path::Path::new(&args.public_key);
    let public_key = if key_file.is_file() {
        std::fs::read_to_string(key_file)
            .with_context(|| format!("reading {}", key_file.display()))?
    } else {
        args.public_key.clone()
    };
    let options = SyncOptions {
        deadline: args
            .timeout
            .map(|s| Instant::now() + Duration::from_secs(s)),
        ..SyncOptions::default()
    };
    let store = Mutex::new(store);
    let mut on_event = |event: ReleaseEvent| {
        if let ReleaseEvent::Retrying { error, wait_ms } = event {
            eprintln!("retrying in {:.1} s: {error}", wait_ms as f64 / 1000.0);
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let downloaded = runtime.block_on(sync::download_release(
        &store,
        None,
        &args.to,
        public_key.trim(),
        &options,
        &mut on_event,
    ))?;
    if args.json {
        return super::print_json(&serde_json::json!({
            "version": downloaded.manifest.version,
            "path": downloaded.path,
            "size": downloaded.manifest.size,
            "sha256": downloaded.manifest.sha256,
        }));
    }
    println!(
        "Highland {} is in {} ({} bytes), signed by its publisher.",
        downloaded.manifest.version,
        downloaded.path.display(),
        downloaded.manifest.size
    );
    Ok(())
}
