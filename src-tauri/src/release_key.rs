//! Which publisher this build trusts for its updates (docs/releases.md):
//! the key is given when the app is built, never read at run time, so
//! nothing on the tablet can change whom it trusts.

/// The publisher's public key (base64 of the `.pub` file `tauri signer
/// generate` wrote), given when the app is built: `HIGHLAND_RELEASE_PUBKEY`.
/// A build without one cannot update itself (docs/releases.md).
const RELEASE_PUBLIC_KEY: Option<&str> = option_env!("HIGHLAND_RELEASE_PUBKEY");

/// The key this build checks releases with, if it has one.
pub fn release_key() -> Option<&'static str> {
    RELEASE_PUBLIC_KEY.map(str::trim).filter(|k| !k.is_empty())
}
