//! The console's pages, as maud templates: checked when the hub compiles,
//! escaped by default, and nothing to ship beside the binary. Each takes
//! what its handler read and returns markup; none reads storage.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use highland_domain::{
    Actor, Category, ListingStatus, Money, OrderAction, OrderState, PaymentMethod, Price, Quantity,
    Reason, Unit,
};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{ActionForm, Lang, ListingFilter, OrderForm, OrderTab, SellerForm, qr};
use crate::catalog::{CatalogListing, ListingDetail, Page, SellerSummary};
use crate::photos::PhotoView;
use crate::views::{OrderDetail, OrderPage, OrderView};

/// What every page's frame needs: the language, and the member signed in
/// with their session's CSRF token (for the sign-out button), if any.
pub(crate) struct Frame<'a> {
    pub lang: Lang,
    pub staff: Option<(&'a str, &'a str)>,
    /// The page's own query, without `lang`, so that switching language
    /// keeps the filters.
    pub query: &'a str,
    /// Whether the menu shows the workshop's page.
    pub workshop: bool,
}

/// An action's form as the member sent it, and why it was refused.
pub(crate) struct Kept<'a> {
    pub action: &'a str,
    pub form: &'a ActionForm,
    pub message: &'a str,
}

pub(super) fn layout(frame: &Frame, title: &str, body: Markup) -> Markup {
    let lang = frame.lang;
    let t = |k| lang.t(k);
    html! {
        (DOCTYPE)
        html lang=(if lang == Lang::Zh { "zh-CN" } else { "en" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (t("app.name")) }
                link rel="stylesheet" href="/console/static/console.css";
            }
            body {
                header {
                    a.brand href="/console/listings" { (t("app.name")) }
                    nav {
                        @if let Some((name, csrf)) = frame.staff {
                            a href="/console/listings" { (t("nav.listings")) }
                            a href="/console/orders" { (t("nav.orders")) }
                            a href="/console/rounds" { (t("nav.rounds")) }
                            a href="/console/lots" { (t("nav.lots")) }
                            a href="/console/sellers" { (t("nav.sellers")) }
                            @if frame.workshop {
                                a href="/console/workshop" { (t("nav.workshop")) }
                            }
                            span.muted { (name) }
                            form method="post" action="/console/logout" {
                                (csrf_field(csrf))
                                button.link type="submit" { (t("nav.logout")) }
                            }
                        }
                        a href={ "?" (frame.query) @if !frame.query.is_empty() { "&" } "lang=" (lang.other().code()) }
                            lang=(lang.other().code()) {
                            (t("lang.switch"))
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

pub(super) fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

pub(super) fn message(text: Option<&str>) -> Markup {
    html! {
        @if let Some(text) = text {
            p.message.error role="alert" { (text) }
        }
    }
}

/// A page that only says what went wrong.
pub(crate) fn error(lang: Lang, status: StatusCode, text: &str) -> Response {
    let frame = Frame {
        lang,
        staff: None,
        query: "",
        workshop: false,
    };
    let body = html! {
        h1 { (lang.t("error.title")) }
        p.message.error role="alert" { (text) }
        p { a href="/console/listings" { (lang.t("error.back")) } }
    };
    (status, layout(&frame, lang.t("error.title"), body)).into_response()
}

pub(crate) fn login(lang: Lang, name: &str, error: Option<&str>) -> Markup {
    let t = |k| lang.t(k);
    let frame = Frame {
        lang,
        staff: None,
        query: "",
        workshop: false,
    };
    layout(
        &frame,
        t("login.title"),
        html! {
            div.card.narrow {
                h1 { (t("login.title")) }
                (message(error))
                form.stack method="post" action="/console/login" {
                    label for="name" { (t("login.name")) }
                    input #name type="text" name="name" value=(name) required autocomplete="username";
                    label for="token" { (t("login.token")) }
                    input #token type="password" name="token" required autocomplete="current-password";
                    p { button type="submit" { (t("login.submit")) } }
                }
            }
        },
    )
}

pub(crate) fn listings(
    frame: Frame,
    filter: &ListingFilter,
    page: &Page<CatalogListing>,
) -> Markup {
    let lang = frame.lang;
    let t = |k| lang.t(k);
    let next = page.next_cursor.as_deref().map(|cursor| {
        format!(
            "/console/listings?{}",
            query(&[
                ("village", &filter.village),
                ("category", &filter.category),
                ("status", &filter.status),
                ("cursor", cursor),
            ])
        )
    });
    let body = html! {
        h1 { (t("listings.title")) }
        form.inline.card method="get" action="/console/listings" {
            label { (t("listings.village"))
                input type="text" name="village" value=(filter.village); }
            label { (t("listings.category"))
                select name="category" {
                    option value="" { (t("listings.any")) }
                    @for c in Category::ALL {
                        option value=(c.slug()) selected[filter.category == c.slug()] {
                            (lang.choice("category", c.slug()))
                        }
                    }
                }
            }
            label { (t("listings.status"))
                select name="status" {
                    option value="" { (t("listings.any")) }
                    @for s in ListingStatus::ALL {
                        option value=(s.slug()) selected[filter.status == s.slug()] {
                            (lang.choice("status", s.slug()))
                        }
                    }
                }
            }
            button type="submit" { (t("listings.filter")) }
        }
        @if page.items.is_empty() {
            p.muted { (t("listings.none")) }
        } @else {
            table.cards {
                thead { tr {
                    th { (t("listing.title")) }
                    th { (t("listings.village")) }
                    th { (t("listing.seller")) }
                    th { (t("listings.category")) }
                    th.num { (t("listing.price")) }
                    th.num { (t("listing.stock")) }
                    th { (t("listings.status")) }
                } }
                tbody {
                    @for item in &page.items {
                        @let l = &item.listing;
                        tr {
                            td data-label=(t("listing.title")) {
                                a href={ "/console/listings/" (l.id) } { (l.title) }
                            }
                            td data-label=(t("listings.village")) { (item.village) }
                            td data-label=(t("listing.seller")) { (item.seller_name) }
                            td data-label=(t("listings.category")) { (lang.choice("category", &l.category)) }
                            td.num data-label=(t("listing.price")) { (yuan(l.price_fen)) " / " (l.unit) }
                            td.num data-label=(t("listing.stock")) { (l.stock_display) " " (l.unit) }
                            td data-label=(t("listings.status")) { (lang.choice("status", &l.status)) }
                        }
                    }
                }
            }
        }
        (pager(lang, "/console/listings", next.as_deref()))
    };
    layout(&frame, t("listings.title"), body)
}

fn pager(lang: Lang, first: &str, next: Option<&str>) -> Markup {
    html! {
        nav.pager {
            a href=(first) { (lang.t("listings.first")) }
            @if let Some(next) = next {
                a href=(next) rel="next" { (lang.t("listings.next")) }
            }
        }
    }
}

/// What a listing's page shows.
pub(crate) struct ListingPage<'a> {
    pub detail: &'a ListingDetail,
    pub photos: &'a [PhotoView],
    pub sales: &'a [crate::SaleView],
    /// The rounds an order for it may ride.
    pub rounds: &'a [highland_domain::Round],
}

pub(crate) fn listing(
    frame: Frame,
    page: &ListingPage,
    form: &OrderForm,
    error: Option<&str>,
) -> Markup {
    listing_page(frame, page, form, error, None)
}

/// The listing's page with a refused weight per unit's reason.
pub(crate) fn listing_weighed(
    frame: Frame,
    page: &ListingPage,
    form: &OrderForm,
    weight_error: &str,
) -> Markup {
    listing_page(frame, page, form, None, Some(weight_error))
}

fn listing_page(
    frame: Frame,
    page: &ListingPage,
    form: &OrderForm,
    error: Option<&str>,
    weight_error: Option<&str>,
) -> Markup {
    let lang = frame.lang;
    let t = |k| lang.t(k);
    let ListingPage {
        detail,
        photos,
        sales,
        rounds,
    } = *page;
    let l = &detail.listing;
    let csrf = frame.staff.map(|(_, c)| c).unwrap_or_default();
    let counted = l.unit != "kg" && l.unit != "jin" && l.unit != "g";
    let body = html! {
        h1 { (l.title) }
        div.card {
            dl.facts {
                dt { (t("listing.seller")) }
                dd { (detail.seller.name) " · " (detail.seller.village) }
                dt { (t("listings.category")) } dd { (lang.choice("category", &l.category)) }
                dt { (t("listings.status")) } dd { (lang.choice("status", &l.status)) }
                dt { (t("listing.price")) } dd { (yuan(l.price_fen)) " / " (l.unit) }
                dt { (t("listing.stock")) } dd { (l.stock_display) " " (l.unit) }
                dt { (t("listing.reserved")) } dd { (in_unit(l.reserved, &l.unit)) " " (l.unit) }
                dt { (t("listing.sold")) } dd { (in_unit(l.sold, &l.unit)) " " (l.unit) }
                @if let Some(d) = &l.description {
                    dt { (t("listing.description")) } dd { (d) }
                }
                @if counted {
                    dt { (t("listing.weight_per_unit")) }
                    dd data-testid="weight-per-unit" {
                        @match l.weight_per_unit_g {
                            Some(g) => { (super::rounds::kg(g)) " kg / " (l.unit) },
                            None => span.muted { (t("listing.weight_unknown")) },
                        }
                    }
                }
            }
            @if counted {
                (message(weight_error))
                form.inline method="post" action={ "/console/listings/" (l.id) "/weight" } {
                    (csrf_field(csrf))
                    label { (t("listing.weight_per_unit"))
                        input type="text" inputmode="decimal" name="weight"
                            value=(l.weight_per_unit_g.map(super::rounds::kg).unwrap_or_default());
                    }
                    button.secondary type="submit" { (t("listing.weigh")) }
                }
            }
        }
        @if !photos.is_empty() {
            h2 { (t("listing.photos")) }
            div.card.photos {
                @for photo in photos {
                    @let thumb = photo.thumbnail;
                    @if photo.thumbnail_stored {
                        a href={ "/console/photos/" (photo.display.file_name()) } {
                            img src={ "/console/photos/" (thumb.file_name()) } loading="lazy"
                                width=(thumb.width()) height=(thumb.height()) alt=(l.title);
                        }
                    } @else {
                        span.muted title=(t("listing.photo_waiting")) { "⋯" }
                    }
                }
            }
        }
        @if !sales.is_empty() {
            h2 { (t("listing.sales")) }
            table.sales {
                thead { tr {
                    th { (t("sale.sold_at")) } th { (t("sale.quantity")) }
                    th { (t("sale.total")) } th { (t("sale.payment")) } th { (t("sale.state")) }
                } }
                tbody {
                    @for sale in sales {
                        // A voided sale stays listed, struck through, with the
                        // seller's reason: staff see what was undone and why.
                        tr.voided[sale.voided.is_some()] {
                            td { (sale.sold_at) }
                            td { (sale.quantity_display) " " (sale.unit) }
                            td { (yuan(sale.total_fen)) }
                            td { (lang.choice("payment", &sale.payment)) }
                            td {
                                @match &sale.voided {
                                    Some(void) => {
                                        strong { (t("sale.voided")) } ": " (void.reason)
                                        " " span.muted { "(" (void.at) ")" }
                                    }
                                    None => (t("sale.counted")),
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (t("listing.lot")) }
        div.card {
            @match &detail.lot {
                Some(lot) => dl.facts {
                    dt { (t("listings.village")) } dd { (lot.village) }
                    @if let Some(a) = lot.altitude_m { dt { (t("listing.altitude")) } dd { (a) " m" } }
                    @if let Some(h) = &lot.harvested_on { dt { (t("listing.harvested")) } dd { (h) } }
                    @if let Some(e) = &lot.environment { dt { (t("listing.environment")) } dd { (e) } }
                },
                None => p.muted { (t("listing.no_lot")) },
            }
        }
        h2 { (t("order.new")) }
        div.card {
            (message(error))
            form.stack method="post" action={ "/console/listings/" (l.id) "/orders" } {
                (csrf_field(csrf))
                label for="quantity" { (t("order.quantity")) " (" (l.unit) ")" }
                input #quantity type="text" inputmode="decimal" name="quantity" value=(form.quantity) required;
                label for="price" { (t("order.price_per")) " / " (l.unit) }
                input #price type="text" inputmode="decimal" name="price" value=(form.price) required;
                label for="hand_over_by" { (t("order.hand_over_by")) }
                input #hand_over_by type="date" name="hand_over_by" value=(form.hand_over_by);
                label for="note" { (t("order.note")) }
                textarea #note name="note" rows="2" { (form.note) }
                label for="round" { (t("order.round")) }
                (super::round_pages::round_choice(lang, rounds, &form.round))
                p { button type="submit" { (t("order.place")) } }
            }
        }
    };
    layout(&frame, &l.title, body)
}

pub(crate) fn sellers(
    frame: Frame,
    page: &Page<SellerSummary>,
    form: &SellerForm,
    error: Option<&str>,
) -> Markup {
    let lang = frame.lang;
    let t = |k| lang.t(k);
    let csrf = frame.staff.map(|(_, c)| c).unwrap_or_default();
    let next = page
        .next_cursor
        .as_deref()
        .map(|c| format!("/console/sellers?{}", query(&[("cursor", c)])));
    let body = html! {
        h1 { (t("sellers.title")) }
        h2 { (t("sellers.add")) }
        div.card {
            (message(error))
            form.inline method="post" action="/console/sellers" {
                (csrf_field(csrf))
                label { (t("sellers.name")) input type="text" name="name" value=(form.name) required; }
                label { (t("sellers.village")) input type="text" name="village" value=(form.village) required; }
                label { (t("sellers.phone")) input type="tel" name="phone" value=(form.phone); }
                button type="submit" { (t("sellers.add_submit")) }
            }
        }
        @if page.items.is_empty() {
            p.muted { (t("sellers.none")) }
        } @else {
            table.cards {
                thead { tr {
                    th { (t("sellers.name")) }
                    th { (t("sellers.village")) }
                    th { (t("sellers.phone")) }
                    th.num { (t("sellers.devices")) }
                    th.num { (t("sellers.listings")) }
                    th { (t("sellers.added")) }
                    th {}
                } }
                tbody {
                    @for s in &page.items {
                        tr {
                            td data-label=(t("sellers.name")) { (s.name) }
                            td data-label=(t("sellers.village")) {
                                a href={ "/console/listings?" (query(&[("village", &s.village)])) } { (s.village) }
                            }
                            td data-label=(t("sellers.phone")) { (s.phone.as_deref().unwrap_or("")) }
                            td.num data-label=(t("sellers.devices")) {
                                a href={ "/console/sellers/" (s.id) "/devices" } { (s.devices) }
                            }
                            td.num data-label=(t("sellers.listings")) { (s.listings) }
                            td data-label=(t("sellers.added")) { (when(&s.created_at)) }
                            td {
                                form method="post" action={ "/console/sellers/" (s.id) "/codes" } {
                                    (csrf_field(csrf))
                                    button.secondary type="submit" { (t("sellers.new_code")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        (pager(lang, "/console/sellers", next.as_deref()))
    };
    layout(&frame, t("sellers.title"), body)
}

/// A new enrollment code, readable and as a QR code, shown once. The QR
/// code holds `enroll_text` (the hub's address with the code), so a
/// tablet that scans it need not have the address typed.
pub(crate) fn code(
    frame: Frame,
    seller: &str,
    code: &str,
    enroll_text: &str,
    expires_at: &str,
) -> Markup {
    let lang = frame.lang;
    let t = |k| lang.t(k);
    let svg = qr::svg(enroll_text, &format!("{} {code}", t("code.title"))).unwrap_or_default();
    let body = html! {
        h1 { (t("code.title")) " · " (seller) }
        div.card {
            div.qr { (PreEscaped(svg)) }
            p.code { (code) }
            p { (t("code.help")) }
            p.muted { (t("code.expires")) " " (when(expires_at)) }
        }
        p { a href="/console/sellers" { (t("code.back")) } }
    };
    layout(&frame, t("code.title"), body)
}

pub(crate) fn orders(frame: Frame, tab: &OrderTab, page: &OrderPage) -> Markup {
    let lang = frame.lang;
    let t = |k| lang.t(k);
    let next = page.next_after.as_deref().map(|c| {
        format!(
            "/console/orders?{}",
            query(&[("state", &tab.state), ("cursor", c)])
        )
    });
    let first = format!("/console/orders?{}", query(&[("state", &tab.state)]));
    let body = html! {
        h1 { (t("orders.title")) }
        nav.tabs {
            a href="/console/orders" aria-current=[tab.state.is_empty().then_some("page")] { (t("orders.all")) }
            @for s in OrderState::ALL {
                a href={ "/console/orders?state=" (s.slug()) }
                    aria-current=[(tab.state == s.slug()).then_some("page")] {
                    (lang.choice("state", s.slug()))
                }
            }
        }
        @if page.orders.is_empty() {
            p.muted { (t("orders.none")) }
        } @else {
            table.cards {
                thead { tr {
                    th { (t("order.listing")) }
                    th.num { (t("order.quantity")) }
                    th.num { (t("orders.total")) }
                    th { (t("orders.state")) }
                    th { (t("orders.placed_at")) }
                    th { (t("order.actions")) }
                } }
                tbody {
                    @for o in &page.orders {
                        tr id={ "order-" (o.id) } {
                            td data-label=(t("order.listing")) {
                                a href={ "/console/orders/" (o.id) } { (o.listing_title) }
                            }
                            td.num data-label=(t("order.quantity")) { (o.quantity_display) " " (o.unit) }
                            td.num data-label=(t("orders.total")) { (yuan(o.total_fen)) }
                            td data-label=(t("orders.state")) { (state_badge(lang, &o.state)) }
                            td data-label=(t("orders.placed_at")) { (when(&o.placed_at)) }
                            td data-label=(t("order.actions")) {
                                (action_forms(&frame, o, None))
                            }
                        }
                    }
                }
            }
        }
        (pager(lang, &first, next.as_deref()))
    };
    layout(&frame, t("orders.title"), body)
}

pub(crate) fn order(
    frame: Frame,
    detail: &OrderDetail,
    rounds: &[highland_domain::Round],
    kept: Option<Kept>,
) -> Markup {
    let lang = frame.lang;
    let t = |k| lang.t(k);
    let o = &detail.order;
    let csrf = frame.staff.map(|(_, c)| c).unwrap_or_default();
    let routable = o.state == "placed" || o.state == "accepted";
    let chosen = match (&kept, &o.round_id, &o.stop_id) {
        (Some(k), _, _) if k.action == "round" => k.form.round.clone(),
        (_, Some(round), Some(stop)) => format!("{round}:{stop}"),
        _ => String::new(),
    };
    let body = html! {
        h1 { (t("order.title")) " · " (o.listing_title) }
        div.card {
            dl.facts {
                dt { (t("orders.state")) } dd { (state_badge(lang, &o.state)) }
                dt { (t("order.listing")) } dd { a href={ "/console/listings/" (o.listing_id) } { (o.listing_title) } }
                dt { (t("order.quantity")) } dd { (o.quantity_display) " " (o.unit) }
                dt { (t("listing.price")) } dd { (yuan(o.unit_price_fen)) " / " (o.unit) }
                dt { (t("orders.total")) } dd { (yuan(o.total_fen)) }
                @if let Some(d) = &o.hand_over_by { dt { (t("order.hand_over_by")) } dd { (d) } }
                @if let Some(n) = &o.note { dt { (t("order.note")) } dd { (n) } }
                dt { (t("orders.placed_at")) } dd { (when(&o.placed_at)) }
                @if let Some(r) = &o.received_display { dt { (t("order.received")) } dd { (r) " " (o.unit) } }
                @if let Some(p) = o.paid_fen {
                    dt { (t("order.paid")) }
                    dd { (yuan(p)) @if let Some(m) = &o.paid_method { " · " (lang.choice("method", m)) } }
                }
                @if let Some(r) = &o.reason { dt { (t("order.reason")) } dd { (r) } }
                @if let Some(round) = &o.round_id {
                    dt { (t("order.round")) }
                    dd { a href={ "/console/rounds/" (round) } data-testid="order-round" { (t("order.round")) } }
                }
                @if let Some(loaded) = &o.loaded_display {
                    dt { (t("order.loaded")) }
                    dd { (loaded) " " (o.unit) @if let Some(g) = o.loaded_weight_g { " · " (super::rounds::kg(g)) " kg" } }
                }
            }
        }
        h2 { (t("order.actions")) }
        div.card {
            @if let Some(kept) = kept.as_ref().filter(|k| k.action != "round") { (message(Some(kept.message))) }
            (action_forms(&frame, o, kept.as_ref()))
        }
        @if routable {
            h2 { (t("order.round")) }
            div.card {
                @if let Some(kept) = kept.as_ref().filter(|k| k.action == "round") { (message(Some(kept.message))) }
                form.inline method="post" action={ "/console/orders/" (o.id) "/round" } {
                    (csrf_field(csrf))
                    label { (t("order.round")) (super::round_pages::round_choice(lang, rounds, &chosen)) }
                    button type="submit" { (t("order.move_round")) }
                }
            }
        }
        h2 { (t("order.history")) }
        table.cards {
            tbody {
                @for h in &detail.history {
                    tr {
                        td { (when(&h.at)) }
                        td { (lang.choice("state", happened(&h.action))) }
                        td { (lang.choice("actor", &h.actor)) @if let Some(s) = &h.staff { " · " (s) } }
                        td {
                            @if let Some(q) = &h.quantity_display { (q) " " (o.unit) " " }
                            @if let Some(a) = h.amount_fen { (yuan(a)) " " }
                            @if let Some(m) = &h.method { (lang.choice("method", m)) " " }
                            @if let Some(r) = &h.reason { (r) }
                        }
                    }
                }
            }
        }
    };
    layout(&frame, t("order.title"), body)
}

fn state_badge(lang: Lang, state: &str) -> Markup {
    html! { span class={ "state state-" (state) } data-state=(state) { (lang.choice("state", state)) } }
}

/// The actions staff may take on an order in its state, by the state
/// machine: each a small form.
fn action_forms(frame: &Frame, o: &OrderView, kept: Option<&Kept>) -> Markup {
    let lang = frame.lang;
    let t = |k| lang.t(k);
    let csrf = frame.staff.map(|(_, c)| c).unwrap_or_default();
    let actions = o
        .state
        .parse::<OrderState>()
        .map(staff_actions)
        .unwrap_or_default();
    let typed = |action: &str, field: fn(&ActionForm) -> &String, default: String| match kept {
        Some(k) if k.action == action => field(k.form).clone(),
        _ => default,
    };
    html! {
        @if actions.is_empty() {
            p.muted { (t("order.no_actions")) }
        } @else {
            div.actions {
                @for action in actions {
                    form.inline method="post" action={ "/console/orders/" (o.id) "/" (action) } {
                        (csrf_field(csrf))
                        @match action {
                            "receive" => label {
                                (t("field.received_quantity")) " (" (o.unit) ")"
                                input type="text" inputmode="decimal" name="quantity" required
                                    value=(typed("receive", |f| &f.quantity, o.quantity_display.clone()));
                            },
                            "pay" => {
                                label { (t("field.amount"))
                                    input type="text" inputmode="decimal" name="amount" required
                                        value=(typed("pay", |f| &f.amount, yuan_plain(amount_due(o))));
                                }
                                label { (t("field.method"))
                                    select name="method" {
                                        @let chosen = typed("pay", |f| &f.method, String::new());
                                        @for m in PaymentMethod::ALL {
                                            option value=(m.slug()) selected[chosen == m.slug()] {
                                                (lang.choice("method", m.slug()))
                                            }
                                        }
                                    }
                                }
                            },
                            "cancel" => label { (t("field.reason"))
                                input type="text" name="reason" required
                                    value=(typed("cancel", |f| &f.reason, String::new()));
                            },
                            _ => {},
                        }
                        button type="submit" { (lang.choice("action", action)) }
                    }
                }
            }
        }
    }
}

/// What an order's history entry made of it: "hand-over" → "handed-over".
fn happened(action: &str) -> &str {
    match action {
        "place" => "placed",
        "accept" => "accepted",
        "decline" => "declined",
        "hand-over" => "handed-over",
        "receive" => "received",
        "pay" => "paid",
        "cancel" => "cancelled",
        other => other,
    }
}

/// What the buyer owes: the price of what was received, once it was; else
/// the order's total.
fn amount_due(o: &OrderView) -> i64 {
    let received = o.received_quantity.and_then(|base| {
        let unit = o.unit.parse::<Unit>().ok()?;
        let quantity = Quantity::from_base(base, unit).ok()?;
        Some(
            Price::from_fen(o.unit_price_fen)
                .ok()?
                .times(quantity)
                .fen(),
        )
    });
    received.unwrap_or(o.total_fen)
}

/// The staff actions the state machine allows from `state`.
fn staff_actions(state: OrderState) -> Vec<&'static str> {
    let samples = [
        Some(OrderAction::HandOver),
        Quantity::from_base(1, Unit::Kg)
            .ok()
            .map(|quantity| OrderAction::Receive { quantity }),
        Money::from_fen(1).ok().map(|amount| OrderAction::Pay {
            amount,
            method: PaymentMethod::Cash,
        }),
        Reason::parse("-")
            .ok()
            .map(|reason| OrderAction::Cancel { reason }),
    ];
    samples
        .into_iter()
        .flatten()
        .filter(|a| a.may_be_taken_by(Actor::Staff) && state.after(a).is_ok())
        .map(|a| a.slug())
        .collect()
}

/// Money as staff read it: "¥68.50".
pub(crate) fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}¥{}", yuan_plain(fen.abs()))
}

/// Yuan as a form field holds them: "68.50".
fn yuan_plain(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// A base-unit amount (grams, millilitres, a count) in the listing's unit.
fn in_unit(base: i64, unit: &str) -> String {
    unit.parse::<Unit>()
        .map(|u| highland_domain::quantity::format_in(base, u))
        .unwrap_or_else(|_| base.to_string())
}

/// An RFC 3339 time to the minute: "2026-05-28 20:26 UTC".
pub(super) fn when(rfc3339: &str) -> String {
    match rfc3339.get(..16) {
        Some(minute) if rfc3339.ends_with('Z') => format!("{} UTC", minute.replace('T', " ")),
        _ => rfc3339.to_owned(),
    }
}

/// A query string; every value percent-encoded, empty ones left out.
fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_yuan_with_two_decimals() {
        assert_eq!(yuan(6850), "¥68.50");
        assert_eq!(yuan(5), "¥0.05");
        assert_eq!(yuan(-250), "-¥2.50");
    }

    #[test]
    fn staff_may_act_as_the_state_machine_allows() {
        assert_eq!(staff_actions(OrderState::Placed), ["cancel"]);
        assert_eq!(staff_actions(OrderState::Accepted), ["hand-over", "cancel"]);
        assert!(staff_actions(OrderState::HandedOver).contains(&"receive"));
        assert_eq!(staff_actions(OrderState::Received), ["pay"]);
        assert!(staff_actions(OrderState::Paid).is_empty());
    }

    #[test]
    fn query_values_are_escaped() {
        assert_eq!(
            query(&[("village", "雨崩 & co"), ("cursor", "")]),
            "village=%E9%9B%A8%E5%B4%A9%20%26%20co"
        );
    }
}
