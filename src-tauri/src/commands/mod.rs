//! The commands the web view may call, by area. Every one is listed once, in command_list.rs (the
//! app manifest and the handler come from it), and granted to the main window in
//! capabilities/main.json; nothing else is callable.

pub mod cases;
pub mod consents;
pub mod documents;
pub mod export;
pub mod routemap;
pub mod session;
pub mod templates;
