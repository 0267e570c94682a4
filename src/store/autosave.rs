//! The editor's working copy of a draft (schema 2, `autosaves`): saved as typed, never validated,
//! encrypted like everything else. It is what "closing the window loses at most a few seconds"
//! rests on; revisions stay the meaningful, validated steps.

use super::{Store, StoreError, now};
use crate::ids::DocumentId;
use rusqlite::{OptionalExtension, params};

/// Largest working copy kept: the exchange format's own limit.
pub const MAX_AUTOSAVE_BYTES: usize = crate::record::MAX_RECORD_BYTES;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autosave {
    pub record_json: String,
    /// The head revision the working copy started from.
    pub base_seq: i64,
    pub saved_at: String,
}

impl Store {
    /// Replaces the working copy of draft `document`. Returns when it is on disk.
    pub fn put_autosave(
        &mut self,
        document: DocumentId,
        record_json: &str,
    ) -> Result<String, StoreError> {
        let document = document.uuid();
        if record_json.len() > MAX_AUTOSAVE_BYTES {
            return Err(StoreError::AutosaveTooLarge {
                bytes: record_json.len(),
            });
        }
        let head: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT status, head_seq FROM documents WHERE id = ?1",
                [document.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let base_seq = match head {
            None => {
                return Err(StoreError::DocumentNotFound {
                    id: document.to_string(),
                });
            }
            Some((status, seq)) if status == "draft" => seq,
            Some(_) => {
                return Err(StoreError::Finalized {
                    id: document.to_string(),
                });
            }
        };
        let saved_at = now();
        self.conn.execute(
            "INSERT INTO autosaves (document_id, record_json, base_seq, saved_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (document_id) DO UPDATE SET record_json = ?2, base_seq = ?3, saved_at = ?4",
            params![document.to_string(), record_json, base_seq, saved_at],
        )?;
        Ok(saved_at)
    }

    pub fn autosave(&self, document: DocumentId) -> Result<Option<Autosave>, StoreError> {
        let document = document.uuid();
        Ok(self
            .conn
            .query_row(
                "SELECT record_json, base_seq, saved_at FROM autosaves WHERE document_id = ?1",
                [document.to_string()],
                |r| {
                    Ok(Autosave {
                        record_json: r.get(0)?,
                        base_seq: r.get(1)?,
                        saved_at: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Drops the working copy once a revision holds it.
    pub fn clear_autosave(&mut self, document: DocumentId) -> Result<(), StoreError> {
        let document = document.uuid();
        self.conn.execute(
            "DELETE FROM autosaves WHERE document_id = ?1",
            [document.to_string()],
        )?;
        Ok(())
    }
}
