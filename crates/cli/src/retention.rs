//! `taiwa case delete` and `taiwa retention …`: deleting a case, the retention period, and purging
//! the closed cases past it. Nothing is deleted without --yes; what is shown is counts and ids,
//! never content.

use crate::commands::{CliError, Ctx, open_store};
use crate::{CaseCommand, RetentionCommand, out};
use std::process::ExitCode;
use taiwa::Lang;
use taiwa::store::{
    CaseStatus, DeletionPreview, DueCase, OpenMode, StoreError, parse_retention_years,
};

pub fn case(ctx: &Ctx, action: CaseCommand) -> Result<ExitCode, CliError> {
    let CaseCommand::Delete {
        case,
        yes,
        force,
        reason,
        remove_copies,
    } = action;
    let mut store = open_store(ctx, OpenMode::ExistingOnly)?;
    if !yes {
        let p = store.deletion_preview(case)?;
        if p.status == CaseStatus::Open && !force {
            return Err(StoreError::CaseOpen {
                id: case.to_string(),
            }
            .into());
        }
        print_preview(&p);
        say(
            ctx,
            &format!(
                "まだ何も削除していません。上の件数を削除し、提供記録の {} 行は日時・提供先・部・同意 ID・ファイルのハッシュだけを残して、削除の記録を 1 行加えます。{} 削除するには --yes を付けてもう一度実行してください",
                p.disclosures_kept, BACKUP_JA
            ),
            &format!(
                "nothing was deleted yet. This deletes the counts above; the {} line(s) of the disclosure log keep only date, recipient, parts, consent ids and file hash, and one line records the deletion. {} Run again with --yes to delete",
                p.disclosures_kept, BACKUP_EN
            ),
        );
        return Ok(ExitCode::SUCCESS);
    }
    // The case went already (a deletion that listed the copies): only the copies are left to go.
    if remove_copies && store.case_deletion(case)?.is_some() {
        copies_still_holding(ctx, store.path(), reason, true);
        return Ok(ExitCode::SUCCESS);
    }
    let done = store.delete_case(case, reason, force)?;
    out!(
        "deleted\t{}\t{}\t{}",
        done.line.case_id,
        done.line.documents,
        done.line.reason.as_str()
    );
    say(
        ctx,
        &format!(
            "ケース {case} を削除しました(文書 {} 件)。提供記録に削除の記録を 1 行残しました",
            done.line.documents
        ),
        &format!(
            "deleted case {case} ({} document(s)); the disclosure log records the deletion",
            done.line.documents
        ),
    );
    if !done.compacted {
        warn_not_compacted(ctx);
    }
    copies_still_holding(ctx, store.path(), reason, remove_copies);
    Ok(ExitCode::SUCCESS)
}

/// The copies that still hold a deleted case: removed on request (`--remove-copies`), else listed
/// when the person asked for the deletion, with the way to remove them.
fn copies_still_holding(
    ctx: &Ctx,
    db: &std::path::Path,
    reason: taiwa::store::DeletionReason,
    remove: bool,
) {
    use taiwa::store::copies;
    if remove {
        let (removed, left) = copies::remove_copies_beside(db);
        for p in &removed {
            out!("removed\t{}", p.display());
        }
        for p in &left {
            out!("left\t{}", p.display());
        }
        return;
    }
    if reason != taiwa::store::DeletionReason::PersonRequest {
        return;
    }
    let beside = copies::copies_beside(db);
    for c in &beside {
        out!("copy\t{}\t{}", c.kind.as_str(), c.path.display());
    }
    if !beside.is_empty() {
        say(
            ctx,
            &format!(
                "本人の求めによる削除です。ケースはまだ次の {} 個のコピー(復元前のデータベース・救出したコピー・壊れた更新ログ)に残っています。消すには --yes --remove-copies を付けてもう一度実行してください",
                beside.len()
            ),
            &format!(
                "deleted at the person's request: the case is still in the {} copy/copies above (a restore's, a rescue's, a damaged WAL's); run again with --yes --remove-copies to remove them",
                beside.len()
            ),
        );
    }
}

pub fn retention(ctx: &Ctx, action: Option<RetentionCommand>) -> Result<ExitCode, CliError> {
    let today = taiwa::consent::today();
    match action {
        None => {
            let store = open_store(ctx, OpenMode::ExistingOnly)?;
            let years = store.retention()?.years;
            out!("retention_years\t{years}");
            let due = store.cases_due_for_deletion(today)?;
            print_due(&due);
            say(
                ctx,
                &format!(
                    "保存期間: 終了から {years} 年。期間を過ぎたケース: {} 件(削除は taiwa retention purge)",
                    due.len()
                ),
                &format!(
                    "retention: {years} year(s) after closing; {} closed case(s) past it (delete them with taiwa retention purge)",
                    due.len()
                ),
            );
        }
        Some(RetentionCommand::Set { years }) => {
            let years = parse_retention_years(&years)?;
            let mut store = open_store(ctx, OpenMode::ExistingOnly)?;
            let set = store.set_retention_years(years)?;
            out!("retention_years\t{}", set.years);
        }
        Some(RetentionCommand::Purge { yes: false }) => {
            let store = open_store(ctx, OpenMode::ExistingOnly)?;
            let due = store.cases_due_for_deletion(today)?;
            print_due(&due);
            if due.is_empty() {
                say(
                    ctx,
                    "保存期間を過ぎたケースはありません",
                    "no closed case is past the retention period",
                );
            } else {
                say(
                    ctx,
                    &format!(
                        "まだ何も削除していません。上の {} 件のケースを削除します(提供記録には内容を含まない行が残ります)。{} 削除するには --yes を付けてもう一度実行してください",
                        due.len(),
                        BACKUP_JA
                    ),
                    &format!(
                        "nothing was deleted yet. This deletes the {} case(s) above (the disclosure log keeps content-free lines). {} Run again with --yes to delete",
                        due.len(),
                        BACKUP_EN
                    ),
                );
            }
        }
        Some(RetentionCommand::Purge { yes: true }) => {
            let mut store = open_store(ctx, OpenMode::ExistingOnly)?;
            let done = store.purge_due(today)?;
            for d in &done.deleted {
                out!(
                    "deleted\t{}\t{}\t{}",
                    d.case_id,
                    d.documents,
                    d.reason.as_str()
                );
            }
            say(
                ctx,
                &format!("{} 件のケースを削除しました", done.deleted.len()),
                &format!("deleted {} case(s)", done.deleted.len()),
            );
            if !done.compacted {
                warn_not_compacted(ctx);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

const BACKUP_JA: &str = "先にバックアップを取ってください: taiwa backup(それより前のバックアップには、削除したケースがローテーションで消えるまで残ります)。";
const BACKUP_EN: &str = "Make a backup first: taiwa backup (earlier backups keep the deleted cases until rotation removes them).";

fn print_preview(p: &DeletionPreview) {
    let status = match p.status {
        CaseStatus::Open => "open".to_string(),
        CaseStatus::Closed => format!("closed {}", p.closed_on.as_deref().unwrap_or("-")),
    };
    out!("case\t{}", p.case_id);
    out!("status\t{status}");
    out!("documents\t{}", p.documents);
    out!("revisions\t{}", p.revisions);
    out!("autosaves\t{}", p.autosaves);
    out!("consents\t{}", p.consents);
    out!("exchanges\t{}", p.exchanges);
    out!("disclosures_kept\t{}", p.disclosures_kept);
}

fn print_due(due: &[DueCase]) {
    for d in due {
        out!(
            "{}\tclosed {}\tkept until {}\t{} document(s)",
            d.case_id,
            d.closed_on,
            d.kept_until,
            d.documents
        );
    }
}

/// A note for people on stderr, in the chosen language.
fn say(ctx: &Ctx, ja: &str, en: &str) {
    match ctx.lang {
        Lang::Ja => eprintln!("{ja}"),
        Lang::En => eprintln!("{en}"),
    }
}

fn warn_not_compacted(ctx: &Ctx) {
    say(
        ctx,
        "注意: 削除は完了しましたが、ファイルの書き直しが終わっていません(ほかに開いている Taiwa があるか、ディスクの空きが足りません)。それを解消して taiwa retention purge --yes を実行すると書き直します",
        "note: the deletion is done, but the file could not be rewritten yet (Taiwa is open elsewhere, or the disk is full); fix that and run taiwa retention purge --yes to rewrite it",
    );
}
