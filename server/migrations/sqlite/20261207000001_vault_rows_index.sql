-- The vault's own records in the ledger (DonorDetailsRecorded, DonorErasureRequested,
-- DonorDetailsErased), indexed apart: the donors' search, the register and a batch of
-- certificates read them all, and without this they scanned every event of the ledger. Partial,
-- so that the receipts and every other event cost nothing more to insert.
CREATE INDEX events_vault_records ON events (position)
    WHERE event_type IN ('DonorDetailsRecorded', 'DonorErasureRequested', 'DonorDetailsErased');
