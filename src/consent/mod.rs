//! The person's consent to provide a document (or some of its sections) to a recipient, and what
//! an export to that recipient may carry (docs/domain.md §6: 要配慮個人情報 leaves only with
//! consent, no opt-out). Rules only: no store, no UI. The ledger lives in store/consents.rs, the
//! log of what left in store/disclosures.rs.

mod diagnosis;
mod error;
mod redact;

pub use diagnosis::{
    Allow, DIAGNOSIS_RULES, DiagnosisRule, KIND_SOURCE, diagnosis_rule, recipient_kind,
    recipient_kinds,
};
pub use error::{ConsentError, Refusal};
pub use redact::{DisclosurePlan, FieldDecision, Reason, plan};

use crate::i18n::Text;
use crate::ids::{CaseId, ConsentId, DocumentId};
use crate::template::Template;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// Longest recipient, role or recorder name, in characters.
pub const MAX_NAME: usize = 200;
/// Longest purpose, in characters.
pub const MAX_PURPOSE: usize = 1000;

/// How consent was given (docs/domain.md §6: 署名/記名/電子/口頭+記録者).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Signature,
    Name,
    Electronic,
    Oral,
}

impl Method {
    pub const ALL: [Method; 4] = [
        Method::Signature,
        Method::Name,
        Method::Electronic,
        Method::Oral,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Signature => "signature",
            Method::Name => "name",
            Method::Electronic => "electronic",
            Method::Oral => "oral",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Method::Signature => Text::new("署名", "signature"),
            Method::Name => Text::new("記名", "written name"),
            Method::Electronic => Text::new("電子", "electronic"),
            Method::Oral => Text::new("口頭", "oral"),
        }
    }
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::parse(s).ok_or_else(|| {
            format!(
                "同意の方法は signature(署名)・name(記名)・electronic(電子)・oral(口頭)のいずれかです / method must be signature, name, electronic or oral, not {s:?}"
            )
        })
    }
}

/// A consent as entered, before it is checked.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
pub struct NewConsent {
    /// The receiving organisation and person, as the person named it.
    pub recipient: String,
    /// The recipient's role. The dialogue record's `share_with` option keys (`hr`,
    /// `occupational_health_staff`, …) or their labels are recognised (see `recipient_kind`).
    pub role: Option<String>,
    pub purpose: String,
    /// Section keys or part keys (work-consideration `a`..`d`). Empty or None together with
    /// `whole_document` false is refused: the scope is chosen, never defaulted.
    pub sections: Option<Vec<String>>,
    /// The whole document (「文書全体」), chosen as such; then `sections` must be empty.
    #[serde(default)]
    pub whole_document: bool,
    pub method: Method,
    /// Who recorded an oral consent (required for `oral`).
    pub recorded_by: Option<String>,
    /// YYYY-MM-DD
    pub given_on: String,
    /// YYYY-MM-DD, the last day it holds; None: until withdrawn.
    pub expires_on: Option<String>,
}

/// A consent as kept in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Consent {
    pub id: ConsentId,
    pub case_id: CaseId,
    pub document_id: Option<DocumentId>,
    pub recipient: String,
    pub role: Option<String>,
    pub purpose: String,
    /// None: the whole document.
    pub sections: Option<Vec<String>>,
    pub method: Method,
    pub recorded_by: Option<String>,
    pub given_on: String,
    pub expires_on: Option<String>,
    pub withdrawn_on: Option<String>,
    /// The document's revision when the consent was recorded (for the record; a consent covers
    /// the document, not one revision).
    #[ts(type = "number | null")]
    pub given_at_seq: Option<i64>,
    pub created_at: String,
}

/// Whether a consent holds on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConsentState {
    Valid,
    /// Given after that day.
    NotYetGiven {
        given_on: String,
    },
    /// Its last day was before that day.
    Expired {
        expires_on: String,
    },
    /// Withdrawn on or before that day (a withdrawal holds from its day on).
    Withdrawn {
        withdrawn_on: String,
    },
}

impl ConsentState {
    /// `valid`, `expired`, `withdrawn`, `not_yet_given`: what `taiwa consent list` prints.
    pub fn key(&self) -> &'static str {
        match self {
            ConsentState::Valid => "valid",
            ConsentState::NotYetGiven { .. } => "not_yet_given",
            ConsentState::Expired { .. } => "expired",
            ConsentState::Withdrawn { .. } => "withdrawn",
        }
    }
}

/// A strict YYYY-MM-DD date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Today in the local time zone: consent dates are calendar days where the person lives.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// How recipients are compared: NFKC (全角 → 半角), trimmed, runs of white space as one space.
/// Case and wording are kept: "人事部" and "人事総務部" are different recipients.
pub fn normalize_recipient(s: &str) -> String {
    let folded: String = s.nfkc().collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Consent {
    pub fn state_on(&self, day: NaiveDate) -> ConsentState {
        let date = |s: &Option<String>| s.as_deref().and_then(parse_date);
        if let Some(w) = date(&self.withdrawn_on)
            && w <= day
        {
            return ConsentState::Withdrawn {
                withdrawn_on: self.withdrawn_on.clone().unwrap_or_default(),
            };
        }
        if parse_date(&self.given_on).is_none_or(|g| g > day) {
            return ConsentState::NotYetGiven {
                given_on: self.given_on.clone(),
            };
        }
        if let Some(e) = date(&self.expires_on)
            && e < day
        {
            return ConsentState::Expired {
                expires_on: self.expires_on.clone().unwrap_or_default(),
            };
        }
        ConsentState::Valid
    }

    /// Whether this consent names `recipient` (compared by `normalize_recipient`).
    pub fn is_for(&self, recipient: &str) -> bool {
        normalize_recipient(&self.recipient) == normalize_recipient(recipient)
    }

    /// Whether it covers a section of `template` (a consent without sections covers them all).
    pub fn covers_section(&self, section: &crate::template::Section) -> bool {
        match &self.sections {
            None => true,
            Some(keys) => keys
                .iter()
                .any(|k| *k == section.key || section.part.as_deref() == Some(k.as_str())),
        }
    }
}

impl Consent {
    /// The consent as a row of a form's consent table (`row: "consent"`): what the paper prints
    /// when the table is the ledger's (`from_ledger`). The scope is named by the titles of the
    /// form's sections in the record's language.
    pub fn as_row(&self, template: &Template, lang: crate::i18n::Lang) -> serde_json::Value {
        let (whole, joint) = match lang {
            crate::i18n::Lang::Ja => ("記録全体", "、"),
            crate::i18n::Lang::En => ("the whole record", "; "),
        };
        let items = match &self.sections {
            None => whole.to_string(),
            Some(keys) => scope_options(template)
                .iter()
                .filter(|o| keys.contains(&o.key))
                .map(|o| o.title.get(lang).to_string())
                .collect::<Vec<_>>()
                .join(joint),
        };
        let mut row = serde_json::Map::new();
        let mut put = |k: &str, v: Option<&str>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                row.insert(k.to_string(), serde_json::Value::String(v.to_string()));
            }
        };
        put("recipient", Some(&self.recipient));
        put("purpose", Some(&self.purpose));
        put("items", Some(&items));
        put("date", Some(&self.given_on));
        put("method", Some(self.method.as_str()));
        put("recorded_by", self.recorded_by.as_deref());
        put("expires", self.expires_on.as_deref());
        put("withdrawn", self.withdrawn_on.as_deref());
        serde_json::Value::Object(row)
    }
}

/// The keys a consent's sections may name for a form: every section key, then every part key.
pub fn section_keys(template: &Template) -> Vec<String> {
    let mut keys: Vec<String> = template.sections.iter().map(|s| s.key.clone()).collect();
    for s in &template.sections {
        if let Some(p) = &s.part
            && !keys.contains(p)
        {
            keys.push(p.clone());
        }
    }
    keys
}

/// One choice of a consent's scope as a form offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ScopeOption {
    /// A section key, or a part key (work-consideration `a`..`d`).
    pub key: String,
    /// The section's title; a part's is its sections' titles joined (・ / "; ").
    pub title: Text,
    pub part: bool,
}

/// What a consent's scope is chosen from: every section that belongs to no part, by its key, and
/// each part once, in the order of the form. Each key is one of `section_keys`.
pub fn scope_options(template: &Template) -> Vec<ScopeOption> {
    let mut out: Vec<ScopeOption> = Vec::new();
    for s in &template.sections {
        match &s.part {
            Some(p) => match out.iter_mut().find(|o| o.part && o.key == *p) {
                Some(have) => {
                    have.title.ja = format!("{}・{}", have.title.ja, s.title.ja);
                    have.title.en = format!("{}; {}", have.title.en, s.title.en);
                }
                None => out.push(ScopeOption {
                    key: p.clone(),
                    title: s.title.clone(),
                    part: true,
                }),
            },
            None => out.push(ScopeOption {
                key: s.key.clone(),
                title: s.title.clone(),
                part: false,
            }),
        }
    }
    out
}

fn bad(field: &'static str, ja: impl Into<String>, en: impl Into<String>) -> ConsentError {
    ConsentError::BadField {
        field,
        ja: ja.into(),
        en: en.into(),
    }
}

/// Trimmed; None when blank. Refuses control characters and over-long text, naming the field.
fn clean_text(
    value: Option<&str>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, ConsentError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Some(m) = crate::text::visible::typed_line_problem(v, max) {
        return Err(bad(field, m.ja, m.en));
    }
    Ok(Some(v.to_string()))
}

fn required(
    value: &str,
    field: &'static str,
    max: usize,
    ja: &str,
    en: &str,
) -> Result<String, ConsentError> {
    clean_text(Some(value), field, max)?.ok_or_else(|| bad(field, ja, en))
}

fn check_date(value: &str, field: &'static str) -> Result<NaiveDate, ConsentError> {
    parse_date(value.trim()).ok_or_else(|| {
        bad(
            field,
            "日付は YYYY-MM-DD の形で、実在する日を入力してください",
            "a date must be YYYY-MM-DD and exist",
        )
    })
}

impl NewConsent {
    /// The consent, cleaned (trimmed, sections de-duplicated), or the first field that is wrong.
    /// `today` bounds the date given: a consent records something that has happened.
    pub fn checked(
        &self,
        template: &Template,
        today: NaiveDate,
    ) -> Result<NewConsent, ConsentError> {
        let recipient = required(
            &self.recipient,
            "recipient",
            MAX_NAME,
            "提供先を入力してください",
            "enter the recipient",
        )?;
        let role = clean_text(self.role.as_deref(), "role", MAX_NAME)?;
        let purpose = required(
            &self.purpose,
            "purpose",
            MAX_PURPOSE,
            "利用目的を入力してください",
            "enter the purpose",
        )?;
        let recorded_by = clean_text(self.recorded_by.as_deref(), "recorded_by", MAX_NAME)?;
        if self.method == Method::Oral && recorded_by.is_none() {
            return Err(bad(
                "recorded_by",
                "口頭の同意には記録者が必要です",
                "an oral consent needs the name of who recorded it",
            ));
        }
        let given = check_date(&self.given_on, "given_on")?;
        if given > today {
            return Err(bad(
                "given_on",
                "同意日が未来の日付です",
                "the date consent was given is in the future",
            ));
        }
        let expires_on = match self.expires_on.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(e) => {
                if check_date(e, "expires_on")? < given {
                    return Err(bad(
                        "expires_on",
                        "有効期限が同意日より前です",
                        "the expiry date is before the date consent was given",
                    ));
                }
                Some(e.to_string())
            }
        };
        let named = self.sections.as_deref().unwrap_or_default();
        let sections = match (self.whole_document, named.is_empty()) {
            (true, true) => None,
            (true, false) => {
                return Err(bad(
                    "sections",
                    "「文書全体」と範囲の指定は一緒に選べません。どちらか一方にしてください",
                    "choose either the whole document or sections, not both",
                ));
            }
            (false, true) => {
                return Err(bad(
                    "sections",
                    "同意の範囲を選んでください(範囲を 1 つ以上、または「文書全体」)。範囲のない同意は記録できません",
                    "choose what the consent covers (one or more sections, or the whole document); a consent with no scope is not recorded",
                ));
            }
            (false, false) => {
                let known = section_keys(template);
                let mut out: Vec<String> = Vec::new();
                for key in named.iter().map(|k| k.trim()) {
                    if !known.iter().any(|k| k == key) {
                        return Err(ConsentError::UnknownSection {
                            key: key.chars().take(40).collect(),
                            known: known.join(", "),
                        });
                    }
                    if !out.iter().any(|k| k == key) {
                        out.push(key.to_string());
                    }
                }
                Some(out)
            }
        };
        Ok(NewConsent {
            recipient,
            role,
            purpose,
            whole_document: sections.is_none(),
            sections,
            method: self.method,
            recorded_by,
            given_on: given.format("%Y-%m-%d").to_string(),
            expires_on,
        })
    }
}

/// The consents that let `document` go to `recipient` on `day`: every one for that recipient that
/// is valid then. None valid: the refusal says why for each one found (or that there is none).
pub fn select<'c>(
    consents: &'c [Consent],
    document: &str,
    recipient: &str,
    day: NaiveDate,
) -> Result<Vec<&'c Consent>, ConsentError> {
    let mut valid = Vec::new();
    let mut reasons = Vec::new();
    for c in consents.iter().filter(|c| c.is_for(recipient)) {
        match c.state_on(day) {
            ConsentState::Valid => valid.push(c),
            ConsentState::Expired { expires_on } => reasons.push(Refusal::Expired {
                consent: c.id,
                on: expires_on,
            }),
            ConsentState::Withdrawn { withdrawn_on } => reasons.push(Refusal::Withdrawn {
                consent: c.id,
                on: withdrawn_on,
            }),
            ConsentState::NotYetGiven { given_on } => reasons.push(Refusal::NotYetGiven {
                consent: c.id,
                on: given_on,
            }),
        }
    }
    if !valid.is_empty() {
        return Ok(valid);
    }
    if reasons.is_empty() {
        reasons.push(Refusal::Missing);
    }
    Err(ConsentError::Refused {
        document: document.to_string(),
        recipient: normalize_recipient(recipient),
        day: day.format("%Y-%m-%d").to_string(),
        reasons,
    })
}

#[cfg(test)]
mod scope_tests {
    use super::*;
    use crate::template::Registry;

    #[test]
    fn scope_options_are_section_keys_with_each_part_once() {
        let r = Registry::builtin();
        for id in r.ids() {
            for v in r.versions(id) {
                let t = r.get_version(id, v).unwrap();
                let keys = section_keys(t);
                let options = scope_options(t);
                for o in &options {
                    assert!(keys.contains(&o.key), "{id} v{v}: {}", o.key);
                    assert_eq!(options.iter().filter(|x| x.key == o.key).count(), 1);
                }
            }
        }
        let wc = r.get("work-consideration").unwrap();
        let options = scope_options(wc);
        let parts: Vec<&str> = options
            .iter()
            .filter(|o| o.part)
            .map(|o| o.key.as_str())
            .collect();
        assert_eq!(parts, ["a", "b", "c", "d"]);
    }
}
