//! `taiwa export --all -o DIR [--case ID] [--recipient NAME]`: every stored document (of a case)
//! as a PDF into DIR, through the gate (taiwa::gate) like a single export, so consent checks and the
//! disclosure log hold for each file. This thread reads and plans each document and writes and
//! logs each file (the store is one connection); rendering, the CPU part, runs on every core.
//! A refused or failed document does not stop the others: they are reported at the end.

use crate::commands::{CliError, Ctx, gate_error};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use taiwa::Lang;
use taiwa::consent::ConsentError;
use taiwa::gate::{self, GateError, Planned, Prepared, Sink, Source};
use taiwa::store::{DocumentSummary, Store, StoreError};
use uuid::Uuid;

/// What went wrong with one document; the others go on.
struct Skipped {
    document: Uuid,
    title: String,
    error: CliError,
}

/// A file name that says whose document it is and stays unique: the title (path separators and
/// control characters replaced), the form, the first 8 characters of the id.
fn file_name(doc: &DocumentSummary) -> String {
    let title: String = doc
        .title
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | ' ' | '　') {
                '_'
            } else {
                c
            }
        })
        .take(40)
        .collect();
    let id = doc.id.to_string();
    format!("{title}_{}_{}.pdf", doc.template, &id[..8])
}

fn progress(total: usize) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} 残り {eta}") {
        bar.set_style(style);
    }
    Some(bar)
}

pub fn run(
    ctx: &Ctx,
    store: &mut Store,
    dir: &Path,
    case: Option<Uuid>,
    recipient: Option<String>,
    own_use: gate::OwnUse,
    era: taiwa::pdf::Era,
) -> Result<ExitCode, CliError> {
    if let Some(c) = case {
        store.case(c)?;
    }
    std::fs::create_dir_all(dir).map_err(|source| CliError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let documents = store.list_documents(case)?;
    let bar = progress(documents.len());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut written = 0usize;
    let mut skipped: Vec<Skipped> = Vec::new();
    // Bounded: planning stays a few documents ahead of rendering, not the whole database.
    let (jobs, queue) = mpsc::sync_channel::<(usize, Planned)>(threads * 2);
    let queue = Arc::new(Mutex::new(queue));
    let (done, results) = mpsc::channel::<(usize, Result<Prepared, GateError>)>();
    std::thread::scope(|s| -> Result<(), CliError> {
        for _ in 0..threads {
            let queue = Arc::clone(&queue);
            let done = done.clone();
            s.spawn(move || {
                loop {
                    // A poisoned lock means another worker panicked: stop taking work.
                    let next = match queue.lock() {
                        Ok(q) => q.recv(),
                        Err(_) => return,
                    };
                    let Ok((i, planned)) = next else { return };
                    if done.send((i, gate::render(planned))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done);
        let mut finish = |store: &mut Store,
                          (i, result): (usize, Result<Prepared, GateError>)|
         -> Result<(), CliError> {
            let doc: &DocumentSummary = &documents[i];
            if let Some(b) = &bar {
                b.inc(1);
            }
            let prepared = match result {
                Ok(p) => p,
                Err(e) => {
                    skipped.push(Skipped {
                        document: doc.id,
                        title: doc.title.clone(),
                        error: gate_error(e),
                    });
                    return Ok(());
                }
            };
            let path = dir.join(file_name(doc));
            // As for one export: a file that cannot be logged is not left behind.
            gate::deliver(Some(store), prepared, Sink::File(&path)).map_err(gate_error)?;
            written += 1;
            crate::commands::print_line(&path.display().to_string());
            Ok(())
        };
        for (i, doc) in documents.iter().enumerate() {
            let request = gate::Request {
                source: Source::Stored(doc.id.to_string()),
                era,
                recipient: recipient.clone(),
                own_use,
                ..gate::Request::pdf("", ctx.lang)
            };
            match gate::plan(Some(store), &request) {
                Ok(planned) => {
                    // Workers only stop if one panicked; then the scope reports it.
                    if jobs.send((i, planned)).is_err() {
                        break;
                    }
                }
                Err(e) => finish(store, (i, Err(e)))?,
            }
            while let Ok(r) = results.try_recv() {
                finish(store, r)?;
            }
        }
        drop(jobs);
        for r in results.iter() {
            finish(store, r)?;
        }
        Ok(())
    })?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    summary(ctx.lang, dir, written, &skipped);
    let refused = |s: &Skipped| {
        matches!(
            s.error,
            CliError::Store(StoreError::Consent(ConsentError::Refused { .. }))
        )
    };
    Ok(if skipped.is_empty() {
        ExitCode::SUCCESS
    } else if skipped.iter().all(refused) {
        ExitCode::from(4)
    } else {
        ExitCode::from(1)
    })
}

fn summary(lang: Lang, dir: &Path, written: usize, skipped: &[Skipped]) {
    let dir: PathBuf = dir.to_path_buf();
    match lang {
        Lang::Ja => eprintln!(
            "{written} 件を {} に書き出し、提供記録に残しました。出力しなかった文書 {} 件",
            dir.display(),
            skipped.len()
        ),
        Lang::En => eprintln!(
            "{written} file(s) written to {} and logged; {} document(s) not exported",
            dir.display(),
            skipped.len()
        ),
    }
    for s in skipped {
        eprintln!(
            "{}\t{}\t{}",
            s.document,
            s.title,
            s.error.render(lang).replace('\n', " / ")
        );
    }
}
