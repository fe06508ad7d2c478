CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    hint TEXT,
    kdf_memory BIGINT NOT NULL,
    kdf_iterations BIGINT NOT NULL,
    kdf_parallelism BIGINT NOT NULL,
    auth_hash TEXT NOT NULL,
    protected_user_key TEXT NOT NULL,
    protected_private_key TEXT NOT NULL,
    public_key BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ip TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE providers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    billing_email TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE provider_users (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    user_type TEXT NOT NULL,
    status TEXT NOT NULL,
    suspended BOOLEAN NOT NULL DEFAULT FALSE,
    wrapped_key TEXT,
    invited_at BIGINT NOT NULL,
    expires_at BIGINT,
    accepted_at BIGINT,
    confirmed_at BIGINT,
    UNIQUE (provider_id, email)
);
CREATE INDEX provider_users_user ON provider_users(user_id);

CREATE TABLE invite_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    member_id TEXT NOT NULL REFERENCES provider_users(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);
CREATE INDEX invite_tokens_member ON invite_tokens(member_id);

CREATE TABLE events (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    actor_user_id TEXT,
    actor_email TEXT,
    target_email TEXT,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    ip TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX events_provider_at ON events(provider_id, at);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox(sent_at, next_attempt_at);

CREATE TABLE vault_items (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX vault_items_user ON vault_items(user_id);
