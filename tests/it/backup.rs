//! Backups and restore on real encrypted files: a backup is encrypted, owner-only and restores to
//! exactly what was backed up; a damaged backup or a wrong passphrase is refused before anything is
//! replaced; the replaced database is kept; rotation keeps 7 daily and 4 weekly backups and touches
//! no other file.

use chrono::{Datelike, NaiveDate};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use taiwa::store::backup::{backup_time, backups_of, to_keep};

const PASS: &str = "架空の合言葉 backup sakura 42";

fn taiwa(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_taiwa"))
        .args(args)
        .env("TAIWA_DB", db)
        .env("TAIWA_PASSPHRASE", PASS)
        .env_remove("TAIWA_LANG")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

const SAMPLES: [&str; 2] = [
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../samples/dialogue-record.json"
    ),
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../samples/work-consideration.json"
    ),
];

#[test]
fn a_backup_restores_exactly_and_a_bad_one_replaces_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("taiwa.db");
    let first = ok(&taiwa(&db, &["import", SAMPLES[0]])).trim().to_string();
    let listed_then = ok(&taiwa(&db, &["list"]));

    // ---- backup: encrypted, owner-only, in `backups` beside the database ----
    let out = ok(&taiwa(&db, &["backup"]));
    let backup = PathBuf::from(out.trim());
    assert_eq!(
        backup.parent().unwrap(),
        db.parent().unwrap().join("backups")
    );
    assert!(backup_time(&backup).is_some(), "{}", backup.display());
    let bytes = std::fs::read(&backup).unwrap();
    assert!(
        !bytes.starts_with(b"SQLite format 3"),
        "the backup is encrypted"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    // ---- more work after the backup, then restore: exactly the backed-up state ----
    ok(&taiwa(&db, &["import", SAMPLES[1]]));
    assert_eq!(ok(&taiwa(&db, &["list"])).lines().count(), 2);
    let out = ok(&taiwa(&db, &["restore", backup.to_str().unwrap()]));
    assert!(out.contains("文書 1 件"), "{out}");
    assert_eq!(ok(&taiwa(&db, &["list"])), listed_then);
    ok(&taiwa(&db, &["verify"]));
    assert!(ok(&taiwa(&db, &["show", &first])).contains("山田"));
    // The database it replaced is kept, and still opens with both documents.
    let aside: Vec<PathBuf> = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("before-restore"))
        .filter(|p| {
            !p.to_string_lossy().ends_with("-wal") && !p.to_string_lossy().ends_with("-shm")
        })
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(ok(&taiwa(&aside[0], &["list"])).lines().count(), 2);

    // ---- a damaged backup: refused, the database byte-identical ----
    let before = std::fs::read(&db).unwrap();
    let mut damaged = std::fs::read(&backup).unwrap();
    let at = damaged.len() / 2;
    damaged[at] ^= 0xFF;
    let bad = dir.path().join("damaged.taiwa-backup");
    std::fs::write(&bad, &damaged).unwrap();
    let out = taiwa(&db, &["restore", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing replaced");
    // ---- a wrong passphrase: refused, named ----
    let out = Command::new(env!("CARGO_BIN_EXE_taiwa"))
        .args(["restore", backup.to_str().unwrap()])
        .env("TAIWA_DB", &db)
        .env("TAIWA_PASSPHRASE", "違う合言葉 wrong one")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("パスフレーズ"));
    assert_eq!(std::fs::read(&db).unwrap(), before);
    // Nothing half-made is left beside the database.
    assert!(!db.with_file_name("taiwa.db.restore").exists());

    // ---- a backup folder that vanished: a clear error, nothing written ----
    let gone = dir.path().join("gone");
    let out = taiwa(&db, &["backup", gone.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("gone"));
}

#[test]
fn rotation_keeps_seven_days_and_four_weeks_and_nothing_else_of_ours() {
    // Two backups a day for 60 days.
    let mut all = Vec::new();
    let start = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    for d in 0..60 {
        for h in [9, 17] {
            let t = (start + chrono::Days::new(d)).and_hms_opt(h, 0, 0).unwrap();
            let p = PathBuf::from(format!("taiwa-{}.taiwa-backup", t.format("%Y%m%d-%H%M%S")));
            assert_eq!(backup_time(&p), Some(t));
            all.push((t, p));
        }
    }
    all.sort_by_key(|b| std::cmp::Reverse(b.0));
    let keep = to_keep(&all);
    assert_eq!(keep.len(), 7 + 4);
    // The newest of each of the last 7 days (17:00)…
    for d in 53..60 {
        let t = (start + chrono::Days::new(d))
            .and_hms_opt(17, 0, 0)
            .unwrap();
        assert!(keep.iter().any(|p| backup_time(p) == Some(t)), "day {d}");
    }
    // …then one per week, each from a different ISO week, all older than the daily ones.
    let weekly: Vec<_> = keep[7..].iter().map(|p| backup_time(p).unwrap()).collect();
    let mut weeks: Vec<_> = weekly.iter().map(|t| t.iso_week()).collect();
    weeks.dedup();
    assert_eq!(weeks.len(), 4);
    assert!(
        weekly
            .iter()
            .all(|t| t.date() < start + chrono::Days::new(53))
    );
    // Other files are never ours to rotate: not a backup at all, nor another database's backup
    // in the same folder (notes.db's, or taiwa-x.db's).
    assert_eq!(backup_time(Path::new("taiwa.db")), None);
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "taiwa-20261101-090000.taiwa-backup",
        "notes-20261101-090000.taiwa-backup",
        "taiwa-x-20261101-090000.taiwa-backup",
        "taiwa.db",
    ] {
        std::fs::write(dir.path().join(name), b"").unwrap();
    }
    let ours: Vec<PathBuf> = backups_of(dir.path(), Path::new("/data/taiwa.db"))
        .unwrap()
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    assert_eq!(
        ours,
        [dir.path().join("taiwa-20261101-090000.taiwa-backup")]
    );
}

#[test]
fn backups_rotate_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("taiwa.db");
    ok(&taiwa(&db, &["import", SAMPLES[0]]));
    let backups = dir.path().join("b");
    std::fs::create_dir(&backups).unwrap();
    // Old backups from 40 days, and a file that is not ours.
    for d in 0..40u64 {
        let t = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(d);
        std::fs::write(
            backups.join(format!("taiwa-{}-120000.taiwa-backup", t.format("%Y%m%d"))),
            b"old",
        )
        .unwrap();
    }
    std::fs::write(backups.join("README.txt"), b"keep me").unwrap();
    ok(&taiwa(&db, &["backup", backups.to_str().unwrap()]));
    let names: Vec<String> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"README.txt".to_string()));
    assert_eq!(
        names
            .iter()
            .filter(|n| n.ends_with(".taiwa-backup"))
            .count(),
        11,
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.contains("partial")));
}

#[test]
fn a_damaged_database_is_named_and_the_newest_backup_offered_and_restored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("taiwa.db");
    ok(&taiwa(&db, &["import", SAMPLES[0]]));
    ok(&taiwa(&db, &["import", SAMPLES[1]]));
    let listed = ok(&taiwa(&db, &["list"]));
    let backup = PathBuf::from(ok(&taiwa(&db, &["backup"])).trim());

    // Truncated to 60%: every command says the file is damaged and names the backup to restore.
    let bytes = std::fs::read(&db).unwrap();
    std::fs::write(&db, &bytes[..bytes.len() * 6 / 10]).unwrap();
    let damaged = std::fs::read(&db).unwrap();
    let out = taiwa(&db, &["verify"]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("壊れています") && err.contains("damaged"),
        "{err}"
    );
    assert!(
        err.contains(backup.to_str().unwrap()),
        "the newest backup is named: {err}"
    );
    assert!(err.contains("store.damaged"), "{err}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        damaged,
        "a failed command wrote nothing"
    );

    // The restore it offers brings everything back; the damaged file is kept aside.
    ok(&taiwa(&db, &["restore", backup.to_str().unwrap()]));
    assert_eq!(ok(&taiwa(&db, &["list"])), listed);
    ok(&taiwa(&db, &["verify"]));

    // A byte flipped inside a page: verify names the damage too.
    let mut bytes = std::fs::read(&db).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x5A;
    std::fs::write(&db, &bytes).unwrap();
    let out = taiwa(&db, &["verify"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("壊れています"), "{err}");
}

/// The app stages (verifies) a backup while its store is still open and swaps only then: a staged
/// copy that is dropped leaves no file and changes nothing; one that is swapped replaces the
/// database, which is kept aside.
#[test]
fn a_staged_restore_touches_nothing_until_it_is_swapped() {
    use taiwa::store::backup::stage;
    use taiwa::store::{OpenMode, Store};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("taiwa.db");
    ok(&taiwa(&db, &["import", SAMPLES[0]]));
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    let backup = PathBuf::from(ok(&taiwa(&db, &["backup", backups.to_str().unwrap()])).trim());
    ok(&taiwa(&db, &["import", SAMPLES[1]]));
    let before = std::fs::read(&db).unwrap();
    let staging = dir.path().join("taiwa.db.restore");

    let open = Store::open(&db, PASS, OpenMode::ExistingOnly).unwrap();
    let staged = stage(&backup, &db, PASS).unwrap();
    assert!(
        staging.exists(),
        "the verified copy sits beside the database"
    );
    drop(staged);
    assert!(!staging.exists(), "a dropped stage leaves its copy behind");
    assert_eq!(open.list_documents(None).unwrap().len(), 2);
    drop(open);
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "staging changed the database"
    );

    assert!(stage(&backup, &db, "wrong passphrase 架空").is_err());
    assert!(!staging.exists(), "a refused stage leaves its copy behind");

    let restored = stage(&backup, &db, PASS).unwrap().swap().unwrap();
    assert_eq!(restored.documents, 1);
    assert!(restored.previous.as_ref().is_some_and(|p| p.exists()));
    assert!(!staging.exists());
    let store = Store::open(&db, PASS, OpenMode::ExistingOnly).unwrap();
    assert_eq!(store.list_documents(None).unwrap().len(), 1);
}
