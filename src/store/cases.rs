//! Cases: one person's file, holding their documents. Created explicitly by the app (the CLI's
//! import makes one implicitly); listed with a Japanese-aware text filter and review dates.

use super::search::{TextCondition, pending_matches, text_condition};
use super::{Store, StoreError, now};
use crate::ids::{CaseId, DocumentId};
use crate::template::CaseField;
use crate::text::fold;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;

/// Up to this many documents matching a case-list text filter, their cases are looked up before
/// the walk over cases; above, each case is checked as the walk reaches it (`Store::mentioned`).
const FEW_DOCUMENTS: usize = 10_000;

/// What the documents' text says for a case-list filter.
enum Mentioned {
    /// The ids of the cases with a matching document.
    Cases(HashSet<String>),
    /// The nums of the matching documents.
    Documents(HashSet<i64>),
}

/// Longest name, pseudonym or employer a case takes, in characters.
pub const MAX_CASE_TEXT: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum CaseStatus {
    Open,
    Closed,
}

impl CaseStatus {
    fn parse(s: &str) -> Option<CaseStatus> {
        match s {
            "open" => Some(CaseStatus::Open),
            "closed" => Some(CaseStatus::Closed),
            _ => None,
        }
    }

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
    pub id: CaseId,
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
    /// The document that date belongs to, so the list can open it straight away.
    pub next_review_document: Option<DocumentId>,
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
    if let Some(m) = crate::text::visible::typed_line_problem(v, MAX_CASE_TEXT) {
        return Err(bad(field, &m.ja, &m.en));
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
             WHERE d.case_id = c.id AND d.status != 'superseded'),
           (SELECT d.id FROM documents d
             WHERE d.case_id = c.id AND d.status != 'superseded' AND d.review_on IS NOT NULL
             ORDER BY d.review_on, d.num LIMIT 1)
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
            next_review_document: r.get(9)?,
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
    next_review_document: Option<String>,
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
            id: CaseId(Uuid::parse_str(id).map_err(|_| corrupt("id"))?),
            display_name: self.display_name,
            pseudonym: self.pseudonym,
            employer: self.employer,
            status: CaseStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?,
            updated_at: self.updated_at,
            documents: self.documents,
            templates,
            next_review: self.next_review,
            next_review_document: self
                .next_review_document
                .map(|d| Uuid::parse_str(&d).map(DocumentId))
                .transpose()
                .map_err(|_| corrupt("review document id"))?,
        })
    }
}

impl Store {
    /// Fills the record's `from_case` fields that are empty from the case (typed once, in the
    /// new-case dialog); a value the worker typed is kept. Whether anything was filled.
    pub fn prefill_from_case(
        &self,
        record: &mut crate::record::Record,
        case: CaseId,
    ) -> Result<bool, StoreError> {
        let Some(template) = self.registry.template_for(record) else {
            return Ok(false);
        };
        let case = self.case(case)?;
        let mut filled = false;
        for f in template.sections.iter().flat_map(|s| &s.fields) {
            let Some(from) = f.from_case else { continue };
            let value = match from {
                CaseField::DisplayName => Some(&case.display_name),
                CaseField::Pseudonym => case.pseudonym.as_ref(),
                CaseField::Employer => case.employer.as_ref(),
            };
            let empty = record
                .fields
                .get(&f.key)
                .is_none_or(|v| v.as_str().is_some_and(|s| s.trim().is_empty()));
            if let Some(v) = value
                && empty
            {
                record
                    .fields
                    .insert(f.key.clone(), serde_json::Value::String(v.clone()));
                filled = true;
            }
        }
        Ok(filled)
    }

    pub fn create_case(&mut self, new: &NewCase) -> Result<CaseSummary, StoreError> {
        let id = insert(&self.conn, new)?;
        self.case(CaseId(id))
    }

    pub fn case(&self, id: CaseId) -> Result<CaseSummary, StoreError> {
        let id = id.uuid();
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
    pub fn set_case_status(&mut self, id: CaseId, status: CaseStatus) -> Result<(), StoreError> {
        let id = id.uuid();
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

    /// What the documents say about the folded `query`: the same match as `Store::search`, but
    /// not capped at `SEARCH_LIMIT` documents, so older cases are not lost when many match. Up to
    /// `few` matching documents, their cases are looked up now; above, the matches are kept for
    /// the walk over cases to check each case's documents against (it fills a page soon then).
    /// Looking every case up was 50-650 ms at 100,000 documents for a common term.
    fn mentioned(&self, query: &str, few: usize) -> Result<Mentioned, StoreError> {
        let behind = self.index_behind()?;
        let TextCondition { rows, arg, .. } = text_condition(query);
        let mut stmt = self.conn.prepare(rows)?;
        let mut nums = stmt
            .query_map([arg], |r| r.get::<_, i64>(0))?
            .collect::<Result<HashSet<i64>, _>>()?;
        if behind {
            // A pending document counts by its pending text (see Store::index_behind).
            let (pending, matching) = pending_matches(&self.conn, query)?;
            nums.retain(|n| !pending.contains(n));
            nums.extend(matching);
        }
        if nums.len() > few {
            return Ok(Mentioned::Documents(nums));
        }
        let mut case_of = self
            .conn
            .prepare_cached("SELECT case_id FROM documents WHERE num = ?1")?;
        let mut cases = HashSet::new();
        for num in nums {
            if let Some(id) = case_of
                .query_row([num], |r| r.get::<_, String>(0))
                .optional()?
            {
                cases.insert(id);
            }
        }
        Ok(Mentioned::Cases(cases))
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
        self.cases_planned(filter, today, limit, FEW_DOCUMENTS)
    }

    /// `cases_page`, looking the cases of up to `few` matching documents up first (tests pass 0
    /// and a large number to check that both ways list the same cases).
    fn cases_planned(
        &self,
        filter: &CaseFilter,
        today: NaiveDate,
        limit: usize,
        few: usize,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let query = fold(filter.text.trim());
        let horizon = filter
            .review_within_days
            .and_then(|d| today.checked_add_days(chrono::Days::new(u64::from(d))))
            .map(|d| d.format("%Y-%m-%d").to_string());
        // The filters a summary is needed for (its forms, its next review), and the status.
        let keep = |case: &CaseSummary| {
            filter.status.is_none_or(|s| s == case.status)
                && filter
                    .template
                    .as_ref()
                    .is_none_or(|t| case.templates.contains(t))
                && horizon
                    .as_ref()
                    .is_none_or(|h| case.next_review.as_ref().is_some_and(|r| r <= h))
        };
        let mut out = Vec::new();
        if query.is_empty() {
            let mut stmt = self.conn.prepare(&format!(
                "{SUMMARY_SELECT} ORDER BY c.updated_at DESC, c.id"
            ))?;
            for row in stmt.query_map([], summary)? {
                if out.len() >= limit {
                    break;
                }
                let (id, row) = row?;
                let case = row.into_summary(&id)?;
                if keep(&case) {
                    out.push(case);
                }
            }
            return Ok(out);
        }
        // With text: the cases are walked by their names and documents first, and a summary
        // (three aggregates over the case's documents) is read only for those that match.
        let mentioned = self.mentioned(&query, few)?;
        let mut walk = self.conn.prepare(
            "SELECT c.id, c.display_name, c.pseudonym, c.employer, c.status
             FROM cases c ORDER BY c.updated_at DESC, c.id",
        )?;
        let mut documents_of = self
            .conn
            .prepare_cached("SELECT num FROM documents WHERE case_id = ?1")?;
        let mut one = self
            .conn
            .prepare_cached(&format!("{SUMMARY_SELECT} WHERE c.id = ?1"))?;
        let rows = walk.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        for row in rows {
            if out.len() >= limit {
                break;
            }
            let (id, name, pseudonym, employer, status) = row?;
            let status = CaseStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
                detail: format!("case {id}: bad status"),
            })?;
            if filter.status.is_some_and(|s| s != status) {
                continue;
            }
            let named = [Some(&name), pseudonym.as_ref(), employer.as_ref()]
                .into_iter()
                .flatten()
                .any(|s| fold(s).contains(&query));
            let found = named
                || match &mentioned {
                    Mentioned::Cases(cases) => cases.contains(&id),
                    Mentioned::Documents(nums) => documents_of
                        .query_map([&id], |r| r.get::<_, i64>(0))?
                        .collect::<Result<Vec<i64>, _>>()?
                        .iter()
                        .any(|n| nums.contains(n)),
                };
            if !found {
                continue;
            }
            let (id, row) = one.query_row([&id], summary)?;
            let case = row.into_summary(&id)?;
            if keep(&case) {
                out.push(case);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::{CaseFilter, CaseStatus, NewCase};
    use crate::record::Record;
    use serde_json::json;

    fn dialogue(person: &str, review: &str, strengths: &str) -> Record {
        let registry = crate::template::Registry::builtin();
        let version = registry.get("dialogue-record").unwrap().version;
        let mut r = Record::new("dialogue-record", version);
        r.fields.insert("person_name".into(), json!(person));
        r.fields.insert("next_review_date".into(), json!(review));
        r.fields.insert("strengths".into(), json!(strengths));
        r
    }

    #[test]
    fn looking_cases_up_first_and_checking_each_in_the_walk_list_the_same_cases() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::scratch(dir.path());
        for i in 0..12 {
            let case = store
                .create_case(&NewCase {
                    display_name: format!("架空 {i}号"),
                    pseudonym: (i % 4 == 0).then(|| "ケヤキ".to_string()),
                    employer: None,
                })
                .unwrap()
                .id;
            // Every third case's documents mention ケヤキ並木; reviews spread over two months.
            let text = if i % 3 == 0 {
                "ケヤキ並木の近く"
            } else {
                "静かな職場"
            };
            let review = format!("2027-0{}-1{}", 1 + i % 2, i % 10);
            store
                .save_record(&dialogue(&format!("架空 {i}号"), &review, text), Some(case))
                .unwrap();
            if i % 5 == 0 {
                store.set_case_status(case, CaseStatus::Closed).unwrap();
            }
        }
        let today = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let filters = [
            ("ケヤキ", None, None),
            ("けやき並木", None, None),
            ("ケ", Some(CaseStatus::Open), None),
            ("ケヤキ並木", None, Some(20)),
            ("職場", Some(CaseStatus::Closed), None),
            ("号", None, None),
            ("見つからない", None, None),
        ];
        for (text, status, review) in filters {
            let filter = CaseFilter {
                text: text.into(),
                status,
                template: None,
                review_within_days: review,
            };
            for limit in [3, usize::MAX] {
                let looked_up: Vec<_> = store
                    .cases_planned(&filter, today, limit, usize::MAX)
                    .unwrap()
                    .into_iter()
                    .map(|c| c.id)
                    .collect();
                let walked: Vec<_> = store
                    .cases_planned(&filter, today, limit, 0)
                    .unwrap()
                    .into_iter()
                    .map(|c| c.id)
                    .collect();
                assert_eq!(looked_up, walked, "{text} {status:?} {review:?} {limit}");
            }
        }
        let all = |text: &str| {
            store
                .cases_planned(
                    &CaseFilter {
                        text: text.into(),
                        ..CaseFilter::default()
                    },
                    today,
                    usize::MAX,
                    0,
                )
                .unwrap()
                .len()
        };
        // Named ケヤキ (0, 4, 8) or mentioning it (0, 3, 6, 9): six cases.
        assert_eq!(all("ケヤキ"), 6);
        assert_eq!(all("並木"), 4);
        assert_eq!(all("号"), 12);
    }
}
