-- A client organisation its provider suspended: its members cannot open it,
-- its data is kept; NULL while active.
ALTER TABLE providers ADD COLUMN suspended_at BIGINT;

-- The provider's policy baseline: the policies (with their settings) every
-- client organisation should have. A kind missing here is not compared.
CREATE TABLE policy_baselines (
    provider_id TEXT NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT FALSE,
    data TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (provider_id, kind)
);
