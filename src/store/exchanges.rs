//! The round trip in the store (schema 4): what was sent for the clinician or back to the
//! employer, what was received, and the fields a received document keeps. Rows are never changed
//! or removed (SQL triggers); the latest received row of a document holds its read-only fields.

use super::documents::{check, write};
use super::{NewDisclosure, SaveOutcome, Store, StoreError, disclosures, now};
use crate::exchange::{
    Answers, Change, Envelope, ExchangeError, Inspection, Kind, ReadOnly, Received, changes,
    differences, link_rule, part_keys, read_only_paths,
};
use crate::record::{Record, parse_record};
use crate::template::Template;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use uuid::Uuid;

/// What importing a file of the round trip did.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub kind: Kind,
    pub save: SaveOutcome,
    /// The fields the document now keeps as received, in form order.
    pub read_only: Vec<String>,
    /// An answer: the fields of the answered part it added, changed or removed here.
    pub changes: Vec<Change>,
    /// An answer: the fields of the sent part changed here after the file was sent (they stay as
    /// they are here; the clinician answered the version sent).
    pub edited_since_sent: Vec<String>,
}

/// A Part A as the clinician received it, and what an answer to it names.
#[derive(Debug, Clone)]
pub struct ReceivedPart {
    pub record: Record,
    pub answers: Answers,
}

/// What this database knows of a file (`taiwa verify-pdf`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "known", rename_all = "snake_case")]
pub enum Known {
    /// This very file was exported from here: the disclosure log has its SHA-256.
    ExportedHere {
        document_id: Option<Uuid>,
        revision_seq: Option<i64>,
        at: String,
    },
    /// This database has the revision the file was made from (same seq and SHA-256).
    Revision {
        document_id: Uuid,
        seq: i64,
    },
    /// The record of this file was imported here from the round trip.
    Received {
        document_id: Uuid,
        at: String,
    },
    /// An answer to a file this database exported for the clinician.
    AnswersSent {
        document_id: Uuid,
        seq: i64,
        at: String,
    },
    /// The document is here, but not the revision the file names.
    DocumentOnly {
        document_id: Uuid,
    },
    Unknown,
}

impl Known {
    pub fn is_known(&self) -> bool {
        !matches!(self, Known::DocumentOnly { .. } | Known::Unknown)
    }
}

/// The fields `document` keeps as received (the latest received row), if it was received.
pub(crate) fn read_only_in(
    conn: &Connection,
    document: Uuid,
) -> Result<Option<ReadOnly>, StoreError> {
    let json: Option<Option<String>> = conn
        .query_row(
            "SELECT read_only FROM exchanges WHERE document_id = ?1 AND direction = 'received'
             ORDER BY num DESC LIMIT 1",
            [document.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    json.flatten()
        .map(|j| {
            serde_json::from_str(&j).map_err(|_| StoreError::Corrupt {
                detail: format!("exchange of {document}: bad read_only"),
            })
        })
        .transpose()
}

struct Row<'a> {
    document_id: Uuid,
    direction: &'static str,
    kind: Kind,
    revision_seq: i64,
    revision_sha256: &'a str,
    envelope_json: String,
    record: &'a Record,
    record_sha256: &'a str,
    file_sha256: &'a str,
    read_only: Option<&'a ReadOnly>,
}

fn insert(conn: &Connection, row: &Row<'_>) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO exchanges (id, document_id, direction, kind, revision_seq, revision_sha256,
             envelope_json, record_json, record_sha256, file_sha256, read_only, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            Uuid::new_v4().to_string(),
            row.document_id.to_string(),
            row.direction,
            row.kind.as_str(),
            row.revision_seq,
            row.revision_sha256,
            row.envelope_json,
            row.record.canonical_json(),
            row.record_sha256,
            row.file_sha256,
            row.read_only
                .map(|r| crate::canonical::to_string(&serde_json::Value::Object(r.clone()))),
            now()
        ],
    )?;
    Ok(())
}

impl Store {
    fn template_of(&self, record: &Record) -> Result<&'static Template, StoreError> {
        self.registry.template_for(record).ok_or_else(|| {
            ExchangeError::UnknownTemplate {
                template: record.template.clone(),
            }
            .into()
        })
    }

    /// The fields of a document that stay as received (form order); empty when it was not
    /// received in the round trip. The app shows these as read-only.
    pub fn read_only_fields(&self, document: &str) -> Result<Vec<String>, StoreError> {
        let id = self.resolve_document_id(document)?;
        let Some(kept) = read_only_in(&self.conn, id)? else {
            return Ok(Vec::new());
        };
        let (template, version): (String, u32) = self.conn.query_row(
            "SELECT template, template_version FROM documents WHERE id = ?1",
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(match self.registry.get_version(&template, version) {
            Some(t) => read_only_paths(t, &kept),
            None => kept.keys().cloned().collect(),
        })
    }

    /// Logs an export of the round trip: the disclosure line and the record sent, in one
    /// transaction. `sent` is the file as written, read back (inspect::inspect).
    pub fn log_exchange_export(
        &mut self,
        disclosure: &NewDisclosure,
        sent: &Received,
    ) -> Result<super::Disclosure, StoreError> {
        let envelope = sent.envelope.as_ref().ok_or(ExchangeError::BadEnvelope {
            name: crate::exchange::ENVELOPE_NAME,
            detail: "missing".into(),
        })?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = disclosures::insert(&tx, disclosure, envelope.kind.as_str())?;
        insert(
            &tx,
            &Row {
                document_id: disclosure.document_id,
                direction: "sent",
                kind: envelope.kind,
                revision_seq: disclosure.revision_seq,
                revision_sha256: &disclosure.revision_sha256,
                envelope_json: envelope.to_json(),
                record: &sent.record,
                record_sha256: &sent.record_sha256,
                file_sha256: &sent.file_sha256,
                read_only: None,
            },
        )?;
        tx.commit()?;
        self.disclosure(id)
    }

    /// The latest Part A received for the clinician's document: what an answer answers.
    pub fn received_for_clinician(
        &self,
        document: &str,
    ) -> Result<Option<ReceivedPart>, StoreError> {
        let id = self.resolve_document_id(document)?;
        let row: Option<(String, String, String)> = self
            .conn
            .query_row(
                "SELECT record_json, record_sha256, envelope_json FROM exchanges
                 WHERE document_id = ?1 AND direction = 'received' AND kind = 'for_clinician'
                 ORDER BY num DESC LIMIT 1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((json, record_sha256, envelope)) = row else {
            return Ok(None);
        };
        let envelope = Envelope::parse(envelope.as_bytes()).map_err(|_| StoreError::Corrupt {
            detail: format!("exchange of {id}: bad envelope"),
        })?;
        Ok(Some(ReceivedPart {
            record: self.parse_stored(&json, id)?,
            answers: Answers {
                record_sha256,
                revision: envelope.revision,
            },
        }))
    }

    fn parse_stored(&self, json: &str, id: Uuid) -> Result<Record, StoreError> {
        parse_record(json.as_bytes(), self.registry).map_err(|e| StoreError::Corrupt {
            detail: format!("exchange of {id}: {e}"),
        })
    }

    fn sent_row_with(&self, column: &str, value: &str) -> Result<Option<Uuid>, StoreError> {
        let id: Option<String> = self
            .conn
            .query_row(
                &format!(
                    "SELECT document_id FROM exchanges WHERE direction = 'sent' AND {column} = ?1 LIMIT 1"
                ),
                [value],
                |r| r.get(0),
            )
            .optional()?;
        Ok(id.and_then(|i| Uuid::parse_str(&i).ok()))
    }

    /// An answer is refused when a newer Part A went out after the one it answers (the clinician
    /// has not seen it), or when this very answer was imported before (again, it would undo what
    /// was changed since).
    fn check_answer_is_news(
        &self,
        document: Uuid,
        got: &Received,
        answered: i64,
    ) -> Result<(), StoreError> {
        let before: Option<i64> = self
            .conn
            .query_row(
                "SELECT revision_seq FROM exchanges
                 WHERE document_id = ?1 AND direction = 'received' AND kind = 'from_clinician'
                   AND record_sha256 = ?2
                 ORDER BY num DESC LIMIT 1",
                params![document.to_string(), got.record_sha256],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(seq) = before {
            return Err(ExchangeError::AlreadyReceived {
                document: document.to_string(),
                seq,
            }
            .into());
        }
        let latest: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT revision_seq, record_sha256 FROM exchanges
                 WHERE document_id = ?1 AND direction = 'sent' AND kind = 'for_clinician'
                 ORDER BY num DESC LIMIT 1",
                [document.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let answered_sha = got
            .envelope
            .as_ref()
            .and_then(|e| e.answers.as_ref())
            .map(|a| a.record_sha256.as_str());
        if let Some((latest, sha)) = latest
            && Some(sha.as_str()) != answered_sha
        {
            return Err(ExchangeError::AnswersOlder {
                document: document.to_string(),
                answered,
                latest,
            }
            .into());
        }
        Ok(())
    }

    /// A Part A for the clinician is refused when this very file's record was received before, or
    /// when it is of an earlier revision than the last one received: either would put back a
    /// Part A the employer has since replaced.
    fn check_part_a_is_news(&self, document: Uuid, got: &Received) -> Result<(), StoreError> {
        let rows: Vec<(String, i64, String)> = self
            .conn
            .prepare(
                "SELECT record_sha256, revision_seq, envelope_json FROM exchanges
                 WHERE document_id = ?1 AND direction = 'received' AND kind = 'for_clinician'
                 ORDER BY num",
            )?
            .query_map([document.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        let sent_seq = |envelope: &str| {
            serde_json::from_str::<serde_json::Value>(envelope)
                .ok()
                .and_then(|e| e["revision"]["seq"].as_i64())
        };
        let this = got
            .envelope
            .as_ref()
            .and_then(|e| e.revision.as_ref())
            .map(|r| r.seq);
        for (sha, seq, envelope) in &rows {
            if *sha == got.record_sha256 {
                return Err(ExchangeError::AlreadyReceived {
                    document: document.to_string(),
                    seq: *seq,
                }
                .into());
            }
            if let (Some(this), Some(before)) = (this, sent_seq(envelope))
                && this < before
            {
                return Err(ExchangeError::OlderPartA {
                    document: document.to_string(),
                    this,
                    newer: before,
                }
                .into());
            }
        }
        Ok(())
    }

    pub fn document_exists(&self, id: Uuid) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM documents WHERE id = ?1",
                [id.to_string()],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .is_some())
    }

    /// Imports a checked file (exchange::Inspection::received): a plain export is saved as any
    /// record; Part A for the clinician opens (or updates) the linked Part B draft; an answer
    /// becomes the employer's next revision. `case` applies to a new document only.
    /// `to`: where a file without the round trip's envelope goes (import.rs: never over a stored
    /// document by itself). `force`: import an answer to an older Part A, or one already imported.
    pub fn receive(
        &mut self,
        got: &Received,
        case: Option<Uuid>,
        to: super::ImportAs,
        force: bool,
    ) -> Result<Receipt, StoreError> {
        let kind = got.kind();
        if kind == Kind::Export {
            let save = self.import_record(&got.record, case, to)?;
            return Ok(Receipt {
                kind,
                save,
                read_only: Vec::new(),
                changes: Vec::new(),
                edited_since_sent: Vec::new(),
            });
        }
        let document = got.record.id.ok_or(ExchangeError::EnvelopeMismatch {
            what: "document id",
        })?;
        let sent_here = self
            .sent_row_with("record_sha256", &got.record_sha256)?
            .is_some()
            || (kind == Kind::ForClinician
                && self
                    .sent_row_with("document_id", &document.to_string())?
                    .is_some());
        if sent_here {
            return Err(ExchangeError::SentFromHere {
                document: document.to_string(),
            }
            .into());
        }
        let template = self.template_of(&got.record)?;
        let rule = link_rule(&template.id).ok_or_else(|| ExchangeError::NotExchangeable {
            template: template.id.clone(),
        })?;
        let exists = self.document_exists(document)?;
        let (record, read_only, changes_made, edited) = match kind {
            Kind::ForClinician => {
                let head = if exists {
                    if read_only_in(&self.conn, document)?.is_none() {
                        return Err(ExchangeError::NotLinked {
                            document: document.to_string(),
                        }
                        .into());
                    }
                    if !force {
                        self.check_part_a_is_news(document, got)?;
                    }
                    Some(self.document(&document.to_string())?.record)
                } else {
                    None
                };
                let (draft, ro) = rule.clinician_draft(template, &got.record, head.as_ref());
                (draft, ro, Vec::new(), Vec::new())
            }
            Kind::FromClinician | Kind::Export => {
                if !exists {
                    return Err(ExchangeError::UnknownDocument {
                        document: document.to_string(),
                    }
                    .into());
                }
                let answers = got
                    .envelope
                    .as_ref()
                    .and_then(|e| e.answers.as_ref())
                    .ok_or(ExchangeError::BadEnvelope {
                        name: crate::exchange::ENVELOPE_NAME,
                        detail: "an answer without `answers`".into(),
                    })?;
                let sent: Option<(String, i64)> = self
                    .conn
                    .query_row(
                        "SELECT record_json, revision_seq FROM exchanges
                         WHERE document_id = ?1 AND direction = 'sent' AND kind = 'for_clinician'
                           AND record_sha256 = ?2
                         ORDER BY num DESC LIMIT 1",
                        params![document.to_string(), answers.record_sha256],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                let Some((sent_json, sent_seq)) = sent else {
                    return Err(ExchangeError::NotSent {
                        document: document.to_string(),
                    }
                    .into());
                };
                if !force {
                    self.check_answer_is_news(document, got, sent_seq)?;
                }
                let sent = self.parse_stored(&sent_json, document)?;
                let keys = part_keys(template, rule.sent);
                let differ = differences(&keys, &sent, &got.record);
                if !differ.is_empty() {
                    return Err(ExchangeError::PartDiffers {
                        document: document.to_string(),
                        fields: differ,
                    }
                    .into());
                }
                let head = self.document(&document.to_string())?.record;
                let sent_from: String = self.conn.query_row(
                    "SELECT record_json FROM revisions WHERE document_id = ?1 AND seq = ?2",
                    params![document.to_string(), sent_seq],
                    |r| r.get(0),
                )?;
                let sent_from = self.parse_stored(&sent_from, document)?;
                let edited = differences(&keys, &sent_from, &head);
                let merged = rule.merge_answer(template, &head, &got.record);
                let made = changes(&part_keys(template, rule.answer), &head, &merged);
                let ro = rule.answer_read_only(template, &got.record);
                (merged, ro, made, edited)
            }
        };
        let prepared = check(self.registry, &record)?;
        let envelope_json = got
            .envelope
            .as_ref()
            .map(|e| e.to_json())
            .unwrap_or_default();
        let save = self.transact(|tx| {
            let save = write(tx, &prepared, case, Some(&read_only))?;
            insert(
                tx,
                &Row {
                    document_id: document,
                    direction: "received",
                    kind,
                    revision_seq: save.seq,
                    revision_sha256: &save.sha256,
                    envelope_json,
                    record: &got.record,
                    record_sha256: &got.record_sha256,
                    file_sha256: &got.file_sha256,
                    read_only: Some(&read_only),
                },
            )?;
            Ok(save)
        })?;
        Ok(Receipt {
            kind,
            save,
            read_only: read_only_paths(template, &read_only),
            changes: changes_made,
            edited_since_sent: edited,
        })
    }

    /// Whether this database knows the file: see [`Known`], first match wins.
    pub fn known(&self, file: &Inspection) -> Result<Known, StoreError> {
        let logged: Option<(Option<String>, Option<i64>, String)> = self
            .conn
            .query_row(
                "SELECT document_id, revision_seq, created_at FROM disclosures
                 WHERE file_sha256 = ?1 ORDER BY created_at LIMIT 1",
                [&file.file_sha256],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((document_id, revision_seq, at)) = logged {
            return Ok(Known::ExportedHere {
                document_id: document_id.and_then(|d| Uuid::parse_str(&d).ok()),
                revision_seq,
                at,
            });
        }
        let Some(env) = &file.envelope else {
            // An older file: its record is a revision here when the canonical JSON's hash is.
            let record = parse_record(&file.record_json, self.registry).ok();
            if let Some(r) = record.filter(|r| r.id.is_some()) {
                let sha = crate::canonical::sha256_hex(r.canonical_json().as_bytes());
                return self.revision_known(r.id.unwrap_or_default(), None, &sha);
            }
            return Ok(Known::Unknown);
        };
        if let (Some(doc), Some(rev)) = (env.document_id, &env.revision)
            && let Known::Revision { .. } = self.revision_known(doc, Some(rev.seq), &rev.sha256)?
        {
            return Ok(Known::Revision {
                document_id: doc,
                seq: rev.seq,
            });
        }
        let received: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT document_id, created_at FROM exchanges
                 WHERE direction = 'received' AND record_sha256 = ?1 ORDER BY num LIMIT 1",
                [&file.record_sha256],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((doc, at)) = received
            && let Ok(document_id) = Uuid::parse_str(&doc)
        {
            return Ok(Known::Received { document_id, at });
        }
        if let Some(answers) = &env.answers {
            let sent: Option<(String, i64, String)> = self
                .conn
                .query_row(
                    "SELECT document_id, revision_seq, created_at FROM exchanges
                     WHERE direction = 'sent' AND kind = 'for_clinician' AND record_sha256 = ?1
                     ORDER BY num LIMIT 1",
                    [&answers.record_sha256],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            if let Some((doc, seq, at)) = sent
                && let Ok(document_id) = Uuid::parse_str(&doc)
            {
                return Ok(Known::AnswersSent {
                    document_id,
                    seq,
                    at,
                });
            }
        }
        match env.document_id {
            Some(d) if self.document_exists(d)? => Ok(Known::DocumentOnly { document_id: d }),
            _ => Ok(Known::Unknown),
        }
    }

    fn revision_known(
        &self,
        document: Uuid,
        seq: Option<i64>,
        sha: &str,
    ) -> Result<Known, StoreError> {
        let found: Option<i64> = self
            .conn
            .query_row(
                "SELECT seq FROM revisions WHERE document_id = ?1 AND sha256 = ?2
                   AND (?3 IS NULL OR seq = ?3) LIMIT 1",
                params![document.to_string(), sha, seq],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match found {
            Some(seq) => Known::Revision {
                document_id: document,
                seq,
            },
            None if self.document_exists(document)? => Known::DocumentOnly {
                document_id: document,
            },
            None => Known::Unknown,
        })
    }
}
