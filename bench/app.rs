//! The desktop app's start-up time, memory with a 50-document case open, and binary size:
//! `cargo bench -p taiwa-e2e --bench app` under a display (bench/README.md says how; the release
//! build is measured: APP_BIN, default target/release/taiwa-app). Figures are printed, never asserted.
//!
//! TAIWA_BENCH_DB=<file made by taiwa-bench-gen> adds the scale part (issue 8): the app unlocking
//! that database (100,000 documents), the case list's first page, a search, and the memory then.
//! TAIWA_BENCH_COLD=1 (as root) drops the page cache before each start-up, for a cold start.

use fantoccini::{Client, Locator};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use taiwa::store::{NewCase, OpenMode, Store};
use taiwa_e2e::{Driver, app_binary};

const PASSPHRASE: &str = "kawa-sakura-tokei-57-mori";
const RUNS: usize = 5;

async fn wait_for(c: &Client, css: &str) {
    c.wait()
        .at_most(Duration::from_secs(60))
        .every(Duration::from_millis(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

/// Summed PSS (KiB) of the app and every process under it (WebKit's web and network processes).
fn tree_pss_kib(binary: &Path) -> (u64, Vec<String>) {
    let mut parent = std::collections::HashMap::new();
    let mut roots = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().filter_map(Result::ok) {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let ppid: u32 = after
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        parent.insert(pid, ppid);
        if std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|e| e == binary) {
            roots.push(pid);
        }
    }
    let in_tree = |mut pid: u32| {
        while pid > 1 {
            if roots.contains(&pid) {
                return true;
            }
            pid = parent.get(&pid).copied().unwrap_or(0);
        }
        false
    };
    let mut total = 0;
    let mut each = Vec::new();
    for pid in parent.keys().copied().filter(|p| in_tree(*p)) {
        let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            continue;
        };
        if let Some(kib) = rollup
            .lines()
            .find(|l| l.starts_with("Pss:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
        {
            total += kib;
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            each.push(format!("{} {:.0} MiB", name.trim(), kib as f64 / 1024.0));
        }
    }
    each.sort();
    (total, each)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let binary = app_binary("release");
    let size = std::fs::metadata(&binary).unwrap().len();
    let stripped = std::env::temp_dir().join("taiwa-app-stripped");
    let stripped_size = Command::new("strip")
        .arg("-o")
        .arg(&stripped)
        .arg(&binary)
        .status()
        .ok()
        .filter(|s| s.success())
        .and_then(|_| std::fs::metadata(&stripped).ok())
        .map(|m| m.len());
    println!(
        "app binary        {} ({:.1} MB; stripped {})",
        binary.display(),
        size as f64 / 1e6,
        stripped_size.map_or("-".into(), |s| format!("{:.1} MB", s as f64 / 1e6))
    );

    // Start-up: a new process each run, first-run screen usable (passphrase field present).
    let cold = std::env::var_os("TAIWA_BENCH_COLD").is_some();
    let mut starts = Vec::new();
    let mut paints = Vec::new();
    for _ in 0..RUNS {
        let home = tempfile::tempdir().unwrap();
        if cold {
            drop_page_cache();
        }
        let driver = Driver::start(&binary, home.path(), None);
        let t = Instant::now();
        let c = driver.connect().await;
        wait_for(&c, "[data-testid=\"passphrase-new\"]").await;
        starts.push(t.elapsed().as_secs_f64() * 1000.0);
        let fcp = c
            .execute(
                "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_f64());
        if let Some(f) = fcp {
            paints.push(f);
        }
        c.close().await.ok();
    }
    println!(
        "start-up          {:.0} ms median of {RUNS}{} (launch request → first-run screen usable; includes WebKitWebDriver's session setup)",
        median(starts.clone()),
        if cold {
            ", page cache dropped before each"
        } else {
            ""
        }
    );
    if !paints.is_empty() {
        println!(
            "first paint       {:.0} ms median (web view navigation → first contentful paint)",
            median(paints)
        );
    }

    // Memory: a case with 50 dialogue records, opened in the app.
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("data/taiwa/taiwa.db");
    {
        let mut store = Store::open(&db, PASSPHRASE, OpenMode::CreateIfMissing).unwrap();
        let case = store
            .create_case(&NewCase {
                display_name: "山田 花子".into(),
                pseudonym: None,
                employer: None,
            })
            .unwrap();
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../samples/dialogue-record.json"
        ))
        .unwrap();
        let record = taiwa::record::parse_record(&bytes, store.registry()).unwrap();
        for _ in 0..50 {
            let mut r = record.clone();
            r.id = None;
            store.save_record(&r, Some(case.id)).unwrap();
        }
    }
    let driver = Driver::start(&binary, home.path(), None);
    let c = driver.connect().await;
    wait_for(&c, "[data-testid=\"passphrase\"]").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle, idle_each) = tree_pss_kib(&binary);
    c.find(Locator::Css("[data-testid=\"passphrase\"]"))
        .await
        .unwrap()
        .send_keys(PASSPHRASE)
        .await
        .unwrap();
    c.find(Locator::Css("[data-testid=\"unlock\"]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "[data-testid=\"case-link\"]").await;
    c.find(Locator::Css("[data-testid=\"case-link\"]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let t = Instant::now();
    loop {
        let rows = c
            .find_all(Locator::Css("[data-testid=\"document-row\"]"))
            .await
            .unwrap()
            .len();
        if rows == 50 {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "{rows} document rows"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let opened_ms = t.elapsed().as_secs_f64() * 1000.0;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (pss, each) = tree_pss_kib(&binary);
    println!(
        "unlock screen     {:.0} MiB PSS ({})",
        idle as f64 / 1024.0,
        idle_each.join(", ")
    );
    println!(
        "case of 50 docs   opened in {opened_ms:.0} ms; {:.0} MiB PSS ({})",
        pss as f64 / 1024.0,
        each.join(", ")
    );
    c.close().await.ok();
    drop(driver);

    if let Some(db) = std::env::var_os("TAIWA_BENCH_DB") {
        scale(&binary, Path::new(&db), cold).await;
    }
}

/// As root: writes back and drops the page cache, so the next start reads the binary, its
/// libraries and the database from disk.
fn drop_page_cache() {
    let _ = Command::new("sync").status();
    if std::fs::write("/proc/sys/vm/drop_caches", "3").is_err() {
        eprintln!("TAIWA_BENCH_COLD: could not drop the page cache (not root?): the start is warm");
    }
}

/// The app on a generated database (bench/gen.rs, its passphrase): unlock → case list, a search,
/// memory. The database is linked into a new home, not copied; backups are pointed at a folder
/// that does not exist, so the daily and on-close backups fail at once instead of copying
/// gigabytes (what they cost is the backup's business, not the open database's).
async fn scale(binary: &Path, db: &Path, cold: bool) {
    const GEN_PASSPHRASE: &str = "ベンチ用の合言葉 correct horse battery";
    let home = tempfile::tempdir_in(db.parent().unwrap()).unwrap();
    let link = home.path().join("data/taiwa/taiwa.db");
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::fs::hard_link(db, &link).unwrap_or_else(|e| panic!("link {}: {e}", db.display()));
    let config = home.path().join("config/taiwa");
    std::fs::create_dir_all(&config).unwrap();
    let nowhere = home.path().join("no-backups-in-this-benchmark");
    std::fs::write(
        config.join("settings.json"),
        serde_json::json!({ "backup_dir": nowhere.to_string_lossy() }).to_string(),
    )
    .unwrap();
    let size = std::fs::metadata(db).map_or(0, |m| m.len());
    if cold {
        drop_page_cache();
    }
    let driver = Driver::start(binary, home.path(), None);
    let t = Instant::now();
    let c = driver.connect().await;
    wait_for(&c, "[data-testid=\"passphrase\"]").await;
    let start = t.elapsed();
    c.find(Locator::Css("[data-testid=\"passphrase\"]"))
        .await
        .unwrap()
        .send_keys(GEN_PASSPHRASE)
        .await
        .unwrap();
    let unlock = c
        .find(Locator::Css("[data-testid=\"unlock\"]"))
        .await
        .unwrap();
    let t = Instant::now();
    unlock.click().await.unwrap();
    wait_for(&c, "[data-testid=\"case-link\"]").await;
    let listed = t.elapsed();
    let rows = c
        .find_all(Locator::Css("[data-testid=\"case-link\"]"))
        .await
        .map_or(0, |r| r.len());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (pss, each) = tree_pss_kib(binary);
    println!(
        "scale database    {} ({:.1} GB)",
        db.display(),
        size as f64 / 1e9
    );
    println!(
        "  start-up        {:.0} ms to the unlock screen{}",
        start.as_secs_f64() * 1000.0,
        if cold { " (cold)" } else { "" }
    );
    println!(
        "  unlock → list   {:.0} ms (key derivation, open, first page: {rows} cases shown)",
        listed.as_secs_f64() * 1000.0
    );
    println!(
        "  memory, open    {:.0} MiB PSS ({})",
        pss as f64 / 1024.0,
        each.join(", ")
    );
    c.close().await.ok();
    drop(driver);
}
