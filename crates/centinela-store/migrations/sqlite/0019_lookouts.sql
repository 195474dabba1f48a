-- Lookouts (issue 21, part 3): an urgent, targeted alert on a person, a
-- document, a vehicle or a phone, in force from `valid_from` until
-- `valid_until` (it expires by itself) unless cancelled, at the posts of
-- its scope. Issued at the centre (or at a standalone installation) and
-- pulled by the posts: a post keeps the centre's copy (`origin` =
-- 'central') and replaces it when the centre's `revision` is newer, so a
-- change or a cancellation made while the post was offline arrives whole.
--
-- `subject`, `scope` and `notify` are JSON (centinela-domain's
-- LookoutSubject, LookoutScope, a list of user names); `match_key` is the
-- subject's look-up key (document confusable key, plate key, phone) for
-- the listings.

CREATE TABLE lookouts (
    id            INTEGER PRIMARY KEY,
    uid           TEXT    NOT NULL UNIQUE,
    kind          TEXT    NOT NULL CHECK (kind IN ('person', 'document', 'vehicle', 'phone')),
    subject       TEXT    NOT NULL,
    match_key     TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    scope         TEXT    NOT NULL,
    notify        TEXT    NOT NULL,
    valid_from    TEXT    NOT NULL,
    valid_until   TEXT    NOT NULL,
    issued_by     TEXT    NOT NULL,
    issued_role   TEXT    NOT NULL,
    issued_at     TEXT    NOT NULL,
    revision      INTEGER NOT NULL DEFAULT 1,
    changed_at    TEXT    NOT NULL,
    cancelled_at  TEXT,
    cancelled_by  TEXT,
    cancel_reason TEXT,
    origin        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX lookouts_until ON lookouts (valid_until);

-- Each traveller a lookout hit at a post (stored with the inspection's
-- crossing id; audited as lookout_hit).
CREATE TABLE lookout_hits (
    id          INTEGER PRIMARY KEY,
    lookout_uid TEXT    NOT NULL,
    crossing_id TEXT    NOT NULL,
    post        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    score       REAL    NOT NULL,
    at          TEXT    NOT NULL,
    UNIQUE (lookout_uid, crossing_id)
);
CREATE INDEX lookout_hits_post ON lookout_hits (post, id);
