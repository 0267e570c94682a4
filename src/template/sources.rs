//! The sources table (templates/sources.json): what an option list, a help text or a legal
//! statement in a definition rests on. Definitions name sources by id; the loader refuses an id
//! the table does not have, so every citation resolves to a title, an issuer and an address.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceTable {
    /// When the entries were last checked against their addresses.
    pub checked: String,
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// As cited in definitions: `"C"`, `"AA"`, `"taiwa"`.
    pub id: String,
    pub title: String,
    pub issuer: String,
    /// The page's own date when it shows one (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`); none when not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Web addresses; empty only for the app's own additions (`taiwa`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address: Vec<String>,
    /// What the source does and does not establish (e.g. "reproduces the form; not the original").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl SourceTable {
    pub fn get(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
}
