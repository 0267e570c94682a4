//! Records in the exchange format v1 (DESIGN.md "Record exchange format"): parsing with errors that
//! name the byte or the field, validation that reports every problem at once.

pub mod migrate;
mod parse;
mod printable;
mod problem;
mod validate;

pub use migrate::{Dropped, MigrateError, Migration, migrate_draft};
pub use parse::{MAX_RECORD_BYTES, RecordError, parse_record};
pub use printable::first_unprintable;
pub use problem::{Problem, ProblemCode};
pub use validate::{Mode, field_shown, hidden_fields, required_now, validate};

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The `format` value of every record this version writes and reads.
pub const FORMAT: &str = "taiwa.document/1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum DocStatus {
    Draft,
    Final,
    Superseded,
}

impl DocStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DocStatus::Draft => "draft",
            DocStatus::Final => "final",
            DocStatus::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<DocStatus> {
        match s {
            "draft" => Some(DocStatus::Draft),
            "final" => Some(DocStatus::Final),
            "superseded" => Some(DocStatus::Superseded),
            _ => None,
        }
    }
}

/// One document in the exchange format. `fields` holds the values keyed by the template's field keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(rename = "RecordJson")]
pub struct Record {
    pub format: String,
    pub template: String,
    pub template_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    pub status: DocStatus,
    pub lang: Lang,
    pub fields: Map<String, Value>,
}

impl Record {
    pub fn new(template: &str, template_version: u32) -> Record {
        Record {
            format: FORMAT.to_string(),
            template: template.to_string(),
            template_version,
            id: None,
            status: DocStatus::Draft,
            lang: Lang::Ja,
            fields: Map::new(),
        }
    }

    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("format".into(), Value::String(self.format.clone()));
        m.insert("template".into(), Value::String(self.template.clone()));
        m.insert(
            "template_version".into(),
            Value::from(self.template_version),
        );
        if let Some(id) = self.id {
            m.insert("id".into(), Value::String(id.to_string()));
        }
        m.insert("status".into(), Value::String(self.status.as_str().into()));
        m.insert("lang".into(), Value::String(self.lang.to_string()));
        m.insert("fields".into(), Value::Object(self.fields.clone()));
        Value::Object(m)
    }

    /// The bytes that are hashed and stored: keys sorted, no insignificant white space.
    pub fn canonical_json(&self) -> String {
        crate::canonical::to_string(&self.to_value())
    }

    /// Pretty JSON for people and files, keys in canonical order.
    pub fn to_pretty_json(&self) -> String {
        crate::canonical::to_pretty_string(&self.to_value())
    }
}

impl crate::template::Registry {
    /// The definition a record was made under (its `template` and `template_version`). Here rather
    /// than in template/: forms come before the records made of them.
    pub fn template_for(&self, record: &Record) -> Option<&crate::template::Template> {
        self.get_version(&record.template, record.template_version)
    }
}
