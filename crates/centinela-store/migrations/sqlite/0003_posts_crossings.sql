-- Border posts, crossings (as imported or registered at inspection), what
-- each inspection showed, hits, their adjudications, officers' decisions and
-- referrals. Crossings, inspections, hits, adjudications, decisions and
-- referrals are append-only: a correction is a new row that points to the
-- row it corrects (`corrects`). Timestamps are RFC 3339 UTC text.

CREATE TABLE posts (
    id            INTEGER PRIMARY KEY,
    code          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    country       TEXT    NOT NULL,
    -- The post across the border (its code) and the kind of crossing.
    facing        TEXT    NOT NULL DEFAULT '',
    kind          TEXT    NOT NULL DEFAULT 'land' CHECK (kind IN ('land', 'air', 'sea')),
    -- SHA-256 of the post's synchronisation key (the key itself is shown once).
    sync_key_hash BLOB    NOT NULL,
    created_at    TEXT    NOT NULL
);

-- One traveller passing one post. The traveller's fields are as registered
-- (CONTRACTS.md "Crossing records"); empty text means unknown.
CREATE TABLE crossings (
    id              INTEGER PRIMARY KEY,
    crossing_id     TEXT    NOT NULL UNIQUE,
    post            TEXT    NOT NULL,
    direction       TEXT    NOT NULL CHECK (direction IN ('entry', 'exit')),
    crossed_at      TEXT    NOT NULL,
    given_names     TEXT    NOT NULL,
    surnames        TEXT    NOT NULL,
    birth_date      TEXT    NOT NULL,
    nationality     TEXT    NOT NULL,
    sex             TEXT    NOT NULL,
    document_type   TEXT    NOT NULL,
    document_number TEXT    NOT NULL,
    issuing_state   TEXT    NOT NULL,
    group_id        TEXT    NOT NULL,
    vehicle         TEXT    NOT NULL,
    phone           TEXT    NOT NULL,
    address         TEXT    NOT NULL,
    destination     TEXT    NOT NULL,
    -- Relation to the travel party's first traveller (inspection only):
    -- self, parent, child, guardian, spouse, sibling, relative, none, or ''.
    relation        TEXT    NOT NULL DEFAULT '',
    -- 'import', 'inspection' or 'sync'.
    source          TEXT    NOT NULL,
    -- The user who registered it (NULL for imports).
    officer_id      INTEGER REFERENCES users (id),
    -- The crossing_id this record corrects, if it is a correction.
    corrects        TEXT,
    recorded_at     TEXT    NOT NULL
);

CREATE INDEX crossings_document ON crossings (document_number, issuing_state);
CREATE INDEX crossings_group ON crossings (group_id) WHERE group_id <> '';
CREATE INDEX crossings_time ON crossings (crossed_at);
CREATE INDEX crossings_names ON crossings (surnames, given_names);

-- What an inspection showed the officer, exactly: document checks, hits,
-- risk flags and the suggested next step, as JSON.
CREATE TABLE inspections (
    id          INTEGER PRIMARY KEY,
    crossing_id TEXT    NOT NULL UNIQUE REFERENCES crossings (crossing_id),
    officer_id  INTEGER NOT NULL REFERENCES users (id),
    suggested   TEXT    NOT NULL,
    result      TEXT    NOT NULL,
    at          TEXT    NOT NULL
);

-- An alert-list hit raised by an inspection: a person (name screening) or a
-- document (stolen/lost lookup). Open until adjudicated.
CREATE TABLE hits (
    id          INTEGER PRIMARY KEY,
    crossing_id TEXT    NOT NULL REFERENCES crossings (crossing_id),
    kind        TEXT    NOT NULL CHECK (kind IN ('person', 'document')),
    list_name   TEXT    NOT NULL,
    list_kind   TEXT    NOT NULL,
    -- The list entry's id, or the reported document's number.
    entry_id    TEXT    NOT NULL,
    score       REAL    NOT NULL,
    action      TEXT    NOT NULL,
    -- The explanation shown, as JSON.
    explanation TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);

CREATE INDEX hits_crossing ON hits (crossing_id);

-- A supervisor's judgement of a hit; the latest for a hit stands.
CREATE TABLE adjudications (
    id         INTEGER PRIMARY KEY,
    hit_id     INTEGER NOT NULL REFERENCES hits (id),
    decision   TEXT    NOT NULL CHECK (decision IN ('confirmed', 'dismissed')),
    reason     TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    corrects   INTEGER REFERENCES adjudications (id),
    at         TEXT    NOT NULL
);

CREATE INDEX adjudications_hit ON adjudications (hit_id);

-- The officer's decision on a crossing; the latest stands.
CREATE TABLE decisions (
    id          INTEGER PRIMARY KEY,
    crossing_id TEXT    NOT NULL REFERENCES crossings (crossing_id),
    decision    TEXT    NOT NULL
                CHECK (decision IN ('admit', 'secondary_inspection', 'refer_to_protection', 'refuse')),
    reason      TEXT    NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    at          TEXT    NOT NULL
);

CREATE INDEX decisions_crossing ON decisions (crossing_id);

-- A traveller referred to secondary inspection or to the protection unit.
CREATE TABLE referrals (
    id          INTEGER PRIMARY KEY,
    crossing_id TEXT    NOT NULL REFERENCES crossings (crossing_id),
    unit        TEXT    NOT NULL CHECK (unit IN ('secondary_inspection', 'protection')),
    reason      TEXT    NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    at          TEXT    NOT NULL
);

CREATE INDEX referrals_crossing ON referrals (crossing_id);

CREATE TRIGGER crossings_no_update BEFORE UPDATE ON crossings
BEGIN
    SELECT RAISE(ABORT, 'crossings is append-only');
END;

CREATE TRIGGER crossings_no_delete BEFORE DELETE ON crossings
BEGIN
    SELECT RAISE(ABORT, 'crossings is append-only');
END;

CREATE TRIGGER inspections_no_update BEFORE UPDATE ON inspections
BEGIN
    SELECT RAISE(ABORT, 'inspections is append-only');
END;

CREATE TRIGGER inspections_no_delete BEFORE DELETE ON inspections
BEGIN
    SELECT RAISE(ABORT, 'inspections is append-only');
END;

CREATE TRIGGER hits_no_update BEFORE UPDATE ON hits
BEGIN
    SELECT RAISE(ABORT, 'hits is append-only');
END;

CREATE TRIGGER hits_no_delete BEFORE DELETE ON hits
BEGIN
    SELECT RAISE(ABORT, 'hits is append-only');
END;

CREATE TRIGGER adjudications_no_update BEFORE UPDATE ON adjudications
BEGIN
    SELECT RAISE(ABORT, 'adjudications is append-only');
END;

CREATE TRIGGER adjudications_no_delete BEFORE DELETE ON adjudications
BEGIN
    SELECT RAISE(ABORT, 'adjudications is append-only');
END;

CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'decisions is append-only');
END;

CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'decisions is append-only');
END;

CREATE TRIGGER referrals_no_update BEFORE UPDATE ON referrals
BEGIN
    SELECT RAISE(ABORT, 'referrals is append-only');
END;

CREATE TRIGGER referrals_no_delete BEFORE DELETE ON referrals
BEGIN
    SELECT RAISE(ABORT, 'referrals is append-only');
END;
