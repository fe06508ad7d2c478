-- Account recovery (Bitwarden's admin password reset). An organisation's
-- RSA key pair: the public key (SPKI, base64) members' browsers encrypt
-- their user key to; the private key encrypted with the organisation key,
-- which only browsers holding that key open.
CREATE TABLE org_recovery_keys (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    public_key TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A member enrolled in account recovery: their user key sealed (RSA-OAEP)
-- to the organisation's public key by their own browser.
CREATE TABLE recovery_enrolments (
    member_id TEXT PRIMARY KEY NOT NULL REFERENCES provider_users(id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    sealed_user_key TEXT NOT NULL,
    enrolled_at BIGINT NOT NULL
);
CREATE INDEX recovery_enrolments_org ON recovery_enrolments(org_id);

-- An administrator set this account's master password: the person is asked
-- to choose their own at the next log-in (the row goes when they do).
CREATE TABLE password_resets (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id TEXT NOT NULL,
    reset_at BIGINT NOT NULL
);
