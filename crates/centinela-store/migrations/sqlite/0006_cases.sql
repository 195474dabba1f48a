-- Protection referrals answered, trafficking cases (HTCDS 2.0), and the one
-- controlled way around the append-only triggers: the retention purge.
--
-- A referral to protection now keeps the indicators that triggered it (the
-- inspection's flags and hits, JSON). A protection officer's answer is a
-- new row (the latest stands). A case is a header row plus versions: every
-- edit is a new version holding the whole HTCDS record (JSON) and its
-- status; the highest version stands. Crossings join a case through
-- case_crossings; users other than the protection unit see a case only
-- while its latest share row for them is active.
--
-- Retention: DELETE on the append-only tables is refused unless a row of
-- purge_permits exists. The purge inserts that row inside its own
-- transaction, deletes, removes the row and commits with its audit entry,
-- so no other transaction ever sees a permit. UPDATE is refused always.

ALTER TABLE referrals ADD COLUMN indicators TEXT NOT NULL DEFAULT '{}';

CREATE TABLE referral_answers (
    id          INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    answer      TEXT    NOT NULL CHECK (answer IN ('accepted', 'declined')),
    reason      TEXT    NOT NULL,
    case_id     INTEGER REFERENCES cases (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    at          TEXT    NOT NULL
);

CREATE INDEX referral_answers_referral ON referral_answers (referral_id);

CREATE TABLE cases (
    id        INTEGER PRIMARY KEY,
    opened_by INTEGER NOT NULL REFERENCES users (id),
    opened_at TEXT    NOT NULL
);

CREATE TABLE case_versions (
    id      INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    version INTEGER NOT NULL,
    status  TEXT    NOT NULL CHECK (status IN ('Active', 'FollowUp', 'Closed', 'ClosedReferred')),
    record  TEXT    NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    at      TEXT    NOT NULL,
    UNIQUE (case_id, version)
);

CREATE TABLE case_crossings (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    crossing_id TEXT    NOT NULL REFERENCES crossings (crossing_id),
    referral_id INTEGER REFERENCES referrals (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    at          TEXT    NOT NULL,
    UNIQUE (case_id, crossing_id)
);

CREATE INDEX case_crossings_crossing ON case_crossings (crossing_id);

CREATE TABLE case_shares (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    active     BOOLEAN NOT NULL,
    granted_by INTEGER NOT NULL REFERENCES users (id),
    at         TEXT    NOT NULL
);

CREATE INDEX case_shares_user ON case_shares (user_id, case_id);

CREATE TABLE purge_permits (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL
);

DROP TRIGGER crossings_no_delete;
CREATE TRIGGER crossings_no_delete BEFORE DELETE ON crossings
WHEN NOT EXISTS (SELECT 1 FROM purge_permits)
BEGIN
    SELECT RAISE(ABORT, 'crossings is append-only');
END;

DROP TRIGGER inspections_no_delete;
CREATE TRIGGER inspections_no_delete BEFORE DELETE ON inspections
WHEN NOT EXISTS (SELECT 1 FROM purge_permits)
BEGIN
    SELECT RAISE(ABORT, 'inspections is append-only');
END;

DROP TRIGGER hits_no_delete;
CREATE TRIGGER hits_no_delete BEFORE DELETE ON hits
WHEN NOT EXISTS (SELECT 1 FROM purge_permits)
BEGIN
    SELECT RAISE(ABORT, 'hits is append-only');
END;

DROP TRIGGER adjudications_no_delete;
CREATE TRIGGER adjudications_no_delete BEFORE DELETE ON adjudications
WHEN NOT EXISTS (SELECT 1 FROM purge_permits)
BEGIN
    SELECT RAISE(ABORT, 'adjudications is append-only');
END;

DROP TRIGGER decisions_no_delete;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
WHEN NOT EXISTS (SELECT 1 FROM purge_permits)
BEGIN
    SELECT RAISE(ABORT, 'decisions is append-only');
END;

DROP TRIGGER referrals_no_delete;
CREATE TRIGGER referrals_no_delete BEFORE DELETE ON referrals
WHEN NOT EXISTS (SELECT 1 FROM purge_permits)
BEGIN
    SELECT RAISE(ABORT, 'referrals is append-only');
END;

CREATE TRIGGER referral_answers_no_update BEFORE UPDATE ON referral_answers
BEGIN
    SELECT RAISE(ABORT, 'referral_answers is append-only');
END;

CREATE TRIGGER referral_answers_no_delete BEFORE DELETE ON referral_answers
WHEN NOT EXISTS (SELECT 1 FROM purge_permits)
BEGIN
    SELECT RAISE(ABORT, 'referral_answers is append-only');
END;

CREATE TRIGGER cases_no_update BEFORE UPDATE ON cases
BEGIN
    SELECT RAISE(ABORT, 'cases is append-only');
END;

CREATE TRIGGER cases_no_delete BEFORE DELETE ON cases
WHEN NOT EXISTS (SELECT 1 FROM purge_permits)
BEGIN
    SELECT RAISE(ABORT, 'cases is append-only');
END;

CREATE TRIGGER case_versions_no_update BEFORE UPDATE ON case_versions
BEGIN
    SELECT RAISE(ABORT, 'case_versions is append-only');
END;

CREATE TRIGGER case_versions_no_delete BEFORE DELETE ON case_versions
WHEN NOT EXISTS (SELECT 1 FROM purge_permits)
BEGIN
    SELECT RAISE(ABORT, 'case_versions is append-only');
END;

CREATE TRIGGER case_crossings_no_update BEFORE UPDATE ON case_crossings
BEGIN
    SELECT RAISE(ABORT, 'case_crossings is append-only');
END;

CREATE TRIGGER case_crossings_no_delete BEFORE DELETE ON case_crossings
WHEN NOT EXISTS (SELECT 1 FROM purge_permits)
BEGIN
    SELECT RAISE(ABORT, 'case_crossings is append-only');
END;

CREATE TRIGGER case_shares_no_update BEFORE UPDATE ON case_shares
BEGIN
    SELECT RAISE(ABORT, 'case_shares is append-only');
END;

CREATE TRIGGER case_shares_no_delete BEFORE DELETE ON case_shares
WHEN NOT EXISTS (SELECT 1 FROM purge_permits)
BEGIN
    SELECT RAISE(ABORT, 'case_shares is append-only');
END;
