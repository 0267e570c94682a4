-- Taiwa schema 1. Applied in one transaction with PRAGMA user_version = 1 (src/store/migrate.rs).

CREATE TABLE cases (
    id           TEXT PRIMARY KEY NOT NULL,          -- uuid
    display_name TEXT NOT NULL,
    pseudonym    TEXT,
    employer     TEXT,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

CREATE TABLE documents (
    -- A stable integer key: the search index's rowid. (An implicit rowid may change on VACUUM.)
    num              INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,           -- uuid, the record's id
    case_id          TEXT NOT NULL REFERENCES cases (id),
    template         TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'final', 'superseded')),
    title            TEXT NOT NULL,
    head_seq         INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX documents_by_case ON documents (case_id, updated_at);
CREATE INDEX documents_by_update ON documents (updated_at);

-- Every save appends a revision; none is ever changed or removed. sha256 is over record_json
-- (the canonical JSON of the whole record) and prev_sha256 links to the revision before it.
CREATE TABLE revisions (
    document_id TEXT NOT NULL REFERENCES documents (id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    status      TEXT NOT NULL CHECK (status IN ('draft', 'final', 'superseded')),
    record_json TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    prev_sha256 TEXT,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (document_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER revisions_append_only_update BEFORE UPDATE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are append-only');
END;
CREATE TRIGGER revisions_append_only_delete BEFORE DELETE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are append-only');
END;

-- The person's consent that a document (or some of its sections) may go to a recipient.
CREATE TABLE consents (
    id            TEXT PRIMARY KEY NOT NULL,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    document_id   TEXT REFERENCES documents (id),
    sections      TEXT,                               -- JSON array of section/part keys; NULL: all
    recipient     TEXT NOT NULL,
    recipient_role TEXT,
    purpose       TEXT NOT NULL,
    method        TEXT NOT NULL CHECK (method IN ('signature', 'name', 'electronic', 'oral')),
    recorded_by   TEXT,
    given_on      TEXT NOT NULL,
    expires_on    TEXT,
    withdrawn_on  TEXT,
    created_at    TEXT NOT NULL
) STRICT;
CREATE INDEX consents_by_document ON consents (document_id);

-- Every provision of a document outside the device. No foreign keys: a line outlives the case it
-- speaks of (after deletion it keeps a content-free trace).
CREATE TABLE disclosures (
    id              TEXT PRIMARY KEY NOT NULL,
    case_id         TEXT NOT NULL,
    document_id     TEXT,
    revision_seq    INTEGER,
    revision_sha256 TEXT,
    recipient       TEXT,
    consent_id      TEXT,
    parts           TEXT,
    file_sha256     TEXT,
    kind            TEXT NOT NULL DEFAULT 'export',
    created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX disclosures_by_document ON disclosures (document_id);

-- Search over NFKC-normalised, kana-folded text (src/store/search.rs). rowid = documents.num.
CREATE VIRTUAL TABLE search_index USING fts5 (
    document_id UNINDEXED,
    case_id UNINDEXED,
    body,
    tokenize = 'trigram'
);
