//! The scale benchmark's generator (bench/gen.rs) writes through the store's normal checks: a
//! small generated database passes `taiwa verify` (every hash chain), holds the documents and
//! consents it should, and the same seed gives the same data. All people are fictional.

#[path = "../../bench/gen.rs"]
#[allow(dead_code)] // the benches use the cache helpers; this test only generates
mod generator;

use std::process::{Command, Stdio};

#[test]
fn a_generated_database_passes_verify_with_every_document_and_consent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gen.db");
    let cases = 6;
    {
        let mut store = generator::open(&db, false).unwrap();
        let docs = generator::generate(&mut store, 7, cases, 4).unwrap();
        assert_eq!(docs, cases * generator::DOCS_PER_CASE);
        assert_eq!(store.list_documents(None).unwrap().len(), docs);
        let with_consent: usize = store
            .list_documents(None)
            .unwrap()
            .iter()
            .map(|d| {
                store
                    .consents_for_document(&d.id.to_string())
                    .unwrap()
                    .len()
            })
            .sum();
        assert!(with_consent > 0, "final documents get consents");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_taiwa"))
        .arg("verify")
        .env("TAIWA_DB", &db)
        .env("TAIWA_PASSPHRASE", generator::PASSPHRASE)
        .env("TAIWA_LANG", "en")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("{} documents", cases * generator::DOCS_PER_CASE)),
        "{stdout}"
    );
}

#[test]
fn the_same_seed_gives_the_same_cases_and_another_seed_other_people() {
    let registry = taiwa::template::Registry::builtin();
    let a = generator::plan_case(registry, 3, 11);
    let b = generator::plan_case(registry, 3, 11);
    let c = generator::plan_case(registry, 4, 11);
    assert_eq!((&a.name, &a.ids), (&b.name, &b.ids));
    assert_ne!(a.ids, c.ids);
    let revisions: Vec<usize> = a.documents.iter().map(Vec::len).collect();
    assert!(
        revisions.iter().all(|n| (1..=4).contains(n)),
        "{revisions:?}"
    );
}
