//! The route map's diagram pages: each `DiagramPage` on an A4 page of its own, landscape when that
//! prints it larger, scaled down to fit (never below `MIN_SCALE`; `routemap::diagram::pages` splits a
//! map that would need more), with a heading, the "as of" date and its reminder, and a legend.

use super::compose::{BAND, Composer, MARGIN, PageSize};
use super::structure::Role;
use crate::i18n::Lang;
use crate::routemap::diagram::{
    self, BADGE_SIZE, BoxStyle, COND_SIZE, DiagramPage, NAME_SIZE,
    geometry::{self, DASH, LINE_WIDTH},
};
use crate::text::fonts::FontSet;

/// Below this the names in the boxes would print under 5.4 pt.
pub const MIN_SCALE: f32 = 0.6;
/// At most this many boxes on one page.
pub const MAX_NODES: usize = 12;
/// Room above the drawing for the heading and the "as of" line.
const HEAD: f32 = 44.0;
/// Room below the drawing for the legend.
const LEGEND: f32 = 30.0;

/// Where a diagram page goes on paper: page size, scale, and the top-left corner of the drawing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub size: PageSize,
    pub scale: f32,
    pub x: f32,
    pub y: f32,
}

impl Placement {
    /// A point of the layout on the page (points from the top-left corner).
    pub fn at(&self, (x, y): (f32, f32)) -> (f32, f32) {
        (self.x + x * self.scale, self.y + y * self.scale)
    }
}

fn area(size: PageSize) -> (f32, f32) {
    (
        size.w - 2.0 * MARGIN,
        size.h - 2.0 * MARGIN - 2.0 * BAND - HEAD - LEGEND,
    )
}

fn scale_for(w: f32, h: f32, size: PageSize) -> f32 {
    let (aw, ah) = area(size);
    1.0f32.min(aw / w.max(1.0)).min(ah / h.max(1.0))
}

/// The orientation that prints a `w` × `h` drawing larger (portrait when equal), and its placement:
/// centred across the page, under the heading.
pub fn placement(w: f32, h: f32) -> Placement {
    let (p, l) = (
        scale_for(w, h, PageSize::PORTRAIT),
        scale_for(w, h, PageSize::LANDSCAPE),
    );
    let (size, scale) = if l > p {
        (PageSize::LANDSCAPE, l)
    } else {
        (PageSize::PORTRAIT, p)
    };
    Placement {
        size,
        scale,
        x: (size.w - w * scale) / 2.0,
        y: MARGIN + BAND + HEAD,
    }
}

/// The scale a drawing of `w` × `h` prints at.
pub fn print_scale(w: f32, h: f32) -> f32 {
    placement(w, h).scale
}

/// The diagram pages of `map`, split as the paper needs.
pub fn pages(map: &crate::routemap::RouteMap, fonts: &FontSet) -> Vec<DiagramPage> {
    let measure = |t: &str, size: f32, bold: bool| fonts.width(t, size, bold);
    diagram::pages(map, &measure, MAX_NODES, &print_scale, MIN_SCALE)
}

/// The whole map on one canvas, oriented as paper would orient it (the app's live diagram and
/// `taiwa route-map svg`); None when the map has no node yet.
pub fn canvas(map: &crate::routemap::RouteMap, fonts: &FontSet) -> Option<DiagramPage> {
    let measure = |t: &str, size: f32, bold: bool| fonts.width(t, size, bold);
    diagram::pages(map, &measure, usize::MAX, &print_scale, 0.0)
        .into_iter()
        .next()
}

pub struct Heading<'a> {
    pub number: usize,
    pub lang: Lang,
    /// The "as of" date as printed (empty when not given).
    pub as_of: &'a str,
    pub total_steps: usize,
    /// The map drawn: the names and conditions in full for the figure's words (the drawing
    /// holds them wrapped and shortened).
    pub map: Option<&'a crate::routemap::RouteMap>,
}

/// Draws every diagram page, each on a new page of its own size.
pub fn render(c: &mut Composer, pages: &[DiagramPage], head: &Heading<'_>) {
    for (i, page) in pages.iter().enumerate() {
        let place = placement(page.width, page.height);
        c.new_page_sized(place.size);
        heading(c, head, page, i, pages.len());
        // The drawing and its legend are one figure, read as the route in words.
        let figure = c.tags.open(Role::Figure);
        c.tags.set_alt(figure, alt_text(page, head.map, head.lang));
        let opened = c.begin_content();
        draw(c, page, &place);
        legend(c, head.lang);
        c.end_marked(opened);
        c.tags.close(figure);
    }
}

/// The route of a diagram page in words, step by step in order: where from, where to, and when,
/// from the map's own names and conditions (the boxes hold them wrapped, the labels shortened).
pub fn alt_text(page: &DiagramPage, map: Option<&crate::routemap::RouteMap>, lang: Lang) -> String {
    let name = |id: &str| {
        map.and_then(|m| m.nodes.iter().find(|n| n.id == id))
            .map(|n| n.name.clone())
            .or_else(|| {
                page.boxes
                    .iter()
                    .find(|b| b.node_id == id)
                    .map(|b| b.lines.join(" "))
            })
            .unwrap_or_else(|| id.to_string())
    };
    let condition_of = |a: &crate::routemap::diagram::Arrow| {
        map.and_then(|m| m.steps.iter().find(|s| s.no == a.step_no))
            .map_or_else(|| a.condition.join(" "), |s| s.condition.trim().to_string())
    };
    let mut arrows: Vec<_> = page.arrows.iter().collect();
    arrows.sort_by_key(|a| a.step_no);
    let steps: Vec<String> = arrows
        .iter()
        .map(|a| {
            let (no, from, to) = (a.step_no, name(&a.from), name(&a.to));
            let condition = condition_of(a);
            let step = match lang {
                Lang::Ja => format!("ステップ{no}: {from}から{to}へ"),
                Lang::En => format!("Step {no}: from {from} to {to}"),
            };
            match (lang, condition.is_empty()) {
                (_, true) => step,
                (Lang::Ja, false) => format!("{step}(条件: {condition})"),
                (Lang::En, false) => format!("{step} (if: {condition})"),
            }
        })
        .collect();
    match lang {
        Lang::Ja if steps.is_empty() => "経路図(ステップはありません)".to_string(),
        Lang::En if steps.is_empty() => "Route diagram (no steps)".to_string(),
        Lang::Ja => format!("経路図。{}。", steps.join("。")),
        Lang::En => format!("Route diagram. {}.", steps.join(". ")),
    }
}

fn heading(c: &mut Composer, head: &Heading<'_>, page: &DiagramPage, i: usize, n: usize) {
    let top = MARGIN + BAND;
    let title = match head.lang {
        Lang::Ja => format!("{}. 経路図", head.number),
        Lang::En => format!("{}. Route diagram", head.number),
    };
    let title = if n > 1 {
        match head.lang {
            Lang::Ja => format!(
                "{title}({}/{n}: ステップ {}–{}、全 {} ステップ)",
                i + 1,
                page.first_step,
                page.last_step,
                head.total_steps
            ),
            Lang::En => format!(
                "{title} ({}/{n}: steps {}–{} of {})",
                i + 1,
                page.first_step,
                page.last_step,
                head.total_steps
            ),
        }
    } else {
        title
    };
    c.rect(MARGIN, top, 3.5, 15.0, Some(0.15), None);
    // The section's heading on its first page; on the next ones a line that says which part of
    // the route the page draws.
    let role = if i == 0 { Role::H2 } else { Role::P };
    let el = c.tags.open(role);
    c.text(MARGIN + 8.0, top + 11.5, &title, 11.0, true, 0.0);
    c.tags.close(el);
    if i == 0 {
        let page_no = c.page;
        c.tags.bookmark(title.clone(), page_no, top);
    }
    let as_of = if head.as_of.is_empty() {
        "—"
    } else {
        head.as_of
    };
    let reminder = match head.lang {
        Lang::Ja => format!(
            "情報の確認日: {as_of}。連絡先・受付時間・利用条件は変わることがあります。相談の前に各機関へ確認してください。"
        ),
        Lang::En => format!(
            "Information checked on {as_of}. Contacts, opening hours and eligibility change: confirm them with each agency before you go."
        ),
    };
    let p = c.tags.open(Role::P);
    // Two lines at most fit above the drawing; the English reminder needs them on portrait pages.
    let fonts = c.fonts;
    let width = c.size.w - 2.0 * MARGIN - 8.0;
    let lines =
        crate::text::linebreak::wrap(&reminder, width, &|t: &str| fonts.width(t, 8.0, false));
    for (i, line) in lines.iter().take(2).enumerate() {
        c.text(
            MARGIN + 8.0,
            top + 28.0 + i as f32 * 10.0,
            line,
            8.0,
            false,
            0.25,
        );
    }
    c.tags.close(p);
}

fn draw(c: &mut Composer, page: &DiagramPage, p: &Placement) {
    let s = p.scale;
    let fonts = c.fonts;
    for a in &page.arrows {
        let pts: Vec<(f32, f32)> = a.points.iter().map(|&q| p.at(q)).collect();
        if a.conditional {
            let dash: Vec<f32> = DASH.iter().map(|d| d * s).collect();
            c.dashed_line(&pts, LINE_WIDTH * s, 0.0, &dash);
        } else {
            c.line(&pts, LINE_WIDTH * s, 0.0);
        }
        if let Some(head) = geometry::arrowhead(&a.points) {
            let head: Vec<(f32, f32)> = head.iter().map(|&q| p.at(q)).collect();
            c.polygon(&head, 0.0);
        }
        let (cx, cy, r) = geometry::badge(&a.label);
        let (cx, cy) = p.at((cx, cy));
        c.circle(cx, cy, r * s, 0.8 * s);
        let num = a.step_no.to_string();
        let w = fonts.width(&num, BADGE_SIZE * s, true);
        let (_, base) = p.at((0.0, geometry::badge_baseline(&a.label)));
        c.text(cx - w / 2.0, base, &num, BADGE_SIZE * s, true, 0.0);
        for (i, line) in a.condition.iter().enumerate() {
            let (x, y) = p.at(geometry::condition_at(&a.label, i, page.direction));
            c.text(x, y, line, COND_SIZE * s, false, 0.2);
        }
    }
    for b in &page.boxes {
        let (x, y) = p.at((b.rect.x, b.rect.y));
        c.rect(
            x,
            y,
            b.rect.w * s,
            b.rect.h * s,
            Some(b.style.fill()),
            Some(b.style.border() * s),
        );
        for (i, line) in b.lines.iter().enumerate() {
            let w = fonts.width(line, NAME_SIZE * s, true);
            let (_, base) = p.at((0.0, geometry::name_baseline(&b.rect, i)));
            c.text(
                x + (b.rect.w * s - w) / 2.0,
                base,
                line,
                NAME_SIZE * s,
                true,
                0.0,
            );
        }
    }
}

fn legend(c: &mut Composer, lang: Lang) {
    let top = c.size.h - MARGIN - BAND - LEGEND + 8.0;
    let size = 7.5;
    let right = c.size.w - MARGIN;
    // Items flow left to right and onto a second row when the page is too narrow for them (the
    // English words are longer): each item is placed where it fits whole.
    let mut at = (MARGIN, top);
    let mut place = |w: f32| {
        if at.0 > MARGIN && at.0 + w > right {
            at = (MARGIN, at.1 + 13.0);
        }
        let here = at;
        at.0 += w + 14.0;
        here
    };
    for style in BoxStyle::ALL {
        let label = style.label(lang);
        let (x, top) = place(20.0 + c.width(label, size, false));
        c.rect(
            x,
            top,
            16.0,
            10.0,
            Some(style.fill()),
            Some(style.border() * 0.7),
        );
        c.text(x + 20.0, top + 8.0, label, size, false, 0.0);
    }
    let order = match lang {
        Lang::Ja => "相談の順番(詳しくは経路の表)",
        Lang::En => "Order of the steps (see the table of steps)",
    };
    let (x, top) = place(16.0 + c.width(order, size, false));
    let (cx, cy) = (x + 6.0, top + 5.0);
    c.circle(cx, cy, 6.0, 0.7);
    let w = c.width("1", 6.5, true);
    c.text(cx - w / 2.0, cy + 2.3, "1", 6.5, true, 0.0);
    c.text(x + 16.0, top + 8.0, order, size, false, 0.0);
    let cond = match lang {
        Lang::Ja => "条件付きのステップ",
        Lang::En => "Step that applies under a condition",
    };
    let (x, top) = place(26.0 + c.width(cond, size, false));
    c.dashed_line(&[(x, top + 5.0), (x + 22.0, top + 5.0)], 0.9, 0.0, &DASH);
    c.text(x + 26.0, top + 8.0, cond, size, false, 0.0);
}
