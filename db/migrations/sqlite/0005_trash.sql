-- The Trash: an item deleted by a person stays, restorable, until it is
-- deleted for good or 30 days have passed (`Store::purge_trash`).
ALTER TABLE vault_items ADD COLUMN deleted_at INTEGER;
ALTER TABLE org_items ADD COLUMN deleted_at INTEGER;
CREATE INDEX vault_items_deleted ON vault_items(deleted_at);
CREATE INDEX org_items_deleted ON org_items(deleted_at);
