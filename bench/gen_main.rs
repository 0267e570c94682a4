//! `cargo run --release -p taiwa --features bench-plain --example taiwa-bench-gen -- [--cases N]
//! [--seed S] [--plain] [--out FILE]`: generates (or finds in the cache) the scale benchmark's
//! database and prints where it is, how long it took and its size per document.

#[path = "gen.rs"]
mod generator;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut cases = 25_000;
    let mut seed = 1;
    let mut plain = false;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cases" => cases = args.next().and_then(|n| n.parse().ok()).unwrap_or(cases),
            "--seed" => seed = args.next().and_then(|n| n.parse().ok()).unwrap_or(seed),
            "--plain" => plain = true,
            "--out" => out = args.next(),
            _ => {
                eprintln!("usage: taiwa-bench-gen [--cases N] [--seed S] [--plain] [--out FILE]");
                return ExitCode::from(2);
            }
        }
    }
    let result = match out {
        Some(path) => {
            let t = std::time::Instant::now();
            generator::open(path.as_ref(), plain)
                .and_then(|mut s| generator::generate(&mut s, seed, cases, 500))
                .map(|_| {
                    (
                        std::path::PathBuf::from(path),
                        Some(t.elapsed().as_secs_f64()),
                    )
                })
        }
        None => generator::ensure(cases, seed, plain),
    };
    match result {
        Ok((path, secs)) => {
            let docs = cases * generator::DOCS_PER_CASE;
            let size = std::fs::metadata(&path).map_or(0, |m| m.len());
            println!("database      {}", path.display());
            println!(
                "documents     {docs} in {cases} cases (seed {seed}, {})",
                if plain { "plain" } else { "SQLCipher" }
            );
            match secs {
                Some(s) => println!(
                    "generated in  {s:.1} s ({:.0} documents/s)",
                    docs as f64 / s
                ),
                None => println!("generated in  (cached)"),
            }
            println!(
                "size          {:.1} MiB, {:.0} bytes/document",
                size as f64 / 1048576.0,
                size as f64 / docs as f64
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            if let taiwa::store::StoreError::Invalid { problems } = &e {
                for p in problems {
                    eprintln!("  {}: {}", p.path, p.message.en);
                }
            }
            ExitCode::from(3)
        }
    }
}
