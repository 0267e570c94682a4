//! Saving records as documents with append-only revisions, and reading them back.

use super::{Store, StoreError, now, search};
use crate::canonical::sha256_hex;
use crate::exchange::{ExchangeError, ReadOnly, read_only_violations};
use crate::ids::{CaseId, DocumentId};
use crate::record::{DocStatus, Mode, Record, parse_record, validate};
use crate::template::{Registry, Template};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct SaveOutcome {
    pub document_id: DocumentId,
    pub case_id: CaseId,
    #[ts(type = "number")]
    pub seq: i64,
    pub sha256: String,
    /// A new document (and maybe a new case) was made.
    pub created: bool,
    /// The record equals the head revision: nothing was written.
    pub unchanged: bool,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DocumentSummary {
    pub id: DocumentId,
    pub case_id: CaseId,
    pub case_name: String,
    pub template: String,
    pub status: DocStatus,
    pub title: String,
    #[ts(type = "number")]
    pub head_seq: i64,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentView {
    pub record: Record,
    pub case_id: CaseId,
    pub seq: i64,
    pub sha256: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RevisionInfo {
    #[ts(type = "number")]
    pub seq: i64,
    pub status: DocStatus,
    pub sha256: String,
    pub prev_sha256: Option<String>,
    pub created_at: String,
}

/// The value at a template-level path: `person_name` or `plan_employee.name` (a compound's sub-field).
fn value_at<'r>(record: &'r Record, path: &str) -> Option<&'r Value> {
    match path.split_once('.') {
        Some((outer, inner)) => record.fields.get(outer)?.get(inner),
        None => record.fields.get(path),
    }
}

/// The first non-blank value among the template's display fields.
pub(crate) fn display_name(record: &Record, template: &Template) -> Option<String> {
    template.display_fields.iter().find_map(|path| {
        value_at(record, path)?
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    })
}

/// The earliest well-formed date among the template's review fields.
fn review_date(record: &Record, template: &Template) -> Option<String> {
    template
        .review_fields
        .iter()
        .filter_map(|path| {
            let s = value_at(record, path)?.as_str()?;
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
            Some(s.to_string())
        })
        .min()
}

fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|_| StoreError::Corrupt {
        detail: format!("bad id {s:?}"),
    })
}

fn parse_status(s: &str) -> Result<DocStatus, StoreError> {
    DocStatus::parse(s).ok_or_else(|| StoreError::Corrupt {
        detail: format!("bad status {s:?}"),
    })
}

/// A record checked and ready to be written.
pub(crate) struct Checked {
    stored: Record,
    id: Uuid,
    json: String,
    sha: String,
    title: String,
    review_on: Option<String>,
    body: String,
    /// Set by `Store::revise` alone: this draft may follow a final head (the correction of a final
    /// document). Every other write refuses a final head.
    revises_final: bool,
}

/// Everything that needs no transaction: the form, the status, validation, the canonical JSON.
pub(crate) fn check(registry: &Registry, record: &Record) -> Result<Checked, StoreError> {
    let template = registry
        .template_for(record)
        .ok_or_else(|| StoreError::Corrupt {
            detail: format!("unknown template {}", record.template),
        })?;
    if record.status == DocStatus::Superseded {
        return Err(StoreError::Finalized {
            id: record.id.map(|i| i.to_string()).unwrap_or_default(),
        });
    }
    let problems = validate(record, template, Mode::for_status(record.status));
    if !problems.is_empty() {
        return Err(StoreError::Invalid { problems });
    }
    let mut stored = record.clone();
    let id = *stored.id.get_or_insert_with(Uuid::new_v4);
    let json = stored.canonical_json();
    let sha = sha256_hex(json.as_bytes());
    let title = display_name(&stored, template).unwrap_or_default();
    let review_on = review_date(&stored, template);
    let body = search::index_text(&stored, template, &title);
    Ok(Checked {
        stored,
        id,
        json,
        sha,
        title,
        review_on,
        body,
        revises_final: false,
    })
}

/// Writes a prepared record inside `tx`, its text left for the search index to catch up with
/// (search::defer). `read_only`: the fields to keep,
/// when the caller is recording them in the same transaction; None: the ones stored for the
/// document.
pub(crate) fn write(
    tx: &Transaction<'_>,
    p: &Checked,
    case: Option<Uuid>,
    read_only: Option<&ReadOnly>,
) -> Result<SaveOutcome, StoreError> {
    let outcome = write_unindexed(tx, p, case, read_only)?;
    if !outcome.unchanged {
        search::defer(tx, outcome.document_id.uuid(), &p.body)?;
    }
    Ok(outcome)
}

/// The search text `write` indexes; a batch indexes each document once, from its last revision.
pub(crate) fn search_body(p: &Checked) -> &str {
    &p.body
}

/// `write` without the search index: the caller must index the document before it commits.
pub(crate) fn write_unindexed(
    tx: &Transaction<'_>,
    p: &Checked,
    case: Option<Uuid>,
    read_only: Option<&ReadOnly>,
) -> Result<SaveOutcome, StoreError> {
    let Checked {
        stored,
        id,
        json,
        sha,
        title,
        review_on,
        body: _,
        revises_final,
    } = p;
    let id = *id;
    let now = now();
    let kept = match read_only {
        Some(r) => Some(r.clone()),
        None => super::exchanges::read_only_in(tx, id)?,
    };
    if let Some(kept) = kept {
        let fields = read_only_violations(&kept, stored);
        if !fields.is_empty() {
            return Err(ExchangeError::ReadOnlyField {
                document: id.to_string(),
                fields,
            }
            .into());
        }
    }
    let existing: Option<(String, String, String, i64)> = tx
        .query_row(
            "SELECT case_id, template, status, head_seq FROM documents WHERE id = ?1",
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let outcome = match existing {
        Some((case_id, doc_template, status, head_seq)) => {
            let case_id = parse_uuid(&case_id)?;
            if case.is_some_and(|c| c != case_id) {
                return Err(StoreError::CaseMismatch { id: id.to_string() });
            }
            if doc_template != stored.template {
                return Err(StoreError::TemplateMismatch {
                    id: id.to_string(),
                    found: doc_template,
                    expected: stored.template.clone(),
                });
            }
            let head_sha: String = tx.query_row(
                "SELECT sha256 FROM revisions WHERE document_id = ?1 AND seq = ?2",
                params![id.to_string(), head_seq],
                |r| r.get(0),
            )?;
            if head_sha == *sha {
                return Ok(SaveOutcome {
                    document_id: DocumentId(id),
                    case_id: CaseId(case_id),
                    seq: head_seq,
                    sha256: sha.clone(),
                    created: false,
                    unchanged: true,
                });
            }
            let head = parse_status(&status)?;
            let correcting = *revises_final && head == DocStatus::Final;
            if head != DocStatus::Draft && !correcting {
                return Err(StoreError::Finalized { id: id.to_string() });
            }
            let seq = head_seq + 1;
            tx.execute(
                "INSERT INTO revisions (document_id, seq, status, record_json, sha256, prev_sha256, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id.to_string(), seq, stored.status.as_str(), json, sha, head_sha, now],
            )?;
            tx.execute(
                "UPDATE documents SET status = ?2, title = ?3, head_seq = ?4, updated_at = ?5, review_on = ?6 WHERE id = ?1",
                params![id.to_string(), stored.status.as_str(), title, seq, now, review_on],
            )?;
            tx.execute(
                "UPDATE cases SET updated_at = ?2 WHERE id = ?1",
                params![case_id.to_string(), now],
            )?;
            SaveOutcome {
                document_id: DocumentId(id),
                case_id: CaseId(case_id),
                seq,
                sha256: sha.clone(),
                created: false,
                unchanged: false,
            }
        }
        None => {
            let case_id = match case {
                Some(c) => {
                    let found: Option<i64> = tx
                        .query_row("SELECT 1 FROM cases WHERE id = ?1", [c.to_string()], |r| {
                            r.get(0)
                        })
                        .optional()?;
                    if found.is_none() {
                        return Err(StoreError::CaseNotFound { id: c.to_string() });
                    }
                    c
                }
                None => {
                    let c = Uuid::new_v4();
                    let name = if title.is_empty() {
                        "(名前なし)".to_string()
                    } else {
                        title.clone()
                    };
                    tx.execute(
                        "INSERT INTO cases (id, display_name, status, created_at, updated_at)
                         VALUES (?1, ?2, 'open', ?3, ?3)",
                        params![c.to_string(), name, now],
                    )?;
                    c
                }
            };
            tx.execute(
                "UPDATE cases SET updated_at = ?2 WHERE id = ?1",
                params![case_id.to_string(), now],
            )?;
            tx.execute(
                "INSERT INTO documents (id, case_id, template, template_version, status, title, head_seq, created_at, updated_at, review_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7, ?8)",
                params![id.to_string(), case_id.to_string(), stored.template, stored.template_version, stored.status.as_str(), title, now, review_on],
            )?;
            tx.execute(
                "INSERT INTO revisions (document_id, seq, status, record_json, sha256, prev_sha256, created_at)
                 VALUES (?1, 1, ?2, ?3, ?4, NULL, ?5)",
                params![id.to_string(), stored.status.as_str(), json, sha, now],
            )?;
            SaveOutcome {
                document_id: DocumentId(id),
                case_id: CaseId(case_id),
                seq: 1,
                sha256: sha.clone(),
                created: true,
                unchanged: false,
            }
        }
    };
    Ok(outcome)
}

impl Store {
    /// Validates `record` (as a draft or for finalizing, by its status) and saves it: a new
    /// document in `case` (or in a new case named after the record), or a new revision of the
    /// document with the record's id. A document received in the round trip keeps its read-only
    /// fields (exchange::read_only_violations). Returns only after the transaction has committed.
    pub fn save_record(
        &mut self,
        record: &Record,
        case: Option<CaseId>,
    ) -> Result<SaveOutcome, StoreError> {
        let case = case.map(CaseId::uuid);
        let mut record = record.clone();
        self.mirror_ledger(&mut record)?;
        let prepared = check(self.registry, &record)?;
        self.transact(|tx| write(tx, &prepared, case, None))
    }

    /// Starts the correction of a final document (「この版をもとに修正版を作る」, `taiwa revise`):
    /// its next revision is a draft holding the final's content. The final revision stays in the
    /// history and the hash chain; finalizing the draft makes the corrected version. A document
    /// whose head is a draft is edited as it is (`NotFinal`).
    pub fn revise(&mut self, id: DocumentId) -> Result<SaveOutcome, StoreError> {
        let head = self.document(id)?;
        if head.record.status != DocStatus::Final {
            return Err(StoreError::NotFinal { id: id.to_string() });
        }
        let mut draft = head.record;
        draft.status = DocStatus::Draft;
        self.mirror_ledger(&mut draft)?;
        let mut checked = check(self.registry, &draft)?;
        checked.revises_final = true;
        self.transact(|tx| write(tx, &checked, None, None))
    }

    /// The head revision of a document.
    pub fn document(&self, id: DocumentId) -> Result<DocumentView, StoreError> {
        self.check_document_exists(id)?;
        let (case_id, head_seq, created_at, updated_at): (String, i64, String, String) =
            self.conn.query_row(
                "SELECT case_id, head_seq, created_at, updated_at FROM documents WHERE id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        let (json, sha256): (String, String) = self.conn.query_row(
            "SELECT record_json, sha256 FROM revisions WHERE document_id = ?1 AND seq = ?2",
            params![id.to_string(), head_seq],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let record =
            parse_record(json.as_bytes(), self.registry).map_err(|e| StoreError::Corrupt {
                detail: format!("revision {head_seq} of {id}: {e}"),
            })?;
        Ok(DocumentView {
            record,
            case_id: parse_uuid(&case_id)?.into(),
            seq: head_seq,
            sha256,
            created_at,
            updated_at,
        })
    }

    /// Every revision of a document, oldest first.
    pub fn history(&self, id: DocumentId) -> Result<Vec<RevisionInfo>, StoreError> {
        self.check_document_exists(id)?;
        let mut stmt = self.conn.prepare(
            "SELECT seq, status, sha256, prev_sha256, created_at FROM revisions WHERE document_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, status, sha256, prev_sha256, created_at) = row?;
            out.push(RevisionInfo {
                seq,
                status: parse_status(&status)?,
                sha256,
                prev_sha256,
                created_at,
            });
        }
        Ok(out)
    }

    /// Documents, most recently changed first; only those of `case` when given.
    pub fn list_documents(&self, case: Option<CaseId>) -> Result<Vec<DocumentSummary>, StoreError> {
        let case = case.map(CaseId::uuid);
        let mut stmt = self.conn.prepare(
            "SELECT d.id, d.case_id, c.display_name, d.template, d.status, d.title, d.head_seq, d.updated_at
             FROM documents d JOIN cases c ON c.id = d.case_id
             WHERE ?1 IS NULL OR d.case_id = ?1
             ORDER BY d.updated_at DESC, d.id",
        )?;
        let rows = stmt.query_map([case.map(|c| c.to_string())], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get::<_, String>(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, case_id, case_name, template, status, title, head_seq, updated_at) = row?;
            out.push(DocumentSummary {
                id: DocumentId(parse_uuid(&id)?),
                case_id: CaseId(parse_uuid(&case_id)?),
                case_name,
                template,
                status: parse_status(&status)?,
                title,
                head_seq,
                updated_at,
            });
        }
        Ok(out)
    }

    /// `DocumentNotFound` unless the document is stored.
    pub(crate) fn check_document_exists(&self, id: DocumentId) -> Result<(), StoreError> {
        let found: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM documents WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        found
            .map(|_| ())
            .ok_or_else(|| StoreError::DocumentNotFound { id: id.to_string() })
    }

    /// What a person typed (`taiwa show 1a2b3c4d`): a full uuid, or a prefix of at least 8
    /// characters that names exactly one document. For the CLI's edge; the rest of the store
    /// API takes a `DocumentId`.
    pub fn resolve_document_id(&self, id: &str) -> Result<DocumentId, StoreError> {
        let not_found = || StoreError::DocumentNotFound { id: id.to_string() };
        if let Ok(uuid) = Uuid::parse_str(id) {
            let id = DocumentId(uuid);
            return self
                .check_document_exists(id)
                .map(|_| id)
                .map_err(|e| match e {
                    StoreError::DocumentNotFound { .. } => not_found(),
                    other => other,
                });
        }
        let prefix = id.to_ascii_lowercase();
        if prefix.len() < 8 || !prefix.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(not_found());
        }
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM documents WHERE substr(id, 1, ?2) = ?1 LIMIT 2")?;
        let ids: Vec<String> = stmt
            .query_map(params![prefix, prefix.len() as i64], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        match ids.as_slice() {
            [one] => parse_uuid(one).map(DocumentId),
            _ => Err(not_found()),
        }
    }
}

/// For tests and tools: the record a revision holds, as stored.
pub(crate) fn stored_json_value(json: &str) -> Option<Value> {
    serde_json::from_str(json).ok()
}
