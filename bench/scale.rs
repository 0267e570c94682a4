//! Scale benchmarks on the generated 100,000-document database (bench/gen.rs), encrypted and
//! plain: `cargo bench -p taiwa --features bench-plain --bench scale`. Criterion reports means
//! with confidence intervals; the targets are medians and tails, so every measurement is also
//! repeated on its own and printed as `SCALE name n= median= p95= p99=` lines (bench/scale.sh
//! collects them into bench/results/scale-latest.txt).
//!
//! TAIWA_BENCH_CASES (default 25,000 cases = 100,000 documents) and TAIWA_BENCH_SEED choose the
//! data set; TAIWA_BENCH_PLAIN_CASES the plain one's size (default: the same). Saving appends
//! revisions to one benchmark document in the cached file (real fsync),
//! so the cache grows by a few hundred revisions per run; nothing else is changed.

#[path = "gen.rs"]
#[allow(dead_code)]
mod generator;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::Value;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};
use taiwa::Lang;
use taiwa::pdf::ExportOptions;
use taiwa::record::{DocStatus, Record};
use taiwa::store::{CaseFilter, Store};

const SEARCHES: &[(&str, &[&str])] = &[
    ("search_1char", &["田", "病", "腸", "ハ", "誠"]),
    ("search_2char", &["山田", "難病", "通院", "在宅", "物流"]),
    (
        "search_3plus",
        &[
            "潰瘍性",
            "在宅勤務",
            "ハローワーク",
            "時差出勤",
            "重症筋無力症",
        ],
    ),
];

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `f` `n` times and prints median, p95 and p99 (nearest rank).
fn percentiles(name: &str, n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    let times: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    report(name, times)
}

/// Prints median, p95 and p99 (nearest rank) of `times`; returns them sorted.
fn report(name: &str, mut times: Vec<Duration>) -> Vec<Duration> {
    let n = times.len();
    times.sort();
    let at = |p: f64| times[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
    println!(
        "SCALE {name:<28} n={n:<4} median={:9.3} ms  p95={:9.3} ms  p99={:9.3} ms  max={:9.3} ms",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(at(0.99)),
        ms(times[n - 1])
    );
    times
}

fn open(path: &Path, plain: bool) -> Store {
    generator::open(path, plain).expect("open the generated database")
}

/// A draft to save revisions of, in its own case: made once per database, then found by title.
fn bench_document(store: &mut Store) -> Record {
    const TITLE: &str = "保存ベンチ 太郎";
    if let Some(hit) = store.search(TITLE).expect("search").first() {
        return store.document(hit.document_id.into()).expect("read").record;
    }
    let mut record = taiwa::record::parse_record(
        include_bytes!("../samples/dialogue-record.json"),
        store.registry(),
    )
    .expect("sample");
    record.status = DocStatus::Draft;
    record
        .fields
        .insert("person_name".into(), Value::String(TITLE.into()));
    let saved = store.save_record(&record, None).expect("save");
    record.id = Some(saved.document_id);
    record
}

fn database(c: &mut Criterion, plain: bool) {
    let cases = env_num("TAIWA_BENCH_CASES", 25_000);
    let cases = if plain {
        env_num("TAIWA_BENCH_PLAIN_CASES", cases)
    } else {
        cases
    } as usize;
    let seed = env_num("TAIWA_BENCH_SEED", 1);
    let kind = if plain { "plain" } else { "enc" };
    let (path, generated) = generator::ensure(cases, seed, plain).expect("generate");
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    let docs = cases * generator::DOCS_PER_CASE;
    if let Some(secs) = generated {
        println!("SCALE generate_{kind} {docs} documents in {secs:.1} s");
    }
    println!(
        "SCALE size_{kind} {:.1} MiB, {:.0} bytes/document ({})",
        size as f64 / 1048576.0,
        size as f64 / docs as f64,
        path.display()
    );

    let mut g = c.benchmark_group(kind);
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    // Open: key derivation (SQLCipher's PBKDF2-HMAC-SHA512, 256,000 iterations by default),
    // reading the schema, the migration check and the pragmas.
    g.bench_function("open_100k", |b| b.iter(|| black_box(open(&path, plain))));
    percentiles(&format!("open_100k_{kind}"), 20, || {
        drop(black_box(open(&path, plain)))
    });
    if !plain {
        let dir = tempfile::tempdir().expect("tempdir");
        let empty = dir.path().join("empty.db");
        drop(open(&empty, false));
        percentiles("open_empty_enc (kdf)", 20, || {
            drop(black_box(open(&empty, false)))
        });
    }

    let mut store = open(&path, plain);
    let today = taiwa::consent::today();
    g.bench_function("case_list_first_page", |b| {
        b.iter(|| {
            black_box(
                store
                    .cases_page(&CaseFilter::default(), today, 50)
                    .expect("cases"),
            )
        })
    });
    percentiles(&format!("case_list_first_page_{kind}"), 100, || {
        black_box(
            store
                .cases_page(&CaseFilter::default(), today, 50)
                .expect("cases"),
        );
    });
    // The app's list with a text typed into its filter (not a target; cases.rs cases_mentioning).
    let filters = ["山田", "潰瘍性", "重症筋無力症"];
    let mut i = 0;
    percentiles(&format!("case_list_text_filter_{kind}"), 30, || {
        let filter = CaseFilter {
            text: filters[i % filters.len()].into(),
            ..CaseFilter::default()
        };
        black_box(store.cases_page(&filter, today, 100).expect("cases"));
        i += 1;
    });
    for (name, queries) in SEARCHES {
        g.bench_function(*name, |b| {
            b.iter(|| {
                for q in *queries {
                    black_box(store.search(q).expect("search"));
                }
            })
        });
        let mut i = 0;
        percentiles(&format!("{name}_{kind}"), 100, || {
            black_box(store.search(queries[i % queries.len()]).expect("search"));
            i += 1;
        });
    }

    let mut record = bench_document(&mut store);
    let mut n = 0u64;
    let mut save = |store: &mut Store| {
        n += 1;
        record.fields.insert(
            "good_day".into(),
            Value::String(format!("保存の計測 {n} 回目")),
        );
        black_box(store.save_record(&record, None).expect("save"));
    };
    g.bench_function("save_revision", |b| b.iter(|| save(&mut store)));
    // As in the app: the WAL is copied back while the user is idle (store/upkeep.rs), not by
    // a save. 300 saves in a row, then the one checkpoint the app makes after them.
    store.tidy().expect("checkpoint");
    percentiles(&format!("save_revision_{kind}"), 300, || save(&mut store));
    let mut tidied = None;
    percentiles(&format!("tidy_after_300_saves_{kind}"), 1, || {
        tidied = Some(store.tidy().expect("checkpoint"));
    });
    // Frames in the WAL then: fewer than the saves wrote means SQLite's own checkpoint (past
    // 10,000 pages) ran during them, inside one of the timed saves.
    println!("SCALE tidy_after_300_saves_{kind}: {tidied:?}");
    // What a save leaves for later (store/search.rs): indexing its text, which the app does when
    // the user pauses and a search does first. 300 saves, each followed by that catch-up; only
    // the catch-up is timed.
    let caught_up = (0..300)
        .map(|_| {
            save(&mut store);
            let t = Instant::now();
            black_box(store.catch_up_search().expect("index"));
            t.elapsed()
        })
        .collect();
    report(&format!("index_after_a_save_{kind}"), caught_up);
    store.tidy().expect("checkpoint");
    g.finish();
}

fn encrypted(c: &mut Criterion) {
    database(c, false);
}

fn plain(c: &mut Criterion) {
    database(c, true);
}

/// The in-process render, fonts loaded: a two-page document (the 両立支援プラン, part D of the
/// work-consideration sample, as `taiwa export --part d` prints it) and the longest sample (the
/// dialogue record, 7 pages: every field of the form is printed, filled or not).
fn render(c: &mut Criterion) {
    let registry = taiwa::template::Registry::builtin();
    let cases: [(&str, &[u8], Option<&str>); 2] = [
        (
            "render_2_pages",
            include_bytes!("../samples/work-consideration.json"),
            Some("d"),
        ),
        (
            "render_dialogue_record",
            include_bytes!("../samples/dialogue-record.json"),
            None,
        ),
    ];
    for (name, bytes, part) in cases {
        let record = taiwa::record::parse_record(bytes, registry).expect("sample");
        let template = registry.template_for(&record).expect("form");
        let mut opts = ExportOptions::new(Lang::Ja);
        opts.parts = part.map(|p| vec![p.to_string()]);
        let pdf = taiwa::pdf::export(&record, template, &opts).expect("export");
        let pages = lopdf::Document::load_mem(&pdf).map_or(0, |d| d.get_pages().len());
        println!(
            "SCALE {name}: {} {}, {pages} pages, {} bytes",
            record.template,
            part.map_or(String::new(), |p| format!("part {p}")),
            pdf.len()
        );
        c.bench_function(name, |b| {
            b.iter(|| black_box(taiwa::pdf::export(&record, template, &opts).expect("export")))
        });
        percentiles(name, 100, || {
            black_box(taiwa::pdf::export(&record, template, &opts).expect("export"));
        });
    }
}

criterion_group!(benches, render, encrypted, plain);
criterion_main!(benches);
