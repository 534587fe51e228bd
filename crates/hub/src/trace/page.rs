//! The trace page's HTML: one document with its styles inline, so a phone
//! on a slow link makes one request.

use maud::{DOCTYPE, Markup, html};

use super::chain::{Chain, ChainLot, LotOrigin};
use super::words::{Key, Lang};
use chrono::NaiveDate;
use highland_domain::{InspectionResult, LotId, ProductLot, TraceCode, TraceEvent, TraceStep};

use crate::photos::PhotoView;

const STYLE: &str = "body{margin:0;font:16px/1.5 system-ui,'Noto Sans CJK SC','Noto Serif Tibetan',sans-serif;\
color:#222;background:#faf7f2}main{max-width:34em;margin:0 auto;padding:1em}\
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.1em;margin:1.2em 0 .4em}\
.code{font-family:monospace;font-size:1.1em;letter-spacing:.05em}\
dl{display:grid;grid-template-columns:auto 1fr;gap:.2em 1em;margin:0}dt{color:#666}dd{margin:0}\
ol{list-style:none;padding:0;margin:0;border-left:3px solid #b5651d}\
li{padding:.2em 0 .6em 1em}li b{display:block}\
ul{padding-left:1.2em}footer{margin-top:2em;color:#666;font-size:.9em}\
nav a{margin-right:1em}li dl{margin:.2em 0}.photos img{max-width:30%;height:auto;margin:.2em .2em 0 0}.passed{color:#1d7a2f}.failed{color:#b3261e}";

/// The page's policy: its one inline style, as maud writes it, and nothing
/// else but images from the hub.
pub(crate) fn policy() -> crate::http::page_headers::PagePolicy {
    crate::http::page_headers::PagePolicy::inline_style(&html! { (STYLE) }.into_string())
}

fn frame(lang: Lang, title: &str, here: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (STYLE) }
            }
            body {
                main {
                    (body)
                    footer {
                        p { (lang.t(Key::Footer)) }
                        nav {
                            @for other in Lang::ALL {
                                @if other != lang {
                                    a href={ (here) "?lang=" (other.code()) } lang=(other.code()) {
                                        (other.name())
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// At most this many photos of one lot: each is a request of a few KB, and
/// the page is for a slow phone link.
const PHOTOS_PER_LOT: usize = 6;

pub(super) fn chain(
    lang: Lang,
    chain: &Chain,
    photos: &[(LotId, Vec<PhotoView>)],
    here: &str,
) -> Markup {
    let root = &chain.lot;
    let title = match &root.origin {
        LotOrigin::Product { product, .. } => product.name.as_str(),
        LotOrigin::Harvest { .. } => lang.t(Key::Title),
    };
    frame(
        lang,
        title,
        here,
        html! {
            h1 { (title) }
            p { (lang.t(Key::LotCode)) " " span.code { (root.code.grouped()) } }
            @if let LotOrigin::Product { product: ProductLot { gtin: Some(gtin), .. }, .. } = &root.origin {
                p { (lang.t(Key::Gtin)) " " span.code { (gtin) } }
            }
            @for lot in chain.lots.iter().filter(|l| matches!(l.origin, LotOrigin::Harvest { .. })) {
                (origin(lang, lot, chain.lots.len() > 1))
                (lot_photos(lang, photos.iter().find(|(id, _)| *id == lot.id).map_or(&[][..], |(_, p)| p)))
            }
            h2 { (lang.t(Key::Chain)) }
            ol { @for (_, step) in timeline(lang, chain) { li { (step) } } }
            @if !chain.made_into.is_empty() {
                h2 { (lang.t(Key::MadeInto)) }
                ul { @for lot in &chain.made_into { li { (lot_link(lang, lot)) } } }
            }
            @if matches!(root.origin, LotOrigin::Harvest { .. }) {
                h2 { (lang.t(Key::Products)) }
                @if chain.listings.is_empty() {
                    p { (lang.t(Key::NoProducts)) }
                } @else {
                    ul { @for title in &chain.listings { li { (title) } } }
                }
            }
        },
    )
}

/// A lot's photos as small thumbnails after its origin, each a request of
/// its own (`/p/…`, cached for good), so the page itself stays small.
/// Only thumbnails that have arrived are shown.
fn lot_photos(lang: Lang, photos: &[PhotoView]) -> Markup {
    html! {
        @if photos.iter().any(|p| p.thumbnail_stored) {
            p.photos {
                @for photo in photos.iter().filter(|p| p.thumbnail_stored).take(PHOTOS_PER_LOT) {
                    @let thumb = photo.thumbnail;
                    img src={ "/p/" (thumb.file_name()) } loading="lazy" width=(thumb.width())
                        height=(thumb.height()) alt=(lang.t(Key::HarvestPhoto));
                }
            }
        }
    }
}

/// Where a village lot came from, as its seller recorded it.
fn origin(lang: Lang, lot: &ChainLot, several: bool) -> Markup {
    let LotOrigin::Harvest { lot: harvest, .. } = &lot.origin else {
        return html! {};
    };
    html! {
        h2 {
            (lang.t(Key::Origin))
            @if several { " · " a href={ "/t/" (lot.code.as_str()) } { (harvest.village) } }
        }
        dl {
            dt { (lang.t(Key::Village)) } dd { (harvest.village) }
            @if let Some(altitude) = harvest.altitude {
                dt { (lang.t(Key::Altitude)) } dd { (altitude.metres()) " " (lang.t(Key::Metres)) }
            }
            @if let Some(date) = harvest.harvested_on {
                dt { (lang.t(Key::Harvested)) } dd { (date) }
            }
            @if let Some(environment) = &harvest.environment {
                dt { (lang.t(Key::Environment)) } dd { (environment) }
            }
        }
    }
}

/// Every step of the chain, oldest first: harvests, what the buyer did,
/// and the certificates sellers issued.
fn timeline(lang: Lang, chain: &Chain) -> Vec<(NaiveDate, Markup)> {
    let mut steps = Vec::new();
    for lot in &chain.lots {
        if let LotOrigin::Harvest {
            lot: harvest,
            recorded_at,
            ..
        } = &lot.origin
        {
            let on = harvest.harvested_on.unwrap_or(recorded_at.date_naive());
            steps.push((on, html! {
                b { (lang.t(Key::HarvestStep)) " · " (on) }
                (harvest.village)
                @if let Some(altitude) = harvest.altitude { " · " (altitude.metres()) " " (lang.t(Key::Metres)) }
            }));
        }
    }
    for event in &chain.events {
        let on = event.at.date_naive();
        steps.push((on, event_step(lang, chain, event)));
    }
    for certificate in &chain.certificates {
        steps.push((
            certificate.issued_on,
            html! {
                b { (lang.t(Key::Certificate)) " · " (certificate.issued_on) }
                dl {
                    dt { (lang.t(Key::Product)) } dd { (certificate.product) }
                    dt { (lang.t(Key::Quantity)) } dd { (certificate.quantity) }
                    dt { (lang.t(Key::Origin)) } dd { (certificate.origin) }
                    dt { (lang.t(Key::IssuedBy)) } dd { (certificate.issuer) }
                }
            },
        ));
    }
    // Stable: on one day, harvest before the buyer's steps, in the order
    // they happened.
    steps.sort_by_key(|(on, _)| *on);
    steps
}

fn event_step(lang: Lang, chain: &Chain, event: &TraceEvent) -> Markup {
    let on = event.at.date_naive();
    let heading = |key: Key| html! { b { (lang.t(key)) " · " (on) } };
    let place = html! {
        @if let Some(place) = &event.place { dt { (lang.t(Key::Place)) } dd { (place) } }
    };
    match &event.step {
        TraceStep::Received { quantity, .. } => html! {
            (heading(Key::ReceivedStep))
            dl { dt { (lang.t(Key::Quantity)) } dd { (quantity) } (place) }
        },
        TraceStep::Processed { product, inputs } => html! {
            (heading(Key::ProcessedStep))
            dl {
                dt { (lang.t(Key::Product)) } dd { (product.name) " · " (product.quantity) }
                (place)
                dt { (lang.t(Key::MadeFrom)) }
                dd {
                    @for input in inputs.as_slice() {
                        @if let Some(lot) = chain.lots.iter().find(|l| l.id == input.lot_id) {
                            (lot_link(lang, lot)) " · " (input.quantity) br;
                        }
                    }
                }
            }
        },
        TraceStep::Inspected {
            inspector,
            certificate_number,
            result,
            on,
        } => html! {
            b {
                (lang.t(Key::InspectedStep)) " · " (on) " · "
                @match result {
                    InspectionResult::Passed => span.passed { (lang.t(Key::Passed)) },
                    InspectionResult::Failed => span.failed { (lang.t(Key::Failed)) },
                }
            }
            dl {
                dt { (lang.t(Key::Inspector)) } dd { (inspector) }
                dt { (lang.t(Key::CertificateNumber)) } dd { (certificate_number) }
                (place)
            }
        },
        TraceStep::Packed {
            quantity,
            packaging,
        } => html! {
            (heading(Key::PackedStep))
            dl {
                dt { (lang.t(Key::Packaging)) } dd { (packaging) }
                dt { (lang.t(Key::Quantity)) } dd { (quantity) }
                (place)
            }
        },
        TraceStep::Shipped {
            quantity,
            to,
            vehicle,
            ..
        } => html! {
            (heading(Key::ShippedStep))
            dl {
                @if let Some(to) = to { dt { (lang.t(Key::ShippedTo)) } dd { (to) } }
                @if let Some(vehicle) = vehicle { dt { (lang.t(Key::Vehicle)) } dd { (vehicle) } }
                dt { (lang.t(Key::Quantity)) } dd { (quantity) }
                (place)
            }
        },
    }
}

/// A lot named as a link to its own page: a village lot by its village, a
/// product lot by its product.
fn lot_link(lang: Lang, lot: &ChainLot) -> Markup {
    let name = match &lot.origin {
        LotOrigin::Harvest { lot, .. } => lot.village.as_str(),
        LotOrigin::Product { product, .. } => product.name.as_str(),
    };
    html! {
        a href={ "/t/" (lot.code.as_str()) "?lang=" (lang.code()) } { (name) }
        " " span.code { (lot.code.grouped()) }
    }
}

pub(super) fn unknown(lang: Lang, code: &TraceCode) -> Markup {
    let here = format!("/t/{}", code.as_str());
    frame(
        lang,
        lang.t(Key::NotFoundTitle),
        &here,
        html! {
            h1 { (lang.t(Key::NotFoundTitle)) }
            p.code { (code.grouped()) }
            p { (lang.t(Key::NotFound)) }
        },
    )
}

pub(super) fn mistyped(lang: Lang, typed: &str) -> Markup {
    // What was typed is shown back, escaped, and bounded: it came from a URL.
    let shown: String = typed.chars().take(40).collect();
    let here = format!("/t/{}", urlencoding_path(&shown));
    frame(
        lang,
        lang.t(Key::MistypedTitle),
        &here,
        html! {
            h1 { (lang.t(Key::MistypedTitle)) }
            p.code { (shown) }
            p { (lang.t(Key::Mistyped)) }
        },
    )
}

pub(super) fn unavailable(lang: Lang) -> Markup {
    frame(
        lang,
        lang.t(Key::Title),
        "/",
        html! {
            h1 { (lang.t(Key::Title)) }
            p { (lang.t(Key::Unavailable)) }
        },
    )
}

/// Keeps only the characters a code may have, for a link back to the page.
fn urlencoding_path(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}
