-- Two-step login by email (Bitwarden's provider type 1): the row says which
-- second step the account uses; the code mailed for a log-in (or for turning
-- it on) lives here until used or expired. Only an HMAC of the code is kept,
-- keyed with the server's TWO_FACTOR_KEY: a copy of the database alone cannot
-- check guesses against it.
ALTER TABLE two_factor ADD COLUMN method TEXT NOT NULL DEFAULT 'authenticator';

CREATE TABLE two_factor_email_code (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_mac TEXT NOT NULL,
    -- 'setup' (turning email codes on) or 'login'.
    purpose TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
