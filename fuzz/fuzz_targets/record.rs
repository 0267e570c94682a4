//! A record file as `taiwa validate` and `taiwa import FILE.json` read it: parse (size, UTF-8, NUL,
//! JSON, top level) and validate against its form, as a draft and for finalizing. A record that
//! parses must also come back unchanged from the JSON Taiwa writes of it (canonical: what is hashed
//! and stored; pretty: what `taiwa show` prints and a user may import again).

#![no_main]

use libfuzzer_sys::fuzz_target;
use taiwa::Lang;
use taiwa::record::{Mode, parse_record, required_now, validate};
use taiwa::template::Registry;

fuzz_target!(|data: &[u8]| {
    let registry = Registry::builtin();
    let Ok(record) = parse_record(data, registry) else {
        return;
    };
    let Some(template) = registry.get(&record.template) else {
        panic!(
            "parse_record accepted the unknown form {:?}",
            record.template
        );
    };
    for mode in [Mode::Draft, Mode::Final] {
        for problem in validate(&record, template, mode) {
            let _ = problem.line(Lang::Ja);
            let _ = problem.line(Lang::En);
        }
    }
    let _ = required_now(&record, template);
    for written in [record.canonical_json(), record.to_pretty_json()] {
        match parse_record(written.as_bytes(), registry) {
            Ok(again) => assert_eq!(again, record, "the record changed through {written}"),
            Err(e) => panic!("Taiwa cannot read back the JSON it wrote ({e}): {written}"),
        }
    }
});
