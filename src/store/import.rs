//! A record file (JSON, or a PDF without the round trip's envelope) brought into the store. Such a
//! file proves nothing about where it came from: whoever has one can edit it and keep its id. So it
//! never replaces a stored document by itself: it becomes a new document, or the next revision of
//! the document the user names (`taiwa import --as-revision-of ID`). Its `status` is not taken
//! from it either: an imported record is a draft until someone here finalizes it.

use super::{SaveOutcome, Store, StoreError};
use crate::ids::{CaseId, DocumentId};
use crate::record::{DocStatus, Record};
use rusqlite::OptionalExtension;
use uuid::Uuid;

/// Where an imported record goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportAs {
    /// A new document. A file carrying the id of a stored document is refused unless it holds
    /// exactly what that document holds (then nothing is written).
    New,
    /// A new document with a new id, whatever id the file carries.
    NewId,
    /// The next revision of this stored document, as the user chose.
    RevisionOf(Uuid),
}

impl Store {
    /// Imports a record file under the rule above. A revision of a final document is refused
    /// (`store.finalized`), as for any save.
    pub fn import_record(
        &mut self,
        record: &Record,
        case: Option<CaseId>,
        to: ImportAs,
    ) -> Result<SaveOutcome, StoreError> {
        let mut record = record.clone();
        record.status = DocStatus::Draft;
        match to {
            ImportAs::RevisionOf(target) => {
                if let Some(found) = record.id.filter(|f| *f != target) {
                    return Err(StoreError::RevisionOfOther {
                        target: target.to_string(),
                        found: found.to_string(),
                    });
                }
                if !self.document_exists(DocumentId(target))? {
                    return Err(StoreError::DocumentNotFound {
                        id: target.to_string(),
                    });
                }
                record.id = Some(target);
                self.save_record(&record, None)
            }
            ImportAs::NewId => {
                record.id = None;
                self.save_record(&record, case)
            }
            ImportAs::New => {
                if let Some(id) = record.id
                    && self.document_exists(DocumentId(id))?
                {
                    let head = self.document(DocumentId(id))?;
                    let same = head.record.template == record.template
                        && head.record.template_version == record.template_version
                        && head.record.fields == record.fields;
                    if !same {
                        return Err(StoreError::WouldOverwrite { id: id.to_string() });
                    }
                    return Ok(SaveOutcome {
                        document_id: DocumentId(id),
                        case_id: head.case_id,
                        seq: head.seq,
                        sha256: head.sha256,
                        created: false,
                        unchanged: true,
                    });
                }
                // The id of a document deleted with its case stays in the 提供記録: a file that
                // carries it becomes a new document, never that one again.
                if let Some(id) = record.id
                    && self.id_in_disclosure_log(id)?
                {
                    record.id = None;
                }
                self.save_record(&record, case)
            }
        }
    }

    fn id_in_disclosure_log(&self, id: Uuid) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM disclosures WHERE document_id = ?1 LIMIT 1",
                [id.to_string()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }
}
