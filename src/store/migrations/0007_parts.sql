-- Taiwa schema 7: a save re-indexes only what changed (issue 8, bench/README.md "Scale").
--
-- Schema 6 indexed each document's whole text as one row of two FTS5 tables that kept a copy of
-- it. Every save re-tokenised all of it (about 8,000 characters for a dialogue record) twice:
-- once to delete the old terms, once to add the new; 60% of a save at 100,000 documents.
-- Now a document is indexed in parts (search.rs: index_parts): part 0 its display name, part
-- i + 1 the text of its form's section i. Index rowid = documents.num << 8 | part. The FTS5
-- tables keep no copy of the text (content = '') and delete by rowid (contentless_delete = 1):
-- removing a part's terms does not read or tokenise it. search_text keeps each part's folded
-- text, for a save to compare against and for the LIKE scan of short queries with punctuation.

DROP TABLE search_index;
DROP TABLE search_grams;

CREATE TABLE search_text (
    num  INTEGER NOT NULL REFERENCES documents (num),
    part INTEGER NOT NULL CHECK (part BETWEEN 0 AND 255),
    body TEXT NOT NULL,
    PRIMARY KEY (num, part)
) STRICT, WITHOUT ROWID;

CREATE VIRTUAL TABLE search_index USING fts5 (
    body,
    tokenize = 'trigram',
    content = '',
    contentless_delete = 1
);
CREATE VIRTUAL TABLE search_grams USING fts5 (
    grams,
    tokenize = 'unicode61 remove_diacritics 0',
    detail = none,
    content = '',
    contentless_delete = 1
);

-- Every document's newest revision, through taiwa_index_parts() (search.rs), registered before
-- migrating. No ORDER BY: documents are read in num order anyway, and a sort would hold every
-- part's text in memory (SQLCipher keeps temporary data in memory).
INSERT INTO search_text (num, part, body)
    SELECT d.num, p.key, p.value
    FROM documents d
    JOIN revisions r ON r.document_id = d.id AND r.seq = d.head_seq,
    json_each(taiwa_index_parts(r.record_json, d.title)) p
    WHERE p.value <> '';
INSERT INTO search_index (rowid, body) SELECT (num << 8) | part, body FROM search_text;
INSERT INTO search_grams (rowid, grams) SELECT (num << 8) | part, taiwa_grams(body) FROM search_text;
