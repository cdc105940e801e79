-- Checkpoints the server signed on its schedule, kept so auditors can fetch earlier ones. The
-- signature makes each row self-verifying; the table is a convenience, not the trust anchor
-- (auditors keep their own copies elsewhere).
CREATE TABLE checkpoints (
    size BIGINT PRIMARY KEY,
    signed_at TEXT NOT NULL,
    text TEXT NOT NULL
);
