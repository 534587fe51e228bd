//! Reading query strings: strict (an unknown parameter is a 400, so a typo
//! never silently widens a filter), with empty values taken as absent (an
//! HTML form sends every field, filled or not).

use axum::extract::Query;
use axum::http::Uri;
use serde::de::DeserializeOwned;

use crate::catalog::{Cursor, PageSize};
use crate::http::HttpError;
use highland_domain::wire::HubErrorCode;

pub(crate) fn query<T: DeserializeOwned>(uri: &Uri) -> Result<T, HttpError> {
    Query::<T>::try_from_uri(uri)
        .map(|Query(q)| q)
        .map_err(|e| {
            HttpError::BadRequest(format!("the query is not as expected: {}", e.body_text()))
        })
}

/// The value of an optional parameter, `None` when it is empty.
pub(crate) fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Parses an optional parameter with `parse`, mapping its error to a 400.
pub(crate) fn parsed<T, E: Into<HttpError>>(
    value: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, HttpError> {
    given(value)
        .map(|v| parse(&v).map_err(Into::into))
        .transpose()
}

pub(crate) fn page_size(limit: Option<u32>) -> Result<PageSize, HttpError> {
    PageSize::new(limit).map_err(|message| HttpError::InvalidParameter {
        code: HubErrorCode::InvalidLimit,
        message,
    })
}

pub(crate) fn cursor(raw: Option<String>) -> Result<Option<Cursor>, HttpError> {
    parsed(raw, |c| {
        Cursor::decode(c).map_err(|message| HttpError::InvalidParameter {
            code: HubErrorCode::InvalidCursor,
            message,
        })
    })
}
