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
use taiwa::pdf::{Era, ExportOptions, ExportPreview, RevisionRef};
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

#[tauri::command(rename_all = "snake_case")]
pub async fn export_save<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: ExportRequest,
) -> IpcResult<ExportResult> {
    let view = head(&state, &request.id)?;
    let t = template(&view.record.template)?;
    let pdf = taiwa::pdf::export(&view.record, t, &options(&request, &view))?;
    let name = format!(
        "{}_{}.pdf",
        t.title.get(request.lang).replace([' ', '　', '/'], ""),
        chrono::Local::now().format("%Y%m%d")
    );
    // For scripted use and the end-to-end tests: no dialog, the file goes into this folder.
    let path: Option<PathBuf> = match std::env::var_os("TAIWA_EXPORT_DIR") {
        Some(dir) => Some(PathBuf::from(dir).join(&name)),
        None => app
            .dialog()
            .file()
            .add_filter("PDF", &["pdf"])
            .set_file_name(&name)
            .blocking_save_file()
            .and_then(|p| p.into_path().ok()),
    };
    let Some(path) = path else {
        return Ok(ExportResult {
            path: None,
            bytes: 0,
        });
    };
    write_file(&path, &pdf).map_err(|e| {
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
        bytes: pdf.len() as u64,
    })
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
