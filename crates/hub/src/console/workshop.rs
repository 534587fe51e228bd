//! The trainer's page on a workshop hub (`/console/workshop`): where the
//! tablets join, the class's network switch, every trainee's tablet and
//! latest sync, and a sheet of fresh cards (code and QR code) for the
//! trainees whose tablet has not joined yet, to print or show.
//!
//! A hub that runs no workshop answers these routes with "not found".

use axum::Form;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use highland_domain::SimulatedNetwork;
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::pages::{Frame, csrf_field, layout, message};
use super::{Console, Lang, error_page, not_found, qr};
use crate::AppState;
use crate::http::blocking;
use crate::workshop::network::{self, NetworkSwitch};
use crate::workshop::{Trainee, TraineeCard, WorkshopError, trainees};

pub(crate) async fn page(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
) -> Response {
    if !state.workshop {
        return not_found(console.lang);
    }
    let store = state.store.clone();
    let read = blocking(move || Ok((network::network(store.as_ref())?, store.trainees()?))).await;
    match read {
        Ok((network, class)) => class_page(
            console.page(),
            &state.public_base(&headers),
            network,
            &class,
            state.clock.now_ms(),
        )
        .into_response(),
        Err(e) => error_page(console.lang, &e),
    }
}

/// A form of the console's: every field defaults, so that one sent without
/// its CSRF token is refused as forged (403), never as malformed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct NetworkForm {
    csrf: String,
    /// A network's slug, or empty for each tablet's real link.
    network: String,
}

pub(crate) async fn switch_network(
    State(state): State<AppState>,
    console: Console,
    Form(form): Form<NetworkForm>,
) -> Response {
    if !state.workshop {
        return not_found(console.lang);
    }
    if let Some(refused) = console.refuse_forged(&form.csrf) {
        return refused;
    }
    let network = match form.network.trim() {
        "" => None,
        slug => match slug.parse::<SimulatedNetwork>() {
            Ok(network) => Some(network),
            Err(e) => {
                return super::pages::error(
                    console.lang,
                    axum::http::StatusCode::BAD_REQUEST,
                    &super::invalid(console.lang, &e),
                );
            }
        },
    };
    let (store, now_ms) = (state.store.clone(), state.clock.now_ms());
    match blocking(move || network::set_network(store.as_ref(), network, now_ms)).await {
        Ok(_) => {
            tracing::info!(network = ?network, staff = %console.member.id, "class network switched");
            Redirect::to("/console/workshop").into_response()
        }
        Err(e) => error_page(console.lang, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CardsForm {
    csrf: String,
}

/// Fresh codes for every trainee not yet joined, as a sheet of cards.
pub(crate) async fn print_cards(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
    Form(form): Form<CardsForm>,
) -> Response {
    if !state.workshop {
        return not_found(console.lang);
    }
    if let Some(refused) = console.refuse_forged(&form.csrf) {
        return refused;
    }
    let (store, now_ms) = (state.store.clone(), state.clock.now_ms());
    let hub_url = state.public_base(&headers);
    let url = hub_url.clone();
    let cards = blocking(move || {
        trainees::prepare(store.as_ref(), None, &url, now_ms).map_err(|e| match e {
            WorkshopError::Hub(e) => e,
            other => crate::Error::BadRecord(other.to_string()),
        })
    })
    .await;
    match cards {
        Ok(cards) => cards_page(console.page(), &hub_url, &cards).into_response(),
        Err(e) => error_page(console.lang, &e),
    }
}

fn network_label(lang: Lang, network: Option<SimulatedNetwork>) -> &'static str {
    match network {
        None => lang.t("workshop.network.real"),
        Some(n) => lang.choice("workshop.network", n.slug()),
    }
}

fn class_page(
    frame: Frame,
    hub_url: &str,
    switch: NetworkSwitch,
    class: &[Trainee],
    now_ms: u64,
) -> Markup {
    let lang = frame.lang;
    let t = |k| lang.t(k);
    let choices = std::iter::once(None).chain(SimulatedNetwork::ALL.map(Some));
    let csrf = frame.staff.map(|(_, csrf)| csrf).unwrap_or_default();
    let body = html! {
        h1 { (t("workshop.title")) }
        div.card {
            p { (t("workshop.join")) " " strong.code-inline data-testid="workshop-hub" { (hub_url) } }
            p { a href="/projector" target="_blank" { (t("workshop.projector")) } }
        }
        h2 { (t("workshop.network")) }
        p.muted { (t("workshop.network.help")) }
        form.actions method="post" action="/console/workshop/network" {
            (csrf_field(csrf))
            div {
                @for choice in choices {
                    @let slug = choice.map_or("", SimulatedNetwork::slug);
                    @if choice == switch.network {
                        button type="submit" name="network" value=(slug) aria-pressed="true" disabled {
                            "✓ " (network_label(lang, choice))
                        }
                    } @else {
                        button.secondary type="submit" name="network" value=(slug) aria-pressed="false" {
                            (network_label(lang, choice))
                        }
                    }
                    " "
                }
            }
        }
        h2 { (t("workshop.trainees")) }
        table.cards {
            thead { tr { th { (t("workshop.trainee")) } th.num { (t("workshop.devices")) } th { (t("workshop.last_sync")) } } }
            tbody {
                @for trainee in class {
                    tr {
                        td data-label=(t("workshop.trainee")) { (trainee.name) }
                        td.num data-label=(t("workshop.devices")) { (trainee.devices) }
                        td data-label=(t("workshop.last_sync")) {
                            @match trainee.last_sync_at_ms {
                                Some(at) => { (seconds_ago(lang, now_ms.saturating_sub(at) / 1000)) }
                                None => span.muted { (t("workshop.never")) }
                            }
                        }
                    }
                }
            }
        }
        form method="post" action="/console/workshop/cards" {
            (csrf_field(csrf))
            p { button type="submit" { (t("workshop.cards.print")) } }
            p.muted { (t("workshop.cards.help")) }
        }
    };
    layout(&frame, t("workshop.title"), body)
}

fn seconds_ago(lang: Lang, secs: u64) -> String {
    let (n, unit) = match secs {
        0..=59 => (secs, "workshop.ago.s"),
        60..=3599 => (secs / 60, "workshop.ago.min"),
        _ => (secs / 3600, "workshop.ago.h"),
    };
    lang.t(unit).replace("{n}", &n.to_string())
}

fn cards_page(frame: Frame, hub_url: &str, cards: &[TraineeCard]) -> Markup {
    let lang = frame.lang;
    let t = |k| lang.t(k);
    let body = html! {
        h1 { (t("workshop.cards.title")) }
        (message(cards.is_empty().then(|| t("workshop.cards.none"))))
        div.trainee-cards {
            @for card in cards {
                div.card.trainee-card data-testid="trainee-card" {
                    h2 { (card.name) }
                    div.qr { (PreEscaped(qr::svg(&card.enroll_text, &card.name).unwrap_or_default())) }
                    p.code { (card.code) }
                    p.muted { (t("workshop.join")) " " (hub_url) }
                }
            }
        }
        p.no-print { a href="/console/workshop" { (t("workshop.back")) } }
    };
    layout(&frame, t("workshop.cards.title"), body)
}
