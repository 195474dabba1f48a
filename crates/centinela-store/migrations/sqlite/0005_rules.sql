-- Risk rules (centinela-rules), with versions. Every save, enabling or
-- disabling is a new row (append-only by trigger) and an audit entry in
-- the same transaction; a rule's current state is its highest version.
-- source is the rule's text in the rule language; the store keeps it as
-- written and the caller checks it before saving.

CREATE TABLE rules (
    id         INTEGER PRIMARY KEY,
    rule_id    TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    source     TEXT    NOT NULL,
    enabled    INTEGER NOT NULL,
    -- 'saved', 'enabled' or 'disabled'.
    change     TEXT    NOT NULL CHECK (change IN ('saved', 'enabled', 'disabled')),
    -- The user (username) who made this version.
    actor      TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    UNIQUE (rule_id, version)
);

CREATE TRIGGER rules_no_update BEFORE UPDATE ON rules
BEGIN
    SELECT RAISE(ABORT, 'rules is append-only');
END;

CREATE TRIGGER rules_no_delete BEFORE DELETE ON rules
BEGIN
    SELECT RAISE(ABORT, 'rules is append-only');
END;
