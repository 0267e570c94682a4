//! The employer ↔ clinician round trip without any network: a PDF carries its record
//! (`record.json`) and an exchange envelope (`taiwa-exchange.json`) that says what the file is and
//! holds the SHA-256 of the attached record and of the pages. Rules only (no store, no UI): the
//! envelope, checking a file, the draft a clinician starts from, merging an answer, the read-only
//! rule. The store keeps what was sent and received (store/exchanges.rs).
//!
//! The hashes show that a file was changed after Taiwa made it by anyone who did not also rewrite
//! the envelope; they are not a signature (nothing secret is shared between the two sides). The
//! stronger check is on the employer's side: an answer must carry, unchanged, the Part A that this
//! database recorded as sent.

mod error;

pub use error::ExchangeError;

use crate::record::{DocStatus, Record, parse_record};
use crate::template::{Registry, Template};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The name of the embedded file that holds the envelope.
pub const ENVELOPE_NAME: &str = "taiwa-exchange.json";
/// The envelope format this version writes and reads.
pub const FORMAT: &str = "taiwa.exchange/1";
/// A larger envelope is not one of ours.
pub const MAX_ENVELOPE_BYTES: usize = 64 * 1024;

/// What a file is in the round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Any other export (the whole document, a part, a copy for a recipient).
    #[default]
    Export,
    /// Part A for the attending physician; the clinician's Taiwa opens a linked Part B draft.
    ForClinician,
    /// The clinician's answer: Part A as received and Part B, back to the employer.
    FromClinician,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Export => "export",
            Kind::ForClinician => "for_clinician",
            Kind::FromClinician => "from_clinician",
        }
    }
}

/// A stored revision named by a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct RevisionStamp {
    #[ts(type = "number")]
    pub seq: i64,
    pub sha256: String,
}

/// What an answer answers: the file the clinician received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    /// SHA-256 of the record.json of the file received (its envelope's `record_sha256`).
    pub record_sha256: String,
    /// The employer's revision that file was made from.
    pub revision: Option<RevisionStamp>,
}

/// The exchange envelope, `taiwa-exchange.json` beside `record.json` (format taiwa.exchange/1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    pub format: String,
    pub kind: Kind,
    /// The document the file was made from (also when the attached record carries no id).
    pub document_id: Option<Uuid>,
    /// The stored revision the file was made from; None for a record file that is not stored.
    pub revision: Option<RevisionStamp>,
    pub template: String,
    pub template_version: u32,
    /// The parts printed and attached; None: the whole form.
    pub parts: Option<Vec<String>>,
    /// SHA-256 of the attached record.json bytes.
    pub record_sha256: String,
    /// SHA-256 of the pages (pdf::pages_digest): their content streams, boxes and resources.
    pub pages_sha256: String,
    /// An answer (`from_clinician`): the file it answers.
    pub answers: Option<Answers>,
    /// `Taiwa <version>`
    pub producer: String,
    /// When the file was made (UTC, RFC 3339).
    pub created_at: String,
}

impl Envelope {
    /// An envelope to be completed with the two hashes when the file is written.
    pub fn new(kind: Kind, template: &Template) -> Envelope {
        Envelope {
            format: FORMAT.to_string(),
            kind,
            document_id: None,
            revision: None,
            template: template.id.clone(),
            template_version: template.version,
            parts: None,
            record_sha256: String::new(),
            pages_sha256: String::new(),
            answers: None,
            producer: concat!("Taiwa ", env!("CARGO_PKG_VERSION")).to_string(),
            created_at: String::new(),
        }
    }

    pub fn to_json(&self) -> String {
        // Our own plain types: serialising cannot fail.
        let value = serde_json::to_value(self).unwrap_or(Value::Null);
        crate::canonical::to_pretty_string(&value)
    }

    /// Reads an envelope: an unknown format is refused before anything else is looked at.
    pub fn parse(bytes: &[u8]) -> Result<Envelope, ExchangeError> {
        let bad = |detail: String| ExchangeError::BadEnvelope {
            name: ENVELOPE_NAME,
            detail,
        };
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(bad(format!("{} bytes", bytes.len())));
        }
        let value: Value = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
        let format = value.get("format").and_then(Value::as_str).unwrap_or("");
        if format != FORMAT {
            return Err(ExchangeError::UnknownFormat {
                name: ENVELOPE_NAME,
                found: format.chars().take(60).collect(),
                known: FORMAT,
            });
        }
        serde_json::from_value(value).map_err(|e| bad(e.to_string()))
    }
}

/// What a PDF holds, with the hashes recomputed: nothing is judged yet.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// None: a PDF from a Taiwa before the envelope (no integrity information).
    pub envelope: Option<Envelope>,
    pub record_json: Vec<u8>,
    /// Recomputed now.
    pub record_sha256: String,
    pub pages_sha256: String,
    /// SHA-256 of the whole file.
    pub file_sha256: String,
}

impl Inspection {
    /// Whether record.json matches its hash (None: no envelope).
    pub fn record_intact(&self) -> Option<bool> {
        self.envelope
            .as_ref()
            .map(|e| e.record_sha256 == self.record_sha256)
    }

    /// Whether the pages match their hash (None: no envelope).
    pub fn pages_intact(&self) -> Option<bool> {
        self.envelope
            .as_ref()
            .map(|e| e.pages_sha256 == self.pages_sha256)
    }

    /// The first check that fails: the record's hash, the pages' hash, then whether this Taiwa has
    /// the form in that version. A file without an envelope passes (nothing to check).
    pub fn check(&self, registry: &Registry) -> Result<(), ExchangeError> {
        let Some(env) = &self.envelope else {
            return Ok(());
        };
        if self.record_intact() != Some(true) {
            return Err(ExchangeError::RecordChanged);
        }
        if self.pages_intact() != Some(true) {
            return Err(ExchangeError::PagesChanged);
        }
        let template =
            registry
                .get(&env.template)
                .ok_or_else(|| ExchangeError::UnknownTemplate {
                    template: env.template.clone(),
                })?;
        // Any version this build reads: a file made under an earlier form imports as that version.
        if registry
            .get_version(&env.template, env.template_version)
            .is_none()
        {
            return Err(ExchangeError::UnknownTemplateVersion {
                template: env.template.clone(),
                found: env.template_version,
                known: template.version,
            });
        }
        Ok(())
    }

    /// The record, after every check, and after checking that it is what the envelope says.
    pub fn received(&self, registry: &Registry) -> Result<Received, ExchangeError> {
        self.check(registry)?;
        let record = parse_record(&self.record_json, registry)?;
        if let Some(env) = &self.envelope {
            if record.template != env.template {
                return Err(ExchangeError::EnvelopeMismatch { what: "template" });
            }
            if record.template_version != env.template_version {
                return Err(ExchangeError::EnvelopeMismatch {
                    what: "template version",
                });
            }
            if env.kind != Kind::Export && record.id != env.document_id {
                return Err(ExchangeError::EnvelopeMismatch {
                    what: "document id",
                });
            }
        }
        Ok(Received {
            envelope: self.envelope.clone(),
            record,
            record_sha256: self.record_sha256.clone(),
            file_sha256: self.file_sha256.clone(),
        })
    }
}

/// A file that passed every check.
#[derive(Debug, Clone)]
pub struct Received {
    pub envelope: Option<Envelope>,
    pub record: Record,
    pub record_sha256: String,
    pub file_sha256: String,
}

impl Received {
    pub fn kind(&self) -> Kind {
        self.envelope.as_ref().map(|e| e.kind).unwrap_or_default()
    }
}

/// The round trip of one form: the part that goes to the clinician, the part that comes back,
/// and which answer fields start as copies of which sent fields.
#[derive(Debug, Clone, Copy)]
pub struct LinkRule {
    pub template: &'static str,
    /// The part the employer sends (Part A, written with the worker).
    pub sent: &'static str,
    /// The part the clinician answers with (Part B).
    pub answer: &'static str,
    /// (answer field, sent field): the patient's identity, prefilled and read-only.
    pub prefill: &'static [(&'static str, &'static str)],
    /// The sent fields that name the clinician, joined with a space: the default recipient.
    pub clinician: &'static [&'static str],
    /// The sent fields that name the employer: the default recipient of the answer.
    pub employer: &'static [&'static str],
}

pub const LINK_RULES: &[LinkRule] = &[LinkRule {
    template: "work-consideration",
    sent: "a",
    answer: "b",
    prefill: &[
        ("mo_name", "wi_name"),
        ("mo_birth_date", "wi_birth_date"),
        ("mo_address", "wi_address"),
    ],
    clinician: &["wi_to_institution", "wi_to_doctor"],
    employer: &["wi_company"],
}];

/// The round trip of a form, if it has one.
pub fn link_rule(template: &str) -> Option<&'static LinkRule> {
    LINK_RULES.iter().find(|r| r.template == template)
}

/// The top-level field keys of the sections of `part`, in form order.
pub fn part_keys<'t>(template: &'t Template, part: &str) -> Vec<&'t str> {
    template
        .sections
        .iter()
        .filter(|s| s.part.as_deref() == Some(part))
        .flat_map(|s| s.fields.iter().map(|f| f.key.as_str()))
        .collect()
}

/// A value that counts: absent and null are the same.
fn value<'r>(record: &'r Record, key: &str) -> Option<&'r Value> {
    record.fields.get(key).filter(|v| !v.is_null())
}

/// The keys (of `keys`) whose values differ between two records, in that order.
pub fn differences(keys: &[&str], a: &Record, b: &Record) -> Vec<String> {
    keys.iter()
        .filter(|k| value(a, k) != value(b, k))
        .map(|k| k.to_string())
        .collect()
}

/// How a field changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Changed => "changed",
            ChangeKind::Removed => "removed",
        }
    }
}

/// One field an answer changed (a path only: values are never reported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Change {
    pub path: String,
    pub kind: ChangeKind,
}

/// What changed among `keys` from `before` to `after`.
pub fn changes(keys: &[&str], before: &Record, after: &Record) -> Vec<Change> {
    keys.iter()
        .filter_map(|k| {
            let kind = match (value(before, k), value(after, k)) {
                (None, Some(_)) => ChangeKind::Added,
                (Some(_), None) => ChangeKind::Removed,
                (Some(a), Some(b)) if a != b => ChangeKind::Changed,
                _ => return None,
            };
            Some(Change {
                path: k.to_string(),
                kind,
            })
        })
        .collect()
}

/// The fields a linked document must keep, with the values it must keep (null: stays empty).
pub type ReadOnly = Map<String, Value>;

impl LinkRule {
    /// The recipient named by `keys` in the record ("さくら坂総合病院 山本 由紀子"); None if blank.
    pub fn recipient(&self, record: &Record, keys: &[&str]) -> Option<String> {
        let parts: Vec<&str> = keys
            .iter()
            .filter_map(|k| value(record, k)?.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// The clinician's draft from a received Part A: the sent part as received, the identity
    /// prefilled from it, and (when the document is here already) everything else kept from its
    /// head. Returns the draft and the fields it must keep.
    pub fn clinician_draft(
        &self,
        template: &Template,
        received: &Record,
        head: Option<&Record>,
    ) -> (Record, ReadOnly) {
        let sent = part_keys(template, self.sent);
        let mut draft = match head {
            Some(h) => h.clone(),
            None => received.clone(),
        };
        draft.id = received.id;
        draft.status = DocStatus::Draft;
        let mut read_only = ReadOnly::new();
        for key in &sent {
            let v = value(received, key).cloned();
            match &v {
                Some(v) => draft.fields.insert(key.to_string(), v.clone()),
                None => draft.fields.remove(*key),
            };
            read_only.insert(key.to_string(), v.unwrap_or(Value::Null));
        }
        if head.is_none() {
            // Only the sent part and the sections every part carries (the document's own).
            let shared: Vec<&str> = template
                .sections
                .iter()
                .filter(|s| s.part.is_none())
                .flat_map(|s| s.fields.iter().map(|f| f.key.as_str()))
                .collect();
            draft
                .fields
                .retain(|k, _| sent.contains(&k.as_str()) || shared.contains(&k.as_str()));
        }
        for (to, from) in self.prefill {
            if template.field(to).is_none() || template.field(from).is_none() {
                continue;
            }
            if let Some(v) = value(received, from).cloned() {
                draft.fields.insert(to.to_string(), v.clone());
                read_only.insert(to.to_string(), v);
            }
        }
        (draft, read_only)
    }

    /// The employer's next revision: its head with the answered part replaced by the answer's.
    pub fn merge_answer(&self, template: &Template, head: &Record, answer: &Record) -> Record {
        let mut merged = head.clone();
        for key in part_keys(template, self.answer) {
            match value(answer, key) {
                Some(v) => merged.fields.insert(key.to_string(), v.clone()),
                None => merged.fields.remove(key),
            };
        }
        merged
    }

    /// What the employer keeps as received: the answered part.
    pub fn answer_read_only(&self, template: &Template, answer: &Record) -> ReadOnly {
        part_keys(template, self.answer)
            .into_iter()
            .map(|k| {
                (
                    k.to_string(),
                    value(answer, k).cloned().unwrap_or(Value::Null),
                )
            })
            .collect()
    }
}

/// The read-only rule: a linked document keeps every read-only field as received. Returns the
/// paths changed, in the record's key order (empty: the record may be saved).
pub fn read_only_violations(read_only: &ReadOnly, record: &Record) -> Vec<String> {
    read_only
        .iter()
        .filter(|(k, expected)| {
            let expected = Some(*expected).filter(|v| !v.is_null());
            value(record, k) != expected
        })
        .map(|(k, _)| k.clone())
        .collect()
}

/// The read-only paths in form order (for people and the app).
pub fn read_only_paths(template: &Template, read_only: &ReadOnly) -> Vec<String> {
    template
        .sections
        .iter()
        .flat_map(|s| &s.fields)
        .filter(|f| read_only.contains_key(&f.key))
        .map(|f| f.key.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_rule_names_real_parts_and_fields_of_one_type() {
        let registry = Registry::builtin();
        for rule in LINK_RULES {
            let t = registry.get(rule.template).expect("template");
            assert!(!part_keys(t, rule.sent).is_empty(), "part {}", rule.sent);
            assert!(
                !part_keys(t, rule.answer).is_empty(),
                "part {}",
                rule.answer
            );
            for (to, from) in rule.prefill {
                let (to_f, from_f) = (t.field(to).expect(to), t.field(from).expect(from));
                assert_eq!(to_f.kind, from_f.kind, "{to} ← {from}");
                assert!(part_keys(t, rule.answer).contains(to));
                assert!(part_keys(t, rule.sent).contains(from));
            }
            for k in rule.clinician.iter().chain(rule.employer) {
                assert!(part_keys(t, rule.sent).contains(k), "{k}");
            }
        }
    }

    #[test]
    fn envelope_of_another_format_is_refused_by_name() {
        let e =
            Envelope::parse(br#"{"format": "taiwa.exchange/9", "kind": "export"}"#).unwrap_err();
        assert!(matches!(e, ExchangeError::UnknownFormat { .. }), "{e}");
        let e = Envelope::parse(br#"{"format": "taiwa.exchange/1", "kind": "other"}"#).unwrap_err();
        assert!(matches!(e, ExchangeError::BadEnvelope { .. }), "{e}");
    }

    #[test]
    fn read_only_treats_absent_and_null_alike() {
        let mut r = Record::new("work-consideration", 1);
        let mut ro = ReadOnly::new();
        ro.insert("wi_address".into(), Value::Null);
        ro.insert("wi_name".into(), Value::String("甲".into()));
        r.fields
            .insert("wi_name".into(), Value::String("甲".into()));
        r.fields.insert("wi_address".into(), Value::Null);
        assert!(read_only_violations(&ro, &r).is_empty());
        r.fields
            .insert("wi_address".into(), Value::String("乙".into()));
        r.fields.remove("wi_name");
        assert_eq!(read_only_violations(&ro, &r), ["wi_address", "wi_name"]);
    }
}
