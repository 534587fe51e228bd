//! A collection round's loading sheet for the driver, who may have no
//! signal on the road: on A4 portrait pages, the round (day, truck,
//! capacity), then stop by stop in the order the truck makes them, each
//! seller's products with their quantities, lot codes and expected weights,
//! an empty box to tick as each is loaded, and room to write what was.
//!
//! Headings are in Chinese and Tibetan both; names are as their sellers
//! and staff typed them. A row grows to hold a long name; only a piece that
//! cannot be broken and is wider than its column even at the smallest size
//! fails the sheet ([`PrintError::DoesNotFit`]). Rows that do not fit on a
//! page go on the next, under the table's heading again.

use krilla::Document;
use krilla::geom::PathBuilder;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

use crate::certificate::draw_tickbox;
use crate::fonts::Fonts;
use crate::qr::rect;
use crate::text::{Block, shape_line, sizes, wrap};
use crate::{PrintError, mm};

const TITLE: &str = "装车单 ཁལ་བླུགས་ཐོ་ཡིག";
const PAGE_WIDTH_MM: f32 = 210.0;
const PAGE_HEIGHT_MM: f32 = 297.0;
const MARGIN_MM: f32 = 14.0;
const CELL_PAD_MM: f32 = 1.2;
const TEXT_PT: f32 = 9.0;
const SMALLEST_PT: f32 = 6.0;

/// The columns, their headings and their share of the table's width; the
/// first holds the tick box.
const COLUMNS: [(&str, f32); 6] = [
    ("", 0.06),
    ("卖家 ཚོང་པ།", 0.17),
    ("产品 ཐོན་རྫས།", 0.29),
    ("数量 · 重量 གྲངས་འབོར།", 0.17),
    ("批次码 ཚན་ཨང་།", 0.15),
    ("实装 བླུགས་ཚད།", 0.16),
];

/// A round as the sheet prints it: every value already written out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadingSheet {
    /// `2026-10-15`.
    pub date: String,
    pub vehicle: String,
    /// "1500 kg".
    pub capacity: String,
    /// "820 kg expected".
    pub expected: String,
    pub stops: Vec<SheetStop>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetStop {
    /// `10:30`.
    pub expected_at: String,
    pub place: String,
    /// "16.5 kg".
    pub expected: String,
    pub lines: Vec<SheetLine>,
}

/// One order to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetLine {
    pub seller: String,
    pub product: String,
    /// "6 jar · 4.5 kg".
    pub quantity: String,
    pub lot_code: Option<String>,
}

/// The loading sheet as a PDF.
pub fn loading_sheet(fonts: &Fonts, sheet: &LoadingSheet) -> Result<Vec<u8>, PrintError> {
    let pages = lay_out(fonts, sheet)?;
    let mut document = Document::new();
    let settings = PageSettings::from_wh(mm(PAGE_WIDTH_MM), mm(PAGE_HEIGHT_MM))
        .ok_or_else(|| PrintError::Pdf("an A4 page".to_owned()))?;
    for ops in &pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            op.draw(&mut surface, fonts)?;
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PrintError::Pdf(e.to_string()))
}

/// Something to draw on a page, placed.
enum Op {
    Text {
        block: Block,
        x: f32,
        top: f32,
    },
    Tickbox {
        x: f32,
        top: f32,
        side: f32,
    },
    /// A horizontal rule across the table.
    Rule {
        top: f32,
    },
}

impl Op {
    fn draw(&self, surface: &mut Surface, fonts: &Fonts) -> Result<(), PrintError> {
        match self {
            Op::Text { block, x, top } => {
                block.draw_filled(surface, fonts, *x, *top);
                Ok(())
            }
            Op::Tickbox { x, top, side } => draw_tickbox(surface, *x, *top, *side, false),
            Op::Rule { top } => {
                let mut line = PathBuilder::new();
                line.push_rect(rect(
                    mm(MARGIN_MM),
                    *top,
                    mm(PAGE_WIDTH_MM - 2.0 * MARGIN_MM),
                    0.4,
                )?);
                let path = line
                    .finish()
                    .ok_or_else(|| PrintError::Pdf("a rule".to_owned()))?;
                surface.set_stroke(None::<Stroke>);
                surface.set_fill(Some(Fill::default()));
                surface.draw_path(&path);
                Ok(())
            }
        }
    }
}

/// Pages of ops, filled top to bottom.
struct Pages {
    done: Vec<Vec<Op>>,
    current: Vec<Op>,
    y: f32,
}

impl Pages {
    fn bottom() -> f32 {
        mm(PAGE_HEIGHT_MM - MARGIN_MM)
    }

    /// Starts a new page unless `height` more fits on this one.
    fn room_for(&mut self, height: f32) -> bool {
        if self.y + height <= Pages::bottom() {
            return false;
        }
        self.done.push(std::mem::take(&mut self.current));
        self.y = mm(MARGIN_MM);
        true
    }
}

/// A block of `text` wrapped to `width`, at the text size or smaller when a
/// piece of it is wider than the column.
fn cell(fonts: &Fonts, text: &str, width: f32) -> Result<Block, PrintError> {
    if text.trim().is_empty() {
        return Ok(Block {
            lines: Vec::new(),
            size: TEXT_PT,
        });
    }
    for size in sizes(TEXT_PT, SMALLEST_PT) {
        if let Some(lines) = wrap(fonts, text, width, size)? {
            return Ok(Block { lines, size });
        }
    }
    Err(PrintError::DoesNotFit {
        what: "a loading sheet's cell".to_owned(),
        text: text.to_owned(),
        min_pt: SMALLEST_PT,
    })
}

fn one_line(fonts: &Fonts, text: &str, size: f32) -> Result<Block, PrintError> {
    let width = mm(PAGE_WIDTH_MM - 2.0 * MARGIN_MM);
    for size in sizes(size, SMALLEST_PT) {
        if let Some(lines) = wrap(fonts, text, width, size)? {
            return Ok(Block { lines, size });
        }
    }
    Err(PrintError::DoesNotFit {
        what: "a loading sheet's heading".to_owned(),
        text: text.to_owned(),
        min_pt: SMALLEST_PT,
    })
}

/// Where each column starts and how wide it is, inside its padding.
fn columns() -> Vec<(f32, f32)> {
    let width = mm(PAGE_WIDTH_MM - 2.0 * MARGIN_MM);
    let mut x = mm(MARGIN_MM);
    COLUMNS
        .iter()
        .map(|(_, share)| {
            let column = (x + mm(CELL_PAD_MM), width * share - 2.0 * mm(CELL_PAD_MM));
            x += width * share;
            column
        })
        .collect()
}

/// Lays out one row of cells at `pages.y`, moving to a new page (under the
/// table's heading again) when it does not fit; `tick` puts a box first.
fn row(pages: &mut Pages, fonts: &Fonts, texts: &[&str], tick: bool) -> Result<(), PrintError> {
    let columns = columns();
    let blocks = texts
        .iter()
        .zip(&columns)
        .map(|(text, (_, width))| cell(fonts, text, *width))
        .collect::<Result<Vec<_>, _>>()?;
    let pad = mm(CELL_PAD_MM);
    let height = blocks
        .iter()
        .map(|b| b.height(fonts))
        .fold(shape_line(fonts, "国")?.height(fonts, TEXT_PT), f32::max)
        + 2.0 * pad;
    if pages.room_for(height) {
        header_row(pages, fonts)?;
    }
    let top = pages.y;
    if tick {
        let side = mm(4.0);
        pages.current.push(Op::Tickbox {
            x: columns[0].0,
            top: top + pad,
            side,
        });
    }
    for (block, (x, _)) in blocks.into_iter().zip(&columns) {
        pages.current.push(Op::Text {
            block,
            x: *x,
            top: top + pad,
        });
    }
    pages.y += height;
    pages.current.push(Op::Rule { top: pages.y });
    Ok(())
}

/// The column headings, each in its column.
fn heading(fonts: &Fonts) -> Result<Vec<Block>, PrintError> {
    COLUMNS
        .iter()
        .zip(columns())
        .map(|((title, _), (_, width))| cell(fonts, title, width))
        .collect()
}

/// The table's heading row.
fn header_row(pages: &mut Pages, fonts: &Fonts) -> Result<(), PrintError> {
    let heading = heading(fonts)?;
    let pad = mm(CELL_PAD_MM);
    let height = heading.iter().map(|b| b.height(fonts)).fold(0.0, f32::max) + 2.0 * pad;
    let top = pages.y;
    pages.current.push(Op::Rule { top });
    for (block, (x, _)) in heading.into_iter().zip(columns()) {
        pages.current.push(Op::Text {
            block,
            x,
            top: top + pad,
        });
    }
    pages.y += height;
    pages.current.push(Op::Rule { top: pages.y });
    Ok(())
}

fn lay_out(fonts: &Fonts, sheet: &LoadingSheet) -> Result<Vec<Vec<Op>>, PrintError> {
    let mut pages = Pages {
        done: Vec::new(),
        current: Vec::new(),
        y: mm(MARGIN_MM),
    };
    let push_line = |pages: &mut Pages, text: &str, size: f32, gap_mm: f32| {
        let block = one_line(fonts, text, size)?;
        let height = block.height(fonts);
        pages.room_for(height);
        pages.current.push(Op::Text {
            block,
            x: mm(MARGIN_MM),
            top: pages.y,
        });
        pages.y += height + mm(gap_mm);
        Ok::<_, PrintError>(())
    };
    push_line(&mut pages, TITLE, 16.0, 1.0)?;
    push_line(
        &mut pages,
        &format!(
            "日期 ཚེས་གྲངས། {}    车辆 སྣུམ་འཁོར། {}",
            sheet.date, sheet.vehicle
        ),
        10.0,
        0.5,
    )?;
    push_line(
        &mut pages,
        &format!(
            "载重 ཁུར་ཚད། {}    预计 རེ་སྒུག {}",
            sheet.capacity, sheet.expected
        ),
        10.0,
        3.0,
    )?;
    let heading_height = heading(fonts)?
        .iter()
        .map(|b| b.height(fonts))
        .fold(0.0, f32::max);
    for stop in &sheet.stops {
        // A stop's heading stays with at least its first row.
        let title = one_line(
            fonts,
            &format!("{}  {}    {}", stop.expected_at, stop.place, stop.expected),
            11.0,
        )?;
        let first_row = heading_height * 3.0;
        pages.room_for(title.height(fonts) + first_row + mm(2.0));
        let title_height = title.height(fonts);
        pages.current.push(Op::Text {
            block: title,
            x: mm(MARGIN_MM),
            top: pages.y,
        });
        pages.y += title_height + mm(1.0);
        header_row(&mut pages, fonts)?;
        if stop.lines.is_empty() {
            row(&mut pages, fonts, &["", "—"], false)?;
        }
        for line in &stop.lines {
            let texts = [
                "",
                line.seller.as_str(),
                line.product.as_str(),
                line.quantity.as_str(),
                line.lot_code.as_deref().unwrap_or("—"),
                "",
            ];
            row(&mut pages, fonts, &texts, true)?;
        }
        pages.y += mm(5.0);
    }
    pages.done.push(pages.current);
    Ok(pages.done)
}
