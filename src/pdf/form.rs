//! Lays a record out as a paper form from its template: title block, numbered sections,
//! label/value boxes, every option of a choice with the chosen ones ticked, groups as tables whose
//! header repeats on each page, long texts that flow across pages, header and footer on every page.

use super::ExportOptions;
use super::compose::{CONTENT_BOTTOM, CONTENT_TOP, CONTENT_W, Composer, MARGIN, Page, PageSize};
use super::structure::{Artifact, Role, Scope};
use super::text::{self, value};
use crate::i18n::Lang;
use crate::record::{DocStatus, Record};
use crate::routemap::{self, diagram::DiagramPage};
use crate::template::{Field, FieldType, Section, Template};
use crate::text::linebreak::wrap;
use serde_json::Value;

const BODY: f32 = 9.0;
const SMALL: f32 = 7.5;
const LABEL: f32 = 8.0;
const LH: f32 = 1.45;
const PAD: f32 = 3.0;
const LABEL_W: f32 = CONTENT_W * 0.27;
const LABEL_FILL: f32 = 0.92;

pub struct Form<'r, 'c> {
    pub c: &'c mut Composer,
    pub record: &'r Record,
    pub template: &'r Template,
    pub opts: &'r ExportOptions,
    /// The table the section's label/value rows go into, while one is open: consecutive rows are
    /// one table to a screen reader, not one table each.
    kv: Option<usize>,
}

fn lh(size: f32) -> f32 {
    size * LH
}

/// The language tag of the other language (the title's second line).
fn lang_tag(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => "ja-JP",
        Lang::En => "en",
    }
}

impl<'r, 'c> Form<'r, 'c> {
    pub fn new(
        c: &'c mut Composer,
        record: &'r Record,
        template: &'r Template,
        opts: &'r ExportOptions,
    ) -> Self {
        Form {
            c,
            record,
            template,
            opts,
            kv: None,
        }
    }

    fn lang(&self) -> Lang {
        self.opts.lang
    }

    /// A row of the section's label/value table (opened when the row before was something else):
    /// the row, its header cell (scoped to the row) and its value cell.
    fn kv_row(&mut self) -> (usize, usize, usize) {
        if self.kv.is_none() {
            self.kv = Some(self.c.tags.open(Role::Table));
        }
        let tr = self.c.tags.open(Role::TR);
        let th = self.c.tags.add(tr, Role::TH);
        self.c.tags.set_scope(th, Scope::Row);
        let td = self.c.tags.add(tr, Role::TD);
        (tr, th, td)
    }

    /// Ends the label/value table before anything that is not a row of it.
    fn end_kv(&mut self) {
        if let Some(t) = self.kv.take() {
            self.c.tags.close(t);
        }
    }

    /// The state of a drawn check box, in words, for its list label's /ActualText.
    fn checked_words(&self, checked: bool) -> &'static str {
        match (self.lang(), checked) {
            (Lang::Ja, true) => "選択",
            (Lang::Ja, false) => "未選択",
            (Lang::En, true) => "selected",
            (Lang::En, false) => "not selected",
        }
    }

    /// A drawn check box as the label of list item `li`, read out as its state.
    fn checkbox_label(&mut self, li: usize, x: f32, top: f32, size: f32, checked: bool) {
        let lbl = self.c.tags.add(li, Role::Lbl);
        let words = self.checked_words(checked);
        self.c.tags.set_actual_text(lbl, words);
        self.c.tags.set_target(lbl);
        let opened = self.c.begin_content();
        self.c.checkbox(x, top, size, checked);
        self.c.end_marked(opened);
    }

    fn wrap(&self, s: &str, width: f32, size: f32, bold: bool) -> Vec<String> {
        let fonts = self.c.fonts;
        wrap(s, width, &|t: &str| fonts.width(t, size, bold))
    }

    pub fn sections(&self) -> Vec<&'r Section> {
        let template: &'r Template = self.template;
        template
            .sections
            .iter()
            .filter(|s| match (&self.opts.parts, &s.part) {
                (Some(parts), Some(p)) => parts.contains(p),
                _ => true,
            })
            .collect()
    }

    /// The whole form; a route map's `diagram` pages go after its first section, and its steps
    /// before its nodes (the route first, then the directory).
    pub fn render(
        &mut self,
        diagram: &[DiagramPage],
        as_of: &str,
        map: Option<&routemap::RouteMap>,
    ) {
        self.title_block();
        let mut sections: Vec<&'r Section> = self.sections();
        if self.template.id == routemap::TEMPLATE_ID {
            let at = |key: &str, s: &[&Section]| s.iter().position(|x| x.key == key);
            if let (Some(n), Some(st)) = (
                at(routemap::NODES_SECTION, &sections),
                at(routemap::STEPS_SECTION, &sections),
            ) && n < st
            {
                let steps = sections.remove(st);
                sections.insert(n, steps);
            }
        }
        let mut number = 1;
        let mut part: Option<&str> = None;
        for (i, s) in sections.into_iter().enumerate() {
            // Each part of a form starts on a page of its own: the doctor reads and signs Part B
            // (and the occupational physician Part C) on pages that hold nothing of the others.
            if let Some(p) = s.part.as_deref() {
                if i > 0 && part != Some(p) && self.c.y > CONTENT_TOP {
                    self.c.new_page();
                }
                part = Some(p);
            }
            self.section(number, s);
            number += 1;
            if i == 0 && !diagram.is_empty() {
                let head = super::diagram::Heading {
                    number,
                    lang: self.lang(),
                    as_of,
                    total_steps: diagram.iter().map(|p| p.arrows.len()).sum(),
                    map,
                };
                let sect = self.c.tags.open(Role::Sect);
                super::diagram::render(self.c, diagram, &head);
                self.c.tags.close(sect);
                self.c.new_page_sized(PageSize::PORTRAIT);
                number += 1;
            }
        }
    }

    fn title_block(&mut self) {
        let lang = self.lang();
        let title = self.template.title.get(lang).to_string();
        let other = match lang {
            Lang::Ja => self.template.title.en.clone(),
            Lang::En => self.template.title.ja.clone(),
        };
        let y = self.c.y;
        let h1 = self.c.tags.open(Role::H1);
        self.c.text(MARGIN, y + 16.0, &title, 16.0, true, 0.0);
        self.c.tags.close(h1);
        let p = self.c.tags.open(Role::P);
        self.c.tags.set_lang(
            p,
            lang_tag(match lang {
                Lang::Ja => Lang::En,
                Lang::En => Lang::Ja,
            }),
        );
        self.c.text(MARGIN, y + 29.0, &other, SMALL, false, 0.35);
        self.c.tags.close(p);
        self.c.y += 36.0;
        let (id_label, rev_label, status_label, date_label) = match lang {
            Lang::Ja => ("文書番号", "版", "状態", "出力日"),
            Lang::En => ("Document ID", "Revision", "Status", "Printed"),
        };
        let status = match (self.record.status, lang) {
            _ if self.opts.sample => match lang {
                Lang::Ja => "見本",
                Lang::En => "sample",
            },
            (DocStatus::Draft, Lang::Ja) => "下書き",
            (DocStatus::Final, Lang::Ja) => "確定",
            (DocStatus::Superseded, Lang::Ja) => "旧版",
            (s, Lang::En) => s.as_str(),
        };
        let id = self
            .record
            .id
            .map_or_else(|| self.opts.unsaved_label().to_string(), |i| i.to_string());
        let rev = self.opts.revision.as_ref().map_or_else(
            || self.opts.unsaved_label().to_string(),
            |r| {
                let short = r.sha256.get(..12).unwrap_or(&r.sha256);
                match (r.replaces, lang) {
                    (Some(old), Lang::Ja) => format!("r{} ({short}) ・ 版{old}の修正版", r.seq),
                    (Some(old), Lang::En) => format!("r{} ({short}), corrects r{old}", r.seq),
                    (None, _) => format!("r{} ({short})", r.seq),
                }
            },
        );
        let printed = text::date(
            &self.opts.created.format("%Y-%m-%d").to_string(),
            lang,
            self.opts.era,
        );
        let cells = [
            (id_label, id),
            (rev_label, rev),
            (status_label, status.to_string()),
            (date_label, printed),
        ];
        let widths = [0.42, 0.26, 0.14, 0.18];
        let h = lh(BODY) * 2.0 + PAD;
        let mut x = MARGIN;
        let top = self.c.y;
        // To a screen reader, four rows of label and value.
        let table = self.c.tags.open(Role::Table);
        for ((label, v), w) in cells.iter().zip(widths) {
            let w = CONTENT_W * w;
            let tr = self.c.tags.open(Role::TR);
            let th = self.c.tags.open(Role::TH);
            self.c.tags.set_scope(th, Scope::Row);
            self.c.rect(x, top, w, h, None, Some(0.5));
            self.c
                .text(x + PAD, top + SMALL + 2.0, label, SMALL, false, 0.35);
            self.c.tags.close(th);
            self.c.tags.open(Role::TD);
            let size = if self.c.width(v, BODY, false) > w - 2.0 * PAD {
                SMALL
            } else {
                BODY
            };
            self.c
                .text(x + PAD, top + h - PAD - 1.5, v, size, false, 0.0);
            self.c.tags.close(tr);
            x += w;
        }
        self.c.tags.close(table);
        self.c.y += h;
        let opts: &'r ExportOptions = self.opts;
        if let Some(copy) = &opts.recipient {
            self.recipient_line(copy);
        }
        self.c.y += 10.0;
    }

    /// Who this copy is for, on which consents, and that withheld fields are marked.
    fn recipient_line(&mut self, copy: &super::RecipientCopy) {
        let lang = self.lang();
        let ids = copy
            .consents
            .iter()
            .map(|c| c.to_string()[..8].to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let (to, note) = match lang {
            Lang::Ja => (
                format!("提供先: {} ・ 同意: {ids}", copy.recipient),
                "本人の同意の範囲で作成した提供用の写しです。範囲外の要配慮個人情報は「省略」と表示しています。",
            ),
            Lang::En => (
                format!("For: {} · consent: {ids}", copy.recipient),
                "A copy made within the person's consent; sensitive fields outside it are marked withheld.",
            ),
        };
        let mut lines = self.wrap(&to, CONTENT_W - 2.0 * PAD, BODY, true);
        let bold = lines.len();
        lines.extend(self.wrap(note, CONTENT_W - 2.0 * PAD, SMALL, false));
        let h = lines.len() as f32 * lh(BODY) + PAD;
        let top = self.c.y;
        let p = self.c.tags.open(Role::P);
        self.c
            .rect(MARGIN, top, CONTENT_W, h, Some(0.95), Some(0.5));
        let mut y = top + PAD;
        for (i, line) in lines.iter().enumerate() {
            y += lh(BODY);
            let (size, is_bold) = if i < bold {
                (BODY, true)
            } else {
                (SMALL, false)
            };
            self.c.text(MARGIN + PAD, y - 3.0, line, size, is_bold, 0.0);
        }
        self.c.tags.close(p);
        self.c.y += h;
    }

    fn withheld_label(&self) -> &'static str {
        match self.lang() {
            Lang::Ja => "【省略】この提供先には提供しない項目です",
            Lang::En => "[withheld] not provided to this recipient",
        }
    }

    fn section(&mut self, n: usize, s: &Section) {
        let lang = self.lang();
        // Keep a heading with the start of what follows it.
        self.c.ensure(60.0);
        let top = self.c.y;
        let sect = self.c.tags.open(Role::Sect);
        self.c.rect(MARGIN, top, 3.5, 15.0, Some(0.15), None);
        let heading = format!("{n}. {}", s.title.get(lang));
        let h2 = self.c.tags.open(Role::H2);
        self.c
            .text(MARGIN + 8.0, top + 11.5, &heading, 11.0, true, 0.0);
        self.c.tags.close(h2);
        let page = self.c.page;
        self.c.tags.bookmark(heading.clone(), page, top);
        self.c.line(
            &[(MARGIN, top + 16.5), (MARGIN + CONTENT_W, top + 16.5)],
            0.4,
            0.6,
        );
        self.c.y += 21.0;
        for f in &s.fields {
            // The other variant's fields (Part B's other 意見書) are not on this paper.
            if !crate::record::field_shown(self.record, self.template, f) {
                continue;
            }
            if f.auto.is_some() {
                self.auto_field(f);
                continue;
            }
            if self.opts.withheld(&f.key) {
                let label = f.label.get(self.lang()).to_string();
                let text = self.withheld_label().to_string();
                self.kv_lines(&label, &[text]);
                continue;
            }
            let v = self.record.fields.get(&f.key).filter(|v| !v.is_null());
            self.field(f, v);
        }
        self.end_kv();
        self.c.tags.close(sect);
        self.c.y += 6.0;
    }

    fn auto_field(&mut self, f: &Field) {
        let text = match f.auto {
            Some(crate::template::model::Auto::Revision) => {
                self.opts.revision.as_ref().map_or_else(
                    || self.opts.unsaved_label().to_string(),
                    |r| r.seq.to_string(),
                )
            }
            _ => self
                .record
                .id
                .map_or_else(|| self.opts.unsaved_label().to_string(), |i| i.to_string()),
        };
        let label = f.label.get(self.lang()).to_string();
        self.kv_lines(&label, &[text]);
    }

    fn field(&mut self, f: &Field, v: Option<&Value>) {
        let lang = self.lang();
        let era = self.opts.era;
        let label = f.label.get(lang).to_string();
        if matches!(
            f.kind,
            FieldType::LongText | FieldType::Group | FieldType::Checkbox | FieldType::Notice
        ) {
            self.end_kv();
        }
        match f.kind {
            FieldType::LongText => self.long_text(f, v.and_then(Value::as_str).unwrap_or_default()),
            FieldType::Group => {
                let rows = v
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                self.table(f, rows);
            }
            FieldType::Choice | FieldType::Multi => {
                let chosen: Vec<&str> = match v {
                    Some(Value::String(s)) => vec![s.as_str()],
                    Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                };
                self.options(&label, f, &chosen);
            }
            FieldType::Checkbox => {
                let checked = v.and_then(Value::as_bool) == Some(true);
                self.tick_row(&label, checked);
            }
            FieldType::Notice => {
                let t = f
                    .text
                    .as_ref()
                    .map(|t| t.get(lang).to_string())
                    .unwrap_or_default();
                self.notice(&t);
            }
            FieldType::Signature => self.signature(&label, v),
            _ => {
                let text = v.map(|v| value(f, v, lang, era)).unwrap_or_default();
                let lines: Vec<String> = if text.is_empty() {
                    vec![String::new()]
                } else {
                    vec![text]
                };
                self.kv_lines(&label, &lines);
            }
        }
    }

    /// A label cell and a value cell; the value wraps inside its cell, and a value taller than the
    /// rest of the page continues on the next one under the label marked (続き).
    fn kv_lines(&mut self, label: &str, paragraphs: &[String]) {
        let value_w = CONTENT_W - LABEL_W - 2.0 * PAD;
        let label_lines = self.wrap(label, LABEL_W - 2.0 * PAD, LABEL, false);
        let mut lines = Vec::new();
        for p in paragraphs {
            lines.extend(self.wrap(p, value_w, BODY, false));
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        let cont_label = match self.lang() {
            Lang::Ja => format!("{label}(続き)"),
            Lang::En => format!("{label} (continued)"),
        };
        let cont_lines = self.wrap(&cont_label, LABEL_W - 2.0 * PAD, LABEL, false);
        let min_h = lh(BODY) + 2.0 * PAD + 2.0;
        let (tr, th, td) = self.kv_row();
        let mut done = 0;
        while done < lines.len() {
            let first = done == 0;
            let cells = (first.then_some(th), td);
            let labels = if first { &label_lines } else { &cont_lines };
            let label_h = labels.len() as f32 * lh(LABEL) + 2.0 * PAD;
            let remaining = lines.len() - done;
            let need = label_h
                .max(remaining as f32 * lh(BODY) + 2.0 * PAD)
                .max(min_h);
            let room = CONTENT_BOTTOM - self.c.y;
            let at_top = self.c.y <= CONTENT_TOP;
            if need <= room {
                let labels = labels.clone();
                self.kv_slice(&labels, &lines[done..], need, cells);
                break;
            }
            if !at_top
                && (need <= CONTENT_BOTTOM - CONTENT_TOP || room < label_h.max(3.0 * lh(BODY)))
            {
                self.c.new_page();
                continue;
            }
            let fits = (((room - 2.0 * PAD) / lh(BODY)).floor() as usize).clamp(1, remaining);
            let h = label_h.max(fits as f32 * lh(BODY) + 2.0 * PAD);
            let labels = labels.clone();
            self.kv_slice(&labels, &lines[done..done + fits], h, cells);
            done += fits;
            if done < lines.len() {
                self.c.new_page();
            }
        }
        self.c.tags.close(tr);
    }

    /// The grey label cell with its lines and the empty value cell beside it, `h` points tall. The
    /// lines are the header cell `th`'s text; without one (a label repeated on a continuation
    /// page) they are a header artifact.
    fn label_frame(&mut self, top: f32, h: f32, label_lines: &[String], th: Option<usize>) {
        self.c
            .rect(MARGIN, top, LABEL_W, h, Some(LABEL_FILL), Some(0.4));
        self.c.rect(
            MARGIN + LABEL_W,
            top,
            CONTENT_W - LABEL_W,
            h,
            None,
            Some(0.4),
        );
        let opened = match th {
            Some(th) => {
                self.c.tags.set_target(th);
                false
            }
            None => self.c.begin_artifact(Artifact::Header),
        };
        for (i, l) in label_lines.iter().enumerate() {
            self.c.text(
                MARGIN + PAD,
                top + PAD + LABEL + i as f32 * lh(LABEL),
                l,
                LABEL,
                false,
                0.15,
            );
        }
        self.c.end_marked(opened);
    }

    /// One page's slice of a label/value row: `cells` are its header cell (None on a
    /// continuation) and its value cell.
    fn kv_slice(
        &mut self,
        label_lines: &[String],
        lines: &[String],
        h: f32,
        cells: (Option<usize>, usize),
    ) {
        let top = self.c.y;
        self.label_frame(top, h, label_lines, cells.0);
        self.c.tags.set_target(cells.1);
        for (i, l) in lines.iter().enumerate() {
            self.c.text(
                MARGIN + LABEL_W + PAD,
                top + PAD + BODY + i as f32 * lh(BODY),
                l,
                BODY,
                false,
                0.0,
            );
        }
        self.c.y += h;
    }

    /// Every option with a drawn box, the chosen ones ticked, flowing inside the value cell.
    fn options(&mut self, label: &str, f: &Field, chosen: &[&str]) {
        let lang = self.lang();
        let value_x = MARGIN + LABEL_W + PAD;
        let value_w = CONTENT_W - LABEL_W - 2.0 * PAD;
        let box_size = 7.0;
        let line_h = lh(BODY) + 1.0;
        // Lay out first: (x offset, first line, text lines, checked); None = a group heading.
        let mut items: Vec<(f32, usize, Vec<String>, Option<bool>)> = Vec::new();
        let (mut x, mut line) = (0.0f32, 0usize);
        let mut last_group: Option<&str> = None;
        for o in &f.options {
            if let Some(g) = o.group.as_deref()
                && last_group != Some(g)
            {
                if x > 0.0 {
                    line += 1;
                    x = 0.0;
                }
                let heading = f
                    .option_groups
                    .iter()
                    .find(|og| og.key == g)
                    .map_or(g.to_string(), |og| format!("【{}】", og.label.get(lang)));
                let w = self.c.width(&heading, LABEL, true);
                items.push((x, line, vec![heading], None));
                x += w + 4.0;
                last_group = Some(g);
            }
            let text = o.label.get(lang).to_string();
            let indent = if last_group.is_some() { 12.0 } else { 0.0 };
            let w = box_size + 2.5 + self.c.width(&text, BODY, false) + 9.0;
            let checked = Some(chosen.contains(&o.key.as_str()));
            if x > 0.0 && x + w > value_w {
                line += 1;
                x = indent;
            }
            if x + w > value_w {
                // Longer than a whole line: the label wraps beside its box.
                let lines = self.wrap(&text, value_w - x - box_size - 2.5, BODY, false);
                let n = lines.len();
                items.push((x, line, lines, checked));
                line += n;
                x = 0.0;
                continue;
            }
            items.push((x, line, vec![text], checked));
            x += w;
        }
        if x == 0.0 && line > 0 {
            line -= 1;
        }
        let label_lines = self.wrap(label, LABEL_W - 2.0 * PAD, LABEL, false);
        let h = ((line + 1) as f32 * line_h).max(label_lines.len() as f32 * lh(LABEL)) + 2.0 * PAD;
        self.c.ensure(h);
        let top = self.c.y;
        let (tr, th, td) = self.kv_row();
        self.label_frame(top, h, &label_lines, Some(th));
        // A list of the options, each read as its state and its text; a group's heading is an
        // item of its own.
        let list = self.c.tags.add(td, Role::L);
        for (ix, iline, texts, checked) in items {
            let baseline = top + PAD + BODY + iline as f32 * line_h;
            let li = self.c.tags.add(list, Role::LI);
            match checked {
                None => {
                    let body = self.c.tags.add(li, Role::LBody);
                    self.c.tags.set_target(body);
                    self.c
                        .text(value_x + ix, baseline, &texts.concat(), LABEL, true, 0.25)
                }
                Some(checked) => {
                    self.checkbox_label(
                        li,
                        value_x + ix,
                        baseline - box_size + 0.5,
                        box_size,
                        checked,
                    );
                    let body = self.c.tags.add(li, Role::LBody);
                    self.c.tags.set_target(body);
                    for (k, t) in texts.iter().enumerate() {
                        let y = baseline + k as f32 * line_h;
                        self.c
                            .text(value_x + ix + box_size + 2.5, y, t, BODY, checked, 0.0);
                    }
                }
            }
        }
        self.c.tags.close(tr);
        self.c.y += h;
    }

    fn tick_row(&mut self, label: &str, checked: bool) {
        let label_lines = self.wrap(label, CONTENT_W - 20.0, BODY, false);
        let h = label_lines.len() as f32 * lh(BODY) + 2.0 * PAD;
        self.c.ensure(h);
        let top = self.c.y;
        self.c.rect(MARGIN, top, CONTENT_W, h, None, Some(0.4));
        let list = self.c.tags.open(Role::L);
        let li = self.c.tags.add(list, Role::LI);
        self.checkbox_label(li, MARGIN + PAD + 1.0, top + PAD + 2.0, 7.0, checked);
        let body = self.c.tags.add(li, Role::LBody);
        self.c.tags.set_target(body);
        for (i, l) in label_lines.iter().enumerate() {
            self.c.text(
                MARGIN + 16.0,
                top + PAD + BODY + i as f32 * lh(BODY),
                l,
                BODY,
                false,
                0.0,
            );
        }
        self.c.tags.close(list);
        self.c.y += h;
    }

    fn notice(&mut self, t: &str) {
        let lines = self.wrap(t, CONTENT_W - 4.0 * PAD, LABEL, false);
        let h = lines.len() as f32 * lh(LABEL) + 2.0 * PAD + 2.0;
        self.c.ensure(h);
        let top = self.c.y;
        let p = self.c.tags.open(Role::P);
        self.c
            .rect(MARGIN, top, CONTENT_W, h, Some(0.96), Some(0.8));
        for (i, l) in lines.iter().enumerate() {
            self.c.text(
                MARGIN + 2.0 * PAD,
                top + PAD + 1.0 + LABEL + i as f32 * lh(LABEL),
                l,
                LABEL,
                false,
                0.1,
            );
        }
        self.c.tags.close(p);
        self.c.y += h + 2.0;
    }

    /// Name on a line, the date, and the confirmation box: filled in, or blank to sign by hand.
    fn signature(&mut self, label: &str, v: Option<&Value>) {
        let lang = self.lang();
        let get = |k: &str| v.and_then(|v| v.get(k));
        let name = get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let date = get("date")
            .and_then(Value::as_str)
            .map(|d| text::date(d, lang, self.opts.era))
            .unwrap_or_default();
        let confirmed = get("confirmed").and_then(Value::as_bool) == Some(true);
        let (name_l, date_l, conf_l) = match lang {
            Lang::Ja => ("氏名", "日付", "内容を確認しました"),
            Lang::En => ("Name", "Date", "Confirmed"),
        };
        let label_lines = self.wrap(label, LABEL_W - 2.0 * PAD, LABEL, false);
        let h = (label_lines.len() as f32 * lh(LABEL) + 2.0 * PAD).max(30.0);
        self.c.ensure(h);
        let top = self.c.y;
        let (tr, th, td) = self.kv_row();
        self.label_frame(top, h, &label_lines, Some(th));
        self.c.tags.set_target(td);
        let x = MARGIN + LABEL_W + PAD;
        let base = top + h - 9.0;
        let vw = CONTENT_W - LABEL_W;
        self.c.text(x, base, name_l, SMALL, false, 0.35);
        // A long name shrinks to its line rather than running into the date.
        let name_room = vw * 0.45 - 24.0 - PAD;
        let mut size = BODY + 1.0;
        while size > 5.0 && self.c.width(&name, size, false) > name_room {
            size -= 0.5;
        }
        self.c.text(x + 24.0, base - 1.0, &name, size, false, 0.0);
        self.write_in_line(
            td,
            name.is_empty(),
            name_l,
            &[(x + 22.0, base + 2.5), (x + vw * 0.45, base + 2.5)],
        );
        let dx = x + vw * 0.48;
        self.c.tags.set_target(td);
        self.c.text(dx, base, date_l, SMALL, false, 0.35);
        self.c.text(dx + 22.0, base - 1.0, &date, BODY, false, 0.0);
        self.write_in_line(
            td,
            date.is_empty(),
            date_l,
            &[(dx + 20.0, base + 2.5), (dx + vw * 0.26, base + 2.5)],
        );
        let cx = x + vw * 0.75;
        let list = self.c.tags.add(td, Role::L);
        let li = self.c.tags.add(list, Role::LI);
        self.checkbox_label(li, cx, base - 7.0, 7.0, confirmed);
        let body = self.c.tags.add(li, Role::LBody);
        self.c.tags.set_target(body);
        self.c.text(cx + 10.0, base, conf_l, SMALL, false, 0.2);
        self.c.tags.close(tr);
        self.c.y += h;
    }

    /// The line a name or date is written on. Blank, it is where the paper is signed by hand, and
    /// a screen reader hears it as that (a Figure with its words); written on, it only underlines.
    fn write_in_line(&mut self, cell: usize, blank: bool, what: &str, points: &[(f32, f32)]) {
        if !blank {
            self.c.line(points, 0.5, 0.2);
            return;
        }
        let figure = self.c.tags.add(cell, Role::Figure);
        let alt = match self.lang() {
            Lang::Ja => format!("{what}の記入欄(手書きで記入)"),
            Lang::En => format!("{what}: a line to write on by hand"),
        };
        self.c.tags.set_alt(figure, alt);
        self.c.tags.set_target(figure);
        let opened = self.c.begin_content();
        self.c.line(points, 0.5, 0.2);
        self.c.end_marked(opened);
        self.c.tags.set_target(cell);
    }

    /// A long text under its own label bar; flows across pages line by line.
    fn long_text(&mut self, f: &Field, s: &str) {
        let label = f.label.get(self.lang()).to_string();
        let width = CONTENT_W - 2.0 * PAD;
        let mut lines = if s.trim().is_empty() {
            Vec::new()
        } else {
            self.wrap(s, width, BODY, false)
        };
        if lines.is_empty() {
            let blank = f.pdf.as_ref().and_then(|p| p.lines).unwrap_or(2).max(1);
            lines = vec![String::new(); blank as usize];
        }
        // A label longer than the line (English labels are) wraps inside its bar.
        let cont_label = match self.lang() {
            Lang::Ja => format!("{label}(続き)"),
            Lang::En => format!("{label} (continued)"),
        };
        let label_lines = self.wrap(&label, width, LABEL, false);
        let cont_lines = self.wrap(&cont_label, width, LABEL, false);
        let bar_h = |n: usize| n.max(1) as f32 * lh(LABEL) + 2.0;
        self.c
            .ensure(bar_h(label_lines.len()) + lh(BODY) * 2.0 + 2.0 * PAD);
        // The label is the text's heading; repeated on a continuation page, a header artifact.
        let bar = |this: &mut Self, cont: bool| {
            let top = this.c.y;
            let lines = if cont { &cont_lines } else { &label_lines };
            let h = bar_h(lines.len());
            this.c
                .rect(MARGIN, top, CONTENT_W, h, Some(LABEL_FILL), Some(0.4));
            let opened = if cont {
                this.c.begin_artifact(Artifact::Header)
            } else {
                false
            };
            for (i, line) in lines.iter().enumerate() {
                let base = top + LABEL + 1.5 + i as f32 * lh(LABEL);
                this.c.text(MARGIN + PAD, base, line, LABEL, false, 0.15);
            }
            this.c.end_marked(opened);
            this.c.y += h;
            this.c.y
        };
        let h3 = self.c.tags.open(Role::H3);
        let mut box_top = bar(self, false);
        self.c.tags.close(h3);
        let p = self.c.tags.open(Role::P);
        self.c.y += PAD;
        for l in &lines {
            if self.c.y + lh(BODY) > CONTENT_BOTTOM {
                self.c.rect(
                    MARGIN,
                    box_top,
                    CONTENT_W,
                    self.c.y - box_top + PAD,
                    None,
                    Some(0.4),
                );
                self.c.new_page();
                box_top = bar(self, true);
                self.c.y += PAD;
            }
            let y = self.c.y;
            self.c.text(MARGIN + PAD, y + BODY, l, BODY, false, 0.0);
            self.c.y += lh(BODY);
        }
        self.c.y += PAD;
        self.c.rect(
            MARGIN,
            box_top,
            CONTENT_W,
            self.c.y - box_top,
            None,
            Some(0.4),
        );
        self.c.tags.close(p);
    }

    fn column_weight(f: &Field) -> f32 {
        match f.kind {
            FieldType::LongText => 3.2,
            FieldType::Consent => 3.4,
            FieldType::Text | FieldType::Multi | FieldType::DateRange | FieldType::Signature => 1.7,
            FieldType::Choice | FieldType::Ref | FieldType::TimeRange | FieldType::Compound => 1.3,
            FieldType::Date => 1.5,
            FieldType::Number | FieldType::Checkbox | FieldType::Time => 0.75,
            _ => 1.0,
        }
    }

    /// A group as a table: header row repeated on every page the table reaches; a row taller than a
    /// page is split between pages.
    fn table(&mut self, f: &Field, rows: &[Value]) {
        let lang = self.lang();
        let era = self.opts.era;
        let cols: Vec<&Field> = f.fields.iter().collect();
        let total: f32 = cols.iter().map(|c| Self::column_weight(c)).sum();
        let widths: Vec<f32> = cols
            .iter()
            .map(|c| CONTENT_W * Self::column_weight(c) / total)
            .collect();
        let title = f.label.get(lang).to_string();
        let header: Vec<Vec<String>> = cols
            .iter()
            .zip(&widths)
            .map(|(c, w)| self.wrap(c.label.get(lang), w - 2.0 * PAD, SMALL, true))
            .collect();
        let header_h =
            header.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh(SMALL) + 2.0 * PAD;
        let title_h = lh(LABEL) + 4.0;
        // Table → Caption, THead (one row of column headers), TBody (a row per entry). On a
        // continuation page the title and the header row are drawn again as header artifacts.
        let table = self.c.tags.open(Role::Table);
        let caption = self.c.tags.add(table, Role::Caption);
        let thead = self.c.tags.add(table, Role::THead);
        let head_row = self.c.tags.add(thead, Role::TR);
        let ths: Vec<usize> = cols
            .iter()
            .map(|_| {
                let th = self.c.tags.add(head_row, Role::TH);
                self.c.tags.set_scope(th, Scope::Column);
                th
            })
            .collect();
        let tbody = self.c.tags.add(table, Role::TBody);

        let draw_header = |this: &mut Self, cont: bool| {
            let opened = if cont {
                this.c.begin_artifact(Artifact::Header)
            } else {
                this.c.tags.set_target(caption);
                false
            };
            let top = this.c.y;
            let text = if cont {
                match lang {
                    Lang::Ja => format!("{title}(続き)"),
                    Lang::En => format!("{title} (continued)"),
                }
            } else {
                title.clone()
            };
            this.c
                .text(MARGIN, top + LABEL + 1.0, &text, LABEL, true, 0.1);
            let top = top + title_h;
            let mut x = MARGIN;
            for ((lines, w), th) in header.iter().zip(&widths).zip(&ths) {
                if !cont {
                    this.c.tags.set_target(*th);
                }
                this.c.rect(x, top, *w, header_h, Some(0.85), Some(0.4));
                for (i, l) in lines.iter().enumerate() {
                    this.c.text(
                        x + PAD,
                        top + PAD + SMALL + i as f32 * lh(SMALL),
                        l,
                        SMALL,
                        true,
                        0.0,
                    );
                }
                x += w;
            }
            this.c.end_marked(opened);
            this.c.y = top + header_h;
        };

        let blank_rows = if rows.is_empty() { 2 } else { 0 };
        let mut cells_per_row: Vec<Vec<Vec<String>>> = rows
            .iter()
            .map(|row| {
                cols.iter()
                    .zip(&widths)
                    .map(|(c, w)| {
                        let text = row
                            .get(&c.key)
                            .map(|v| value(c, v, lang, era))
                            .unwrap_or_default();
                        if text.is_empty() {
                            Vec::new()
                        } else {
                            self.wrap(&text, w - 2.0 * PAD, BODY, false)
                        }
                    })
                    .collect()
            })
            .collect();
        for _ in 0..blank_rows {
            cells_per_row.push(vec![vec![String::new(), String::new()]; cols.len()]);
        }
        let page_room = CONTENT_BOTTOM - CONTENT_TOP - title_h - header_h - 2.0 * PAD;
        // The header never stays alone at a page's foot: it keeps the first row with it when that
        // row fits on a page, else its first two lines.
        let first_lines = cells_per_row
            .first()
            .map_or(1, |c| c.iter().map(Vec::len).max().unwrap_or(0).max(1));
        let first_h = first_lines as f32 * lh(BODY);
        let keep = if first_h <= page_room {
            first_h
        } else {
            lh(BODY) * 2.0
        };
        self.c.ensure(title_h + header_h + keep + 2.0 * PAD + 0.5);
        draw_header(self, false);
        for cells in cells_per_row {
            let tr = self.c.tags.add(tbody, Role::TR);
            let tds: Vec<usize> = cells
                .iter()
                .map(|_| self.c.tags.add(tr, Role::TD))
                .collect();
            let n_lines = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
            let mut done = 0;
            while done < n_lines {
                let remaining = n_lines - done;
                let room = CONTENT_BOTTOM - self.c.y - 2.0 * PAD;
                let fits = (room / lh(BODY)).floor().max(0.0) as usize;
                let whole_fits_fresh = remaining as f32 * lh(BODY) <= page_room;
                if fits == 0 || (fits < remaining && whole_fits_fresh && done == 0) {
                    self.c.new_page();
                    draw_header(self, true);
                    continue;
                }
                let take = remaining.min(fits);
                let h = take as f32 * lh(BODY) + 2.0 * PAD;
                let top = self.c.y;
                let mut x = MARGIN;
                for ((lines, w), td) in cells.iter().zip(&widths).zip(&tds) {
                    self.c.tags.set_target(*td);
                    self.c.rect(x, top, *w, h, None, Some(0.4));
                    for (i, l) in lines.iter().skip(done).take(take).enumerate() {
                        self.c.text(
                            x + PAD,
                            top + PAD + BODY + i as f32 * lh(BODY),
                            l,
                            BODY,
                            false,
                            0.0,
                        );
                    }
                    x += w;
                }
                self.c.y += h;
                done += take;
            }
        }
        self.c.tags.close(table);
        self.c.y += 4.0;
    }
}

/// 見本 / SAMPLE across the middle of a page, in a grey light enough to read the form through.
fn sample_watermark(c: &mut Composer, page_w: f32, page_h: f32) {
    const BIG: f32 = 150.0;
    const SMALLER: f32 = 56.0;
    const LEVEL: f32 = 0.86;
    let ja = "見本";
    let en = "SAMPLE";
    let middle = page_h / 2.0;
    let w = c.width(ja, BIG, true);
    c.text((page_w - w) / 2.0, middle, ja, BIG, true, LEVEL);
    let w = c.width(en, SMALLER, true);
    c.text(
        (page_w - w) / 2.0,
        middle + SMALLER + 12.0,
        en,
        SMALLER,
        true,
        LEVEL,
    );
}

/// Header and footer on every page, once the page count is known.
pub fn decorate(
    c: &mut Composer,
    pages: Vec<Page>,
    record: &Record,
    template: &Template,
    opts: &ExportOptions,
    sensitive: bool,
) -> Vec<Page> {
    let lang = opts.lang;
    let n = pages.len();
    let mut out = Vec::with_capacity(n);
    for (i, page) in pages.into_iter().enumerate() {
        c.size = page.size;
        c.page = i;
        let (page_w, page_h) = (page.size.w, page.size.h);
        c.ops = Vec::new();
        // Under the page's content, so that the watermark never hides a word of the form.
        if opts.sample {
            c.artifact(Artifact::Watermark, |c| sample_watermark(c, page_w, page_h));
        }
        // The header before the content and the footer after it: the stream's order is the
        // reading order.
        let opened = c.begin_artifact(Artifact::Header);
        let top = MARGIN + 9.0;
        let mut title = template.title.get(lang).to_string();
        if opts.sample {
            title = match lang {
                Lang::Ja => format!("【見本】{title}"),
                Lang::En => format!("[SAMPLE] {title}"),
            };
        } else if record.status == DocStatus::Draft {
            title = match lang {
                Lang::Ja => format!("【下書き】{title}"),
                Lang::En => format!("[DRAFT] {title}"),
            };
        }
        c.text(
            MARGIN,
            top,
            &title,
            SMALL,
            opts.sample || record.status == DocStatus::Draft,
            0.3,
        );
        if sensitive {
            let notice = match lang {
                Lang::Ja => "要配慮個人情報を含む(取扱注意)",
                Lang::En => "Contains sensitive personal information (要配慮個人情報)",
            };
            let w = c.width(notice, SMALL, true);
            c.rect(
                page_w - MARGIN - w - 8.0,
                top - 8.5,
                w + 8.0,
                12.0,
                None,
                Some(0.6),
            );
            // On the first page the notice is content, read before the title: a screen reader
            // user learns what kind of paper this is as a sighted reader does.
            let content = i == 0;
            if content {
                c.end_marked(opened);
                let note = c.tags.add_at(0, 0, Role::P);
                c.tags.set_target(note);
            }
            c.text(page_w - MARGIN - w - 4.0, top, notice, SMALL, true, 0.0);
            if content {
                c.begin_artifact(Artifact::Header);
            }
        }
        c.line(
            &[(MARGIN, top + 6.0), (page_w - MARGIN, top + 6.0)],
            0.3,
            0.6,
        );
        c.end_marked(true);
        c.ops.extend(page.ops);
        let opened = c.begin_artifact(Artifact::Footer);
        let foot = page_h - MARGIN - 4.0;
        c.line(
            &[(MARGIN, foot - 11.0), (page_w - MARGIN, foot - 11.0)],
            0.3,
            0.6,
        );
        let id = record
            .id
            .map_or_else(|| opts.unsaved_label().to_string(), |i| i.to_string());
        let rev = opts.revision.as_ref().map_or_else(
            || opts.unsaved_label().to_string(),
            |r| format!("r{} {}", r.seq, r.sha256.get(..8).unwrap_or(&r.sha256)),
        );
        let left = match (opts.sample, lang) {
            // A sample has no id and no revision: the footer says whose record it is instead.
            (true, Lang::Ja) => {
                "見本 ・ 架空の人物による記入例です(実在の人物・団体とは関係ありません)".to_string()
            }
            (true, Lang::En) => {
                "Sample: filled in for a fictional person (no real person or organisation)"
                    .to_string()
            }
            (false, Lang::Ja) => format!("文書ID {id} ・ 版 {rev}"),
            (false, Lang::En) => format!("Document {id} · revision {rev}"),
        };
        c.text(MARGIN, foot, &left, SMALL, false, 0.35);
        let pn = format!("{} / {n}", i + 1);
        let w = c.width(&pn, SMALL, false);
        c.text(page_w - MARGIN - w, foot, &pn, SMALL, false, 0.2);
        c.end_marked(opened);
        out.push(Page {
            ops: c.take_ops(),
            size: page.size,
        });
    }
    out
}
