//! Deleting a case: every document, revision, working copy, search row, consent and round-trip
//! file of it, and the case itself, in one transaction; then the file is rewritten (compact) so
//! the text is not left in free pages or the WAL.
//!
//! The disclosure log (提供記録) is not deleted. 個人情報保護法 29条 asks a provider to record a
//! provision to a third party and keep the record for the period the PPC rules set (that it is 3
//! years was not re-checked in the domain review: docs/domain-review.md, docs/domain.md §6). For
//! provision with the person's consent the date of provision is not among the required items (it
//! is for opt-out provision; review [AI3]), and provision to the bodies of 16条2項 (国, 地方公共団体,
//! 独法 etc., e.g. a ハローワーク) is outside 29条 [AI1]; we keep the date anyway, as it dates the
//! file. So each line of the case keeps its date, kind, document id and revision number, the
//! recipient, the parts provided, the consent ids and the file's SHA-256 (which identifies a file
//! that left, should it leak). It loses what the law does not ask for and that only points back at
//! the deleted content: the revision's SHA-256 and the withheld field paths (which sensitive fields
//! the record held). No line names the person: the case's name, the documents' titles and every
//! record are gone, and the case id is a random uuid. One line of kind `case_deleted` is appended:
//! the case existed, how many documents it had, when and why it was deleted.

use super::{CaseStatus, Store, StoreError, now};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why a case was deleted: a stable code kept in its deletion line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DeletionReason {
    /// Past the retention period (`taiwa retention purge`).
    RetentionExpired,
    /// The person asked for it (個人情報保護法 35条).
    PersonRequest,
    /// The purpose is fulfilled: the data is no longer needed (個人情報保護法 22条).
    NoLongerNeeded,
    /// Made by mistake (a wrong person, a test).
    EnteredInError,
}

impl DeletionReason {
    pub const ALL: [DeletionReason; 4] = [
        DeletionReason::RetentionExpired,
        DeletionReason::PersonRequest,
        DeletionReason::NoLongerNeeded,
        DeletionReason::EnteredInError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeletionReason::RetentionExpired => "retention_expired",
            DeletionReason::PersonRequest => "person_request",
            DeletionReason::NoLongerNeeded => "no_longer_needed",
            DeletionReason::EnteredInError => "entered_in_error",
        }
    }

    pub fn parse(s: &str) -> Option<DeletionReason> {
        DeletionReason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl std::str::FromStr for DeletionReason {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DeletionReason::parse(s.trim()).ok_or_else(|| {
            let codes: Vec<&str> = DeletionReason::ALL.iter().map(|r| r.as_str()).collect();
            format!(
                "削除の理由は次のいずれか / the reason is one of: {}",
                codes.join(", ")
            )
        })
    }
}

/// What deleting a case removes (and the log lines it keeps). Counts only, never content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DeletionPreview {
    pub case_id: Uuid,
    pub status: CaseStatus,
    /// The day the case was closed (YYYY-MM-DD); None while open.
    pub closed_on: Option<String>,
    #[ts(type = "number")]
    pub documents: i64,
    #[ts(type = "number")]
    pub revisions: i64,
    /// Working copies of drafts.
    #[ts(type = "number")]
    pub autosaves: i64,
    #[ts(type = "number")]
    pub consents: i64,
    /// Files of the round trip sent or received.
    #[ts(type = "number")]
    pub exchanges: i64,
    /// Lines of the disclosure log kept (without revision hash and withheld paths).
    #[ts(type = "number")]
    pub disclosures_kept: i64,
}

/// The line a deleted case leaves in the disclosure log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CaseDeletion {
    pub case_id: Uuid,
    #[ts(type = "number")]
    pub documents: i64,
    /// When (UTC, like every line of the log).
    pub deleted_at: String,
    pub reason: DeletionReason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DeletionOutcome {
    pub removed: DeletionPreview,
    pub line: CaseDeletion,
    /// The file was rewritten without the deleted text. False: the case is deleted, but its old
    /// pages may still hold text until `Store::compact` succeeds (another program had the
    /// database open, or the disk was full).
    pub compacted: bool,
}

fn count(conn: &Connection, sql: &str, case: &str) -> Result<i64, StoreError> {
    Ok(conn.query_row(sql, [case], |r| r.get(0))?)
}

/// The deletion line of `case`, if it was deleted.
pub(crate) fn deletion_in(
    conn: &Connection,
    case: Uuid,
) -> Result<Option<CaseDeletion>, StoreError> {
    let row: Option<(Option<i64>, Option<String>, String)> = conn
        .query_row(
            "SELECT deleted_documents, deletion_reason, created_at FROM disclosures
             WHERE case_id = ?1 AND kind = 'case_deleted'",
            [case.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    row.map(|(documents, reason, deleted_at)| {
        let corrupt = || StoreError::Corrupt {
            detail: format!("deletion line of case {case}"),
        };
        Ok(CaseDeletion {
            case_id: case,
            documents: documents.ok_or_else(corrupt)?,
            deleted_at,
            reason: reason
                .as_deref()
                .and_then(DeletionReason::parse)
                .ok_or_else(corrupt)?,
        })
    })
    .transpose()
}

/// A case that is not there: deleted (with the day) or never known.
pub(crate) fn missing_case(conn: &Connection, case: Uuid) -> StoreError {
    match deletion_in(conn, case) {
        Ok(Some(d)) => StoreError::CaseDeleted {
            id: case.to_string(),
            on: d.deleted_at.chars().take(10).collect(),
        },
        Ok(None) => StoreError::CaseNotFound {
            id: case.to_string(),
        },
        Err(e) => e,
    }
}

fn preview_in(conn: &Connection, case: Uuid) -> Result<DeletionPreview, StoreError> {
    let id = case.to_string();
    let row: Option<(String, Option<String>)> = conn
        .query_row(
            "SELECT status, closed_on FROM cases WHERE id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((status, closed_on)) = row else {
        return Err(missing_case(conn, case));
    };
    let of_documents = |table: &str| {
        count(
            conn,
            &format!(
                "SELECT count(*) FROM {table} t JOIN documents d ON d.id = t.document_id
                 WHERE d.case_id = ?1"
            ),
            &id,
        )
    };
    Ok(DeletionPreview {
        case_id: case,
        status: match status.as_str() {
            "open" => CaseStatus::Open,
            "closed" => CaseStatus::Closed,
            _ => {
                return Err(StoreError::Corrupt {
                    detail: format!("case {id}: bad status"),
                });
            }
        },
        closed_on,
        documents: count(
            conn,
            "SELECT count(*) FROM documents WHERE case_id = ?1",
            &id,
        )?,
        revisions: of_documents("revisions")?,
        autosaves: of_documents("autosaves")?,
        consents: count(
            conn,
            "SELECT count(*) FROM consents WHERE case_id = ?1",
            &id,
        )?,
        exchanges: of_documents("exchanges")?,
        disclosures_kept: count(
            conn,
            "SELECT count(*) FROM disclosures WHERE case_id = ?1 AND kind != 'case_deleted'",
            &id,
        )?,
    })
}

/// Deletes `case` inside the caller's transaction. The deletion line goes first: the schema's
/// triggers let the case's revisions, consents and round-trip files go only once it is there.
pub(crate) fn delete_in(
    conn: &Connection,
    case: Uuid,
    reason: DeletionReason,
    force: bool,
) -> Result<(DeletionPreview, CaseDeletion), StoreError> {
    let preview = preview_in(conn, case)?;
    if preview.status == CaseStatus::Open && !force {
        return Err(StoreError::CaseOpen {
            id: case.to_string(),
        });
    }
    let id = case.to_string();
    let at = now();
    conn.execute(
        "INSERT INTO disclosures (id, case_id, kind, deleted_documents, deletion_reason, created_at)
         VALUES (?1, ?2, 'case_deleted', ?3, ?4, ?5)",
        params![
            Uuid::new_v4().to_string(),
            id,
            preview.documents,
            reason.as_str(),
            at
        ],
    )?;
    conn.execute(
        "UPDATE disclosures SET revision_sha256 = NULL, withheld = NULL
         WHERE case_id = ?1 AND kind != 'case_deleted'",
        [&id],
    )?;
    let documents = "SELECT id FROM documents WHERE case_id = ?1";
    for sql in [
        "DELETE FROM search_index WHERE rowid IN (SELECT num FROM documents WHERE case_id = ?1)"
            .to_string(),
        "DELETE FROM search_grams WHERE rowid IN (SELECT num FROM documents WHERE case_id = ?1)"
            .to_string(),
        "DELETE FROM search_pending WHERE num IN (SELECT num FROM documents WHERE case_id = ?1)"
            .to_string(),
        format!("DELETE FROM autosaves WHERE document_id IN ({documents})"),
        format!("DELETE FROM revisions WHERE document_id IN ({documents})"),
        format!("DELETE FROM exchanges WHERE document_id IN ({documents})"),
        "DELETE FROM consents WHERE case_id = ?1".to_string(),
        "DELETE FROM documents WHERE case_id = ?1".to_string(),
        "DELETE FROM cases WHERE id = ?1".to_string(),
    ] {
        conn.execute(&sql, [&id])?;
    }
    let line = CaseDeletion {
        case_id: case,
        documents: preview.documents,
        deleted_at: at,
        reason,
    };
    Ok((preview, line))
}

impl Store {
    /// What deleting `case` would remove, without removing anything.
    pub fn deletion_preview(&self, case: Uuid) -> Result<DeletionPreview, StoreError> {
        preview_in(&self.conn, case)
    }

    /// Deletes a closed case (an open one only with `force`, e.g. on the person's request) and
    /// then compacts the file. Refuses a deleted or unknown case.
    pub fn delete_case(
        &mut self,
        case: Uuid,
        reason: DeletionReason,
        force: bool,
    ) -> Result<DeletionOutcome, StoreError> {
        let (removed, line) =
            self.in_deleting_transaction(|conn| delete_in(conn, case, reason, force))?;
        let compacted = self.compact();
        Ok(DeletionOutcome {
            removed,
            line,
            compacted,
        })
    }

    /// Runs `f` in one IMMEDIATE transaction with secure_delete on, so freed cells are zeroed even
    /// before the file is compacted.
    pub(crate) fn in_deleting_transaction<T>(
        &mut self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let before: i64 = self
            .conn
            .query_row("PRAGMA secure_delete", [], |r| r.get(0))?;
        self.conn.pragma_update(None, "secure_delete", true)?;
        let done = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })();
        self.conn.pragma_update(None, "secure_delete", before)?;
        done
    }

    /// The deletion line of `case`, if it was deleted.
    pub fn case_deletion(&self, case: Uuid) -> Result<Option<CaseDeletion>, StoreError> {
        deletion_in(&self.conn, case)
    }

    /// Rewrites the database so that no deleted text stays behind: the search indexes' segments
    /// are merged (a deleted row's terms otherwise stay in older segments), VACUUM rebuilds the
    /// file without free pages, and the WAL is checkpointed and truncated. Returns false when
    /// that could not be finished (another connection is reading, or the disk is full).
    pub fn compact(&mut self) -> bool {
        let done = (|| -> Result<bool, StoreError> {
            for index in ["search_index", "search_grams"] {
                self.conn.execute(
                    &format!("INSERT INTO {index} ({index}) VALUES ('optimize')"),
                    [],
                )?;
            }
            self.conn.execute_batch("VACUUM;")?;
            let busy: i64 = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
            Ok(busy == 0)
        })();
        done.unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    //! The encrypted file cannot be searched for leftovers, so the same code runs here on a
    //! plaintext file (no key: SQLCipher is plain SQLite then), whose raw bytes, free pages and
    //! WAL included, can be.
    use super::DeletionReason;
    use crate::record::parse_record;
    use crate::store::{CaseStatus, NewCase, Store, migrate};
    use crate::template::Registry;

    const NAME: &str = "架空野 澄香";

    fn raw_bytes(path: &std::path::Path) -> Vec<u8> {
        let mut bytes = std::fs::read(path).unwrap_or_default();
        let wal = path.with_file_name("plain.db-wal");
        bytes.extend(std::fs::read(wal).unwrap_or_default());
        bytes
    }

    fn holds(bytes: &[u8], s: &str) -> bool {
        bytes.windows(s.len()).any(|w| w == s.as_bytes())
    }

    #[test]
    fn a_deleted_case_leaves_no_text_in_the_raw_file_or_its_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plain.db");
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        crate::store::search::register_functions(&conn).unwrap();
        migrate::migrate(&mut conn).unwrap();
        let mut store = Store {
            conn,
            path: path.clone(),
            registry: Registry::builtin(),
            identity: None,
            wal_kept: None,
        };
        let text = include_str!("../../samples/dialogue-record.json").replace("山田 花子", NAME);
        let record = parse_record(text.as_bytes(), store.registry).unwrap();
        let case = store
            .create_case(&NewCase {
                display_name: NAME.into(),
                pseudonym: None,
                employer: None,
            })
            .unwrap()
            .id;
        store.save_record(&record, Some(case)).unwrap();
        assert!(holds(&raw_bytes(&path), NAME), "the check can see the name");

        store.set_case_status(case, CaseStatus::Closed).unwrap();
        let done = store
            .delete_case(case, DeletionReason::NoLongerNeeded, false)
            .unwrap();
        assert!(done.compacted);
        let bytes = raw_bytes(&path);
        assert!(
            holds(&bytes, "no_longer_needed"),
            "the file read is the database"
        );
        assert!(!holds(&bytes, NAME), "the name is still in the file");
        assert!(
            !holds(&bytes, "みなと精機"),
            "the record is still in the file"
        );
    }
}
