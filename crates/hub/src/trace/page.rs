//! The trace page's HTML: one document with its styles inline, so a phone
//! on a slow link makes one request.

use maud::{DOCTYPE, Markup, html};

use super::TraceView;
use super::words::{Key, Lang};
use highland_domain::TraceCode;

const STYLE: &str = "body{margin:0;font:16px/1.5 system-ui,'Noto Sans CJK SC','Noto Serif Tibetan',sans-serif;\
color:#222;background:#faf7f2}main{max-width:34em;margin:0 auto;padding:1em}\
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.1em;margin:1.2em 0 .4em}\
.code{font-family:monospace;font-size:1.1em;letter-spacing:.05em}\
dl{display:grid;grid-template-columns:auto 1fr;gap:.2em 1em;margin:0}dt{color:#666}dd{margin:0}\
ol{list-style:none;padding:0;margin:0;border-left:3px solid #b5651d}\
li{padding:.2em 0 .6em 1em}li b{display:block}\
ul{padding-left:1.2em}footer{margin-top:2em;color:#666;font-size:.9em}\
nav a{margin-right:1em}";

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

pub(super) fn lot(lang: Lang, view: &TraceView) -> Markup {
    let here = format!("/t/{}", view.code.as_str());
    let lot = &view.lot;
    frame(
        lang,
        lang.t(Key::Title),
        &here,
        html! {
            h1 { (lang.t(Key::Title)) }
            p { (lang.t(Key::LotCode)) " " span.code { (view.code.grouped()) } }
            h2 { (lang.t(Key::Origin)) }
            dl {
                dt { (lang.t(Key::Village)) } dd { (lot.village) }
                @if let Some(altitude) = lot.altitude_m {
                    dt { (lang.t(Key::Altitude)) } dd { (altitude) " " (lang.t(Key::Metres)) }
                }
                @if let Some(date) = &lot.harvested_on {
                    dt { (lang.t(Key::Harvested)) } dd { (date) }
                }
                @if let Some(environment) = &lot.environment {
                    dt { (lang.t(Key::Environment)) } dd { (environment) }
                }
            }
            h2 { (lang.t(Key::Chain)) }
            ol {
                li {
                    b { (lang.t(Key::HarvestStep)) }
                    (lot.village)
                    @if let Some(date) = &lot.harvested_on { " · " (date) }
                }
            }
            h2 { (lang.t(Key::Products)) }
            @if view.listings.is_empty() {
                p { (lang.t(Key::NoProducts)) }
            } @else {
                ul { @for listing in &view.listings { li { (listing.title) } } }
            }
        },
    )
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
