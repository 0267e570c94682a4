//! The shape of a form definition, exactly as written in `templates/*.json` (see templates/README.md).
//! Deserialisation rejects unknown keys so that a typo in a definition is an error, not a silent default.

use crate::i18n::Text;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(rename = "TemplateDef")]
pub struct Template {
    pub id: String,
    pub version: u32,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Field paths (`person_name`, `plan_employee.name`) whose first non-blank value names a
    /// document in lists and names a new case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub display_fields: Vec<String>,
    /// Date field paths whose earliest value is the document's next review, for "review due soon".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub review_fields: Vec<String>,
    /// Ids in templates/sources.json that the description rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    /// Sections sharing a part key can be exported alone (work-consideration Parts A–D).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_when: Option<Condition>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    /// Ids in templates/sources.json that the help text rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    LongText,
    Date,
    DateRange,
    Time,
    TimeRange,
    Number,
    Choice,
    Multi,
    Checkbox,
    Signature,
    Consent,
    Group,
    Compound,
    Ref,
    Notice,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::LongText => "long_text",
            FieldType::Date => "date",
            FieldType::DateRange => "date_range",
            FieldType::Time => "time",
            FieldType::TimeRange => "time_range",
            FieldType::Number => "number",
            FieldType::Choice => "choice",
            FieldType::Multi => "multi",
            FieldType::Checkbox => "checkbox",
            FieldType::Signature => "signature",
            FieldType::Consent => "consent",
            FieldType::Group => "group",
            FieldType::Compound => "compound",
            FieldType::Ref => "ref",
            FieldType::Notice => "notice",
        }
    }

    /// Types whose value is an object or array of sub-fields.
    pub fn has_sub_fields(self) -> bool {
        matches!(
            self,
            FieldType::Group | FieldType::Compound | FieldType::Signature | FieldType::Consent
        )
    }
}

/// Values the store fills in; they never appear in a record's `fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Auto {
    DocumentId,
    Revision,
}

/// What a case knows about its person, for `from_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseField {
    /// The name shown for the case (氏名).
    DisplayName,
    /// The pseudonymous id (仮名ID).
    Pseudonym,
    /// The workplace (事業所).
    Employer,
}

/// What each row of a group is when it is not spelled out with `fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    Consent,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub key: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    #[serde(default, skip_serializing_if = "Required::is_never")]
    #[ts(as = "Option<RequiredJson>", optional)]
    pub required: Required,
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Ids in templates/sources.json that the label, the options, the help and a notice's text
    /// rest on (`"taiwa"`: the app's own addition, on no official form).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// A top-level field that belongs to one variant of a form (Part B's two 意見書): while the
    /// condition is false the field is hidden in the editor, never required, not printed, and a
    /// final document must leave it empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown_when: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto: Option<Auto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options_from: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub option_groups: Vec<OptionGroup>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_empty: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<RowKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_rows: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rows: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unique: Vec<String>,
    /// A group's numbering sub-field: on finalizing, its values must run 1, 2, … n over the rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<String>,
    /// Pairs of sub-fields that must differ within a row (a step cannot lead from a node to itself).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distinct: Vec<[String; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_row: Option<RequireRow>,
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<RefTarget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub integer: bool,
    /// A `row: "consent"` group whose rows are the consent ledger's for this document: the store
    /// writes them on every save (one truth about what may leave); the form shows them and
    /// records a consent in the ledger, never types a row.
    #[serde(default, skip_serializing_if = "is_false")]
    pub from_ledger: bool,
    /// A text field that starts from the case's own value (typed once, in the new-case dialog):
    /// filled when the field is empty as a document of the case is made or a draft is opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_case: Option<CaseField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf: Option<PdfHints>,
}

impl Template {
    /// A top-level field, in whichever section it is.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.sections
            .iter()
            .flat_map(|s| &s.fields)
            .find(|f| f.key == key)
    }
}

impl Field {
    /// The longest text this field accepts, in characters.
    pub fn text_limit(&self) -> usize {
        match (self.max_length, self.kind) {
            (Some(n), _) => n as usize,
            (None, FieldType::LongText) => 20_000,
            _ => 200,
        }
    }

    pub fn option(&self, key: &str) -> Option<&ChoiceOption> {
        self.options.iter().find(|o| o.key == key)
    }

    pub fn sub_field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    pub key: String,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct OptionGroup {
    pub key: String,
    pub label: Text,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct RequireRow {
    pub key: String,
    pub equals: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct RefTarget {
    /// A document of this template (`"*"`: any form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// A row of a group of the same record, identified by one of its sub-fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PdfWidth {
    Full,
    Half,
    Third,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct PdfHints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<PdfWidth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<u32>,
}

/// `required`: always, never, or when a condition holds (条件付).
/// How `Required` looks in JSON (`true`, `false` or a CONDITION): its TypeScript type.
#[derive(ts_rs::TS)]
#[ts(untagged)]
#[allow(dead_code)]
enum RequiredJson {
    Flag(bool),
    When(Condition),
}

#[derive(Debug, Clone, Default)]
pub enum Required {
    #[default]
    Never,
    Always,
    When(Condition),
}

impl Required {
    pub fn is_never(&self) -> bool {
        matches!(self, Required::Never)
    }
}

impl Serialize for Required {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Required::Never => s.serialize_bool(false),
            Required::Always => s.serialize_bool(true),
            Required::When(c) => c.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Required {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Parsed by hand so a malformed condition reports its own error instead of serde's
        // "did not match any variant".
        match Value::deserialize(d)? {
            Value::Bool(true) => Ok(Required::Always),
            Value::Bool(false) => Ok(Required::Never),
            v @ Value::Object(_) => serde_json::from_value(v)
                .map(Required::When)
                .map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!(
                "required must be true, false or a condition object, not {other}"
            ))),
        }
    }
}

/// A condition on the record's values (templates/README.md, "CONDITION"). One form per object:
/// the loader checks that exactly one of the operators is used.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Value>,
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub is_in: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_in: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<Condition>>,
}

fn is_false(b: &bool) -> bool {
    !*b
}
