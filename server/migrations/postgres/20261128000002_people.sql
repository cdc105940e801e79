-- People who may sign in, and their sessions. Kept beside the ledger, never in it: a person's
-- account is not a fact about the NPO's work, and it can be disabled.

CREATE TABLE users (
    name TEXT PRIMARY KEY,
    -- staff | auditor | reporter | admin
    role TEXT NOT NULL,
    -- argon2id PHC string
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

-- A session is found by the SHA-256 of its cookie token, so a leaked table holds no usable token.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users (name),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
