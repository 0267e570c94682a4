//! Property tests (proptest): the exchange format survives a round trip for any values a record
//! may hold, and the line breaker keeps every character, in order, within the width.

use proptest::prelude::*;
use serde_json::{Map, Value};
use taiwa::record::{Record, parse_record};
use taiwa::template::Registry;
use taiwa::text::fonts::FontSet;
use taiwa::text::linebreak::wrap;

/// Text as people type it: Japanese, half-width kana, Latin, 𠮷, punctuation with 禁則, spaces,
/// newlines.
fn text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("申出".to_string()),
        Just("ｼｮｳﾆﾝ".to_string()),
        Just("𠮷田".to_string()),
        Just("、".to_string()),
        Just("。".to_string()),
        Just("「".to_string()),
        Just("」".to_string()),
        Just("ー".to_string()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        "[a-zA-Z0-9]{1,12}",
        "[ぁ-ん]{1,8}",
        "[ァ-ヶ]{1,8}",
        "[一-龥]{1,6}",
    ];
    proptest::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1_000_000i64..1_000_000).prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z][a-z0-9_]{0,10}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever values a record holds, writing it out and reading it back gives the same record and
    /// the same canonical JSON (what is hashed).
    #[test]
    fn the_exchange_format_round_trips(
        fields in proptest::collection::btree_map("[a-z][a-z0-9_]{0,15}", json_value(), 0..8),
        id in proptest::option::of(any::<u128>()),
        template in prop_oneof![Just("dialogue-record"), Just("work-consideration"), Just("route-map")],
    ) {
        let mut r = Record::new(template, 1);
        r.id = id.map(uuid::Uuid::from_u128);
        r.fields = fields.into_iter().collect();
        let back = parse_record(r.to_pretty_json().as_bytes(), Registry::builtin())
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(&back, &r);
        prop_assert_eq!(back.canonical_json(), r.canonical_json());
    }

    /// Every character but white space at a break comes out, in order; no line is wider than the
    /// box unless one character alone is (or a 禁則 character hangs by one).
    #[test]
    fn the_line_breaker_keeps_every_character_within_the_width(
        s in text(),
        max in 20.0f32..300.0,
    ) {
        let fonts = FontSet::get().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let width = |t: &str| fonts.width(t, 9.0, false);
        let lines = wrap(&s, max, &width);
        let squash = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        prop_assert_eq!(squash(&lines.concat()), squash(&s));
        let widest_char = s.chars().map(|c| width(c.encode_utf8(&mut [0; 4]))).fold(0.0, f32::max);
        for l in &lines {
            prop_assert!(
                width(l) <= max + widest_char + 0.01,
                "line {:?} is {} wide in {}", l, width(l), max
            );
        }
        // Paragraph breaks are kept: at least as many lines as paragraphs.
        prop_assert!(lines.len() >= s.split('\n').count());
    }
}
