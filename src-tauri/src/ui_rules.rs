//! The rules the UI shows, written from the core for the UI: ui/src/generated/*.json. Each file
//! holds the data a rule needs (the era table, the month names, the roles a consent may name, the
//! route map's lengths) and inputs with what the core makes of them; the UI takes the data from
//! these files and its tests (ui/tests/rules.test.ts) check its functions against the cases. Like
//! ui/src/bindings, the files are committed and scripts/test.sh fails when a test run changed them.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use taiwa::i18n::{Lang, UserError};
use taiwa::template::Registry;
use taiwa::text::date::{self, ERAS, Era, MONTHS_EN, WAREKI_FROM};

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/generated")
}

/// Writes `value` as JSON (only when it changed, so the file's time stays put): indented, except
/// the mock's fixtures, which are large and read by no one (one line per top-level entry).
pub fn write(name: &str, value: &Value) {
    let path = out_dir().join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let text = if name.starts_with("fixtures/") {
        compact_lines(value)
    } else {
        serde_json::to_string_pretty(value).unwrap() + "\n"
    };
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&path, text).unwrap();
    }
}

/// `value` on one line per entry of its top level (an array's items, an object's keys), so that a
/// change shows as the lines of the entries it touched.
fn compact_lines(value: &Value) -> String {
    let line = |v: &Value| serde_json::to_string(v).unwrap();
    match value {
        Value::Array(items) => {
            let rows: Vec<String> = items.iter().map(line).collect();
            format!("[\n{}\n]\n", rows.join(",\n"))
        }
        Value::Object(map) => {
            let rows: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", line(&json!(k)), line(v)))
                .collect();
            format!("{{\n{}\n}}\n", rows.join(",\n"))
        }
        other => line(other) + "\n",
    }
}

fn ymd((y, m, d): (i32, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

fn lang_key(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => "ja",
        Lang::En => "en",
    }
}

fn era_key(era: Era) -> &'static str {
    match era {
        Era::Seireki => "seireki",
        Era::Wareki => "wareki",
    }
}

/// Era boundaries, the calendar's edges and what is not a date in the record's shape.
const DATE_INPUTS: &[&str] = &[
    "2026-11-20",
    "2026-01-05",
    "2019-05-01",
    "2019-04-30",
    "2020-01-01",
    "1989-01-08",
    "1989-01-07",
    "1990-12-31",
    "1926-12-25",
    "1926-12-24",
    "1927-01-01",
    "1912-07-30",
    "1912-07-29",
    "1913-01-01",
    "1873-01-01",
    "1872-12-31",
    "1868-10-23",
    "1868-10-22",
    "2024-02-29",
    "2023-02-29",
    "2000-02-29",
    "2100-02-29",
    "0000-02-29",
    "0050-01-01",
    "0999-12-31",
    "9999-12-31",
    "2026-02-30",
    "2026-04-31",
    "2026-13-01",
    "2026-00-10",
    "2026-01-00",
    "2026-1-5",
    "2026-01-5",
    " 2026-01-05",
    "2026-01-05 ",
    "２０２６-01-05",
    "2026/01/05",
    "20260105",
    "+2026-01-05",
    "2026-01-05T10:00:00Z",
    "",
    "not a date",
];

/// What people type: every form `parse_typed` reads, in both widths, era edges, impossible days,
/// and what it refuses.
const TYPED_INPUTS: &[&str] = &[
    "2026-11-20",
    "2026/11/20",
    "2026.11.20",
    "20261120",
    "2026年11月20日",
    "2026年11月20",
    "令和8年11月20日",
    "令和08年11月20日",
    "令和8/11/20",
    "R8.11.20",
    "R8/11/20",
    "r8.11.20",
    "R08-11-20",
    "２０２６／１１／２０",
    "令和８年１１月２０日",
    "Ｒ８．１１．２０",
    "ｒ８．１１．２０",
    " 2026 / 11 / 20 ",
    "令和\u{3000}8年 11月 20日",
    "2026/11/20\u{85}",
    "\u{feff}2026/11/20",
    "2026/11/20\u{a0}",
    "㋿8年11月20日",
    "㍻31年4月30日",
    "2026ー11ー20",
    "2026−11−20",
    "2026–11–20",
    "2026/1/5",
    "令和元年5月1日",
    "令和1年5月1日",
    "H31.4.30",
    "h31.4.30",
    "平成元年1月8日",
    "S64.1.7",
    "S64.1.8",
    "s50.4.1",
    "T15.12.24",
    "T15.12.25",
    "T1.7.30",
    "M45.7.29",
    "M45.7.30",
    "明治6年1月1日",
    "明治5年12月31日",
    "明治元年10月23日",
    "2024/2/29",
    "2023/2/29",
    "2000/2/29",
    "2100/2/29",
    "2026/02/30",
    "2026/4/31",
    "2026/4/0",
    "2026/13/1",
    "2026/0/1",
    "2026/00/10",
    "平成31年5月1日",
    "平成32年1月1日",
    "令和元年4月30日",
    "令和0年12月1日",
    "令和100年1月1日",
    "0001/01/01",
    "9999/12/31",
    "",
    "   ",
    "26/11/20",
    "2026/11",
    "2026/11-20",
    "2026/11/20日",
    "2026年11/20",
    "2026年11月20日日",
    "R8",
    "X8.11.20",
    "2026/11/20/1",
    "11/20/2026",
    "20/11/2026",
    "令和八年十一月二十日",
    "2026年元年1月1日",
    "元年1月1日",
    "2026.11.20.",
    "202611201",
    "2026111",
    "+2026-01-05",
    "2026-01-05T10:00:00Z",
    "Reiwa 8.11.20",
    "not a date",
];

#[test]
fn dates() {
    let mut cases = Vec::new();
    for input in DATE_INPUTS {
        for era in [Era::Seireki, Era::Wareki] {
            for lang in [Lang::Ja, Lang::En] {
                cases.push(json!({
                    "date": input,
                    "era": era_key(era),
                    "lang": lang_key(lang),
                    "text": date::date(input, lang, era),
                }));
            }
        }
    }
    let typed_cases: Vec<Value> = TYPED_INPUTS
        .iter()
        .map(|input| match date::parse_typed(input) {
            Ok(d) => json!({ "input": input, "iso": d.format("%Y-%m-%d").to_string() }),
            Err(e) => {
                let m = e.message();
                json!({ "input": input, "error": { "code": e.code(), "ja": m.ja, "en": m.en } })
            }
        })
        .collect();
    let eras: Vec<Value> = ERAS
        .iter()
        .map(|e| json!({ "ja": e.ja, "en": e.en, "start": ymd(e.start) }))
        .collect();
    write(
        "dates.json",
        &json!({
            "eras": eras,
            "wareki_from": ymd(WAREKI_FROM),
            "months_en": MONTHS_EN,
            "cases": cases,
            "typed_cases": typed_cases,
        }),
    );
}

/// How recipients are told apart: width, white space of every kind, case, marks that look blank.
const RECIPIENTS: &[&str] = &[
    "  みどり食品\u{3000}人事部  小林 ",
    "ＡＢＣ商事",
    "abc",
    "ABC",
    "ｶﾄｳ ﾐﾅﾐ",
    "㈱ひかり物流",
    "a\tb\nc\rd",
    "a\u{0085}b",
    "a\u{00A0}b",
    "a\u{1680}b",
    "a\u{2003}b",
    "a\u{2028}b",
    "a\u{202F}b",
    "a\u{205F}b",
    "a\u{FEFF}b",
    "a\u{200B}b",
    "a\u{180E}b",
    "a\u{001C}b",
    "",
    "   ",
    "\u{3000}",
];

/// Roles as typed: keys, labels in other widths and cases, nothing known.
const ROLES: &[&str] = &[
    "hr",
    "HR",
    " 人事 ",
    "ｈｒ",
    "産業医・産業保健スタッフ",
    "Attending Physician",
    "attending_physician",
    "nobody",
    "共有しない",
    "社長",
    "総務課",
    "",
    "  ",
];

#[test]
fn consent_options() {
    let r = Registry::builtin();
    let kinds = taiwa::consent::recipient_kinds(r);
    let mut role_inputs: Vec<String> = ROLES.iter().map(|s| s.to_string()).collect();
    for o in &kinds {
        role_inputs.extend([o.key.clone(), o.label.ja.clone(), o.label.en.to_uppercase()]);
    }
    let role_cases: Vec<Value> = role_inputs
        .iter()
        .map(|role| json!({ "role": role, "kind": taiwa::consent::recipient_kind(Some(role), r) }))
        .collect();
    let recipient_cases: Vec<Value> = RECIPIENTS
        .iter()
        .map(|s| json!({ "text": s, "folded": taiwa::consent::normalize_recipient(s) }))
        .collect();
    let mut scopes = Vec::new();
    for id in r.ids() {
        for version in r.versions(id) {
            let t = r.get_version(id, version).unwrap();
            scopes.push(json!({
                "template": id,
                "version": version,
                "section_keys": taiwa::consent::section_keys(t),
                "options": taiwa::consent::scope_options(t),
            }));
        }
    }
    let (template, field) = taiwa::consent::KIND_SOURCE;
    write(
        "consent.json",
        &json!({
            "max_name": taiwa::consent::MAX_NAME,
            "max_purpose": taiwa::consent::MAX_PURPOSE,
            "methods": taiwa::consent::Method::ALL.map(|m| m.as_str()),
            "roles_from": { "template": template, "field": field },
            "roles": kinds,
            "role_cases": role_cases,
            "recipient_cases": recipient_cases,
            "scopes": scopes,
        }),
    );
}

#[test]
fn route_map_limits() {
    use taiwa::routemap::{TEMPLATE_ID, truncate};
    let t = Registry::builtin().get(TEMPLATE_ID).unwrap();
    let limits = |group: &str| -> serde_json::Map<String, Value> {
        t.field(group)
            .map(|g| {
                g.fields
                    .iter()
                    .filter_map(|f| Some((f.key.clone(), json!(f.max_length?))))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut cases = Vec::new();
    for text in [
        "",
        "abc",
        "あいうえお",
        "𠮷野家の牛丼",
        "👨‍👩‍👧 family",
        "a\u{0301}bc",
    ] {
        for max in [None, Some(1), Some(2), Some(3), Some(4), Some(5), Some(200)] {
            cases.push(json!({ "text": text, "max": max, "out": truncate(text, max) }));
        }
    }
    write(
        "routemap.json",
        &json!({
            "template": TEMPLATE_ID,
            "max_lengths": { "nodes": limits("nodes"), "steps": limits("steps") },
            "truncate_cases": cases,
        }),
    );
}

/// Every version of every form as `template_get` answers (the mock's forms; the rule tests run
/// the UI's functions on them).
#[test]
fn templates_as_loaded() {
    let r = Registry::builtin();
    let all: Vec<&taiwa::template::Template> = r
        .ids()
        .into_iter()
        .flat_map(|id| r.versions(id).into_iter().map(move |v| (id, v)))
        .filter_map(|(id, v)| r.get_version(id, v))
        .collect();
    write("fixtures/templates.json", &json!(all));
}
