//! Reading stored text back into domain values. The store only ever writes
//! valid values, so a failure here means the file was changed behind our back.

use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::{Result, StoreError};

pub(crate) fn parse<T: FromStr>(raw: &str) -> Result<T> {
    raw.parse()
        .map_err(|_| StoreError::BadRecord(format!("unexpected value {raw:?}")))
}

pub(crate) fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
