//! The consent ledger, minimal disclosure and the disclosure log, on real encrypted database files
//! and real PDFs parsed back (pdftotext, and the attached record.json read back out). The samples
//! are the base; every person and organisation in them is fictional.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use taiwa::consent::{self, Consent, ConsentError, ConsentState, Method, NewConsent, Reason};
use taiwa::i18n::{Lang, UserError};
use taiwa::pdf::preview::Outcome;
use taiwa::pdf::{ExportOptions, disclosure_preview, extract_record};
use taiwa::record::{Record, parse_record};
use taiwa::store::{OpenMode, Store, StoreError};
use taiwa::template::{Registry, Template};
use tempfile::TempDir;

const PASS: &str = "同意の台帳 correct horse";

fn sample_value(name: &str) -> Value {
    let path = Path::new(crate::support::ROOT)
        .join("samples")
        .join(format!("{name}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn record(v: &Value) -> Record {
    parse_record(v.to_string().as_bytes(), Registry::builtin()).unwrap()
}

/// The samples are version 1 records: they are read, checked and printed as version 1.
fn template(id: &str) -> &'static Template {
    Registry::builtin().get_version(id, 1).unwrap()
}

fn day(s: &str) -> chrono::NaiveDate {
    consent::parse_date(s).unwrap()
}

fn sha256_file(path: &Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn new_consent(recipient: &str, role: Option<&str>, sections: Option<&[&str]>) -> NewConsent {
    NewConsent {
        recipient: recipient.into(),
        role: role.map(String::from),
        purpose: "復職に向けた就業上の措置の検討のため".into(),
        sections: sections.map(|s| s.iter().map(|k| k.to_string()).collect()),
        whole_document: sections.is_none(),
        method: Method::Signature,
        recorded_by: None,
        given_on: "2026-12-17".into(),
        expires_on: Some("2027-12-31".into()),
    }
}

fn open(dir: &TempDir) -> Store {
    Store::open(
        &dir.path().join("taiwa.db"),
        PASS,
        OpenMode::CreateIfMissing,
    )
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// The ledger in the store
// ---------------------------------------------------------------------------------------------

#[test]
fn consents_are_added_listed_per_document_and_case_and_withdrawn_never_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let saved = store
        .save_record(&record(&sample_value("work-consideration")), None)
        .unwrap();
    let other = store
        .save_record(
            &record(&sample_value("dialogue-record")),
            Some(saved.case_id),
        )
        .unwrap();
    let doc = saved.document_id.to_string();
    let today = day("2027-01-10");

    let hr = store
        .add_consent(
            store.resolve_document_id(&doc[..8]).unwrap(),
            &new_consent(
                "  株式会社ミドリバ物流　人事総務部  ",
                Some("hr"),
                Some(&["a", "a"]),
            ),
            today,
        )
        .unwrap();
    assert_eq!(hr.recipient, "株式会社ミドリバ物流　人事総務部", "trimmed");
    assert_eq!(hr.sections, Some(vec!["a".to_string()]), "de-duplicated");
    assert_eq!(hr.document_id, Some(saved.document_id));
    assert_eq!(hr.case_id, saved.case_id);
    assert_eq!(hr.given_at_seq, Some(1));
    let mut oral = new_consent(
        "嘱託産業医 中村 健一",
        Some("occupational_health_staff"),
        None,
    );
    oral.method = Method::Oral;
    oral.recorded_by = Some("佐藤 美香(人事総務部)".into());
    oral.expires_on = None;
    let oh = store
        .add_consent(doc.parse().unwrap(), &oral, today)
        .unwrap();
    let on_dialogue = store
        .add_consent(
            other.document_id,
            &new_consent(
                "就労支援センター",
                Some("support_agency"),
                Some(&["agreement"]),
            ),
            today,
        )
        .unwrap();

    let listed = store.consents_for_document(doc.parse().unwrap()).unwrap();
    assert_eq!(
        listed.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![hr.id, oh.id]
    );
    let in_case = store.consents_for_case(saved.case_id).unwrap();
    assert_eq!(in_case.len(), 3);
    assert!(in_case.iter().any(|c| c.id == on_dialogue.id));
    assert_eq!(listed[0].state_on(today), ConsentState::Valid);

    // Withdrawal: by prefix, kept in the ledger, once only, never before the day given.
    let early = store.withdraw_consent(
        store.resolve_consent_id(&hr.id.to_string()[..8]).unwrap(),
        "2026-12-01",
    );
    assert!(matches!(
        early,
        Err(StoreError::Consent(
            ConsentError::WithdrawnBeforeGiven { .. }
        ))
    ));
    let withdrawn = store
        .withdraw_consent(
            store.resolve_consent_id(&hr.id.to_string()[..8]).unwrap(),
            "2027-01-10",
        )
        .unwrap();
    assert_eq!(withdrawn.withdrawn_on.as_deref(), Some("2027-01-10"));
    assert_eq!(
        withdrawn.state_on(today),
        ConsentState::Withdrawn {
            withdrawn_on: "2027-01-10".into()
        }
    );
    assert_eq!(withdrawn.state_on(day("2027-01-09")), ConsentState::Valid);
    let again = store.withdraw_consent(hr.id, "2027-01-11");
    assert!(matches!(
        again,
        Err(StoreError::Consent(ConsentError::AlreadyWithdrawn { .. }))
    ));
    assert_eq!(
        store
            .consents_for_document(doc.parse().unwrap())
            .unwrap()
            .len(),
        2
    );
    assert!(matches!(
        store.resolve_consent_id("0000000000"),
        Err(StoreError::Consent(ConsentError::NotFound { .. }))
    ));

    // Even with the key, the ledger refuses deletion and any change but one withdrawal.
    let conn = store.connection();
    assert!(conn.execute("DELETE FROM consents", []).is_err());
    assert!(
        conn.execute(
            "UPDATE consents SET recipient = 'someone else' WHERE id = ?1",
            [oh.id.to_string()]
        )
        .is_err()
    );
    assert!(
        conn.execute(
            "UPDATE consents SET withdrawn_on = '2027-02-01' WHERE id = ?1",
            [hr.id.to_string()]
        )
        .is_err(),
        "a withdrawal date is set once"
    );
    drop(store);
    // And all of it is still there after reopening the file.
    let store = open(&dir);
    let again = store.consents_for_document(doc.parse().unwrap()).unwrap();
    assert_eq!(again[0].withdrawn_on.as_deref(), Some("2027-01-10"));
    assert_eq!(again[1].method, Method::Oral);
    assert_eq!(
        again[1].recorded_by.as_deref(),
        Some("佐藤 美香(人事総務部)")
    );
}

/// The ledger and the disclosure log are read in the order they were written. Forty entries
/// made in a loop share milliseconds, so an order by time and then by random id would shuffle
/// them; the order must also survive the VACUUM that deletion runs.
#[test]
fn the_ledger_and_the_log_list_entries_in_the_order_they_were_made_even_within_one_millisecond() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let saved = store
        .save_record(&record(&sample_value("work-consideration")), None)
        .unwrap();
    let today = day("2027-01-10");
    let mut consents = Vec::new();
    let mut lines = Vec::new();
    for n in 0..40 {
        let made = store
            .add_consent(
                saved.document_id,
                &new_consent(&format!("提供先{n}"), Some("hr"), Some(&["a"])),
                today,
            )
            .unwrap();
        consents.push(made.id);
        let line = store
            .log_disclosure(&taiwa::store::NewDisclosure {
                document_id: saved.document_id,
                revision_seq: 1,
                revision_sha256: saved.sha256.clone(),
                recipient: Some(format!("提供先{n}")),
                consents: vec![made.id],
                parts: None,
                withheld: Vec::new(),
                file_sha256: format!("{n:064x}"),
                format: "pdf",
                purpose: None,
            })
            .unwrap();
        lines.push(line.id);
    }
    let check = |store: &Store, when: &str| {
        let listed: Vec<_> = store
            .consents_for_document(saved.document_id)
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(listed, consents, "consents {when}");
        let logged: Vec<_> = store
            .disclosures_for_case(saved.case_id)
            .unwrap()
            .iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(logged, lines, "disclosure log {when}");
    };
    check(&store, "as written");
    store.connection().execute_batch("VACUUM;").unwrap();
    drop(store);
    check(&open(&dir), "after VACUUM and reopening");
}

#[test]
fn bad_consent_input_is_refused_naming_the_field_in_both_languages_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let saved = store
        .save_record(&record(&sample_value("work-consideration")), None)
        .unwrap();
    let doc = saved.document_id.to_string();
    let today = day("2027-01-10");
    let base = new_consent("人事総務部", Some("hr"), Some(&["a"]));
    type Edit = fn(&mut NewConsent);
    let cases: [(&str, Edit, &str, &str); 10] = [
        (
            "blank recipient",
            |c| c.recipient = "   ".into(),
            "recipient",
            "提供先",
        ),
        (
            "control char",
            |c| c.purpose = "復職\u{7}".into(),
            "purpose",
            "利用目的",
        ),
        (
            "blank purpose",
            |c| c.purpose = String::new(),
            "purpose",
            "利用目的",
        ),
        (
            "bad date",
            |c| c.given_on = "2026-13-01".into(),
            "given_on",
            "同意日",
        ),
        (
            "loose date",
            |c| c.given_on = "2026-1-5".into(),
            "given_on",
            "同意日",
        ),
        (
            "future",
            |c| c.given_on = "2027-01-11".into(),
            "given_on",
            "同意日",
        ),
        (
            "expiry before given",
            |c| c.expires_on = Some("2026-12-16".into()),
            "expires_on",
            "有効期限",
        ),
        (
            "oral without recorder",
            |c| c.method = Method::Oral,
            "recorded_by",
            "記録者",
        ),
        (
            "unknown section",
            |c| c.sections = Some(vec!["a".into(), "z".into()]),
            "sections",
            "範囲",
        ),
        (
            "no section",
            |c| c.sections = Some(vec![]),
            "sections",
            "範囲",
        ),
    ];
    for (what, edit, field, field_ja) in cases {
        let mut c = base.clone();
        edit(&mut c);
        let err = store
            .add_consent(doc.parse().unwrap(), &c, today)
            .unwrap_err();
        let m = err.message();
        assert!(err.code().starts_with("consent."), "{what}: {}", err.code());
        assert!(m.en.contains(field), "{what}: {}", m.en);
        assert!(m.ja.contains(field_ja), "{what}: {}", m.ja);
        assert!(
            !m.en.contains("復職"),
            "{what}: a message never echoes input content"
        );
        if what == "unknown section" {
            // The valid keys are named: the sections and the parts of this form.
            for key in ["document", "part_a", "part_d", "a", "b", "c", "d"] {
                assert!(m.en.contains(key), "{}", m.en);
            }
        }
    }
    assert!(
        store
            .consents_for_document(doc.parse().unwrap())
            .unwrap()
            .is_empty()
    );
    // Expiring on the day given is allowed; the day is the last one it holds.
    let mut same_day = base.clone();
    same_day.expires_on = Some(same_day.given_on.clone());
    let c = store
        .add_consent(doc.parse().unwrap(), &same_day, today)
        .unwrap();
    assert_eq!(c.state_on(day("2026-12-17")), ConsentState::Valid);
    assert_eq!(
        c.state_on(day("2026-12-18")),
        ConsentState::Expired {
            expires_on: "2026-12-17".into()
        }
    );
    assert_eq!(
        c.state_on(day("2026-12-16")),
        ConsentState::NotYetGiven {
            given_on: "2026-12-17".into()
        }
    );
}

/// A database as schema 2 left it gains the consent rules on open.
#[test]
fn a_schema_2_database_is_migrated_to_3_with_the_ledger_rules() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("taiwa.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "key", PASS).unwrap();
        conn.execute_batch(include_str!("../../src/store/migrations/0001_init.sql"))
            .unwrap();
        conn.execute_batch(include_str!("../../src/store/migrations/0002_app.sql"))
            .unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
    }
    let mut store = Store::open(&path, PASS, OpenMode::ExistingOnly).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        taiwa::store::SCHEMA_VERSION
    );
    let saved = store
        .save_record(&record(&sample_value("dialogue-record")), None)
        .unwrap();
    let c = store
        .add_consent(
            saved.document_id,
            &new_consent("産業医", Some("occupational_health_staff"), None),
            day("2027-01-10"),
        )
        .unwrap();
    assert!(
        store
            .connection()
            .execute("DELETE FROM consents WHERE id = ?1", [c.id.to_string()])
            .is_err()
    );
}

// ---------------------------------------------------------------------------------------------
// Selection and the redaction rule
// ---------------------------------------------------------------------------------------------

fn consent_for(recipient: &str, role: Option<&str>, sections: Option<&[&str]>) -> Consent {
    Consent {
        id: uuid::Uuid::new_v4().into(),
        case_id: uuid::Uuid::new_v4().into(),
        document_id: None,
        recipient: recipient.into(),
        role: role.map(String::from),
        purpose: "検討のため".into(),
        sections: sections.map(|s| s.iter().map(|k| k.to_string()).collect()),
        method: Method::Signature,
        recorded_by: None,
        given_on: "2026-12-01".into(),
        expires_on: Some("2027-06-30".into()),
        withdrawn_on: None,
        given_at_seq: Some(1),
        created_at: "2026-12-01T00:00:00.000Z".into(),
    }
}

#[test]
fn select_matches_the_recipient_after_nfkc_and_says_why_none_holds() {
    let mut expired = consent_for("ＡＢＣ商事　人事部", Some("hr"), None);
    expired.expires_on = Some("2026-12-31".into());
    let mut withdrawn = consent_for("ABC商事 人事部", Some("hr"), None);
    withdrawn.withdrawn_on = Some("2027-01-05".into());
    let all = vec![expired.clone(), withdrawn.clone()];
    let err = consent::select(&all, "doc-1", " ABC商事  人事部 ", day("2027-01-10")).unwrap_err();
    let ConsentError::Refused {
        recipient, reasons, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(recipient, "ABC商事 人事部");
    assert_eq!(reasons.len(), 2);
    let m = err.message();
    assert!(m.en.contains("expired on 2026-12-31"), "{}", m.en);
    assert!(m.en.contains("withdrawn on 2027-01-05"), "{}", m.en);
    assert!(m.ja.contains("2026-12-31 で期限切れ"), "{}", m.ja);
    assert!(m.ja.contains("2027-01-05 に撤回"), "{}", m.ja);
    // Before both, the expired one holds (it is the same recipient written in full width).
    let ok = consent::select(&all, "doc-1", "ABC商事 人事部", day("2026-12-20")).unwrap();
    assert_eq!(ok.len(), 2);
    // A different recipient (case and wording count) has none.
    let err = consent::select(&all, "doc-1", "abc商事 人事部", day("2026-12-20")).unwrap_err();
    assert!(err.message().en.contains("no consent for this recipient"));
}

fn plan_for(r: &Record, consents: &[Consent]) -> consent::DisclosurePlan {
    let refs: Vec<&Consent> = consents.iter().collect();
    consent::plan(r, template(&r.template), &refs, Registry::builtin())
}

#[test]
fn the_diagnosis_goes_only_where_the_disclosure_field_and_a_consent_both_allow() {
    let base = sample_value("dialogue-record");
    /// (diagnosis_disclosure, role, sections, the diagnosis goes)
    type Row<'a> = (&'a str, Option<&'a str>, Option<&'a [&'a str]>, bool);
    let table: &[Row] = &[
        (
            "not_disclosed",
            Some("occupational_health_staff"),
            None,
            false,
        ),
        ("not_disclosed", Some("hr"), None, false),
        (
            "oh_staff_only",
            Some("occupational_health_staff"),
            None,
            true,
        ),
        (
            "oh_staff_only",
            Some("産業医・産業保健スタッフ"),
            None,
            true,
        ),
        ("oh_staff_only", Some("hr"), None, false),
        ("employer_hr", Some("hr"), None, true),
        ("employer_hr", Some("人事"), None, true),
        ("employer_hr", Some("occupational_health_staff"), None, true),
        ("employer_hr", Some("line_manager"), None, false),
        ("employer_hr", Some("support_agency"), None, false),
        ("employer_hr", Some("社長"), None, false),
        ("employer_hr", None, None, false),
        // The kind allows it, but the consent does not cover the section holding the diagnosis.
        ("employer_hr", Some("hr"), Some(&["agreement"]), false),
        ("employer_hr", Some("hr"), Some(&["person"]), true),
    ];
    for (disclosure, role, sections, goes) in table {
        let mut v = base.clone();
        v["fields"]["diagnosis_disclosure"] = json!(disclosure);
        if *disclosure == "not_disclosed" {
            // Validation would not ask for it, but a stale value must not leak either.
            v["fields"]["diagnosis_name"] = json!("（架空の診断名）");
        }
        let r = record(&v);
        let plan = plan_for(&r, &[consent_for("X社", *role, *sections)]);
        assert_eq!(
            plan.record.fields.contains_key("diagnosis_name"),
            *goes,
            "{disclosure} / {role:?} / {sections:?}"
        );
        let d = plan.decision("diagnosis_name").unwrap();
        assert_eq!(d.included, *goes);
        if !goes && sections.is_none() {
            assert!(
                matches!(d.reason, Reason::DiagnosisNotAllowed { .. }),
                "{:?}",
                d.reason
            );
        }
    }
    // Two consents for the same recipient: the union of what they cover, and the diagnosis if
    // either names an allowed kind over the section.
    let r = record(&base);
    let plan = plan_for(
        &r,
        &[
            consent_for("X社", Some("line_manager"), Some(&["person"])),
            consent_for("X社", Some("hr"), Some(&["request"])),
        ],
    );
    assert!(!plan.record.fields.contains_key("diagnosis_name"));
    assert!(
        plan.record.fields.contains_key("certificate"),
        "person covered"
    );
    assert!(
        plan.record.fields.contains_key("functional_notes"),
        "request covered"
    );
    assert!(
        !plan.record.fields.contains_key("medical_input"),
        "consideration not covered"
    );

    // The physician's sheet: include_with_consent reaches whoever a consent covers Part B for.
    let work = sample_value("work-consideration");
    for (disclosure, sections, goes) in [
        ("include_with_consent", Some(&["b"][..]), true),
        ("include_with_consent", None, true),
        ("include_with_consent", Some(&["a"][..]), false),
        ("omit", None, false),
    ] {
        let mut v = work.clone();
        v["fields"]["mo_diagnosis_disclose"] = json!(disclosure);
        let r = record(&v);
        let plan = plan_for(&r, &[consent_for("Y社", None, sections)]);
        assert_eq!(
            plan.record.fields.contains_key("mo_diagnosis"),
            goes,
            "{disclosure} / {sections:?}"
        );
    }
}

#[test]
fn sensitive_columns_of_a_table_that_is_not_sensitive_are_removed_row_by_row() {
    let r = record(&sample_value("dialogue-record"));
    let plan = plan_for(&r, &[consent_for("X社", Some("hr"), Some(&["meta"]))]);
    let rows = plan.record.fields["barriers"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        assert!(row.get("scene").is_some(), "not sensitive: kept");
        assert!(row.get("description").is_none() && row.get("self_coping").is_none());
    }
    let d = plan.decision("barriers.description").unwrap();
    assert!(!d.included && d.sensitive);
    // The preview shows the table rows as partly withheld, with the reason.
    let p = disclosure_preview(
        &r,
        template(&r.template),
        &ExportOptions::new(Lang::Ja),
        &plan,
    )
    .unwrap();
    let fields: Vec<_> = p.sections.iter().flat_map(|s| &s.fields).collect();
    let barrier = fields.iter().find(|f| f.path == "barriers[0]").unwrap();
    assert_eq!(barrier.outcome, Outcome::Partial);
    assert!(
        barrier.reason.en.contains("no valid consent"),
        "{}",
        barrier.reason.en
    );
    let diagnosis = fields.iter().find(|f| f.path == "diagnosis_name").unwrap();
    assert_eq!(diagnosis.outcome, Outcome::Withheld);
    assert_eq!(diagnosis.sent, None);
    let name = fields.iter().find(|f| f.path == "person_name").unwrap();
    assert_eq!(name.outcome, Outcome::Included);
    assert_eq!(name.sent.as_deref(), Some(name.value.as_str()));
    assert!(
        !p.sensitive,
        "nothing sensitive goes with a consent for 'meta' only"
    );
}

// ---------------------------------------------------------------------------------------------
// Through the CLI: export refused, two recipients, the disclosure log
// ---------------------------------------------------------------------------------------------

struct Env {
    dir: TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_taiwa"))
            .args(args)
            .env("TAIWA_DB", self.path("taiwa.db"))
            .env("TAIWA_PASSPHRASE", PASS)
            .env_remove("TAIWA_LANG")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: exit {:?}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    fn import(&self, name: &str, v: &Value) -> String {
        let p = self.path(&format!("{name}.json"));
        std::fs::write(&p, serde_json::to_vec(v).unwrap()).unwrap();
        self.ok(&["import", p.to_str().unwrap()])
    }
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext is needed (apt poppler-utils; scripts/test.sh installs it)");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The first line of a value, squashed: what must (or must not) show in the PDF text.
fn probe(s: &str) -> String {
    squash(s.lines().next().unwrap()).chars().take(18).collect()
}

fn attached(pdf: &Path) -> Value {
    serde_json::from_slice(&extract_record(&std::fs::read(pdf).unwrap()).unwrap()).unwrap()
}

#[test]
fn consent_add_list_and_withdraw_round_trip_through_the_cli() {
    let env = Env::new();
    let id = env.import("work", &sample_value("work-consideration"));
    let hr = env.ok(&[
        "consent",
        "add",
        &id[..8],
        "--recipient",
        "株式会社ミドリバ物流 人事総務部",
        "--role",
        "hr",
        "--purpose",
        "復職の検討",
        "--sections",
        "a,c",
        "--method",
        "signature",
        "--given",
        "2025-06-02",
        "--expires",
        "2027-12-31",
    ]);
    assert!(
        uuid::Uuid::parse_str(&hr).is_ok(),
        "prints only the id: {hr}"
    );
    let oral = env.run(&[
        "consent",
        "add",
        &id,
        "--recipient",
        "嘱託産業医 中村 健一",
        "--purpose",
        "就業上の措置の助言",
        "--sections",
        "all",
        "--method",
        "oral",
    ]);
    assert_eq!(oral.status.code(), Some(2), "oral needs --recorded-by");
    let err = String::from_utf8_lossy(&oral.stderr);
    assert!(
        err.contains("recorded_by") && err.contains("記録者"),
        "{err}"
    );
    let oh = env.ok(&[
        "consent",
        "add",
        &id,
        "--recipient",
        "嘱託産業医 中村 健一",
        "--purpose",
        "就業上の措置の助言",
        "--sections",
        "all",
        "--method",
        "oral",
        "--recorded-by",
        "佐藤 美香",
        "--role",
        "occupational_health_staff",
    ]);
    let bad = env.run(&[
        "consent",
        "add",
        &id,
        "--recipient",
        "X",
        "--purpose",
        "Y",
        "--method",
        "signature",
        "--sections",
        "a,zz",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("zz") && err.contains("part_a") && err.contains("[consent.unknown_section]"),
        "{err}"
    );

    let list = env.ok(&["consent", "list", &id]);
    let lines: Vec<Vec<&str>> = list.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert_eq!(
        lines[0][..8],
        [
            hr.as_str(),
            "株式会社ミドリバ物流 人事総務部",
            "復職の検討",
            "a,c",
            "2025-06-02",
            "2027-12-31",
            "valid",
            "-"
        ]
    );
    assert_eq!(lines[1][0], oh);
    assert_eq!(lines[1][4], consent::today().format("%Y-%m-%d").to_string());
    assert_eq!((lines[1][3], lines[1][5], lines[1][6]), ("*", "-", "valid"));

    let withdrawn = env.ok(&["consent", "withdraw", &hr[..8]]);
    assert!(withdrawn.starts_with(&hr));
    let list = env.ok(&["consent", "list", &id]);
    let first: Vec<&str> = list.lines().next().unwrap().split('\t').collect();
    assert_eq!(first[6], "withdrawn");
    assert_eq!(first[7], consent::today().format("%Y-%m-%d").to_string());
    let twice = env.run(&["consent", "withdraw", &hr]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already withdrawn"));
}

#[test]
fn export_without_a_valid_consent_is_refused_with_the_reason_and_nothing_is_written_or_logged() {
    let env = Env::new();
    let id = env.import("work", &sample_value("work-consideration"));
    let expired = env.ok(&[
        "consent",
        "add",
        &id,
        "--recipient",
        "旧委託先 健康管理室",
        "--purpose",
        "助言",
        "--sections",
        "all",
        "--method",
        "name",
        "--given",
        "2020-04-01",
        "--expires",
        "2020-12-31",
    ]);
    let withdrawn = env.ok(&[
        "consent",
        "add",
        &id,
        "--recipient",
        "株式会社ミドリバ物流 業務課",
        "--purpose",
        "業務調整",
        "--sections",
        "all",
        "--method",
        "signature",
    ]);
    env.ok(&["consent", "withdraw", &withdrawn]);
    let today = consent::today().format("%Y-%m-%d").to_string();
    for (recipient, why_en, why_ja) in [
        (
            "どこかの会社",
            "no consent for this recipient is recorded".to_string(),
            "同意が記録されていません".to_string(),
        ),
        (
            "旧委託先　健康管理室",
            format!("consent {} expired on 2020-12-31", &expired[..8]),
            "2020-12-31 で期限切れ".to_string(),
        ),
        (
            "株式会社ミドリバ物流 業務課",
            format!("consent {} was withdrawn on {today}", &withdrawn[..8]),
            format!("{today} に撤回されました"),
        ),
    ] {
        let pdf = env.path("refused.pdf");
        let out = env.run(&[
            "export",
            &id,
            "--recipient",
            recipient,
            "-o",
            pdf.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(4), "{recipient}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&id), "names the document: {err}");
        assert!(
            err.contains(&consent::normalize_recipient(recipient)),
            "names the recipient: {err}"
        );
        assert!(err.contains(&why_en) && err.contains(&why_ja), "{err}");
        assert!(err.contains("[consent.refused]"), "{err}");
        assert!(!pdf.exists(), "nothing written");
        assert!(
            std::fs::read_dir(env.dir.path()).unwrap().all(|e| !e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")),
            "no temporary file left"
        );
    }
    assert_eq!(env.ok(&["disclosures", &id]), "", "nothing logged");
    // A record file is not in the ledger: --recipient needs a stored document.
    let file = env.path("work.json");
    let out = env.run(&[
        "export",
        file.to_str().unwrap(),
        "--recipient",
        "どこか",
        "-o",
        env.path("x.pdf").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[consent.not_stored]"));
}

/// Field by field, for two recipients: the employer's HR with Part A only, and the occupational
/// physician with the whole document (diagnosis included), then the person's own copy.
#[test]
fn two_recipients_get_two_copies_checked_field_by_field_in_the_pdf_and_record_json() {
    let env = Env::new();
    let v = sample_value("work-consideration");
    let id = env.import("work", &v);
    let fields = v["fields"].as_object().unwrap();
    let t = template("work-consideration");
    let hr_to = "株式会社ミドリバ物流 人事総務部";
    let oh_to = "嘱託産業医 中村 健一";
    let hr_consent = env.ok(&[
        "consent",
        "add",
        &id,
        "--recipient",
        hr_to,
        "--role",
        "hr",
        "--purpose",
        "復職の検討",
        "--sections",
        "a",
        "--method",
        "signature",
    ]);
    let oh_consent = env.ok(&[
        "consent",
        "add",
        &id,
        "--recipient",
        oh_to,
        "--role",
        "occupational_health_staff",
        "--purpose",
        "就業上の措置の意見",
        "--sections",
        "all",
        "--method",
        "electronic",
    ]);
    let hr_pdf = env.path("hr.pdf");
    let oh_pdf = env.path("oh.pdf");
    let own_pdf = env.path("own.pdf");
    env.ok(&[
        "export",
        &id,
        "--recipient",
        hr_to,
        "-o",
        hr_pdf.to_str().unwrap(),
    ]);
    env.ok(&[
        "export",
        &id,
        "--recipient",
        oh_to,
        "-o",
        oh_pdf.to_str().unwrap(),
    ]);
    env.ok(&["export", &id, "-o", own_pdf.to_str().unwrap()]);

    let hr_text = pdftotext(&hr_pdf);
    let oh_text = pdftotext(&oh_pdf);
    let hr_json = attached(&hr_pdf);
    let oh_json = attached(&oh_pdf);
    assert!(
        hr_text.contains(&squash(&format!("提供先: {hr_to}"))),
        "the copy names its recipient"
    );
    assert!(hr_text.contains(&hr_consent[..8]));
    assert!(oh_text.contains(&oh_consent[..8]));
    assert!(
        hr_json.get("id").is_none() && oh_json.get("id").is_none(),
        "a copy never replaces the document on import"
    );
    assert_eq!(
        attached(&own_pdf)["id"],
        json!(id),
        "the own copy is the document"
    );
    assert_eq!(attached(&own_pdf)["fields"], v["fields"]);

    let mut checked = (0, 0);
    for s in &t.sections {
        for f in &s.fields {
            let Some(value) = fields.get(&f.key) else {
                continue;
            };
            let hr_goes = !f.sensitive || s.part.as_deref() == Some("a");
            // record.json: exactly the fields that go, with their stored values.
            assert_eq!(
                hr_json["fields"].get(&f.key),
                hr_goes.then_some(value),
                "HR {}",
                f.key
            );
            assert_eq!(oh_json["fields"].get(&f.key), Some(value), "OH {}", f.key);
            // The PDF text: a sensitive text value shows only where it goes.
            if let Value::String(s) = value
                && f.sensitive
                && matches!(
                    f.kind,
                    taiwa::template::FieldType::Text | taiwa::template::FieldType::LongText
                )
            {
                let p = probe(s);
                assert_eq!(hr_text.contains(&p), hr_goes, "HR PDF {}: {p}", f.key);
                assert!(oh_text.contains(&p), "OH PDF {}: {p}", f.key);
                checked.0 += usize::from(!hr_goes);
                checked.1 += 1;
            }
        }
    }
    assert!(
        checked.0 >= 8 && checked.1 >= 10,
        "{checked:?}: the sample has sensitive text to check"
    );
    // Named checks of the rule: the diagnosis, Part A's sensitive notes, a non-sensitive Part B field.
    let diagnosis = squash(fields["mo_diagnosis"].as_str().unwrap());
    assert!(!hr_text.contains(&diagnosis) && oh_text.contains(&diagnosis));
    assert!(
        hr_json["fields"].get("wi_notes").is_some(),
        "Part A is covered for HR"
    );
    assert!(hr_text.contains(&squash(fields["mo_institution"].as_str().unwrap())));
    assert!(hr_text.contains("【省略】"), "withheld fields are marked");
    assert!(!oh_text.contains("【省略】"));
    assert!(
        hr_text.contains("要配慮個人情報を含む"),
        "Part A's notes are sensitive"
    );
}

#[test]
fn the_dialogue_record_diagnosis_reaches_oh_staff_but_not_hr_when_only_oh_may_know() {
    let env = Env::new();
    let mut v = sample_value("dialogue-record");
    v["fields"]["diagnosis_disclosure"] = json!("oh_staff_only");
    let id = env.import("dialogue", &v);
    let diagnosis = squash(v["fields"]["diagnosis_name"].as_str().unwrap());
    let functional = probe(v["fields"]["functional_notes"].as_str().unwrap());
    for (to, role, goes) in [
        ("人事部", "hr", false),
        ("産業医 鈴木 拓也", "occupational_health_staff", true),
    ] {
        env.ok(&[
            "consent",
            "add",
            &id,
            "--recipient",
            to,
            "--role",
            role,
            "--purpose",
            "配慮の検討",
            "--sections",
            "all",
            "--method",
            "signature",
        ]);
        let pdf = env.path(&format!("{role}.pdf"));
        env.ok(&[
            "export",
            &id,
            "--recipient",
            to,
            "-o",
            pdf.to_str().unwrap(),
        ]);
        let text = pdftotext(&pdf);
        let json = attached(&pdf);
        assert_eq!(text.contains(&diagnosis), goes, "{role}");
        assert_eq!(
            json["fields"].get("diagnosis_name").is_some(),
            goes,
            "{role}"
        );
        // The whole document is covered for both: other sensitive fields go to both.
        assert!(text.contains(&functional), "{role}");
        assert!(json["fields"].get("functional_notes").is_some());
    }
}

#[test]
fn every_export_of_a_stored_document_is_logged_with_the_sha256_of_the_file() {
    let env = Env::new();
    let id = env.import("work", &sample_value("work-consideration"));
    let hr_to = "株式会社ミドリバ物流 人事総務部";
    let a = env.ok(&[
        "consent",
        "add",
        &id,
        "--recipient",
        hr_to,
        "--role",
        "hr",
        "--purpose",
        "復職の検討",
        "--sections",
        "a",
        "--method",
        "signature",
    ]);
    let c = env.ok(&[
        "consent",
        "add",
        &id,
        "--recipient",
        hr_to,
        "--role",
        "hr",
        "--purpose",
        "産業医意見の共有",
        "--sections",
        "c",
        "--method",
        "signature",
    ]);
    let files = [
        env.path("own.pdf"),
        env.path("hr.pdf"),
        env.path("hr-b.pdf"),
    ];
    env.ok(&["export", &id, "-o", files[0].to_str().unwrap()]);
    env.ok(&[
        "export",
        &id,
        "--recipient",
        hr_to,
        "-o",
        files[1].to_str().unwrap(),
    ]);
    env.ok(&[
        "export",
        &id,
        "--recipient",
        hr_to,
        "--part",
        "b",
        "-o",
        files[2].to_str().unwrap(),
    ]);
    // Two consents for one recipient: their union goes (Part C's opinion too).
    let hr_json = attached(&files[1]);
    assert!(hr_json["fields"].get("oh_measures").is_some());
    assert!(hr_json["fields"].get("mo_symptoms").is_none());

    let head_sha = env
        .ok(&["history", &id])
        .lines()
        .last()
        .unwrap()
        .split('\t')
        .nth(3)
        .unwrap()
        .to_string();
    let log = env.ok(&["disclosures", &id[..8]]);
    let lines: Vec<Vec<&str>> = log.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 3, "{log}");
    for (line, file) in lines.iter().zip(&files) {
        assert_eq!(line[1], id);
        assert_eq!((line[2], line[3]), ("r1", head_sha.as_str()));
        assert_eq!(
            line[7],
            sha256_file(file),
            "the log holds the hash of the file written"
        );
    }
    assert_eq!((lines[0][4], lines[0][5], lines[0][6]), ("-", "-", "-"));
    assert_eq!(lines[1][4], hr_to);
    assert_eq!(lines[1][5], format!("{a},{c}"));
    assert_eq!(lines[2][6], "b");

    // The case's log is the same, and a refused export adds nothing.
    let out = env.run(&[
        "export",
        &id,
        "--recipient",
        "誰か",
        "-o",
        env.path("no.pdf").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(4));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&env.path("taiwa.db"), PASS, OpenMode::ExistingOnly).unwrap();
    let case = store.document(id.parse().unwrap()).unwrap().case_id;
    let rows = store.disclosures_for_case(case).unwrap();
    assert_eq!(rows.len(), 3);
    assert!(
        rows[1]
            .withheld
            .iter()
            .filter(|w| w.starts_with("mo_"))
            .count()
            > 5
    );
    assert!(
        store
            .connection()
            .execute("DELETE FROM disclosures", [])
            .is_err(),
        "append-only"
    );
    assert!(
        store
            .connection()
            .execute("UPDATE disclosures SET recipient = NULL", [])
            .is_err()
    );
    drop(store);
    let by_case = env.ok(&["disclosures", "--case", &case.to_string()]);
    assert_eq!(by_case, log);

    // The 提供記録 as a PDF: one row per export, with the file hashes.
    let pdf = dir.path().join("log.pdf");
    env.ok(&["disclosures", &id, "--pdf", pdf.to_str().unwrap()]);
    let text = pdftotext(&pdf);
    assert!(text.contains("提供記録"), "{text}");
    assert!(text.contains(&squash(hr_to)));
    for file in &files {
        let hash = sha256_file(file);
        assert!(text.contains(&hash), "{hash} not in the log PDF");
    }
    assert!(
        !text.contains("潰瘍性大腸炎"),
        "the log carries no record content"
    );
    // Tagged as the forms are: a heading, a table with column headers, footers as artifacts.
    crate::pdf::check_tagged(&pdf, taiwa::i18n::Lang::Ja);
}

// ---------------------------------------------------------------------------------------------
// One truth: the form's consent table is the ledger's, and the case's facts are typed once
// ---------------------------------------------------------------------------------------------

/// The v1 sample moved to the current form as a draft (the current 対話記録 takes its consent
/// table from the ledger).
fn current_dialogue_draft() -> Record {
    let mut v1 = record(&sample_value("dialogue-record"));
    v1.status = taiwa::record::DocStatus::Draft;
    let m = taiwa::record::migrate_draft(&v1, Registry::builtin()).unwrap();
    assert_eq!(m.record.template_version, 2);
    m.record
}

#[test]
fn the_dialogue_records_consent_table_is_the_ledger_at_every_save() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let mut draft = current_dialogue_draft();
    draft.fields.remove("consents");
    draft.fields.insert("share_with".into(), json!(["hr"]));
    let saved = store.save_record(&draft, None).unwrap();
    draft.id = Some(saved.document_id.uuid());

    // A row typed by hand is not a consent: the save replaces the table with the ledger's (none).
    draft.fields.insert(
        "consents".into(),
        json!([{"recipient": "人事部", "purpose": "配慮の実施", "date": "2026-11-20", "method": "signature"}]),
    );
    store.save_record(&draft, None).unwrap();
    let stored = store.document(saved.document_id).unwrap().record;
    assert_eq!(
        stored.fields.get("consents"),
        None,
        "{:?}",
        stored.fields.get("consents")
    );
    // 確定 needs a consent for HR, and only the ledger can give it.
    let t = Registry::builtin()
        .get_version("dialogue-record", 2)
        .unwrap();
    let mut fin = stored.clone();
    fin.status = taiwa::record::DocStatus::Final;
    store.mirror_ledger(&mut fin).unwrap();
    let problems = taiwa::record::validate(&fin, t, taiwa::record::Mode::Final);
    assert!(
        problems.iter().any(|p| p.path == "consents"),
        "{problems:?}"
    );

    let given = store
        .add_consent(
            saved.document_id,
            &new_consent(
                "株式会社しらかば食品 人事部",
                Some("hr"),
                Some(&["agreement"]),
            ),
            day("2027-01-10"),
        )
        .unwrap();
    store.save_record(&draft, None).unwrap();
    let rows = store.document(saved.document_id).unwrap().record.fields["consents"].clone();
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");
    assert_eq!(rows[0]["recipient"], "株式会社しらかば食品 人事部");
    assert_eq!(rows[0]["purpose"], given.purpose.as_str());
    assert_eq!(rows[0]["date"], "2026-12-17");
    assert_eq!(rows[0]["method"], "signature");
    assert_eq!(
        rows[0]["items"], "合意・確定",
        "the scope by its section's title"
    );
    store.mirror_ledger(&mut fin).unwrap();
    let problems = taiwa::record::validate(&fin, t, taiwa::record::Mode::Final);
    assert!(
        !problems.iter().any(|p| p.path == "consents"),
        "{problems:?}"
    );

    // A withdrawal shows in the table at the next save.
    store.withdraw_consent(given.id, "2027-01-10").unwrap();
    store.save_record(&draft, None).unwrap();
    let rows = store.document(saved.document_id).unwrap().record.fields["consents"].clone();
    assert_eq!(rows[0]["withdrawn"], "2027-01-10");

    // A record of no stored document keeps its rows (an imported file: no ledger speaks for it).
    let mut other = current_dialogue_draft();
    other.fields.insert(
        "consents".into(),
        json!([{"recipient": "人事部", "purpose": "配慮の実施", "date": "2026-11-20", "method": "signature"}]),
    );
    let kept = store.save_record(&other, None).unwrap();
    assert!(
        store
            .document(kept.document_id)
            .unwrap()
            .record
            .fields
            .contains_key("consents")
    );
}

#[test]
fn a_new_document_takes_the_name_pseudonym_and_employer_from_its_case_and_keeps_what_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let case = store
        .create_case(&taiwa::store::NewCase {
            display_name: "森本 葵".into(),
            pseudonym: Some("RA-2026-0311".into()),
            employer: Some("株式会社しらかば食品".into()),
        })
        .unwrap();
    let mut r = Record::new("dialogue-record", 2);
    assert!(store.prefill_from_case(&mut r, case.id).unwrap());
    assert_eq!(r.fields["person_name"], "森本 葵");
    assert_eq!(r.fields["person_alias"], "RA-2026-0311");
    assert_eq!(r.fields["employer_name"], "株式会社しらかば食品");
    // A value the worker typed stays; nothing left to fill says so.
    r.fields.insert("person_name".into(), json!("森本 あおい"));
    assert!(!store.prefill_from_case(&mut r, case.id).unwrap());
    assert_eq!(r.fields["person_name"], "森本 あおい");

    let mut w = Record::new("work-consideration", 2);
    store.prefill_from_case(&mut w, case.id).unwrap();
    assert_eq!(w.fields["wi_name"], "森本 葵");
    assert_eq!(w.fields["mo_name"], "森本 葵");
    assert_eq!(w.fields["wi_company"], "株式会社しらかば食品");
    // A route map is often not about one person: its name is never filled from the case.
    let mut m = Record::new("route-map", 2);
    assert!(!store.prefill_from_case(&mut m, case.id).unwrap());
}
