//! Encrypted backups and restoring one. A backup is the whole database exported under the same key
//! (`sqlcipher_export`) into a temporary file in the backup folder, checked (integrity, and every
//! revision's hash equal to the open database's), then renamed to `taiwa-YYYYMMDD-HHMMSS.taiwa-backup`
//! (`<stem>-…` for a database file not named taiwa.db: each database rotates only its own).
//! Rotation keeps the newest backup of each of the last 7 days and of each of the 4 weeks before.
//! Restore opens the backup with the passphrase, verifies integrity and every hash chain, writes it
//! to a new file beside the database, and only then swaps it in — the old file is kept aside, never
//! deleted.

use super::{
    BackupFolderProblem, OpenMode, Store, StoreError, create_private_file, migrate,
    remove_with_journal, side_file, sync_parent,
};
use chrono::{Datelike, NaiveDateTime};
use std::path::{Path, PathBuf};

/// The ending of every backup file.
pub const BACKUP_EXTENSION: &str = "taiwa-backup";
const DAILY: usize = 7;
const WEEKLY: usize = 4;

fn io(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::from_io(path, source)
}

/// Whether `dir` can take a backup, named by what is wrong with it. A missing folder is never
/// made here (see BackupFolderProblem::Missing).
fn check_folder(dir: &Path) -> Result<(), StoreError> {
    let problem = match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => BackupFolderProblem::NotAFolder,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BackupFolderProblem::Missing,
        Err(e) => return Err(StoreError::from_io(dir, e)),
    };
    Err(StoreError::BackupFolder {
        path: dir.to_path_buf(),
        problem,
    })
}

/// A file that could not be made in the backup folder: a folder that cannot be written is named
/// as such.
fn not_writable(dir: &Path, e: StoreError) -> StoreError {
    use std::io::ErrorKind;
    match e {
        StoreError::Io { source, .. }
            if matches!(
                source.kind(),
                ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            StoreError::BackupFolder {
                path: dir.to_path_buf(),
                problem: BackupFolderProblem::NotWritable,
            }
        }
        other => other,
    }
}

/// When a backup file was made, from its name (`taiwa-20261125-233000.taiwa-backup`, or
/// `<stem>-…` for a database file named otherwise).
pub fn backup_time(path: &Path) -> Option<NaiveDateTime> {
    let name = path.file_name()?.to_str()?;
    let rest = name.strip_suffix(&format!(".{BACKUP_EXTENSION}"))?;
    let split = rest.len().checked_sub(16)?;
    let (prefix, stamp) = (rest.get(..split)?, rest.get(split..)?);
    let stamp = stamp.strip_prefix('-')?;
    if prefix.is_empty() {
        return None;
    }
    NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").ok()
}

/// How the backups of the database file `db` begin: `taiwa-` for `taiwa.db`, `<stem>-` else. Two
/// databases backing up into one folder so keep, and rotate, each their own.
pub fn backup_prefix(db: &Path) -> String {
    let name = db
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("taiwa.db");
    format!("{}-", name.strip_suffix(".db").unwrap_or(name))
}

/// The backups of the database file `db` in `dir`, newest first.
pub fn backups_of(dir: &Path, db: &Path) -> Result<Vec<(NaiveDateTime, PathBuf)>, StoreError> {
    let prefix = backup_prefix(db);
    let mut all = backups_in(dir)?;
    all.retain(|(_, p)| {
        p.file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix(&prefix))
            // The rest is the stamp alone: `taiwa-x-20261125-…` is not taiwa.db's.
            .is_some_and(|rest| rest.len() == 16 + BACKUP_EXTENSION.len())
    });
    Ok(all)
}

/// The backup files in `dir`, newest first (other files are never touched).
pub fn backups_in(dir: &Path) -> Result<Vec<(NaiveDateTime, PathBuf)>, StoreError> {
    let mut out: Vec<(NaiveDateTime, PathBuf)> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter_map(|p| backup_time(&p).map(|t| (t, p)))
        .collect();
    out.sort_by_key(|b| std::cmp::Reverse(b.0));
    Ok(out)
}

/// Which backups rotation keeps: the newest of each of the `DAILY` most recent days that have one,
/// then the newest of each of the `WEEKLY` most recent ISO weeks older than those days.
pub fn to_keep(backups: &[(NaiveDateTime, PathBuf)]) -> Vec<PathBuf> {
    let mut keep = Vec::new();
    let mut days = Vec::new();
    let mut weeks = Vec::new();
    for (t, p) in backups {
        let day = t.date();
        if days.len() < DAILY {
            if !days.contains(&day) {
                days.push(day);
                keep.push(p.clone());
            }
            continue;
        }
        if days.contains(&day) {
            continue;
        }
        let week = (t.iso_week().year(), t.iso_week().week());
        if weeks.len() < WEEKLY && !weeks.contains(&week) {
            weeks.push(week);
            keep.push(p.clone());
        }
    }
    keep
}

impl Store {
    /// Writes an encrypted backup (same passphrase) into `dir`, checks it, and rotates the folder.
    /// Returns the new file.
    pub fn backup_to(&self, dir: &Path) -> Result<PathBuf, StoreError> {
        check_folder(dir)?;
        let now = chrono::Local::now().naive_local();
        let name = format!(
            "{}{}.{BACKUP_EXTENSION}",
            backup_prefix(&self.path),
            now.format("%Y%m%d-%H%M%S")
        );
        let target = dir.join(&name);
        let tmp = dir.join(format!(".{name}.partial"));
        remove_with_journal(&tmp);
        create_private_file(&tmp).map_err(|e| not_writable(dir, e))?;
        let version = migrate::current_version(&self.conn)?;
        let made = (|| -> Result<(), StoreError> {
            // No KEY clause: the attached file is encrypted with this database's key.
            self.conn.execute(
                "ATTACH DATABASE ?1 AS backup",
                [tmp.to_string_lossy().as_ref()],
            )?;
            self.conn
                .query_row("SELECT sqlcipher_export('backup')", [], |_| Ok(()))?;
            self.conn
                .execute_batch(&format!("PRAGMA backup.user_version = {version};"))?;
            let integrity: String =
                self.conn
                    .query_row("PRAGMA backup.integrity_check", [], |r| r.get(0))?;
            let (all, same): (i64, i64) = self.conn.query_row(
                "SELECT (SELECT count(*) FROM main.revisions),
                        (SELECT count(*) FROM main.revisions m JOIN backup.revisions b
                           ON b.document_id = m.document_id AND b.seq = m.seq AND b.sha256 = m.sha256)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            self.conn.execute_batch("DETACH DATABASE backup;")?;
            if integrity != "ok" || all != same {
                return Err(StoreError::Corrupt {
                    detail: format!(
                        "the backup did not check out (integrity {integrity}, {same} of {all} revisions)"
                    ),
                });
            }
            Ok(())
        })();
        if let Err(e) = made {
            let e = locate_backup(self, dir, e);
            let _ = self.conn.execute_batch("DETACH DATABASE backup;");
            remove_with_journal(&tmp);
            return Err(e);
        }
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io(&tmp))?;
        std::fs::rename(&tmp, &target).map_err(io(&target))?;
        remove_with_journal(&tmp);
        sync_parent(&target);
        // Only this database's backups: another database's in the same folder are not ours to
        // rotate away.
        let all = backups_of(dir, &self.path)?;
        let keep = to_keep(&all);
        for (_, p) in all {
            if !keep.contains(&p) {
                let _ = std::fs::remove_file(&p);
            }
        }
        // The copies kept beside the database (a restore's, a rescue's, a damaged WAL's) hold
        // every case too: they go as old backups go.
        super::copies::rotate_copies_beside(&self.path);
        Ok(target)
    }
}

/// A full disk while exporting names the backup folder (the export writes there, not to the
/// database).
fn locate_backup(store: &Store, dir: &Path, e: StoreError) -> StoreError {
    match store.located(e) {
        StoreError::DiskFull { .. } => StoreError::DiskFull {
            path: Some(dir.to_path_buf()),
        },
        other => other,
    }
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    pub documents: usize,
    pub revisions: usize,
    /// Where the database that was replaced now is (None: there was none).
    pub previous: Option<PathBuf>,
}

/// Restores `backup` (opened with `passphrase`) into `db`: [`stage`], then [`Staged::swap`].
pub fn restore(backup: &Path, db: &Path, passphrase: &str) -> Result<Restored, StoreError> {
    stage(backup, db, passphrase)?.swap()
}

/// A verified copy of a backup beside the database, ready to replace it. Dropped without
/// [`Staged::swap`], the copy is removed and the database was never touched.
#[derive(Debug)]
pub struct Staged {
    staging: PathBuf,
    db: PathBuf,
    documents: usize,
    revisions: usize,
}

/// Copies `backup` beside `db` and verifies the copy (opened with `passphrase`: integrity and every
/// hash chain). Nothing of `db` is touched, so the app can stage while its store is still open and
/// close it only to swap.
pub fn stage(backup: &Path, db: &Path, passphrase: &str) -> Result<Staged, StoreError> {
    if !super::is_database_file(backup) {
        return Err(StoreError::NoDatabase {
            path: backup.to_path_buf(),
        });
    }
    // Opening an existing file never writes before the passphrase is checked; a copy is opened so
    // the backup itself stays byte-identical (opening switches the journal mode).
    let staging = side_file(db, ".restore");
    remove_with_journal(&staging);
    if let Some(dir) = staging.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    create_private_file(&staging)?;
    // From here on, dropping `staged` removes the copy whatever goes wrong.
    let mut staged = Staged {
        staging,
        db: db.to_path_buf(),
        documents: 0,
        revisions: 0,
    };
    std::fs::read(backup)
        .map_err(io(backup))
        .and_then(|bytes| std::fs::write(&staged.staging, bytes).map_err(io(&staged.staging)))?;
    let checked = Store::open(&staged.staging, passphrase, OpenMode::ExistingOnly).and_then(|s| {
        let report = s.verify()?;
        if !report.ok() {
            return Err(StoreError::Corrupt {
                detail: format!(
                    "the backup does not verify: integrity {}, {} broken revision(s)",
                    report.integrity,
                    report.failures.len()
                ),
            });
        }
        s.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(report)
    });
    let report = match checked {
        Ok(r) => r,
        Err(StoreError::WrongPassphrase { .. }) => {
            return Err(StoreError::WrongPassphrase {
                path: backup.to_path_buf(),
                opens: None,
            });
        }
        Err(e) => return Err(e),
    };
    std::fs::File::open(&staged.staging)
        .and_then(|f| f.sync_all())
        .map_err(io(&staged.staging))?;
    staged.documents = report.documents;
    staged.revisions = report.revisions;
    Ok(staged)
}

impl Staged {
    /// Puts the verified copy in place of the database; an existing database is kept as
    /// `<db>.before-restore-<time>`. The database must not be open.
    pub fn swap(self) -> Result<Restored, StoreError> {
        let db = self.db.as_path();
        let previous = if db.exists() {
            let aside = side_file(
                db,
                &format!(
                    ".before-restore-{}",
                    chrono::Local::now().format("%Y%m%d-%H%M%S")
                ),
            );
            std::fs::rename(db, &aside).map_err(io(db))?;
            for j in ["-wal", "-shm"] {
                let _ = std::fs::rename(side_file(db, j), side_file(&aside, j));
            }
            Some(aside)
        } else {
            None
        };
        std::fs::rename(&self.staging, db).map_err(io(db))?;
        sync_parent(db);
        Ok(Restored {
            documents: self.documents,
            revisions: self.revisions,
            previous,
        })
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // After a swap the staging name is gone (renamed); this removes only a copy never used,
        // and the journal files opening it left.
        remove_with_journal(&self.staging);
    }
}
