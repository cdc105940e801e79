-- Sessions end after an absolute lifetime (expires_at) or an idle one (last_seen_at), and
-- expired ones are purged. Existing sessions count as last used when they were created.
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT NOT NULL DEFAULT '1970-01-01T00:00:00Z';
UPDATE sessions SET last_seen_at = created_at;

-- Browsers that have signed in as a person before (a long-lived HttpOnly cookie, found by the
-- SHA-256 of its token). Such a device is not held back by the sign-in limiter while someone
-- else guesses at the same name.
CREATE TABLE trusted_devices (
    token_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users (name),
    created_at TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_name);
