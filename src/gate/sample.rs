//! The 見本 (sample) PDF of each form: its built-in fictional record (samples/v2), rendered by the
//! same renderer as an export and marked 見本 on every page. Only these records can be rendered
//! this way — a request names a form, never a file or a stored document — so no person's data can
//! leave through it. Hence no consent is asked for and nothing is logged: the people in the
//! samples are fictional (the 提供記録 records what left of a person's record, and nothing of
//! anyone's does here).

use super::GateError;
use crate::record::{Record, parse_record};
use crate::template::Registry;

/// Form id → the fictional record of its current version, compiled in.
const SAMPLES: &[(&str, &str)] = &[
    (
        "dialogue-record",
        include_str!("../../samples/v2/dialogue-record.json"),
    ),
    (
        "work-consideration",
        include_str!("../../samples/v2/work-consideration-continue.json"),
    ),
    ("route-map", include_str!("../../samples/v2/route-map.json")),
];

/// The forms that have a 見本, in the order the app lists them.
pub fn forms() -> impl Iterator<Item = &'static str> {
    SAMPLES.iter().map(|(id, _)| *id)
}

/// The built-in sample record of a form (`export.no_sample` for a form without one).
pub fn record(template: &str, registry: &Registry) -> Result<Record, GateError> {
    let no_sample = || GateError::NoSample {
        template: template.to_string(),
    };
    let (_, text) = SAMPLES
        .iter()
        .find(|(id, _)| *id == template)
        .ok_or_else(no_sample)?;
    // A built-in sample that does not parse is a broken build, reported as a missing sample
    // rather than a panic (a test parses each one).
    parse_record(text.as_bytes(), registry).map_err(|_| no_sample())
}
