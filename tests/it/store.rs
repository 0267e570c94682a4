//! The encrypted store on a real database file in a temp dir.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use taiwa::record::{DocStatus, Record, parse_record};
use taiwa::store::{OpenMode, Store, StoreError};
use taiwa::template::Registry;

const PASS: &str = "正しい馬 battery staple";

fn sample(name: &str) -> Record {
    let path = Path::new(crate::support::ROOT)
        .join("samples")
        .join(format!("{name}.json"));
    let bytes = std::fs::read(&path).expect("sample file");
    parse_record(&bytes, Registry::builtin()).expect("sample parses")
}

fn sample_value(name: &str) -> Value {
    let path = Path::new(crate::support::ROOT)
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
            .document(outcome.document_id)
            .expect("document reads back");
        let mut expected = record.clone();
        expected.id = Some(outcome.document_id.into());
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
    assert_eq!(
        store.schema_version().unwrap(),
        taiwa::store::SCHEMA_VERSION
    );
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
        "exchanges",
        "revisions",
        "search_index",
        "search_grams",
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
    assert_eq!(
        open(&empty).schema_version().unwrap(),
        taiwa::store::SCHEMA_VERSION
    );
    assert_eq!(
        open(&path).schema_version().unwrap(),
        taiwa::store::SCHEMA_VERSION
    );
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
    record.id = Some(first.document_id.into());

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

    let history = store.history(first.document_id).unwrap();
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
    assert_eq!(store.history(first.document_id).unwrap().len(), 3);

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

/// Printability is a rule of finalizing, on every path that writes a final revision: the app's
/// 確定, `taiwa finalize`, a batch, a plain save. A draft keeps whatever was typed.
#[test]
fn a_final_record_no_font_can_print_is_refused_on_every_path_that_writes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let mut record = sample("dialogue-record");
    // A private-use character: in no bundled font.
    record
        .fields
        .insert("interim_measure".into(), json!("当面は\u{E000}で連絡する"));
    let unprintable = |e: StoreError| match e {
        StoreError::Invalid { problems } => problems
            .iter()
            .any(|p| p.path == "interim_measure" && p.code.as_str() == "unprintable"),
        _ => false,
    };
    record.status = DocStatus::Final;
    let err = store.save_record(&record, None).unwrap_err();
    assert!(unprintable(err), "save_record");
    // A batch saves only what check_record accepted.
    let err = taiwa::store::check_record(Registry::builtin(), &record)
        .map(|_| ())
        .unwrap_err();
    assert!(unprintable(err), "check_record (batches)");
    assert!(store.list_documents(None).unwrap().is_empty());

    record.status = DocStatus::Draft;
    let saved = store.save_record(&record, None).expect("a draft keeps it");
    record.id = Some(saved.document_id.into());
    record.status = DocStatus::Final;
    let err = store.save_record(&record, None).unwrap_err();
    assert!(unprintable(err), "finalizing the stored draft");
    assert_eq!(store.history(saved.document_id).unwrap().len(), 1);
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
        store.save_record(&sample("route-map"), Some(unknown.into())),
        Err(StoreError::CaseNotFound { .. })
    ));
    // The list shows ids a user can type back: a prefix of 8+ characters works.
    let prefix = &first.document_id.to_string()[..8];
    assert_eq!(
        store
            .document(store.resolve_document_id(prefix).unwrap())
            .unwrap()
            .record
            .template,
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

    let ids = |q: &str| -> Vec<taiwa::ids::DocumentId> {
        store
            .search(q)
            .unwrap()
            .into_iter()
            .map(|h| h.document_id)
            .collect()
    };
    // One character (gram index): 誠 is in the sheet's patient and the dialogue's HR signature.
    let mut makoto = ids("誠");
    makoto.sort();
    let mut expected = vec![sheet, dialogue];
    expected.sort();
    assert_eq!(makoto, expected);
    assert!(ids("紗").contains(&map) && !ids("紗").contains(&sheet));
    // Two characters (gram index): a surname.
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

/// The store derives the key in Rust (crates/kdf) and hands SQLCipher the raw key; SQLCipher
/// derives it from the passphrase itself everywhere else (sqlcipher's shell, older Taiwa). Both
/// must give the same key: a file the store wrote, and a backup of it, open with the passphrase
/// alone; a file SQLCipher keyed from the passphrase opens in the store.
#[test]
fn the_stores_key_is_the_one_sqlcipher_derives_from_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let doc = {
        let mut store = open(&path);
        store
            .save_record(&sample("route-map"), None)
            .unwrap()
            .document_id
    };
    // Opened again: now the file has a salt, so the store derives the key itself.
    let backup = {
        let mut store = open(&path);
        store.save_record(&sample("dialogue-record"), None).unwrap();
        let folder = dir.path().join("backups");
        std::fs::create_dir(&folder).unwrap();
        store.backup_to(&folder).unwrap()
    };
    let by_passphrase = |file: &Path| -> i64 {
        let conn = rusqlite::Connection::open(file).unwrap();
        conn.pragma_update(None, "key", PASS).unwrap();
        conn.query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{} does not open with the passphrase: {e}", file.display()))
    };
    assert_eq!(by_passphrase(&path), 2);
    assert_eq!(by_passphrase(&backup), 2);
    let wrong = rusqlite::Connection::open(&path).unwrap();
    wrong.pragma_update(None, "key", "違う合言葉").unwrap();
    assert!(
        wrong
            .query_row("SELECT count(*) FROM documents", [], |r| r.get::<_, i64>(0))
            .is_err()
    );

    // SQLCipher's own derivation writes a file; the store reads it and a wrong passphrase is
    // still told apart from damage.
    let other = dir.path().join("sqlcipher-keyed.db");
    {
        let conn = rusqlite::Connection::open(&other).unwrap();
        conn.pragma_update(None, "key", PASS).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (42);")
            .unwrap();
    }
    let store = open(&other);
    let x: i64 = store
        .connection()
        .query_row("SELECT x FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(x, 42);
    drop(store);
    assert!(matches!(
        Store::open(&other, "違う合言葉", OpenMode::ExistingOnly),
        Err(StoreError::WrongPassphrase { .. })
    ));
    assert!(open(&path).document(doc).is_ok());
}

/// A batch indexes each document once, at commit, from its last revision: the text of an
/// earlier revision in the same batch is not found, the last one's is, and a failed batch leaves
/// neither documents nor index rows.
#[test]
fn a_batch_indexes_the_last_revision_of_each_document() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let mut first = sample("dialogue-record");
    first.status = DocStatus::Draft;
    first.id = Some(uuid::Uuid::new_v4());
    first
        .fields
        .insert("person_name".into(), json!("砂川 一葉"));
    let mut second = first.clone();
    second
        .fields
        .insert("person_name".into(), json!("砂川 二葉"));
    let other = sample("route-map");
    let registry = store.registry();
    let prepared =
        [&first, &second, &other].map(|r| taiwa::store::check_record(registry, r).unwrap());
    let [p1, p2, p3] = &prepared;
    let (doc, map) = store
        .batch(|b| {
            b.save(p1, None)?;
            let doc = b.save(p2, None)?;
            let map = b.save(p3, Some(doc.case_id))?;
            Ok((doc.document_id, map.document_id))
        })
        .unwrap();
    let ids = |store: &Store, q: &str| -> Vec<taiwa::ids::DocumentId> {
        store
            .search(q)
            .unwrap()
            .into_iter()
            .map(|h| h.document_id)
            .collect()
    };
    assert_eq!(ids(&store, "砂川 二葉"), vec![doc]);
    assert_eq!(ids(&store, "二葉"), vec![doc]);
    assert!(ids(&store, "一葉").is_empty());
    assert!(ids(&store, "砂川 一葉").is_empty());
    assert_eq!(ids(&store, "紗"), vec![map]);
    assert_eq!(
        store.document(doc).unwrap().record.fields["person_name"],
        json!("砂川 二葉")
    );

    // A batch that fails after a save writes nothing: no document, no index row.
    let mut third = sample("dialogue-record");
    third
        .fields
        .insert("person_name".into(), json!("砂川 三葉"));
    let p4 = taiwa::store::check_record(registry, &third).unwrap();
    let failed = store.batch(|b| {
        b.save(&p4, None)?;
        b.save(&p4, Some(uuid::Uuid::new_v4().into()))
    });
    assert!(
        matches!(
            failed,
            Err(StoreError::CaseMismatch { .. } | StoreError::CaseNotFound { .. })
        ),
        "{failed:?}"
    );
    assert!(ids(&store, "三葉").is_empty());
    let index_rows: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM search_index", [], |r| r.get(0))
        .unwrap();
    assert_eq!(index_rows, 2);
}

// ---------------------------------------------------------------------------------------------
// Cases (schema 2): created by the app, listed with a filter
// ---------------------------------------------------------------------------------------------

use taiwa::store::{
    CaseFilter, CaseStatus, CaseSummary, MAX_AUTOSAVE_BYTES, MAX_CASE_TEXT, NewCase,
};

fn new_case(name: &str, pseudonym: Option<&str>, employer: Option<&str>) -> NewCase {
    NewCase {
        display_name: name.to_string(),
        pseudonym: pseudonym.map(String::from),
        employer: employer.map(String::from),
    }
}

fn case_rows(store: &Store) -> i64 {
    store
        .connection()
        .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
        .unwrap()
}

fn day(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn case_ids(list: &[CaseSummary]) -> Vec<taiwa::ids::CaseId> {
    list.iter().map(|c| c.id).collect()
}

fn sorted<T: Ord>(mut ids: Vec<T>) -> Vec<T> {
    ids.sort();
    ids
}

fn text_filter(text: &str) -> CaseFilter {
    CaseFilter {
        text: text.to_string(),
        ..CaseFilter::default()
    }
}

/// A small dialogue record that is valid as a draft: the person's name, an optional review date
/// and an optional free text (strengths).
fn draft_dialogue(person: &str, review: Option<&str>, strengths: Option<&str>) -> Record {
    let version = Registry::builtin().get("dialogue-record").unwrap().version;
    let mut r = Record::new("dialogue-record", version);
    r.fields.insert("person_name".into(), json!(person));
    if let Some(d) = review {
        r.fields.insert("next_review_date".into(), json!(d));
    }
    if let Some(s) = strengths {
        r.fields.insert("strengths".into(), json!(s));
    }
    r
}

/// Case timestamps have millisecond resolution: wait so the next change is strictly later.
fn tick() {
    std::thread::sleep(std::time::Duration::from_millis(5));
}

#[track_caller]
fn expect_bad_field(result: Result<CaseSummary, StoreError>, field: &str) {
    match result {
        Err(e @ StoreError::BadCaseField { .. }) => {
            let StoreError::BadCaseField { field: f, .. } = &e else {
                unreachable!()
            };
            assert_eq!(*f, field, "{e:?}");
            assert_eq!(taiwa::i18n::UserError::code(&e), "store.bad_case_field");
            let msg = taiwa::i18n::UserError::message(&e);
            assert!(msg.en.starts_with(field), "{}", msg.en);
            assert!(!msg.ja.is_empty());
        }
        other => panic!("expected BadCaseField {field}, got {other:?}"),
    }
}

#[test]
fn create_case_trims_its_fields_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let made = store
        .create_case(&new_case(
            "  山田 花子\n",
            Some(" \u{3000} "),
            Some(" 株式会社みなと精機　"),
        ))
        .unwrap();
    assert_eq!(made.display_name, "山田 花子");
    assert_eq!(made.pseudonym, None, "a blank pseudonym is stored as none");
    assert_eq!(made.employer.as_deref(), Some("株式会社みなと精機"));
    assert_eq!(made.status, CaseStatus::Open);
    assert_eq!(made.documents, 0);
    assert!(made.templates.is_empty());
    assert_eq!(made.next_review, None);
    assert_eq!(store.case(made.id).unwrap(), made);

    // Exactly the limit is fine (counted in characters, not bytes).
    let long = "山".repeat(MAX_CASE_TEXT);
    let edge = store
        .create_case(&new_case(&long, Some(&long), Some(&long)))
        .unwrap();
    assert_eq!(edge.display_name.chars().count(), MAX_CASE_TEXT);
    assert_eq!(case_rows(&store), 2);

    // Still there after closing and opening the file again.
    let path = store.path().to_path_buf();
    drop(store);
    let store = open(&path);
    assert_eq!(store.case(made.id).unwrap(), made);
    assert!(matches!(
        store.case(uuid::Uuid::new_v4().into()),
        Err(StoreError::CaseNotFound { .. })
    ));
}

#[test]
fn create_case_refuses_bad_fields_naming_them_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let too_long = "あ".repeat(MAX_CASE_TEXT + 1);
    let refused: Vec<(NewCase, &str)> = vec![
        (new_case("", None, None), "display_name"),
        (
            new_case("   \u{3000}\t ", Some("RA-1"), None),
            "display_name",
        ),
        (new_case(&too_long, None, None), "display_name"),
        (new_case("山田\n花子", None, None), "display_name"),
        (new_case("山田\t花子", None, None), "display_name"),
        (new_case("山田\u{0}花子", None, None), "display_name"),
        (new_case("山田\u{7f}花子", None, None), "display_name"),
        (new_case("山田 花子", Some(&too_long), None), "pseudonym"),
        (new_case("山田 花子", Some("RA\r\n0137"), None), "pseudonym"),
        (new_case("山田 花子", None, Some(&too_long)), "employer"),
        (
            new_case("山田 花子", None, Some("みなと\u{1b}[31m精機")),
            "employer",
        ),
        // Invisible and bidi characters make a name read as another one (issue 18).
        (new_case("山田\u{200B}花子", None, None), "display_name"),
        (
            new_case("山田 花子", Some("\u{202E}7310-AR"), None),
            "pseudonym",
        ),
        (
            new_case("山田 花子", None, Some("みなと\u{2066}精機")),
            "employer",
        ),
        // The first bad field is named, in form order.
        (
            new_case("", Some(&too_long), Some(&too_long)),
            "display_name",
        ),
        (
            new_case("山田 花子", Some(&too_long), Some(&too_long)),
            "pseudonym",
        ),
    ];
    for (case, field) in refused {
        expect_bad_field(store.create_case(&case), field);
        assert_eq!(case_rows(&store), 0, "a refused case was written: {case:?}");
    }
    // The blank-name message says what to do, in both languages.
    let err = store.create_case(&new_case(" ", None, None)).unwrap_err();
    let msg = taiwa::i18n::UserError::message(&err);
    assert!(msg.ja.contains("氏名(表示名)"), "{}", msg.ja);
    assert!(msg.en.contains("display_name"), "{}", msg.en);
    let err = store
        .create_case(&new_case("山田 花子", None, Some(&too_long)))
        .unwrap_err();
    let msg = taiwa::i18n::UserError::message(&err);
    assert!(
        msg.ja.contains("事業所") && msg.ja.contains("200"),
        "{}",
        msg.ja
    );
    assert_eq!(case_rows(&store), 0);
}

#[test]
fn set_case_status_changes_it_and_refuses_an_unknown_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let made = store
        .create_case(&new_case("青木 紗希", None, None))
        .unwrap();
    tick();
    store.set_case_status(made.id, CaseStatus::Closed).unwrap();
    let closed = store.case(made.id).unwrap();
    assert_eq!(closed.status, CaseStatus::Closed);
    assert!(closed.updated_at > made.updated_at, "closing is a change");
    store.set_case_status(made.id, CaseStatus::Open).unwrap();
    assert_eq!(store.case(made.id).unwrap().status, CaseStatus::Open);
    assert!(matches!(
        store.set_case_status(uuid::Uuid::new_v4().into(), CaseStatus::Closed),
        Err(StoreError::CaseNotFound { .. })
    ));
    assert_eq!(case_rows(&store), 1);
}

#[test]
fn the_case_filter_matches_names_pseudonyms_employers_and_document_text_from_one_character() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let satou = store
        .create_case(&new_case("サトウ ミドリ", None, Some("abc物流")))
        .unwrap()
        .id;
    let yamada = store
        .create_case(&new_case("山田 花子", None, Some("株式会社みなと精機")))
        .unwrap()
        .id;
    store
        .save_record(&sample("dialogue-record"), Some(yamada))
        .unwrap();
    let suzuki = store
        .create_case(&new_case("鈴木 一郎", Some("RA-ケヤキ-07"), None))
        .unwrap()
        .id;
    // Only the document (not the case) mentions 檜 / ヒノキ.
    let itou = store
        .create_case(&new_case("伊藤 三郎", None, None))
        .unwrap()
        .id;
    store
        .save_record(
            &draft_dialogue("伊藤 三郎", None, Some("檜のヒノキ細工を作るのが得意。")),
            Some(itou),
        )
        .unwrap();
    let empty = store
        .create_case(&new_case("中村 四季", None, None))
        .unwrap()
        .id;
    let today = day("2027-01-10");
    let find = |q: &str| -> Vec<taiwa::ids::CaseId> {
        sorted(case_ids(&store.cases(&text_filter(q), today).unwrap()))
    };

    // One character, from the name (LIKE path both for names and documents).
    assert_eq!(find("山"), vec![yamada]);
    // 鈴 is in 鈴木 一郎's name and in the dialogue sample (its occupational physician).
    assert_eq!(find("鈴"), sorted(vec![suzuki, yamada]));
    // Width-, case- and kana-insensitive against the name.
    for q in [
        "ｻﾄｳ",
        "サトウ",
        "さとう",
        "さと",
        "ｻﾄ",
        "ミドリ",
        "ﾐﾄﾞﾘ",
        "みどり",
    ] {
        assert_eq!(find(q), vec![satou], "query {q:?}");
    }
    // The employer.
    for q in ["ＡＢＣ", "abc", "ABC", "Ａbｃ", "Ｃ物流", "物"] {
        assert_eq!(find(q), vec![satou], "query {q:?}");
    }
    assert_eq!(find("ﾐﾅﾄ精機"), vec![yamada]);
    // The pseudonym.
    for q in ["ケヤキ", "けやき", "ｹﾔｷ", "ra-け", "ＲＡ－ケ"] {
        assert_eq!(find(q), vec![suzuki], "query {q:?}");
    }
    // Document text only: one, two and three+ characters, any width or kana.
    for q in ["檜", "ヒノ", "ﾋﾉｷ", "ひのき細工", "細工"] {
        assert_eq!(find(q), vec![itou], "query {q:?}");
    }
    // The sample's text (not in the case's own fields): 経理部, the HR signer 髙橋 誠.
    assert_eq!(find("経理部"), vec![yamada]);
    assert_eq!(find("誠"), vec![yamada]);
    // A case matched both by its name and its document is listed once.
    let both = store.cases(&text_filter("山田"), today).unwrap();
    assert_eq!(case_ids(&both), vec![yamada]);
    // Blank text is no filter; text found nowhere finds nothing.
    for q in ["", "  ", "\u{3000}"] {
        assert_eq!(
            find(q),
            sorted(vec![satou, yamada, suzuki, itou, empty]),
            "query {q:?}"
        );
    }
    assert!(find("該当なし").is_empty());
    // LIKE wildcards are literal: only the dialogue sample holds a % (0.8%) and a _ (its URL).
    assert_eq!(find("%"), vec![yamada]);
    assert_eq!(find("_"), vec![yamada]);
    assert_eq!(find("\""), Vec::<uuid::Uuid>::new());
}

#[test]
fn the_case_filter_finds_every_matching_case_however_many_documents_match() {
    // More matching documents than one search returns (SEARCH_LIMIT, newest first): an older
    // case must still be found by its document text.
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let old = store
        .create_case(&new_case("伊藤 三郎", None, None))
        .unwrap()
        .id;
    store
        .save_record(
            &draft_dialogue("伊藤 三郎", None, Some("ケヤキ並木の近くに住む")),
            Some(old),
        )
        .unwrap();
    let busy = store
        .create_case(&new_case("中村 四季", None, None))
        .unwrap()
        .id;
    let n = taiwa::store::search::SEARCH_LIMIT + 5;
    for i in 0..n {
        store
            .save_record(
                &draft_dialogue("中村 四季", None, Some(&format!("ケヤキ並木 面談メモ {i}"))),
                Some(busy),
            )
            .unwrap();
    }
    let today = day("2027-01-10");
    for q in ["ケヤキ並木", "ケヤ", "欅", "ケ"] {
        let found = sorted(case_ids(&store.cases(&text_filter(q), today).unwrap()));
        let expected = if q == "欅" {
            vec![]
        } else {
            sorted(vec![old, busy])
        };
        assert_eq!(found, expected, "query {q:?}");
    }
    assert_eq!(store.case(busy).unwrap().documents, n as i64);
}

#[test]
fn the_case_list_filters_by_status_form_and_review_date_and_summarises_documents() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    // P: the dialogue sample (review 2027-03-01) and the work sheet (re-assessment 2027-04-07).
    let p = store
        .create_case(&new_case("山田 花子", None, None))
        .unwrap()
        .id;
    let p_dialogue = store
        .save_record(&sample("dialogue-record"), Some(p))
        .unwrap()
        .document_id;
    store
        .save_record(&sample("work-consideration"), Some(p))
        .unwrap();
    // Q: overdue. R: later. S: no documents. T: a route map (a form without review dates).
    let q = store
        .create_case(&new_case("青木 紗希", None, None))
        .unwrap()
        .id;
    let q_first = store
        .save_record(
            &draft_dialogue("青木 紗希", Some("2027-02-01"), None),
            Some(q),
        )
        .unwrap()
        .document_id;
    let r = store
        .create_case(&new_case("伊藤 三郎", None, None))
        .unwrap()
        .id;
    store
        .save_record(
            &draft_dialogue("伊藤 三郎", Some("2027-06-30"), None),
            Some(r),
        )
        .unwrap();
    let s = store
        .create_case(&new_case("中村 四季", None, None))
        .unwrap()
        .id;
    let t = store
        .create_case(&new_case("小林 直樹", None, None))
        .unwrap()
        .id;
    store.save_record(&sample("route-map"), Some(t)).unwrap();

    let p_case = store.case(p).unwrap();
    assert_eq!(p_case.documents, 2);
    assert_eq!(
        p_case.templates,
        vec![
            "dialogue-record".to_string(),
            "work-consideration".to_string()
        ]
    );
    assert_eq!(p_case.next_review.as_deref(), Some("2027-03-01"));
    let t_case = store.case(t).unwrap();
    assert_eq!(t_case.documents, 1);
    assert_eq!(t_case.templates, vec!["route-map".to_string()]);
    assert_eq!(t_case.next_review, None);
    let s_case = store.case(s).unwrap();
    assert_eq!((s_case.documents, s_case.next_review.clone()), (0, None));
    assert!(s_case.templates.is_empty());
    // A second draft with the same form shows the form once; the earliest date wins.
    store
        .save_record(
            &draft_dialogue("青木 紗希", Some("2027-05-01"), None),
            Some(q),
        )
        .unwrap();
    let q_case = store.case(q).unwrap();
    assert_eq!(q_case.documents, 2);
    assert_eq!(q_case.templates, vec!["dialogue-record".to_string()]);
    assert_eq!(q_case.next_review.as_deref(), Some("2027-02-01"));
    // The list links the date to the document it belongs to (the review opens it directly).
    assert_eq!(q_case.next_review_document, Some(q_first));
    assert_eq!(t_case.next_review_document, None);

    let today = day("2027-02-20");
    let list = |store: &Store, f: CaseFilter| sorted(case_ids(&store.cases(&f, today).unwrap()));
    let within = |store: &Store, days: u32| {
        list(
            store,
            CaseFilter {
                review_within_days: Some(days),
                ..CaseFilter::default()
            },
        )
    };
    assert_eq!(
        list(&store, CaseFilter::default()),
        sorted(vec![p, q, r, s, t])
    );
    // Due within 30 days (until 2027-03-22) or overdue; later ones and cases without a date are out.
    assert_eq!(within(&store, 30), sorted(vec![p, q]));
    assert_eq!(within(&store, 0), vec![q], "overdue counts at any window");
    // The last day of the window is inside it.
    assert_eq!(
        within(&store, 9),
        sorted(vec![p, q]),
        "2027-03-01 is 9 days after today"
    );
    assert_eq!(within(&store, 8), vec![q]);
    assert_eq!(within(&store, 3650), sorted(vec![p, q, r]));

    let by_form = |store: &Store, t: &str| {
        list(
            store,
            CaseFilter {
                template: Some(t.to_string()),
                ..CaseFilter::default()
            },
        )
    };
    assert_eq!(by_form(&store, "work-consideration"), vec![p]);
    assert_eq!(by_form(&store, "dialogue-record"), sorted(vec![p, q, r]));
    assert_eq!(by_form(&store, "route-map"), vec![t]);
    assert!(by_form(&store, "no-such-form").is_empty());

    store.set_case_status(r, CaseStatus::Closed).unwrap();
    let by_status = |store: &Store, st: CaseStatus| {
        list(
            store,
            CaseFilter {
                status: Some(st),
                ..CaseFilter::default()
            },
        )
    };
    assert_eq!(by_status(&store, CaseStatus::Closed), vec![r]);
    assert_eq!(
        by_status(&store, CaseStatus::Open),
        sorted(vec![p, q, s, t])
    );
    // Filters combine.
    assert_eq!(
        list(
            &store,
            CaseFilter {
                status: Some(CaseStatus::Open),
                review_within_days: Some(3650),
                ..CaseFilter::default()
            }
        ),
        sorted(vec![p, q])
    );
    assert_eq!(
        list(
            &store,
            CaseFilter {
                text: "山田".into(),
                template: Some("dialogue-record".into()),
                review_within_days: Some(30),
                status: Some(CaseStatus::Open),
            }
        ),
        vec![p]
    );
    assert!(
        list(
            &store,
            CaseFilter {
                text: "山田".into(),
                template: Some("route-map".into()),
                ..CaseFilter::default()
            }
        )
        .is_empty()
    );

    // A superseded document no longer counts (nor does its form or review date).
    store
        .connection()
        .execute(
            "UPDATE documents SET status = 'superseded' WHERE id = ?1",
            [p_dialogue.to_string()],
        )
        .unwrap();
    let p_case = store.case(p).unwrap();
    assert_eq!(p_case.documents, 1);
    assert_eq!(p_case.templates, vec!["work-consideration".to_string()]);
    assert_eq!(p_case.next_review.as_deref(), Some("2027-04-07"));
    assert_eq!(within(&store, 30), vec![q]);
}

#[test]
fn the_case_list_is_ordered_by_last_change_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let a = store
        .create_case(&new_case("青木 紗希", None, None))
        .unwrap()
        .id;
    tick();
    let b = store
        .create_case(&new_case("伊藤 三郎", None, None))
        .unwrap()
        .id;
    let mut draft = draft_dialogue("伊藤 三郎", None, None);
    let saved = store.save_record(&draft, Some(b)).unwrap();
    draft.id = Some(saved.document_id.into());
    tick();
    let c = store
        .create_case(&new_case("中村 四季", None, None))
        .unwrap()
        .id;
    let today = day("2027-01-10");
    let order = |store: &Store| case_ids(&store.cases(&CaseFilter::default(), today).unwrap());
    assert_eq!(order(&store), vec![c, b, a]);
    tick();
    store.set_case_status(a, CaseStatus::Closed).unwrap();
    assert_eq!(order(&store), vec![a, c, b]);
    tick();
    // A new revision of one of its documents is a change to the case.
    draft.fields.insert(
        "strengths".into(),
        json!("整理された文字の指示なら正確に処理できる。"),
    );
    assert_eq!(store.save_record(&draft, None).unwrap().seq, 2);
    assert_eq!(order(&store), vec![b, a, c]);
    let all = store.cases(&CaseFilter::default(), today).unwrap();
    // A page is the start of the same list, summaries and all.
    let page = store.cases_page(&CaseFilter::default(), today, 2).unwrap();
    assert_eq!(page, all[..2]);
    assert!(
        all.windows(2).all(|w| w[0].updated_at >= w[1].updated_at),
        "{all:?}"
    );
    // Filters keep the order.
    let filtered = store
        .cases(
            &CaseFilter {
                status: Some(CaseStatus::Open),
                ..CaseFilter::default()
            },
            today,
        )
        .unwrap();
    assert_eq!(case_ids(&filtered), vec![b, c]);
}

// ---------------------------------------------------------------------------------------------
// The editor's autosaved working copy (schema 2)
// ---------------------------------------------------------------------------------------------

fn autosave_rows(store: &Store) -> i64 {
    store
        .connection()
        .query_row("SELECT count(*) FROM autosaves", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn an_autosave_holds_any_text_of_a_draft_and_is_replaced_and_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let mut draft = draft_dialogue("青木 紗希", None, None);
    let first = store.save_record(&draft, None).unwrap();
    let id = first.document_id;
    draft.id = Some(id.into());
    assert_eq!(store.autosave(id).unwrap(), None);

    // Not validated: a wrong type, an unknown field, even text that is not JSON at all.
    let invalid = json!({
        "format": "taiwa.document/1",
        "template": "dialogue-record",
        "status": "draft",
        "fields": {"person_name": 12345, "no_such_field": true, "session_date": "2026-13-45"}
    })
    .to_string();
    let saved_at = store.put_autosave(id, &invalid).unwrap();
    let got = store.autosave(id).unwrap().expect("autosave stored");
    assert_eq!(got.record_json, invalid);
    assert_eq!(got.base_seq, 1);
    assert_eq!(got.saved_at, saved_at);

    tick();
    let half_typed = "{\"fields\": {\"person_name\": \"青木 紗";
    let saved_at = store.put_autosave(id, half_typed).unwrap();
    let got = store.autosave(id).unwrap().unwrap();
    assert_eq!(got.record_json, half_typed, "replaced");
    assert_eq!(got.saved_at, saved_at);
    assert_eq!(autosave_rows(&store), 1, "one working copy per document");
    store.put_autosave(id, "").unwrap();
    assert_eq!(store.autosave(id).unwrap().unwrap().record_json, "");

    // base_seq follows the head revision the copy was made from.
    draft
        .fields
        .insert("person_alias".into(), json!("RA-2027-0001"));
    assert_eq!(store.save_record(&draft, None).unwrap().seq, 2);
    store.put_autosave(id, "{}").unwrap();
    assert_eq!(store.autosave(id).unwrap().unwrap().base_seq, 2);

    // Autosaves never become revisions.
    assert_eq!(store.history(id).unwrap().len(), 2);
    assert!(store.verify().unwrap().ok());

    store.clear_autosave(id).unwrap();
    assert_eq!(store.autosave(id).unwrap(), None);
    assert_eq!(autosave_rows(&store), 0);
    // Clearing nothing is fine.
    store.clear_autosave(id).unwrap();
    store.clear_autosave(uuid::Uuid::new_v4().into()).unwrap();
}

#[test]
fn an_autosave_is_refused_for_final_unknown_and_oversized_documents() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let fin = store
        .save_record(&sample("dialogue-record"), None)
        .unwrap()
        .document_id;
    let err = store.put_autosave(fin, "{}").unwrap_err();
    assert!(
        matches!(err, StoreError::Finalized { ref id } if *id == fin.to_string()),
        "{err:?}"
    );
    assert_eq!(store.autosave(fin).unwrap(), None);

    let unknown = uuid::Uuid::new_v4();
    assert!(matches!(
        store.put_autosave(unknown.into(), "{}"),
        Err(StoreError::DocumentNotFound { .. })
    ));
    assert_eq!(autosave_rows(&store), 0);

    let draft = store
        .save_record(&draft_dialogue("青木 紗希", None, None), None)
        .unwrap()
        .document_id;
    store.put_autosave(draft, "{\"keep\": 1}").unwrap();
    // One byte over the limit (counted in bytes: a Japanese character is three).
    let over = format!("{}{}", "あ".repeat(MAX_AUTOSAVE_BYTES / 3), "xx");
    assert_eq!(over.len(), MAX_AUTOSAVE_BYTES + 1);
    let err = store.put_autosave(draft, &over).unwrap_err();
    assert!(
        matches!(err, StoreError::AutosaveTooLarge { bytes } if bytes == MAX_AUTOSAVE_BYTES + 1),
        "{err:?}"
    );
    assert_eq!(
        taiwa::i18n::UserError::code(&err),
        "store.autosave_too_large"
    );
    assert_eq!(
        store.autosave(draft).unwrap().unwrap().record_json,
        "{\"keep\": 1}",
        "a refused autosave must leave the previous one"
    );
    // Exactly the limit is kept.
    let full = "x".repeat(MAX_AUTOSAVE_BYTES);
    store.put_autosave(draft, &full).unwrap();
    assert_eq!(
        store.autosave(draft).unwrap().unwrap().record_json.len(),
        MAX_AUTOSAVE_BYTES
    );
}

#[test]
fn an_autosave_is_encrypted_on_disk_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let marker_ja = "作業中の下書きムクノキ";
    let marker_ascii = "ZQXAUTOSAVEMARKERZQX";
    let json = json!({
        "format": "taiwa.document/1",
        "template": "dialogue-record",
        "status": "draft",
        "fields": {
            "person_name": marker_ja,
            "strengths": format!("{marker_ascii} ").repeat(100),
        }
    })
    .to_string();
    let mut store = open(&path);
    let id = store
        .save_record(&draft_dialogue("青木 紗希", None, None), None)
        .unwrap()
        .document_id;
    let saved_at = store.put_autosave(id, &json).unwrap();
    let wal = path.with_extension("db-wal");
    let check = |when: &str| {
        for p in [&path, &wal] {
            if let Ok(bytes) = std::fs::read(p) {
                for m in [marker_ja.as_bytes(), marker_ascii.as_bytes()] {
                    assert!(
                        !contains(&bytes, m),
                        "{when}: {} holds the autosave in plaintext {:?}",
                        p.display(),
                        String::from_utf8_lossy(m)
                    );
                }
            }
        }
    };
    assert!(wal.exists(), "expected a WAL while open");
    check("open");
    drop(store);
    check("closed");

    let store = open(&path);
    let got = store
        .autosave(id)
        .unwrap()
        .expect("autosave kept across reopening");
    assert_eq!(got.record_json, json);
    assert_eq!(got.base_seq, 1);
    assert_eq!(got.saved_at, saved_at);
    drop(store);
    // And only with the right passphrase.
    assert!(matches!(
        Store::open(&path, "まちがい", OpenMode::ExistingOnly),
        Err(StoreError::WrongPassphrase { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Schema 1 → latest
// ---------------------------------------------------------------------------------------------

/// A database as a schema-1 Taiwa left it: the first migration only, one case with one draft
/// dialogue record (revision, hash, search row) written the way that version wrote them.
fn schema_1_database(path: &Path) -> (uuid::Uuid, uuid::Uuid, Record) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "key", PASS).unwrap();
    conn.execute_batch(include_str!("../../src/store/migrations/0001_init.sql"))
        .unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    let case = uuid::Uuid::new_v4();
    let doc = uuid::Uuid::new_v4();
    let mut record = sample("dialogue-record");
    record.status = DocStatus::Draft;
    record.id = Some(doc);
    let json = record.canonical_json();
    let sha: String = Sha256::digest(json.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let at = "2026-11-20T10:00:00.000Z";
    conn.execute(
        "INSERT INTO cases (id, display_name, status, created_at, updated_at) VALUES (?1, '山田 花子', 'open', ?2, ?2)",
        rusqlite::params![case.to_string(), at],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO documents (num, id, case_id, template, template_version, status, title, head_seq, created_at, updated_at)
         VALUES (1, ?1, ?2, 'dialogue-record', 1, 'draft', '山田 花子', 1, ?3, ?3)",
        rusqlite::params![doc.to_string(), case.to_string(), at],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO revisions (document_id, seq, status, record_json, sha256, prev_sha256, created_at)
         VALUES (?1, 1, 'draft', ?2, ?3, NULL, ?4)",
        rusqlite::params![doc.to_string(), json, sha, at],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO search_index (rowid, document_id, case_id, body) VALUES (1, ?1, ?2, ?3)",
        rusqlite::params![
            doc.to_string(),
            case.to_string(),
            taiwa::text::fold("山田 花子\n株式会社みなと精機")
        ],
    )
    .unwrap();
    drop(conn);
    (case, doc, record)
}

#[test]
fn a_schema_1_database_is_migrated_to_the_latest_on_open_and_keeps_its_documents() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let (case, doc, record) = schema_1_database(&path);
    let (case, doc) = (
        taiwa::ids::CaseId::from(case),
        taiwa::ids::DocumentId::from(doc),
    );
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "key", PASS).unwrap();
        let v: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 1, "the fixture is a schema-1 file");
    }

    let mut store = open(&path);
    assert_eq!(
        store.schema_version().unwrap(),
        taiwa::store::SCHEMA_VERSION
    );
    let autosaves: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'autosaves'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(autosaves, 1);
    // The document is intact: same record, same hash chain, still searchable.
    let shown = store.document(doc).unwrap();
    assert_eq!(shown.record, record);
    assert_eq!(shown.case_id, case);
    assert_eq!(shown.seq, 1);
    assert!(store.verify().unwrap().ok());
    assert_eq!(store.search("みなと精機").unwrap().len(), 1);
    // Schema 5 filled the one- and two-character index from the text already indexed.
    assert_eq!(store.search("山田").unwrap().len(), 1);
    assert_eq!(store.search("花").unwrap().len(), 1);
    // review_on is new and empty until the next save.
    let review_on = |store: &Store| -> Option<String> {
        store
            .connection()
            .query_row(
                "SELECT review_on FROM documents WHERE id = ?1",
                [doc.to_string()],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(review_on(&store), None);
    let today = day("2027-02-20");
    let case_summary = store.case(case).unwrap();
    assert_eq!(case_summary.documents, 1);
    assert_eq!(case_summary.templates, vec!["dialogue-record".to_string()]);
    assert_eq!(case_summary.next_review, None);
    let due = CaseFilter {
        review_within_days: Some(30),
        ..CaseFilter::default()
    };
    assert!(store.cases(&due, today).unwrap().is_empty());
    // Autosave works on the migrated document.
    store.put_autosave(doc, "{}").unwrap();
    assert_eq!(store.autosave(doc).unwrap().unwrap().base_seq, 1);

    // The next save fills review_on.
    let mut next = record.clone();
    next.fields.insert(
        "interim_measure".into(),
        json!("当面はチャットでの指示を優先する。"),
    );
    let outcome = store.save_record(&next, None).unwrap();
    assert_eq!((outcome.seq, outcome.case_id), (2, case));
    assert_eq!(review_on(&store).as_deref(), Some("2027-03-01"));
    assert_eq!(
        store.case(case).unwrap().next_review.as_deref(),
        Some("2027-03-01")
    );
    assert_eq!(case_ids(&store.cases(&due, today).unwrap()), vec![case]);
    assert!(store.verify().unwrap().ok());
    let history = store.history(doc).unwrap();
    assert_eq!(
        history[1].prev_sha256.as_deref(),
        Some(history[0].sha256.as_str())
    );
    drop(store);
    // Opening again does not migrate twice.
    let store = open(&path);
    assert_eq!(
        store.schema_version().unwrap(),
        taiwa::store::SCHEMA_VERSION
    );
    assert_eq!(store.list_documents(None).unwrap().len(), 1);
    assert_eq!(review_on(&store).as_deref(), Some("2027-03-01"));
}

#[test]
fn a_database_file_deleted_while_open_is_written_back_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = open(&path);
    let saved = store.save_record(&sample("dialogue-record"), None).unwrap();
    assert!(store.file_present());
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    assert!(!store.file_present(), "the deletion went unnoticed");
    let rescued = store.rescue().unwrap();
    assert_eq!(rescued, path, "the path was free: the copy goes back to it");
    drop(store);
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        !bytes.starts_with(b"SQLite format 3"),
        "the copy is not encrypted"
    );
    let store = Store::open(&path, PASS, OpenMode::ExistingOnly)
        .expect("the copy opens with the passphrase");
    assert_eq!(
        store.schema_version().unwrap(),
        taiwa::store::SCHEMA_VERSION
    );
    let doc = store.document(saved.document_id).unwrap();
    assert_eq!(doc.record.fields, sample("dialogue-record").fields);
    assert!(store.verify().unwrap().ok());

    // Another file at the path is never overwritten: the copy goes beside it.
    let other = dir.path().join("other.db");
    let mut store = open(&other);
    std::fs::remove_file(&other).unwrap();
    std::fs::write(&other, b"someone else's file").unwrap();
    assert!(!store.file_present());
    let beside = store.rescue().unwrap();
    assert_ne!(beside, other);
    assert_eq!(std::fs::read(&other).unwrap(), b"someone else's file");
    drop(store);
    Store::open(&beside, PASS, OpenMode::ExistingOnly).expect("the copy beside opens");
}

/// Saves leave the WAL to grow (store/upkeep.rs); `tidy`, which the app calls when the user is
/// idle, copies it into the database file, and what it copied reads back after a reopen.
#[test]
fn tidy_copies_the_wal_into_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = open(&path);
    let mut record = sample("dialogue-record");
    record.status = DocStatus::Draft;
    for i in 0..5 {
        record
            .fields
            .insert("good_day".into(), json!(format!("整頓の確認 {i} 回目")));
        let saved = store.save_record(&record, None).unwrap();
        record.id = Some(saved.document_id.into());
    }
    let tidied = store.tidy().unwrap();
    assert!(tidied.frames > 0 && tidied.done(), "{tidied:?}");
    assert!(store.tidy().unwrap().done());
    drop(store);
    let store = open(&path);
    assert_eq!(store.search("整頓の確認 4").unwrap().len(), 1);
    assert!(store.verify().unwrap().ok());
}

/// A draft dialogue record whose good_day says `text`, as a revision of `id` when given.
fn with_good_day(text: &str, id: Option<taiwa::ids::DocumentId>) -> Record {
    let mut record = sample("dialogue-record");
    record.id = id.map(Into::into);
    record.status = DocStatus::Draft;
    record
        .fields
        .insert("good_day".into(), Value::String(text.into()));
    record
}

fn pending(store: &Store) -> i64 {
    store
        .connection()
        .query_row("SELECT count(*) FROM search_pending", [], |r| r.get(0))
        .unwrap()
}

fn indexed(store: &Store, text: &str) -> i64 {
    store
        .connection()
        .query_row(
            "SELECT count(*) FROM search_index WHERE body LIKE '%' || ?1 || '%'",
            [text],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_save_leaves_the_index_to_catch_up_and_no_search_sees_it_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = open(&path);
    let id = store
        .save_record(&with_good_day("水曜の朝は見通しがよい", None), None)
        .unwrap()
        .document_id;
    // The save wrote the text to be indexed, not the index.
    assert_eq!(pending(&store), 1);
    assert_eq!(indexed(&store, "水曜の朝"), 0);
    // Closed before anything caught up (as a crash or a CLI run would): the text waited on disk.
    drop(store);
    let mut store = Store::open(&path, PASS, OpenMode::ExistingOnly).unwrap();
    assert_eq!(pending(&store), 1);
    let hits = store.search("水曜の朝").unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].document_id, id);
    assert_eq!(pending(&store), 0, "the search indexed it first");
    assert_eq!(indexed(&store, "水曜の朝"), 1);

    // A new revision replaces the text: the old words are not found, by search or case filter.
    store
        .save_record(&with_good_day("金曜の午後は集中できる", Some(id)), None)
        .unwrap();
    store
        .save_record(&with_good_day("木曜の夕方は疲れが出る", Some(id)), None)
        .unwrap();
    assert_eq!(pending(&store), 1, "one row per document, the newest text");
    let today = chrono::Local::now().date_naive();
    assert_eq!(
        store
            .cases(&text_filter("木曜の夕方"), today)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(pending(&store), 0, "the case filter indexed it first");
    assert!(store.search("水曜の朝").unwrap().is_empty());
    assert!(store.search("金曜の午後").unwrap().is_empty());
    assert_eq!(store.search("木曜").unwrap().len(), 1);
    assert_eq!(store.catch_up_search().unwrap(), 0, "nothing left");
    store
        .connection()
        .execute(
            "INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .expect("the index is consistent");
}

#[test]
fn a_batch_indexes_its_own_text_and_an_older_pending_one_never_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&db(&dir));
    let id = store
        .save_record(&with_good_day("古い言い回しの記録", None), None)
        .unwrap()
        .document_id;
    assert_eq!(pending(&store), 1);
    let newer =
        taiwa::store::check_record(store.registry(), &with_good_day("新しい言い回し", Some(id)))
            .unwrap();
    store.batch(|b| b.save(&newer, None).map(|_| ())).unwrap();
    assert_eq!(
        pending(&store),
        0,
        "the batch indexed the document and dropped its older text"
    );
    assert_eq!(store.catch_up_search().unwrap(), 0);
    assert!(store.search("古い言い回し").unwrap().is_empty());
    assert_eq!(store.search("新しい言い回し").unwrap().len(), 1);
}

#[test]
fn a_search_that_cannot_bring_the_index_up_to_date_still_answers_from_the_saved_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = open(&path);
    let id = store
        .save_record(&with_good_day("古い書きぶりの記録", None), None)
        .unwrap()
        .document_id;
    assert_eq!(store.search("古い書きぶり").unwrap().len(), 1, "indexed");
    store
        .save_record(&with_good_day("新しい書きぶりの記録", Some(id)), None)
        .unwrap();
    assert_eq!(pending(&store), 1);

    // Another process holds the write lock (an import, a purge): the catch-up waits out the busy
    // timeout, cannot write, and the search reads the pending text beside the index.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.pragma_update(None, "key", PASS).unwrap();
    other.execute_batch("BEGIN IMMEDIATE;").unwrap();
    let hits = store.search("新しい書きぶり").unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].document_id, id);
    assert!(
        store.search("古い書きぶり").unwrap().is_empty(),
        "the replaced text is still found through the index"
    );
    let today = chrono::Local::now().date_naive();
    assert_eq!(
        store
            .cases(&text_filter("新しい書きぶり"), today)
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .cases(&text_filter("古い書きぶり"), today)
            .unwrap()
            .is_empty()
    );
    assert_eq!(pending(&store), 1, "nothing could be written");

    // The lock released, the next search catches up.
    other.execute_batch("ROLLBACK;").unwrap();
    assert_eq!(store.search("新しい書きぶり").unwrap().len(), 1);
    assert_eq!(pending(&store), 0);
}
