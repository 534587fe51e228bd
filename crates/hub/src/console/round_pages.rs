//! The console's pages for collection rounds, as maud templates; and the
//! loading sheet's content, written out for highland-print.

use highland_print::{LoadingSheet, SheetLine, SheetStop};
use maud::{Markup, html};

use super::pages::{Frame, csrf_field, layout, message, yuan};
use super::rounds::{PlanForm, kg};
use super::{Lang, chart};
use highland_exchange::rounds::costs::CostReport;
use highland_exchange::rounds::view::{LoadLine, LoadTotals, RoundDetail, StopLoad};

/// A form sent back, as typed.
pub(crate) enum Kept {
    None,
    Plan(PlanForm),
    /// Fuel, driver, tolls.
    Cost([String; 3]),
    /// The stop, and every field of its form.
    Loads(String, Vec<(String, String)>),
}

/// Why a form was refused, and what it held.
pub(crate) struct Refused {
    pub kept: Kept,
    pub message: String,
}

fn round_state(lang: Lang, state: &str) -> Markup {
    html! {
        span class={ "state round-" (state) } data-state=(state) { (lang.choice("round_state", state)) }
    }
}

/// The truck's load against its capacity: a meter, the numbers, and a
/// warning past full.
fn fullness(lang: Lang, totals: &LoadTotals, capacity_g: i64) -> Markup {
    let t = |k| lang.t(k);
    html! {
        meter min="0" max="1000" high="900" optimum="800" value=(totals.share_permille.min(1000))
            title={ (totals.share_permille / 10) "%" } {}
        " " span.num { (totals.share_permille / 10) "% · " (kg(totals.expected_g.max(totals.loaded_g))) " / " (kg(capacity_g)) " " (t("rounds.kg")) }
        @if totals.over_capacity {
            " " strong.over data-testid="over-capacity" { "⚠ " (t("rounds.over_capacity")) }
        }
    }
}

pub(crate) fn list(
    frame: Frame,
    rounds: &[RoundDetail],
    form: &PlanForm,
    error: Option<&str>,
) -> Markup {
    let lang = frame.lang;
    let t = |k| lang.t(k);
    let csrf = frame.staff.map(|(_, c)| c).unwrap_or_default();
    let body = html! {
        h1 { (t("rounds.title")) }
        p { a href="/console/rounds/costs" { (t("rounds.costs")) } }
        @if rounds.is_empty() {
            p.muted { (t("rounds.none")) }
        } @else {
            table.cards {
                thead { tr {
                    th { (t("rounds.date")) } th { (t("rounds.vehicle")) } th { (t("orders.state")) }
                    th { (t("rounds.stops")) } th { (t("rounds.load")) }
                } }
                tbody {
                    @for r in rounds {
                        tr id={ "round-" (r.id) } {
                            td data-label=(t("rounds.date")) { a href={ "/console/rounds/" (r.id) } { (r.date) } }
                            td data-label=(t("rounds.vehicle")) { (r.vehicle) }
                            td data-label=(t("orders.state")) { (round_state(lang, &r.state)) }
                            td data-label=(t("rounds.stops")) {
                                @for (i, s) in r.stops.iter().enumerate() {
                                    @if i > 0 { " → " }
                                    (s.place)
                                }
                            }
                            td data-label=(t("rounds.load")) { (fullness(lang, &r.totals, r.capacity_g)) }
                        }
                    }
                }
            }
        }
        h2 { (t("rounds.new")) }
        div.card {
            (message(error))
            (plan_form(lang, csrf, "/console/rounds", form, t("rounds.plan")))
        }
    };
    layout(&frame, t("rounds.title"), body)
}

fn plan_form(lang: Lang, csrf: &str, action: &str, form: &PlanForm, submit: &str) -> Markup {
    let t = |k| lang.t(k);
    html! {
        form.stack method="post" action=(action) {
            (csrf_field(csrf))
            label for="date" { (t("rounds.date")) }
            input #date type="date" name="date" value=(form.date) required;
            label for="vehicle" { (t("rounds.vehicle")) }
            input #vehicle type="text" name="vehicle" value=(form.vehicle) required;
            label for="capacity" { (t("rounds.capacity")) }
            input #capacity type="text" inputmode="decimal" name="capacity" value=(form.capacity) required;
            label for="stops" { (t("rounds.stops")) }
            p.muted { (t("rounds.stops_help")) }
            textarea #stops name="stops" rows="5" required { (form.stops) }
            p { button type="submit" { (submit) } }
        }
    }
}

pub(crate) fn round(frame: Frame, r: &RoundDetail, refused: Option<&Refused>) -> Markup {
    let lang = frame.lang;
    let t = |k| lang.t(k);
    let csrf = frame.staff.map(|(_, c)| c).unwrap_or_default();
    let action = |a: &str| format!("/console/rounds/{}/{a}", r.id);
    let kept = refused.map(|k| &k.kept);
    let title = format!("{} · {} · {}", t("order.round"), r.date, r.vehicle);
    let open = r.state == "planned" || r.state == "loading";
    let takes_loads = matches!(r.state.as_str(), "loading" | "on-the-road" | "done");
    let body = html! {
        h1 { (title) }
        @if let Some(refused) = refused { (message(Some(&refused.message))) }
        div.card {
            dl.facts {
                dt { (t("orders.state")) } dd { (round_state(lang, &r.state)) }
                dt { (t("rounds.date")) } dd { (r.date) }
                dt { (t("rounds.vehicle")) } dd { (r.vehicle) }
                dt { (t("rounds.expected")) } dd.num data-testid="expected-kg" { (kg(r.totals.expected_g)) " " (t("rounds.kg")) }
                dt { (t("rounds.confirmed")) } dd.num data-testid="confirmed-kg" { (kg(r.totals.confirmed_g)) " " (t("rounds.kg")) }
                dt { (t("rounds.loaded")) } dd.num data-testid="loaded-kg" { (kg(r.totals.loaded_g)) " " (t("rounds.kg")) }
                dt { (t("rounds.share")) } dd { (fullness(lang, &r.totals, r.capacity_g)) }
                @if let Some(cost) = &r.cost {
                    dt { (t("rounds.cost")) } dd { (yuan(cost.total_fen)) }
                }
                @if let Some(per_kg) = r.fen_per_kg {
                    dt { (t("rounds.per_kg")) } dd data-testid="fen-per-kg" { (yuan(per_kg)) " / " (t("rounds.kg")) }
                }
            }
            @if r.totals.unweighed > 0 {
                p.message.error { (t("rounds.unweighed").replace("{n}", &r.totals.unweighed.to_string())) }
            }
            @if r.totals.awaiting > 0 {
                p.muted { (t("rounds.awaiting").replace("{n}", &r.totals.awaiting.to_string())) }
            }
            p { a href={ "/console/rounds/" (r.id) "/loading-sheet.pdf" } { (t("rounds.loading_sheet")) } }
            @if !r.next_states.is_empty() {
                div.actions {
                    @for to in &r.next_states {
                        form.inline method="post" action=(action("move")) {
                            (csrf_field(csrf))
                            input type="hidden" name="to" value=(to);
                            button.secondary[to == "cancelled"] type="submit" { (lang.choice("round_move", to)) }
                        }
                    }
                }
            }
        }
        @for stop in &r.stops {
            (stop_section(&frame, r, stop, takes_loads, kept))
        }
        @if r.state == "done" {
            h2 { (t("rounds.cost")) }
            div.card {
                @let typed = match kept {
                    Some(Kept::Cost(typed)) => typed.clone(),
                    _ => match &r.cost {
                        Some(c) => [c.fuel_fen, c.driver_fen, c.tolls_fen].map(plain_yuan),
                        None => Default::default(),
                    },
                };
                form.inline method="post" action=(action("cost")) {
                    (csrf_field(csrf))
                    label { (t("rounds.fuel")) input type="text" inputmode="decimal" name="fuel" value=(typed[0]) required; }
                    label { (t("rounds.driver")) input type="text" inputmode="decimal" name="driver" value=(typed[1]) required; }
                    label { (t("rounds.tolls")) input type="text" inputmode="decimal" name="tolls" value=(typed[2]) required; }
                    button type="submit" { (t("rounds.record_cost")) }
                }
            }
        }
        @if open {
            h2 { (t("rounds.edit")) }
            div.card {
                @let form = match kept {
                    Some(Kept::Plan(form)) => form.clone(),
                    _ => PlanForm::of(r),
                };
                (plan_form(lang, csrf, &action("edit"), &form, t("rounds.save")))
            }
        }
    };
    layout(&frame, &title, body)
}

fn plain_yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// A stop: its orders and loads, with the loads form when the truck is out.
fn stop_section(
    frame: &Frame,
    r: &RoundDetail,
    stop: &StopLoad,
    takes_loads: bool,
    kept: Option<&Kept>,
) -> Markup {
    let lang = frame.lang;
    let t = |k| lang.t(k);
    let csrf = frame.staff.map(|(_, c)| c).unwrap_or_default();
    let typed = |name: String, default: String| match kept {
        Some(Kept::Loads(at, fields)) if *at == stop.id => fields
            .iter()
            .find(|(k, _)| *k == name)
            .map_or(default, |(_, v)| v.clone()),
        _ => default,
    };
    let loadable = |l: &LoadLine| l.state == "accepted" || l.state == "handed-over";
    let table = html! {
        table.cards {
            thead { tr {
                th { (t("rounds.seller")) } th { (t("rounds.product")) } th.num { (t("rounds.quantity")) }
                th.num { (t("rounds.weight")) } th { (t("orders.state")) } th { (t("rounds.answer")) }
                th { (t("rounds.lot")) } th.num { (t("rounds.loaded")) }
            } }
            tbody {
                @for l in &stop.lines {
                    tr id={ "line-" (l.order_id) } {
                        td data-label=(t("rounds.seller")) { (l.seller_name) }
                        td data-label=(t("rounds.product")) { a href={ "/console/orders/" (l.order_id) } { (l.listing_title) } }
                        td.num data-label=(t("rounds.quantity")) { (l.quantity_display) " " (l.unit) }
                        td.num data-label=(t("rounds.weight")) {
                            @match l.weight_g { Some(g) => { (kg(g)) " " (t("rounds.kg")) }, None => span.muted { (t("listing.weight_unknown")) } }
                        }
                        td data-label=(t("orders.state")) { (lang.choice("state", &l.state)) }
                        td data-label=(t("rounds.answer")) {
                            (lang.choice("answer", l.answer.as_deref().unwrap_or("none")))
                            @if let Some(reason) = &l.answer_reason { " · " (reason) }
                        }
                        td data-label=(t("rounds.lot")) { @if let Some(code) = &l.lot_code { span.code-inline { (code) } } }
                        td.num data-label=(t("rounds.loaded")) {
                            @if takes_loads && loadable(l) {
                                label { (t("rounds.loaded_quantity")) " (" (l.unit) ")"
                                    input type="text" inputmode="decimal" size="6" name={ "quantity:" (l.order_id) }
                                        value=(typed(format!("quantity:{}", l.order_id),
                                            l.loaded_display.clone().unwrap_or_else(|| l.quantity_display.clone())));
                                }
                                @if l.unit != "kg" && l.unit != "jin" && l.unit != "g" {
                                    label { (t("rounds.weight_kg"))
                                        input type="text" inputmode="decimal" size="6" name={ "weight:" (l.order_id) }
                                            value=(typed(format!("weight:{}", l.order_id),
                                                l.loaded_weight_g.or(l.weight_g).map(kg).unwrap_or_default()));
                                    }
                                }
                            } @else if let Some(loaded) = &l.loaded_display {
                                (loaded) " " (l.unit)
                                @if let Some(g) = l.loaded_weight_g { " · " (kg(g)) " " (t("rounds.kg")) }
                            }
                        }
                    }
                }
            }
        }
    };
    let any_loadable = takes_loads && stop.lines.iter().any(loadable);
    html! {
        section.stop id={ "stop-" (stop.id) } {
            h2 { (stop.expected_at) " " (stop.place) }
            p.muted {
                (t("rounds.expected")) " " (kg(stop.totals.expected_g)) " · "
                (t("rounds.confirmed")) " " (kg(stop.totals.confirmed_g)) " · "
                (t("rounds.loaded")) " " (kg(stop.totals.loaded_g)) " " (t("rounds.kg"))
            }
            @if stop.lines.is_empty() {
                p.muted { (t("rounds.no_orders")) }
            } @else if any_loadable {
                form method="post" action={ "/console/rounds/" (r.id) "/loads" } {
                    (csrf_field(csrf))
                    input type="hidden" name="stop" value=(stop.id);
                    (table)
                    p { button type="submit" { (t("rounds.record_loads")) } }
                }
            } @else {
                (table)
            }
        }
    }
}

pub(crate) fn costs(frame: Frame, report: &CostReport) -> Markup {
    let lang = frame.lang;
    let t = |k| lang.t(k);
    let per_kg = |fen: Option<i64>| fen.map_or("—".to_owned(), yuan);
    let body = html! {
        h1 { (t("rounds.costs_title")) }
        p.muted { (t("rounds.costs_help")) }
        @match chart::cost_chart(report, t("rounds.all_rounds")) {
            Some(svg) => div.card.chart-card data-testid="cost-chart" { (svg) },
            None => p.muted { (t("rounds.costs_none")) },
        }
        @if !report.rounds.is_empty() {
            h2 { (t("rounds.all_rounds")) }
            table.cards {
                thead { tr {
                    th { (t("rounds.date")) } th { (t("rounds.vehicle")) } th.num { (t("rounds.loaded")) }
                    th.num { (t("rounds.cost")) } th.num { (t("rounds.per_kg")) }
                } }
                tbody {
                    @for r in &report.rounds {
                        tr {
                            td { a href={ "/console/rounds/" (r.round_id) } { (r.date) } }
                            td { (r.vehicle) }
                            td.num { (kg(r.loaded_g)) " " (t("rounds.kg")) }
                            td.num { (yuan(r.cost_fen)) }
                            td.num { (per_kg(r.fen_per_kg)) }
                        }
                    }
                }
            }
        }
        @if !report.villages.is_empty() {
            h2 { (t("rounds.village")) }
            table.cards {
                thead { tr {
                    th { (t("rounds.village")) } th.num { (t("rounds.loaded")) }
                    th.num { (t("rounds.cost")) } th.num { (t("rounds.per_kg")) }
                } }
                tbody {
                    @for v in &report.villages {
                        tr {
                            td { (v.village) }
                            td.num { (kg(v.loaded_g)) " " (t("rounds.kg")) }
                            td.num { (yuan(v.cost_fen)) }
                            td.num { (per_kg(v.fen_per_kg)) }
                        }
                    }
                }
            }
        }
    };
    layout(&frame, t("rounds.costs"), body)
}

/// The loading sheet's content: every stop in the truck's order, each
/// order to collect (accepted or handed over) with what it should weigh.
pub(crate) fn sheet(r: &RoundDetail) -> LoadingSheet {
    let kg_text = |g: i64| format!("{} kg", kg(g));
    LoadingSheet {
        date: r.date.clone(),
        vehicle: r.vehicle.clone(),
        capacity: kg_text(r.capacity_g),
        expected: kg_text(r.totals.expected_g),
        stops: r
            .stops
            .iter()
            .map(|s| SheetStop {
                expected_at: s.expected_at.clone(),
                place: s.place.clone(),
                expected: kg_text(s.totals.expected_g),
                lines: s
                    .lines
                    .iter()
                    .filter(|l| matches!(l.state.as_str(), "accepted" | "handed-over"))
                    .map(|l| SheetLine {
                        seller: l.seller_name.clone(),
                        product: l.listing_title.clone(),
                        quantity: match l.weight_g {
                            Some(g) if l.unit != "kg" => {
                                format!("{} {} · {}", l.quantity_display, l.unit, kg_text(g))
                            }
                            _ => format!("{} {}", l.quantity_display, l.unit),
                        },
                        lot_code: l.lot_code.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// A choice of round and stop for an order: every open round's stops, and
/// none. Each option's value is `ROUND:STOP` ([`parse_choice`]).
pub(crate) fn round_choice(lang: Lang, rounds: &[highland_domain::Round], chosen: &str) -> Markup {
    html! {
        select #round name="round" {
            option value="" selected[chosen.is_empty()] { (lang.t("order.no_round")) }
            @for r in rounds {
                @for s in r.stops.as_slice() {
                    @let value = format!("{}:{}", r.id, s.id);
                    option value=(value) selected[chosen == value] {
                        (r.date) " · " (r.vehicle) " · " (s.expected_at.format("%H:%M")) " " (s.place)
                    }
                }
            }
        }
    }
}

/// The round and stop a [`round_choice`] sent; `None` for no round.
pub(crate) fn parse_choice(
    value: &str,
) -> Result<Option<highland_exchange::rounds::RoundChoice>, highland_domain::DomainError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let (round, stop) = value.split_once(':').unwrap_or((value, ""));
    Ok(Some(highland_exchange::rounds::RoundChoice {
        round: round.parse()?,
        stop: Some(stop)
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .transpose()?,
    }))
}
