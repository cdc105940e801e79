-- Commands by the id their client chose for them (the Idempotency-Key header): a command sent
-- again, because its reply was lost, returns what the first one stored and stores nothing new,
-- across restarts. Written in the same transaction as the command's events, so a command and its
-- id are stored together or not at all. `digest` (SHA-256 of the decoded command) tells a
-- retry from a different command sent under the same id.
CREATE TABLE command_ids (
    actor TEXT NOT NULL,
    command_key TEXT NOT NULL,
    digest TEXT NOT NULL,
    stream TEXT NOT NULL,
    first_position BIGINT NOT NULL,
    last_position BIGINT NOT NULL,
    version BIGINT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (actor, command_key)
);
