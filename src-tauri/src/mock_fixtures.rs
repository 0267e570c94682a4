//! What the UI's mock backend (ui/src/mock/backend.ts, `npm run dev:mock`) answers, written by the
//! core: ui/src/generated/fixtures/*.json. The mock keeps storage and looks answers up here; it
//! validates, redacts and lays out nothing itself. Every person in the samples is fictional.
//!
//! - templates.json (ui_rules.rs): every form version as `template_get` answers.
//! - catalogue.json: `routemap_catalogue`; routes.json: a map started from each standard route;
//!   diagrams.json: `routemap_diagram` of those maps and of the sample; sources.json: `sources_get`
//!   of every source.
//! - samples.json: the mock's documents (the samples), each with `document_check` (draft and
//!   final), `export_preview` in each language and era, and the recipients' previews (or Rust's
//!   refusal) for the sample consents; the checks of a new, empty record of each form; the errors
//!   `consent_add` gives for a blank or missing entry.

use crate::commands::{documents, routemap};
use crate::ui_rules::write;
use chrono::NaiveDate;
use serde_json::{Value, json};
use taiwa::consent::{Consent, Method, NewConsent};
use taiwa::i18n::Lang;
use taiwa::pdf::{Era, ExportOptions, RecipientCopy};
use taiwa::record::{Record, parse_record};
use taiwa::template::Registry;
use uuid::Uuid;

/// The day the fixtures are decided on. The sample consents' states do not change after it.
const DAY: (i32, u32, u32) = (2026, 6, 1);

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(DAY.0, DAY.1, DAY.2).unwrap()
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tauri::async_runtime::block_on(f)
}

#[test]
fn catalogue_routes_and_sources() {
    let catalogue = block_on(routemap::routemap_catalogue()).unwrap();
    write("fixtures/catalogue.json", &json!(catalogue));
    let r = Registry::builtin();
    let mut routes = serde_json::Map::new();
    for route in &r.routes.routes {
        let mut by_lang = serde_json::Map::new();
        for lang in [Lang::Ja, Lang::En] {
            let mut record = taiwa::routemap::from_route(r, &route.code, None, lang).unwrap();
            record.lang = lang;
            by_lang.insert(lang.to_string(), record.to_value());
        }
        routes.insert(route.code.clone(), Value::Object(by_lang));
    }
    write("fixtures/routes.json", &Value::Object(routes));
    let ids: Vec<String> = r.sources.sources.iter().map(|s| s.id.clone()).collect();
    let sources = block_on(crate::commands::templates::sources_get(ids)).unwrap();
    write("fixtures/sources.json", &json!(sources));
}

/// The live diagram (`routemap_diagram`) of the maps the mock starts with: the sample, and a map
/// started from each standard route in each language. The mock finds one by its nodes and steps.
#[test]
fn route_map_diagrams() {
    let r = Registry::builtin();
    let mut records: Vec<Record> = vec![parse_record(SAMPLES[2].1, r).unwrap()];
    for route in &r.routes.routes {
        for lang in [Lang::Ja, Lang::En] {
            records.push(taiwa::routemap::from_route(r, &route.code, None, lang).unwrap());
        }
    }
    let diagrams: Vec<Value> = records
        .iter()
        .map(|record| {
            let title = record.fields.get("map_title").and_then(Value::as_str);
            let d = block_on(routemap::routemap_diagram(
                record.to_value(),
                title.unwrap_or_default().to_string(),
            ))
            .unwrap();
            json!({
                "nodes": record.fields.get("nodes"),
                "steps": record.fields.get("steps"),
                "diagram": d,
            })
        })
        .collect();
    write("fixtures/diagrams.json", &json!(diagrams));
}

/// The mock's documents: the samples, by a name the mock seeds them under.
const SAMPLES: &[(&str, &[u8])] = &[
    (
        "dialogue-record",
        include_bytes!("../../samples/dialogue-record.json"),
    ),
    (
        "work-consideration",
        include_bytes!("../../samples/v2/work-consideration-return.json"),
    ),
    ("route-map", include_bytes!("../../samples/route-map.json")),
];

/// A fixed id (the mock gives its documents and consents the same ones).
fn id(kind: u8, n: u8) -> Uuid {
    Uuid::parse_str(&format!("00000000-0000-4000-8000-0000000{kind:02x}{n:03}")).unwrap()
}

fn check(record: &Record, fin: bool) -> Value {
    json!(documents::check_value(&record.to_value(), fin, None).unwrap())
}

/// The sample consents of the dialogue record: valid for some sections (HR), expired (the
/// occupational physician), withdrawn (the support agency).
fn consents(document: Uuid) -> Vec<Consent> {
    let consent = |n: u8, recipient: &str, role: &str, sections: Option<&[&str]>| Consent {
        id: id(0xc, n).into(),
        case_id: id(0xa, 1).into(),
        document_id: Some(document.into()),
        recipient: recipient.to_string(),
        role: Some(role.to_string()),
        purpose: "配慮の検討と実施のため".to_string(),
        sections: sections.map(|s| s.iter().map(|k| k.to_string()).collect()),
        method: Method::Signature,
        recorded_by: None,
        given_on: "2026-04-01".to_string(),
        expires_on: None,
        withdrawn_on: None,
        given_at_seq: Some(1),
        created_at: format!("2026-04-01T09:00:0{n}Z"),
    };
    vec![
        consent(
            1,
            "みどり食品株式会社 人事部 小林",
            "hr",
            Some(&["meta", "agreement"]),
        ),
        Consent {
            given_on: "2025-04-01".to_string(),
            expires_on: Some("2026-03-31".to_string()),
            ..consent(
                2,
                "みどり食品株式会社 産業医 中村",
                "occupational_health_staff",
                None,
            )
        },
        Consent {
            method: Method::Oral,
            recorded_by: Some("佐藤 一郎".to_string()),
            withdrawn_on: Some("2026-05-01".to_string()),
            ..consent(
                3,
                "ハローワーク みなと 専門援助部門",
                "support_agency",
                None,
            )
        },
    ]
}

/// What `export_recipient_preview` answers for `recipient` (as the gate plans it), or its refusal.
fn recipient_preview(
    record: &Record,
    document: Uuid,
    consents: &[Consent],
    recipient: &str,
    lang: Lang,
) -> Value {
    let r = Registry::builtin();
    let t = r.template_for(record).unwrap();
    let chosen = match taiwa::consent::select(consents, &document.to_string(), recipient, day()) {
        Ok(c) => c,
        Err(e) => return json!({ "error": crate::IpcError::from_user(&e) }),
    };
    let plan = taiwa::consent::plan(record, t, &chosen, r);
    let opts = ExportOptions {
        recipient: Some(RecipientCopy {
            recipient: taiwa::consent::normalize_recipient(recipient),
            consents: chosen.iter().map(|c| c.id).collect(),
            withheld: plan.withheld(),
        }),
        ..ExportOptions::new(lang)
    };
    let preview = taiwa::pdf::disclosure_preview(record, t, &opts, &plan).unwrap();
    json!({ "preview": preview, "withheld": plan.withheld() })
}

#[test]
fn samples_checks_and_previews() {
    let r = Registry::builtin();
    let mut documents = Vec::new();
    for (n, (name, bytes)) in SAMPLES.iter().enumerate() {
        let mut record = parse_record(bytes, r).unwrap();
        let document = id(0xd, n as u8 + 1);
        record.id = Some(document);
        let t = r.template_for(&record).unwrap();
        // English dates keep the Western year in either era: one English preview.
        let mut previews = serde_json::Map::new();
        for (key, lang, era) in [
            ("ja-seireki", Lang::Ja, Era::Seireki),
            ("ja-wareki", Lang::Ja, Era::Wareki),
            ("en", Lang::En, Era::Seireki),
        ] {
            let opts = ExportOptions {
                era,
                ..ExportOptions::new(lang)
            };
            previews.insert(
                key.to_string(),
                json!(taiwa::pdf::preview(&record, t, &opts).unwrap()),
            );
        }
        let ledger = if *name == "dialogue-record" {
            consents(document)
        } else {
            Vec::new()
        };
        // Each recipient of the ledger; `refused`: one nobody consented for; `any_recipient`: the
        // whole document for a recipient with no role (the consents the mock's user adds).
        let mut by_recipient = serde_json::Map::new();
        for to in ledger.iter().map(|c| c.recipient.clone()) {
            let mut by_lang = serde_json::Map::new();
            for lang in [Lang::Ja, Lang::En] {
                by_lang.insert(
                    lang.to_string(),
                    recipient_preview(&record, document, &ledger, &to, lang),
                );
            }
            by_recipient.insert(
                taiwa::consent::normalize_recipient(&to),
                Value::Object(by_lang),
            );
        }
        let whole = Consent {
            id: id(0xc, 9).into(),
            recipient: "*".to_string(),
            role: None,
            sections: None,
            ..consents(document).remove(0)
        };
        let (mut any, mut refused) = (serde_json::Map::new(), serde_json::Map::new());
        for lang in [Lang::Ja, Lang::En] {
            any.insert(
                lang.to_string(),
                recipient_preview(&record, document, std::slice::from_ref(&whole), "*", lang),
            );
            refused.insert(
                lang.to_string(),
                recipient_preview(&record, document, &ledger, "(架空)同意のない提供先", lang),
            );
        }
        let rows: Vec<Value> = ledger
            .iter()
            .map(|c| json!({ "consent": c, "state": c.state_on(day()) }))
            .collect();
        documents.push(json!({
            "name": name,
            "id": document,
            "record": record.to_value(),
            "check": { "draft": check(&record, false), "final": check(&record, true) },
            "previews": previews,
            "consents": rows,
            "recipients": by_recipient,
            "any_recipient": any,
            "refused": refused,
        }));
    }
    let mut empty = serde_json::Map::new();
    for t in r.templates() {
        let record = Record::new(&t.id, t.version);
        empty.insert(
            t.id.clone(),
            json!({ "draft": check(&record, false), "final": check(&record, true) }),
        );
    }
    write(
        "fixtures/samples.json",
        &json!({
            "day": day().to_string(),
            "documents": documents,
            "empty": empty,
            "consent_errors": consent_errors(),
        }),
    );
}

/// What `consent_add` answers for an entry left blank, by what is missing (in the order Rust
/// checks): the mock looks these up.
fn consent_errors() -> Value {
    let r = Registry::builtin();
    let t = r.get("dialogue-record").unwrap();
    let ok = NewConsent {
        recipient: "(架空)提供先".to_string(),
        role: None,
        purpose: "配慮の検討のため".to_string(),
        sections: None,
        whole_document: true,
        method: Method::Signature,
        recorded_by: None,
        given_on: "2026-05-01".to_string(),
        expires_on: None,
    };
    let cases = [
        (
            "recipient",
            NewConsent {
                recipient: " ".to_string(),
                ..ok.clone()
            },
        ),
        (
            "purpose",
            NewConsent {
                purpose: String::new(),
                ..ok.clone()
            },
        ),
        (
            "recorded_by",
            NewConsent {
                method: Method::Oral,
                ..ok.clone()
            },
        ),
        (
            "given_on",
            NewConsent {
                given_on: String::new(),
                ..ok.clone()
            },
        ),
        (
            "given_on_future",
            NewConsent {
                given_on: "2026-06-02".to_string(),
                ..ok.clone()
            },
        ),
        (
            "expires_on_before",
            NewConsent {
                expires_on: Some("2026-04-30".to_string()),
                ..ok.clone()
            },
        ),
        (
            "no_scope",
            NewConsent {
                whole_document: false,
                ..ok.clone()
            },
        ),
        (
            "whole_and_sections",
            NewConsent {
                sections: Some(vec!["meta".to_string()]),
                ..ok.clone()
            },
        ),
    ];
    let mut out = serde_json::Map::new();
    for (key, c) in cases {
        let e = c.checked(t, day()).expect_err(key);
        out.insert(key.to_string(), json!(crate::IpcError::from_user(&e)));
    }
    assert!(ok.checked(t, day()).is_ok());
    Value::Object(out)
}
