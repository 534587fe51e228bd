//! The certificate of compliance slip, 承诺达标合格证, on an A6 landscape
//! page, laid out after the national template: the title, the facts of the
//! batch, the three promises, the grounds of the promise with the chosen
//! one ticked, and a QR code of the lot's trace page.
//!
//! The slip is laid out at one text size for everything; when a long name
//! or address would push it past the page, the whole slip is tried again a
//! half point smaller, so it keeps its proportions.

use highland_domain::Certificate;
use highland_domain::CommitmentBasis;
use highland_domain::certificate::PROMISE_ZH;
use highland_label::Qr;
use krilla::Document;
use krilla::geom::PathBuilder;
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineCap, LineJoin, Stroke};
use krilla::surface::Surface;

use crate::fonts::Fonts;
use crate::qr::{draw_qr, rect, snapped_side};
use crate::text::{Block, shape_line, sizes, wrap};
use crate::{PrintError, mm};

const TITLE: &str = "承诺达标合格证";
const PROMISE_LEAD: &str = "我承诺对生产销售的食用农产品：";

const PAGE_WIDTH_MM: f32 = 148.0;
const PAGE_HEIGHT_MM: f32 = 105.0;
/// The printed frame, inside what most printers cannot reach.
const FRAME_MM: f32 = 4.0;
/// Text and code keep this far from the page's edge.
const MARGIN_MM: f32 = 7.0;
const QR_SIDE_MM: f32 = 28.0;
/// Between the facts and the code beside them.
const GUTTER_MM: f32 = 3.0;
/// Between one field or promise and the next.
const ROW_GAP_MM: f32 = 0.6;
/// Between the sections (facts, promises, grounds).
const SECTION_GAP_MM: f32 = 1.6;
const LARGEST_PT: f32 = 10.5;
const SMALLEST_PT: f32 = 6.0;

/// One certificate of compliance (承诺达标合格证) slip on an A6 landscape page (148 x 105 mm), following the national template: title 承诺达标合格证; 产品名称, 数量（重量）, 产地, 生产者盖章或签名 (issuer), 联系方式 (contact, if any), 开具日期; the promise "我承诺对生产销售的食用农产品：" with the three promises (highland_domain::certificate::PROMISE_ZH) each with a ticked box; 承诺依据 with the four bases (CommitmentBasis::ALL, .zh()) and a ticked box on the chosen one; and a QR of `trace_url` with the caption 承诺达标合格证 under it. Draw the boxes and ticks as paths (don't rely on a font having ✓).
pub fn certificate_slip(
    fonts: &Fonts,
    certificate: &Certificate,
    trace_url: &str,
) -> Result<Vec<u8>, PrintError> {
    if trace_url.trim().is_empty() {
        return Err(PrintError::CertificateWithoutUrl);
    }
    let qr = Qr::new(trace_url)?;
    let mut slip = None;
    for size in sizes(LARGEST_PT, SMALLEST_PT) {
        slip = lay_out(fonts, certificate, size)?;
        if slip.is_some() {
            break;
        }
    }
    let ops = slip.ok_or_else(|| PrintError::DoesNotFit {
        what: "the certificate".to_owned(),
        text: certificate.product.to_string(),
        min_pt: SMALLEST_PT,
    })?;

    let mut document = Document::new();
    let settings = PageSettings::from_wh(mm(PAGE_WIDTH_MM), mm(PAGE_HEIGHT_MM))
        .ok_or_else(|| PrintError::Pdf("an A6 page".to_owned()))?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    draw_frame(&mut surface)?;
    for op in &ops.ops {
        op.draw(&mut surface, fonts)?;
    }
    let side = snapped_side(&qr, mm(QR_SIDE_MM));
    let qr_left = mm(PAGE_WIDTH_MM - MARGIN_MM) - side;
    draw_qr(&mut surface, &qr, qr_left, ops.body_top, side)?;
    let caption = Block {
        lines: vec![shape_line(fonts, TITLE)?],
        size: ops.size * 0.85,
    };
    caption.draw(
        &mut surface,
        fonts,
        qr_left,
        ops.body_top + side,
        Some(side),
    );
    surface.finish();
    page.finish();
    document
        .finish()
        .map_err(|e| PrintError::Pdf(e.to_string()))
}

/// The slip laid out at one size.
struct Slip {
    ops: Vec<Op>,
    size: f32,
    /// Where the facts and the code beside them start, under the title.
    body_top: f32,
}

/// Something to draw, placed.
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
        ticked: bool,
    },
}

impl Op {
    fn draw(&self, surface: &mut Surface, fonts: &Fonts) -> Result<(), PrintError> {
        match self {
            Op::Text { block, x, top } => {
                block.draw_filled(surface, fonts, *x, *top);
                Ok(())
            }
            Op::Tickbox {
                x,
                top,
                side,
                ticked,
            } => draw_tickbox(surface, *x, *top, *side, *ticked),
        }
    }
}

/// Lays the slip out with text at `size`: `None` when it does not fit.
fn lay_out(
    fonts: &Fonts,
    certificate: &Certificate,
    size: f32,
) -> Result<Option<Slip>, PrintError> {
    let left = mm(MARGIN_MM);
    let bottom = mm(PAGE_HEIGHT_MM - MARGIN_MM);
    let column = mm(PAGE_WIDTH_MM - 2.0 * MARGIN_MM - QR_SIDE_MM - GUTTER_MM);
    let mut ops = Vec::new();

    // The title, centred across the page.
    let title = Block {
        lines: vec![shape_line(fonts, TITLE)?],
        size: size * 1.7,
    };
    let title_left = (mm(PAGE_WIDTH_MM) - title.width()) / 2.0;
    let mut y = mm(MARGIN_MM) - mm(1.5);
    let body_top = y + title.height(fonts) + mm(1.0);
    ops.push(Op::Text {
        block: title,
        x: title_left,
        top: y,
    });
    y = body_top;

    // The facts: a label, and its value wrapped beside it.
    let date = certificate.issued_on.format("%Y年%m月%d日").to_string();
    let mut fields = vec![
        ("产品名称：", certificate.product.to_string()),
        ("数量（重量）：", certificate.quantity.to_string()),
        ("产地：", certificate.origin.to_string()),
        ("生产者盖章或签名：", certificate.issuer.to_string()),
    ];
    if let Some(contact) = &certificate.contact {
        fields.push(("联系方式：", contact.to_string()));
    }
    fields.push(("开具日期：", date));
    for (label, value) in fields {
        let label = Block {
            lines: vec![shape_line(fonts, label)?],
            size,
        };
        let Some(lines) = wrap(fonts, &value, column - label.width(), size)? else {
            return Ok(None);
        };
        let value = Block { lines, size };
        // Label and value share a baseline, though a Tibetan value sits
        // lower in its taller line than the Chinese label does in its own.
        let drop = value.first_baseline(fonts, 0.0) - label.first_baseline(fonts, 0.0);
        let (label_top, value_top) = if drop > 0.0 {
            (y + drop, y)
        } else {
            (y, y - drop)
        };
        let bottom = (label_top + label.height(fonts)).max(value_top + value.height(fonts));
        ops.push(Op::Text {
            block: value,
            x: left + label.width(),
            top: value_top,
        });
        ops.push(Op::Text {
            block: label,
            x: left,
            top: label_top,
        });
        y = bottom + mm(ROW_GAP_MM);
    }

    // The promise: every box ticked, since issuing the slip is promising.
    y += mm(SECTION_GAP_MM);
    let lead = Block {
        lines: vec![shape_line(fonts, PROMISE_LEAD)?],
        size,
    };
    let lead_height = lead.height(fonts);
    ops.push(Op::Text {
        block: lead,
        x: left,
        top: y,
    });
    y += lead_height + mm(ROW_GAP_MM);
    let side = size * 0.8;
    let indent = side + size * 0.5;
    for promise in PROMISE_ZH {
        let Some(lines) = wrap(fonts, promise, column - indent, size)? else {
            return Ok(None);
        };
        let block = Block { lines, size };
        push_ticked(&mut ops, fonts, block, left, y, indent, side, true);
        y += last_height(&ops, fonts) + mm(ROW_GAP_MM);
    }

    // The grounds, two to a row, the chosen one ticked.
    y += mm(SECTION_GAP_MM);
    let heading = Block {
        lines: vec![shape_line(fonts, "承诺依据：")?],
        size,
    };
    let heading_height = heading.height(fonts);
    ops.push(Op::Text {
        block: heading,
        x: left,
        top: y,
    });
    y += heading_height + mm(ROW_GAP_MM);
    let cell = column / 2.0;
    for pair in CommitmentBasis::ALL.chunks(2) {
        let mut row_height = 0.0_f32;
        for (i, basis) in pair.iter().enumerate() {
            let Some(lines) = wrap(fonts, basis.zh(), cell - indent, size)? else {
                return Ok(None);
            };
            let block = Block { lines, size };
            let x = left + i as f32 * cell;
            let ticked = *basis == certificate.basis;
            push_ticked(&mut ops, fonts, block, x, y, indent, side, ticked);
            row_height = row_height.max(last_height(&ops, fonts));
        }
        y += row_height + mm(ROW_GAP_MM);
    }

    // The code and its caption beside the facts must fit too.
    let caption_height = shape_line(fonts, TITLE)?.height(fonts, size * 0.85);
    let qr_bottom = body_top + mm(QR_SIDE_MM) + caption_height;
    if y - mm(ROW_GAP_MM) > bottom || qr_bottom > bottom {
        return Ok(None);
    }
    Ok(Some(Slip {
        ops,
        size,
        body_top,
    }))
}

fn last_height(ops: &[Op], fonts: &Fonts) -> f32 {
    ops.iter()
        .rev()
        .find_map(|op| match op {
            Op::Text { block, .. } => Some(block.height(fonts)),
            Op::Tickbox { .. } => None,
        })
        .unwrap_or(0.0)
}

/// A box and its text beside it; the box sits on the first line's
/// baseline, as a handwritten tick box would.
#[allow(clippy::too_many_arguments)]
fn push_ticked(
    ops: &mut Vec<Op>,
    fonts: &Fonts,
    block: Block,
    x: f32,
    top: f32,
    indent: f32,
    side: f32,
    ticked: bool,
) {
    let baseline = block.first_baseline(fonts, top);
    ops.push(Op::Tickbox {
        x,
        top: baseline - side * 0.9,
        side,
        ticked,
    });
    ops.push(Op::Text {
        block,
        x: x + indent,
        top,
    });
}

fn draw_frame(surface: &mut Surface) -> Result<(), PrintError> {
    let mut frame = PathBuilder::new();
    frame.push_rect(rect(
        mm(FRAME_MM),
        mm(FRAME_MM),
        mm(PAGE_WIDTH_MM - 2.0 * FRAME_MM),
        mm(PAGE_HEIGHT_MM - 2.0 * FRAME_MM),
    )?);
    let path = frame
        .finish()
        .ok_or_else(|| PrintError::Pdf("the frame".to_owned()))?;
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        width: 0.8,
        ..Stroke::default()
    }));
    surface.draw_path(&path);
    Ok(())
}

/// A square box, and in it a tick drawn as two strokes: a font's ✓ may be
/// missing or look like anything.
pub(crate) fn draw_tickbox(
    surface: &mut Surface,
    x: f32,
    top: f32,
    side: f32,
    ticked: bool,
) -> Result<(), PrintError> {
    let mut square = PathBuilder::new();
    square.push_rect(rect(x, top, side, side)?);
    let square = square
        .finish()
        .ok_or_else(|| PrintError::Pdf("a tick box".to_owned()))?;
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        width: (side * 0.08).max(0.5),
        ..Stroke::default()
    }));
    surface.draw_path(&square);
    if ticked {
        let mut tick = PathBuilder::new();
        tick.move_to(x + side * 0.18, top + side * 0.52);
        tick.line_to(x + side * 0.42, top + side * 0.78);
        tick.line_to(x + side * 0.86, top + side * 0.16);
        let tick = tick
            .finish()
            .ok_or_else(|| PrintError::Pdf("a tick".to_owned()))?;
        surface.set_stroke(Some(Stroke {
            width: side * 0.16,
            line_cap: LineCap::Round,
            line_join: LineJoin::Round,
            ..Stroke::default()
        }));
        surface.draw_path(&tick);
    }
    surface.set_stroke(None);
    surface.set_fill(Some(Fill::default()));
    Ok(())
}
