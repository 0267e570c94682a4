//! Many writes in one transaction (an import of many records, the benchmark's generator): the
//! same checks and the same hash chains as the one-at-a-time calls, but one commit (one fsync)
//! for the lot. Records are prepared (validated, canonical JSON, SHA-256, search text) outside
//! the transaction, on any thread, so a caller can spread that work over the cores.

use super::documents::{Checked, check, search_body, write_unindexed};
use super::{Store, StoreError, cases, consents};
use crate::consent::NewConsent;
use crate::record::Record;
use crate::template::Registry;
use chrono::NaiveDate;
use rusqlite::{Transaction, TransactionBehavior};
use std::collections::HashMap;
use uuid::Uuid;

/// A record validated and ready to be saved: only `check_record` makes one.
pub struct CheckedRecord(Checked);

/// Validates `record` (as a draft or for finalizing, by its status) and computes what its save
/// writes. Needs no store, so it can run on another thread.
pub fn check_record(registry: &Registry, record: &Record) -> Result<CheckedRecord, StoreError> {
    check(registry, record).map(CheckedRecord)
}

/// Writes inside one open transaction; see `Store::batch`.
pub struct Batch<'s, 'r> {
    tx: Transaction<'s>,
    registry: &'static Registry,
    /// The search text of each document saved, indexed once at the end: re-indexing ~8,000
    /// characters in two FTS5 tables for every revision was most of a bulk import's time.
    /// In the order of first save, which is rowid order: FTS5 appends to its doclists.
    unindexed: Vec<(Uuid, Uuid, &'r str)>,
    position: HashMap<Uuid, usize>,
}

impl<'r> Batch<'_, 'r> {
    /// As `Store::create_case`; the new case's id.
    pub fn create_case(&mut self, new: &super::NewCase) -> Result<Uuid, StoreError> {
        cases::insert(&self.tx, new)
    }

    /// As `Store::save_record`, for a prepared record. Later saves in the batch see earlier ones,
    /// so several revisions of one document may follow each other.
    pub fn save(
        &mut self,
        record: &'r CheckedRecord,
        case: Option<Uuid>,
    ) -> Result<super::SaveOutcome, StoreError> {
        let outcome = write_unindexed(&self.tx, &record.0, case, None)?;
        if !outcome.unchanged {
            let entry = (outcome.document_id, outcome.case_id, search_body(&record.0));
            match self.position.get(&outcome.document_id) {
                Some(&i) => self.unindexed[i] = entry,
                None => {
                    self.position
                        .insert(outcome.document_id, self.unindexed.len());
                    self.unindexed.push(entry);
                }
            }
        }
        Ok(outcome)
    }

    /// As `Store::add_consent`, for a document id; the consent's id.
    pub fn add_consent(
        &mut self,
        document: Uuid,
        new: &NewConsent,
        today: NaiveDate,
    ) -> Result<Uuid, StoreError> {
        consents::insert(&self.tx, self.registry, document, new, today)
    }
}

impl Store {
    /// Runs `f` in one IMMEDIATE transaction and commits if it returns Ok: all of its writes or
    /// none of them.
    pub fn batch<'r, T>(
        &mut self,
        f: impl FnOnce(&mut Batch<'_, 'r>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut batch = Batch {
            tx,
            registry: self.registry,
            unindexed: Vec::new(),
            position: HashMap::new(),
        };
        let out = f(&mut batch)?;
        for (document, case, body) in &batch.unindexed {
            super::search::reindex(&batch.tx, *document, *case, body)?;
        }
        batch.tx.commit()?;
        Ok(out)
    }
}
