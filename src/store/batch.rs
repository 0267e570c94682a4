//! Many writes in one transaction (an import of many records, the benchmark's generator): the
//! same checks and the same hash chains as the one-at-a-time calls, but one commit (one fsync)
//! for the lot. Records are prepared (validated, canonical JSON, SHA-256, search text) outside
//! the transaction, on any thread, so a caller can spread that work over the cores.

use super::documents::{Prepared, prepare, write};
use super::{Store, StoreError, cases, consents};
use crate::consent::NewConsent;
use crate::record::Record;
use crate::template::Registry;
use chrono::NaiveDate;
use rusqlite::{Transaction, TransactionBehavior};
use uuid::Uuid;

/// A record validated and ready to be saved: only `prepare_record` makes one.
pub struct PreparedRecord(Prepared);

/// Validates `record` (as a draft or for finalizing, by its status) and computes what its save
/// writes. Needs no store, so it can run on another thread.
pub fn prepare_record(registry: &Registry, record: &Record) -> Result<PreparedRecord, StoreError> {
    prepare(registry, record).map(PreparedRecord)
}

/// Writes inside one open transaction; see `Store::batch`.
pub struct Batch<'s> {
    tx: Transaction<'s>,
    registry: &'static Registry,
}

impl Batch<'_> {
    /// As `Store::create_case`; the new case's id.
    pub fn create_case(&mut self, new: &super::NewCase) -> Result<Uuid, StoreError> {
        cases::insert(&self.tx, new)
    }

    /// As `Store::save_record`, for a prepared record. Later saves in the batch see earlier ones,
    /// so several revisions of one document may follow each other.
    pub fn save(
        &mut self,
        record: &PreparedRecord,
        case: Option<Uuid>,
    ) -> Result<super::SaveOutcome, StoreError> {
        write(&self.tx, &record.0, case, None)
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
    pub fn batch<T>(
        &mut self,
        f: impl FnOnce(&mut Batch<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut batch = Batch {
            tx,
            registry: self.registry,
        };
        let out = f(&mut batch)?;
        batch.tx.commit()?;
        Ok(out)
    }
}
