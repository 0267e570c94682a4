//! `taiwa`: the core, headless. Exit codes: 0 done; 1 the record or the store has problems
//! (validation, verification), or a file of the round trip was changed after Taiwa made it (its
//! record or its pages do not match their SHA-256, an answer's Part A is not what was sent) or
//! changes a read-only field; 2 bad input or usage (unreadable file, malformed record, unknown
//! envelope format, form or form version, a file that is not for this database); 3 the store
//! could not be used (passphrase, disk, permissions), or an exported file could not be logged;
//! 4 refused: no valid consent lets the document go to the recipient named.
//!
//! `taiwa case delete` and `taiwa retention purge` delete only with `--yes`; without it they print
//! what would be deleted (counts, no content) and exit 0. An unknown or already deleted case, an
//! open case without `--force`, or a retention period that is not 1–100 whole years exit 2.
//!
//! `taiwa verify-pdf` alone: 0 intact (and known here, or no database checked); 1 changed (the
//! record or the pages do not match); 2 not a Taiwa PDF, or an envelope/form this Taiwa cannot
//! read; 3 the database could not be used; 5 intact, but this database does not know the
//! revision; 6 no integrity information (a PDF from a Taiwa before the envelope).

mod commands;
mod export_all;
mod forms;
mod passphrase;
mod retention;
mod routemap;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use taiwa::Lang;

#[derive(Parser)]
#[command(
    name = "taiwa",
    version,
    about = "Taiwa (対話): 合理的配慮の対話記録・就労配慮情報書・相談導線マップ"
)]
struct Cli {
    /// Database file (default: the OS data directory). Also env TAIWA_DB.
    #[arg(long, global = true, env = "TAIWA_DB", value_name = "PATH")]
    db: Option<PathBuf>,
    /// Language of messages: ja (default) or en. Also env TAIWA_LANG.
    #[arg(long, global = true, env = "TAIWA_LANG", default_value = "ja")]
    lang: Lang,
    /// Open the database even though its WAL is damaged (refused with store.wal_damaged): SQLite
    /// then drops the changes from the damaged frame on. A copy of the WAL is kept first.
    #[arg(long, global = true)]
    accept_wal_loss: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the forms (id, version, title).
    Templates,
    /// Print one form definition.
    Template {
        id: String,
        /// The full definition as JSON (sections, fields, options, sub-fields).
        #[arg(long)]
        json: bool,
        /// The sources the definition cites (templates/sources.json): id, title, issuer, address.
        #[arg(long)]
        sources: bool,
    },
    /// Move a draft record file to the newest version of its form; prints the new record and names
    /// each field that could not be carried over. A final document is refused.
    MigrateRecord {
        file: PathBuf,
        /// Write the migrated record here instead of printing it.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Check a record file; one line per problem, naming the field path.
    Validate {
        file: PathBuf,
        /// Check as if finalizing, even if the record is a draft.
        #[arg(long = "final")]
        finalize: bool,
    },
    /// Store a record file (.json, or a PDF exported by Taiwa) as a new draft document (never
    /// over a stored one: a file that carries a stored document's id with other content is
    /// refused unless --as-new or --as-revision-of). A PDF's integrity is checked first. Part A made
    /// with --for-clinician opens a linked Part B draft (prints the id, then the read-only
    /// fields); an answer made with --for-employer becomes the next revision of the document it
    /// answers (prints the id, then the fields it added, changed or removed).
    Import {
        file: PathBuf,
        /// Put the new document into this case (uuid); default: a new case.
        #[arg(long, value_name = "ID")]
        case: Option<taiwa::ids::CaseId>,
        /// A new document with a new id, even when the file carries the id of a stored one.
        #[arg(long, conflicts_with = "as_revision_of")]
        as_new: bool,
        /// The next revision of this stored document (a file without the round trip's checks
        /// never replaces one by itself). Shows the fields it changes and asks; --yes without a
        /// terminal.
        #[arg(long, value_name = "ID", conflicts_with = "case")]
        as_revision_of: Option<String>,
        /// With --as-revision-of: do not ask.
        #[arg(long, requires = "as_revision_of")]
        yes: bool,
        /// Import a clinician's answer to an older Part A, or one already imported.
        #[arg(long)]
        force: bool,
    },
    /// Make an A4 PDF of a record file or a stored document (drafts are stamped 下書き); with
    /// --all, of every stored document (of --case) into the folder -o, on every core.
    Export {
        /// A record file (.json) or a stored document id.
        #[arg(required_unless_present = "all")]
        source: Option<String>,
        /// Where to write the PDF (with --all: the folder, made if missing).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// Every stored document (each logged like a single export); a document refused for want
        /// of consent, or that cannot be made, is reported at the end and the others go on.
        #[arg(long, conflicts_with_all = ["source", "part", "for_clinician", "for_employer"])]
        all: bool,
        /// With --all: only this case's documents.
        #[arg(long, value_name = "ID", requires = "all")]
        case: Option<taiwa::ids::CaseId>,
        /// 西暦 (seireki, default) or 和暦 (wareki) dates.
        #[arg(long, default_value = "seireki")]
        era: taiwa::pdf::Era,
        /// Only these parts (work-consideration: a, b, c, d), comma-separated.
        #[arg(long, value_delimiter = ',')]
        part: Vec<String>,
        /// A copy for this recipient: refused without a valid consent for them; sensitive fields
        /// their consents do not cover are withheld. Without it: the whole record (own copy).
        /// Every export of a stored document is logged (see `taiwa disclosures`).
        #[arg(long, value_name = "TEXT")]
        recipient: Option<String>,
        /// Part A for the attending physician (work-consideration), with the document id kept so
        /// that the answer comes back to this document. Recipient by default: wi_to_institution
        /// + wi_to_doctor; needs their consent like --recipient.
        #[arg(long, conflicts_with_all = ["part", "for_employer"])]
        for_clinician: bool,
        /// The clinician's answer: Part A as received and Part B, for the employer (by default
        /// wi_company; needs their consent). Only for a document received with --for-clinician.
        #[arg(long, conflicts_with = "part")]
        for_employer: bool,
        /// Without --recipient: why the file is made, recorded in the log: person-copy (本人控え,
        /// handed to the person; default) or kept-on-record (記録保管, kept by the organisation
        /// that keeps the record, not handed on).
        #[arg(long = "reason", value_name = "REASON", value_parser = parse_own_use, conflicts_with = "recipient")]
        own_use: Option<taiwa::gate::OwnUse>,
    },
    /// Write the 見本 (sample) PDF of a form: its built-in fictional record, printed like an export
    /// and marked 見本 on every page. Needs no database and logs nothing (no one's record leaves).
    SamplePdf {
        /// The form: dialogue-record, work-consideration or route-map.
        template: String,
        /// Where to write the PDF.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// 西暦 (seireki, default) or 和暦 (wareki) dates.
        #[arg(long, default_value = "seireki")]
        era: taiwa::pdf::Era,
    },
    /// Finalize (確定) a stored draft: checked as final (every required field, every character
    /// printable), saved as its next revision, never changed after. An imported file is always a
    /// draft until this.
    Finalize {
        /// A stored document id (or a unique prefix of 8+ characters).
        id: String,
    },
    /// Start correcting a final (確定) document: its next revision is a draft holding the final's
    /// content, to edit and finalize again; the final revision stays in the history. Its PDFs say
    /// which revision they correct.
    Revise {
        /// A stored document id (or a unique prefix of 8+ characters).
        id: String,
    },
    /// Check a PDF made by Taiwa: does the attached record match its SHA-256, do the pages, which
    /// form, document and revision it is, and whether this database knows that revision.
    VerifyPdf {
        file: PathBuf,
        /// Do not open the database (only the file is checked).
        #[arg(long)]
        no_db: bool,
    },
    /// The fields of a document that stay as received in the round trip (read-only), one a line.
    ReadOnly {
        /// A stored document id (or a unique prefix of 8+ characters).
        id: String,
    },
    /// The consent ledger: record, list and withdraw the person's consents to provide a document.
    Consent {
        #[command(subcommand)]
        action: ConsentCommand,
    },
    /// The disclosure log (提供記録) of a document, or of a case with --case.
    Disclosures {
        /// A stored document id (or a unique prefix of 8+ characters).
        #[arg(required_unless_present = "case", conflicts_with = "case")]
        id: Option<String>,
        #[arg(long, value_name = "ID")]
        case: Option<taiwa::ids::CaseId>,
        /// Also write the log as a PDF table here (logged too).
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
        /// With --pdf: why it is made (recorded in the log): kept-on-record (default) or
        /// person-copy.
        #[arg(long = "reason", value_name = "REASON", value_parser = parse_own_use, requires = "pdf")]
        own_use: Option<taiwa::gate::OwnUse>,
    },
    /// List stored documents, newest first.
    List {
        #[arg(long, value_name = "ID")]
        case: Option<taiwa::ids::CaseId>,
    },
    /// Print a document as a record (exchange format JSON).
    Show { id: String },
    /// Find documents by any text in them (from one character; width- and kana-insensitive).
    Search { text: String },
    /// List a document's revisions with their SHA-256 hashes.
    History { id: String },
    /// Re-check the database and every hash chain; non-zero exit on any mismatch.
    Verify,
    /// Change the database's passphrase (re-encrypts into a new file, verifies it, then replaces
    /// the old one). The current one from TAIWA_PASSPHRASE or a prompt; the new one from
    /// TAIWA_NEW_PASSPHRASE or asked twice (TAIWA_*PASSPHRASE are for scripts and tests). Too
    /// weak a new one is refused. Then every backup and copy the old one opens is re-encrypted
    /// under the new one, or removed (listed: reencrypted/removed/left, one a line).
    Passphrase {
        /// Other backup folders to re-encrypt (besides `backups` beside the database).
        #[arg(long = "backups", value_name = "DIR")]
        backups: Vec<PathBuf>,
    },
    /// Write an encrypted backup (same passphrase) into DIR (default: `backups` beside the
    /// database), check it, and rotate the folder (the last 7 days and 4 weeks are kept).
    Backup { dir: Option<PathBuf> },
    /// Restore a backup into the database path (--db). The backup is verified (integrity and every
    /// hash chain) before anything is replaced; the replaced database is kept beside it.
    Restore { file: PathBuf },
    /// Cases: delete one (its content is erased; the disclosure log keeps a content-free line).
    Case {
        #[command(subcommand)]
        action: CaseCommand,
    },
    /// How long closed cases are kept, and the cases past it. `taiwa retention` prints the
    /// period and the cases due for deletion.
    Retention {
        #[command(subcommand)]
        action: Option<RetentionCommand>,
    },
    /// List the eight standard routes (R1–R8) a route map can start from.
    Routes,
    /// Route maps (相談導線マップ): start one from a standard route; draw one as SVG.
    RouteMap {
        #[command(subcommand)]
        action: RouteMapAction,
    },
}

/// `--reason`: why a file with no recipient is made.
fn parse_own_use(s: &str) -> Result<taiwa::gate::OwnUse, String> {
    match s {
        "person-copy" | "person_copy" | "本人控え" => Ok(taiwa::gate::OwnUse::PersonCopy),
        "kept-on-record" | "kept_on_record" | "記録保管" => {
            Ok(taiwa::gate::OwnUse::KeptOnRecord)
        }
        _ => Err(
            "person-copy (本人控え) か kept-on-record (記録保管) / person-copy or kept-on-record"
                .into(),
        ),
    }
}

#[derive(Subcommand)]
enum RouteMapAction {
    /// Print a new draft route map prefilled from a standard route, ready to edit and import.
    New {
        /// R1 … R8 (see `taiwa routes`).
        #[arg(long)]
        route: String,
        /// Prefecture (宮城県, 宮城 or miyagi); default: nationwide.
        #[arg(long)]
        region: Option<String>,
        /// Write to this file instead of printing.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Draw a route map's diagram (a record file or a stored document id) as SVG. A personal
    /// map needs the person's consent for each agency on it, like its PDF; a stored one is logged.
    Svg {
        source: String,
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum CaseCommand {
    /// Delete a closed case: its documents, revisions, working copies, search index rows,
    /// consents and round-trip files. The disclosure log keeps its lines (date, recipient, parts,
    /// consent ids, file hash) and a line that the case was deleted. Without --yes: only shows
    /// what would be deleted.
    Delete {
        case: taiwa::ids::CaseId,
        /// Really delete.
        #[arg(long)]
        yes: bool,
        /// Delete an open case too (for example when the person asks for it).
        #[arg(long)]
        force: bool,
        /// Why: no_longer_needed, person_request, entered_in_error or retention_expired.
        #[arg(long, default_value = "no_longer_needed")]
        reason: taiwa::store::DeletionReason,
        /// Also remove the copies kept beside the database (a restore's, a rescue's, a damaged
        /// WAL's), which still hold the case; listed when the person asked for the deletion.
        #[arg(long, requires = "yes")]
        remove_copies: bool,
    },
}

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Keep closed cases this many years after closing (1–100).
    Set { years: String },
    /// Delete every closed case past the retention period. Without --yes: only lists them.
    Purge {
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub enum ConsentCommand {
    /// Record a consent for a document; prints the consent id.
    Add {
        /// A stored document id (or a unique prefix of 8+ characters).
        document: String,
        /// Who receives it (organisation and person), as the person named it.
        #[arg(long, value_name = "TEXT")]
        recipient: String,
        /// What the recipient may use it for.
        #[arg(long, value_name = "TEXT")]
        purpose: String,
        /// The recipient's role: hr, occupational_health_staff, line_manager, support_agency,
        /// attending_physician, coworkers_same_department (or their labels), or other text.
        #[arg(long, value_name = "TEXT")]
        role: Option<String>,
        /// What the consent covers: these sections or parts (comma-separated keys), or `all`
        /// for the whole document. Required: a consent with no scope is refused.
        #[arg(long, value_delimiter = ',', value_name = "KEYS|all")]
        sections: Option<Vec<String>>,
        /// The last day the consent holds (YYYY-MM-DD); default: until withdrawn.
        #[arg(long, value_name = "YYYY-MM-DD")]
        expires: Option<String>,
        /// How it was given: signature (署名), name (記名), electronic (電子), oral (口頭).
        #[arg(long)]
        method: taiwa::consent::Method,
        /// Who recorded an oral consent (required with --method oral).
        #[arg(long, value_name = "TEXT")]
        recorded_by: Option<String>,
        /// The day it was given (YYYY-MM-DD); default: today.
        #[arg(long, value_name = "YYYY-MM-DD")]
        given: Option<String>,
    },
    /// List a document's consents: id, recipient, purpose, sections, given, expires, state today.
    List { document: String },
    /// Withdraw a consent (it stays in the ledger, marked withdrawn).
    Withdraw {
        /// The consent id (or a unique prefix of 8+ characters).
        consent: String,
        /// The day of withdrawal (YYYY-MM-DD); default: today.
        #[arg(long, value_name = "YYYY-MM-DD")]
        on: Option<String>,
    },
}

fn main() -> ExitCode {
    ignore_file_size_signal();
    let cli = Cli::parse();
    if let Err(e) = taiwa::template::Registry::try_builtin() {
        eprintln!("{e}");
        return ExitCode::from(2);
    }
    let ctx = commands::Ctx {
        db: cli.db,
        lang: cli.lang,
        accept_wal_loss: cli.accept_wal_loss,
    };
    match commands::run(&ctx, cli.command) {
        Ok(code) => code,
        Err(e) => {
            let e = match (e, commands::db_path(&ctx)) {
                (commands::CliError::Store(s), Some(db)) => commands::CliError::Store(s.at(&db)),
                (e, _) => e,
            };
            eprintln!("{}", e.render(ctx.lang));
            if let Some(hint) = commands::restore_hint(&ctx, &e) {
                eprintln!("{hint}");
            }
            e.exit_code()
        }
    }
}

/// A write past the file size limit (`ulimit -f`) sends SIGXFSZ, whose default action kills the
/// process mid-transaction. Ignored, the write fails with EFBIG instead: SQLite rolls the
/// transaction back and the user reads that the disk is full.
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: called first in main, before any thread exists; SIG_IGN installs no handler code.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}
