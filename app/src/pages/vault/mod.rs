//! The user's own vault: Bitwarden items of every type, each field encrypted
//! in the browser with the user key. The server stores only ciphertext.

mod editor;
mod folders;
mod reprompt;
mod row;
mod shared;
pub mod transfer;
mod transfer_forms;
mod widgets;

pub use editor::ItemEditor;
pub use reprompt::{Reprompt, RepromptDialog, guarded};
pub use row::{ItemActions, TrashActions};
pub use widgets::{copied, copy_text};

use crate::api::{
    delete_item, delete_org_items, file_item, list_folders, list_items, purge_item, purge_org_items, restore_item, restore_org_items, save_item, save_org_item,
    shared_vault,
};
use crate::client_view::{ClientView, IntoClientView, lazy_view};
use crate::components::{Modal, UnlockPanel};
use crate::session::use_session;
use domain::bitwarden::cipher::{CipherType, CipherView, EncryptedCipher};
use domain::crypto::SymmetricKey;
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

/// An item's server call, to the person's own vault or to its organisation's
/// (by the organisation id the list knows it under).
macro_rules! own_or_org {
    ($own:ident, $org:ident) => {
        |org: Option<String>, id: String| {
            Box::pin(async move {
                match org {
                    Some(org) => $org(org, vec![id]).await.map(drop),
                    None => $own(id).await,
                }
            }) as std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), crate::error::ApiError>>>>
        }
    };
}

#[derive(Clone, PartialEq)]
struct Decrypted {
    id: String,
    data: CipherView,
    deleted: bool,
    /// An organisation's item shared with the person (None: their own).
    shared: Option<shared::Shared>,
}

/// An item as stored (a Bitwarden cipher) opened with the user or organisation key.
pub fn open_item(key: &SymmetricKey, data: &str) -> Option<CipherView> {
    serde_json::from_str::<EncryptedCipher>(data).ok()?.decrypt(key.inner()).ok()
}

/// An item encrypted for the server, field by field.
pub fn seal_item(key: &SymmetricKey, item: CipherView) -> String {
    item.encrypt(key.inner()).to_json()
}

/// The list filter: every item, favourites, or one type.
#[component]
pub fn TypeFilter(filter: RwSignal<String>) -> impl IntoView {
    view! {
        <select class="filter" aria-label="Show" bind:value=filter>
            <option value="">"All items"</option>
            <option value="favorite">"Favorites"</option>
            {CipherType::ALL.into_iter().map(|k| view! { <option value=k.csv_word()>{k.label()}</option> }).collect_view()}
            <option value="trash">"Trash"</option>
        </select>
    }
}

/// Does an item pass the filter and the search? Items in the Trash show in
/// the Trash only.
pub fn shown(item: &CipherView, deleted: bool, filter: &str, query: &str) -> bool {
    if deleted != (filter == "trash") {
        return false;
    }
    let by_type = match filter {
        "" | "trash" => true,
        "favorite" => item.favorite,
        word => CipherType::from_csv_word(word) == Some(item.kind),
    };
    by_type && item.matches(query)
}

#[component]
pub fn VaultPage() -> impl IntoView {
    let s = use_session();
    view! {
        <Title text="Vault" />
        <Transition fallback=|| {
            view! { <p class="muted">"Loading…"</p> }
        }>
            {move || {
                let unlocked = s.unlocked();
                Suspend::new(async move {
                    match s.me.await {
                        Ok(Some(me)) if !unlocked => {
                            Either::Left(
                                view! {
                                    <UnlockPanel
                                        me=me
                                        prepare=|| {
                                            lazy_preload!(vault_body);
                                        }
                                    />
                                }
                                    .into_any(),
                            )
                        }
                        Ok(Some(_)) => Either::Right(lazy_view(vault_body()).await),
                        _ => Either::Left(().into_any()),
                    }
                })
            }}
        </Transition>
    }
}

/// The unlocked vault, built in the browser from its own chunk.
#[lazy]
fn vault_body() -> ClientView {
    view! { <VaultView /> }.into_client()
}

#[component]
fn VaultView() -> impl IntoView {
    let s = use_session();
    Reprompt::provide();
    let version = RwSignal::new(0u32);
    let items = Resource::new(move || version.get(), |_| async { (list_items().await, shared_vault().await, list_folders().await) });
    let search = RwSignal::new(String::new());
    let filter = RwSignal::new(String::new());
    let vault = RwSignal::new(String::new());
    let folder = RwSignal::new(String::new());
    let folder_edit = RwSignal::new(None::<folders::FolderEdit>);
    // The person's folders (id, name), opened with the user key.
    let folder_list = StoredValue::new(Vec::<(String, String)>::new());
    let editing = RwSignal::new(None::<Decrypted>);
    let dialog_open = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let deleting = RwSignal::new(None::<(String, String)>);
    let purging = RwSignal::new(None::<(String, String)>);
    // Item id → organisation id, for the organisation items in the list.
    let owners = StoredValue::new(std::collections::HashMap::<String, String>::new());
    // The person's organisations (keys opened) and where new items may go.
    let orgs = StoredValue::new(Vec::<shared::OrgRef>::new());
    let destinations = StoredValue::new(Vec::<shared::Destination>::new());
    // One server call on an item (its own, or an organisation's), then the
    // list again with what it said.
    type Call = fn(Option<String>, String) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), crate::error::ApiError>>>>;
    let act = move |call: Call, done: &'static str| {
        Callback::new(move |(id, name): (String, String)| {
            let org = owners.with_value(|o| o.get(&id).cloned());
            spawn_local(async move {
                match call(org, id).await {
                    Ok(()) => {
                        message.set(Some(format!("{name} {done}")));
                        version.update(|v| *v += 1);
                    }
                    Err(e) => message.set(Some(e.to_string())),
                }
            });
        })
    };
    let remove = act(own_or_org!(delete_item, delete_org_items), "moved to the Trash.");
    let restore = act(own_or_org!(restore_item, restore_org_items), "restored.");
    let purge = act(own_or_org!(purge_item, purge_org_items), "deleted for good.");
    let asks = RowAsks { deleting, purging, restore };

    let (importing, exporting) = (RwSignal::new(false), RwSignal::new(false));
    let open_new = move |_| {
        editing.set(None);
        dialog_open.set(true);
    };

    view! {
        <div class="page-head">
            <div>
                <h1>"Vault"</h1>
                <p class="muted">"Your own logins, cards, identities, notes and SSH keys, encrypted field by field before they leave this browser."</p>
            </div>
            <div class="head-actions">
                <button class="btn" on:click=move |_| importing.set(true)>
                    "Import data"
                </button>
                <button class="btn" on:click=move |_| exporting.set(true)>
                    "Export vault"
                </button>
                <button class="btn primary" on:click=open_new>
                    "New item"
                </button>
            </div>
        </div>
        <p class="notice" role="status">
            {move || message.get()}
        </p>
        <Transition fallback=|| {
            view! { <p class="muted">"Loading…"</p> }
        }>
            // Read with try_get, not awaited: when the person logs out while
            // the lists load, this can run once more after the page's
            // resource is gone (an await, or get, panics there).
            {move || {
                items
                    .try_get()
                    .flatten()
                    .map(|(list, shared_list, folder_rows)| {
                        let Some(keys) = s.keys.get_untracked() else { return ().into_client() };
                        let me = s.me.get_untracked().and_then(Result::ok).flatten();
                        match list {
                            Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_client(),
                            Ok(list) => {
                                let org_list = me.as_ref().map(|me| shared::org_refs(me, &s)).unwrap_or_default();
                                let shared_list = shared_list.unwrap_or_default();
                                let my_folders = folders::open_folders(&keys.user_key, folder_rows.unwrap_or_default());
                                folder_list.set_value(my_folders.clone());
                                let mut decrypted: Vec<Decrypted> = list
                                    .into_iter()
                                    .filter_map(|i| Some(Decrypted {
                                        data: CipherView {
                                            folder_id: i.folder_id,
                                            ..open_item(&keys.user_key, &i.data)?
                                        },
                                        id: i.id,
                                        deleted: i.deleted_at.is_some(),
                                        shared: None,
                                    }))
                                    .collect();
                                decrypted
                                    .extend(
                                        shared_list
                                            .items
                                            .into_iter()
                                            .filter_map(|i| {
                                                let org = org_list.iter().find(|o| o.id == i.org_id)?;
                                                let mut data = open_item(&org.key, &i.item.data)?;
                                                if !i.view_password {
                                                    shared::hide_secrets(&mut data);
                                                }
                                                (data.folder_id, data.favorite) = (i.folder_id, i.favourite);
                                                Some(Decrypted {
                                                    data,
                                                    id: i.item.id,
                                                    deleted: i.item.deleted_at.is_some(),
                                                    shared: Some(shared::Shared {
                                                        org_id: i.org_id.clone(),
                                                        org_name: org.name.clone(),
                                                        collection_ids: i.item.collection_ids,
                                                        edit: i.edit,
                                                        view_password: i.view_password,
                                                    }),
                                                })
                                            }),
                                    );
                                owners.set_value(decrypted.iter().filter_map(|d| Some((d.id.clone(), d.shared.as_ref()?.org_id.clone()))).collect());
                                destinations.set_value(shared::destinations(&org_list, &shared_list.collections));
                                let vault_choices: Vec<(String, String)> = org_list.iter().map(|o| (o.id.clone(), o.name.clone())).collect();
                                let has_orgs = !vault_choices.is_empty();
                                orgs.set_value(org_list);
                                let total = decrypted.len();
                                let shown = move || {
                                    let q = search.get();
                                    let f = filter.get();
                                    let v = vault.get();
                                    let fo = folder.get();
                                    decrypted
                                        .iter()
                                        .filter(|d| {
                                            in_vault(d, &v) && folders::in_folder(d.data.folder_id.as_deref(), &fo) && shown(&d.data, d.deleted, &f, &q)
                                        })
                                        .cloned()
                                        .collect::<Vec<_>>()
                                };
                                let has_folders = !my_folders.is_empty();
                                let (vault_choices, my_folders) = (StoredValue::new(vault_choices), StoredValue::new(my_folders));
                                view! {
                                    <div class="toolbar">
                                        <input class="search" type="search" placeholder="Search vault" aria-label="Search vault" bind:value=search />
                                        <TypeFilter filter=filter />
                                        <Show when=move || has_orgs>
                                            <shared::VaultFilter vault=vault orgs=vault_choices.get_value() />
                                        </Show>
                                        <Show when=move || has_folders>
                                            <folders::FolderFilter filter=folder folders=my_folders.get_value() />
                                            <Show when=move || !matches!(folder.get().as_str(), "" | "none")>
                                                <button
                                                    class="btn small ghost"
                                                    on:click=move |_| {
                                                        let id = folder.get_untracked();
                                                        let name = folder_list
                                                            .with_value(|l| l.iter().find(|f| f.0 == id).map(|f| f.1.clone()))
                                                            .unwrap_or_default();
                                                        folder_edit
                                                            .set(
                                                                Some(folders::FolderEdit {
                                                                    id: Some(id),
                                                                    name,
                                                                }),
                                                            );
                                                    }
                                                >
                                                    "Edit folder"
                                                </button>
                                            </Show>
                                        </Show>
                                        <button
                                            class="btn small"
                                            on:click=move |_| {
                                                folder_edit
                                                    .set(
                                                        Some(folders::FolderEdit {
                                                            id: None,
                                                            name: String::new(),
                                                        }),
                                                    )
                                            }
                                        >
                                            "New folder"
                                        </button>
                                    </div>
                                    <Show when=move || total == 0>
                                        <div class="empty">
                                            <h2>"Your vault is empty"</h2>
                                            <p class="muted">"Add a login, a card, an identity, a note or an SSH key with New item."</p>
                                        </div>
                                    </Show>
                                    <Show when={
                                        let shown = shown.clone();
                                        move || total > 0 && shown().is_empty()
                                    }>
                                        <p class="muted" role="status">
                                            {move || if filter.get() == "trash" { "The Trash is empty." } else { "No items match." }}
                                        </p>
                                    </Show>
                                    <ul class="items" aria-label="Vault items">
                                        <For each=shown key=|d| d.id.clone() let:d>
                                            <ItemRow d=d editing=editing dialog_open=dialog_open asks=asks message=message />
                                        </For>
                                    </ul>
                                }
                                    .into_client()
                            }
                        }
                    })
            }}
        </Transition>
        <Modal open=dialog_open on_close=Callback::new(move |_| dialog_open.set(false)) title="Item".to_string()>
            <ItemForm editing=editing dialog_open=dialog_open version=version orgs=orgs destinations=destinations folders=folder_list />
        </Modal>
        <folders::FolderDialog editing=folder_edit filter=folder version=version message=message />
        <RepromptDialog />
        <Modal open=importing on_close=Callback::new(move |_| importing.set(false)) title="Import data".to_string()>
            <transfer_forms::PersonalImport open=importing version=version message=message />
        </Modal>
        <Modal open=exporting on_close=Callback::new(move |_| exporting.set(false)) title="Export vault".to_string()>
            {move || {
                if s.me.get().and_then(Result::ok).flatten().is_some_and(|me| me.policies.no_personal_export) {
                    view! {
                        <p class="notice" role="note">
                            "An organisation policy (Remove individual vault export) prevents you from exporting your individual vault. Items of an organisation are exported from its Admin Console by its administrators."
                        </p>
                    }
                        .into_any()
                } else {
                    view! { <transfer_forms::PersonalExport open=exporting message=message /> }.into_any()
                }
            }}
        </Modal>
        <DeleteItemDialog deleting=deleting on_confirm=remove note="It moves to the Trash, where it can be restored for 30 days." />
        <DeleteItemDialog
            deleting=purging
            on_confirm=purge
            note="It is deleted for good and cannot be brought back."
            title="Delete for good"
            action="Delete forever"
        />
    }
}

/// Does an item belong to the chosen vault ("" every vault, "mine" the
/// person's own, else an organisation's id)?
fn in_vault(d: &Decrypted, vault: &str) -> bool {
    match (vault, &d.shared) {
        ("", _) => true,
        ("mine", s) => s.is_none(),
        (org, Some(s)) => s.org_id == org,
        (_, None) => false,
    }
}

/// What a row's buttons ask for, by (id, name): to move it to the Trash or
/// delete it for good (both confirmed first), or to restore it.
#[derive(Clone, Copy)]
pub struct RowAsks {
    pub deleting: RwSignal<Option<(String, String)>>,
    pub purging: RwSignal<Option<(String, String)>>,
    pub restore: Callback<(String, String)>,
}

#[component]
fn ItemRow(d: Decrypted, editing: RwSignal<Option<Decrypted>>, dialog_open: RwSignal<bool>, asks: RowAsks, message: RwSignal<Option<String>>) -> impl IntoView {
    let (id, name) = (d.id.clone(), d.data.name.clone());
    let delete_label = format!("Delete {name}");
    let open = {
        let d = d.clone();
        Callback::new(move |_| {
            editing.set(Some(d.clone()));
            dialog_open.set(true);
        })
    };
    let may_change = d.shared.as_ref().is_none_or(|s| s.edit);
    let actions = if !may_change {
        ().into_any()
    } else if d.deleted {
        view! { <TrashActions id=id name=name asks=asks /> }.into_any()
    } else {
        view! {
            <button class="btn ghost small danger" aria-label=delete_label on:click=move |_| asks.deleting.set(Some((id.clone(), name.clone())))>
                "Delete"
            </button>
        }
        .into_any()
    };
    let copy = (!d.deleted).then(|| view! { <ItemActions item=d.data.clone() message=message /> });
    let badge = d.shared.as_ref().map(|s| view! { <span class="badge info">{s.org_name.clone()}</span> });
    view! {
        <li class="item">
            <row::ItemSummary item=d.data.clone() on_open=open />
            {badge}
            <div class="item-actions">{copy} {actions}</div>
        </li>
    }
}

#[component]
fn ItemForm(
    editing: RwSignal<Option<Decrypted>>,
    dialog_open: RwSignal<bool>,
    version: RwSignal<u32>,
    orgs: StoredValue<Vec<shared::OrgRef>>,
    destinations: StoredValue<Vec<shared::Destination>>,
    folders: StoredValue<Vec<(String, String)>>,
) -> impl IntoView {
    let s = use_session();
    let cur = editing.get_untracked();
    let is_new = cur.is_none();
    let initial = cur.as_ref().map(|d| d.data.clone()).unwrap_or_else(|| CipherView::new(CipherType::Login));
    let shared = cur.as_ref().and_then(|d| d.shared.clone());
    // Under "Can view, except passwords" the secrets were never shown: the item is read only.
    let read_only = shared.as_ref().is_some_and(|s| !s.edit || !s.view_password);
    let id = cur.map(|d| d.id);
    let error = RwSignal::new(None::<String>);
    // Where a new item goes: "" = the person's own vault, else a collection id.
    let no_personal = s.me.get_untracked().and_then(|r| r.ok()).flatten().is_some_and(|me| me.policies.no_individual_vault);
    let choices = destinations.get_value();
    let dest = RwSignal::new(if no_personal { choices.first().map(|d| d.collection_id.clone()).unwrap_or_default() } else { String::new() });
    let save = Callback::new(move |item: CipherView| {
        let Some(keys) = s.keys.get_untracked() else {
            error.set(Some("Your vault is locked.".into()));
            return;
        };
        // The organisation and collections the item is (or goes) in, if not the person's own.
        let target = match &shared {
            Some(sh) => Some((sh.org_id.clone(), sh.collection_ids.clone())),
            None => destinations
                .with_value(|all| all.iter().find(|d| d.collection_id == dest.get_untracked()).map(|d| (d.org_id.clone(), vec![d.collection_id.clone()]))),
        };
        let id = id.clone();
        // A member who may only view an organisation's item still files it: their folder and Favorite.
        if read_only {
            let Some(id) = id else { return };
            spawn_local(async move {
                match file_item(id, item.folder_id.clone(), item.favorite).await {
                    Ok(()) => {
                        dialog_open.set(false);
                        version.update(|v| *v += 1);
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
            return;
        }
        let org_key = target.as_ref().and_then(|(org, _)| orgs.with_value(|o| o.iter().find(|x| x.id == *org).map(|x| x.key.clone())));
        spawn_local(async move {
            let result = match (target, org_key) {
                (Some((org_id, collection_ids)), Some(key)) => {
                    let input = domain::api::SaveOrgItemInput { org_id, item_id: id, data: seal_item(&key, item), collection_ids, file: true };
                    save_org_item(input).await.map(drop)
                }
                (Some(_), None) => Err(crate::error::ApiError::Forbidden("This organisation's key is not open here. Reload the page.".into())),
                (None, _) => save_item(id, seal_item(&keys.user_key, item)).await.map(drop),
            };
            match result {
                Ok(()) => {
                    dialog_open.set(false);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    });
    let owner_picker = (is_new && !choices.is_empty()).then(|| {
        view! {
            <crate::components::Field label="Owner">
                <select bind:value=dest>
                    <Show when=move || !no_personal>
                        <option value="">"My vault"</option>
                    </Show>
                    {choices.iter().map(|d| view! { <option value=d.collection_id.clone()>{d.label.clone()}</option> }).collect_view()}
                </select>
            </crate::components::Field>
        }
    });
    view! {
        <ItemEditor
            initial=initial
            is_new=is_new
            read_only=read_only
            filing=folders.get_value()
            on_save=save
            on_cancel=Callback::new(move |_| dialog_open.set(false))
            error=error
        >
            {owner_picker}
        </ItemEditor>
    }
}

/// Asks before an item is deleted: open while `deleting` holds (id, name).
#[component]
pub fn DeleteItemDialog(
    deleting: RwSignal<Option<(String, String)>>,
    on_confirm: Callback<(String, String)>,
    note: &'static str,
    #[prop(default = "Delete item")] title: &'static str,
    #[prop(default = "Delete")] action: &'static str,
) -> impl IntoView {
    view! {
        <Modal open=Signal::derive(move || deleting.get().is_some()) on_close=Callback::new(move |_| deleting.set(None)) title=title.to_string()>
            {move || {
                deleting
                    .get()
                    .map(|(id, name)| {
                        view! {
                            <p>{format!("Delete {name}? {note}")}</p>
                            <div class="modal-actions">
                                <button type="button" class="btn ghost" on:click=move |_| deleting.set(None)>
                                    "Cancel"
                                </button>
                                <button
                                    type="button"
                                    class="btn danger-fill"
                                    on:click=move |_| {
                                        deleting.set(None);
                                        on_confirm.run((id.clone(), name.clone()));
                                    }
                                >
                                    {action}
                                </button>
                            </div>
                        }
                    })
            }}
        </Modal>
    }
}
