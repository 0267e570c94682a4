//! The app's settings: not sensitive (language, date style, idle lock, backup folder), so they live
//! in a plain JSON file beside the database's directory and are readable before unlocking.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use taiwa::i18n::Lang;
use taiwa::pdf::Era;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
#[ts(export)]
pub struct Settings {
    pub lang: Lang,
    pub era: Era,
    /// Lock after this many minutes without activity; 0: never.
    pub idle_lock_minutes: u32,
    pub backup_dir: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lang: Lang::Ja,
            era: Era::Seireki,
            idle_lock_minutes: 10,
            backup_dir: None,
        }
    }
}

/// Longest idle time a user may set: a day.
pub const MAX_IDLE_MINUTES: u32 = 24 * 60;

pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("jp", "Taiwa", "Taiwa")
        .map(|d| d.config_dir().join("settings.json"))
}

/// The saved settings, or the defaults when there are none or the file is unreadable (it is then
/// left alone until the user saves new settings).
pub fn load(path: &Path) -> Settings {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Written beside and renamed over, so a crash leaves the old file or the new one.
pub fn save(path: &Path, settings: &Settings) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    let json = serde_json::to_vec_pretty(settings).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, path)
}
