//! A small page composer over printpdf ops: text lines placed from the top of the page, boxes,
//! rules and check boxes, and page breaks. Positions are points from the page's top-left corner.
//!
//! Everything drawn is either real content, marked for the open structure element (text, and
//! drawings inside `begin_content`), or an artifact (boxes and rules, and whatever is drawn inside
//! `begin_artifact`): PDF/UA-1 7.1 leaves nothing in between.

use super::embed::{Subsets, resource_name};
use super::structure::{self, Artifact, Structure};
use crate::text::fonts::FontSet;
use printpdf::{
    Color, DictItem, FontId, Greyscale, Line, LineDashPattern, LinePoint, Op, PaintMode,
    PdfFontHandle, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rect, WindingOrder,
};

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN: f32 = 42.52; // 15 mm
/// The band at the top and bottom of every page that holds the header and the footer.
pub const BAND: f32 = 26.0;
pub const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
pub const CONTENT_TOP: f32 = MARGIN + BAND;
pub const CONTENT_BOTTOM: f32 = PAGE_H - MARGIN - BAND;

/// A page's size in points; A4 portrait unless a page asks for landscape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSize {
    pub w: f32,
    pub h: f32,
}

impl PageSize {
    pub const PORTRAIT: PageSize = PageSize {
        w: PAGE_W,
        h: PAGE_H,
    };
    pub const LANDSCAPE: PageSize = PageSize {
        w: PAGE_H,
        h: PAGE_W,
    };
}

/// printpdf's options for turning our pages into a document: text is written as `Tj` operations
/// of our own (`Composer::text`), which printpdf passes through only when not `secure`.
pub fn save_options() -> PdfSaveOptions {
    PdfSaveOptions {
        secure: false,
        ..PdfSaveOptions::default()
    }
}

/// A finished page: its drawing operations and its size.
pub struct Page {
    pub ops: Vec<Op>,
    pub size: PageSize,
}

pub struct Composer {
    pub fonts: &'static FontSet,
    /// The glyphs drawn so far, which the PDF's fonts will hold (embed.rs).
    pub subsets: Subsets,
    pub pages: Vec<Page>,
    pub ops: Vec<Op>,
    /// The size of the page being drawn.
    pub size: PageSize,
    /// Where the next element goes, from the top of the page.
    pub y: f32,
    /// The page being drawn, counted from 0 (its MCIDs are numbered on their own).
    pub page: usize,
    /// The logical structure the content is marked for.
    pub tags: Structure,
    /// A marked-content sequence is open: what is drawn now belongs to it, unwrapped.
    mc_open: bool,
    /// In a document in another language, the language of Japanese text (its values read in a
    /// Japanese voice, PDF/UA-1 7.2): set for English exports.
    pub cjk_lang: Option<&'static str>,
    /// The open sequence is a layout artifact left open for the next box or rule: a table's cell
    /// borders are one artifact, not one each. Closed by whatever is drawn next that is not one.
    layout_open: bool,
}

fn name(s: &str) -> DictItem {
    DictItem::Name(s.as_bytes().to_vec())
}

/// Kana and kanji (half-width katakana included): text a screen reader should speak in Japanese.
fn is_japanese(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF66}'..='\u{FF9F}'
        | '\u{20000}'..='\u{3FFFF}')
}

/// A text string for a marked-content property list: UTF-16BE with its byte-order mark.
fn utf16(s: &str) -> DictItem {
    DictItem::String {
        data: structure::utf16be(s),
        literal: false,
    }
}

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: level,
        icc_profile: None,
    })
}

impl Composer {
    pub fn new(fonts: &'static FontSet) -> Composer {
        Composer {
            fonts,
            subsets: Subsets::default(),
            pages: Vec::new(),
            ops: Vec::new(),
            size: PageSize::PORTRAIT,
            y: CONTENT_TOP,
            page: 0,
            tags: Structure::new(),
            mc_open: false,
            cjk_lang: None,
            layout_open: false,
        }
    }

    /// Ends the layout artifact left open, if one is.
    fn close_layout(&mut self) {
        if self.layout_open {
            self.ops.push(Op::EndMarkedContent);
            self.layout_open = false;
            self.mc_open = false;
        }
    }

    /// The page's operations so far, every marked sequence closed.
    pub fn take_ops(&mut self) -> Vec<Op> {
        self.close_layout();
        std::mem::take(&mut self.ops)
    }

    /// Starts an artifact: what is drawn until `end_marked` is decoration, not content. Returns
    /// false (and opens nothing) inside another marked sequence, which then holds it.
    pub fn begin_artifact(&mut self, kind: Artifact) -> bool {
        if kind != Artifact::Layout {
            self.close_layout();
        }
        if self.mc_open {
            return false;
        }
        let mut map = std::collections::BTreeMap::new();
        match kind {
            // Boxes and rules, the most frequent: an untyped artifact, the shortest form, left
            // open for the next one (`end_marked` gets false; `close_layout` ends it).
            Artifact::Layout => {
                self.ops.push(Op::BeginMarkedContent {
                    tag: "Artifact".to_string(),
                });
                self.mc_open = true;
                self.layout_open = true;
                return false;
            }
            Artifact::Header | Artifact::Footer | Artifact::Watermark => {
                map.insert("Type".to_string(), name("Pagination"));
                let sub = match kind {
                    Artifact::Header => "Header",
                    Artifact::Footer => "Footer",
                    _ => "Watermark",
                };
                map.insert("Subtype".to_string(), name(sub));
            }
        }
        self.ops.push(Op::BeginMarkedContentWithProperties {
            tag: "Artifact".to_string(),
            properties: DictItem::Dict { map },
        });
        self.mc_open = true;
        true
    }

    /// Starts content of the structure's target element: drawings (a check box, a diagram) that
    /// mean something and are read through the element's /Alt or /ActualText.
    pub fn begin_content(&mut self) -> bool {
        self.close_layout();
        if self.mc_open {
            return false;
        }
        self.open_mcid();
        true
    }

    fn open_mcid(&mut self) {
        let (mcid, role) = self.tags.mark(self.page);
        let mut map = std::collections::BTreeMap::new();
        map.insert("MCID".to_string(), DictItem::Int(mcid));
        self.ops.push(Op::BeginMarkedContentWithProperties {
            tag: role.name().to_string(),
            properties: DictItem::Dict { map },
        });
        self.mc_open = true;
    }

    /// Ends what `begin_artifact` or `begin_content` opened (`opened`: what they returned).
    pub fn end_marked(&mut self, opened: bool) {
        if opened {
            self.ops.push(Op::EndMarkedContent);
            self.mc_open = false;
        }
    }

    /// Runs `draw` as an artifact.
    pub fn artifact(&mut self, kind: Artifact, draw: impl FnOnce(&mut Self)) {
        let opened = self.begin_artifact(kind);
        draw(self);
        self.end_marked(opened);
    }

    pub fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        self.fonts.width(text, size, bold)
    }

    /// One line of text with its baseline `baseline` points below the page top.
    pub fn text(&mut self, x: f32, baseline: f32, text: &str, size: f32, bold: bool, level: f32) {
        if text.is_empty() {
            return;
        }
        self.close_layout();
        let marked = !self.mc_open;
        if marked {
            self.open_mcid();
        }
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFillColor { col: grey(level) });
        self.ops.push(Op::SetTextCursor {
            pos: Point {
                x: Pt(x),
                y: Pt(self.size.h - baseline),
            },
        });
        let at = self.ops.len();
        // Whether every glyph copies as the character it was drawn for: one glyph can stand for
        // two characters (人 and the radical ⼈ in IPAex), and the font's map names only the first.
        let mut faithful = true;
        for (face, run) in self.fonts.runs(text, bold) {
            // A face printpdf does not know: it writes the name and the glyph ids as they are,
            // and embed.rs adds the font under that name.
            self.ops.push(Op::SetFont {
                font: PdfFontHandle::External(FontId(resource_name(face))),
                size: Pt(size),
            });
            // One string of two-byte codes: printpdf's ShowText would make each glyph a string
            // of its own (an allocation each, and 50% more bytes to write and deflate).
            let mut codes = Vec::with_capacity(run.len() * 2);
            for g in run {
                let (code, same) = self.subsets.glyph(face, g.id, g.ch);
                faithful &= same;
                codes.extend_from_slice(&code.to_be_bytes());
            }
            self.ops.push(Op::Unknown {
                key: "Tj".to_string(),
                value: vec![DictItem::Bytes(codes)],
            });
        }
        let lang = self.cjk_lang.filter(|_| text.chars().any(is_japanese));
        if !faithful || lang.is_some() {
            let mut map = std::collections::BTreeMap::new();
            if !faithful {
                // The line's text as written, for extraction, copying and screen readers.
                map.insert("ActualText".to_string(), utf16(text));
            }
            if let Some(lang) = lang {
                map.insert("Lang".to_string(), utf16(lang));
            }
            self.ops.insert(
                at,
                Op::BeginMarkedContentWithProperties {
                    tag: "Span".to_string(),
                    properties: DictItem::Dict { map },
                },
            );
            self.ops.push(Op::EndMarkedContent);
        }
        self.ops.push(Op::EndTextSection);
        if marked {
            self.ops.push(Op::EndMarkedContent);
            self.mc_open = false;
        }
    }

    pub fn rect(
        &mut self,
        x: f32,
        top: f32,
        w: f32,
        h: f32,
        fill: Option<f32>,
        stroke: Option<f32>,
    ) {
        let opened = self.begin_artifact(Artifact::Layout);
        let page_h = self.size.h;
        let rect = |mode| Rect {
            x: Pt(x),
            y: Pt(page_h - top - h),
            width: Pt(w),
            height: Pt(h),
            mode: Some(mode),
            winding_order: None,
        };
        if let Some(level) = fill {
            self.ops.push(Op::SetFillColor { col: grey(level) });
            self.ops.push(Op::DrawRectangle {
                rectangle: rect(PaintMode::Fill),
            });
        }
        if let Some(width) = stroke {
            self.ops.push(Op::SetOutlineColor { col: grey(0.0) });
            self.ops.push(Op::SetOutlineThickness { pt: Pt(width) });
            self.ops.push(Op::DrawRectangle {
                rectangle: rect(PaintMode::Stroke),
            });
        }
        self.end_marked(opened);
    }

    pub fn line(&mut self, points: &[(f32, f32)], width: f32, level: f32) {
        let opened = self.begin_artifact(Artifact::Layout);
        self.ops.push(Op::SetOutlineColor { col: grey(level) });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(width) });
        let line = Line {
            points: points.iter().map(|&p| self.point(p, false)).collect(),
            is_closed: false,
        };
        self.ops.push(Op::DrawLine { line });
        self.end_marked(opened);
    }

    fn point(&self, (x, y): (f32, f32), bezier: bool) -> LinePoint {
        LinePoint {
            p: Point {
                x: Pt(x),
                y: Pt(self.size.h - y),
            },
            bezier,
        }
    }

    /// A dashed polyline (`dash`: on, off lengths); dashing is reset afterwards.
    pub fn dashed_line(&mut self, points: &[(f32, f32)], width: f32, level: f32, dash: &[f32]) {
        self.ops.push(Op::SetLineDashPattern {
            dash: LineDashPattern::new(0.0, dash),
        });
        self.line(points, width, level);
        self.ops.push(Op::SetLineDashPattern {
            dash: LineDashPattern::solid(),
        });
    }

    /// A filled polygon.
    pub fn polygon(&mut self, points: &[(f32, f32)], level: f32) {
        let opened = self.begin_artifact(Artifact::Layout);
        self.ops.push(Op::SetFillColor { col: grey(level) });
        let ring = PolygonRing {
            points: points.iter().map(|&p| self.point(p, false)).collect(),
        };
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![ring],
                mode: PaintMode::Fill,
                winding_order: WindingOrder::NonZero,
            },
        });
        self.end_marked(opened);
    }

    /// A circle of radius `r` at (cx, cy), filled white and stroked (four Bézier arcs).
    pub fn circle(&mut self, cx: f32, cy: f32, r: f32, stroke: f32) {
        const K: f32 = 0.552_284_8;
        let k = r * K;
        let pts = [
            ((cx + r, cy), false),
            ((cx + r, cy + k), true),
            ((cx + k, cy + r), true),
            ((cx, cy + r), false),
            ((cx - k, cy + r), true),
            ((cx - r, cy + k), true),
            ((cx - r, cy), false),
            ((cx - r, cy - k), true),
            ((cx - k, cy - r), true),
            ((cx, cy - r), false),
            ((cx + k, cy - r), true),
            ((cx + r, cy - k), true),
            ((cx + r, cy), false),
        ];
        let ring = PolygonRing {
            points: pts.iter().map(|&(p, b)| self.point(p, b)).collect(),
        };
        let opened = self.begin_artifact(Artifact::Layout);
        self.ops.push(Op::SetFillColor { col: grey(1.0) });
        self.ops.push(Op::SetOutlineColor { col: grey(0.0) });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(stroke) });
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![ring],
                mode: PaintMode::FillStroke,
                winding_order: WindingOrder::NonZero,
            },
        });
        self.end_marked(opened);
    }

    /// A check box drawn as a shape (no font has ☑): a square, and a tick when `checked`.
    pub fn checkbox(&mut self, x: f32, top: f32, size: f32, checked: bool) {
        let opened = self.begin_artifact(Artifact::Layout);
        self.rect(x, top, size, size, Some(1.0), Some(0.6));
        if checked {
            let pts = [
                (x + size * 0.18, top + size * 0.52),
                (x + size * 0.42, top + size * 0.78),
                (x + size * 0.84, top + size * 0.18),
            ];
            self.line(&pts, 1.3, 0.0);
        }
        self.end_marked(opened);
    }

    /// Starts a new page when fewer than `h` points are left on this one. Returns whether it did.
    pub fn ensure(&mut self, h: f32) -> bool {
        if self.y + h > CONTENT_BOTTOM && self.y > CONTENT_TOP {
            self.new_page();
            return true;
        }
        false
    }

    pub fn new_page(&mut self) {
        self.new_page_sized(self.size);
    }

    /// Ends this page and starts one of `size`.
    pub fn new_page_sized(&mut self, size: PageSize) {
        let ops = self.take_ops();
        self.pages.push(Page {
            ops,
            size: self.size,
        });
        self.size = size;
        self.y = CONTENT_TOP;
        self.page += 1;
    }

    /// Ends the last page and hands over all of them.
    pub fn take_pages(&mut self) -> Vec<Page> {
        if !self.ops.is_empty() || self.pages.is_empty() {
            let ops = self.take_ops();
            self.pages.push(Page {
                ops,
                size: self.size,
            });
        }
        std::mem::take(&mut self.pages)
    }
}
