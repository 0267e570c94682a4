-- Taiwa schema 4: the employer ↔ clinician round trip (issue 6, part 4). Every file of the round
-- trip made here ('sent') or imported here ('received'), with the record it carried. A received
-- row also holds the fields the document must keep as received (the read-only rule, checked by
-- Store::save_record): the latest received row of a document is the one that holds.

CREATE TABLE exchanges (
    num             INTEGER PRIMARY KEY,                -- order of recording
    id              TEXT NOT NULL UNIQUE,               -- uuid
    document_id     TEXT NOT NULL,
    direction       TEXT NOT NULL CHECK (direction IN ('sent', 'received')),
    kind            TEXT NOT NULL CHECK (kind IN ('for_clinician', 'from_clinician')),
    -- sent: the revision the file was made from; received: the revision the import left as head
    revision_seq    INTEGER NOT NULL,
    revision_sha256 TEXT NOT NULL,
    envelope_json   TEXT NOT NULL,                      -- the envelope as written or read
    record_json     TEXT NOT NULL,                      -- the attached record (canonical JSON)
    record_sha256   TEXT NOT NULL,                      -- SHA-256 of the attached record.json bytes
    file_sha256     TEXT NOT NULL,
    read_only       TEXT,                               -- received: JSON object, field → value kept
    created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX exchanges_by_document ON exchanges (document_id, num);
CREATE INDEX exchanges_by_record ON exchanges (record_sha256);

CREATE TRIGGER exchanges_append_only_update BEFORE UPDATE ON exchanges
BEGIN
    SELECT RAISE(ABORT, 'exchanges are append-only');
END;
CREATE TRIGGER exchanges_append_only_delete BEFORE DELETE ON exchanges
BEGIN
    SELECT RAISE(ABORT, 'exchanges are append-only');
END;
