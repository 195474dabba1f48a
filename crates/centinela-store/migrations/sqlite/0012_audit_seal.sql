-- The audit log's seal (issue 16): from which entry on the log is sealed
-- with a keyed MAC (HMAC-SHA256, the key outside the database), and the
-- key's public id (HMAC of a fixed text), so that a wrong key is named as
-- such. One row, written once, with the first sealed entry (or, for an
-- empty log, before it). Entries before `start_seq` keep their SHA-256.
CREATE TABLE audit_seal (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    start_seq INTEGER NOT NULL CHECK (start_seq >= 1),
    key_id    BLOB    NOT NULL,
    at        TEXT    NOT NULL
);

CREATE TRIGGER audit_seal_no_update BEFORE UPDATE ON audit_seal
BEGIN
    SELECT RAISE(ABORT, 'audit_seal is written once');
END;

CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON audit_seal
BEGIN
    SELECT RAISE(ABORT, 'audit_seal is written once');
END;

-- At the centre: a post's audit entries say whether the post sealed them
-- (the centre has no post's key: it checks their links, and the hash of
-- the others).
ALTER TABLE sync_audit ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;

-- At the centre: each post's audit head (anchor) as its pushes announced
-- it, the highest seen; and the last time a push announced a head behind
-- it or with another hash (the post's chain went backwards).
CREATE TABLE post_anchors (
    post        TEXT    PRIMARY KEY,
    seq         INTEGER NOT NULL,
    hash        BLOB    NOT NULL,
    at          TEXT    NOT NULL,
    rewound_at  TEXT,
    rewound_seq INTEGER
);
