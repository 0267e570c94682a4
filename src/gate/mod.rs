//! THE GATE (提供の関門): every byte of a record that leaves Taiwa goes through [`release`] — a PDF
//! or an SVG of a stored document or of a record file, the record printed by `taiwa show`, each
//! file of a batch export, the files of the employer ↔ clinician round trip, and the 提供記録 as a
//! PDF. The gate decides (the recipient's valid consents, the parts, the diagnosis rule, the
//! route map's per-agency consent, who gets Part A back), redacts, renders with the pure
//! renderers (`pdf`, `routemap::svg`), writes (owner-only, synced, renamed) and logs, or deletes
//! the file again when it cannot be logged. The CLI and the app call the gate and nothing else;
//! `tests/it/gate.rs` lists every command that can write a file and proves it goes through here.
//!
//! The steps are public for the batch export, which plans on one thread, renders on every core
//! and delivers on one: [`plan`] → [`render`] → [`deliver`]. A [`Prepared`] file's bytes are
//! private: the only way to write them is [`deliver`], which logs them.

mod decide;
mod deliver;
pub mod sample;

pub use decide::{Format, OwnUse, Planned, Request, Source, plan, preview, preview_for};
pub use deliver::{Released, Sink};

use crate::exchange::{ExchangeError, Received};
use crate::i18n::{FieldError, Text, UserError};
use crate::pdf::{PdfError, RecipientCopy};
use crate::record::Problem;
use crate::store::{Disclosure, NewDisclosure, Store, StoreError};
use crate::template::Template;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
    #[error(transparent)]
    RouteMap(#[from] crate::routemap::RouteMapError),
    #[error("the record has {} problem(s); fix them before exporting", .0.len())]
    Invalid(Vec<Problem>),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: the export was undone because it could not be logged ({source}); {}", path.display(), if *removed { "the file was deleted" } else { "the file could not be deleted: do not hand it over, delete it by hand" })]
    Unlogged {
        path: PathBuf,
        removed: bool,
        source: StoreError,
    },
    #[error(
        "this file is document {id} of the open database: export it by its id (taiwa export {id}) so that it is checked and logged"
    )]
    StoredDocument { id: String },
    #[error(
        "this is not a route map (form: {template}): only a route map has a diagram ({format})"
    )]
    NoSuchOutput {
        format: &'static str,
        template: String,
    },
    #[error("a stored document's file must be logged, and no database is open")]
    NoStore,
    #[error("the files of the round trip are PDFs (the envelope travels in them), not {format}")]
    RoundTripNotPdf { format: &'static str },
    #[error("not confirmed: nothing was saved (add --yes to confirm without a terminal)")]
    NotConfirmed,
    #[error("there is no such sample of the form {template:?}: a sample is the whole form as a PDF, for no one in particular, of: {}", sample::forms().collect::<Vec<_>>().join(", "))]
    NoSample { template: String },
}

impl From<crate::consent::ConsentError> for GateError {
    fn from(e: crate::consent::ConsentError) -> Self {
        GateError::Store(StoreError::from(e))
    }
}

/// A file the gate made and read back: either error keeps its own variant (and code).
impl From<crate::inspect::InspectError> for GateError {
    fn from(e: crate::inspect::InspectError) -> Self {
        match e {
            crate::inspect::InspectError::File(e) => GateError::Pdf(e),
            crate::inspect::InspectError::Exchange(e) => GateError::Exchange(e),
        }
    }
}

impl UserError for GateError {
    fn code(&self) -> &'static str {
        match self {
            GateError::Store(e) => e.code(),
            GateError::Pdf(e) => e.code(),
            GateError::Exchange(e) => e.code(),
            GateError::RouteMap(e) => e.code(),
            GateError::Invalid(_) => "export.invalid",
            GateError::Write { .. } => "export.write",
            GateError::Unlogged { .. } => "export.unlogged",
            GateError::StoredDocument { .. } => "export.stored_document",
            GateError::NoSuchOutput { .. } => "export.no_such_output",
            GateError::NoStore => "export.no_store",
            GateError::RoundTripNotPdf { .. } => "export.round_trip_not_pdf",
            GateError::NotConfirmed => "import.not_confirmed",
            GateError::NoSample { .. } => "export.no_sample",
        }
    }

    fn field(&self) -> Option<FieldError> {
        match self {
            GateError::Store(e) => e.field(),
            _ => None,
        }
    }

    fn brief(&self) -> Option<Text> {
        match self {
            GateError::Store(e) => e.brief(),
            GateError::Pdf(e) => e.brief(),
            GateError::Exchange(e) => e.brief(),
            GateError::RouteMap(e) => e.brief(),
            GateError::Write { .. } => Some(Text::new(
                "ファイルを保存できませんでした。何も出力していません。保存先のフォルダを変えて、もう一度お試しください。",
                "The file could not be saved, so nothing was exported. Choose another folder and try again.",
            )),
            GateError::Unlogged { removed: true, .. } => Some(Text::new(
                "提供記録に記録できなかったため、出力を取り消してファイルを削除しました。もう一度お試しください。",
                "The export could not be logged, so it was undone and the file deleted. Try again.",
            )),
            GateError::Unlogged { removed: false, .. } => Some(Text::new(
                "提供記録に記録できなかったため出力を取り消しましたが、ファイルを削除できませんでした。そのファイルは渡さずに、手で削除してください。",
                "The export could not be logged and was undone, but the file could not be deleted. Do not hand it over: delete it by hand.",
            )),
            _ => None,
        }
    }

    fn message(&self) -> Text {
        let ja = match self {
            GateError::Store(e) => return e.message(),
            GateError::Pdf(e) => return e.message(),
            GateError::Exchange(e) => return e.message(),
            GateError::RouteMap(e) => return e.message(),
            GateError::Invalid(p) => format!(
                "記録に {} 件の問題があります。直してから出力してください",
                p.len()
            ),
            GateError::Write { path, source } => {
                format!("{} に書き込めません: {source}", path.display())
            }
            GateError::Unlogged {
                path,
                removed,
                source,
            } => format!(
                "{}: 提供記録に記録できなかったため出力を取り消しました({}): {}",
                path.display(),
                source.message().ja,
                if *removed {
                    "ファイルは削除しました"
                } else {
                    "ファイルを削除できませんでした。渡さずに手で削除してください"
                }
            ),
            GateError::StoredDocument { id } => format!(
                "このファイルは開いているデータベースの文書 {id} です。同意の確認と提供記録のため、文書 ID で出力してください(taiwa export {id})"
            ),
            GateError::NoSuchOutput { format, template } => {
                format!(
                    "これは相談導線マップではありません(様式: {template})。経路図({format})は相談導線マップだけのものです"
                )
            }
            GateError::NoStore => {
                "保存済み文書の出力は提供記録に残す必要がありますが、データベースが開かれていません"
                    .to_string()
            }
            GateError::RoundTripNotPdf { format } => format!(
                "主治医とのやりとりのファイルは PDF だけです(交換情報を PDF に添付するため)。{format} では出力できません"
            ),
            GateError::NotConfirmed => {
                "確認されなかったため、何も保存していません(端末がないときは --yes で確認します)"
                    .to_string()
            }
            GateError::NoSample { template } => format!(
                "様式「{template}」のそのような見本はありません。見本は様式全体の PDF で、提供先はなく、次の様式にあります: {}",
                sample::forms().collect::<Vec<_>>().join(", ")
            ),
        };
        Text {
            ja,
            en: self.to_string(),
        }
    }
}

/// A rendered file, not yet written. Its bytes are private: only [`deliver`] writes them, and it
/// logs them.
#[derive(Debug, Clone)]
pub struct Prepared {
    bytes: Vec<u8>,
    /// None: the disclosure log (no form).
    pub template: Option<&'static Template>,
    pub copy: Option<RecipientCopy>,
    log: Option<LogLine>,
}

#[derive(Debug, Clone)]
enum LogLine {
    /// A file of a stored document.
    Document {
        disclosure: NewDisclosure,
        /// A round-trip file as read back from its own bytes: what the log records as sent.
        sent: Option<Box<Received>>,
    },
    /// The disclosure log of a case as a PDF.
    DisclosureLog {
        case: uuid::Uuid,
        purpose: Option<&'static str>,
    },
}

impl Prepared {
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn log(&self, store: &mut Store) -> Result<Option<Disclosure>, StoreError> {
        match &self.log {
            None => Ok(None),
            Some(LogLine::Document {
                disclosure,
                sent: None,
            }) => store.log_disclosure(disclosure).map(Some),
            Some(LogLine::Document {
                disclosure,
                sent: Some(sent),
            }) => store.log_exchange_export(disclosure, sent).map(Some),
            Some(LogLine::DisclosureLog { case, purpose }) => store
                .log_disclosure_log_export(
                    *case,
                    &crate::canonical::sha256_hex(&self.bytes),
                    *purpose,
                )
                .map(Some),
        }
    }
}

/// The one function: decides, redacts, renders, writes and logs (see the module's docs). A stored
/// document needs the open store; a record file needs it only when the file carries an id.
pub fn release(
    store: Option<&mut Store>,
    req: &Request,
    sink: Sink<'_>,
) -> Result<Released, GateError> {
    let prepared = prepare(store.as_deref(), req)?;
    deliver(store, prepared, sink)
}

/// Decides and renders, without writing: the app shows the save dialog in between.
pub fn prepare(store: Option<&Store>, req: &Request) -> Result<Prepared, GateError> {
    render(plan(store, req)?)
}

/// Renders a planned file; needs no store (any thread).
pub fn render(p: Planned) -> Result<Prepared, GateError> {
    decide::render(p)
}

/// Writes a prepared file where it goes and logs it; a file that cannot be logged is deleted.
pub fn deliver(
    store: Option<&mut Store>,
    prepared: Prepared,
    sink: Sink<'_>,
) -> Result<Released, GateError> {
    deliver::deliver(store, prepared, sink)
}
