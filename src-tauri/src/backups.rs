//! Automatic backups: once a day while the database is open, and when the window closes or the
//! session locks; rotated by the core (7 daily, 4 weekly). The folder is the setting, or `backups`
//! beside the database. The last outcome is kept for the settings screen.

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use serde::Serialize;
use std::path::{Path, PathBuf};
use taiwa::store::backup::backups_of;
use taiwa::store::{OpenMode, Store};

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
    /// Every backup in the folder, newest first: what can be restored.
    pub backups: Vec<BackupFile>,
}

/// One backup file in the folder.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct BackupFile {
    pub path: String,
    /// When it was made (local time, YYYY-MM-DD HH:MM:SS), from its name.
    pub at: String,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// What restoring a backup did.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RestoreOutcome {
    pub documents: usize,
    pub revisions: usize,
    /// Where the database that was replaced is kept.
    pub previous: Option<String>,
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
    let newest = backups_of(&folder(state), &state.db_path)
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
    let all = backups_of(&dir, &state.db_path).unwrap_or_default();
    let at = |t: &chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S").to_string();
    BackupStatus {
        dir: dir.display().to_string(),
        latest: all.first().map(|(_, p)| p.display().to_string()),
        latest_at: all.first().map(|(t, _)| at(t)),
        error: state.backup_error.lock().ok().and_then(|e| e.clone()),
        backups: all
            .iter()
            .map(|(t, p)| BackupFile {
                path: p.display().to_string(),
                at: at(t),
                bytes: std::fs::metadata(p).map_or(0, |m| m.len()),
            })
            .collect(),
    }
}

/// Restores a backup over the database: verified first while the open store (if any) stays open,
/// then the store is closed, the copy swapped in, and opened with the backup's passphrase. The
/// replaced database is kept beside it. If the backup does not verify, nothing changes.
/// While locked, a restore replaces the database only for someone its passphrase opens, or when it
/// cannot be opened at all (missing, damaged: the rescue the unlock screen offers). A backup that
/// merely opens with its own passphrase proves nothing about the database it would replace.
fn check_owner_while_locked(state: &AppState, passphrase: &str) -> IpcResult<()> {
    if !taiwa::store::is_database_file(&state.db_path) {
        return Ok(());
    }
    match Store::open(&state.db_path, passphrase, OpenMode::ExistingOnly) {
        Ok(_) => Ok(()),
        Err(taiwa::store::StoreError::WrongPassphrase { .. }) => Err(IpcError::new(
            "session.locked",
            "ロックされています。いまのデータベースのパスフレーズで復元してください(このパスフレーズでは開けません)",
            "Taiwa is locked: restore with the passphrase of the current database (this one does not open it)",
        )),
        // Damaged (a page or the WAL): the restore is the way out.
        Err(
            taiwa::store::StoreError::Damaged { .. } | taiwa::store::StoreError::WalDamaged { .. },
        ) => Ok(()),
        // Busy, not permitted, too new …: not a reason to replace it from the lock screen.
        Err(e) => Err(e.into()),
    }
}

pub fn restore(state: &AppState, backup: &Path, passphrase: &str) -> IpcResult<RestoreOutcome> {
    state.touch();
    if !state.unlocked() {
        check_owner_while_locked(state, passphrase)?;
    }
    let staged = taiwa::store::backup::stage(backup, &state.db_path, passphrase)?;
    state.set_store(None)?;
    let restored = staged.swap()?;
    let store = Store::open(&state.db_path, passphrase, OpenMode::ExistingOnly)?;
    state.set_store(Some(store))?;
    Ok(RestoreOutcome {
        documents: restored.documents,
        revisions: restored.revisions,
        previous: restored.previous.map(|p| p.display().to_string()),
    })
}
