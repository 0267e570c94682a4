//! The one error type that crosses IPC: a stable code, a message in both languages and, when the
//! error is about one field of the input, that field. Built from the core's errors, whose messages
//! never carry record content; database errors are reduced to a generic message so no SQL reaches
//! the web view either.

use serde::Serialize;
use taiwa::i18n::{Text, UserError};

// `ErrorCode`: every code an IpcError can carry, found in the source by build.rs.
include!(concat!(env!("OUT_DIR"), "/error_codes.rs"));

/// The command arguments `bad_input` may name; build.rs makes `input.<each>` an ErrorCode.
pub const INPUT_FIELDS: &[&str] = &[
    "case_id",
    "consent_id",
    "document_id",
    "idle_lock_minutes",
    "path",
    "record",
];

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct IpcError {
    #[ts(as = "ErrorCode")]
    pub code: String,
    pub ja: String,
    pub en: String,
    /// The input field the error is about (`recipient`, `sections`), if any: the UI shows
    /// `field_message` beside it. Never found in the message text.
    pub field: Option<String>,
    /// The message without the field's name, for beside the field.
    // Boxed: every command returns this error, which stays small.
    pub field_message: Option<Box<Text>>,
    /// The whole story behind `ja`/`en` when they are the short first line (file paths, causes,
    /// commands): the UI shows it behind 「詳しく」. None: the message is all there is.
    pub detail: Option<Box<Text>>,
}

impl IpcError {
    pub fn new(code: &str, ja: impl Into<String>, en: impl Into<String>) -> IpcError {
        debug_assert!(
            ErrorCode::ALL.contains(&code),
            "{code} is not an ErrorCode: build.rs finds codes in UserError::code() and in \
             IpcError::new / bad_input calls with a literal code"
        );
        IpcError {
            code: code.to_string(),
            ja: ja.into(),
            en: en.into(),
            field: None,
            field_message: None,
            detail: None,
        }
    }

    pub fn from_user(e: &dyn UserError) -> IpcError {
        let code = e.code();
        if code == "store.database" {
            // Only the code goes to the log: the SQLite message may quote SQL.
            eprintln!("taiwa-app: {code}");
            return IpcError::new(
                code,
                "データベースの操作に失敗しました。もう一度お試しください。続く場合はアプリを再起動してください",
                "a database operation failed; try again, and restart the app if it keeps happening",
            );
        }
        let message = e.message();
        let (Text { ja, en }, detail) = match e.brief() {
            Some(brief) => (brief, Some(Box::new(message))),
            None => (message, None),
        };
        let field = e.field();
        IpcError {
            field: field.as_ref().map(|f| f.path.clone()),
            field_message: field.map(|f| Box::new(f.message)),
            detail,
            ..IpcError::new(code, ja, en)
        }
    }

    pub fn locked() -> IpcError {
        IpcError::new(
            "session.locked",
            "ロックされています。パスフレーズを入力してください",
            "Taiwa is locked; enter the passphrase",
        )
    }

    /// A command's argument `what` (one of INPUT_FIELDS) refused: code `input.<what>`, and the
    /// error is about that field.
    pub fn bad_input(what: &str, ja: &str, en: &str) -> IpcError {
        debug_assert!(
            INPUT_FIELDS.contains(&what),
            "{what} is not in INPUT_FIELDS"
        );
        IpcError {
            field: Some(what.to_string()),
            ..IpcError::new(&format!("input.{what}"), ja, en)
        }
    }
}

impl From<taiwa::store::StoreError> for IpcError {
    fn from(e: taiwa::store::StoreError) -> Self {
        IpcError::from_user(&e)
    }
}

impl From<taiwa::pdf::PdfError> for IpcError {
    fn from(e: taiwa::pdf::PdfError) -> Self {
        IpcError::from_user(&e)
    }
}

impl From<taiwa::gate::GateError> for IpcError {
    fn from(e: taiwa::gate::GateError) -> Self {
        IpcError::from_user(&e)
    }
}

impl From<taiwa::record::RecordError> for IpcError {
    fn from(e: taiwa::record::RecordError) -> Self {
        IpcError::from_user(&e)
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
