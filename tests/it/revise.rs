//! Correcting a final document (issue 26, item 1): `Store::revise` and `taiwa revise` open a draft
//! as the next revision; the final revision stays in the history and its hash chain; finalizing
//! the draft makes the corrected version, and its PDF names the revision it corrects.

use crate::support::{Cli, assert_exit, pdftotext, stderr};
use serde_json::json;
use taiwa::record::{DocStatus, parse_record};
use taiwa::store::{OpenMode, Store, StoreError};
use taiwa::template::Registry;

const PASS: &str = "架空の合言葉 revise hibari 3";

fn sample() -> taiwa::record::Record {
    let bytes = std::fs::read(format!(
        "{}/samples/dialogue-record.json",
        crate::support::ROOT
    ))
    .expect("the sample");
    parse_record(&bytes, Registry::builtin()).expect("the sample parses")
}

#[test]
fn a_final_document_is_corrected_through_a_draft_revision_and_the_final_stays_in_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db"), PASS, OpenMode::CreateIfMissing).unwrap();
    let mut record = sample();
    record.status = DocStatus::Final;
    let first = store.save_record(&record, None).unwrap();
    let id = first.document_id;

    // A final document refuses a plain save, as before.
    record.id = Some(id.into());
    record.status = DocStatus::Draft;
    assert!(matches!(
        store.save_record(&record, None),
        Err(StoreError::Finalized { .. })
    ));

    let revised = store.revise(id).unwrap();
    assert_eq!((revised.document_id, revised.seq), (id, 2));
    let head = store.document(id).unwrap();
    assert_eq!(head.record.status, DocStatus::Draft);
    let mut final_content = sample();
    final_content.id = Some(id.into());
    final_content.status = DocStatus::Draft;
    assert_eq!(
        head.record.fields, final_content.fields,
        "the draft holds the final's content"
    );

    // A draft is edited as it is: revising it again is refused, and nothing is written.
    assert!(matches!(store.revise(id), Err(StoreError::NotFinal { .. })));
    let mut corrected = head.record;
    corrected.fields.insert(
        "interim_measure".into(),
        json!("当面はチャットでの指示を優先し、週1回の面談で見直す。"),
    );
    assert_eq!(store.save_record(&corrected, None).unwrap().seq, 3);
    corrected.status = DocStatus::Final;
    assert_eq!(store.save_record(&corrected, None).unwrap().seq, 4);

    let history = store.history(id).unwrap();
    let statuses: Vec<DocStatus> = history.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            DocStatus::Final,
            DocStatus::Draft,
            DocStatus::Draft,
            DocStatus::Final
        ]
    );
    for pair in history.windows(2) {
        assert_eq!(
            pair[1].prev_sha256.as_deref(),
            Some(pair[0].sha256.as_str())
        );
    }
    assert_eq!(
        history[0].sha256, first.sha256,
        "the first final is kept as it was"
    );
    assert!(store.verify().unwrap().ok());

    // Unknown documents are named.
    assert!(matches!(
        store.revise(uuid::Uuid::new_v4().into()),
        Err(StoreError::DocumentNotFound { .. })
    ));
}

#[test]
fn taiwa_revise_opens_the_next_revision_and_its_pdf_names_the_revision_it_corrects() {
    let cli = Cli::new();
    let file = cli.path("record.json");
    std::fs::write(&file, serde_json::to_vec(&sample().to_value()).unwrap()).unwrap();
    let id = cli
        .ok(&["import", file.to_str().unwrap()])
        .trim()
        .to_string();
    let short = &id[..8];

    // A draft cannot be revised; the message says to edit it (exit 2: a usage error).
    let out = cli.run(&["revise", short]);
    assert_exit(&out, 2, "revise a draft");
    assert!(stderr(&out).contains("store.not_final"), "{}", stderr(&out));

    assert!(cli.ok(&["finalize", short]).ends_with("\tr2\n"));
    // Finalized: a plain import as its next revision is refused, and the message leads to revise.
    let out = cli.run(&[
        "import",
        "--as-revision-of",
        short,
        "--yes",
        file.to_str().unwrap(),
    ]);
    assert_exit(&out, 2, "a final document is not overwritten");
    assert!(stderr(&out).contains("taiwa revise"), "{}", stderr(&out));

    assert_eq!(cli.ok(&["revise", short]), format!("{id}\tr3\n"));
    let history = cli.ok(&["history", short]);
    assert_eq!(history.lines().count(), 3, "{history}");

    let pdf = cli.path("r3.pdf");
    cli.ok(&["export", short, "-o", pdf.to_str().unwrap()]);
    let text = pdftotext(&pdf);
    assert!(
        text.contains("corrects r2") || text.contains("版2の修正版"),
        "the header names the revision corrected:\n{}",
        &text[..text.len().min(1200)]
    );
    // The export is logged against the draft correction, revision 3.
    let store = cli.store();
    let log = store.disclosures_for_document(id.parse().unwrap()).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].revision_seq, Some(3));
}
