-- Taiwa schema 7: a save leaves the search index to be brought up to date after it (issue 8).
--
-- Indexing a document (search_index's trigrams, search_grams's grams, and FTS5 merging the
-- segments they make) was most of a save at 100,000 documents, and all of its slow tail. A save
-- now writes the document's folded text here, in its own transaction; the index catches up when
-- the user is idle (the app), and before any search reads it (Store::search, the case list's text
-- filter; one that cannot write reads these texts beside the index). num = documents.num; one row
-- per document, the newest text.
CREATE TABLE search_pending (
    num  INTEGER PRIMARY KEY,
    body TEXT NOT NULL
) STRICT;
