//! Field-level validation against a form definition. Every problem is collected, none stops the walk:
//! a user fixing a record sees all of them at once.
//!
//! Types, formats, options, lengths and references are checked on every save; required and
//! conditionally required rules only when finalizing (a draft may be incomplete).

use super::problem::{Problem, ProblemCode as Code};
use super::{DocStatus, Record};
use crate::template::model::{Auto, Condition, Field, FieldType, Required, Section, Template};
use serde_json::{Map, Value};
use std::collections::HashSet;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Saving a draft: values must be well-formed; nothing is required yet.
    Draft,
    /// Finalizing: also every required and conditionally required rule.
    Final,
}

impl Mode {
    pub fn for_status(status: DocStatus) -> Mode {
        match status {
            DocStatus::Draft => Mode::Draft,
            DocStatus::Final | DocStatus::Superseded => Mode::Final,
        }
    }
}

/// Whether a top-level field is on the form as the record's values choose it (`shown_when`): the
/// editor hides it, the PDF leaves it out, and it is never required while this is false.
pub fn field_shown(record: &Record, template: &Template, field: &Field) -> bool {
    let v = Validator {
        template,
        root: &record.fields,
        mode: Mode::Draft,
        problems: Vec::new(),
    };
    v.shown(field)
}

/// The top-level keys hidden by `shown_when` for this record, in form order.
pub fn hidden_fields(record: &Record, template: &Template) -> Vec<String> {
    template
        .sections
        .iter()
        .flat_map(|s| &s.fields)
        .filter(|f| !field_shown(record, template, f))
        .map(|f| f.key.clone())
        .collect()
}

/// All problems of `record` against `template` in `mode`, in the template's field order.
pub fn validate(record: &Record, template: &Template, mode: Mode) -> Vec<Problem> {
    let mut v = Validator {
        template,
        root: &record.fields,
        mode,
        problems: Vec::new(),
    };
    v.run();
    // A final document is printed as it is: a character no bundled font has is reported beside
    // its field now, not when the PDF is made. Fonts that cannot load are the export's error.
    if mode == Mode::Final
        && let Ok(fonts) = crate::text::fonts::FontSet::get()
        && let Some((path, ch)) = super::first_unprintable(fonts, record, template, record.lang)
    {
        let m = crate::text::fonts::missing_glyph_text(ch);
        v.push(&path, Code::Unprintable, m.ja, m.en);
    }
    v.problems
}

/// The fields whose required rule holds for `record` now (conditional ones included), as top-level
/// keys and `group.sub` keys (a sub-field counts when its rule holds in any row, or when the group
/// has no rows yet and the rule does not depend on the row). The editor marks these 必須 and shows
/// conditional fields once they apply.
pub fn required_now(record: &Record, template: &Template) -> Vec<String> {
    let v = Validator {
        template,
        root: &record.fields,
        mode: Mode::Final,
        problems: Vec::new(),
    };
    let mut out = Vec::new();
    for section in &template.sections {
        if !v.section_applies(section) {
            continue;
        }
        for f in &section.fields {
            if f.auto.is_some() || !v.shown(f) {
                continue;
            }
            if v.required(f, TOP) {
                out.push(f.key.clone());
            }
            let rows: Vec<&Map<String, Value>> = match record.fields.get(&f.key) {
                Some(Value::Array(rows)) => rows.iter().filter_map(Value::as_object).collect(),
                Some(Value::Object(obj)) => vec![obj],
                _ => Vec::new(),
            };
            for sub in &f.fields {
                let holds = if rows.is_empty() {
                    matches!(sub.required, Required::Always)
                } else {
                    rows.iter().any(|row| {
                        v.required(
                            sub,
                            Scope {
                                parent: Some(f),
                                row: Some(row),
                            },
                        )
                    })
                };
                if holds {
                    out.push(format!("{}.{}", f.key, sub.key));
                }
            }
        }
    }
    out
}

struct Validator<'a> {
    template: &'a Template,
    root: &'a Map<String, Value>,
    mode: Mode,
    problems: Vec<Problem>,
}

/// Where a value sits, for resolving sibling references in conditions.
#[derive(Clone, Copy)]
struct Scope<'a> {
    parent: Option<&'a Field>,
    row: Option<&'a Map<String, Value>>,
}

const TOP: Scope<'static> = Scope {
    parent: None,
    row: None,
};

impl<'a> Validator<'a> {
    fn push(&mut self, path: &str, code: Code, ja: String, en: String) {
        self.problems.push(Problem::new(path, code, ja, en));
    }

    fn run(&mut self) {
        let known: HashSet<&str> = self
            .template
            .sections
            .iter()
            .flat_map(|s| &s.fields)
            .map(|f| f.key.as_str())
            .collect();
        for key in self.root.keys() {
            if !known.contains(key.as_str()) {
                let hint = suggest(key, known.iter().copied());
                self.push(
                    key,
                    Code::UnknownField,
                    format!(
                        "様式「{}」に「{key}」という項目はありません{}",
                        self.template.title.ja,
                        hint.ja()
                    ),
                    format!(
                        "the form {} has no field {key:?}{}",
                        self.template.id,
                        hint.en()
                    ),
                );
            }
        }
        let template = self.template;
        for section in &template.sections {
            let applies = self.section_applies(section);
            for field in &section.fields {
                let value = self.root.get(&field.key);
                let shown = self.shown(field);
                // A field of the other variant (Part B's other 意見書) is never required, and a
                // final document leaves it empty: what it would carry is not on the chosen form.
                if !shown
                    && self.mode == Mode::Final
                    && value.is_some_and(|v| has_value(v) && present(field, v))
                {
                    self.push(
                        &field.key,
                        Code::NotOnThisForm,
                        format!(
                            "「{}」はこの様式にない項目です。消してから確定してください",
                            field.label.ja
                        ),
                        format!(
                            "{} is not on the form chosen; clear it before finalizing",
                            field.label.en
                        ),
                    );
                }
                self.field(field, value, &field.key, applies && shown, TOP);
            }
        }
    }

    fn shown(&self, f: &Field) -> bool {
        f.shown_when.as_ref().is_none_or(|c| self.eval(c, TOP))
    }

    /// Whether a section's required rules apply: its `applies_when` holds and, for an optional
    /// section, one of its fields has a value (an optional part is only required once started).
    fn section_applies(&self, section: &Section) -> bool {
        section
            .applies_when
            .as_ref()
            .is_none_or(|c| self.eval(c, TOP))
            && (!section.optional
                || section
                    .fields
                    .iter()
                    .any(|f| self.root.get(&f.key).is_some_and(|v| present(f, v))))
    }

    /// Checks one field's value (if any) and, when finalizing, whether it is required.
    fn field(
        &mut self,
        f: &'a Field,
        value: Option<&'a Value>,
        path: &str,
        applies: bool,
        scope: Scope<'a>,
    ) {
        let value = value.filter(|v| !v.is_null());
        if let Some(v) = value {
            if f.auto.is_some() {
                let what = match f.auto {
                    Some(Auto::Revision) => ("版", "revision"),
                    _ => ("文書番号", "document id"),
                };
                self.push(
                    path,
                    Code::AutoField,
                    format!(
                        "「{}」は自動で付く{}です。記録から外してください",
                        f.label.ja, what.0
                    ),
                    format!(
                        "{} is set automatically from the {}; remove it from the record",
                        f.label.en, what.1
                    ),
                );
                return;
            }
            self.value(f, v, path);
        }
        // Auto fields are filled by the store, never by the user: nothing to require.
        if self.mode == Mode::Final && applies && f.auto.is_none() && self.required(f, scope) {
            match value {
                Some(Value::Bool(false)) if f.kind == FieldType::Checkbox => self.push(
                    path,
                    Code::MustBeTicked,
                    format!("「{}」にチェックが必要です", f.label.ja),
                    format!("{} must be ticked", f.label.en),
                ),
                Some(v) if present(f, v) => {}
                Some(Value::Array(_)) if f.kind == FieldType::Multi && f.allow_empty => {}
                _ => self.push(
                    path,
                    Code::Required,
                    format!("「{}」は必須です", f.label.ja),
                    format!("{} is required", f.label.en),
                ),
            }
        }
    }

    fn required(&self, f: &Field, scope: Scope<'a>) -> bool {
        match &f.required {
            Required::Never => false,
            Required::Always => true,
            Required::When(c) => self.eval(c, scope),
        }
    }

    fn wrong_type(&mut self, f: &Field, path: &str, ja: &str, en: &str) {
        self.push(
            path,
            Code::WrongType,
            format!("「{}」は{ja}で入力してください", f.label.ja),
            format!("{} must be {en}", f.label.en),
        );
    }

    fn value(&mut self, f: &'a Field, v: &'a Value, path: &str) {
        use FieldType as T;
        match f.kind {
            T::Text | T::LongText => match v.as_str() {
                Some(s) => self.text(f, s, path),
                None => self.wrong_type(f, path, "文字列", "a string"),
            },
            T::Date => match v.as_str() {
                Some(s) => self.date(f, s, path),
                None => self.wrong_type(f, path, "日付(YYYY-MM-DD)", "a date string YYYY-MM-DD"),
            },
            T::Time => match v.as_str() {
                Some(s) => self.time(f, s, path),
                None => self.wrong_type(f, path, "時刻(HH:MM)", "a time string HH:MM"),
            },
            T::DateRange | T::TimeRange => self.range(f, v, path),
            T::Number => self.number(f, v, path),
            T::Checkbox => {
                if !v.is_boolean() {
                    self.wrong_type(f, path, "true か false", "true or false");
                }
            }
            T::Choice => match v.as_str() {
                Some(s) => self.option(f, s, path),
                None => self.wrong_type(f, path, "選択肢のキー(文字列)", "an option key (string)"),
            },
            T::Multi => self.multi(f, v, path),
            T::Ref => self.reference(f, v, path),
            T::Notice => self.push(
                path,
                Code::NoticeHasNoValue,
                format!("「{}」は定型文で、値は入りません", f.label.ja),
                format!("{} is fixed text and takes no value", f.label.en),
            ),
            T::Compound | T::Signature | T::Consent => match v.as_object() {
                Some(obj) => self.object(f, obj, path),
                None => self.wrong_type(f, path, "オブジェクト", "an object"),
            },
            T::Group => self.group(f, v, path),
        }
    }

    fn text(&mut self, f: &Field, s: &str, path: &str) {
        let limit = f.text_limit();
        let count = s.chars().count();
        if count > limit {
            self.push(
                path,
                Code::TooLong,
                format!(
                    "「{}」が長すぎます({count} 文字。上限は {limit} 文字)",
                    f.label.ja
                ),
                format!(
                    "{} is too long ({count} characters; at most {limit})",
                    f.label.en
                ),
            );
        }
        let multiline = f.kind == FieldType::LongText;
        let bad = s
            .chars()
            .enumerate()
            .find(|(_, c)| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')));
        if let Some((at, c)) = bad {
            let name = if c == '\0' {
                "NUL".to_string()
            } else {
                format!("U+{:04X}", c as u32)
            };
            let (ja_hint, en_hint) = if !multiline && matches!(c, '\n' | '\r') {
                (
                    "。1 行の項目には改行を入れられません",
                    "; this is a one-line field",
                )
            } else {
                ("", "")
            };
            self.push(
                path,
                Code::ControlCharacter,
                format!(
                    "「{}」に制御文字 {name} が含まれています({} 文字目){ja_hint}",
                    f.label.ja,
                    at + 1
                ),
                format!(
                    "{} contains the control character {name} at character {}{en_hint}",
                    f.label.en,
                    at + 1
                ),
            );
        }
    }

    fn date(&mut self, f: &Field, s: &str, path: &str) {
        let shaped = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !shaped {
            // Said as the date box says it: what the text reads as (and how a record writes it),
            // or why it cannot be read (text::date::parse_typed, the one rule of typed dates).
            let (ja, en) = match crate::text::date::parse_typed(s) {
                Ok(d) => {
                    let iso = d.format("%Y-%m-%d");
                    (
                        format!(
                            "「{}」の「{s}」は {iso} と書いてください(記録の日付は YYYY-MM-DD の形です)",
                            f.label.ja
                        ),
                        format!(
                            "{}: write {s:?} as {iso} (a record holds dates as YYYY-MM-DD)",
                            f.label.en
                        ),
                    )
                }
                Err(e) => {
                    let m = crate::i18n::UserError::message(&e);
                    (
                        format!("「{}」の「{s}」: {}", f.label.ja, m.ja),
                        format!("{}: {s:?}: {}", f.label.en, m.en),
                    )
                }
            };
            self.push(path, Code::InvalidDate, ja, en);
        } else if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_err() {
            self.push(
                path,
                Code::InvalidDate,
                format!("「{}」の {s} は暦にない日付です", f.label.ja),
                format!("{}: {s} is not a date on the calendar", f.label.en),
            );
        }
    }

    fn time(&mut self, f: &Field, s: &str, path: &str) {
        let ok = s.len() == 5
            && s.as_bytes()[2] == b':'
            && s[..2].parse::<u8>().is_ok_and(|h| h < 24)
            && s[3..].parse::<u8>().is_ok_and(|m| m < 60)
            && s.bytes()
                .enumerate()
                .all(|(i, b)| i == 2 || b.is_ascii_digit());
        if !ok {
            self.push(
                path,
                Code::InvalidTime,
                format!(
                    "「{}」の「{s}」は時刻(00:00〜23:59 の HH:MM)ではありません",
                    f.label.ja
                ),
                format!(
                    "{}: {s:?} is not a time HH:MM between 00:00 and 23:59",
                    f.label.en
                ),
            );
        }
    }

    fn range(&mut self, f: &Field, v: &Value, path: &str) {
        let is_date = f.kind == FieldType::DateRange;
        let Some(obj) = v.as_object() else {
            return self.wrong_type(
                f,
                path,
                "{\"start\", \"end\"} の形",
                "an object {\"start\", \"end\"}",
            );
        };
        for key in obj.keys().filter(|k| *k != "start" && *k != "end") {
            self.push(
                &format!("{path}.{key}"),
                Code::UnknownField,
                format!("「{}」には start と end しかありません", f.label.ja),
                format!("{} has only start and end", f.label.en),
            );
        }
        let mut parts = Vec::new();
        for key in ["start", "end"] {
            let sub_path = format!("{path}.{key}");
            match obj.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) => {
                    let before = self.problems.len();
                    if is_date {
                        self.date(f, s, &sub_path)
                    } else {
                        self.time(f, s, &sub_path)
                    }
                    if self.problems.len() == before {
                        parts.push((key, s.as_str()));
                    }
                }
                Some(_) => self.wrong_type(f, &sub_path, "文字列", "a string"),
            }
        }
        // Shifts may cross midnight (22:00–07:00), so only date ranges have an order.
        if let [("start", start), ("end", end)] = parts.as_slice()
            && is_date
            && end < start
        {
            self.push(
                path,
                Code::BadRange,
                format!(
                    "「{}」の終了日 {end} が開始日 {start} より前です",
                    f.label.ja
                ),
                format!("{}: the end {end} is before the start {start}", f.label.en),
            );
        }
        if self.mode == Mode::Final
            && !obj.get("start").is_some_and(|s| s.is_string())
            && obj.get("end").is_some_and(|s| s.is_string())
        {
            self.push(
                &format!("{path}.start"),
                Code::Required,
                format!("「{}」の開始も入力してください", f.label.ja),
                format!("{}: give the start as well", f.label.en),
            );
        }
    }

    fn number(&mut self, f: &Field, v: &Value, path: &str) {
        let Some(n) = v.as_f64() else {
            return self.wrong_type(f, path, "数値", "a number");
        };
        if f.integer && n.fract() != 0.0 {
            self.push(
                path,
                Code::NotInteger,
                format!("「{}」は整数で入力してください({n})", f.label.ja),
                format!("{} must be a whole number, not {n}", f.label.en),
            );
        }
        let below = f.min.is_some_and(|m| n < m);
        let above = f.max.is_some_and(|m| n > m);
        if below || above {
            let bounds = match (f.min, f.max) {
                (Some(a), Some(b)) => format!("{a}〜{b}"),
                (Some(a), None) => format!("{a} 以上"),
                (None, Some(b)) => format!("{b} 以下"),
                (None, None) => String::new(),
            };
            let bounds_en = match (f.min, f.max) {
                (Some(a), Some(b)) => format!("between {a} and {b}"),
                (Some(a), None) => format!("at least {a}"),
                (None, Some(b)) => format!("at most {b}"),
                (None, None) => String::new(),
            };
            self.push(
                path,
                Code::OutOfRange,
                format!(
                    "「{}」は {bounds} の範囲で入力してください({n})",
                    f.label.ja
                ),
                format!("{} must be {bounds_en}, not {n}", f.label.en),
            );
        }
    }

    fn option(&mut self, f: &Field, key: &str, path: &str) {
        if f.option(key).is_none() {
            let keys: Vec<&str> = f.options.iter().map(|o| o.key.as_str()).collect();
            let shown = if keys.len() > 12 {
                format!("{} …", keys[..12].join(", "))
            } else {
                keys.join(", ")
            };
            self.push(
                path,
                Code::NotAnOption,
                format!(
                    "「{}」に「{key}」という選択肢はありません(選べるもの: {shown})",
                    f.label.ja
                ),
                format!(
                    "{}: {key:?} is not an option (options: {shown})",
                    f.label.en
                ),
            );
        }
    }

    fn multi(&mut self, f: &Field, v: &Value, path: &str) {
        let Some(items) = v.as_array() else {
            return self.wrong_type(f, path, "選択肢キーの配列", "an array of option keys");
        };
        let mut seen = HashSet::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            match item.as_str() {
                Some(key) => {
                    self.option(f, key, &item_path);
                    if !seen.insert(key) {
                        self.push(
                            &item_path,
                            Code::DuplicateOption,
                            format!("「{}」で「{key}」が重複しています", f.label.ja),
                            format!("{}: {key:?} is listed twice", f.label.en),
                        );
                    }
                }
                None => self.wrong_type(
                    f,
                    &item_path,
                    "選択肢のキー(文字列)",
                    "an option key (string)",
                ),
            }
        }
    }

    /// Numbers must run 1, 2, … n over the rows (in any row order): a gap or a repeat is named at the
    /// first row that breaks the run.
    fn sequence(&mut self, f: &Field, rows: &[Value], key: &str, path: &str) {
        let mut numbers: Vec<(i64, usize)> = rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.get(key).and_then(Value::as_f64).map(|n| (n as i64, i)))
            .collect();
        numbers.sort();
        let label = f
            .sub_field(key)
            .map_or((key, key), |s| (s.label.ja.as_str(), s.label.en.as_str()));
        for (expected, (n, i)) in (1i64..).zip(numbers) {
            if n != expected {
                self.push(
                    &format!("{path}[{i}].{key}"),
                    Code::NotContiguous,
                    format!(
                        "「{}」の「{}」は 1 から順に抜けなく付けてください({expected} のところが {n} です)",
                        f.label.ja, label.0
                    ),
                    format!(
                        "{}: {} must run 1, 2, 3… without gaps ({n} where {expected} was expected)",
                        f.label.en, label.1
                    ),
                );
                return;
            }
        }
    }

    fn reference(&mut self, f: &Field, v: &Value, path: &str) {
        let Some(s) = v.as_str() else {
            return self.wrong_type(f, path, "文字列", "a string");
        };
        let Some(target) = &f.reference else { return };
        if target.template.is_some() {
            if Uuid::parse_str(s).is_err() {
                self.push(
                    path,
                    Code::UnknownReference,
                    format!("「{}」の「{s}」は文書番号(UUID)ではありません", f.label.ja),
                    format!("{}: {s:?} is not a document id (UUID)", f.label.en),
                );
            }
        } else if let (Some(group), Some(key)) = (&target.group, &target.key) {
            let exists = self
                .root
                .get(group)
                .and_then(Value::as_array)
                .is_some_and(|rows| {
                    rows.iter()
                        .any(|r| r.get(key).and_then(Value::as_str) == Some(s))
                });
            if !exists {
                self.push(
                    path,
                    Code::UnknownReference,
                    format!(
                        "「{}」の「{s}」に当たる {group} の行がありません",
                        f.label.ja
                    ),
                    format!("{}: no row of {group} has {key} {s:?}", f.label.en),
                );
            }
        }
    }

    fn object(&mut self, f: &'a Field, obj: &'a Map<String, Value>, path: &str) {
        for key in obj.keys() {
            if f.sub_field(key).is_none() {
                let keys: Vec<&str> = f.fields.iter().map(|s| s.key.as_str()).collect();
                self.push(
                    &format!("{path}.{key}"),
                    Code::UnknownField,
                    format!(
                        "「{}」に「{key}」という項目はありません(あるもの: {})",
                        f.label.ja,
                        keys.join(", ")
                    ),
                    format!(
                        "{} has no field {key:?} (fields: {})",
                        f.label.en,
                        keys.join(", ")
                    ),
                );
            }
        }
        let scope = Scope {
            parent: Some(f),
            row: Some(obj),
        };
        for sub in &f.fields {
            self.field(
                sub,
                obj.get(&sub.key),
                &format!("{path}.{}", sub.key),
                true,
                scope,
            );
        }
    }

    fn group(&mut self, f: &'a Field, v: &'a Value, path: &str) {
        let Some(rows) = v.as_array() else {
            return self.wrong_type(f, path, "行の配列", "an array of rows");
        };
        for (i, row) in rows.iter().enumerate() {
            match row.as_object() {
                Some(obj) => self.object(f, obj, &format!("{path}[{i}]")),
                None => self.push(
                    &format!("{path}[{i}]"),
                    Code::WrongType,
                    format!(
                        "「{}」の {} 行目がオブジェクトではありません",
                        f.label.ja,
                        i + 1
                    ),
                    format!("{}: row {} is not an object", f.label.en, i + 1),
                ),
            }
        }
        if let Some(max) = f.max_rows
            && rows.len() > max as usize
        {
            self.push(
                path,
                Code::TooManyRows,
                format!(
                    "「{}」は {max} 行までです({} 行あります)",
                    f.label.ja,
                    rows.len()
                ),
                format!(
                    "{} takes at most {max} rows ({} given)",
                    f.label.en,
                    rows.len()
                ),
            );
        }
        for key in &f.unique {
            let mut seen = HashSet::new();
            for (i, row) in rows.iter().enumerate() {
                let Some(val) = row.get(key).filter(|v| !v.is_null()) else {
                    continue;
                };
                if !seen.insert(val.to_string()) {
                    let label = f
                        .sub_field(key)
                        .map_or(key.as_str(), |s| s.label.ja.as_str());
                    let label_en = f
                        .sub_field(key)
                        .map_or(key.as_str(), |s| s.label.en.as_str());
                    self.push(
                        &format!("{path}[{i}].{key}"),
                        Code::DuplicateValue,
                        format!(
                            "「{}」の「{label}」{val} が他の行と重複しています",
                            f.label.ja
                        ),
                        format!("{}: {label_en} {val} appears in another row", f.label.en),
                    );
                }
            }
        }
        for [a, b] in &f.distinct {
            for (i, row) in rows.iter().enumerate() {
                let (Some(va), Some(vb)) = (
                    row.get(a).filter(|v| !v.is_null()),
                    row.get(b).filter(|v| !v.is_null()),
                ) else {
                    continue;
                };
                if va == vb {
                    let label = |k: &str, ja: bool| {
                        f.sub_field(k).map_or(k.to_string(), |s| {
                            if ja {
                                s.label.ja.clone()
                            } else {
                                s.label.en.clone()
                            }
                        })
                    };
                    self.push(
                        &format!("{path}[{i}].{b}"),
                        Code::SameValue,
                        format!(
                            "「{}」{} 行目: 「{}」と「{}」が同じです。別のものを選んでください",
                            f.label.ja,
                            i + 1,
                            label(a, true),
                            label(b, true)
                        ),
                        format!(
                            "{} row {}: {} and {} are the same; choose different ones",
                            f.label.en,
                            i + 1,
                            label(a, false),
                            label(b, false)
                        ),
                    );
                }
            }
        }
        if self.mode != Mode::Final || rows.is_empty() {
            return;
        }
        if let Some(key) = &f.sequence {
            self.sequence(f, rows, key, path);
        }
        let min = f.min_rows.unwrap_or(0) as usize;
        if rows.len() < min {
            self.push(
                path,
                Code::TooFewRows,
                format!(
                    "「{}」は {min} 行以上必要です({} 行あります)",
                    f.label.ja,
                    rows.len()
                ),
                format!(
                    "{} needs at least {min} rows ({} given)",
                    f.label.en,
                    rows.len()
                ),
            );
        }
        if let Some(rr) = &f.require_row
            && !rows.iter().any(|r| r.get(&rr.key) == Some(&rr.equals))
        {
            let sub = f.sub_field(&rr.key);
            let option = sub.and_then(|s| rr.equals.as_str().and_then(|k| s.option(k)));
            let (ja, en) = option
                .map(|o| (o.label.ja.clone(), o.label.en.clone()))
                .unwrap_or_else(|| (rr.equals.to_string(), rr.equals.to_string()));
            self.push(
                path,
                Code::MissingRow,
                format!("「{}」に「{ja}」の行が必要です", f.label.ja),
                format!("{} needs a row for {en}", f.label.en),
            );
        }
    }

    fn eval(&self, c: &Condition, scope: Scope<'a>) -> bool {
        if let Some(list) = &c.all {
            return list.iter().all(|c| self.eval(c, scope));
        }
        if let Some(list) = &c.any {
            return list.iter().any(|c| self.eval(c, scope));
        }
        if let Some(inner) = &c.not {
            return !self.eval(inner, scope);
        }
        let Some(path) = &c.field else { return false };
        let values = self.values_at(path, scope);
        if let Some(want) = &c.equals {
            return values.contains(&want);
        }
        if let Some(list) = &c.is_in {
            return values.iter().any(|v| list.contains(v));
        }
        if let Some(list) = &c.not_in {
            return !values.is_empty() && values.iter().all(|v| !list.contains(v));
        }
        if let Some(want) = c.present {
            return want != values.is_empty();
        }
        false
    }

    /// The scalar values a condition path points at: a multi's keys and every row's value count.
    fn values_at(&self, path: &str, scope: Scope<'a>) -> Vec<&'a Value> {
        let mut out = Vec::new();
        let mut collect = |v: Option<&'a Value>| match v {
            Some(Value::Array(items)) => out.extend(items.iter().filter(|i| has_value(i))),
            Some(v) if has_value(v) => out.push(v),
            _ => {}
        };
        if let Some((group, sub)) = path.split_once('.') {
            match self.root.get(group) {
                Some(Value::Array(rows)) => rows.iter().for_each(|r| collect(r.get(sub))),
                Some(Value::Object(obj)) => collect(obj.get(sub)),
                _ => {}
            }
        } else if let (Some(parent), Some(row)) = (scope.parent, scope.row)
            && parent.sub_field(path).is_some()
        {
            collect(row.get(path));
        } else {
            collect(self.root.get(path));
        }
        out
    }
}

fn has_value(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => a.iter().any(has_value),
        Value::Object(o) => o.values().any(has_value),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

/// Whether a field counts as filled in.
fn present(f: &Field, v: &Value) -> bool {
    match f.kind {
        // An unticked box is an answer, but not a filled-in signature or consent.
        FieldType::Checkbox => v.is_boolean(),
        _ => has_value(v),
    }
}

struct Suggestion(Option<String>);

impl Suggestion {
    fn ja(&self) -> String {
        self.0
            .as_ref()
            .map(|k| format!("(「{k}」のことですか?)"))
            .unwrap_or_default()
    }
    fn en(&self) -> String {
        self.0
            .as_ref()
            .map(|k| format!(" (did you mean {k:?}?)"))
            .unwrap_or_default()
    }
}

/// The closest known key by edit distance, when it is close enough to be a likely typo.
fn suggest<'k>(key: &str, known: impl Iterator<Item = &'k str>) -> Suggestion {
    let chars = key.chars().count();
    let close_enough = 2.max(chars / 4);
    // The distance is at least the difference in length, so only keys of about the same length
    // are compared: an unknown key may be megabytes long (a record may be 16 MiB), and its full
    // distance to every known key took minutes.
    let best = known
        .filter(|k| chars.abs_diff(k.chars().count()) <= close_enough)
        .map(|k| (edit_distance(key, k), k))
        .min();
    Suggestion(match best {
        Some((d, k)) if d <= close_enough => Some(k.to_string()),
        _ => None,
    })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("sesion_date", "session_date"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
