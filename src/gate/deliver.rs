//! Where a prepared file goes, and its line in the 提供記録: written owner-only through a synced
//! temporary file and a rename (the folder synced too), then logged; a file that cannot be logged
//! is deleted again. Printed output (`taiwa show`) is logged first: a line can be unlinked from a
//! screen no more than a file from a disk, and a log line too many is the safe side.

use super::{GateError, Prepared};
use crate::store::{Disclosure, Store};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the bytes go.
pub enum Sink<'a> {
    /// A file at this path (replaced whole, never readable by others).
    File(&'a Path),
    /// An open stream: the terminal (`taiwa show`).
    Stream(&'a mut dyn Write),
}

/// What left, and its line in the log (None: a record file that is not in the store).
#[derive(Debug)]
pub struct Released {
    pub path: Option<PathBuf>,
    pub bytes: u64,
    pub logged: Option<Disclosure>,
    /// Field paths withheld from the recipient (what the log lists).
    pub withheld: Vec<String>,
    pub recipient: Option<String>,
    pub consents: Vec<crate::ids::ConsentId>,
}

pub(super) fn deliver(
    store: Option<&mut Store>,
    prepared: Prepared,
    sink: Sink<'_>,
) -> Result<Released, GateError> {
    let needs_log = prepared.log.is_some();
    let store = match (needs_log, store) {
        (true, None) => return Err(GateError::NoStore),
        (_, s) => s,
    };
    let mut released = Released {
        path: None,
        bytes: prepared.bytes.len() as u64,
        logged: None,
        withheld: prepared
            .copy
            .as_ref()
            .map(|c| c.withheld.clone())
            .unwrap_or_default(),
        recipient: prepared.copy.as_ref().map(|c| c.recipient.clone()),
        consents: prepared
            .copy
            .as_ref()
            .map(|c| c.consents.clone())
            .unwrap_or_default(),
    };
    match sink {
        Sink::File(path) => {
            if let Some(s) = &store
                && is_database_file_of(s, path)
            {
                return Err(GateError::Write {
                    path: path.to_path_buf(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::AlreadyExists,
                        "this is the database itself (or its journal); choose another file",
                    ),
                });
            }
            write_private(path, &prepared.bytes).map_err(|source| GateError::Write {
                path: path.to_path_buf(),
                source,
            })?;
            if let Some(store) = store {
                match prepared.log(store) {
                    Ok(line) => released.logged = line,
                    Err(source) => {
                        let removed = std::fs::remove_file(path).is_ok();
                        return Err(GateError::Unlogged {
                            path: path.to_path_buf(),
                            removed,
                            source,
                        });
                    }
                }
            }
            released.path = Some(path.to_path_buf());
        }
        Sink::Stream(out) => {
            if let Some(store) = store {
                released.logged = prepared.log(store).map_err(GateError::Store)?;
            }
            out.write_all(&prepared.bytes)
                .and_then(|()| out.flush())
                .map_err(|source| GateError::Write {
                    path: PathBuf::from("-"),
                    source,
                })?;
        }
    }
    Ok(released)
}

/// Whether `path` is the open database or one of its side files (`-wal`, `-shm`, `-journal`): an
/// export must never replace them.
fn is_database_file_of(store: &Store, path: &Path) -> bool {
    let canonical = |p: &Path| {
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::canonicalize(dir)
            .ok()
            .map(|d| d.join(p.file_name().unwrap_or_default()))
    };
    let (Some(target), Some(db)) = (canonical(path), canonical(store.path())) else {
        return false;
    };
    ["", "-wal", "-shm", "-journal"].iter().any(|suffix| {
        let mut name = db.as_os_str().to_os_string();
        name.push(suffix);
        target.as_os_str() == name
    })
}

/// Writes through a temporary file in the same folder, created owner-only, then renames: the
/// target is either the old file or the complete new one, and never readable by others. The
/// folder is synced so that the rename reaches the disk before the log relies on the file.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = options.open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = result.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    // The rename must reach the disk before the log relies on the file. A folder that cannot be
    // synced at all (some file systems refuse fsync on a directory) is as synced as it gets; any
    // other failure takes the file back out, so nothing is left that the log does not know.
    #[cfg(unix)]
    if let Err(e) = std::fs::File::open(dir).and_then(|d| d.sync_all())
        && !matches!(
            e.kind(),
            std::io::ErrorKind::InvalidInput | std::io::ErrorKind::Unsupported
        )
    {
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(())
}
