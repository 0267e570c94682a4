//! What each subcommand does, over the core. Output for people on stdout, errors on stderr.

use crate::passphrase::{self, PassphraseError};
use crate::retention;
use crate::routemap;
use crate::{Command, ConsentCommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use taiwa::consent::{self, ConsentError, NewConsent};
use taiwa::exchange::{ExchangeError, Kind};
use taiwa::i18n::{Text, UserError};
use taiwa::pdf::{ExportOptions, PdfError, ProvisionScope, RevisionRef};
use taiwa::provide::{self, ProvideError};
use taiwa::record::{MAX_RECORD_BYTES, Mode, Problem, Record, RecordError, parse_record, validate};
use taiwa::store::{OpenMode, Store, StoreError, default_db_path, is_database_file};
use taiwa::template::{Field, Registry, Required, Template};
use taiwa::{Lang, record::DocStatus};

/// `println!` that ends quietly when the reader has gone (`taiwa list | head`) instead of panicking.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

pub struct Ctx {
    pub db: Option<PathBuf>,
    pub lang: Lang,
    pub accept_wal_loss: bool,
}

pub enum CliError {
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    Record {
        path: PathBuf,
        source: RecordError,
    },
    Problems {
        problems: Vec<Problem>,
    },
    Store(StoreError),
    Passphrase(PassphraseError),
    UnknownTemplate {
        id: String,
    },
    NoDataDir,
    Pdf {
        path: Option<PathBuf>,
        source: PdfError,
    },
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    VerifyFailed,
    RouteMap(taiwa::routemap::RouteMapError),
    NotARouteMap {
        template: String,
    },
    Exchange {
        path: Option<PathBuf>,
        source: ExchangeError,
    },
    Migrate(taiwa::record::MigrateError),
    /// The file was written but its disclosure could not be logged.
    Unlogged {
        path: PathBuf,
        removed: bool,
        source: StoreError,
    },
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid { problems } => CliError::Problems { problems },
            StoreError::Exchange(source) => CliError::Exchange { path: None, source },
            other => CliError::Store(other),
        }
    }
}

impl CliError {
    fn text(&self) -> Text {
        match self {
            CliError::File { path, source } => Text::new(
                format!("ファイル {} を読めません: {source}", path.display()),
                format!("cannot read {}: {source}", path.display()),
            ),
            CliError::Record { path, source } => {
                let m = source.message();
                Text::new(
                    format!("{}: {}", path.display(), m.ja),
                    format!("{}: {}", path.display(), m.en),
                )
            }
            CliError::Problems { problems } => Text::new(
                format!(
                    "記録に {} 件の問題があるため保存していません",
                    problems.len()
                ),
                format!(
                    "the record has {} problem(s); nothing was saved",
                    problems.len()
                ),
            ),
            CliError::Store(e) => e.message(),
            CliError::Passphrase(PassphraseError::NoTerminal) => Text::new(
                "パスフレーズがありません。環境変数 TAIWA_PASSPHRASE を設定するか、端末から実行してください",
                "no passphrase: set TAIWA_PASSPHRASE or run taiwa in a terminal",
            ),
            CliError::Passphrase(PassphraseError::Mismatch) => Text::new(
                "2 回入力したパスフレーズが一致しません。何も作成していません",
                "the two passphrases differ; nothing was created",
            ),
            CliError::Passphrase(PassphraseError::Io(e)) => Text::new(
                format!("パスフレーズを読めません: {e}"),
                format!("cannot read the passphrase: {e}"),
            ),
            CliError::UnknownTemplate { id } => {
                let known = Registry::builtin().ids().join(", ");
                Text::new(
                    format!("様式「{id}」はありません(あるもの: {known})"),
                    format!("unknown template {id:?} (known: {known})"),
                )
            }
            CliError::NoDataDir => Text::new(
                "データの保存場所(ホームディレクトリ)が見つかりません。--db か TAIWA_DB で指定してください",
                "no data directory (no home directory?); give --db or TAIWA_DB",
            ),
            CliError::Exchange { path, source } => at_file(path.as_deref(), source.message()),
            CliError::Pdf { path, source } => at_file(path.as_deref(), source.message()),
            CliError::Write { path, source } => Text::new(
                format!("{} に書き込めません: {source}", path.display()),
                format!("cannot write {}: {source}", path.display()),
            ),
            CliError::VerifyFailed => Text::new(
                "検証で不一致が見つかりました(上記)",
                "verification found mismatches (listed above)",
            ),
            CliError::RouteMap(e) => e.message(),
            CliError::Migrate(e) => e.message(),
            CliError::NotARouteMap { template } => Text::new(
                format!("これは相談導線マップではありません(様式: {template})"),
                format!("this is not a route map (form: {template})"),
            ),
            CliError::Unlogged {
                path,
                removed,
                source,
            } => {
                let m = source.message();
                let (ja, en) = if *removed {
                    (
                        "記録のない提供を残さないため、ファイルを削除しました。原因を取り除いてもう一度出力してください".to_string(),
                        "the file was deleted so that nothing leaves unlogged; fix the cause and export again".to_string(),
                    )
                } else {
                    (
                        format!(
                            "ファイル {} も削除できませんでした。渡さずに手で削除してください",
                            path.display()
                        ),
                        format!(
                            "the file {} could not be deleted either: do not hand it over, delete it by hand",
                            path.display()
                        ),
                    )
                };
                Text::new(
                    format!(
                        "!!! {} を書き出しましたが、提供記録に記録できませんでした: {}。{ja}",
                        path.display(),
                        m.ja
                    ),
                    format!(
                        "!!! {} was written but its disclosure could NOT be logged: {}; {en}",
                        path.display(),
                        m.en
                    ),
                )
            }
        }
    }

    /// Both languages, the chosen one first: an error must be understood whoever reads it.
    pub fn render(&self, lang: Lang) -> String {
        let t = self.text();
        let mut out = match lang {
            Lang::Ja => format!("エラー: {}\nerror: {}", t.ja, t.en),
            Lang::En => format!("error: {}\nエラー: {}", t.en, t.ja),
        };
        if let CliError::Problems { problems } = self {
            // Each problem in both languages too: the summary alone names no field.
            let other = match lang {
                Lang::Ja => Lang::En,
                Lang::En => Lang::Ja,
            };
            for p in problems {
                out.push('\n');
                out.push_str(&p.line(lang));
                out.push_str(" / ");
                out.push_str(p.message.get(other));
            }
        }
        if let CliError::Store(e) | CliError::Unlogged { source: e, .. } = self {
            out.push_str(&format!("\n[{}]", e.code()));
        }
        if let CliError::Exchange { source, .. } = self {
            out.push_str(&format!("\n[{}]", source.code()));
        }
        if let CliError::Migrate(e) = self {
            out.push_str(&format!("\n[{}]", e.code()));
        }
        out
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Problems { .. } | CliError::VerifyFailed => 1,
            CliError::Exchange {
                source:
                    ExchangeError::RecordChanged
                    | ExchangeError::PagesChanged
                    | ExchangeError::PartDiffers { .. }
                    | ExchangeError::EnvelopeMismatch { .. }
                    | ExchangeError::ReadOnlyField { .. },
                ..
            } => 1,
            CliError::Exchange {
                source: ExchangeError::Pdf(PdfError::FontLoad | PdfError::Write(_)),
                ..
            } => 3,
            CliError::Store(StoreError::Consent(ConsentError::Refused { .. })) => 4,
            CliError::Store(
                StoreError::DocumentNotFound { .. }
                | StoreError::CaseNotFound { .. }
                | StoreError::CaseDeleted { .. }
                | StoreError::CaseOpen { .. }
                | StoreError::BadRetention { .. }
                | StoreError::Consent(_),
            ) => 2,
            CliError::Unlogged { .. } => 3,
            CliError::Store(_)
            | CliError::Passphrase(_)
            | CliError::NoDataDir
            | CliError::Write { .. } => 3,
            CliError::Pdf {
                source: PdfError::FontLoad | PdfError::Write(_),
                ..
            } => 3,
            _ => 2,
        })
    }
}

pub fn run(ctx: &Ctx, command: Command) -> Result<ExitCode, CliError> {
    let registry = Registry::builtin();
    match command {
        Command::Templates => {
            for t in registry.templates() {
                out!("{}\tv{}\t{} / {}", t.id, t.version, t.title.ja, t.title.en);
            }
        }
        Command::Template { id, json, sources } => {
            let t = registry.get(&id).ok_or(CliError::UnknownTemplate { id })?;
            if sources {
                super::forms::print_sources(t, registry);
            } else if json {
                // Serialising our own definition types cannot fail (string keys, finite numbers).
                let text = serde_json::to_string_pretty(t).unwrap_or_default();
                out!("{text}");
            } else {
                print_outline(t, ctx.lang);
            }
        }
        Command::MigrateRecord { file, output } => {
            let record = read_record(&file, registry)?;
            let m = taiwa::record::migrate_draft(&record, registry).map_err(CliError::Migrate)?;
            super::forms::report_migration(&m, ctx.lang);
            let text = m.record.to_pretty_json();
            match output {
                Some(path) => std::fs::write(&path, text.as_bytes())
                    .map_err(|source| CliError::Write { path, source })?,
                None => out!("{text}"),
            }
        }
        Command::Validate { file, finalize } => {
            let record = read_record(&file, registry)?;
            let mode = if finalize {
                Mode::Final
            } else {
                Mode::for_status(record.status)
            };
            let template = registry
                .template_for(&record)
                .ok_or(CliError::UnknownTemplate {
                    id: record.template.clone(),
                })?;
            let problems = validate(&record, template, mode);
            if problems.is_empty() {
                let what = if mode == Mode::Final {
                    "final"
                } else {
                    "draft"
                };
                match ctx.lang {
                    Lang::Ja => out!("OK: {} は有効です({what})", file.display()),
                    Lang::En => out!("OK: {} is valid ({what})", file.display()),
                }
            } else {
                for p in &problems {
                    out!("{}", p.line(ctx.lang));
                }
                return Ok(ExitCode::from(1));
            }
        }
        Command::Import { file, case } => {
            if !is_pdf(&file) {
                let record = read_record(&file, registry)?;
                let mut store = open_store(ctx, OpenMode::CreateIfMissing)?;
                let outcome = store.save_record(&record, case)?;
                print_unchanged(ctx, &outcome);
                out!("{}", outcome.document_id);
                return Ok(ExitCode::SUCCESS);
            }
            let got = read_pdf(&file)?
                .received(registry)
                .map_err(|source| CliError::Exchange {
                    path: Some(file.clone()),
                    source,
                })?;
            let mut store = open_store(ctx, OpenMode::CreateIfMissing)?;
            let receipt = store
                .receive(&got, case)
                .map_err(|e| match CliError::from(e) {
                    CliError::Exchange { source, .. } => CliError::Exchange {
                        path: Some(file.clone()),
                        source,
                    },
                    other => other,
                })?;
            print_unchanged(ctx, &receipt.save);
            out!("{}", receipt.save.document_id);
            let template = registry.template_for(&got.record);
            let label = |path: &str| {
                template
                    .and_then(|t| t.field(path))
                    .map(|f| f.label.get(ctx.lang).to_string())
                    .unwrap_or_default()
            };
            match receipt.kind {
                Kind::Export => {}
                Kind::ForClinician => {
                    for path in &receipt.read_only {
                        out!("read-only\t{path}\t{}", label(path));
                    }
                    match ctx.lang {
                        Lang::Ja => eprintln!(
                            "主治医意見(Part B)の下書きを開きました(版 {})。受け取った Part A と本人の氏名・生年月日・住所の {} 項目は読み取り専用です",
                            receipt.save.seq,
                            receipt.read_only.len()
                        ),
                        Lang::En => eprintln!(
                            "opened the draft of the physician's opinion (Part B), revision {}; {} field(s) (Part A as received, the patient's identity) are read-only",
                            receipt.save.seq,
                            receipt.read_only.len()
                        ),
                    }
                }
                Kind::FromClinician => {
                    // Paths and labels only: no value leaves the database on the terminal.
                    for c in &receipt.changes {
                        out!("{}\t{}\t{}", c.kind.as_str(), c.path, label(&c.path));
                    }
                    match ctx.lang {
                        Lang::Ja => eprintln!(
                            "主治医の回答を版 {} として取り込みました(変更 {} 項目)",
                            receipt.save.seq,
                            receipt.changes.len()
                        ),
                        Lang::En => eprintln!(
                            "imported the physician's answer as revision {} ({} field(s) changed)",
                            receipt.save.seq,
                            receipt.changes.len()
                        ),
                    }
                    if !receipt.edited_since_sent.is_empty() {
                        let list = receipt.edited_since_sent.join(", ");
                        match ctx.lang {
                            Lang::Ja => eprintln!(
                                "注意: 送った後にここで変更した Part A の項目があります(回答は送った版へのものです): {list}"
                            ),
                            Lang::En => eprintln!(
                                "note: Part A was changed here after it was sent (the answer is to the version sent): {list}"
                            ),
                        }
                    }
                }
            }
        }
        Command::VerifyPdf { file, no_db } => return verify_pdf(ctx, &file, no_db),
        Command::ReadOnly { id } => {
            let store = open_store(ctx, OpenMode::ExistingOnly)?;
            for path in store.read_only_fields(&id)? {
                out!("{path}");
            }
        }
        Command::Export {
            all: true,
            output,
            case,
            recipient,
            era,
            ..
        } => {
            let mut store = open_store(ctx, OpenMode::ExistingOnly)?;
            return crate::export_all::run(ctx, &mut store, &output, case, recipient, era);
        }
        Command::Export {
            source,
            output,
            era,
            part,
            recipient,
            for_clinician,
            for_employer,
            ..
        } => {
            // clap requires a source without --all.
            let source = source.unwrap_or_default();
            let parts = if part.is_empty() { None } else { Some(part) };
            let kind = match (for_clinician, for_employer) {
                (true, _) => Kind::ForClinician,
                (_, true) => Kind::FromClinician,
                _ => Kind::Export,
            };
            let path = Path::new(&source);
            if kind != Kind::Export {
                // The round trip starts from a stored document: it is logged and matched by id.
                let mut store = open_store(ctx, OpenMode::ExistingOnly)?;
                export_stored(
                    ctx, &mut store, &source, &output, era, parts, recipient, kind,
                )?;
            } else if path.exists() {
                // A file is not in the ledger: no consent can be looked up, nothing is logged.
                if recipient.is_some() {
                    return Err(StoreError::from(ConsentError::NotStored).into());
                }
                let record = read_record(path, registry)?;
                let template = checked_template(&record, registry)?;
                let opts = ExportOptions {
                    era,
                    parts,
                    ..ExportOptions::new(ctx.lang)
                };
                let bytes = taiwa::pdf::export(&record, template, &opts)
                    .map_err(|source| CliError::Pdf { path: None, source })?;
                write_private(&output, &bytes)?;
                out!("{}", output.display());
            } else {
                let mut store = open_store(ctx, OpenMode::ExistingOnly)?;
                export_stored(
                    ctx, &mut store, &source, &output, era, parts, recipient, kind,
                )?;
            }
        }
        Command::Consent { action } => consent_command(ctx, action)?,
        Command::Disclosures { id, case, pdf } => {
            let store = open_store(ctx, OpenMode::ExistingOnly)?;
            let (rows, case_id, scope) = match (&id, case) {
                (Some(id), _) => {
                    let doc = store.document(id)?;
                    let doc_id = doc.record.id.map(|i| i.to_string()).unwrap_or_default();
                    let scope = match ctx.lang {
                        Lang::Ja => format!("文書 {doc_id}"),
                        Lang::En => format!("document {doc_id}"),
                    };
                    (store.disclosures_for_document(id)?, doc.case_id, scope)
                }
                (None, Some(case)) => {
                    let scope = match ctx.lang {
                        Lang::Ja => format!("ケース {case}"),
                        Lang::En => format!("case {case}"),
                    };
                    (store.disclosures_for_case(case)?, case, scope)
                }
                (None, None) => unreachable!("clap requires an id or --case"),
            };
            for d in &rows {
                if d.kind == "case_deleted"
                    && let Some(del) = store.case_deletion(d.case_id)?
                {
                    out!(
                        "{}\tcase_deleted\t{}\t{}",
                        d.created_at,
                        del.documents,
                        del.reason.as_str()
                    );
                    continue;
                }
                out!(
                    "{}\t{}\tr{}\t{}\t{}\t{}\t{}\t{}",
                    d.created_at,
                    d.document_id
                        .map(|i| i.to_string())
                        .unwrap_or_else(|| "-".into()),
                    d.revision_seq.unwrap_or(0),
                    d.revision_sha256.as_deref().unwrap_or("-"),
                    d.recipient.as_deref().unwrap_or("-"),
                    join_or_dash(d.consents.iter().map(|c| c.to_string())),
                    join_or_dash(d.parts.iter().flatten().cloned()),
                    d.file_sha256.as_deref().unwrap_or("-"),
                );
            }
            if let Some(pdf) = pdf {
                let case_name = match store.case_deletion(case_id)? {
                    Some(_) => match ctx.lang {
                        Lang::Ja => "(削除したケース)".to_string(),
                        Lang::En => "(deleted case)".to_string(),
                    },
                    None => store.case(case_id)?.display_name,
                };
                let scope = ProvisionScope {
                    case_name,
                    scope,
                    lang: ctx.lang,
                    created: chrono::Utc::now(),
                };
                let bytes = taiwa::pdf::provision_record(&rows, registry, &scope)
                    .map_err(|source| CliError::Pdf { path: None, source })?;
                write_private(&pdf, &bytes)?;
                eprintln!("{}", pdf.display());
            }
        }
        Command::List { case } => {
            let store = open_store(ctx, OpenMode::ExistingOnly)?;
            for d in store.list_documents(case)? {
                out!(
                    "{}\t{}\t{}\tr{}\t{}\t{}",
                    d.id,
                    status_label(d.status, ctx.lang),
                    d.template,
                    d.head_seq,
                    d.updated_at,
                    d.title
                );
            }
        }
        Command::Show { id } => {
            let store = open_store(ctx, OpenMode::ExistingOnly)?;
            out!(
                "{}",
                store.document(&id)?.record.to_pretty_json().trim_end()
            );
        }
        Command::Search { text } => {
            let store = open_store(ctx, OpenMode::ExistingOnly)?;
            for h in store.search(&text)? {
                out!(
                    "{}\t{}\t{}\t{}\t{}",
                    h.document_id,
                    status_label(h.status, ctx.lang),
                    h.template,
                    h.updated_at,
                    h.title
                );
            }
        }
        Command::History { id } => {
            let store = open_store(ctx, OpenMode::ExistingOnly)?;
            for r in store.history(&id)? {
                out!(
                    "r{}\t{}\t{}\t{}\tprev={}",
                    r.seq,
                    status_label(r.status, ctx.lang),
                    r.created_at,
                    r.sha256,
                    r.prev_sha256.as_deref().unwrap_or("-")
                );
            }
        }
        Command::Passphrase => {
            let mut store = open_store(ctx, OpenMode::ExistingOnly)?;
            let new = passphrase::obtain_new().map_err(CliError::Passphrase)?;
            store.change_passphrase(&new)?;
            match ctx.lang {
                Lang::Ja => out!("パスフレーズを変更しました。前のパスフレーズではもう開けません"),
                Lang::En => out!("passphrase changed; the old one no longer opens the database"),
            }
        }
        Command::Backup { dir } => {
            let store = open_store(ctx, OpenMode::ExistingOnly)?;
            let dir = match dir {
                Some(d) => d,
                None => {
                    // The default folder is Taiwa's own, beside the database: made again if it
                    // vanished (a folder given by name is not: see BackupFolderProblem::Missing).
                    let d = store
                        .path()
                        .parent()
                        .unwrap_or(Path::new("."))
                        .join("backups");
                    if !d.exists() {
                        std::fs::create_dir_all(&d).map_err(|source| CliError::Write {
                            path: d.clone(),
                            source,
                        })?;
                    }
                    d
                }
            };
            out!("{}", store.backup_to(&dir)?.display());
        }
        Command::Restore { file } => {
            let path = match &ctx.db {
                Some(p) => p.clone(),
                None => default_db_path().ok_or(CliError::NoDataDir)?,
            };
            let pass = passphrase::obtain(false).map_err(CliError::Passphrase)?;
            let done = taiwa::store::backup::restore(&file, &path, &pass)?;
            match ctx.lang {
                Lang::Ja => out!(
                    "復元しました: 文書 {} 件、版 {} 件(検証済み)→ {}",
                    done.documents,
                    done.revisions,
                    path.display()
                ),
                Lang::En => out!(
                    "restored {} documents, {} revisions (verified) into {}",
                    done.documents,
                    done.revisions,
                    path.display()
                ),
            }
            if let Some(prev) = done.previous {
                match ctx.lang {
                    Lang::Ja => out!("元のデータベースは {} に残しました", prev.display()),
                    Lang::En => out!("the database it replaced is kept as {}", prev.display()),
                }
            }
        }
        Command::Case { action } => return retention::case(ctx, action),
        Command::Retention { action } => return retention::retention(ctx, action),
        Command::Routes => return routemap::routes(ctx, registry),
        Command::RouteMap { action } => return routemap::route_map(ctx, registry, action),
        Command::Verify => {
            let store = open_store(ctx, OpenMode::ExistingOnly)?;
            let report = store.verify()?;
            for f in &report.failures {
                let seq = f.seq.map(|s| format!(" r{s}")).unwrap_or_default();
                out!("NG {}{seq}: {}", f.document_id, f.problem);
            }
            if report.integrity != "ok" {
                out!("NG integrity_check: {}", report.integrity);
            }
            match ctx.lang {
                Lang::Ja => out!(
                    "文書 {} 件、版 {} 件を検証しました",
                    report.documents,
                    report.revisions
                ),
                Lang::En => out!(
                    "checked {} documents, {} revisions",
                    report.documents,
                    report.revisions
                ),
            }
            if !report.ok() {
                return Err(CliError::VerifyFailed);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn join_or_dash(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.collect();
    if v.is_empty() {
        "-".into()
    } else {
        v.join(",")
    }
}

/// The record's form, after checking the record: only well-formed records leave the machine
/// (drafts may still be incomplete).
fn checked_template(
    record: &Record,
    registry: &'static Registry,
) -> Result<&'static Template, CliError> {
    let template = registry
        .template_for(record)
        .ok_or(CliError::UnknownTemplate {
            id: record.template.clone(),
        })?;
    let problems = validate(record, template, Mode::for_status(record.status));
    if !problems.is_empty() {
        return Err(CliError::Problems { problems });
    }
    Ok(template)
}

/// Exports a stored document (whole, or redacted for a recipient within their consents), writes
/// the file durably, then logs the disclosure. A file that cannot be logged is deleted again.
/// `kind`: a file of the round trip (Part A for the clinician, or the clinician's answer) goes to
/// a named recipient (by default the one the record names) and needs their consent.
pub(crate) fn provide_error(e: ProvideError) -> CliError {
    match e {
        ProvideError::Store(e) => CliError::from(e),
        ProvideError::Pdf(source) => CliError::Pdf { path: None, source },
        ProvideError::Exchange(source) => CliError::Exchange { path: None, source },
        ProvideError::Invalid(problems) => CliError::Problems { problems },
    }
}

/// One line on stdout (the `out!` of other modules).
pub(crate) fn print_line(line: &str) {
    out!("{line}");
}

#[allow(clippy::too_many_arguments)]
fn export_stored(
    ctx: &Ctx,
    store: &mut Store,
    id: &str,
    output: &Path,
    era: taiwa::pdf::Era,
    parts: Option<Vec<String>>,
    recipient: Option<String>,
    kind: Kind,
) -> Result<(), CliError> {
    let request = provide::Request {
        id: id.to_string(),
        lang: ctx.lang,
        era,
        parts,
        recipient,
        kind,
    };
    let prepared = provide::prepare(store, &request).map_err(provide_error)?;
    write_private(output, &prepared.bytes)?;
    if let Err(source) = provide::log(store, &prepared) {
        let removed = std::fs::remove_file(output).is_ok();
        return Err(CliError::Unlogged {
            path: output.to_path_buf(),
            removed,
            source,
        });
    }
    let copy = prepared.copy;
    out!("{}", output.display());
    if let Some(c) = &copy {
        let ids = c
            .consents
            .iter()
            .map(|i| i.to_string()[..8].to_string())
            .collect::<Vec<_>>()
            .join(", ");
        match ctx.lang {
            Lang::Ja => eprintln!(
                "提供先「{}」向け(同意 {ids})。省略した項目 {} 件",
                c.recipient,
                c.withheld.len()
            ),
            Lang::En => eprintln!(
                "for {:?} (consent {ids}); {} field(s) withheld",
                c.recipient,
                c.withheld.len()
            ),
        }
    }
    Ok(())
}

fn consent_command(ctx: &Ctx, action: ConsentCommand) -> Result<(), CliError> {
    let mut store = open_store(ctx, OpenMode::ExistingOnly)?;
    let today = consent::today();
    match action {
        ConsentCommand::Add {
            document,
            recipient,
            purpose,
            role,
            sections,
            expires,
            method,
            recorded_by,
            given,
        } => {
            let new = NewConsent {
                recipient,
                role,
                purpose,
                sections,
                method,
                recorded_by,
                given_on: given.unwrap_or_else(|| today.format("%Y-%m-%d").to_string()),
                expires_on: expires,
            };
            let c = store.add_consent(&document, &new, today)?;
            out!("{}", c.id);
            if c.role.is_some()
                && consent::recipient_kind(c.role.as_deref(), store.registry()).is_none()
            {
                match ctx.lang {
                    Lang::Ja => eprintln!(
                        "注意: 立場「{}」は既知の種別(hr, occupational_health_staff など)ではないため、開示範囲で提供先の種別を限った診断名はこの提供先に出しません",
                        c.role.as_deref().unwrap_or_default()
                    ),
                    Lang::En => eprintln!(
                        "note: the role {:?} is no known kind (hr, occupational_health_staff, ...): a diagnosis disclosed only to some kinds of recipient will not go to this one",
                        c.role.as_deref().unwrap_or_default()
                    ),
                }
            }
        }
        ConsentCommand::List { document } => {
            for c in store.consents_for_document(&document)? {
                out!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    c.id,
                    c.recipient,
                    c.purpose,
                    c.sections
                        .as_ref()
                        .map_or_else(|| "*".to_string(), |s| s.join(",")),
                    c.given_on,
                    c.expires_on.as_deref().unwrap_or("-"),
                    c.state_on(today).key(),
                    c.withdrawn_on.as_deref().unwrap_or("-"),
                    c.role.as_deref().unwrap_or("-"),
                );
            }
        }
        ConsentCommand::Withdraw { consent, on } => {
            let on = on.unwrap_or_else(|| today.format("%Y-%m-%d").to_string());
            let c = store.withdraw_consent(&consent, &on)?;
            out!("{}\t{}", c.id, c.withdrawn_on.as_deref().unwrap_or("-"));
        }
    }
    Ok(())
}

fn status_label(status: DocStatus, lang: Lang) -> &'static str {
    match (status, lang) {
        (DocStatus::Draft, Lang::Ja) => "下書き",
        (DocStatus::Final, Lang::Ja) => "確定",
        (DocStatus::Superseded, Lang::Ja) => "旧版",
        (s, Lang::En) => s.as_str(),
    }
}

/// PDFs carry their record as an attachment and may be larger than a record file.
const MAX_PDF_BYTES: u64 = 64 * 1024 * 1024;

/// A record from a .json file, or from the `record.json` attached to a PDF that Taiwa exported.
/// A message about a file, the file named first when known.
fn at_file(path: Option<&Path>, m: Text) -> Text {
    match path {
        Some(p) => Text::new(
            format!("{}: {}", p.display(), m.ja),
            format!("{}: {}", p.display(), m.en),
        ),
        None => m,
    }
}

/// The database path this run uses, if there is one.
pub fn db_path(ctx: &Ctx) -> Option<PathBuf> {
    ctx.db.clone().or_else(default_db_path)
}

/// For a damaged database or WAL: the newest backup beside it and the command that restores it.
pub fn restore_hint(ctx: &Ctx, e: &CliError) -> Option<String> {
    if !matches!(
        e,
        CliError::Store(StoreError::Damaged { .. } | StoreError::WalDamaged { .. })
    ) {
        return None;
    }
    let db = db_path(ctx)?;
    let dir = db.parent()?.join("backups");
    let newest = taiwa::store::backup::backups_in(&dir)
        .ok()?
        .into_iter()
        .next()?;
    let file = newest.1.display();
    Some(match ctx.lang {
        Lang::Ja => format!("最新のバックアップ: {file}\n復元するには: taiwa restore \"{file}\""),
        Lang::En => format!("newest backup: {file}\nto restore it: taiwa restore \"{file}\""),
    })
}

/// A record file, or else a stored document (with the revision it is).
pub(crate) fn load_source(
    ctx: &Ctx,
    registry: &Registry,
    source: &str,
) -> Result<(Record, Option<RevisionRef>), CliError> {
    let path = Path::new(source);
    if path.exists() {
        return Ok((read_record(path, registry)?, None));
    }
    let store = open_store(ctx, OpenMode::ExistingOnly)?;
    let doc = store.document(source)?;
    Ok((
        doc.record,
        Some(RevisionRef {
            seq: doc.seq,
            sha256: doc.sha256,
        }),
    ))
}

fn is_pdf(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
}

/// A PDF read and its hashes recomputed (nothing judged yet).
fn read_pdf(path: &Path) -> Result<taiwa::exchange::Inspection, CliError> {
    let file_err = |source| CliError::File {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(file_err)?.len();
    if size > MAX_PDF_BYTES {
        return Err(CliError::Pdf {
            path: Some(path.to_path_buf()),
            source: PdfError::NotAPdf(format!("{size} bytes; at most {MAX_PDF_BYTES}")),
        });
    }
    let bytes = std::fs::read(path).map_err(file_err)?;
    taiwa::exchange::inspect(&bytes).map_err(|source| CliError::Exchange {
        path: Some(path.to_path_buf()),
        source,
    })
}

fn print_unchanged(ctx: &Ctx, outcome: &taiwa::store::SaveOutcome) {
    if outcome.unchanged {
        match ctx.lang {
            Lang::Ja => eprintln!("変更はありません(版 {} のまま)", outcome.seq),
            Lang::En => eprintln!("unchanged (still revision {})", outcome.seq),
        }
    }
}

fn read_record(path: &Path, registry: &Registry) -> Result<Record, CliError> {
    let file_err = |source| CliError::File {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(file_err)?.len();
    if is_pdf(path) && size <= MAX_PDF_BYTES {
        // Checked as an import checks it: a file changed after Taiwa made it is refused.
        let got = read_pdf(path)?
            .received(registry)
            .map_err(|source| CliError::Exchange {
                path: Some(path.to_path_buf()),
                source,
            })?;
        return Ok(got.record);
    }
    if size > MAX_RECORD_BYTES as u64 {
        return Err(CliError::Record {
            path: path.to_path_buf(),
            source: RecordError::TooLarge {
                size: size as usize,
                max: MAX_RECORD_BYTES,
            },
        });
    }
    let bytes = std::fs::read(path).map_err(file_err)?;
    parse_record(&bytes, registry).map_err(|source| CliError::Record {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes through a temporary file in the same folder, created owner-only, then renames: the
/// target is either the old file or the complete new one, and never readable by others.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    use std::io::Write as _;
    let err = |source| CliError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = options.open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = result.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    // The rename itself reaches the disk before anything (the disclosure log) relies on the file.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

pub fn open_store(ctx: &Ctx, mode: OpenMode) -> Result<Store, CliError> {
    let path = match &ctx.db {
        Some(p) => p.clone(),
        None => default_db_path().ok_or(CliError::NoDataDir)?,
    };
    if mode == OpenMode::ExistingOnly && !is_database_file(&path) {
        return Err(StoreError::NoDatabase { path }.into());
    }
    let pass = passphrase::obtain(!is_database_file(&path)).map_err(CliError::Passphrase)?;
    if !ctx.accept_wal_loss {
        return Ok(Store::open(&path, &pass, mode)?);
    }
    let store = Store::open_accepting_wal_loss(&path, &pass, mode)?;
    if let Some(kept) = store.wal_kept() {
        eprintln!(
            "{}",
            match ctx.lang {
                Lang::Ja => format!(
                    "警告: 壊れた更新ログ(WAL)の破損箇所から後の変更は失われました。ログのコピーは {} に残しています",
                    kept.display()
                ),
                Lang::En => format!(
                    "warning: the changes in the damaged write-ahead log from the damaged frame on were dropped; the log is kept as {}",
                    kept.display()
                ),
            }
        );
    }
    Ok(store)
}

fn print_outline(t: &Template, lang: Lang) {
    out!("{} v{}: {}", t.id, t.version, t.title.get(lang));
    for s in &t.sections {
        let spec = s
            .spec
            .as_deref()
            .map(|s| format!(" [{s}]"))
            .unwrap_or_default();
        out!("\n## {}{spec}", s.title.get(lang));
        for f in &s.fields {
            print_field(f, lang, 1);
        }
    }
}

fn print_field(f: &Field, lang: Lang, depth: usize) {
    let required = match (&f.required, lang) {
        (Required::Always, Lang::Ja) => " 必須",
        (Required::When(_), Lang::Ja) => " 条件付",
        (Required::Always, Lang::En) => " required",
        (Required::When(_), Lang::En) => " conditional",
        (Required::Never, _) => "",
    };
    let sensitive = match (f.sensitive, lang) {
        (true, Lang::Ja) => " 要配慮",
        (true, Lang::En) => " sensitive",
        _ => "",
    };
    out!(
        "{}{}\t{}{required}{sensitive}\t{}",
        "  ".repeat(depth),
        f.key,
        f.kind.name(),
        f.label.get(lang)
    );
    if !matches!(
        f.kind,
        taiwa::template::FieldType::Signature | taiwa::template::FieldType::Consent
    ) {
        for sub in &f.fields {
            print_field(sub, lang, depth + 1);
        }
    }
}

/// `taiwa verify-pdf`: every check on one file, each on its own line; the exit code says the
/// worst (see main.rs).
fn verify_pdf(ctx: &Ctx, file: &Path, no_db: bool) -> Result<ExitCode, CliError> {
    let registry = Registry::builtin();
    let insp = read_pdf(file)?;
    let ja = ctx.lang == Lang::Ja;
    let say = |ja_text: String, en_text: String| {
        if ja {
            out!("{ja_text}");
        } else {
            out!("{en_text}");
        }
    };
    say(
        format!(
            "ファイル: {} (SHA-256 {})",
            file.display(),
            insp.file_sha256
        ),
        format!("file: {} (SHA-256 {})", file.display(), insp.file_sha256),
    );
    let mut code = 0u8;
    match &insp.envelope {
        None => {
            say(
                "完全性の情報: なし(交換情報のない、以前の Taiwa の PDF です。変更の有無は確かめられません)".into(),
                "integrity: no integrity information (a PDF from a Taiwa before the exchange envelope; changes cannot be detected)".into(),
            );
            code = 6;
        }
        Some(env) => {
            let ok = |b: Option<bool>| b == Some(true);
            say(
                format!(
                    "添付の記録 (record.json): {}",
                    if ok(insp.record_intact()) {
                        "SHA-256 と一致"
                    } else {
                        "一致しません(作成後に変更されています)"
                    }
                ),
                format!(
                    "record.json: {}",
                    if ok(insp.record_intact()) {
                        "matches its SHA-256"
                    } else {
                        "DOES NOT MATCH its SHA-256 (changed after Taiwa made the file)"
                    }
                ),
            );
            say(
                format!(
                    "ページ: {}",
                    if ok(insp.pages_intact()) {
                        "SHA-256 と一致"
                    } else {
                        "一致しません(作成後に変更されています)"
                    }
                ),
                format!(
                    "pages: {}",
                    if ok(insp.pages_intact()) {
                        "match their SHA-256"
                    } else {
                        "DO NOT MATCH their SHA-256 (changed after Taiwa made the file)"
                    }
                ),
            );
            say(
                format!("様式: {} 版 {}", env.template, env.template_version),
                format!("form: {} version {}", env.template, env.template_version),
            );
            say(
                format!("種類: {}", env.kind.as_str()),
                format!("kind: {}", env.kind.as_str()),
            );
            let doc = env
                .document_id
                .map(|d| d.to_string())
                .unwrap_or_else(|| "-".into());
            let rev = env
                .revision
                .as_ref()
                .map(|r| format!("r{} {}", r.seq, r.sha256))
                .unwrap_or_else(|| "-".into());
            say(
                format!("文書: {doc}  版: {rev}"),
                format!("document: {doc}  revision: {rev}"),
            );
            if let Some(a) = &env.answers {
                let rev = a
                    .revision
                    .as_ref()
                    .map(|r| format!("r{} {}", r.seq, r.sha256))
                    .unwrap_or_else(|| "-".into());
                say(
                    format!("回答先: record.json {} (版 {rev})", a.record_sha256),
                    format!("answers: record.json {} (revision {rev})", a.record_sha256),
                );
            }
            if let Err(e) = insp.check(registry) {
                let m = e.message();
                say(format!("判定: {}", m.ja), format!("result: {}", m.en));
                return Ok(ExitCode::from(match e {
                    ExchangeError::RecordChanged | ExchangeError::PagesChanged => 1,
                    _ => 2,
                }));
            }
        }
    }
    let db_path = match &ctx.db {
        Some(p) => Some(p.clone()),
        None => default_db_path(),
    };
    match db_path.filter(|p| !no_db && is_database_file(p)) {
        None => say(
            "データベース: 確認していません".into(),
            "database: not checked".into(),
        ),
        Some(_) => {
            let store = open_store(ctx, OpenMode::ExistingOnly)?;
            let known = store.known(&insp)?;
            use taiwa::store::Known;
            let (j, e) = match &known {
                Known::ExportedHere {
                    revision_seq, at, ..
                } => {
                    let r = revision_seq.map(|s| format!("r{s}")).unwrap_or_default();
                    (
                        format!("データベース: このファイルは {at} にここから出力されました({r})"),
                        format!("database: this very file was exported from here on {at} ({r})"),
                    )
                }
                Known::Revision { document_id, seq } => (
                    format!("データベース: 文書 {document_id} の版 r{seq} があります"),
                    format!("database: knows revision r{seq} of document {document_id}"),
                ),
                Known::Received { document_id, at } => (
                    format!("データベース: {at} に文書 {document_id} として受け取った記録です"),
                    format!("database: received here on {at} as document {document_id}"),
                ),
                Known::AnswersSent {
                    document_id,
                    seq,
                    at,
                } => (
                    format!(
                        "データベース: {at} に文書 {document_id} の版 r{seq} から主治医向けに出力したファイルへの回答です"
                    ),
                    format!(
                        "database: answers the file exported for the clinician on {at} from revision r{seq} of document {document_id}"
                    ),
                ),
                Known::DocumentOnly { document_id } => (
                    format!("データベース: 文書 {document_id} はありますが、この版は知りません"),
                    format!("database: document {document_id} is here, but not this revision"),
                ),
                Known::Unknown => (
                    "データベース: この文書も版も知りません".into(),
                    "database: knows neither this document nor this revision".into(),
                ),
            };
            say(j, e);
            if code == 0 && !known.is_known() {
                code = 5;
            }
        }
    }
    if code == 0 {
        say("判定: 変更されていません".into(), "result: intact".into());
    }
    Ok(ExitCode::from(code))
}
