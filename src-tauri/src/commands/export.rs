//! Export: a preview of exactly what leaves, then the PDF written where the user chooses (the save
//! dialog runs in Rust), then opening it in the system viewer.

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use taiwa::gate::{self, Format, OwnUse, Sink, Source};
use taiwa::i18n::Lang;
use taiwa::pdf::{DisclosurePreview, Era, ExportPreview};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
pub struct ExportRequest {
    pub id: String,
    pub lang: Lang,
    pub era: Era,
    /// Work-consideration parts to export alone; None: the whole document.
    pub parts: Option<Vec<String>>,
    /// None: a copy with no recipient (`own_use` says why). Some: a copy for this recipient,
    /// holding only what their valid consents cover; refused when none holds.
    pub recipient: Option<String>,
    /// Without a recipient: 本人控え (the person's copy) or 記録保管 (kept on record); logged.
    #[serde(default)]
    pub own_use: OwnUse,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ExportResult {
    /// None: the user closed the save dialog; nothing was written.
    pub path: Option<String>,
    #[ts(type = "number")]
    pub bytes: u64,
}

fn gate_request(req: &ExportRequest) -> IpcResult<gate::Request> {
    let id = super::cases::parse_id(&req.id, "document_id")?;
    let recipient = req.recipient.clone().filter(|r| !r.trim().is_empty());
    Ok(gate::Request {
        source: Source::Stored(id),
        format: Format::Pdf,
        lang: req.lang,
        era: req.era,
        parts: req.parts.clone(),
        recipient,
        own_use: req.own_use,
        // The round trip (Part A for the clinician and back) is the CLI's for now.
        kind: taiwa::exchange::Kind::Export,
    })
}

/// What the file would print, decided as the file would be (through the gate).
#[tauri::command(rename_all = "snake_case")]
pub async fn export_preview(
    state: State<'_, AppState>,
    request: ExportRequest,
) -> IpcResult<ExportPreview> {
    let req = gate_request(&request)?;
    state.with_store(|s| Ok(gate::preview(s, &req)?))
}

/// Field by field what the recipient's copy holds and why; refused (with the reason) when no
/// valid consent of that recipient covers the document.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_recipient_preview(
    state: State<'_, AppState>,
    request: ExportRequest,
) -> IpcResult<Option<DisclosurePreview>> {
    let req = gate_request(&request)?;
    state.with_store(|s| Ok(gate::preview_for(s, &req)?))
}

/// Where the user wants the file: the save dialog (in Rust). Debug and test builds only: with
/// TAIWA_EXPORT_DIR set, that folder without a dialog (the end-to-end tests).
fn choose_path<R: Runtime>(app: &AppHandle<R>, name: &str) -> Option<PathBuf> {
    #[cfg(debug_assertions)]
    if let Some(dir) = std::env::var_os("TAIWA_EXPORT_DIR") {
        return Some(PathBuf::from(dir).join(name));
    }
    app.dialog()
        .file()
        .add_filter("PDF", &["pdf"])
        .set_file_name(name)
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
}

/// Saves a file of `req` where the user chooses: the gate decides again once the path is chosen
/// (a consent withdrawn while the dialog was open is honoured), renders, writes owner-only and
/// logs, or deletes the file when it cannot be logged. Remembers the path for `export_open`.
/// None: the dialog was closed, nothing was written.
pub fn save_through_gate<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    name: &str,
    req: &gate::Request,
) -> IpcResult<ExportResult> {
    let Some(path) = choose_path(app, name) else {
        return Ok(ExportResult {
            path: None,
            bytes: 0,
        });
    };
    let released = state.with_store(|s| {
        let prepared = gate::prepare(Some(s), req)?;
        Ok(gate::deliver(Some(s), prepared, Sink::File(&path))?)
    })?;
    if let Ok(mut set) = state.exported.lock() {
        set.insert(path.clone());
    }
    Ok(ExportResult {
        path: Some(path.display().to_string()),
        bytes: released.bytes,
    })
}

/// Makes the PDF (a recipient's copy only within their consents), saves it, and logs the
/// disclosure, all through the gate.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_save<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: ExportRequest,
) -> IpcResult<ExportResult> {
    let req = gate_request(&request)?;
    // Decided once before the dialog: a refusal is told before a path is asked for, and the
    // file's name says what it is and for whom.
    let (title, recipient) = state.with_store(|s| {
        let planned = gate::plan(Some(s), &req)?;
        Ok((
            planned
                .template()
                .map(|t| t.title.get(request.lang).replace([' ', '　', '/'], ""))
                .unwrap_or_default(),
            planned.recipient().map(str::to_string),
        ))
    })?;
    let name = match &recipient {
        Some(to) => format!(
            "{title}_{}_{}.pdf",
            to.replace([' ', '　', '/', '\\', ':'], ""),
            chrono::Local::now().format("%Y%m%d")
        ),
        // Which copy it is, so that the person's copy and the one kept on record are told apart
        // (and one is not offered the other's name to replace).
        None => format!(
            "{title}_{}_{}.pdf",
            match (request.own_use, request.lang) {
                (OwnUse::KeptOnRecord, Lang::Ja) => "記録保管",
                (OwnUse::KeptOnRecord, Lang::En) => "kept-on-record",
                (_, Lang::Ja) => "本人控え",
                (_, Lang::En) => "person-copy",
            },
            chrono::Local::now().format("%Y%m%d")
        ),
    };
    save_through_gate(&app, &state, &name, &req)
}

/// Saves the 見本 (sample) PDF of a form where the user chooses, like an export: the form's
/// built-in fictional record marked 見本 on every page. Only a form id crosses from the web view,
/// never a path to read or a document, so nothing but a built-in sample can leave this way; it
/// is no one's record, so it asks for no consent and is not logged (`taiwa::gate::sample`).
#[tauri::command(rename_all = "snake_case")]
pub async fn sample_pdf_save<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    template: String,
    lang: Lang,
) -> IpcResult<ExportResult> {
    let req = gate::Request {
        source: Source::Sample { template },
        ..gate::Request::defaults(lang)
    };
    // Refused (an unknown form) before the dialog asks for a path.
    let title = gate::plan(None, &req)?
        .template()
        .map(|t| t.title.get(lang).replace([' ', '　', '/'], ""))
        .unwrap_or_default();
    let name = match lang {
        Lang::Ja => format!("見本_{title}.pdf"),
        Lang::En => format!("sample_{title}.pdf"),
    };
    save_through_gate(&app, &state, &name, &req)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn export_open<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> IpcResult<()> {
    let path = PathBuf::from(path);
    let known = state.exported.lock().is_ok_and(|s| s.contains(&path));
    if !known {
        return Err(IpcError::bad_input(
            "path",
            "このセッションで出力したファイルだけを開けます",
            "only files exported in this session can be opened",
        ));
    }
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| {
            IpcError::new(
                "export.open",
                format!("PDF を開けません: {e}"),
                format!("cannot open the PDF: {e}"),
            )
        })
}
