//! Japanese-first bilingual text. Every label, help text and user-facing message carries both
//! languages so that the CLI, the app and the PDF can switch without a lookup table.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A language the app speaks. Japanese is the default everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ja" => Ok(Lang::Ja),
            "en" => Ok(Lang::En),
            other => Err(format!(
                "言語は ja か en です / language must be ja or en, not {other:?}"
            )),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        })
    }
}

/// The same text in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub ja: String,
    pub en: String,
}

impl Text {
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            ja: ja.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }
}

impl fmt::Display for Text {
    /// Both languages, Japanese first: what a log line or a plain error shows.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.ja, self.en)
    }
}

/// The input field an error is about, and what to say beside that field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path in the input that was refused (`recipient`, `sections`).
    pub path: String,
    /// The message without the field's name, which the field beside it already shows.
    pub message: Text,
}

/// An error a user can act on: a stable code for programs and the message in both languages.
pub trait UserError: std::error::Error {
    /// Stable, ASCII, dotted: `store.wrong_passphrase`. Never contains record content.
    fn code(&self) -> &'static str;
    fn message(&self) -> Text;
    /// The field of the input the error is about, when it is about one (a form shows the message
    /// beside it). Errors that wrap another one pass it on.
    fn field(&self) -> Option<FieldError> {
        None
    }
    /// What happened and what to do, in words a person reads first, when `message` says more
    /// than that (a file path, a command, an OS error): the app shows this first and `message`
    /// behind 「詳しく」; the CLI prints `message`, the whole story. Never names a path. None:
    /// `message` is short already. Errors that wrap another one pass it on.
    fn brief(&self) -> Option<Text> {
        None
    }
}
