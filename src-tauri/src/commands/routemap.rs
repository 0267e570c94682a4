//! The route-map editor's commands: the catalogue it adds nodes and routes from, and the live
//! diagram (the same layout as the PDF, drawn as SVG by the core).

use crate::error::IpcResult;
use serde::Serialize;
use serde_json::Value;
use taiwa::i18n::Text;
use taiwa::record::parse_record;
use taiwa::routemap::{self, RouteMap};
use taiwa::template::Registry;
use taiwa::text::fonts::FontSet;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RouteInfo {
    /// R1 … R8.
    pub code: String,
    pub title: Text,
    pub summary: Text,
    pub steps: u32,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AgencyInfo {
    pub key: String,
    pub label: Text,
    pub role: Text,
    pub eligibility: Text,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RouteMapCatalogue {
    pub routes: Vec<RouteInfo>,
    pub agencies: Vec<AgencyInfo>,
    /// When the catalogue's facts were checked (YYYY-MM-DD).
    pub as_of: String,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn routemap_catalogue() -> IpcResult<RouteMapCatalogue> {
    let r = Registry::builtin();
    Ok(RouteMapCatalogue {
        routes: r
            .routes
            .routes
            .iter()
            .map(|x| RouteInfo {
                code: x.code.clone(),
                title: x.title.clone(),
                summary: x.summary.clone(),
                steps: x.steps.len() as u32,
            })
            .collect(),
        agencies: r
            .agencies
            .agencies
            .iter()
            .map(|a| AgencyInfo {
                key: a.key.clone(),
                label: a.label.clone(),
                role: a.role.clone(),
                eligibility: a.eligibility.clone(),
            })
            .collect(),
        as_of: r.agencies.as_of.clone(),
    })
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RouteDiagram {
    /// The whole map as one SVG picture; None while the map has no node yet (or the working copy
    /// is not a record).
    pub svg: Option<String>,
    pub nodes: u32,
    /// Steps drawn (a step shows once both its ends name different nodes of the map).
    pub steps_drawn: u32,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn routemap_diagram(record: Value, title: String) -> IpcResult<RouteDiagram> {
    let registry = Registry::builtin();
    let bytes = serde_json::to_vec(&record).unwrap_or_default();
    let Ok(record) = parse_record(&bytes, registry) else {
        return Ok(RouteDiagram {
            svg: None,
            nodes: 0,
            steps_drawn: 0,
        });
    };
    let fonts = FontSet::get().map_err(|e| crate::error::IpcError::from_user(&e))?;
    let map = RouteMap::from_record(&record, &registry.agencies);
    let canvas = taiwa::pdf::diagram::canvas(&map, fonts);
    Ok(RouteDiagram {
        svg: canvas.as_ref().map(|p| routemap::svg::render(p, &title)),
        nodes: map.nodes.len() as u32,
        steps_drawn: canvas.as_ref().map_or(0, |p| p.arrows.len() as u32),
    })
}
