//! The consent ledger: what the person agreed may go to whom. A consent is never deleted or
//! changed; it can be withdrawn once (SQL triggers of schema 3 hold this).

use super::{Store, StoreError, now};
use crate::consent::{Consent, ConsentError, Method, NewConsent, parse_date};
use crate::ids::{CaseId, ConsentId, DocumentId};
use crate::template::Registry;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

const SELECT: &str =
    "SELECT id, case_id, document_id, recipient, recipient_role, purpose, sections, method,
        recorded_by, given_on, expires_on, withdrawn_on, given_at_seq, created_at FROM consents";

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt {
        detail: format!("consent: bad {what}"),
    }
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawConsent> {
    Ok(RawConsent {
        id: r.get(0)?,
        case_id: r.get(1)?,
        document_id: r.get(2)?,
        recipient: r.get(3)?,
        role: r.get(4)?,
        purpose: r.get(5)?,
        sections: r.get(6)?,
        method: r.get(7)?,
        recorded_by: r.get(8)?,
        given_on: r.get(9)?,
        expires_on: r.get(10)?,
        withdrawn_on: r.get(11)?,
        given_at_seq: r.get(12)?,
        created_at: r.get(13)?,
    })
}

struct RawConsent {
    id: String,
    case_id: String,
    document_id: Option<String>,
    recipient: String,
    role: Option<String>,
    purpose: String,
    sections: Option<String>,
    method: String,
    recorded_by: Option<String>,
    given_on: String,
    expires_on: Option<String>,
    withdrawn_on: Option<String>,
    given_at_seq: Option<i64>,
    created_at: String,
}

impl RawConsent {
    fn into_consent(self) -> Result<Consent, StoreError> {
        let uuid = |s: &str, what| Uuid::parse_str(s).map_err(|_| corrupt(what));
        Ok(Consent {
            id: uuid(&self.id, "id")?.into(),
            case_id: uuid(&self.case_id, "case id")?.into(),
            document_id: self
                .document_id
                .as_deref()
                .map(|d| uuid(d, "document id").map(DocumentId))
                .transpose()?,
            recipient: self.recipient,
            role: self.role,
            purpose: self.purpose,
            sections: self
                .sections
                .map(|s| serde_json::from_str(&s).map_err(|_| corrupt("sections")))
                .transpose()?,
            method: Method::parse(&self.method).ok_or_else(|| corrupt("method"))?,
            recorded_by: self.recorded_by,
            given_on: self.given_on,
            expires_on: self.expires_on,
            withdrawn_on: self.withdrawn_on,
            given_at_seq: self.given_at_seq,
            created_at: self.created_at,
        })
    }
}

/// Checks `new` against the document's form and appends it to the ledger; the id of the row.
/// Shared by `Store::add_consent` and `Batch::add_consent`, so a batch checks the same way.
pub(crate) fn insert(
    conn: &Connection,
    registry: &Registry,
    document: Uuid,
    new: &NewConsent,
    today: NaiveDate,
) -> Result<Uuid, StoreError> {
    let (case_id, template, seq): (String, String, i64) = conn
        .query_row(
            "SELECT case_id, template, head_seq FROM documents WHERE id = ?1",
            [document.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::DocumentNotFound {
            id: document.to_string(),
        })?;
    let template = registry.get(&template).ok_or_else(|| StoreError::Corrupt {
        detail: format!("unknown template {template}"),
    })?;
    let c = new.checked(template, today)?;
    let id = Uuid::new_v4();
    let sections = c
        .sections
        .as_ref()
        .map(|s| serde_json::to_string(s).unwrap_or_default());
    conn.execute(
        "INSERT INTO consents (id, case_id, document_id, sections, recipient, recipient_role, purpose,
             method, recorded_by, given_on, expires_on, withdrawn_on, given_at_seq, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, NULL, ?12, ?13)",
        params![
            id.to_string(),
            case_id,
            document.to_string(),
            sections,
            c.recipient,
            c.role,
            c.purpose,
            c.method.as_str(),
            c.recorded_by,
            c.given_on,
            c.expires_on,
            seq,
            now()
        ],
    )?;
    Ok(id)
}

impl Store {
    /// Records a consent for a document. Every field is checked first (errors name the field);
    /// `today` bounds the date given.
    pub fn add_consent(
        &mut self,
        document: DocumentId,
        new: &NewConsent,
        today: NaiveDate,
    ) -> Result<Consent, StoreError> {
        self.check_document_exists(document)?;
        let id = insert(&self.conn, self.registry, document.uuid(), new, today)?;
        self.consent(ConsentId(id))
    }

    /// A consent of the ledger.
    pub fn consent(&self, id: ConsentId) -> Result<Consent, StoreError> {
        let raw: Option<RawConsent> = self
            .conn
            .query_row(&format!("{SELECT} WHERE id = ?1"), [id.to_string()], row)
            .optional()?;
        match raw {
            Some(one) => one.into_consent(),
            None => Err(ConsentError::NotFound { id: id.to_string() }.into()),
        }
    }

    /// What a person typed (`taiwa consent withdraw 1a2b3c4d`): a consent's uuid or a unique
    /// prefix of at least 8 characters. For the CLI's edge.
    pub fn resolve_consent_id(&self, id: &str) -> Result<ConsentId, StoreError> {
        let not_found = || -> StoreError { ConsentError::NotFound { id: id.to_string() }.into() };
        let prefix = id.trim().to_ascii_lowercase();
        if prefix.len() < 8 || !prefix.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(not_found());
        }
        let mut stmt = self.conn.prepare(&format!(
            "{SELECT} WHERE substr(id, 1, ?2) = ?1 ORDER BY id LIMIT 2"
        ))?;
        let mut rows: Vec<RawConsent> = stmt
            .query_map(params![prefix, prefix.len() as i64], row)?
            .collect::<Result<_, _>>()?;
        match (rows.pop(), rows.is_empty()) {
            (Some(one), true) => one.into_consent().map(|c| c.id),
            _ => Err(not_found()),
        }
    }

    /// Withdraws a consent from `on` (YYYY-MM-DD) on. The consent stays in the ledger.
    pub fn withdraw_consent(&mut self, id: ConsentId, on: &str) -> Result<Consent, StoreError> {
        let c = self.consent(id)?;
        let day = parse_date(on.trim()).ok_or_else(|| ConsentError::BadField {
            field: "withdrawn_on",
            ja: "日付は YYYY-MM-DD の形で、実在する日を入力してください".into(),
            en: "a date must be YYYY-MM-DD and exist".into(),
        })?;
        if let Some(w) = &c.withdrawn_on {
            return Err(ConsentError::AlreadyWithdrawn {
                id: c.id.to_string(),
                on: w.clone(),
            }
            .into());
        }
        if parse_date(&c.given_on).is_some_and(|g| day < g) {
            return Err(ConsentError::WithdrawnBeforeGiven {
                id: c.id.to_string(),
                given: c.given_on.clone(),
            }
            .into());
        }
        self.conn.execute(
            "UPDATE consents SET withdrawn_on = ?2 WHERE id = ?1 AND withdrawn_on IS NULL",
            params![c.id.to_string(), day.format("%Y-%m-%d").to_string()],
        )?;
        self.consent(id)
    }

    /// Writes the ledger into a record's `from_ledger` tables: the rows of the consents recorded
    /// for its document (withdrawn ones too, with their date), oldest first. Every save of a
    /// stored document goes through here, so its form never holds a consent row the ledger does
    /// not (a row typed by hand is replaced). A record of no stored document (a file being
    /// imported or saved anew) keeps its rows: no ledger speaks for it yet.
    pub fn mirror_ledger(&self, record: &mut crate::record::Record) -> Result<(), StoreError> {
        let Some(template) = self.registry.template_for(record) else {
            return Ok(());
        };
        let keys: Vec<&str> = template
            .sections
            .iter()
            .flat_map(|s| &s.fields)
            .filter(|f| f.from_ledger)
            .map(|f| f.key.as_str())
            .collect();
        if keys.is_empty() {
            return Ok(());
        }
        let rows: Vec<serde_json::Value> = match record.id.map(DocumentId) {
            // Called on every live check while the worker types: one existence query, then the
            // rows (not consents_for_document, which would ask for the document again).
            Some(id) if self.document_exists(id)? => self
                .consents_where("document_id = ?1", &id.to_string())?
                .iter()
                .map(|c| c.as_row(template, record.lang))
                .collect(),
            _ => return Ok(()),
        };
        for key in keys {
            if rows.is_empty() {
                record.fields.remove(key);
            } else {
                record
                    .fields
                    .insert(key.to_string(), serde_json::Value::Array(rows.clone()));
            }
        }
        Ok(())
    }

    /// The consents recorded for a document, oldest first.
    pub fn consents_for_document(&self, document: DocumentId) -> Result<Vec<Consent>, StoreError> {
        self.check_document_exists(document)?;
        self.consents_where("document_id = ?1", &document.to_string())
    }

    /// Every consent of a case (for any of its documents), oldest first.
    pub fn consents_for_case(&self, case: CaseId) -> Result<Vec<Consent>, StoreError> {
        let case = case.uuid();
        let found: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM cases WHERE id = ?1",
                [case.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if found.is_none() {
            return Err(StoreError::CaseNotFound {
                id: case.to_string(),
            });
        }
        self.consents_where("case_id = ?1", &case.to_string())
    }

    fn consents_where(&self, condition: &str, value: &str) -> Result<Vec<Consent>, StoreError> {
        // Entry order: `created_at` has millisecond steps, so two consents entered in the same
        // millisecond tie; rowid breaks the tie in the order they were written (VACUUM and
        // sqlcipher_export copy rows in rowid order, so the relative order survives both).
        let mut stmt = self.conn.prepare(&format!(
            "{SELECT} WHERE {condition} ORDER BY given_on, created_at, rowid"
        ))?;
        let rows: Vec<RawConsent> = stmt.query_map([value], row)?.collect::<Result<_, _>>()?;
        rows.into_iter().map(RawConsent::into_consent).collect()
    }
}
