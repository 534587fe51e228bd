//! Collection rounds in the console: the rounds with how full each truck
//! is, a form to plan one, a round's page (its loads per stop and in total,
//! moving it on, changing its plan, recording what was loaded at a stop and
//! what the trip cost), its loading sheet as a PDF, and the cost per
//! kilogram over time as a chart. Each form calls the same
//! [`crate::Storage`] method as `/v1/rounds`; the rules are in
//! [`highland_exchange::rounds`], the pages in [`super::round_pages`].

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use highland_domain::{
    DomainError, Money, OrderId, Quantity, RoundCost, RoundId, RoundState, ShortText, StopId, Unit,
    Weight,
};
use serde::Deserialize;

use super::round_pages::{self, Kept, Refused};
use super::{Console, Lang, error_page, not_found, sentence};
use crate::AppState;
use crate::http::{HttpError, blocking};
use highland_exchange::rounds::view::RoundDetail;
use highland_exchange::rounds::{LoadEntry, PlannedStop, RoundError, RoundPlan};

/// How many rounds the list shows, newest first.
const RECENT: usize = 100;

/// The plan form, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct PlanForm {
    pub csrf: String,
    pub date: String,
    pub vehicle: String,
    pub capacity: String,
    /// One "HH:MM place" a line.
    pub stops: String,
}

impl PlanForm {
    fn plan(&self) -> Result<RoundPlan, DomainError> {
        Ok(RoundPlan {
            date: NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d").map_err(|_| {
                DomainError::UnknownChoice {
                    what: "date",
                    input: self.date.clone(),
                    known: "YYYY-MM-DD".to_owned(),
                }
            })?,
            vehicle: ShortText::parse(&self.vehicle)?,
            capacity: Weight::parse_kg(&self.capacity)?,
            stops: PlannedStop::parse_lines(&self.stops)?,
        })
    }

    /// The form filled in with a round's plan, for changing it.
    pub(crate) fn of(round: &RoundDetail) -> PlanForm {
        PlanForm {
            csrf: String::new(),
            date: round.date.clone(),
            vehicle: round.vehicle.clone(),
            capacity: kg(round.capacity_g),
            stops: round
                .stops
                .iter()
                .map(|s| format!("{} {}", s.expected_at, s.place))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// Grams as kilograms, with as few decimals as they need.
pub(crate) fn kg(grams: i64) -> String {
    highland_domain::quantity::format_in(grams, Unit::Kg)
}

/// The sentence for a round's refusal in the page's language, and its status.
fn refusal(lang: Lang, error: &RoundError) -> (StatusCode, String) {
    let status = match error {
        RoundError::Invalid(_) => StatusCode::BAD_REQUEST,
        RoundError::Hub(e) => {
            tracing::error!(error = %e, "console round action failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                lang.t("error.internal").to_owned(),
            );
        }
        missing if missing.is_missing() => StatusCode::NOT_FOUND,
        _ => StatusCode::CONFLICT,
    };
    (status, sentence(lang, error.code(), &error.to_string()))
}

/// Runs a round's storage work off the async runtime, keeping its error.
pub(super) async fn round_work<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&dyn crate::Storage, u64) -> Result<T, RoundError> + Send + 'static,
) -> Result<T, RoundError> {
    let (store, now_ms) = (state.store.clone(), state.clock.now_ms());
    tokio::task::spawn_blocking(move || work(store.as_ref(), now_ms))
        .await
        .unwrap_or_else(|e| {
            Err(RoundError::Hub(crate::Error::Io(std::io::Error::other(
                format!("storage task failed: {e}"),
            ))))
        })
}

pub(super) async fn list(State(state): State<AppState>, console: Console) -> Response {
    list_page(&state, &console, &PlanForm::default(), None).await
}

async fn list_page(
    state: &AppState,
    console: &Console,
    form: &PlanForm,
    refused: Option<(StatusCode, String)>,
) -> Response {
    let store = state.store.clone();
    match blocking(move || store.rounds(None, RECENT)).await {
        Ok(rounds) => {
            let (status, message) = match &refused {
                Some((status, message)) => (*status, Some(message.as_str())),
                None => (StatusCode::OK, None),
            };
            let page = round_pages::list(console.page(), &rounds, form, message);
            (status, page).into_response()
        }
        Err(e) => error_page(console.lang, &e),
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    console: Console,
    Form(form): Form<PlanForm>,
) -> Response {
    if let Some(refused) = console.refuse_forged(&form.csrf) {
        return refused;
    }
    let lang = console.lang;
    let plan = match form.plan() {
        Ok(plan) => plan,
        Err(e) => {
            let message = sentence(lang, e.code(), &e.to_string());
            return list_page(
                &state,
                &console,
                &form,
                Some((StatusCode::BAD_REQUEST, message)),
            )
            .await;
        }
    };
    let id = RoundId::new();
    match round_work(&state, move |store, now| store.plan_round(id, &plan, now)).await {
        Ok(round) => Redirect::to(&format!("/console/rounds/{}", round.id)).into_response(),
        Err(e) => list_page(&state, &console, &form, Some(refusal(lang, &e))).await,
    }
}

pub(super) async fn round(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<RoundId>() else {
        return not_found(console.lang);
    };
    round_page(&state, &console, id, None).await
}

async fn round_page(
    state: &AppState,
    console: &Console,
    id: RoundId,
    refused: Option<(StatusCode, Refused)>,
) -> Response {
    let store = state.store.clone();
    match blocking(move || store.round(id)).await {
        Ok(Some(round)) => {
            let status = refused.as_ref().map_or(StatusCode::OK, |(s, _)| *s);
            let refused = refused.map(|(_, r)| r);
            (
                status,
                round_pages::round(console.page(), &round, refused.as_ref()),
            )
                .into_response()
        }
        Ok(None) => not_found(console.lang),
        Err(e) => error_page(console.lang, &e),
    }
}

/// One of a round's forms: `edit`, `move`, `cost` or `loads`. The form is
/// read as pairs, since the loads form has a field per order.
pub(super) async fn act(
    State(state): State<AppState>,
    console: Console,
    Path((id, action)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    if let Some(refused) = console.refuse_forged(field("csrf")) {
        return refused;
    }
    let lang = console.lang;
    let Ok(id) = id.parse::<RoundId>() else {
        return not_found(lang);
    };
    let done = match action.as_str() {
        "edit" => {
            let form = PlanForm {
                date: field("date").to_owned(),
                vehicle: field("vehicle").to_owned(),
                capacity: field("capacity").to_owned(),
                stops: field("stops").to_owned(),
                ..PlanForm::default()
            };
            match form.plan() {
                Ok(plan) => {
                    round_work(&state, move |store, now| store.edit_round(id, &plan, now)).await
                }
                Err(e) => Err(e.into()),
            }
            .map_err(|e| (e, Kept::Plan(form)))
        }
        "move" => match field("to").parse::<RoundState>() {
            Ok(to) => round_work(&state, move |store, now| store.move_round(id, to, now)).await,
            Err(e) => Err(e.into()),
        }
        .map_err(|e| (e, Kept::None)),
        "cost" => {
            let typed = [field("fuel"), field("driver"), field("tolls")].map(str::to_owned);
            match cost_of(&typed) {
                Ok(cost) => {
                    round_work(&state, move |store, now| {
                        store.record_round_cost(id, &cost, now)
                    })
                    .await
                }
                Err(e) => Err(e.into()),
            }
            .map_err(|e| (e, Kept::Cost(typed)))
        }
        "loads" => {
            let name = console.member.name.clone();
            let typed: Vec<(String, String)> = fields.clone();
            let stop = field("stop").to_owned();
            round_work(&state, move |store, now| {
                let stop: StopId = stop.parse()?;
                let round = store.round(id)?.ok_or(RoundError::UnknownRound(id))?;
                let entries = loads_of(&round, stop, &typed)?;
                store.load_at_stop(id, stop, &entries, Some(&name), now)
            })
            .await
            .map_err(|e| (e, Kept::Loads(field("stop").to_owned(), fields.clone())))
        }
        _ => return not_found(lang),
    };
    match done {
        Ok(round) => Redirect::to(&format!("/console/rounds/{}", round.id)).into_response(),
        Err((e, kept)) => {
            let (status, message) = refusal(lang, &e);
            round_page(
                &state,
                &console,
                id,
                Some((status, Refused { kept, message })),
            )
            .await
        }
    }
}

fn cost_of(typed: &[String; 3]) -> Result<RoundCost, DomainError> {
    Ok(RoundCost {
        fuel: Money::parse_yuan(typed[0].trim())?,
        driver: Money::parse_yuan(typed[1].trim())?,
        tolls: Money::parse_yuan(typed[2].trim())?,
    })
}

/// The loads typed for the orders at `stop`: `quantity:ORDER` in the
/// order's unit and `weight:ORDER` in kg. An order left empty was not
/// loaded; one typed as it already stands is not recorded again.
fn loads_of(
    round: &RoundDetail,
    stop: StopId,
    typed: &[(String, String)],
) -> Result<Vec<LoadEntry>, RoundError> {
    let field = |name: String| {
        typed
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let at = round
        .stops
        .iter()
        .find(|s| s.id == stop.to_string())
        .ok_or(RoundError::UnknownStop(stop))?;
    let mut entries = Vec::new();
    for line in &at.lines {
        let Some(quantity) = field(format!("quantity:{}", line.order_id)) else {
            continue;
        };
        let unit: Unit = line.unit.parse()?;
        let quantity = Quantity::parse(quantity, unit)?;
        let weight = field(format!("weight:{}", line.order_id))
            .map(Weight::parse_kg)
            .transpose()?;
        let unchanged = line.loaded_quantity == Some(quantity.base())
            && (weight.is_none() || weight.map(Weight::grams) == line.loaded_weight_g);
        if unchanged {
            continue;
        }
        entries.push(LoadEntry {
            order: line.order_id.parse::<OrderId>()?,
            quantity,
            weight,
        });
    }
    Ok(entries)
}

pub(super) async fn loading_sheet(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Response {
    let lang = console.lang;
    let Ok(id) = id.parse::<RoundId>() else {
        return not_found(lang);
    };
    let store = state.store.clone();
    let made = tokio::task::spawn_blocking(move || {
        let round = store
            .round(id)
            .map_err(|e| e.to_string())?
            .ok_or_else(String::new)?;
        let fonts = super::lots::fonts().map_err(|e| e.clone())?;
        highland_print::loading_sheet(fonts, &round_pages::sheet(&round))
            .map(|pdf| (round.date, pdf))
            .map_err(|e| e.to_string())
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    match made {
        Ok((date, pdf)) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"loading-sheet-{date}.pdf\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            pdf,
        )
            .into_response(),
        Err(reason) if reason.is_empty() => not_found(lang),
        Err(reason) => {
            tracing::error!(%reason, "a loading sheet failed");
            error_page(lang, &HttpError::Internal(reason))
        }
    }
}

pub(super) async fn costs(State(state): State<AppState>, console: Console) -> Response {
    let store = state.store.clone();
    match blocking(move || store.round_costs()).await {
        Ok(report) => round_pages::costs(console.page(), &report).into_response(),
        Err(e) => error_page(console.lang, &e),
    }
}
