-- The donor vault (server/src/vault.rs): donors' personal details, outside the append-only
-- ledger so that they can be erased. Each donor's details are sealed (XChaCha20-Poly1305) under
-- a key of their own, kept here wrapped by the master key in the vault key file; erasing a
-- donor deletes their key and every sealed revision. Nothing here is plaintext.
CREATE TABLE donor_keys (
    donor TEXT PRIMARY KEY,
    -- nonce || ciphertext of the donor's key under the master key, hex
    wrapped TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- One row per sealing. The ledger's DonorDetailsRecorded names the seal of each revision, so
-- a row whose append lost a race (or never happened) is read by no one, and erased with the rest.
CREATE TABLE donor_details (
    donor TEXT NOT NULL,
    seal BIGINT NOT NULL,
    -- nonce || ciphertext of the details under the donor's key, hex
    sealed TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (donor, seal)
);

-- Every read of personal data: who, when, which donor, what for.
CREATE TABLE personal_data_reads (
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    donor TEXT NOT NULL,
    purpose TEXT NOT NULL
);
CREATE INDEX personal_data_reads_donor ON personal_data_reads (donor, at);
