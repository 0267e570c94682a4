//! The route map's diagram: node boxes with their names wrapped inside, steps as numbered arrows
//! with their conditions as labels, laid out by `layout` and split into pages of at most
//! `max_nodes` boxes, each page a run of consecutive steps. Both renderers (PDF and SVG) draw a
//! `DiagramPage` as it is, so the paper and the screen show the same picture.

use super::layout::{self, Direction, EdgeSpec, Rect, Size, Spacing};
use super::{MapNode, RouteMap};
use crate::template::AgencyKind;
use crate::text::linebreak::wrap;
use serde::Serialize;

/// Sizes in points (1/72 inch), as printed at scale 1.
pub const NAME_SIZE: f32 = 9.0;
pub const NAME_LINE: f32 = 12.0;
pub const BOX_W: f32 = 116.0;
pub const BOX_PAD: f32 = 6.0;
pub const COND_SIZE: f32 = 7.0;
pub const COND_LINE: f32 = 8.8;
pub const COND_W: f32 = 92.0;
/// Lines of a condition shown on the arrow; the rest is in the steps table.
pub const COND_MAX_LINES: usize = 3;
pub const BADGE: f32 = 14.0;
pub const BADGE_SIZE: f32 = 7.5;

const SPACING: Spacing = Spacing {
    node_gap: 18.0,
    edge_gap: 9.0,
    rank_gap: 14.0,
};

/// How a box is drawn (fill and border), by the kind of agency in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoxStyle {
    Person,
    Medical,
    Workplace,
    Support,
}

impl BoxStyle {
    pub fn of(kind: Option<AgencyKind>) -> BoxStyle {
        match kind {
            Some(AgencyKind::Person) => BoxStyle::Person,
            Some(AgencyKind::Medical) => BoxStyle::Medical,
            Some(AgencyKind::Workplace) => BoxStyle::Workplace,
            _ => BoxStyle::Support,
        }
    }

    /// Grey fill level (1 = white) and border width, shared by both renderers.
    pub fn fill(self) -> f32 {
        match self {
            BoxStyle::Person => 1.0,
            BoxStyle::Medical => 0.93,
            BoxStyle::Workplace => 0.84,
            BoxStyle::Support => 1.0,
        }
    }

    pub fn border(self) -> f32 {
        match self {
            BoxStyle::Person => 1.8,
            _ => 0.7,
        }
    }

    pub const ALL: [BoxStyle; 4] = [
        BoxStyle::Person,
        BoxStyle::Medical,
        BoxStyle::Workplace,
        BoxStyle::Support,
    ];

    pub fn label(self, lang: crate::Lang) -> &'static str {
        match (self, lang) {
            (BoxStyle::Person, crate::Lang::Ja) => "本人",
            (BoxStyle::Medical, crate::Lang::Ja) => "医療",
            (BoxStyle::Workplace, crate::Lang::Ja) => "職場",
            (BoxStyle::Support, crate::Lang::Ja) => "支援機関・行政など",
            (BoxStyle::Person, crate::Lang::En) => "The person",
            (BoxStyle::Medical, crate::Lang::En) => "Medical",
            (BoxStyle::Workplace, crate::Lang::En) => "Workplace",
            (BoxStyle::Support, crate::Lang::En) => "Support agencies, public offices",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeBox {
    pub node_id: String,
    pub style: BoxStyle,
    /// The name, wrapped to the box.
    pub lines: Vec<String>,
    pub rect: Rect,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arrow {
    pub step_no: i64,
    pub from: String,
    pub to: String,
    /// From the `from` box to the `to` box; the arrowhead goes at the last point.
    pub points: Vec<(f32, f32)>,
    /// The label: a numbered badge at its top left, the condition's lines beside it.
    pub label: Rect,
    pub condition: Vec<String>,
    /// Whether the step only applies under a condition (drawn dashed).
    pub conditional: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiagramPage {
    pub direction: Direction,
    /// The first and last step numbers drawn on this page.
    pub first_step: i64,
    pub last_step: i64,
    pub width: f32,
    pub height: f32,
    pub boxes: Vec<NodeBox>,
    pub arrows: Vec<Arrow>,
}

/// A text measurer: width of `text` at `size` points, bold or not.
pub type Measure<'a> = &'a dyn Fn(&str, f32, bool) -> f32;

/// Splits the map into pages: steps are taken in order while a page holds at most `max_nodes`
/// boxes; each page is laid out top-down and left-to-right and keeps the one `scale` (the
/// renderer's print scale for w × h) prints larger; a page whose scale is below `min_scale` is
/// halved until it is not (a single step always goes on a page of its own).
pub fn pages(
    map: &RouteMap,
    measure: Measure,
    max_nodes: usize,
    scale: &dyn Fn(f32, f32) -> f32,
    min_scale: f32,
) -> Vec<DiagramPage> {
    let best = |steps: &[usize], nodes: &[&MapNode]| {
        let down = page(map, steps, nodes, measure, Direction::TopDown);
        let right = page(map, steps, nodes, measure, Direction::LeftRight);
        if scale(right.width, right.height) > scale(down.width, down.height) {
            right
        } else {
            down
        }
    };
    if map.steps.is_empty() {
        // A map with nodes but no steps yet still shows its boxes.
        let page = best(&[], &map.nodes.iter().collect::<Vec<_>>());
        return if page.boxes.is_empty() {
            Vec::new()
        } else {
            vec![page]
        };
    }
    let mut chunks: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for s in 0..map.steps.len() {
        let mut trial = current.clone();
        trial.push(s);
        if !current.is_empty() && nodes_of(map, &trial).len() > max_nodes {
            chunks.push(std::mem::take(&mut current));
            trial = vec![s];
        }
        current = trial;
    }
    chunks.push(current);

    let mut out = Vec::new();
    let mut queue: std::collections::VecDeque<Vec<usize>> = chunks.into();
    while let Some(chunk) = queue.pop_front() {
        let nodes = nodes_of(map, &chunk);
        let p = best(&chunk, &nodes);
        if chunk.len() > 1 && scale(p.width, p.height) < min_scale {
            let (a, b) = chunk.split_at(chunk.len() / 2);
            queue.push_front(b.to_vec());
            queue.push_front(a.to_vec());
            continue;
        }
        out.push(p);
    }
    out
}

/// The nodes the steps touch, in the order they first appear.
fn nodes_of<'m>(map: &'m RouteMap, steps: &[usize]) -> Vec<&'m MapNode> {
    let mut out: Vec<&MapNode> = Vec::new();
    for &s in steps {
        let step = &map.steps[s];
        for id in [&step.from, &step.to] {
            if let Some(n) = map.node(id)
                && !out.iter().any(|o| o.id == n.id)
            {
                out.push(n);
            }
        }
    }
    out
}

fn page(
    map: &RouteMap,
    steps: &[usize],
    nodes: &[&MapNode],
    measure: Measure,
    direction: Direction,
) -> DiagramPage {
    let index = |id: &str| nodes.iter().position(|n| n.id == id);
    let name_lines: Vec<Vec<String>> = nodes
        .iter()
        .map(|n| {
            let name = if n.name.trim().is_empty() {
                &n.id
            } else {
                &n.name
            };
            wrap(name, BOX_W - 2.0 * BOX_PAD, &|t| {
                measure(t, NAME_SIZE, true)
            })
        })
        .collect();
    let sizes: Vec<Size> = name_lines
        .iter()
        .map(|lines| Size {
            w: BOX_W,
            h: 2.0 * BOX_PAD + lines.len().max(1) as f32 * NAME_LINE,
        })
        .collect();
    let mut specs = Vec::new();
    let mut conditions = Vec::new();
    let mut drawn = Vec::new();
    for &s in steps {
        let step = &map.steps[s];
        let (Some(from), Some(to)) = (index(&step.from), index(&step.to)) else {
            continue;
        };
        let condition = condition_lines(&step.condition, measure);
        let text_w = condition
            .iter()
            .map(|l| measure(l, COND_SIZE, false))
            .fold(0.0, f32::max);
        let label = label_size(direction, condition.len(), text_w);
        specs.push(EdgeSpec {
            from,
            to,
            label,
            line_x: BADGE / 2.0,
        });
        conditions.push(condition);
        drawn.push(s);
    }
    let l = layout::layout(&sizes, &specs, &SPACING, direction);
    let boxes = nodes
        .iter()
        .zip(name_lines)
        .zip(&l.nodes)
        .map(|((n, lines), rect)| NodeBox {
            node_id: n.id.clone(),
            style: BoxStyle::of(n.kind),
            lines,
            rect: *rect,
        })
        .collect();
    let arrows = drawn
        .iter()
        .zip(conditions)
        .zip(&l.edges)
        .map(|((&s, condition), e)| {
            let step = &map.steps[s];
            Arrow {
                step_no: step.no,
                from: step.from.clone(),
                to: step.to.clone(),
                points: e.points.clone(),
                label: e.label,
                conditional: !step.condition.trim().is_empty(),
                condition,
            }
        })
        .collect::<Vec<_>>();
    DiagramPage {
        direction,
        first_step: arrows.first().map_or(0, |a: &Arrow| a.step_no),
        last_step: arrows.last().map_or(0, |a: &Arrow| a.step_no),
        width: l.width,
        height: l.height,
        boxes,
        arrows,
    }
}

/// A label: the numbered badge at its top left, on the edge's line; the condition beside the badge
/// (top-down, the line runs down the badge's column) or under it (left-to-right, the line runs
/// along the badge's row).
fn label_size(direction: Direction, lines: usize, text_w: f32) -> Size {
    let text_h = lines as f32 * COND_LINE + 2.0;
    match (direction, lines) {
        (_, 0) => Size { w: BADGE, h: BADGE },
        (Direction::TopDown, _) => Size {
            w: BADGE + 3.0 + text_w.ceil(),
            h: BADGE.max(text_h),
        },
        (Direction::LeftRight, _) => Size {
            w: BADGE.max(text_w.ceil() + 1.0),
            h: BADGE + text_h,
        },
    }
}

fn condition_lines(condition: &str, measure: Measure) -> Vec<String> {
    let condition = condition.trim();
    if condition.is_empty() {
        return Vec::new();
    }
    let mut lines = wrap(condition, COND_W, &|t| measure(t, COND_SIZE, false));
    if lines.len() > COND_MAX_LINES {
        lines.truncate(COND_MAX_LINES);
        let last = lines.last_mut().map(std::mem::take).unwrap_or_default();
        let mut s: Vec<char> = last.chars().collect();
        while !s.is_empty()
            && measure(
                &format!("{}…", s.iter().collect::<String>()),
                COND_SIZE,
                false,
            ) > COND_W
        {
            s.pop();
        }
        if let Some(l) = lines.last_mut() {
            *l = format!("{}…", s.iter().collect::<String>());
        }
    }
    lines
}

impl DiagramPage {
    /// The layout's promises checked on the page as drawn (see `layout::Layout::problems`), plus
    /// every step of the page drawn once between the right boxes.
    pub fn problems(&self) -> Vec<String> {
        let index = |id: &str| self.boxes.iter().position(|b| b.node_id == id);
        let mut specs = Vec::new();
        for a in &self.arrows {
            match (index(&a.from), index(&a.to)) {
                (Some(from), Some(to)) => specs.push(EdgeSpec {
                    from,
                    to,
                    label: Size {
                        w: a.label.w,
                        h: a.label.h,
                    },
                    line_x: BADGE / 2.0,
                }),
                _ => return vec![format!("step {} has no box at one end", a.step_no)],
            }
        }
        let l = layout::Layout {
            width: self.width,
            height: self.height,
            nodes: self.boxes.iter().map(|b| b.rect).collect(),
            edges: self
                .arrows
                .iter()
                .map(|a| layout::EdgeLayout {
                    points: a.points.clone(),
                    label: a.label,
                    reversed: false,
                })
                .collect(),
        };
        l.problems(&specs)
    }
}

/// Shared drawing geometry, so the PDF and the SVG put every mark in the same place.
pub mod geometry {
    use super::*;

    /// Baseline of the `i`-th name line of a box (centred horizontally on the box).
    pub fn name_baseline(rect: &Rect, i: usize) -> f32 {
        rect.y + BOX_PAD + i as f32 * NAME_LINE + NAME_SIZE * 0.95
    }

    /// Centre and radius of a step's numbered badge.
    pub fn badge(label: &Rect) -> (f32, f32, f32) {
        (label.x + BADGE / 2.0, label.y + BADGE / 2.0, BADGE / 2.0)
    }

    /// Baseline of the badge's number (centred on the badge).
    pub fn badge_baseline(label: &Rect) -> f32 {
        label.y + BADGE / 2.0 + BADGE_SIZE * 0.36
    }

    /// Left end and baseline of the `i`-th condition line (see `label_size`).
    pub fn condition_at(label: &Rect, i: usize, direction: Direction) -> (f32, f32) {
        let line = 1.0 + COND_SIZE * 0.95 + i as f32 * COND_LINE;
        match direction {
            Direction::TopDown => (label.x + BADGE + 3.0, label.y + line),
            Direction::LeftRight => (label.x, label.y + BADGE + line),
        }
    }

    /// The filled arrowhead at the end of a polyline: tip, then the two back corners.
    pub fn arrowhead(points: &[(f32, f32)]) -> Option<[(f32, f32); 3]> {
        let n = points.len();
        if n < 2 {
            return None;
        }
        let (tip, from) = (points[n - 1], points[n - 2]);
        let (dx, dy) = (tip.0 - from.0, tip.1 - from.1);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1e-3 {
            return None;
        }
        let (ux, uy) = (dx / len, dy / len);
        let (l, hw) = (7.0f32.min(len), 3.2);
        let base = (tip.0 - ux * l, tip.1 - uy * l);
        Some([
            tip,
            (base.0 - uy * hw, base.1 + ux * hw),
            (base.0 + uy * hw, base.1 - ux * hw),
        ])
    }

    /// Dash pattern of a conditional step's line.
    pub const DASH: [f32; 2] = [3.5, 2.5];
    pub const LINE_WIDTH: f32 = 0.9;
}
