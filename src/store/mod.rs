//! The encrypted store: one SQLCipher file holding cases, documents, their append-only revisions,
//! consents and disclosures, the files of the round trip (exchanges), plus a search index. Every write is one transaction.

mod autosave;
pub mod backup;
mod batch;
mod cases;
mod consents;
mod disclosures;
mod documents;
mod error;
mod exchanges;
mod migrate;
mod presence;
mod rekey;
pub mod search;
mod verify;

pub use autosave::{Autosave, MAX_AUTOSAVE_BYTES};
pub use batch::{Batch, PreparedRecord, prepare_record};
pub use cases::{CaseFilter, CaseStatus, CaseSummary, MAX_CASE_TEXT, NewCase};
pub use disclosures::{Disclosure, NewDisclosure};
pub(crate) use documents::sha256_hex;
pub use documents::{DocumentSummary, DocumentView, RevisionInfo, SaveOutcome};
pub use error::StoreError;
pub use exchanges::{Known, Receipt, ReceivedPart};
pub use search::SearchHit;
pub use verify::{VerifyFailure, VerifyReport};

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
}

/// Where the database lives when nothing else is said: the OS data directory
/// (`~/.local/share/taiwa/taiwa.db` on Linux).
pub fn default_db_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("jp", "Taiwa", "Taiwa").map(|d| d.data_dir().join("taiwa.db"))
}

impl Store {
    /// Opens (or creates) the database at `path` with `passphrase`. A wrong passphrase is reported
    /// before anything is written, so the file is left exactly as it was.
    pub fn open(path: &Path, passphrase: &str, mode: OpenMode) -> Result<Store, StoreError> {
        Store::open_with(path, passphrase, mode, Registry::builtin())
    }

    pub fn open_with(
        path: &Path,
        passphrase: &str,
        mode: OpenMode,
        registry: &'static Registry,
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
        let opened = Store::open_existing(path, Some(passphrase), registry);
        if opened.is_err() && !exists {
            // Leave no empty or half-made file behind for the next attempt to trip over.
            remove_with_journal(path);
        }
        opened
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
        let mut conn = Connection::open_with_flags(path, flags)?;
        // SQLCipher logs HMAC failures to stderr on a wrong key; the error we return says it better.
        let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
        if let Some(passphrase) = passphrase {
            conn.pragma_update(None, "key", passphrase)?;
        }
        // The first read decrypts page 1: with a wrong key it fails here, before any write.
        let readable = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        });
        if let Err(e) = readable {
            return Err(match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::NotADatabase) => StoreError::WrongPassphrase {
                    path: path.to_path_buf(),
                },
                _ => e.into(),
            });
        }
        // Refuse newer schemas before switching the journal mode, which would write.
        let version = migrate::current_version(&conn)?;
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
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        search::register_functions(&conn)?;
        migrate::migrate(&mut conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            registry,
            identity: presence::identity(path),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
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
