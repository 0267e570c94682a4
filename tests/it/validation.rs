//! The public record API against the real, built-in form definitions: every definition loads, every
//! sample is a valid final record, a broken definition is refused with its file and field named, and
//! every validation rule and every parse error is reported where it happens.
//!
//! Each rule test starts from a sample (all fictional people), changes one thing and asserts the exact
//! problems (path and code), so a rule that fires too often fails as surely as one that never fires.

use serde_json::{Map, Value, json};
use std::collections::HashSet;
use taiwa::record::{
    DocStatus, MAX_RECORD_BYTES, Mode, Problem, ProblemCode as C, RecordError, parse_record,
    validate,
};
use taiwa::template::builtin::{OLDER_TEMPLATE_FILES, SOURCES_FILE};
use taiwa::template::{DefinitionFiles, Field, LoadError, Registry};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const SAMPLE_DIALOGUE: &str = include_str!("../../samples/dialogue-record.json");
const SAMPLE_WORK: &str = include_str!("../../samples/work-consideration.json");
const SAMPLE_ROUTE: &str = include_str!("../../samples/route-map.json");

const DEF_DIALOGUE: &str = include_str!("../../templates/dialogue-record.json");
const DEF_WORK: &str = include_str!("../../templates/work-consideration.json");
const DEF_ROUTE: &str = include_str!("../../templates/route-map.json");
const DEF_AGENCIES: &str = include_str!("../../templates/agencies.json");
const DEF_ROUTES: &str = include_str!("../../templates/routes.json");

fn registry() -> &'static Registry {
    Registry::builtin()
}

fn dialogue() -> Value {
    serde_json::from_str(SAMPLE_DIALOGUE).unwrap()
}

fn work() -> Value {
    serde_json::from_str(SAMPLE_WORK).unwrap()
}

fn route() -> Value {
    serde_json::from_str(SAMPLE_ROUTE).unwrap()
}

/// The value at a JSON pointer inside `fields` (`/participants/0/name`).
#[track_caller]
fn at<'a>(record: &'a mut Value, pointer: &str) -> &'a mut Value {
    record
        .pointer_mut(&format!("/fields{pointer}"))
        .unwrap_or_else(|| panic!("the sample has no {pointer}"))
}

/// Sets (or adds) the value at a pointer inside `fields`.
#[track_caller]
fn set(record: &mut Value, pointer: &str, value: Value) {
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    match at(record, parent) {
        Value::Object(m) => {
            m.insert(last.to_string(), value);
        }
        Value::Array(a) => a[last.parse::<usize>().unwrap()] = value,
        other => panic!("{parent} is not a container: {other}"),
    }
}

/// Removes the value at a pointer inside `fields`; the sample must have had it.
#[track_caller]
fn remove(record: &mut Value, pointer: &str) {
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    let removed = match at(record, parent) {
        Value::Object(m) => m.remove(last),
        Value::Array(a) => Some(a.remove(last.parse::<usize>().unwrap())),
        other => panic!("{parent} is not a container: {other}"),
    };
    assert!(removed.is_some(), "the sample has no {pointer} to remove");
}

fn fields(record: &mut Value) -> &mut Map<String, Value> {
    record["fields"].as_object_mut().unwrap()
}

fn problems_with(registry: &Registry, record: &Value, mode: Mode) -> Vec<Problem> {
    let bytes = serde_json::to_vec(record).unwrap();
    let parsed = parse_record(&bytes, registry).unwrap_or_else(|e| panic!("parse_record: {e}"));
    let template = registry.template_for(&parsed).unwrap();
    validate(&parsed, template, mode)
}

fn problems(record: &Value, mode: Mode) -> Vec<Problem> {
    problems_with(registry(), record, mode)
}

/// Asserts exactly these problems (as a set of (path, code)) and returns them for message checks.
#[track_caller]
fn expect(record: &Value, mode: Mode, expected: &[(&str, C)]) -> Vec<Problem> {
    expect_with(registry(), record, mode, expected)
}

#[track_caller]
fn expect_with(
    registry: &Registry,
    record: &Value,
    mode: Mode,
    expected: &[(&str, C)],
) -> Vec<Problem> {
    let found = problems_with(registry, record, mode);
    let mut got: Vec<(String, C)> = found.iter().map(|p| (p.path.clone(), p.code)).collect();
    let mut want: Vec<(String, C)> = expected.iter().map(|(p, c)| (p.to_string(), *c)).collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    want.sort_by(|a, b| a.0.cmp(&b.0));
    let lines: Vec<String> = found
        .iter()
        .map(|p| format!("{} [{}]: {}", p.path, p.code.as_str(), p.message.en))
        .collect();
    assert_eq!(
        got,
        want,
        "problems found ({mode:?}):\n{}",
        lines.join("\n")
    );
    found
}

#[track_caller]
fn expect_valid(record: &Value, mode: Mode) {
    expect(record, mode, &[]);
}

/// Every field of a definition, depth first, with its sub-fields.
fn all_fields(fields: &[Field]) -> Vec<&Field> {
    let mut out = Vec::new();
    for f in fields {
        out.push(f);
        out.extend(all_fields(&f.fields));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The built-in definitions and the samples
// ---------------------------------------------------------------------------------------------

#[test]
fn every_builtin_definition_loads() {
    let registry = match Registry::try_builtin() {
        Ok(r) => r,
        Err(e) => panic!("a built-in definition is broken: {e}"),
    };
    assert_eq!(
        registry.ids(),
        ["dialogue-record", "work-consideration", "route-map"]
    );
    assert_eq!(registry.templates().count(), 3);
    for id in ["dialogue-record", "work-consideration", "route-map"] {
        let t = registry
            .get(id)
            .unwrap_or_else(|| panic!("no template {id}"));
        assert_eq!(t.id, id);
        assert_eq!(t.version, 2, "new records use the newest version");
        assert_eq!(registry.versions(id), [1, 2], "version 1 is still read");
    }
}

#[test]
fn the_agency_catalogue_has_every_node_type_of_domain_4_2() {
    // docs/domain.md §4.2, the key column, and the four the domain review found missing (issue 19;
    // docs/domain-review.md).
    const KEYS: [&str; 30] = [
        "person",
        "family",
        "attending_physician",
        "hospital_coordinator",
        "cancer_support_center",
        "employer_hr",
        "line_manager",
        "occupational_physician",
        "oh_staff",
        "disability_life_counselor",
        "sanpo_center",
        "chisanpo",
        "nanbyo_support_center",
        "hellowork_nanbyo_supporter",
        "hellowork_disability_desk",
        "local_voc_center",
        "nakapotsu",
        "transition_service",
        "retention_service",
        "municipality_welfare",
        "health_center",
        "labour_bureau",
        "sharoushi",
        "health_insurer",
        "pension_office",
        "discrimination_desk",
        "mental_health_welfare_center",
        "developmental_disability_center",
        "employment_selection_service",
        "general_labour_consultation",
    ];
    let agencies = &registry().agencies;
    let keys: HashSet<&str> = agencies.agencies.iter().map(|a| a.key.as_str()).collect();
    for key in KEYS {
        assert!(keys.contains(key), "agencies.json has no {key}");
        let a = agencies.get(key).unwrap();
        assert!(!a.label.ja.is_empty() && !a.label.en.is_empty(), "{key}");
    }
    assert_eq!(agencies.agencies.len(), 30, "one entry per key");
    assert!(
        chrono_like_date(&agencies.as_of),
        "as_of {}",
        agencies.as_of
    );

    // The route map's node types are exactly the catalogue.
    let node_type = registry()
        .get("route-map")
        .unwrap()
        .sections
        .iter()
        .flat_map(|s| &s.fields)
        .find(|f| f.key == "nodes")
        .and_then(|f| f.sub_field("node_type"))
        .unwrap();
    let options: HashSet<&str> = node_type.options.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(options, KEYS.into_iter().collect::<HashSet<_>>());
}

fn chrono_like_date(s: &str) -> bool {
    s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-'
}

#[test]
fn the_eight_standard_routes_step_between_catalogue_agencies() {
    let registry = registry();
    let routes = &registry.routes.routes;
    let keys: Vec<&str> = routes.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"]);
    for (i, r) in routes.iter().enumerate() {
        assert_eq!(r.code, format!("R{}", i + 1));
        assert!(registry.routes.get(&r.code).is_some());
        assert!(!r.steps.is_empty(), "{} has no steps", r.key);
        for (j, s) in r.steps.iter().enumerate() {
            for end in [&s.from, &s.to] {
                assert!(
                    registry.agencies.get(end).is_some(),
                    "{} step {j}: {end:?} is not an agency key",
                    r.key
                );
            }
        }
    }
}

#[test]
fn every_sample_is_a_valid_final_record() {
    for (name, text) in [
        ("dialogue-record", SAMPLE_DIALOGUE),
        ("work-consideration", SAMPLE_WORK),
        ("route-map", SAMPLE_ROUTE),
    ] {
        let record =
            parse_record(text.as_bytes(), registry()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(record.template, name);
        assert_eq!(record.status, DocStatus::Final);
        // The samples are version 1 records and stay valid as version 1.
        assert_eq!(record.template_version, 1);
        let template = registry().template_for(&record).unwrap();
        for mode in [Mode::Final, Mode::Draft] {
            let found = validate(&record, template, mode);
            assert!(
                found.is_empty(),
                "{name} ({mode:?}): {:#?}",
                found
                    .iter()
                    .map(|p| p.line(taiwa::Lang::En))
                    .collect::<Vec<_>>()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Broken definitions
// ---------------------------------------------------------------------------------------------

/// Loads the real definition files with one of them edited.
fn load_modified(file: &str, edit: impl Fn(&mut Value)) -> Result<Registry, LoadError> {
    let mut texts: Vec<(&str, String)> = vec![
        ("dialogue-record.json", DEF_DIALOGUE.to_string()),
        ("work-consideration.json", DEF_WORK.to_string()),
        ("route-map.json", DEF_ROUTE.to_string()),
        ("agencies.json", DEF_AGENCIES.to_string()),
        ("routes.json", DEF_ROUTES.to_string()),
    ];
    let entry = texts
        .iter_mut()
        .find(|(name, _)| *name == file)
        .unwrap_or_else(|| panic!("no definition file {file}"));
    let mut value: Value = serde_json::from_str(&entry.1).unwrap();
    edit(&mut value);
    entry.1 = serde_json::to_string_pretty(&value).unwrap();
    // The samples are version 1 records: the same edit goes into version 1 of that form.
    let older: Vec<(&str, String)> = OLDER_TEMPLATE_FILES
        .iter()
        .map(|(name, text)| {
            if name.ends_with(&format!("/{file}")) {
                let mut value: Value = serde_json::from_str(text).unwrap();
                edit(&mut value);
                (*name, serde_json::to_string_pretty(&value).unwrap())
            } else {
                (*name, text.to_string())
            }
        })
        .collect();
    let templates: Vec<(&str, &str)> = texts[..3].iter().map(|(n, t)| (*n, t.as_str())).collect();
    let older: Vec<(&str, &str)> = older.iter().map(|(n, t)| (*n, t.as_str())).collect();
    Registry::load_files(&DefinitionFiles {
        templates: &templates,
        older: &older,
        agencies: (texts[3].0, &texts[3].1),
        routes: (texts[4].0, &texts[4].1),
        sources: SOURCES_FILE,
    })
}

#[track_caller]
fn load_error(file: &str, edit: impl Fn(&mut Value)) -> LoadError {
    match load_modified(file, edit) {
        Ok(_) => panic!("the broken {file} loaded"),
        Err(e) => e,
    }
}

/// A field of a definition file by key, at any depth.
#[track_caller]
fn def_field<'a>(template: &'a mut Value, key: &str) -> &'a mut Value {
    fn find<'a>(fields: &'a mut Value, key: &str) -> Option<&'a mut Value> {
        for f in fields.as_array_mut()? {
            if f["key"] == key {
                return Some(f);
            }
            if f.get("fields").is_some()
                && let Some(found) = find(&mut f["fields"], key)
            {
                return Some(found);
            }
        }
        None
    }
    let sections = template["sections"].as_array_mut().unwrap();
    for s in sections {
        if let Some(f) = find(&mut s["fields"], key) {
            return f;
        }
    }
    panic!("no field {key} in the definition")
}

#[test]
fn the_unmodified_files_load_through_registry_load() {
    let registry = load_modified("dialogue-record.json", |_| {}).unwrap();
    assert_eq!(registry.ids().len(), 3);
}

#[test]
fn a_condition_naming_a_missing_field_is_refused() {
    let e = load_error("dialogue-record.json", |t| {
        def_field(t, "contract_end")["required"] =
            json!({"field": "employment_typ", "equals": "fixed_term"});
    });
    assert_eq!(e.file, "dialogue-record.json");
    assert!(e.path.contains("(contract_end)"), "{e}");
    assert!(e.path.contains("required"), "{e}");
    assert!(e.message.contains("employment_typ"), "{e}");
    let shown = e.to_string();
    assert!(shown.contains("dialogue-record.json") && shown.contains("contract_end"));
}

#[test]
fn a_condition_naming_a_value_that_is_not_an_option_is_refused() {
    let e = load_error("dialogue-record.json", |t| {
        def_field(t, "contract_end")["required"] =
            json!({"field": "employment_type", "equals": "fixedterm"});
    });
    assert_eq!(e.file, "dialogue-record.json");
    assert!(e.path.contains("(contract_end)"), "{e}");
    assert!(e.message.contains("fixedterm"), "{e}");
}

#[test]
fn a_duplicate_option_key_is_refused() {
    let e = load_error("dialogue-record.json", |t| {
        let options = def_field(t, "session_mode")["options"]
            .as_array_mut()
            .unwrap();
        let copy = options[0].clone();
        options.push(copy);
    });
    assert_eq!(e.file, "dialogue-record.json");
    assert!(e.path.contains("(session_mode)"), "{e}");
    assert!(e.message.contains("duplicate option key"), "{e}");
    assert!(e.message.contains("in_person"), "{e}");
}

#[test]
fn an_option_key_in_japanese_is_refused() {
    let e = load_error("work-consideration.json", |t| {
        def_field(t, "mo_fitness")["options"][0]["key"] = json!("可");
    });
    assert_eq!(e.file, "work-consideration.json");
    assert!(e.path.contains("(mo_fitness)"), "{e}");
    assert!(e.message.contains("可"), "{e}");
}

#[test]
fn an_unknown_key_in_a_field_is_refused() {
    let e = load_error("dialogue-record.json", |t| {
        let f = def_field(t, "session_date").as_object_mut().unwrap();
        f.remove("required");
        f.insert("requird".into(), json!(true));
    });
    assert_eq!(e.file, "dialogue-record.json");
    // serde names the place (sections[0].fields[2]) and the unknown key.
    assert!(e.path.contains("sections[0].fields[2]"), "{e}");
    assert!(
        e.path.contains("requird") || e.message.contains("requird"),
        "{e}"
    );
}

#[test]
fn options_from_naming_nothing_is_refused() {
    let e = load_error("work-consideration.json", |t| {
        def_field(t, "task")["options_from"] = json!("wi_duty_flag");
    });
    assert_eq!(e.file, "work-consideration.json");
    assert!(e.path.contains("(mo_restrictions)"), "{e}");
    assert!(e.path.contains("(task)"), "{e}");
    assert!(e.message.contains("wi_duty_flag"), "{e}");
}

#[test]
fn a_ref_to_an_unknown_template_is_refused() {
    let e = load_error("dialogue-record.json", |t| {
        def_field(t, "medical_input_ref")["ref"] = json!({"template": "work_consideration"});
    });
    assert_eq!(e.file, "dialogue-record.json");
    assert!(e.path.contains("(medical_input_ref)"), "{e}");
    assert!(e.message.contains("work_consideration"), "{e}");
}

#[test]
fn a_ref_to_a_missing_group_key_is_refused() {
    let e = load_error("route-map.json", |t| {
        def_field(t, "to_node")["ref"] = json!({"group": "nodes", "key": "node_no"});
    });
    assert_eq!(e.file, "route-map.json");
    assert!(e.path.contains("(to_node)"), "{e}");
    assert!(e.message.contains("node_no"), "{e}");
}

#[test]
fn a_route_step_to_an_unknown_agency_is_refused() {
    let e = load_error("routes.json", |r| {
        r["routes"][2]["steps"][0]["to"] = json!("nanbyo_center");
    });
    assert_eq!(e.file, "routes.json");
    assert!(e.path.contains("(r3)"), "{e}");
    assert!(e.message.contains("nanbyo_center"), "{e}");
}

#[test]
fn a_duplicate_agency_key_is_refused() {
    let e = load_error("agencies.json", |a| {
        a["agencies"][1]["key"] = json!("person");
    });
    assert_eq!(e.file, "agencies.json");
    assert!(e.path.contains("(person)"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Validation rules, one each
// ---------------------------------------------------------------------------------------------

#[test]
fn required_is_not_enforced_on_a_draft_but_is_when_final() {
    let mut r = dialogue();
    remove(&mut r, "/session_date");
    expect_valid(&r, Mode::Draft);
    let p = expect(&r, Mode::Final, &[("session_date", C::Required)]);
    assert_eq!(p[0].message.ja, "「実施日」は必須です");
    assert_eq!(p[0].message.en, "Session date is required");

    // The record's own status picks the mode.
    r["status"] = json!("draft");
    let parsed = parse_record(&serde_json::to_vec(&r).unwrap(), registry()).unwrap();
    let mode = Mode::for_status(parsed.status);
    assert_eq!(mode, Mode::Draft);
    assert!(validate(&parsed, registry().template_for(&parsed).unwrap(), mode).is_empty());
}

#[test]
fn required_applies_inside_rows_and_compounds() {
    let mut r = dialogue();
    remove(&mut r, "/participants/1/name");
    remove(&mut r, "/recorder/name");
    set(&mut r, "/barriers/0/description", json!("   "));
    expect(
        &r,
        Mode::Final,
        &[
            ("participants[1].name", C::Required),
            ("recorder.name", C::Required),
            ("barriers[0].description", C::Required),
        ],
    );
    expect_valid(&r, Mode::Draft);
}

#[test]
fn an_empty_value_does_not_count_as_given() {
    let mut r = dialogue();
    set(&mut r, "/person_name", json!(""));
    set(&mut r, "/legal_basis", json!([]));
    set(&mut r, "/barriers", json!([]));
    set(&mut r, "/session_date", Value::Null);
    expect(
        &r,
        Mode::Final,
        &[
            ("person_name", C::Required),
            ("legal_basis", C::Required),
            ("barriers", C::Required),
            ("session_date", C::Required),
        ],
    );
}

#[test]
fn a_required_confirmation_must_be_ticked() {
    let mut r = dialogue();
    set(&mut r, "/sign_person/confirmed", json!(false));
    let p = expect(
        &r,
        Mode::Final,
        &[("sign_person.confirmed", C::MustBeTicked)],
    );
    assert!(p[0].message.ja.contains("チェックが必要です"));
    expect_valid(&r, Mode::Draft);
}

#[test]
fn an_unknown_top_level_field_is_reported_with_a_did_you_mean_hint() {
    let mut r = dialogue();
    fields(&mut r).insert("sesion_date".into(), json!("2026-11-20"));
    let p = expect(&r, Mode::Draft, &[("sesion_date", C::UnknownField)]);
    assert!(
        p[0].message.en.contains("did you mean \"session_date\""),
        "{}",
        p[0].message.en
    );
    assert!(
        p[0].message.ja.contains("「session_date」のことですか"),
        "{}",
        p[0].message.ja
    );

    // Far from every key: no guess.
    let mut r = dialogue();
    fields(&mut r).insert("favourite_colour".into(), json!("blue"));
    let p = expect(&r, Mode::Draft, &[("favourite_colour", C::UnknownField)]);
    assert!(
        !p[0].message.en.contains("did you mean"),
        "{}",
        p[0].message.en
    );
}

#[test]
fn an_unknown_field_inside_a_group_row_is_reported_at_the_row() {
    let mut r = dialogue();
    fields(&mut r)["participants"][0]
        .as_object_mut()
        .unwrap()
        .insert("nmae".into(), json!("山田 花子"));
    let p = expect(
        &r,
        Mode::Draft,
        &[("participants[0].nmae", C::UnknownField)],
    );
    // The message lists the row's fields, so the near miss "name" is right there.
    assert!(p[0].message.en.contains("\"nmae\""), "{}", p[0].message.en);
    assert!(p[0].message.en.contains("name"), "{}", p[0].message.en);

    // Also in a compound and in a signature.
    let mut r = dialogue();
    set(&mut r, "/recorder/phone", json!("000"));
    set(&mut r, "/sign_person/seal", json!(true));
    expect(
        &r,
        Mode::Draft,
        &[
            ("recorder.phone", C::UnknownField),
            ("sign_person.seal", C::UnknownField),
        ],
    );
}

#[test]
fn auto_fields_must_not_be_given() {
    let mut r = dialogue();
    set(&mut r, "/record_id", json!("RA-0001"));
    set(&mut r, "/record_version", json!(3));
    expect(
        &r,
        Mode::Final,
        &[
            ("record_id", C::AutoField),
            ("record_version", C::AutoField),
        ],
    );
    // Leaving them out is right even when finalizing (the store fills them).
    expect_valid(&dialogue(), Mode::Final);
}

#[test]
fn a_notice_takes_no_value() {
    let mut r = work();
    set(&mut r, "/mo_note", json!("了解しました"));
    expect(&r, Mode::Draft, &[("mo_note", C::NoticeHasNoValue)]);
}

#[test]
fn a_number_given_as_a_string_is_the_wrong_type() {
    let mut r = work();
    set(&mut r, "/wi_days_per_week", json!("5"));
    let p = expect(&r, Mode::Draft, &[("wi_days_per_week", C::WrongType)]);
    assert!(p[0].message.en.contains("a number"), "{}", p[0].message.en);
}

#[test]
fn a_group_that_is_not_an_array_is_the_wrong_type() {
    let mut r = dialogue();
    let first = at(&mut r, "/participants/0").clone();
    set(&mut r, "/participants", first);
    expect(&r, Mode::Draft, &[("participants", C::WrongType)]);

    let mut r = dialogue();
    set(&mut r, "/participants/2", json!("佐藤 美咲"));
    expect(&r, Mode::Draft, &[("participants[2]", C::WrongType)]);
}

#[test]
fn a_checkbox_given_as_yes_is_the_wrong_type() {
    let mut r = dialogue();
    set(&mut r, "/supporter_assisting", json!("yes"));
    let p = expect(&r, Mode::Draft, &[("supporter_assisting", C::WrongType)]);
    assert!(p[0].message.en.contains("true or false"));
}

#[test]
fn other_values_of_the_wrong_type() {
    let mut r = dialogue();
    set(&mut r, "/person_name", json!(42));
    set(&mut r, "/session_date", json!(20261120));
    set(&mut r, "/legal_basis", json!("disability_employment_act"));
    set(&mut r, "/session_mode", json!(["in_person"]));
    set(&mut r, "/recorder", json!("佐藤 美咲"));
    set(&mut r, "/contract_end", json!("2027-03-31"));
    expect(
        &r,
        Mode::Draft,
        &[
            ("person_name", C::WrongType),
            ("session_date", C::WrongType),
            ("legal_basis", C::WrongType),
            ("session_mode", C::WrongType),
            ("recorder", C::WrongType),
            ("contract_end", C::WrongType),
        ],
    );
}

#[test]
fn an_impossible_calendar_date_is_invalid() {
    let mut r = dialogue();
    set(&mut r, "/session_date", json!("2026-02-30"));
    let p = expect(&r, Mode::Draft, &[("session_date", C::InvalidDate)]);
    assert!(
        p[0].message.en.contains("2026-02-30"),
        "{}",
        p[0].message.en
    );
    assert!(
        p[0].message.ja.contains("暦にない日付"),
        "{}",
        p[0].message.ja
    );

    // Leap years are real.
    let mut r = dialogue();
    set(&mut r, "/session_date", json!("2028-02-29"));
    expect_valid(&r, Mode::Draft);
}

#[test]
fn a_date_in_another_shape_is_invalid() {
    for bad in [
        "2026/11/20",
        "2026-1-20",
        "20261120",
        "令和8年11月20日",
        "2026-11-20 ",
    ] {
        let mut r = dialogue();
        set(&mut r, "/session_date", json!(bad));
        let p = expect(&r, Mode::Draft, &[("session_date", C::InvalidDate)]);
        assert!(
            p[0].message.en.contains("YYYY-MM-DD"),
            "{bad}: {}",
            p[0].message.en
        );
        // Text a person may type is read by the date boxes' rule, and the message says how a
        // record writes that day.
        assert!(
            p[0].message.ja.contains("2026-11-20") || p[0].message.ja.contains("2026-01-20"),
            "{bad}: {}",
            p[0].message.ja
        );
    }
    // Text that is no date says why, as the date box does.
    for (bad, why) in [
        ("2026/02/30", "2月30日はありません"),
        ("明日", "日付として読めません"),
    ] {
        let mut r = dialogue();
        set(&mut r, "/session_date", json!(bad));
        let p = expect(&r, Mode::Draft, &[("session_date", C::InvalidDate)]);
        assert!(p[0].message.ja.contains(why), "{bad}: {}", p[0].message.ja);
        assert!(p[0].message.ja.contains("実施日"), "{}", p[0].message.ja);
    }
    // Inside a row and inside a signature, too.
    let mut r = dialogue();
    set(&mut r, "/agreed_measures/0/start_date", json!("2026/12/01"));
    set(&mut r, "/sign_person/date", json!("2026-13-01"));
    expect(
        &r,
        Mode::Draft,
        &[
            ("agreed_measures[0].start_date", C::InvalidDate),
            ("sign_person.date", C::InvalidDate),
        ],
    );
}

#[test]
fn an_impossible_time_is_invalid() {
    let mut r = work();
    set(&mut r, "/wi_hours/start", json!("25:00"));
    let p = expect(&r, Mode::Draft, &[("wi_hours.start", C::InvalidTime)]);
    assert!(p[0].message.en.contains("25:00"));

    let mut r = work();
    set(&mut r, "/wi_hours/end", json!("17:60"));
    expect(&r, Mode::Draft, &[("wi_hours.end", C::InvalidTime)]);
    let mut r = work();
    set(&mut r, "/wi_hours/end", json!("5:30"));
    expect(&r, Mode::Draft, &[("wi_hours.end", C::InvalidTime)]);

    // A night shift crosses midnight: not a bad range.
    let mut r = work();
    set(
        &mut r,
        "/wi_hours",
        json!({"start": "22:00", "end": "07:00"}),
    );
    expect_valid(&r, Mode::Final);
}

#[test]
fn a_date_range_that_ends_before_it_starts_is_a_bad_range() {
    let mut r = work();
    set(
        &mut r,
        "/mo_period",
        json!({"start": "2027-01-12", "end": "2027-01-11"}),
    );
    let p = expect(&r, Mode::Draft, &[("mo_period", C::BadRange)]);
    assert!(p[0].message.en.contains("2027-01-11"));

    // The same day, or an open end, is fine.
    let mut r = work();
    set(
        &mut r,
        "/mo_period",
        json!({"start": "2027-01-12", "end": "2027-01-12"}),
    );
    expect_valid(&r, Mode::Final);
    let mut r = work();
    set(&mut r, "/mo_period", json!({"start": "2027-01-12"}));
    expect_valid(&r, Mode::Final);

    // An end without a start is incomplete when finalizing; an unknown key is reported.
    let mut r = work();
    set(&mut r, "/mo_period", json!({"end": "2027-04-11"}));
    expect_valid(&r, Mode::Draft);
    expect(&r, Mode::Final, &[("mo_period.start", C::Required)]);
    let mut r = work();
    set(
        &mut r,
        "/mo_period",
        json!({"start": "2027-01-12", "until": "2027-04-11"}),
    );
    expect(&r, Mode::Draft, &[("mo_period.until", C::UnknownField)]);
}

#[test]
fn a_choice_that_is_not_an_option() {
    let mut r = dialogue();
    set(&mut r, "/session_mode", json!("video"));
    let p = expect(&r, Mode::Draft, &[("session_mode", C::NotAnOption)]);
    assert!(p[0].message.en.contains("\"video\""));
    assert!(p[0].message.en.contains("in_person"), "lists the options");

    // The Japanese label is not the key.
    let mut r = dialogue();
    set(&mut r, "/session_mode", json!("対面"));
    expect(&r, Mode::Draft, &[("session_mode", C::NotAnOption)]);

    // Inside a row.
    let mut r = dialogue();
    set(&mut r, "/participants/4/role", json!("coach"));
    expect(&r, Mode::Draft, &[("participants[4].role", C::NotAnOption)]);
}

#[test]
fn a_multi_item_that_is_not_an_option() {
    let mut r = dialogue();
    set(
        &mut r,
        "/legal_basis",
        json!(["disability_employment_act", "labour_standards_act"]),
    );
    expect(&r, Mode::Draft, &[("legal_basis[1]", C::NotAnOption)]);

    // A multi inside a row, and an item of the wrong type.
    let mut r = dialogue();
    set(&mut r, "/options/0/public_support", json!(["none", 3]));
    expect(
        &r,
        Mode::Draft,
        &[("options[0].public_support[1]", C::WrongType)],
    );
}

#[test]
fn a_multi_with_the_same_option_twice() {
    let mut r = dialogue();
    set(
        &mut r,
        "/functional_impacts",
        json!([
            "hearing_speech",
            "concentration_cognition",
            "hearing_speech"
        ]),
    );
    expect(
        &r,
        Mode::Draft,
        &[("functional_impacts[2]", C::DuplicateOption)],
    );
}

#[test]
fn a_ten_megabyte_long_text_is_too_long_and_nothing_panics() {
    let mut r = dialogue();
    set(
        &mut r,
        "/strengths",
        json!("あ".repeat(10 * 1024 * 1024 / 3)),
    );
    let bytes = serde_json::to_vec(&r).unwrap();
    assert!(bytes.len() > 10_000_000 && bytes.len() <= MAX_RECORD_BYTES);
    let p = expect(&r, Mode::Draft, &[("strengths", C::TooLong)]);
    assert!(p[0].message.ja.contains("強み"), "{}", p[0].message.ja);
    assert!(p[0].message.en.contains("Strengths"), "{}", p[0].message.en);
    assert!(
        p[0].message.en.contains("at most 20000"),
        "{}",
        p[0].message.en
    );

    let mut r = dialogue();
    set(&mut r, "/strengths", json!("a".repeat(10_000_000)));
    expect(&r, Mode::Final, &[("strengths", C::TooLong)]);
}

#[test]
fn text_length_is_counted_in_characters_up_to_the_fields_own_limit() {
    // person_alias: max_length 40.
    let mut r = dialogue();
    set(&mut r, "/person_alias", json!("𠮷".repeat(40)));
    expect_valid(&r, Mode::Final);
    set(&mut r, "/person_alias", json!("𠮷".repeat(41)));
    expect(&r, Mode::Final, &[("person_alias", C::TooLong)]);
    // A plain text field defaults to 200.
    let mut r = dialogue();
    set(&mut r, "/department", json!("a".repeat(201)));
    expect(&r, Mode::Final, &[("department", C::TooLong)]);
}

#[test]
fn a_nul_character_in_a_text_is_a_control_character() {
    let mut r = dialogue();
    set(&mut r, "/person_name", json!("山田\u{0000}花子"));
    let p = expect(&r, Mode::Draft, &[("person_name", C::ControlCharacter)]);
    assert!(p[0].message.en.contains("NUL"), "{}", p[0].message.en);
    assert!(
        p[0].message.en.contains("character 3"),
        "{}",
        p[0].message.en
    );

    // Also in a long text.
    let mut r = dialogue();
    set(&mut r, "/strengths", json!("a\u{0000}"));
    expect(&r, Mode::Draft, &[("strengths", C::ControlCharacter)]);
}

#[test]
fn a_newline_in_a_one_line_text_is_a_control_character() {
    let mut r = dialogue();
    set(&mut r, "/person_name", json!("山田\n花子"));
    let p = expect(&r, Mode::Draft, &[("person_name", C::ControlCharacter)]);
    assert!(p[0].message.en.contains("one-line"), "{}", p[0].message.en);
    assert!(p[0].message.ja.contains("改行"), "{}", p[0].message.ja);

    // Long texts keep their line breaks and tabs.
    let mut r = dialogue();
    set(&mut r, "/strengths", json!("一行目\r\n二行目\t(続き)"));
    expect_valid(&r, Mode::Final);
}

#[test]
fn a_number_outside_its_bounds_is_out_of_range() {
    let mut r = work();
    set(&mut r, "/wi_days_per_week", json!(8));
    let p = expect(&r, Mode::Draft, &[("wi_days_per_week", C::OutOfRange)]);
    assert!(
        p[0].message.en.contains("between 0 and 7"),
        "{}",
        p[0].message.en
    );

    let mut r = work();
    set(&mut r, "/wi_commute_minutes", json!(-1));
    set(&mut r, "/wi_paid_leave_left", json!(-0.5));
    expect(
        &r,
        Mode::Draft,
        &[
            ("wi_commute_minutes", C::OutOfRange),
            ("wi_paid_leave_left", C::OutOfRange),
        ],
    );

    // Bounds are inclusive.
    let mut r = work();
    set(&mut r, "/wi_days_per_week", json!(7));
    set(&mut r, "/wi_commute_minutes", json!(0));
    expect_valid(&r, Mode::Final);
}

#[test]
fn a_fraction_where_a_whole_number_is_needed() {
    let mut r = work();
    set(&mut r, "/wi_days_per_week", json!(4.5));
    expect(&r, Mode::Draft, &[("wi_days_per_week", C::NotInteger)]);
    // A fraction where fractions are allowed (paid leave in half days).
    let mut r = work();
    set(&mut r, "/wi_paid_leave_left", json!(2.5));
    expect_valid(&r, Mode::Final);
    // Inside a row.
    let mut r = route();
    set(&mut r, "/steps/0/step_no", json!(1.5));
    expect(&r, Mode::Draft, &[("steps[0].step_no", C::NotInteger)]);
}

#[test]
fn a_group_with_too_few_rows() {
    // plan_signoffs needs two rows: the person's and one more.
    let mut r = work();
    at(&mut r, "/plan_signoffs")
        .as_array_mut()
        .unwrap()
        .truncate(1);
    expect(&r, Mode::Final, &[("plan_signoffs", C::TooFewRows)]);
    expect_valid(&r, Mode::Draft);
}

#[test]
fn a_group_with_too_many_rows() {
    // No built-in group sets max_rows today; the rule is exercised through a definition that does.
    let with_max: Vec<String> = registry()
        .templates()
        .flat_map(|t| t.sections.iter().flat_map(|s| all_fields(&s.fields)))
        .filter(|f| f.max_rows.is_some())
        .map(|f| f.key.clone())
        .collect();
    assert!(
        with_max.is_empty(),
        "{with_max:?} set max_rows: test them on the built-in definitions too"
    );

    let registry = load_modified("dialogue-record.json", |t| {
        def_field(t, "participants")["max_rows"] = json!(4);
    })
    .unwrap();
    let r = dialogue(); // five participants
    let p = expect_with(
        &registry,
        &r,
        Mode::Draft,
        &[("participants", C::TooManyRows)],
    );
    assert!(p[0].message.en.contains("at most 4"), "{}", p[0].message.en);
    let mut r = dialogue();
    at(&mut r, "/participants").as_array_mut().unwrap().pop();
    expect_with(&registry, &r, Mode::Final, &[]);
}

#[test]
fn a_plan_without_the_persons_sign_off_is_missing_a_row() {
    let mut r = work();
    remove(&mut r, "/plan_signoffs/0"); // the person's row; three others remain
    let p = expect(&r, Mode::Final, &[("plan_signoffs", C::MissingRow)]);
    assert!(p[0].message.ja.contains("本人"), "{}", p[0].message.ja);
    expect_valid(&r, Mode::Draft);
}

#[test]
fn two_nodes_with_the_same_id_are_a_duplicate_value() {
    let mut r = route();
    let copy = at(&mut r, "/nodes/0").clone();
    at(&mut r, "/nodes").as_array_mut().unwrap().push(copy);
    let p = expect(&r, Mode::Draft, &[("nodes[8].node_id", C::DuplicateValue)]);
    assert!(p[0].message.en.contains("\"n1\""), "{}", p[0].message.en);

    // Step numbers are unique too.
    let mut r = route();
    set(&mut r, "/steps/1/step_no", json!(1));
    expect(&r, Mode::Draft, &[("steps[1].step_no", C::DuplicateValue)]);
}

#[test]
fn a_step_to_a_node_that_does_not_exist_is_an_unknown_reference() {
    let mut r = route();
    set(&mut r, "/steps/0/to_node", json!("n99"));
    let p = expect(
        &r,
        Mode::Draft,
        &[("steps[0].to_node", C::UnknownReference)],
    );
    assert!(p[0].message.en.contains("\"n99\""), "{}", p[0].message.en);
}

#[test]
fn a_document_reference_that_is_not_a_uuid_is_an_unknown_reference() {
    let mut r = dialogue();
    set(&mut r, "/medical_input_ref", json!("主治医意見書"));
    set(&mut r, "/attachments_ref", json!("12345"));
    expect(
        &r,
        Mode::Draft,
        &[
            ("medical_input_ref", C::UnknownReference),
            ("attachments_ref", C::UnknownReference),
        ],
    );
    let mut r = dialogue();
    set(
        &mut r,
        "/medical_input_ref",
        json!("0f8e2a4c-5b6d-4e7f-8a9b-0c1d2e3f4a5b"),
    );
    expect_valid(&r, Mode::Final);
}

// ---------------------------------------------------------------------------------------------
// Conditional rules, both directions
// ---------------------------------------------------------------------------------------------

#[test]
fn employer_name_is_required_unless_job_seeking() {
    let mut r = dialogue();
    remove(&mut r, "/employer_name");
    expect(&r, Mode::Final, &[("employer_name", C::Required)]);
    set(&mut r, "/employment_status", json!("job_seeking"));
    expect_valid(&r, Mode::Final);
    for status in ["job_offer", "on_leave", "preparing_return"] {
        set(&mut r, "/employment_status", json!(status));
        expect(&r, Mode::Final, &[("employer_name", C::Required)]);
    }
}

#[test]
fn contract_end_is_required_for_a_fixed_term_contract() {
    let mut r = dialogue();
    assert!(fields(&mut r).get("contract_end").is_none());
    set(&mut r, "/employment_type", json!("fixed_term"));
    expect(&r, Mode::Final, &[("contract_end", C::Required)]);
    set(
        &mut r,
        "/contract_end",
        json!({"start": "2026-04-01", "end": "2027-03-31"}),
    );
    expect_valid(&r, Mode::Final);
    // Not fixed-term: not required.
    let mut r = dialogue();
    set(&mut r, "/employment_type", json!("part_time"));
    expect_valid(&r, Mode::Final);
    remove(&mut r, "/employment_type");
    expect_valid(&r, Mode::Final);
}

#[test]
fn diagnosis_name_is_required_only_when_it_is_disclosed() {
    let mut r = dialogue();
    remove(&mut r, "/diagnosis_name");
    expect(&r, Mode::Final, &[("diagnosis_name", C::Required)]);
    set(&mut r, "/diagnosis_disclosure", json!("oh_staff_only"));
    expect(&r, Mode::Final, &[("diagnosis_name", C::Required)]);
    set(&mut r, "/diagnosis_disclosure", json!("not_disclosed"));
    expect_valid(&r, Mode::Final);
}

const UB_FIELDS: [&str; 7] = [
    "ub_business_impact",
    "ub_difficulty",
    "ub_cost",
    "ub_company_size",
    "ub_finance",
    "ub_public_support",
    "ub_conclusion",
];

#[test]
fn the_undue_burden_factors_are_required_once_it_is_assessed() {
    let mut r = dialogue();
    assert_eq!(at(&mut r, "/undue_burden_check"), &json!(true));
    for key in UB_FIELDS {
        remove(&mut r, &format!("/{key}"));
    }
    let expected: Vec<(&str, C)> = UB_FIELDS.iter().map(|k| (*k, C::Required)).collect();
    expect(&r, Mode::Final, &expected);

    set(&mut r, "/undue_burden_check", json!(false));
    expect_valid(&r, Mode::Final);
    remove(&mut r, "/undue_burden_check");
    expect_valid(&r, Mode::Final);
}

#[test]
fn each_undue_burden_factor_is_required_on_its_own() {
    for key in UB_FIELDS {
        let mut r = dialogue();
        remove(&mut r, &format!("/{key}"));
        expect(&r, Mode::Final, &[(key, C::Required)]);
    }
}

#[test]
fn agreed_measures_or_measures_not_implemented_one_of_them_is_required() {
    let mut r = dialogue();
    remove(&mut r, "/agreed_measures");
    remove(&mut r, "/not_implemented");
    let p = expect(
        &r,
        Mode::Final,
        &[
            ("agreed_measures", C::Required),
            ("not_implemented", C::Required),
        ],
    );
    assert!(p.iter().all(|p| p.code == C::Required));

    // Only the agreed measures.
    let mut r = dialogue();
    remove(&mut r, "/not_implemented");
    expect_valid(&r, Mode::Final);
    // Only the measures not implemented.
    let mut r = dialogue();
    remove(&mut r, "/agreed_measures");
    expect_valid(&r, Mode::Final);
    // An empty list is no answer.
    let mut r = dialogue();
    remove(&mut r, "/not_implemented");
    set(&mut r, "/agreed_measures", json!([]));
    expect(
        &r,
        Mode::Final,
        &[
            ("agreed_measures", C::Required),
            ("not_implemented", C::Required),
        ],
    );
}

#[test]
fn the_reason_must_be_explained_when_a_measure_is_not_implemented() {
    let mut r = dialogue();
    remove(&mut r, "/reason_explained");
    expect(&r, Mode::Final, &[("reason_explained", C::Required)]);
    set(&mut r, "/reason_explained", json!(false));
    expect(&r, Mode::Final, &[("reason_explained", C::MustBeTicked)]);

    // Everything was implemented: nothing to explain.
    let mut r = dialogue();
    remove(&mut r, "/not_implemented");
    remove(&mut r, "/reason_explained");
    remove(&mut r, "/reason_explained_date");
    expect_valid(&r, Mode::Final);
    set(&mut r, "/reason_explained", json!(false));
    expect_valid(&r, Mode::Final);
}

#[test]
fn the_date_of_the_explanation_is_required_once_it_is_ticked() {
    let mut r = dialogue();
    remove(&mut r, "/reason_explained_date");
    expect(&r, Mode::Final, &[("reason_explained_date", C::Required)]);

    let mut r = dialogue();
    remove(&mut r, "/not_implemented");
    remove(&mut r, "/reason_explained_date");
    set(&mut r, "/reason_explained", json!(false));
    expect_valid(&r, Mode::Final);
}

#[test]
fn consents_are_required_when_anything_is_shared() {
    let mut r = dialogue();
    remove(&mut r, "/consents");
    expect(&r, Mode::Final, &[("consents", C::Required)]);
    for who in [
        "line_manager",
        "coworkers_same_department",
        "hr",
        "occupational_health_staff",
        "support_agency",
        "attending_physician",
    ] {
        set(&mut r, "/share_with", json!([who]));
        expect(&r, Mode::Final, &[("consents", C::Required)]);
    }
    set(&mut r, "/share_with", json!(["nobody"]));
    expect_valid(&r, Mode::Final);
}

#[test]
fn the_persons_agreement_to_attendees_is_required_when_a_family_member_attends() {
    let mut r = dialogue();
    // Staff only: the person, their manager, HR and the occupational physician.
    at(&mut r, "/participants")
        .as_array_mut()
        .unwrap()
        .truncate(4);
    remove(&mut r, "/participants_consent");
    expect_valid(&r, Mode::Final);

    at(&mut r, "/participants")
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "山田 太郎", "role": "family", "attendance": "in_person"}));
    expect(&r, Mode::Final, &[("participants_consent", C::Required)]);
    set(&mut r, "/participants_consent", json!(false));
    expect(
        &r,
        Mode::Final,
        &[("participants_consent", C::MustBeTicked)],
    );
    set(&mut r, "/participants_consent", json!(true));
    expect_valid(&r, Mode::Final);
}

#[test]
fn the_employers_signature_is_required_when_the_employer_took_part() {
    let mut r = dialogue();
    remove(&mut r, "/sign_employer");
    expect(&r, Mode::Final, &[("sign_employer", C::Required)]);
    // Only the person and a job coach.
    let participants = at(&mut r, "/participants").as_array_mut().unwrap();
    participants.retain(|p| p["role"] == "person" || p["role"] == "job_coach");
    assert_eq!(participants.len(), 2);
    expect_valid(&r, Mode::Final);
}

#[test]
fn the_leave_period_is_required_when_unfit_for_work() {
    let mut r = work();
    assert!(fields(&mut r).get("mo_leave_until").is_none());
    set(&mut r, "/mo_fitness", json!("unfit_now"));
    expect(&r, Mode::Final, &[("mo_leave_until", C::Required)]);
    set(
        &mut r,
        "/mo_leave_until",
        json!({"start": "2026-12-17", "end": "2027-01-11"}),
    );
    expect_valid(&r, Mode::Final);
    // Fit: no leave period needed.
    let mut r = work();
    set(&mut r, "/mo_fitness", json!("fit"));
    expect_valid(&r, Mode::Final);
}

#[test]
fn the_measures_are_required_when_fit_with_conditions() {
    let mut r = work();
    remove(&mut r, "/mo_measures");
    expect(&r, Mode::Final, &[("mo_measures", C::Required)]);
    set(&mut r, "/mo_fitness", json!("fit"));
    expect_valid(&r, Mode::Final);
}

#[test]
fn the_diagnosis_is_required_only_when_the_person_agreed_to_include_it() {
    let mut r = work();
    remove(&mut r, "/mo_diagnosis");
    expect(&r, Mode::Final, &[("mo_diagnosis", C::Required)]);
    set(&mut r, "/mo_diagnosis_disclose", json!("omit"));
    expect_valid(&r, Mode::Final);
}

fn keys_with_prefix(r: &mut Value, prefix: &str) -> Vec<String> {
    let keys: Vec<String> = fields(r)
        .keys()
        .filter(|k| k.starts_with(prefix))
        .cloned()
        .collect();
    assert!(!keys.is_empty(), "the sample has no {prefix} fields");
    keys
}

#[test]
fn part_a_is_not_required_in_a_medical_opinion() {
    let mut r = work();
    set(&mut r, "/direction", json!("medical_opinion"));
    for key in keys_with_prefix(&mut r, "wi_") {
        remove(&mut r, &format!("/{key}"));
    }
    expect_valid(&r, Mode::Final);

    // Integrated and work-information sheets need Part A.
    for direction in ["integrated", "work_info"] {
        let mut r = work();
        set(&mut r, "/direction", json!(direction));
        remove(&mut r, "/wi_name");
        expect(&r, Mode::Final, &[("wi_name", C::Required)]);
    }
    // Values in a part that does not apply are still checked.
    let mut r = work();
    set(&mut r, "/direction", json!("medical_opinion"));
    set(&mut r, "/wi_days_per_week", json!(9));
    expect(&r, Mode::Final, &[("wi_days_per_week", C::OutOfRange)]);
}

#[test]
fn part_b_is_not_required_in_a_work_information_sheet() {
    let mut r = work();
    set(&mut r, "/direction", json!("work_info"));
    for key in keys_with_prefix(&mut r, "mo_") {
        remove(&mut r, &format!("/{key}"));
    }
    expect_valid(&r, Mode::Final);
    let mut r = work();
    remove(&mut r, "/mo_provision_consent");
    expect(&r, Mode::Final, &[("mo_provision_consent", C::Required)]);
}

#[test]
fn part_c_is_optional_but_complete_once_started() {
    let mut r = work();
    for key in keys_with_prefix(&mut r, "oh_") {
        remove(&mut r, &format!("/{key}"));
    }
    expect_valid(&r, Mode::Final);

    set(&mut r, "/oh_name", json!("中村 健一"));
    expect(
        &r,
        Mode::Final,
        &[
            ("oh_class", C::Required),
            ("oh_measures", C::Required),
            ("oh_sign", C::Required),
        ],
    );
    expect_valid(&r, Mode::Draft);

    // An optional field alone starts the part too.
    let mut r = work();
    for key in ["oh_name", "oh_class", "oh_measures", "oh_sign"] {
        remove(&mut r, &format!("/{key}"));
    }
    expect(
        &r,
        Mode::Final,
        &[
            ("oh_name", C::Required),
            ("oh_class", C::Required),
            ("oh_measures", C::Required),
            ("oh_sign", C::Required),
        ],
    );
    // Blank values do not start it.
    let mut r = work();
    for key in keys_with_prefix(&mut r, "oh_") {
        remove(&mut r, &format!("/{key}"));
    }
    set(&mut r, "/oh_name", json!("  "));
    expect_valid(&r, Mode::Final);
}

#[test]
fn part_d_is_optional_but_complete_once_started() {
    let mut r = work();
    for key in keys_with_prefix(&mut r, "plan_") {
        remove(&mut r, &format!("/{key}"));
    }
    expect_valid(&r, Mode::Final);
    set(&mut r, "/plan_type", json!("treatment_work_plan"));
    expect(
        &r,
        Mode::Final,
        &[
            ("plan_employee", C::Required),
            ("plan_treatment", C::Required),
            ("plan_phases", C::Required),
            ("plan_followup", C::Required),
            ("plan_signoffs", C::Required),
        ],
    );
    // A return-to-work plan also needs the return date.
    let mut r = work();
    remove(&mut r, "/plan_return_date");
    expect(&r, Mode::Final, &[("plan_return_date", C::Required)]);
    set(&mut r, "/plan_type", json!("treatment_work_plan"));
    expect_valid(&r, Mode::Final);
}

#[test]
fn a_personal_map_needs_the_persons_name_and_consent() {
    let mut r = route();
    remove(&mut r, "/person_name");
    remove(&mut r, "/person_consent");
    expect(
        &r,
        Mode::Final,
        &[
            ("person_name", C::Required),
            ("person_consent", C::Required),
        ],
    );
}

#[test]
fn a_generic_map_needs_no_person() {
    // personal = false is an answer (a map for a region or a scenario), not a missing tick.
    let mut r = route();
    set(&mut r, "/personal", json!(false));
    remove(&mut r, "/person_name");
    remove(&mut r, "/person_consent");
    set(
        &mut r,
        "/map_title",
        json!("宮城県 求職中(手帳なし)の相談導線"),
    );
    expect_valid(&r, Mode::Final);

    // Left unticked (absent) it is a generic map as well.
    remove(&mut r, "/personal");
    expect_valid(&r, Mode::Final);
}

#[test]
fn company_size_is_required_for_people_in_work() {
    let mut r = route();
    assert!(fields(&mut r).get("company_size").is_none());
    for status in ["employed_continuing", "on_leave", "preparing_return"] {
        set(&mut r, "/employment_status", json!(status));
        expect(&r, Mode::Final, &[("company_size", C::Required)]);
    }
    set(&mut r, "/company_size", json!("under_fifty"));
    expect_valid(&r, Mode::Final);
    let mut r = route();
    set(&mut r, "/employment_status", json!("leaving_or_changing"));
    expect_valid(&r, Mode::Final);
}

#[test]
fn an_oral_consent_needs_who_recorded_it() {
    let mut r = dialogue();
    assert_eq!(at(&mut r, "/consents/0/method"), &json!("oral"));
    remove(&mut r, "/consents/0/recorded_by");
    expect(&r, Mode::Final, &[("consents[0].recorded_by", C::Required)]);
    set(&mut r, "/consents/0/method", json!("name"));
    expect_valid(&r, Mode::Final);

    // A single consent field, in the route map's rows, and an unknown method.
    let mut r = work();
    set(&mut r, "/mo_provision_consent/method", json!("oral"));
    expect(
        &r,
        Mode::Final,
        &[("mo_provision_consent.recorded_by", C::Required)],
    );
    let mut r = route();
    remove(&mut r, "/person_consent/2/recorded_by");
    expect(
        &r,
        Mode::Final,
        &[("person_consent[2].recorded_by", C::Required)],
    );
    let mut r = route();
    set(&mut r, "/person_consent/0/method", json!("phone"));
    expect(
        &r,
        Mode::Draft,
        &[("person_consent[0].method", C::NotAnOption)],
    );
}

// ---------------------------------------------------------------------------------------------
// All problems at once
// ---------------------------------------------------------------------------------------------

#[test]
fn every_problem_of_a_record_is_reported_together() {
    let mut r = dialogue();
    set(&mut r, "/session_date", json!("2026-02-30"));
    set(&mut r, "/session_mode", json!("video"));
    set(&mut r, "/supporter_assisting", json!("yes"));
    fields(&mut r).insert("sesion_date".into(), json!("2026-11-20"));
    remove(&mut r, "/person_name");
    set(&mut r, "/sign_person/confirmed", json!(false));
    expect(
        &r,
        Mode::Final,
        &[
            ("session_date", C::InvalidDate),
            ("session_mode", C::NotAnOption),
            ("supporter_assisting", C::WrongType),
            ("sesion_date", C::UnknownField),
            ("person_name", C::Required),
            ("sign_person.confirmed", C::MustBeTicked),
        ],
    );
    // A draft is spared only the completeness rules.
    expect(
        &r,
        Mode::Draft,
        &[
            ("session_date", C::InvalidDate),
            ("session_mode", C::NotAnOption),
            ("supporter_assisting", C::WrongType),
            ("sesion_date", C::UnknownField),
        ],
    );
}

#[test]
fn every_problem_has_a_message_in_both_languages() {
    let mut r = work();
    set(&mut r, "/wi_days_per_week", json!("5"));
    set(
        &mut r,
        "/mo_period",
        json!({"start": "2027-02-01", "end": "2027-01-01"}),
    );
    remove(&mut r, "/mo_doctor");
    let found = problems(&r, Mode::Final);
    assert_eq!(found.len(), 3);
    for p in &found {
        assert!(!p.message.ja.is_empty() && !p.message.en.is_empty());
        assert!(
            p.message.ja.chars().any(|c| c > '\u{3000}'),
            "{}",
            p.message.ja
        );
        assert!(
            p.line(taiwa::Lang::Ja)
                .starts_with(&format!("{}: ", p.path))
        );
    }
}

// ---------------------------------------------------------------------------------------------
// parse_record
// ---------------------------------------------------------------------------------------------

#[track_caller]
fn parse_err(bytes: &[u8]) -> RecordError {
    match parse_record(bytes, registry()) {
        Ok(r) => panic!("parsed: {r:?}"),
        Err(e) => e,
    }
}

#[test]
fn malformed_json_names_line_column_and_byte_offset() {
    let text = "{\n  \"template\": \"dialogue-record\",\n  \"fields\": {\"person_name\": \"山田 花子\" \"x\": 1}\n}\n";
    let bad = text.find("\"x\"").unwrap();
    match parse_err(text.as_bytes()) {
        RecordError::Json {
            line,
            column,
            offset,
            ..
        } => {
            assert_eq!(offset, bad, "offset points at the unexpected token");
            assert_eq!(line, 3);
            let line_start = text.match_indices('\n').nth(1).unwrap().0 + 1;
            assert_eq!(column, bad - line_start + 1);
        }
        other => panic!("{other:?}"),
    }

    // A trailing comma.
    let text = r#"{"template": "dialogue-record", "fields": {"session_date": "2026-11-20",}}"#;
    match parse_err(text.as_bytes()) {
        RecordError::Json { offset, line, .. } => {
            assert_eq!(line, 1);
            assert_eq!(offset, text.find(",}").unwrap() + 1);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_byte_offset_counts_a_leading_byte_order_mark() {
    let text = "\u{feff}{\"template\": \"dialogue-record\", \"fields\": {\"a\": 1 x}}";
    let bad = text.find('x').unwrap();
    match parse_err(text.as_bytes()) {
        RecordError::Json { offset, .. } => {
            assert_eq!(
                offset, bad,
                "the offset counts the file's bytes, BOM included"
            );
            assert_eq!(&text.as_bytes()[offset..offset + 1], b"x");
        }
        other => panic!("{other:?}"),
    }
    // And a byte-order mark alone is no error.
    let ok = format!("\u{feff}{SAMPLE_DIALOGUE}");
    assert!(parse_record(ok.as_bytes(), registry()).is_ok());
}

#[test]
fn invalid_utf8_names_the_offset_of_the_bad_byte() {
    let mut bytes = br#"{"template": "dialogue-record", "fields": {"person_name": ""#.to_vec();
    let at = bytes.len();
    bytes.extend_from_slice(b"\xff\xfe\"}}");
    assert_eq!(parse_err(&bytes), RecordError::InvalidUtf8 { offset: at });

    // A multi-byte character cut short (山 is E5 B1 B1), after other Japanese text.
    let mut bytes = "{\"template\": \"dialogue-record\", \"fields\": {\"person_name\": \"花子"
        .as_bytes()
        .to_vec();
    let at = bytes.len();
    bytes.extend_from_slice(b"\xe5\xb1\"}}");
    assert_eq!(parse_err(&bytes), RecordError::InvalidUtf8 { offset: at });

    // Shift_JIS text (a common wrong encoding): 山田 = 8E 52 93 63.
    let mut bytes = br#"{"template": "dialogue-record", "fields": {"person_name": ""#.to_vec();
    let at = bytes.len();
    bytes.extend_from_slice(b"\x8e\x52\x93\x63\"}}");
    assert_eq!(parse_err(&bytes), RecordError::InvalidUtf8 { offset: at });
}

#[test]
fn a_raw_nul_byte_is_named_with_its_offset() {
    let mut bytes = br#"{"template": "dialogue-record", "fields": {"person_name": "ab"#.to_vec();
    let at = bytes.len();
    bytes.extend_from_slice(b"\0cd\"}}");
    assert_eq!(parse_err(&bytes), RecordError::NulByte { offset: at });
    // Between tokens, too.
    let bytes = b"{\"template\": \"dialogue-record\",\0 \"fields\": {}}";
    assert_eq!(parse_err(bytes), RecordError::NulByte { offset: 31 });
}

#[test]
fn the_top_level_must_be_an_object() {
    for text in [
        "[]",
        "\"dialogue-record\"",
        "42",
        "null",
        "[{\"template\": \"route-map\"}]",
    ] {
        assert_eq!(
            parse_err(text.as_bytes()),
            RecordError::NotAnObject,
            "{text}"
        );
    }
}

#[test]
fn template_and_fields_are_required() {
    assert_eq!(
        parse_err(br#"{"fields": {}}"#),
        RecordError::MissingKey { key: "template" }
    );
    assert_eq!(
        parse_err(br#"{"template": "dialogue-record"}"#),
        RecordError::MissingKey { key: "fields" }
    );
    assert_eq!(
        parse_err(br#"{"template": "dialogue-record", "fields": []}"#),
        RecordError::WrongType {
            key: "fields",
            expected: "an object"
        }
    );
    assert_eq!(
        parse_err(br#"{"template": 1, "fields": {}}"#),
        RecordError::WrongType {
            key: "template",
            expected: "a string"
        }
    );
}

#[test]
fn only_template_and_fields_are_needed() {
    let r = parse_record(br#"{"template": "route-map", "fields": {}}"#, registry()).unwrap();
    assert_eq!(r.template, "route-map");
    assert_eq!(
        r.template_version, 2,
        "a record without a version is of the newest"
    );
    assert_eq!(r.status, DocStatus::Draft);
    assert_eq!(r.lang, taiwa::Lang::Ja);
    assert_eq!(r.id, None);
    assert_eq!(r.format, taiwa::record::FORMAT);
}

#[test]
fn an_unknown_template_lists_the_known_ones() {
    let e = parse_err(br#"{"template": "dialogue_record", "fields": {}}"#);
    assert_eq!(
        e,
        RecordError::UnknownTemplate {
            found: "dialogue_record".into(),
            known: vec![
                "dialogue-record".into(),
                "work-consideration".into(),
                "route-map".into()
            ],
        }
    );
}

#[test]
fn an_unknown_top_level_key_is_refused() {
    let e = parse_err(br#"{"template": "dialogue-record", "fields": {}, "feilds": {}}"#);
    assert_eq!(
        e,
        RecordError::UnknownKey {
            key: "feilds".into()
        }
    );
    // A field put at the top level instead of inside `fields`.
    let e = parse_err(
        br#"{"template": "dialogue-record", "session_date": "2026-11-20", "fields": {}}"#,
    );
    assert_eq!(
        e,
        RecordError::UnknownKey {
            key: "session_date".into()
        }
    );
}

#[test]
fn a_template_version_this_build_does_not_know_is_refused() {
    assert_eq!(
        parse_err(br#"{"template": "dialogue-record", "template_version": 3, "fields": {}}"#),
        RecordError::UnknownTemplateVersion {
            template: "dialogue-record".into(),
            found: 3,
            known: "1, 2".into()
        }
    );
    for bad in ["\"1\"", "1.5", "-1"] {
        let text =
            format!(r#"{{"template": "route-map", "template_version": {bad}, "fields": {{}}}}"#);
        assert_eq!(
            parse_err(text.as_bytes()),
            RecordError::WrongType {
                key: "template_version",
                expected: "a whole number"
            },
            "{bad}"
        );
    }
}

#[test]
fn an_id_must_be_a_uuid() {
    assert_eq!(
        parse_err(br#"{"template": "dialogue-record", "id": "RA-2026-0137", "fields": {}}"#),
        RecordError::BadId {
            found: "RA-2026-0137".into()
        }
    );
    let r = parse_record(
        br#"{"template": "dialogue-record", "id": "0f8e2a4c-5b6d-4e7f-8a9b-0c1d2e3f4a5b", "fields": {}}"#,
        registry(),
    )
    .unwrap();
    assert_eq!(
        r.id.unwrap().to_string(),
        "0f8e2a4c-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
    );
}

#[test]
fn superseded_and_unknown_statuses_are_refused_on_input() {
    for status in ["superseded", "Final", "archived", ""] {
        let text =
            format!(r#"{{"template": "dialogue-record", "status": "{status}", "fields": {{}}}}"#);
        assert_eq!(
            parse_err(text.as_bytes()),
            RecordError::BadStatus {
                found: status.into()
            }
        );
    }
}

#[test]
fn an_unsupported_format_or_language_is_refused() {
    assert_eq!(
        parse_err(br#"{"format": "taiwa.document/2", "template": "route-map", "fields": {}}"#),
        RecordError::UnsupportedFormat {
            found: "taiwa.document/2".into()
        }
    );
    assert_eq!(
        parse_err(br#"{"lang": "jp", "template": "route-map", "fields": {}}"#),
        RecordError::BadLang { found: "jp".into() }
    );
}

#[test]
fn a_file_larger_than_the_limit_is_refused_before_parsing() {
    // Not even JSON: the size is checked first.
    let big = vec![b' '; MAX_RECORD_BYTES + 1];
    assert_eq!(
        parse_err(&big),
        RecordError::TooLarge {
            size: MAX_RECORD_BYTES + 1,
            max: MAX_RECORD_BYTES
        }
    );
    // Exactly at the limit is accepted.
    let mut text = SAMPLE_ROUTE.trim_end().to_string().into_bytes();
    text.resize(MAX_RECORD_BYTES, b' ');
    let record = parse_record(&text, registry()).unwrap();
    assert!(
        validate(
            &record,
            registry().template_for(&record).unwrap(),
            Mode::Final
        )
        .is_empty()
    );
}

#[test]
fn parse_errors_carry_a_stable_code_and_both_languages() {
    use taiwa::i18n::UserError;
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"{".to_vec(), "record.invalid_json"),
        (b"\xff".to_vec(), "record.invalid_utf8"),
        (b"{\0}".to_vec(), "record.nul_byte"),
        (b"[]".to_vec(), "record.not_an_object"),
        (br#"{"fields": {}}"#.to_vec(), "record.missing_key"),
        (
            br#"{"template": "x", "fields": {}}"#.to_vec(),
            "record.unknown_template",
        ),
    ];
    for (bytes, code) in cases {
        let e = parse_err(&bytes);
        assert_eq!(e.code(), code);
        let m = e.message();
        assert!(
            !m.ja.is_empty() && !m.en.is_empty() && m.ja != m.en,
            "{code}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// required_now: what the editor marks 必須 for the record as it stands
// ---------------------------------------------------------------------------------------------

fn parsed(record: &Value) -> taiwa::record::Record {
    parse_record(&serde_json::to_vec(record).unwrap(), registry())
        .unwrap_or_else(|e| panic!("parse_record: {e}"))
}

fn required(record: &Value) -> Vec<String> {
    let r = parsed(record);
    taiwa::record::required_now(&r, registry().template_for(&r).unwrap())
}

/// Asserts that each key is (or is not) listed.
#[track_caller]
fn expect_required(record: &Value, listed: &[&str], not_listed: &[&str]) {
    let got = required(record);
    for k in listed {
        assert!(
            got.iter().any(|g| g == k),
            "{k} should be required now: {got:?}"
        );
    }
    for k in not_listed {
        assert!(
            !got.iter().any(|g| g == k),
            "{k} should not be required now: {got:?}"
        );
    }
}

/// A record of `template` with no field values at all.
fn blank(template: &str) -> Value {
    json!({
        "format": "taiwa.document/1",
        "template": template,
        "template_version": 1,
        "status": "draft",
        "lang": "ja",
        "fields": {}
    })
}

/// Removes every value of one section (as if it had never been filled in).
fn strip_section(record: &mut Value, section: &str) {
    let template = registry()
        .get(record["template"].as_str().unwrap())
        .unwrap();
    let s = template
        .sections
        .iter()
        .find(|s| s.key == section)
        .unwrap_or_else(|| panic!("no section {section}"));
    for f in &s.fields {
        fields(record).remove(&f.key);
    }
}

const UB_KEYS: [&str; 7] = [
    "ub_business_impact",
    "ub_difficulty",
    "ub_cost",
    "ub_company_size",
    "ub_finance",
    "ub_public_support",
    "ub_conclusion",
];

#[test]
fn required_now_lists_every_always_required_field_of_a_dialogue_record() {
    let template = registry().get_version("dialogue-record", 1).unwrap();
    for record in [dialogue(), blank("dialogue-record")] {
        let got = required(&record);
        let unique: HashSet<&String> = got.iter().collect();
        assert_eq!(unique.len(), got.len(), "listed twice: {got:?}");
        for f in template.sections.iter().flat_map(|s| &s.fields) {
            let always = matches!(f.required, taiwa::template::Required::Always);
            let never = matches!(f.required, taiwa::template::Required::Never);
            if f.auto.is_some() || never {
                assert!(!got.contains(&f.key), "{} listed: {got:?}", f.key);
            } else if always {
                assert!(got.contains(&f.key), "{} missing: {got:?}", f.key);
            }
        }
    }
    expect_required(
        &dialogue(),
        &[
            "session_date",
            "dialogue_stage",
            "legal_basis",
            "recorder",
            "participants",
            "person_name",
            "employment_status",
            "diagnosis_disclosure",
            "request_date",
            "functional_impacts",
            "barriers",
            "share_with",
            "share_content",
            "next_review_date",
            "sign_person",
            // Group and compound sub-fields as group.sub.
            "recorder.name",
            "participants.name",
            "participants.role",
            "barriers.description",
            "agreed_measures.measure",
            "agreed_measures.start_date",
            "agreed_measures.owner",
            "sign_person.name",
            "sign_person.date",
            "sign_person.confirmed",
            "consents.recipient",
            "consents.method",
        ],
        &[
            "record_id",
            "record_version",
            "session_mode",
            "strengths",
            "person_alias",
            "recorder.organization",
            "participants.organization",
            "participants.attendance",
            "barriers.scene",
            "agreed_measures.status",
            "consents.items",
            "consents.expires",
            "sign_supporter",
        ],
    );
    // With no rows yet, a group's always-required sub-fields are listed (the first row needs
    // them), conditional ones are not.
    expect_required(
        &blank("dialogue-record"),
        &[
            "participants.name",
            "participants.role",
            "recorder.name",
            "consents.recipient",
        ],
        &["consents.recorded_by", "participants.organization"],
    );
}

#[test]
fn required_now_lists_a_conditional_dialogue_field_only_while_its_condition_holds() {
    // diagnosis_name: when the diagnosis is disclosed to someone.
    let mut r = dialogue();
    expect_required(&r, &["diagnosis_name"], &[]);
    set(&mut r, "/diagnosis_disclosure", json!("oh_staff_only"));
    expect_required(&r, &["diagnosis_name"], &[]);
    set(&mut r, "/diagnosis_disclosure", json!("not_disclosed"));
    expect_required(&r, &[], &["diagnosis_name"]);
    remove(&mut r, "/diagnosis_disclosure");
    expect_required(&r, &[], &["diagnosis_name"]);

    // employer_name: unless job seeking; contract_end: for a fixed term.
    let mut r = dialogue();
    expect_required(&r, &["employer_name"], &["contract_end"]);
    set(&mut r, "/employment_status", json!("job_seeking"));
    set(&mut r, "/employment_type", json!("fixed_term"));
    expect_required(&r, &["contract_end"], &["employer_name"]);
    expect_required(
        &blank("dialogue-record"),
        &[],
        &["employer_name", "contract_end"],
    );

    // participants_consent: when a supporter or family member took part (the sample's job coach).
    let mut r = dialogue();
    expect_required(&r, &["participants_consent", "sign_employer"], &[]);
    let only_staff: Vec<Value> = at(&mut r, "/participants")
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| ["person", "line_manager", "hr"].contains(&p["role"].as_str().unwrap()))
        .cloned()
        .collect();
    assert_eq!(only_staff.len(), 3);
    set(&mut r, "/participants", json!(only_staff));
    expect_required(&r, &["sign_employer"], &["participants_consent"]);
    // sign_employer: when HR or a line manager took part.
    set(
        &mut r,
        "/participants",
        json!([{"name": "山田 花子", "role": "person"}, {"name": "田中 由美", "role": "job_coach"}]),
    );
    expect_required(&r, &["participants_consent"], &["sign_employer"]);

    // ub_*: when the undue-burden check is ticked.
    let mut r = dialogue();
    expect_required(&r, &UB_KEYS, &[]);
    set(&mut r, "/undue_burden_check", json!(false));
    expect_required(&r, &[], &UB_KEYS);
    remove(&mut r, "/undue_burden_check");
    expect_required(&r, &[], &UB_KEYS);

    // reason_explained: when something was not implemented; its date when it was explained.
    let mut r = dialogue();
    expect_required(
        &r,
        &[
            "reason_explained",
            "reason_explained_date",
            "not_implemented.reason",
        ],
        // With both lists filled in, neither is required by the other's absence.
        &["agreed_measures", "not_implemented"],
    );
    set(&mut r, "/reason_explained", json!(false));
    expect_required(&r, &["reason_explained"], &["reason_explained_date"]);
    let mut r = dialogue();
    remove(&mut r, "/not_implemented");
    expect_required(
        &r,
        &["agreed_measures"],
        &["reason_explained", "not_implemented"],
    );
    set(&mut r, "/not_implemented", json!([]));
    expect_required(&r, &["agreed_measures"], &["reason_explained"]);
    let mut r = dialogue();
    remove(&mut r, "/agreed_measures");
    expect_required(
        &r,
        &["not_implemented", "reason_explained"],
        &["agreed_measures"],
    );
    remove(&mut r, "/not_implemented");
    expect_required(
        &r,
        &["agreed_measures", "not_implemented"],
        &["reason_explained"],
    );

    // consents: when the record is shared with someone.
    let mut r = dialogue();
    expect_required(&r, &["consents"], &[]);
    set(&mut r, "/share_with", json!(["nobody"]));
    expect_required(&r, &[], &["consents"]);

    // A group sub-field whose rule depends on its own row: consents.recorded_by for oral consent.
    let mut r = dialogue();
    assert_eq!(at(&mut r, "/consents/0/method"), &json!("oral"));
    expect_required(&r, &["consents.recorded_by"], &[]);
    set(&mut r, "/consents/0/method", json!("signature"));
    expect_required(&r, &["consents.recipient"], &["consents.recorded_by"]);
    set(&mut r, "/consents/2/method", json!("oral"));
    expect_required(&r, &["consents.recorded_by"], &[]);
    remove(&mut r, "/consents");
    expect_required(&r, &["consents.recipient"], &["consents.recorded_by"]);
}

#[test]
fn required_now_lists_work_consideration_parts_by_direction() {
    let part_a = [
        "wi_name",
        "wi_company",
        "wi_confirm_person",
        "wi_company_contact.phone",
    ];
    let part_b = [
        "mo_name",
        "mo_doctor",
        "mo_provision_consent",
        "mo_institution_contact.phone",
    ];
    let both: Vec<&str> = part_a.iter().chain(&part_b).copied().collect();
    let mut r = work();
    assert_eq!(at(&mut r, "/direction"), &json!("integrated"));
    expect_required(&r, &both, &[]);
    expect_required(&r, &["direction", "purpose", "created_date"], &["doc_id"]);

    let mut a_only = work();
    set(&mut a_only, "/direction", json!("work_info"));
    expect_required(&a_only, &part_a, &part_b);
    strip_section(&mut a_only, "part_b");
    expect_required(&a_only, &part_a, &part_b);

    let mut b_only = work();
    set(&mut b_only, "/direction", json!("medical_opinion"));
    expect_required(&b_only, &part_b, &part_a);
    strip_section(&mut b_only, "part_a");
    expect_required(&b_only, &part_b, &part_a);

    let mut no_direction = work();
    remove(&mut no_direction, "/direction");
    expect_required(&no_direction, &["direction"], &both);
    expect_required(&blank("work-consideration"), &["direction"], &both);

    // Conditions inside a part: mo_diagnosis when it is to be included.
    let mut r = work();
    expect_required(&r, &["mo_diagnosis", "mo_measures"], &["mo_leave_until"]);
    set(&mut r, "/mo_diagnosis_disclose", json!("do_not_include"));
    set(&mut r, "/mo_fitness", json!("unfit_now"));
    expect_required(&r, &["mo_leave_until"], &["mo_diagnosis", "mo_measures"]);
    // ... and none of them when Part B does not apply.
    set(&mut r, "/direction", json!("work_info"));
    expect_required(&r, &[], &["mo_leave_until", "mo_diagnosis", "mo_measures"]);
}

#[test]
fn required_now_lists_an_optional_part_only_once_it_is_started() {
    let part_c = [
        "oh_name",
        "oh_class",
        "oh_measures",
        "oh_sign",
        "oh_sign.name",
    ];
    let part_d = [
        "plan_type",
        "plan_employee",
        "plan_employee.name",
        "plan_treatment",
        "plan_phases",
        "plan_phases.period_label",
        "plan_followup",
        "plan_signoffs",
        "plan_signoffs.signature",
    ];
    // The sample has filled in both: both are required.
    let all: Vec<&str> = part_c.iter().chain(&part_d).copied().collect();
    expect_required(&work(), &all, &[]);

    // Neither filled in: nothing of them is required, and finalizing agrees.
    let mut r = work();
    strip_section(&mut r, "part_c");
    strip_section(&mut r, "part_d");
    expect_required(&r, &["wi_name", "mo_name"], &all);
    expect_valid(&r, Mode::Final);
    expect_required(&blank("work-consideration"), &[], &all);

    // A blank value does not start a part.
    set(&mut r, "/oh_name", json!("  "));
    set(&mut r, "/plan_phases", json!([]));
    expect_required(&r, &[], &all);
    expect_valid(&r, Mode::Final);

    // One value starts Part C only.
    set(&mut r, "/oh_name", json!("中村 健一(嘱託産業医)"));
    expect_required(&r, &part_c, &part_d);
    expect(
        &r,
        Mode::Final,
        &[
            ("oh_class", C::Required),
            ("oh_measures", C::Required),
            ("oh_sign", C::Required),
        ],
    );
    // A field that is not itself required starts Part D.
    let mut r2 = work();
    strip_section(&mut r2, "part_c");
    strip_section(&mut r2, "part_d");
    set(
        &mut r2,
        "/plan_other",
        json!("通院は時間単位の年次有給休暇で取得する。"),
    );
    expect_required(&r2, &part_d, &part_c);
}

/// The same rule both ways: for each field, with its value taken out, finalizing reports it
/// missing exactly when required_now lists it (top-level fields), and a sub-field taken out of
/// every row is reported in some row exactly when required_now lists group.sub.
#[test]
fn required_now_agrees_with_final_validation_field_by_field() {
    let mut variants: Vec<(&str, Value)> = vec![
        ("dialogue sample", dialogue()),
        ("work sample", work()),
        ("route sample", route()),
        ("blank dialogue", blank("dialogue-record")),
        ("blank work", blank("work-consideration")),
        ("blank route", blank("route-map")),
    ];
    let mut r = dialogue();
    set(&mut r, "/diagnosis_disclosure", json!("not_disclosed"));
    set(&mut r, "/undue_burden_check", json!(false));
    set(&mut r, "/share_with", json!(["nobody"]));
    set(&mut r, "/employment_type", json!("fixed_term"));
    remove(&mut r, "/not_implemented");
    variants.push(("dialogue variant", r));
    let mut r = work();
    set(&mut r, "/direction", json!("work_info"));
    strip_section(&mut r, "part_b");
    strip_section(&mut r, "part_d");
    variants.push(("work: A and C", r));
    let mut r = work();
    set(&mut r, "/direction", json!("medical_opinion"));
    strip_section(&mut r, "part_a");
    strip_section(&mut r, "part_c");
    strip_section(&mut r, "part_d");
    variants.push(("work: B only", r));
    let mut r = work();
    strip_section(&mut r, "part_c");
    strip_section(&mut r, "part_d");
    set(&mut r, "/plan_type", json!("return_to_work_plan"));
    variants.push(("work: D started", r));
    let mut r = route();
    set(&mut r, "/personal", json!(false));
    remove(&mut r, "/person_name");
    remove(&mut r, "/person_consent");
    variants.push(("route: not personal", r));

    for (name, record) in &variants {
        let template = registry()
            .get(record["template"].as_str().unwrap())
            .unwrap();
        for f in template.sections.iter().flat_map(|s| &s.fields) {
            if f.auto.is_some() {
                continue;
            }
            // The top-level field.
            let mut without = record.clone();
            fields(&mut without).remove(&f.key);
            let missing = problems(&without, Mode::Final)
                .iter()
                .any(|p| p.path == f.key && p.code == C::Required);
            let listed = required(&without).contains(&f.key);
            assert_eq!(
                listed, missing,
                "{name}: {} without a value: required_now says {listed}, validate says {missing}",
                f.key
            );
            // Its sub-fields, taken out of every row (or the object).
            let rows = match record["fields"].get(&f.key) {
                Some(Value::Array(rows)) if !rows.is_empty() => rows.len(),
                Some(Value::Object(_)) => 0,
                _ => continue,
            };
            for sub in &f.fields {
                let mut without = record.clone();
                match fields(&mut without).get_mut(&f.key).unwrap() {
                    Value::Array(rows) => {
                        for row in rows.iter_mut().filter_map(Value::as_object_mut) {
                            row.remove(&sub.key);
                        }
                    }
                    Value::Object(o) => {
                        o.remove(&sub.key);
                    }
                    _ => unreachable!(),
                }
                let path_prefix = |p: &str| {
                    if rows == 0 {
                        p == format!("{}.{}", f.key, sub.key)
                    } else {
                        (0..rows).any(|i| p == format!("{}[{i}].{}", f.key, sub.key))
                    }
                };
                let missing = problems(&without, Mode::Final)
                    .iter()
                    .any(|p| path_prefix(&p.path) && p.code == C::Required);
                let key = format!("{}.{}", f.key, sub.key);
                let listed = required(&without).contains(&key);
                assert_eq!(
                    listed, missing,
                    "{name}: {key} taken out: required_now says {listed}, validate says {missing}"
                );
            }
        }
    }
}
