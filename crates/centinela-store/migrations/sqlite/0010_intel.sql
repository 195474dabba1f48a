-- Analysts' identity-resolution decisions (centinela-intel): "these two
-- crossings are one person" (merge) or "these two crossings are not one
-- person" (split). Append-only by trigger, each with its audit entry in the
-- same transaction; withdrawing a decision is a new row (`withdraw`) that
-- names the row it withdraws. Every analysis applies the decisions in
-- force: merges and splits not withdrawn.

CREATE TABLE intel_overrides (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('merge', 'split', 'withdraw')),
    -- The two crossings (crossing_id) the decision is about; empty for a withdrawal.
    crossing_a TEXT    NOT NULL,
    crossing_b TEXT    NOT NULL,
    -- The analyst's reason, as written.
    reason     TEXT    NOT NULL,
    -- For a withdrawal: the id of the decision withdrawn.
    withdraws  INTEGER REFERENCES intel_overrides (id),
    -- The user (username) who made it.
    actor      TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);

CREATE UNIQUE INDEX intel_overrides_withdrawn ON intel_overrides (withdraws) WHERE withdraws IS NOT NULL;

CREATE TRIGGER intel_overrides_no_update BEFORE UPDATE ON intel_overrides
BEGIN
    SELECT RAISE(ABORT, 'intel_overrides is append-only');
END;

CREATE TRIGGER intel_overrides_no_delete BEFORE DELETE ON intel_overrides
BEGIN
    SELECT RAISE(ABORT, 'intel_overrides is append-only');
END;
