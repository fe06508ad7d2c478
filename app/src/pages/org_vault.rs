//! A client organisation's vault in its Admin Console: the shared logins and
//! notes, their collections, Import data and Export vault. Everything is
//! decrypted and encrypted here, with the organisation key; the server keeps
//! ciphertext (see `service::org_vault`).

use crate::api::*;
use crate::client_view::IntoClientView;
use crate::components::{ErrorView, MenuButton, Modal, while_busy};
use crate::error::ApiError;
use crate::pages::orgs::Console;
use crate::pages::vault::transfer::{ExportCall, ExportForm, ImportCall, ImportForm};
use crate::pages::vault::{
    DeleteItemDialog, ItemActions, ItemEditor, Reprompt, RepromptDialog, RowAsks, TrashActions, TypeFilter, guarded, open_item, seal_item, shown as passes,
};
use domain::api::*;
use domain::bitwarden::cipher::{CipherType, CipherView};
use domain::crypto::SymmetricKey;
use domain::transfer::{ImportedItem, Parsed};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{BTreeMap, HashSet};

#[derive(Clone, PartialEq)]
struct Row {
    id: String,
    data: CipherView,
    collection_ids: Vec<String>,
    deleted: bool,
}

/// The organisation's collections by id, names decrypted.
type Names = BTreeMap<String, String>;

fn decrypt_text(key: &SymmetricKey, enc: &str) -> Option<String> {
    key.decrypt(enc).ok().and_then(|b| String::from_utf8(b).ok())
}

fn decrypt_items(key: &SymmetricKey, items: Vec<OrgItem>) -> (Vec<Row>, usize) {
    let mut unreadable = 0;
    let mut rows: Vec<Row> = items
        .into_iter()
        .filter_map(|i| {
            let data = open_item(key, &i.data);
            if data.is_none() {
                unreadable += 1;
            }
            Some(Row { id: i.id, data: data?, collection_ids: i.collection_ids, deleted: i.deleted_at.is_some() })
        })
        .collect();
    // By name, as a person scans a vault.
    rows.sort_by_cached_key(|r| (r.data.name.to_lowercase(), r.id.clone()));
    (rows, unreadable)
}

#[component]
pub fn OrgVault(console: Console) -> impl IntoView {
    let oid = console.ctx.id.clone();
    let org_name = console.ctx.name.clone();
    let key = match console.key() {
        Ok(k) => k,
        Err(e) => {
            return view! {
                <p class="form-error" role="alert">
                    {e}
                </p>
            }
            .into_client();
        }
    };
    let key = StoredValue::new(key);
    let oid_sv = StoredValue::new(oid.clone());
    let version = RwSignal::new(0u32);
    let data = Resource::new(
        move || version.get(),
        move |_| {
            let oid = oid_sv.get_value();
            async move { Ok::<_, ApiError>((list_org_items(oid.clone()).await?, list_collections(oid).await?)) }
        },
    );
    Reprompt::provide();
    let gate = Reprompt::here();
    let search = RwSignal::new(String::new());
    let filter = RwSignal::new(String::new());
    let kind_filter = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<Option<Row>>);
    let importing = RwSignal::new(false);
    let exporting = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let names = RwSignal::new(Names::new());
    // The item a person asked to delete, until they confirm.
    let deleting = RwSignal::new(None::<(String, String)>);
    // Ticked rows, for Assign to collections and Delete in bulk.
    let selected = RwSignal::new(HashSet::<String>::new());
    let assigning = RwSignal::new(false);
    let bulk_deleting = RwSignal::new(false);

    let purging = RwSignal::new(None::<(String, String)>);
    // One server call on one item, then the table again with what it said.
    type Call = fn(String, Vec<String>) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<u64, ApiError>>>>;
    let act = move |call: Call, done: &'static str| {
        Callback::new(move |(id, name): (String, String)| {
            let org_id = oid_sv.get_value();
            spawn_local(async move {
                match call(org_id, vec![id.clone()]).await {
                    Ok(_) => {
                        selected.update(|s| {
                            s.remove(&id);
                        });
                        message.set(Some(format!("{name} {done}")));
                        version.update(|v| *v += 1);
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        })
    };
    let remove = act(|o, ids| Box::pin(delete_org_items(o, ids)), "moved to the Trash.");
    let restore = act(|o, ids| Box::pin(restore_org_items(o, ids)), "restored.");
    let purge = act(|o, ids| Box::pin(purge_org_items(o, ids)), "deleted for good.");
    let asks = RowAsks { deleting, purging, restore };

    let remove_selected = move |_| {
        let ids: Vec<String> = selected.get_untracked().into_iter().collect();
        bulk_deleting.set(false);
        let org_id = oid_sv.get_value();
        spawn_local(async move {
            match delete_org_items(org_id, ids).await {
                Ok(n) => {
                    message.set(Some(format!("{n} item(s) moved to the Trash.")));
                    selected.set(HashSet::new());
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };

    view! {
        <div class="page-head">
            <div>
                <h1>"Vault"</h1>
                <p class="muted">"The organisation's shared items. They are decrypted only in your browser, with the organisation key."</p>
            </div>
            <div class="head-actions">
                <button class="btn" on:click=move |_| importing.set(true)>
                    "Import data"
                </button>
                <button class="btn" on:click=move |_| exporting.set(true)>
                    "Export vault"
                </button>
                <button class="btn primary" on:click=move |_| editing.set(Some(None))>
                    "New item"
                </button>
            </div>
        </div>
        <div class="toolbar">
            <input class="search" type="search" placeholder="Search vault" aria-label="Search vault" bind:value=search />
            <label class="inline-field">
                <span class="sr-only">"Collection"</span>
                <select aria-label="Collection" bind:value=filter>
                    <option value="">"All collections"</option>
                    <option value="-">"Unassigned"</option>
                    {move || names.get().into_iter().map(|(id, n)| view! { <option value=id>{n}</option> }).collect_view()}
                </select>
            </label>
            <TypeFilter filter=kind_filter />
            <span class="muted selcount" aria-live="polite">
                {move || {
                    let n = selected.with(|s| s.len());
                    if n == 0 { String::new() } else { format!("{n} selected") }
                }}
            </span>
            <MenuButton label="Bulk actions" button_class="btn" disabled=Signal::derive(move || selected.with(|s| s.is_empty()))>
                <button role="menuitem" disabled=move || names.with(|n| n.is_empty()) on:click=move |_| assigning.set(true)>
                    "Assign to collections"
                </button>
                <button role="menuitem" class="danger" on:click=move |_| bulk_deleting.set(true)>
                    "Delete"
                </button>
            </MenuButton>
        </div>
        <p class="notice" role="status">
            {move || message.get()}
        </p>
        <p class="form-error" role="alert">
            {move || error.get()}
        </p>
        <Transition fallback=|| {
            view! { <p class="muted">"Loading the vault…"</p> }
        }>
            {move || Suspend::new(async move {
                let (items, cols) = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <ErrorView err=e /> }.into_client(),
                };
                let k = key.get_value();
                let map: Names = cols.iter().map(|c| (c.id.clone(), decrypt_text(&k, &c.name).unwrap_or_else(|| "(unreadable)".into()))).collect();
                names.set(map.clone());
                let (rows, unreadable) = decrypt_items(&k, items);
                let total = rows.len();
                let map = StoredValue::new(map);
                let shown = Memo::new(move |_| {
                    let (q, f, k) = (search.get(), filter.get(), kind_filter.get());
                    rows.iter()
                        .filter(|r| passes(&r.data, r.deleted, &k, &q))
                        .filter(|r| match f.as_str() {
                            "" => true,
                            "-" => r.collection_ids.is_empty(),
                            id => r.collection_ids.iter().any(|c| c == id),
                        })
                        .cloned()
                        .collect::<Vec<_>>()
                });
                let shown_ids = move || shown.with(|v| v.iter().map(|r| r.id.clone()).collect::<Vec<_>>());
                let all_checked = move || {
                    let ids = shown_ids();
                    selected.with(|s| !ids.is_empty() && ids.iter().all(|i| s.contains(i)))
                };
                let toggle_all = move |ev: leptos::ev::Event| {
                    let on = event_target_checked(&ev);
                    let ids = shown_ids();
                    selected
                        .update(|s| {
                            for id in ids {
                                if on {
                                    s.insert(id);
                                } else {
                                    s.remove(&id);
                                }
                            }
                        });
                };
                view! {
                    {(unreadable > 0)
                        .then(|| {
                            view! {
                                <p class="form-error" role="alert">
                                    {format!("{unreadable} item(s) could not be decrypted with the organisation key.")}
                                </p>
                            }
                        })}
                    <Show when=move || total == 0>
                        <div class="empty">
                            <h2>"No items yet"</h2>
                            <p class="muted">
                                "Add a login with New item, or bring the client's passwords over with Import data (a Bitwarden .csv or .json export)."
                            </p>
                        </div>
                    </Show>
                    <Show when=move || total != 0>
                        <table class="table" aria-label="Vault items">
                            <thead>
                                <tr>
                                    <th class="check">
                                        <input type="checkbox" aria-label="Select all" prop:checked=all_checked on:change=toggle_all />
                                    </th>
                                    <th>"Name"</th>
                                    <th>"Collections"</th>
                                    <th>"Type"</th>
                                    <th class="actions">
                                        <span class="sr-only">"Options"</span>
                                    </th>
                                </tr>
                            </thead>
                            <tbody>
                                <For each=move || shown.get() key=|r| (r.id.clone(), r.data.clone(), r.collection_ids.clone()) let:r>
                                    {
                                        let name = r.data.name.clone();
                                        let colls: Vec<String> = r.collection_ids.iter().filter_map(|c| map.with_value(|m| m.get(c).cloned())).collect();
                                        let user = r.data.subtitle();
                                        let (r1, n1, n3) = (r.clone(), name.clone(), name.clone());
                                        let id = r.id.clone();
                                        let (id_c, id_t, id_r) = (id.clone(), id.clone(), id.clone());
                                        view! {
                                            <tr class:selected=move || selected.with(|s| s.contains(&id_r))>
                                                <td class="check">
                                                    <input
                                                        type="checkbox"
                                                        aria-label=format!("Select {name}")
                                                        prop:checked=move || selected.with(|s| s.contains(&id_c))
                                                        on:change=move |ev| {
                                                            let on = event_target_checked(&ev);
                                                            selected
                                                                .update(|s| {
                                                                    if on {
                                                                        s.insert(id_t.clone());
                                                                    } else {
                                                                        s.remove(&id_t);
                                                                    }
                                                                });
                                                        }
                                                    />
                                                </td>
                                                <td>
                                                    <button
                                                        class="link strong"
                                                        aria-label=format!("Edit {n1}")
                                                        on:click={
                                                            let ask = r1.data.reprompt == 1;
                                                            let open = Callback::new(move |_| editing.set(Some(Some(r1.clone()))));
                                                            move |_| guarded(gate, ask, open)
                                                        }
                                                    >
                                                        {name.clone()}
                                                    </button>
                                                    <div class="muted small">{user.clone()}</div>
                                                </td>
                                                <td class="small">{if colls.is_empty() { "—".to_string() } else { colls.join(", ") }}</td>
                                                <td class="small">{r.data.kind.label()}</td>
                                                <td class="actions nowrap">
                                                    {if r.deleted {
                                                        view! { <TrashActions id=id.clone() name=n3.clone() asks=asks /> }.into_any()
                                                    } else {
                                                        view! {
                                                            <ItemActions item=r.data.clone() message=message />
                                                            " "
                                                            <button
                                                                class="btn small danger"
                                                                aria-label=format!("Delete {n3}")
                                                                on:click=move |_| deleting.set(Some((id.clone(), n3.clone())))
                                                            >
                                                                "Delete"
                                                            </button>
                                                        }
                                                            .into_any()
                                                    }}
                                                </td>
                                            </tr>
                                        }
                                    }
                                </For>
                            </tbody>
                        </table>
                        <p class="muted small">{move || format!("{} of {total} items", shown.with(|v| v.len()))}</p>
                    </Show>
                }
                    .into_client()
            })}
        </Transition>
        <Modal open=Signal::derive(move || editing.get().is_some()) on_close=Callback::new(move |_| editing.set(None)) title="Item".to_string()>
            {move || editing.get().map(|row| view! { <OrgItemForm org_id=oid_sv.get_value() row=row names=names key=key editing=editing version=version /> })}
        </Modal>
        <RepromptDialog />
        <DeleteItemDialog deleting=deleting on_confirm=remove note="It moves to the organisation's Trash, where it can be restored for 30 days." />
        <DeleteItemDialog
            deleting=purging
            on_confirm=purge
            note="It is deleted for everyone in this organisation, for good, and cannot be brought back."
            title="Delete for good"
            action="Delete forever"
        />
        <Modal open=bulk_deleting on_close=Callback::new(move |_| bulk_deleting.set(false)) title="Delete items".to_string()>
            <p>
                {move || {
                    format!(
                        "Delete {} selected item(s)? They move to the organisation's Trash, where they can be restored for 30 days.",
                        selected.with(|s| s.len()),
                    )
                }}
            </p>
            <div class="modal-actions">
                <button type="button" class="btn ghost" on:click=move |_| bulk_deleting.set(false)>
                    "Cancel"
                </button>
                <button type="button" class="btn danger-fill" on:click=remove_selected>
                    "Delete"
                </button>
            </div>
        </Modal>
        <Modal open=assigning on_close=Callback::new(move |_| assigning.set(false)) title="Assign to collections".to_string()>
            <AssignForm org_id=oid_sv.get_value() names=names selected=selected open=assigning version=version message=message />
        </Modal>
        <Modal open=importing on_close=Callback::new(move |_| importing.set(false)) title="Import data".to_string()>
            <OrgImport org_id=oid_sv.get_value() names=names key=key open=importing version=version message=message />
        </Modal>
        <Modal open=exporting on_close=Callback::new(move |_| exporting.set(false)) title="Export vault".to_string()>
            <OrgExport org_id=oid_sv.get_value() org_name=org_name.clone() key=key open=exporting message=message />
        </Modal>
    }
    .into_client()
}

#[component]
fn OrgItemForm(
    org_id: String,
    row: Option<Row>,
    names: RwSignal<Names>,
    key: StoredValue<SymmetricKey>,
    editing: RwSignal<Option<Option<Row>>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let is_new = row.is_none();
    let initial = row.as_ref().map(|r| r.data.clone()).unwrap_or_else(|| CipherView::new(CipherType::Login));
    let item_id = row.as_ref().map(|r| r.id.clone());
    let chosen = RwSignal::new(row.map(|r| r.collection_ids.into_iter().collect::<HashSet<_>>()).unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let save = Callback::new(move |item: CipherView| {
        let data = key.with_value(|k| seal_item(k, item));
        let input = SaveOrgItemInput {
            org_id: org_id.clone(),
            item_id: item_id.clone(),
            data,
            collection_ids: chosen.get_untracked().into_iter().collect(),
            file: false,
        };
        spawn_local(async move {
            match save_org_item(input).await {
                Ok(_) => {
                    editing.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    });
    view! {
        <ItemEditor initial=initial is_new=is_new on_save=save on_cancel=Callback::new(move |_| editing.set(None)) error=error>
            <CollectionChecks names=names chosen=chosen />
        </ItemEditor>
    }
}

/// The organisation's collections as checkboxes (an item's, or those an
/// assignment adds to).
#[component]
fn CollectionChecks(names: RwSignal<Names>, chosen: RwSignal<HashSet<String>>) -> impl IntoView {
    view! {
        <fieldset class="checks">
            <legend class="label">"Collections"</legend>
            {move || {
                let list = names.get();
                if list.is_empty() {
                    return view! { <p class="muted small">"This organisation has no collections yet."</p> }.into_client();
                }
                list.into_iter()
                    .map(|(id, n)| {
                        let (id1, id2) = (id.clone(), id.clone());
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    prop:checked=move || chosen.with(|c| c.contains(&id1))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen
                                            .update(|c| {
                                                if on {
                                                    c.insert(id2.clone());
                                                } else {
                                                    c.remove(&id2);
                                                }
                                            });
                                    }
                                />
                                " "
                                {n}
                            </label>
                        }
                    })
                    .collect_view()
                    .into_client()
            }}
        </fieldset>
    }
}

/// Assign to collections: adds the selected items to the ticked collections.
#[component]
fn AssignForm(
    org_id: String,
    names: RwSignal<Names>,
    selected: RwSignal<HashSet<String>>,
    open: RwSignal<bool>,
    version: RwSignal<u32>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let chosen = RwSignal::new(HashSet::<String>::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = AssignOrgItemsInput {
            org_id: org_id.clone(),
            item_ids: selected.get_untracked().into_iter().collect(),
            collection_ids: chosen.get_untracked().into_iter().collect(),
        };
        if input.collection_ids.is_empty() {
            error.set(Some("Choose at least one collection.".into()));
            return;
        }
        let k = input.collection_ids.len();
        while_busy(busy, assign_org_items(input), move |result| {
            match result {
                Ok(n) => {
                    message.set(Some(format!("{n} item(s) assigned to {k} collection(s).")));
                    version.update(|v| *v += 1);
                    open.set(false); // last: it disposes this form's signals
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="stack" on:submit=submit>
            <p class="muted">
                {move || format!("Add the {} selected item(s) to these collections. The collections they are in already stay.", selected.with(|s| s.len()))}
            </p>
            <CollectionChecks names=names chosen=chosen />
            <p class="form-error" role="alert">
                {move || error.get()}
            </p>
            <div class="modal-actions">
                <button type="button" class="btn ghost" on:click=move |_| open.set(false)>
                    "Cancel"
                </button>
                <button type="submit" class="btn primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Assigning…" } else { "Assign" }}
                </button>
            </div>
        </form>
    }
}

/// What a file would import: its items, and the collection names that do not
/// exist yet.
fn plan(items: &[ImportedItem], names: &Names) -> Vec<String> {
    let existing: HashSet<&str> = names.values().map(String::as_str).collect();
    let mut new: Vec<String> = items.iter().flat_map(|i| i.collections.iter()).filter(|c| !existing.contains(c.as_str())).cloned().collect();
    new.sort();
    new.dedup();
    new
}

/// Import data into the organisation: collections the file names that do not
/// exist yet are made.
#[component]
fn OrgImport(
    org_id: String,
    names: RwSignal<Names>,
    key: StoredValue<SymmetricKey>,
    open: RwSignal<bool>,
    version: RwSignal<u32>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let describe = Callback::new(move |p: Parsed| {
        let new = plan(&p.items, &names.get_untracked());
        vec![if new.is_empty() { "No new collections.".to_string() } else { format!("New collection(s): {}.", new.join(", ")) }]
    });
    let import = Callback::new(move |p: Parsed| -> ImportCall {
        let input = key.with_value(|k| import_input(&org_id, k, &p.items, &names.get_untracked()));
        Box::pin(async move {
            let s = import_org_items(input).await.map_err(|e| e.to_string())?;
            version.update(|v| *v += 1);
            Ok(format!("Imported {} item(s) and created {} collection(s).", s.items, s.collections))
        })
    });
    view! {
        <ImportForm
            intro="Bring over a client's vault from a Bitwarden export (.json, password-protected .json or .csv), a LastPass .csv export or any .csv with name, url, username, password, notes and totp columns. The file is read and encrypted in this browser; collections it names that do not exist yet are created."
            describe=describe
            import=import
            open=open
            message=message
        />
    }
}

/// The request of an import: every item encrypted field by field with the
/// organisation key; a new collection named by an opaque key ("new-0", …),
/// its name encrypted.
fn import_input(org_id: &str, k: &SymmetricKey, items: &[ImportedItem], existing: &Names) -> ImportInput {
    let by_name: BTreeMap<&str, &str> = existing.iter().map(|(id, n)| (n.as_str(), id.as_str())).collect();
    let new = plan(items, existing);
    let new_key: BTreeMap<&str, String> = new.iter().enumerate().map(|(i, n)| (n.as_str(), format!("new-{i}"))).collect();
    ImportInput {
        org_id: org_id.to_string(),
        new_collections: new.iter().map(|n| NewCollection { key: new_key[n.as_str()].clone(), name: k.encrypt(n.as_bytes()) }).collect(),
        items: items
            .iter()
            .map(|i| ImportItem {
                data: seal_item(k, i.item.clone()),
                collections: i
                    .collections
                    .iter()
                    .filter_map(|c| by_name.get(c.as_str()).map(|id| id.to_string()).or_else(|| new_key.get(c.as_str()).cloned()))
                    .collect(),
            })
            .collect(),
    }
}

/// Export vault: the organisation's items (not its Trash), decrypted here;
/// the server records the export in the event log.
#[component]
fn OrgExport(org_id: String, org_name: String, key: StoredValue<SymmetricKey>, open: RwSignal<bool>, message: RwSignal<Option<String>>) -> impl IntoView {
    let slug: String = org_name.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    let items = Callback::new(move |fmt: String| -> ExportCall {
        // Read before the await: the page may be gone after it.
        let (oid, k) = (org_id.clone(), key.get_value());
        Box::pin(async move {
            let ex = export_org_items(oid, fmt).await.map_err(|e| e.to_string())?;
            let names: BTreeMap<String, String> = ex.collections.iter().filter_map(|(id, n)| Some((id.clone(), decrypt_text(&k, n)?))).collect();
            let (rows, unreadable) = decrypt_items(&k, ex.items.into_iter().filter(|i| i.deleted_at.is_none()).collect());
            let items = rows
                .into_iter()
                .map(|r| ImportedItem { item: r.data, collections: r.collection_ids.iter().filter_map(|c| names.get(c).cloned()).collect() })
                .collect();
            Ok((items, unreadable))
        })
    });
    view! {
        <ExportForm
            whose="the organisation's vault data"
            stem=format!("org_export_{slug}")
            logged="The export is recorded in the event log."
            grouping=domain::transfer::Grouping::Collections
            items=items
            open=open
            message=message
        />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_that_do_not_exist_become_new_collections() {
        let names: Names = [("c1".to_string(), "Finance".to_string())].into_iter().collect();
        let items = domain::transfer::parse_csv("name,collections\nA,\"Finance,IT\"\nB,IT\nC,\n").unwrap().items;
        assert_eq!(plan(&items, &names), vec!["IT".to_string()]);
        assert!(plan(&items[2..], &names).is_empty());
    }
}
