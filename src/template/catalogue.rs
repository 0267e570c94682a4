//! The agency catalogue (docs/domain.md §4.2) and the eight standard routes (§4.3), as data.

use crate::i18n::Text;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyCatalogue {
    /// The date the facts were checked: shown with every map (counts and desks change yearly).
    pub as_of: String,
    pub agencies: Vec<Agency>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    pub key: String,
    pub label: Text,
    pub role: Text,
    pub eligibility: Text,
    pub certificate_needed: CertificateNeeded,
    pub kind: AgencyKind,
    #[serde(default)]
    pub sources: Vec<String>,
}

/// The 手帳 column of docs/domain.md §4.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateNeeded {
    No,
    NotAlways,
    OftenNo,
    NotApplicable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    Person,
    Medical,
    Workplace,
    PublicEmployment,
    SupportAgency,
    Welfare,
    Health,
    LabourAdmin,
    Insurance,
    Professional,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteCatalogue {
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub key: String,
    /// As people say it: R1 … R8.
    pub code: String,
    pub title: Text,
    pub summary: Text,
    /// An option key of the route map's `scenario` field.
    pub scenario: String,
    /// Ids in templates/sources.json that the summary and the steps rest on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Values a map made from this route starts with (route-map field key → value).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub prefill: serde_json::Map<String, serde_json::Value>,
    pub steps: Vec<RouteStep>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteStep {
    /// Agency keys.
    pub from: String,
    pub to: String,
    pub purpose: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Text>,
    /// Option keys of the route map's `steps.documents` field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
}

impl AgencyCatalogue {
    pub fn get(&self, key: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.key == key)
    }
}

impl RouteCatalogue {
    /// By key (`r3`) or by code (`R3`).
    pub fn get(&self, key_or_code: &str) -> Option<&Route> {
        self.routes
            .iter()
            .find(|r| r.key == key_or_code || r.code.eq_ignore_ascii_case(key_or_code))
    }
}
