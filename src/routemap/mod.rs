//! The 相談導線マップ beyond what every form has: a typed view of its nodes and steps, a new map
//! started from one of the eight standard routes, the rule that a personal map goes out only with
//! the person's consent for its agencies, and the diagram (layout.rs, diagram.rs, svg.rs). The PDF
//! renderer of the diagram lives with the other PDF code (pdf/diagram.rs).

pub mod diagram;
pub mod layout;
pub mod svg;

use crate::i18n::{Lang, Text, UserError};
use crate::record::Record;
use crate::template::{AgencyCatalogue, AgencyKind, Registry};
use crate::text::fold;
use serde_json::{Map, Value, json};

/// The form this module is about.
pub const TEMPLATE_ID: &str = "route-map";
/// On paper the route (diagram, then the steps) comes before the directory of nodes.
pub const STEPS_SECTION: &str = "steps_section";
pub const NODES_SECTION: &str = "nodes_section";

#[derive(Debug, thiserror::Error)]
pub enum RouteMapError {
    #[error("there is no standard route {given:?}; the routes are {known}")]
    UnknownRoute { given: String, known: String },
    #[error(
        "there is no region {given:?}; give a prefecture as in 宮城県 or miyagi, or 全国 / national"
    )]
    UnknownRegion { given: String },
    #[error(
        "this personal map names the person, and their consent is not recorded for: {missing}. Add a consent row for each (関係機関への情報提供の同意) before exporting"
    )]
    NoConsent { missing: String },
}

impl UserError for RouteMapError {
    fn code(&self) -> &'static str {
        match self {
            RouteMapError::UnknownRoute { .. } => "routemap.unknown_route",
            RouteMapError::UnknownRegion { .. } => "routemap.unknown_region",
            RouteMapError::NoConsent { .. } => "routemap.no_consent",
        }
    }

    fn message(&self) -> Text {
        let ja = match self {
            RouteMapError::UnknownRoute { given, known } => {
                format!("標準ルート「{given}」はありません(あるもの: {known})")
            }
            RouteMapError::UnknownRegion { given } => format!(
                "地域「{given}」はありません。「宮城県」や miyagi のように都道府県を、全国向けなら「全国」を指定してください"
            ),
            RouteMapError::NoConsent { missing } => format!(
                "本人の氏名が入った個人用マップです。次の機関への情報提供について本人の同意が記録されていません: {missing}。出力する前に「関係機関への情報提供の同意」に機関ごとの同意を追加してください"
            ),
        };
        Text {
            ja,
            en: self.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapNode {
    pub id: String,
    /// The catalogue key (`node_type`), if it is one.
    pub type_key: String,
    pub kind: Option<AgencyKind>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapStep {
    pub no: i64,
    pub from: String,
    pub to: String,
    pub condition: String,
}

/// The nodes and steps of a route-map record, as far as they are filled in: a step is drawn only
/// once both its ends name nodes of the map and differ, so a draft half-way through an edit still
/// has a diagram.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RouteMap {
    pub nodes: Vec<MapNode>,
    /// In step-number order.
    pub steps: Vec<MapStep>,
}

fn text(row: &Map<String, Value>, key: &str) -> String {
    row.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn rows<'r>(record: &'r Record, key: &str) -> impl Iterator<Item = &'r Map<String, Value>> {
    record
        .fields
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

impl RouteMap {
    pub fn from_record(record: &Record, agencies: &AgencyCatalogue) -> RouteMap {
        let mut nodes: Vec<MapNode> = Vec::new();
        for row in rows(record, "nodes") {
            let id = text(row, "node_id").trim().to_string();
            if id.is_empty() || nodes.iter().any(|n| n.id == id) {
                continue;
            }
            let type_key = text(row, "node_type");
            nodes.push(MapNode {
                kind: agencies.get(&type_key).map(|a| a.kind),
                type_key,
                name: text(row, "node_name"),
                id,
            });
        }
        let mut steps: Vec<(i64, usize, MapStep)> = Vec::new();
        for (i, row) in rows(record, "steps").enumerate() {
            let (from, to) = (text(row, "from_node"), text(row, "to_node"));
            let known = |id: &str| nodes.iter().any(|n| n.id == id);
            if from == to || !known(&from) || !known(&to) {
                continue;
            }
            let no = row.get("step_no").and_then(Value::as_f64).map(|n| n as i64);
            steps.push((
                no.unwrap_or(i64::MAX),
                i,
                MapStep {
                    no: no.unwrap_or(0),
                    from,
                    to,
                    condition: text(row, "condition"),
                },
            ));
        }
        steps.sort_by_key(|(no, i, _)| (*no, *i));
        RouteMap {
            nodes,
            steps: steps.into_iter().map(|(_, _, s)| s).collect(),
        }
    }

    pub fn node(&self, id: &str) -> Option<&MapNode> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// The region option key for a prefecture given as a key (`miyagi`), a Japanese name with or
/// without its suffix (宮城県, 宮城) or an English name (Miyagi).
pub fn region_key(registry: &Registry, given: &str) -> Result<String, RouteMapError> {
    let unknown = || RouteMapError::UnknownRegion {
        given: given.to_string(),
    };
    let field = registry
        .get(TEMPLATE_ID)
        .and_then(|t| t.field("region"))
        .ok_or_else(unknown)?;
    let g = fold(given.trim());
    let strip = |s: &str| {
        s.trim_end_matches(['都', '道', '府', '県'])
            .trim_end_matches(" prefecture")
            .to_string()
    };
    field
        .options
        .iter()
        .find(|o| {
            fold(&o.key) == g
                || fold(&o.label.ja) == g
                || fold(&o.label.en) == g
                || (!g.is_empty() && strip(&fold(&o.label.ja)) == strip(&g))
        })
        .map(|o| o.key.clone())
        .ok_or_else(unknown)
}

/// At most `max` characters: a longer text is cut to `max - 1` and ends in "…" (a map filled from
/// the catalogue, and the app's route-map panel, which its tests hold to this).
pub fn truncate(s: &str, max: Option<u32>) -> String {
    match max {
        Some(n) if n >= 1 && s.chars().count() > n as usize => {
            let mut t: String = s.chars().take(n as usize - 1).collect();
            t.push('…');
            t
        }
        _ => s.to_string(),
    }
}

/// A new draft route map prefilled from a standard route (`r3` or `R3`): its nodes from the agency
/// catalogue (name, role, eligibility), its numbered steps with purpose, condition and documents,
/// the scenario, audience and needs the route is for, and the catalogue's "as of" date.
pub fn from_route(
    registry: &Registry,
    route: &str,
    region: Option<&str>,
    lang: Lang,
) -> Result<Record, RouteMapError> {
    let r = registry
        .routes
        .get(route)
        .ok_or_else(|| RouteMapError::UnknownRoute {
            given: route.to_string(),
            known: registry
                .routes
                .routes
                .iter()
                .map(|r| r.code.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let region = match region {
        Some(g) => region_key(registry, g)?,
        None => "national".to_string(),
    };
    let template = registry.get(TEMPLATE_ID);
    let max = |path: &str| -> Option<u32> {
        let (g, sub) = path.split_once('.')?;
        template?.field(g)?.sub_field(sub)?.max_length
    };
    let mut ids: Vec<&str> = Vec::new();
    for s in &r.steps {
        for end in [s.from.as_str(), s.to.as_str()] {
            if !ids.contains(&end) {
                ids.push(end);
            }
        }
    }
    let node_id = |key: &str| format!("n{}", ids.iter().position(|k| *k == key).unwrap_or(0) + 1);
    let nodes: Vec<Value> = ids
        .iter()
        .filter_map(|key| registry.agencies.get(key))
        .map(|a| {
            json!({
                "node_id": node_id(&a.key),
                "node_type": a.key,
                "node_name": truncate(a.label.get(lang), max("nodes.node_name")),
                "node_role": truncate(a.role.get(lang), max("nodes.node_role")),
                "node_eligibility": truncate(a.eligibility.get(lang), max("nodes.node_eligibility")),
            })
        })
        .collect();
    let steps: Vec<Value> = r
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut row = json!({
                "step_no": i + 1,
                "from_node": node_id(&s.from),
                "to_node": node_id(&s.to),
                "purpose": truncate(s.purpose.get(lang), max("steps.purpose")),
            });
            if let Some(c) = &s.condition {
                row["condition"] = json!(truncate(c.get(lang), max("steps.condition")));
            }
            if !s.documents.is_empty() {
                row["documents"] = json!(s.documents);
            }
            row
        })
        .collect();
    let version = template.map_or(1, |t| t.version);
    let mut record = Record::new(TEMPLATE_ID, version);
    let f = &mut record.fields;
    f.insert(
        "map_title".into(),
        json!(format!("{} {}", r.code, r.title.get(lang))),
    );
    f.insert("scenario".into(), json!(r.scenario));
    f.insert("region".into(), json!(region));
    f.insert("as_of".into(), json!(registry.agencies.as_of));
    f.insert("personal".into(), json!(false));
    for (k, v) in &r.prefill {
        f.insert(k.clone(), v.clone());
    }
    f.insert("nodes".into(), Value::Array(nodes));
    f.insert("steps".into(), Value::Array(steps));
    Ok(record)
}

/// Whether the map names the person (a personal map).
pub fn is_personal(record: &Record) -> bool {
    record.fields.get("personal").and_then(Value::as_bool) == Some(true)
        || record
            .fields
            .get("person_name")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty())
}

/// A personal map leaves the machine only when, for every agency on it (not the person, not their
/// family), a consent row names that agency — its name exactly, compared after folding width,
/// case, kana and white space, or the agency's catalogue key (`node_type`) — has a date and has
/// not been withdrawn or expired by `today` (YYYY-MM-DD). Never a part of a name: a consent for
/// 「医」 or 「所」 covers no one.
pub fn check_consent(
    record: &Record,
    agencies: &AgencyCatalogue,
    today: &str,
) -> Result<(), RouteMapError> {
    if record.template != TEMPLATE_ID || !is_personal(record) {
        return Ok(());
    }
    let fold = |s: &str| {
        fold(s.trim())
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let map = RouteMap::from_record(record, agencies);
    let consents: Vec<String> = rows(record, "person_consent")
        .filter(|c| !text(c, "date").is_empty() && text(c, "date").as_str() <= today)
        .filter(|c| text(c, "withdrawn").is_empty() || text(c, "withdrawn").as_str() > today)
        .filter(|c| text(c, "expires").is_empty() || text(c, "expires").as_str() >= today)
        .map(|c| text(c, "recipient"))
        .filter(|r| !r.trim().is_empty())
        .collect();
    let covered = |n: &MapNode| {
        let name = fold(&n.name);
        consents.iter().any(|c| {
            (!name.is_empty() && fold(c) == name) || (n.kind.is_some() && c.trim() == n.type_key)
        })
    };
    let missing: Vec<String> = map
        .nodes
        .iter()
        .filter(|n| !matches!(n.type_key.as_str(), "person" | "family"))
        .filter(|n| !covered(n))
        .map(|n| {
            if n.name.trim().is_empty() {
                n.id.clone()
            } else {
                n.name.clone()
            }
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(RouteMapError::NoConsent {
            missing: missing.join("、"),
        })
    }
}
