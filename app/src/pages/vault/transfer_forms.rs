//! Import data and Export vault for the person's own vault.

use super::transfer::{ExportCall, ExportForm, ImportCall, ImportForm};
use super::{open_item, seal_item};
use crate::api::{import_items, list_items};
use crate::session::use_session;
use domain::transfer::{ImportedItem, Parsed};
use leptos::prelude::*;

#[component]
pub fn PersonalImport(open: RwSignal<bool>, version: RwSignal<u32>, message: RwSignal<Option<String>>) -> impl IntoView {
    let s = use_session();
    let describe = Callback::new(|p: Parsed| {
        let named = p.items.iter().filter(|i| !i.collections.is_empty()).count();
        if named == 0 {
            vec![]
        } else {
            vec![format!("{named} item(s) name a folder or collection: the items are imported without it (folders are not kept yet).")]
        }
    });
    let import = Callback::new(move |p: Parsed| -> ImportCall {
        let Some(keys) = s.keys.get_untracked() else { return Box::pin(async { Err("Your vault is locked.".to_string()) }) };
        let items: Vec<String> = p.items.into_iter().map(|i| seal_item(&keys.user_key, i.item)).collect();
        Box::pin(async move {
            let n = import_items(items).await.map_err(|e| e.to_string())?;
            version.update(|v| *v += 1);
            Ok(format!("Imported {n} item(s)."))
        })
    });
    view! {
        <ImportForm
            intro="Bring your passwords over from a Bitwarden export (.json, password-protected .json or .csv), a LastPass .csv export or any .csv with name, url, username, password, notes and totp columns. The file is read and encrypted in this browser."
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
            let mut unreadable = 0;
            let items = list
                .into_iter()
                .filter(|i| i.deleted_at.is_none())
                .filter_map(|i| {
                    let item = open_item(&keys.user_key, &i.data);
                    unreadable += usize::from(item.is_none());
                    Some(ImportedItem { item: item?, collections: vec![] })
                })
                .collect();
            Ok((items, unreadable))
        })
    });
    view! { <ExportForm whose="your vault data" stem="export".to_string() items=items open=open message=message /> }
}
