//! Layer 2: the disclosure log's lines (提供記録) as data: what a file made of a stored document
//! records, and a line as read back. The store writes and reads them; the PDF renders them; the
//! gate decides what goes in them.

use serde::Serialize;
use uuid::Uuid;

/// What an export records.
#[derive(Debug, Clone)]
pub struct NewDisclosure {
    pub document_id: Uuid,
    pub revision_seq: i64,
    pub revision_sha256: String,
    /// None: an export with no recipient named (the person's own copy, a file).
    pub recipient: Option<String>,
    pub consents: Vec<Uuid>,
    /// The parts exported; None: the whole form.
    pub parts: Option<Vec<String>>,
    /// Field paths withheld from the recipient.
    pub withheld: Vec<String>,
    /// SHA-256 of the file as written.
    pub file_sha256: String,
    /// What the file is: `pdf`, `svg` or `json`.
    pub format: &'static str,
    /// With no recipient: why the file was made (`person_copy`, `kept_on_record`, `shown`).
    pub purpose: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Disclosure {
    pub id: Uuid,
    pub case_id: Uuid,
    pub document_id: Option<Uuid>,
    /// The document's form and title when it still exists.
    pub template: Option<String>,
    pub title: Option<String>,
    #[ts(type = "number | null")]
    pub revision_seq: Option<i64>,
    pub revision_sha256: Option<String>,
    pub recipient: Option<String>,
    pub consents: Vec<Uuid>,
    pub parts: Option<Vec<String>>,
    pub withheld: Vec<String>,
    pub file_sha256: Option<String>,
    /// `export`; `for_clinician` / `from_clinician` for the files of the round trip;
    /// `case_deleted`: the line a deleted case leaves (Store::case_deletion has its details);
    /// `disclosure_log`: the 提供記録 itself exported as a PDF.
    pub kind: String,
    /// `pdf`, `svg` or `json`; None on lines from before schema 8.
    pub format: Option<String>,
    /// With no recipient: why the file was made (`person_copy` 本人控え, `kept_on_record`
    /// 記録保管, `shown` printed on the user's screen); None on older lines.
    pub purpose: Option<String>,
    pub created_at: String,
}
