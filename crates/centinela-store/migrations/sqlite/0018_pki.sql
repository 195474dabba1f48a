-- Trust anchors for the ePassport chip's Passive Authentication
-- (centinela-chip): CSCA certificates and CRLs, imported one by one or from
-- an ICAO CSCA Master List. Each import is a version (like alert lists); an
-- anchor is kept once (by the SHA-256 of its DER) under the version that
-- first brought it (the audit entry counts what each import added and
-- found already held). Append-only by trigger, each import audited in the
-- same transaction (`pki_imported`).

CREATE TABLE pki_versions (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('master_list', 'csca', 'crl')),
    -- The imported file's base name and SHA-256 (hex).
    file_name   TEXT    NOT NULL,
    file_sha256 TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    imported_at TEXT    NOT NULL
);

CREATE TABLE pki_anchors (
    id          INTEGER PRIMARY KEY,
    version_id  INTEGER NOT NULL REFERENCES pki_versions (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('csca', 'crl')),
    -- SHA-256 of the DER, hex: an anchor is held once.
    fingerprint TEXT    NOT NULL UNIQUE,
    country     TEXT    NOT NULL,
    -- The certificate's subject or the CRL's issuer (RFC 4514).
    subject     TEXT    NOT NULL,
    -- Certificate: not before / not after. CRL: this update / next update.
    valid_from  TEXT    NOT NULL,
    valid_to    TEXT,
    der         BLOB    NOT NULL
);

CREATE TRIGGER pki_versions_no_update BEFORE UPDATE ON pki_versions
BEGIN
    SELECT RAISE(ABORT, 'pki_versions is append-only');
END;

CREATE TRIGGER pki_versions_no_delete BEFORE DELETE ON pki_versions
BEGIN
    SELECT RAISE(ABORT, 'pki_versions is append-only');
END;

CREATE TRIGGER pki_anchors_no_update BEFORE UPDATE ON pki_anchors
BEGIN
    SELECT RAISE(ABORT, 'pki_anchors is append-only');
END;

CREATE TRIGGER pki_anchors_no_delete BEFORE DELETE ON pki_anchors
BEGIN
    SELECT RAISE(ABORT, 'pki_anchors is append-only');
END;
