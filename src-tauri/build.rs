// The configuration lives at the repository root (one source of truth for the CLI and the shell);
// every command is listed in the app manifest so that only granted commands are callable.
/// Keep in step with `COMMANDS` in src/lib.rs (a test compares them).
const COMMANDS: &[&str] = &[
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

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build failed: see the message above");
}
