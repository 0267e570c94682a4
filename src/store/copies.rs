//! The database's other copies: backups, and the copies kept beside it — the database a restore
//! replaced (`<db>.before-restore-<time>`), one written back after the file vanished
//! (`taiwa-rescued-<time>.db`) and a damaged WAL (`<db>-wal.damaged-<time>`). Each holds every
//! case as it was, under the key of its day. So:
//! - after a passphrase change, every copy the old passphrase opens is re-encrypted under the new
//!   one; a WAL copy (it only means something beside the file it came from) is removed; a copy
//!   that cannot be re-encrypted is left as it is; the user is told which;
//! - the copies beside the database are rotated like backups (the newest of 7 days and 4 weeks);
//! - deleting a case at the person's request lists them, and can remove them.

use super::backup::{backups_in, to_keep};
use super::{Store, StoreError, create_private_file, remove_with_journal, side_file, sync_parent};
use chrono::NaiveDateTime;
use std::path::{Path, PathBuf};

/// What kind of copy a file beside the database is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyKind {
    Backup,
    BeforeRestore,
    Rescued,
    DamagedWal,
}

impl CopyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CopyKind::Backup => "backup",
            CopyKind::BeforeRestore => "before_restore",
            CopyKind::Rescued => "rescued",
            CopyKind::DamagedWal => "damaged_wal",
        }
    }
}

/// One copy and when it was made (from its name).
#[derive(Debug, Clone, PartialEq)]
pub struct Copy {
    pub path: PathBuf,
    pub kind: CopyKind,
    pub made: NaiveDateTime,
}

/// What a passphrase change did to the copies.
#[derive(Debug, Clone, Default)]
pub struct Retired {
    /// Re-encrypted under the new passphrase.
    pub reencrypted: Vec<PathBuf>,
    /// Removed: WAL copies (a WAL means something only beside the file it came from).
    pub removed: Vec<PathBuf>,
    /// Left as they were: a copy the old passphrase does not open (an older key, another
    /// database's backup), or one that could not be re-encrypted (a full disk …). Never deleted
    /// on a failure: the user is told and decides.
    pub left: Vec<PathBuf>,
}

fn folder(db: &Path) -> &Path {
    match db.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// How a rescued copy of the database file `name` begins (presence.rs): `taiwa-rescued-` for
/// `taiwa.db`, `<stem>-rescued-` for another name, so two databases in one folder never take
/// each other's copies.
pub(crate) fn rescued_prefix(name: &str) -> String {
    let stem = name.strip_suffix(".db").unwrap_or(name);
    format!("{stem}-rescued-")
}

/// The copies kept beside the database `db` (not its backups), oldest first.
pub fn copies_beside(db: &Path) -> Vec<Copy> {
    let Some(name) = db.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let parse = |s: &str| {
        let s = s.get(..15).unwrap_or(s);
        NaiveDateTime::parse_from_str(s, "%Y%m%d-%H%M%S")
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S"))
            .ok()
    };
    let mut out: Vec<Copy> = std::fs::read_dir(folder(db))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let path = e.path();
            let file = path.file_name()?.to_str()?.to_string();
            let (kind, stamp) =
                if let Some(rest) = file.strip_prefix(&format!("{name}.before-restore-")) {
                    // Its own -wal and -shm go with it.
                    if rest.ends_with("-wal") || rest.ends_with("-shm") {
                        return None;
                    }
                    (CopyKind::BeforeRestore, rest.to_string())
                } else if let Some(rest) = file.strip_prefix(&format!("{name}-wal.damaged-")) {
                    (CopyKind::DamagedWal, rest.to_string())
                } else if let Some(rest) = file
                    .strip_prefix(&rescued_prefix(name))
                    .and_then(|r| r.strip_suffix(".db"))
                {
                    (CopyKind::Rescued, rest.to_string())
                } else {
                    return None;
                };
            Some(Copy {
                made: parse(&stamp)?,
                path,
                kind,
            })
        })
        .collect();
    out.sort_by_key(|c| c.made);
    out
}

/// Every copy: the backups in `backup_dirs` and the copies beside `db`.
pub fn all_copies(db: &Path, backup_dirs: &[PathBuf]) -> Vec<Copy> {
    let mut out = Vec::new();
    for dir in backup_dirs {
        for (made, path) in backups_in(dir).unwrap_or_default() {
            if !out.iter().any(|c: &Copy| c.path == path) {
                out.push(Copy {
                    path,
                    kind: CopyKind::Backup,
                    made,
                });
            }
        }
    }
    out.extend(copies_beside(db));
    out
}

/// Removes a copy and the journal files beside it.
fn remove_copy(path: &Path) -> bool {
    let gone = std::fs::remove_file(path).is_ok() || !path.exists();
    for j in ["-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(side_file(path, j));
    }
    gone
}

/// Rotates the copies beside `db` as backups are rotated (per kind: the newest of each of the
/// last 7 days and 4 weeks); returns what was removed.
pub fn rotate_copies_beside(db: &Path) -> Vec<PathBuf> {
    let copies = copies_beside(db);
    let mut removed = Vec::new();
    for kind in [
        CopyKind::BeforeRestore,
        CopyKind::Rescued,
        CopyKind::DamagedWal,
    ] {
        let mut of_kind: Vec<(NaiveDateTime, PathBuf)> = copies
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| (c.made, c.path.clone()))
            .collect();
        of_kind.sort_by_key(|c| std::cmp::Reverse(c.0));
        let keep = to_keep(&of_kind);
        for (_, p) in of_kind {
            if !keep.contains(&p) && remove_copy(&p) {
                removed.push(p);
            }
        }
    }
    removed
}

/// Removes the copies kept beside `db` (not its backups): for a case deleted at the person's
/// request. Returns what was removed and what could not be.
pub fn remove_copies_beside(db: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut removed = Vec::new();
    let mut left = Vec::new();
    for c in copies_beside(db) {
        if remove_copy(&c.path) {
            removed.push(c.path);
        } else {
            left.push(c.path);
        }
    }
    (removed, left)
}

impl Store {
    /// After [`Store::change_passphrase`]: re-encrypts under `new` every copy `old` opens (the
    /// backups in `backup_dirs`, the database copies beside this one) and removes the WAL copies;
    /// a copy that cannot be re-encrypted is left untouched and reported. Never fails as a whole.
    pub fn retire_old_passphrase(&self, old: &str, new: &str, backup_dirs: &[PathBuf]) -> Retired {
        let mut out = Retired::default();
        for c in all_copies(&self.path, backup_dirs) {
            if c.kind == CopyKind::DamagedWal {
                if remove_copy(&c.path) {
                    out.removed.push(c.path);
                } else {
                    out.left.push(c.path);
                }
            } else if self.reencrypt_copy(&c.path, old, new).is_ok() {
                out.reencrypted.push(c.path);
            } else {
                out.left.push(c.path);
            }
        }
        out
    }

    /// `file` (a database copy under `old`) exported under `new` into a file beside it, checked,
    /// then renamed over it.
    fn reencrypt_copy(&self, file: &Path, old: &str, new: &str) -> Result<(), StoreError> {
        let tmp = side_file(file, ".rekey");
        remove_with_journal(&tmp);
        create_private_file(&tmp)?;
        let made = (|| -> Result<(), StoreError> {
            self.conn.execute(
                "ATTACH DATABASE ?1 AS oldcopy KEY ?2",
                [file.to_string_lossy().as_ref(), old],
            )?;
            self.conn.execute(
                "ATTACH DATABASE ?1 AS newcopy KEY ?2",
                [tmp.to_string_lossy().as_ref(), new],
            )?;
            let version: i64 = self
                .conn
                .query_row("PRAGMA oldcopy.user_version", [], |r| r.get(0))?;
            self.conn
                .query_row("SELECT sqlcipher_export('newcopy', 'oldcopy')", [], |_| {
                    Ok(())
                })?;
            self.conn
                .execute_batch(&format!("PRAGMA newcopy.user_version = {version};"))?;
            let integrity: String =
                self.conn
                    .query_row("PRAGMA newcopy.integrity_check", [], |r| r.get(0))?;
            if integrity != "ok" {
                return Err(StoreError::Corrupt {
                    detail: format!(
                        "{}: the re-encrypted copy did not check out",
                        file.display()
                    ),
                });
            }
            Ok(())
        })();
        let _ = self.conn.execute_batch("DETACH DATABASE newcopy;");
        let _ = self.conn.execute_batch("DETACH DATABASE oldcopy;");
        if let Err(e) = made {
            remove_with_journal(&tmp);
            return Err(e);
        }
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .and_then(|()| std::fs::rename(&tmp, file))
            .map_err(|source| {
                remove_with_journal(&tmp);
                StoreError::from_io(file, source)
            })?;
        for j in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(side_file(file, j));
        }
        sync_parent(file);
        Ok(())
    }
}
