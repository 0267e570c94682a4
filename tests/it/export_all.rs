//! `taiwa export --all`: every stored document becomes a PDF that carries its record, each file
//! is one line of the disclosure log, and a recipient without consent for some documents gets
//! the others while the refused ones are reported (exit 4). All people are fictional.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use taiwa::record::parse_record;
use taiwa::store::{OpenMode, Store};
use taiwa::template::Registry;

const PASSPHRASE: &str = "ひみつの合言葉 correct horse";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("taiwa.db")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_taiwa"))
            .args(args)
            .env("TAIWA_DB", self.db())
            .env("TAIWA_PASSPHRASE", PASSPHRASE)
            .env("TAIWA_LANG", "en")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// Imports every sample `times` times; the document ids.
    fn import_samples(&self, times: usize) -> Vec<String> {
        let samples = Path::new(crate::support::ROOT).join("samples");
        let mut ids = Vec::new();
        for _ in 0..times {
            for name in ["dialogue-record", "work-consideration", "route-map"] {
                let file = samples.join(format!("{name}.json"));
                let out = self.run(&["import", file.to_str().unwrap()]);
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                ids.push(String::from_utf8_lossy(&out.stdout).trim().to_string());
            }
        }
        ids
    }

    fn log_lines(&self) -> i64 {
        let store = Store::open(&self.db(), PASSPHRASE, OpenMode::ExistingOnly).unwrap();
        store
            .connection()
            .query_row("SELECT COUNT(*) FROM disclosures", [], |r| r.get(0))
            .unwrap()
    }
}

/// For each PDF in `dir` (each parsed, its record.json read back): the id its name ends with
/// (8 characters) and the id of the record it carries (a recipient's copy carries none).
fn exported(dir: &Path) -> Vec<(String, Option<String>)> {
    let mut ids: Vec<(String, Option<String>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            assert_eq!(
                path.extension().and_then(|e| e.to_str()),
                Some("pdf"),
                "{path:?}"
            );
            let bytes = std::fs::read(&path).unwrap();
            let pdf = lopdf::Document::load_mem(&bytes).unwrap();
            assert!(!pdf.get_pages().is_empty(), "{path:?} has pages");
            let json = taiwa::pdf::extract_record(&bytes).unwrap();
            let record = parse_record(&json, Registry::builtin()).unwrap();
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let short = stem.rsplit('_').next().unwrap().to_string();
            (short, record.id.map(|i| i.to_string()))
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn every_document_becomes_a_pdf_with_its_record_and_one_log_line() {
    let env = Env::new();
    let mut ids = env.import_samples(3);
    let out_dir = env.dir.path().join("out");
    let out = env.run(&["export", "--all", "-o", out_dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("9 file(s) written"), "{stderr}");
    ids.sort();
    let files = exported(&out_dir);
    for (short, id) in &files {
        assert!(
            id.as_ref().is_some_and(|id| id.starts_with(short.as_str())),
            "{short} {id:?}"
        );
    }
    let mut carried: Vec<String> = files.into_iter().filter_map(|(_, id)| id).collect();
    carried.sort();
    assert_eq!(carried, ids);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 9);
    assert_eq!(env.log_lines(), 9);
}

#[test]
fn a_recipient_gets_only_what_they_have_consent_for_and_the_rest_is_reported() {
    let env = Env::new();
    let ids = env.import_samples(2);
    let recipient = "株式会社みなと精機 人事部";
    let consent = env.run(&[
        "consent",
        "add",
        &ids[0],
        "--recipient",
        recipient,
        "--role",
        "hr",
        "--purpose",
        "配慮の検討",
        "--sections",
        "all",
        "--method",
        "signature",
    ]);
    assert!(
        consent.status.success(),
        "{}",
        String::from_utf8_lossy(&consent.stderr)
    );
    let out_dir = env.dir.path().join("hr");
    let out = env.run(&[
        "export",
        "--all",
        "-o",
        out_dir.to_str().unwrap(),
        "--recipient",
        recipient,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("1 file(s) written"), "{stderr}");
    assert!(stderr.contains("5 document(s) not exported"), "{stderr}");
    for refused in &ids[1..] {
        assert!(
            stderr.contains(refused.as_str()),
            "{refused} reported: {stderr}"
        );
    }
    let files = exported(&out_dir);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, ids[0][..8]);
    assert_eq!(env.log_lines(), 1);
}

#[test]
fn a_case_limits_the_batch_to_its_documents() {
    let env = Env::new();
    let ids = env.import_samples(1);
    let store = Store::open(&env.db(), PASSPHRASE, OpenMode::ExistingOnly).unwrap();
    let case = store.document(&ids[1]).unwrap().case_id.to_string();
    drop(store);
    let out_dir = env.dir.path().join("case");
    let out = env.run(&[
        "export",
        "--all",
        "--case",
        &case,
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = exported(&out_dir);
    assert_eq!(files, vec![(ids[1][..8].to_string(), Some(ids[1].clone()))]);
}
