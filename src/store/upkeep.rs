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

pub(crate) fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "wal_autocheckpoint", AUTOCHECKPOINT_PAGES)?;
    Ok(())
}

/// What `Store::tidy` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tidied {
    /// WAL frames copied into the database file.
    pub checkpointed: u32,
    /// Frames left (a reader held them back); the next tidy copies them.
    pub left: u32,
}

impl Store {
    /// Copies what the WAL holds into the database file without blocking readers or writers
    /// (a PASSIVE checkpoint). Cheap when there is nothing to copy; call it when idle.
    pub fn tidy(&mut self) -> Result<Tidied, StoreError> {
        let (busy, log, done): (i64, i64, i64) =
            self.conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
        // log and done are -1 when the database is not in WAL mode; busy: another connection
        // held the lock.
        let log = u32::try_from(log).unwrap_or(0);
        let done = u32::try_from(done).unwrap_or(0);
        Ok(Tidied {
            checkpointed: if busy == 0 { done } else { 0 },
            left: log.saturating_sub(done),
        })
    }
}
