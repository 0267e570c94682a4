//! Automatic backups: once a day while the database is open, and when the window closes or the
//! session locks; rotated by the core (7 daily, 4 weekly). The folder is the setting, or `backups`
//! beside the database. The last outcome is kept for the settings screen.

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use serde::Serialize;
use std::path::PathBuf;
use taiwa::store::Store;
use taiwa::store::backup::backups_in;

/// The last backup this session made or tried.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
pub struct BackupStatus {
    /// The folder backups go to.
    pub dir: String,
    /// The newest backup file there, and when it was made (local time, YYYY-MM-DD HH:MM:SS).
    pub latest: Option<String>,
    pub latest_at: Option<String>,
    /// Why the last attempt failed (None: it worked, or none was tried).
    pub error: Option<IpcError>,
}

pub fn folder(state: &AppState) -> PathBuf {
    let set = state
        .settings()
        .ok()
        .and_then(|s| s.backup_dir)
        .filter(|d| !d.trim().is_empty());
    match set {
        Some(d) => PathBuf::from(d),
        None => state
            .db_path
            .parent()
            .map_or_else(|| PathBuf::from("backups"), |p| p.join("backups")),
    }
}

/// Backs the open store up into the folder (the default folder is created; a folder the user
/// chose is not: if it vanished, that is said).
pub fn run(state: &AppState, store: &Store) -> IpcResult<PathBuf> {
    let dir = folder(state);
    let chosen = state.settings().ok().and_then(|s| s.backup_dir).is_some();
    if !chosen {
        std::fs::create_dir_all(&dir).map_err(|e| {
            IpcError::new(
                "backup.folder",
                format!("バックアップ用フォルダ {} を作れません: {e}", dir.display()),
                format!("cannot create the backup folder {}: {e}", dir.display()),
            )
        })?;
    }
    let result = store.backup_to(&dir).map_err(IpcError::from);
    if let Ok(mut last) = state.backup_error.lock() {
        *last = result.as_ref().err().cloned();
    }
    result
}

/// Whether the newest backup in the folder is more than a day old (or there is none).
pub fn due(state: &AppState) -> bool {
    let newest = backups_in(&folder(state))
        .ok()
        .and_then(|b| b.first().map(|(t, _)| *t));
    match newest {
        None => true,
        Some(t) => chrono::Local::now().naive_local() - t > chrono::Duration::hours(24),
    }
}

/// A backup if one is due, on the open store (quietly; the outcome shows in the settings).
pub fn daily(state: &AppState) {
    if !due(state) {
        return;
    }
    if let Ok(guard) = state.store.lock()
        && let Some(store) = guard.as_ref()
    {
        let _ = run(state, store);
    }
}

/// A backup of the open store before it closes (window closed, session locked).
pub fn on_close(state: &AppState) {
    if let Ok(guard) = state.store.lock()
        && let Some(store) = guard.as_ref()
    {
        let _ = run(state, store);
    }
}

pub fn status(state: &AppState) -> BackupStatus {
    let dir = folder(state);
    let newest = backups_in(&dir).ok().and_then(|b| b.into_iter().next());
    BackupStatus {
        dir: dir.display().to_string(),
        latest: newest.as_ref().map(|(_, p)| p.display().to_string()),
        latest_at: newest.map(|(t, _)| t.format("%Y-%m-%d %H:%M:%S").to_string()),
        error: state.backup_error.lock().ok().and_then(|e| e.clone()),
    }
}
