//! The user's own vault: Bitwarden ciphers in, ciphers out.

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

/// Checks an item as the browser sent it (a Bitwarden cipher whose every text
/// field is an EncString type 2, so plaintext cannot be stored by mistake) and
/// returns the JSON to store: canonical, unknown members dropped. Folders are
/// a person's own and not kept yet. (A favourite on an organisation's item is
/// shared by everyone who sees it; Bitwarden keeps it per person.)
pub(crate) fn check_cipher(data: &str, what: &str, owner: Owner) -> Result<String> {
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
    c.folder_id = None;
    Ok(c.to_json())
}

impl Services {
    pub async fn list_items(&self, actor: &Actor) -> Result<Vec<VaultItem>> {
        Ok(self
            .store
            .list_items(actor.user_id())
            .await?
            .into_iter()
            .map(|r| VaultItem { id: r.id, data: r.data, updated_at: r.updated_at, deleted_at: r.deleted_at })
            .collect())
    }

    /// Creates (id None) or replaces an item ([`check_cipher`]).
    pub async fn save_item(&self, actor: &Actor, id: Option<String>, data: String) -> Result<VaultItem> {
        let data = check_cipher(&data, "This item", Owner::Person)?;
        let refused = || ServiceError::Forbidden("An organisation policy (Remove individual vault) does not allow new items in your individual vault.".into());
        let no_new_items = self.user_policies(actor.user_id()).await?.no_individual_vault;
        if id.is_none() && no_new_items {
            return Err(refused());
        }
        let id = match id {
            Some(id) => uuid::Uuid::parse_str(&id).map_err(|_| ServiceError::field("id", "Malformed item id."))?.to_string(),
            None => new_id(),
        };
        let now = self.now();
        let row = db::ItemRow { id: id.clone(), user_id: actor.user_id().into(), data: data.clone(), created_at: now, updated_at: now, deleted_at: None };
        // Under the policy an item may be edited, never added: checked where
        // the row is written, so a fresh id sent as an "edit" adds nothing.
        if no_new_items {
            if !self.store.update_item(&row).await? {
                return Err(refused());
            }
        } else {
            self.store.put_item(&row).await?;
        }
        Ok(VaultItem { id, data, updated_at: now, deleted_at: None })
    }

    /// Adds an import to the person's own vault, all items or none; how many.
    pub async fn import_items(&self, actor: &Actor, items: Vec<String>) -> Result<usize> {
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
        // Listed by (created_at, id): ids in ascending order keep the file's order.
        let mut ids: Vec<String> = items.iter().map(|_| new_id()).collect();
        ids.sort();
        let rows = items
            .iter()
            .zip(ids)
            .enumerate()
            .map(|(n, (data, id))| {
                let data = check_cipher(data, &format!("Item {}", n + 1), Owner::Person)?;
                Ok(db::ItemRow { id, user_id: actor.user_id().into(), data, created_at: now, updated_at: now, deleted_at: None })
            })
            .collect::<Result<Vec<_>>>()?;
        self.store.add_items(&rows).await?;
        Ok(rows.len())
    }

    /// Moves an item to the Trash, where it stays restorable for
    /// [`TRASH_DAYS`](domain::vault::TRASH_DAYS) days.
    pub async fn delete_item(&self, actor: &Actor, id: &str) -> Result<()> {
        let now = self.now();
        if self.store.trash_item(actor.user_id(), id, Some(now), now).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound("No such item (or it is in the Trash already).".into()))
        }
    }

    /// Brings an item back from the Trash.
    pub async fn restore_item(&self, actor: &Actor, id: &str) -> Result<()> {
        let now = self.now();
        if self.store.trash_item(actor.user_id(), id, None, now).await? { Ok(()) } else { Err(ServiceError::NotFound("No such item in the Trash.".into())) }
    }

    /// Deletes an item in the Trash for good.
    pub async fn purge_item(&self, actor: &Actor, id: &str) -> Result<()> {
        if self.store.delete_item(actor.user_id(), id).await? { Ok(()) } else { Err(ServiceError::NotFound("No such item in the Trash.".into())) }
    }
}
