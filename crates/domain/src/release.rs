//! The app's releases as a hub carries them (docs/releases.md): which
//! build runs on which kind of device, and which version is newer. Tablets
//! in China get no app-store updates, so a hub, a workshop's included,
//! carries the release files and each device learns of them as it syncs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A kind of device a release file runs on, named as Tauri's updater
/// names it: `{os}-{arch}`, such as `linux-x86_64` or `android-aarch64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    os: Os,
    arch: Arch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Os {
    Linux,
    Windows,
    Darwin,
    Android,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Arch {
    X86_64,
    Aarch64,
    Armv7,
    I686,
}

const OSES: [(Os, &str); 4] = [
    (Os::Linux, "linux"),
    (Os::Windows, "windows"),
    (Os::Darwin, "darwin"),
    (Os::Android, "android"),
];
const ARCHES: [(Arch, &str); 4] = [
    (Arch::X86_64, "x86_64"),
    (Arch::Aarch64, "aarch64"),
    (Arch::Armv7, "armv7"),
    (Arch::I686, "i686"),
];

impl Platform {
    /// The platform this build runs on, when it is one Highland ships for.
    pub fn current() -> Option<Platform> {
        let os = match std::env::consts::OS {
            "macos" => "darwin",
            other => other,
        };
        let arch = match std::env::consts::ARCH {
            "arm" => "armv7",
            "x86" => "i686",
            other => other,
        };
        format!("{os}-{arch}").parse().ok()
    }

    /// Whether its releases are APK files handed to Android's installer,
    /// rather than installed by the app itself.
    pub fn is_android(self) -> bool {
        self.os == Os::Android
    }

    /// The operating system part: `linux`, `windows`, `darwin`, `android`.
    pub fn os(self) -> &'static str {
        name_of(&OSES, self.os)
    }

    /// The processor part: `x86_64`, `aarch64`, `armv7`, `i686`.
    pub fn arch(self) -> &'static str {
        name_of(&ARCHES, self.arch)
    }
}

fn name_of<T: PartialEq + Copy>(names: &[(T, &'static str)], value: T) -> &'static str {
    names
        .iter()
        .find(|(v, _)| *v == value)
        .map_or("", |(_, name)| name)
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.os(), self.arch())
    }
}

impl FromStr for Platform {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Platform, DomainError> {
        let unknown = || DomainError::UnknownChoice {
            what: "platform",
            input: s.to_owned(),
            known: "linux-x86_64, linux-aarch64, windows-x86_64, darwin-aarch64, \
                    darwin-x86_64, android-aarch64, android-armv7, ..."
                .to_owned(),
        };
        let (os, arch) = s.trim().split_once('-').ok_or_else(unknown)?;
        let find = |name: &str| OSES.iter().find(|(_, n)| *n == name).map(|(v, _)| *v);
        let os = find(os).ok_or_else(unknown)?;
        let arch = ARCHES
            .iter()
            .find(|(_, n)| *n == arch)
            .map(|(v, _)| *v)
            .ok_or_else(unknown)?;
        Ok(Platform { os, arch })
    }
}

impl Serialize for Platform {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Platform {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Platform, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The version of a build of the app, compared as a semantic version
/// (`0.2.0` is newer than `0.1.9`; `0.2.0-rc.1` is older than `0.2.0`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppVersion(semver::Version);

impl fmt::Display for AppVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for AppVersion {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<AppVersion, DomainError> {
        let typed = s.trim();
        semver::Version::parse(typed.strip_prefix('v').unwrap_or(typed))
            .map(AppVersion)
            .map_err(|_| DomainError::UnknownChoice {
                what: "version",
                input: s.to_owned(),
                known: "a version such as 0.2.0 or 0.2.0-rc.1".to_owned(),
            })
    }
}

impl Serialize for AppVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AppVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<AppVersion, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_read_back_as_tauri_names_them() {
        for name in [
            "linux-x86_64",
            "windows-x86_64",
            "darwin-aarch64",
            "android-armv7",
        ] {
            let platform: Platform = name.parse().unwrap();
            assert_eq!(platform.to_string(), name);
            assert_eq!(
                serde_json::from_value::<Platform>(serde_json::json!(name)).unwrap(),
                platform
            );
        }
        assert!("android-aarch64".parse::<Platform>().unwrap().is_android());
        for bad in [
            "linux",
            "ios-aarch64",
            "linux-sparc",
            "",
            "linux-x86_64-deb",
        ] {
            assert!(bad.parse::<Platform>().is_err(), "{bad}");
        }
    }

    #[test]
    fn this_machine_is_a_platform_highland_ships_for() {
        assert!(Platform::current().is_some());
    }

    /// A release file signed as `tauri signer sign` signs it: the base64
    /// of the `.sig` text, the version in the trusted comment.
    fn signed(file: &[u8], version: &str) -> (String, String) {
        use base64::Engine;
        let b64 = |text: String| base64::engine::general_purpose::STANDARD.encode(text);
        let keys = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let comment = format!("timestamp:1765000000\tfile:Highland.AppImage\tversion:{version}");
        let signature = minisign::sign(None, &keys.sk, file, Some(&comment), None).unwrap();
        (
            b64(signature.into_string()),
            b64(keys.pk.to_box().unwrap().into_string()),
        )
    }

    #[test]
    fn a_release_is_checked_against_the_publishers_key_and_its_version() {
        let file = b"\x7fELF the new Highland";
        let (signature, key) = signed(file, "0.2.0");
        let signature = ReleaseSignature::parse(&format!("{signature}\n")).unwrap();
        let v = |s: &str| s.parse::<AppVersion>().unwrap();
        assert_eq!(signature.signed_version(), Some("0.2.0"));
        signature.verify(file, &key, &v("0.2.0")).unwrap();

        let mut changed = file.to_vec();
        changed[5] ^= 1;
        assert_eq!(
            signature.verify(&changed, &key, &v("0.2.0")),
            Err(SignatureError::Mismatch)
        );
        let (_, another_key) = signed(file, "0.2.0");
        assert_eq!(
            signature.verify(file, &another_key, &v("0.2.0")),
            Err(SignatureError::Mismatch)
        );
        // An old signed file announced as a newer version.
        assert!(matches!(
            signature.verify(file, &key, &v("0.3.0")),
            Err(SignatureError::OtherVersion { .. })
        ));
        assert_eq!(
            ReleaseSignature::parse("not a signature"),
            Err(SignatureError::Unreadable)
        );
    }

    #[test]
    fn versions_compare_as_semantic_versions() {
        let v = |s: &str| s.parse::<AppVersion>().unwrap();
        assert!(v("0.10.0") > v("0.9.3"));
        assert!(v("0.2.0") > v("0.2.0-rc.1"));
        assert_eq!(v("v1.2.3"), v("1.2.3"));
        assert!("1.2".parse::<AppVersion>().is_err());
        assert!("latest".parse::<AppVersion>().is_err());
    }
}

/// The minisign signature of a release file, as Tauri's tooling writes it
/// (`tauri signer sign`, or `tauri build` with a signing key): the base64
/// of a `.sig` file's text. Read, not yet checked: only a public key says
/// whether it is good ([`ReleaseSignature::verify`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseSignature {
    base64: String,
    trusted_comment: String,
}

/// Why a release signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error(
        "this is not a release signature: give the .sig file that `tauri signer sign` wrote \
         beside the release file"
    )]
    Unreadable,
    #[error("the signature is for version {signed}, not {announced}")]
    OtherVersion { signed: String, announced: String },
    #[error("the release key is not readable: {0}")]
    BadKey(String),
    #[error("the file does not match its signature: it was changed, or signed with another key")]
    Mismatch,
}

impl ReleaseSignature {
    /// Reads a `.sig` file's content (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<ReleaseSignature, SignatureError> {
        use base64::Engine;
        let base64 = text.trim().to_owned();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(&base64)
            .map_err(|_| SignatureError::Unreadable)?;
        let lines = String::from_utf8(decoded).map_err(|_| SignatureError::Unreadable)?;
        let signature =
            minisign_verify::Signature::decode(&lines).map_err(|_| SignatureError::Unreadable)?;
        Ok(ReleaseSignature {
            trusted_comment: signature.trusted_comment().to_owned(),
            base64,
        })
    }

    /// The text as given: what the hub hands on and the updater reads.
    pub fn as_base64(&self) -> &str {
        &self.base64
    }

    /// The version the file was signed for, when the signer recorded one
    /// (Tauri's CLI writes `version:` into the trusted comment). Taken on
    /// trust until [`ReleaseSignature::verify`] has checked the signature.
    pub fn signed_version(&self) -> Option<&str> {
        self.trusted_comment
            .split('\t')
            .find_map(|field| field.strip_prefix("version:"))
    }

    /// Refuses a signature recorded for another version than `announced`,
    /// so a hub cannot pair an old signed file with a new version number.
    pub fn check_version(&self, announced: &AppVersion) -> Result<(), SignatureError> {
        match self.signed_version() {
            Some(signed) if signed.parse::<AppVersion>().ok().as_ref() != Some(announced) => {
                Err(SignatureError::OtherVersion {
                    signed: signed.to_owned(),
                    announced: announced.to_string(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Checks `file` against this signature with the publisher's public
    /// key (base64 of the key file, as in tauri.conf.json), and that it was
    /// signed for `version`.
    pub fn verify(
        &self,
        file: &[u8],
        public_key: &str,
        version: &AppVersion,
    ) -> Result<(), SignatureError> {
        use base64::Engine;
        let key_text = base64::engine::general_purpose::STANDARD
            .decode(public_key.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| SignatureError::BadKey("not base64 text".to_owned()))?;
        let key = minisign_verify::PublicKey::decode(&key_text)
            .map_err(|e| SignatureError::BadKey(e.to_string()))?;
        let lines = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(&self.base64)
                .map_err(|_| SignatureError::Unreadable)?,
        )
        .map_err(|_| SignatureError::Unreadable)?;
        let signature =
            minisign_verify::Signature::decode(&lines).map_err(|_| SignatureError::Unreadable)?;
        key.verify(file, &signature, false)
            .map_err(|_| SignatureError::Mismatch)?;
        self.check_version(version)
    }
}
