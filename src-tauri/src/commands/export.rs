//! Export: a preview of exactly what leaves, then the PDF written where the user chooses (the save
//! dialog runs in Rust), then opening it in the system viewer.

use super::cases::parse_id;
use super::templates::template;
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use taiwa::i18n::Lang;
use taiwa::pdf::{DisclosurePreview, Era, ExportOptions, ExportPreview, RevisionRef};
use taiwa::provide;
use taiwa::store::DocumentView;
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
    /// None: the person's own copy (or kept in-house). Some: a copy for this recipient, holding
    /// only what their valid consents cover; refused when none holds.
    pub recipient: Option<String>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ExportResult {
    /// None: the user closed the save dialog; nothing was written.
    pub path: Option<String>,
    #[ts(type = "number")]
    pub bytes: u64,
}

fn head(state: &AppState, id: &str) -> IpcResult<DocumentView> {
    let id = parse_id(id, "document_id")?;
    state.with_store(|s| Ok(s.document(&id.to_string())?))
}

fn options(req: &ExportRequest, view: &DocumentView) -> ExportOptions {
    ExportOptions {
        era: req.era,
        parts: req.parts.clone(),
        revision: Some(RevisionRef {
            seq: view.seq,
            sha256: view.sha256.clone(),
        }),
        ..ExportOptions::new(req.lang)
    }
}

#[tauri::command(rename_all = "snake_case")]
pub async fn export_preview(
    state: State<'_, AppState>,
    request: ExportRequest,
) -> IpcResult<ExportPreview> {
    let view = head(&state, &request.id)?;
    let t = template(&view.record.template)?;
    Ok(taiwa::pdf::preview(
        &view.record,
        t,
        &options(&request, &view),
    )?)
}

fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn provide_request(req: &ExportRequest) -> provide::Request {
    provide::Request {
        id: req.id.clone(),
        lang: req.lang,
        era: req.era,
        parts: req.parts.clone(),
        recipient: req.recipient.clone().filter(|r| !r.trim().is_empty()),
        // The round trip (Part A for the clinician and back) is the CLI's for now.
        kind: taiwa::exchange::Kind::Export,
    }
}

/// Field by field what the recipient's copy holds and why; refused (with the reason) when no
/// valid consent of that recipient covers the document.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_recipient_preview(
    state: State<'_, AppState>,
    request: ExportRequest,
) -> IpcResult<Option<DisclosurePreview>> {
    let req = provide_request(&request);
    state.with_store(|s| Ok(provide::preview_for(s, &req)?))
}

/// Writes `bytes` where the user chooses (TAIWA_EXPORT_DIR for scripted runs), owner-only, and
/// remembers the path so that `export_open` may open it. None: the dialog was closed.
pub fn save_pdf<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    name: &str,
    bytes: &[u8],
) -> IpcResult<ExportResult> {
    // For scripted use and the end-to-end tests: no dialog, the file goes into this folder.
    let path: Option<PathBuf> = match std::env::var_os("TAIWA_EXPORT_DIR") {
        Some(dir) => Some(PathBuf::from(dir).join(name)),
        None => app
            .dialog()
            .file()
            .add_filter("PDF", &["pdf"])
            .set_file_name(name)
            .blocking_save_file()
            .and_then(|p| p.into_path().ok()),
    };
    let Some(path) = path else {
        return Ok(ExportResult {
            path: None,
            bytes: 0,
        });
    };
    write_file(&path, bytes).map_err(|e| {
        IpcError::new(
            "export.write",
            format!("{} に書き込めません: {e}", path.display()),
            format!("cannot write {}: {e}", path.display()),
        )
    })?;
    if let Ok(mut set) = state.exported.lock() {
        set.insert(path.clone());
    }
    Ok(ExportResult {
        path: Some(path.display().to_string()),
        bytes: bytes.len() as u64,
    })
}

/// Makes the PDF (a recipient's copy only within their consents), saves it, and logs the
/// disclosure; a file that cannot be logged is deleted again and the export fails.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_save<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: ExportRequest,
) -> IpcResult<ExportResult> {
    let req = provide_request(&request);
    let prepared = state.with_store(|s| Ok(provide::prepare(s, &req)?))?;
    let title = prepared
        .template
        .title
        .get(request.lang)
        .replace([' ', '　', '/'], "");
    let name = match &prepared.copy {
        Some(c) => format!(
            "{title}_{}_{}.pdf",
            c.recipient.replace([' ', '　', '/', '\\', ':'], ""),
            chrono::Local::now().format("%Y%m%d")
        ),
        None => format!("{title}_{}.pdf", chrono::Local::now().format("%Y%m%d")),
    };
    let result = save_pdf(&app, &state, &name, &prepared.bytes)?;
    let Some(path) = &result.path else {
        return Ok(result);
    };
    if let Err(e) = state.with_store(|s| Ok(provide::log(s, &prepared)?)) {
        let removed = std::fs::remove_file(path).is_ok();
        let (ja, en) = if removed {
            ("ファイルは削除しました", "the file was deleted")
        } else {
            (
                "ファイルを削除できませんでした。渡さずに手で削除してください",
                "the file could not be deleted: do not hand it over, delete it by hand",
            )
        };
        return Err(IpcError::new(
            "export.unlogged",
            format!(
                "提供記録に記録できなかったため出力を取り消しました({}): {ja}",
                e.ja
            ),
            format!(
                "the export was undone because it could not be logged ({}): {en}",
                e.en
            ),
        ));
    }
    Ok(result)
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
