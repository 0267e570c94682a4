//! The desktop shell: a thin, typed command layer over the `taiwa` core. It holds no domain logic:
//! commands parse their input, call the core and turn its errors into `IpcError`s.

mod backups;
mod commands;
mod error;
mod settings;
mod state;

pub use error::IpcError;
pub use state::AppState;

use commands::{cases, consents, documents, export, routemap, session, templates};
use std::path::PathBuf;
use std::time::Duration;
use tauri::{Emitter, Manager};

/// The command names, in the order of `generate_handler!` below; build.rs lists the same names in
/// the app manifest (a test checks they agree).
pub const COMMANDS: &[&str] = &[
    "app_status",
    "passphrase_strength",
    "session_create",
    "session_unlock",
    "session_lock",
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
    "export_preview",
    "export_save",
    "export_open",
    "routemap_catalogue",
    "routemap_diagram",
    "export_recipient_preview",
    "backup_status",
    "backup_now",
    "backup_restore",
    "consents_list",
    "consent_add",
    "consent_withdraw",
    "disclosures_list",
    "disclosures_pdf",
    "sources_get",
];

/// Shared by `run()` and the IPC tests so both see the same handler list.
pub fn builder<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        session::app_status,
        session::passphrase_strength,
        session::session_create,
        session::session_unlock,
        session::session_lock,
        session::session_touch,
        session::settings_set,
        templates::templates_list,
        templates::template_get,
        cases::cases_list,
        cases::case_create,
        cases::case_get,
        cases::case_close,
        cases::case_delete_preview,
        cases::case_delete,
        cases::retention_get,
        cases::retention_set,
        cases::retention_purge,
        documents::document_create,
        documents::document_open,
        documents::document_autosave,
        documents::document_check,
        documents::document_save,
        documents::document_finalize,
        export::export_preview,
        export::export_save,
        export::export_open,
        routemap::routemap_catalogue,
        routemap::routemap_diagram,
        export::export_recipient_preview,
        session::backup_status,
        session::backup_now,
        session::backup_restore,
        consents::consents_list,
        consents::consent_add,
        consents::consent_withdraw,
        consents::disclosures_list,
        consents::disclosures_pdf,
        templates::sources_get,
    ])
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
                    std::thread::sleep(Duration::from_secs(5));
                    let state = handle.state::<AppState>();
                    if state.lock_if_idle() {
                        let _ = handle.emit("session-locked", ());
                    }
                    state.tidy_if_idle();
                    // Once a minute: the daily backup, if one is due.
                    ticks += 1;
                    if ticks.is_multiple_of(12) {
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
    }

    #[test]
    fn the_manifest_lists_every_command_and_nothing_else() {
        let build = include_str!("../build.rs");
        for c in COMMANDS {
            assert!(
                build.contains(&format!("\"{c}\"")),
                "{c} missing from build.rs"
            );
        }
        let listed = build.matches("\",").count() + build.matches("\"]").count();
        assert!(listed >= COMMANDS.len());
    }
}
