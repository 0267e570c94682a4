//! How long a closed case is kept (the `settings` row of schema 5), which closed cases are past
//! it, and purging them. Nothing is deleted on its own: a caller lists the cases due and purges
//! them on the user's word.
//!
//! The default is 5 years after closing. docs/domain.md §6 asks for a retention setting but names
//! no period, and the law sets none for these records (個人情報保護法 22条: delete when no longer
//! needed). 5 years is the longest of the periods nearest to them — 健康診断個人票 (労働安全衛生
//! 規則 51条) and 診療録 (医師法 24条) are kept 5 years — and longer than the 3 years the
//! disclosure log's lines must be kept (they are kept regardless, see deletion.rs). An
//! organisation sets its own period from its 取扱規程.

use super::deletion::{CaseDeletion, DeletionReason, delete_in};
use super::{Store, StoreError};
use chrono::{Months, NaiveDate};
use rusqlite::params;
use serde::Serialize;
use uuid::Uuid;

/// Must equal the value schema 5 stores.
pub const DEFAULT_RETENTION_YEARS: u32 = 5;
pub const MIN_RETENTION_YEARS: u32 = 1;
pub const MAX_RETENTION_YEARS: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Retention {
    /// Years a closed case is kept after the day it was closed.
    pub years: u32,
}

/// A closed case past the retention period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DueCase {
    pub case_id: Uuid,
    /// YYYY-MM-DD
    pub closed_on: String,
    /// The last day it is kept (closed_on + the period); due from the day after.
    pub kept_until: String,
    #[ts(type = "number")]
    pub documents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PurgeOutcome {
    pub deleted: Vec<CaseDeletion>,
    /// As `DeletionOutcome::compacted`.
    pub compacted: bool,
}

/// Years as typed (`taiwa retention set 7`, a settings field): a whole number in range.
pub fn parse_retention_years(s: &str) -> Result<u32, StoreError> {
    s.trim()
        .parse::<u32>()
        .ok()
        .filter(|y| in_range(*y))
        .ok_or_else(|| StoreError::BadRetention {
            given: s.to_string(),
        })
}

fn in_range(years: u32) -> bool {
    (MIN_RETENTION_YEARS..=MAX_RETENTION_YEARS).contains(&years)
}

fn kept_until(closed_on: NaiveDate, years: u32) -> Option<NaiveDate> {
    closed_on.checked_add_months(Months::new(years * 12))
}

impl Store {
    pub fn retention(&self) -> Result<Retention, StoreError> {
        let years: u32 = self.conn.query_row(
            "SELECT retention_years FROM settings WHERE id = 1",
            [],
            |r| r.get(0),
        )?;
        Ok(Retention { years })
    }

    pub fn set_retention_years(&mut self, years: u32) -> Result<Retention, StoreError> {
        if !in_range(years) {
            return Err(StoreError::BadRetention {
                given: years.to_string(),
            });
        }
        self.conn.execute(
            "UPDATE settings SET retention_years = ?1 WHERE id = 1",
            params![years],
        )?;
        self.retention()
    }

    /// Closed cases whose retention period ended before `today`, longest closed first.
    pub fn cases_due_for_deletion(&self, today: NaiveDate) -> Result<Vec<DueCase>, StoreError> {
        let years = self.retention()?.years;
        let mut stmt = self.conn.prepare(
            "SELECT c.id, c.closed_on, (SELECT count(*) FROM documents d WHERE d.case_id = c.id)
             FROM cases c WHERE c.status = 'closed' ORDER BY c.closed_on, c.id",
        )?;
        let rows: Vec<(String, Option<String>, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let mut due = Vec::new();
        for (id, closed_on, documents) in rows {
            let corrupt = |what: &str| StoreError::Corrupt {
                detail: format!("case {id}: bad {what}"),
            };
            let closed = closed_on
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .ok_or_else(|| corrupt("closed_on"))?;
            let until = kept_until(closed, years).ok_or_else(|| corrupt("closed_on"))?;
            if today > until {
                due.push(DueCase {
                    case_id: Uuid::parse_str(&id).map_err(|_| corrupt("id"))?,
                    closed_on: closed.format("%Y-%m-%d").to_string(),
                    kept_until: until.format("%Y-%m-%d").to_string(),
                    documents,
                });
            }
        }
        Ok(due)
    }

    /// Deletes every case due on `today` (all in one transaction: all or none), then compacts
    /// the file — also when none was due, so a purge finishes an earlier compaction.
    pub fn purge_due(&mut self, today: NaiveDate) -> Result<PurgeOutcome, StoreError> {
        let due = self.cases_due_for_deletion(today)?;
        let deleted = self.in_deleting_transaction(|conn| {
            due.iter()
                .map(|d| {
                    delete_in(conn, d.case_id, DeletionReason::RetentionExpired, false)
                        .map(|(_, line)| line)
                })
                .collect::<Result<Vec<_>, _>>()
        })?;
        let compacted = self.compact();
        Ok(PurgeOutcome { deleted, compacted })
    }
}
