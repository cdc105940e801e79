-- Projection snapshots (domain::snapshot): the fold of every event up to a position, kept so a
-- process starting cold (the CLI's state and report) folds only the events after it. Derived
-- data, never evidence: each is signed by the key that made it and names the chain hash it was
-- folded to, and a reader ignores one unless both check out. Old ones are deleted as new ones
-- are kept; the ledger itself is never touched.
CREATE TABLE projection_snapshots (
    signer TEXT NOT NULL,
    position BIGINT NOT NULL,
    format BIGINT NOT NULL,
    chain_hash TEXT NOT NULL,
    body BYTEA NOT NULL,
    signature TEXT NOT NULL,
    made_at TEXT NOT NULL,
    PRIMARY KEY (signer, position)
);
