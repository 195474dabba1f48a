-- Remembered clearances (issue 19, part 4): a supervisor who dismisses a
-- person hit as "not this person" may clear the pair — this traveller (the
-- document number and issuing state) against this list entry as it stands
-- (the list version the hit was screened against and the entry's content
-- hash). Later inspections of the same pair show the clearance instead of
-- alerting. A clearance lapses when the entry's content hash changes, at
-- `expires_at`, or when revoked (a row of `clearance_revocations`: both
-- tables are append-only, so that what was in force is never rewritten).
--
-- `uid` names a clearance everywhere (made where it was cleared, a UUIDv7);
-- `origin` is '' for one made here, else where it came from by
-- synchronisation (a post's code at the centre; the maker's post, or
-- 'central', at a post). Who cleared is kept by name and role: the user may
-- belong to another database.

CREATE TABLE clearances (
    id              INTEGER PRIMARY KEY,
    uid             TEXT    NOT NULL UNIQUE,
    document_number TEXT    NOT NULL,
    issuing_state   TEXT    NOT NULL,
    list_name       TEXT    NOT NULL,
    entry_id        TEXT    NOT NULL,
    list_version    INTEGER NOT NULL,
    entry_hash      TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    cleared_by      TEXT    NOT NULL,
    cleared_role    TEXT    NOT NULL,
    -- The post whose hit was cleared ('' when the supervisor has none).
    post            TEXT    NOT NULL,
    cleared_at      TEXT    NOT NULL,
    expires_at      TEXT    NOT NULL,
    origin          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX clearances_pair ON clearances (document_number, issuing_state, list_name, entry_id);

CREATE TABLE clearance_revocations (
    id            INTEGER PRIMARY KEY,
    uid           TEXT    NOT NULL UNIQUE,
    clearance_uid TEXT    NOT NULL UNIQUE REFERENCES clearances (uid),
    reason        TEXT    NOT NULL,
    revoked_by    TEXT    NOT NULL,
    revoked_role  TEXT    NOT NULL,
    at            TEXT    NOT NULL,
    origin        TEXT    NOT NULL DEFAULT ''
);

CREATE TRIGGER clearances_no_update BEFORE UPDATE ON clearances
BEGIN
    SELECT RAISE(ABORT, 'clearances are append-only: revoke instead');
END;
CREATE TRIGGER clearance_revocations_no_update BEFORE UPDATE ON clearance_revocations
BEGIN
    SELECT RAISE(ABORT, 'clearance_revocations is append-only');
END;

-- At a post, how far the centre's clearances and revocations have been
-- pulled (the centre's ids).
ALTER TABLE sync_state ADD COLUMN clearances_pulled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_state ADD COLUMN revocations_pulled INTEGER NOT NULL DEFAULT 0;

-- The outbox learns two kinds (8 clearance, 9 clearance_revocation). SQLite
-- cannot change a CHECK constraint: the table is rebuilt, its rows and its
-- AUTOINCREMENT counter kept (a seq must never be given twice: the
-- acknowledged mark is a seq). The triggers that write to it are dropped
-- first and made again as 0008 left them, so that no trigger names a table
-- missing during the rebuild.
DROP TRIGGER crossings_outbox;
DROP TRIGGER inspections_outbox;
DROP TRIGGER hits_outbox;
DROP TRIGGER adjudications_outbox;
DROP TRIGGER decisions_outbox;
DROP TRIGGER referrals_outbox;
DROP TRIGGER audit_log_outbox;

CREATE TABLE sync_outbox_counter AS
    SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'), 0) AS seq;

CREATE TABLE sync_outbox_new (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    uid  TEXT    NOT NULL UNIQUE,
    kind TEXT    NOT NULL
         CHECK (kind IN ('crossing', 'inspection', 'hit', 'adjudication', 'decision', 'referral', 'audit',
                         'clearance', 'clearance_revocation')),
    ref  INTEGER NOT NULL,
    UNIQUE (kind, ref)
);
INSERT INTO sync_outbox_new (seq, uid, kind, ref) SELECT seq, uid, kind, ref FROM sync_outbox ORDER BY seq;
DROP TABLE sync_outbox;
ALTER TABLE sync_outbox_new RENAME TO sync_outbox;
DELETE FROM sqlite_sequence WHERE name = 'sync_outbox';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'sync_outbox', MAX(seq) FROM (SELECT seq FROM sync_outbox_counter UNION ALL SELECT COALESCE(MAX(seq), 0) FROM sync_outbox);
DROP TABLE sync_outbox_counter;

CREATE TRIGGER crossings_outbox AFTER INSERT ON crossings WHEN NEW.source <> 'sync'
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-1-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'crossing', NEW.id);
END;

CREATE TRIGGER inspections_outbox AFTER INSERT ON inspections WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-2-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'inspection', NEW.id);
END;

CREATE TRIGGER hits_outbox AFTER INSERT ON hits WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-3-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'hit', NEW.id);
END;

CREATE TRIGGER adjudications_outbox AFTER INSERT ON adjudications WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-4-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'adjudication', NEW.id);
END;

CREATE TRIGGER decisions_outbox AFTER INSERT ON decisions WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-5-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'decision', NEW.id);
END;

CREATE TRIGGER referrals_outbox AFTER INSERT ON referrals WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-6-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'referral', NEW.id);
END;

CREATE TRIGGER audit_log_outbox AFTER INSERT ON audit_log
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-7-' || printf('%016x', NEW.seq) || '-' || lower(hex(randomblob(6))), 'audit', NEW.seq);
END;

CREATE TRIGGER clearances_outbox AFTER INSERT ON clearances WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-8-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'clearance', NEW.id);
END;

CREATE TRIGGER clearance_revocations_outbox AFTER INSERT ON clearance_revocations WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-9-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'clearance_revocation', NEW.id);
END;
