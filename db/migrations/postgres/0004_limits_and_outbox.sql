-- Rate-limit and throttle counters, shared by every server instance on this
-- database. A row lives until its window ends; `purge_expired` deletes it then.
CREATE TABLE rate_counters (
    key TEXT PRIMARY KEY NOT NULL,
    count BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL
);
CREATE INDEX rate_counters_ends ON rate_counters(ends_at);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- An invitation mail names its member and ends with its invitation: deleted
-- unsent when the token is replaced or the member removed, never sent after
-- it expires, and every sent mail's body is cleared (no live link at rest).
ALTER TABLE outbox ADD COLUMN member_id TEXT;
ALTER TABLE outbox ADD COLUMN expires_at BIGINT;
CREATE INDEX outbox_member ON outbox(member_id);
