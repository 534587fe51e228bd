//! A QR code as vector squares: sharp at any printer's resolution, and a
//! few hundred bytes where an image would be kilobytes.

use highland_label::Qr;
use krilla::geom::{PathBuilder, Rect, Transform};
use krilla::paint::Fill;
use krilla::surface::Surface;

use crate::PrintError;

/// A printer dot at 300 dpi, in points. Modules a whole number of these
/// wide, on a grid of them, land on whole dots at 300, 600 and 1200 dpi:
/// every module prints the same width, with no grey half-dots at its edges
/// for a phone's camera to misread.
const DOT: f32 = 72.0 / 300.0;

/// The largest side not over `max_side` points at which every module of
/// `qr` is a whole number of dots wide.
pub(crate) fn snapped_side(qr: &Qr, max_side: f32) -> f32 {
    let modules = qr.side() as f32;
    let dots = (max_side / modules / DOT).floor().max(1.0);
    dots * DOT * modules
}

/// Draws `qr` as a square `side` points wide (see [`snapped_side`]) with its top-left corner at
/// (`x`, `y`). The quiet zone is part of the square and is painted white,
/// so whatever lies under it (a frame, a tinted label) cannot touch the
/// code's margin.
pub(crate) fn draw_qr(
    surface: &mut Surface,
    qr: &Qr,
    x: f32,
    y: f32,
    side: f32,
) -> Result<(), PrintError> {
    let modules = qr.side();
    let module = side / modules as f32;
    let mut light = PathBuilder::new();
    light.push_rect(rect(0.0, 0.0, modules as f32, modules as f32)?);
    // Each row's dark modules become one rectangle per unbroken stretch,
    // all in one path: one fill leaves no hairline seams between adjacent
    // squares when a renderer anti-aliases. The path is in modules, under
    // a transform, so its numbers are small integers: a sheet of 24 codes
    // compresses to a few kilobytes.
    let mut dark = PathBuilder::new();
    for row in 0..modules {
        let mut column = 0;
        while column < modules {
            if !qr.is_dark(column, row) {
                column += 1;
                continue;
            }
            let start = column;
            while column < modules && qr.is_dark(column, row) {
                column += 1;
            }
            dark.push_rect(rect(
                start as f32,
                row as f32,
                (column - start) as f32,
                1.0,
            )?);
        }
    }
    let light = light.finish().ok_or_else(no_path)?;
    let dark = dark.finish().ok_or_else(no_path)?;
    surface.push_transform(&Transform::from_row(
        module,
        0.0,
        0.0,
        module,
        snap(x),
        snap(y),
    ));
    surface.set_stroke(None);
    surface.set_fill(Some(Fill {
        paint: krilla::color::luma::Color::white().into(),
        ..Fill::default()
    }));
    surface.draw_path(&light);
    surface.set_fill(Some(Fill::default()));
    surface.draw_path(&dark);
    surface.pop();
    Ok(())
}

fn snap(at: f32) -> f32 {
    (at / DOT).round() * DOT
}

pub(crate) fn rect(x: f32, y: f32, width: f32, height: f32) -> Result<Rect, PrintError> {
    Rect::from_xywh(x, y, width, height)
        .ok_or_else(|| PrintError::Pdf(format!("no rectangle {width} x {height} at {x}, {y}")))
}

fn no_path() -> PrintError {
    PrintError::Pdf("an empty QR code".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_whole_dots_and_the_code_stays_within_its_room() {
        let qr = Qr::new("https://hub.highland.example/t/N3PR0BQE8EXCS").expect("a code");
        let max = crate::mm(28.0);
        let side = snapped_side(&qr, max);
        assert!(side <= max && side > max * 0.85, "{side} of {max}");
        let dots = side / qr.side() as f32 / DOT;
        assert!((dots - dots.round()).abs() < 1e-3, "{dots} dots a module");
    }
}
