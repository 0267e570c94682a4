//! Print-ready A4 PDFs of any record, with the record itself attached so the file can be imported
//! back. Layout is our own (compose.rs, form.rs) over printpdf ops; fonts are bundled and subset.

mod archive;
mod attach;
mod compose;
pub mod diagram;
mod disclosure_log;
mod embed;
mod form;
pub mod preview;
pub mod structure;
pub mod text;

pub use attach::{ATTACHMENT_NAME, Attachments, extract_record, pages_digest, read_attachments};
pub use disclosure_log::{DisclosureLogScope, disclosure_log};
pub use preview::{DisclosurePreview, ExportPreview, disclosure_preview, preview};
pub use text::Era;

use crate::i18n::{Lang, Text, UserError};
use crate::record::Record;
use crate::routemap;
use crate::template::{Field, FieldType, Template};
use crate::text::fonts::FontSet;
use compose::Composer;
use printpdf::{Mm, PdfDocument, PdfPage, Pt};
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("{}", crate::text::fonts::FontLoadError)]
    FontLoad,
    #[error("{path}: {}", crate::text::fonts::missing_glyph_text(*ch).en)]
    MissingGlyph { path: String, ch: char },
    #[error("unknown part {part:?}; this form has: {known}")]
    UnknownPart { part: String, known: String },
    #[error("could not write the PDF: {0}")]
    Write(String),
    #[error(transparent)]
    RouteMap(#[from] crate::routemap::RouteMapError),
    #[error("not a readable PDF: {0}")]
    NotAPdf(String),
    #[error(
        "this PDF has no Taiwa record attached (record.json); only PDFs exported by Taiwa can be imported"
    )]
    NoAttachment,
}

impl From<crate::text::fonts::FontLoadError> for PdfError {
    fn from(_: crate::text::fonts::FontLoadError) -> Self {
        PdfError::FontLoad
    }
}

impl UserError for PdfError {
    fn code(&self) -> &'static str {
        match self {
            PdfError::FontLoad => crate::text::fonts::FontLoadError.code(),
            PdfError::MissingGlyph { .. } => "pdf.missing_glyph",
            PdfError::UnknownPart { .. } => "pdf.unknown_part",
            PdfError::Write(_) => "pdf.write",
            PdfError::NotAPdf(_) => "pdf.not_a_pdf",
            PdfError::RouteMap(e) => e.code(),
            PdfError::NoAttachment => "pdf.no_attachment",
        }
    }

    fn message(&self) -> Text {
        let ja = match self {
            PdfError::FontLoad => return crate::text::fonts::FontLoadError.message(),
            PdfError::MissingGlyph { path, ch } => {
                format!("{path}: {}", crate::text::fonts::missing_glyph_text(*ch).ja)
            }
            PdfError::UnknownPart { part, known } => format!("部「{part}」はありません(あるもの: {known})"),
            PdfError::Write(e) => format!("PDF を作成できません: {e}"),
            PdfError::NotAPdf(e) => format!("PDF として読めません: {e}"),
            PdfError::RouteMap(e) => return e.message(),
            PdfError::NoAttachment => {
                "この PDF には Taiwa の記録(record.json)が添付されていません。Taiwa で出力した PDF だけを取り込めます".to_string()
            }
        };
        Text {
            ja,
            en: self.to_string(),
        }
    }
}

/// The stored revision a PDF is made from (shown in every footer).
#[derive(Debug, Clone)]
pub struct RevisionRef {
    pub seq: i64,
    pub sha256: String,
    /// The final revision this one corrects (a document revised after it was final), printed
    /// beside the revision so a reader knows which 版 the paper replaces.
    pub replaces: Option<i64>,
}

/// A copy made for a named recipient (minimal disclosure, consent::plan): the recipient and the
/// consents are printed under the title, and every withheld field is marked as withheld.
#[derive(Debug, Clone, Default)]
pub struct RecipientCopy {
    pub recipient: String,
    pub consents: Vec<crate::ids::ConsentId>,
    /// Field keys (and `field.sub` paths) withheld.
    pub withheld: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub lang: Lang,
    pub era: Era,
    /// Only these parts (work-consideration "a".."d"); sections without a part always print.
    pub parts: Option<Vec<String>>,
    /// None for a record that is not in the store ("未保存" in the footer).
    pub revision: Option<RevisionRef>,
    pub created: chrono::DateTime<chrono::Utc>,
    pub author: String,
    /// Some: a redacted copy for this recipient (the record given is already redacted).
    pub recipient: Option<RecipientCopy>,
    /// What the file is in the employer ↔ clinician round trip (its envelope).
    pub exchange: ExchangeOptions,
    /// A 見本 (sample) of the form made from its built-in fictional record: every page says so, in
    /// its header and across the page, so that no one takes it for a person's record.
    pub sample: bool,
}

/// The exchange envelope's own entries (the hashes are computed when the file is written).
#[derive(Debug, Clone, Default)]
pub struct ExchangeOptions {
    pub kind: crate::exchange::Kind,
    /// The stored document the file is made from, named in the envelope even when the attached
    /// record carries no id (a part alone, a recipient's copy). Default: the record's id.
    pub document_id: Option<uuid::Uuid>,
    /// An answer: the file received.
    pub answers: Option<crate::exchange::Answers>,
}

impl ExportOptions {
    pub fn new(lang: Lang) -> ExportOptions {
        ExportOptions {
            lang,
            era: Era::Seireki,
            parts: None,
            revision: None,
            created: chrono::Utc::now(),
            author: String::new(),
            recipient: None,
            exchange: ExchangeOptions::default(),
            sample: false,
        }
    }

    /// Whether this field is withheld from the recipient of this copy.
    pub(crate) fn withheld(&self, key: &str) -> bool {
        self.recipient
            .as_ref()
            .is_some_and(|r| r.withheld.iter().any(|w| w == key))
    }

    fn unsaved_label(&self) -> &'static str {
        match (self.sample, self.lang) {
            (true, Lang::Ja) => "見本",
            (true, Lang::En) => "sample",
            (false, Lang::Ja) => "未保存",
            (false, Lang::En) => "not saved",
        }
    }
}

/// The record as it goes into the PDF: only the fields of the sections printed.
pub fn record_for_parts(record: &Record, template: &Template, parts: Option<&[String]>) -> Record {
    let Some(parts) = parts else {
        return record.clone();
    };
    let mut out = record.clone();
    let keep: Vec<&str> = template
        .sections
        .iter()
        .filter(|s| s.part.as_ref().is_none_or(|p| parts.contains(p)))
        .flat_map(|s| s.fields.iter().map(|f| f.key.as_str()))
        .collect();
    out.fields.retain(|k, _| keep.contains(&k.as_str()));
    out
}

pub(crate) fn check_parts(template: &Template, parts: Option<&[String]>) -> Result<(), PdfError> {
    let known: Vec<&str> = template
        .sections
        .iter()
        .filter_map(|s| s.part.as_deref())
        .collect();
    for p in parts.unwrap_or_default() {
        if !known.contains(&p.as_str()) {
            let known = if known.is_empty() {
                "-".to_string()
            } else {
                known.join(", ")
            };
            return Err(PdfError::UnknownPart {
                part: p.clone(),
                known,
            });
        }
    }
    Ok(())
}

/// Every character that will be printed must be in a bundled font: checked before any layout, so
/// a missing glyph is an error naming the field, never a silent box.
fn check_coverage(
    fonts: &FontSet,
    record: &Record,
    template: &Template,
    lang: Lang,
    recipient: Option<&String>,
) -> Result<(), PdfError> {
    let missing = crate::record::first_unprintable(fonts, record, template, lang).or_else(|| {
        let ch = fonts.first_missing(recipient?)?;
        Some(("recipient".to_string(), ch))
    });
    match missing {
        Some((path, ch)) => Err(PdfError::MissingGlyph { path, ch }),
        None => Ok(()),
    }
}

pub(crate) fn has_sensitive_value(
    fields: &[Field],
    values: &serde_json::Map<String, Value>,
) -> bool {
    fields.iter().any(|f| {
        let Some(v) = values.get(&f.key).filter(|v| !v.is_null()) else {
            return false;
        };
        if f.sensitive {
            return true;
        }
        match (f.kind, v) {
            (FieldType::Group, Value::Array(rows)) => rows
                .iter()
                .filter_map(Value::as_object)
                .any(|r| has_sensitive_value(&f.fields, r)),
            (_, Value::Object(o)) => has_sensitive_value(&f.fields, o),
            _ => false,
        }
    })
}

/// Renders `record` as an A4 PDF with the record attached as `record.json`. Pure: what the record
/// may hold (consent, parts, the route map's consent, the id) was decided by `gate`; this draws
/// it. Only the sections of `opts.parts` are drawn and attached.
pub fn export(
    record: &Record,
    template: &Template,
    opts: &ExportOptions,
) -> Result<Vec<u8>, PdfError> {
    check_parts(template, opts.parts.as_deref())?;
    let fonts = FontSet::get()?;
    let record = record_for_parts(record, template, opts.parts.as_deref());
    check_coverage(
        fonts,
        &record,
        template,
        opts.lang,
        opts.recipient.as_ref().map(|r| &r.recipient),
    )?;

    let agencies = crate::template::Registry::try_builtin()
        .ok()
        .map(|r| &r.agencies);
    let (diagram, as_of, map) = match (template.id == routemap::TEMPLATE_ID, agencies) {
        (true, Some(agencies)) => {
            let map = routemap::RouteMap::from_record(&record, agencies);
            let as_of = match (template.field("as_of"), record.fields.get("as_of")) {
                (Some(f), Some(v)) if !v.is_null() => text::value(f, v, opts.lang, opts.era),
                _ => String::new(),
            };
            (diagram::pages(&map, fonts), as_of, Some(map))
        }
        _ => (Vec::new(), String::new(), None),
    };

    let title = template.title.get(opts.lang).to_string();
    let mut doc = PdfDocument::new(&title);
    let mut composer = Composer::new(fonts);
    if opts.lang == Lang::En {
        composer.cjk_lang = Some("ja-JP");
    }
    let mut form = form::Form::new(&mut composer, &record, template, opts);
    let sections = form.sections();
    let sensitive = sections
        .iter()
        .any(|s| has_sensitive_value(&s.fields, &record.fields));
    form.render(&diagram, &as_of, map.as_ref());
    let pages = composer.take_pages();
    let pages = form::decorate(&mut composer, pages, &record, template, opts, sensitive);
    let heights: Vec<f32> = pages.iter().map(|p| p.size.h).collect();
    doc.with_pages(
        pages
            .into_iter()
            .map(|p| PdfPage::new(Mm::from(Pt(p.size.w)), Mm::from(Pt(p.size.h)), p.ops))
            .collect(),
    );

    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&compose::save_options(), &mut warnings);
    composer.subsets.write(&mut lo, fonts)?;
    let page_ids: Vec<lopdf::ObjectId> = lo.get_pages().into_values().collect();
    composer.tags.write(&mut lo, &page_ids, &heights)?;
    let subject = match opts.lang {
        Lang::Ja => format!("{}(Taiwa 交換形式の記録を添付)", template.title.ja),
        Lang::En => format!("{} (Taiwa record attached)", template.title.en),
    };
    let info = attach::Info {
        title: match record.id {
            Some(id) => format!("{title} {id}"),
            None => title,
        },
        author: opts.author.clone(),
        subject,
        lang: match opts.lang {
            Lang::Ja => "ja-JP",
            Lang::En => "en",
        },
        date: opts.created.format("D:%Y%m%d%H%M%SZ").to_string(),
    };
    // Whether the attached record keeps its id is the gate's decision (gate::plan): the renderer
    // attaches the record it is given.
    let attached = &record;
    let kind = opts.exchange.kind;
    let mut envelope = crate::exchange::Envelope::new(kind, template);
    envelope.document_id = opts.exchange.document_id.or(record.id);
    envelope.revision = opts
        .revision
        .as_ref()
        .map(|r| crate::exchange::RevisionStamp {
            seq: r.seq,
            sha256: r.sha256.clone(),
        });
    envelope.parts = opts.parts.clone();
    envelope.answers = opts.exchange.answers.clone();
    envelope.created_at = opts
        .created
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let json = attached.to_pretty_json();
    attach::finish(
        lo,
        Some(attach::Attached {
            record_json: json.as_bytes(),
            envelope: Some(envelope),
        }),
        &info,
    )
}
