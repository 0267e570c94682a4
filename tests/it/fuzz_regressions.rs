//! Inputs that once crashed or hung a fuzz target (fuzz/, scripts/fuzz.sh), each with what it must
//! give now. README "Fuzzing" says how a new finding becomes a test here.

use std::sync::mpsc;
use std::time::Duration;
use taiwa::record::{Mode, ProblemCode, parse_record, validate};
use taiwa::template::Registry;

/// Runs `f` on another thread and fails the test if it has not finished after `limit`: a
/// regression of a hang fails here instead of stalling the suite.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(_) => panic!("still running after {limit:?}"),
    }
}

/// An unknown field key of megabytes: the "did you mean" hint measured its edit distance to every
/// known key in full (quadratic in practice), so `taiwa validate` sat for minutes on one file.
#[test]
fn a_huge_unknown_key_is_reported_at_once() {
    let key = "x".repeat(4 << 20);
    let json = format!(r#"{{"template": "dialogue-record", "fields": {{"{key}": 1}}}}"#);
    let problems = within(Duration::from_secs(20), move || {
        let registry = Registry::builtin();
        let record = parse_record(json.as_bytes(), registry).expect("the record parses");
        let template = registry
            .get(&record.template)
            .expect("the form is built in");
        validate(&record, template, Mode::Draft)
    });
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::UnknownField);
}

/// Found by the record target: a whole number beyond u64 is read as a float, and serde_json's
/// default float parsing is not always correctly rounded, so 1131111111111111111111 read as one
/// float, was written as `1.1311111111111112e21`, and read back as another: the record changed on
/// its way through `taiwa show` and `taiwa import` (and so did its SHA-256).
#[test]
fn numbers_read_back_the_same_from_the_json_taiwa_writes() {
    let registry = Registry::builtin();
    for number in ["1131111111111111111111", "1131111111111111111111111111"] {
        let json = format!(r#"{{"template": "route-map", "fields": {{"needs": [{number}]}}}}"#);
        let record = parse_record(json.as_bytes(), registry).expect("the record parses");
        for written in [record.canonical_json(), record.to_pretty_json()] {
            let again = parse_record(written.as_bytes(), registry).expect("it reads back");
            assert_eq!(again, record, "{number} changed through {written}");
        }
    }
}

/// The hint itself still works for a typo.
#[test]
fn a_misspelt_key_still_gets_its_hint() {
    let json = r#"{"template": "dialogue-record", "fields": {"person_nam": "架空 花子"}}"#;
    let registry = Registry::builtin();
    let record = parse_record(json.as_bytes(), registry).expect("the record parses");
    let template = registry
        .get(&record.template)
        .expect("the form is built in");
    let problems = validate(&record, template, Mode::Draft);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0]
            .message
            .en
            .contains(r#"did you mean "person_name"?"#),
        "{:?}",
        problems[0].message
    );
}
