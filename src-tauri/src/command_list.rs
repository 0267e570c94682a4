// The app's commands, listed once. build.rs includes this file to grant them in the app manifest;
// lib.rs expands it into `COMMANDS` and `generate_handler!`. The tests in lib.rs check the
// capability file (capabilities/main.json), the permissions tauri-build writes, the UI's calls
// (ui/src/lib/ipc.ts) and the mock backend (ui/src/mock/backend.ts) against it, both ways: a
// command added here and not there, or there and not here, fails them.
//
// `with_commands!(then)` calls the macro `then!` with `module::command, …` in this order.

macro_rules! with_commands {
    ($then:ident) => {
        $then! {
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
            documents::document_revise,
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
            export::sample_pdf_save,
        }
    };
}
