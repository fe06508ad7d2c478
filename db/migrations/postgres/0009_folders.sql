-- A person's folders (Bitwarden's personal folders): the name is an
-- EncString made with the person's user key in the browser.
CREATE TABLE folders (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX folders_user ON folders(user_id);

-- The folder a person's own item is in (deleting the folder leaves the item
-- in no folder).
ALTER TABLE vault_items ADD COLUMN folder_id TEXT REFERENCES folders(id) ON DELETE SET NULL;
CREATE INDEX vault_items_folder ON vault_items(folder_id);

-- An organisation's item as one person files it: their folder and their
-- favourite mark, seen by nobody else (as Bitwarden keeps them per person).
CREATE TABLE org_item_marks (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL REFERENCES org_items(id) ON DELETE CASCADE,
    folder_id TEXT REFERENCES folders(id) ON DELETE SET NULL,
    favourite BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, item_id)
);
CREATE INDEX org_item_marks_folder ON org_item_marks(folder_id);
