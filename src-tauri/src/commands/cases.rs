//! The case list, a case's timeline, new cases.

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use serde::Serialize;
use taiwa::store::{
    CaseFilter, CaseStatus, CaseSummary, DeletionOutcome, DeletionPreview, DeletionReason,
    DocumentSummary, DueCase, NewCase, PurgeOutcome, Retention, RevisionInfo,
};
use tauri::State;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DocumentEntry {
    pub summary: DocumentSummary,
    /// Newest first.
    pub revisions: Vec<RevisionInfo>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CaseView {
    pub case: CaseSummary,
    pub documents: Vec<DocumentEntry>,
}

/// A whole uuid from the web view, as the id type the store takes (`DocumentId`, `CaseId`, …).
pub fn parse_id<T: From<Uuid>>(id: &str, what: &str) -> IpcResult<T> {
    Uuid::parse_str(id).map(T::from).map_err(|_| {
        IpcError::bad_input(
            what,
            &format!("ID「{id}」の形式が正しくありません"),
            &format!("{id:?} is not a valid id"),
        )
    })
}

/// How many cases the list shows at first, and how many more each 「さらに表示」 adds: a support
/// agency's database holds tens of thousands, and rendering them all took 30 s and 2 GB in WebKit
/// (bench/README.md "The app at 100,000 documents").
pub const CASE_PAGE: u32 = 100;

/// The first `limit` cases of the list, newest first, and whether more match.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CasesPage {
    pub cases: Vec<CaseSummary>,
    pub more: bool,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cases_list(
    state: State<'_, AppState>,
    filter: CaseFilter,
    limit: Option<u32>,
) -> IpcResult<CasesPage> {
    let today = chrono::Local::now().date_naive();
    let limit = limit.unwrap_or(CASE_PAGE).max(1) as usize;
    state.with_store(|s| {
        // One more than asked: whether it comes back says whether more match.
        let mut cases = s.cases_page(&filter, today, limit.saturating_add(1))?;
        let more = cases.len() > limit;
        cases.truncate(limit);
        Ok(CasesPage { cases, more })
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn case_create(state: State<'_, AppState>, case: NewCase) -> IpcResult<CaseSummary> {
    state.with_store(|s| Ok(s.create_case(&case)?))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn case_get(state: State<'_, AppState>, id: String) -> IpcResult<CaseView> {
    let id = parse_id(&id, "case_id")?;
    state.with_store(|s| {
        let case = s.case(id)?;
        let mut documents = Vec::new();
        for summary in s.list_documents(Some(id))? {
            let mut revisions = s.history(summary.id)?;
            revisions.reverse();
            documents.push(DocumentEntry { summary, revisions });
        }
        Ok(CaseView { case, documents })
    })
}

/// Closes a case: its documents stay, and the retention period starts from today.
#[tauri::command(rename_all = "snake_case")]
pub async fn case_close(state: State<'_, AppState>, id: String) -> IpcResult<CaseSummary> {
    let id = parse_id(&id, "case_id")?;
    state.with_store(|s| {
        s.set_case_status(id, CaseStatus::Closed)?;
        Ok(s.case(id)?)
    })
}

/// What deleting a case would remove: counts only.
#[tauri::command(rename_all = "snake_case")]
pub async fn case_delete_preview(
    state: State<'_, AppState>,
    id: String,
) -> IpcResult<DeletionPreview> {
    let id = parse_id(&id, "case_id")?;
    state.with_store(|s| Ok(s.deletion_preview(id)?))
}

/// Deletes a closed case for a reason the person recording it chose; the disclosure log keeps a
/// content-free line. Open cases are refused (the CLI's --force is not offered here).
#[tauri::command(rename_all = "snake_case")]
pub async fn case_delete(
    state: State<'_, AppState>,
    id: String,
    reason: DeletionReason,
) -> IpcResult<DeletionOutcome> {
    let id = parse_id(&id, "case_id")?;
    state.with_store(|s| Ok(s.delete_case(id, reason, false)?))
}

/// The retention period and the closed cases past it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RetentionStatus {
    pub retention: Retention,
    pub due: Vec<DueCase>,
}

fn retention_status(s: &taiwa::store::Store) -> IpcResult<RetentionStatus> {
    let today = chrono::Local::now().date_naive();
    Ok(RetentionStatus {
        retention: s.retention()?,
        due: s.cases_due_for_deletion(today)?,
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn retention_get(state: State<'_, AppState>) -> IpcResult<RetentionStatus> {
    state.with_store(|s| retention_status(s))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn retention_set(state: State<'_, AppState>, years: u32) -> IpcResult<RetentionStatus> {
    state.with_store(|s| {
        s.set_retention_years(years)?;
        retention_status(s)
    })
}

/// Deletes every closed case past the retention period (the settings screen, after confirming).
#[tauri::command(rename_all = "snake_case")]
pub async fn retention_purge(state: State<'_, AppState>) -> IpcResult<PurgeOutcome> {
    let today = chrono::Local::now().date_naive();
    state.with_store(|s| Ok(s.purge_due(today)?))
}
