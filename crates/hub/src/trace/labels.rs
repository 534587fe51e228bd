//! What a lot's printed label says, from its chain: the QR code of its
//! trace page, a name, its code and a date or two. Shared by
//! `highland-hub label --out FILE.pdf` and the console's label sheets.

use highland_domain::{InspectionResult, TraceStep};
use highland_print::LabelItem;

use super::chain::{Chain, LotOrigin};
use super::lot_url;

/// The label of the chain's lot, its QR code opening the lot's page on the
/// hub at `hub_base_url`.
///
/// The name is a product lot's product, or for a village lot the title of
/// a listing that offers it, else its village: in the words the data has
/// them, Chinese and Tibetan alike. Under it: the day of harvest or of
/// making, and the day of the lot's latest passed inspection, if any.
pub fn label_item(hub_base_url: &str, chain: &Chain) -> LabelItem {
    let lot = &chain.lot;
    let (name, made, village) = match &lot.origin {
        LotOrigin::Harvest {
            lot: harvest,
            recorded_at,
            ..
        } => {
            let village = harvest.village.as_str().to_owned();
            let name = chain
                .listings
                .first()
                .cloned()
                .unwrap_or_else(|| village.clone());
            let on = harvest.harvested_on.unwrap_or(recorded_at.date_naive());
            let other_village = (name != village).then_some(village);
            (name, format!("采收 {on}"), other_village)
        }
        LotOrigin::Product { product, made_at } => (
            product.name.as_str().to_owned(),
            format!("生产 {}", made_at.date_naive()),
            None,
        ),
    };
    let inspected = chain
        .events
        .iter()
        .filter(|e| e.lot_id == lot.id)
        .filter_map(|e| match &e.step {
            TraceStep::Inspected {
                result: InspectionResult::Passed,
                on,
                ..
            } => Some(*on),
            _ => None,
        })
        .max()
        .map(|on| format!("检验合格 {on}"));
    // A label has room for two lines: the dates first, then the village
    // when the name is a listing's.
    let lines = [Some(made), inspected, village]
        .into_iter()
        .flatten()
        .take(2)
        .collect();
    LabelItem {
        url: lot_url(hub_base_url, lot),
        name,
        code: lot.code.grouped(),
        lines,
    }
}
