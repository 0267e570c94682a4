//! Taiwa core: form definitions, records and their validation, the encrypted store.
//!
//! Nothing here knows about Tauri or any UI: the `taiwa` CLI and the desktop shell are both thin
//! layers over these modules. See ARCHITECTURE.md for the map and the invariants.

pub mod canonical;
pub mod consent;
pub mod disclosure;
pub mod exchange;
pub mod gate;
pub mod i18n;
pub mod inspect;
pub mod passphrase;
pub mod pdf;
pub mod record;
pub mod routemap;
pub mod store;
pub mod template;
pub mod text;

pub use i18n::{Lang, Text};
