//! StoreError: what went wrong with the database, as a stable code and a ja/en message that never
//! carries record content or SQL.

use super::WalBreak;
use super::retention::{MAX_RETENTION_YEARS, MIN_RETENTION_YEARS};
use crate::i18n::{FieldError, Text, UserError};
use crate::record::Problem;
use std::path::{Path, PathBuf};

/// Everything that can go wrong with the encrypted store. Messages never contain record content.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("wrong passphrase, or {path} is damaged or not a Taiwa database; the file was not changed{}", match opens {
        Some(b) => format!(". This passphrase opens the backup {}: if it is the current one, {} is damaged; restore with: taiwa restore \"{}\"", b.display(), path.display(), b.display()),
        None => String::new(),
    })]
    WrongPassphrase {
        path: PathBuf,
        /// A backup beside the database that this passphrase does open, if any.
        opens: Option<PathBuf>,
    },
    #[error("the passphrase is empty; an empty passphrase would store the data unencrypted")]
    EmptyPassphrase,
    #[error("no database at {path}; import a record first to create one, or give --db / TAIWA_DB")]
    NoDatabase { path: PathBuf },
    #[error(
        "the database has schema version {found}, newer than this Taiwa ({known}); update Taiwa"
    )]
    TooNew { found: u32, known: u32 },
    #[error("cannot use {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the disk is full (or a file size limit was reached) while writing {}: nothing of this change was saved, the data saved before is intact; free some space and try again",
        the_file(path)
    )]
    DiskFull { path: Option<PathBuf> },
    #[error(
        "{} is read-only (file permissions or a read-only disk): nothing was written to it; make it writable again to save",
        the_file(path)
    )]
    ReadOnly { path: Option<PathBuf> },
    #[error(
        "the database file {} is damaged (its pages do not check out with SQLite/SQLCipher; the passphrase is right); nothing more was written to it. Restore the newest backup (taiwa restore FILE; backups are in `backups` beside the database)",
        the_file(path)
    )]
    Damaged { path: Option<PathBuf> },
    #[error("{}", wal_damaged_en(wal, kept, *found))]
    WalDamaged {
        wal: PathBuf,
        /// The copy of the WAL as it was found, beside it.
        kept: PathBuf,
        found: WalBreak,
    },
    #[error("the backup folder {} {}", path.display(), problem.en())]
    BackupFolder {
        path: PathBuf,
        problem: BackupFolderProblem,
    },
    #[error("the record has {} problem(s); nothing was saved", problems.len())]
    Invalid { problems: Vec<Problem> },
    #[error("no document with id {id}")]
    DocumentNotFound { id: String },
    #[error("no case with id {id}")]
    CaseNotFound { id: String },
    #[error("document {id} belongs to another case; import it without --case or with its own case")]
    CaseMismatch { id: String },
    #[error(
        "document {id} is final and never changes: start a corrected version with `taiwa revise {id}` (in the app: 「この版をもとに修正版を作る」)"
    )]
    Finalized { id: String },
    #[error("document {id} is not final: edit it as it is")]
    NotFinal { id: String },
    #[error(
        "the file carries document {id}, which this database already holds with other content; a file without the round trip's checks never replaces a stored document. Import it as a new document (--as-new), or as the next revision of {id} (--as-revision-of {id})"
    )]
    WouldOverwrite { id: String },
    #[error("--as-revision-of {target}: the file carries another document ({found})")]
    RevisionOfOther { target: String, found: String },
    #[error("document {id} uses template {found}, not {expected}")]
    TemplateMismatch {
        id: String,
        found: String,
        expected: String,
    },
    #[error("stored data is damaged ({detail}); run `taiwa verify` and restore a backup")]
    Corrupt { detail: String },
    #[error("{} was deleted or moved while Taiwa was open; {}", path.display(), match rescued {
        Some(to) => format!("the open data was written back to {}: nothing was lost; unlock again to go on", to.display()),
        None => "the open data could not be written back; keep Taiwa open and free the disk or restore the file".to_string(),
    })]
    FileGone {
        path: PathBuf,
        rescued: Option<PathBuf>,
    },
    #[error(
        "the working copy is {bytes} bytes, over the 16 MiB a record may have; it was not saved"
    )]
    AutosaveTooLarge { bytes: usize },
    #[error(
        "case {id} is still open; close it first, or delete it anyway with --force (for example when the person asks for it)"
    )]
    CaseOpen { id: String },
    #[error(
        "case {id} was deleted on {on}; only its content-free line in the disclosure log remains"
    )]
    CaseDeleted { id: String, on: String },
    #[error(
        "retention_years (the retention period): {given:?} is not a whole number of years from {MIN_RETENTION_YEARS} to {MAX_RETENTION_YEARS}"
    )]
    BadRetention { given: String },
    #[error("{field}: {en}")]
    BadCaseField {
        field: &'static str,
        ja: String,
        en: String,
    },
    #[error(transparent)]
    Consent(#[from] crate::consent::ConsentError),
    #[error(transparent)]
    Exchange(#[from] crate::exchange::ExchangeError),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

/// What is wrong with a backup folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupFolderProblem {
    /// It does not exist (a folder given by name is never made again: it may be the mount point
    /// of a disk that is not connected, and a backup there would land on the same disk).
    Missing,
    /// Something else (a file) has its name.
    NotAFolder,
    /// It cannot be written (permissions, a read-only disk).
    NotWritable,
}

impl BackupFolderProblem {
    fn en(self) -> &'static str {
        match self {
            BackupFolderProblem::Missing => {
                "does not exist (is it on a disk that is not connected?); nothing was written. Connect the disk, or create the folder, and back up again"
            }
            BackupFolderProblem::NotAFolder => {
                "is a file, not a folder; nothing was written. Move the file away or choose another folder"
            }
            BackupFolderProblem::NotWritable => {
                "cannot be written (permissions or a read-only disk); nothing was written. Choose another folder or make it writable"
            }
        }
    }

    fn ja(self) -> &'static str {
        match self {
            BackupFolderProblem::Missing => {
                "がありません(接続されていないディスク上ではありませんか)。何も書き込んでいません。ディスクを接続するかフォルダを作成してから、もう一度バックアップしてください"
            }
            BackupFolderProblem::NotAFolder => {
                "はフォルダではなくファイルです。何も書き込んでいません。ファイルを移動するか、別のフォルダを指定してください"
            }
            BackupFolderProblem::NotWritable => {
                "に書き込めません(権限または読み取り専用ディスク)。何も書き込んでいません。別のフォルダを指定するか、書き込めるようにしてください"
            }
        }
    }
}

fn wal_damaged_en(wal: &Path, kept: &Path, found: WalBreak) -> String {
    let what = match found {
        WalBreak::Header => format!(
            "the header of the write-ahead log {} is damaged: SQLite would ignore every change in it",
            wal.display()
        ),
        WalBreak::Frame { frame, commits } => format!(
            "the write-ahead log {} is damaged at frame {frame}: SQLite would drop that frame and everything after it, {commits} saved change(s) (committed transactions) or more, without a word",
            wal.display()
        ),
    };
    format!(
        "{what}. The database was not opened and nothing was written; the log is kept as {}. Restore the newest backup (taiwa restore FILE; backups are in `backups` beside the database), or open the database without those changes: taiwa --accept-wal-loss COMMAND (the copy stays)",
        kept.display()
    )
}

fn wal_damaged_ja(wal: &Path, kept: &Path, found: WalBreak) -> String {
    let what = match found {
        WalBreak::Header => format!(
            "データベースの更新ログ(WAL){} の先頭(ヘッダー)が壊れています。このまま開くと、ログにある変更がすべて何も知らされずに失われます",
            wal.display()
        ),
        WalBreak::Frame { frame, commits } => format!(
            "データベースの更新ログ(WAL){} の {frame} 番目のフレームが壊れています。このまま開くと、そこから後の保存済みの変更(確定したトランザクション {commits} 件以上)が何も知らされずに失われます",
            wal.display()
        ),
    };
    format!(
        "{what}。データベースは開かず、何も書き込んでいません。ログは {} に残しました。最新のバックアップから復元するか(taiwa restore ファイル。バックアップはデータベースの隣の backups フォルダにあります)、これらの変更を失ってでも開くには taiwa --accept-wal-loss コマンド を実行してください(コピーは残ります)",
        kept.display()
    )
}

fn the_file(path: &Option<PathBuf>) -> String {
    match path {
        Some(p) => p.display().to_string(),
        None => "(the database)".to_string(),
    }
}

fn the_file_ja(path: &Option<PathBuf>) -> String {
    match path {
        Some(p) => p.display().to_string(),
        None => "(データベース)".to_string(),
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::DiskFull { path: None },
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path: None },
            Some(ErrorCode::DatabaseCorrupt) => StoreError::Damaged { path: None },
            _ => StoreError::Sqlite(e),
        }
    }
}

impl StoreError {
    /// Names `path` in the errors about the database file that SQLite reports without one.
    pub fn at(self, path: &Path) -> StoreError {
        let named = Some(path.to_path_buf());
        match self {
            StoreError::DiskFull { path: None } => StoreError::DiskFull { path: named },
            StoreError::ReadOnly { path: None } => StoreError::ReadOnly { path: named },
            StoreError::Damaged { path: None } => StoreError::Damaged { path: named },
            other => other,
        }
    }

    /// A failed file operation whose OS error says the disk is full or the file may not grow.
    pub(crate) fn from_io(path: &Path, source: std::io::Error) -> StoreError {
        use std::io::ErrorKind;
        match source.kind() {
            ErrorKind::StorageFull | ErrorKind::FileTooLarge | ErrorKind::QuotaExceeded => {
                StoreError::DiskFull {
                    path: Some(path.to_path_buf()),
                }
            }
            _ => StoreError::Io {
                path: path.to_path_buf(),
                source,
            },
        }
    }
}

fn case_field_ja(field: &str) -> &'static str {
    match field {
        "display_name" => "氏名(表示名)",
        "pseudonym" => "仮名",
        "employer" => "事業所",
        _ => "ケース",
    }
}

impl UserError for StoreError {
    fn code(&self) -> &'static str {
        match self {
            StoreError::WrongPassphrase { .. } => "store.wrong_passphrase",
            StoreError::EmptyPassphrase => "store.empty_passphrase",
            StoreError::NoDatabase { .. } => "store.no_database",
            StoreError::TooNew { .. } => "store.too_new",
            StoreError::Io { .. } => "store.io",
            StoreError::DiskFull { .. } => "store.disk_full",
            StoreError::ReadOnly { .. } => "store.read_only",
            StoreError::Damaged { .. } => "store.damaged",
            StoreError::WalDamaged { .. } => "store.wal_damaged",
            StoreError::BackupFolder { .. } => "store.backup_folder",
            StoreError::Invalid { .. } => "store.invalid_record",
            StoreError::DocumentNotFound { .. } => "store.document_not_found",
            StoreError::CaseNotFound { .. } => "store.case_not_found",
            StoreError::CaseMismatch { .. } => "store.case_mismatch",
            StoreError::CaseOpen { .. } => "store.case_open",
            StoreError::CaseDeleted { .. } => "store.case_deleted",
            StoreError::BadRetention { .. } => "store.bad_retention",
            StoreError::Finalized { .. } => "store.finalized",
            StoreError::NotFinal { .. } => "store.not_final",
            StoreError::WouldOverwrite { .. } => "import.would_overwrite",
            StoreError::RevisionOfOther { .. } => "import.revision_of_other",
            StoreError::TemplateMismatch { .. } => "store.template_mismatch",
            StoreError::Corrupt { .. } => "store.corrupt",
            StoreError::BadCaseField { .. } => "store.bad_case_field",
            StoreError::AutosaveTooLarge { .. } => "store.autosave_too_large",
            StoreError::FileGone { .. } => "store.file_gone",
            StoreError::Consent(e) => e.code(),
            StoreError::Exchange(e) => e.code(),
            StoreError::Sqlite(_) => "store.database",
        }
    }

    fn field(&self) -> Option<FieldError> {
        match self {
            StoreError::Consent(e) => e.field(),
            StoreError::BadCaseField { field, ja, en } => Some(FieldError {
                path: field.to_string(),
                message: Text::new(ja.as_str(), en.as_str()),
            }),
            _ => None,
        }
    }

    fn brief(&self) -> Option<Text> {
        let (ja, en) = match self {
            // No backup opens with it either: the passphrase is what is known to be wrong (a file
            // damaged in page 1 with no backup to tell by is the rare case, left to the details).
            StoreError::WrongPassphrase { opens: None, .. } => (
                "パスフレーズが違います。確かめて、もう一度入力してください。データベースは変更していません。",
                "The passphrase is not right. Check it and enter it again. The database was not changed.",
            ),
            // A backup opens with it, so the passphrase is most likely right and the file damaged.
            StoreError::WrongPassphrase { opens: Some(_), .. } => (
                "このパスフレーズではデータベースを開けませんが、バックアップは開けます。データベースが壊れているおそれがあります。バックアップから復元してください。",
                "This passphrase does not open the database, but it opens a backup: the database may be damaged. Restore the backup.",
            ),
            StoreError::Damaged { .. } => (
                "データベースが壊れています(パスフレーズは正しいです)。これ以上は書き込んでいません。最新のバックアップから復元してください。",
                "The database is damaged (the passphrase is right). Nothing more was written to it. Restore the newest backup.",
            ),
            StoreError::WalDamaged { .. } => (
                "データベースの更新ログが壊れているため、開いていません(何も書き込んでいません)。最新のバックアップから復元してください。",
                "The database's change log is damaged, so the database was not opened (nothing was written). Restore the newest backup.",
            ),
            StoreError::DiskFull { .. } => (
                "ディスクの空きがないため保存できませんでした。それまでのデータは無事です。空きを作ってからもう一度お試しください。",
                "The disk is full, so this was not saved. The data saved before is intact. Free some space and try again.",
            ),
            StoreError::ReadOnly { .. } => (
                "ファイルが読み取り専用のため保存できませんでした。何も書き込んでいません。書き込めるように戻してください。",
                "The file is read-only, so nothing was saved. Make it writable again.",
            ),
            StoreError::Io { .. } => (
                "ファイルを読み書きできませんでした。場所と原因は「詳しく」にあります。",
                "A file could not be read or written. Where and why are under “Details”.",
            ),
            StoreError::BackupFolder { problem, .. } => {
                return Some(Text::new(
                    format!("バックアップ先のフォルダ{}", problem.ja()),
                    format!("The backup folder {}", problem.en()),
                ));
            }
            StoreError::FileGone {
                rescued: Some(_), ..
            } => (
                "開いている間にデータベースのファイルが削除または移動されました。開いていた内容は書き戻しました(失われたものはありません)。もう一度パスフレーズを入力してください。",
                "The database file was deleted or moved while Taiwa was open. The open data was written back: nothing was lost. Enter the passphrase again.",
            ),
            StoreError::FileGone { rescued: None, .. } => (
                "開いている間にデータベースのファイルが削除または移動され、書き戻せませんでした。Taiwa を閉じずに、ディスクの空きを作るかファイルを元に戻してください。",
                "The database file was deleted or moved while Taiwa was open and could not be written back. Keep Taiwa open, and free the disk or put the file back.",
            ),
            StoreError::Consent(e) => return e.brief(),
            StoreError::Exchange(e) => return e.brief(),
            _ => return None,
        };
        Some(Text::new(ja, en))
    }

    fn message(&self) -> Text {
        if let StoreError::Consent(e) = self {
            return e.message();
        }
        if let StoreError::Exchange(e) = self {
            return e.message();
        }
        let ja = match self {
            StoreError::WrongPassphrase { path, opens } => format!(
                "パスフレーズが違うか、{} が壊れているか Taiwa のデータベースではありません。ファイルは変更していません{}",
                path.display(),
                match opens {
                    Some(b) => format!(
                        "。このパスフレーズでバックアップ {} は開けます: 現在のパスフレーズなら {} が壊れています。復元するには: taiwa restore \"{}\"",
                        b.display(),
                        path.display(),
                        b.display()
                    ),
                    None => String::new(),
                }
            ),
            StoreError::EmptyPassphrase => {
                "パスフレーズが空です。空では暗号化されないため使えません".into()
            }
            StoreError::NoDatabase { path } => format!(
                "{} にデータベースがありません。先に記録を取り込むと作成されます(場所は --db か TAIWA_DB で指定できます)",
                path.display()
            ),
            StoreError::TooNew { found, known } => format!(
                "データベースの形式(版 {found})がこの Taiwa(版 {known})より新しいため開けません。Taiwa を更新してください"
            ),
            StoreError::Io { path, source } => format!("{} を使えません: {source}", path.display()),
            StoreError::DiskFull { path } => format!(
                "{} の書き込み中にディスクの空きがなくなりました(またはファイルサイズの上限)。今回の変更は何も保存されていません(それまでのデータは無事です)。空きを作ってからもう一度実行してください",
                the_file_ja(path)
            ),
            StoreError::Damaged { path } => format!(
                "データベースのファイル {} が壊れています(SQLite/SQLCipher の検査でページが合いません。パスフレーズは正しいです)。これ以上は書き込んでいません。最新のバックアップから復元してください(taiwa restore ファイル。バックアップはデータベースの隣の backups フォルダにあります)",
                the_file_ja(path)
            ),
            StoreError::WalDamaged { wal, kept, found } => wal_damaged_ja(wal, kept, *found),
            StoreError::ReadOnly { path } => format!(
                "{} は読み取り専用です(権限または読み取り専用ディスク)。何も書き込んでいません。保存するには書き込めるように戻してください",
                the_file_ja(path)
            ),
            StoreError::BackupFolder { path, problem } => {
                format!(
                    "バックアップ先のフォルダ {} {}",
                    path.display(),
                    problem.ja()
                )
            }
            StoreError::Invalid { problems } => format!(
                "記録に {} 件の問題があるため保存していません",
                problems.len()
            ),
            StoreError::DocumentNotFound { id } => format!("文書 {id} はありません"),
            StoreError::CaseNotFound { id } => format!("ケース {id} はありません"),
            StoreError::CaseMismatch { id } => format!("文書 {id} は別のケースに属しています"),
            StoreError::CaseOpen { id } => format!(
                "ケース {id} はまだ終了していません。先に終了するか、本人の求めなどで今すぐ削除する場合は --force を付けてください"
            ),
            StoreError::CaseDeleted { id, on } => format!(
                "ケース {id} は {on} に削除済みです。提供記録に内容を含まない 1 行だけが残っています"
            ),
            StoreError::BadRetention { given } => format!(
                "保存期間(retention_years): 「{given}」は {MIN_RETENTION_YEARS}〜{MAX_RETENTION_YEARS} の整数(年)ではありません"
            ),
            StoreError::Finalized { id } => {
                format!(
                    "文書 {id} は確定済みのため変更できません。修正するときは「この版をもとに修正版を作る」(CLI: taiwa revise {id})で次の版を作ってください"
                )
            }
            StoreError::NotFinal { id } => {
                format!("文書 {id} は確定していません。そのまま編集できます")
            }
            StoreError::WouldOverwrite { id } => format!(
                "このファイルは文書 {id} を名乗っていますが、このデータベースの {id} とは内容が違います。往復の検査を通らないファイルで保存済みの文書を置き換えることはありません。新しい文書として取り込むか(--as-new)、{id} の次の版として取り込んでください(--as-revision-of {id})"
            ),
            StoreError::RevisionOfOther { target, found } => {
                format!("--as-revision-of {target}: ファイルは別の文書({found})のものです")
            }
            StoreError::TemplateMismatch {
                id,
                found,
                expected,
            } => {
                format!("文書 {id} の様式は {found} で、{expected} ではありません")
            }
            StoreError::Corrupt { detail } => {
                format!(
                    "保存データが壊れています({detail})。`taiwa verify` を実行し、バックアップから復元してください"
                )
            }
            StoreError::FileGone { path, rescued } => match rescued {
                Some(to) => format!(
                    "データベースファイル {} が、Taiwa を開いている間に削除または移動されました。開いていた内容を {} に書き戻しました(失われたものはありません)。もう一度パスフレーズを入力してください",
                    path.display(),
                    to.display()
                ),
                None => format!(
                    "データベースファイル {} が、Taiwa を開いている間に削除または移動され、書き戻せませんでした。Taiwa を閉じずに、ディスクの空きを作るかファイルを元に戻してください",
                    path.display()
                ),
            },
            StoreError::AutosaveTooLarge { bytes } => format!(
                "作業中の内容が {bytes} バイトあり、記録の上限(16 MiB)を超えるため保存していません"
            ),
            StoreError::BadCaseField { field, ja, .. } => format!("{}: {ja}", case_field_ja(field)),
            StoreError::Consent(e) => e.message().ja,
            StoreError::Exchange(e) => e.message().ja,
            StoreError::Sqlite(e) => format!("データベースの操作に失敗しました: {e}"),
        };
        Text {
            ja,
            en: self.to_string(),
        }
    }
}
