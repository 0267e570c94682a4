//! In-process PDF export timing: `cargo bench -p taiwa --bench export [-- RECORD.json [RUNS [PARTS]]]`
//! (PARTS: work-consideration parts, comma-separated, as `taiwa export --part`).
//!
//! Reports the one-off costs (checking the bundled fonts, the first export, which also reads the
//! metrics of any fallback shard it draws from) apart from the steady state the app sees for every export after its first:
//! the median of RUNS exports with the fonts loaded. Not a test: timings are printed, never
//! asserted (bench/README.md holds the figures and the comparison with other renderers).

use std::time::{Duration, Instant};
use taiwa::i18n::Lang;
use taiwa::pdf::ExportOptions;
use taiwa::record::parse_record;
use taiwa::template::Registry;
use taiwa::text::fonts::FontSet;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let path = args.first().cloned().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/samples/dialogue-record.json").into()
    });
    let runs: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(50);

    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let registry = Registry::builtin();
    let record = parse_record(&bytes, registry).unwrap_or_else(|e| panic!("{path}: {e}"));
    let template = registry
        .get(&record.template)
        .unwrap_or_else(|| panic!("{path}: unknown form {}", record.template));
    let mut opts = ExportOptions::new(Lang::Ja);
    opts.parts = args
        .get(2)
        .map(|p| p.split(',').map(str::to_string).collect());

    let t = Instant::now();
    FontSet::get().expect("bundled fonts");
    let fonts = t.elapsed();

    let t = Instant::now();
    let first = taiwa::pdf::export(&record, template, &opts).expect("export");
    let first_time = t.elapsed();

    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let pdf = taiwa::pdf::export(&record, template, &opts).expect("export");
            let d = t.elapsed();
            // The same record each time: only the creation time in the file may differ.
            assert!(
                pdf.len().abs_diff(first.len()) < 1000,
                "exports differ in size"
            );
            d
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    println!("record            {path}");
    println!("font set check    {:8.2} ms", ms(fonts));
    println!(
        "first export      {:8.2} ms  (reads the fallback shards it uses)",
        ms(first_time)
    );
    println!(
        "export, fonts in  {:8.2} ms  median of {runs} (min {:.2}, max {:.2})",
        ms(median),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    let pages = lopdf::Document::load_mem(&first).map_or(0, |d| d.get_pages().len());
    println!("PDF size          {:8} bytes, {pages} pages", first.len());
    println!(
        "p95 / p99         {:8.2} / {:.2} ms",
        ms(times[(times.len() * 95).div_ceil(100) - 1]),
        ms(times[(times.len() * 99).div_ceil(100) - 1])
    );
}
