//! Sheets of lot labels: A4 pages of 3 x 8 labels of 70 x 37 mm with no
//! margins round the grid (Avery 3474, Herma 4453 and their copies, sold
//! in every town's stationery shop).

use highland_label::Qr;
use krilla::Document;
use krilla::page::PageSettings;
use krilla::surface::Surface;

use crate::fonts::Fonts;
use crate::qr::{draw_qr, snapped_side};
use crate::text::{Block, Frame, fit};
use crate::{PrintError, mm};

pub struct LabelItem {
    /// What the QR says (trace URL).
    pub url: String,
    /// Product name, may mix Chinese and Tibetan, e.g. "牦牛肉 གཡག་ཤ".
    pub name: String,
    /// The grouped trace code printed under the QR, e.g. "K7QM-4XRP-Y2AB-C".
    pub code: String,
    /// 0–2 short lines: dates etc, e.g. "采收 2026-09-12".
    pub lines: Vec<String>,
}

const PAGE_WIDTH_MM: f32 = 210.0;
const PAGE_HEIGHT_MM: f32 = 297.0;
const COLUMNS: usize = 3;
const ROWS: usize = 8;
const PER_PAGE: usize = COLUMNS * ROWS;
const LABEL_WIDTH_MM: f32 = 70.0;
const LABEL_HEIGHT_MM: f32 = 37.0;
/// 8 x 37 mm is 296 mm: the sheet's spare millimetre is split above and below.
const TOP_MM: f32 = (PAGE_HEIGHT_MM - ROWS as f32 * LABEL_HEIGHT_MM) / 2.0;

/// Nothing is drawn nearer a label's edge than this: printers shift a sheet
/// by a millimetre or so, and the die-cut is not exact either.
const INSET_MM: f32 = 2.5;
/// The most the code's side may be, quiet zone included. It is drawn at
/// the largest side up to this at which its modules are whole printer
/// dots: a trace URL of about 45 characters is a version 4 code, 41
/// modules with the zone, so 8 dots (0.68 mm) a module and 27.8 mm a side,
/// which a phone reads easily from a 3 cm label.
const QR_SIDE_MM: f32 = 28.0;
const QR_LEFT_MM: f32 = 1.5;
/// The band under the QR for the trace code: below the quiet zone, never
/// in it, which must stay white.
const CODE_BAND_MM: f32 = 3.8;
const TEXT_LEFT_MM: f32 = QR_LEFT_MM + QR_SIDE_MM + 1.0;
const MAX_EXTRA_LINES: usize = 2;
/// Between the name and the lines under it.
const NAME_GAP_MM: f32 = 1.5;

// The label's parts fit it, checked when the constants change: the code and
// its trace code with a millimetre to spare above and below, and at least
// 30 mm for the text beside them.
const _: () = assert!(QR_SIDE_MM + CODE_BAND_MM <= LABEL_HEIGHT_MM - 2.0);
const _: () = assert!(TEXT_LEFT_MM + 30.0 <= LABEL_WIDTH_MM - INSET_MM);

/// Where a label goes: its page and its top-left corner, in millimetres
/// from the page's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Slot {
    page: usize,
    x_mm: f32,
    y_mm: f32,
}

/// Labels fill a sheet row by row, left to right, as people read and as a
/// part-used sheet is fed back in.
fn slot(n: usize) -> Slot {
    let on_page = n % PER_PAGE;
    Slot {
        page: n / PER_PAGE,
        x_mm: (on_page % COLUMNS) as f32 * LABEL_WIDTH_MM,
        y_mm: TOP_MM + (on_page / COLUMNS) as f32 * LABEL_HEIGHT_MM,
    }
}

/// A4 sheet(s) of labels on a common grid: 3 columns x 8 rows of 70 x 37 mm (Avery 3474 / Herma 4453 style, no margins), as many pages as needed. Each label: QR about 27 mm on the left (it must decode from a 3 cm printed label), text on the right, text shrinks or wraps to fit, never overflows the label.
///
/// Every label is checked before anything is drawn, so a bad item fails the
/// whole sheet (with its index) instead of leaving a blank in the middle.
pub fn label_sheet(fonts: &Fonts, items: &[LabelItem]) -> Result<Vec<u8>, PrintError> {
    let labels = items
        .iter()
        .enumerate()
        .map(|(index, item)| Label::lay_out(fonts, index, item))
        .collect::<Result<Vec<_>, _>>()?;
    let mut document = Document::new();
    let settings = PageSettings::from_wh(mm(PAGE_WIDTH_MM), mm(PAGE_HEIGHT_MM))
        .ok_or_else(|| PrintError::Pdf("an A4 page".to_owned()))?;
    // An empty list still prints one blank sheet rather than an invalid PDF.
    let pages: Vec<&[Label]> = if labels.is_empty() {
        vec![&[]]
    } else {
        labels.chunks(PER_PAGE).collect()
    };
    for page_labels in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for label in page_labels {
            label.draw(&mut surface, fonts)?;
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PrintError::Pdf(e.to_string()))
}

/// One label, laid out and checked, ready to draw.
struct Label {
    slot: Slot,
    qr: Qr,
    code: Block,
    name: Block,
    extra: Vec<Block>,
}

impl Label {
    fn lay_out(fonts: &Fonts, index: usize, item: &LabelItem) -> Result<Label, PrintError> {
        if item.url.trim().is_empty() {
            return Err(PrintError::EmptyUrl { index });
        }
        if item.lines.len() > MAX_EXTRA_LINES {
            return Err(PrintError::TooManyLines {
                index,
                count: item.lines.len(),
                max: MAX_EXTRA_LINES,
            });
        }
        let qr = Qr::new(&item.url)?;
        let too_long = |what: &str, text: &str, min_pt: f32| PrintError::DoesNotFit {
            what: format!("label {index}'s {what}"),
            text: text.to_owned(),
            min_pt,
        };

        let code_frame = Frame {
            width: mm(QR_SIDE_MM),
            height: mm(CODE_BAND_MM),
            max_lines: 1,
        };
        let code = fit(fonts, &item.code, code_frame, 8.0, 5.0)?
            .ok_or_else(|| too_long("code", &item.code, 5.0))?;

        let text_width = mm(LABEL_WIDTH_MM - TEXT_LEFT_MM - INSET_MM);
        let text_height = mm(LABEL_HEIGHT_MM - 2.0 * INSET_MM);
        // The dates and such are short: one line each, shrunk if need be.
        let line_frame = Frame {
            width: text_width,
            height: text_height,
            max_lines: 1,
        };
        let extra = item
            .lines
            .iter()
            .map(|line| {
                fit(fonts, line, line_frame, 7.5, 5.0)?.ok_or_else(|| too_long("line", line, 5.0))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let extra_height: f32 = extra.iter().map(|b| b.height(fonts)).sum();
        // The name takes what the lines leave, wrapping to at most four lines
        // and shrinking to 6 pt, the smallest most people still read.
        let name_frame = Frame {
            width: text_width,
            height: text_height - extra_height - name_gap(&extra),
            max_lines: 4,
        };
        let name = fit(fonts, &item.name, name_frame, 12.0, 6.0)?
            .ok_or_else(|| too_long("name", &item.name, 6.0))?;
        Ok(Label {
            slot: slot(index),
            qr,
            code,
            name,
            extra,
        })
    }

    fn draw(&self, surface: &mut Surface, fonts: &Fonts) -> Result<(), PrintError> {
        let left = mm(self.slot.x_mm);
        let top = mm(self.slot.y_mm);
        // The code and its trace code centred in the room left of the text.
        let side = snapped_side(&self.qr, mm(QR_SIDE_MM));
        let qr_left = left + mm(QR_LEFT_MM) + (mm(QR_SIDE_MM) - side) / 2.0;
        let qr_top = top + (mm(LABEL_HEIGHT_MM - CODE_BAND_MM) - side) / 2.0;
        draw_qr(surface, &self.qr, qr_left, qr_top, side)?;
        self.code
            .draw(surface, fonts, qr_left, qr_top + side, Some(side));

        // The name and the lines as one block, centred in the label's height.
        let extra_height: f32 = self.extra.iter().map(|b| b.height(fonts)).sum();
        let gap = name_gap(&self.extra);
        let block_height = self.name.height(fonts) + gap + extra_height;
        let text_left = left + mm(TEXT_LEFT_MM);
        let mut y = top + (mm(LABEL_HEIGHT_MM) - block_height) / 2.0;
        self.name.draw(surface, fonts, text_left, y, None);
        y += self.name.height(fonts) + gap;
        for block in &self.extra {
            block.draw(surface, fonts, text_left, y, None);
            y += block.height(fonts);
        }
        Ok(())
    }
}

fn name_gap(extra: &[Block]) -> f32 {
    if extra.is_empty() {
        0.0
    } else {
        mm(NAME_GAP_MM)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_fill_rows_left_to_right_then_the_next_page() {
        assert_eq!(
            slot(0),
            Slot {
                page: 0,
                x_mm: 0.0,
                y_mm: 0.5
            }
        );
        assert_eq!(
            slot(2),
            Slot {
                page: 0,
                x_mm: 140.0,
                y_mm: 0.5
            }
        );
        assert_eq!(
            slot(3),
            Slot {
                page: 0,
                x_mm: 0.0,
                y_mm: 37.5
            }
        );
        assert_eq!(
            slot(23),
            Slot {
                page: 0,
                x_mm: 140.0,
                y_mm: 259.5
            }
        );
        assert_eq!(
            slot(24),
            Slot {
                page: 1,
                x_mm: 0.0,
                y_mm: 0.5
            }
        );
        assert_eq!(
            slot(29),
            Slot {
                page: 1,
                x_mm: 140.0,
                y_mm: 37.5
            }
        );
    }

    #[test]
    fn the_grid_fills_the_sheet_and_stays_on_it() {
        let last = slot(PER_PAGE - 1);
        assert!((last.x_mm + LABEL_WIDTH_MM - PAGE_WIDTH_MM).abs() < 1e-3);
        assert!(last.y_mm + LABEL_HEIGHT_MM <= PAGE_HEIGHT_MM);
        assert!((TOP_MM - 0.5).abs() < 1e-3);
    }
}
