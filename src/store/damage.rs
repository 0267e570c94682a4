//! Telling a wrong passphrase from a damaged file. SQLCipher answers "not a database" both when
//! the key is wrong and when page 1 is damaged (the header is encrypted, so nothing else can tell).
//! Its `cipher_integrity_check` checks every page's HMAC with the key: with a wrong key every page
//! fails, with the right key only the damaged ones do. So one page that checks out proves the
//! passphrase right and the file damaged. Everything here opens files read-only.

use super::StoreError;
use super::backup::backups_of;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// SQLCipher 4's page size (the store never changes it).
const PAGE_SIZE: u64 = 4096;

/// Why SQLCipher would not read page 1 of `path` with `passphrase`.
pub(super) fn unreadable(path: &Path, passphrase: &str) -> StoreError {
    if some_page_checks_out(path, passphrase) {
        return StoreError::Damaged {
            path: Some(path.to_path_buf()),
        };
    }
    StoreError::WrongPassphrase {
        path: path.to_path_buf(),
        opens: backup_that_opens(path, passphrase),
    }
}

fn open_read_only(path: &Path, passphrase: &str) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // HMAC failures are the expected answer here, not news for stderr.
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    conn.pragma_update(None, "key", passphrase)?;
    Ok(conn)
}

fn some_page_checks_out(path: &Path, passphrase: &str) -> bool {
    let Ok(len) = std::fs::metadata(path).map(|m| m.len()) else {
        return false;
    };
    let pages = len.div_ceil(PAGE_SIZE);
    let failed = open_read_only(path, passphrase).and_then(|conn| {
        let mut check = conn.prepare("PRAGMA cipher_integrity_check")?;
        let rows = check.query_map([], |_| Ok(()))?;
        Ok(rows.count() as u64)
    });
    matches!(failed, Ok(failed) if failed < pages)
}

/// The newest backup in `backups` beside the database that `passphrase` opens.
fn backup_that_opens(path: &Path, passphrase: &str) -> Option<PathBuf> {
    let dir = path.parent()?.join("backups");
    backups_of(&dir, path)
        .ok()?
        .into_iter()
        .map(|b| b.1)
        .find(|b| {
            open_read_only(b, passphrase)
                .and_then(|c| c.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())))
                .is_ok()
        })
}
