//! The disclosure log (提供記録): one line for every file made of a stored document, written after
//! the file is complete. Lines are never removed, nor changed but for what deleting their case
//! strips (SQL triggers of schemas 3 and 5; deletion.rs). A line names keys, ids and hashes only:
//! the recipient as typed, never record content.

use super::{Store, StoreError, now};
use crate::disclosure::{Disclosure, NewDisclosure};
use crate::ids::{CaseId, ConsentId, DocumentId};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

const SELECT: &str = "SELECT x.id, x.case_id, x.document_id, d.template, d.title, x.revision_seq,
        x.revision_sha256, x.recipient, x.consent_ids, x.parts, x.withheld, x.file_sha256, x.kind,
        x.created_at, x.format, x.purpose
    FROM disclosures x LEFT JOIN documents d ON d.id = x.document_id";

type Raw = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
        r.get(14)?,
        r.get(15)?,
    ))
}

fn decode(raw: Raw) -> Result<Disclosure, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt {
        detail: format!("disclosure {}: bad {what}", raw.0),
    };
    let uuid = |s: &str, what: &str| Uuid::parse_str(s).map_err(|_| corrupt(what));
    let json_list = |s: &Option<String>, what: &str| -> Result<Option<Vec<String>>, StoreError> {
        s.as_deref()
            .map(|s| serde_json::from_str::<Vec<String>>(s).map_err(|_| corrupt(what)))
            .transpose()
    };
    Ok(Disclosure {
        id: uuid(&raw.0, "id")?,
        case_id: uuid(&raw.1, "case id")?.into(),
        document_id: raw
            .2
            .as_deref()
            .map(|d| uuid(d, "document id").map(DocumentId))
            .transpose()?,
        template: raw.3.clone(),
        title: raw.4.clone(),
        revision_seq: raw.5,
        revision_sha256: raw.6.clone(),
        recipient: raw.7.clone(),
        consents: json_list(&raw.8, "consent ids")?
            .unwrap_or_default()
            .iter()
            .map(|c| uuid(c, "consent id").map(ConsentId))
            .collect::<Result<_, _>>()?,
        parts: json_list(&raw.9, "parts")?,
        withheld: json_list(&raw.10, "withheld")?.unwrap_or_default(),
        file_sha256: raw.11.clone(),
        kind: raw.12.clone(),
        format: raw.14.clone(),
        purpose: raw.15.clone(),
        created_at: raw.13.clone(),
    })
}

/// Inserts a line of `kind` (`export`, or the exchange kind of a round-trip file).
pub(crate) fn insert(
    conn: &rusqlite::Connection,
    new: &NewDisclosure,
    kind: &str,
) -> Result<Uuid, StoreError> {
    // Cached statements: a batch export logs a thousand files in a row.
    let case_id: String = conn
        .prepare_cached("SELECT case_id FROM documents WHERE id = ?1")?
        .query_row([new.document_id.to_string()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::DocumentNotFound {
            id: new.document_id.to_string(),
        })?;
    let id = Uuid::new_v4();
    let consents: Vec<String> = new.consents.iter().map(ConsentId::to_string).collect();
    conn.prepare_cached(
        "INSERT INTO disclosures (id, case_id, document_id, revision_seq, revision_sha256, recipient,
             consent_id, consent_ids, parts, withheld, file_sha256, kind, created_at, format, purpose)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
            id.to_string(),
            case_id,
            new.document_id.to_string(),
            new.revision_seq,
            new.revision_sha256,
            new.recipient,
            json(&consents),
            new.parts.as_deref().map(json),
            json(&new.withheld),
            new.file_sha256,
            kind,
            now(),
            new.format,
            new.purpose,
        ],
    )?;
    Ok(id)
}

fn json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

impl Store {
    /// Appends a line to the log. Call it after the file was written and synced.
    pub fn log_disclosure(&mut self, new: &NewDisclosure) -> Result<Disclosure, StoreError> {
        let id = insert(&self.conn, new, "export")?;
        self.disclosure(id)
    }

    /// Logs the disclosure log itself leaving as a PDF (it names recipients and documents of the
    /// case): a line of kind `disclosure_log` for the case, with the file's SHA-256.
    pub fn log_disclosure_log_export(
        &mut self,
        case: Uuid,
        file_sha256: &str,
        purpose: Option<&'static str>,
    ) -> Result<Disclosure, StoreError> {
        let id = Uuid::new_v4();
        self.conn.execute(
            "INSERT INTO disclosures (id, case_id, document_id, file_sha256, kind, created_at, format, purpose)
             VALUES (?1, ?2, NULL, ?3, 'disclosure_log', ?4, 'pdf', ?5)",
            params![id.to_string(), case.to_string(), file_sha256, now(), purpose],
        )?;
        self.disclosure(id)
    }

    pub(crate) fn disclosure(&self, id: Uuid) -> Result<Disclosure, StoreError> {
        let raw =
            self.conn
                .query_row(&format!("{SELECT} WHERE x.id = ?1"), [id.to_string()], raw)?;
        decode(raw)
    }

    /// The log of one document, oldest first.
    pub fn disclosures_for_document(
        &self,
        document: DocumentId,
    ) -> Result<Vec<Disclosure>, StoreError> {
        self.check_document_exists(document)?;
        self.disclosures_where("x.document_id = ?1", &document.to_string())
    }

    /// The log of a case (every document of it), oldest first; of a deleted case too, ending
    /// with its deletion line.
    pub fn disclosures_for_case(&self, case: CaseId) -> Result<Vec<Disclosure>, StoreError> {
        if self.case_deletion(case)?.is_none() {
            self.case(case)?;
        }
        self.disclosures_where("x.case_id = ?1", &case.to_string())
    }

    fn disclosures_where(
        &self,
        condition: &str,
        value: &str,
    ) -> Result<Vec<Disclosure>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            // rowid breaks ties of the millisecond clock in the order the lines were written.
            "{SELECT} WHERE {condition} ORDER BY x.created_at, x.rowid"
        ))?;
        let rows: Vec<Raw> = stmt.query_map([value], raw)?.collect::<Result<_, _>>()?;
        rows.into_iter().map(decode).collect()
    }
}
