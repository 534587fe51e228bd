//! Setting text that mixes Tibetan and Chinese: split into runs by script,
//! shape each run with its font, measure what was shaped, wrap and shrink
//! it into a box, and draw it.
//!
//! Measuring the shaped glyphs (not counting characters) matters most for
//! Tibetan, where a syllable of five code points may be one stacked glyph.

use std::ops::Range;

use krilla::geom::Point;
use krilla::surface::Surface;
use krilla::text::{GlyphId, KrillaGlyph};

use crate::PrintError;
use crate::fonts::{Face, Fonts};

/// Space between lines, as a share of the font's own ascent plus descent.
const LEADING: f32 = 1.1;

/// The font a character is set in: the Tibetan block with the Tibetan
/// font, everything else with the CJK one.
pub(crate) fn face_of(c: char) -> Face {
    if ('\u{0F00}'..='\u{0FFF}').contains(&c) {
        Face::Tibetan
    } else {
        Face::Cjk
    }
}

/// `text` cut into the longest pieces set in one font, in order.
pub(crate) fn runs(text: &str) -> Vec<(Face, &str)> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut current = None;
    for (at, c) in text.char_indices() {
        let face = face_of(c);
        if current.is_some_and(|f| f != face) {
            runs.extend(current.map(|f| (f, &text[start..at])));
            start = at;
        }
        current = Some(face);
    }
    runs.extend(current.map(|f| (f, &text[start..])));
    runs
}

/// One shaped run: glyphs in ems, so any size can use them.
pub(crate) struct Run {
    face: Face,
    text: String,
    glyphs: Vec<KrillaGlyph>,
    advance: f32,
    /// How far the run reaches above and below the baseline, in ems.
    ascent: f32,
    descent: f32,
}

impl Run {
    #[cfg(test)]
    pub(crate) fn glyph_ids(&self) -> Vec<u32> {
        use krilla::text::Glyph;
        self.glyphs.iter().map(|g| g.glyph_id().to_u32()).collect()
    }
}

/// A shaped line of text, as it will be drawn.
pub(crate) struct Line {
    pub(crate) runs: Vec<Run>,
}

impl Line {
    pub(crate) fn width(&self, size: f32) -> f32 {
        self.runs.iter().map(|r| r.advance).sum::<f32>() * size
    }

    /// The extent above and below the baseline, in ems: at least the
    /// Chinese font's, so lines are evenly spaced, and more where a Tibetan
    /// stack reaches further.
    fn extent(&self, fonts: &Fonts) -> (f32, f32) {
        let cjk = fonts.get(Face::Cjk);
        self.runs
            .iter()
            .fold((cjk.ascent, cjk.descent), |(a, d), run| {
                (a.max(run.ascent), d.max(run.descent))
            })
    }

    pub(crate) fn ascent(&self, fonts: &Fonts, size: f32) -> f32 {
        self.extent(fonts).0 * size
    }

    pub(crate) fn height(&self, fonts: &Fonts, size: f32) -> f32 {
        let (ascent, descent) = self.extent(fonts);
        (ascent + descent) * size * LEADING
    }

    /// Draws the line with its baseline's left end at (`x`, `baseline`).
    pub(crate) fn draw(
        &self,
        surface: &mut Surface,
        fonts: &Fonts,
        x: f32,
        baseline: f32,
        size: f32,
    ) {
        let mut x = x;
        for run in &self.runs {
            surface.draw_glyphs(
                Point::from_xy(x, baseline),
                &run.glyphs,
                fonts.get(run.face).pdf.clone(),
                &run.text,
                size,
                false,
            );
            x += run.advance * size;
        }
    }
}

/// Shapes one line of text, run by run.
pub(crate) fn shape_line(fonts: &Fonts, text: &str) -> Result<Line, PrintError> {
    let runs = runs(text)
        .into_iter()
        .map(|(face, piece)| shape_run(fonts, face, piece))
        .collect::<Result<_, _>>()?;
    Ok(Line { runs })
}

fn shape_run(fonts: &Fonts, face: Face, text: &str) -> Result<Run, PrintError> {
    let font = fonts.get(face);
    let shaper = font
        .shaper()
        .ok_or_else(|| PrintError::Pdf(format!("the {face:?} font cannot be shaped")))?;
    let em = shaper.units_per_em().max(1) as f32;
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    // Runs hold one script each, so guessing its script and direction from
    // the text is exact (and Tibetan needs its script set to get stacks).
    buffer.guess_segment_properties();
    let shaped = rustybuzz::shape(&shaper, &[], buffer);
    let infos = shaped.glyph_infos();
    let positions = shaped.glyph_positions();
    let glyphs: Vec<KrillaGlyph> = infos
        .iter()
        .zip(positions)
        .enumerate()
        .map(|(i, (info, pos))| {
            KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / em,
                pos.x_offset as f32 / em,
                pos.y_offset as f32 / em,
                pos.y_advance as f32 / em,
                cluster_range(infos, i, text.len()),
                None,
            )
        })
        .collect();
    let advance = positions.iter().map(|p| p.x_advance as f32 / em).sum();
    // The Tibetan font's own ascent and descent (1.47 and 1.35 em) make
    // room for the tallest Sanskrit stacks it can draw; a line is spaced by
    // the glyphs it really has instead, so a label's name is not set in a
    // line three ems tall.
    let (ascent, descent) =
        infos
            .iter()
            .zip(positions)
            .fold((0.0_f32, 0.0_f32), |(a, d), (info, pos)| {
                let ink = u16::try_from(info.glyph_id)
                    .ok()
                    .and_then(|id| shaper.glyph_bounding_box(rustybuzz::ttf_parser::GlyphId(id)));
                match ink {
                    Some(ink) => (
                        a.max(f32::from(ink.y_max) / em + pos.y_offset as f32 / em),
                        d.max(-(f32::from(ink.y_min) / em + pos.y_offset as f32 / em)),
                    ),
                    None => (a, d),
                }
            });
    Ok(Run {
        face,
        text: text.to_owned(),
        glyphs,
        advance,
        ascent,
        descent,
    })
}

/// The bytes of the text glyph `i` stands for: its cluster, up to the next
/// cluster's start. The PDF's ToUnicode map is built from these, so a
/// stacked Tibetan glyph copies out as all the letters it stacks.
fn cluster_range(infos: &[rustybuzz::GlyphInfo], i: usize, len: usize) -> Range<usize> {
    let start = infos[i].cluster as usize;
    let end = infos[i..]
        .iter()
        .find(|info| info.cluster != infos[i].cluster)
        .map_or(len, |info| info.cluster as usize);
    start..end.max(start)
}

/// Where a line may break: after a space, a Tibetan tsheg or shad, and on
/// either side of a Chinese character, except before closing punctuation
/// and after opening punctuation.
fn may_break_between(before: char, after: char) -> bool {
    // A space ends the piece before it, so never starts one.
    const NO_BREAK_BEFORE: &str = " ，。、：；！？）」』》〉,.:;!?)་";
    const NO_BREAK_AFTER: &str = "（「『《〈(";
    if NO_BREAK_BEFORE.contains(after) || NO_BREAK_AFTER.contains(before) {
        return false;
    }
    before == ' '
        || matches!(before, '\u{0F0B}' | '\u{0F0D}'..='\u{0F12}' | '\u{0F14}')
        || is_wide(before)
        || is_wide(after)
}

/// Chinese characters and full-width punctuation: each one a word for
/// line breaking.
fn is_wide(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}' | '\u{20000}'..='\u{3FFFF}')
}

/// `text` cut where a line may break; the pieces joined are the text.
fn pieces(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut previous: Option<char> = None;
    for (at, c) in text.char_indices() {
        if previous.is_some_and(|p| may_break_between(p, c)) {
            pieces.push(&text[start..at]);
            start = at;
        }
        previous = Some(c);
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

/// Text wrapped to a width at one size: `None` when a piece that cannot be
/// broken (a long Latin word, one Tibetan syllable) is wider than the line.
pub(crate) fn wrap(
    fonts: &Fonts,
    text: &str,
    width: f32,
    size: f32,
) -> Result<Option<Vec<Line>>, PrintError> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for piece in pieces(text.trim()) {
        let candidate = format!("{current}{piece}");
        if shape_line(fonts, candidate.trim_end())?.width(size) <= width {
            current = candidate;
            continue;
        }
        if current.is_empty() {
            return Ok(None);
        }
        lines.push(shape_line(fonts, current.trim_end())?);
        current = piece.trim_start().to_owned();
        if shape_line(fonts, current.trim_end())?.width(size) > width {
            return Ok(None);
        }
    }
    if !current.trim().is_empty() || lines.is_empty() {
        lines.push(shape_line(fonts, current.trim_end())?);
    }
    Ok(Some(lines))
}

/// A box text must stay inside.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub(crate) width: f32,
    pub(crate) height: f32,
    pub(crate) max_lines: usize,
}

/// Text set at one size, wrapped into lines.
pub(crate) struct Block {
    pub(crate) lines: Vec<Line>,
    pub(crate) size: f32,
}

impl Block {
    pub(crate) fn height(&self, fonts: &Fonts) -> f32 {
        self.lines.iter().map(|l| l.height(fonts, self.size)).sum()
    }

    pub(crate) fn width(&self) -> f32 {
        self.lines
            .iter()
            .map(|l| l.width(self.size))
            .fold(0.0, f32::max)
    }

    /// Where the first line's baseline falls when the block is drawn from `top`.
    pub(crate) fn first_baseline(&self, fonts: &Fonts, top: f32) -> f32 {
        self.lines.first().map_or(top, |line| {
            top + self.half_leading(fonts, line) + line.ascent(fonts, self.size)
        })
    }

    /// The space above a line's ascent: half of what leading adds.
    fn half_leading(&self, fonts: &Fonts, line: &Line) -> f32 {
        line.height(fonts, self.size) * (1.0 - 1.0 / LEADING) / 2.0
    }

    /// Draws the lines in plain black from `top` at `x`, whatever stroke or
    /// fill the surface was left with (a box or a rule drawn before it).
    pub(crate) fn draw_filled(&self, surface: &mut Surface, fonts: &Fonts, x: f32, top: f32) {
        surface.set_stroke(None);
        surface.set_fill(Some(krilla::paint::Fill::default()));
        self.draw(surface, fonts, x, top, None);
    }

    /// Draws the lines down from `top`, each starting at `x` or, with
    /// `centre` set, centred on a line `centre` wide starting at `x`.
    pub(crate) fn draw(
        &self,
        surface: &mut Surface,
        fonts: &Fonts,
        x: f32,
        top: f32,
        centre: Option<f32>,
    ) {
        let mut top = top;
        for line in &self.lines {
            let left = match centre {
                Some(width) => x + (width - line.width(self.size)) / 2.0,
                None => x,
            };
            line.draw(
                surface,
                fonts,
                left,
                top + self.half_leading(fonts, line) + line.ascent(fonts, self.size),
                self.size,
            );
            top += line.height(fonts, self.size);
        }
    }
}

/// Sizes tried, largest first, in half points.
pub(crate) fn sizes(largest: f32, smallest: f32) -> impl Iterator<Item = f32> {
    let steps = ((largest - smallest) * 2.0).max(0.0).round() as u32;
    (0..=steps).map(move |step| largest - step as f32 * 0.5)
}

/// The largest size from `largest` down to `smallest` at which `text`
/// wraps into `frame`; `Ok(None)` when none does.
pub(crate) fn fit(
    fonts: &Fonts,
    text: &str,
    frame: Frame,
    largest: f32,
    smallest: f32,
) -> Result<Option<Block>, PrintError> {
    for size in sizes(largest, smallest) {
        let Some(lines) = wrap(fonts, text, frame.width, size)? else {
            continue;
        };
        let block = Block { lines, size };
        if block.lines.len() <= frame.max_lines && block.height(fonts) <= frame.height {
            return Ok(Some(block));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_where_the_script_changes() {
        assert_eq!(
            runs("牦牛肉 གཡག་ཤ 5kg"),
            vec![
                (Face::Cjk, "牦牛肉 "),
                (Face::Tibetan, "གཡག་ཤ"),
                (Face::Cjk, " 5kg"),
            ]
        );
        assert!(runs("").is_empty());
    }

    #[test]
    fn lines_break_after_tsheg_between_chinese_characters_and_at_spaces() {
        assert_eq!(pieces("བཀྲ་ཤིས་བདེ"), vec!["བཀྲ་", "ཤིས་", "བདེ"]);
        assert_eq!(pieces("牦牛肉，好"), vec!["牦", "牛", "肉，", "好"]);
        assert_eq!(pieces("Highland yak"), vec!["Highland ", "yak"]);
        assert_eq!(pieces("采收 2026-09-12"), vec!["采", "收 ", "2026-09-12"]);
    }

    #[test]
    fn sizes_step_down_by_half_points() {
        assert_eq!(sizes(7.0, 6.0).collect::<Vec<_>>(), vec![7.0, 6.5, 6.0]);
        assert_eq!(sizes(6.0, 6.0).collect::<Vec<_>>(), vec![6.0]);
    }

    #[test]
    fn tibetan_stacks_are_shaped_into_fewer_glyphs_than_letters() {
        let fonts = Fonts::system().expect("fonts-noto-core and fonts-noto-cjk");
        // བསྒྲུབས: a prefix, a stack of sa, subjoined ga and ra, the vowel u,
        // then ba and a suffix sa: eight code points, one syllable.
        let text = "བསྒྲུབས";
        let line = shape_line(&fonts, text).expect("shaped");
        assert_eq!(line.runs.len(), 1);
        let glyphs = line.runs[0].glyph_ids();
        assert!(
            glyphs.len() < text.chars().count(),
            "{} glyphs for {} letters: {glyphs:?}",
            glyphs.len(),
            text.chars().count()
        );
        // Unshaped, each letter would be drawn with the glyph the font's
        // cmap gives it; shaped, the subjoined ga and ra are replaced by
        // stacked forms, so neither nominal glyph is left.
        let font = fonts.get(Face::Tibetan).shaper().expect("face");
        for subjoined in ['\u{0F92}', '\u{0FB2}'] {
            let nominal = u32::from(font.glyph_index(subjoined).expect("in the font").0);
            assert!(
                !glyphs.contains(&nominal),
                "{subjoined:?} unshaped: {glyphs:?}"
            );
        }
    }

    #[test]
    fn a_stack_measures_narrower_than_its_letters_side_by_side() {
        let fonts = Fonts::system().expect("fonts");
        let stacked = shape_line(&fonts, "སྒྲ").expect("shaped").width(10.0);
        let apart = shape_line(&fonts, "སགར").expect("shaped").width(10.0);
        assert!(stacked < apart * 0.6, "stacked {stacked}, apart {apart}");
    }

    #[test]
    fn text_wraps_to_the_width_and_fit_shrinks_until_it_holds() {
        let fonts = Fonts::system().expect("fonts");
        let text = "牦牛肉 གཡག་ཤ 高原散养 ཕྱུགས་ཤ";
        let lines = wrap(&fonts, text, 60.0, 10.0)
            .expect("shaped")
            .expect("every piece fits 60 pt");
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width(10.0) <= 60.0));
        let frame = Frame {
            width: 60.0,
            height: 30.0,
            max_lines: 2,
        };
        let block = fit(&fonts, text, frame, 14.0, 4.0)
            .expect("shaped")
            .expect("fits at some size");
        assert!(block.lines.len() <= 2 && block.height(&fonts) <= 30.0);
        assert!(block.width() <= 60.0);
        let none = fit(&fonts, &"牦".repeat(200), frame, 14.0, 6.0).expect("shaped");
        assert!(none.is_none());
    }
}
