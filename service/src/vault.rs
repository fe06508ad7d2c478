//! The user's own vault: Bitwarden ciphers in, ciphers out.

use crate::live::{Audience, Change, ItemChange};
use crate::{Actor, Result, ServiceError, Services, new_id};
use domain::api::VaultItem;
use domain::bitwarden::cipher::EncryptedCipher;
use domain::transfer::MAX_IMPORT_ITEMS;
use domain::vault::MAX_ITEM_CIPHERTEXT;

/// Whose item it is: a person's own, or an organisation's (shared).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    Person,
    Organisation,
}

/// An item as checked for storing, and how the saving person files it.
pub(crate) struct Checked {
    /// The cipher JSON to store: canonical, unknown members dropped, no folder.
    pub data: String,
    /// The saving person's folder for it (checked to be theirs where it is written).
    pub folder_id: Option<String>,
    /// The saving person's favourite mark (kept in a person's own item; an
    /// organisation's item is marked per person, as Bitwarden does).
    pub favourite: bool,
}

/// Checks an item as the browser sent it (a Bitwarden cipher whose every text
/// field is an EncString type 2, so plaintext cannot be stored by mistake).
pub(crate) fn check_cipher(data: &str, what: &str, owner: Owner) -> Result<Checked> {
    if data.len() > MAX_ITEM_CIPHERTEXT {
        return Err(ServiceError::field("data", format!("{what} is too large.")));
    }
    let mut c: EncryptedCipher = serde_json::from_str(data).map_err(|_| {
        let whose = if owner == Owner::Person { "your user key" } else { "the organisation key" };
        ServiceError::field("data", format!("{what} must be a vault item with every field encrypted with {whose} in the browser."))
    })?;
    if c.name.to_string().len() > 1_000 || c.notes.as_ref().is_some_and(|n| n.to_string().len() > 10_000) {
        return Err(ServiceError::field("data", format!("{what}: the name or the notes are too long.")));
    }
    let folder_id = c.folder_id.take().filter(|f| !f.is_empty());
    let favourite = c.favorite;
    if owner == Owner::Organisation {
        c.favorite = false;
    }
    Ok(Checked { data: c.to_json(), folder_id, favourite })
}

impl Services {
    pub async fn list_items(&self, actor: &Actor) -> Result<Vec<VaultItem>> {
        Ok(self
            .store
            .list_items(actor.user_id())
            .await?
            .into_iter()
            .map(|r| VaultItem { id: r.id, data: r.data, updated_at: r.updated_at, deleted_at: r.deleted_at, folder_id: r.folder_id })
            .collect())
    }

    /// Creates (id None) or replaces an item ([`check_cipher`]).
    pub async fn save_item(&self, actor: &Actor, id: Option<String>, data: String) -> Result<VaultItem> {
        let Checked { data, folder_id, .. } = check_cipher(&data, "This item", Owner::Person)?;
        self.check_folder(actor, folder_id.as_deref()).await?;
        let refused = || ServiceError::Forbidden("An organisation policy (Remove individual vault) does not allow new items in your individual vault.".into());
        let no_new_items = self.user_policies(actor.user_id()).await?.no_individual_vault;
        if id.is_none() && no_new_items {
            return Err(refused());
        }
        let change = if id.is_some() { ItemChange::Updated } else { ItemChange::Created };
        let id = match id {
            Some(id) => uuid::Uuid::parse_str(&id).map_err(|_| ServiceError::field("id", "Malformed item id."))?.to_string(),
            None => new_id(),
        };
        let now = self.now();
        let row = db::ItemRow {
            id: id.clone(),
            user_id: actor.user_id().into(),
            data: data.clone(),
            created_at: now,
            updated_at: now,
            deleted_at: None,
            folder_id: folder_id.clone(),
        };
        // Under the policy an item may be edited, never added: checked where
        // the row is written, so a fresh id sent as an "edit" adds nothing.
        if no_new_items {
            if !self.store.update_item(&row).await? {
                return Err(refused());
            }
        } else {
            self.store.put_item(&row).await?;
        }
        self.tell_own_item(actor, &id, change);
        Ok(VaultItem { id, data, updated_at: now, deleted_at: None, folder_id })
    }

    /// Adds an import to the person's own vault, all items or none, with the
    /// folders it makes (items name a new folder by its `key`, or one of the
    /// person's folders by id); how many items.
    pub async fn import_items(&self, actor: &Actor, items: Vec<String>, folders: Vec<domain::api::NewFolder>) -> Result<usize> {
        self.limit(&format!("import:{}", actor.user_id()), 20, 3600, "imports in a short time").await?;
        if items.is_empty() {
            return Err(ServiceError::field("file", "The file has no items to import."));
        }
        if items.len() > MAX_IMPORT_ITEMS {
            return Err(ServiceError::field("file", format!("One import takes at most 5,000 items; this one has {}.", items.len())));
        }
        if self.user_policies(actor.user_id()).await?.no_individual_vault {
            return Err(ServiceError::Forbidden("An organisation policy (Remove individual vault) does not allow new items in your individual vault.".into()));
        }
        let now = self.now();
        let existing = self.store.list_folders(actor.user_id()).await?;
        if existing.len() + folders.len() > crate::folders::MAX_FOLDERS {
            return Err(ServiceError::field(
                "file",
                format!("The import would make {} folders; an account keeps at most {}.", folders.len(), crate::folders::MAX_FOLDERS),
            ));
        }
        let mut new_folders: Vec<db::FolderRow> = vec![];
        let mut by_key = std::collections::HashMap::new();
        for f in folders {
            crate::folders::check_folder_name(&f.name)?;
            let row = db::FolderRow { id: new_id(), user_id: actor.user_id().into(), name: f.name, created_at: now, updated_at: now };
            if by_key.insert(f.key, row.id.clone()).is_some() {
                return Err(ServiceError::field("file", "Two new folders of the import have the same key."));
            }
            new_folders.push(row);
        }
        // Listed by (created_at, id): ids in ascending order keep the file's order.
        let mut ids: Vec<String> = items.iter().map(|_| new_id()).collect();
        ids.sort();
        let rows = items
            .iter()
            .zip(ids)
            .enumerate()
            .map(|(n, (data, id))| {
                let what = format!("Item {}", n + 1);
                let Checked { data, folder_id, .. } = check_cipher(data, &what, Owner::Person)?;
                let folder_id = match folder_id {
                    None => None,
                    Some(f) if existing.iter().any(|e| e.id == f) => Some(f),
                    Some(f) => Some(by_key.get(&f).cloned().ok_or_else(|| ServiceError::field("file", format!("{what} names a folder that is not yours.")))?),
                };
                Ok(db::ItemRow { id, user_id: actor.user_id().into(), data, created_at: now, updated_at: now, deleted_at: None, folder_id })
            })
            .collect::<Result<Vec<_>>>()?;
        self.store.add_items(&new_folders, &rows).await?;
        self.tell_apps(Audience::User(actor.user_id().into()), Change::Vault, Some(actor));
        Ok(rows.len())
    }

    /// Moves an item to the Trash, where it stays restorable for
    /// [`TRASH_DAYS`](domain::vault::TRASH_DAYS) days.
    pub async fn delete_item(&self, actor: &Actor, id: &str) -> Result<()> {
        let now = self.now();
        if self.store.trash_item(actor.user_id(), id, Some(now), now).await? {
            self.tell_own_item(actor, id, ItemChange::Updated);
            Ok(())
        } else {
            Err(ServiceError::NotFound("No such item (or it is in the Trash already).".into()))
        }
    }

    /// Brings an item back from the Trash.
    pub async fn restore_item(&self, actor: &Actor, id: &str) -> Result<()> {
        let now = self.now();
        if !self.store.trash_item(actor.user_id(), id, None, now).await? {
            return Err(ServiceError::NotFound("No such item in the Trash.".into()));
        }
        self.tell_own_item(actor, id, ItemChange::Updated);
        Ok(())
    }

    /// Deletes an item in the Trash for good.
    pub async fn purge_item(&self, actor: &Actor, id: &str) -> Result<()> {
        if !self.store.delete_item(actor.user_id(), id).await? {
            return Err(ServiceError::NotFound("No such item in the Trash.".into()));
        }
        self.tell_own_item(actor, id, ItemChange::Deleted);
        Ok(())
    }
}
