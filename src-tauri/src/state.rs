//! What the shell holds between commands: where the database is, the open store while unlocked,
//! the settings, the last activity (for the idle lock) and the files this session exported.

use crate::error::{IpcError, IpcResult};
use crate::settings::Settings;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;
use taiwa::store::Store;

pub struct AppState {
    pub db_path: PathBuf,
    pub settings_path: PathBuf,
    pub store: Mutex<Option<Store>>,
    pub settings: Mutex<Settings>,
    pub last_activity: Mutex<Instant>,
    /// Only files written by `export_save` may be opened by `export_open`.
    pub exported: Mutex<HashSet<PathBuf>>,
    /// Why the last backup failed (None: it worked, or none was tried).
    pub backup_error: Mutex<Option<IpcError>>,
}

fn poisoned() -> IpcError {
    IpcError::new(
        "app.internal",
        "内部エラーが発生しました。アプリを再起動してください(保存済みのデータは無事です)",
        "internal error; restart the app (saved data is intact)",
    )
}

impl AppState {
    pub fn new(db_path: PathBuf, settings_path: PathBuf) -> AppState {
        let settings = crate::settings::load(&settings_path);
        AppState {
            db_path,
            settings_path,
            store: Mutex::new(None),
            settings: Mutex::new(settings),
            last_activity: Mutex::new(Instant::now()),
            exported: Mutex::new(HashSet::new()),
            backup_error: Mutex::new(None),
        }
    }

    /// How long since the last command (zero if that cannot be read: never idle by mistake).
    fn idle_for(&self) -> std::time::Duration {
        self.last_activity
            .lock()
            .map_or(std::time::Duration::ZERO, |t| t.elapsed())
    }

    pub fn touch(&self) {
        if let Ok(mut t) = self.last_activity.lock() {
            *t = Instant::now();
        }
    }

    pub fn settings(&self) -> IpcResult<Settings> {
        Ok(self.settings.lock().map_err(|_| poisoned())?.clone())
    }

    pub fn unlocked(&self) -> bool {
        self.store.lock().is_ok_and(|s| s.is_some())
    }

    /// Runs `f` on the open store; "locked" when there is none.
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> IpcResult<T>) -> IpcResult<T> {
        self.touch();
        let mut guard = self.store.lock().map_err(|_| poisoned())?;
        let store = guard.as_mut().ok_or_else(IpcError::locked)?;
        if !store.file_present() {
            let path = store.path().to_path_buf();
            // Written back, the copy is opened afresh with the passphrase; until then the old
            // connection would keep writing to the unlinked file. If it cannot be written back,
            // the store stays open (its data lives only there) and the next command tries again.
            let rescued = store.rescue()?;
            *guard = None;
            return Err(taiwa::store::StoreError::FileGone {
                path,
                rescued: Some(rescued),
            }
            .into());
        }
        f(store)
    }

    pub fn set_store(&self, store: Option<Store>) -> IpcResult<()> {
        *self.store.lock().map_err(|_| poisoned())? = store;
        self.touch();
        Ok(())
    }

    /// Locks when the idle time has passed; true when it did.
    pub fn lock_if_idle(&self) -> bool {
        let minutes = self.settings.lock().map_or(0, |s| s.idle_lock_minutes);
        if minutes == 0 {
            return false;
        }
        if self.idle_for().as_secs() < u64::from(minutes) * 60 {
            return false;
        }
        crate::backups::on_close(self);
        match self.store.lock() {
            Ok(mut s) if s.is_some() => {
                *s = None;
                true
            }
            _ => false,
        }
    }

    /// Once the user has paused, does what saves leave for later, so that no save has to: brings
    /// the search index up to date (store/search.rs) and copies the WAL into the database
    /// (store/upkeep.rs). Never waits for the store: a command holding it is activity.
    pub fn tidy_if_idle(&self) {
        if self.idle_for() < std::time::Duration::from_secs(3) {
            return;
        }
        let Ok(mut guard) = self.store.try_lock() else {
            return;
        };
        let Some(store) = guard.as_mut() else {
            return;
        };
        // Nothing is lost either way: the texts stay pending (the next search indexes them
        // first) and the WAL keeps the data (the next tidy or close copies it).
        if let Err(err) = store.catch_up_search() {
            eprintln!(
                "search index update failed (will retry) / 検索索引の更新に失敗（再試行します）: {err}"
            );
        }
        if let Err(err) = store.tidy() {
            eprintln!(
                "WAL checkpoint failed (will retry) / WALの書き戻しに失敗（再試行します）: {err}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AppState;
    use std::time::{Duration, Instant};
    use taiwa::store::{OpenMode, Store};

    fn pending(state: &AppState) -> i64 {
        let guard = state.store.lock().unwrap();
        let store = guard.as_ref().unwrap();
        store
            .connection()
            .query_row("SELECT count(*) FROM search_pending", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn the_idle_upkeep_indexes_what_saves_left_and_checkpoints_only_once_the_user_pauses() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("taiwa.db");
        let state = AppState::new(db.clone(), dir.path().join("settings.json"));
        let mut store = Store::open(&db, "架空の合言葉 staple", OpenMode::CreateIfMissing).unwrap();
        let mut record = taiwa::record::parse_record(
            include_bytes!("../../samples/dialogue-record.json"),
            store.registry(),
        )
        .unwrap();
        record.status = taiwa::record::DocStatus::Draft;
        record.fields.insert(
            "good_day".into(),
            serde_json::Value::String("ケヤキ並木を歩いて通う日".into()),
        );
        store.save_record(&record, None).unwrap();
        *state.store.lock().unwrap() = Some(store);
        assert_eq!(pending(&state), 1);

        // Active a moment ago: nothing is done, the store is left to the user's commands.
        state.touch();
        state.tidy_if_idle();
        assert_eq!(pending(&state), 1);

        // Paused: the text is indexed and the WAL copied into the database file.
        *state.last_activity.lock().unwrap() = Instant::now() - Duration::from_secs(10);
        state.tidy_if_idle();
        assert_eq!(pending(&state), 0);
        let mut guard = state.store.lock().unwrap();
        let store = guard.as_mut().unwrap();
        let indexed: i64 = store
            .connection()
            .query_row(
                "SELECT count(*) FROM search_index WHERE search_index MATCH '\"けやき並木\"'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(indexed, 1);
        assert!(store.tidy().unwrap().done(), "the WAL was already copied");
    }
}
