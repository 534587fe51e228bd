//! Recording a step of a lot's chain as staff type it, in the console's
//! form or on the command line: every field arrives as text and is parsed
//! here, once, into a [`TraceEvent`].

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use highland_domain::{
    DomainError, Gtin, Inputs, LotId, LotInput, ProductLot, Quantity, ShortText, Title, TraceCode,
    TraceEvent, TraceStep, TraceStepKind,
};
use serde::Deserialize;

use super::chain::{ChainLot, Recorded};
use crate::Storage;

/// A step as typed. Which fields a step needs depends on the step; the
/// others are ignored.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct StepInput {
    /// received, processed, inspected, packed or shipped
    pub step: String,
    /// The lot's trace code (as on its label) or id; unused for processing,
    /// which makes a new lot.
    #[serde(default)]
    pub lot: String,
    /// With its unit: "20 kg".
    pub quantity: Option<String>,
    /// YYYY-MM-DD or an RFC 3339 time; now when empty.
    pub at: Option<String>,
    pub place: Option<String>,
    /// The order a received lot was bought under.
    pub order: Option<String>,
    pub product: Option<String>,
    pub gtin: Option<String>,
    /// A processing step's inputs, each "CODE=QUANTITY" ("K7QM-4XRP-Y2AB-C=20 kg").
    #[serde(default)]
    pub inputs: Vec<String>,
    pub inspector: Option<String>,
    pub certificate_number: Option<String>,
    /// passed or failed
    pub result: Option<String>,
    pub packaging: Option<String>,
    pub to: Option<String>,
    /// Set by a form or a script that may send the same step twice; it is
    /// then recorded once.
    pub event_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error("{0} is needed for this step")]
    Missing(&'static str),
    #[error("{field}: {source}")]
    Invalid {
        field: &'static str,
        source: DomainError,
    },
    #[error("{0:?} is not a date (YYYY-MM-DD) or a time (2026-09-14T08:00:00+08:00)")]
    BadTime(String),
    #[error(
        "{0:?} is not an input: write the lot's code, \"=\" and the quantity used, as K7QM-4XRP-Y2AB-C=20 kg"
    )]
    BadInput(String),
    #[error(transparent)]
    Hub(#[from] crate::Error),
}

impl StepError {
    /// A stable name for the kind of error, for the console and the API.
    pub fn code(&self) -> &'static str {
        match self {
            StepError::Missing(_) => "missing_field",
            StepError::Invalid { source, .. } => source.code(),
            StepError::BadTime(_) => "bad_time",
            StepError::BadInput(_) => "bad_input",
            StepError::Hub(crate::Error::UnknownLot(_)) => "unknown_lot",
            StepError::Hub(_) => "hub_error",
        }
    }
}

type Result<T> = std::result::Result<T, StepError>;

/// Parses the step and records it, as `by` (a staff member's name).
pub fn record(
    store: &dyn Storage,
    input: &StepInput,
    by: &str,
    now_ms: u64,
) -> Result<(TraceEvent, Recorded)> {
    let now = i64::try_from(now_ms)
        .ok()
        .and_then(DateTime::<Utc>::from_timestamp_millis)
        .unwrap_or_default();
    let event = parse(store, input, by, now)?;
    let recorded = store.record_trace_event(&event, now_ms)?;
    Ok((event, recorded))
}

fn parse(
    store: &dyn Storage,
    input: &StepInput,
    by: &str,
    now: DateTime<Utc>,
) -> Result<TraceEvent> {
    let kind = TraceStepKind::ALL
        .into_iter()
        .find(|k| k.slug() == input.step.trim().to_ascii_lowercase())
        .ok_or_else(|| StepError::Invalid {
            field: "step",
            source: DomainError::UnknownChoice {
                what: "step",
                input: input.step.clone(),
                known: TraceStepKind::ALL.map(TraceStepKind::slug).join(", "),
            },
        })?;
    let quantity =
        || -> Result<Quantity> { parsed("quantity", required("quantity", &input.quantity)?) };
    let text = |field: &'static str, value: &Option<String>| -> Result<ShortText> {
        parsed_with(field, required(field, value)?, ShortText::parse)
    };
    let (lot_id, step) = match kind {
        TraceStepKind::Processed => {
            let inputs = input
                .inputs
                .iter()
                .filter(|i| !i.trim().is_empty())
                .map(|i| lot_input(store, i))
                .collect::<Result<Vec<_>>>()?;
            let product = ProductLot {
                name: parsed_with(
                    "product",
                    required("product", &input.product)?,
                    Title::parse,
                )?,
                quantity: quantity()?,
                gtin: optional(&input.gtin)
                    .map(|g| parsed_with("gtin", g, Gtin::parse))
                    .transpose()?,
            };
            let inputs = Inputs::new(inputs).map_err(|source| StepError::Invalid {
                field: "inputs",
                source,
            })?;
            (LotId::new(), TraceStep::Processed { product, inputs })
        }
        _ => {
            let lot = find_lot(store, required("lot", &Some(input.lot.clone()))?)?;
            let step = match kind {
                TraceStepKind::Received => TraceStep::Received {
                    quantity: quantity()?,
                    order_id: optional(&input.order)
                        .map(|o| parsed("order", o))
                        .transpose()?,
                },
                TraceStepKind::Inspected => TraceStep::Inspected {
                    inspector: text("inspector", &input.inspector)?,
                    certificate_number: text("certificate_number", &input.certificate_number)?,
                    result: parsed("result", required("result", &input.result)?)?,
                    on: match optional(&input.at) {
                        Some(at) => time(at)?.date_naive(),
                        None => now.date_naive(),
                    },
                },
                TraceStepKind::Packed => TraceStep::Packed {
                    quantity: quantity()?,
                    packaging: text("packaging", &input.packaging)?,
                },
                TraceStepKind::Shipped => TraceStep::Shipped {
                    quantity: quantity()?,
                    to: Some(text("to", &input.to)?),
                    vehicle: None,
                    round_id: None,
                },
                TraceStepKind::Processed => unreachable!("handled above"),
            };
            (lot.id, step)
        }
    };
    Ok(TraceEvent {
        id: optional(&input.event_id)
            .map(|id| parsed("event_id", id))
            .transpose()?
            .unwrap_or_default(),
        lot_id,
        at: optional(&input.at).map(time).transpose()?.unwrap_or(now),
        place: optional(&input.place)
            .map(|p| parsed_with("place", p, ShortText::parse))
            .transpose()?,
        recorded_by: parsed_with("recorded_by", by, ShortText::parse)?,
        step,
    })
}

/// The lot a trace code (as typed from a label) or a lot id names.
pub fn find_lot(store: &dyn Storage, typed: &str) -> Result<ChainLot> {
    let code = lot_code(typed).map_err(|source| StepError::Invalid {
        field: "lot",
        source,
    })?;
    store
        .trace_chain(&code, None)?
        .map(|chain| chain.lot)
        .ok_or_else(|| crate::Error::UnknownLot(code.grouped()).into())
}

/// The trace code of a lot named by its code (as typed from a label) or
/// its id.
pub fn lot_code(typed: &str) -> std::result::Result<TraceCode, DomainError> {
    match typed.trim().parse::<LotId>() {
        Ok(id) => Ok(TraceCode::of_lot(id)),
        Err(_) => TraceCode::parse(typed),
    }
}

fn lot_input(store: &dyn Storage, typed: &str) -> Result<LotInput> {
    let (lot, quantity) = typed
        .split_once('=')
        .ok_or_else(|| StepError::BadInput(typed.to_owned()))?;
    Ok(LotInput {
        lot_id: find_lot(store, lot)?.id,
        quantity: parsed("inputs", quantity)?,
    })
}

fn time(typed: &str) -> Result<DateTime<Utc>> {
    let typed = typed.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(typed) {
        return Ok(t.with_timezone(&Utc));
    }
    // A day alone means that day, in Deqen (UTC+8), at noon: on the page
    // it shows as the day typed, whatever the reader's time zone.
    NaiveDate::parse_from_str(typed, "%Y-%m-%d")
        .map(|d| {
            d.and_time(NaiveTime::from_hms_opt(4, 0, 0).expect("valid"))
                .and_utc()
        })
        .map_err(|_| StepError::BadTime(typed.to_owned()))
}

fn optional(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn required<'a>(field: &'static str, value: &'a Option<String>) -> Result<&'a str> {
    optional(value).ok_or(StepError::Missing(field))
}

fn parsed<T: std::str::FromStr<Err = DomainError>>(field: &'static str, text: &str) -> Result<T> {
    text.parse()
        .map_err(|source| StepError::Invalid { field, source })
}

fn parsed_with<T>(
    field: &'static str,
    text: &str,
    parse: impl FnOnce(&str) -> std::result::Result<T, DomainError>,
) -> Result<T> {
    parse(text).map_err(|source| StepError::Invalid { field, source })
}
