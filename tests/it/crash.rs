//! Crash safety: `taiwa import` killed with SIGKILL at random moments, again and again, on one real
//! encrypted database. After every kill the database opens, `PRAGMA integrity_check` is ok,
//! `taiwa verify` (integrity and every hash chain) passes, and every document id the CLI printed
//! (it prints only after the commit) is there. Imports alternate between new documents and new
//! revisions of documents already stored, so both kinds of transaction are interrupted.
//!
//! Kills: TAIWA_CRASH_KILLS (default 200). Seed: TAIWA_CRASH_SEED (default fixed; printed).

use serde_json::{Value, json};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "架空の合言葉 crash test horse";

fn taiwa(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_taiwa"));
    c.env("TAIWA_DB", db)
        .env("TAIWA_PASSPHRASE", PASSPHRASE)
        .env_remove("TAIWA_LANG")
        .stdin(Stdio::null());
    c
}

fn run_ok(db: &Path, args: &[&str]) -> String {
    let out = taiwa(db).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "taiwa {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic, so a failing seed can be replayed.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn sample() -> Value {
    serde_json::from_str(include_str!("../../samples/dialogue-record.json")).unwrap()
}

/// A draft dialogue record that differs from every other one by `n` (a new document when `id` is
/// None, else a new revision of that document).
fn record(n: u64, id: Option<&str>) -> Value {
    let mut r = sample();
    r["status"] = json!("draft");
    match id {
        Some(id) => r["id"] = json!(id),
        None => {
            r.as_object_mut().unwrap().remove("id");
        }
    }
    r["fields"]["strengths"] = json!(format!("架空の記録 {n}: 通院のため月2回の午後休が必要。"));
    r
}

#[test]
fn imports_killed_at_random_moments_lose_nothing_committed() {
    let kills: u64 = std::env::var("TAIWA_CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let seed: u64 = std::env::var("TAIWA_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x7A1_3A5E);
    println!("crash test: {kills} kills, seed {seed}");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let file = dir.path().join("record.json");

    // How long an import takes here, so kills can land anywhere in it, the commit included.
    std::fs::write(&file, serde_json::to_vec(&record(0, None)).unwrap()).unwrap();
    let mut committed: Vec<String> = vec![
        run_ok(&db, &["import", file.to_str().unwrap()])
            .trim()
            .to_string(),
    ];
    let start = Instant::now();
    std::fs::write(&file, serde_json::to_vec(&record(1, None)).unwrap()).unwrap();
    committed.push(
        run_ok(&db, &["import", file.to_str().unwrap()])
            .trim()
            .to_string(),
    );
    let span = start.elapsed().as_micros() as u64;

    let mut rng = Rng(seed | 1);
    let (mut killed, mut finished, mut printed_then_killed) = (0u64, 0u64, 0u64);
    for n in 2.. {
        if killed >= kills {
            break;
        }
        // Every third import is a new revision of a stored document.
        let target =
            (n % 3 == 0).then(|| committed[rng.below(committed.len() as u64) as usize].clone());
        std::fs::write(
            &file,
            serde_json::to_vec(&record(n, target.as_deref())).unwrap(),
        )
        .unwrap();
        // Half the kills anywhere in the run, half in its last quarter, where the transaction is.
        let at = if rng.below(2) == 0 {
            rng.below(span)
        } else {
            span * 3 / 4 + rng.below(span / 4)
        };
        // A revision is imported as the user names it (a file never replaces a document by itself).
        let mut args = vec!["import"];
        if let Some(t) = &target {
            args.extend(["--as-revision-of", t.as_str(), "--yes"]);
        }
        args.push(file.to_str().unwrap());
        let mut child = taiwa(&db)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(at));
        let was_running = child.try_wait().unwrap().is_none();
        if was_running {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        } else {
            finished += 1;
        }
        child.wait().unwrap();
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        if let Some(id) = out.lines().next().filter(|l| !l.trim().is_empty()) {
            if was_running {
                printed_then_killed += 1;
            }
            let id = id.trim().to_string();
            if !committed.contains(&id) {
                committed.push(id);
            }
        }
        if !was_running {
            continue;
        }
        // After the kill: opens, integrity and hash chains check out, nothing printed is missing.
        let verify = run_ok(&db, &["verify"]);
        assert!(!verify.is_empty(), "verify said nothing");
        let list = run_ok(&db, &["list"]);
        for id in &committed {
            assert!(
                list.contains(id.as_str()),
                "after kill {killed} (seed {seed}): document {id} was printed as committed but is gone"
            );
        }
    }
    // The raw file too, with SQLCipher's own integrity check, opened as the library opens it.
    let store =
        taiwa::store::Store::open(&db, PASSPHRASE, taiwa::store::OpenMode::ExistingOnly).unwrap();
    let ok: String = store
        .connection()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    println!(
        "crash test: {killed} kills ({printed_then_killed} after the id was printed), {finished} imports finished first, {} documents committed, none lost",
        committed.len()
    );
    assert!(killed >= kills);
}
