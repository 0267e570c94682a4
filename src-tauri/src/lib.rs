//! The desktop shell: a thin, typed command layer over the `taiwa` core. It holds no domain logic:
//! commands parse their input, call the core and turn its errors into `IpcError`s.

mod backups;
mod commands;
mod error;
#[cfg(test)]
mod mock_fixtures;
mod settings;
mod state;
#[cfg(test)]
mod ui_rules;

pub use error::IpcError;
pub use state::AppState;

use commands::{cases, consents, documents, export, routemap, session, templates};
use std::path::PathBuf;
use std::time::Duration;
use tauri::{Emitter, Manager};

#[macro_use]
mod command_list;

macro_rules! command_names {
    ($($module:ident :: $command:ident),* $(,)?) => {
        /// The command names (src/command_list.rs), in the order of the handler below; build.rs
        /// grants the same names in the app manifest.
        pub const COMMANDS: &[&str] = &[$(stringify!($command)),*];
    };
}
with_commands!(command_names);

macro_rules! command_handler {
    ($($module:ident :: $command:ident),* $(,)?) => {
        tauri::generate_handler![$($module::$command),*]
    };
}

/// Shared by `run()` and the IPC tests so both see the same handler list.
pub fn builder<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(with_commands!(command_handler))
}

fn paths() -> Option<(PathBuf, PathBuf)> {
    let db = match std::env::var_os("TAIWA_DB") {
        Some(p) => PathBuf::from(p),
        None => taiwa::store::default_db_path()?,
    };
    Some((db, settings::default_path()?))
}

pub fn run() {
    // A broken built-in template must stop the app at start-up with the file and field named.
    if let Err(err) = taiwa::template::Registry::try_builtin() {
        eprintln!("{err}");
        std::process::exit(2);
    }
    let Some((db, settings)) = paths() else {
        eprintln!(
            "ホームディレクトリが見つからないため、データの保存場所を決められません(TAIWA_DB で指定できます) / \
             no home directory to keep the data in; set TAIWA_DB"
        );
        std::process::exit(2);
    };
    let app = tauri::Builder::default()
        // First: a second launch hands over to the running window and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(AppState::new(db, settings))
        .setup(|app| {
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                let mut ticks = 0u32;
                loop {
                    // Every second: the idle warning says how long is left, to the second.
                    std::thread::sleep(Duration::from_secs(1));
                    let state = handle.state::<AppState>();
                    if state.lock_if_idle() {
                        let _ = handle.emit("session-locked", ());
                    } else if let Some(left) = state.idle_warning_due() {
                        let _ = handle.emit("session-idle-warning", left);
                    }
                    ticks += 1;
                    if ticks.is_multiple_of(5) {
                        state.tidy_if_idle();
                    }
                    // Once a minute: the daily backup, if one is due.
                    if ticks.is_multiple_of(60) {
                        backups::daily(&state);
                    }
                }
            });
            backup_on_signals(app.handle().clone());
            Ok(())
        })
        // The window closing is the app closing: back the open database up first.
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { .. } | tauri::WindowEvent::Destroyed = event
            {
                backups::on_close(&window.state::<AppState>());
            }
        });
    if let Err(err) = builder(app).run(tauri::generate_context!("../tauri.conf.json")) {
        eprintln!("Taiwa could not start its window / ウィンドウを開けませんでした: {err}");
        std::process::exit(1);
    }
}

/// A logout or shutdown ends the app with SIGTERM (a terminal with SIGINT or SIGHUP), and no window
/// event comes: the open database is backed up first, then the app exits as on close.
#[cfg(unix)]
fn backup_on_signals(handle: tauri::AppHandle) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    match signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) {
        Ok(mut signals) => {
            std::thread::spawn(move || {
                if signals.forever().next().is_some() {
                    backups::on_close(&handle.state::<AppState>());
                    handle.exit(0);
                }
            });
        }
        Err(err) => eprintln!(
            "終了の合図を受け取れないため、ログアウト時のバックアップはできません / \
             cannot watch for SIGTERM, so no backup is made at logout: {err}"
        ),
    }
}

#[cfg(not(unix))]
fn backup_on_signals(_handle: tauri::AppHandle) {}

#[cfg(test)]
mod tests {
    use super::*;
    use ts_rs::TS;

    /// Writes the TypeScript types of everything that crosses IPC to ui/src/bindings
    /// (TS_RS_EXPORT_DIR, .cargo/config.toml). scripts/test.sh fails when they changed.
    #[test]
    fn export_typescript_bindings() {
        let cfg = ts_rs::Config::from_env();
        IpcError::export_all(&cfg).unwrap();
        settings::Settings::export_all(&cfg).unwrap();
        session::AppStatus::export_all(&cfg).unwrap();
        session::Strength::export_all(&cfg).unwrap();
        templates::TemplateInfo::export_all(&cfg).unwrap();
        taiwa::template::Template::export_all(&cfg).unwrap();
        taiwa::store::CaseFilter::export_all(&cfg).unwrap();
        taiwa::store::NewCase::export_all(&cfg).unwrap();
        cases::CaseView::export_all(&cfg).unwrap();
        cases::CasesPage::export_all(&cfg).unwrap();
        documents::Editing::export_all(&cfg).unwrap();
        documents::SaveResult::export_all(&cfg).unwrap();
        export::ExportRequest::export_all(&cfg).unwrap();
        export::ExportResult::export_all(&cfg).unwrap();
        taiwa::pdf::ExportPreview::export_all(&cfg).unwrap();
        routemap::RouteMapCatalogue::export_all(&cfg).unwrap();
        routemap::RouteDiagram::export_all(&cfg).unwrap();
        consents::ConsentRow::export_all(&cfg).unwrap();
        backups::BackupStatus::export_all(&cfg).unwrap();
        backups::RestoreOutcome::export_all(&cfg).unwrap();
        cases::RetentionStatus::export_all(&cfg).unwrap();
        taiwa::store::DeletionPreview::export_all(&cfg).unwrap();
        taiwa::store::DeletionOutcome::export_all(&cfg).unwrap();
        taiwa::store::PurgeOutcome::export_all(&cfg).unwrap();
        taiwa::consent::NewConsent::export_all(&cfg).unwrap();
        taiwa::store::Disclosure::export_all(&cfg).unwrap();
        taiwa::pdf::DisclosurePreview::export_all(&cfg).unwrap();
        taiwa::template::Source::export_all(&cfg).unwrap();
        taiwa::consent::ScopeOption::export_all(&cfg).unwrap();
    }

    /// `names` against COMMANDS both ways: what is missing, what is extra, what is doubled.
    fn same_commands(place: &str, names: &[String]) {
        let listed: std::collections::BTreeSet<&str> = COMMANDS.iter().copied().collect();
        let found: std::collections::BTreeSet<&str> = names.iter().map(String::as_str).collect();
        let missing: Vec<&&str> = listed.difference(&found).collect();
        let extra: Vec<&&str> = found.difference(&listed).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{place} does not match src-tauri/src/command_list.rs: missing {missing:?}, not a command {extra:?}"
        );
        assert_eq!(
            found.len(),
            names.len(),
            "{place} names a command twice: {names:?}"
        );
        assert_eq!(
            listed.len(),
            COMMANDS.len(),
            "command_list.rs names a command twice"
        );
    }

    fn repo_file(path: &str) -> String {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(path);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    #[test]
    fn the_capability_grants_every_command_and_nothing_else() {
        let cap: serde_json::Value =
            serde_json::from_str(&repo_file("src-tauri/capabilities/main.json")).unwrap();
        let granted: Vec<String> = cap["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .map(|p| p.as_str().expect("a permission by name"))
            .filter(|p| !p.starts_with("core:"))
            .map(|p| {
                p.strip_prefix("allow-")
                    .unwrap_or_else(|| panic!("capabilities/main.json: {p} is not allow-<command>"))
                    .replace('-', "_")
            })
            .collect();
        same_commands("src-tauri/capabilities/main.json", &granted);
    }

    #[test]
    fn tauri_build_wrote_a_permission_for_every_command_and_no_other() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("permissions/autogenerated");
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        same_commands(
            "src-tauri/permissions/autogenerated (delete a removed command's file)",
            &names,
        );
    }

    /// The first string argument of every `call<…>("…"` (ipc.ts), or the string of every `case "…":`
    /// (the mock).
    fn quoted_after(text: &str, marker: &str, skip_generics: bool) -> Vec<String> {
        let mut out = Vec::new();
        for (at, _) in text.match_indices(marker) {
            let mut rest = &text[at + marker.len()..];
            if skip_generics && rest.starts_with('<') {
                let mut depth = 0;
                let end = rest
                    .char_indices()
                    .find(|&(_, c)| {
                        depth += match c {
                            '<' => 1,
                            '>' => -1,
                            _ => 0,
                        };
                        depth == 0
                    })
                    .map(|(i, _)| i + 1)
                    .unwrap_or(0);
                rest = &rest[end..];
            }
            let Some(rest) = rest.strip_prefix(if skip_generics { "(\"" } else { "\"" }) else {
                continue;
            };
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_string());
            }
        }
        out
    }

    #[test]
    fn the_ui_calls_every_command_and_nothing_else() {
        let ipc = repo_file("ui/src/lib/ipc.ts");
        same_commands("ui/src/lib/ipc.ts", &quoted_after(&ipc, "call", true));
    }

    #[test]
    fn the_mock_backend_answers_every_command_and_nothing_else() {
        let mock = repo_file("ui/src/mock/backend.ts");
        let start = mock
            .find("export async function handle(")
            .expect("the mock's handle()");
        same_commands(
            "ui/src/mock/backend.ts handle()",
            &quoted_after(&mock[start..], "case ", false),
        );
    }
}
