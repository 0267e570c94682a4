//! The real `taiwa` binary on a temporary encrypted database: the form definitions it prints (against
//! the field keys of docs/domain.md §7, which are the contract), `validate` on good and bad
//! records, and `import` refusing bad input in both languages without storing anything. All data
//! is fictional.

use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use tempfile::TempDir;

const SAMPLE_DIALOGUE: &str = include_str!("../../samples/dialogue-record.json");
const SAMPLE_WORK: &str = include_str!("../../samples/work-consideration.json");
const SAMPLE_ROUTE: &str = include_str!("../../samples/route-map.json");

/// A scratch directory with its own database; every run gets the passphrase from the environment
/// and no terminal.
struct Env {
    dir: TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("data").join("taiwa.db")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_taiwa"))
            .args(args)
            .env("TAIWA_DB", self.db())
            .env("TAIWA_PASSPHRASE", "ひみつの合言葉 correct horse")
            .env_remove("TAIWA_LANG")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn run_path(&self, args: &[&str], path: &Path) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        all.push(path.to_str().unwrap());
        self.run(&all)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn write_json(&self, name: &str, value: &Value) -> PathBuf {
        self.write(name, &serde_json::to_vec_pretty(value).unwrap())
    }

    /// `taiwa list` lines; no database at all counts as no documents.
    fn documents(&self) -> Vec<String> {
        if !self.db().exists() {
            return Vec::new();
        }
        let out = self.run(&["list"]);
        assert_ok(&out, "list");
        stdout(&out).lines().map(String::from).collect()
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

#[track_caller]
fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
}

fn sample(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

// ---------------------------------------------------------------------------------------------
// templates / template --json
// ---------------------------------------------------------------------------------------------

#[test]
fn templates_lists_the_three_forms() {
    let env = Env::new();
    let out = env.run(&["templates"]);
    assert_ok(&out, "templates");
    let ids: Vec<String> = stdout(&out)
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["dialogue-record", "work-consideration", "route-map"]);
    assert!(stdout(&out).contains("合理的配慮 対話記録"));
    assert!(!env.db().exists(), "listing forms touches no database");
}

/// docs/domain.md §7 T1: the key column of T1-A … T1-G.
const T1_KEYS: &[&str] = &[
    // T1-A
    "record_id",
    "record_version",
    "session_date",
    "session_mode",
    "dialogue_stage",
    "legal_basis",
    "recorder",
    "participants",
    "supporter_assisting",
    "participants_consent",
    // T1-B
    "person_name",
    "person_alias",
    "birth_date",
    "employment_status",
    "employer_name",
    "department",
    "job_title",
    "employment_type",
    "contract_end",
    "certificate",
    "nanbyo_proof",
    "diagnosis_disclosure",
    "diagnosis_name",
    "strengths",
    // T1-C
    "request_date",
    "request_channel",
    "requester",
    "functional_impacts",
    "functional_notes",
    "good_day",
    "bad_day",
    "warning_signs",
    "self_management",
    "treatment_needs",
    "barriers",
    "requested_measures",
    // T1-D
    "options",
    "medical_input",
    "undue_burden_check",
    "ub_business_impact",
    "ub_difficulty",
    "ub_cost",
    "ub_company_size",
    "ub_finance",
    "ub_public_support",
    "ub_conclusion",
    // T1-E
    "agreed_measures",
    "not_implemented",
    "reason_explained",
    "interim_measure",
    "person_view",
    "disagreement",
    "share_with",
    "share_content",
    "coworker_explanation",
    "consents",
    "internal_contact",
    // T1-F
    "next_review_date",
    "review_triggers",
    "followups",
    // T1-G
    "sign_person",
    "sign_employer",
    "sign_supporter",
    "attachments",
];

/// The sub-fields docs/domain.md §7 T1 names inside its groups.
const T1_GROUPS: &[(&str, &[&str])] = &[
    (
        "participants",
        &["name", "role", "organization", "attendance"],
    ),
    ("barriers", &["scene", "description", "self_coping"]),
    ("requested_measures", &["measure", "category", "priority"]),
    (
        "options",
        &[
            "option",
            "proposed_by",
            "expected_effect",
            "feasibility",
            "cost",
            "public_support",
        ],
    ),
    (
        "agreed_measures",
        &[
            "measure",
            "agreement_type",
            "start_date",
            "end_or_review",
            "owner",
            "status",
        ],
    ),
    ("not_implemented", &["measure", "reason", "alternative"]),
    (
        "followups",
        &["date", "effectiveness", "changes", "next_action"],
    ),
];

/// docs/domain.md §7 T2: the key column of T2-0 and Parts A–D.
const T2_KEYS: &[&str] = &[
    // T2-0
    "doc_id",
    "direction",
    "purpose",
    "created_date",
    "related_record",
    // T2-A
    "wi_to_institution",
    "wi_to_department",
    "wi_to_doctor",
    "wi_name",
    "wi_birth_date",
    "wi_address",
    "wi_occupation_class",
    "wi_occupation",
    "wi_duties",
    "wi_duty_flags",
    "wi_shift_type",
    "wi_hours",
    "wi_break",
    "wi_days_per_week",
    "wi_overtime",
    "wi_trips",
    "wi_busy_season",
    "wi_commute_method",
    "wi_commute_minutes",
    "wi_leave_until",
    "wi_leave_pay",
    "wi_sickness_benefit",
    "wi_paid_leave_left",
    "wi_systems",
    "wi_notes",
    "wi_questions",
    "wi_oh_presence",
    "wi_oh_contact",
    "wi_company",
    "wi_company_contact",
    "wi_confirm_person",
    "wi_consent_contact",
    // T2-B
    "mo_name",
    "mo_birth_date",
    "mo_address",
    "mo_diagnosis_disclose",
    "mo_diagnosis",
    "mo_symptoms",
    "mo_treatment",
    "mo_visit_freq",
    "mo_fitness",
    "mo_leave_until",
    "mo_measures",
    // mo_std_advice (the UK fit-note list) went in version 2: the domain review wins (issue 19;
    // docs/domain-review.md, docs/domain.md §7 T2-B).
    "mo_restrictions",
    "mo_accident_prevention",
    "mo_other",
    "mo_fluctuation",
    "mo_outlook",
    "mo_emergency",
    "mo_period",
    "mo_reassess",
    "mo_institution",
    "mo_institution_contact",
    "mo_doctor",
    // mo_doctor_profession (「その他(記載補助)」, from the UK fit note) went in version 2 too.
    "mo_doctor_sign",
    "mo_issue_date",
    "mo_confirm_person",
    "mo_provision_consent",
    "mo_billing_check",
    "mo_note",
    // T2-C
    "oh_name",
    "oh_class",
    "oh_measures",
    "oh_period",
    "oh_sign",
    // T2-D
    "plan_type",
    "plan_employee",
    "plan_treatment",
    "plan_return_date",
    "plan_phases",
    "plan_duties",
    "plan_other",
    "plan_followup",
    "plan_signoffs",
];

const T2_GROUPS: &[(&str, &[&str])] = &[
    ("mo_restrictions", &["task", "level", "note"]),
    (
        "plan_phases",
        &["period", "work_hours", "measures", "treatment_schedule"],
    ),
    ("plan_signoffs", &["role", "signature"]),
];

/// docs/domain.md §7 T3-A.
const T3_KEYS: &[&str] = &[
    "map_id",
    "map_title",
    "audience",
    "scenario",
    "region",
    "as_of",
    "personal",
    "person_name",
    "person_consent",
    "employment_status",
    "certificate",
    "nanbyo_proof",
    "company_size",
    "needs",
    "nodes",
    "steps",
];

/// docs/domain.md §7 T3-B and T3-C: the rows of the map's `nodes` and `steps`.
const T3_GROUPS: &[(&str, &[&str])] = &[
    (
        "nodes",
        &[
            "node_id",
            "node_type",
            "node_name",
            "node_role",
            "node_contact",
            "node_eligibility",
            "node_cost",
            "node_booking",
            "node_person",
            "node_notes",
        ],
    ),
    (
        "steps",
        &[
            "step_no",
            "from_node",
            "to_node",
            "purpose",
            "condition",
            "documents",
            "timing",
            "status",
            "outcome",
        ],
    ),
];

const SIGNATURE_KEYS: &[&str] = &["name", "date", "confirmed"];
const CONSENT_KEYS: &[&str] = &[
    "recipient",
    "purpose",
    "items",
    "date",
    "method",
    "recorded_by",
    "expires",
    "withdrawn",
];

fn template_json(env: &Env, id: &str) -> Value {
    let out = env.run(&["template", id, "--json"]);
    assert_ok(&out, id);
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{id}: not JSON: {e}"))
}

#[track_caller]
fn assert_bilingual(v: &Value, what: &str) {
    for lang in ["ja", "en"] {
        let s = v[lang].as_str().unwrap_or("");
        assert!(!s.trim().is_empty(), "{what}: no label.{lang}: {v}");
    }
}

/// Every field at any depth has label.ja and label.en, and so does every option; returns the
/// top-level fields by key.
fn check_labels(t: &Value) -> Vec<(String, Value)> {
    fn walk(fields: &Value, path: &str, count: &mut usize) {
        for f in fields.as_array().expect("fields is an array") {
            let key = f["key"].as_str().expect("every field has a key");
            let here = format!("{path}{key}");
            assert_bilingual(&f["label"], &here);
            *count += 1;
            for o in f["options"].as_array().into_iter().flatten() {
                assert_bilingual(&o["label"], &format!("{here} option {}", o["key"]));
            }
            for g in f["option_groups"].as_array().into_iter().flatten() {
                assert_bilingual(&g["label"], &format!("{here} group {}", g["key"]));
            }
            if let Some(subs) = f.get("fields") {
                walk(subs, &format!("{here}."), count);
            }
        }
    }
    assert_bilingual(&t["title"], "title");
    let mut top = Vec::new();
    let mut count = 0;
    for s in t["sections"].as_array().unwrap() {
        assert_bilingual(&s["title"], &format!("section {}", s["key"]));
        walk(&s["fields"], "", &mut count);
        for f in s["fields"].as_array().unwrap() {
            top.push((f["key"].as_str().unwrap().to_string(), f.clone()));
        }
    }
    assert!(count > top.len(), "sub-fields are printed too");
    top
}

fn sub_keys(field: &Value) -> BTreeSet<String> {
    field["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["key"].as_str().unwrap().to_string())
        .collect()
}

#[track_caller]
fn check_contract(id: &str, keys: &[&str], groups: &[(&str, &[&str])], specs: &[&str]) -> Value {
    let env = Env::new();
    let t = template_json(&env, id);
    assert_eq!(t["id"], id);
    let top = check_labels(&t);
    let have: BTreeSet<&str> = top.iter().map(|(k, _)| k.as_str()).collect();
    let missing: Vec<&&str> = keys.iter().filter(|k| !have.contains(**k)).collect();
    assert!(missing.is_empty(), "{id} lacks §7 keys {missing:?}");
    for (group, subs) in groups {
        let field = &top.iter().find(|(k, _)| k == group).unwrap().1;
        assert_eq!(field["type"], "group", "{id}.{group}");
        let have = sub_keys(field);
        let missing: Vec<&&str> = subs.iter().filter(|k| !have.contains(**k)).collect();
        assert!(
            missing.is_empty(),
            "{id}.{group} lacks §7 sub-keys {missing:?}"
        );
    }
    let found_specs: Vec<&str> = t["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["spec"].as_str())
        .collect();
    assert_eq!(found_specs, specs, "{id}: the §7 tables in order");

    // Built-in sub-fields of signatures and consents are expanded in the printed definition.
    for (key, field) in &top {
        let expected = match field["type"].as_str().unwrap() {
            "signature" => SIGNATURE_KEYS,
            "consent" => CONSENT_KEYS,
            "group" if field["row"] == "consent" => CONSENT_KEYS,
            _ => continue,
        };
        let want: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
        assert_eq!(sub_keys(field), want, "{id}.{key}");
    }
    t
}

#[test]
fn template_json_of_the_dialogue_record_has_every_key_of_domain_t1() {
    let t = check_contract(
        "dialogue-record",
        T1_KEYS,
        T1_GROUPS,
        &["T1-A", "T1-B", "T1-C", "T1-D", "T1-E", "T1-F", "T1-G"],
    );
    // The participant roles of docs/domain.md §7 T1-A, fifteen of them.
    let participants = t["sections"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "participants")
        .unwrap();
    let role = participants["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "role")
        .unwrap();
    assert_eq!(role["options"].as_array().unwrap().len(), 15);
}

#[test]
fn template_json_of_the_work_consideration_sheet_has_every_key_of_domain_t2() {
    check_contract(
        "work-consideration",
        T2_KEYS,
        T2_GROUPS,
        &["T2-0", "T2-A", "T2-B", "T2-C", "T2-D"],
    );
}

#[test]
fn template_json_of_the_route_map_has_every_key_of_domain_t3() {
    let t = check_contract("route-map", T3_KEYS, T3_GROUPS, &["T3-A", "T3-B", "T3-C"]);
    // options_from "agencies" is resolved: the node types carry the catalogue's labels.
    let nodes = t["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["fields"].as_array().unwrap())
        .find(|f| f["key"] == "nodes")
        .unwrap();
    let node_type = nodes["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "node_type")
        .unwrap();
    let options = node_type["options"].as_array().unwrap();
    assert_eq!(
        options.len(),
        30,
        "§4.2 and the four the domain review added"
    );
    assert!(
        options
            .iter()
            .any(|o| o["key"] == "nanbyo_support_center"
                && o["label"]["ja"] == "難病相談支援センター")
    );
}

#[test]
fn an_unknown_template_is_refused_in_both_languages() {
    let env = Env::new();
    let out = env.run(&["template", "dialogue_record", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert!(err.contains("様式「dialogue_record」はありません"), "{err}");
    assert!(
        err.contains("unknown template \"dialogue_record\""),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------------------------

#[test]
fn validate_accepts_every_sample() {
    let env = Env::new();
    for (name, text) in [
        ("dialogue-record.json", SAMPLE_DIALOGUE),
        ("work-consideration.json", SAMPLE_WORK),
        ("route-map.json", SAMPLE_ROUTE),
    ] {
        let path = env.write(name, text.as_bytes());
        let out = env.run_path(&["validate"], &path);
        assert_ok(&out, name);
        assert!(stdout(&out).starts_with("OK: "), "{}", stdout(&out));
        assert!(stdout(&out).contains("(final)"), "{}", stdout(&out));
        let out = env.run_path(&["validate", "--final"], &path);
        assert_ok(&out, name);
    }
    assert!(!env.db().exists(), "validate touches no database");
}

fn record_with_three_problems() -> Value {
    let mut r = sample(SAMPLE_DIALOGUE);
    let f = r["fields"].as_object_mut().unwrap();
    f.insert("session_date".into(), json!("2026-02-30"));
    f.insert("session_mode".into(), json!("video"));
    f.remove("person_name");
    r
}

#[test]
fn validate_prints_one_line_per_problem_naming_the_path() {
    let env = Env::new();
    let path = env.write_json("bad.json", &record_with_three_problems());

    let out = env.run_path(&["validate"], &path);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    let mut paths: Vec<&str> = lines
        .iter()
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    paths.sort();
    assert_eq!(paths, ["person_name", "session_date", "session_mode"]);
    // Japanese by default.
    assert!(
        text.contains("session_date: 「実施日」の 2026-02-30 は暦にない日付です"),
        "{text}"
    );
    assert!(
        text.contains("person_name: 「本人氏名」は必須です"),
        "{text}"
    );
    assert!(
        text.contains("session_mode: 「実施形態」に「video」という選択肢はありません"),
        "{text}"
    );

    let out = env.run_path(&["--lang", "en", "validate"], &path);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.contains("session_date: Session date: 2026-02-30 is not a date on the calendar"),
        "{text}"
    );
    assert!(text.contains("person_name: Name is required"), "{text}");
    assert!(
        text.contains("session_mode: Mode: \"video\" is not an option"),
        "{text}"
    );
    assert!(!text.contains("必須"), "{text}");
}

#[test]
fn validate_checks_a_draft_only_for_well_formed_values_unless_final() {
    let env = Env::new();
    let mut r = sample(SAMPLE_WORK);
    r["status"] = json!("draft");
    r["fields"].as_object_mut().unwrap().remove("mo_doctor");
    let path = env.write_json("draft.json", &r);
    let out = env.run_path(&["validate"], &path);
    assert_ok(&out, "draft");
    assert!(stdout(&out).contains("(draft)"));
    let out = env.run_path(&["validate", "--final"], &path);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out).trim(),
        "mo_doctor: 「医師氏名(記名)」は必須です"
    );
}

// ---------------------------------------------------------------------------------------------
// import
// ---------------------------------------------------------------------------------------------

#[test]
fn import_prints_only_the_document_id() {
    let env = Env::new();
    let path = env.write("route-map.json", SAMPLE_ROUTE.as_bytes());
    let out = env.run_path(&["import"], &path);
    assert_ok(&out, "import");
    let text = stdout(&out);
    assert!(
        text.ends_with('\n') && text.lines().count() == 1,
        "{text:?}"
    );
    let id = uuid::Uuid::parse_str(text.trim()).expect("stdout is the document id");
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    let listed = env.documents();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].starts_with(&id.to_string()), "{}", listed[0]);
    assert!(listed[0].contains("route-map"));
}

#[test]
fn importing_the_same_file_twice_keeps_one_document_and_one_revision() {
    let env = Env::new();
    // A record without an id is a new document each time (the import command's documented
    // behaviour); the file a user re-imports carries its id, as `taiwa show` prints it.
    let id = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    let mut r = sample(SAMPLE_DIALOGUE);
    r["id"] = json!(id);
    let path = env.write_json("dialogue.json", &r);

    let first = env.run_path(&["import"], &path);
    assert_ok(&first, "first import");
    assert_eq!(stdout(&first).trim(), id);

    let second = env.run_path(&["import"], &path);
    assert_ok(&second, "second import");
    assert_eq!(
        stdout(&second),
        stdout(&first),
        "same id, nothing else on stdout"
    );
    assert!(
        stderr(&second).contains("変更はありません"),
        "{}",
        stderr(&second)
    );

    let history = env.run(&["history", id]);
    assert_ok(&history, "history");
    let revisions: Vec<String> = stdout(&history).lines().map(String::from).collect();
    assert_eq!(revisions.len(), 1, "{revisions:?}");
    assert!(revisions[0].starts_with("r1\t"), "{}", revisions[0]);
    assert!(revisions[0].ends_with("prev=-"), "{}", revisions[0]);
    assert_eq!(env.documents().len(), 1);

    // What `show` prints imports back as the same unchanged document.
    let shown = env.run(&["show", id]);
    assert_ok(&shown, "show");
    let path = env.write("shown.json", &shown.stdout);
    let again = env.run_path(&["import"], &path);
    assert_ok(&again, "import of show");
    assert_eq!(stdout(&again).trim(), id);
    assert_eq!(stdout(&env.run(&["history", id])).lines().count(), 1);
}

/// One bad file for `import`: what stderr must say, in Japanese and in English.
struct Bad {
    name: &'static str,
    bytes: Vec<u8>,
    exit: i32,
    ja: String,
    en: String,
}

fn with_field(text: &str, key: &str, value: Value) -> Vec<u8> {
    let mut r = sample(text);
    r["fields"][key] = value;
    serde_json::to_vec_pretty(&r).unwrap()
}

fn bad_inputs() -> Vec<Bad> {
    let mut out = Vec::new();

    let text = "{\n  \"template\": \"dialogue-record\",\n  \"fields\": {\"person_name\": \"山田 花子\" \"session_date\": \"2026-11-20\"}\n}\n";
    let at = text.find("\"session_date\"").unwrap();
    let line_start = text.match_indices('\n').nth(1).unwrap().0 + 1;
    out.push(Bad {
        name: "malformed.json",
        bytes: text.as_bytes().to_vec(),
        exit: 2,
        ja: format!(
            "JSON として読めません(3 行 {} 桁、バイト位置 {at})",
            at - line_start + 1
        ),
        en: format!("byte offset {at}"),
    });

    let mut r = sample(SAMPLE_DIALOGUE);
    r["template"] = json!("dialogue_record");
    out.push(Bad {
        name: "unknown-template.json",
        bytes: serde_json::to_vec(&r).unwrap(),
        exit: 2,
        ja: "様式「dialogue_record」はありません".into(),
        en: "unknown template \"dialogue_record\"".into(),
    });

    out.push(Bad {
        name: "unknown-field.json",
        bytes: with_field(SAMPLE_DIALOGUE, "sesion_date", json!("2026-11-20")),
        exit: 1,
        ja: "sesion_date: 様式「合理的配慮 対話記録」に「sesion_date」という項目はありません(「session_date」のことですか?)".into(),
        en: "the form dialogue-record has no field \"sesion_date\" (did you mean \"session_date\"?)".into(),
    });

    out.push(Bad {
        name: "wrong-type.json",
        bytes: with_field(SAMPLE_WORK, "wi_days_per_week", json!("5")),
        exit: 1,
        ja: "wi_days_per_week: 「週の勤務日数」は数値で入力してください".into(),
        en: "Days per week must be a number".into(),
    });

    out.push(Bad {
        name: "impossible-date.json",
        bytes: with_field(SAMPLE_DIALOGUE, "session_date", json!("2026-02-30")),
        exit: 1,
        ja: "session_date: 「実施日」の 2026-02-30 は暦にない日付です".into(),
        en: "Session date: 2026-02-30 is not a date on the calendar".into(),
    });

    out.push(Bad {
        name: "not-an-option.json",
        bytes: with_field(SAMPLE_ROUTE, "scenario", json!("R3")),
        exit: 1,
        ja: "scenario: 「状況」に「R3」という選択肢はありません".into(),
        en: "\"R3\" is not an option".into(),
    });

    out.push(Bad {
        name: "ten-megabytes.json",
        bytes: with_field(SAMPLE_DIALOGUE, "strengths", json!("長".repeat(3_500_000))),
        exit: 1,
        ja: "strengths: 「強み・得意なこと」が長すぎます(3500000 文字。上限は 20000 文字)".into(),
        en: "Strengths is too long (3500000 characters; at most 20000)".into(),
    });

    let mut bytes = r#"{"template": "dialogue-record", "fields": {"person_name": "山田"#
        .as_bytes()
        .to_vec();
    let at = bytes.len();
    bytes.extend_from_slice(b"\0\0\"}}");
    out.push(Bad {
        name: "nul-bytes.json",
        bytes,
        exit: 2,
        ja: format!("NUL バイトが含まれています(バイト位置 {at})"),
        en: format!("NUL byte at offset {at}"),
    });

    out.push(Bad {
        name: "nul-escape.json",
        bytes: with_field(SAMPLE_DIALOGUE, "person_name", json!("山田\u{0000}花子")),
        exit: 1,
        ja: "person_name: 「本人氏名」に制御文字 NUL が含まれています(3 文字目)".into(),
        en: "Name contains the control character NUL at character 3".into(),
    });

    let mut bytes = br#"{"template": "dialogue-record", "fields": {"person_name": ""#.to_vec();
    let at = bytes.len();
    bytes.extend_from_slice(b"\x8e\x52\x93\x63\"}}"); // 山田 in Shift_JIS
    out.push(Bad {
        name: "shift-jis.json",
        bytes,
        exit: 2,
        ja: format!("バイト位置 {at} に不正なバイト"),
        en: format!("invalid byte at offset {at}"),
    });

    out
}

#[track_caller]
fn assert_refused(env: &Env, bad: &Bad) {
    let path = env.write(bad.name, &bad.bytes);
    let out = env.run_path(&["import"], &path);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(bad.exit), "{}: {err}", bad.name);
    assert!(
        stdout(&out).is_empty(),
        "{}: stdout {}",
        bad.name,
        stdout(&out)
    );
    assert!(
        err.contains("エラー: ") && err.contains("error: "),
        "{}: {err}",
        bad.name
    );
    assert!(
        err.contains(&bad.ja),
        "{}: no {:?} in\n{err}",
        bad.name,
        bad.ja
    );
    assert!(
        err.contains(&bad.en),
        "{}: no {:?} in\n{err}",
        bad.name,
        bad.en
    );
    assert!(
        err.len() < 10_000,
        "{}: the error does not echo the input",
        bad.name
    );
}

#[test]
fn import_refuses_bad_input_in_both_languages_and_stores_nothing() {
    let env = Env::new();
    let bad = bad_inputs();

    // The very first import is bad: no document, and a file that was never read creates nothing.
    assert_refused(&env, &bad[0]);
    assert!(!env.db().exists(), "malformed input created a database");
    assert!(env.documents().is_empty());
    for b in &bad[1..] {
        assert_refused(&env, b);
        assert!(env.documents().is_empty(), "{} stored something", b.name);
    }

    // With documents in the store: still nothing new.
    for (name, text) in [
        ("dialogue-record.json", SAMPLE_DIALOGUE),
        ("work-consideration.json", SAMPLE_WORK),
    ] {
        let path = env.write(name, text.as_bytes());
        assert_ok(&env.run_path(&["import"], &path), name);
    }
    let before = env.documents();
    assert_eq!(before.len(), 2);
    for b in &bad {
        assert_refused(&env, b);
        assert_eq!(env.documents(), before, "{} changed the store", b.name);
    }
    assert_ok(&env.run(&["verify"]), "verify");
}

#[test]
fn a_bad_revision_of_a_stored_document_changes_nothing() {
    let env = Env::new();
    let id = "0b9e8d7c-6a5b-4c3d-9e2f-1a0b9c8d7e6f";
    let mut r = sample(SAMPLE_ROUTE);
    r["id"] = json!(id);
    r["status"] = json!("draft");
    let path = env.write_json("map.json", &r);
    assert_ok(&env.run_path(&["import"], &path), "import");
    let history = stdout(&env.run(&["history", id]));

    r["fields"]["steps"][0]["to_node"] = json!("n99");
    let path = env.write_json("map-bad.json", &r);
    let out = env.run_path(&["import", "--as-revision-of", id, "--yes"], &path);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("steps[0].to_node: "), "{err}");
    assert!(err.contains("no row of nodes has node_id \"n99\""), "{err}");
    assert_eq!(stdout(&env.run(&["history", id])), history);
}

#[test]
fn import_errors_lead_with_english_when_asked() {
    let env = Env::new();
    let path = env.write(
        "wrong-type.json",
        &with_field(SAMPLE_WORK, "wi_days_per_week", json!("5")),
    );
    let out = env.run_path(&["--lang", "en", "import"], &path);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: the record has 1 problem(s); nothing was saved\nエラー: "),
        "{err}"
    );
    assert!(
        err.contains("wi_days_per_week: Days per week must be a number / 「週の勤務日数」は数値で入力してください"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// consent / export --recipient / disclosures (the flows themselves: tests/consent.rs)
// ---------------------------------------------------------------------------------------------

#[test]
fn consent_errors_name_the_field_and_lead_with_english_when_asked() {
    let env = Env::new();
    let path = env.write("work.json", SAMPLE_WORK.as_bytes());
    let out = env.run_path(&["import"], &path);
    assert_ok(&out, "import");
    let id = stdout(&out).trim().to_string();
    let out = env.run(&[
        "--lang",
        "en",
        "consent",
        "add",
        &id,
        "--recipient",
        "人事総務部",
        "--purpose",
        "復職の検討",
        "--sections",
        "all",
        "--method",
        "signature",
        "--given",
        "2025-04-01",
        "--expires",
        "2025-03-31",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: expires_on: the expiry date is before the date consent was given\nエラー: 有効期限(expires_on): "),
        "{err}"
    );
    assert!(err.ends_with("[consent.bad_field]\n"), "{err}");
    assert!(
        !err.contains("人事総務部") && !err.contains("復職"),
        "no input echoed: {err}"
    );
    // clap refuses an unknown method before anything runs.
    let out = env.run(&[
        "consent",
        "add",
        &id,
        "--recipient",
        "X",
        "--purpose",
        "Y",
        "--sections",
        "all",
        "--method",
        "fax",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("signature"), "{}", stderr(&out));
    let list = env.run(&["consent", "list", &id]);
    assert_ok(&list, "consent list");
    assert_eq!(stdout(&list), "", "nothing was recorded");
}

#[test]
fn consent_and_disclosures_need_an_existing_database_and_a_known_document() {
    let env = Env::new();
    let out = env.run(&["consent", "list", "0123456789abcdef"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("[store.no_database]"));
    assert!(!env.db().exists(), "no database is created by a look-up");
    let path = env.write("dialogue.json", SAMPLE_DIALOGUE.as_bytes());
    assert_ok(&env.run_path(&["import"], &path), "import");
    for args in [
        &["consent", "list", "0123456789abcdef"][..],
        &["disclosures", "0123456789abcdef"][..],
        &["consent", "withdraw", "0123456789abcdef"][..],
    ] {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("0123456789abcdef"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = env.run(&["disclosures"]);
    assert_eq!(out.status.code(), Some(2), "an id or --case is required");
}
