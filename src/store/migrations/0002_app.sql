-- Taiwa schema 2: what the desktop app needs beyond the CLI.

-- The document's next review (YYYY-MM-DD): the earliest of its template's review_fields, set on
-- every save. Lets the case list filter "review due soon" without reading revisions.
ALTER TABLE documents ADD COLUMN review_on TEXT;
CREATE INDEX documents_by_review ON documents (review_on) WHERE review_on IS NOT NULL;

-- The editor's working copy of a draft, written a moment after each edit: not validated and not a
-- revision (revisions stay meaningful steps). One row per document, replaced on every autosave and
-- removed once a revision is saved from it; a crash or a closed window loses at most a few seconds.
CREATE TABLE autosaves (
    document_id TEXT PRIMARY KEY NOT NULL REFERENCES documents (id),
    record_json TEXT NOT NULL,
    base_seq    INTEGER NOT NULL,          -- the head revision the working copy started from
    saved_at    TEXT NOT NULL
) STRICT;
