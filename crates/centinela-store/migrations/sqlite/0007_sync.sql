-- Synchronisation between border posts and the centre (centinela-sync).
--
-- At a post: every record made here (crossings, inspections, hits,
-- adjudications, decisions, referrals, audit entries) is queued in
-- `sync_outbox` by a trigger in the same transaction that writes it, with an
-- id made here (a random UUID) that the centre uses to apply it once.
-- `sync_state.acked_seq` moves only after the centre's 2xx.
-- At the centre: `sync_received` maps every applied uid to the row it
-- became; `sync_audit` keeps each post's audit chain as the post sealed it.
-- Records that came by sync carry `origin` (the post's code; '' when made
-- here) and are not queued again.

ALTER TABLE posts ADD COLUMN revoked_at TEXT;

-- The version of the list a hit was screened against.
ALTER TABLE hits ADD COLUMN list_version INTEGER;

ALTER TABLE inspections ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE hits ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE adjudications ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN origin TEXT NOT NULL DEFAULT '';

CREATE TABLE sync_outbox (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    uid  TEXT    NOT NULL UNIQUE,
    kind TEXT    NOT NULL
         CHECK (kind IN ('crossing', 'inspection', 'hit', 'adjudication', 'decision', 'referral', 'audit')),
    -- The row's id in its table (audit_log: seq).
    ref  INTEGER NOT NULL,
    UNIQUE (kind, ref)
);

-- One row: how far the centre has acknowledged, and the last attempt.
CREATE TABLE sync_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    acked_seq       INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error      TEXT,
    central         TEXT
);
INSERT INTO sync_state (id) VALUES (1);

CREATE TABLE sync_received (
    uid         TEXT    PRIMARY KEY,
    post        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    -- The row it became here (audit: the post's seq).
    ref         INTEGER NOT NULL,
    -- The post's outbox sequence number.
    post_seq    INTEGER NOT NULL,
    received_at TEXT    NOT NULL
);
CREATE INDEX sync_received_post ON sync_received (post, post_seq);

CREATE TABLE sync_audit (
    post      TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL,
    PRIMARY KEY (post, seq)
);

CREATE TRIGGER sync_audit_no_update BEFORE UPDATE ON sync_audit
BEGIN
    SELECT RAISE(ABORT, 'sync_audit is append-only');
END;

CREATE TRIGGER sync_audit_no_delete BEFORE DELETE ON sync_audit
BEGIN
    SELECT RAISE(ABORT, 'sync_audit is append-only');
END;

-- What exists already is queued first, in an order that keeps references
-- (a hit after its crossing, an adjudication after its hit).
INSERT INTO sync_outbox (uid, kind, ref)
    SELECT lower(hex(randomblob(16))), 'crossing', id FROM crossings ORDER BY id;
INSERT INTO sync_outbox (uid, kind, ref)
    SELECT lower(hex(randomblob(16))), 'inspection', id FROM inspections ORDER BY id;
INSERT INTO sync_outbox (uid, kind, ref)
    SELECT lower(hex(randomblob(16))), 'hit', id FROM hits ORDER BY id;
INSERT INTO sync_outbox (uid, kind, ref)
    SELECT lower(hex(randomblob(16))), 'adjudication', id FROM adjudications ORDER BY id;
INSERT INTO sync_outbox (uid, kind, ref)
    SELECT lower(hex(randomblob(16))), 'decision', id FROM decisions ORDER BY id;
INSERT INTO sync_outbox (uid, kind, ref)
    SELECT lower(hex(randomblob(16))), 'referral', id FROM referrals ORDER BY id;
INSERT INTO sync_outbox (uid, kind, ref)
    SELECT lower(hex(randomblob(16))), 'audit', seq FROM audit_log ORDER BY seq;

-- From now on, every record made here is queued in its own transaction.
CREATE TRIGGER crossings_outbox AFTER INSERT ON crossings WHEN NEW.source <> 'sync'
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (lower(hex(randomblob(16))), 'crossing', NEW.id);
END;

CREATE TRIGGER inspections_outbox AFTER INSERT ON inspections WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (lower(hex(randomblob(16))), 'inspection', NEW.id);
END;

CREATE TRIGGER hits_outbox AFTER INSERT ON hits WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (lower(hex(randomblob(16))), 'hit', NEW.id);
END;

CREATE TRIGGER adjudications_outbox AFTER INSERT ON adjudications WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (lower(hex(randomblob(16))), 'adjudication', NEW.id);
END;

CREATE TRIGGER decisions_outbox AFTER INSERT ON decisions WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (lower(hex(randomblob(16))), 'decision', NEW.id);
END;

CREATE TRIGGER referrals_outbox AFTER INSERT ON referrals WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (lower(hex(randomblob(16))), 'referral', NEW.id);
END;

CREATE TRIGGER audit_log_outbox AFTER INSERT ON audit_log
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (lower(hex(randomblob(16))), 'audit', NEW.seq);
END;
