-- Security keys and passkeys as the second step (FIDO2 WebAuthn, Bitwarden's
-- provider type 7). A key is its public key and signature counter (the
-- credential as webauthn-rs keeps it, JSON): nothing here lets a copy of the
-- database sign in. Up to five per account, named by their owner.
CREATE TABLE security_keys (
    -- The credential id (base64url), as the authenticator names it.
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    credential TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX security_keys_user ON security_keys (user_id);

-- The open challenge of a registration or log-in (the state webauthn-rs
-- checks the answer against), one per account and purpose, taken once.
CREATE TABLE webauthn_challenges (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- 'register' or 'login'.
    purpose TEXT NOT NULL,
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, purpose)
);
