-- Records the centre refused (its 422 names the record): set aside at the
-- post so that one bad record never stops the queue behind it. The record
-- itself stays where it is (its table and its outbox row); this says which
-- one, why, and when, for `centinela sync status` and for whoever fixes it.
CREATE TABLE sync_refused (
    seq        BIGINT PRIMARY KEY,
    uid        TEXT   NOT NULL,
    kind       TEXT   NOT NULL,
    reason     TEXT   NOT NULL,
    refused_at TEXT   NOT NULL
);
