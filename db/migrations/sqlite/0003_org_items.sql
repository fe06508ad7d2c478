-- A client organisation's vault items: ciphertext made with the organisation
-- key in the browser (the server cannot read them), and the collections each
-- one is in.
CREATE TABLE org_items (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX org_items_org ON org_items(org_id, created_at);

CREATE TABLE org_item_collections (
    item_id TEXT NOT NULL REFERENCES org_items(id) ON DELETE CASCADE,
    collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, collection_id)
);
CREATE INDEX org_item_collections_collection ON org_item_collections(collection_id);
