// The configuration lives at the repository root (one source of truth for the CLI and the shell);
// every command is listed in the app manifest so that only granted commands are callable.

// The command list (src/command_list.rs): the same names lib.rs hands to `generate_handler!`.
include!("src/command_list.rs");

macro_rules! command_names {
    ($($module:ident :: $command:ident),* $(,)?) => {
        &[$(stringify!($command)),*]
    };
}

const COMMANDS: &[&str] = with_commands!(command_names);

fn main() {
    println!("cargo:rerun-if-changed=src/command_list.rs");
    write_error_codes();
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build failed: see the message above");
}

// ---- error codes --------------------------------------------------------------------------------
// The UI's `ErrorCode` type is every code an `IpcError` can carry, read from the source: the string
// literals of every `UserError::code()` in the core (src/, crates/*/src; the CLI's bin/ left out),
// the literal codes the shell gives `IpcError::new`, and `input.<field>` for each of the shell's
// INPUT_FIELDS (src/error.rs, what `IpcError::bad_input` may name).
// Written to $OUT_DIR/error_codes.rs as an enum that ts-rs exports (ui/src/bindings/ErrorCode.ts);
// `IpcError::new` asserts in debug builds that the code it is given is one of them.

/// Made by the UI itself (ui/src/lib/ipc.ts asIpcError) for a rejection that is not an IpcError.
const UI_CODES: &[&str] = &["ui.unexpected"];

fn is_code(s: &str) -> bool {
    let mut parts = s.split('.');
    let ok = |p: &str| {
        !p.is_empty()
            && p.starts_with(|c: char| c.is_ascii_lowercase())
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    parts.clone().count() >= 2 && parts.all(ok)
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "bin" && name != "target" && !name.contains("cli") {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The string literal at the start of `s` (after white space), if there is one.
fn literal_at(s: &str) -> Option<&str> {
    let s = s.trim_start().strip_prefix('"')?;
    Some(&s[..s.find('"')?])
}

/// Every string literal in the body of each `fn code(&self)` of `src`.
fn codes_in_code_fns(src: &str, out: &mut std::collections::BTreeSet<String>) {
    for (at, _) in src.match_indices("fn code(&self)") {
        let rest = &src[at..];
        let Some(open) = rest.find('{') else { continue };
        if rest[..open].contains(';') {
            continue; // a declaration, not a body
        }
        let mut depth = 0;
        let mut end = rest.len();
        for (i, c) in rest[open..].char_indices() {
            depth += match c {
                '{' => 1,
                '}' => -1,
                _ => 0,
            };
            if depth == 0 {
                end = open + i;
                break;
            }
        }
        let body = &rest[open..end];
        for (i, piece) in body.split('"').enumerate() {
            if i % 2 == 1 && is_code(piece) {
                out.insert(piece.to_string());
            }
        }
    }
}

fn error_codes() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut codes = std::collections::BTreeSet::new();
    let mut core = Vec::new();
    rust_files(&root.join("src"), &mut core);
    rust_files(&root.join("crates"), &mut core);
    for f in &core {
        codes_in_code_fns(&std::fs::read_to_string(f).unwrap_or_default(), &mut codes);
    }
    let mut shell = Vec::new();
    rust_files(&root.join("src-tauri/src"), &mut shell);
    for f in &shell {
        let src = std::fs::read_to_string(f).unwrap_or_default();
        codes_in_code_fns(&src, &mut codes);
        for (at, m) in src.match_indices("IpcError::new(") {
            if let Some(code) = literal_at(&src[at + m.len()..]).filter(|c| is_code(c)) {
                codes.insert(code.to_string());
            }
        }
        if let Some(at) = src.find("INPUT_FIELDS: &[&str] = &[") {
            let list = &src[at..at + src[at..].find("];").unwrap_or(0)];
            for (i, piece) in list.split('"').enumerate() {
                if i % 2 == 1 {
                    codes.insert(format!("input.{piece}"));
                }
            }
        }
    }
    codes.extend(UI_CODES.iter().map(|c| c.to_string()));
    assert!(codes.len() > 50, "too few error codes found: {codes:?}");
    codes.into_iter().collect()
}

fn write_error_codes() {
    let codes = error_codes();
    let variant = |code: &str| {
        code.split(['.', '_'])
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect::<String>()
    };
    let mut out = String::from(
        "/// Every code an `IpcError` can carry (written by build.rs from the source).\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, ts_rs::TS)]\n\
         #[allow(dead_code, reason = \"only its TypeScript type and ALL are used\")]\n\
         pub enum ErrorCode {\n",
    );
    for c in &codes {
        out.push_str(&format!("    #[ts(rename = {c:?})]\n    {},\n", variant(c)));
    }
    out.push_str("}\n\nimpl ErrorCode {\n    /// The codes as strings, sorted.\n    pub const ALL: &[&str] = &[\n");
    for c in &codes {
        out.push_str(&format!("        {c:?},\n"));
    }
    out.push_str("    ];\n}\n");
    let path =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("error_codes.rs");
    std::fs::write(path, out).expect("write error_codes.rs");
    for dir in ["../src", "../crates", "src"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
