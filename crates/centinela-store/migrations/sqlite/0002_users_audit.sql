-- Users with their roles, and the tamper-evident audit chain.
-- Timestamps are RFC 3339 UTC text.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL
                  CHECK (role IN ('officer', 'supervisor', 'analyst', 'protection', 'admin', 'auditor')),
    -- The border post the user works at; NULL for country-wide users.
    post_code     TEXT,
    -- argon2id, as a PHC string ($argon2id$v=19$m=…).
    password_hash TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
);

-- Append-only: hash = SHA-256(prev_hash || canonical(seq, at, actor, action,
-- subject, detail)); the first entry's prev_hash is 32 zero bytes
-- (centinela_domain::audit). No personal data: subject is an id, detail
-- JSON of codes, counts and ids.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
