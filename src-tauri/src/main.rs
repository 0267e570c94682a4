//! The desktop app's entry point: everything is in lib.rs, shared with the IPC tests.

// Hide the console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// A release build without the embedded UI would load the development server's address
// (tauri.conf.json devUrl): any local process listening there would be handed every command.
#[cfg(all(not(debug_assertions), not(feature = "custom-protocol")))]
compile_error!(
    "a release build must embed the UI: build with --features taiwa-app/custom-protocol (scripts/run.sh does)"
);

fn main() {
    taiwa_app::run();
}
