//! What a file may hold, decided before anything is rendered: the record read and checked, the
//! recipient's valid consents and the redacted record they allow, the parts, the route map's
//! per-agency consent, who gets Part A of the round trip back unredacted, and the log line.

use super::{GateError, LogLine, Prepared};
use crate::consent::{self, DisclosurePlan};
use crate::exchange::{ExchangeError, Kind};
use crate::i18n::Lang;
use crate::ids::{CaseId, DocumentId};
use crate::pdf::{
    self, DisclosureLogScope, DisclosurePreview, Era, ExchangeOptions, ExportOptions,
    ExportPreview, RecipientCopy, RevisionRef,
};
use crate::record::{DocStatus, Mode, Record, validate};
use crate::routemap;
use crate::store::ReceivedPart;
use crate::store::{NewDisclosure, Store, StoreError};
use crate::template::{Registry, Template};
use uuid::Uuid;

/// What leaves.
#[derive(Debug, Clone)]
pub enum Source {
    /// A stored document (a prefix typed by a person is resolved at the CLI's edge).
    Stored(DocumentId),
    /// A record file that is not in the store (nothing to log; refused when it carries the id of
    /// a stored document, which must leave by its id).
    File(Record),
    /// The 提供記録 of a case, or of one document of it, as a PDF.
    DisclosureLog {
        case: Option<CaseId>,
        document: Option<DocumentId>,
    },
    /// The 見本 PDF of a form: its built-in fictional record (`gate::sample`), named by the form's
    /// id, so that nothing but a built-in sample can leave this way; not logged.
    Sample { template: String },
}

/// In what form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    /// The route map's diagram (route maps only).
    Svg,
    /// The record in the exchange format, as `taiwa show` prints it.
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Svg => "svg",
            Format::Json => "json",
        }
    }
}

/// Why a file with no recipient is made; recorded in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum OwnUse {
    /// 本人控え: the person's own copy, handed to them.
    #[default]
    PersonCopy,
    /// 記録保管: kept by the organisation that keeps the record, not handed on.
    KeptOnRecord,
    /// Printed on the user's own screen (`taiwa show`).
    Shown,
}

impl OwnUse {
    pub fn as_str(self) -> &'static str {
        match self {
            OwnUse::PersonCopy => "person_copy",
            OwnUse::KeptOnRecord => "kept_on_record",
            OwnUse::Shown => "shown",
        }
    }
}

/// What to make.
#[derive(Debug, Clone)]
pub struct Request {
    pub source: Source,
    pub format: Format,
    pub lang: Lang,
    pub era: Era,
    /// Work-consideration parts alone; None: the whole form.
    pub parts: Option<Vec<String>>,
    /// None: no one named (`own_use` says why the file is made); Some: a copy for this recipient,
    /// within their valid consents. The round trip names its recipient from the record by default.
    pub recipient: Option<String>,
    pub own_use: OwnUse,
    /// A plain export, Part A for the clinician, or the clinician's answer.
    pub kind: Kind,
}

impl Request {
    /// Every choice at its default, for a caller that names the source itself
    /// (`Request { source, format: Format::Svg, ..Request::defaults(lang) }`): the source here is
    /// a document no store holds.
    pub fn defaults(lang: Lang) -> Request {
        Request::pdf(DocumentId(uuid::Uuid::nil()), lang)
    }

    /// A PDF of a stored document for its own use or a recipient: what most callers make.
    pub fn pdf(id: DocumentId, lang: Lang) -> Request {
        Request {
            source: Source::Stored(id),
            format: Format::Pdf,
            lang,
            era: Era::Seireki,
            parts: None,
            recipient: None,
            own_use: OwnUse::PersonCopy,
            kind: Kind::Export,
        }
    }
}

/// What a file will hold, decided, ready to be rendered on any thread ([`super::render`]).
pub struct Planned {
    what: What,
    format: Format,
    /// None: the disclosure log (no form).
    template: Option<&'static Template>,
    registry: &'static Registry,
    kind: Kind,
    opts: ExportOptions,
    plan: Option<DisclosurePlan>,
    log: Option<LogSeed>,
}

impl Planned {
    /// The form (None: the disclosure log).
    pub fn template(&self) -> Option<&'static Template> {
        self.template
    }

    /// The recipient as the consents compare it (None: no one named).
    pub fn recipient(&self) -> Option<&str> {
        self.opts.recipient.as_ref().map(|r| r.recipient.as_str())
    }
}

enum What {
    Record(Record),
    DisclosureLog {
        rows: Vec<crate::store::Disclosure>,
        scope: DisclosureLogScope,
    },
}

/// The log line's parts known before rendering (the file's hash comes after).
enum LogSeed {
    Document {
        document_id: DocumentId,
        purpose: Option<&'static str>,
    },
    DisclosureLog {
        case: Uuid,
        purpose: Option<&'static str>,
    },
}

/// Decides what the file may hold (refusing a recipient no valid consent covers, naming why).
pub fn plan(store: Option<&Store>, req: &Request) -> Result<Planned, GateError> {
    let recipient = req.recipient.clone().filter(|r| !r.trim().is_empty());
    let purpose = recipient.is_none().then_some(req.own_use.as_str());
    match &req.source {
        Source::DisclosureLog { case, document } => {
            let store = store.ok_or(GateError::NoStore)?;
            plan_disclosure_log(store, req, *case, *document, purpose)
        }
        Source::File(record) => plan_file(store, req, record, recipient),
        Source::Sample { template } => plan_sample(req, template, recipient),
        Source::Stored(id) => {
            let store = store.ok_or(GateError::NoStore)?;
            plan_stored(store, req, *id, recipient, purpose)
        }
    }
}

fn template_of(
    registry: &'static Registry,
    record: &Record,
) -> Result<&'static Template, GateError> {
    registry.template_for(record).ok_or_else(|| {
        GateError::Store(StoreError::Corrupt {
            detail: format!("unknown form {:?}", record.template),
        })
    })
}

fn check_format(format: Format, template: &Template) -> Result<(), GateError> {
    if format == Format::Svg && template.id != routemap::TEMPLATE_ID {
        return Err(GateError::NoSuchOutput {
            format: "SVG",
            template: template.id.clone(),
        });
    }
    Ok(())
}

/// A personal route map leaves (as a PDF or its diagram) only with the person's consent for each
/// agency on it; on the user's own screen (`Json`, `Shown`) it is the user's record.
fn check_route_map(record: &Record, template: &Template, req: &Request) -> Result<(), GateError> {
    let own_screen = req.format == Format::Json
        && req.own_use == OwnUse::Shown
        && req.recipient.as_deref().is_none_or(|r| r.trim().is_empty());
    if template.id != routemap::TEMPLATE_ID || own_screen {
        return Ok(());
    }
    let agencies = &Registry::builtin().agencies;
    let today = consent::today().format("%Y-%m-%d").to_string();
    Ok(routemap::check_consent(record, agencies, &today)?)
}

fn plan_file(
    store: Option<&Store>,
    req: &Request,
    record: &Record,
    recipient: Option<String>,
) -> Result<Planned, GateError> {
    // A file is not in the ledger: no consent can be looked up, nothing is logged.
    if recipient.is_some() || req.kind != Kind::Export {
        return Err(consent::ConsentError::NotStored.into());
    }
    if let (Some(id), Some(store)) = (record.id, store)
        && store.document_exists(DocumentId(id))?
    {
        return Err(GateError::StoredDocument { id: id.to_string() });
    }
    let registry = Registry::builtin();
    let template = template_of(registry, record)?;
    check_format(req.format, template)?;
    let problems = validate(record, template, Mode::for_status(record.status));
    if !problems.is_empty() {
        return Err(GateError::Invalid(problems));
    }
    pdf::check_parts(template, req.parts.as_deref())?;
    let record = pdf::record_for_parts(record, template, req.parts.as_deref());
    check_route_map(&record, template, req)?;
    let opts = ExportOptions {
        era: req.era,
        parts: req.parts.clone(),
        ..ExportOptions::new(req.lang)
    };
    Ok(Planned {
        what: What::Record(record),
        format: req.format,
        template: Some(template),
        registry,
        kind: Kind::Export,
        opts,
        plan: None,
        log: None,
    })
}

/// A 見本: the built-in fictional record, whole, as a PDF marked 見本 on every page. No consent and
/// no log line: it is no one's record (see `gate::sample`). The route map's per-agency consent is
/// not checked either: the sample's consents are as fictional as its person.
fn plan_sample(
    req: &Request,
    template_id: &str,
    recipient: Option<String>,
) -> Result<Planned, GateError> {
    // A sample is the whole form as a PDF, for no one in particular.
    if recipient.is_some()
        || req.kind != Kind::Export
        || req.parts.is_some()
        || req.format != Format::Pdf
    {
        return Err(GateError::NoSample {
            template: template_id.to_string(),
        });
    }
    let registry = Registry::builtin();
    let record = super::sample::record(template_id, registry)?;
    let template = template_of(registry, &record)?;
    let problems = validate(&record, template, Mode::for_status(record.status));
    if !problems.is_empty() {
        return Err(GateError::Invalid(problems));
    }
    let opts = ExportOptions {
        era: req.era,
        sample: true,
        ..ExportOptions::new(req.lang)
    };
    Ok(Planned {
        what: What::Record(record),
        format: Format::Pdf,
        template: Some(template),
        registry,
        kind: Kind::Export,
        opts,
        plan: None,
        log: None,
    })
}

fn plan_disclosure_log(
    store: &Store,
    req: &Request,
    case: Option<CaseId>,
    document: Option<DocumentId>,
    purpose: Option<&'static str>,
) -> Result<Planned, GateError> {
    let registry = store.registry();
    let (rows, case_id, scope) = match (document, case) {
        (Some(id), _) => {
            let doc = store.document(id)?;
            let doc_id = doc.record.id.map(|i| i.to_string()).unwrap_or_default();
            let scope = match req.lang {
                Lang::Ja => format!("文書 {doc_id}"),
                Lang::En => format!("document {doc_id}"),
            };
            (store.disclosures_for_document(id)?, doc.case_id, scope)
        }
        (None, Some(case)) => {
            let scope = match req.lang {
                Lang::Ja => format!("ケース {case}"),
                Lang::En => format!("case {case}"),
            };
            (store.disclosures_for_case(case)?, case, scope)
        }
        (None, None) => {
            return Err(GateError::Store(StoreError::Corrupt {
                detail: "a disclosure log names a case or a document".into(),
            }));
        }
    };
    let case_name = match store.case_deletion(case_id)? {
        Some(_) => match req.lang {
            Lang::Ja => "(削除したケース)".to_string(),
            Lang::En => "(deleted case)".to_string(),
        },
        None => store.case(case_id)?.display_name,
    };
    let scope = DisclosureLogScope {
        case_name,
        scope,
        lang: req.lang,
        created: chrono::Utc::now(),
    };
    // The log of a deleted case keeps no content, but it is a file that leaves: logged too.
    let log = Some(LogSeed::DisclosureLog {
        case: case_id.uuid(),
        purpose,
    });
    Ok(Planned {
        what: What::DisclosureLog { rows, scope },
        format: Format::Pdf,
        template: None,
        registry,
        kind: Kind::Export,
        opts: ExportOptions::new(req.lang),
        plan: None,
        log,
    })
}

fn plan_stored(
    store: &Store,
    req: &Request,
    id: DocumentId,
    recipient: Option<String>,
    purpose: Option<&'static str>,
) -> Result<Planned, GateError> {
    let registry = store.registry();
    let doc = store.document(id)?;
    let document_id = doc.record.id.ok_or_else(|| StoreError::Corrupt {
        detail: "stored document without id".into(),
    })?;
    let template = template_of(registry, &doc.record)?;
    check_format(req.format, template)?;
    // A file of the round trip is a PDF with its envelope, read back before it leaves.
    if req.kind != Kind::Export && req.format != Format::Pdf {
        return Err(GateError::RoundTripNotPdf {
            format: req.format.as_str(),
        });
    }
    // Only well-formed records leave the machine; drafts may still be incomplete.
    let problems = validate(&doc.record, template, Mode::for_status(doc.record.status));
    if !problems.is_empty() {
        return Err(GateError::Invalid(problems));
    }
    let mut exchange = ExchangeOptions {
        kind: req.kind,
        document_id: Some(document_id),
        answers: None,
    };
    let (parts, recipient, received) = if req.kind == Kind::Export {
        (req.parts.clone(), recipient, None)
    } else {
        let rule = crate::exchange::link_rule(&template.id).ok_or_else(|| {
            ExchangeError::NotExchangeable {
                template: template.id.clone(),
            }
        })?;
        let (names, received) = if req.kind == Kind::ForClinician {
            (rule.clinician, None)
        } else {
            let received =
                store
                    .received_for_clinician(id)?
                    .ok_or_else(|| ExchangeError::NotReceived {
                        document: document_id.to_string(),
                    })?;
            exchange.answers = Some(received.answers.clone());
            (rule.employer, Some(received))
        };
        let named_in = received.as_ref().map_or(&doc.record, |r| &r.record);
        let recipient = recipient
            .or_else(|| rule.recipient(named_in, names))
            .ok_or_else(|| ExchangeError::NoRecipient {
                fields: names.join(", "),
            })?;
        let parts = if req.kind == Kind::ForClinician {
            vec![rule.sent.to_string()]
        } else {
            vec![rule.sent.to_string(), rule.answer.to_string()]
        };
        (Some(parts), Some(recipient), received)
    };
    pdf::check_parts(template, parts.as_deref())?;
    // Why a file is made is recorded only for a file with no recipient (the round trip names one).
    let purpose = purpose.filter(|_| recipient.is_none());
    let (record, plan) = match &recipient {
        None => (doc.record.clone(), None),
        Some(to) => {
            let consents = store.consents_for_document(id)?;
            let chosen =
                consent::select(&consents, &document_id.to_string(), to, consent::today())?;
            let plan = consent::plan(&doc.record, template, &chosen, registry);
            (plan.record.clone(), Some(plan))
        }
    };
    let mut record = pdf::record_for_parts(&record, template, parts.as_deref());
    let mut copy = plan.as_ref().map(|p| RecipientCopy {
        recipient: p.recipient.clone(),
        consents: p.consents.clone(),
        withheld: p.withheld_in(template, parts.as_deref()),
    });
    if let (Some(received), Some(rule), Some(to)) = (
        &received,
        crate::exchange::link_rule(&template.id),
        &recipient,
    ) {
        return_part_a(template, rule, received, to, &mut record, copy.as_mut());
    }
    check_route_map(&record, template, req)?;
    // A part alone, or a copy with fields withheld, is not the document: without the id,
    // importing it can only make a new document, never replace the stored one with less. A file
    // of the round trip keeps it: the clinician's draft and the answer are matched by it.
    if req.kind == Kind::Export && (parts.is_some() || copy.is_some()) {
        record.id = None;
    }
    let opts = ExportOptions {
        era: req.era,
        parts,
        revision: Some(RevisionRef {
            seq: doc.seq,
            sha256: doc.sha256.clone(),
            replaces: store
                .history(id)?
                .iter()
                .filter(|r| r.seq < doc.seq && r.status == DocStatus::Final)
                .map(|r| r.seq)
                .next_back(),
        }),
        recipient: copy,
        exchange,
        ..ExportOptions::new(req.lang)
    };
    Ok(Planned {
        what: What::Record(record),
        format: req.format,
        template: Some(template),
        registry,
        kind: req.kind,
        opts,
        plan,
        log: Some(LogSeed::Document {
            document_id: DocumentId(document_id),
            purpose,
        }),
    })
}

/// The clinician's answer carries Part A back exactly as received only to the party that sent it
/// (the employer named in that Part A, compared as consents compare recipients): it came from
/// them, so returning it discloses nothing, and they check it against what they sent. To anyone
/// else Part A is one more part of the record, redacted by the recipient's consents like any other.
fn return_part_a(
    template: &Template,
    rule: &crate::exchange::LinkRule,
    received: &ReceivedPart,
    recipient: &str,
    record: &mut Record,
    copy: Option<&mut RecipientCopy>,
) {
    let sender = rule.recipient(&received.record, rule.employer);
    let to_sender = sender.is_some_and(|s| {
        consent::normalize_recipient(&s) == consent::normalize_recipient(recipient)
    });
    if !to_sender {
        return;
    }
    let sent = crate::exchange::part_keys(template, rule.sent);
    for key in &sent {
        match received.record.fields.get(*key) {
            Some(v) => record.fields.insert(key.to_string(), v.clone()),
            None => record.fields.remove(*key),
        };
    }
    if let Some(c) = copy {
        c.withheld.retain(|p| {
            let top = p.split(['.', '[']).next().unwrap_or(p);
            !sent.contains(&top)
        });
    }
}

/// Renders a planned file (pure: no store, no policy), then, for a file of the round trip, reads
/// it back: what is logged as sent is what the file carries, and a file that would not pass its
/// own checks is never written.
pub(super) fn render(p: Planned) -> Result<Prepared, GateError> {
    let bytes = match (&p.what, p.format) {
        (What::DisclosureLog { rows, scope }, _) => pdf::disclosure_log(rows, p.registry, scope)?,
        (What::Record(record), Format::Pdf) => match p.template {
            Some(t) => pdf::export(record, t, &p.opts)?,
            None => return Err(GateError::NoStore),
        },
        (What::Record(record), Format::Json) => {
            format!("{}\n", record.to_pretty_json().trim_end()).into_bytes()
        }
        (What::Record(record), Format::Svg) => svg(record, p.registry, p.opts.lang)?,
    };
    let sent = match (p.kind, p.format) {
        (Kind::Export, _) | (_, Format::Json | Format::Svg) => None,
        _ => Some(crate::inspect::inspect(&bytes)?.received(p.registry)?),
    };
    let copy = p.opts.recipient.clone();
    let log = p.log.map(|seed| match seed {
        LogSeed::DisclosureLog { case, purpose } => LogLine::DisclosureLog { case, purpose },
        LogSeed::Document {
            document_id,
            purpose,
        } => {
            let revision = p.opts.revision.clone().unwrap_or(RevisionRef {
                seq: 0,
                sha256: String::new(),
                replaces: None,
            });
            LogLine::Document {
                disclosure: NewDisclosure {
                    document_id,
                    revision_seq: revision.seq,
                    revision_sha256: revision.sha256,
                    recipient: copy.as_ref().map(|c| c.recipient.clone()),
                    consents: copy
                        .as_ref()
                        .map(|c| c.consents.clone())
                        .unwrap_or_default(),
                    parts: p.opts.parts.clone(),
                    withheld: copy
                        .as_ref()
                        .map(|c| c.withheld.clone())
                        .unwrap_or_default(),
                    file_sha256: crate::canonical::sha256_hex(&bytes),
                    format: p.format.as_str(),
                    purpose,
                },
                sent: sent.map(Box::new),
            }
        }
    });
    Ok(Prepared {
        bytes,
        template: p.template,
        copy,
        log,
    })
}

/// The whole map on one canvas, as the app shows it (paper splits it into pages).
fn svg(record: &Record, registry: &Registry, lang: Lang) -> Result<Vec<u8>, GateError> {
    let fonts = crate::text::fonts::FontSet::get().map_err(crate::pdf::PdfError::from)?;
    let map = routemap::RouteMap::from_record(record, &registry.agencies);
    let canvas = pdf::diagram::canvas(&map, fonts);
    let title = match lang {
        Lang::Ja => "経路図",
        Lang::En => "Route diagram",
    };
    Ok(canvas
        .as_ref()
        .map(|p| routemap::svg::render(p, title))
        .unwrap_or_else(|| {
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0"/>"#.to_string()
        })
        .into_bytes())
}

/// What the file would print, by section, decided as the file would be (a personal route map
/// without its consents is refused here with the same message as its export).
pub fn preview(store: &Store, req: &Request) -> Result<ExportPreview, GateError> {
    let p = plan(Some(store), req)?;
    match (&p.what, p.template) {
        (What::Record(record), Some(template)) => Ok(pdf::preview(record, template, &p.opts)?),
        // The 提供記録 has no form to preview: never asked for by the app.
        _ => Err(GateError::NoStore),
    }
}

/// Field by field what a recipient's copy would hold and why (None: no recipient named, the
/// plain preview applies).
pub fn preview_for(store: &Store, req: &Request) -> Result<Option<DisclosurePreview>, GateError> {
    let Source::Stored(id) = &req.source else {
        return Ok(None);
    };
    if req.recipient.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Ok(None);
    }
    let p = plan(Some(store), req)?;
    let (Some(plan), Some(template)) = (&p.plan, p.template) else {
        return Ok(None);
    };
    let full = store.document(*id)?.record;
    Ok(Some(pdf::disclosure_preview(
        &full, template, &p.opts, plan,
    )?))
}
