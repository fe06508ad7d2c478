//! A client organisation's vault: items encrypted with the organisation key in
//! the browser, their collections, and import and export. The server checks
//! shapes and ownership; it never sees a name, a username or a password.

use crate::live::{Audience, Change, ItemChange};
use crate::sync::{Reach, VaultAccess};
use crate::vault::{Owner, check_cipher};
use crate::{Actor, RequestMeta, Result, ServiceError, Services, new_id};
use domain::api::{AssignOrgItemsInput, ImportInput, ImportSummary, OrgExport, OrgItem, SaveOrgItemInput};
use domain::authz::Action;
use domain::crypto::looks_encrypted;
use domain::transfer::MAX_IMPORT_ITEMS;
use std::collections::{HashMap, HashSet};

/// Most collections one import may create.
pub const MAX_IMPORT_COLLECTIONS: usize = 500;

fn check_data(data: &str, what: &str) -> Result<crate::vault::Checked> {
    check_cipher(data, what, Owner::Organisation)
}

fn check_selection(ids: &[String]) -> Result<()> {
    if ids.is_empty() || ids.len() > MAX_IMPORT_ITEMS {
        return Err(ServiceError::field("ids", "Select between 1 and 5,000 items."));
    }
    Ok(())
}

/// Refused unless every one of `collections` is one the member may edit in.
fn check_editable(reach: &HashMap<String, Reach>, collections: &[String]) -> Result<()> {
    if collections.is_empty() || collections.iter().any(|c| reach.get(c).is_none_or(|r| r.read_only)) {
        return Err(ServiceError::Forbidden("You can view this item but not change it: your access to its collection is Can view.".into()));
    }
    Ok(())
}

fn stale(e: db::Error) -> ServiceError {
    match e {
        db::Error::Conflict(db::Conflict::Stale) => ServiceError::Conflict("A collection or item changed meanwhile. Reload the page and try again.".into()),
        other => other.into(),
    }
}

impl Services {
    async fn org_items(&self, org_id: &str) -> Result<Vec<OrgItem>> {
        let (items, links) = self.store.list_org_items(org_id).await?;
        let mut by_item: HashMap<String, Vec<String>> = HashMap::new();
        for (item, coll) in links {
            by_item.entry(item).or_default().push(coll);
        }
        Ok(items
            .into_iter()
            .map(|i| {
                let mut collection_ids = by_item.remove(&i.id).unwrap_or_default();
                collection_ids.sort();
                OrgItem { id: i.id, data: i.data, collection_ids, updated_at: i.updated_at, deleted_at: i.deleted_at }
            })
            .collect())
    }

    async fn collection_ids(&self, org_id: &str) -> Result<HashSet<String>> {
        Ok(self.store.list_collections(org_id).await?.0.into_iter().map(|c| c.id).collect())
    }

    /// The collections an item is in (for an edit that does not say).
    pub async fn org_item_collections(&self, actor: &Actor, org_id: &str, item_id: &str) -> Result<Vec<String>> {
        let access = self.vault_access(actor, org_id).await?;
        let ids = self.org_item_links(org_id, item_id).await?;
        let seen = match &access {
            VaultAccess::Whole => self.store.org_item(org_id, item_id).await?.is_some(),
            VaultAccess::Collections(reach) => ids.iter().any(|c| reach.contains_key(c)),
        };
        if seen { Ok(ids) } else { Err(ServiceError::NotFound("No such item.".into())) }
    }

    /// The collections an item is in, sorted.
    async fn org_item_links(&self, org_id: &str, item_id: &str) -> Result<Vec<String>> {
        let (_, links) = self.store.list_org_items(org_id).await?;
        let mut ids: Vec<String> = links.into_iter().filter(|(i, _)| i == item_id).map(|(_, c)| c).collect();
        ids.sort();
        Ok(ids)
    }

    /// Deleting, restoring or purging items: the whole vault's managers, or a
    /// member who may edit in one of each item's collections.
    pub(crate) async fn may_change_items(&self, actor: &Actor, org_id: &str, ids: &[String]) -> Result<()> {
        let VaultAccess::Collections(reach) = self.vault_access(actor, org_id).await? else { return Ok(()) };
        let (_, links) = self.store.list_org_items(org_id).await?;
        for id in ids {
            let editable = links.iter().any(|(i, c)| i == id && reach.get(c).is_some_and(|r| !r.read_only));
            if !editable {
                return Err(ServiceError::Forbidden("You can view this item but not change it: your access to its collection is Can view.".into()));
            }
        }
        Ok(())
    }

    pub async fn list_org_items(&self, actor: &Actor, org_id: &str) -> Result<Vec<OrgItem>> {
        self.authorize(actor, org_id, Action::ManageVault).await?;
        self.org_items(org_id).await
    }

    /// The Admin Console's vault page: the items, and, when provider staff
    /// open a client's vault (not as one of its members), a record in the
    /// client's event log and in the provider's (who, when; once per quarter
    /// of an hour for the same person and client).
    pub async fn open_org_vault(&self, actor: &Actor, org_id: &str, meta: &RequestMeta) -> Result<Vec<OrgItem>> {
        let auth = self.authorize(actor, org_id, Action::ManageVault).await?;
        let as_staff =
            auth.org.as_ref().is_some_and(|o| o.is_provider_staff()) && auth.own.as_ref().is_none_or(|m| !crate::accounts::member_facts(m).is_active());
        if let (true, Some(pid)) = (as_staff, auth.tenant.parent_id.as_deref()) {
            let now = self.now();
            let first = self.store.count_hit(&format!("vault-opened:{}:{org_id}", actor.user_id()), now, 900, false).await?.count == 1;
            if first {
                let provider = self.store.provider(pid).await?.map(|p| p.name).unwrap_or_default();
                let org = auth.tenant.name.clone();
                self.store
                    .record_events(&[
                        self.event(org_id, Some(actor), "vault_opened_by_provider", None, format!("Provider staff of {provider} opened the vault"), meta),
                        self.event(pid, Some(actor), "client_vault_opened", None, format!("Opened the vault of {org}"), meta),
                    ])
                    .await?;
            }
        }
        self.org_items(org_id).await
    }

    pub async fn save_org_item(&self, actor: &Actor, input: SaveOrgItemInput, meta: &RequestMeta) -> Result<OrgItem> {
        let access = self.vault_access(actor, &input.org_id).await?;
        let checked = check_data(&input.data, "This item")?;
        let data = checked.data;
        if input.file {
            self.check_folder(actor, checked.folder_id.as_deref()).await?;
        }
        let known = self.collection_ids(&input.org_id).await?;
        let mut collection_ids: Vec<String> = input.collection_ids.iter().cloned().collect::<HashSet<_>>().into_iter().collect();
        collection_ids.sort();
        if collection_ids.iter().any(|c| !known.contains(c)) {
            return Err(ServiceError::field("collections", "A selected collection is not in this organisation."));
        }
        let now = self.now();
        let (id, created_at, kind) = match &input.item_id {
            Some(id) => {
                let Some(old) = self.store.org_item(&input.org_id, id).await? else {
                    return Err(ServiceError::NotFound("No such item.".into()));
                };
                if let VaultAccess::Collections(reach) = &access {
                    let before = self.org_item_links(&input.org_id, &old.id).await?;
                    check_editable(reach, &before)?;
                    if before != collection_ids {
                        return Err(ServiceError::Forbidden("Moving an item between collections needs Can manage, or an Owner or Admin.".into()));
                    }
                }
                (old.id, old.created_at, "item_updated")
            }
            None => {
                if let VaultAccess::Collections(reach) = &access {
                    if collection_ids.is_empty() {
                        return Err(ServiceError::field("collections", "Choose a collection you can edit for the new item."));
                    }
                    check_editable(reach, &collection_ids)?;
                }
                (new_id(), now, "item_created")
            }
        };
        let write = db::OrgItemsWrite {
            org_id: input.org_id.clone(),
            new_collections: vec![],
            items: vec![db::OrgItemRow { id: id.clone(), org_id: input.org_id.clone(), data: data.clone(), created_at, updated_at: now, deleted_at: None }],
            links: collection_ids.iter().map(|c| (id.clone(), c.clone())).collect(),
            events: vec![self.event(&input.org_id, Some(actor), kind, None, format!("In {} collection(s)", collection_ids.len()), meta)],
            marks: if input.file {
                vec![db::ItemMark { user_id: actor.user_id().into(), item_id: id.clone(), folder_id: checked.folder_id, favourite: checked.favourite }]
            } else {
                vec![]
            },
            moved_from: None,
        };
        self.store.write_org_items(&write).await.map_err(stale)?;
        let change = Change::Item {
            id: id.clone(),
            org_id: Some(input.org_id.clone()),
            collection_ids: collection_ids.clone(),
            change: if input.item_id.is_some() { ItemChange::Updated } else { ItemChange::Created },
        };
        self.tell_apps(Audience::Tenant(input.org_id.clone()), change, Some(actor));
        Ok(OrgItem { id, data, collection_ids, updated_at: now, deleted_at: None })
    }

    /// Moves items of the person's own vault into an organisation (Bitwarden's
    /// "share", the apps' Move to organisation): each re-encrypted with the
    /// organisation key in the app (`data`), into collections the person may
    /// edit, keeping its id; all leave the person's vault in one transaction.
    pub async fn share_items(&self, actor: &Actor, org_id: &str, items: Vec<(String, String)>, collection_ids: Vec<String>, meta: &RequestMeta) -> Result<()> {
        let ids: Vec<String> = items.iter().map(|(id, _)| id.clone()).collect();
        check_selection(&ids)?;
        let access = self.vault_access(actor, org_id).await?;
        let mut collection_ids: Vec<String> = collection_ids.into_iter().collect::<HashSet<_>>().into_iter().collect();
        collection_ids.sort();
        if collection_ids.is_empty() {
            return Err(ServiceError::field("collections", "Choose at least one collection to move the item into."));
        }
        let known = self.collection_ids(org_id).await?;
        if collection_ids.iter().any(|c| !known.contains(c)) {
            return Err(ServiceError::field("collections", "A selected collection is not in this organisation."));
        }
        if let VaultAccess::Collections(reach) = &access {
            check_editable(reach, &collection_ids)?;
        }
        let own = self.store.list_items(actor.user_id()).await?;
        let now = self.now();
        let mut rows = Vec::with_capacity(items.len());
        let mut marks = Vec::with_capacity(items.len());
        for (id, data) in items {
            let Some(before) = own.iter().find(|i| i.id == id && i.deleted_at.is_none()) else {
                return Err(ServiceError::NotFound("No such item in your vault (or it is in the Trash): nothing was moved.".into()));
            };
            let checked = check_data(&data, "This item")?;
            marks.push(db::ItemMark {
                user_id: actor.user_id().into(),
                item_id: id.clone(),
                folder_id: before.folder_id.clone(),
                favourite: checked.favourite,
            });
            rows.push(db::OrgItemRow { id, org_id: org_id.into(), data: checked.data, created_at: before.created_at, updated_at: now, deleted_at: None });
        }
        let detail = format!("{} item(s) moved in from {}'s vault, into {} collection(s)", rows.len(), actor.email(), collection_ids.len());
        let write = db::OrgItemsWrite {
            org_id: org_id.into(),
            new_collections: vec![],
            links: rows.iter().flat_map(|r| collection_ids.iter().map(|c| (r.id.clone(), c.clone()))).collect(),
            items: rows,
            events: vec![self.event(org_id, Some(actor), "items_shared", None, detail, meta)],
            marks,
            moved_from: Some(actor.user_id().into()),
        };
        self.store.write_org_items(&write).await.map_err(stale)?;
        self.tell_items(actor, Audience::Tenant(org_id.into()));
        self.tell_items(actor, Audience::User(actor.user_id().into()));
        Ok(())
    }

    /// Moves items to the Trash (restorable for 30 days); how many moved.
    pub async fn delete_org_items(&self, actor: &Actor, org_id: &str, ids: &[String], meta: &RequestMeta) -> Result<u64> {
        self.trash_org_items(actor, org_id, ids, true, meta).await
    }

    /// Brings items back from the Trash; how many came back.
    pub async fn restore_org_items(&self, actor: &Actor, org_id: &str, ids: &[String], meta: &RequestMeta) -> Result<u64> {
        self.trash_org_items(actor, org_id, ids, false, meta).await
    }

    async fn trash_org_items(&self, actor: &Actor, org_id: &str, ids: &[String], to_trash: bool, meta: &RequestMeta) -> Result<u64> {
        check_selection(ids)?;
        self.may_change_items(actor, org_id, ids).await?;
        let now = self.now();
        let kind = if to_trash { "items_trashed" } else { "items_restored" };
        let ev = self.event(org_id, Some(actor), kind, None, format!("{} item(s)", ids.len()), meta);
        let n = self.store.trash_org_items(org_id, ids, to_trash.then_some(now), now, &ev).await?;
        if n == 0 {
            let whose =
                if to_trash { "None of these items exist any more (or they are in the Trash already)." } else { "None of these items are in the Trash." };
            return Err(ServiceError::NotFound(whose.into()));
        }
        self.tell_items(actor, Audience::Tenant(org_id.into()));
        Ok(n)
    }

    /// Deletes items in the Trash for good; how many went.
    pub async fn purge_org_items(&self, actor: &Actor, org_id: &str, ids: &[String], meta: &RequestMeta) -> Result<u64> {
        check_selection(ids)?;
        self.may_change_items(actor, org_id, ids).await?;
        let ev = self.event(org_id, Some(actor), "items_deleted", None, format!("{} item(s) deleted for good", ids.len()), meta);
        let n = self.store.delete_org_items(org_id, ids, &ev).await?;
        if n == 0 {
            return Err(ServiceError::NotFound("None of these items are in the Trash.".into()));
        }
        self.tell_items(actor, Audience::Tenant(org_id.into()));
        Ok(n)
    }

    /// Assign to collections, in bulk: each chosen item keeps the collections
    /// it is in and is added to the chosen ones, all in one transaction.
    pub async fn assign_org_items(&self, actor: &Actor, input: AssignOrgItemsInput, meta: &RequestMeta) -> Result<u64> {
        self.authorize(actor, &input.org_id, Action::ManageVault).await?;
        let ids: HashSet<&String> = input.item_ids.iter().collect();
        if ids.is_empty() || ids.len() > MAX_IMPORT_ITEMS {
            return Err(ServiceError::field("ids", "Select between 1 and 5,000 items."));
        }
        let chosen: HashSet<&String> = input.collection_ids.iter().collect();
        if chosen.is_empty() {
            return Err(ServiceError::field("collections", "Choose at least one collection."));
        }
        let known = self.collection_ids(&input.org_id).await?;
        if chosen.iter().any(|c| !known.contains(*c)) {
            return Err(ServiceError::field("collections", "A selected collection is not in this organisation."));
        }
        let now = self.now();
        let (rows, links) = self.store.list_org_items(&input.org_id).await?;
        let mut by_item: HashMap<String, HashSet<String>> = HashMap::new();
        for (item, coll) in links {
            by_item.entry(item).or_default().insert(coll);
        }
        let mut write = db::OrgItemsWrite { org_id: input.org_id.clone(), ..Default::default() };
        for row in rows.into_iter().filter(|r| ids.contains(&r.id)) {
            let mut set = by_item.remove(&row.id).unwrap_or_default();
            set.extend(chosen.iter().map(|c| c.to_string()));
            let mut set: Vec<String> = set.into_iter().collect();
            set.sort();
            write.links.extend(set.into_iter().map(|c| (row.id.clone(), c)));
            write.items.push(db::OrgItemRow { updated_at: now, ..row });
        }
        if write.items.len() != ids.len() {
            return Err(ServiceError::NotFound("Some of these items do not exist any more. Reload the page and try again.".into()));
        }
        let n = write.items.len() as u64;
        let detail = format!("{n} item(s) to {} collection(s)", chosen.len());
        write.events.push(self.event(&input.org_id, Some(actor), "items_assigned", None, detail, meta));
        self.store.write_org_items(&write).await.map_err(stale)?;
        self.tell_items(actor, Audience::Tenant(input.org_id.clone()));
        Ok(n)
    }

    /// Stores a whole import in one transaction: the collections it names
    /// that do not exist yet, then every item. Nothing is stored if anything
    /// is wrong.
    pub async fn import_org_items(&self, actor: &Actor, input: ImportInput, meta: &RequestMeta) -> Result<ImportSummary> {
        self.authorize(actor, &input.org_id, Action::ManageVault).await?;
        self.limit(&format!("import:{}", actor.user_id()), 20, 3600, "imports in a short time").await?;
        if input.items.is_empty() {
            return Err(ServiceError::field("file", "The file has no items to import."));
        }
        if input.items.len() > MAX_IMPORT_ITEMS {
            return Err(ServiceError::field("file", format!("One import takes at most 5,000 items; this one has {}.", input.items.len())));
        }
        if input.new_collections.len() > MAX_IMPORT_COLLECTIONS {
            return Err(ServiceError::field("file", "One import can create at most 500 collections."));
        }
        let now = self.now();
        let known = self.collection_ids(&input.org_id).await?;
        let mut new_ids: HashMap<&str, String> = HashMap::new();
        let mut new_collections = vec![];
        for c in &input.new_collections {
            if !looks_encrypted(&c.name) {
                return Err(ServiceError::field("collections", "Collection names must be encrypted with the organisation key."));
            }
            if known.contains(&c.key) || new_ids.contains_key(c.key.as_str()) {
                return Err(ServiceError::field("collections", "Each new collection must have its own key."));
            }
            let id = new_id();
            new_ids.insert(&c.key, id.clone());
            new_collections.push(db::CollectionRow { id, org_id: input.org_id.clone(), name: c.name.clone(), created_at: now });
        }
        let mut items = Vec::with_capacity(input.items.len());
        let mut links = vec![];
        // Items of one import share a timestamp and are listed by (created_at,
        // id): ids handed out in ascending order keep the file's order.
        let mut ids: Vec<String> = input.items.iter().map(|_| new_id()).collect();
        ids.sort();
        for ((n, it), id) in input.items.iter().enumerate().zip(ids) {
            let data = check_data(&it.data, &format!("Item {}", n + 1))?.data;
            let mut seen = HashSet::new();
            for c in &it.collections {
                let coll = match new_ids.get(c.as_str()) {
                    Some(new) => new.clone(),
                    None if known.contains(c) => c.clone(),
                    None => return Err(ServiceError::field("collections", format!("Item {} names a collection that is not in this organisation.", n + 1))),
                };
                if seen.insert(coll.clone()) {
                    links.push((id.clone(), coll));
                }
            }
            items.push(db::OrgItemRow { id, org_id: input.org_id.clone(), data, created_at: now, updated_at: now, deleted_at: None });
        }
        let summary = ImportSummary { items: items.len(), collections: new_collections.len() };
        let detail = format!("{} item(s), {} new collection(s)", summary.items, summary.collections);
        let write = db::OrgItemsWrite {
            org_id: input.org_id.clone(),
            new_collections,
            items,
            links,
            events: vec![self.event(&input.org_id, Some(actor), "vault_imported", None, detail, meta)],
            marks: vec![],
            moved_from: None,
        };
        self.store.write_org_items(&write).await.map_err(stale)?;
        self.tell_apps(Audience::Tenant(input.org_id.clone()), Change::Vault, Some(actor));
        Ok(summary)
    }

    /// Everything the browser needs to write an export file; the export is
    /// recorded in the event log.
    pub async fn export_org_items(&self, actor: &Actor, org_id: &str, format: &str, meta: &RequestMeta) -> Result<OrgExport> {
        self.authorize(actor, org_id, Action::ManageVault).await?;
        let format = match format {
            "csv" => "CSV",
            "json" => "JSON",
            "protected" => "password-protected JSON",
            _ => return Err(ServiceError::field("format", "Choose CSV, JSON or password-protected JSON.")),
        };
        let items = self.org_items(org_id).await?;
        let collections = self.store.list_collections(org_id).await?.0.into_iter().map(|c| (c.id, c.name)).collect();
        let ev = self.event(org_id, Some(actor), "vault_exported", None, format!("{} item(s) as {format}", items.len()), meta);
        self.store.record_event(&ev).await?;
        Ok(OrgExport { items, collections })
    }
}
