//! pdf::preview: what an export will print, field by field, checked against the samples (all
//! fictional people) and the form definitions, without writing any PDF.

use serde_json::{Value, json};
use std::path::Path;
use taiwa::i18n::Lang;
use taiwa::pdf::preview::{ExportPreview, PreviewField};
use taiwa::pdf::{ExportOptions, PdfError, preview};
use taiwa::record::{Record, parse_record};
use taiwa::template::{Field, FieldType, Registry, Template};

const SAMPLES: [&str; 3] = ["dialogue-record", "work-consideration", "route-map"];

fn sample_value(name: &str) -> Value {
    let path = Path::new(crate::support::ROOT)
        .join("samples")
        .join(format!("{name}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn record(value: &Value) -> Record {
    parse_record(value.to_string().as_bytes(), Registry::builtin()).unwrap()
}

fn sample(name: &str) -> Record {
    record(&sample_value(name))
}

/// The samples are version 1 records: they are read, checked and printed as version 1.
fn template(id: &str) -> &'static Template {
    Registry::builtin().get_version(id, 1).unwrap()
}

fn opts(parts: Option<&[&str]>) -> ExportOptions {
    let mut o = ExportOptions::new(Lang::Ja);
    o.parts = parts.map(|p| p.iter().map(|s| s.to_string()).collect());
    o
}

fn show(r: &Record, parts: Option<&[&str]>) -> ExportPreview {
    preview(r, template(&r.template), &opts(parts)).expect("preview")
}

fn all_fields(p: &ExportPreview) -> Vec<&PreviewField> {
    p.sections.iter().flat_map(|s| &s.fields).collect()
}

#[track_caller]
fn field<'p>(p: &'p ExportPreview, path: &str) -> &'p PreviewField {
    all_fields(p)
        .into_iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no preview field {path}"))
}

fn has_path(p: &ExportPreview, path: &str) -> bool {
    all_fields(p).iter().any(|f| f.path == path)
}

fn section_keys(p: &ExportPreview) -> Vec<&str> {
    p.sections.iter().map(|s| s.key.as_str()).collect()
}

fn top_field<'t>(t: &'t Template, key: &str) -> &'t Field {
    t.sections
        .iter()
        .flat_map(|s| &s.fields)
        .find(|f| f.key == key)
        .unwrap_or_else(|| panic!("no field {key}"))
}

/// YYYY-MM-DD as the Japanese export prints it (西暦, the default).
fn ja_date(s: &str) -> String {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date");
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn label_of(f: &Field, key: &str) -> String {
    f.option(key)
        .unwrap_or_else(|| panic!("{} has no option {key}", f.key))
        .label
        .ja
        .clone()
}

/// The pieces of text a value must show on paper, worked out from the definition independently
/// of the preview code: dates as 年月日, option keys as their labels, numbers, ticks.
fn pieces(f: &Field, v: &Value) -> Vec<String> {
    match (f.kind, v) {
        (_, Value::Null) => vec![],
        (FieldType::Date, Value::String(s)) => vec![ja_date(s)],
        (FieldType::DateRange, Value::Object(o)) => {
            o.values().filter_map(Value::as_str).map(ja_date).collect()
        }
        (FieldType::TimeRange, Value::Object(o)) => o
            .values()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        (FieldType::Choice, Value::String(k)) => vec![label_of(f, k)],
        (FieldType::Multi, Value::Array(keys)) => keys
            .iter()
            .map(|k| label_of(f, k.as_str().unwrap()))
            .collect(),
        (FieldType::Checkbox, Value::Bool(true)) => vec!["✓".into()],
        (FieldType::Checkbox, Value::Bool(false)) => vec![],
        (FieldType::Number, Value::Number(n)) => vec![n.to_string()],
        (FieldType::Signature, Value::Object(o)) => {
            let mut out = Vec::new();
            if let Some(n) = o.get("name").and_then(Value::as_str) {
                out.push(n.to_string());
            }
            if let Some(d) = o.get("date").and_then(Value::as_str) {
                out.push(ja_date(d));
            }
            if o.get("confirmed") == Some(&json!(true)) {
                out.push("確認済".into());
            }
            out
        }
        (_, Value::Object(o)) => f
            .fields
            .iter()
            .filter_map(|sub| Some(pieces(sub, o.get(&sub.key)?)))
            .flatten()
            .collect(),
        (FieldType::Group, Value::Array(_)) => unreachable!("rows are checked one by one"),
        (_, Value::String(s)) => vec![s.clone()],
        (_, other) => panic!("{}: unexpected value {other}", f.key),
    }
}

/// The definition and record value a preview path names: `key`, `key[i]` (a row), `key.sub`.
fn resolve<'a>(t: &'a Template, r: &'a Record, path: &str) -> (&'a Field, &'a Value) {
    if let Some((key, rest)) = path.split_once('[') {
        let i: usize = rest.trim_end_matches(']').parse().unwrap();
        let f = top_field(t, key);
        return (f, &r.fields[key][i]);
    }
    if let Some((key, sub)) = path.split_once('.') {
        let f = top_field(t, key);
        return (f.sub_field(sub).unwrap(), &r.fields[key][sub]);
    }
    (top_field(t, path), &r.fields[path])
}

fn iso_date_in(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(10).any(|w| {
        w.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
    })
}

/// Every shown value is a value of the record as printed: the path names a value the record holds,
/// every piece of it is shown, no date is left in YYYY-MM-DD form and no option key shows raw.
#[track_caller]
fn check_values_are_the_records(r: &Record, p: &ExportPreview) {
    let t = template(&r.template);
    assert!(!p.sections.is_empty());
    for pf in all_fields(p) {
        assert!(
            !pf.value.trim().is_empty(),
            "{}: empty value shown",
            pf.path
        );
        let (f, v) = resolve(t, r, &pf.path);
        assert!(!v.is_null(), "{}: shown but not in the record", pf.path);
        let expected: Vec<String> = if pf.path.contains('[') {
            let row = v.as_object().unwrap();
            f.fields
                .iter()
                .filter_map(|sub| Some(pieces(sub, row.get(&sub.key)?)))
                .flatten()
                .collect()
        } else {
            pieces(f, v)
        };
        assert!(
            !expected.is_empty(),
            "{}: nothing to show, yet shown",
            pf.path
        );
        for piece in &expected {
            assert!(
                pf.value.contains(piece.as_str()),
                "{}: {:?} does not show {piece:?}",
                pf.path,
                pf.value
            );
        }
        assert!(
            !iso_date_in(&pf.value),
            "{}: a date is not in printed form: {:?}",
            pf.path,
            pf.value
        );
        for opt in &f.options {
            if matches!(f.kind, FieldType::Choice | FieldType::Multi) && opt.key.contains('_') {
                assert!(
                    !pf.value.contains(opt.key.as_str()),
                    "{}: raw option key {} shown",
                    pf.path,
                    opt.key
                );
            }
        }
    }
}

#[test]
fn every_sample_previews_each_value_as_printed_and_leaves_none_out() {
    for name in SAMPLES {
        let r = sample(name);
        let t = template(name);
        let p = show(&r, None);
        check_values_are_the_records(&r, &p);
        assert_eq!(p.title.ja, t.title.ja);
        // Nothing printable is left out: each field with something to show has a preview line.
        for f in t.sections.iter().flat_map(|s| &s.fields) {
            let Some(v) = r.fields.get(&f.key) else {
                continue;
            };
            let printable = match (f.kind, v) {
                (FieldType::Group, Value::Array(rows)) => !rows.is_empty(),
                _ => !pieces(f, v).is_empty(),
            };
            let shown = all_fields(&p).iter().any(|pf| {
                pf.path == f.key
                    || pf.path.starts_with(&format!("{}[", f.key))
                    || pf.path.starts_with(&format!("{}.", f.key))
            });
            assert_eq!(shown, printable, "{name}: {}", f.key);
            if let (FieldType::Group, Value::Array(rows)) = (f.kind, v) {
                for i in 0..rows.len() {
                    assert!(
                        has_path(&p, &format!("{}[{i}]", f.key)),
                        "{name}: {}[{i}]",
                        f.key
                    );
                }
            }
        }
        // Sections in the definition's order, each once, each with something in it.
        let order: Vec<&str> = t.sections.iter().map(|s| s.key.as_str()).collect();
        let keys = section_keys(&p);
        let mut positions: Vec<usize> = keys
            .iter()
            .map(|k| order.iter().position(|o| o == k).unwrap())
            .collect();
        let before = positions.clone();
        positions.dedup();
        positions.sort();
        assert_eq!(positions, before, "{name}: {keys:?}");
        assert!(p.sections.iter().all(|s| !s.fields.is_empty()));
    }
}

#[test]
fn preview_values_read_as_on_paper() {
    let r = sample("work-consideration");
    let t = template("work-consideration");
    let p = show(&r, None);
    assert_eq!(field(&p, "created_date").value, "2026年12月3日");
    assert_eq!(
        field(&p, "direction").value,
        label_of(top_field(t, "direction"), "integrated")
    );
    assert_eq!(field(&p, "wi_hours").value, "08:30 〜 17:30");
    assert_eq!(
        field(&p, "mo_period").value,
        "2027年1月12日 〜 2027年4月11日"
    );
    let unit = top_field(t, "wi_break").unit.as_ref().map(|u| u.ja.clone());
    assert_eq!(
        field(&p, "wi_break").value,
        match unit {
            Some(u) => format!("60 {u}"),
            None => "60".into(),
        }
    );
    assert_eq!(
        field(&p, "wi_confirm_person").value,
        "高橋 誠  2026年12月3日 (確認済)"
    );
    // A compound shows one line per sub-field, labelled with both.
    let phone = field(&p, "wi_company_contact.phone");
    assert_eq!(phone.value, "048-000-1234");
    let contact = top_field(t, "wi_company_contact");
    assert!(
        phone.label.ja.starts_with(&contact.label.ja),
        "{}",
        phone.label.ja
    );
    // A group shows one line per row, "label: value" cells.
    let first = field(&p, "mo_restrictions[0]");
    assert!(first.value.contains(" / "), "{}", first.value);
    assert!(first.value.contains("措置期間中は時間外・休日労働を避ける"));
    assert!(first.label.ja.ends_with(" 1"), "{}", first.label.ja);
    // In English, dates and labels follow the language.
    let mut en = opts(None);
    en.lang = Lang::En;
    let p_en = preview(&r, t, &en).unwrap();
    assert_eq!(field(&p_en, "created_date").value, "3 Dec 2026");
    assert_eq!(p_en.title.en, t.title.en);
    // 和暦 when asked.
    let mut wareki = opts(None);
    wareki.era = taiwa::pdf::Era::Wareki;
    let p_w = preview(&r, t, &wareki).unwrap();
    assert_eq!(field(&p_w, "created_date").value, "令和8年12月3日");
}

#[test]
fn work_consideration_parts_are_listed_once_and_select_what_is_shown() {
    let r = sample("work-consideration");
    let t = template("work-consideration");
    let p = show(&r, None);
    let keys: Vec<&str> = p.parts.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(keys, ["a", "b", "c", "d"]);
    for part in &p.parts {
        let first = t
            .sections
            .iter()
            .find(|s| s.part.as_deref() == Some(part.key.as_str()))
            .unwrap();
        assert_eq!(part.title.ja, first.title.ja);
    }
    assert_eq!(
        section_keys(&p),
        ["document", "part_a", "part_b", "part_c", "part_d"]
    );

    // Part A only: its sections and those without a part.
    let part_of = |path: &str| -> Option<String> {
        let key = path.split(['.', '[']).next().unwrap();
        t.sections
            .iter()
            .find(|s| s.fields.iter().any(|f| f.key == key))
            .unwrap()
            .part
            .clone()
    };
    let a = show(&r, Some(&["a"]));
    assert_eq!(section_keys(&a), ["document", "part_a"]);
    for pf in all_fields(&a) {
        let part = part_of(&pf.path);
        assert!(
            part.is_none() || part.as_deref() == Some("a"),
            "{} (part {part:?}) shown with parts [a]",
            pf.path
        );
    }
    assert!(has_path(&a, "direction") && has_path(&a, "wi_name"));
    assert!(!has_path(&a, "mo_name") && !has_path(&a, "oh_name") && !has_path(&a, "plan_type"));
    check_values_are_the_records(&r, &a);
    // The parts list does not depend on the selection.
    assert_eq!(a.parts.len(), 4);

    let bd = show(&r, Some(&["d", "b"]));
    assert_eq!(section_keys(&bd), ["document", "part_b", "part_d"]);
    check_values_are_the_records(&r, &bd);
    // No part at all: only what belongs to none.
    let none = show(&r, Some(&[]));
    assert_eq!(section_keys(&none), ["document"]);

    // A form without parts has an empty list.
    assert!(show(&sample("dialogue-record"), None).parts.is_empty());
    assert!(show(&sample("route-map"), None).parts.is_empty());
}

#[test]
fn an_unknown_part_is_refused_naming_it() {
    let r = sample("work-consideration");
    let t = template("work-consideration");
    for parts in [vec!["e"], vec!["a", "x"], vec!["A"], vec!["part_a"]] {
        let bad = parts
            .iter()
            .find(|p| !["a", "b", "c", "d"].contains(p))
            .unwrap();
        match preview(&r, t, &opts(Some(&parts))) {
            Err(e @ PdfError::UnknownPart { .. }) => {
                let PdfError::UnknownPart { part, known } = &e else {
                    unreachable!()
                };
                assert_eq!(part, bad);
                assert_eq!(known, "a, b, c, d");
                assert_eq!(taiwa::i18n::UserError::code(&e), "pdf.unknown_part");
            }
            other => panic!("{parts:?}: expected UnknownPart, got {other:?}"),
        }
    }
    // A form without parts knows none.
    let d = sample("dialogue-record");
    match preview(&d, template("dialogue-record"), &opts(Some(&["a"]))) {
        Err(PdfError::UnknownPart { part, known }) => {
            assert_eq!((part.as_str(), known.as_str()), ("a", "-"))
        }
        other => panic!("expected UnknownPart, got {other:?}"),
    }
}

#[test]
fn sensitive_values_are_marked_and_counted_only_when_shown() {
    let d = sample("dialogue-record");
    let p = show(&d, None);
    assert!(p.sensitive, "the dialogue sample holds a diagnosis");
    assert!(field(&p, "diagnosis_name").sensitive);
    assert!(field(&p, "functional_impacts").sensitive);
    assert!(
        field(&p, "barriers[0]").sensitive,
        "a row with a sensitive cell"
    );
    assert!(!field(&p, "person_name").sensitive);
    assert!(!field(&p, "session_date").sensitive);
    // Each shown field is marked exactly when its definition says so.
    let t = template("dialogue-record");
    for pf in all_fields(&p) {
        let key = pf.path.split(['.', '[']).next().unwrap();
        let f = top_field(t, key);
        let expected = f.sensitive
            || match pf.path.split_once('.') {
                Some((_, sub)) => f.sub_field(sub).unwrap().sensitive,
                None => pf.path.contains('[') && f.fields.iter().any(|s| s.sensitive),
            };
        assert_eq!(pf.sensitive, expected, "{}", pf.path);
    }

    // Without any sensitive value, nothing is sensitive.
    let mut v = sample_value("dialogue-record");
    let fields = v["fields"].as_object_mut().unwrap();
    for f in t.sections.iter().flat_map(|s| &s.fields) {
        if f.sensitive || f.fields.iter().any(|s| s.sensitive) {
            fields.remove(&f.key);
        }
    }
    let plain = show(&record(&v), None);
    assert!(!plain.sensitive);
    assert!(all_fields(&plain).iter().all(|f| !f.sensitive));

    // A part that is not exported does not make the export sensitive: Part A of the sample
    // without its sensitive texts is plain, though Part B (not exported) holds a diagnosis.
    let mut w = sample_value("work-consideration");
    let wf = w["fields"].as_object_mut().unwrap();
    wf.remove("wi_notes");
    wf.remove("wi_questions");
    // Health facts in free text (issue 18 item 10), sensitive in version 1 too.
    wf.remove("wi_sickness_benefit");
    wf.remove("wi_leave_until");
    let w = record(&w);
    assert!(!show(&w, Some(&["a"])).sensitive);
    assert!(show(&w, Some(&["a", "b"])).sensitive);
    assert!(show(&w, None).sensitive);
    assert!(show(&sample("work-consideration"), Some(&["a"])).sensitive);
}

#[test]
fn fields_without_a_value_are_not_shown() {
    let mut v = sample_value("dialogue-record");
    let f = v["fields"].as_object_mut().unwrap();
    f.insert("strengths".into(), json!(""));
    f.insert("good_day".into(), json!("   "));
    f.insert("person_alias".into(), Value::Null);
    f.remove("session_mode");
    f.insert("supporter_assisting".into(), json!(false));
    f.insert("requested_measures".into(), json!([]));
    f.insert("attachments".into(), json!([]));
    f["recorder"]["role"] = json!("");
    // A row with nothing in it is not shown; the rows around it keep their indexes.
    f["participants"][1] = json!({"name": ""});
    // The whole review section without values: no section at all.
    f.remove("next_review_date");
    f.remove("review_triggers");
    f.remove("followups");
    let r = record(&v);
    let p = show(&r, None);
    for path in [
        "strengths",
        "good_day",
        "person_alias",
        "session_mode",
        "supporter_assisting",
        "requested_measures",
        "requested_measures[0]",
        "attachments",
        "recorder.role",
        "participants[1]",
        "next_review_date",
    ] {
        assert!(!has_path(&p, path), "{path} shown without a value");
    }
    assert!(
        !all_fields(&p)
            .iter()
            .any(|f| f.path.starts_with("followups")),
        "followups shown"
    );
    assert!(has_path(&p, "recorder.name"));
    assert!(has_path(&p, "participants[0]") && has_path(&p, "participants[2]"));
    assert!(
        !section_keys(&p).contains(&"review"),
        "{:?}",
        section_keys(&p)
    );
    check_values_are_the_records(&r, &p);

    // A record with no values at all previews to nothing.
    let blank = Record::new("route-map", template("route-map").version);
    let p = show(&blank, None);
    assert!(p.sections.is_empty());
    assert!(!p.sensitive);
}
