//! Japanese search over text folded for width, case and kana: an FTS5 trigram index for queries
//! of three characters or more, and for one- and two-character queries (trigram MATCH needs
//! three, and Japanese surnames are often two) an FTS5 index of each document's distinct one- and
//! two-character grams. A LIKE scan is left only for short queries with punctuation.

use super::{Store, StoreError};
use crate::record::{DocStatus, Record};
use crate::template::{Field, FieldType, Template};
use rusqlite::{Connection, Transaction, TransactionBehavior, params};
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

/// Characters that make grams: letters and digits, the characters FTS5's unicode61 tokenizer
/// keeps in tokens (anything else separates them, so a gram holding it could never match).
fn gram_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The distinct one- and two-character grams of folded `text`, space-separated: one token each
/// for the unicode61 tokenizer of `search_grams`.
pub(crate) fn grams(text: &str) -> String {
    // A sorted, deduplicated Vec: a BTreeSet's node per gram cost more than the FTS5 insert.
    let mut all: Vec<&str> = Vec::with_capacity(2 * text.len() / 3);
    let mut prev: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if !gram_char(c) {
            prev = None;
            continue;
        }
        let end = i + c.len_utf8();
        all.push(&text[i..end]);
        if let Some(start) = prev {
            all.push(&text[start..end]);
        }
        prev = Some(i);
    }
    all.sort_unstable();
    all.dedup();
    all.join(" ")
}

/// `taiwa_grams(text)`: `grams` for SQL, which migration 6 uses to fill `search_grams` from the
/// text already indexed.
pub(crate) fn register_functions(conn: &Connection) -> Result<(), StoreError> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "taiwa_grams",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(grams(&ctx.get::<String>(0)?)),
    )?;
    Ok(())
}

/// Indexes `body` as the text of `document` now, replacing what was indexed or left pending.
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
    // An older text left pending must not replace this one when the index catches up.
    tx.execute("DELETE FROM search_pending WHERE num = ?1", [rowid])?;
    index(tx, rowid, &document.to_string(), &case.to_string(), body)
}

/// Leaves `body` for the index to catch up with (`catch_up`): what a save does instead of
/// indexing, which was most of its time at 100,000 documents (migrations/0007).
pub(crate) fn defer(tx: &Transaction<'_>, document: Uuid, body: &str) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO search_pending (num, body) SELECT num, ?2 FROM documents WHERE id = ?1
         ON CONFLICT (num) DO UPDATE SET body = excluded.body",
        params![document.to_string(), body],
    )?;
    Ok(())
}

/// Indexes every pending text in one transaction; the number indexed. Cheap when none is pending
/// (one read, no lock taken). Takes `&Connection` so that searches, which only read, can call it.
pub(crate) fn catch_up(conn: &Connection) -> Result<usize, StoreError> {
    let pending: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM search_pending)", [], |r| {
            r.get(0)
        })?;
    if !pending {
        return Ok(0);
    }
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let rows: Vec<(i64, String, String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT p.num, d.id, d.case_id, p.body
             FROM search_pending p JOIN documents d ON d.num = p.num",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (num, document, case, body) in &rows {
        index(&tx, *num, document, case, body)?;
    }
    // Rows of documents that no longer exist are dropped with the rest.
    tx.execute("DELETE FROM search_pending", [])?;
    tx.commit()?;
    Ok(rows.len())
}

fn index(
    tx: &Transaction<'_>,
    rowid: i64,
    document: &str,
    case: &str,
    body: &str,
) -> Result<(), StoreError> {
    tx.execute("DELETE FROM search_index WHERE rowid = ?1", [rowid])?;
    tx.execute(
        "INSERT INTO search_index (rowid, document_id, case_id, body) VALUES (?1, ?2, ?3, ?4)",
        params![rowid, document, case, body],
    )?;
    tx.execute("DELETE FROM search_grams WHERE rowid = ?1", [rowid])?;
    tx.execute(
        "INSERT INTO search_grams (rowid, grams) VALUES (?1, ?2)",
        params![rowid, grams(body)],
    )?;
    Ok(())
}

/// The WHERE condition on `documents d` (parameter ?1) and its argument that find the folded
/// text `q`: trigram MATCH from three characters; one or two letters or digits as a gram of
/// `search_grams`; an escaped LIKE scan for the rest (short queries with punctuation).
pub(crate) fn text_condition(q: &str) -> (&'static str, String) {
    let quoted = || format!("\"{}\"", q.replace('"', "\"\""));
    let length = q.chars().count();
    if length >= 3 {
        // A quoted FTS5 string: the query is matched as a phrase of trigrams, never as syntax.
        (
            "d.num IN (SELECT rowid FROM search_index WHERE search_index MATCH ?1)",
            quoted(),
        )
    } else if q.chars().all(gram_char) {
        (
            "d.num IN (SELECT rowid FROM search_grams WHERE search_grams MATCH ?1)",
            quoted(),
        )
    } else {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        (
            "d.num IN (SELECT rowid FROM search_index WHERE body LIKE ?1 ESCAPE '\\')",
            format!("%{escaped}%"),
        )
    }
}

/// How many hits a search returns at most; the newest first.
pub const SEARCH_LIMIT: usize = 200;

impl Store {
    /// Brings the search index up to date with every save (see `defer`); the number of documents
    /// indexed. The app calls it when the user is idle; searches call it first.
    pub fn catch_up_search(&self) -> Result<usize, StoreError> {
        catch_up(&self.conn).map_err(|e| self.located(e))
    }

    /// Documents whose text contains `query` after folding. Blank queries find nothing.
    pub fn search(&self, query: &str) -> Result<Vec<SearchHit>, StoreError> {
        let q = normalize(query.trim());
        if q.is_empty() {
            return Ok(Vec::new());
        }
        self.catch_up_search()?;
        // From the newest document down (documents_by_update, read backwards), keeping the
        // matches, until SEARCH_LIMIT. Left to itself SQLite looked up every match and sorted them
        // all: 0.25-0.4 s for a common term at 100,000 documents, against 4-30 ms this way (the
        // most for a rare term: the whole index is read). bench/README.md "Scale".
        let select =
            "SELECT d.id, d.case_id, c.display_name, d.template, d.status, d.title, d.updated_at
             FROM documents d INDEXED BY documents_by_update JOIN cases c ON c.id = d.case_id";
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
    use super::{grams, normalize};

    #[test]
    fn grams_are_the_distinct_one_and_two_character_runs_sorted() {
        assert_eq!(grams("山田 山田、田中"), "中 山 山田 田 田中");
        assert_eq!(grams("ab-ab"), "a ab b");
        assert_eq!(grams(" 、 "), "");
    }

    #[test]
    fn folds_width_case_and_kana() {
        assert_eq!(normalize("ｻﾄｳ"), normalize("サトウ"));
        assert_eq!(normalize("サトウ"), "さとう");
        assert_eq!(normalize("ＡＢＣ１２３"), "abc123");
        assert_eq!(normalize("ｶﾞｯｺｳ"), "がっこう");
        assert_eq!(normalize("山田 花子"), "山田 花子");
    }
}
