//! How values read on paper: dates in 西暦 or 和暦, option labels, sub-fields as "label: value" lines.

use crate::i18n::Lang;
use crate::template::{Field, FieldType};
use serde_json::Value;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "lowercase")]
pub enum Era {
    /// 2026年11月20日
    #[default]
    Seireki,
    /// 令和8年11月20日
    Wareki,
}

impl std::str::FromStr for Era {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "seireki" => Ok(Era::Seireki),
            "wareki" => Ok(Era::Wareki),
            other => Err(format!(
                "暦は seireki か wareki です / era must be seireki or wareki, not {other:?}"
            )),
        }
    }
}

/// `YYYY-MM-DD` as people write it. Anything else is printed as given.
pub fn date(s: &str, lang: Lang, era: Era) -> String {
    let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") else {
        return s.to_string();
    };
    use chrono::Datelike;
    let (y, m, day) = (d.year(), d.month(), d.day());
    match (lang, era) {
        (Lang::En, _) => d.format("%-d %b %Y").to_string(),
        (Lang::Ja, Era::Seireki) => format!("{y}年{m}月{day}日"),
        (Lang::Ja, Era::Wareki) => {
            let ymd = (y, m, day);
            let (name, first) = if ymd >= (2019, 5, 1) {
                ("令和", 2019)
            } else if ymd >= (1989, 1, 8) {
                ("平成", 1989)
            } else if ymd >= (1926, 12, 25) {
                ("昭和", 1926)
            } else {
                return format!("{y}年{m}月{day}日");
            };
            let n = y - first + 1;
            let year = if n == 1 {
                "元".to_string()
            } else {
                n.to_string()
            };
            format!("{name}{year}年{m}月{day}日")
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_eras() {
        assert_eq!(date("2026-11-20", Lang::Ja, Era::Seireki), "2026年11月20日");
        assert_eq!(date("2026-11-20", Lang::Ja, Era::Wareki), "令和8年11月20日");
        assert_eq!(date("2019-05-01", Lang::Ja, Era::Wareki), "令和元年5月1日");
        assert_eq!(date("2019-04-30", Lang::Ja, Era::Wareki), "平成31年4月30日");
        assert_eq!(date("1989-01-07", Lang::Ja, Era::Wareki), "昭和64年1月7日");
        assert_eq!(date("2026-11-20", Lang::En, Era::Wareki), "20 Nov 2026");
    }
}
