//! A PDF as `taiwa import FILE.pdf` and `verify-pdf` read it, without a database: the embedded
//! record.json and taiwa-exchange.json (lopdf), the envelope, the hashes recomputed (pages digest),
//! then every check before a record is handed to the store.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taiwa::template::Registry;

fuzz_target!(|data: &[u8]| {
    let registry = Registry::builtin();
    if let Ok(inspection) = taiwa::inspect::inspect(data) {
        let _ = inspection.record_intact();
        let _ = inspection.pages_intact();
        let _ = inspection.received(registry);
    }
});
