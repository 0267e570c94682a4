//! Retention and case deletion on real encrypted database files: deleting a case erases its
//! documents, revisions, working copies, search rows, consents and round-trip files, leaves the
//! other cases as they were, keeps the disclosure log's lines without content plus one deletion
//! line, passes `verify`, and leaves no deleted text in the file; the retention period decides
//! which closed cases a purge takes; the CLI deletes nothing without --yes. Every person and
//! organisation here is fictional.

use chrono::{Days, Months, NaiveDate};
use rusqlite::params;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use taiwa::consent::{Method, NewConsent};
use taiwa::i18n::UserError;
use taiwa::record::{DocStatus, Record, parse_record};
use taiwa::store::{
    CaseStatus, DeletionReason, NewCase, NewDisclosure, OpenMode, Store, StoreError,
};
use taiwa::template::Registry;
use uuid::Uuid;

const PASS: &str = "架空の合言葉 retention kaede 7";
/// The person of the case that is deleted: in its name, records, consents and round-trip file.
const GONE: &str = "架空野 澄香";
/// The person of the case that stays.
const KEPT: &str = "高橋 誠";

fn sample(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(crate::support::ROOT)
            .join("samples")
            .join(format!("{name}.json")),
    )
    .unwrap()
}

fn record(text: &str) -> Record {
    parse_record(text.as_bytes(), Registry::builtin()).unwrap()
}

fn open(path: &Path) -> Store {
    Store::open(path, PASS, OpenMode::CreateIfMissing).unwrap()
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn consent(purpose: &str) -> NewConsent {
    NewConsent {
        recipient: "株式会社みなと精機 人事部".into(),
        role: Some("hr".into()),
        purpose: purpose.into(),
        sections: None,
        whole_document: true,
        method: Method::Oral,
        recorded_by: Some("支援員 青木 架空".into()),
        given_on: today().format("%Y-%m-%d").to_string(),
        expires_on: None,
    }
}

struct Cases {
    gone: Uuid,
    gone_docs: Vec<Uuid>,
    kept: Uuid,
    kept_doc: Uuid,
}

/// Two cases, each with documents, a consent and a logged export; the one to delete also has a
/// draft with a working copy and a file of the round trip.
fn two_cases(store: &mut Store) -> Cases {
    let gone = store
        .create_case(&NewCase {
            display_name: GONE.into(),
            pseudonym: Some("K-0042".into()),
            employer: Some("株式会社みなと精機".into()),
        })
        .unwrap()
        .id;
    let dialogue = sample("dialogue-record").replace("山田 花子", GONE);
    let final_doc = store
        .save_record(&record(&dialogue), Some(gone))
        .unwrap()
        .document_id;
    let mut draft = record(&dialogue);
    draft.status = DocStatus::Draft;
    let draft_doc = store.save_record(&draft, Some(gone)).unwrap().document_id;
    draft.id = Some(draft_doc);
    store
        .put_autosave(
            draft_doc,
            &draft
                .canonical_json()
                .replace(GONE, &format!("{GONE} 下書き")),
        )
        .unwrap();
    store
        .add_consent(
            &final_doc.to_string(),
            &consent(&format!("{GONE}さんの配慮の検討のため")),
            today(),
        )
        .unwrap();
    let saved = store.document(&final_doc.to_string()).unwrap();
    store
        .log_disclosure(&NewDisclosure {
            document_id: final_doc,
            revision_seq: saved.seq,
            revision_sha256: saved.sha256.clone(),
            recipient: Some("株式会社みなと精機 人事部".into()),
            consents: Vec::new(),
            parts: None,
            withheld: vec!["diagnosis".into()],
            file_sha256: "ab".repeat(32),
            format: "pdf",
            purpose: None,
        })
        .unwrap();
    // A round-trip file as exchanges.rs records one (the record it carried included).
    store
        .connection()
        .execute(
            "INSERT INTO exchanges (id, document_id, direction, kind, revision_seq, revision_sha256,
                 envelope_json, record_json, record_sha256, file_sha256, read_only, created_at)
             VALUES (?1, ?2, 'sent', 'for_clinician', 1, ?3, '{}', ?4, ?3, ?3, NULL, '2026-11-25T00:00:00.000Z')",
            params![
                Uuid::new_v4().to_string(),
                final_doc.to_string(),
                "cd".repeat(32),
                dialogue
            ],
        )
        .unwrap();

    let kept_saved = store
        .save_record(&record(&sample("work-consideration")), None)
        .unwrap();
    let kept_doc = kept_saved.document_id;
    store
        .add_consent(
            &kept_doc.to_string(),
            &consent("就業上の措置の検討のため"),
            today(),
        )
        .unwrap();
    store
        .log_disclosure(&NewDisclosure {
            document_id: kept_doc,
            revision_seq: 1,
            revision_sha256: kept_saved.sha256.clone(),
            recipient: Some("さくら坂総合病院".into()),
            consents: Vec::new(),
            parts: Some(vec!["a".into()]),
            withheld: vec!["wi_diagnosis".into()],
            file_sha256: "ef".repeat(32),
            format: "pdf",
            purpose: None,
        })
        .unwrap();
    Cases {
        gone,
        gone_docs: vec![final_doc, draft_doc],
        kept: kept_saved.case_id,
        kept_doc,
    }
}

fn count(store: &Store, sql: &str, arg: &str) -> i64 {
    store
        .connection()
        .query_row(sql, [arg], |r| r.get(0))
        .unwrap()
}

/// Everything the other case shows, to compare before and after.
fn snapshot(store: &Store, c: &Cases) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        store.case(c.kept).unwrap(),
        store.document(&c.kept_doc.to_string()).unwrap().record,
        store.history(&c.kept_doc.to_string()).unwrap(),
        store.consents_for_case(c.kept).unwrap(),
        store.disclosures_for_case(c.kept).unwrap(),
        store.search(KEPT).unwrap().len(),
    )
}

/// The whole database as a plaintext SQLite file (sqlcipher_export), as bytes.
fn plaintext(store: &Store, dir: &Path, name: &str) -> Vec<u8> {
    let plain = dir.join(name);
    // The store's connection may not create files (as in rekey.rs): the file exists first.
    std::fs::write(&plain, b"").unwrap();
    let conn = store.connection();
    conn.execute(
        "ATTACH DATABASE ?1 AS plain KEY ''",
        [plain.to_string_lossy()],
    )
    .unwrap();
    conn.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(()))
        .unwrap();
    conn.execute_batch("DETACH DATABASE plain;").unwrap();
    let bytes = std::fs::read(&plain).unwrap();
    assert!(
        bytes.starts_with(b"SQLite format 3"),
        "the copy is plaintext"
    );
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn deleting_a_case_erases_it_keeps_the_other_and_leaves_a_content_free_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("taiwa.db");
    let mut store = open(&path);
    let c = two_cases(&mut store);
    let before = snapshot(&store, &c);
    assert_eq!(store.search(GONE).unwrap().len(), 2);

    // An open case is refused, and nothing changes.
    let e = store
        .delete_case(c.gone, DeletionReason::PersonRequest, false)
        .unwrap_err();
    assert!(matches!(e, StoreError::CaseOpen { .. }), "{e:?}");
    assert_eq!(e.code(), "store.case_open");
    assert!(e.message().ja.contains("--force") && e.message().en.contains("still open"));
    assert_eq!(store.search(GONE).unwrap().len(), 2);

    store.set_case_status(c.gone, CaseStatus::Closed).unwrap();
    let preview = store.deletion_preview(c.gone).unwrap();
    assert_eq!(
        (
            preview.documents,
            preview.revisions,
            preview.autosaves,
            preview.consents,
            preview.exchanges,
            preview.disclosures_kept
        ),
        (2, 2, 1, 1, 1, 1)
    );
    assert_eq!(
        preview.closed_on,
        Some(today().format("%Y-%m-%d").to_string())
    );
    assert!(!format!("{preview:?}").contains(GONE), "counts, no content");

    let done = store
        .delete_case(c.gone, DeletionReason::PersonRequest, false)
        .unwrap();
    assert!(done.compacted);
    assert_eq!(done.removed, preview);
    assert_eq!(done.line.documents, 2);

    // Gone: the case, its documents, revisions, working copy, search rows, consents, exchanges.
    assert!(matches!(
        store.case(c.gone),
        Err(StoreError::CaseNotFound { .. })
    ));
    for doc in &c.gone_docs {
        let id = doc.to_string();
        assert!(matches!(
            store.document(&id),
            Err(StoreError::DocumentNotFound { .. })
        ));
        for table in ["revisions", "autosaves", "exchanges", "consents"] {
            let n = count(
                &store,
                &format!("SELECT count(*) FROM {table} WHERE document_id = ?1"),
                &id,
            );
            assert_eq!(n, 0, "{table} of {id}");
        }
    }
    let gone = c.gone.to_string();
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM search_index WHERE case_id = ?1",
            &gone
        ),
        0
    );
    assert!(store.search(GONE).unwrap().is_empty());
    assert!(
        store.search("澄香").unwrap().is_empty(),
        "the two-character path too"
    );
    // The 1–2 character index holds a row for exactly the documents the trigram index holds.
    let rows = |table: &str| -> i64 {
        store
            .connection()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(rows("search_grams"), rows("search_index"));

    // The other case is exactly as it was.
    assert_eq!(snapshot(&store, &c), before);

    // The log: the export line without revision hash and withheld paths, then the deletion line.
    let log = store.disclosures_for_case(c.gone).unwrap();
    assert_eq!(log.len(), 2, "{log:#?}");
    assert_eq!(log[0].kind, "export");
    assert_eq!(log[0].document_id, Some(c.gone_docs[0]));
    assert_eq!(
        log[0].recipient.as_deref(),
        Some("株式会社みなと精機 人事部")
    );
    assert_eq!(
        log[0].file_sha256.as_deref(),
        Some("ab".repeat(32).as_str())
    );
    assert_eq!(log[0].revision_seq, Some(1));
    assert_eq!(log[0].revision_sha256, None);
    assert!(log[0].withheld.is_empty());
    assert_eq!(
        (log[0].template.as_deref(), log[0].title.as_deref()),
        (None, None)
    );
    assert_eq!(log[1].kind, "case_deleted");
    assert_eq!(log[1].document_id, None);
    assert_eq!(log[1].recipient, None);
    let line = store.case_deletion(c.gone).unwrap().unwrap();
    assert_eq!(line, done.line);
    assert_eq!(line.reason, DeletionReason::PersonRequest);
    assert!(!format!("{log:?}{line:?}").contains(GONE));

    // The hash chains of what is left still hold.
    let report = store.verify().unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!((report.documents, report.revisions), (1, 1));

    // A deleted case is named as such.
    for e in [
        store
            .delete_case(c.gone, DeletionReason::PersonRequest, true)
            .unwrap_err(),
        store.deletion_preview(c.gone).unwrap_err(),
    ] {
        assert_eq!(e.code(), "store.case_deleted", "{e:?}");
        assert!(e.message().ja.contains("削除済み"));
    }
    let unknown = store
        .delete_case(Uuid::new_v4(), DeletionReason::NoLongerNeeded, true)
        .unwrap_err();
    assert_eq!(unknown.code(), "store.case_not_found");
}

#[test]
fn the_append_only_rules_still_hold_outside_a_deletion() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join("taiwa.db"));
    let c = two_cases(&mut store);
    store.set_case_status(c.gone, CaseStatus::Closed).unwrap();
    store
        .delete_case(c.gone, DeletionReason::EnteredInError, false)
        .unwrap();
    let kept_doc = c.kept_doc.to_string();
    let gone = c.gone.to_string();
    let kept = c.kept.to_string();
    let refused = [
        ("DELETE FROM revisions WHERE document_id = ?1", &kept_doc),
        (
            "UPDATE revisions SET status = 'draft' WHERE document_id = ?1",
            &kept_doc,
        ),
        ("DELETE FROM consents WHERE document_id = ?1", &kept_doc),
        ("DELETE FROM disclosures WHERE case_id = ?1", &kept),
        (
            "DELETE FROM disclosures WHERE case_id = ?1 AND kind = 'export'",
            &gone,
        ),
        // The narrow path is for a deleted case's lines, and only to drop hash and paths.
        (
            "UPDATE disclosures SET revision_sha256 = NULL, withheld = NULL WHERE case_id = ?1 AND kind = 'export'",
            &kept,
        ),
        (
            "UPDATE disclosures SET recipient = NULL WHERE case_id = ?1 AND kind = 'export'",
            &gone,
        ),
        (
            "UPDATE disclosures SET file_sha256 = NULL WHERE case_id = ?1 AND kind = 'export'",
            &gone,
        ),
        (
            "UPDATE disclosures SET deletion_reason = 'retention_expired' WHERE case_id = ?1 AND kind = 'case_deleted'",
            &gone,
        ),
    ];
    for (sql, arg) in refused {
        let e = store.connection().execute(sql, [arg]).unwrap_err();
        assert!(
            e.to_string().contains("append-only") || e.to_string().contains("never deleted"),
            "{sql}: {e}"
        );
    }
    assert!(store.verify().unwrap().ok());
    assert_eq!(store.disclosures_for_case(c.kept).unwrap().len(), 1);
    assert_eq!(store.disclosures_for_case(c.gone).unwrap().len(), 2);
}

#[test]
fn no_deleted_text_is_left_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("taiwa.db");
    let mut store = open(&path);
    let c = two_cases(&mut store);
    // Both places a document's text is searched from: the index, and the text a save leaves
    // pending until the index catches up (store/search.rs). The draft's newest revision waits.
    store.catch_up_search().unwrap();
    let draft = c.gone_docs[1].to_string();
    let mut record = store.document(&draft).unwrap().record;
    record.fields.insert(
        "good_day".into(),
        serde_json::Value::String("澄香さんの追記の下書き".into()),
    );
    store.save_record(&record, None).unwrap();
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM search_pending WHERE instr(body, ?1)",
            "追記の下書き"
        ),
        1
    );
    let before = plaintext(&store, dir.path(), "before.db");
    assert!(contains(&before, GONE), "the check can see the name");
    assert!(contains(&before, &format!("{GONE}さんの配慮の検討のため")));

    store.set_case_status(c.gone, CaseStatus::Closed).unwrap();
    let done = store
        .delete_case(c.gone, DeletionReason::NoLongerNeeded, false)
        .unwrap();
    assert!(done.compacted);
    let freelist: i64 = store
        .connection()
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .unwrap();
    assert_eq!(freelist, 0, "VACUUM left no free pages");
    let wal = std::fs::metadata(dir.path().join("taiwa.db-wal")).map_or(0, |m| m.len());
    assert_eq!(wal, 0, "the WAL was checkpointed and truncated");
    store
        .connection()
        .execute(
            "INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .expect("the merged search index is consistent");

    let after = plaintext(&store, dir.path(), "after.db");
    assert!(contains(&after, KEPT), "the other case is still there");
    for gone in [GONE, "澄香", "K-0042", "さんの配慮の検討", "追記の下書き"] {
        assert!(!contains(&after, gone), "{gone:?} is still in the database");
    }
    drop(store);
    // And reopened from disk, it is the same.
    let store = Store::open(&path, PASS, OpenMode::ExistingOnly).unwrap();
    assert!(store.verify().unwrap().ok());
    assert!(store.search(GONE).unwrap().is_empty());
}

#[test]
fn the_retention_setting_is_stored_checked_and_named_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("taiwa.db");
    let mut store = open(&path);
    assert_eq!(
        store.retention().unwrap().years,
        taiwa::store::DEFAULT_RETENTION_YEARS
    );
    assert_eq!(taiwa::store::DEFAULT_RETENTION_YEARS, 5);
    for bad in [0, 101] {
        let e = store.set_retention_years(bad).unwrap_err();
        assert_eq!(e.code(), "store.bad_retention");
    }
    for bad in ["0", "101", "abc", "-3", "2.5", ""] {
        let e = taiwa::store::parse_retention_years(bad).unwrap_err();
        assert_eq!(e.code(), "store.bad_retention", "{bad:?}");
        let m = e.message();
        assert!(
            m.ja.contains("保存期間") && m.en.contains("retention_years"),
            "{m:?}"
        );
    }
    assert_eq!(taiwa::store::parse_retention_years(" 7 ").unwrap(), 7);
    assert_eq!(store.set_retention_years(7).unwrap().years, 7);
    drop(store);
    assert_eq!(
        open(&path).retention().unwrap().years,
        7,
        "stored in the database"
    );
}

#[test]
fn a_purge_takes_only_closed_cases_past_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join("taiwa.db"));
    let c = two_cases(&mut store);
    let reopened = store
        .save_record(&record(&sample("route-map")), None)
        .unwrap()
        .case_id;
    store.set_retention_years(2).unwrap();
    let t = today();
    // `kept` closed a year before `gone`; `reopened` closed and opened again (no closing day).
    store.set_case_status(c.gone, CaseStatus::Closed).unwrap();
    store.set_case_status(c.kept, CaseStatus::Closed).unwrap();
    let a_year_ago = t.checked_sub_months(Months::new(12)).unwrap();
    store
        .connection()
        .execute(
            "UPDATE cases SET closed_on = ?2 WHERE id = ?1",
            params![
                c.kept.to_string(),
                a_year_ago.format("%Y-%m-%d").to_string()
            ],
        )
        .unwrap();
    store.set_case_status(c.kept, CaseStatus::Closed).unwrap();
    store.set_case_status(reopened, CaseStatus::Closed).unwrap();
    store.set_case_status(reopened, CaseStatus::Open).unwrap();

    let plus = |months: u32, days: u64| {
        t.checked_add_months(Months::new(months))
            .unwrap()
            .checked_add_days(Days::new(days))
            .unwrap()
    };
    let due = |store: &Store, day: NaiveDate| -> Vec<Uuid> {
        store
            .cases_due_for_deletion(day)
            .unwrap()
            .iter()
            .map(|d| d.case_id)
            .collect()
    };
    assert!(due(&store, t).is_empty());
    // `kept` is kept through its last day (closed a year ago + 2 years) and due the day after.
    assert!(due(&store, plus(12, 0)).is_empty());
    assert_eq!(due(&store, plus(12, 1)), vec![c.kept]);
    let listed = &store.cases_due_for_deletion(plus(12, 1)).unwrap()[0];
    assert_eq!(listed.closed_on, a_year_ago.format("%Y-%m-%d").to_string());
    assert_eq!(
        listed.kept_until,
        plus(12, 0).format("%Y-%m-%d").to_string()
    );
    assert_eq!(listed.documents, 1);
    assert_eq!(due(&store, plus(24, 1)), vec![c.kept, c.gone]);
    assert!(
        !due(&store, plus(1200, 0)).contains(&reopened),
        "an open case is never due"
    );

    // A longer period moves them out again.
    store.set_retention_years(3).unwrap();
    assert!(due(&store, plus(12, 1)).is_empty());
    assert_eq!(due(&store, plus(24, 1)), vec![c.kept]);
    store.set_retention_years(2).unwrap();

    let purged = store.purge_due(plus(12, 1)).unwrap();
    assert!(purged.compacted);
    assert_eq!(purged.deleted.len(), 1);
    assert_eq!(purged.deleted[0].case_id, c.kept);
    assert_eq!(purged.deleted[0].reason, DeletionReason::RetentionExpired);
    assert!(store.case(c.kept).is_err());
    assert_eq!(
        store.case(c.gone).unwrap().documents,
        2,
        "not yet due: untouched"
    );
    assert_eq!(store.case(reopened).unwrap().status, CaseStatus::Open);
    assert!(store.verify().unwrap().ok());
    // Nothing more is due on that day; a purge then deletes nothing.
    assert!(store.purge_due(plus(12, 1)).unwrap().deleted.is_empty());
}

// ---------------------------------------------------------------------------------------------
// The CLI
// ---------------------------------------------------------------------------------------------

fn taiwa(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taiwa"))
        .args(args)
        .env("TAIWA_DB", db)
        .env("TAIWA_PASSPHRASE", PASS)
        .env_remove("TAIWA_LANG")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(out: &Output) -> String {
    let (o, e) = text(out);
    assert!(out.status.success(), "{o}{e}");
    o
}

fn refused(out: &Output, code: &str, ja: &str, en: &str) {
    let (o, e) = text(out);
    assert_eq!(out.status.code(), Some(2), "{o}{e}");
    assert!(e.contains(code) && e.contains(ja) && e.contains(en), "{e}");
}

#[test]
fn the_cli_deletes_only_with_yes_and_purges_what_is_due() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("taiwa.db");
    let c = {
        let mut store = open(&db);
        let c = two_cases(&mut store);
        store.set_case_status(c.gone, CaseStatus::Closed).unwrap();
        c
    };
    let gone = c.gone.to_string();
    let kept = c.kept.to_string();
    // An export through the CLI is logged as usual.
    let pdf = dir.path().join("own.pdf");
    ok(&taiwa(
        &db,
        &[
            "export",
            &c.gone_docs[0].to_string(),
            "-o",
            pdf.to_str().unwrap(),
        ],
    ));

    // Without --yes: counts, no content, nothing deleted.
    let out = taiwa(&db, &["case", "delete", &gone]);
    let listed = ok(&out);
    let (_, note) = text(&out);
    assert!(
        listed.contains("documents\t2") && listed.contains("disclosures_kept\t2"),
        "{listed}"
    );
    assert!(!listed.contains(GONE) && !note.contains(GONE));
    assert!(
        note.contains("taiwa backup") && note.contains("--yes"),
        "{note}"
    );
    assert_eq!(
        ok(&taiwa(&db, &["list", "--case", &gone])).lines().count(),
        2,
        "nothing was deleted"
    );

    refused(
        &taiwa(&db, &["case", "delete", &kept, "--yes"]),
        "store.case_open",
        "まだ終了していません",
        "still open",
    );
    refused(
        &taiwa(
            &db,
            &["case", "delete", &Uuid::new_v4().to_string(), "--yes"],
        ),
        "store.case_not_found",
        "ありません",
        "no case with id",
    );

    let out = ok(&taiwa(
        &db,
        &[
            "case",
            "delete",
            &gone,
            "--yes",
            "--reason",
            "person_request",
        ],
    ));
    assert_eq!(out.trim(), format!("deleted\t{gone}\t2\tperson_request"));
    ok(&taiwa(&db, &["verify"]));
    assert!(ok(&taiwa(&db, &["search", "澄香"])).trim().is_empty());
    let log = ok(&taiwa(&db, &["disclosures", "--case", &gone]));
    assert!(
        log.lines()
            .last()
            .unwrap()
            .contains("case_deleted\t2\tperson_request"),
        "{log}"
    );
    assert!(!log.contains(GONE));
    let log_pdf = dir.path().join("log.pdf");
    ok(&taiwa(
        &db,
        &[
            "disclosures",
            "--case",
            &gone,
            "--pdf",
            log_pdf.to_str().unwrap(),
        ],
    ));
    refused(
        &taiwa(&db, &["case", "delete", &gone, "--yes"]),
        "store.case_deleted",
        "削除済み",
        "was deleted on",
    );

    // The retention setting.
    assert!(ok(&taiwa(&db, &["retention"])).starts_with("retention_years\t5\n"));
    for bad in ["abc", "0", "101"] {
        refused(
            &taiwa(&db, &["retention", "set", bad]),
            "store.bad_retention",
            "保存期間",
            "retention_years",
        );
    }
    assert_eq!(
        ok(&taiwa(&db, &["retention", "set", "3"])).trim(),
        "retention_years\t3"
    );

    // The kept case, closed long ago, is due: listed, and purged only with --yes.
    {
        let mut store = open(&db);
        store.set_case_status(c.kept, CaseStatus::Closed).unwrap();
        store
            .connection()
            .execute(
                "UPDATE cases SET closed_on = '2019-04-01' WHERE id = ?1",
                [&kept],
            )
            .unwrap();
    }
    let listed = ok(&taiwa(&db, &["retention"]));
    assert!(
        listed.contains(&format!(
            "{kept}\tclosed 2019-04-01\tkept until 2022-04-01\t1 document(s)"
        )),
        "{listed}"
    );
    let out = taiwa(&db, &["retention", "purge"]);
    assert!(ok(&out).contains(&kept));
    assert!(text(&out).1.contains("taiwa backup"));
    assert_eq!(
        ok(&taiwa(&db, &["list", "--case", &kept])).lines().count(),
        1
    );
    let purged = ok(&taiwa(&db, &["retention", "purge", "--yes"]));
    assert_eq!(
        purged.trim(),
        format!("deleted\t{kept}\t1\tretention_expired")
    );
    assert_eq!(ok(&taiwa(&db, &["retention"])).trim(), "retention_years\t3");
    ok(&taiwa(&db, &["verify"]));
    assert!(ok(&taiwa(&db, &["list"])).trim().is_empty());
}
