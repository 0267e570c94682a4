//! The one error type that crosses IPC: a stable code and a message in both languages. Built from
//! the core's errors, whose messages never carry record content; database errors are reduced to a
//! generic message so no SQL reaches the web view either.

use serde::Serialize;
use taiwa::i18n::{Text, UserError};

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct IpcError {
    pub code: String,
    pub ja: String,
    pub en: String,
}

impl IpcError {
    pub fn new(code: &str, ja: impl Into<String>, en: impl Into<String>) -> IpcError {
        IpcError {
            code: code.to_string(),
            ja: ja.into(),
            en: en.into(),
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
        let Text { ja, en } = e.message();
        IpcError::new(code, ja, en)
    }

    pub fn locked() -> IpcError {
        IpcError::new(
            "session.locked",
            "ロックされています。パスフレーズを入力してください",
            "Taiwa is locked; enter the passphrase",
        )
    }

    pub fn bad_input(what: &str, ja: &str, en: &str) -> IpcError {
        IpcError::new(&format!("input.{what}"), ja, en)
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
