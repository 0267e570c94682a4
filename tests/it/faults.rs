//! Faults on real encrypted databases, through the CLI as a user runs it: a full disk (a small
//! tmpfs, and `ulimit -f`), a read-only database, a truncated or byte-flipped database file, a
//! damaged WAL, a backup folder that vanished. Each case checks the exit code, that the message
//! names the problem and the file in Japanese (default) and English, that a restore is offered
//! where it helps, and that after the fault is gone (or the backup restored) every committed
//! document is there and `taiwa verify` passes.
//!
//! Some cases need root (mounting a tmpfs, running the CLI as another user); without it they say
//! why on stderr and check what they can.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PASS: &str = "架空の合言葉 faults kumo 7";
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
/// A user the CLI can run as when the tests run as root (nobody).
const NOBODY: u32 = 65534;

/// The CLI to run. As root, a copy in a folder anyone may enter: the tests run it as nobody, who
/// cannot reach a build under /root (CI's cache is in $HOME/.cache).
fn taiwa_bin() -> &'static Path {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let built = PathBuf::from(env!("CARGO_BIN_EXE_taiwa"));
        if !is_root() {
            return built;
        }
        // One folder, replaced on every run: no copy piles up in /tmp.
        let dir = std::env::temp_dir().join("taiwa-faults-bin");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let copy = dir.join("taiwa");
        let fresh = dir.join(format!("taiwa.{}", std::process::id()));
        std::fs::copy(&built, &fresh).unwrap();
        std::fs::set_permissions(&fresh, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::rename(&fresh, &copy).unwrap();
        copy
    })
}

fn cli(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(taiwa_bin());
    c.args(args)
        .env("TAIWA_DB", db)
        .env("TAIWA_PASSPHRASE", PASS)
        .env_remove("TAIWA_LANG")
        .stdin(Stdio::null());
    c
}

fn run(db: &Path, args: &[&str]) -> Output {
    cli(db, args).output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{:?}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn err(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

/// A fault's message: exit code 3, `ja` and the file in the default (Japanese) run, `en` and the
/// file with `--lang en`. Returns both stderr texts.
fn assert_fault(
    command: impl Fn(&[&str]) -> Output,
    args: &[&str],
    ja: &str,
    en: &str,
    file: &Path,
) -> (String, String) {
    let out = command(args);
    assert_eq!(out.status.code(), Some(3), "{args:?}: {}", err(&out));
    let ja_text = err(&out);
    assert!(ja_text.starts_with("エラー: "), "{ja_text}");
    assert!(ja_text.contains(ja), "{ja:?} in {ja_text}");
    assert!(
        ja_text.contains(&file.display().to_string()),
        "{} in {ja_text}",
        file.display()
    );
    let mut en_args = vec!["--lang", "en"];
    en_args.extend_from_slice(args);
    let out = command(&en_args);
    assert_eq!(out.status.code(), Some(3), "{en_args:?}: {}", err(&out));
    let en_text = err(&out);
    assert!(en_text.starts_with("error: "), "{en_text}");
    assert!(en_text.contains(en), "{en:?} in {en_text}");
    assert!(
        en_text.contains(&file.display().to_string()),
        "{} in {en_text}",
        file.display()
    );
    (ja_text, en_text)
}

/// Two committed documents; returns `taiwa list` as it was.
fn two_documents(db: &Path) -> String {
    for s in SAMPLES {
        ok(&run(db, &["import", s]));
    }
    ok(&run(db, &["list"]))
}

fn assert_intact(db: &Path, listed: &str) {
    assert_eq!(
        ok(&run(db, &["list"])),
        listed,
        "every committed document is there"
    );
    assert!(ok(&run(db, &["verify"])).contains("検証しました"));
}

/// A new dialogue record big enough (≈ 60 KB of text, more with its search index) that saving it
/// needs more room than the faults below leave.
fn big_record(dir: &Path) -> PathBuf {
    let mut r: serde_json::Value =
        serde_json::from_str(include_str!("../../samples/dialogue-record.json")).unwrap();
    r.as_object_mut().unwrap().remove("id");
    let text: String = (0..19_000u32)
        .map(|i| char::from_u32(0x4E00 + (i * 7919) % 20_000).unwrap())
        .collect();
    r["fields"]["strengths"] = serde_json::json!(text);
    let path = dir.join("big.json");
    std::fs::write(&path, serde_json::to_vec(&r).unwrap()).unwrap();
    path
}

/// A tmpfs mounted for one test, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path, size: &str) -> Option<SmallDisk> {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(at)
            .stderr(Stdio::piped())
            .output();
        match out {
            Ok(o) if o.status.success() => Some(SmallDisk(at.to_path_buf())),
            Ok(o) => {
                eprintln!("skipping the tmpfs case: mount refused: {}", err(&o).trim());
                None
            }
            Err(e) => {
                eprintln!("skipping the tmpfs case: no mount command: {e}");
                None
            }
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Fills the file system holding `dir` up to `leave` bytes of free space.
fn fill(dir: &Path, leave: u64) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 4096];
    let mut written = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => written += n as u64,
        }
    }
    drop(f);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(written.saturating_sub(leave))
        .unwrap();
    path
}

#[test]
fn a_full_disk_while_importing_saves_nothing_and_the_next_import_works() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(&dir.path().join("small"), "2m") else {
        return;
    };
    let db = disk.0.join("taiwa.db");
    let listed = two_documents(&db);
    let big = big_record(dir.path());
    // Room for the WAL index and a little more, not for the new record.
    let filler = fill(&disk.0, 96 * 1024);
    let before = std::fs::read(&db).unwrap();
    let (ja, en) = assert_fault(
        |a| run(&db, a),
        &["import", big.to_str().unwrap()],
        "ディスクの空きがなくなりました",
        "the disk is full",
        &db,
    );
    assert!(ja.contains("何も保存されていません"), "{ja}");
    assert!(en.contains("nothing of this change was saved"), "{en}");
    assert!(ja.contains("[store.disk_full]"), "{ja}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database file is as it was"
    );
    assert_intact(&db, &listed);

    std::fs::remove_file(filler).unwrap();
    ok(&run(&db, &["import", big.to_str().unwrap()]));
    assert_eq!(ok(&run(&db, &["list"])).lines().count(), 3);
    ok(&run(&db, &["verify"]));
}

#[test]
fn a_file_size_limit_while_importing_saves_nothing_and_does_not_kill_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("taiwa.db");
    let listed = two_documents(&db);
    let big = big_record(dir.path());
    let before = std::fs::read(&db).unwrap();
    let limited = |args: &[&str]| {
        let mut c = cli(&db, args);
        // SAFETY: only setrlimit, which is async-signal-safe, runs between fork and exec.
        unsafe {
            c.pre_exec(|| {
                // 64 KiB: the WAL index fits, the WAL of the new record does not.
                let limit = libc::rlimit {
                    rlim_cur: 64 * 1024,
                    rlim_max: 64 * 1024,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        c.output().unwrap()
    };
    // Exit code 3 (not death by SIGXFSZ, which the kernel sends at the limit).
    assert_fault(
        limited,
        &["import", big.to_str().unwrap()],
        "ディスクの空きがなくなりました(またはファイルサイズの上限)",
        "file size limit",
        &db,
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_intact(&db, &listed);
    ok(&run(&db, &["import", big.to_str().unwrap()]));
    assert_eq!(ok(&run(&db, &["list"])).lines().count(), 3);
    ok(&run(&db, &["verify"]));
}

/// Runs the CLI so that file permissions bind it: as nobody when the tests run as root (root
/// writes through any mode bits).
fn bound_by_permissions(mut c: Command) -> Output {
    if is_root() {
        // From "/": the working directory may be one nobody cannot enter.
        c.uid(NOBODY).gid(NOBODY).current_dir("/");
    }
    c.output().unwrap()
}

fn hand_to_nobody(dir: &Path) {
    if !is_root() {
        return;
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for e in std::fs::read_dir(dir).unwrap() {
        std::os::unix::fs::chown(e.unwrap().path(), Some(NOBODY), Some(NOBODY)).unwrap();
    }
    std::os::unix::fs::chown(dir, Some(NOBODY), Some(NOBODY)).unwrap();
}

#[test]
fn a_read_only_database_can_be_read_and_refuses_writes_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("taiwa.db");
    let listed = two_documents(&db);
    let line: Vec<&str> = listed.lines().next().unwrap().split('\t').collect();
    let (first, name) = (line[0].to_string(), line[line.len() - 1].to_string());
    let extra = dir.path().join("route-map.json");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples/route-map.json"),
        &extra,
    )
    .unwrap();
    hand_to_nobody(dir.path());
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let as_user = |args: &[&str]| bound_by_permissions(cli(&db, args));

    // Reading works.
    assert_eq!(ok(&as_user(&["list"])), listed);
    // Showing a record is a disclosure the log must keep: with the log unwritable, nothing is
    // shown (the gate logs before it prints).
    let shown = as_user(&["show", &first]);
    assert_eq!(shown.status.code(), Some(3), "{}", err(&shown));
    assert!(!String::from_utf8_lossy(&shown.stdout).contains(&name));
    // Writing is refused, naming the file.
    let before = std::fs::read(&db).unwrap();
    assert_fault(
        as_user,
        &["import", extra.to_str().unwrap()],
        "読み取り専用",
        "read-only",
        &db,
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);

    // Writable again (by its owner): the import works, nothing was lost.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
    ok(&as_user(&["import", extra.to_str().unwrap()]));
    assert_eq!(ok(&as_user(&["list"])).lines().count(), 3);
    assert!(ok(&as_user(&["show", &first])).contains(&name));
    ok(&as_user(&["verify"]));
}

#[test]
fn a_database_on_a_read_only_folder_is_named_read_only_even_for_reading() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = data.join("taiwa.db");
    let listed = two_documents(&db);
    hand_to_nobody(&data);
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    // The folder cannot be written: SQLite cannot make the WAL index beside the file.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o555)).unwrap();
    let as_user = |args: &[&str]| bound_by_permissions(cli(&db, args));
    assert_fault(as_user, &["list"], "読み取り専用", "read-only", &db);
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(ok(&as_user(&["list"])), listed);
    ok(&as_user(&["verify"]));
}

/// The newest backup in `backups` beside `db`.
fn backup_beside(db: &Path) -> PathBuf {
    PathBuf::from(ok(&run(db, &["backup"])).trim())
}

fn flip(path: &Path, at: u64) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[at as usize] ^= 0xFF;
    std::fs::write(path, bytes).unwrap();
}

fn truncate(path: &Path, len: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}

#[test]
fn a_truncated_or_flipped_database_is_named_damaged_not_a_wrong_passphrase_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("taiwa.db");
    let listed = two_documents(&db);
    let backup = backup_beside(&db);
    let pristine = std::fs::read(&db).unwrap();
    let pages = pristine.len() as u64 / 4096;
    assert!(pages > 8, "{pages} pages");
    let hint_ja = format!("復元するには: taiwa restore \"{}\"", backup.display());
    let hint_en = format!("to restore it: taiwa restore \"{}\"", backup.display());
    type Damage = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Damage, &str)> = vec![
        (
            "cut at a page boundary",
            Box::new(move |p| truncate(p, pages / 2 * 4096)),
            "list",
        ),
        (
            "cut mid-page",
            Box::new(move |p| truncate(p, pages / 2 * 4096 + 1000)),
            "list",
        ),
        ("page 1 flipped", Box::new(|p| flip(p, 200)), "list"),
        (
            "a later page flipped",
            Box::new(move |p| flip(p, (pages - 1) * 4096 + 200)),
            "verify",
        ),
    ];
    for (what, damage, command) in cases {
        std::fs::write(&db, &pristine).unwrap();
        damage(&db);
        let damaged = std::fs::read(&db).unwrap();
        let (ja, en) = assert_fault(
            |a| run(&db, a),
            &[command],
            "壊れています",
            "is damaged",
            &db,
        );
        assert!(ja.contains("[store.damaged]"), "{what}: {ja}");
        assert!(!ja.contains("パスフレーズが違う"), "{what}: {ja}");
        assert!(!en.contains("wrong passphrase"), "{what}: {en}");
        assert!(ja.contains(&hint_ja), "{what}: {ja}");
        assert!(en.contains(&hint_en), "{what}: {en}");
        assert_eq!(
            std::fs::read(&db).unwrap(),
            damaged,
            "{what}: nothing written to it"
        );
        // Where reading meets the damage, writing is refused the same way and writes nothing.
        // (A page no command reads, like the last one here, only `verify` finds.)
        if command == "list" {
            let out = run(&db, &["import", SAMPLES[0]]);
            assert_eq!(out.status.code(), Some(3), "{what}: {}", err(&out));
            assert_eq!(std::fs::read(&db).unwrap(), damaged, "{what}: no write");
        }
        ok(&run(&db, &["restore", backup.to_str().unwrap()]));
        assert_intact(&db, &listed);
    }

    // A file cut inside page 1: no page checks out, so the passphrase cannot be told right; the
    // message says both, and names the backup this passphrase opens.
    std::fs::write(&db, &pristine).unwrap();
    truncate(&db, 100);
    let (ja, en) = assert_fault(
        |a| run(&db, a),
        &["list"],
        "壊れているか",
        "is damaged or not",
        &db,
    );
    assert!(
        ja.contains(&format!("taiwa restore \"{}\"", backup.display())),
        "{ja}"
    );
    assert!(
        en.contains(&format!(
            "This passphrase opens the backup {}",
            backup.display()
        )),
        "{en}"
    );
    ok(&run(&db, &["restore", backup.to_str().unwrap()]));
    assert_intact(&db, &listed);

    // A wrong passphrase on an intact file is never called damage, and opens no backup.
    let out = cli(&db, &["--lang", "en", "list"])
        .env("TAIWA_PASSPHRASE", "違う合言葉 not this one")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let en = err(&out);
    assert!(en.contains("wrong passphrase"), "{en}");
    assert!(!en.contains("is damaged ("), "{en}");
    assert!(!en.contains("opens the backup"), "{en}");
}

#[test]
fn a_backup_folder_that_vanished_is_named_and_the_default_one_is_made_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("taiwa.db");
    let listed = two_documents(&db);
    let folder = dir.path().join("backups");
    backup_beside(&db);

    // The default folder, deleted: made again (it is Taiwa's own, beside the database).
    std::fs::remove_dir_all(&folder).unwrap();
    let made = backup_beside(&db);
    assert_eq!(made.parent().unwrap(), folder);
    assert_intact(&db, &listed);

    // A folder given by name, deleted: named, not made again (it may be an unplugged disk's).
    let named = dir.path().join("usb").join("taiwa-backups");
    std::fs::create_dir_all(&named).unwrap();
    ok(&run(&db, &["backup", named.to_str().unwrap()]));
    std::fs::remove_dir_all(&named).unwrap();
    assert_fault(
        |a| run(&db, a),
        &["backup", named.to_str().unwrap()],
        "がありません",
        "does not exist",
        &named,
    );
    assert!(!named.exists(), "not made again");

    // Replaced by a file.
    std::fs::remove_dir_all(&folder).unwrap();
    std::fs::write(&folder, b"not a folder").unwrap();
    assert_fault(
        |a| run(&db, a),
        &["backup"],
        "ファイルです",
        "is a file, not a folder",
        &folder,
    );
    assert_eq!(std::fs::read(&folder).unwrap(), b"not a folder");
    std::fs::remove_file(&folder).unwrap();

    // Not writable.
    std::fs::create_dir(&folder).unwrap();
    hand_to_nobody(dir.path());
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    assert_fault(
        |a| bound_by_permissions(cli(&db, a)),
        &["backup"],
        "書き込めません",
        "cannot be written",
        &folder,
    );
    assert_eq!(
        std::fs::read_dir(&folder).unwrap().count(),
        0,
        "nothing left in it"
    );
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    ok(&bound_by_permissions(cli(&db, &["backup"])));
    assert_intact(&db, &listed);
}

/// The frames of a WAL file: (offset of the frame header, the page's commit mark: the database
/// size in pages after a commit, 0 inside a transaction).
fn wal_frames(wal: &[u8]) -> Vec<(usize, u32)> {
    let page = u32::from_be_bytes(wal[8..12].try_into().unwrap()) as usize;
    (32..wal.len())
        .step_by(24 + page)
        .filter(|at| at + 24 + page <= wal.len())
        .map(|at| {
            (
                at,
                u32::from_be_bytes(wal[at + 4..at + 8].try_into().unwrap()),
            )
        })
        .collect()
}

/// The copies of a damaged WAL kept beside `db`.
fn kept_wals(db: &Path) -> Vec<PathBuf> {
    let prefix = format!("{}-wal.damaged-", db.file_name().unwrap().to_str().unwrap());
    let mut kept: Vec<PathBuf> = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(&prefix)
        })
        .collect();
    kept.sort();
    kept
}

fn wal_of(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}-wal", db.display()))
}

/// What a crash leaves: `db_bytes` and `wal` as `taiwa.db` and its WAL in a new folder `name`,
/// with `backup` in the `backups` folder beside them.
fn crashed(dir: &Path, name: &str, db_bytes: &[u8], wal: &[u8], backup: &Path) -> PathBuf {
    let at = dir.join(name);
    std::fs::create_dir_all(at.join("backups")).unwrap();
    let copy = at.join("taiwa.db");
    std::fs::write(&copy, db_bytes).unwrap();
    std::fs::write(wal_of(&copy), wal).unwrap();
    std::fs::copy(backup, at.join("backups").join(backup.file_name().unwrap())).unwrap();
    copy
}

/// A list that works without a word on stderr and leaves no copy of the WAL.
fn lists_silently(db: &Path) -> String {
    let out = run(db, &["list"]);
    let listed = ok(&out);
    assert_eq!(err(&out), "", "nothing to tell");
    assert!(kept_wals(db).is_empty(), "{:?}", kept_wals(db));
    listed
}

/// A connection holding a read snapshot: no checkpoint can pass it, so later commits stay in the
/// WAL, as when the app has the database open.
fn snapshot_reader(db: &Path) -> taiwa::store::Store {
    let reader = taiwa::store::Store::open(db, PASS, taiwa::store::OpenMode::ExistingOnly).unwrap();
    reader.connection().execute_batch("BEGIN").unwrap();
    let _: i64 = reader
        .connection()
        .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    reader
}

#[test]
fn a_damaged_wal_is_kept_and_refused_a_torn_tail_opens_silently() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("taiwa.db");
    let listed = two_documents(&db);
    let backup = backup_beside(&db);
    // A reader holding its snapshot keeps the next commits in the WAL (no checkpoint can pass
    // it, and the CLI is not the last connection to close), as when the app is open.
    let reader = snapshot_reader(&db);
    let route_map = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples/route-map.json");
    let third = ok(&run(&db, &["import", route_map])).trim().to_string();
    let wal_after_third = std::fs::metadata(wal_of(&db)).unwrap().len() as usize;
    let big = big_record(dir.path());
    ok(&run(&db, &["import", big.to_str().unwrap()]));
    // What a crash leaves on disk now: the database and its WAL (the index is rebuilt).
    let db_bytes = std::fs::read(&db).unwrap();
    let wal_bytes = std::fs::read(wal_of(&db)).unwrap();
    drop(reader);
    let frames = wal_frames(&wal_bytes);
    let commits: Vec<usize> = frames.iter().filter(|f| f.1 != 0).map(|f| f.0).collect();
    assert!(
        commits.len() >= 2,
        "both imports are in the WAL: {commits:?}"
    );
    let crash = |name: &str, wal: &[u8]| crashed(dir.path(), name, &db_bytes, wal, &backup);

    // Intact: recovery replays both imports.
    let copy = crash("intact", &wal_bytes);
    assert_eq!(lists_silently(&copy).lines().count(), 4);
    ok(&run(&copy, &["verify"]));
    let out = run(&copy, &["--accept-wal-loss", "list"]);
    assert_eq!((ok(&out).lines().count(), err(&out)), (4, String::new()));

    // Torn tails, as a crash while appending leaves them: the WAL cut inside the second import,
    // or its last frame (the commit) written in part. The first import is there, the second is
    // gone (it never finished), and nothing is said.
    let mut torn_commit = wal_bytes.clone();
    torn_commit[frames[frames.len() - 1].0 + 24 + 2000] ^= 0xFF;
    for (name, wal) in [
        ("cut", &wal_bytes[..wal_after_third + 4096]),
        ("torn", &torn_commit[..]),
    ] {
        let copy = crash(name, wal);
        let left = lists_silently(&copy);
        assert_eq!(left.lines().count(), 3, "{name}: {left}");
        assert!(left.contains(&third), "{name}");
        ok(&run(&copy, &["verify"]));
    }

    // A byte flipped in the first frame of the first import: SQLite would drop both imports
    // without a word. The WAL is copied aside before SQLite opens anything, the open refused,
    // the newest backup offered.
    let mut flipped = wal_bytes.clone();
    flipped[frames[0].0 + 24 + 100] ^= 0xFF;
    let copy = crash("flipped", &flipped);
    let (ja, en) = assert_fault(
        |a| run(&copy, a),
        &["list"],
        "1 番目のフレームが壊れています",
        "is damaged at frame 1",
        &wal_of(&copy),
    );
    let kept = kept_wals(&copy);
    assert_eq!(kept.len(), 1, "one copy for both refusals: {kept:?}");
    assert_eq!(
        std::fs::read(&kept[0]).unwrap(),
        flipped,
        "the copy is the WAL"
    );
    let mode = std::fs::metadata(&kept[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "owner-only");
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        db_bytes,
        "database untouched"
    );
    assert_eq!(
        std::fs::read(wal_of(&copy)).unwrap(),
        flipped,
        "WAL untouched"
    );
    assert!(!Path::new(&format!("{}-shm", copy.display())).exists());
    assert!(ja.contains("[store.wal_damaged]"), "{ja}");
    assert!(ja.contains(&kept[0].display().to_string()), "{ja}");
    assert!(en.contains(&kept[0].display().to_string()), "{en}");
    assert!(en.contains("2 saved change(s)"), "{en}");
    assert!(en.contains("--accept-wal-loss"), "{en}");
    let offered = copy
        .parent()
        .unwrap()
        .join("backups")
        .join(backup.file_name().unwrap());
    assert!(
        ja.contains(&format!(
            "復元するには: taiwa restore \"{}\"",
            offered.display()
        )),
        "{ja}"
    );
    assert!(
        en.contains(&format!(
            "to restore it: taiwa restore \"{}\"",
            offered.display()
        )),
        "{en}"
    );
    // Writing is refused the same way, and writes nothing.
    let out = run(&copy, &["import", SAMPLES[0]]);
    assert_eq!(out.status.code(), Some(3), "{}", err(&out));
    assert_eq!(std::fs::read(&copy).unwrap(), db_bytes);
    // The offered restore works, and keeps the copy.
    ok(&run(&copy, &["restore", offered.to_str().unwrap()]));
    assert_intact(&copy, &listed);
    assert_eq!(kept_wals(&copy), kept);

    // Going on anyway, once accepted: the imports after the damage are lost, said so, and the
    // copy (made here, without an earlier refusal) stays.
    let copy = crash("accepted", &flipped);
    let out = run(&copy, &["--accept-wal-loss", "list"]);
    assert_eq!(ok(&out), listed);
    let kept = kept_wals(&copy);
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read(&kept[0]).unwrap(), flipped);
    assert!(err(&out).starts_with("警告: "), "{}", err(&out));
    assert!(err(&out).contains(&kept[0].display().to_string()));
    assert_intact(&copy, &listed);
    assert_eq!(
        err(&run(&copy, &["list"])),
        "",
        "the next open has nothing to say"
    );

    // The header damaged (salt-1, so its checksum fails): SQLite would ignore every frame.
    let mut header = wal_bytes.clone();
    header[16] ^= 0x01;
    let copy = crash("header", &header);
    let (ja, en) = assert_fault(
        |a| run(&copy, a),
        &["list"],
        "先頭(ヘッダー)が壊れています",
        "the header of the write-ahead log",
        &wal_of(&copy),
    );
    assert!(ja.contains("[store.wal_damaged]"), "{ja}");
    let kept = kept_wals(&copy);
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read(&kept[0]).unwrap(), header);
    assert!(en.contains(&kept[0].display().to_string()), "{en}");
    assert_eq!(std::fs::read(&copy).unwrap(), db_bytes);
}

#[test]
fn a_clean_wal_of_4_mib_opens_silently() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("taiwa.db");
    two_documents(&db);
    let backup = backup_beside(&db);
    let reader = snapshot_reader(&db);
    let mut writer =
        taiwa::store::Store::open(&db, PASS, taiwa::store::OpenMode::ExistingOnly).unwrap();
    let big = taiwa::record::parse_record(
        &std::fs::read(big_record(dir.path())).unwrap(),
        taiwa::template::Registry::builtin(),
    )
    .unwrap();
    let mut saved = 2;
    while std::fs::metadata(wal_of(&db)).unwrap().len() < 4 << 20 {
        writer.save_record(&big, None).unwrap();
        saved += 1;
    }
    let db_bytes = std::fs::read(&db).unwrap();
    let wal_bytes = std::fs::read(wal_of(&db)).unwrap();
    drop((writer, reader));
    let copy = crashed(dir.path(), "crashed", &db_bytes, &wal_bytes, &backup);
    assert_eq!(lists_silently(&copy).lines().count(), saved);
    ok(&run(&copy, &["verify"]));
}
