//! The device's own settings: the language the app speaks, whether to save
//! data on a metered link, and which profile (the seller's own data or the
//! demo) is open, and the workshop's practice network. They are not the seller's records: changing one is a plain
//! write, with no operation and no outbox, and never syncs.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use highland_domain::{DomainError, SimulatedNetwork};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use crate::{Result, Store};

/// A language the app is translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Language {
    /// Tibetan.
    #[serde(rename = "bo")]
    Bo,
    /// Chinese, simplified script.
    #[serde(rename = "zh-Hans")]
    ZhHans,
    #[serde(rename = "en")]
    En,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Bo, Language::ZhHans, Language::En];

    /// The BCP 47 tag: "bo", "zh-Hans" or "en".
    pub fn tag(self) -> &'static str {
        match self {
            Language::Bo => "bo",
            Language::ZhHans => "zh-Hans",
            Language::En => "en",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl FromStr for Language {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::ALL
            .into_iter()
            .find(|l| l.tag() == s)
            .ok_or_else(|| DomainError::UnknownChoice {
                what: "language",
                input: s.to_owned(),
                known: "bo, zh-Hans, en".to_owned(),
            })
    }
}

/// Whose data the app shows: the seller's own, or a demo to learn on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    #[default]
    Real,
    Demo,
}

impl Profile {
    pub fn slug(self) -> &'static str {
        match self {
            Profile::Real => "real",
            Profile::Demo => "demo",
        }
    }
}

impl FromStr for Profile {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "real" => Ok(Profile::Real),
            "demo" => Ok(Profile::Demo),
            _ => Err(DomainError::UnknownChoice {
                what: "profile",
                input: s.to_owned(),
                known: "real, demo".to_owned(),
            }),
        }
    }
}

/// A listing is low on stock at this many of its own units or fewer
/// (3 kg, 3 jars), until the seller sets another number.
pub const DEFAULT_LOW_STOCK_AT: u32 = 3;

/// Every setting, with its default when it was never set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Settings {
    /// None until the seller chose one (the app's first run asks).
    pub language: Option<Language>,
    /// Sync less often and never photos over the network on a metered link.
    pub data_saver: bool,
    /// The profile the app opens.
    pub profile: Profile,
    /// The workshop's practice network: while set, syncs go through the
    /// network simulator behaving as this network; none is the real
    /// network. Its slug: "offline", "mountain_2g", "3g" or "good".
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub practice_network: Option<SimulatedNetwork>,
    /// When the practice network was last changed on this device (RFC 3339,
    /// UTC): a trainer's class-wide switch made earlier does not undo it.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub practice_network_set_at: Option<DateTime<Utc>>,
    /// A listing with this many of its units or fewer in stock is marked
    /// low on its tile; 0 marks none.
    pub low_stock_at: u32,
    /// Everything on screen larger, Tibetan included, for sellers who read
    /// with difficulty.
    pub large_text: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            language: None,
            data_saver: false,
            profile: Profile::default(),
            practice_network: None,
            practice_network_set_at: None,
            low_stock_at: DEFAULT_LOW_STOCK_AT,
            large_text: false,
        }
    }
}

/// Whether `stock` (in base units of `unit`) is at or below `low_stock_at`
/// whole units of it: the tile's low-stock mark. An oversold (negative)
/// stock is low too.
pub fn is_low_stock(stock: i64, unit: highland_domain::Unit, low_stock_at: u32) -> bool {
    low_stock_at > 0 && stock <= i64::from(low_stock_at) * unit.factor()
}

const LANGUAGE: &str = "language";
const DATA_SAVER: &str = "data_saver";
const PROFILE: &str = "profile";
const PRACTICE_NETWORK: &str = "practice_network";
const PRACTICE_NETWORK_SET_AT: &str = "practice_network_set_at";
pub(crate) const LOW_STOCK_AT: &str = "low_stock_at";
const LARGE_TEXT: &str = "large_text";

impl Store {
    /// The settings kept in this store; a value this build does not know
    /// (written by a newer one) reads as the default.
    pub fn settings(&self) -> Result<Settings> {
        let get = |key: &str| -> Result<Option<String>> {
            Ok(self
                .conn
                .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()?)
        };
        Ok(Settings {
            language: get(LANGUAGE)?.and_then(|v| v.parse().ok()),
            data_saver: get(DATA_SAVER)?.is_some_and(|v| v == "true"),
            profile: get(PROFILE)?
                .and_then(|v| v.parse().ok())
                .unwrap_or_default(),
            practice_network: get(PRACTICE_NETWORK)?.and_then(|v| v.parse().ok()),
            practice_network_set_at: get(PRACTICE_NETWORK_SET_AT)?
                .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
                .map(|t| t.with_timezone(&Utc)),
            low_stock_at: get(LOW_STOCK_AT)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(DEFAULT_LOW_STOCK_AT),
            large_text: get(LARGE_TEXT)?.is_some_and(|v| v == "true"),
        })
    }

    /// Replaces every setting, in one transaction.
    pub fn save_settings(&mut self, settings: &Settings) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let put = |key: &str, value: Option<&str>| -> Result<()> {
            match value {
                Some(value) => tx.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![key, value],
                )?,
                None => tx.execute("DELETE FROM settings WHERE key = ?1", [key])?,
            };
            Ok(())
        };
        put(LANGUAGE, settings.language.map(Language::tag))?;
        put(
            DATA_SAVER,
            Some(if settings.data_saver { "true" } else { "false" }),
        )?;
        put(PROFILE, Some(settings.profile.slug()))?;
        put(
            PRACTICE_NETWORK,
            settings.practice_network.map(SimulatedNetwork::slug),
        )?;
        put(
            PRACTICE_NETWORK_SET_AT,
            settings
                .practice_network_set_at
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
                .as_deref(),
        )?;
        put(LOW_STOCK_AT, Some(&settings.low_stock_at.to_string()))?;
        put(
            LARGE_TEXT,
            Some(if settings.large_text { "true" } else { "false" }),
        )?;
        tx.commit()?;
        Ok(())
    }
}
