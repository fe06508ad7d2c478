-- Rate-limit and throttle counters, shared by every server instance on this
-- database. A row lives until its window ends; `purge_expired` deletes it then.
CREATE TABLE rate_counters (
    key TEXT PRIMARY KEY NOT NULL,
    count INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL
);
CREATE INDEX rate_counters_ends ON rate_counters(ends_at);
CREATE INDEX sessions_expires ON sessions(expires_at);
