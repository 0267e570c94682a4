//! The one rule about the diagnosis, in one place. A diagnosis field leaves only when the record's
//! own disclosure field allows it for this kind of recipient AND a valid consent for the
//! recipient covers the diagnosis's section (redact.rs checks the consent).
//!
//! The option keys below are the disclosure fields' options in templates/*.json; the tests at the
//! bottom fail when a form gains, loses or renames an option, so every option has a decision here.
//! A value with no decision (or no value at all) withholds the diagnosis.

use super::normalize_recipient;
use crate::record::Record;
use crate::template::Registry;
use crate::template::model::ChoiceOption;

/// Who the diagnosis may go to for one option of a disclosure field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allow {
    Nobody,
    /// Recipients of these kinds (`recipient_kind` of the consent's role).
    Kinds(&'static [&'static str]),
    /// Every recipient a consent covers: the form itself is addressed to its recipient.
    AnyRecipient,
}

#[derive(Debug, Clone, Copy)]
pub struct DiagnosisRule {
    pub template: &'static str,
    /// The diagnosis field.
    pub diagnosis: &'static str,
    /// The field in which the person decided how far the diagnosis may go.
    pub disclosure: &'static str,
    /// Every option of the disclosure field, with who the diagnosis may go to.
    pub allow: &'static [(&'static str, Allow)],
}

/// Recipient kinds are the dialogue record's `share_with` options (except `nobody`).
pub const KIND_SOURCE: (&str, &str) = ("dialogue-record", "share_with");

pub const DIAGNOSIS_RULES: &[DiagnosisRule] = &[
    // 診断名の開示範囲: 開示しない / 産業保健スタッフのみ / 事業主(人事)まで. "Up to HR" reaches the
    // occupational health staff and HR, not line managers or co-workers.
    DiagnosisRule {
        template: "dialogue-record",
        diagnosis: "diagnosis_name",
        disclosure: "diagnosis_disclosure",
        allow: &[
            ("not_disclosed", Allow::Nobody),
            (
                "oh_staff_only",
                Allow::Kinds(&["occupational_health_staff"]),
            ),
            (
                "employer_hr",
                Allow::Kinds(&["occupational_health_staff", "hr"]),
            ),
        ],
    },
    // 病名の記載: 記載する(本人同意) / 記載しない. The physician's opinion is written for the
    // employer it is given to; whoever a consent covers Part B for may read the diagnosis.
    DiagnosisRule {
        template: "work-consideration",
        diagnosis: "mo_diagnosis",
        disclosure: "mo_diagnosis_disclose",
        allow: &[
            ("include_with_consent", Allow::AnyRecipient),
            ("omit", Allow::Nobody),
        ],
    },
];

/// The rule for a field of a form, when it is a diagnosis field.
pub fn diagnosis_rule(template: &str, field: &str) -> Option<&'static DiagnosisRule> {
    DIAGNOSIS_RULES
        .iter()
        .find(|r| r.template == template && r.diagnosis == field)
}

/// The recipient kinds, which are also the roles a consent may name: the dialogue record's
/// `share_with` options except `nobody` (the app offers these; `recipient_kind` reads them back).
pub fn recipient_kinds(registry: &Registry) -> Vec<&ChoiceOption> {
    let (template, field) = KIND_SOURCE;
    registry
        .get(template)
        .into_iter()
        .flat_map(|t| &t.sections)
        .flat_map(|s| &s.fields)
        .find(|f| f.key == field)
        .map(|f| f.options.iter().filter(|o| o.key != "nobody").collect())
        .unwrap_or_default()
}

/// The kind of a recipient from the role given with a consent: a `share_with` option key, matched
/// by key or by its Japanese or English label (after NFKC and lower-casing). Anything else is no
/// known kind, and no rule that names kinds lets the diagnosis go to it.
pub fn recipient_kind(role: Option<&str>, registry: &Registry) -> Option<String> {
    let role = normalize_recipient(role?).to_lowercase();
    if role.is_empty() {
        return None;
    }
    recipient_kinds(registry)
        .into_iter()
        .find(|o| {
            o.key == role
                || normalize_recipient(&o.label.ja).to_lowercase() == role
                || normalize_recipient(&o.label.en).to_lowercase() == role
        })
        .map(|o| o.key.clone())
}

impl DiagnosisRule {
    /// What the record's disclosure field says, or None when it says nothing this rule knows.
    pub fn allow_for(&self, record: &Record) -> Option<Allow> {
        let chosen = record.fields.get(self.disclosure)?.as_str()?;
        self.allow
            .iter()
            .find(|(key, _)| *key == chosen)
            .map(|(_, a)| *a)
    }

    /// Whether the record lets its diagnosis go to a recipient of `kind`.
    pub fn permits(&self, record: &Record, kind: Option<&str>) -> bool {
        match self.allow_for(record) {
            None | Some(Allow::Nobody) => false,
            Some(Allow::AnyRecipient) => true,
            Some(Allow::Kinds(kinds)) => kind.is_some_and(|k| kinds.contains(&k)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Field, FieldType};

    fn field(template: &str, key: &str) -> &'static Field {
        Registry::builtin()
            .get(template)
            .unwrap_or_else(|| panic!("no template {template}"))
            .sections
            .iter()
            .flat_map(|s| &s.fields)
            .find(|f| f.key == key)
            .unwrap_or_else(|| panic!("{template} has no field {key}"))
    }

    #[test]
    fn every_rule_names_real_fields_and_decides_every_option() {
        let kinds: Vec<&str> = field(KIND_SOURCE.0, KIND_SOURCE.1)
            .options
            .iter()
            .map(|o| o.key.as_str())
            .collect();
        for rule in DIAGNOSIS_RULES {
            let diagnosis = field(rule.template, rule.diagnosis);
            assert!(diagnosis.sensitive, "{} must be sensitive", rule.diagnosis);
            let disclosure = field(rule.template, rule.disclosure);
            assert_eq!(disclosure.kind, FieldType::Choice);
            let mut options: Vec<&str> =
                disclosure.options.iter().map(|o| o.key.as_str()).collect();
            let mut decided: Vec<&str> = rule.allow.iter().map(|(k, _)| *k).collect();
            options.sort_unstable();
            decided.sort_unstable();
            assert_eq!(
                options, decided,
                "{}.{}: every option needs a decision",
                rule.template, rule.disclosure
            );
            for (_, allow) in rule.allow {
                if let Allow::Kinds(ks) = allow {
                    for k in *ks {
                        assert!(kinds.contains(k), "unknown recipient kind {k}");
                    }
                }
            }
        }
    }

    #[test]
    fn roles_are_recognised_by_key_and_label() {
        let r = Registry::builtin();
        assert_eq!(recipient_kind(Some("hr"), r).as_deref(), Some("hr"));
        assert_eq!(recipient_kind(Some(" 人事 "), r).as_deref(), Some("hr"));
        assert_eq!(
            recipient_kind(Some("産業医・産業保健スタッフ"), r).as_deref(),
            Some("occupational_health_staff")
        );
        assert_eq!(
            recipient_kind(Some("Attending Physician"), r).as_deref(),
            Some("attending_physician")
        );
        assert_eq!(recipient_kind(Some("nobody"), r), None);
        assert_eq!(recipient_kind(Some("社長"), r), None);
        assert_eq!(recipient_kind(None, r), None);
    }
}
