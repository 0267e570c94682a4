//! The form definitions the editor is generated from.

use crate::error::{IpcError, IpcResult};
use serde::Serialize;
use taiwa::i18n::Text;
use taiwa::template::{Registry, Template};

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct TemplateInfo {
    pub id: String,
    pub version: u32,
    pub title: Text,
    pub description: Option<Text>,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn templates_list() -> IpcResult<Vec<TemplateInfo>> {
    Ok(Registry::builtin()
        .templates()
        .map(|t| TemplateInfo {
            id: t.id.clone(),
            version: t.version,
            title: t.title.clone(),
            description: t.description.clone(),
        })
        .collect())
}

pub fn template(id: &str) -> IpcResult<&'static Template> {
    Registry::builtin().get(id).ok_or_else(|| {
        IpcError::new(
            "template.unknown",
            format!("様式「{id}」はありません"),
            format!("there is no form {id:?}"),
        )
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn template_get(id: String) -> IpcResult<Template> {
    template(&id).cloned()
}
