-- A client organisation its provider suspended: its members cannot open it,
-- its data is kept; NULL while active.
ALTER TABLE providers ADD COLUMN suspended_at INTEGER;

-- The provider's policy baseline: the policies (with their settings) every
-- client organisation should have. A kind missing here is not compared.
CREATE TABLE policy_baselines (
    provider_id TEXT NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (provider_id, kind)
);
