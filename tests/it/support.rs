//! What every test module shares.

/// The repository root: samples/, templates/ and the sources some tests read. The tests are
/// built in crates/cli (they run the `taiwa` binary, which only its own package's tests can
/// name), so the root is two levels up.
pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
