//! The WAL looked at before SQLite opens the database: SQLite's recovery would drop committed
//! transactions behind a damaged frame (wal.rs) without a word, and the next close deletes the
//! WAL, the only place they are. So the WAL is first copied aside as `<db>-wal.damaged-<time>`
//! (owner-only, synced); the caller then refuses to open, or goes on when the user accepts the loss.

use super::wal::{self, WalBreak};
use super::{StoreError, side_file, sync_parent};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A WAL that another connection is still writing can change between two reads; damage seen
/// twice in the same bytes is in the file. More reads than this, all different: a live WAL.
const READS: usize = 3;

/// A WAL whose damage would lose committed transactions, and the copy kept of it.
#[derive(Debug)]
pub(super) struct Damage {
    pub wal: PathBuf,
    pub kept: PathBuf,
    pub found: WalBreak,
}

impl From<Damage> for StoreError {
    fn from(d: Damage) -> StoreError {
        StoreError::WalDamaged {
            wal: d.wal,
            kept: d.kept,
            found: d.found,
        }
    }
}

/// Whether the WAL of `db` (when there is one) holds committed transactions SQLite would drop;
/// if so, a copy of it is on disk before this returns.
pub(super) fn check(db: &Path) -> Result<Option<Damage>, StoreError> {
    let wal = side_file(db, "-wal");
    let mut bytes = match std::fs::read(&wal) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::from_io(&wal, e)),
    };
    for _ in 0..READS {
        let Some(found) = wal::examine(&bytes) else {
            return Ok(None);
        };
        let again = std::fs::read(&wal).map_err(|e| StoreError::from_io(&wal, e))?;
        if again == bytes {
            let kept = keep(db, &bytes)?;
            return Ok(Some(Damage { wal, kept, found }));
        }
        bytes = again;
    }
    Ok(None)
}

/// A copy of `bytes` beside `db`: one made before (a refused open tried again) or a new one.
fn keep(db: &Path, bytes: &[u8]) -> Result<PathBuf, StoreError> {
    if let Some(copy) = earlier_copy(db, bytes) {
        return Ok(copy);
    }
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut kept = side_file(db, &format!("-wal.damaged-{stamp}"));
    let mut n = 1;
    let mut file = loop {
        match options.open(&kept) {
            Ok(f) => break f,
            // A copy of another WAL made within the same second: never overwritten.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 9 => {
                n += 1;
                kept = side_file(db, &format!("-wal.damaged-{stamp}-{n}"));
            }
            Err(e) => return Err(StoreError::from_io(&kept, e)),
        }
    };
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = std::fs::remove_file(&kept);
        return Err(StoreError::from_io(&kept, e));
    }
    sync_parent(&kept);
    Ok(kept)
}

/// A copy kept earlier that holds exactly `bytes`.
fn earlier_copy(db: &Path, bytes: &[u8]) -> Option<PathBuf> {
    let prefix = format!("{}-wal.damaged-", db.file_name()?.to_str()?);
    let folder = match db.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::read_dir(folder)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix))
        })
        .filter(|e| e.metadata().is_ok_and(|m| m.len() == bytes.len() as u64))
        .map(|e| e.path())
        .find(|p| std::fs::read(p).is_ok_and(|b| b == bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_copy_is_made_once_per_content_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("taiwa.db");
        let first = keep(&db, b"one damaged WAL").unwrap();
        assert_eq!(keep(&db, b"one damaged WAL").unwrap(), first, "made once");
        // Another WAL, most likely within the same second.
        let second = keep(&db, b"another damaged WAL").unwrap();
        assert_ne!(second, first);
        assert_eq!(std::fs::read(&first).unwrap(), b"one damaged WAL");
        assert_eq!(std::fs::read(&second).unwrap(), b"another damaged WAL");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        for copy in [first, second] {
            let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", copy.display());
        }
    }
}
