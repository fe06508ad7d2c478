//! Import data and Export vault for the person's own vault.

use super::transfer::{ExportCall, ExportForm, ImportCall, ImportForm};
use super::{open_item, seal_item};
use crate::api::{import_items, list_folders, list_items};
use crate::session::use_session;
use domain::api::NewFolder;
use domain::bitwarden::cipher::CipherView;
use domain::transfer::{ImportedItem, Parsed};
use leptos::prelude::*;

#[component]
pub fn PersonalImport(open: RwSignal<bool>, version: RwSignal<u32>, message: RwSignal<Option<String>>) -> impl IntoView {
    let s = use_session();
    // The person's folders (id, name), to file the import's items into those of the same name.
    let mine = LocalResource::new(|| async { list_folders().await.unwrap_or_default() });
    let existing = move || {
        let keys = s.keys.get_untracked();
        mine.get().zip(keys).map(|(list, keys)| super::folders::open_folders(&keys.user_key, list)).unwrap_or_default()
    };
    let describe = Callback::new(move |p: Parsed| {
        let have = existing();
        let new: std::collections::BTreeSet<&String> =
            p.items.iter().filter_map(|i| i.collections.first()).filter(|n| !have.iter().any(|(_, name)| name == *n)).collect();
        let multi = p.items.iter().filter(|i| i.collections.len() > 1).count();
        let mut lines = vec![];
        if !new.is_empty() {
            let names: Vec<&str> = new.iter().map(|n| n.as_str()).collect();
            lines.push(format!("New folder(s): {}.", names.join(", ")));
        }
        if multi > 0 {
            lines.push(format!("{multi} item(s) name several collections: each goes into a folder named after the first."));
        }
        lines
    });
    let import = Callback::new(move |p: Parsed| -> ImportCall {
        let Some(keys) = s.keys.get_untracked() else { return Box::pin(async { Err("Your vault is locked.".to_string()) }) };
        let have = existing();
        let mut new_folders: Vec<NewFolder> = vec![];
        let mut keys_by_name: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        let items: Vec<String> = p
            .items
            .into_iter()
            .map(|i| {
                let folder_id = i.collections.first().map(|name| match have.iter().find(|(_, n)| n == name) {
                    Some((id, _)) => id.clone(),
                    None => keys_by_name
                        .entry(name.clone())
                        .or_insert_with(|| {
                            let key = format!("new:{}", new_folders.len());
                            new_folders.push(NewFolder { key: key.clone(), name: keys.user_key.encrypt(name.as_bytes()) });
                            key
                        })
                        .clone(),
                });
                seal_item(&keys.user_key, CipherView { folder_id, ..i.item })
            })
            .collect();
        Box::pin(async move {
            let made = new_folders.len();
            let n = import_items(items, new_folders).await.map_err(|e| e.to_string())?;
            version.update(|v| *v += 1);
            Ok(if made > 0 { format!("Imported {n} item(s) and {made} folder(s).") } else { format!("Imported {n} item(s).") })
        })
    });
    view! {
        <ImportForm
            intro="Bring your passwords over from a Bitwarden export (.json, password-protected .json or .csv), a LastPass .csv export or any .csv with name, url, username, password, notes and totp columns. The file is read and encrypted in this browser; its folders come along."
            describe=describe
            import=import
            open=open
            message=message
        />
    }
}

/// Your items (not the Trash), decrypted here.
#[component]
pub fn PersonalExport(open: RwSignal<bool>, message: RwSignal<Option<String>>) -> impl IntoView {
    let s = use_session();
    let items = Callback::new(move |_fmt: String| -> ExportCall {
        let keys = s.keys.get_untracked();
        Box::pin(async move {
            let keys = keys.ok_or("Your vault is locked.")?;
            let list = list_items().await.map_err(|e| e.to_string())?;
            let folders = super::folders::open_folders(&keys.user_key, list_folders().await.map_err(|e| e.to_string())?);
            let folder_name = |id: &Option<String>| id.as_ref().and_then(|id| folders.iter().find(|f| &f.0 == id)).map(|f| f.1.clone());
            let mut unreadable = 0;
            let items = list
                .into_iter()
                .filter(|i| i.deleted_at.is_none())
                .filter_map(|i| {
                    let item = open_item(&keys.user_key, &i.data);
                    unreadable += usize::from(item.is_none());
                    Some(ImportedItem { item: item?, collections: folder_name(&i.folder_id).into_iter().collect() })
                })
                .collect();
            Ok((items, unreadable))
        })
    });
    view! { <ExportForm whose="your vault data" stem="export".to_string() grouping=domain::transfer::Grouping::Folders items=items open=open message=message /> }
}
