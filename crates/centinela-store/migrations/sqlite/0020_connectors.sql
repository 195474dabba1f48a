-- Connectors (issue 21): each pulls one alert list from its source (Interpol
-- public notices, the UN consolidated list, an OpenSanctions/FtM feed, a
-- national list at a URL or dropped in a directory) on a schedule, as a new
-- version of the list. `credential` names where the secret is read at each
-- run (`env:NAME` or `file:/path`), never the secret itself. `state` is
-- the connector's own JSON between runs (ETag, Last-Modified, the last file
-- taken from a directory …).
CREATE TABLE connectors (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL,
    base_url         TEXT    NOT NULL,
    list_name        TEXT    NOT NULL,
    list_kind        TEXT    NOT NULL CHECK (list_kind IN ('wanted', 'missing', 'documents', 'watch')),
    schedule_minutes INTEGER NOT NULL CHECK (schedule_minutes > 0),
    max_age_hours    INTEGER NOT NULL CHECK (max_age_hours > 0),
    credential       TEXT    NOT NULL DEFAULT '',
    enabled          INTEGER NOT NULL DEFAULT 1,
    state            TEXT    NOT NULL DEFAULT '{}',
    last_run_at      TEXT,
    -- 'imported', 'unchanged', 'not_modified' or 'failed'.
    last_outcome     TEXT,
    last_message     TEXT    NOT NULL DEFAULT '',
    last_success_at  TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);

-- Freshness: when the list was last confirmed against its source (an
-- import, a pull that found it unchanged), and how old it may grow before
-- posts are warned (NULL: no expectation).
ALTER TABLE alert_lists ADD COLUMN refreshed_at TEXT;
ALTER TABLE alert_lists ADD COLUMN max_age_hours INTEGER;
UPDATE alert_lists SET refreshed_at = (SELECT v.imported_at FROM list_versions v WHERE v.id = alert_lists.current_version_id);
