-- Ordered outbox ids (sync_outbox.uid).
--
-- 0007 gave every queued record a random uid. A random key lands on a
-- different leaf page of the uid index for every row, and each dirtied page
-- is written whole to the write-ahead log at commit: at a post, about 3.4
-- outbox rows per inspection, each a 4 KiB page. From now on a record's uid
-- is
--
--     <instance>-<kind digit>-<ref as 16 lower-case hex digits>-<12 random hex digits>
--     e.g. 3f2a…(32 hex digits)-1-00000000000004d2-9c0e51a7b3d2  (crossing 1234)
--
-- so new keys of one kind append at one end of the index (the random tail
-- decides nothing there: no two rows share the part before it). `instance` is made
-- once here for this database: 128 random bits as 32 lower-case hex digits
-- (sync_state.instance; sync_state has exactly one row, id = 1).
--
--     kind digit   kind          ref
--     1            crossing      crossings.id
--     2            inspection    inspections.id
--     3            hit           hits.id
--     4            adjudication  adjudications.id
--     5            decision      decisions.id
--     6            referral      referrals.id
--     7            audit         audit_log.seq
--
-- Why the uids stay unique: within a database (kind, ref) is already UNIQUE
-- in sync_outbox, and the kind digit and ref are both in the uid; across
-- posts and reinstalls (a new database) the random instance differs. At the
-- centre, which keys sync_received by uid alone, a uid from one post can
-- therefore not meet one from another. A database restored from a copy keeps
-- its instance and makes again the (kind, ref) of records lost since the
-- copy: the random tail (48 bits) keeps their uids new, so the centre applies
-- them instead of taking them for ones it has (a silent loss otherwise).

-- Rows already queued keep their random uids (the centre may have applied
-- them already; the centre's check_uid accepts both forms: hex digits and
-- '-', 16 to 64 characters). The triggers' WHEN conditions are those of 0007.

ALTER TABLE sync_state ADD COLUMN instance TEXT NOT NULL DEFAULT '';
UPDATE sync_state SET instance = lower(hex(randomblob(16))) WHERE id = 1;

DROP TRIGGER crossings_outbox;
CREATE TRIGGER crossings_outbox AFTER INSERT ON crossings WHEN NEW.source <> 'sync'
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-1-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'crossing', NEW.id);
END;

DROP TRIGGER inspections_outbox;
CREATE TRIGGER inspections_outbox AFTER INSERT ON inspections WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-2-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'inspection', NEW.id);
END;

DROP TRIGGER hits_outbox;
CREATE TRIGGER hits_outbox AFTER INSERT ON hits WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-3-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'hit', NEW.id);
END;

DROP TRIGGER adjudications_outbox;
CREATE TRIGGER adjudications_outbox AFTER INSERT ON adjudications WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-4-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'adjudication', NEW.id);
END;

DROP TRIGGER decisions_outbox;
CREATE TRIGGER decisions_outbox AFTER INSERT ON decisions WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-5-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'decision', NEW.id);
END;

DROP TRIGGER referrals_outbox;
CREATE TRIGGER referrals_outbox AFTER INSERT ON referrals WHEN NEW.origin = ''
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-6-' || printf('%016x', NEW.id) || '-' || lower(hex(randomblob(6))), 'referral', NEW.id);
END;

DROP TRIGGER audit_log_outbox;
CREATE TRIGGER audit_log_outbox AFTER INSERT ON audit_log
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-7-' || printf('%016x', NEW.seq) || '-' || lower(hex(randomblob(6))), 'audit', NEW.seq);
END;
