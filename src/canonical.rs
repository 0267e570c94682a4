//! Layer 0: canonical JSON and its hash, the bytes every integrity check compares (revision
//! hashes, the exchange envelope, the disclosure log).
//!
//! Canonical JSON: object keys sorted by their UTF-8 bytes, no insignificant white space, strings and
//! numbers as serde_json writes them. Written out here rather than relying on `serde_json::Map`'s
//! order, which changes when any crate in the build enables serde_json's `preserve_order`.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// SHA-256 of `bytes` as 64 lower-case hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out, None, 0);
    out
}

/// Two-space indented, same key order.
pub fn to_pretty_string(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out, Some(2), 0);
    out.push('\n');
    out
}

fn newline(out: &mut String, indent: Option<usize>, depth: usize) {
    if let Some(n) = indent {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', n * depth));
    }
}

fn write(value: &Value, out: &mut String, indent: Option<usize>, depth: usize) {
    match value {
        Value::Array(items) => {
            out.push('[');
            if items.is_empty() {
                out.push(']');
                return;
            }
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write(item, out, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            if map.is_empty() {
                out.push('}');
                return;
            }
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write(v, out, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_depth_and_compact() {
        let v = json!({"b": 1, "a": {"z": [3, {"y": true, "x": null}], "c": "山田"}});
        assert_eq!(
            to_string(&v),
            r#"{"a":{"c":"山田","z":[3,{"x":null,"y":true}]},"b":1}"#
        );
    }

    #[test]
    fn pretty_form_parses_back_to_the_same_value() {
        let v = json!({"b": [1, 2], "a": {}, "c": [], "d": "改行\nあり"});
        let pretty = to_pretty_string(&v);
        assert_eq!(serde_json::from_str::<Value>(&pretty).unwrap(), v);
        assert!(pretty.starts_with("{\n  \"a\": {},"));
    }
}
