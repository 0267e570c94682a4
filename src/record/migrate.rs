//! Moving a DRAFT to the newest version of its form, field by field, naming every field that could
//! not be carried over. A final document is never rewritten: it stays the version it was signed as.

use super::validate::{Mode, field_shown, validate};
use super::{DocStatus, Record};
use crate::i18n::{Text, UserError};
use crate::template::Registry;
use serde_json::{Map, Value};

/// A field left behind, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Dropped {
    /// The top-level field key in the old version.
    pub field: String,
    pub reason: Text,
}

/// The draft as the newest version, and what did not come along.
#[derive(Debug, Clone)]
pub struct Migration {
    pub record: Record,
    pub from_version: u32,
    pub dropped: Vec<Dropped>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MigrateError {
    #[error("a final document is never rewritten: it stays version {version} of {template}")]
    Final { template: String, version: u32 },
    #[error("form {template} version {version} is not one this Taiwa reads")]
    UnknownVersion { template: String, version: u32 },
    #[error("already version {version}, the newest of {template}")]
    AlreadyNewest { template: String, version: u32 },
}

impl UserError for MigrateError {
    fn code(&self) -> &'static str {
        match self {
            MigrateError::Final { .. } => "migrate.final",
            MigrateError::UnknownVersion { .. } => "migrate.unknown_version",
            MigrateError::AlreadyNewest { .. } => "migrate.already_newest",
        }
    }

    fn message(&self) -> Text {
        let ja = match self {
            MigrateError::Final { template, version } => {
                format!("確定した文書は書き換えません(様式 {template} の版 {version} のままです)")
            }
            MigrateError::UnknownVersion { template, version } => {
                format!("様式 {template} の版 {version} はこの Taiwa では読めません")
            }
            MigrateError::AlreadyNewest { template, version } => {
                format!("すでに様式 {template} の最新の版 {version} です")
            }
        };
        Text {
            ja,
            en: self.to_string(),
        }
    }
}

/// Option keys of version 1 that version 2 merged or renamed (work-consideration's task list
/// follows the 両立支援カード: ③ 暑熱/寒冷/屋外作業 and ③ 危険な機械操作・自動車運転 are one item each).
fn task_key(key: &str) -> &str {
    match key {
        "hot_environment" | "cold_environment" | "outdoor_work" => "heat_cold_outdoor",
        "driving" | "machine_operation" => "dangerous_machine_driving",
        other => other,
    }
}

/// The value of a field as the newest version holds it, where a version-specific rule applies.
fn carry(
    template: &str,
    from: u32,
    key: &str,
    v: &Value,
    fields: &Map<String, Value>,
) -> (String, Value) {
    if template != "work-consideration" || from != 1 {
        return (key.to_string(), v.clone());
    }
    match key {
        "wi_duty_flags" => {
            let mut out: Vec<Value> = Vec::new();
            for k in v.as_array().into_iter().flatten().filter_map(Value::as_str) {
                let k = Value::from(task_key(k));
                if !out.contains(&k) {
                    out.push(k);
                }
            }
            (key.to_string(), Value::Array(out))
        }
        "mo_restrictions" => {
            let mut rows = v.clone();
            for row in rows.as_array_mut().into_iter().flatten() {
                if let Some(t) = row.get("task").and_then(Value::as_str).map(task_key) {
                    row["task"] = Value::from(t);
                }
            }
            (key.to_string(), rows)
        }
        // Version 2 prints the 職場復帰 opinion with its own labels when the purpose is 職場復帰.
        "mo_fitness" if fields.get("purpose").and_then(Value::as_str) == Some("return_to_work") => {
            let mapped = match v.as_str() {
                Some("fit") => "return_ok",
                Some("fit_with_conditions") => "return_with_conditions",
                Some("unfit_now") => "return_not_yet",
                _ => return (key.to_string(), v.clone()),
            };
            ("mo_rtw_fitness".to_string(), Value::from(mapped))
        }
        _ => (key.to_string(), v.clone()),
    }
}

/// The draft `record` as a draft of the newest version of its form. Every field is carried over
/// when the newest version has it and takes its value; the rest are named in `dropped`.
pub fn migrate_draft(record: &Record, registry: &Registry) -> Result<Migration, MigrateError> {
    if record.status != DocStatus::Draft {
        return Err(MigrateError::Final {
            template: record.template.clone(),
            version: record.template_version,
        });
    }
    if registry.template_for(record).is_none() {
        return Err(MigrateError::UnknownVersion {
            template: record.template.clone(),
            version: record.template_version,
        });
    }
    let newest = registry
        .get(&record.template)
        .ok_or_else(|| MigrateError::UnknownVersion {
            template: record.template.clone(),
            version: record.template_version,
        })?;
    if newest.version == record.template_version {
        return Err(MigrateError::AlreadyNewest {
            template: record.template.clone(),
            version: newest.version,
        });
    }
    let from = record.template_version;
    let mut out = record.clone();
    out.template_version = newest.version;
    out.fields = Map::new();
    let mut dropped = Vec::new();
    for (key, v) in &record.fields {
        let (to, value) = carry(&record.template, from, key, v, &record.fields);
        if newest.field(&to).is_none() {
            dropped.push(Dropped {
                field: key.clone(),
                reason: Text::new(
                    format!("版 {} にない項目です", newest.version),
                    format!("not a field of version {}", newest.version),
                ),
            });
            continue;
        }
        out.fields.insert(to, value);
    }
    // A field of the other variant (Part B's other 意見書) would stop the draft from being
    // finalized: it is not on the form the draft now is.
    let hidden: Vec<String> = newest
        .sections
        .iter()
        .flat_map(|s| &s.fields)
        .filter(|f| out.fields.contains_key(&f.key) && !field_shown(&out, newest, f))
        .map(|f| f.key.clone())
        .collect();
    for key in hidden {
        out.fields.remove(&key);
        dropped.push(Dropped {
            field: key,
            reason: Text::new(
                "目的に応じて選ばれた様式にない項目です",
                "not on the form the purpose chooses",
            ),
        });
    }
    // Values the newest version does not take (an option it no longer has, say): each field with
    // a problem is left behind, until the draft is well-formed.
    loop {
        let problems = validate(&out, newest, Mode::Draft);
        let mut keys: Vec<String> = problems
            .iter()
            .map(|p| {
                p.path
                    .split(['[', '.'])
                    .next()
                    .unwrap_or(&p.path)
                    .to_string()
            })
            .filter(|k| out.fields.contains_key(k))
            .collect();
        keys.dedup();
        if keys.is_empty() {
            break;
        }
        for key in keys {
            out.fields.remove(&key);
            dropped.push(Dropped {
                field: key,
                reason: Text::new(
                    format!("値が版 {} の項目に合いません", newest.version),
                    format!("its value does not fit version {}", newest.version),
                ),
            });
        }
    }
    Ok(Migration {
        record: out,
        from_version: from,
        dropped,
    })
}
