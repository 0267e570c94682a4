//! Making a file of a stored document for someone (提供): check the record, choose the recipient's
//! valid consents, redact what they do not cover, render the PDF — and, once the caller has written
//! the file durably, log the disclosure. The CLI and the app both go through here, so neither can
//! skip the consent check or the log.

use crate::consent::{self, DisclosurePlan};
use crate::exchange::{ExchangeError, Kind, Received};
use crate::i18n::{Lang, Text, UserError};
use crate::pdf::{
    self, DisclosurePreview, Era, ExchangeOptions, ExportOptions, PdfError, RecipientCopy,
    RevisionRef,
};
use crate::record::{Mode, Problem, Record, validate};
use crate::store::{Disclosure, NewDisclosure, Store, StoreError};
use crate::template::Template;

#[derive(Debug, thiserror::Error)]
pub enum ProvideError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
    #[error("the record has {} problem(s); fix them before exporting", .0.len())]
    Invalid(Vec<Problem>),
}

impl From<consent::ConsentError> for ProvideError {
    fn from(e: consent::ConsentError) -> Self {
        ProvideError::Store(StoreError::from(e))
    }
}

impl UserError for ProvideError {
    fn code(&self) -> &'static str {
        match self {
            ProvideError::Store(e) => e.code(),
            ProvideError::Pdf(e) => e.code(),
            ProvideError::Exchange(e) => e.code(),
            ProvideError::Invalid(_) => "export.invalid",
        }
    }

    fn message(&self) -> Text {
        match self {
            ProvideError::Store(e) => e.message(),
            ProvideError::Pdf(e) => e.message(),
            ProvideError::Exchange(e) => e.message(),
            ProvideError::Invalid(p) => Text {
                ja: format!(
                    "記録に {} 件の問題があります。直してから出力してください",
                    p.len()
                ),
                en: self.to_string(),
            },
        }
    }
}

/// What to make.
#[derive(Debug, Clone)]
pub struct Request {
    /// A document id (or a unique prefix of one).
    pub id: String,
    pub lang: Lang,
    pub era: Era,
    /// Work-consideration parts alone; None: the whole form.
    pub parts: Option<Vec<String>>,
    /// None: the person's own copy (or a file kept in-house); Some: a copy for this recipient,
    /// within their valid consents.
    pub recipient: Option<String>,
    /// A plain export, Part A for the clinician, or the clinician's answer (the round trip: the
    /// parts and, unless given, the recipient follow from the form's link rule).
    pub kind: Kind,
}

/// A rendered file, not yet written, with the log line it needs once it is.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub bytes: Vec<u8>,
    pub template: &'static Template,
    pub copy: Option<RecipientCopy>,
    disclosure: NewDisclosure,
    /// A round-trip file as read back from its own bytes: what the log records as sent.
    sent: Option<Received>,
}

/// What a file will hold, read from the store and checked against the consents, ready to be
/// rendered on any thread (`render`): a batch reads and plans on one thread and renders on all.
pub struct Planned {
    record: Record,
    template: &'static Template,
    registry: &'static crate::template::Registry,
    kind: Kind,
    opts: ExportOptions,
    plan: Option<DisclosurePlan>,
    document_id: uuid::Uuid,
}

fn plan(store: &Store, req: &Request) -> Result<Planned, ProvideError> {
    let registry = store.registry();
    let doc = store.document(&req.id)?;
    let document_id = doc.record.id.ok_or_else(|| StoreError::Corrupt {
        detail: "stored document without id".into(),
    })?;
    let template = registry
        .template_for(&doc.record)
        .ok_or_else(|| StoreError::Corrupt {
            detail: format!("unknown form {:?}", doc.record.template),
        })?;
    // Only well-formed records leave the machine; drafts may still be incomplete.
    let problems = validate(&doc.record, template, Mode::for_status(doc.record.status));
    if !problems.is_empty() {
        return Err(ProvideError::Invalid(problems));
    }
    let mut exchange = ExchangeOptions {
        kind: req.kind,
        document_id: Some(document_id),
        answers: None,
    };
    let (parts, recipient, received) = if req.kind == Kind::Export {
        (req.parts.clone(), req.recipient.clone(), None)
    } else {
        let rule = crate::exchange::link_rule(&template.id).ok_or_else(|| {
            ExchangeError::NotExchangeable {
                template: template.id.clone(),
            }
        })?;
        let (names, received) = if req.kind == Kind::ForClinician {
            (rule.clinician, None)
        } else {
            let received = store.received_for_clinician(&req.id)?.ok_or_else(|| {
                ExchangeError::NotReceived {
                    document: document_id.to_string(),
                }
            })?;
            exchange.answers = Some(received.answers.clone());
            (rule.employer, Some(received))
        };
        let named_in = received.as_ref().map_or(&doc.record, |r| &r.record);
        let recipient = req
            .recipient
            .clone()
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
    let (mut record, plan) = match &recipient {
        None => (doc.record.clone(), None),
        Some(to) => {
            let consents = store.consents_for_document(&document_id.to_string())?;
            let chosen =
                consent::select(&consents, &document_id.to_string(), to, consent::today())?;
            let plan = consent::plan(&doc.record, template, &chosen, registry);
            (plan.record.clone(), Some(plan))
        }
    };
    let mut copy = plan.as_ref().map(|p| RecipientCopy {
        recipient: p.recipient.clone(),
        consents: p.consents.clone(),
        withheld: p.withheld_in(template, parts.as_deref()),
    });
    if let (Some(received), Some(rule)) = (&received, crate::exchange::link_rule(&template.id)) {
        // The answer carries Part A back exactly as received: it came from its recipient, so
        // returning it discloses nothing, and the employer checks it against what was sent.
        let sent = crate::exchange::part_keys(template, rule.sent);
        for key in &sent {
            match received.record.fields.get(*key) {
                Some(v) => record.fields.insert(key.to_string(), v.clone()),
                None => record.fields.remove(*key),
            };
        }
        if let Some(c) = &mut copy {
            c.withheld.retain(|p| {
                let top = p.split('.').next().unwrap_or(p);
                !sent.contains(&top)
            });
        }
    }
    let opts = ExportOptions {
        era: req.era,
        parts,
        revision: Some(RevisionRef {
            seq: doc.seq,
            sha256: doc.sha256.clone(),
        }),
        recipient: copy,
        exchange,
        ..ExportOptions::new(req.lang)
    };
    Ok(Planned {
        record,
        template,
        registry,
        kind: req.kind,
        opts,
        plan,
        document_id,
    })
}

/// Reads and checks what `render` makes into a file (refusing a recipient no valid consent
/// covers, naming why).
pub fn plan_file(store: &Store, req: &Request) -> Result<Planned, ProvideError> {
    plan(store, req)
}

/// Renders the file (refusing a recipient no valid consent covers, naming why).
pub fn prepare(store: &Store, req: &Request) -> Result<Prepared, ProvideError> {
    render(plan(store, req)?)
}

/// Renders a planned file; needs no store.
pub fn render(p: Planned) -> Result<Prepared, ProvideError> {
    let bytes = pdf::export(&p.record, p.template, &p.opts)?;
    // A file of the round trip is read back before it leaves: what is logged as sent is what the
    // file carries, and a file that would not pass its own checks is never written.
    let sent = match p.kind {
        Kind::Export => None,
        _ => Some(crate::exchange::inspect(&bytes).and_then(|i| i.received(p.registry))?),
    };
    let revision = p.opts.revision.clone().unwrap_or(RevisionRef {
        seq: 0,
        sha256: String::new(),
    });
    let copy = p.opts.recipient.clone();
    let disclosure = NewDisclosure {
        document_id: p.document_id,
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
        file_sha256: crate::store::sha256_hex(&bytes),
    };
    Ok(Prepared {
        bytes,
        template: p.template,
        copy,
        disclosure,
        sent,
    })
}

/// Field by field what a recipient's copy would hold and why (None: no recipient named, the
/// plain preview applies).
pub fn preview_for(
    store: &Store,
    req: &Request,
) -> Result<Option<DisclosurePreview>, ProvideError> {
    if req.recipient.is_none() {
        return Ok(None);
    }
    let p = plan(store, req)?;
    let Some(plan) = &p.plan else { return Ok(None) };
    let full = store.document(&req.id)?.record;
    Ok(Some(pdf::disclosure_preview(
        &full, p.template, &p.opts, plan,
    )?))
}

/// Logs a prepared file once it has been written durably where it goes.
pub fn log(store: &mut Store, prepared: &Prepared) -> Result<Disclosure, StoreError> {
    match &prepared.sent {
        None => store.log_disclosure(&prepared.disclosure),
        Some(sent) => store.log_exchange_export(&prepared.disclosure, sent),
    }
}
