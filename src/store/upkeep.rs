//! Work a save leaves for when nobody is waiting: copying the WAL back into the database file.
//!
//! SQLite checkpoints by itself when the WAL passes `wal_autocheckpoint` pages, inside whichever
//! commit crosses the line. At the default (1,000 pages, 4 MiB) that was one save in twenty at
//! 100,000 documents, and those saves took 200-300 ms instead of 15 (bench/README.md "Scale").
//! The app calls `Store::tidy` when the user has been idle for a few seconds; the automatic
//! checkpoint stays, higher, as a backstop for a process that never idles (an import). Closing
//! the last connection checkpoints too.

use super::{Store, StoreError};
use rusqlite::Connection;

/// The WAL size (in 4 KiB pages, 40 MiB) at which a commit checkpoints by itself.
const AUTOCHECKPOINT_PAGES: u32 = 10_000;
/// What the WAL file is cut back to when SQLite starts it over after a checkpoint: after a burst
/// of saves it would otherwise keep its largest size (and every open reads all of it, wal_guard.rs).
const WAL_SIZE_LIMIT: i64 = 16 * 1024 * 1024;

pub(crate) fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "wal_autocheckpoint", AUTOCHECKPOINT_PAGES)?;
    // Returns the new limit as a row, so it is queried rather than updated.
    conn.query_row(
        &format!("PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}"),
        [],
        |_| Ok(()),
    )?;
    Ok(())
}

/// What `Store::tidy` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tidied {
    /// Another connection held the checkpoint lock: nothing was copied; try again later.
    pub busy: bool,
    /// Frames in the WAL and, of them, frames now in the database file (all copied so far since
    /// the WAL last started over, not only by this call).
    pub frames: u32,
    pub copied: u32,
}

impl Tidied {
    /// Everything the WAL holds is in the database file.
    pub fn done(&self) -> bool {
        !self.busy && self.copied == self.frames
    }
}

impl Store {
    /// Copies what the WAL holds into the database file without blocking readers or writers
    /// (a PASSIVE checkpoint). Cheap when there is nothing to copy; call it when idle.
    pub fn tidy(&mut self) -> Result<Tidied, StoreError> {
        // (busy, frames in the WAL, frames checkpointed); -1 for both counts when busy or when
        // the database is not in WAL mode.
        let (busy, frames, copied): (i64, i64, i64) =
            self.conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
        Ok(Tidied {
            busy: busy != 0,
            frames: u32::try_from(frames).unwrap_or(0),
            copied: u32::try_from(copied).unwrap_or(0),
        })
    }
}
