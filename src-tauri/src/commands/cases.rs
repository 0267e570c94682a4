//! The case list, a case's timeline, new cases.

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use serde::Serialize;
use taiwa::store::{CaseFilter, CaseSummary, DocumentSummary, NewCase, RevisionInfo};
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

pub fn parse_id(id: &str, what: &str) -> IpcResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| {
        IpcError::bad_input(
            what,
            &format!("ID「{id}」の形式が正しくありません"),
            &format!("{id:?} is not a valid id"),
        )
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cases_list(
    state: State<'_, AppState>,
    filter: CaseFilter,
) -> IpcResult<Vec<CaseSummary>> {
    let today = chrono::Local::now().date_naive();
    state.with_store(|s| Ok(s.cases(&filter, today)?))
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
            let mut revisions = s.history(&summary.id.to_string())?;
            revisions.reverse();
            documents.push(DocumentEntry { summary, revisions });
        }
        Ok(CaseView { case, documents })
    })
}
