//! What each subcommand does, over the core. Output for people on stdout, errors on stderr.

use crate::passphrase::{self, PassphraseError};
use crate::retention;
use crate::routemap;
use crate::{Command, ConsentCommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use taiwa::consent::{self, ConsentError, NewConsent};
use taiwa::exchange::{ExchangeError, Kind};
use taiwa::gate::{self, Format, GateError, OwnUse, Sink, Source};
use taiwa::i18n::{Text, UserError};
use taiwa::inspect::InspectError;
use taiwa::pdf::PdfError;
use taiwa::record::{MAX_RECORD_BYTES, Mode, Problem, Record, RecordError, parse_record, validate};
use taiwa::store::{ImportAs, OpenMode, Store, StoreError, default_db_path, is_database_file};
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
    /// A new database or a new passphrase under a passphrase too easy to guess.
    WeakPassphrase(taiwa::passphrase::TooWeak),
    /// The gate refused for a reason of its own (a stored document's file exported by path, …).
    Gate(Box<GateError>),
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
            CliError::Gate(e) => e.message(),
            CliError::WeakPassphrase(e) => e.message(),
            CliError::Migrate(e) => e.message(),
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
    /// The stable code printed after the message, for the errors that come from the core.
    fn code(&self) -> Option<&'static str> {
        Some(match self {
            CliError::Store(e) | CliError::Unlogged { source: e, .. } => e.code(),
            CliError::Exchange { source, .. } => source.code(),
            CliError::Pdf { source, .. } => source.code(),
            CliError::Gate(e) => e.code(),
            CliError::RouteMap(e) => e.code(),
            CliError::WeakPassphrase(e) => e.code(),
            CliError::Migrate(e) => e.code(),
            _ => return None,
        })
    }

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
        if let Some(code) = self.code() {
            out.push_str(&format!("\n[{code}]"));
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
            CliError::Store(StoreError::Consent(ConsentError::Refused { .. })) => 4,
            CliError::Store(
                StoreError::DocumentNotFound { .. }
                | StoreError::CaseNotFound { .. }
                | StoreError::CaseDeleted { .. }
                | StoreError::CaseOpen { .. }
                | StoreError::BadRetention { .. }
                | StoreError::WouldOverwrite { .. }
                | StoreError::RevisionOfOther { .. }
                | StoreError::Finalized { .. }
                | StoreError::NotFinal { .. }
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
            // The record file's new version, written like every file of a record (a file that is
            // a stored document's leaves by its id, logged).
            let mut store = match m.record.id {
                Some(_) => existing_store(ctx)?,
                None => None,
            };
            let request = gate::Request {
                source: Source::File(m.record),
                format: Format::Json,
                own_use: OwnUse::Shown,
                ..gate::Request::defaults(ctx.lang)
            };
            match output {
                Some(path) => {
                    gate::release(store.as_mut(), &request, Sink::File(&path))
                        .map_err(gate_error)?;
                }
                None => {
                    let mut stdout = std::io::stdout().lock();
                    gate::release(store.as_mut(), &request, Sink::Stream(&mut stdout))
                        .map_err(gate_error)?;
                }
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
        Command::Import {
            file,
            case,
            as_new,
            as_revision_of,
            yes,
            force,
        } => {
            let got =
                if is_pdf(&file) {
                    Some(read_pdf(&file)?.received(registry).map_err(|source| {
                        CliError::Exchange {
                            path: Some(file.clone()),
                            source,
                        }
                    })?)
                } else {
                    None
                };
            let record = match &got {
                Some(g) => g.record.clone(),
                None => read_record(&file, registry)?,
            };
            let mut store = open_store(ctx, OpenMode::CreateIfMissing)?;
            let to = match &as_revision_of {
                Some(id) => {
                    let target = store.document(store.resolve_document_id(id)?)?;
                    confirm_revision(ctx, &target.record, &record, yes)?;
                    ImportAs::RevisionOf(target.record.id.ok_or_else(|| StoreError::Corrupt {
                        detail: "stored document without id".into(),
                    })?)
                }
                None if as_new => ImportAs::NewId,
                None => ImportAs::New,
            };
            let Some(got) = got else {
                let outcome = store.import_record(&record, case, to)?;
                print_unchanged(ctx, &outcome);
                out!("{}", outcome.document_id);
                return Ok(ExitCode::SUCCESS);
            };
            if to != ImportAs::New && got.kind() != Kind::Export {
                return Err(CliError::Gate(Box::new(GateError::Exchange(
                    ExchangeError::EnvelopeMismatch {
                        what: "--as-new / --as-revision-of (a file of the round trip goes where its envelope says)",
                    },
                ))));
            }
            let receipt =
                store
                    .receive(&got, case, to, force)
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
        Command::Finalize { id } => {
            // As the app's 確定: the store checks every rule for a final document, printability
            // included, and refuses with the problems.
            let mut store = open_store(ctx, OpenMode::ExistingOnly)?;
            let mut record = store.document(store.resolve_document_id(&id)?)?.record;
            record.status = DocStatus::Final;
            let outcome = store.save_record(&record, None)?;
            print_unchanged(ctx, &outcome);
            out!("{}\tr{}", outcome.document_id, outcome.seq);
        }
        Command::Revise { id } => {
            let mut store = open_store(ctx, OpenMode::ExistingOnly)?;
            let id = store.resolve_document_id(&id)?;
            let outcome = store.revise(id)?;
            out!("{}\tr{}", outcome.document_id, outcome.seq);
        }
        Command::ReadOnly { id } => {
            let store = open_store(ctx, OpenMode::ExistingOnly)?;
            for path in store.read_only_fields(store.resolve_document_id(&id)?)? {
                out!("{path}");
            }
        }
        Command::Export {
            all: true,
            output,
            case,
            recipient,
            era,
            own_use,
            ..
        } => {
            let mut store = open_store(ctx, OpenMode::ExistingOnly)?;
            return crate::export_all::run(
                ctx,
                &mut store,
                &output,
                case,
                recipient,
                own_use.unwrap_or_default(),
                era,
            );
        }
        Command::Export {
            source,
            output,
            era,
            part,
            recipient,
            for_clinician,
            for_employer,
            own_use,
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
            let request = gate::Request {
                era,
                parts,
                recipient,
                own_use: own_use.unwrap_or_default(),
                kind,
                ..gate::Request::defaults(ctx.lang)
            };
            export_through_gate(ctx, registry, &source, request, &output)?;
        }
        Command::SamplePdf {
            template,
            output,
            era,
        } => {
            let request = gate::Request {
                source: Source::Sample { template },
                era,
                ..gate::Request::defaults(ctx.lang)
            };
            gate::release(None, &request, Sink::File(&output)).map_err(gate_error)?;
            out!("{}", output.display());
        }
        Command::Consent { action } => consent_command(ctx, action)?,
        Command::Disclosures {
            id,
            case,
            pdf,
            own_use,
        } => {
            let mut store = open_store(ctx, OpenMode::ExistingOnly)?;
            let id = id.map(|i| store.resolve_document_id(&i)).transpose()?;
            let (rows, case_id) = match (id, case) {
                (Some(id), _) => (
                    store.disclosures_for_document(id)?,
                    store.document(id)?.case_id,
                ),
                (None, Some(case)) => (store.disclosures_for_case(case)?, case),
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
                // The columns of old, then what the file was and, without a recipient, why.
                out!(
                    "{}\t{}\tr{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
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
                    d.format.as_deref().unwrap_or("-"),
                    d.purpose.as_deref().unwrap_or("-"),
                );
            }
            if let Some(pdf) = pdf {
                let request = gate::Request {
                    source: Source::DisclosureLog {
                        case: Some(case_id),
                        document: id,
                    },
                    own_use: own_use.unwrap_or(OwnUse::KeptOnRecord),
                    ..gate::Request::defaults(ctx.lang)
                };
                gate::release(Some(&mut store), &request, Sink::File(&pdf)).map_err(gate_error)?;
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
            // Printed on the user's screen, and logged like any file (shown).
            let mut store = open_store(ctx, OpenMode::ExistingOnly)?;
            let request = gate::Request {
                source: Source::Stored(store.resolve_document_id(&id)?),
                format: Format::Json,
                own_use: OwnUse::Shown,
                ..gate::Request::defaults(ctx.lang)
            };
            let mut stdout = std::io::stdout().lock();
            gate::release(Some(&mut store), &request, Sink::Stream(&mut stdout))
                .map_err(gate_error)?;
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
            for r in store.history(store.resolve_document_id(&id)?)? {
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
        Command::Passphrase { backups } => {
            let (mut store, old) = open_store_with_secret(ctx, OpenMode::ExistingOnly)?;
            let new = passphrase::obtain_new().map_err(CliError::Passphrase)?;
            taiwa::passphrase::check_new(&new).map_err(CliError::WeakPassphrase)?;
            store.change_passphrase(&new)?;
            match ctx.lang {
                Lang::Ja => out!("パスフレーズを変更しました。前のパスフレーズではもう開けません"),
                Lang::En => out!("passphrase changed; the old one no longer opens the database"),
            }
            // The backups and the copies beside the database still open with the old one.
            let mut dirs = vec![default_backup_dir(&store)];
            dirs.extend(backups);
            let retired = store.retire_old_passphrase(&old, &new, &dirs);
            for (what, list) in [
                ("reencrypted", &retired.reencrypted),
                ("removed", &retired.removed),
                ("left", &retired.left),
            ] {
                for p in list {
                    out!("{what}\t{}", p.display());
                }
            }
            match ctx.lang {
                Lang::Ja => eprintln!(
                    "古いパスフレーズで開けたコピー: {} 件を新しいパスフレーズで暗号化し直し、{} 件を削除しました{}",
                    retired.reencrypted.len(),
                    retired.removed.len(),
                    if retired.left.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "。{} 件は暗号化し直せなかったため、そのままにしました(古いパスフレーズで開けるものは、確かめてから手で削除してください)",
                            retired.left.len()
                        )
                    }
                ),
                Lang::En => eprintln!(
                    "copies the old passphrase opened: {} re-encrypted under the new one, {} removed{}",
                    retired.reencrypted.len(),
                    retired.removed.len(),
                    if retired.left.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; {} could not be re-encrypted and were left as they are (any the old passphrase opens: check them, then delete them by hand)",
                            retired.left.len()
                        )
                    }
                ),
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

/// A refusal of the gate as the CLI reports it (exit codes by kind).
pub(crate) fn gate_error(e: GateError) -> CliError {
    match e {
        GateError::Store(e) => CliError::from(e),
        GateError::Pdf(source) => CliError::Pdf { path: None, source },
        GateError::Exchange(source) => CliError::Exchange { path: None, source },
        GateError::RouteMap(e) => CliError::RouteMap(e),
        GateError::Invalid(problems) => CliError::Problems { problems },
        GateError::Write { path, source } => CliError::Write { path, source },
        GateError::Unlogged {
            path,
            removed,
            source,
        } => CliError::Unlogged {
            path,
            removed,
            source,
        },
        other => CliError::Gate(Box::new(other)),
    }
}

/// `--as-revision-of`: the fields the file would change, then the user's word (a terminal's
/// y, or --yes).
fn confirm_revision(ctx: &Ctx, head: &Record, file: &Record, yes: bool) -> Result<(), CliError> {
    let mut keys: Vec<&str> = head
        .fields
        .keys()
        .chain(file.fields.keys())
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let changed = taiwa::exchange::changes(&keys, head, file);
    for c in &changed {
        eprintln!("{}\t{}", c.kind.as_str(), c.path);
    }
    if yes {
        return Ok(());
    }
    use std::io::{BufRead as _, IsTerminal as _};
    let question = match ctx.lang {
        Lang::Ja => format!(
            "この {} 項目の変更を、文書の次の版(下書き)として保存しますか? [y/N] ",
            changed.len()
        ),
        Lang::En => format!(
            "save these {} change(s) as the document's next revision (a draft)? [y/N] ",
            changed.len()
        ),
    };
    if std::io::stdin().is_terminal() {
        eprint!("{question}");
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if matches!(answer.trim(), "y" | "Y" | "yes" | "はい") {
            return Ok(());
        }
    }
    Err(CliError::Gate(Box::new(GateError::NotConfirmed)))
}

/// One line on stdout (the `out!` of other modules).
pub(crate) fn print_line(line: &str) {
    out!("{line}");
}

/// The database, when there is one at the chosen path (a record file's export asks it whether
/// the file is one of its documents).
fn existing_store(ctx: &Ctx) -> Result<Option<Store>, CliError> {
    let path = match &ctx.db {
        Some(p) => p.clone(),
        None => default_db_path().ok_or(CliError::NoDataDir)?,
    };
    if !is_database_file(&path) {
        return Ok(None);
    }
    open_store(ctx, OpenMode::ExistingOnly).map(Some)
}

/// Every file the CLI makes of a record leaves through the gate (`taiwa::gate::release`).
/// `source` is as typed: a path to an existing record file, or a stored document's id or prefix.
pub(crate) fn export_through_gate(
    ctx: &Ctx,
    registry: &Registry,
    source: &str,
    mut request: gate::Request,
    output: &Path,
) -> Result<(), CliError> {
    let mut store = match source {
        source if Path::new(source).exists() => {
            let record = read_record(Path::new(source), registry)?;
            let store = match record.id {
                // A file that carries an id may be a document of this database.
                Some(_) => existing_store(ctx)?,
                None => None,
            };
            request.source = Source::File(record);
            store
        }
        id => {
            let store = open_store(ctx, OpenMode::ExistingOnly)?;
            request.source = Source::Stored(store.resolve_document_id(id)?);
            Some(store)
        }
    };
    let released =
        gate::release(store.as_mut(), &request, Sink::File(output)).map_err(gate_error)?;
    out!("{}", output.display());
    if let Some(recipient) = &released.recipient {
        let ids = released
            .consents
            .iter()
            .map(|i| i.to_string()[..8].to_string())
            .collect::<Vec<_>>()
            .join(", ");
        match ctx.lang {
            Lang::Ja => eprintln!(
                "提供先「{recipient}」向け(同意 {ids})。省略した項目 {} 件",
                released.withheld.len()
            ),
            Lang::En => eprintln!(
                "for {recipient:?} (consent {ids}); {} field(s) withheld",
                released.withheld.len()
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
            // `--sections all` is the whole document, chosen as such.
            let whole_document = sections
                .as_deref()
                .is_some_and(|s| s.len() == 1 && s[0].trim() == "all");
            let new = NewConsent {
                recipient,
                role,
                purpose,
                sections: if whole_document { None } else { sections },
                whole_document,
                method,
                recorded_by,
                given_on: given.unwrap_or_else(|| today.format("%Y-%m-%d").to_string()),
                expires_on: expires,
            };
            let c = store.add_consent(store.resolve_document_id(&document)?, &new, today)?;
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
            for c in store.consents_for_document(store.resolve_document_id(&document)?)? {
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
            let c = store.withdraw_consent(store.resolve_consent_id(&consent)?, &on)?;
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
const MAX_PDF_BYTES: u64 = 16 * 1024 * 1024;

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
    let newest = taiwa::store::backup::backups_of(&dir, &db)
        .ok()?
        .into_iter()
        .next()?;
    let file = newest.1.display();
    Some(match ctx.lang {
        Lang::Ja => format!("最新のバックアップ: {file}\n復元するには: taiwa restore \"{file}\""),
        Lang::En => format!("newest backup: {file}\nto restore it: taiwa restore \"{file}\""),
    })
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
    taiwa::inspect::inspect(&bytes).map_err(|e| match e {
        InspectError::File(source) => CliError::Pdf {
            path: Some(path.to_path_buf()),
            source,
        },
        InspectError::Exchange(source) => CliError::Exchange {
            path: Some(path.to_path_buf()),
            source,
        },
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

pub fn open_store(ctx: &Ctx, mode: OpenMode) -> Result<Store, CliError> {
    open_store_with_secret(ctx, mode).map(|(store, _)| store)
}

/// `backups` beside the database: where `taiwa backup` writes by default.
fn default_backup_dir(store: &Store) -> PathBuf {
    store
        .path()
        .parent()
        .unwrap_or(Path::new("."))
        .join("backups")
}

/// The store and the passphrase that opened it (`taiwa passphrase` re-encrypts the old copies).
fn open_store_with_secret(
    ctx: &Ctx,
    mode: OpenMode,
) -> Result<(Store, taiwa::passphrase::Secret), CliError> {
    let path = match &ctx.db {
        Some(p) => p.clone(),
        None => default_db_path().ok_or(CliError::NoDataDir)?,
    };
    if mode == OpenMode::ExistingOnly && !is_database_file(&path) {
        return Err(StoreError::NoDatabase { path }.into());
    }
    let creating = !is_database_file(&path);
    let pass = passphrase::obtain(creating).map_err(CliError::Passphrase)?;
    if creating && mode == OpenMode::CreateIfMissing {
        taiwa::passphrase::check_new(&pass).map_err(CliError::WeakPassphrase)?;
    }
    if !ctx.accept_wal_loss {
        return Ok((Store::open(&path, &pass, mode)?, pass));
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
    Ok((store, pass))
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
