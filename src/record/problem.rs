//! One problem found in a record: where (the field path), what kind (a stable code), and a message in
//! Japanese and English that names the field by its label.

use crate::i18n::{Lang, Text};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    Required,
    MustBeTicked,
    UnknownField,
    AutoField,
    NoticeHasNoValue,
    WrongType,
    InvalidDate,
    InvalidTime,
    BadRange,
    NotAnOption,
    DuplicateOption,
    TooLong,
    ControlCharacter,
    OutOfRange,
    NotInteger,
    TooFewRows,
    TooManyRows,
    MissingRow,
    DuplicateValue,
    UnknownReference,
    NotContiguous,
    SameValue,
    NotOnThisForm,
    /// A character no bundled font can print (checked for finalizing only).
    Unprintable,
}

impl ProblemCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::Required => "required",
            ProblemCode::MustBeTicked => "must_be_ticked",
            ProblemCode::UnknownField => "unknown_field",
            ProblemCode::AutoField => "auto_field",
            ProblemCode::NoticeHasNoValue => "notice_has_no_value",
            ProblemCode::WrongType => "wrong_type",
            ProblemCode::InvalidDate => "invalid_date",
            ProblemCode::InvalidTime => "invalid_time",
            ProblemCode::BadRange => "bad_range",
            ProblemCode::NotAnOption => "not_an_option",
            ProblemCode::DuplicateOption => "duplicate_option",
            ProblemCode::TooLong => "too_long",
            ProblemCode::ControlCharacter => "control_character",
            ProblemCode::OutOfRange => "out_of_range",
            ProblemCode::NotInteger => "not_integer",
            ProblemCode::NotContiguous => "not_contiguous",
            ProblemCode::SameValue => "same_value",
            ProblemCode::NotOnThisForm => "not_on_this_form",
            ProblemCode::Unprintable => "unprintable",
            ProblemCode::TooFewRows => "too_few_rows",
            ProblemCode::TooManyRows => "too_many_rows",
            ProblemCode::MissingRow => "missing_row",
            ProblemCode::DuplicateValue => "duplicate_value",
            ProblemCode::UnknownReference => "unknown_reference",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// `participants[2].role`: top-level key, row index from 0, sub-field key.
    pub path: String,
    pub code: ProblemCode,
    pub message: Text,
}

impl Problem {
    pub fn new(path: impl Into<String>, code: ProblemCode, ja: String, en: String) -> Problem {
        Problem {
            path: path.into(),
            code,
            message: Text { ja, en },
        }
    }

    /// `path: message`, one line, as `taiwa validate` prints it.
    pub fn line(&self, lang: Lang) -> String {
        format!("{}: {}", self.path, self.message.get(lang))
    }
}
