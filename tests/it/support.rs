//! What every test module shares.

/// The repository root: samples/, templates/ and the sources some tests read. The tests are
/// built in crates/cli (they run the `taiwa` binary, which only its own package's tests can
/// name), so the root is two levels up.
pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

use std::process::Output;

/// What a run of the CLI printed; its output is always UTF-8.
pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

#[track_caller]
pub fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
}

#[track_caller]
pub fn assert_exit(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}\nstdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
}
