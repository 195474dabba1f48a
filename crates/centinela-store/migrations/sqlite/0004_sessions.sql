-- Login sessions of the HTTP server (bearer tokens and the web interface's
-- cookie). Only the SHA-256 of a token is stored: a copy of the database
-- does not let anyone log in. expires_at is Unix seconds (UTC), compared on
-- every lookup; created_at RFC 3339 UTC text as elsewhere.

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB    NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
