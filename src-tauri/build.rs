// The configuration lives at the repository root (one source of truth for the CLI and the shell);
// every command is listed in the app manifest so that only granted commands are callable.
fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(&["app_info"]));
    tauri_build::try_build(attributes).expect("tauri-build failed: see the message above");
}
