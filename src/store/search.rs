//! Japanese search over text folded for width, case and kana: an FTS5 trigram index for queries
//! of three characters or more, and for one- and two-character queries (trigram MATCH needs
//! three, and Japanese surnames are often two) an FTS5 index of each document's distinct one- and
//! two-character grams. A LIKE scan is left only for short queries with punctuation.
//!
//! A document is indexed in parts: its display name, then each section of its form. A save
//! re-indexes only the parts whose text changed (most saves change one field), and the indexes
//! keep no copy of the text (contentless FTS5, `contentless_delete`), so removing a part's old
//! terms does not tokenise its old text again. `search_text` holds each part's folded text: what
//! a save compares against, and what the LIKE scan reads. Schema 7 (migrations/0007_parts.sql).

use super::{Store, StoreError};
use crate::record::{DocStatus, Record};
use crate::template::{Field, FieldType, Registry, Template};
use rusqlite::{Connection, Transaction, params};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
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

/// Bits of an index rowid that number the part: rowid = documents.num << PART_BITS | part.
pub(crate) const PART_BITS: u32 = 8;
const LAST_PART: usize = (1 << PART_BITS) - 1;
// The SQL of `text_matches`, deletion.rs and migrations/0007_parts.sql shifts by 8.
const _: () = assert!(PART_BITS == 8);

/// Everything a person might search a document by, folded, in parts: part 0 is the display name,
/// part i + 1 every text value of the form's section i and the Japanese and English labels of
/// the options chosen there. Sections past the last part number share the last part.
pub(crate) fn index_parts(record: &Record, template: &Template, title: &str) -> Vec<String> {
    let mut parts = vec![normalize(title)];
    for section in &template.sections {
        let mut out = String::new();
        for field in &section.fields {
            if let Some(v) = record.fields.get(&field.key) {
                collect(field, v, &mut out);
            }
        }
        let text = normalize(&out);
        match parts.get_mut(LAST_PART) {
            Some(last) => last.push_str(&text),
            None => parts.push(text),
        }
    }
    parts
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

/// SQL functions the migrations use: `taiwa_grams(text)`, `grams` (migration 6 fills
/// `search_grams` with it), and `taiwa_index_parts(record_json, title)`, `index_parts` as a JSON
/// array (migration 7 re-indexes every document's newest revision in parts with it).
pub(crate) fn register_functions(
    conn: &Connection,
    registry: &'static Registry,
) -> Result<(), StoreError> {
    use rusqlite::functions::FunctionFlags;
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("taiwa_grams", 1, flags, |ctx| {
        Ok(grams(&ctx.get::<String>(0)?))
    })?;
    conn.create_scalar_function("taiwa_index_parts", 2, flags, move |ctx| {
        let json = ctx.get::<String>(0)?;
        let title = ctx.get::<String>(1)?;
        let record: Record = serde_json::from_str(&json)
            .map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))?;
        // A form this build does not know keeps its name searchable; its save would be refused.
        let parts = match registry.get(&record.template) {
            Some(template) => index_parts(&record, template, &title),
            None => vec![normalize(&title)],
        };
        serde_json::to_string(&parts).map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))
    })?;
    Ok(())
}

/// Brings the index of `document` to `parts`: a part whose text is what `search_text` already
/// holds is left alone; a changed one has its terms removed and its new text added.
pub(crate) fn reindex(
    tx: &Transaction<'_>,
    document: Uuid,
    parts: &[String],
) -> Result<(), StoreError> {
    let num: i64 = tx.query_row(
        "SELECT num FROM documents WHERE id = ?1",
        [document.to_string()],
        |r| r.get(0),
    )?;
    let mut stored: HashMap<i64, String> = HashMap::new();
    {
        let mut stmt = tx.prepare_cached("SELECT part, body FROM search_text WHERE num = ?1")?;
        let rows = stmt.query_map([num], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for row in rows {
            let (part, body) = row?;
            stored.insert(part, body);
        }
    }
    for (part, text) in parts.iter().enumerate() {
        let part = part as i64;
        let old = stored.remove(&part);
        if old.as_deref() == Some(text.as_str()) {
            continue;
        }
        if old.is_some() {
            remove_part(tx, num, part)?;
        }
        if !text.is_empty() {
            add_part(tx, num, part, text)?;
        }
    }
    // Parts the form no longer has.
    for part in stored.into_keys() {
        remove_part(tx, num, part)?;
    }
    Ok(())
}

fn rowid(num: i64, part: i64) -> i64 {
    (num << PART_BITS) | part
}

fn add_part(tx: &Transaction<'_>, num: i64, part: i64, text: &str) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT INTO search_text (num, part, body) VALUES (?1, ?2, ?3)")?
        .execute(params![num, part, text])?;
    tx.prepare_cached("INSERT INTO search_index (rowid, body) VALUES (?1, ?2)")?
        .execute(params![rowid(num, part), text])?;
    tx.prepare_cached("INSERT INTO search_grams (rowid, grams) VALUES (?1, ?2)")?
        .execute(params![rowid(num, part), grams(text)])?;
    Ok(())
}

fn remove_part(tx: &Transaction<'_>, num: i64, part: i64) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM search_index WHERE rowid = ?1")?
        .execute([rowid(num, part)])?;
    tx.prepare_cached("DELETE FROM search_grams WHERE rowid = ?1")?
        .execute([rowid(num, part)])?;
    tx.prepare_cached("DELETE FROM search_text WHERE num = ?1 AND part = ?2")?
        .execute([num, part])?;
    Ok(())
}

/// A query (parameter ?1) yielding the `documents.num` of every document whose folded text
/// holds `q`, a number once per matching part, and its argument: trigram MATCH from three
/// characters; one or two letters or digits as a gram of `search_grams`; an escaped LIKE scan for
/// the rest (short queries with punctuation).
pub(crate) fn text_matches(q: &str) -> (&'static str, String) {
    let quoted = || format!("\"{}\"", q.replace('"', "\"\""));
    let length = q.chars().count();
    if length >= 3 {
        // A quoted FTS5 string: the query is matched as a phrase of trigrams, never as syntax.
        (
            "SELECT rowid >> 8 FROM search_index WHERE search_index MATCH ?1",
            quoted(),
        )
    } else if q.chars().all(gram_char) {
        (
            "SELECT rowid >> 8 FROM search_grams WHERE search_grams MATCH ?1",
            quoted(),
        )
    } else {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        (
            "SELECT num FROM search_text WHERE body LIKE ?1 ESCAPE '\\'",
            format!("%{escaped}%"),
        )
    }
}

/// Below this many matching documents a search looks each one up and sorts them; above it, it
/// reads documents newest first until SEARCH_LIMIT match (which stops early for a common term,
/// but reads the whole index for a rare one).
const FEW_MATCHES: usize = 2_000;

/// How many hits a search returns at most; the newest first.
pub const SEARCH_LIMIT: usize = 200;

impl Store {
    /// Documents whose text contains `query` after folding. Blank queries find nothing.
    pub fn search(&self, query: &str) -> Result<Vec<SearchHit>, StoreError> {
        self.search_planned(query, FEW_MATCHES)
    }

    /// `search`, looking matches up one by one when at most `few` documents match.
    fn search_planned(&self, query: &str, few: usize) -> Result<Vec<SearchHit>, StoreError> {
        let q = normalize(query.trim());
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let (matches, arg) = text_matches(&q);
        let select =
            "SELECT d.id, d.case_id, c.display_name, d.template, d.status, d.title, d.updated_at
             FROM documents d";
        let few = self.few_matches(matches, &arg, few)?;
        let mut stmt;
        let rows = match &few {
            // A rare term: its documents, looked up by number and sorted.
            Some(nums) => {
                stmt = self.conn.prepare(&format!(
                    "{select} JOIN cases c ON c.id = d.case_id
                     WHERE d.num IN (SELECT value FROM json_each(?1))
                     ORDER BY d.updated_at DESC LIMIT ?2"
                ))?;
                let list = nums
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                stmt.query(params![format!("[{list}]"), SEARCH_LIMIT as i64])?
            }
            // A common one: from the newest document down (documents_by_update, read
            // backwards), keeping the matches, until SEARCH_LIMIT. Left to itself SQLite looked
            // up every match and sorted them all: 0.25-0.4 s for a common term at 100,000
            // documents, against 4-30 ms this way. bench/README.md "Scale".
            None => {
                stmt = self.conn.prepare(&format!(
                    "{select} INDEXED BY documents_by_update JOIN cases c ON c.id = d.case_id
                     WHERE d.num IN ({matches}) ORDER BY d.updated_at DESC LIMIT ?2"
                ))?;
                stmt.query(params![arg, SEARCH_LIMIT as i64])?
            }
        };
        let rows = rows.mapped(|r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get::<_, String>(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        });
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

    /// The numbers of the documents `matches` finds, when there are at most `few`.
    fn few_matches(
        &self,
        matches: &str,
        arg: &str,
        few: usize,
    ) -> Result<Option<Vec<i64>>, StoreError> {
        let mut stmt = self.conn.prepare(matches)?;
        let mut rows = stmt.query([arg])?;
        let mut nums = Vec::new();
        // Several parts of one document may match, one after the other (rowid order).
        while let Some(row) = rows.next()? {
            let num: i64 = row.get(0)?;
            if nums.last() != Some(&num) {
                if nums.len() == few {
                    return Ok(None);
                }
                nums.push(num);
            }
        }
        Ok(Some(nums))
    }
}

#[cfg(test)]
mod tests {
    use super::{grams, normalize};
    use crate::record::{DocStatus, parse_record};
    use crate::store::{OpenMode, Store};
    use crate::template::Registry;
    use serde_json::json;

    #[test]
    fn both_plans_find_the_same_documents_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(
            &dir.path().join("t.db"),
            "検索計画の試験 correct horse",
            OpenMode::CreateIfMissing,
        )
        .unwrap();
        let sample = include_bytes!("../../samples/dialogue-record.json");
        for i in 0..12 {
            let mut record = parse_record(sample, Registry::builtin()).unwrap();
            record.status = DocStatus::Draft;
            record
                .fields
                .insert("person_name".into(), json!(format!("計画 試験{i}")));
            if i % 3 == 0 {
                record
                    .fields
                    .insert("good_day".into(), json!("まれな語句がある日"));
            }
            store.save_record(&record, None).unwrap();
        }
        for (q, n) in [
            ("まれな語句", 4),
            ("計画", 12),
            ("画", 12),
            ("試験1", 3),
            ("試験1、", 0),
        ] {
            // few = 0: read documents newest first; few = MAX: look the matches up and sort.
            let walked = store.search_planned(q, 0).unwrap();
            let looked_up = store.search_planned(q, usize::MAX).unwrap();
            let ids = |h: &[super::SearchHit]| h.iter().map(|h| h.document_id).collect::<Vec<_>>();
            assert_eq!(ids(&walked), ids(&looked_up), "{q}");
            assert_eq!(walked.len(), n, "{q}");
            assert!(
                walked
                    .windows(2)
                    .all(|w| w[0].updated_at >= w[1].updated_at),
                "{q}: not newest first"
            );
        }
    }

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
