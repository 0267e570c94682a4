//! How values read on paper: dates (西暦 or 和暦, by `crate::text::date`), option labels, sub-fields
//! as "label: value" lines.

use crate::i18n::Lang;
use crate::template::{Field, FieldType};
use serde_json::Value;

/// Dates follow the one rule of `crate::text::date` (the screen's too); kept here for the renderers.
pub use crate::text::date::{Era, date};

fn option_label(f: &Field, key: &str, lang: Lang) -> String {
    f.option(key)
        .map_or_else(|| key.to_string(), |o| o.label.get(lang).to_string())
}

/// The value as one piece of text (table cells, compound lines). Empty when there is none.
pub fn value(f: &Field, v: &Value, lang: Lang, era: Era) -> String {
    let sep = if lang == Lang::Ja { "、" } else { ", " };
    match (f.kind, v) {
        (_, Value::Null) => String::new(),
        (FieldType::Date, Value::String(s)) => date(s, lang, era),
        (FieldType::DateRange | FieldType::TimeRange, Value::Object(o)) => {
            let part = |k: &str| {
                o.get(k).and_then(Value::as_str).map_or(String::new(), |s| {
                    if f.kind == FieldType::DateRange {
                        date(s, lang, era)
                    } else {
                        s.to_string()
                    }
                })
            };
            let (start, end) = (part("start"), part("end"));
            if start.is_empty() && end.is_empty() {
                String::new()
            } else {
                format!("{start} 〜 {end}")
            }
        }
        (FieldType::Number, Value::Number(n)) => match &f.unit {
            Some(u) => format!("{n} {}", u.get(lang)),
            None => n.to_string(),
        },
        (FieldType::Choice, Value::String(k)) => option_label(f, k, lang),
        (FieldType::Multi, Value::Array(keys)) => keys
            .iter()
            .filter_map(Value::as_str)
            .map(|k| option_label(f, k, lang))
            .collect::<Vec<_>>()
            .join(sep),
        (FieldType::Checkbox, Value::Bool(b)) => {
            if *b {
                "✓".into()
            } else {
                String::new()
            }
        }
        (FieldType::Signature, Value::Object(o)) => {
            let name = o.get("name").and_then(Value::as_str).unwrap_or_default();
            let when = o
                .get("date")
                .and_then(Value::as_str)
                .map(|d| date(d, lang, era))
                .unwrap_or_default();
            let confirmed = o.get("confirmed").and_then(Value::as_bool) == Some(true);
            let tick = match (confirmed, lang) {
                (true, Lang::Ja) => "(確認済)",
                (true, Lang::En) => "(confirmed)",
                _ => "",
            };
            format!("{name}  {when} {tick}").trim().to_string()
        }
        (FieldType::Compound | FieldType::Consent, Value::Object(o)) => f
            .fields
            .iter()
            .filter_map(|sub| {
                let text = value(sub, o.get(&sub.key)?, lang, era);
                (!text.is_empty()).then(|| format!("{}: {text}", sub.label.get(lang)))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}
