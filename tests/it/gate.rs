//! The one gate (`taiwa::gate::release`): every way a record leaves goes through it, with the real
//! `taiwa` binary on a real encrypted database. First the map of the ways out — every CLI
//! subcommand and every app command is listed here with what it writes, and the source is scanned
//! for file writes and renderers called anywhere but the gate — so that a new way out that skips
//! the gate fails this test. Then each hole the review of main (4dab7c7) found, attacked as a
//! careless or hostile user would. All people are fictional.

use crate::support::{assert_exit, stderr, stdout};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use tempfile::TempDir;

const SAMPLE_DIALOGUE: &str = include_str!("../../samples/dialogue-record.json");
const SAMPLE_ROUTE: &str = include_str!("../../samples/route-map.json");
const PASSPHRASE: &str = "ひみつの合言葉 correct horse battery";

struct Env {
    dir: TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("taiwa.db")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_taiwa"))
            .args(args)
            .env("TAIWA_DB", self.db())
            .env("TAIWA_PASSPHRASE", PASSPHRASE)
            .env("TAIWA_LANG", "en")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{}: exit {:?}\n{}\n{}",
            args.join(" "),
            out.status.code(),
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    fn write_json(&self, name: &str, value: &Value) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
        path
    }

    fn import(&self, name: &str, value: &Value) -> String {
        let path = self.write_json(name, value);
        self.ok(&["import", s(&path)]).trim().to_string()
    }

    /// The disclosure log of a document, one line per file.
    fn log(&self, id: &str) -> Vec<taiwa::store::Disclosure> {
        self.store()
            .disclosures_for_document(id.parse().unwrap())
            .unwrap()
    }

    fn store(&self) -> taiwa::store::Store {
        taiwa::store::Store::open(&self.db(), PASSPHRASE, taiwa::store::OpenMode::ExistingOnly)
            .unwrap()
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn dialogue() -> Value {
    serde_json::from_str(SAMPLE_DIALOGUE).unwrap()
}

fn route_map() -> Value {
    serde_json::from_str(SAMPLE_ROUTE).unwrap()
}

// ---------------------------------------------------------------------------------------------
// The map of the ways out
// ---------------------------------------------------------------------------------------------

/// What a CLI subcommand writes outside the database.
#[derive(Debug, PartialEq)]
enum Writes {
    /// Nothing but lines of ids, keys and counts (no record content).
    Nothing,
    /// Record content, through the gate (and, for a stored document, its log).
    Gate,
    /// An encrypted copy of the database (same key): nothing leaves in the clear.
    EncryptedCopy,
}

/// Every subcommand of `taiwa` (and of its command groups), as `--help` lists them. A new one
/// must be added here with what it writes; one that writes record content must go through the gate.
const CLI: &[(&str, Writes)] = &[
    ("templates", Writes::Nothing),
    ("template", Writes::Nothing),
    ("migrate-record", Writes::Gate),
    ("validate", Writes::Nothing),
    ("import", Writes::Nothing),
    ("export", Writes::Gate),
    ("sample-pdf", Writes::Gate),
    ("finalize", Writes::Nothing),
    ("revise", Writes::Nothing),
    ("verify-pdf", Writes::Nothing),
    ("read-only", Writes::Nothing),
    ("consent", Writes::Nothing),
    ("consent add", Writes::Nothing),
    ("consent list", Writes::Nothing),
    ("consent withdraw", Writes::Nothing),
    ("disclosures", Writes::Gate),
    ("list", Writes::Nothing),
    ("show", Writes::Gate),
    ("search", Writes::Nothing),
    ("history", Writes::Nothing),
    ("verify", Writes::Nothing),
    ("passphrase", Writes::EncryptedCopy),
    ("backup", Writes::EncryptedCopy),
    ("restore", Writes::EncryptedCopy),
    ("case", Writes::Nothing),
    ("case delete", Writes::Nothing),
    ("retention", Writes::Nothing),
    ("retention set", Writes::Nothing),
    ("retention purge", Writes::Nothing),
    ("routes", Writes::Nothing),
    ("route-map", Writes::Gate),
    ("route-map new", Writes::Gate),
    ("route-map svg", Writes::Gate),
    ("help", Writes::Nothing),
];

/// The subcommands `taiwa [group] --help` lists.
fn subcommands(env: &Env, group: &[&str]) -> Vec<String> {
    let mut args = group.to_vec();
    args.push("--help");
    let help = env.ok(&args);
    let mut out = Vec::new();
    let mut in_commands = false;
    for line in help.lines() {
        if line.starts_with("Commands:") {
            in_commands = true;
            continue;
        }
        if in_commands {
            let Some(name) = line
                .strip_prefix("  ")
                .and_then(|l| l.split_whitespace().next())
            else {
                break;
            };
            if line.starts_with("   ") {
                continue;
            }
            out.push(name.to_string());
        }
    }
    out
}

#[test]
fn every_cli_subcommand_is_classified_and_those_that_write_records_go_through_the_gate() {
    let env = Env::new();
    let mut seen = Vec::new();
    for top in subcommands(&env, &[]) {
        seen.push(top.clone());
        if top == "help" {
            continue;
        }
        for sub in subcommands(&env, &[&top]) {
            if sub != "help" {
                seen.push(format!("{top} {sub}"));
            }
        }
    }
    for name in &seen {
        assert!(
            CLI.iter().any(|(n, _)| n == name),
            "`taiwa {name}` is new: add it to CLI in tests/it/gate.rs with what it writes; if it \
             writes record content, it must call taiwa::gate::release"
        );
    }
    for (name, _) in CLI {
        assert!(seen.contains(&name.to_string()), "`taiwa {name}` is gone");
    }

    // The source: no file is written, and no renderer called, outside the gate (and the few
    // places named here, with why).
    let allowed: &[(&str, &str)] = &[
        // The gate itself.
        ("src/gate/", "the gate"),
        // The database and its encrypted copies (backups, rekey, rescue, WAL copies).
        ("src/store/", "the database and its encrypted copies"),
        // The app's settings (no record data) and its encrypted backups.
        ("src-tauri/src/settings.rs", "settings.json: no record data"),
        (
            "src-tauri/src/backups.rs",
            "encrypted backups through the store",
        ),
        // Compiled for the shell's tests only: the UI's rules and the mock's fixtures (built-in
        // forms and the fictional samples), written into ui/src/generated.
        (
            "src-tauri/src/ui_rules.rs",
            "test only: ui/src/generated from the built-in forms and samples",
        ),
    ];
    let writes = [
        "fs::write(",
        "File::create(",
        "OpenOptions::new(",
        "fs::rename(",
        ".persist(",
        "NamedTempFile",
        "pdf::export(",
        "disclosure_log(",
        "svg::render(",
        "to_pretty_json(",
    ];
    let mut found = Vec::new();
    for root in ["src", "crates/cli/src", "src-tauri/src"] {
        for file in rust_files(Path::new(crate::support::ROOT).join(root).as_path()) {
            let rel = file
                .strip_prefix(crate::support::ROOT)
                .unwrap()
                .to_string_lossy()
                .trim_start_matches('/')
                .to_string();
            if allowed.iter().any(|(p, _)| rel.starts_with(p)) {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            // Unit tests at the end of a file may write scratch files.
            let code = text.split("#[cfg(test)]").next().unwrap_or(&text);
            for w in writes {
                for (n, line) in code.lines().enumerate() {
                    let trimmed = line.trim_start();
                    if trimmed.starts_with("//") || !line.contains(w) {
                        continue;
                    }
                    found.push(format!("{rel}:{}: {w}", n + 1));
                }
            }
        }
    }
    // What may stay, with why: each names the line's file and what it calls.
    let known: &[(&str, &str, &str)] = &[
        // The renderers themselves, and the record's own serialisation.
        ("src/pdf/", "pdf::export(", "the renderer"),
        ("src/pdf/", "disclosure_log(", "the renderer"),
        (
            "src/pdf/",
            "to_pretty_json(",
            "the record attached to the PDF it renders",
        ),
        (
            "src/record/",
            "to_pretty_json(",
            "the record's serialisation",
        ),
        ("src/routemap/", "svg::render(", "the renderer"),
        ("src/routemap/", "to_pretty_json(", "docs"),
        // The route map's live diagram: an SVG string shown in the app's window, never written.
        (
            "src-tauri/src/commands/routemap.rs",
            "svg::render(",
            "shown in the window",
        ),
    ];
    let unexplained: Vec<&String> = found
        .iter()
        .filter(|f| {
            !known
                .iter()
                .any(|(file, what, _)| f.starts_with(file) && f.ends_with(what))
        })
        .collect();
    assert!(
        unexplained.is_empty(),
        "files written or records rendered outside taiwa::gate: {unexplained:#?}"
    );
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// What each app command does with files. A new command must be added here.
#[test]
fn every_app_command_is_classified() {
    let list = std::fs::read_to_string(
        Path::new(crate::support::ROOT).join("src-tauri/src/command_list.rs"),
    )
    .unwrap();
    let commands: Vec<&str> = list
        .lines()
        .filter_map(|l| l.trim().strip_suffix(',')?.split_once("::"))
        .map(|(_, name)| name)
        .collect();
    assert!(
        commands.len() > 30,
        "src-tauri/src/command_list.rs: {commands:?}"
    );
    // Through the gate: export_save (a document's PDF), disclosures_pdf (the 提供記録).
    // Encrypted copies: backup_now, backup_restore, session_lock (a backup on lock).
    // Shown in the window only: export_preview, export_recipient_preview (through the gate's
    // planning), routemap_diagram (the live SVG). Everything else writes no file.
    // sample_pdf_save: a form's built-in 見本, through the gate, logged nowhere (no one's record).
    let gate = ["export_save", "disclosures_pdf", "sample_pdf_save"];
    let encrypted = ["backup_now", "backup_restore", "session_lock"];
    let shown = [
        "export_preview",
        "export_recipient_preview",
        "routemap_diagram",
    ];
    let nothing = [
        "app_status",
        "passphrase_strength",
        "session_create",
        "session_unlock",
        "session_touch",
        "settings_set",
        "templates_list",
        "template_get",
        "cases_list",
        "case_create",
        "case_get",
        "case_close",
        "case_delete_preview",
        "case_delete",
        "retention_get",
        "retention_set",
        "retention_purge",
        "document_create",
        "document_open",
        "document_autosave",
        "document_check",
        "document_save",
        "document_finalize",
        "document_revise",
        "export_open",
        "routemap_catalogue",
        "backup_status",
        "consents_list",
        "consent_add",
        "consent_withdraw",
        "disclosures_list",
        "sources_get",
    ];
    for c in &commands {
        assert!(
            gate.contains(c) || encrypted.contains(c) || shown.contains(c) || nothing.contains(c),
            "app command {c} is new: classify it in tests/it/gate.rs (a file of record content must \
             go through taiwa::gate)"
        );
    }
    let export = std::fs::read_to_string(
        Path::new(crate::support::ROOT).join("src-tauri/src/commands/export.rs"),
    )
    .unwrap();
    assert!(export.contains("gate::deliver(") && export.contains("gate::prepare("));
}

// ---------------------------------------------------------------------------------------------
// The holes
// ---------------------------------------------------------------------------------------------

#[test]
fn show_is_logged_and_a_file_with_no_recipient_records_why_it_was_made() {
    let env = Env::new();
    let id = env.import("d.json", &dialogue());
    let shown: Value = serde_json::from_str(&env.ok(&["show", &id])).unwrap();
    assert_eq!(shown["id"], id.as_str());
    let own = env.path("own.pdf");
    env.ok(&["export", &id, "-o", s(&own)]);
    let kept = env.path("kept.pdf");
    env.ok(&["export", &id, "--reason", "kept-on-record", "-o", s(&kept)]);
    let log = env.log(&id);
    let uses: Vec<(Option<&str>, Option<&str>)> = log
        .iter()
        .map(|d| (d.format.as_deref(), d.purpose.as_deref()))
        .collect();
    assert_eq!(
        uses,
        [
            (Some("json"), Some("shown")),
            (Some("pdf"), Some("person_copy")),
            (Some("pdf"), Some("kept_on_record")),
        ]
    );
    // A reason is for a file with no recipient.
    let out = env.run(&[
        "export",
        &id,
        "--recipient",
        "人事部",
        "--reason",
        "kept-on-record",
        "-o",
        s(&kept),
    ]);
    assert_exit(&out, 2, "--reason with --recipient");
}

#[test]
fn a_record_file_carrying_a_stored_documents_id_cannot_leave_by_path() {
    let env = Env::new();
    let id = env.import("d.json", &dialogue());
    let copy = env.path("copy.json");
    std::fs::write(&copy, env.ok(&["show", &id])).unwrap();
    let out_pdf = env.path("x.pdf");
    let out = env.run(&["export", s(&copy), "-o", s(&out_pdf)]);
    assert_exit(&out, 2, "export of a stored document by path");
    assert!(
        stderr(&out).contains("export.stored_document"),
        "{}",
        stderr(&out)
    );
    assert!(!out_pdf.exists());
    // By its id it leaves, and is logged.
    env.ok(&["export", &id, "-o", s(&out_pdf)]);
    assert_eq!(
        env.log(&id)
            .iter()
            .filter(|d| d.format.as_deref() == Some("pdf"))
            .count(),
        1
    );
    // A record file of no stored document still exports without a database line.
    let mut other = dialogue();
    other["id"] = json!(uuid::Uuid::new_v4().to_string());
    let other = env.write_json("other.json", &other);
    env.ok(&["export", s(&other), "-o", s(&env.path("other.pdf"))]);
}

#[test]
fn a_json_file_never_overwrites_a_stored_document_and_never_sets_its_status() {
    let env = Env::new();
    let mut v = dialogue();
    assert_eq!(v["status"], "final");
    let id = env.import("d.json", &v);
    let stored: Value = serde_json::from_str(&env.ok(&["show", &id])).unwrap();
    assert_eq!(stored["status"], "draft", "status never comes from a file");
    let history = |env: &Env| env.ok(&["history", &id]).lines().count();
    assert_eq!(history(&env), 1);

    // The same id with other content: refused, naming the way to do it on purpose.
    v["id"] = json!(id);
    v["fields"]["person_view"] = json!("書き換えられた本人の意見");
    let forged = env.write_json("forged.json", &v);
    let out = env.run(&["import", s(&forged)]);
    assert_exit(&out, 2, "a file over a stored document");
    assert!(
        stderr(&out).contains("import.would_overwrite"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("--as-revision-of"),
        "{}",
        stderr(&out)
    );
    assert_eq!(history(&env), 1, "nothing appended");

    // The same content again: nothing to do, nothing written.
    let again = env.path("again.json");
    std::fs::write(&again, env.ok(&["show", &id])).unwrap();
    assert_eq!(env.ok(&["import", s(&again)]).trim(), id);
    assert_eq!(history(&env), 1);

    // --as-new: a new document with a new id.
    let new_id = env
        .ok(&["import", "--as-new", s(&forged)])
        .trim()
        .to_string();
    assert_ne!(new_id, id);
    // --as-revision-of without a terminal needs --yes; with it, the next revision, a draft.
    let out = env.run(&["import", "--as-revision-of", &id, s(&forged)]);
    assert_exit(&out, 2, "not confirmed");
    assert!(
        stderr(&out).contains("import.not_confirmed"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("person_view"),
        "names the field it changes"
    );
    assert_eq!(history(&env), 1);
    env.ok(&["import", "--as-revision-of", &id, "--yes", s(&forged)]);
    assert_eq!(history(&env), 2);
    let stored: Value = serde_json::from_str(&env.ok(&["show", &id])).unwrap();
    assert_eq!(stored["status"], "draft");
    // Another document's file cannot be made this one's revision.
    let out = env.run(&["import", "--as-revision-of", &new_id, "--yes", s(&forged)]);
    assert_exit(&out, 2, "another document's file");
    // Finalizing is the user's act here.
    env.ok(&["finalize", &id]);
    let stored: Value = serde_json::from_str(&env.ok(&["show", &id])).unwrap();
    assert_eq!(stored["status"], "final");
    let out = env.run(&["import", "--as-revision-of", &id, "--yes", s(&forged)]);
    assert_exit(&out, 2, "a final document is not changed");
}

/// A personal map with a consent row for each of these recipients instead of the agencies'
/// own names.
fn map_with_consents(recipients: &[&str]) -> Value {
    let mut v = route_map();
    let rows: Vec<Value> = recipients
        .iter()
        .map(|r| {
            json!({
                "recipient": r,
                "purpose": "相談の経過を共有するため",
                "items": "本マップの記載内容",
                "date": "2026-10-06",
                "method": "signature",
            })
        })
        .collect();
    v["fields"]["person_consent"] = Value::Array(rows);
    v
}

#[test]
fn a_consent_naming_part_of_an_agencys_name_covers_no_agency() {
    let env = Env::new();
    for consents in [vec!["ー", "所", "医"], vec!["センター", "ハローワーク"]] {
        let v = map_with_consents(&consents);
        let file = env.write_json("map.json", &v);
        let out = env.run(&["export", s(&file), "-o", s(&env.path("map.pdf"))]);
        assert_exit(&out, 2, &format!("consents {consents:?}"));
        assert!(
            stderr(&out).contains("routemap.no_consent"),
            "{}",
            stderr(&out)
        );
        assert!(!env.path("map.pdf").exists());
    }
    // The agencies' own names (width, case and spaces aside) or their catalogue keys do.
    let v = route_map();
    let mut names: Vec<String> = v["fields"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| !["person", "family"].contains(&n["node_type"].as_str().unwrap_or("")))
        .map(|n| n["node_name"].as_str().unwrap().to_string())
        .collect();
    names[1] = names[1].replace(' ', "　 ");
    let mut refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let key = v["fields"]["nodes"][1]["node_type"]
        .as_str()
        .unwrap()
        .to_string();
    refs[0] = &key;
    let file = env.write_json("map.json", &map_with_consents(&refs));
    env.ok(&["export", s(&file), "-o", s(&env.path("map.pdf"))]);
}

#[test]
fn the_svg_of_a_stored_personal_map_needs_the_same_consents_and_is_logged() {
    let env = Env::new();
    let id = env.import("ok.json", &route_map());
    let svg = env.path("map.svg");
    env.ok(&["route-map", "svg", &id, "-o", s(&svg)]);
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
    let log = env.log(&id);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].format.as_deref(), Some("svg"));
    assert_eq!(
        log[0].file_sha256.as_deref(),
        Some(sha256_hex(&std::fs::read(&svg).unwrap()).as_str())
    );

    let bare = env.import("bare.json", &map_with_consents(&[]));
    let out_svg = env.path("bare.svg");
    let out = env.run(&["route-map", "svg", &bare, "-o", s(&out_svg)]);
    assert_exit(&out, 2, "svg without consent");
    assert!(
        stderr(&out).contains("routemap.no_consent"),
        "{}",
        stderr(&out)
    );
    assert!(!out_svg.exists());
    assert!(env.log(&bare).is_empty());
}

#[test]
fn a_recipient_with_invisible_characters_is_refused_by_name() {
    let env = Env::new();
    let id = env.import("d.json", &dialogue());
    for bad in ["人事部\u{200B}", "\u{202E}部事人"] {
        let out = env.run(&[
            "consent",
            "add",
            &id,
            "--recipient",
            bad,
            "--purpose",
            "配慮の検討",
            "--sections",
            "all",
            "--method",
            "signature",
        ]);
        assert_exit(&out, 2, bad);
        assert!(stderr(&out).contains("recipient"), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("U+20"),
            "shown escaped: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_consent_has_a_chosen_scope_and_all_is_the_whole_document() {
    let env = Env::new();
    let id = env.import("d.json", &dialogue());
    let add = |sections: Option<&str>| {
        let mut args = vec![
            "consent",
            "add",
            &id,
            "--recipient",
            "株式会社みなと精機 人事部",
            "--purpose",
            "配慮の検討",
            "--method",
            "signature",
        ];
        if let Some(s) = sections {
            args.extend(["--sections", s]);
        }
        env.run(&args)
    };
    let out = add(None);
    assert_exit(&out, 2, "no scope");
    assert!(stderr(&out).contains("sections"), "{}", stderr(&out));
    assert!(env.ok(&["consent", "list", &id]).trim().is_empty());
    let out = add(Some("all"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let c = &env
        .store()
        .consents_for_document(id.parse().unwrap())
        .unwrap()[0];
    assert_eq!(c.sections, None, "the whole document");
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The memory a `taiwa` process may take in `run_limited`: private writable memory (heap and
/// anonymous maps), the kernel's RLIMIT_DATA. A normal verify-pdf runs in 12 MiB; hashing the pages
/// may decode 64 MB.
const MEMORY_BUDGET: u64 = 200 << 20;

/// Runs `taiwa` with its memory capped at MEMORY_BUDGET and returns its exit code (None when a
/// signal ended it: an allocation over the cap aborts) and its stderr.
///
/// A cap, not a measurement: the kernel's peak RSS of a spawned child (wait4's ru_maxrss) counts
/// the parent's memory too (the child shares the test process's address space until it execs), so
/// it rose and fell with what the other tests in this process were holding.
fn run_limited(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    use std::os::unix::process::CommandExt as _;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_taiwa"));
    cmd.args(args)
        .env("TAIWA_DB", env.db())
        .env("TAIWA_PASSPHRASE", PASSPHRASE)
        .env("TAIWA_LANG", "en")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; the closure touches nothing of the parent's state.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: MEMORY_BUDGET,
                rlim_max: MEMORY_BUDGET,
            };
            if libc::setrlimit(libc::RLIMIT_DATA, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `data` deflated (zlib), fed in pieces of `chunk` repeated `times` (the whole is never held).
fn zlib_repeated(chunk: &[u8], times: usize) -> Vec<u8> {
    use std::io::Write as _;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..times {
        z.write_all(chunk).unwrap();
    }
    z.finish().unwrap()
}

#[test]
fn a_pdf_that_inflates_to_a_gigabyte_is_refused_within_a_small_memory_budget() {
    let env = Env::new();
    let id = env.import("d.json", &dialogue());
    let pdf = env.path("d.pdf");
    env.ok(&["export", &id, "-o", s(&pdf)]);
    let normal = run_limited(&env, &["verify-pdf", "--no-db", s(&pdf)]);
    assert_eq!(normal.0, Some(0), "{}", normal.1);

    // Page 1's content: 1 GiB of zeros, deflated twice (a few KB on disk).
    let inner = zlib_repeated(&vec![0u8; 1 << 20], 1024);
    let outer = zlib_repeated(&inner, 1);
    let mut doc = lopdf::Document::load_mem(&std::fs::read(&pdf).unwrap()).unwrap();
    let page = *doc.get_pages().get(&1).unwrap();
    let mut dict = lopdf::Dictionary::new();
    dict.set(
        "Filter",
        lopdf::Object::Array(vec!["FlateDecode".into(), "FlateDecode".into()]),
    );
    let bomb = doc.add_object(lopdf::Stream::new(dict, outer).with_compression(false));
    doc.get_dictionary_mut(page)
        .unwrap()
        .set("Contents", lopdf::Object::Reference(bomb));
    let path = env.path("bomb.pdf");
    doc.save(&path).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size < 512 * 1024, "the bomb is small: {size} bytes");

    for args in [
        vec!["verify-pdf", "--no-db", s(&path)],
        vec!["import", s(&path)],
    ] {
        let (code, err) = run_limited(&env, &args);
        // An error exit, not a signal: nothing went over the memory cap.
        assert!(
            code == Some(1) || code == Some(2),
            "{args:?} ends with an error within {} MiB, not a crash: {code:?}\n{err}",
            MEMORY_BUDGET >> 20
        );
        assert!(
            err.contains("limit") || err.contains("MB"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(
        env.ok(&["list"]).lines().count(),
        1,
        "nothing imported from the bomb"
    );
}

#[test]
fn a_weak_passphrase_is_refused_when_a_database_is_made_or_rekeyed() {
    let env = Env::new();
    let sample = env.write_json("d.json", &dialogue());
    for weak in ["1", "a", "password"] {
        let out = Command::new(env!("CARGO_BIN_EXE_taiwa"))
            .args(["import", s(&sample)])
            .env("TAIWA_DB", env.db())
            .env("TAIWA_PASSPHRASE", weak)
            .env("TAIWA_LANG", "en")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_exit(&out, 2, weak);
        assert!(
            stderr(&out).contains("passphrase.too_weak"),
            "{}",
            stderr(&out)
        );
        assert!(!env.db().exists(), "no database made under {weak:?}");
    }
    let id = env.import("d.json", &dialogue());
    for weak in ["1", "password"] {
        let out = Command::new(env!("CARGO_BIN_EXE_taiwa"))
            .args(["passphrase"])
            .env("TAIWA_DB", env.db())
            .env("TAIWA_PASSPHRASE", PASSPHRASE)
            .env("TAIWA_NEW_PASSPHRASE", weak)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_exit(&out, 2, weak);
    }
    env.ok(&["history", &id]);
}

/// Whether `passphrase` opens a copy of `file` (opened as a copy: opening changes a file).
fn opens_with(file: &Path, passphrase: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    std::fs::copy(file, &copy).unwrap();
    taiwa::store::Store::open(&copy, passphrase, taiwa::store::OpenMode::ExistingOnly).is_ok()
}

#[test]
fn after_a_passphrase_change_no_backup_or_kept_copy_opens_with_the_old_one() {
    const NEW: &str = "新しい合言葉 river lantern seven moss";
    let env = Env::new();
    env.import("d.json", &dialogue());
    let other = env.path("elsewhere");
    std::fs::create_dir(&other).unwrap();
    let first = PathBuf::from(env.ok(&["backup"]).trim());
    let second = PathBuf::from(env.ok(&["backup", s(&other)]).trim());
    // A restore keeps the replaced database beside it; a damaged WAL's copy is kept too.
    env.ok(&["restore", s(&first)]);
    let before_restore = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains(".before-restore-"))
        .expect("the replaced database kept");
    // Another database's backup in a folder given too: the old passphrase does not open it, so it
    // is left as it is, never deleted. (Its own folder: rotation keeps one backup a day per
    // folder, whichever database made it.)
    let foreign_dir = env.path("foreign");
    std::fs::create_dir(&foreign_dir).unwrap();
    let stranger = env.path("stranger.db");
    let out = Command::new(env!("CARGO_BIN_EXE_taiwa"))
        .args([
            "import",
            s(&env.write_json("s.json", &dialogue())),
            "--as-new",
        ])
        .env("TAIWA_DB", &stranger)
        .env("TAIWA_PASSPHRASE", "別の事業所の合言葉 tide orchard nine")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_exit(&out, 0, "another database");
    let out = Command::new(env!("CARGO_BIN_EXE_taiwa"))
        .args(["backup", s(&foreign_dir)])
        .env("TAIWA_DB", &stranger)
        .env("TAIWA_PASSPHRASE", "別の事業所の合言葉 tide orchard nine")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_exit(&out, 0, "another database's backup");
    let foreign = PathBuf::from(stdout(&out).trim());
    let wal_copy = env.path("taiwa.db-wal.damaged-20261201-101500");
    std::fs::write(&wal_copy, b"encrypted frames under the old key").unwrap();
    for f in [&first, &second, &before_restore] {
        assert!(opens_with(f, PASSPHRASE), "{} opens before", f.display());
    }

    let out = Command::new(env!("CARGO_BIN_EXE_taiwa"))
        .args([
            "passphrase",
            "--backups",
            s(&other),
            "--backups",
            s(&foreign_dir),
        ])
        .env("TAIWA_DB", env.db())
        .env("TAIWA_PASSPHRASE", PASSPHRASE)
        .env("TAIWA_NEW_PASSPHRASE", NEW)
        .env("TAIWA_LANG", "en")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_exit(&out, 0, "passphrase");
    let listed = stdout(&out);
    for f in [&first, &second, &before_restore] {
        assert!(
            listed.contains(&format!("reencrypted\t{}", f.display())),
            "{listed}"
        );
        assert!(
            !opens_with(f, PASSPHRASE),
            "{} still opens with the old one",
            f.display()
        );
        assert!(opens_with(f, NEW), "{} opens with the new one", f.display());
    }
    assert!(
        listed.contains(&format!("removed\t{}", wal_copy.display())),
        "{listed}"
    );
    assert!(!wal_copy.exists());
    assert!(
        listed.contains(&format!("left\t{}", foreign.display())),
        "{listed}"
    );
    assert!(
        opens_with(&foreign, "別の事業所の合言葉 tide orchard nine"),
        "another database's backup is untouched"
    );
    assert!(stderr(&out).contains("3 re-encrypted"), "{}", stderr(&out));
}

#[test]
fn deleting_a_case_at_the_persons_request_lists_the_kept_copies_and_removes_them() {
    let env = Env::new();
    let id = env.import("d.json", &dialogue());
    let backup = PathBuf::from(env.ok(&["backup"]).trim());
    env.ok(&["restore", s(&backup)]);
    let case = env
        .store()
        .document(id.parse().unwrap())
        .unwrap()
        .case_id
        .to_string();
    let out = env.ok(&[
        "case",
        "delete",
        &case,
        "--yes",
        "--force",
        "--reason",
        "person_request",
    ]);
    let copy = out
        .lines()
        .find_map(|l| l.strip_prefix("copy\tbefore_restore\t"))
        .expect("the restore's copy is listed")
        .to_string();
    assert!(Path::new(&copy).exists());
    let out = env.ok(&[
        "case",
        "delete",
        &case,
        "--yes",
        "--reason",
        "person_request",
        "--remove-copies",
    ]);
    assert!(out.contains(&format!("removed\t{copy}")), "{out}");
    assert!(!Path::new(&copy).exists());
}

#[test]
fn an_export_never_replaces_the_database_itself() {
    let env = Env::new();
    let id = env.import("d.json", &dialogue());
    for target in ["taiwa.db", "taiwa.db-wal"] {
        let out = env.run(&["export", &id, "-o", s(&env.path(target))]);
        assert_exit(&out, 3, target);
    }
    env.ok(&["verify"]);
    assert_eq!(env.log(&id).len(), 0, "nothing logged");
}

#[test]
fn a_file_carrying_a_deleted_documents_id_becomes_a_new_document() {
    let env = Env::new();
    let id = env.import("d.json", &dialogue());
    let copy = env.path("copy.json");
    std::fs::write(&copy, env.ok(&["show", &id])).unwrap();
    let case = env
        .store()
        .document(id.parse().unwrap())
        .unwrap()
        .case_id
        .to_string();
    env.ok(&["case", "delete", &case, "--yes", "--force"]);
    let again = env.ok(&["import", s(&copy)]).trim().to_string();
    assert_ne!(again, id, "the deleted document's id is not taken again");
}

#[test]
fn two_databases_backing_up_into_one_folder_keep_each_their_own() {
    let env = Env::new();
    env.import("d.json", &dialogue());
    let shared = env.path("shared");
    std::fs::create_dir(&shared).unwrap();
    let mine = PathBuf::from(env.ok(&["backup", s(&shared)]).trim());
    let other = env.path("other.db");
    let run_other = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_taiwa"))
            .args(args)
            .env("TAIWA_DB", &other)
            .env("TAIWA_PASSPHRASE", "別の事業所の合言葉 tide orchard nine")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_exit(&out, 0, &args.join(" "));
        stdout(&out)
    };
    run_other(&[
        "import",
        s(&env.write_json("o.json", &dialogue())),
        "--as-new",
    ]);
    let theirs = PathBuf::from(run_other(&["backup", s(&shared)]).trim());
    assert!(
        theirs
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("other-"),
        "{}",
        theirs.display()
    );
    // Rotation keeps one backup a day per database, not per folder.
    assert!(
        mine.exists(),
        "the other database's rotation removed this one's backup"
    );
    assert!(theirs.exists());
}
