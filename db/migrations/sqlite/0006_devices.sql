-- Bitwarden's apps (browser extensions, desktop, mobile, the bw CLI) log in
-- as devices of an account. Each holds one refresh token, stored hashed and
-- replaced at every use; deleting the row ends the device's access.
CREATE TABLE devices (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The app's own identifier of the installation (a UUID it made).
    identifier TEXT NOT NULL,
    name TEXT NOT NULL,
    -- Bitwarden's DeviceType number (14 = CLI on Linux, 9 = Chrome, ...).
    kind INTEGER NOT NULL,
    refresh_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    used_at INTEGER NOT NULL,
    -- The refresh token ends here (renewed at each use).
    expires_at INTEGER NOT NULL,
    UNIQUE (user_id, identifier)
);

-- Keys the server itself holds, made once by whichever instance starts
-- first: today the HS256 key that signs the apps' access tokens.
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- A person's API key for Bitwarden's CLI (`bw login --apikey`): client id
-- `user.<user id>`, the secret shown once and kept here only as a hash.
CREATE TABLE api_keys (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
