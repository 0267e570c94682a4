//! The consent ledger and the disclosure log, per document and per case: what the person agreed
//! to, and every file that left.

use super::cases::parse_id;
use super::export::{ExportResult, save_through_gate};
use crate::error::IpcResult;
use crate::state::AppState;
use serde::Serialize;
use taiwa::consent::{self, Consent, ConsentState, NewConsent};
use taiwa::gate;
use taiwa::i18n::Lang;
use taiwa::store::Disclosure;
use tauri::{AppHandle, Runtime, State};

/// A consent with whether it holds today.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ConsentRow {
    pub consent: Consent,
    pub state: ConsentState,
}

fn rows(list: Vec<Consent>) -> Vec<ConsentRow> {
    let today = consent::today();
    list.into_iter()
        .map(|c| ConsentRow {
            state: c.state_on(today),
            consent: c,
        })
        .collect()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn consents_list(
    state: State<'_, AppState>,
    document_id: String,
) -> IpcResult<Vec<ConsentRow>> {
    let id = parse_id(&document_id, "document_id")?;
    state.with_store(|s| Ok(rows(s.consents_for_document(id)?)))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn consent_add(
    state: State<'_, AppState>,
    document_id: String,
    consent: NewConsent,
) -> IpcResult<ConsentRow> {
    let id = parse_id(&document_id, "document_id")?;
    let added = state.with_store(|s| Ok(s.add_consent(id, &consent, consent::today())?))?;
    Ok(rows(vec![added]).remove(0))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn consent_withdraw(state: State<'_, AppState>, id: String) -> IpcResult<ConsentRow> {
    let id = parse_id(&id, "consent_id")?;
    let today = consent::today().format("%Y-%m-%d").to_string();
    let c = state.with_store(|s| Ok(s.withdraw_consent(id, &today)?))?;
    Ok(rows(vec![c]).remove(0))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn disclosures_list(
    state: State<'_, AppState>,
    case_id: String,
) -> IpcResult<Vec<Disclosure>> {
    let id = parse_id(&case_id, "case_id")?;
    state.with_store(|s| Ok(s.disclosures_for_case(id)?))
}

/// The case's disclosure log as a 提供記録 PDF, saved where the user chooses.
#[tauri::command(rename_all = "snake_case")]
pub async fn disclosures_pdf<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    case_id: String,
    lang: Lang,
) -> IpcResult<ExportResult> {
    let id = parse_id(&case_id, "case_id")?;
    let request = gate::Request {
        source: gate::Source::DisclosureLog {
            case: Some(id),
            document: None,
        },
        own_use: gate::OwnUse::KeptOnRecord,
        ..gate::Request::defaults(lang)
    };
    let name = match lang {
        Lang::Ja => format!("提供記録_{}.pdf", chrono::Local::now().format("%Y%m%d")),
        Lang::En => format!(
            "disclosure-log_{}.pdf",
            chrono::Local::now().format("%Y%m%d")
        ),
    };
    save_through_gate(&app, &state, &name, &request)
}
