//! First run, unlock, lock, idle lock and settings.

use crate::error::{IpcError, IpcResult};
use crate::settings::{MAX_IDLE_MINUTES, Settings};
use crate::state::AppState;
use serde::Serialize;
use taiwa::i18n::Text;
use taiwa::store::{OpenMode, Store, is_database_file};
use tauri::State;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AppStatus {
    pub version: String,
    pub db_path: String,
    pub db_exists: bool,
    pub unlocked: bool,
    pub settings: Settings,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Strength {
    /// 0 (guessed at once) to 4 (very hard to guess), zxcvbn's estimate.
    pub score: u8,
    /// Strong enough to protect health data: score 3 or more.
    pub acceptable: bool,
    pub feedback: Text,
}

/// The core's rule (taiwa::passphrase), with its words for the screen.
pub fn strength(passphrase: &str) -> Strength {
    let score = taiwa::passphrase::score(passphrase);
    Strength {
        score,
        acceptable: score >= taiwa::passphrase::MIN_SCORE,
        feedback: taiwa::passphrase::feedback(score),
    }
}

pub fn status(state: &AppState) -> IpcResult<AppStatus> {
    Ok(AppStatus {
        version: env!("CARGO_PKG_VERSION").to_string(),
        db_path: state.db_path.display().to_string(),
        db_exists: is_database_file(&state.db_path),
        unlocked: state.unlocked(),
        settings: state.settings()?,
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn app_status(state: State<'_, AppState>) -> IpcResult<AppStatus> {
    status(&state)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn passphrase_strength(passphrase: String) -> IpcResult<Strength> {
    let passphrase = taiwa::passphrase::Secret::new(passphrase);
    Ok(strength(&passphrase))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn session_create(
    state: State<'_, AppState>,
    passphrase: String,
) -> IpcResult<AppStatus> {
    // Wiped when dropped (IPC hands it over as a String).
    let passphrase = taiwa::passphrase::Secret::new(passphrase);
    if is_database_file(&state.db_path) {
        return Err(IpcError::new(
            "session.exists",
            "データベースは既にあります。パスフレーズを入力して開いてください",
            "a database already exists; unlock it with its passphrase",
        ));
    }
    if !strength(&passphrase).acceptable {
        return Err(IpcError::new(
            "session.weak_passphrase",
            "パスフレーズが弱すぎます。語を足して強くしてください",
            "the passphrase is too weak; add words to make it stronger",
        ));
    }
    let store = Store::open(&state.db_path, &passphrase, OpenMode::CreateIfMissing)?;
    state.set_store(Some(store))?;
    status(&state)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn session_unlock(
    state: State<'_, AppState>,
    passphrase: String,
) -> IpcResult<AppStatus> {
    let passphrase = taiwa::passphrase::Secret::new(passphrase);
    let store = Store::open(&state.db_path, &passphrase, OpenMode::ExistingOnly)?;
    state.set_store(Some(store))?;
    status(&state)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn session_lock(state: State<'_, AppState>) -> IpcResult<AppStatus> {
    crate::backups::on_close(&state);
    state.set_store(None)?;
    status(&state)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn session_touch(state: State<'_, AppState>) -> IpcResult<()> {
    state.touch();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn settings_set(state: State<'_, AppState>, settings: Settings) -> IpcResult<Settings> {
    // The backup folder and the idle lock are the owner's to change, not the lock screen's (a
    // backup folder set there would send the next backups elsewhere). The display language and
    // era are not data: the lock screen's language switch keeps working.
    if !state.unlocked() {
        let now = state.settings()?;
        if settings.backup_dir != now.backup_dir
            || settings.idle_lock_minutes != now.idle_lock_minutes
        {
            return Err(IpcError::locked());
        }
    }
    if settings.idle_lock_minutes > MAX_IDLE_MINUTES {
        return Err(IpcError::bad_input(
            "idle_lock_minutes",
            "自動ロックまでの時間は 1440 分(1日)以内にしてください",
            "the idle lock can be at most 1440 minutes (a day)",
        ));
    }
    crate::settings::save(&state.settings_path, &settings).map_err(|e| {
        IpcError::new(
            "settings.write",
            format!(
                "設定を保存できません({}): {e}",
                state.settings_path.display()
            ),
            format!(
                "cannot save the settings to {}: {e}",
                state.settings_path.display()
            ),
        )
    })?;
    if let Ok(mut s) = state.settings.lock() {
        *s = settings.clone();
    }
    Ok(settings)
}

/// Where backups go and the newest one.
#[tauri::command(rename_all = "snake_case")]
pub async fn backup_status(state: State<'_, AppState>) -> IpcResult<crate::backups::BackupStatus> {
    Ok(crate::backups::status(&state))
}

/// A backup now (the settings screen's button).
#[tauri::command(rename_all = "snake_case")]
pub async fn backup_now(state: State<'_, AppState>) -> IpcResult<crate::backups::BackupStatus> {
    state.with_store(|s| {
        crate::backups::run(&state, s)?;
        Ok(())
    })?;
    Ok(crate::backups::status(&state))
}

/// Restores a backup (one of `backup_status`'s list, or a file the user chose) with its passphrase.
#[tauri::command(rename_all = "snake_case")]
pub async fn backup_restore(
    state: State<'_, AppState>,
    path: String,
    passphrase: String,
) -> IpcResult<crate::backups::RestoreOutcome> {
    if path.trim().is_empty() {
        return Err(IpcError::bad_input(
            "path",
            "復元するバックアップを選んでください",
            "choose the backup to restore",
        ));
    }
    let passphrase = taiwa::passphrase::Secret::new(passphrase);
    crate::backups::restore(&state, std::path::Path::new(&path), &passphrase)
}
