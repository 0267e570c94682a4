//! Re-checking every hash chain: each revision's SHA-256 over its stored JSON, each link to the
//! revision before it, gap-free numbering, and the document's head.

use super::{Store, StoreError};
use crate::canonical::sha256_hex;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub integrity: String,
    pub documents: usize,
    pub revisions: usize,
    pub failures: Vec<VerifyFailure>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.integrity == "ok" && self.failures.is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyFailure {
    pub document_id: String,
    pub seq: Option<i64>,
    pub problem: String,
}

impl Store {
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        let integrity: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        let mut failures = Vec::new();
        let mut documents = 0;
        let mut revisions = 0;
        let mut docs = self
            .conn
            .prepare("SELECT id, head_seq FROM documents ORDER BY id")?;
        let mut revs = self.conn.prepare(
            "SELECT seq, record_json, sha256, prev_sha256 FROM revisions WHERE document_id = ?1 ORDER BY seq",
        )?;
        let doc_rows: Vec<(String, i64)> = docs
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (doc_id, head_seq) in doc_rows {
            documents += 1;
            let mut fail = |seq: Option<i64>, problem: String| {
                failures.push(VerifyFailure {
                    document_id: doc_id.clone(),
                    seq,
                    problem,
                })
            };
            let rows: Vec<(i64, String, String, Option<String>)> = revs
                .query_map([&doc_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<Result<_, _>>()?;
            let mut prev: Option<String> = None;
            for (expected_seq, (seq, json, sha, prev_sha)) in (1..).zip(&rows) {
                revisions += 1;
                if *seq != expected_seq {
                    fail(
                        Some(*seq),
                        format!("revision numbers jump from {} to {seq}", expected_seq - 1),
                    );
                }
                let actual = sha256_hex(json.as_bytes());
                if actual != *sha {
                    fail(
                        Some(*seq),
                        format!(
                            "content does not match its SHA-256 (stored {sha}, actual {actual})"
                        ),
                    );
                }
                if *prev_sha != prev {
                    fail(
                        Some(*seq),
                        "link to the previous revision is broken".to_string(),
                    );
                }
                match super::documents::stored_json_value(json) {
                    Some(v) if v.get("id").and_then(|i| i.as_str()) == Some(doc_id.as_str()) => {}
                    _ => fail(
                        Some(*seq),
                        "stored record does not carry this document's id".to_string(),
                    ),
                }
                prev = Some(sha.clone());
            }
            if rows.last().map(|r| r.0) != Some(head_seq) {
                fail(
                    None,
                    format!("head revision {head_seq} is not the last revision"),
                );
            }
        }
        Ok(VerifyReport {
            integrity,
            documents,
            revisions,
            failures,
        })
    }
}
