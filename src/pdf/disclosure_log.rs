//! The disclosure log as paper: 提供記録, one table row per file that left (date, document,
//! revision, recipient, consents, file hash). Keys, ids and hashes only; no record content.

use super::PdfError;
use super::attach;
use super::compose::{CONTENT_BOTTOM, CONTENT_TOP, CONTENT_W, Composer, MARGIN, PAGE_H, PAGE_W};
use super::structure::{Artifact, Role, Scope};
use crate::disclosure::Disclosure;
use crate::i18n::Lang;
use crate::template::Registry;
use crate::text::fonts::FontSet;
use crate::text::linebreak::wrap;
use printpdf::{Mm, PdfDocument, PdfPage};

const BODY: f32 = 7.5;
const HEAD: f32 = 7.5;
const LH: f32 = 1.4;
const PAD: f32 = 2.5;
/// Column widths, as shares of the content width.
const WIDTHS: [f32; 6] = [0.14, 0.2, 0.14, 0.2, 0.12, 0.2];

/// Whose log this is: printed under the title.
#[derive(Debug, Clone)]
pub struct DisclosureLogScope {
    /// The case's display name.
    pub case_name: String,
    /// `文書 <id>` or `ケース <id>`, in the language of the PDF.
    pub scope: String,
    pub lang: Lang,
    pub created: chrono::DateTime<chrono::Utc>,
}

fn short(s: &str, n: usize) -> &str {
    s.get(..n).unwrap_or(s)
}

/// A line with no recipient: why the file was made (lines before schema 8 do not say).
fn own_use(purpose: Option<&str>, lang: Lang) -> String {
    match (purpose, lang) {
        (Some("person_copy"), Lang::Ja) => "(本人控え: 本人に渡す控え)",
        (Some("person_copy"), Lang::En) => "(the person's copy: handed to them)",
        (Some("kept_on_record"), Lang::Ja) => "(記録保管: 記録として保管し、誰にも渡さない)",
        (Some("kept_on_record"), Lang::En) => "(kept on record: handed to no one)",
        (Some("shown"), Lang::Ja) => "(提供先なし: 画面に表示)",
        (Some("shown"), Lang::En) => "(no recipient: shown on screen)",
        (_, Lang::Ja) => "(指定なし: 本人控え・ファイル出力)",
        (_, Lang::En) => "(none: own copy / file)",
    }
    .to_string()
}

fn cells(d: &Disclosure, registry: &Registry, lang: Lang) -> [String; 6] {
    let at = d.created_at.replace('T', " ");
    let at = format!("{} UTC", short(&at, 19));
    if d.kind == "case_deleted" {
        let what = match lang {
            Lang::Ja => "ケースを削除(内容は消去済み)",
            Lang::En => "case deleted (content erased)",
        };
        let dash = || "-".to_string();
        return [at, what.into(), dash(), dash(), dash(), dash()];
    }
    if d.kind == "disclosure_log" {
        let what = match lang {
            Lang::Ja => "この提供記録を PDF で出力",
            Lang::En => "this disclosure log exported as a PDF",
        };
        let dash = || "-".to_string();
        return [
            at,
            what.into(),
            dash(),
            own_use(d.purpose.as_deref(), lang),
            dash(),
            d.file_sha256.clone().unwrap_or_else(dash),
        ];
    }
    // The document is gone with its case: the line keeps no withheld paths (deletion.rs).
    let erased = d.document_id.is_some() && d.template.is_none();
    let form = d
        .template
        .as_deref()
        .and_then(|t| registry.get(t))
        .map(|t| t.title.get(lang).to_string())
        .unwrap_or_default();
    let mut document = format!(
        "{}\n{form}",
        d.document_id.map(|i| i.to_string()).unwrap_or_default()
    );
    if let Some(parts) = &d.parts {
        document.push_str(&match lang {
            Lang::Ja => format!("\n部: {}", parts.join(", ")),
            Lang::En => format!("\nparts: {}", parts.join(", ")),
        });
    }
    let revision = match (d.revision_seq, &d.revision_sha256) {
        (Some(seq), Some(sha)) => format!("r{seq}\n{}", short(sha, 16)),
        (Some(seq), None) => format!("r{seq}"),
        _ => "-".into(),
    };
    let mut recipient = d
        .recipient
        .clone()
        .unwrap_or_else(|| own_use(d.purpose.as_deref(), lang));
    if d.recipient.is_some() && erased {
        recipient.push_str(match lang {
            Lang::Ja => "\n省略した項目: 消去済み",
            Lang::En => "\nfields withheld: erased",
        });
    } else if d.recipient.is_some() {
        recipient.push_str(&match lang {
            Lang::Ja => format!("\n省略した項目: {}", d.withheld.len()),
            Lang::En => format!("\nfields withheld: {}", d.withheld.len()),
        });
    }
    let consents = if d.consents.is_empty() {
        "-".to_string()
    } else {
        d.consents
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    [
        at,
        document,
        revision,
        recipient,
        consents,
        d.file_sha256.clone().unwrap_or_else(|| "-".into()),
    ]
}

/// Renders the log `rows` (oldest first) as an A4 PDF table.
pub fn disclosure_log(
    rows: &[Disclosure],
    registry: &Registry,
    scope: &DisclosureLogScope,
) -> Result<Vec<u8>, PdfError> {
    let fonts = FontSet::get()?;
    let lang = scope.lang;
    let (title, header): (&str, [&str; 6]) = match lang {
        Lang::Ja => (
            "提供記録(第三者提供の記録)",
            ["日時", "文書", "版", "提供先", "同意", "ファイル SHA-256"],
        ),
        Lang::En => (
            "Disclosure log (record of provision to third parties)",
            [
                "Date",
                "Document",
                "Revision",
                "Recipient",
                "Consent",
                "File SHA-256",
            ],
        ),
    };
    let subtitle = match lang {
        Lang::Ja => format!(
            "対象: {} ・ {} ・ 出力 {} UTC ・ {} 件",
            scope.case_name,
            scope.scope,
            scope.created.format("%Y-%m-%d %H:%M"),
            rows.len()
        ),
        Lang::En => format!(
            "For: {} · {} · printed {} UTC · {} entries",
            scope.case_name,
            scope.scope,
            scope.created.format("%Y-%m-%d %H:%M"),
            rows.len()
        ),
    };
    let table: Vec<[String; 6]> = rows.iter().map(|d| cells(d, registry, lang)).collect();
    // Every printed character must be in a bundled font (as for forms): named, never a box.
    let strings = std::iter::once(("case", scope.case_name.as_str())).chain(
        table
            .iter()
            .flat_map(|r| r.iter().map(|c| ("disclosures", c.as_str()))),
    );
    for (path, s) in strings {
        if let Some(ch) = fonts.first_missing(s) {
            return Err(PdfError::MissingGlyph {
                path: path.to_string(),
                ch,
            });
        }
    }

    let mut doc = PdfDocument::new(title);
    let mut c = Composer::new(fonts);
    if lang == Lang::En {
        c.cjk_lang = Some("ja-JP");
    }
    let widths: Vec<f32> = WIDTHS.iter().map(|w| w * CONTENT_W).collect();
    let lh = BODY * LH;
    let wrap_cell =
        |s: &str, w: f32, bold: bool| wrap(s, w - 2.0 * PAD, &|t: &str| fonts.width(t, BODY, bold));

    let h1 = c.tags.open(Role::H1);
    c.text(MARGIN, c.y + 14.0, title, 14.0, true, 0.0);
    c.tags.close(h1);
    c.tags.bookmark(title, 0, c.y);
    c.y += 22.0;
    let p = c.tags.open(Role::P);
    for line in wrap(&subtitle, CONTENT_W, &|t: &str| fonts.width(t, BODY, false)) {
        c.text(MARGIN, c.y + BODY, &line, BODY, false, 0.3);
        c.y += lh;
    }
    c.tags.close(p);
    c.y += 6.0;

    // Table → THead (the column headers) and TBody (a row per file); the header row repeated on
    // the next pages is a header artifact.
    let table_el = c.tags.open(Role::Table);
    let thead = c.tags.add(table_el, Role::THead);
    let head_tr = c.tags.add(thead, Role::TR);
    let ths: Vec<usize> = header
        .iter()
        .map(|_| {
            let th = c.tags.add(head_tr, Role::TH);
            c.tags.set_scope(th, Scope::Column);
            th
        })
        .collect();
    let tbody = c.tags.add(table_el, Role::TBody);
    let header_row = |c: &mut Composer, repeat: bool| {
        let opened = if repeat {
            c.begin_artifact(Artifact::Header)
        } else {
            false
        };
        let cells: Vec<Vec<String>> = header
            .iter()
            .zip(&widths)
            .map(|(h, w)| wrap_cell(h, *w, true))
            .collect();
        let n = cells.iter().map(Vec::len).max().unwrap_or(1);
        let h = n as f32 * HEAD * LH + 2.0 * PAD;
        let mut x = MARGIN;
        for ((lines, w), th) in cells.iter().zip(&widths).zip(&ths) {
            c.tags.set_target(*th);
            c.rect(x, c.y, *w, h, Some(0.9), Some(0.5));
            for (i, l) in lines.iter().enumerate() {
                let y = c.y + PAD + (i as f32 + 1.0) * HEAD * LH - 2.0;
                c.text(x + PAD, y, l, HEAD, true, 0.0);
            }
            x += w;
        }
        c.end_marked(opened);
        c.y += h;
    };
    header_row(&mut c, false);
    // The rows are added under TBody and marked through their cells: nothing more is drawn into
    // the table as the open element.
    c.tags.close(table_el);
    if table.is_empty() {
        let none = match lang {
            Lang::Ja => "提供の記録はありません。",
            Lang::En => "Nothing has been provided.",
        };
        let p = c.tags.open(Role::P);
        c.text(MARGIN + PAD, c.y + lh + PAD, none, BODY, false, 0.0);
        c.tags.close(p);
        c.y += lh + 2.0 * PAD;
    }
    for row in &table {
        let cells: Vec<Vec<String>> = row
            .iter()
            .zip(&widths)
            .map(|(s, w)| wrap_cell(s, *w, false))
            .collect();
        let n = cells.iter().map(Vec::len).max().unwrap_or(1);
        let h = n as f32 * lh + 2.0 * PAD;
        if c.y + h > CONTENT_BOTTOM && c.y > CONTENT_TOP {
            c.new_page();
            header_row(&mut c, true);
        }
        let tr = c.tags.add(tbody, Role::TR);
        let mut x = MARGIN;
        for (lines, w) in cells.iter().zip(&widths) {
            let td = c.tags.add(tr, Role::TD);
            c.tags.set_target(td);
            c.rect(x, c.y, *w, h, None, Some(0.5));
            for (i, l) in lines.iter().enumerate() {
                let y = c.y + PAD + (i as f32 + 1.0) * lh - 2.0;
                c.text(x + PAD, y, l, BODY, false, 0.0);
            }
            x += w;
        }
        c.y += h;
    }
    let pages = c.take_pages();
    let n = pages.len();
    let mut decorated = Vec::with_capacity(n);
    for (i, page) in pages.into_iter().enumerate() {
        c.ops = page.ops;
        c.page = i;
        let opened = c.begin_artifact(Artifact::Footer);
        let foot = PAGE_H - MARGIN - 4.0;
        c.line(
            &[(MARGIN, foot - 11.0), (PAGE_W - MARGIN, foot - 11.0)],
            0.3,
            0.6,
        );
        c.text(MARGIN, foot, title, 6.5, false, 0.35);
        let pn = format!("{} / {n}", i + 1);
        let w = c.width(&pn, 6.5, false);
        c.text(PAGE_W - MARGIN - w, foot, &pn, 6.5, false, 0.2);
        c.end_marked(opened);
        decorated.push(c.take_ops());
    }
    let heights = vec![PAGE_H; n];
    doc.with_pages(
        decorated
            .into_iter()
            .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
            .collect(),
    );
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&super::compose::save_options(), &mut warnings);
    c.subsets.write(&mut lo, fonts)?;
    let page_ids: Vec<lopdf::ObjectId> = lo.get_pages().into_values().collect();
    c.tags.write(&mut lo, &page_ids, &heights)?;
    let info = attach::Info {
        title: title.to_string(),
        author: String::new(),
        subject: scope.scope.clone(),
        lang: match lang {
            Lang::Ja => "ja-JP",
            Lang::En => "en",
        },
        date: scope.created.format("D:%Y%m%d%H%M%SZ").to_string(),
    };
    attach::finish(lo, None, &info)
}
