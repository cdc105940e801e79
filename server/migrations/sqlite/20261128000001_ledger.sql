-- The ledger. One table, append-only: rows are inserted by the application and never updated or
-- deleted. The SQLite and PostgreSQL files differ only in the position column's type.
-- SQLite: `position INTEGER PRIMARY KEY` makes the position the table's rowid (64-bit), so rows
-- are stored and read in position order without a separate index.

-- position: 1, 2, 3 … in commit order, without gaps (appends are serialised on ledger_head).
-- payload, metadata: canonical JSON text exactly as hashed (keys sorted, no whitespace).
-- hash: lowercase hex SHA-256 of the previous hash and this row (docs/interchange.md).
CREATE TABLE events (
    position INTEGER PRIMARY KEY,
    stream TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    event_version TEXT NOT NULL,
    payload TEXT NOT NULL,
    metadata TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (stream, sequence)
);

-- One row: the head of the chain. Every append updates it first, which takes the write lock on
-- SQLite and a row lock on PostgreSQL, so appends are serialised and positions stay gapless.
-- It also lets `spiral verify` notice events deleted from the end of the table.
CREATE TABLE ledger_head (
    id INTEGER PRIMARY KEY,
    position BIGINT NOT NULL,
    hash TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

INSERT INTO ledger_head (id, position, hash, recorded_at)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', '1970-01-01T00:00:00Z');
