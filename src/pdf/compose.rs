//! A small page composer over printpdf ops: text lines placed from the top of the page, boxes,
//! rules and check boxes, and page breaks. Positions are points from the page's top-left corner.

use super::embed::{Subsets, resource_name};
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
        }
    }

    pub fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        self.fonts.width(text, size, bold)
    }

    /// One line of text with its baseline `baseline` points below the page top.
    pub fn text(&mut self, x: f32, baseline: f32, text: &str, size: f32, bold: bool, level: f32) {
        if text.is_empty() {
            return;
        }
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFillColor { col: grey(level) });
        self.ops.push(Op::SetTextCursor {
            pos: Point {
                x: Pt(x),
                y: Pt(self.size.h - baseline),
            },
        });
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
                codes.extend_from_slice(&self.subsets.glyph(face, g.id, g.ch).to_be_bytes());
            }
            self.ops.push(Op::Unknown {
                key: "Tj".to_string(),
                value: vec![DictItem::Bytes(codes)],
            });
        }
        self.ops.push(Op::EndTextSection);
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
    }

    pub fn line(&mut self, points: &[(f32, f32)], width: f32, level: f32) {
        self.ops.push(Op::SetOutlineColor { col: grey(level) });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(width) });
        let line = Line {
            points: points.iter().map(|&p| self.point(p, false)).collect(),
            is_closed: false,
        };
        self.ops.push(Op::DrawLine { line });
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
    }

    /// A check box drawn as a shape (no font has ☑): a square, and a tick when `checked`.
    pub fn checkbox(&mut self, x: f32, top: f32, size: f32, checked: bool) {
        self.rect(x, top, size, size, Some(1.0), Some(0.6));
        if checked {
            let pts = [
                (x + size * 0.18, top + size * 0.52),
                (x + size * 0.42, top + size * 0.78),
                (x + size * 0.84, top + size * 0.18),
            ];
            self.line(&pts, 1.3, 0.0);
        }
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
        self.pages.push(Page {
            ops: std::mem::take(&mut self.ops),
            size: self.size,
        });
        self.size = size;
        self.y = CONTENT_TOP;
    }

    /// Ends the last page and hands over all of them.
    pub fn take_pages(&mut self) -> Vec<Page> {
        if !self.ops.is_empty() || self.pages.is_empty() {
            self.pages.push(Page {
                ops: std::mem::take(&mut self.ops),
                size: self.size,
            });
        }
        std::mem::take(&mut self.pages)
    }
}
