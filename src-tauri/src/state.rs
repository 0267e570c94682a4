//! What the shell holds between commands: where the database is, the open store while unlocked,
//! the settings, the last activity (for the idle lock) and the files this session exported.

use crate::error::{IpcError, IpcResult};
use crate::settings::Settings;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use taiwa::store::Store;

pub struct AppState {
    pub db_path: PathBuf,
    pub settings_path: PathBuf,
    pub store: Mutex<Option<Store>>,
    pub settings: Mutex<Settings>,
    pub last_activity: Mutex<Instant>,
    /// The idle warning was sent for the current pause (cleared by any activity).
    idle_warned: AtomicBool,
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
            idle_warned: AtomicBool::new(false),
            exported: Mutex::new(HashSet::new()),
            backup_error: Mutex::new(None),
        }
    }

    /// How long since the last command (zero if that cannot be read: never idle by mistake).
    fn idle_for(&self) -> Duration {
        self.last_activity
            .lock()
            .map_or(Duration::ZERO, |t| t.elapsed())
    }

    pub fn touch(&self) {
        if let Ok(mut t) = self.last_activity.lock() {
            *t = Instant::now();
        }
        self.idle_warned.store(false, Ordering::Relaxed);
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

    /// How long a pause locks the session, from the setting; None: never.
    fn idle_lock_after(&self) -> Option<Duration> {
        let minutes = self.settings.lock().map_or(0, |s| s.idle_lock_minutes);
        if minutes == 0 {
            return None;
        }
        let set = Duration::from_secs(u64::from(minutes) * 60);
        // Debug and test builds only: TAIWA_IDLE_LOCK_SECONDS shortens the lock (never lengthens
        // it, never turns it on), so the end-to-end tests need not wait minutes.
        #[cfg(debug_assertions)]
        if let Some(secs) = std::env::var("TAIWA_IDLE_LOCK_SECONDS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| *s > 0)
        {
            return Some(set.min(Duration::from_secs(secs)));
        }
        Some(set)
    }

    /// The seconds left before the idle lock, once per pause, when the warning is due: a minute
    /// before the lock (half the time, when the lock comes after a minute or less), so that the
    /// person can go on without losing the meeting's thread.
    pub fn idle_warning_due(&self) -> Option<u64> {
        let after = self.idle_lock_after()?;
        let lead = (after / 2).min(Duration::from_secs(60));
        let idle = self.idle_for();
        if idle + lead < after || idle >= after || !self.unlocked() {
            return None;
        }
        if self.idle_warned.swap(true, Ordering::Relaxed) {
            return None;
        }
        Some((after - idle).as_secs().max(1))
    }

    /// Locks when the idle time has passed; true when it did.
    pub fn lock_if_idle(&self) -> bool {
        let Some(after) = self.idle_lock_after() else {
            return false;
        };
        if self.idle_for() < after {
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
        if self.idle_for() < Duration::from_secs(3) {
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

    fn idle(state: &AppState, secs: u64) {
        *state.last_activity.lock().unwrap() = Instant::now() - Duration::from_secs(secs);
    }

    #[test]
    fn the_idle_warning_comes_once_a_minute_before_the_lock_and_activity_starts_it_over() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("taiwa.db");
        let state = AppState::new(db.clone(), dir.path().join("settings.json"));
        let store = Store::open(&db, "架空の合言葉 staple", OpenMode::CreateIfMissing).unwrap();
        *state.store.lock().unwrap() = Some(store);
        state.settings.lock().unwrap().idle_lock_minutes = 10;

        idle(&state, 8 * 60);
        assert_eq!(
            state.idle_warning_due(),
            None,
            "two minutes left: no warning yet"
        );
        idle(&state, 9 * 60 + 5);
        let left = state.idle_warning_due().expect("a minute before the lock");
        assert!((50..=55).contains(&left), "{left} s left");
        assert_eq!(state.idle_warning_due(), None, "once per pause");
        assert!(!state.lock_if_idle(), "the warning is not the lock");

        // Activity (a key, 「続ける」, a save) starts the pause over, and warns again next time.
        state.touch();
        assert_eq!(state.idle_warning_due(), None);
        idle(&state, 9 * 60 + 30);
        assert!(state.idle_warning_due().is_some(), "warned again");

        // A one-minute lock warns halfway; a lock turned off never warns.
        state.settings.lock().unwrap().idle_lock_minutes = 1;
        state.touch();
        idle(&state, 25);
        assert_eq!(state.idle_warning_due(), None);
        idle(&state, 31);
        assert!(state.idle_warning_due().is_some());
        state.settings.lock().unwrap().idle_lock_minutes = 0;
        state.touch();
        idle(&state, 24 * 60 * 60);
        assert_eq!(state.idle_warning_due(), None);
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
