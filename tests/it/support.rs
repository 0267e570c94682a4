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

/// A `taiwa` CLI on a database of its own in a temporary folder (English messages first).
pub struct Cli {
    pub dir: tempfile::TempDir,
    pub passphrase: &'static str,
}

impl Cli {
    pub fn new() -> Cli {
        Cli {
            dir: tempfile::tempdir().expect("a temporary folder"),
            passphrase: "架空の合言葉 support kestrel 9",
        }
    }

    pub fn db(&self) -> std::path::PathBuf {
        self.dir.path().join("taiwa.db")
    }

    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_taiwa"))
            .args(args)
            .env("TAIWA_DB", self.db())
            .env("TAIWA_PASSPHRASE", self.passphrase)
            .env("TAIWA_LANG", "en")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("taiwa runs")
    }

    /// Runs and requires success; what it printed.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_ok(&out, &args.join(" "));
        stdout(&out)
    }

    /// The store itself, for what the CLI does not print.
    pub fn store(&self) -> taiwa::store::Store {
        taiwa::store::Store::open(
            &self.db(),
            self.passphrase,
            taiwa::store::OpenMode::ExistingOnly,
        )
        .expect("the database opens")
    }
}

/// The text of a PDF as poppler's pdftotext reads it (layout kept).
pub fn pdftotext(pdf: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8(out.stdout).expect("UTF-8")
}
