//! From bytes to a [`Record`]: everything that must hold before field-level validation can even
//! start. Each failure names the file position (byte offset, line, column) or the top-level key.

use super::{DocStatus, FORMAT, Record};
use crate::i18n::{Lang, Text, UserError};
use crate::template::Registry;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The largest record file accepted. Large enough for the longest real record (every group at
/// hundreds of rows); small enough that a wrong file is refused before it is parsed.
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

const TOP_LEVEL_KEYS: &[&str] = &[
    "format",
    "template",
    "template_version",
    "id",
    "status",
    "lang",
    "fields",
];

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    #[error("the file is {size} bytes; a record may be at most {max} bytes")]
    TooLarge { size: usize, max: usize },
    #[error("the file is not UTF-8 text: invalid byte at offset {offset}")]
    InvalidUtf8 { offset: usize },
    #[error("the file contains a NUL byte at offset {offset}")]
    NulByte { offset: usize },
    #[error("not valid JSON at line {line}, column {column} (byte offset {offset}): {detail}")]
    Json {
        line: usize,
        column: usize,
        offset: usize,
        detail: String,
    },
    #[error("the top level must be a JSON object {{\"template\": …, \"fields\": {{…}}}}")]
    NotAnObject,
    #[error("the key {key:?} is missing")]
    MissingKey { key: &'static str },
    #[error("unknown top-level key {key:?}; allowed: {}", TOP_LEVEL_KEYS.join(", "))]
    UnknownKey { key: String },
    #[error("{key} must be {expected}")]
    WrongType {
        key: &'static str,
        expected: &'static str,
    },
    #[error("unsupported format {found:?}; this version reads {FORMAT:?}")]
    UnsupportedFormat { found: String },
    #[error("unknown template {found:?}; known: {}", known.join(", "))]
    UnknownTemplate { found: String, known: Vec<String> },
    #[error("template {template} has no version {found}; this Taiwa knows version {known}")]
    UnknownTemplateVersion {
        template: String,
        found: u64,
        /// The versions this build reads, `1, 2`.
        known: String,
    },
    #[error("id {found:?} is not a UUID")]
    BadId { found: String },
    #[error("status {found:?} is not draft or final")]
    BadStatus { found: String },
    #[error("lang {found:?} is not ja or en")]
    BadLang { found: String },
}

impl UserError for RecordError {
    fn code(&self) -> &'static str {
        match self {
            RecordError::TooLarge { .. } => "record.too_large",
            RecordError::InvalidUtf8 { .. } => "record.invalid_utf8",
            RecordError::NulByte { .. } => "record.nul_byte",
            RecordError::Json { .. } => "record.invalid_json",
            RecordError::NotAnObject => "record.not_an_object",
            RecordError::MissingKey { .. } => "record.missing_key",
            RecordError::UnknownKey { .. } => "record.unknown_key",
            RecordError::WrongType { .. } => "record.wrong_type",
            RecordError::UnsupportedFormat { .. } => "record.unsupported_format",
            RecordError::UnknownTemplate { .. } => "record.unknown_template",
            RecordError::UnknownTemplateVersion { .. } => "record.unknown_template_version",
            RecordError::BadId { .. } => "record.bad_id",
            RecordError::BadStatus { .. } => "record.bad_status",
            RecordError::BadLang { .. } => "record.bad_lang",
        }
    }

    fn message(&self) -> Text {
        let ja = match self {
            RecordError::TooLarge { size, max } => {
                format!("ファイルが大きすぎます({size} バイト。上限は {max} バイト)")
            }
            RecordError::InvalidUtf8 { offset } => {
                format!("UTF-8 のテキストではありません(バイト位置 {offset} に不正なバイト)")
            }
            RecordError::NulByte { offset } => {
                format!("NUL バイトが含まれています(バイト位置 {offset})")
            }
            RecordError::Json {
                line,
                column,
                offset,
                ..
            } => {
                format!("JSON として読めません({line} 行 {column} 桁、バイト位置 {offset})")
            }
            RecordError::NotAnObject => {
                "最上位は JSON オブジェクト {\"template\": …, \"fields\": {…}} である必要があります"
                    .into()
            }
            RecordError::MissingKey { key } => format!("「{key}」がありません"),
            RecordError::UnknownKey { key } => format!("最上位に不明なキー「{key}」があります"),
            RecordError::WrongType { key, expected } => {
                format!("「{key}」は {expected} である必要があります")
            }
            RecordError::UnsupportedFormat { found } => {
                format!("形式「{found}」には対応していません(対応: {FORMAT})")
            }
            RecordError::UnknownTemplate { found, known } => {
                format!(
                    "様式「{found}」はありません(あるもの: {})",
                    known.join("、")
                )
            }
            RecordError::UnknownTemplateVersion {
                template,
                found,
                known,
            } => {
                format!("様式 {template} の版 {found} はありません(この Taiwa の版は {known})")
            }
            RecordError::BadId { found } => format!("id「{found}」は UUID ではありません"),
            RecordError::BadStatus { found } => {
                format!("status「{found}」は draft か final である必要があります")
            }
            RecordError::BadLang { found } => {
                format!("lang「{found}」は ja か en である必要があります")
            }
        };
        Text {
            ja,
            en: self.to_string(),
        }
    }
}

/// Reads a record's bytes: size, encoding, JSON syntax and the top level. Field values are left to
/// [`super::validate`], which reports all of their problems together.
pub fn parse_record(bytes: &[u8], registry: &Registry) -> Result<Record, RecordError> {
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(RecordError::TooLarge {
            size: bytes.len(),
            max: MAX_RECORD_BYTES,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| RecordError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    // A raw NUL is never valid JSON, but naming it beats serde's "control character" message.
    if let Some(offset) = bytes.iter().position(|b| *b == 0) {
        return Err(RecordError::NulByte { offset });
    }
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Offsets count the file's bytes (as the UTF-8 and NUL checks do), byte-order mark included.
    let bom = text.len() - body.len();
    let value: Value = serde_json::from_str(body).map_err(|e| RecordError::Json {
        line: e.line(),
        column: e.column(),
        offset: bom + byte_offset(body, e.line(), e.column()),
        detail: e.to_string(),
    })?;
    let Value::Object(mut top) = value else {
        return Err(RecordError::NotAnObject);
    };
    if let Some(key) = top.keys().find(|k| !TOP_LEVEL_KEYS.contains(&k.as_str())) {
        return Err(RecordError::UnknownKey { key: key.clone() });
    }

    let format = match top.remove("format") {
        None => FORMAT.to_string(),
        Some(Value::String(s)) if s == FORMAT => s,
        Some(Value::String(s)) => return Err(RecordError::UnsupportedFormat { found: s }),
        Some(_) => {
            return Err(RecordError::WrongType {
                key: "format",
                expected: "a string",
            });
        }
    };
    let template_id = match top.remove("template") {
        None => return Err(RecordError::MissingKey { key: "template" }),
        Some(Value::String(s)) => s,
        Some(_) => {
            return Err(RecordError::WrongType {
                key: "template",
                expected: "a string",
            });
        }
    };
    let Some(template) = registry.get(&template_id) else {
        return Err(RecordError::UnknownTemplate {
            found: template_id,
            known: registry.ids().into_iter().map(String::from).collect(),
        });
    };
    // A record without a version is of the newest; one with a version is read as that version
    // (records made under an earlier definition keep it until a draft is migrated).
    let template_version = match top.remove("template_version") {
        None => template.version,
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v)
                if registry
                    .versions(&template_id)
                    .iter()
                    .any(|k| u64::from(*k) == v) =>
            {
                u32::try_from(v).unwrap_or(template.version)
            }
            Some(v) => {
                let known = registry
                    .versions(&template_id)
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(RecordError::UnknownTemplateVersion {
                    template: template_id,
                    found: v,
                    known,
                });
            }
            None => {
                return Err(RecordError::WrongType {
                    key: "template_version",
                    expected: "a whole number",
                });
            }
        },
        Some(_) => {
            return Err(RecordError::WrongType {
                key: "template_version",
                expected: "a whole number",
            });
        }
    };
    let id = match top.remove("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            Some(Uuid::parse_str(&s).map_err(|_| RecordError::BadId { found: s.clone() })?)
        }
        Some(_) => {
            return Err(RecordError::WrongType {
                key: "id",
                expected: "a UUID string",
            });
        }
    };
    let status = match top.remove("status") {
        None => DocStatus::Draft,
        Some(Value::String(s)) => match DocStatus::parse(&s) {
            Some(st @ (DocStatus::Draft | DocStatus::Final)) => st,
            _ => return Err(RecordError::BadStatus { found: s }),
        },
        Some(_) => {
            return Err(RecordError::WrongType {
                key: "status",
                expected: "a string",
            });
        }
    };
    let lang = match top.remove("lang") {
        None => Lang::Ja,
        Some(Value::String(s)) => s
            .parse()
            .map_err(|_| RecordError::BadLang { found: s.clone() })?,
        Some(_) => {
            return Err(RecordError::WrongType {
                key: "lang",
                expected: "a string",
            });
        }
    };
    let fields: Map<String, Value> = match top.remove("fields") {
        None => return Err(RecordError::MissingKey { key: "fields" }),
        Some(Value::Object(m)) => m,
        Some(_) => {
            return Err(RecordError::WrongType {
                key: "fields",
                expected: "an object",
            });
        }
    };
    Ok(Record {
        format,
        template: template_id,
        template_version,
        id,
        status,
        lang,
        fields,
    })
}

/// serde_json reports a line and a column counted in bytes; people and hex editors want one offset.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return (offset + column.saturating_sub(1)).min(text.len());
        }
        offset += l.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::byte_offset;

    #[test]
    fn byte_offset_points_at_the_offending_byte_after_multibyte_text() {
        let text = "{\n  \"a\": \"山田\" x\n}";
        let err = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
        let at = byte_offset(text, err.line(), err.column());
        assert_eq!(&text[at..at + 1], "x");
    }
}
