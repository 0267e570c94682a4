-- Taiwa schema 8: every file that leaves says what it is and, with no recipient, why it was made
-- (issue 18, "one gate"). Before, a line without a recipient could be the person's own copy, a
-- copy kept by the recording organisation or the record printed on a terminal, and the log could
-- not tell them apart.
--
-- format: pdf, svg or json (the record shown by `taiwa show`).
-- purpose: for a line without a recipient, why the file was made: person_copy (本人控え),
--   kept_on_record (記録保管: kept by the recording organisation, not handed on), shown (printed
--   on the user's own screen). NULL on older lines and on lines with a recipient.
ALTER TABLE disclosures ADD COLUMN format TEXT;
ALTER TABLE disclosures ADD COLUMN purpose TEXT;
