//! The diagram page as SVG for the app: the same boxes, arrows and labels as the PDF, in points.
//! Every element carries `data-node` / `data-step` so the editor can point at it; the picture is
//! `role="img"` with a text alternative, and the editor's step list is the keyboard equivalent.

use super::diagram::{
    BADGE_SIZE, COND_SIZE, DiagramPage, NAME_SIZE,
    geometry::{self, DASH, LINE_WIDTH},
};
use std::fmt::Write;

const MARGIN: f32 = 8.0;
const FONTS: &str =
    "'BIZ UDGothic','BIZ UDPGothic','Noto Sans CJK JP','Hiragino Sans','Yu Gothic',sans-serif";

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn grey(level: f32) -> String {
    let v = (level.clamp(0.0, 1.0) * 255.0).round() as u8;
    format!("#{v:02x}{v:02x}{v:02x}")
}

fn n(v: f32) -> String {
    // Two decimals are far below a pixel and keep the markup small and stable.
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One diagram page as a standalone SVG document; `title` is its text alternative.
pub fn render(page: &DiagramPage, title: &str) -> String {
    let (w, h) = (page.width + 2.0 * MARGIN, page.height + 2.0 * MARGIN);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="{} {} {} {}" width="{}" height="{}" role="img" aria-label="{}" font-family="{}">"#,
        n(-MARGIN),
        n(-MARGIN),
        n(w),
        n(h),
        n(w),
        n(h),
        esc(title),
        FONTS
    );
    for a in &page.arrows {
        let pts: Vec<String> = a
            .points
            .iter()
            .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
            .collect();
        let dash = if a.conditional {
            format!(r#" stroke-dasharray="{} {}""#, n(DASH[0]), n(DASH[1]))
        } else {
            String::new()
        };
        let _ = write!(
            s,
            r##"<g class="step" data-step="{}"><polyline points="{}" fill="none" stroke="#000" stroke-width="{}"{dash}/>"##,
            a.step_no,
            pts.join(" "),
            n(LINE_WIDTH)
        );
        if let Some(head) = geometry::arrowhead(&a.points) {
            let hp: Vec<String> = head
                .iter()
                .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
                .collect();
            let _ = write!(s, r##"<polygon points="{}" fill="#000"/>"##, hp.join(" "));
        }
        let (cx, cy, r) = geometry::badge(&a.label);
        let _ = write!(
            s,
            r##"<circle cx="{}" cy="{}" r="{}" fill="#fff" stroke="#000" stroke-width="0.8"/><text x="{}" y="{}" font-size="{}" font-weight="bold" text-anchor="middle">{}</text>"##,
            n(cx),
            n(cy),
            n(r),
            n(cx),
            n(geometry::badge_baseline(&a.label)),
            n(BADGE_SIZE),
            a.step_no
        );
        for (i, line) in a.condition.iter().enumerate() {
            let (x, y) = geometry::condition_at(&a.label, i, page.direction);
            let _ = write!(
                s,
                r##"<text x="{}" y="{}" font-size="{}" fill="#333">{}</text>"##,
                n(x),
                n(y),
                n(COND_SIZE),
                esc(line)
            );
        }
        s.push_str("</g>");
    }
    for b in &page.boxes {
        let r = b.rect;
        let _ = write!(
            s,
            r##"<g class="node" data-node="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="{}" stroke="#000" stroke-width="{}"/>"##,
            esc(&b.node_id),
            n(r.x),
            n(r.y),
            n(r.w),
            n(r.h),
            grey(b.style.fill()),
            n(b.style.border())
        );
        for (i, line) in b.lines.iter().enumerate() {
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" font-size="{}" font-weight="bold" text-anchor="middle">{}</text>"#,
                n(r.x + r.w / 2.0),
                n(geometry::name_baseline(&r, i)),
                n(NAME_SIZE),
                esc(line)
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    s
}
