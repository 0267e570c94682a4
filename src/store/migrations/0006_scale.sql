-- Taiwa schema 6: what 100,000 documents need (issue 8).

-- The case list's first page: newest cases without sorting every case.
CREATE INDEX cases_by_update ON cases (updated_at DESC, id);

-- One- and two-character search. Trigram MATCH needs three characters, and the LIKE scan it fell
-- back to reads every document's text (seconds at 100,000 documents; Japanese surnames and terms
-- are often two characters). Each document's folded text as its distinct one- and two-character
-- grams, one token each (search.rs: grams); presence is all a query asks, so no positions
-- (detail = none). rowid = documents.num, like search_index. Filled here from search_index
-- through taiwa_grams(), a Rust function the store registers before migrating.
CREATE VIRTUAL TABLE search_grams USING fts5 (
    grams,
    tokenize = 'unicode61 remove_diacritics 0',
    detail = none
);
INSERT INTO search_grams (rowid, grams) SELECT rowid, taiwa_grams(body) FROM search_index;
