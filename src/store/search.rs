//! Japanese search: an FTS5 trigram index over text folded for width, case and kana, with a LIKE
//! scan for one- and two-character queries (trigram MATCH needs at least three characters, and
//! Japanese surnames are often two).

use super::{Store, StoreError};
use crate::record::{DocStatus, Record};
use crate::template::{Field, FieldType, Template};
use rusqlite::{Transaction, params};
use serde::Serialize;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub document_id: Uuid,
    pub case_id: Uuid,
    pub case_name: String,
    pub template: String,
    pub status: DocStatus,
    pub title: String,
    pub updated_at: String,
}

/// The folded form used on both sides of a search: NFKC (ｶﾀｶﾅ → カタカナ, ＡＢＣ → ABC),
/// lower case, and katakana → hiragana (サトウ and さとう find each other).
pub fn normalize(s: &str) -> String {
    s.nfkc()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Everything a person might search a document by: the display name and every text value, plus
/// the Japanese and English labels of the options chosen.
pub(crate) fn index_text(record: &Record, template: &Template, title: &str) -> String {
    let mut out = String::new();
    out.push_str(title);
    for field in template.sections.iter().flat_map(|s| &s.fields) {
        if let Some(v) = record.fields.get(&field.key) {
            collect(field, v, &mut out);
        }
    }
    normalize(&out)
}

fn collect(field: &Field, v: &Value, out: &mut String) {
    let mut push = |s: &str| {
        out.push('\n');
        out.push_str(s);
    };
    match (field.kind, v) {
        (FieldType::Choice | FieldType::Multi, _) => {
            let keys: Vec<&str> = match v {
                Value::String(s) => vec![s.as_str()],
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            for key in keys {
                if let Some(o) = field.option(key) {
                    push(&o.label.ja);
                    push(&o.label.en);
                }
            }
        }
        (_, Value::String(s)) => push(s),
        (_, Value::Array(rows)) if field.kind == FieldType::Group => {
            for row in rows {
                for sub in &field.fields {
                    if let Some(sv) = row.get(&sub.key) {
                        collect(sub, sv, out);
                    }
                }
            }
        }
        (_, Value::Object(obj)) => {
            for sub in &field.fields {
                if let Some(sv) = obj.get(&sub.key) {
                    collect(sub, sv, out);
                }
            }
        }
        _ => {}
    }
}

pub(crate) fn reindex(
    tx: &Transaction<'_>,
    document: Uuid,
    case: Uuid,
    body: &str,
) -> Result<(), StoreError> {
    let rowid: i64 = tx.query_row(
        "SELECT num FROM documents WHERE id = ?1",
        [document.to_string()],
        |r| r.get(0),
    )?;
    tx.execute("DELETE FROM search_index WHERE rowid = ?1", [rowid])?;
    tx.execute(
        "INSERT INTO search_index (rowid, document_id, case_id, body) VALUES (?1, ?2, ?3, ?4)",
        params![rowid, document.to_string(), case.to_string(), body],
    )?;
    Ok(())
}

/// The WHERE condition (on `search_index s`, parameter ?1) and its argument that find the folded
/// text `q`: trigram MATCH from three characters, an escaped LIKE scan below.
pub(crate) fn text_condition(q: &str) -> (&'static str, String) {
    if q.chars().count() >= 3 {
        // A quoted FTS5 string: the query is matched as a phrase of trigrams, never as syntax.
        (
            "search_index MATCH ?1",
            format!("\"{}\"", q.replace('"', "\"\"")),
        )
    } else {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        ("s.body LIKE ?1 ESCAPE '\\'", format!("%{escaped}%"))
    }
}

/// How many hits a search returns at most; the newest first.
pub const SEARCH_LIMIT: usize = 200;

impl Store {
    /// Documents whose text contains `query` after folding. Blank queries find nothing.
    pub fn search(&self, query: &str) -> Result<Vec<SearchHit>, StoreError> {
        let q = normalize(query.trim());
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let select = "SELECT d.id, d.case_id, c.display_name, d.template, d.status, d.title, d.updated_at
             FROM search_index s JOIN documents d ON d.num = s.rowid JOIN cases c ON c.id = d.case_id";
        let (condition, arg) = text_condition(&q);
        let sql = format!("{select} WHERE {condition} ORDER BY d.updated_at DESC LIMIT ?2");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params![arg, SEARCH_LIMIT as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get::<_, String>(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, case_id, case_name, template, status, title, updated_at) = row?;
            let bad = |what: &str| StoreError::Corrupt {
                detail: format!("search index: bad {what}"),
            };
            out.push(SearchHit {
                document_id: Uuid::parse_str(&id).map_err(|_| bad("document id"))?,
                case_id: Uuid::parse_str(&case_id).map_err(|_| bad("case id"))?,
                case_name,
                template,
                status: DocStatus::parse(&status).ok_or_else(|| bad("status"))?,
                title,
                updated_at,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn folds_width_case_and_kana() {
        assert_eq!(normalize("ｻﾄｳ"), normalize("サトウ"));
        assert_eq!(normalize("サトウ"), "さとう");
        assert_eq!(normalize("ＡＢＣ１２３"), "abc123");
        assert_eq!(normalize("ｶﾞｯｺｳ"), "がっこう");
        assert_eq!(normalize("山田 花子"), "山田 花子");
    }
}
