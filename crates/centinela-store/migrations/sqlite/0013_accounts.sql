-- Account lifecycle (issue 16): a password an administrator set must be
-- changed at the next login; sessions end after a time unused; creating or
-- elevating a protection or admin account waits for a second admin.

-- 1 while the password was set by someone else (a reset): the user's
-- sessions may do nothing but change it.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

-- Unix seconds of the session's last use, written at most once a minute;
-- the server ends a session unused for its idle timeout.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = CAST(strftime('%s', 'now') AS INTEGER);

-- A change that needs a second administrator: creating a protection or
-- admin account ('create': username, role, post, the initial password's
-- argon2id hash), raising a user to one ('role': user_id, role), or
-- resetting such an account's password ('reset': user_id, the temporary
-- password's hash) — else one admin could log in as a protection officer.
-- requested_by / decided_by are audit actors (`user:<id>`). A decided row
-- keeps its outcome; the audit chain has both steps.
CREATE TABLE account_requests (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('create', 'role', 'reset')),
    username      TEXT    NOT NULL,
    user_id       INTEGER REFERENCES users (id),
    role          TEXT    NOT NULL
                  CHECK (role IN ('officer', 'supervisor', 'analyst', 'protection', 'admin', 'auditor')),
    post_code     TEXT,
    password_hash TEXT,
    requested_by  TEXT    NOT NULL,
    requested_at  TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by    TEXT,
    decided_at    TEXT
);

CREATE INDEX account_requests_pending ON account_requests (status);
