-- The audit log's seal (issue 16); see the SQLite schema.
CREATE TABLE audit_seal (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    start_seq BIGINT  NOT NULL CHECK (start_seq >= 1),
    key_id    BYTEA   NOT NULL,
    at        TEXT    NOT NULL
);

CREATE FUNCTION audit_seal_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_seal is written once';
END
$$;

CREATE TRIGGER audit_seal_no_update BEFORE UPDATE ON audit_seal
    FOR EACH ROW EXECUTE FUNCTION audit_seal_once();
CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON audit_seal
    FOR EACH ROW EXECUTE FUNCTION audit_seal_once();
CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_seal
    FOR EACH STATEMENT EXECUTE FUNCTION audit_seal_once();

ALTER TABLE sync_audit ADD COLUMN sealed BIGINT NOT NULL DEFAULT 0;

CREATE TABLE post_anchors (
    post        TEXT   PRIMARY KEY,
    seq         BIGINT NOT NULL,
    hash        BYTEA  NOT NULL,
    at          TEXT   NOT NULL,
    rewound_at  TEXT,
    rewound_seq BIGINT
);
