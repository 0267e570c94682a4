//! The encrypted store on a real database file in a temp dir.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use taiwa::record::{DocStatus, Record, parse_record};
use taiwa::store::{OpenMode, Store, StoreError};
use taiwa::template::Registry;

const PASS: &str = "正しい馬 battery staple";

fn sample(name: &str) -> Record {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(format!("{name}.json"));
    let bytes = std::fs::read(&path).expect("sample file");
    parse_record(&bytes, Registry::builtin()).expect("sample parses")
}

fn sample_value(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(format!("{name}.json"));
    serde_json::from_slice(&std::fs::read(path).expect("sample file")).expect("sample is JSON")
}

fn db(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("taiwa.db")
}

fn open(path: &Path) -> Store {
    Store::open(path, PASS, OpenMode::CreateIfMissing).expect("store opens")
}

fn file_hash(path: &Path) -> String {
    Sha256::digest(std::fs::read(path).expect("read file"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const SAMPLES: [&str; 3] = ["dialogue-record", "work-consideration", "route-map"];

#[test]
fn every_sample_round_trips_through_import_and_show_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    for name in SAMPLES {
        let record = sample(name);
        let outcome = store.save_record(&record, None).expect("sample saves");
        assert!(outcome.created);
        let shown = store
            .document(&outcome.document_id.to_string())
            .expect("document reads back");
        let mut expected = record.clone();
        expected.id = Some(outcome.document_id);
        assert_eq!(
            shown.record, expected,
            "{name} changed on the way through the store"
        );
        // And as JSON, as `taiwa show` prints it: every field equal to the file's.
        let printed: Value = serde_json::from_str(&shown.record.to_pretty_json()).unwrap();
        assert_eq!(
            printed["fields"],
            sample_value(name)["fields"],
            "{name}: fields differ"
        );
        assert_eq!(printed["template"], sample_value(name)["template"]);
        assert_eq!(printed["status"], sample_value(name)["status"]);
    }
    assert_eq!(store.list_documents(None).unwrap().len(), 3);
}

#[test]
fn a_new_file_is_migrated_from_empty_and_reopens_at_the_same_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let store = open(&path);
    assert_eq!(store.schema_version().unwrap(), 2);
    let tables: Vec<String> = store
        .connection()
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in [
        "autosaves",
        "cases",
        "consents",
        "disclosures",
        "documents",
        "revisions",
        "search_index",
    ] {
        assert!(
            tables.iter().any(|x| x == t),
            "table {t} missing: {tables:?}"
        );
    }
    let mode: String = store
        .connection()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(store);
    // An existing zero-byte file (e.g. created then interrupted) is migrated too.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(open(&empty).schema_version().unwrap(), 2);
    assert_eq!(open(&path).schema_version().unwrap(), 2);
}

#[cfg(unix)]
#[test]
fn the_database_file_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = open(&path);
    store.save_record(&sample("dialogue-record"), None).unwrap();
    for p in [path.clone(), path.with_extension("db-wal")] {
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} has mode {mode:o}", p.display());
    }
}

#[test]
fn a_wrong_passphrase_is_a_clear_error_and_leaves_the_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    {
        let mut store = open(&path);
        store.save_record(&sample("route-map"), None).unwrap();
    }
    let before = file_hash(&path);
    let err = Store::open(&path, "まちがい", OpenMode::ExistingOnly)
        .err()
        .expect("wrong passphrase refused");
    assert!(matches!(err, StoreError::WrongPassphrase { .. }), "{err:?}");
    let msg = taiwa::i18n::UserError::message(&err);
    assert!(msg.ja.contains("パスフレーズが違う"), "{}", msg.ja);
    assert!(msg.en.contains("wrong passphrase"), "{}", msg.en);
    assert_eq!(file_hash(&path), before, "the file changed");
    assert!(
        !path.with_extension("db-wal").exists(),
        "a WAL was left behind"
    );
    // The right one still opens it, with the data.
    assert_eq!(open(&path).list_documents(None).unwrap().len(), 1);
    // An empty passphrase would mean no encryption at all.
    assert!(matches!(
        Store::open(&path, "", OpenMode::ExistingOnly),
        Err(StoreError::EmptyPassphrase)
    ));
    // A file that is not a database at all is refused the same way and kept.
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "買い物メモ: 牛乳、パン\n".repeat(300)).unwrap();
    let junk_before = file_hash(&junk);
    assert!(matches!(
        Store::open(&junk, PASS, OpenMode::ExistingOnly),
        Err(StoreError::WrongPassphrase { .. })
    ));
    assert_eq!(file_hash(&junk), junk_before);
}

#[test]
fn a_missing_database_is_not_created_by_reading_commands() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    assert!(matches!(
        Store::open(&path, PASS, OpenMode::ExistingOnly),
        Err(StoreError::NoDatabase { .. })
    ));
    assert!(!path.exists());
    // A zero-byte file holds nothing and would take any passphrase: it counts as missing.
    std::fs::write(&path, b"").unwrap();
    assert!(matches!(
        Store::open(&path, "なんでも", OpenMode::ExistingOnly),
        Err(StoreError::NoDatabase { .. })
    ));
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        0,
        "the empty file was written to"
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn neither_the_database_nor_its_wal_contains_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let marker_ja = "秘密符丁ケヤキ並木";
    let marker_ascii = "ZQXMARKERZQX";
    let mut value = sample_value("dialogue-record");
    value["fields"]["person_name"] = json!(format!("{marker_ja} {marker_ascii}"));
    value["fields"]["strengths"] = json!(format!("{marker_ascii} ").repeat(200));
    let record = parse_record(value.to_string().as_bytes(), Registry::builtin()).unwrap();
    let mut store = open(&path);
    store.save_record(&record, None).unwrap();
    // While the connection is open the data sits in the WAL; check both files now and after close.
    let wal = path.with_extension("db-wal");
    let check = |when: &str| {
        for p in [&path, &wal] {
            if let Ok(bytes) = std::fs::read(p) {
                assert!(!bytes.is_empty() || p == &wal);
                for m in [
                    marker_ja.as_bytes(),
                    marker_ascii.as_bytes(),
                    "山田".as_bytes(),
                    b"dialogue-record",
                ] {
                    assert!(
                        !contains(&bytes, m),
                        "{when}: {} holds plaintext {:?}",
                        p.display(),
                        String::from_utf8_lossy(m)
                    );
                }
            }
        }
    };
    assert!(
        wal.exists() && std::fs::metadata(&wal).unwrap().len() > 0,
        "expected a WAL while open"
    );
    check("open");
    // Search still finds it: the index is inside the encrypted file.
    assert_eq!(store.search("ケヤキ").unwrap().len(), 1);
    drop(store);
    check("closed");
}

#[test]
fn revisions_chain_and_finalized_documents_do_not_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let mut record = sample("dialogue-record");
    record.status = DocStatus::Draft;
    let first = store.save_record(&record, None).unwrap();
    record.id = Some(first.document_id);

    let again = store.save_record(&record, None).unwrap();
    assert!(
        again.unchanged && again.seq == 1,
        "identical save must not add a revision"
    );

    record.fields.insert(
        "interim_measure".into(),
        json!("当面はチャットでの指示を優先する。"),
    );
    let second = store.save_record(&record, None).unwrap();
    assert_eq!(second.seq, 2);
    record.status = DocStatus::Final;
    let third = store.save_record(&record, None).unwrap();
    assert_eq!(third.seq, 3);

    let history = store.history(&first.document_id.to_string()).unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].prev_sha256, None);
    assert_eq!(
        history[1].prev_sha256.as_deref(),
        Some(history[0].sha256.as_str())
    );
    assert_eq!(
        history[2].prev_sha256.as_deref(),
        Some(history[1].sha256.as_str())
    );
    assert_eq!(history[2].status, DocStatus::Final);
    assert!(history.iter().all(|h| h.sha256.len() == 64));

    // A final document is never silently changed.
    record
        .fields
        .insert("interim_measure".into(), json!("書き換え"));
    assert!(matches!(
        store.save_record(&record, None),
        Err(StoreError::Finalized { .. })
    ));
    assert_eq!(
        store.history(&first.document_id.to_string()).unwrap().len(),
        3
    );

    // Revisions are append-only even through SQL.
    let update = store
        .connection()
        .execute("UPDATE revisions SET record_json = '{}'", []);
    assert!(
        update.is_err(),
        "the append-only trigger must refuse updates"
    );
    let delete = store.connection().execute("DELETE FROM revisions", []);
    assert!(
        delete.is_err(),
        "the append-only trigger must refuse deletes"
    );
    assert!(store.verify().unwrap().ok());
}

#[test]
fn an_invalid_record_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let mut record = sample("work-consideration");
    record
        .fields
        .insert("mo_fitness".into(), json!("unfit_now"));
    record.fields.remove("mo_leave_until");
    let err = store.save_record(&record, None).unwrap_err();
    match err {
        StoreError::Invalid { problems } => {
            assert!(
                problems.iter().any(|p| p.path == "mo_leave_until"),
                "{problems:?}"
            )
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(store.list_documents(None).unwrap().is_empty());
    let cases: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
        .unwrap();
    assert_eq!(cases, 0, "a case was created for a record that was refused");
}

#[test]
fn documents_join_an_existing_case_or_refuse_an_unknown_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let first = store.save_record(&sample("dialogue-record"), None).unwrap();
    let second = store
        .save_record(&sample("work-consideration"), Some(first.case_id))
        .unwrap();
    assert_eq!(second.case_id, first.case_id);
    assert_eq!(store.list_documents(Some(first.case_id)).unwrap().len(), 2);
    let unknown = uuid::Uuid::new_v4();
    assert!(matches!(
        store.save_record(&sample("route-map"), Some(unknown)),
        Err(StoreError::CaseNotFound { .. })
    ));
    // The list shows ids a user can type back: a prefix of 8+ characters works.
    let prefix = &first.document_id.to_string()[..8];
    assert_eq!(
        store.document(prefix).unwrap().record.template,
        "dialogue-record"
    );
}

#[test]
fn tampering_with_a_revision_is_caught_and_names_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let (victim, other) = {
        let mut store = open(&path);
        let a = store.save_record(&sample("dialogue-record"), None).unwrap();
        let b = store.save_record(&sample("route-map"), None).unwrap();
        (a.document_id, b.document_id)
    };
    {
        // An attacker who holds the key drops the guard and edits the stored JSON.
        let store = open(&path);
        let conn = store.connection();
        conn.execute_batch("DROP TRIGGER revisions_append_only_update;")
            .unwrap();
        let json: String = conn
            .query_row(
                "SELECT record_json FROM revisions WHERE document_id = ?1",
                [victim.to_string()],
                |r| r.get(0),
            )
            .unwrap();
        let edited = json.replace("山田 花子", "山田 太郎");
        assert_ne!(edited, json);
        conn.execute(
            "UPDATE revisions SET record_json = ?1 WHERE document_id = ?2",
            [edited, victim.to_string()],
        )
        .unwrap();
    }
    let report = open(&path).verify().unwrap();
    assert!(!report.ok());
    assert!(
        report
            .failures
            .iter()
            .all(|f| f.document_id == victim.to_string())
    );
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.problem.contains("SHA-256"))
    );
    assert!(
        !report
            .failures
            .iter()
            .any(|f| f.document_id == other.to_string())
    );

    // The CLI says the same with a non-zero exit.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_taiwa"))
        .args(["--db", path.to_str().unwrap(), "verify"])
        .env("TAIWA_PASSPHRASE", PASS)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&victim.to_string()), "{stdout}");
}

#[test]
fn search_finds_one_two_and_longer_japanese_queries_across_widths() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let dialogue = store
        .save_record(&sample("dialogue-record"), None)
        .unwrap()
        .document_id;
    let sheet = store
        .save_record(&sample("work-consideration"), None)
        .unwrap()
        .document_id;
    let map = store
        .save_record(&sample("route-map"), None)
        .unwrap()
        .document_id;
    let mut katakana = sample_value("route-map");
    katakana["fields"]["person_name"] = json!("サトウ ミドリ");
    let kana = store
        .save_record(
            &parse_record(katakana.to_string().as_bytes(), Registry::builtin()).unwrap(),
            None,
        )
        .unwrap()
        .document_id;

    let ids = |q: &str| -> Vec<uuid::Uuid> {
        store
            .search(q)
            .unwrap()
            .into_iter()
            .map(|h| h.document_id)
            .collect()
    };
    // One character (LIKE path): 誠 is in the sheet's patient and the dialogue's HR signature.
    let mut makoto = ids("誠");
    makoto.sort();
    let mut expected = vec![sheet, dialogue];
    expected.sort();
    assert_eq!(makoto, expected);
    assert!(ids("紗").contains(&map) && !ids("紗").contains(&sheet));
    // Two characters (LIKE path): a surname.
    assert_eq!(ids("山田"), vec![dialogue]);
    // (The katakana copy of the map keeps 青木 in its other fields.)
    let mut aoki = ids("青木");
    aoki.sort();
    let mut expected = vec![map, kana];
    expected.sort();
    assert_eq!(aoki, expected);
    // Three and more (FTS5 trigram MATCH).
    assert_eq!(ids("みなと精機"), vec![dialogue]);
    assert_eq!(ids("山田 花子"), vec![dialogue]);
    // Half-width katakana finds full-width katakana, and hiragana finds katakana.
    assert_eq!(ids("ｻﾄｳ"), vec![kana]);
    assert_eq!(ids("ｻﾄ"), vec![kana]);
    assert_eq!(ids("さとう"), vec![kana]);
    // Full-width Latin letters and digits fold to ASCII.
    assert!(ids("ＰＡＲＫ").is_empty());
    // Characters with meaning in FTS5 or LIKE are searched literally.
    for q in ["\"", "%", "_", "a\"b OR c", "*", "山田%"] {
        store
            .search(q)
            .unwrap_or_else(|e| panic!("query {q:?} failed: {e}"));
    }
    // Only the dialogue sample holds a literal % (in its URL); a wildcard would match all four.
    assert_eq!(ids("%"), vec![dialogue]);
    assert!(ids("").is_empty());
}
