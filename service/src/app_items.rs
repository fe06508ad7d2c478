//! Bitwarden's bulk item endpoints: many items of a person's own vault and of
//! their organisations moved to the Trash, brought back, or deleted for good
//! in one request and one transaction. Every item is checked before anything
//! changes: one unknown item, or one the person may only view, refuses the
//! whole request.

use crate::live::Audience;
use crate::sync::{Reach, SyncOrgItem, VaultAccess};
use crate::{Actor, RequestMeta, Result, ServiceError, Services};
use std::collections::BTreeMap;

/// What a bulk request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    Trash,
    Restore,
    /// Deleted for good, from the Trash or not (Bitwarden's bulk delete).
    Purge,
}

impl BulkAction {
    fn event_kind(self) -> &'static str {
        match self {
            BulkAction::Trash => "items_trashed",
            BulkAction::Restore => "items_restored",
            BulkAction::Purge => "items_deleted",
        }
    }
}

fn check_ids(ids: &[String]) -> Result<()> {
    if ids.is_empty() || ids.len() > domain::transfer::MAX_IMPORT_ITEMS {
        return Err(ServiceError::field("ids", "Select between 1 and 5,000 items."));
    }
    Ok(())
}

impl Services {
    /// The items among the person's own vault and the organisation items
    /// they can reach (Bitwarden's `PUT /ciphers/delete`, `/ciphers/restore`,
    /// `DELETE /ciphers`); how many changed.
    pub async fn app_bulk(&self, actor: &Actor, ids: &[String], action: BulkAction, meta: &RequestMeta) -> Result<u64> {
        check_ids(ids)?;
        let data = self.app_sync(actor).await?;
        let mut personal = Vec::new();
        let mut by_org: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for id in ids {
            if data.personal.iter().any(|i| &i.id == id) {
                personal.push(id.clone());
            } else if let Some(i) = data.org_items.iter().find(|i| &i.item.id == id) {
                by_org.entry(i.item.org_id.clone()).or_default().push(id.clone());
            } else {
                return Err(ServiceError::NotFound("One of the items does not exist or is not yours to change: nothing was changed.".into()));
            }
        }
        self.apply_bulk(actor, personal, by_org, action, meta).await
    }

    /// The organisation's items, as its Admin Console changes them
    /// (Bitwarden's `*-admin` bulk endpoints); how many changed.
    pub async fn app_bulk_admin(&self, actor: &Actor, org_id: &str, ids: &[String], action: BulkAction, meta: &RequestMeta) -> Result<u64> {
        check_ids(ids)?;
        let (items, _) = self.store.list_org_items(org_id).await?;
        // Who may read the organisation at all is checked before its items are compared.
        self.may_change_items(actor, org_id, &[]).await?;
        if let Some(missing) = ids.iter().find(|id| !items.iter().any(|i| &&i.id == id)) {
            return Err(ServiceError::NotFound(format!("The organisation has no item {missing}: nothing was changed.")));
        }
        self.apply_bulk(actor, Vec::new(), BTreeMap::from([(org_id.to_string(), ids.to_vec())]), action, meta).await
    }

    /// The organisation's items among `ids` as its Admin Console sees them
    /// (what an admin bulk restore answers): every item for those who manage
    /// the whole vault, else the ones the person reaches.
    pub async fn app_org_items_admin(&self, actor: &Actor, org_id: &str, ids: &[String]) -> Result<Vec<SyncOrgItem>> {
        if let VaultAccess::Whole = self.vault_access(actor, org_id).await? {
            let (items, links) = self.store.list_org_items(org_id).await?;
            return Ok(items
                .into_iter()
                .filter(|i| ids.contains(&i.id))
                .map(|item| {
                    let collection_ids = links.iter().filter(|(i, _)| i == &item.id).map(|(_, c)| c.clone()).collect();
                    SyncOrgItem { item, collection_ids, reach: Reach::FULL, folder_id: None, favourite: false }
                })
                .collect());
        }
        let data = self.app_sync(actor).await?;
        Ok(data.org_items.into_iter().filter(|i| i.item.org_id == org_id && ids.contains(&i.item.id)).collect())
    }

    async fn apply_bulk(
        &self,
        actor: &Actor,
        personal: Vec<String>,
        by_org: BTreeMap<String, Vec<String>>,
        action: BulkAction,
        meta: &RequestMeta,
    ) -> Result<u64> {
        let mut orgs = Vec::with_capacity(by_org.len());
        for (org_id, ids) in by_org {
            self.may_change_items(actor, &org_id, &ids).await?;
            let event = self.event(&org_id, Some(actor), action.event_kind(), None, format!("{} item(s), from an app", ids.len()), meta);
            orgs.push((org_id, ids, event));
        }
        let batch = db::ItemBatch { user_id: actor.user_id().to_string(), personal, orgs };
        let now = self.now();
        let n = match action {
            BulkAction::Trash => self.store.trash_batch(&batch, Some(now), now).await?,
            BulkAction::Restore => self.store.trash_batch(&batch, None, now).await?,
            BulkAction::Purge => self.store.purge_batch(&batch).await?,
        };
        if !batch.personal.is_empty() {
            self.tell_items(actor, Audience::User(actor.user_id().into()));
        }
        for (org_id, _, _) in &batch.orgs {
            self.tell_items(actor, Audience::Tenant(org_id.clone()));
        }
        Ok(n)
    }
}
