//! The cost per kilogram over time as an SVG line chart, drawn on the hub:
//! no script, nothing to load, and it prints. One line for every round and
//! one for each village; the x axis is the date, the y axis yuan per kg.
//! Presentation attributes only (no `style`), as the console's
//! Content-Security-Policy allows no inline styles.

use chrono::NaiveDate;
use maud::{Markup, html};

use highland_exchange::rounds::costs::CostReport;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 36.0;
/// Colours that stay apart for the common kinds of colour blindness
/// (Okabe and Ito's palette), black first for every round.
const COLOURS: [&str; 8] = [
    "#000000", "#e69f00", "#56b4e9", "#009e73", "#d55e00", "#0072b2", "#cc79a7", "#f0e442",
];

/// One line: its name and its points (date, fen per kg).
struct Series {
    name: String,
    points: Vec<(NaiveDate, i64)>,
}

/// The chart, or nothing when no round has a cost per kg to draw.
pub(super) fn cost_chart(report: &CostReport, all_rounds: &str) -> Option<Markup> {
    let mut series = vec![Series {
        name: all_rounds.to_owned(),
        points: report
            .rounds
            .iter()
            .filter_map(|r| Some((r.date.parse().ok()?, r.fen_per_kg?)))
            .collect(),
    }];
    series.extend(report.villages.iter().map(|v| {
        Series {
            name: v.village.clone(),
            points: v
                .points
                .iter()
                .filter_map(|p| Some((p.date.parse().ok()?, p.fen_per_kg)))
                .collect(),
        }
    }));
    let every: Vec<(NaiveDate, i64)> = series.iter().flat_map(|s| s.points.clone()).collect();
    let first = every.iter().map(|(d, _)| *d).min()?;
    let last = every.iter().map(|(d, _)| *d).max()?;
    let top_fen = every.iter().map(|(_, f)| *f).max()?.max(1);
    // Round the axis up to a whole yuan, at least one.
    let axis_fen = ((top_fen + 99) / 100).max(1) * 100;
    let days = (last - first).num_days().max(1) as f64;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |d: NaiveDate| {
        if first == last {
            LEFT + plot_w / 2.0
        } else {
            LEFT + (d - first).num_days() as f64 / days * plot_w
        }
    };
    let y = |fen: i64| TOP + plot_h - fen as f64 / axis_fen as f64 * plot_h;
    let ticks: Vec<i64> = (0..=4).map(|i| axis_fen * i / 4).collect();
    Some(html! {
        svg.chart viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } width="100%" role="img"
            aria-label=(all_rounds) xmlns="http://www.w3.org/2000/svg" {
            @for tick in &ticks {
                line x1=(LEFT) x2=(LEFT + plot_w) y1=(y(*tick)) y2=(y(*tick))
                    stroke="#dddddd" stroke-width="1" {}
                text x=(LEFT - 6.0) y=(y(*tick) + 4.0) text-anchor="end" font-size="11" fill="#555555" {
                    (super::pages::yuan(*tick))
                }
            }
            text x=(LEFT) y=(HEIGHT - 10.0) font-size="11" fill="#555555" { (first) }
            @if first != last {
                text x=(LEFT + plot_w) y=(HEIGHT - 10.0) text-anchor="end" font-size="11" fill="#555555" { (last) }
            }
            @for (i, s) in series.iter().enumerate().filter(|(_, s)| !s.points.is_empty()) {
                @let colour = COLOURS[i % COLOURS.len()];
                @let path = s.points.iter().map(|(d, f)| format!("{:.1},{:.1}", x(*d), y(*f))).collect::<Vec<_>>().join(" ");
                polyline points=(path) fill="none" stroke=(colour)
                    stroke-width=(if i == 0 { "3" } else { "2" }) {}
                @for (d, f) in &s.points {
                    circle cx=(format!("{:.1}", x(*d))) cy=(format!("{:.1}", y(*f))) r="3.5" fill=(colour) {
                        title { (s.name) " · " (d) " · " (super::pages::yuan(*f)) }
                    }
                }
                @let legend_y = TOP + 14.0 + 18.0 * i as f64;
                line x1=(WIDTH - RIGHT + 12.0) x2=(WIDTH - RIGHT + 32.0) y1=(legend_y - 4.0) y2=(legend_y - 4.0)
                    stroke=(colour) stroke-width="3" {}
                text x=(WIDTH - RIGHT + 38.0) y=(legend_y) font-size="12" fill="#222222" { (s.name) }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use highland_exchange::rounds::costs::{CostedRound, report};

    #[test]
    fn the_chart_draws_a_line_per_village_and_one_for_every_round() {
        let rounds = [
            CostedRound {
                id: "a".into(),
                date: "2026-10-15".parse().unwrap(),
                vehicle: "truck".into(),
                cost_fen: 60_000,
                loaded: vec![("Yubeng".into(), 300_000), ("Xidang".into(), 100_000)],
            },
            CostedRound {
                id: "b".into(),
                date: "2026-10-22".parse().unwrap(),
                vehicle: "truck".into(),
                cost_fen: 60_000,
                loaded: vec![("Yubeng".into(), 800_000)],
            },
        ];
        let svg = cost_chart(&report(&rounds), "Every round")
            .unwrap()
            .into_string();
        assert_eq!(svg.matches("<polyline").count(), 3, "{svg}");
        assert!(svg.contains("Every round") && svg.contains("Yubeng") && svg.contains("Xidang"));
        // ¥1.50 a kg at most, so the axis tops at ¥2.00.
        assert!(svg.contains("¥2.00") && svg.contains("¥0.00"), "{svg}");
        assert!(!svg.contains("style="), "no inline styles: {svg}");
        assert!(cost_chart(&CostReport::default(), "Every round").is_none());
    }
}
