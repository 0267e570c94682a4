//! Minimal disclosure: the record as it may go to one recipient, and why each field goes or not.
//!
//! For each section of the form, the consents that cover it are those (valid, for this recipient)
//! with no sections or naming the section's key or its part. Then, field by field:
//! - a diagnosis field (diagnosis.rs) goes only when a covering consent's recipient kind is one
//!   the record's disclosure field allows;
//! - any other `sensitive` field goes only when some consent covers its section;
//! - a field that is not sensitive always goes, but its `sensitive` sub-fields (a table column, a
//!   compound's part) are removed from every row unless a consent covers the section.
//!
//! Values the form does not define are dropped. Nothing else changes: the record keeps its id,
//! status and every permitted value as stored.

use super::diagnosis::{diagnosis_rule, recipient_kind};
use super::{Consent, normalize_recipient};
use crate::i18n::Text;
use crate::ids::ConsentId;
use crate::record::Record;
use crate::template::{Field, Registry, Template};
use serde::Serialize;
use serde_json::Value;

/// Why a field goes to the recipient or is withheld.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// Not 要配慮個人情報: goes to every recipient.
    NotSensitive,
    /// Sensitive, and these consents cover its section.
    Covered { consents: Vec<ConsentId> },
    /// Sensitive, and no valid consent for this recipient covers its section.
    NotCovered,
    /// A diagnosis whose disclosure field (with this value, if any) does not allow it for the
    /// kinds of recipient the covering consents name (`None`: a role no rule knows).
    DiagnosisNotAllowed {
        disclosure_field: String,
        disclosure: Option<String>,
        kinds: Vec<Option<String>>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FieldDecision {
    /// A field key, or `field.sub` for a sensitive sub-field of a field that is not sensitive.
    pub path: String,
    /// The section's key.
    pub section: String,
    pub sensitive: bool,
    pub included: bool,
    pub reason: Reason,
}

/// What an export to one recipient carries.
#[derive(Debug, Clone, Serialize)]
pub struct DisclosurePlan {
    /// As compared (normalize_recipient).
    pub recipient: String,
    /// Every consent used, in the order given.
    pub consents: Vec<ConsentId>,
    /// One line per field of the form (and per sensitive sub-field of a field that is not).
    pub decisions: Vec<FieldDecision>,
    /// The redacted record: what the PDF prints and carries as record.json.
    pub record: Record,
}

impl DisclosurePlan {
    /// The paths withheld, in form order.
    pub fn withheld(&self) -> Vec<String> {
        self.decisions
            .iter()
            .filter(|d| !d.included)
            .map(|d| d.path.clone())
            .collect()
    }

    /// The paths withheld from the sections printed with `parts` (None: every section).
    pub fn withheld_in(&self, template: &Template, parts: Option<&[String]>) -> Vec<String> {
        let printed = |section: &str| {
            template.sections.iter().any(|s| {
                s.key == section
                    && match (parts, &s.part) {
                        (Some(parts), Some(p)) => parts.contains(p),
                        _ => true,
                    }
            })
        };
        self.decisions
            .iter()
            .filter(|d| !d.included && printed(&d.section))
            .map(|d| d.path.clone())
            .collect()
    }

    pub fn decision(&self, path: &str) -> Option<&FieldDecision> {
        self.decisions.iter().find(|d| d.path == path)
    }
}

/// Removes the values of sensitive sub-fields at any depth (every row of a table, every part of
/// a compound).
fn remove_sensitive(f: &Field, v: &mut Value) {
    let objects: Vec<&mut serde_json::Map<String, Value>> = match v {
        Value::Array(rows) => rows.iter_mut().filter_map(Value::as_object_mut).collect(),
        Value::Object(o) => vec![o],
        _ => Vec::new(),
    };
    for o in objects {
        for sub in &f.fields {
            if sub.sensitive {
                o.remove(&sub.key);
            } else if let Some(sv) = o.get_mut(&sub.key) {
                remove_sensitive(sub, sv);
            }
        }
    }
}

/// `field.sub` paths of the sensitive sub-fields below a field that is not sensitive.
fn sensitive_sub_paths(f: &Field, path: &str, out: &mut Vec<String>) {
    for sub in &f.fields {
        let p = format!("{path}.{}", sub.key);
        if sub.sensitive {
            out.push(p);
        } else {
            sensitive_sub_paths(sub, &p, out);
        }
    }
}

/// The plan for sending `record` to the recipient of `consents` (all valid and for that one
/// recipient: `super::select`). `registry` names the recipient kinds.
pub fn plan(
    record: &Record,
    template: &Template,
    consents: &[&Consent],
    registry: &Registry,
) -> DisclosurePlan {
    let mut out = record.clone();
    out.fields.retain(|k, _| {
        template
            .sections
            .iter()
            .any(|s| s.fields.iter().any(|f| &f.key == k))
    });
    let mut decisions = Vec::new();
    for s in &template.sections {
        let covering: Vec<&Consent> = consents
            .iter()
            .copied()
            .filter(|c| c.covers_section(s))
            .collect();
        let covered: Vec<ConsentId> = covering.iter().map(|c| c.id).collect();
        for f in &s.fields {
            let (included, reason) = if let Some(rule) = diagnosis_rule(&template.id, &f.key) {
                let allowed: Vec<ConsentId> = covering
                    .iter()
                    .filter(|c| {
                        rule.permits(
                            record,
                            recipient_kind(c.role.as_deref(), registry).as_deref(),
                        )
                    })
                    .map(|c| c.id)
                    .collect();
                if covering.is_empty() {
                    (false, Reason::NotCovered)
                } else if allowed.is_empty() {
                    (
                        false,
                        Reason::DiagnosisNotAllowed {
                            disclosure_field: rule.disclosure.to_string(),
                            disclosure: record
                                .fields
                                .get(rule.disclosure)
                                .and_then(Value::as_str)
                                .map(String::from),
                            kinds: covering
                                .iter()
                                .map(|c| recipient_kind(c.role.as_deref(), registry))
                                .collect(),
                        },
                    )
                } else {
                    (true, Reason::Covered { consents: allowed })
                }
            } else if f.sensitive {
                if covering.is_empty() {
                    (false, Reason::NotCovered)
                } else {
                    (
                        true,
                        Reason::Covered {
                            consents: covered.clone(),
                        },
                    )
                }
            } else {
                (true, Reason::NotSensitive)
            };
            if !included {
                out.fields.remove(&f.key);
            }
            decisions.push(FieldDecision {
                path: f.key.clone(),
                section: s.key.clone(),
                sensitive: f.sensitive,
                included,
                reason,
            });
            if included && !f.sensitive {
                let mut subs = Vec::new();
                sensitive_sub_paths(f, &f.key, &mut subs);
                if covered.is_empty()
                    && let Some(v) = out.fields.get_mut(&f.key)
                {
                    remove_sensitive(f, v);
                }
                for path in subs {
                    decisions.push(FieldDecision {
                        path,
                        section: s.key.clone(),
                        sensitive: true,
                        included: !covered.is_empty(),
                        reason: if covered.is_empty() {
                            Reason::NotCovered
                        } else {
                            Reason::Covered {
                                consents: covered.clone(),
                            }
                        },
                    });
                }
            }
        }
    }
    let mut used: Vec<ConsentId> = Vec::new();
    for d in &decisions {
        if let Reason::Covered { consents } = &d.reason {
            for c in consents {
                if !used.contains(c) {
                    used.push(*c);
                }
            }
        }
    }
    // Consents that cover only non-sensitive sections still made the export possible.
    for c in consents {
        if !used.contains(&c.id) {
            used.push(c.id);
        }
    }
    DisclosurePlan {
        recipient: consents
            .first()
            .map(|c| normalize_recipient(&c.recipient))
            .unwrap_or_default(),
        consents: used,
        decisions,
        record: out,
    }
}

fn short(id: &ConsentId) -> String {
    id.to_string()[..8].to_string()
}

impl Reason {
    /// For people: the app's preview and the CLI.
    pub fn text(&self, template: &Template) -> Text {
        match self {
            Reason::NotSensitive => Text::new(
                "要配慮個人情報ではないため提供します",
                "not sensitive: always included",
            ),
            Reason::Covered { consents } => {
                let ids = consents.iter().map(short).collect::<Vec<_>>().join(", ");
                Text::new(
                    format!("同意 {ids} の範囲内のため提供します"),
                    format!("covered by consent {ids}"),
                )
            }
            Reason::NotCovered => Text::new(
                "要配慮個人情報で、この提供先への有効な同意がこの欄を含まないため省きます",
                "sensitive, and no valid consent for this recipient covers its section: withheld",
            ),
            Reason::DiagnosisNotAllowed {
                disclosure_field,
                disclosure,
                kinds,
            } => {
                let field = template
                    .sections
                    .iter()
                    .flat_map(|s| &s.fields)
                    .find(|f| &f.key == disclosure_field);
                let label = field.map(|f| f.label.clone()).unwrap_or_default();
                let chosen = disclosure
                    .as_deref()
                    .and_then(|k| field.and_then(|f| f.option(k)))
                    .map(|o| o.label.clone())
                    .unwrap_or_else(|| Text::new("未記入", "not answered"));
                let kinds = kinds
                    .iter()
                    .map(|k| k.as_deref().unwrap_or("?"))
                    .collect::<Vec<_>>()
                    .join(", ");
                Text::new(
                    format!(
                        "「{}」が「{}」のため、この提供先(種別: {kinds})には省きます",
                        label.ja, chosen.ja
                    ),
                    format!(
                        "{} is \"{}\", which does not reach this recipient (kind: {kinds}): withheld",
                        label.en, chosen.en
                    ),
                )
            }
        }
    }
}
