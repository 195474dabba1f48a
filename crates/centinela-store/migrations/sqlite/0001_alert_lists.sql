-- Alert lists, their versions, and each version's rows.
-- Timestamps are RFC 3339 UTC text (they sort as text).

CREATE TABLE alert_lists (
    id                 INTEGER PRIMARY KEY,
    name               TEXT    NOT NULL UNIQUE,
    kind               TEXT    NOT NULL CHECK (kind IN ('wanted', 'missing', 'documents', 'watch')),
    source             TEXT    NOT NULL DEFAULT '',
    active             INTEGER NOT NULL DEFAULT 1,
    current_version_id INTEGER REFERENCES list_versions (id),
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
);

CREATE TABLE list_versions (
    id            INTEGER PRIMARY KEY,
    list_id       INTEGER NOT NULL REFERENCES alert_lists (id),
    version       INTEGER NOT NULL,
    imported_at   TEXT    NOT NULL,
    file_name     TEXT    NOT NULL,
    format        TEXT    NOT NULL,
    rows_read     INTEGER NOT NULL,
    rows_imported INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    rows_skipped  INTEGER NOT NULL DEFAULT 0,
    -- When this version's rows were deleted (the metadata row stays).
    purged_at     TEXT,
    UNIQUE (list_id, version)
);

-- One person of a wanted, missing or watch list version.
CREATE TABLE list_entries (
    version_id  INTEGER NOT NULL REFERENCES list_versions (id),
    entry_id    TEXT    NOT NULL,
    given_names TEXT    NOT NULL,
    surnames    TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    -- The whole AlertEntry as JSON.
    data        TEXT    NOT NULL,
    PRIMARY KEY (version_id, entry_id)
) WITHOUT ROWID;

-- One reported document of a documents list version. `number` is normalised
-- (DocumentNumber); `issuing_state` is '' when the list gave none.
CREATE TABLE documents (
    version_id     INTEGER NOT NULL REFERENCES list_versions (id),
    number         TEXT    NOT NULL,
    confusable_key TEXT    NOT NULL,
    issuing_state  TEXT    NOT NULL,
    document_type  TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('stolen', 'lost', 'stolen_blank', 'revoked')),
    reported_at    TEXT    NOT NULL
);

-- Exact and confusable lookups both go through the confusable key.
CREATE INDEX documents_confusable_key ON documents (confusable_key);
