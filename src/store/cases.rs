//! Cases: one person's file, holding their documents. Created explicitly by the app (the CLI's
//! import makes one implicitly); listed with a Japanese-aware text filter and review dates.

use super::search::{TextCondition, normalize, text_condition};
use super::{Store, StoreError, now};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;

/// Longest name, pseudonym or employer a case takes, in characters.
pub const MAX_CASE_TEXT: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum CaseStatus {
    Open,
    Closed,
}

impl CaseStatus {
    fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
pub struct NewCase {
    pub display_name: String,
    pub pseudonym: Option<String>,
    pub employer: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
pub struct CaseFilter {
    /// Matched after folding width, case and kana, from one character, against the case's name,
    /// pseudonym and employer and every document's text.
    pub text: String,
    pub status: Option<CaseStatus>,
    /// Only cases with a document of this form.
    pub template: Option<String>,
    /// Only cases whose next review falls within this many days from today (or is overdue).
    pub review_within_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct CaseSummary {
    pub id: Uuid,
    pub display_name: String,
    pub pseudonym: Option<String>,
    pub employer: Option<String>,
    pub status: CaseStatus,
    pub updated_at: String,
    /// Documents not superseded.
    #[ts(type = "number")]
    pub documents: i64,
    /// The forms of those documents, each once.
    pub templates: Vec<String>,
    /// The earliest review date of those documents (YYYY-MM-DD).
    pub next_review: Option<String>,
}

/// A case field that cannot be stored, named so the form can show it beside the input.
fn bad(field: &'static str, ja: &str, en: &str) -> StoreError {
    StoreError::BadCaseField {
        field,
        ja: ja.to_string(),
        en: en.to_string(),
    }
}

fn clean(value: Option<&str>, field: &'static str) -> Result<Option<String>, StoreError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().count() > MAX_CASE_TEXT {
        return Err(bad(
            field,
            &format!("{MAX_CASE_TEXT} 文字以内で入力してください"),
            &format!("at most {MAX_CASE_TEXT} characters"),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(bad(
            field,
            "改行や制御文字は使えません",
            "line breaks and control characters are not allowed",
        ));
    }
    Ok(Some(v.to_string()))
}

/// Checks `new` and adds the case; its id. Shared by `Store::create_case` and `Batch::create_case`.
pub(crate) fn insert(conn: &Connection, new: &NewCase) -> Result<Uuid, StoreError> {
    let name = clean(Some(&new.display_name), "display_name")?.ok_or_else(|| {
        bad(
            "display_name",
            "氏名(表示名)を入力してください",
            "enter the person's name (display name)",
        )
    })?;
    let pseudonym = clean(new.pseudonym.as_deref(), "pseudonym")?;
    let employer = clean(new.employer.as_deref(), "employer")?;
    let id = Uuid::new_v4();
    let now = now();
    conn.execute(
        "INSERT INTO cases (id, display_name, pseudonym, employer, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?5)",
        params![id.to_string(), name, pseudonym, employer, now],
    )?;
    Ok(id)
}

/// One row per case, its documents summed up per row (through documents_by_case), so that a
/// page of the list reads only the cases it shows rather than grouping every document first.
const SUMMARY_SELECT: &str = "
    SELECT c.id, c.display_name, c.pseudonym, c.employer, c.status, c.updated_at,
           (SELECT COUNT(*) FROM documents d WHERE d.case_id = c.id AND d.status != 'superseded'),
           (SELECT group_concat(DISTINCT d.template) FROM documents d
             WHERE d.case_id = c.id AND d.status != 'superseded'),
           (SELECT MIN(d.review_on) FROM documents d
             WHERE d.case_id = c.id AND d.status != 'superseded')
    FROM cases c";

fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, CaseSummaryRow)> {
    Ok((
        r.get(0)?,
        CaseSummaryRow {
            display_name: r.get(1)?,
            pseudonym: r.get(2)?,
            employer: r.get(3)?,
            status: r.get(4)?,
            updated_at: r.get(5)?,
            documents: r.get(6)?,
            templates: r.get(7)?,
            next_review: r.get(8)?,
        },
    ))
}

struct CaseSummaryRow {
    display_name: String,
    pseudonym: Option<String>,
    employer: Option<String>,
    status: String,
    updated_at: String,
    documents: i64,
    templates: Option<String>,
    next_review: Option<String>,
}

impl CaseSummaryRow {
    fn into_summary(self, id: &str) -> Result<CaseSummary, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt {
            detail: format!("case {id}: bad {what}"),
        };
        let mut templates: Vec<String> = self
            .templates
            .map(|t| t.split(',').map(String::from).collect())
            .unwrap_or_default();
        templates.sort();
        Ok(CaseSummary {
            id: Uuid::parse_str(id).map_err(|_| corrupt("id"))?,
            display_name: self.display_name,
            pseudonym: self.pseudonym,
            employer: self.employer,
            status: match self.status.as_str() {
                "open" => CaseStatus::Open,
                "closed" => CaseStatus::Closed,
                _ => return Err(corrupt("status")),
            },
            updated_at: self.updated_at,
            documents: self.documents,
            templates,
            next_review: self.next_review,
        })
    }
}

impl Store {
    pub fn create_case(&mut self, new: &NewCase) -> Result<CaseSummary, StoreError> {
        let id = insert(&self.conn, new)?;
        self.case(id)
    }

    pub fn case(&self, id: Uuid) -> Result<CaseSummary, StoreError> {
        let row = self
            .conn
            .query_row(
                &format!("{SUMMARY_SELECT} WHERE c.id = ?1"),
                [id.to_string()],
                summary,
            )
            .optional()?
            .ok_or_else(|| StoreError::CaseNotFound { id: id.to_string() })?;
        row.1.into_summary(&row.0)
    }

    /// Opens or closes a case. Closing records the day (retention counts from it); closing a
    /// closed case keeps its day, reopening clears it.
    pub fn set_case_status(&mut self, id: Uuid, status: CaseStatus) -> Result<(), StoreError> {
        let today = chrono::Local::now()
            .date_naive()
            .format("%Y-%m-%d")
            .to_string();
        let n = self.conn.execute(
            "UPDATE cases SET status = ?2, updated_at = ?3,
                 closed_on = CASE WHEN ?2 = 'closed' THEN coalesce(closed_on, ?4) END
             WHERE id = ?1",
            params![id.to_string(), status.as_str(), now(), today],
        )?;
        if n == 0 {
            return Err(StoreError::CaseNotFound { id: id.to_string() });
        }
        Ok(())
    }

    /// Cases with a document whose indexed text contains the folded `query`: the same match as
    /// `Store::search` (trigram MATCH from three characters, LIKE below), but not capped at
    /// `SEARCH_LIMIT` documents, so older cases are not lost when many documents match.
    fn cases_mentioning(&self, query: &str) -> Result<HashSet<Uuid>, StoreError> {
        self.catch_up_search()?;
        let TextCondition { condition, arg, .. } = text_condition(query);
        let sql = format!("SELECT DISTINCT d.case_id FROM documents d WHERE {condition}");
        let mut stmt = self.conn.prepare(&sql)?;
        let ids = stmt.query_map([arg], |r| r.get::<_, String>(0))?;
        let mut out = HashSet::new();
        for id in ids {
            let id = id?;
            out.insert(Uuid::parse_str(&id).map_err(|_| StoreError::Corrupt {
                detail: format!("document of case {id:?}: bad case id"),
            })?);
        }
        Ok(out)
    }

    /// Cases matching `filter`, most recently changed first. `today` anchors the review window.
    pub fn cases(
        &self,
        filter: &CaseFilter,
        today: NaiveDate,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        self.cases_page(filter, today, usize::MAX)
    }

    /// The first `limit` cases `cases` would return: the list's first screen without reading the
    /// rest (cases are read newest first, through cases_by_update, until `limit` match).
    pub fn cases_page(
        &self,
        filter: &CaseFilter,
        today: NaiveDate,
        limit: usize,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let query = normalize(filter.text.trim());
        // Cases whose documents mention the text (the search index folds the same way).
        let by_document: HashSet<Uuid> = if query.is_empty() {
            HashSet::new()
        } else {
            self.cases_mentioning(&query)?
        };
        let mut stmt = self.conn.prepare(&format!(
            "{SUMMARY_SELECT} ORDER BY c.updated_at DESC, c.id"
        ))?;
        let rows = stmt.query_map([], summary)?;
        let horizon = filter
            .review_within_days
            .and_then(|d| today.checked_add_days(chrono::Days::new(u64::from(d))))
            .map(|d| d.format("%Y-%m-%d").to_string());
        let mut out = Vec::new();
        for row in rows {
            if out.len() >= limit {
                break;
            }
            let (id, row) = row?;
            let case = row.into_summary(&id)?;
            if filter.status.is_some_and(|s| s != case.status) {
                continue;
            }
            if let Some(t) = &filter.template
                && !case.templates.contains(t)
            {
                continue;
            }
            if let Some(h) = &horizon
                && case.next_review.as_ref().is_none_or(|r| r > h)
            {
                continue;
            }
            if !query.is_empty() && !by_document.contains(&case.id) {
                let named = [
                    Some(&case.display_name),
                    case.pseudonym.as_ref(),
                    case.employer.as_ref(),
                ]
                .into_iter()
                .flatten()
                .any(|s| normalize(s).contains(&query));
                if !named {
                    continue;
                }
            }
            out.push(case);
        }
        Ok(out)
    }
}
