-- Pre-arrival screening (issue 23): every person of a flight's API list
-- and PNRs screened against the lists, lookouts and risk rules in force as
-- soon as the messages are stored; hits queued for the supervisors of the
-- air post of the arrival (or departure) airport.
--
-- posts.iata: the IATA code of an air post's airport (MEX for MEX-AICM),
--   seeded here for the known air posts and set where posts are edited;
--   a flight is tied to posts by it, never by parsing a post's name.
-- prearrival_hits: one row per (flight, post, person, what hit): a
--   re-screening of the same person raises no duplicate.
-- prearrival_adjudications: append-only; the latest of a hit stands.
-- prearrival_screened: what was screened for a flight (a digest of each
--   person's screened fields and booking facts), so that a newer PAXLST
--   or PNR version re-screens only what changed.

ALTER TABLE posts ADD COLUMN iata TEXT NOT NULL DEFAULT '';
UPDATE posts SET iata = CASE code
    WHEN 'MEX-AICM' THEN 'MEX'
    WHEN 'MEX-CUN' THEN 'CUN'
    WHEN 'GTM-GUA' THEN 'GUA'
    WHEN 'SLV-SAL' THEN 'SAL'
    WHEN 'HND-SAP' THEN 'SAP'
    WHEN 'HND-XPL' THEN 'XPL'
    WHEN 'NIC-MGA' THEN 'MGA'
    WHEN 'CRI-SJO' THEN 'SJO'
    WHEN 'PAN-PTY' THEN 'PTY'
    WHEN 'DOM-SDQ' THEN 'SDQ'
    WHEN 'DOM-PUJ' THEN 'PUJ'
    ELSE iata END
WHERE kind = 'air';

CREATE TABLE prearrival_hits (
    id               INTEGER PRIMARY KEY,
    flight_id        INTEGER NOT NULL REFERENCES flights (id),
    post             TEXT    NOT NULL,
    -- arrival (the flight lands at the post's airport) or departure.
    leg              TEXT    NOT NULL CHECK (leg IN ('arrival', 'departure')),
    -- The person's key on the flight (upper-cased surnames and given names).
    person           TEXT    NOT NULL,
    role             TEXT    NOT NULL,
    surnames         TEXT    NOT NULL,
    given_names      TEXT    NOT NULL,
    birth_date       TEXT,
    nationality      TEXT,
    document_number  TEXT,
    -- carrier/locator of the person's booking, when known.
    booking          TEXT,
    -- list_person, list_document, lookout, rule
    kind             TEXT    NOT NULL CHECK (kind IN ('list_person', 'list_document', 'lookout', 'rule')),
    -- The list's name, the lookout's uid or the rule's id, and the entry.
    source           TEXT    NOT NULL,
    entry_id         TEXT    NOT NULL,
    score            REAL    NOT NULL,
    action           TEXT    NOT NULL,
    -- Why, as the screener, the lookout or the rule said it (English).
    reason           TEXT    NOT NULL,
    -- JSON: the explanation's items.
    detail           TEXT    NOT NULL,
    raised_at        TEXT    NOT NULL,
    UNIQUE (flight_id, post, person, kind, source, entry_id)
);

CREATE INDEX prearrival_hits_by_post ON prearrival_hits (post, flight_id);

CREATE TABLE prearrival_adjudications (
    id         INTEGER PRIMARY KEY,
    hit_id     INTEGER NOT NULL REFERENCES prearrival_hits (id),
    decision   TEXT    NOT NULL CHECK (decision IN ('confirmed', 'dismissed')),
    reason     TEXT    NOT NULL,
    user_id    INTEGER NOT NULL,
    at         TEXT    NOT NULL
);

CREATE INDEX prearrival_adjudications_by_hit ON prearrival_adjudications (hit_id);

CREATE TABLE prearrival_screened (
    flight_id  INTEGER NOT NULL REFERENCES flights (id),
    digest     TEXT    NOT NULL,
    PRIMARY KEY (flight_id, digest)
);
