//! The core's layers point one way only (ARCHITECTURE.md "Layers"). Until crates enforce it, this
//! test reads every `crate::` path in src/ and refuses any that reaches a module of the same layer
//! or one above. A module added to src/ must be given a layer here first.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top-level module of the core and its rank: a module may use only modules of a lower rank.
const LAYERS: &[(&str, f32)] = &[
    // L0: words and bytes.
    ("i18n", 0.0),
    ("text", 0.5),
    ("canonical", 0.5),
    // L1: forms, then the records made of them.
    ("template", 1.0),
    ("record", 1.5),
    // L2: rules over records, no I/O; siblings do not see each other.
    ("consent", 2.0),
    ("exchange", 2.0),
    ("routemap", 2.0),
    ("disclosure", 2.0),
    ("passphrase", 2.0),
    // L3: storage and rendering, which never see each other.
    ("store", 3.0),
    ("pdf", 3.0),
    // L4: what comes back (inspection of received files), and what leaves (the gate), which
    // reads back the round-trip files it makes.
    ("inspect", 3.5),
    ("gate", 4.0),
];

/// Names the crate root re-exports, and the module they come from.
const ROOT_REEXPORTS: &[(&str, &str)] = &[("Lang", "i18n"), ("Text", "i18n")];

fn rank(module: &str) -> Option<f32> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

/// The code of a file without comments (doc comments name other modules freely).
fn code_only(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a piece of code names through `crate::`: `crate::store::Store`,
/// `use crate::{pdf, record::Record}` (groups, nested ones too).
fn modules_named(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        let before_ok = rest[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        if before_ok {
            if let Some(group) = after.strip_prefix('{') {
                // The first segment of each item of the group, at depth 0.
                let mut depth = 0;
                let mut item_start = true;
                let mut ident = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => item_start = true,
                        c if item_start && depth == 0 && (c.is_alphanumeric() || c == '_') => {
                            ident.push(c)
                        }
                        _ if item_start && !ident.is_empty() => {
                            out.insert(std::mem::take(&mut ident));
                            item_start = false;
                        }
                        _ => {}
                    }
                }
                if !ident.is_empty() {
                    out.insert(ident);
                }
            } else {
                let ident: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !ident.is_empty() {
                    out.insert(ident);
                }
            }
        }
        rest = after;
    }
    out.into_iter()
        .map(|m| {
            ROOT_REEXPORTS
                .iter()
                .find(|(name, _)| *name == m)
                .map_or(m.clone(), |(_, from)| from.to_string())
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every use of a module that is not below the user: "pdf → store (src/pdf/x.rs)".
fn violations(files: &[(String, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (owner, text) in files {
        let Some(own) = rank(owner) else {
            found.push(format!(
                "{owner}: a module with no layer (add it to LAYERS)"
            ));
            continue;
        };
        for used in modules_named(&code_only(text)) {
            if used == *owner {
                continue;
            }
            match rank(&used) {
                Some(r) if r < own => {}
                Some(_) => found.push(format!("{owner} → {used}")),
                None => found.push(format!("{owner} → {used}: not a module with a layer")),
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

fn core_files() -> Vec<(String, String)> {
    let src = Path::new(crate::support::ROOT).join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    paths
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(&src).ok()?.to_path_buf();
            let first = rel.components().next()?.as_os_str().to_str()?.to_string();
            if first == "lib.rs" || first == "bin" {
                return None;
            }
            let owner = first.trim_end_matches(".rs").to_string();
            let text = std::fs::read_to_string(&p).ok()?;
            Some((owner, text))
        })
        .collect()
}

#[test]
fn every_module_uses_only_modules_of_lower_layers() {
    let files = core_files();
    assert!(files.len() > 50, "src/ was not found: {}", files.len());
    let found = violations(&files);
    assert!(
        found.is_empty(),
        "uses that point up or sideways (ARCHITECTURE.md \"Layers\"):\n{}",
        found.join("\n")
    );
}

#[test]
fn every_module_of_the_core_has_a_layer() {
    let src = Path::new(crate::support::ROOT).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';'))
        .collect();
    let layered: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    assert_eq!(declared, layered, "lib.rs modules vs LAYERS");
}

/// The scanner itself: a reverse use in any of the forms Rust allows is caught.
#[test]
fn a_reverse_use_is_caught_in_every_form() {
    for code in [
        "use crate::store::Store;",
        "fn f(x: &crate::store::Store) {}",
        "use crate::{record::Record, store};",
        "use crate::{record::{Record, DocStatus}, store::{Store, StoreError}};",
        "use crate::{\n    i18n::Lang,\n    store::Store,\n};",
    ] {
        let found = violations(&[("pdf".to_string(), code.to_string())]);
        assert_eq!(found, vec!["pdf → store".to_string()], "{code}");
    }
    // Allowed: downwards, and comments naming anything.
    let ok = "use crate::{record::Record, text::fold};\n// uses crate::store::Store in a comment\nuse crate::Lang;";
    assert!(violations(&[("pdf".to_string(), ok.to_string())]).is_empty());
    // Sideways on the same layer, and a module with no layer.
    assert_eq!(
        violations(&[(
            "consent".to_string(),
            "use crate::exchange::Kind;".to_string()
        )]),
        vec!["consent → exchange".to_string()]
    );
    assert_eq!(
        violations(&[("newmod".to_string(), String::new())]).len(),
        1
    );
}
