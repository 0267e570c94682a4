//! The bundled fonts (templates/fonts/): BIZ UDGothic Regular and Bold, and Noto Sans CJK JP as the
//! fallback for characters BIZ UDGothic lacks (𠮷 and other rare kanji). Parsed once per process;
//! the 16 MB fallback only when a character needs it.

use super::PdfError;
use printpdf::ParsedFont;
use std::sync::OnceLock;

const REGULAR: &[u8] = include_bytes!("../../templates/fonts/BIZUDGothic-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../templates/fonts/BIZUDGothic-Bold.ttf");
const FALLBACK: &[u8] = include_bytes!("../../templates/fonts/NotoSansCJKjp-Regular.otf");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    Regular,
    Bold,
    Fallback,
}

pub struct FontSet {
    regular: ParsedFont,
    bold: ParsedFont,
    fallback: OnceLock<Option<ParsedFont>>,
}

static FONTS: OnceLock<Option<FontSet>> = OnceLock::new();

fn parse(bytes: &[u8]) -> Option<ParsedFont> {
    ParsedFont::from_bytes(bytes, 0, &mut Vec::new())
}

impl FontSet {
    /// The process-wide font set, parsed on first use.
    pub fn get() -> Result<&'static FontSet, PdfError> {
        FONTS
            .get_or_init(|| {
                Some(FontSet {
                    regular: parse(REGULAR)?,
                    bold: parse(BOLD)?,
                    fallback: OnceLock::new(),
                })
            })
            .as_ref()
            .ok_or(PdfError::FontLoad)
    }

    pub fn face(&self, face: Face) -> Option<&ParsedFont> {
        match face {
            Face::Regular => Some(&self.regular),
            Face::Bold => Some(&self.bold),
            Face::Fallback => self.fallback.get_or_init(|| parse(FALLBACK)).as_ref(),
        }
    }

    fn glyph(font: &ParsedFont, ch: char) -> Option<u16> {
        font.lookup_glyph_index(ch as u32).filter(|g| *g != 0)
    }

    /// Which face draws `ch`: the primary (bold or regular) when it has the glyph, else the fallback;
    /// `None` when no bundled font has it.
    pub fn pick(&self, ch: char, bold: bool) -> Option<Face> {
        let primary = if bold { Face::Bold } else { Face::Regular };
        let font = if bold { &self.bold } else { &self.regular };
        if Self::glyph(font, ch).is_some() {
            return Some(primary);
        }
        let fallback = self.face(Face::Fallback)?;
        Self::glyph(fallback, ch).map(|_| Face::Fallback)
    }

    /// Whether some bundled font can draw `ch` (checked before any layout). White space without a
    /// glyph of its own (tab, thin space, line separators) is printed as a plain space.
    pub fn covers(&self, ch: char) -> bool {
        ch.is_whitespace() || self.pick(ch, false).is_some()
    }

    /// The character actually drawn for `ch`.
    pub fn printable(&self, ch: char) -> char {
        if ch.is_whitespace() && ch != '\u{3000}' && Self::glyph(&self.regular, ch).is_none() {
            ' '
        } else {
            ch
        }
    }

    /// Advance width of `ch` in `face` at `size` points.
    pub fn advance(&self, face: Face, ch: char, size: f32) -> f32 {
        let Some(font) = self.face(face) else {
            return size;
        };
        let upem = f32::from(font.font_metrics.units_per_em.max(1));
        match Self::glyph(font, ch) {
            Some(g) => f32::from(font.get_horizontal_advance(g)) / upem * size,
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

    /// `text` cut into runs of one face each, for `ShowText`.
    pub fn runs(&self, text: &str, bold: bool) -> Vec<(Face, String)> {
        let mut runs: Vec<(Face, String)> = Vec::new();
        for c in text.chars() {
            let face = self
                .pick(c, bold)
                .unwrap_or(if bold { Face::Bold } else { Face::Regular });
            match runs.last_mut() {
                Some((f, s)) if *f == face => s.push(c),
                _ => runs.push((face, c.to_string())),
            }
        }
        runs
    }
}
