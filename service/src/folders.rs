//! A person's folders (Bitwarden's personal folders): names encrypted with
//! the person's user key in the browser, seen by nobody else. A person's own
//! items are in at most one of their folders; an organisation's item is filed
//! per person (folder and favourite), as Bitwarden's apps expect.

use crate::live::{Audience, Change, ItemChange};
use crate::vault::{Owner, check_cipher};
use crate::{Actor, Result, ServiceError, Services, new_id};
use domain::api::Folder;
use domain::bitwarden::EncString;

/// How many folders one person may keep.
pub const MAX_FOLDERS: usize = 1_000;

/// A folder's name as the browser sends it: an EncString, not too long.
pub(crate) fn check_folder_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(ServiceError::field("name", "Enter a folder name."));
    }
    if name.len() > 1_000 || name.trim().parse::<EncString>().is_err() {
        return Err(ServiceError::field("name", "The folder name must be encrypted with your user key in the browser (and not too long)."));
    }
    Ok(())
}

fn folder(r: db::FolderRow) -> Folder {
    Folder { id: r.id, name: r.name, updated_at: r.updated_at }
}

impl Services {
    pub async fn list_folders(&self, actor: &Actor) -> Result<Vec<Folder>> {
        Ok(self.store.list_folders(actor.user_id()).await?.into_iter().map(folder).collect())
    }

    /// Creates a folder (id None) or renames one of the person's folders.
    pub async fn save_folder(&self, actor: &Actor, id: Option<String>, name: String) -> Result<Folder> {
        check_folder_name(&name)?;
        let name = name.trim();
        let mine = self.store.list_folders(actor.user_id()).await?;
        let now = self.now();
        let change = if id.is_some() { ItemChange::Updated } else { ItemChange::Created };
        let row = match id {
            Some(id) => {
                let Some(old) = mine.into_iter().find(|f| f.id == id) else {
                    return Err(ServiceError::NotFound("No such folder.".into()));
                };
                db::FolderRow { name: name.into(), updated_at: now, ..old }
            }
            None => {
                if mine.len() >= MAX_FOLDERS {
                    return Err(ServiceError::field("name", format!("You have {MAX_FOLDERS} folders, the most one account keeps. Delete one first.")));
                }
                db::FolderRow { id: new_id(), user_id: actor.user_id().into(), name: name.into(), created_at: now, updated_at: now }
            }
        };
        if !self.store.put_folder(&row).await? {
            return Err(ServiceError::NotFound("No such folder.".into()));
        }
        self.tell_apps(Audience::User(actor.user_id().into()), Change::Folder { id: row.id.clone(), change }, Some(actor));
        Ok(folder(row))
    }

    /// Deletes one of the person's folders; its items stay, in no folder.
    pub async fn delete_folder(&self, actor: &Actor, id: &str) -> Result<()> {
        if !self.store.delete_folder(actor.user_id(), id).await? {
            return Err(ServiceError::NotFound("No such folder.".into()));
        }
        self.tell_apps(Audience::User(actor.user_id().into()), Change::Folder { id: id.into(), change: ItemChange::Deleted }, Some(actor));
        Ok(())
    }

    /// A folder named for an item must be the person's own.
    pub(crate) async fn check_folder(&self, actor: &Actor, folder_id: Option<&str>) -> Result<()> {
        let Some(id) = folder_id else { return Ok(()) };
        if self.store.list_folders(actor.user_id()).await?.iter().any(|f| f.id == id) {
            Ok(())
        } else {
            Err(ServiceError::field("folder", "That folder is not one of yours (it may have been deleted)."))
        }
    }

    /// Files an item the person can see: their folder for it and their
    /// favourite mark (Bitwarden's `PUT /ciphers/{id}/partial`). A person's
    /// own item keeps both; an organisation's item keeps them for this person
    /// only, so a member who may not edit it can still file it.
    pub async fn file_item(&self, actor: &Actor, id: &str, folder_id: Option<String>, favourite: bool) -> Result<()> {
        let folder_id = folder_id.filter(|f| !f.is_empty());
        self.check_folder(actor, folder_id.as_deref()).await?;
        if let Some(mut own) = self.store.list_items(actor.user_id()).await?.into_iter().find(|i| i.id == id) {
            let mut c: serde_json::Value = serde_json::from_str(&own.data).map_err(|e| ServiceError::Internal(e.into()))?;
            c["favorite"] = serde_json::Value::Bool(favourite);
            own.data = check_cipher(&c.to_string(), "This item", Owner::Person)?.data;
            own.folder_id = folder_id;
            own.updated_at = self.now();
            self.store.update_item(&own).await?;
            self.tell_own_item(actor, id, ItemChange::Updated);
            return Ok(());
        }
        let reachable = self.app_sync(actor).await?.org_items.into_iter().any(|i| i.item.id == id);
        if !reachable {
            return Err(ServiceError::NotFound("No such item.".into()));
        }
        self.store.set_item_mark(&db::ItemMark { user_id: actor.user_id().into(), item_id: id.into(), folder_id, favourite }).await?;
        self.tell_own_item(actor, id, ItemChange::Updated);
        Ok(())
    }

    /// Moves items the person can see into one of their folders (or none),
    /// keeping their favourite marks: all of them or, if one is not theirs
    /// to see, none.
    pub async fn move_to_folder(&self, actor: &Actor, ids: &[String], folder_id: Option<String>) -> Result<()> {
        if ids.is_empty() || ids.len() > domain::transfer::MAX_IMPORT_ITEMS {
            return Err(ServiceError::field("ids", "Select between 1 and 5,000 items."));
        }
        let folder_id = folder_id.filter(|f| !f.is_empty());
        self.check_folder(actor, folder_id.as_deref()).await?;
        let data = self.app_sync(actor).await?;
        let (mut own, mut marks) = (vec![], vec![]);
        for id in ids {
            if data.personal.iter().any(|i| &i.id == id) {
                own.push(id.clone());
            } else if let Some(i) = data.org_items.iter().find(|i| &i.item.id == id) {
                marks.push(db::ItemMark { user_id: actor.user_id().into(), item_id: id.clone(), folder_id: folder_id.clone(), favourite: i.favourite });
            } else {
                return Err(ServiceError::NotFound("No such item.".into()));
            }
        }
        self.store.move_to_folder(actor.user_id(), &own, folder_id.as_deref(), &marks).await?;
        self.tell_items(actor, Audience::User(actor.user_id().into()));
        Ok(())
    }
}
