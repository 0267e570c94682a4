//! Numbered schema migrations on `PRAGMA user_version`, each applied in one IMMEDIATE transaction
//! together with the version bump: a crash leaves the database at the old or the new version.

use super::StoreError;
use rusqlite::{Connection, TransactionBehavior};

/// Index + 1 is the schema version the migration brings the database to. Append only.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("migrations/0001_init.sql")),
    ("0002_app", include_str!("migrations/0002_app.sql")),
    ("0003_consent", include_str!("migrations/0003_consent.sql")),
    (
        "0004_exchange",
        include_str!("migrations/0004_exchange.sql"),
    ),
    (
        "0005_retention",
        include_str!("migrations/0005_retention.sql"),
    ),
    ("0006_scale", include_str!("migrations/0006_scale.sql")),
    (
        "0007_search_pending",
        include_str!("migrations/0007_search_pending.sql"),
    ),
    (
        "0008_disclosure_use",
        include_str!("migrations/0008_disclosure_use.sql"),
    ),
];

pub const LATEST: u32 = MIGRATIONS.len() as u32;

pub fn current_version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get::<_, u32>(0))?)
}

pub fn migrate(conn: &mut Connection) -> Result<u32, StoreError> {
    let current = current_version(conn)?;
    if current > LATEST {
        return Err(StoreError::TooNew {
            found: current,
            known: LATEST,
        });
    }
    for (index, (_name, sql)) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as u32 + 1)?;
        tx.commit()?;
    }
    Ok(LATEST)
}
