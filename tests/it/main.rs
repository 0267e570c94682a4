//! Every integration test of the core and the CLI, in one binary: one link of SQLCipher and the
//! fonts instead of one per file. Each module is one subject (`cargo test -p taiwa-cli --test it
//! pdf::` runs one); `support` holds what they share. The app's tests live in src-tauri, the
//! window's in tests/e2e.

mod support;

mod backup;
mod bench_gen;
mod cli;
mod consent;
mod crash;
mod examples;
mod export_all;
mod faults;
mod forms_official;
mod fuzz_regressions;
mod gate;
mod layers;
mod pdf;
mod preview;
mod properties;
mod rekey;
mod retention;
mod revise;
mod roundtrip;
mod routemap;
mod store;
mod validation;
