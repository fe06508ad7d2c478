-- Client organisations are tenants like the provider itself: a row in
-- providers with kind = 'organization' and parent_id = the provider. Their
-- members live in provider_users with the organisation's own roles, so the
-- invite / accept / confirm machinery, events and outbox serve both.
ALTER TABLE providers ADD COLUMN kind TEXT NOT NULL DEFAULT 'provider';
ALTER TABLE providers ADD COLUMN parent_id TEXT REFERENCES providers(id) ON DELETE CASCADE;
-- Provider: total seats bought. Organisation: seats assigned from that total.
ALTER TABLE providers ADD COLUMN seats BIGINT NOT NULL DEFAULT 0;
-- Organisation: its key encrypted with the provider key (ciphertext only).
ALTER TABLE providers ADD COLUMN org_key TEXT;
CREATE INDEX providers_parent ON providers(parent_id);

-- A Custom member's permission set ("" otherwise).
ALTER TABLE provider_users ADD COLUMN permissions TEXT NOT NULL DEFAULT '';

CREATE TABLE org_groups (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES org_groups(id) ON DELETE CASCADE,
    member_id TEXT NOT NULL REFERENCES provider_users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX group_members_member ON group_members(member_id);

CREATE TABLE collections (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    -- Encrypted with the organisation key in the browser.
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX collections_org ON collections(org_id);

-- Exactly one of member_id / group_id is set.
CREATE TABLE collection_access (
    collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    member_id TEXT REFERENCES provider_users(id) ON DELETE CASCADE,
    group_id TEXT REFERENCES org_groups(id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    CHECK ((member_id IS NULL) <> (group_id IS NULL))
);
CREATE INDEX collection_access_collection ON collection_access(collection_id);
CREATE INDEX collection_access_member ON collection_access(member_id);
CREATE INDEX collection_access_group ON collection_access(group_id);

CREATE TABLE policies (
    org_id TEXT NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT FALSE,
    data TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, kind)
);
