-- Two-step login with an authenticator app (RFC 6238). The key is sealed
-- (AES-256-GCM) with the server's TWO_FACTOR_KEY, which lives in the
-- environment, never in this database: a copy of the database alone holds no
-- usable authenticator key.
CREATE TABLE two_factor (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    totp_secret TEXT NOT NULL,
    -- NULL while being set up (until a first code confirms the app has the key).
    enabled_at BIGINT,
    -- The newest 30-second step a code was accepted for: each code works once.
    last_step BIGINT NOT NULL DEFAULT 0,
    -- SHA-256 of the recovery code (shown once) that turns two-step login off.
    recovery_hash TEXT,
    created_at BIGINT NOT NULL
);

-- Browsers and apps that may skip the code for 30 days ("Remember me").
CREATE TABLE two_factor_remembered (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);
CREATE INDEX two_factor_remembered_user ON two_factor_remembered(user_id);
