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
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build failed: see the message above");
}

