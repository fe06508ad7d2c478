-- Event logs of a large MSP (BENCHMARKS.md, "cross-client views"): pages
-- come newest first (at, id); a provider's log with its clients' events scans
-- the time index and stops at the page; one tenant's log and the filters by
-- member use the per-tenant indexes.
DROP INDEX IF EXISTS events_provider_at;
CREATE INDEX events_provider_at_id ON events (provider_id, at, id);
CREATE INDEX events_at_id ON events (at, id);
CREATE INDEX events_provider_target ON events (provider_id, target_email, at);
