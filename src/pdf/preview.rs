//! What an export will carry, field by field, before anything is written: the app shows this so
//! the person can see exactly what leaves the device, and which of it is 要配慮個人情報.

use super::{ExportOptions, PdfError, check_parts, has_sensitive_value, record_for_parts, text};
use crate::i18n::Text;
use crate::record::Record;
use crate::template::{Field, FieldType, Template};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PreviewField {
    /// `person_name`, `participants[1]`, `recorder.name`.
    pub path: String,
    pub label: Text,
    pub sensitive: bool,
    /// As printed.
    pub value: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PreviewSection {
    pub key: String,
    pub title: Text,
    pub fields: Vec<PreviewField>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PartInfo {
    pub key: String,
    pub title: Text,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ExportPreview {
    pub title: Text,
    /// Some printed value is 要配慮個人情報.
    pub sensitive: bool,
    /// Only sections with a value to print; blank boxes carry nothing.
    pub sections: Vec<PreviewSection>,
    /// The parts this form can be exported by (empty when it has none).
    pub parts: Vec<PartInfo>,
}

/// Whether a printed value shows anything: blank or white-space-only text is no value (as in
/// validation), and the PDF's box for it looks empty.
fn shown(s: &str) -> bool {
    !s.trim().is_empty()
}

fn rows(f: &Field, v: &Value, path: &str, opts: &ExportOptions, out: &mut Vec<PreviewField>) {
    let sub_line = |sub: &Field, v: &Value| text::value(sub, v, opts.lang, opts.era);
    match (f.kind, v) {
        (FieldType::Group, Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let Some(row) = item.as_object() else {
                    continue;
                };
                let cells: Vec<String> = f
                    .fields
                    .iter()
                    .filter_map(|sub| {
                        let s = sub_line(sub, row.get(&sub.key)?);
                        shown(&s).then(|| format!("{}: {s}", sub.label.get(opts.lang)))
                    })
                    .collect();
                if cells.is_empty() {
                    continue;
                }
                out.push(PreviewField {
                    path: format!("{path}[{i}]"),
                    label: Text::new(
                        format!("{} {}", f.label.ja, i + 1),
                        format!("{} {}", f.label.en, i + 1),
                    ),
                    sensitive: f.sensitive || f.fields.iter().any(|s| s.sensitive),
                    value: cells.join(" / "),
                });
            }
        }
        (_, Value::Object(obj)) if !f.fields.is_empty() && f.kind != FieldType::Signature => {
            for sub in &f.fields {
                let Some(v) = obj.get(&sub.key) else { continue };
                let s = sub_line(sub, v);
                if shown(&s) {
                    out.push(PreviewField {
                        path: format!("{path}.{}", sub.key),
                        label: Text::new(
                            format!("{}: {}", f.label.ja, sub.label.ja),
                            format!("{}: {}", f.label.en, sub.label.en),
                        ),
                        sensitive: f.sensitive || sub.sensitive,
                        value: s,
                    });
                }
            }
        }
        _ => {
            let s = text::value(f, v, opts.lang, opts.era);
            if shown(&s) {
                out.push(PreviewField {
                    path: path.to_string(),
                    label: f.label.clone(),
                    sensitive: f.sensitive,
                    value: s,
                });
            }
        }
    }
}

/// The values `export(record, template, opts)` would print, by section.
pub fn preview(
    record: &Record,
    template: &Template,
    opts: &ExportOptions,
) -> Result<ExportPreview, PdfError> {
    check_parts(template, opts.parts.as_deref())?;
    // What export would refuse, the preview refuses first, with the same message.
    super::check_route_map_consent(record, template, opts)?;
    let record = record_for_parts(record, template, opts.parts.as_deref());
    let mut sections = Vec::new();
    let mut sensitive = false;
    for s in &template.sections {
        if let (Some(parts), Some(p)) = (&opts.parts, &s.part)
            && !parts.contains(p)
        {
            continue;
        }
        sensitive |= has_sensitive_value(&s.fields, &record.fields);
        let mut fields = Vec::new();
        for f in &s.fields {
            if let Some(v) = record.fields.get(&f.key) {
                rows(f, v, &f.key, opts, &mut fields);
            }
        }
        if !fields.is_empty() {
            sections.push(PreviewSection {
                key: s.key.clone(),
                title: s.title.clone(),
                fields,
            });
        }
    }
    // A part may span sections: it is named by its first.
    let mut parts: Vec<PartInfo> = Vec::new();
    for s in &template.sections {
        if let Some(p) = &s.part
            && !parts.iter().any(|known| &known.key == p)
        {
            parts.push(PartInfo {
                key: p.clone(),
                title: s.title.clone(),
            });
        }
    }
    Ok(ExportPreview {
        title: template.title.clone(),
        sensitive,
        sections,
        parts,
    })
}
