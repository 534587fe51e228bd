//! `highland-hub release add | list | remove`: the app's release files the
//! hub carries, for devices that update from it (docs/releases.md).

use std::path::{Path, PathBuf};

use anyhow::Context;
use axum::body::Bytes;
use clap::Subcommand;
use highland_domain::release::ReleaseSignature;
use highland_domain::{AppVersion, Platform};
use highland_hub::photos::PhotoStore;
use highland_hub::releases::{NewRelease, Release, ReleaseShelf};

use super::print_json;

#[derive(Debug, Subcommand)]
pub(crate) enum ReleaseCommand {
    /// Carry a release file: an AppImage, an installer or an APK, with the
    /// signature `tauri signer sign` (or `tauri build`) wrote beside it.
    Add {
        /// The release file.
        file: PathBuf,
        /// Its version, such as 0.2.0.
        #[arg(long)]
        version: String,
        /// The `.sig` file beside it, or its content.
        #[arg(long, value_name = "SIG")]
        signature: String,
        /// What it runs on, such as linux-x86_64 or android-aarch64
        /// (default: from the file's name: .AppImage and .deb are
        /// linux-x86_64, .msi and .exe windows-x86_64, .apk android-aarch64).
        #[arg(long)]
        platform: Option<String>,
        /// What changed, for the people who update.
        #[arg(long, default_value = "")]
        notes: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List the releases this hub carries, newest first.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Stop carrying a release.
    Remove {
        #[arg(long)]
        platform: String,
        #[arg(long)]
        version: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(command: ReleaseCommand, photos: &PhotoStore) -> anyhow::Result<()> {
    let shelf = ReleaseShelf::beside(photos);
    let runtime = tokio::runtime::Runtime::new()?;
    match command {
        ReleaseCommand::Add {
            file,
            version,
            signature,
            platform,
            notes,
            json,
        } => {
            let new = NewRelease {
                version: version.parse().context("--version")?,
                platform: match platform {
                    Some(p) => p.parse().context("--platform")?,
                    None => platform_of(&file)?,
                },
                file_name: file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                signature: read_signature(&signature)?,
                notes,
            };
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let added = runtime.block_on(shelf.add(new, Bytes::from(bytes), chrono::Utc::now()))?;
            if json {
                return print_json(&added);
            }
            println!(
                "This hub now carries Highland {} for {} ({} bytes, sha256 {}).",
                added.version, added.platform, added.size, added.sha256
            );
            println!("Devices that sync with it will say a new Highland is ready.");
            Ok(())
        }
        ReleaseCommand::List { json } => {
            let all = runtime.block_on(shelf.list())?;
            if json {
                return print_json(&all);
            }
            if all.is_empty() {
                println!("This hub carries no releases.");
            }
            for r in &all {
                print_release(r);
            }
            Ok(())
        }
        ReleaseCommand::Remove {
            platform,
            version,
            json,
        } => {
            let platform: Platform = platform.parse().context("--platform")?;
            let version: AppVersion = version.parse().context("--version")?;
            let removed = runtime.block_on(shelf.remove(platform, &version))?;
            if json {
                return print_json(&removed);
            }
            println!(
                "Removed Highland {} for {}.",
                removed.version, removed.platform
            );
            Ok(())
        }
    }
}

fn print_release(r: &Release) {
    println!(
        "{:<16} {:<12} {:>11} bytes  added {}  {}",
        r.platform.to_string(),
        r.version.to_string(),
        r.size,
        r.added_at,
        r.file_name
    );
}

/// The signature as a path to a `.sig` file, or as the text itself.
fn read_signature(given: &str) -> anyhow::Result<ReleaseSignature> {
    let path = Path::new(given);
    let text = if path.is_file() {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
    } else {
        given.to_owned()
    };
    ReleaseSignature::parse(&text).context("--signature")
}

/// The platform a release file's name says, for the bundles Tauri makes.
fn platform_of(file: &Path) -> anyhow::Result<Platform> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let platform = if name.ends_with(".apk") {
        "android-aarch64"
    } else if name.ends_with(".appimage") || name.ends_with(".deb") {
        "linux-x86_64"
    } else if name.ends_with(".msi") || name.ends_with(".exe") {
        "windows-x86_64"
    } else {
        anyhow::bail!(
            "cannot tell what {name:?} runs on from its name; give --platform, such as \
             linux-x86_64 or android-aarch64"
        );
    };
    Ok(platform.parse()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_comes_from_the_bundles_name() {
        let of = |name: &str| platform_of(Path::new(name)).map(|p| p.to_string()).ok();
        assert_eq!(
            of("Highland_0.2.0_amd64.AppImage").as_deref(),
            Some("linux-x86_64")
        );
        assert_eq!(
            of("app-universal-release.apk").as_deref(),
            Some("android-aarch64")
        );
        assert_eq!(
            of("Highland_0.2.0_x64-setup.exe").as_deref(),
            Some("windows-x86_64")
        );
        assert_eq!(of("Highland.tar.gz"), None);
    }
}
