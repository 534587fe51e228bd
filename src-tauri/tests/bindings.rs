//! `ui/src/bindings.ts` is what `export-bindings` writes today: a command or
//! type changed in Rust without regenerating fails here (and so in CI).

use std::path::Path;

#[test]
fn the_committed_typescript_bindings_are_up_to_date() {
    let committed_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(highland_app_lib::BINDINGS_PATH);
    let dir = tempfile::tempdir().unwrap();
    let fresh_path = dir.path().join("bindings.ts");
    highland_app_lib::export_bindings(&fresh_path).unwrap();
    let fresh = std::fs::read_to_string(&fresh_path).unwrap();
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale; regenerate it with `cargo run -p highland-app --bin export-bindings`",
        committed_path.display()
    );
}
