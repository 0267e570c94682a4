//! Changing the passphrase without a moment where a crash could lose the database: the data is
//! exported under the new key into a new file beside the old one, that copy is opened and verified
//! (integrity and every hash chain), and only then renamed over the old file. Until the rename the
//! old file is untouched; after it, the new one is complete. The old passphrase opens nothing.

use super::{
    OpenMode, Store, StoreError, create_private_file, migrate, remove_journal, remove_with_journal,
    side_file, sync_parent,
};
use std::path::Path;

impl Store {
    /// Re-encrypts the database under `new_passphrase`; afterwards this store is open with it. On
    /// an error before the final rename nothing changed: the file and this store keep the old key.
    pub fn change_passphrase(&mut self, new_passphrase: &str) -> Result<(), StoreError> {
        if new_passphrase.is_empty() {
            return Err(StoreError::EmptyPassphrase);
        }
        let path = self.path.clone();
        let registry = self.registry;
        let tmp = side_file(&path, ".rekey");
        let _ = std::fs::remove_file(&tmp);
        create_private_file(&tmp)?;
        let version = migrate::current_version(&self.conn)?;
        let exported = (|| -> Result<(), StoreError> {
            let target = tmp.to_string_lossy().to_string();
            self.conn.execute(
                "ATTACH DATABASE ?1 AS rekey KEY ?2",
                [target.as_str(), new_passphrase],
            )?;
            self.conn
                .query_row("SELECT sqlcipher_export('rekey')", [], |_| Ok(()))?;
            self.conn
                .execute_batch(&format!("PRAGMA rekey.user_version = {version};"))?;
            self.conn.execute_batch("DETACH DATABASE rekey;")?;
            Ok(())
        })();
        if let Err(e) = exported {
            let _ = self.conn.execute_batch("DETACH DATABASE rekey;");
            remove_with_journal(&tmp);
            return Err(e);
        }
        // The copy must open with the new key and check out before it replaces anything.
        let checked = Store::open_with(&tmp, new_passphrase, OpenMode::ExistingOnly, registry)
            .and_then(|copy| {
                let report = copy.verify()?;
                if report.ok() {
                    Ok(())
                } else {
                    Err(StoreError::Corrupt {
                        detail: "the re-encrypted copy did not verify".into(),
                    })
                }
            });
        if let Err(e) = checked {
            remove_with_journal(&tmp);
            return Err(e);
        }
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |source| StoreError::Io { path: p, source }
        };
        if let Err(e) = std::fs::File::open(&tmp).and_then(|f| f.sync_all()) {
            remove_with_journal(&tmp);
            return Err(io(&tmp)(e));
        }
        // Close the old connection with its WAL folded in and removed, so no old-key WAL is ever
        // applied to the new file.
        let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
        let old = std::mem::replace(&mut self.conn, rusqlite::Connection::open_in_memory()?);
        drop(old);
        // From here on this store must be reopened whatever happens.
        let renamed = std::fs::rename(&tmp, &path).map_err(io(&path));
        if let Err(e) = renamed {
            remove_with_journal(&tmp);
            // The old file is untouched: reopen it with the old key.
            return Err(e);
        }
        sync_parent(&path);
        remove_journal(&path);
        remove_with_journal(&tmp);
        *self = Store::open_with(&path, new_passphrase, OpenMode::ExistingOnly, registry)?;
        Ok(())
    }
}
