-- Taiwa schema 3: the consent ledger and the disclosure log in use (issue 6). The tables exist
-- since schema 1; this adds what they need and the rules that keep them honest.

-- The document's head revision when the consent was recorded (for the record: a consent covers
-- the document, not one revision).
ALTER TABLE consents ADD COLUMN given_at_seq INTEGER;
CREATE INDEX consents_by_case ON consents (case_id);

-- A consent is never deleted, and nothing of it changes but its withdrawal date, set once.
CREATE TRIGGER consents_never_deleted BEFORE DELETE ON consents
BEGIN
    SELECT RAISE(ABORT, 'consents are never deleted; withdraw them');
END;
CREATE TRIGGER consents_only_withdrawn BEFORE UPDATE ON consents
WHEN OLD.withdrawn_on IS NOT NULL OR NEW.withdrawn_on IS NULL
    OR NEW.id IS NOT OLD.id OR NEW.case_id IS NOT OLD.case_id
    OR NEW.document_id IS NOT OLD.document_id OR NEW.sections IS NOT OLD.sections
    OR NEW.recipient IS NOT OLD.recipient OR NEW.recipient_role IS NOT OLD.recipient_role
    OR NEW.purpose IS NOT OLD.purpose OR NEW.method IS NOT OLD.method
    OR NEW.recorded_by IS NOT OLD.recorded_by OR NEW.given_on IS NOT OLD.given_on
    OR NEW.expires_on IS NOT OLD.expires_on OR NEW.given_at_seq IS NOT OLD.given_at_seq
    OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'a consent can only be withdrawn, once');
END;

-- An export may rest on several consents: consent_ids is a JSON array of their ids (schema 1's
-- single consent_id column stays NULL). withheld: JSON array of the field paths left out.
ALTER TABLE disclosures ADD COLUMN consent_ids TEXT;
ALTER TABLE disclosures ADD COLUMN withheld TEXT;
CREATE INDEX disclosures_by_case ON disclosures (case_id, created_at);

CREATE TRIGGER disclosures_append_only_update BEFORE UPDATE ON disclosures
BEGIN
    SELECT RAISE(ABORT, 'the disclosure log is append-only');
END;
CREATE TRIGGER disclosures_append_only_delete BEFORE DELETE ON disclosures
BEGIN
    SELECT RAISE(ABORT, 'the disclosure log is append-only');
END;
