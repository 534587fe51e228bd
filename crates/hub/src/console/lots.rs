//! Lots in the console: the newest lots with a sheet of their labels to
//! download, a lot's chain for staff with its QR code, and forms that
//! record what the buyer did with it (received, processed, inspected,
//! packed, shipped) through the same [`record`] as `highland-hub trace
//! record`.
//!
//! Every form carries a fresh event id when it is drawn, so a form sent
//! twice (a double click, a reload after a slow answer) records one step.

use std::sync::OnceLock;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use highland_domain::{InspectionResult, TraceCode, TraceEvent, TraceEventId, TraceStep};
use highland_print::{Fonts, LabelItem};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::pages::{csrf_field, layout, message, when};
use super::{Console, Lang, error_page, invalid, not_found, qr, sentence};
use crate::AppState;
use crate::http::{HttpError, blocking};
use crate::trace::chain::{Chain, ChainLot, LotOrigin, Recorded};
use crate::trace::labels::label_item;
use crate::trace::lot_url;
use crate::trace::record::{StepError, StepInput, find_lot, record};

/// How many lots the list shows.
const RECENT: u32 = 60;
/// The most labels one sheet download may hold: ten A4 pages.
const MOST_LABELS: usize = 240;
/// The steps recorded about an existing lot, each with its own form.
const STEPS: [&str; 4] = ["received", "inspected", "packed", "shipped"];

/// A step's form as the member typed it. Every field is text, parsed once
/// by [`record`].
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct StepForm {
    pub csrf: String,
    pub event_id: String,
    pub quantity: String,
    pub at: String,
    pub place: String,
    pub order: String,
    pub product: String,
    pub gtin: String,
    /// A processing step's inputs, one "CODE=QUANTITY" a line.
    pub inputs: String,
    pub inspector: String,
    pub certificate_number: String,
    pub result: String,
    pub packaging: String,
    pub to: String,
}

impl StepForm {
    fn input(&self, step: &str, lot: &str) -> StepInput {
        let given = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        StepInput {
            step: step.to_owned(),
            lot: lot.to_owned(),
            quantity: given(&self.quantity),
            at: given(&self.at),
            place: given(&self.place),
            order: given(&self.order),
            product: given(&self.product),
            gtin: given(&self.gtin),
            inputs: self
                .inputs
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            inspector: given(&self.inspector),
            certificate_number: given(&self.certificate_number),
            result: given(&self.result),
            packaging: given(&self.packaging),
            to: given(&self.to),
            event_id: given(&self.event_id),
        }
    }

    /// An empty form with an event id of its own.
    fn fresh() -> StepForm {
        StepForm {
            event_id: TraceEventId::new().to_string(),
            ..StepForm::default()
        }
    }
}

/// A form sent back: which step, as typed, and why it was refused.
struct Kept<'a> {
    step: &'a str,
    form: &'a StepForm,
    message: &'a str,
}

/// A lot in the list: what its label would say.
struct Row {
    lot: ChainLot,
    label: LabelItem,
}

// ---------------------------------------------------------------------------
// Handlers

pub(super) async fn list(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
) -> Response {
    list_page(&state, &console, &headers, None).await
}

async fn list_page(
    state: &AppState,
    console: &Console,
    headers: &HeaderMap,
    kept: Option<Kept<'_>>,
) -> Response {
    let base = state.public_base(headers);
    let store = state.store.clone();
    let found = blocking(move || {
        let mut rows = Vec::new();
        for lot in store.recent_lots(RECENT)? {
            if let Some(chain) = store.trace_chain(&lot.code, None)? {
                let label = label_item(&base, &chain);
                rows.push(Row {
                    lot: chain.lot,
                    label,
                });
            }
        }
        Ok::<_, crate::Error>(rows)
    })
    .await;
    match found {
        Ok(rows) => {
            let status = if kept.is_some() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            (status, list_markup(console, &rows, kept.as_ref())).into_response()
        }
        Err(e) => error_page(console.lang, &e),
    }
}

/// Records a processing step: the new product lot's page on success.
pub(super) async fn process(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
    Form(form): Form<StepForm>,
) -> Response {
    if let Some(refused) = console.refuse_forged(&form.csrf) {
        return refused;
    }
    let input = form.input("processed", "");
    match record_step(&state, &console, input).await {
        Ok((event, recorded)) => {
            let lot = match recorded {
                Recorded::New => Some(TraceCode::of_lot(event.lot_id)),
                // Sent twice: the lot is the one the first form made.
                Recorded::AlreadyKnown => made_by(&state, &event).await,
            };
            match lot {
                Some(code) => Redirect::to(&format!("/console/lots/{}", code.as_str())),
                None => Redirect::to("/console/lots"),
            }
            .into_response()
        }
        Err(Refused::Form(message)) => {
            let kept = Kept {
                step: "processed",
                form: &form,
                message: &message,
            };
            list_page(&state, &console, &headers, Some(kept)).await
        }
        Err(Refused::Page(response)) => response,
    }
}

pub(super) async fn lot(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    match chain(&state, &console, &code).await {
        Ok(chain) => {
            let base = state.public_base(&headers);
            lot_markup(&console, &base, &chain, None).into_response()
        }
        Err(response) => response,
    }
}

/// Records a received, inspected, packed or shipped step about the lot.
pub(super) async fn record_about(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
    Path((code, step)): Path<(String, String)>,
    Form(form): Form<StepForm>,
) -> Response {
    if let Some(refused) = console.refuse_forged(&form.csrf) {
        return refused;
    }
    let Some(step) = STEPS.iter().find(|s| **s == step) else {
        return not_found(console.lang);
    };
    let chain = match chain(&state, &console, &code).await {
        Ok(chain) => chain,
        Err(response) => return response,
    };
    let here = format!("/console/lots/{}", chain.lot.code.as_str());
    match record_step(&state, &console, form.input(step, chain.lot.code.as_str())).await {
        Ok(_) => Redirect::to(&here).into_response(),
        Err(Refused::Form(message)) => {
            let kept = Kept {
                step,
                form: &form,
                message: &message,
            };
            let base = state.public_base(&headers);
            (
                StatusCode::BAD_REQUEST,
                lot_markup(&console, &base, &chain, Some(kept)),
            )
                .into_response()
        }
        Err(Refused::Page(response)) => response,
    }
}

/// `GET /console/lots/labels.pdf?lot=CODE&lot=CODE…`: an A4 sheet of the
/// lots' labels, in the order asked, to download and print.
pub(super) async fn labels(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let lang = console.lang;
    let typed: Vec<String> = pairs
        .into_iter()
        .filter(|(k, v)| k == "lot" && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_owned())
        .collect();
    if typed.is_empty() {
        return super::pages::error(lang, StatusCode::BAD_REQUEST, lang.t("lots.choose"));
    }
    if typed.len() > MOST_LABELS {
        return super::pages::error(lang, StatusCode::BAD_REQUEST, lang.t("lots.too_many"));
    }
    let base = state.public_base(&headers);
    let store = state.store.clone();
    let made = tokio::task::spawn_blocking(move || {
        let mut items = Vec::with_capacity(typed.len());
        for t in &typed {
            let chain = match find_lot(store.as_ref(), t) {
                Ok(lot) => store
                    .trace_chain(&lot.code, None)
                    .map_err(|e| Sheet::Failed(e.to_string()))?,
                Err(StepError::Invalid { .. } | StepError::Hub(crate::Error::UnknownLot(_))) => {
                    None
                }
                Err(e) => return Err(Sheet::Failed(e.to_string())),
            };
            let Some(chain) = chain else {
                return Err(Sheet::Unknown(t.clone()));
            };
            items.push(label_item(&base, &chain));
        }
        let fonts = fonts().map_err(|e| Sheet::Failed(e.clone()))?;
        highland_print::label_sheet(fonts, &items).map_err(|e| Sheet::Print(e.to_string()))
    })
    .await
    .unwrap_or_else(|e| Err(Sheet::Failed(e.to_string())));
    match made {
        Ok(pdf) => (
            [
                (header::CONTENT_TYPE, "application/pdf"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"highland-labels.pdf\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            pdf,
        )
            .into_response(),
        Err(Sheet::Unknown(typed)) => {
            let shown: String = typed.chars().take(40).collect();
            super::pages::error(
                lang,
                StatusCode::NOT_FOUND,
                &format!("{} {shown}", lang.t("error.unknown_lot")),
            )
        }
        Err(Sheet::Print(reason)) => super::pages::error(
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("{} ({reason})", lang.t("lots.print_failed")),
        ),
        Err(Sheet::Failed(reason)) => {
            tracing::error!(%reason, "a label sheet failed");
            super::pages::error(
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                lang.t("error.internal"),
            )
        }
    }
}

enum Sheet {
    Unknown(String),
    /// A label the printer cannot lay out (a name too long).
    Print(String),
    Failed(String),
}

/// The machine's fonts, found once: looking costs a few file reads and
/// parsing two large fonts.
pub(super) fn fonts() -> Result<&'static Fonts, &'static String> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| Fonts::system().map_err(|e| e.to_string()))
        .as_ref()
}

// ---------------------------------------------------------------------------
// What the handlers share

enum Refused {
    /// The form's input: shown above the form, which keeps what was typed.
    Form(String),
    /// Anything else: a page of its own.
    Page(Response),
}

async fn record_step(
    state: &AppState,
    console: &Console,
    input: StepInput,
) -> Result<(TraceEvent, Recorded), Refused> {
    let (store, now_ms, name) = (
        state.store.clone(),
        state.clock.now_ms(),
        console.member.name.clone(),
    );
    let recorded =
        tokio::task::spawn_blocking(move || record(store.as_ref(), &input, &name, now_ms))
            .await
            .unwrap_or_else(|e| {
                Err(StepError::Hub(crate::Error::Io(std::io::Error::other(
                    format!("storage task failed: {e}"),
                ))))
            });
    match recorded {
        Ok(done) => {
            tracing::info!(
                event = %done.0.id,
                step = done.0.step.kind().slug(),
                staff = %console.member.id,
                "trace step recorded from the console"
            );
            Ok(done)
        }
        Err(StepError::Hub(e)) if !matches!(e, crate::Error::UnknownLot(_)) => {
            Err(Refused::Page(error_page(console.lang, &HttpError::Hub(e))))
        }
        Err(e) => Err(Refused::Form(step_message(console.lang, &e))),
    }
}

/// Why a step was refused, in the page's language, naming the field.
fn step_message(lang: Lang, error: &StepError) -> String {
    let said = match error {
        StepError::Invalid { source, .. } => invalid(lang, source),
        StepError::Hub(crate::Error::UnknownLot(code)) => {
            format!("{} {code}", lang.t("error.unknown_lot"))
        }
        other => sentence(lang, other.code(), &other.to_string()),
    };
    match error {
        StepError::Missing(field) | StepError::Invalid { field, .. } => {
            let colon = if lang == Lang::Zh { "：" } else { ": " };
            format!("{}{colon}{said}", lang.choice("step_field", field))
        }
        _ => said,
    }
}

/// The chain of the lot a path names, or the page saying there is none.
async fn chain(state: &AppState, console: &Console, typed: &str) -> Result<Chain, Response> {
    let Ok(code) = TraceCode::parse(typed) else {
        return Err(not_found(console.lang));
    };
    let store = state.store.clone();
    match blocking(move || store.trace_chain(&code, None)).await {
        Ok(Some(chain)) => Ok(chain),
        Ok(None) => Err(not_found(console.lang)),
        Err(e) => Err(error_page(console.lang, &e)),
    }
}

/// The product lot a processing event that was already recorded made: one
/// of those its first input was made into, the one whose chain holds it.
async fn made_by(state: &AppState, event: &TraceEvent) -> Option<TraceCode> {
    let TraceStep::Processed { inputs, .. } = &event.step else {
        return None;
    };
    let input = TraceCode::of_lot(inputs.as_slice().first()?.lot_id);
    let (store, id) = (state.store.clone(), event.id);
    blocking(move || {
        let Some(chain) = store.trace_chain(&input, None)? else {
            return Ok(None);
        };
        for made in chain.made_into {
            let found = store.trace_chain(&made.code, None)?;
            if found.is_some_and(|c| c.events.iter().any(|e| e.id == id && e.lot_id == made.id)) {
                return Ok(Some(made.code));
            }
        }
        Ok::<_, crate::Error>(None)
    })
    .await
    .ok()
    .flatten()
}

// ---------------------------------------------------------------------------
// Pages

fn list_markup(console: &Console, rows: &[Row], kept: Option<&Kept>) -> Markup {
    let lang = console.lang;
    let t = |k| lang.t(k);
    let frame = console.page();
    let fresh = StepForm::fresh();
    let form = kept.map(|k| k.form).unwrap_or(&fresh);
    let event_id = event_id(form, &fresh);
    let body = html! {
        h1 { (t("lots.title")) }
        @if rows.is_empty() {
            p.muted { (t("lots.none")) }
        } @else {
            form method="get" action="/console/lots/labels.pdf" {
                table.cards {
                    thead { tr {
                        th { (t("lots.print")) }
                        th { (t("lots.code")) }
                        th { (t("lots.kind")) }
                        th { (t("lots.name")) }
                        th { (t("lots.origin")) }
                        th { (t("lots.date")) }
                    } }
                    tbody {
                        @for row in rows {
                            @let code = row.lot.code.as_str();
                            tr {
                                td data-label=(t("lots.print")) {
                                    input type="checkbox" name="lot" value=(code)
                                        aria-label={ (t("lots.print")) " " (row.lot.code.grouped()) };
                                }
                                td.code-cell data-label=(t("lots.code")) {
                                    a href={ "/console/lots/" (code) } { (row.lot.code.grouped()) }
                                }
                                td data-label=(t("lots.kind")) { (lang.choice("lot_kind", kind(&row.lot))) }
                                td data-label=(t("lots.name")) { (row.label.name) }
                                td data-label=(t("lots.origin")) { (origin(&row.lot)) }
                                td data-label=(t("lots.date")) { (row.label.lines.first().map(String::as_str).unwrap_or("")) }
                            }
                        }
                    }
                }
                p { button type="submit" { (t("lots.labels")) } }
            }
        }
        h2 { (t("lots.process")) }
        div.card {
            @if let Some(kept) = kept { (message(Some(kept.message))) }
            form.stack method="post" action="/console/lots" {
                (csrf_field(frame.staff.map(|(_, c)| c).unwrap_or_default()))
                input type="hidden" name="event_id" value=(event_id);
                label for="inputs" { (t("step_field.inputs")) }
                textarea #inputs name="inputs" rows="3" required placeholder="K7QM-4XRP-Y2AB-C=20 kg" { (form.inputs) }
                p.muted { (t("lots.inputs_help")) }
                label for="product" { (t("step_field.product")) }
                input #product type="text" name="product" value=(form.product) required;
                label for="quantity" { (t("step_field.quantity")) }
                input #quantity type="text" name="quantity" value=(form.quantity) required placeholder="60 jar";
                label for="gtin" { (t("step_field.gtin")) }
                input #gtin type="text" inputmode="numeric" name="gtin" value=(form.gtin);
                label for="at" { (t("step_field.at")) }
                input #at type="date" name="at" value=(form.at);
                label for="place" { (t("step_field.place")) }
                input #place type="text" name="place" value=(form.place);
                p { button type="submit" { (lang.choice("step_submit", "processed")) } }
            }
        }
    };
    layout(&frame, t("lots.title"), body)
}

fn lot_markup(console: &Console, base: &str, chain: &Chain, kept: Option<Kept>) -> Markup {
    let lang = console.lang;
    let t = |k| lang.t(k);
    let frame = console.page();
    let csrf = frame.staff.map(|(_, c)| c).unwrap_or_default();
    let lot = &chain.lot;
    let code = lot.code.as_str();
    let label = label_item(base, chain);
    let url = lot_url(base, lot);
    let svg = qr::svg(&url, &format!("QR {}", lot.code.grouped())).unwrap_or_default();
    let body = html! {
        h1 { (label.name) " · " span.code-inline { (lot.code.grouped()) } }
        div.card.lot-head {
            div.qr { (PreEscaped(svg)) }
            dl.facts {
                dt { (t("lots.code")) } dd { (lot.code.grouped()) }
                dt { (t("lots.kind")) } dd { (lang.choice("lot_kind", kind(lot))) }
                @match &lot.origin {
                    LotOrigin::Harvest { lot: harvest, recorded_at, .. } => {
                        dt { (t("listings.village")) } dd { (harvest.village) }
                        @if let Some(a) = harvest.altitude { dt { (t("listing.altitude")) } dd { (a.metres()) " m" } }
                        @if let Some(h) = harvest.harvested_on { dt { (t("listing.harvested")) } dd { (h) } }
                        @if let Some(e) = &harvest.environment { dt { (t("listing.environment")) } dd { (e) } }
                        dt { (t("lots.recorded")) } dd { (when(&recorded_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))) }
                        @if !chain.listings.is_empty() {
                            dt { (t("lots.listings")) } dd { (chain.listings.join(" · ")) }
                        }
                    },
                    LotOrigin::Product { product, made_at } => {
                        dt { (t("step_field.product")) } dd { (product.name) }
                        dt { (t("step_field.quantity")) } dd { (product.quantity) }
                        @if let Some(g) = &product.gtin { dt { (t("step_field.gtin")) } dd { (g) } }
                        dt { (t("lots.made")) } dd { (made_at.date_naive()) }
                    },
                }
                dt { (t("lots.public")) }
                dd { a href={ "/t/" (code) } { "/t/" (code) } br; span.muted { (url) } }
            }
        }
        p { a href={ "/console/lots/labels.pdf?lot=" (code) } { (t("lots.label_one")) } }
        @if chain.lots.len() > 1 {
            h2 { (t("lots.made_from")) }
            (lot_table(lang, &chain.lots[1..]))
        }
        @if !chain.made_into.is_empty() {
            h2 { (t("lots.made_into")) }
            (lot_table(lang, &chain.made_into))
        }
        h2 { (t("lots.chain")) }
        @if chain.events.is_empty() && chain.certificates.is_empty() {
            p.muted { (t("lots.no_events")) }
        } @else {
            table.cards {
                thead { tr {
                    th { (t("lots.date")) }
                    th { (t("lots.step")) }
                    th { (t("lots.code")) }
                    th { (t("lots.details")) }
                    th { (t("lots.by")) }
                } }
                tbody {
                    @for event in &chain.events {
                        tr {
                            td data-label=(t("lots.date")) { (event.at.date_naive()) }
                            td data-label=(t("lots.step")) { (lang.choice("step", event.step.kind().slug())) }
                            td data-label=(t("lots.code")) { (TraceCode::of_lot(event.lot_id).grouped()) }
                            td data-label=(t("lots.details")) {
                                (step_details(lang, &event.step))
                                @if let Some(place) = &event.place { " · " (place) }
                            }
                            td data-label=(t("lots.by")) { (event.recorded_by) }
                        }
                    }
                    @for c in &chain.certificates {
                        tr {
                            td data-label=(t("lots.date")) { (c.issued_on) }
                            td data-label=(t("lots.step")) { (t("lots.certificate")) }
                            td data-label=(t("lots.code")) { (TraceCode::of_lot(c.lot_id).grouped()) }
                            td data-label=(t("lots.details")) { (c.product) " · " (c.quantity) " · " (c.origin) }
                            td data-label=(t("lots.by")) { (c.issuer) }
                        }
                    }
                }
            }
        }
        h2 { (t("lots.record")) }
        div.actions {
            @for step in STEPS {
                @let kept_here = kept.as_ref().filter(|k| k.step == step);
                @let fresh = StepForm::fresh();
                @let form = kept_here.map(|k| k.form).unwrap_or(&fresh);
                @let event_id = event_id(form, &fresh);
                div.card id={ "record-" (step) } {
                    h3 { (lang.choice("step", step)) }
                    @if let Some(k) = kept_here { (message(Some(k.message))) }
                    form.inline method="post" action={ "/console/lots/" (code) "/" (step) } {
                        (csrf_field(csrf))
                        input type="hidden" name="event_id" value=(event_id);
                        @match step {
                            "inspected" => {
                                label { (t("step_field.inspector"))
                                    input type="text" name="inspector" value=(form.inspector) required; }
                                label { (t("step_field.certificate_number"))
                                    input type="text" name="certificate_number" value=(form.certificate_number) required; }
                                label { (t("step_field.result"))
                                    select name="result" {
                                        @for r in [InspectionResult::Passed, InspectionResult::Failed] {
                                            option value=(r.slug()) selected[form.result == r.slug()] {
                                                (lang.choice("result", r.slug()))
                                            }
                                        }
                                    }
                                }
                            },
                            _ => {
                                label { (t("step_field.quantity"))
                                    input type="text" name="quantity" value=(form.quantity) required placeholder="20 kg"; }
                                @if step == "packed" {
                                    label { (t("step_field.packaging"))
                                        input type="text" name="packaging" value=(form.packaging) required; }
                                }
                                @if step == "shipped" {
                                    label { (t("step_field.to"))
                                        input type="text" name="to" value=(form.to) required; }
                                }
                                @if step == "received" {
                                    label { (t("step_field.order"))
                                        input type="text" name="order" value=(form.order); }
                                }
                            },
                        }
                        label { (t("step_field.at")) input type="date" name="at" value=(form.at); }
                        label { (t("step_field.place")) input type="text" name="place" value=(form.place); }
                        button type="submit" { (lang.choice("step_submit", step)) }
                    }
                }
            }
        }
        p { a href="/console/lots" { (t("lots.back")) } }
    };
    layout(&frame, &label.name, body)
}

/// The event id a form is drawn with: the one it was sent with, so that
/// sending it again after fixing a field still records once; a fresh one
/// if it had none.
fn event_id<'a>(form: &'a StepForm, fresh: &'a StepForm) -> &'a str {
    if form.event_id.trim().is_empty() {
        &fresh.event_id
    } else {
        &form.event_id
    }
}

fn lot_table(lang: Lang, lots: &[ChainLot]) -> Markup {
    let t = |k| lang.t(k);
    html! {
        table.cards {
            tbody {
                @for lot in lots {
                    tr {
                        td data-label=(t("lots.code")) {
                            a href={ "/console/lots/" (lot.code.as_str()) } { (lot.code.grouped()) }
                        }
                        td data-label=(t("lots.kind")) { (lang.choice("lot_kind", kind(lot))) }
                        td data-label=(t("lots.origin")) { (origin(lot)) }
                    }
                }
            }
        }
    }
}

fn step_details(lang: Lang, step: &TraceStep) -> Markup {
    html! {
        @match step {
            TraceStep::Received { quantity, order_id } => {
                (quantity)
                @if let Some(order) = order_id {
                    " · " a href={ "/console/orders/" (order) } { (lang.t("order.title")) }
                }
            },
            TraceStep::Processed { product, .. } => { (product.name) " · " (product.quantity) },
            TraceStep::Inspected { inspector, certificate_number, result, on } => {
                span class={ "state state-" (if *result == InspectionResult::Passed { "paid" } else { "cancelled" }) } {
                    (lang.choice("result", result.slug()))
                }
                " · " (inspector) " · " (certificate_number) " · " (on)
            },
            TraceStep::Packed { quantity, packaging } => { (packaging) " · " (quantity) },
            TraceStep::Shipped { quantity, to, vehicle, .. } => {
                @if let Some(to) = to { (to) " · " }
                @if let Some(vehicle) = vehicle { (vehicle) " · " }
                (quantity)
            },
        }
    }
}

fn kind(lot: &ChainLot) -> &'static str {
    match lot.origin {
        LotOrigin::Harvest { .. } => "harvest",
        LotOrigin::Product { .. } => "product",
    }
}

/// Where a lot comes from in a word: its village, or its product and how
/// much was made.
fn origin(lot: &ChainLot) -> String {
    match &lot.origin {
        LotOrigin::Harvest { lot, .. } => lot.village.as_str().to_owned(),
        LotOrigin::Product { product, .. } => format!("{} · {}", product.name, product.quantity),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_step_names_its_field_in_the_pages_language() {
        let missing = StepError::Missing("inspector");
        assert_eq!(
            step_message(Lang::En, &missing),
            "Inspector: This field is required."
        );
        assert_eq!(step_message(Lang::Zh, &missing), "检验机构：此项必填。");
        let unknown = StepError::Hub(crate::Error::UnknownLot("K7QM-4XRP-Y2AB-C".into()));
        assert!(step_message(Lang::En, &unknown).ends_with("K7QM-4XRP-Y2AB-C"));
    }
}
