//! The bundled fonts (templates/fonts/): BIZ UDGothic Regular and Bold, and shards of Noto Sans CJK
//! JP for the characters BIZ UDGothic lacks (𠮷 and other rare kanji; see fallback_shards.rs).
//!
//! ttf-parser answers "which glyph, how wide" straight from the compiled-in bytes (binary-searched
//! cmap, no copy), for the coverage check, line breaking and the widths of embedded subsets
//! (embed.rs).

use super::fallback_shards::SHARDS;
use std::sync::OnceLock;

const REGULAR: &[u8] = include_bytes!("../../templates/fonts/BIZUDGothic-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../templates/fonts/BIZUDGothic-Bold.ttf");

/// The bundled fonts cannot be parsed: the installation is damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the bundled fonts could not be read; reinstall Taiwa")]
pub struct FontLoadError;

impl crate::i18n::UserError for FontLoadError {
    fn code(&self) -> &'static str {
        "pdf.font_load"
    }

    fn message(&self) -> crate::i18n::Text {
        crate::i18n::Text::new(
            "同梱のフォントを読み込めません。Taiwa を入れ直してください",
            self.to_string(),
        )
    }
}

/// What to tell a person about a character no bundled font has (without the field's path).
pub fn missing_glyph_text(ch: char) -> crate::i18n::Text {
    let code = u32::from(ch);
    crate::i18n::Text::new(
        format!(
            "文字「{ch}」(U+{code:04X}) は同梱のどのフォントにもありません。別の文字に置き換えてください"
        ),
        format!("the character {ch:?} (U+{code:04X}) is in none of the bundled fonts; replace it"),
    )
}

/// How many fallback shards there are (embedding tests walk them all).
pub fn shard_count() -> usize {
    SHARDS.len()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    Regular,
    Bold,
    /// A shard of the fallback font, by index into `SHARDS`.
    Fallback(u16),
}

/// One font file and its metrics, read on first use.
struct Source {
    bytes: &'static [u8],
    metrics: OnceLock<Option<Metrics>>,
}

/// Glyph ids and advances as plain tables: line breaking measures every candidate line, so a
/// lookup must cost an index, not a cmap search.
struct Metrics {
    face: ttf_parser::Face<'static>,
    /// Glyph id per Basic Multilingual Plane code point (0: none); other planes ask `face`.
    bmp: Vec<u16>,
    advances: Vec<u16>,
    units_per_em: f32,
    postscript_name: String,
}

/// What embedding a face needs to know about it (embed.rs), in font units.
pub struct EmbedInfo<'a> {
    pub bytes: &'static [u8],
    pub postscript_name: &'a str,
    /// CFF outlines (an `OTTO` file) rather than TrueType ones.
    pub cff: bool,
    pub units_per_em: f32,
    /// x min, y min, x max, y max.
    pub bbox: (f32, f32, f32, f32),
    pub ascent: f32,
    pub descent: f32,
    pub cap_height: f32,
    pub weight: u16,
    metrics: &'a Metrics,
}

impl EmbedInfo<'_> {
    /// Advance of a glyph of the whole face, in ems.
    pub fn advance(&self, glyph: u16) -> f32 {
        self.metrics.advance(glyph)
    }
}

impl Metrics {
    fn parse(bytes: &'static [u8]) -> Option<Metrics> {
        let face = ttf_parser::Face::parse(bytes, 0).ok()?;
        let mut bmp = vec![0u16; 0x1_0000];
        for sub in face.tables().cmap?.subtables {
            if !sub.is_unicode() {
                continue;
            }
            sub.codepoints(|cp| {
                if let Some(slot) = bmp.get_mut(cp as usize)
                    && *slot == 0
                    && let Some(g) = sub.glyph_index(cp)
                {
                    *slot = g.0;
                }
            });
        }
        let advances = (0..face.number_of_glyphs())
            .map(|g| face.glyph_hor_advance(ttf_parser::GlyphId(g)).unwrap_or(0))
            .collect();
        let units_per_em = f32::from(face.units_per_em().max(1));
        // The PDF names the face by its PostScript name (pdffonts shows it).
        let postscript_name = face
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|n| n.to_string())
            .unwrap_or_else(|| "Taiwa".to_string());
        Some(Metrics {
            face,
            bmp,
            advances,
            units_per_em,
            postscript_name,
        })
    }

    fn glyph(&self, ch: char) -> Option<u16> {
        let g = match self.bmp.get(ch as usize) {
            Some(g) => *g,
            None => self.face.glyph_index(ch).map_or(0, |g| g.0),
        };
        (g != 0).then_some(g)
    }

    fn advance(&self, glyph: u16) -> f32 {
        f32::from(self.advances.get(usize::from(glyph)).copied().unwrap_or(0)) / self.units_per_em
    }
}

impl Source {
    const fn new(bytes: &'static [u8]) -> Source {
        Source {
            bytes,
            metrics: OnceLock::new(),
        }
    }

    fn metrics(&self) -> Option<&Metrics> {
        self.metrics
            .get_or_init(|| Metrics::parse(self.bytes))
            .as_ref()
    }

    fn glyph(&self, ch: char) -> Option<u16> {
        self.metrics()?.glyph(ch)
    }
}

pub struct FontSet {
    regular: Source,
    bold: Source,
    fallback: Vec<Source>,
}

static FONTS: OnceLock<Option<FontSet>> = OnceLock::new();

/// A glyph ready for `ShowText`: the font's glyph id and the text it stands for (ToUnicode).
pub struct Glyph {
    pub id: u16,
    pub ch: char,
}

impl FontSet {
    /// The process-wide font set; the primary faces are checked on first use.
    pub fn get() -> Result<&'static FontSet, FontLoadError> {
        FONTS
            .get_or_init(|| {
                let set = FontSet {
                    regular: Source::new(REGULAR),
                    bold: Source::new(BOLD),
                    fallback: SHARDS.iter().map(|(_, _, b)| Source::new(b)).collect(),
                };
                (set.regular.metrics().is_some() && set.bold.metrics().is_some()).then_some(set)
            })
            .as_ref()
            .ok_or(FontLoadError)
    }

    fn source(&self, face: Face) -> Option<&Source> {
        match face {
            Face::Regular => Some(&self.regular),
            Face::Bold => Some(&self.bold),
            Face::Fallback(i) => self.fallback.get(usize::from(i)),
        }
    }

    /// What embedding `face` needs: its bytes, names and metrics.
    pub fn embed_info(&self, face: Face) -> Option<EmbedInfo<'_>> {
        let source = self.source(face)?;
        let metrics = source.metrics()?;
        let f = &metrics.face;
        let b = f.global_bounding_box();
        Some(EmbedInfo {
            bytes: source.bytes,
            postscript_name: &metrics.postscript_name,
            cff: source.bytes.starts_with(b"OTTO"),
            units_per_em: metrics.units_per_em,
            bbox: (
                f32::from(b.x_min),
                f32::from(b.y_min),
                f32::from(b.x_max),
                f32::from(b.y_max),
            ),
            ascent: f32::from(f.ascender()),
            descent: f32::from(f.descender()),
            cap_height: f32::from(f.capital_height().unwrap_or(f.ascender())),
            weight: f.weight().to_number(),
            metrics,
        })
    }

    fn shard(ch: char) -> Option<u16> {
        let cp = u32::from(ch);
        let i = SHARDS.partition_point(|(_, last, _)| *last < cp);
        match SHARDS.get(i) {
            Some((first, _, _)) if *first <= cp => u16::try_from(i).ok(),
            _ => None,
        }
    }

    /// Which face draws `ch`: the primary (bold or regular) when it has the glyph, else the
    /// fallback shard for its range; `None` when no bundled font has it.
    pub fn pick(&self, ch: char, bold: bool) -> Option<Face> {
        let primary = if bold { Face::Bold } else { Face::Regular };
        let font = if bold { &self.bold } else { &self.regular };
        if font.glyph(ch).is_some() {
            return Some(primary);
        }
        if bold && self.regular.glyph(ch).is_some() {
            return Some(Face::Regular);
        }
        let shard = Self::shard(ch)?;
        self.fallback
            .get(usize::from(shard))?
            .glyph(ch)
            .map(|_| Face::Fallback(shard))
    }

    /// Whether some bundled font can draw `ch` (checked before any layout). White space without a
    /// glyph of its own (tab, thin space, line separators) is printed as a plain space.
    pub fn covers(&self, ch: char) -> bool {
        ch.is_whitespace() || self.pick(ch, false).is_some()
    }

    /// The first character of `s` that no bundled font can draw (controls are never drawn).
    pub fn first_missing(&self, s: &str) -> Option<char> {
        s.chars().find(|c| !c.is_control() && !self.covers(*c))
    }

    /// The character actually drawn for `ch`.
    pub fn printable(&self, ch: char) -> char {
        if ch.is_whitespace() && ch != '\u{3000}' && self.regular.glyph(ch).is_none() {
            ' '
        } else {
            ch
        }
    }

    /// Advance width of `ch` in `face` at `size` points.
    pub fn advance(&self, face: Face, ch: char, size: f32) -> f32 {
        let Some(source) = self.source(face) else {
            return size;
        };
        let Some(metrics) = source.metrics() else {
            return size;
        };
        match metrics.glyph(ch) {
            Some(g) => metrics.advance(g) * size,
            // Spaces with no glyph of their own: a half em, or a full em for the ideographic space.
            None if ch == '\u{3000}' => size,
            None => size / 2.0,
        }
    }

    /// Width of `text` in points, each character in the face that will draw it.
    pub fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        text.chars()
            .map(|c| self.printable(c))
            .map(|c| self.advance(self.pick(c, bold).unwrap_or(Face::Regular), c, size))
            .sum()
    }

    /// `text` cut into runs of one face each, as glyph ids: the PDF writer then never has to look
    /// a character up in the font again.
    pub fn runs(&self, text: &str, bold: bool) -> Vec<(Face, Vec<Glyph>)> {
        let mut runs: Vec<(Face, Vec<Glyph>)> = Vec::new();
        for c in text.chars().map(|c| self.printable(c)) {
            let face = self
                .pick(c, bold)
                .unwrap_or(if bold { Face::Bold } else { Face::Regular });
            let id = self.source(face).and_then(|s| s.glyph(c)).unwrap_or(0);
            let glyph = Glyph { id, ch: c };
            match runs.last_mut() {
                Some((f, glyphs)) if *f == face => glyphs.push(glyph),
                _ => runs.push((face, vec![glyph])),
            }
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_kanji_come_from_a_fallback_shard_common_ones_from_the_primary() {
        let fonts = FontSet::get().expect("bundled fonts");
        assert_eq!(fonts.pick('山', false), Some(Face::Regular));
        assert_eq!(fonts.pick('山', true), Some(Face::Bold));
        assert!(matches!(fonts.pick('𠮷', false), Some(Face::Fallback(_))));
        assert!(matches!(fonts.pick('𠮷', true), Some(Face::Fallback(_))));
        // A private-use code point is in no font.
        assert_eq!(fonts.pick('\u{E000}', false), None);
        assert!(fonts.covers('\u{2009}'));
        assert_eq!(fonts.printable('\u{2009}'), ' ');
    }

    #[test]
    fn every_shard_parses_for_metrics_and_for_embedding() {
        let fonts = FontSet::get().expect("bundled fonts");
        for (i, (first, last, _)) in SHARDS.iter().enumerate() {
            assert!(first <= last);
            let face = Face::Fallback(u16::try_from(i).expect("few shards"));
            assert!(
                fonts.source(face).and_then(Source::metrics).is_some(),
                "shard {i}"
            );
        }
        let info = fonts.embed_info(Face::Fallback(0)).expect("shard 0");
        assert!(info.cff && info.postscript_name.starts_with("NotoSansCJKjp"));
        let info = fonts.embed_info(Face::Bold).expect("bold");
        assert!(!info.cff && info.postscript_name == "BIZUDGothic-Bold");
        let ranges: Vec<_> = SHARDS.windows(2).map(|w| w[0].1 < w[1].0).collect();
        assert!(ranges.iter().all(|ok| *ok), "shard ranges overlap");
    }
}
