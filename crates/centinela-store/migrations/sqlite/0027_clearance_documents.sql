-- A clearance follows the person, not only the document (issue 19, part 4):
-- the other documents that intelligence's identity resolution links to the
-- cleared traveller, each added by the centre as an audited act of its own
-- (`clearance_extended`), at most a few per clearance (checked by the
-- store). A covered document is cleared against the same list entry, with
-- the clearance's content hash, expiry and revocation: it lapses with it.
--
-- Made only where the analysis is (the centre, or a standalone
-- installation): `origin` is '' there and 'central' at a post that pulled
-- it; they travel centre → posts only, like the centre's clearances.
CREATE TABLE clearance_documents (
    id              INTEGER PRIMARY KEY,
    uid             TEXT    NOT NULL UNIQUE,
    clearance_uid   TEXT    NOT NULL REFERENCES clearances (uid),
    document_number TEXT    NOT NULL,
    issuing_state   TEXT    NOT NULL,
    -- The resolved person in the analysis that linked it (`R0000001`) and
    -- why (codes and counts, never a name or a number).
    person          TEXT    NOT NULL,
    evidence        TEXT    NOT NULL,
    added_by        TEXT    NOT NULL,
    added_at        TEXT    NOT NULL,
    origin          TEXT    NOT NULL DEFAULT '',
    UNIQUE (clearance_uid, document_number, issuing_state)
);
CREATE INDEX clearance_documents_document ON clearance_documents (document_number, issuing_state);

CREATE TRIGGER clearance_documents_no_update BEFORE UPDATE ON clearance_documents
BEGIN
    SELECT RAISE(ABORT, 'clearance_documents is append-only: revoke the clearance instead');
END;

-- At a post, how far the centre's covered documents have been pulled.
ALTER TABLE sync_state ADD COLUMN clearance_documents_pulled INTEGER NOT NULL DEFAULT 0;
