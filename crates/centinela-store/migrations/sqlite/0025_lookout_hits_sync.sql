-- Lookout hits travel to the centre (issue 21, part 4): the issuer of a
-- lookout is told of a hit wherever it hits. A hit made at a post is
-- queued in the outbox (kind `lookout_hit`, uid digit `a`) and stored at the centre
-- with `origin` = the pushing post's code ('' where it was made here).
ALTER TABLE lookout_hits ADD COLUMN origin TEXT NOT NULL DEFAULT '';

-- The outbox learns the kind. SQLite cannot change a CHECK constraint: the
-- table is rebuilt as 0017 did, its rows and its AUTOINCREMENT counter
-- kept, the triggers that write to it dropped first and made again.
DROP TRIGGER crossings_outbox;
DROP TRIGGER inspections_outbox;
DROP TRIGGER hits_outbox;
DROP TRIGGER adjudications_outbox;
DROP TRIGGER decisions_outbox;
DROP TRIGGER referrals_outbox;
DROP TRIGGER audit_log_outbox;
DROP TRIGGER clearances_outbox;
DROP TRIGGER clearance_revocations_outbox;

CREATE TABLE sync_outbox_counter AS
    SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'), 0) AS seq;

CREATE TABLE sync_outbox_new (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    uid  TEXT    NOT NULL UNIQUE,
    kind TEXT    NOT NULL
         CHECK (kind IN ('crossing', 'inspection', 'hit', 'adjudication', 'decision', 'referral', 'audit',
                         'clearance', 'clearance_revocation', 'lookout_hit')),
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

CREATE TRIGGER lookout_hits_outbox AFTER INSERT ON lookout_hits WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-a-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'lookout_hit', NEW.id);
END;

-- After-hours notifications of lookout hits (issue 21, part 4): an HTTPS
-- webhook (JSON signed with HMAC-SHA256) or an e-mail through an SMTP
-- relay, for the hits at one post ('' every post), standing for a role.
-- `secret` names the file the secret is read from at each sending
-- (`file:/path`: the webhook's HMAC key, the relay's credentials), never
-- the secret itself. The message carries no personal data (see
-- docs/NOTIFICATIONS.md).
CREATE TABLE notification_targets (
    id          INTEGER PRIMARY KEY,
    post        TEXT    NOT NULL DEFAULT '',
    role        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('webhook', 'email')),
    -- The webhook's URL, or the e-mail's recipient.
    address     TEXT    NOT NULL,
    -- E-mail: the relay (smtps://host:465, smtp://host:587 with STARTTLS)
    -- and the sender.
    relay       TEXT    NOT NULL DEFAULT '',
    sender      TEXT    NOT NULL DEFAULT '',
    secret      TEXT    NOT NULL DEFAULT '',
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    last_sent_at TEXT,
    last_error  TEXT    NOT NULL DEFAULT ''
);
