-- Taiwa schema 5: retention and case deletion (issue 7, item 6). See src/store/retention.rs and
-- src/store/deletion.rs.

-- The day a case was closed (YYYY-MM-DD): retention counts from it. Cases closed before schema 5
-- take the day of their last change, the closest the database knows.
ALTER TABLE cases ADD COLUMN closed_on TEXT;
UPDATE cases SET closed_on = substr(updated_at, 1, 10) WHERE status = 'closed';

-- This database's settings, one row. retention_years: how long a closed case is kept. 5 by default
-- (retention.rs says why); the value must match DEFAULT_RETENTION_YEARS.
CREATE TABLE settings (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    retention_years INTEGER NOT NULL CHECK (retention_years BETWEEN 1 AND 100)
) STRICT;
INSERT INTO settings (id, retention_years) VALUES (1, 5);

-- A deleted case leaves one line of kind 'case_deleted' in the disclosure log: its id, how many
-- documents it had, the day and the reason code. No name, no content. At most one per case.
ALTER TABLE disclosures ADD COLUMN deleted_documents INTEGER;
ALTER TABLE disclosures ADD COLUMN deletion_reason TEXT;
CREATE UNIQUE INDEX disclosures_one_deletion ON disclosures (case_id) WHERE kind = 'case_deleted';

-- The one way past the append-only rules: the rows of a case whose deletion line is already
-- written (Store::delete_case writes it first, in the same transaction). Nothing else changes.
DROP TRIGGER revisions_append_only_delete;
CREATE TRIGGER revisions_append_only_delete BEFORE DELETE ON revisions
WHEN NOT EXISTS (
    SELECT 1 FROM documents d JOIN disclosures x ON x.case_id = d.case_id AND x.kind = 'case_deleted'
    WHERE d.id = OLD.document_id)
BEGIN
    SELECT RAISE(ABORT, 'revisions are append-only');
END;

DROP TRIGGER consents_never_deleted;
CREATE TRIGGER consents_never_deleted BEFORE DELETE ON consents
WHEN NOT EXISTS (
    SELECT 1 FROM disclosures x WHERE x.case_id = OLD.case_id AND x.kind = 'case_deleted')
BEGIN
    SELECT RAISE(ABORT, 'consents are never deleted; withdraw them');
END;

DROP TRIGGER exchanges_append_only_delete;
CREATE TRIGGER exchanges_append_only_delete BEFORE DELETE ON exchanges
WHEN NOT EXISTS (
    SELECT 1 FROM documents d JOIN disclosures x ON x.case_id = d.case_id AND x.kind = 'case_deleted'
    WHERE d.id = OLD.document_id)
BEGIN
    SELECT RAISE(ABORT, 'exchanges are append-only');
END;

-- A line of a deleted case may lose its revision hash and withheld paths, once, and nothing else
-- (deletion.rs says what is kept and why). Lines are never deleted; the deletion line never changes.
DROP TRIGGER disclosures_append_only_update;
CREATE TRIGGER disclosures_append_only_update BEFORE UPDATE ON disclosures
WHEN NOT (
    OLD.kind != 'case_deleted'
    AND EXISTS (SELECT 1 FROM disclosures x WHERE x.case_id = OLD.case_id AND x.kind = 'case_deleted')
    AND NEW.revision_sha256 IS NULL AND NEW.withheld IS NULL
    AND NEW.id IS OLD.id AND NEW.case_id IS OLD.case_id AND NEW.document_id IS OLD.document_id
    AND NEW.revision_seq IS OLD.revision_seq AND NEW.recipient IS OLD.recipient
    AND NEW.consent_id IS OLD.consent_id AND NEW.consent_ids IS OLD.consent_ids
    AND NEW.parts IS OLD.parts AND NEW.file_sha256 IS OLD.file_sha256 AND NEW.kind IS OLD.kind
    AND NEW.created_at IS OLD.created_at AND NEW.deleted_documents IS OLD.deleted_documents
    AND NEW.deletion_reason IS OLD.deletion_reason)
BEGIN
    SELECT RAISE(ABORT, 'the disclosure log is append-only');
END;
