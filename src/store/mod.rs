//! The encrypted store: one SQLCipher file holding cases, documents, their append-only revisions,
//! consents and disclosures, the files of the round trip (exchanges), plus a search index. Every write is one transaction.
//! Closed cases are kept for the retention setting's years, then deleted on the user's word.

mod autosave;
pub mod backup;
mod batch;
mod cases;
mod consents;
pub mod copies;
mod damage;
mod deletion;
mod disclosures;
mod documents;
mod error;
mod exchanges;
mod import;
mod key;
mod migrate;
mod presence;
mod rekey;
mod retention;
pub mod search;
mod upkeep;
mod verify;
mod wal;
mod wal_guard;

pub use crate::disclosure::{Disclosure, NewDisclosure};
pub use autosave::{Autosave, MAX_AUTOSAVE_BYTES};
pub use batch::{Batch, CheckedRecord, check_record};
pub use cases::{CaseFilter, CaseStatus, CaseSummary, MAX_CASE_TEXT, NewCase};
pub use deletion::{CaseDeletion, DeletionOutcome, DeletionPreview, DeletionReason};
pub use documents::{DocumentSummary, DocumentView, RevisionInfo, SaveOutcome};
pub use error::{BackupFolderProblem, StoreError};
pub use exchanges::{Known, Receipt, ReceivedPart};
pub use import::ImportAs;
pub use migrate::LATEST as SCHEMA_VERSION;
pub use retention::{
    DEFAULT_RETENTION_YEARS, DueCase, MAX_RETENTION_YEARS, MIN_RETENTION_YEARS, PurgeOutcome,
    Retention, parse_retention_years,
};
pub use search::SearchHit;
pub use upkeep::Tidied;
pub use verify::{VerifyFailure, VerifyReport};
pub use wal::WalBreak;

use crate::template::Registry;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// Whether opening may create the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    CreateIfMissing,
    ExistingOnly,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    registry: &'static Registry,
    /// The file opened (device, inode): see presence.rs.
    identity: Option<(u64, u64)>,
    /// The copy of a damaged WAL kept when the store was opened accepting its loss.
    wal_kept: Option<PathBuf>,
}

/// Where the database lives when nothing else is said: the OS data directory
/// (`~/.local/share/taiwa/taiwa.db` on Linux).
pub fn default_db_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("jp", "Taiwa", "Taiwa").map(|d| d.data_dir().join("taiwa.db"))
}

impl Store {
    /// Opens (or creates) the database at `path` with `passphrase`. A wrong passphrase is reported
    /// before anything is written, so the file is left exactly as it was. A WAL whose damage would
    /// make SQLite drop committed transactions is copied aside and the open refused
    /// (`StoreError::WalDamaged`), before SQLite sees the file.
    pub fn open(path: &Path, passphrase: &str, mode: OpenMode) -> Result<Store, StoreError> {
        Store::open_with(path, passphrase, mode, Registry::builtin())
    }

    /// [`Store::open`], going on past a damaged WAL once the user has accepted that the
    /// transactions after the damage are lost: the WAL is still copied aside first (see
    /// [`Store::wal_kept`]), then SQLite opens the database without them.
    pub fn open_accepting_wal_loss(
        path: &Path,
        passphrase: &str,
        mode: OpenMode,
    ) -> Result<Store, StoreError> {
        Store::open_checked(path, passphrase, mode, Registry::builtin(), true)
    }

    pub fn open_with(
        path: &Path,
        passphrase: &str,
        mode: OpenMode,
        registry: &'static Registry,
    ) -> Result<Store, StoreError> {
        Store::open_checked(path, passphrase, mode, registry, false)
    }

    fn open_checked(
        path: &Path,
        passphrase: &str,
        mode: OpenMode,
        registry: &'static Registry,
        accept_wal_loss: bool,
    ) -> Result<Store, StoreError> {
        if passphrase.is_empty() {
            return Err(StoreError::EmptyPassphrase);
        }
        // A zero-byte file holds nothing and would accept any passphrase: it counts as missing.
        let exists = is_database_file(path);
        if !exists {
            if mode == OpenMode::ExistingOnly {
                return Err(StoreError::NoDatabase {
                    path: path.to_path_buf(),
                });
            }
            if !path.exists() {
                create_private_file(path)?;
            }
        }
        let mut wal_kept = None;
        if exists {
            match_journal_modes(path);
            if let Some(damage) = wal_guard::check(path)? {
                if !accept_wal_loss {
                    return Err(damage.into());
                }
                wal_kept = Some(damage.kept);
            }
        }
        let opened = Store::open_existing(path, Some(passphrase), registry);
        if opened.is_err() && !exists {
            // Leave no empty or half-made file behind for the next attempt to trip over.
            remove_with_journal(path);
        }
        opened.map(|mut store| {
            store.wal_kept = wal_kept;
            store
        })
    }

    /// A plain (unencrypted) SQLite file with the same schema, pragmas and code paths, only for
    /// measuring what encryption costs (bench/README.md). Not reachable from the CLI or the app:
    /// the `bench-plain` feature is off in every product build.
    #[cfg(feature = "bench-plain")]
    #[doc(hidden)]
    pub fn open_plain_for_bench(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            create_private_file(path)?;
        }
        Store::open_existing(path, None, Registry::builtin())
    }

    /// `passphrase` None: no key at all (the `bench-plain` measurement only).
    fn open_existing(
        path: &Path,
        passphrase: Option<&str>,
        registry: &'static Registry,
    ) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn =
            Connection::open_with_flags(path, flags).map_err(|e| StoreError::from(e).at(path))?;
        // SQLCipher logs HMAC failures to stderr on a wrong key; the error we return says it better.
        let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
        if let Some(passphrase) = passphrase {
            match key::raw_key_pragma(path, passphrase) {
                Some(raw) => conn.pragma_update(None, "key", raw.as_str())?,
                None => conn.pragma_update(None, "key", passphrase)?,
            }
        }
        // The first read decrypts page 1: with a wrong key it fails here, before any write.
        let readable = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        });
        if let Err(e) = readable {
            return Err(match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::NotADatabase) => {
                    drop(conn);
                    damage::unreadable(path, passphrase.unwrap_or_default())
                }
                _ => locate(&conn, path, e.into()),
            });
        }
        if let Err(e) = Store::settle(&mut conn) {
            return Err(locate(&conn, path, e));
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            registry,
            identity: presence::identity(path),
            wal_kept: None,
        })
    }

    /// Everything after the passphrase check: WAL, sync, foreign keys, migrations.
    fn settle(conn: &mut Connection) -> Result<(), StoreError> {
        // Refuse newer schemas before switching the journal mode, which would write.
        let version = migrate::current_version(conn)?;
        if version > migrate::LATEST {
            return Err(StoreError::TooNew {
                found: version,
                known: migrate::LATEST,
            });
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a saved revision survives a power cut, not only a crash (desktop write rates are low).
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // 32 MiB of decrypted pages instead of SQLite's 2 MiB: at 100,000 documents a search or a
        // case-list filter touches thousands of pages, and each one read again from the file is
        // decrypted and its HMAC checked again. 2-4x on repeated filters (bench/README.md "Scale").
        conn.pragma_update(None, "cache_size", -32_768)?;
        upkeep::configure(conn)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        search::register_functions(conn)?;
        migrate::migrate(conn)?;
        Ok(())
    }

    /// A write in one IMMEDIATE transaction; its errors name the file and the OS's reason (locate).
    pub(crate) fn transact<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let done = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })();
        done.map_err(|e| self.located(e))
    }

    /// `e` with the file named and, for a failed write, the OS's reason (locate).
    pub(crate) fn located(&self, e: StoreError) -> StoreError {
        locate(&self.conn, &self.path, e)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the damaged WAL was copied when this store was opened accepting its loss.
    pub fn wal_kept(&self) -> Option<&Path> {
        self.wal_kept.as_deref()
    }

    pub fn registry(&self) -> &'static Registry {
        self.registry
    }

    pub fn schema_version(&self) -> Result<u32, StoreError> {
        migrate::current_version(&self.conn)
    }

    /// Direct access for tests that need to act as an attacker holding the key.
    #[doc(hidden)]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Names the file in `e`, and turns SQLite's generic I/O error into what the OS said: SQLite
/// reports a full disk as such only on some paths; a write refused for the file size limit
/// (EFBIG) or a full quota, or a read-only file system, arrives as "disk I/O error".
fn locate(conn: &Connection, path: &Path, e: StoreError) -> StoreError {
    use std::io::ErrorKind;
    let io_failure = matches!(&e, StoreError::Sqlite(s)
        if s.sqlite_error_code() == Some(rusqlite::ErrorCode::SystemIoFailure));
    if io_failure {
        // SAFETY: the handle is valid while `conn` lives, and sqlite3_system_errno only reads
        // the OS error code SQLite kept from the connection's last failed call.
        let errno = unsafe { rusqlite::ffi::sqlite3_system_errno(conn.handle()) };
        match std::io::Error::from_raw_os_error(errno).kind() {
            ErrorKind::StorageFull | ErrorKind::FileTooLarge | ErrorKind::QuotaExceeded => {
                return StoreError::DiskFull {
                    path: Some(path.to_path_buf()),
                };
            }
            ErrorKind::ReadOnlyFilesystem => {
                return StoreError::ReadOnly {
                    path: Some(path.to_path_buf()),
                };
            }
            _ => {}
        }
    }
    e.at(path)
}

/// Whether `path` holds a database already (a file with content).
pub fn is_database_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() > 0)
}

/// The database and its WAL are created owner-only: SQLite gives the WAL the database's mode.
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop).map_err(io)
}

/// A file beside `path` whose name is `path`'s with `suffix` appended (`taiwa.db` → `taiwa.db-wal`).
fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// SQLite makes the WAL and shared-memory files with the database's mode. Made while the database
/// was read-only, they stay read-only after it is writable again, and SQLite then opens the
/// whole database read-only, naming a file that is writable. So they follow the database's mode
/// again (only their owner can; nothing is removed).
fn match_journal_modes(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(db) = std::fs::metadata(path) else {
            return;
        };
        let mode = db.permissions().mode() & 0o777;
        for suffix in ["-wal", "-shm"] {
            let side = side_file(path, suffix);
            if let Ok(m) = std::fs::metadata(&side)
                && m.permissions().mode() & 0o777 != mode
            {
                let _ = std::fs::set_permissions(&side, std::fs::Permissions::from_mode(mode));
            }
        }
    }
}

/// Removes SQLite's WAL and shared-memory files of the database at `path`.
fn remove_journal(path: &Path) {
    let _ = std::fs::remove_file(side_file(path, "-wal"));
    let _ = std::fs::remove_file(side_file(path, "-shm"));
}

/// Removes the database at `path` with its WAL and shared-memory files.
fn remove_with_journal(path: &Path) {
    let _ = std::fs::remove_file(path);
    remove_journal(path);
}

/// Makes a rename or a new file in the directory holding `path` durable.
fn sync_parent(path: &Path) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

pub(crate) fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// A new encrypted store in `dir`, for the unit tests of the store's modules.
#[cfg(test)]
pub(crate) fn scratch(dir: &Path) -> Store {
    Store::open(
        &dir.join("taiwa.db"),
        "架空の合言葉 staple",
        OpenMode::CreateIfMissing,
    )
    .expect("a scratch store opens")
}
