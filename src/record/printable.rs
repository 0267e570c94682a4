//! Whether a record can be printed: every character of its values, and of the labels its form
//! prints in its language, must be in a bundled font. A final document is printed as it is, so
//! validation for finalizing asks this (validate.rs), and the PDF asks it again before any layout.

use super::Record;
use crate::i18n::Lang;
use crate::template::{Field, Template};
use crate::text::fonts::FontSet;
use serde_json::Value;

/// The first character no bundled font can draw, with the path of the value that holds it
/// (`participants[0].name`), or `template:<key>` for a label of the form.
pub fn first_unprintable(
    fonts: &FontSet,
    record: &Record,
    template: &Template,
    lang: Lang,
) -> Option<(String, char)> {
    fn walk(fonts: &FontSet, path: &str, v: &Value) -> Option<(String, char)> {
        match v {
            Value::String(s) => fonts.first_missing(s).map(|ch| (path.to_string(), ch)),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| walk(fonts, &format!("{path}[{i}]"), item)),
            Value::Object(o) => o
                .iter()
                .find_map(|(k, v)| walk(fonts, &format!("{path}.{k}"), v)),
            _ => None,
        }
    }
    fn labels(fonts: &FontSet, f: &Field, lang: Lang) -> Option<(String, char)> {
        let path = format!("template:{}", f.key);
        std::iter::once(f.label.get(lang))
            .chain(f.options.iter().map(|o| o.label.get(lang)))
            .find_map(|s| fonts.first_missing(s).map(|ch| (path.clone(), ch)))
            .or_else(|| f.fields.iter().find_map(|s| labels(fonts, s, lang)))
    }
    record
        .fields
        .iter()
        .find_map(|(k, v)| walk(fonts, k, v))
        .or_else(|| {
            template
                .sections
                .iter()
                .flat_map(|s| &s.fields)
                .find_map(|f| labels(fonts, f, lang))
        })
}
