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
            if !crate::record::field_shown(&record, template, f) {
                continue;
            }
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

/// Whether a printed value goes to the recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Included,
    /// Printed without its sensitive sub-fields (a table's sensitive column, say).
    Partial,
    Withheld,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DisclosureField {
    pub path: String,
    pub label: Text,
    pub sensitive: bool,
    /// As printed in the person's own copy.
    pub value: String,
    /// As printed in the recipient's copy; None when withheld.
    pub sent: Option<String>,
    pub outcome: Outcome,
    pub reason: Text,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DisclosureSection {
    pub key: String,
    pub title: Text,
    pub fields: Vec<DisclosureField>,
}

/// What leaves for one recipient, field by field, and why.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DisclosurePreview {
    pub title: Text,
    pub recipient: String,
    pub consents: Vec<crate::ids::ConsentId>,
    /// Some value that goes is 要配慮個人情報.
    pub sensitive: bool,
    pub sections: Vec<DisclosureSection>,
}

/// The top-level field key of a preview path (`barriers[0]`, `recorder.name` → `barriers`, `recorder`).
fn top_key(path: &str) -> &str {
    path.split(['[', '.']).next().unwrap_or(path)
}

/// Every value `export` would print from the person's record, each marked with whether it goes to
/// the recipient of `plan` (what the redacted record prints) and why (the plan's decision).
pub fn disclosure_preview(
    record: &Record,
    template: &Template,
    opts: &ExportOptions,
    plan: &crate::consent::DisclosurePlan,
) -> Result<DisclosurePreview, PdfError> {
    let full = preview(record, template, opts)?;
    let sent = preview(&plan.record, template, opts)?;
    let sent_fields: Vec<&PreviewField> = sent.sections.iter().flat_map(|s| &s.fields).collect();
    let mut sections = Vec::new();
    for s in full.sections {
        let mut fields = Vec::new();
        for f in s.fields {
            let out = sent_fields.iter().find(|g| g.path == f.path);
            let outcome = match out {
                None => Outcome::Withheld,
                Some(g) if g.value == f.value => Outcome::Included,
                Some(_) => Outcome::Partial,
            };
            let top = top_key(&f.path);
            let decision = match outcome {
                // A field that goes whole is explained by its own decision.
                Outcome::Included => plan.decision(top),
                // Otherwise by the first decision that withheld it or a part of it.
                _ => plan
                    .decisions
                    .iter()
                    .find(|d| {
                        !d.included && (d.path == top || d.path.starts_with(&format!("{top}.")))
                    })
                    .or_else(|| plan.decision(top)),
            };
            let reason = decision.map_or_else(
                || Text::new("様式にない項目のため省きます", "not in the form: withheld"),
                |d| d.reason.text(template),
            );
            fields.push(DisclosureField {
                path: f.path,
                label: f.label,
                sensitive: f.sensitive,
                value: f.value,
                sent: out.map(|g| g.value.clone()),
                outcome,
                reason,
            });
        }
        sections.push(DisclosureSection {
            key: s.key,
            title: s.title,
            fields,
        });
    }
    Ok(DisclosurePreview {
        title: full.title,
        recipient: plan.recipient.clone(),
        consents: plan.consents.clone(),
        sensitive: sent.sensitive,
        sections,
    })
}
