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

/// The definition a record was made under (its own version, which this build keeps).
pub fn template_of(record: &taiwa::record::Record) -> IpcResult<&'static Template> {
    Registry::builtin().template_for(record).ok_or_else(|| {
        IpcError::new(
            "template.unknown",
            format!(
                "様式「{}」の版 {} はありません",
                record.template, record.template_version
            ),
            format!(
                "there is no version {} of the form {:?}",
                record.template_version, record.template
            ),
        )
    })
}

/// The sources a definition cites (templates/sources.json), for the 「出典」 beside a help text:
/// the ids known, in the order asked.
#[tauri::command(rename_all = "snake_case")]
pub async fn sources_get(ids: Vec<String>) -> IpcResult<Vec<taiwa::template::Source>> {
    let table = &Registry::builtin().sources;
    Ok(ids.iter().filter_map(|id| table.get(id).cloned()).collect())
}

/// A form's definition: the newest, or the version asked for (a document made under an older one).
#[tauri::command(rename_all = "snake_case")]
pub async fn template_get(id: String, version: Option<u32>) -> IpcResult<Template> {
    match version {
        None => template(&id).cloned(),
        Some(v) => Registry::builtin()
            .get_version(&id, v)
            .cloned()
            .ok_or_else(|| {
                IpcError::new(
                    "template.unknown",
                    format!("様式「{id}」の版 {v} はありません"),
                    format!("there is no version {v} of the form {id:?}"),
                )
            }),
    }
}
