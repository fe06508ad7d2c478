//! The user's own vault: ciphertext in, ciphertext out.

use crate::{Actor, Result, ServiceError, Services, new_id};
use domain::api::VaultItem;
use domain::crypto::looks_encrypted;
use domain::vault::MAX_ITEM_CIPHERTEXT;

impl Services {
    pub async fn list_items(&self, actor: &Actor) -> Result<Vec<VaultItem>> {
        Ok(self.store.list_items(actor.user_id()).await?.into_iter().map(|r| VaultItem { id: r.id, data: r.data, updated_at: r.updated_at }).collect())
    }

    /// Creates (id None) or replaces an item. The server refuses anything that
    /// is not our ciphertext format, so plaintext cannot be stored by mistake.
    pub async fn save_item(&self, actor: &Actor, id: Option<String>, data: String) -> Result<VaultItem> {
        if data.len() > MAX_ITEM_CIPHERTEXT {
            return Err(ServiceError::field("data", "This item is too large."));
        }
        if !looks_encrypted(&data) {
            return Err(ServiceError::field("data", "Items must be encrypted in the browser."));
        }
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
        let row = db::ItemRow { id: id.clone(), user_id: actor.user_id().into(), data: data.clone(), created_at: now, updated_at: now };
        // Under the policy an item may be edited, never added: checked where
        // the row is written, so a fresh id sent as an "edit" adds nothing.
        if no_new_items {
            if !self.store.update_item(&row).await? {
                return Err(refused());
            }
        } else {
            self.store.put_item(&row).await?;
        }
        Ok(VaultItem { id, data, updated_at: now })
    }

    pub async fn delete_item(&self, actor: &Actor, id: &str) -> Result<()> {
        if self.store.delete_item(actor.user_id(), id).await? { Ok(()) } else { Err(ServiceError::NotFound("No such item.".into())) }
    }
}
