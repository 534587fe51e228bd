//! A seller's devices (`/console/sellers/{id}/devices`): when each last
//! synced, which app it runs, what it has not pulled yet, and a button to
//! revoke a lost or stolen tablet. The same records and the same revocation
//! as `highland-hub device list|revoke`.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use highland_domain::DeviceId;
use maud::html;

use super::pages::{csrf_field, layout, when};
use super::{Console, CsrfForm, error_page, not_found};
use crate::http::blocking;
use crate::storage::DeviceRecord;
use crate::{AppState, SellerId};

pub(crate) async fn page(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Response {
    let Ok(seller) = id.parse::<SellerId>() else {
        return not_found(console.lang);
    };
    let store = state.store.clone();
    match blocking(move || store.devices(Some(seller))).await {
        Ok(devices) => (StatusCode::OK, render(&console, seller, &devices)).into_response(),
        Err(e) => error_page(console.lang, &e),
    }
}

/// Revokes one device of the seller, then shows their devices again.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    console: Console,
    Path((id, device)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(refused) = console.refuse_forged(&form.csrf) {
        return refused;
    }
    let (Ok(seller), Ok(device)) = (id.parse::<SellerId>(), device.parse::<DeviceId>()) else {
        return not_found(console.lang);
    };
    let (store, now_ms) = (state.store.clone(), state.clock.now_ms());
    let revoked = blocking(move || {
        // Only a device of the seller whose page this is.
        let theirs = store
            .devices(Some(seller))?
            .iter()
            .any(|d| d.id == device.to_string());
        if !theirs {
            return Err(crate::Error::UnknownDevice(device.to_string()));
        }
        store.revoke_device(device, now_ms)
    })
    .await;
    match revoked {
        Ok(record) => {
            tracing::info!(staff = %console.member.id, device = %record.id, "device revoked");
            Redirect::to(&format!("/console/sellers/{seller}/devices")).into_response()
        }
        Err(crate::http::HttpError::Hub(crate::Error::UnknownDevice(_))) => not_found(console.lang),
        Err(e) => error_page(console.lang, &e),
    }
}

fn render(console: &Console, seller: SellerId, devices: &[DeviceRecord]) -> maud::Markup {
    let lang = console.lang;
    let t = |k| lang.t(k);
    let frame = console.page();
    let name = devices
        .first()
        .map(|d| format!("{} ({})", d.seller_name, d.village))
        .unwrap_or_default();
    let body = html! {
        h1 { (t("devices.title")) " " (name) }
        p.muted { (t("devices.about")) }
        @if devices.is_empty() {
            p.muted { (t("devices.none")) }
        } @else {
            table.cards {
                thead { tr {
                    th { (t("devices.id")) }
                    th { (t("devices.enrolled")) }
                    th { (t("devices.last_sync")) }
                    th { (t("devices.app")) }
                    th.num { (t("devices.not_pulled")) }
                    th { (t("devices.state")) }
                    th {}
                } }
                tbody {
                    @for d in devices {
                        tr {
                            td.code-inline data-label=(t("devices.id")) { (d.id) }
                            td data-label=(t("devices.enrolled")) { (when(&d.enrolled_at)) }
                            td data-label=(t("devices.last_sync")) {
                                @match &d.last_sync_at {
                                    Some(at) => (when(at)),
                                    None => (t("devices.never")),
                                }
                            }
                            td data-label=(t("devices.app")) {
                                (d.app_version.as_deref().unwrap_or("?"))
                                @if let Some(protocol) = d.protocol {
                                    " · v" (protocol)
                                }
                            }
                            td.num data-label=(t("devices.not_pulled")) { (d.not_pulled) }
                            @match &d.revoked_at {
                                Some(at) => {
                                    td data-label=(t("devices.state")) {
                                        strong { "✕ " (t("devices.revoked")) } " " (when(at))
                                    }
                                    td {}
                                }
                                None => {
                                    td data-label=(t("devices.state")) { "✓ " (t("devices.active")) }
                                    td {
                                        form method="post"
                                            action={ "/console/sellers/" (seller) "/devices/" (d.id) "/revoke" } {
                                            (csrf_field(frame.staff.map(|(_, c)| c).unwrap_or_default()))
                                            button type="submit" { (t("devices.revoke")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        p { a href="/console/sellers" { (t("devices.back")) } }
    };
    layout(&frame, t("devices.title"), body)
}
