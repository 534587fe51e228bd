//! Regenerates `ui/src/bindings.ts` from the commands and events declared in
//! Rust. `cargo test -p highland-app` fails while the file is stale.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(highland_app_lib::BINDINGS_PATH);
    match highland_app_lib::export_bindings(&path) {
        Ok(()) => {
            println!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("export-bindings: {e}");
            ExitCode::FAILURE
        }
    }
}
