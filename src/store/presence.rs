//! The database file under an open store. A file deleted or moved while Taiwa runs would take every
//! later save with it: the open descriptor keeps writing to an unlinked inode that vanishes when the
//! app closes. The app checks before each command and, when the file is gone, writes the open copy
//! back (`sqlcipher_export`, same key) so nothing is lost.

use super::{Store, StoreError, create_private_file, migrate};
use std::path::{Path, PathBuf};

/// Device and inode of the file at `path` (on other systems: only whether one exists).
pub(super) fn identity(path: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some((0, 0))
    }
}

impl Store {
    /// Whether the file this store was opened from is still at its path.
    pub fn file_present(&self) -> bool {
        self.identity.is_some() && identity(&self.path) == self.identity
    }

    /// Writes the open database, encrypted with its own key, to its path, or beside it when
    /// another file has taken the path (never overwritten). Returns where it went; open the store
    /// there again to go on (this connection still writes to the old, unlinked file).
    pub fn rescue(&mut self) -> Result<PathBuf, StoreError> {
        let target = if self.path.exists() {
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
            let name = self
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("taiwa.db");
            self.path
                .with_file_name(format!("{}{stamp}.db", super::copies::rescued_prefix(name)))
        } else {
            self.path.clone()
        };
        create_private_file(&target)?;
        let version = migrate::current_version(&self.conn)?;
        let target_str = target.to_string_lossy().to_string();
        let exported = (|| -> Result<(), StoreError> {
            // No KEY clause: SQLCipher encrypts the attached file with the main database's key.
            self.conn
                .execute("ATTACH DATABASE ?1 AS rescue", [&target_str])?;
            self.conn
                .query_row("SELECT sqlcipher_export('rescue')", [], |_| Ok(()))?;
            self.conn
                .execute_batch(&format!("PRAGMA rescue.user_version = {version};"))?;
            self.conn.execute_batch("DETACH DATABASE rescue;")?;
            Ok(())
        })();
        if let Err(e) = exported {
            let _ = self.conn.execute_batch("DETACH DATABASE rescue;");
            let _ = std::fs::remove_file(&target);
            return Err(e);
        }
        Ok(target)
    }
}
