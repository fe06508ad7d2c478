//! A client organisation's vault in its Admin Console: the shared logins and
//! notes, their collections, Import data and Export vault. Everything is
//! decrypted and encrypted here, with the organisation key; the server keeps
//! ciphertext (see `service::org_vault`).

use crate::api::*;
use crate::client_view::IntoClientView;
use crate::components::{ErrorView, Field, Modal};
use crate::error::ApiError;
use crate::pages::orgs::Console;
use crate::pages::vault::{
    DeleteItemDialog, ItemActions, ItemEditor, Reprompt, RepromptDialog, RowAsks, TrashActions, TypeFilter, guarded, open_item, seal_item, shown as passes,
};
use domain::api::*;
use domain::bitwarden::cipher::{CipherType, CipherView};
use domain::crypto::SymmetricKey;
use domain::transfer::{self, ImportedItem};
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
    let bulk_open = RwSignal::new(false);
    let assigning = RwSignal::new(false);
    let bulk_deleting = RwSignal::new(false);

    let purging = RwSignal::new(None::<(String, String)>);
    // One server call on one item, then the table again with what it said.
    type Call = fn(String, Vec<String>) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<u64, ApiError>>>>;
    let act = move |call: Call, done: &'static str| {
        Callback::new(move |(id, name): (String, String)| {
            spawn_local(async move {
                match call(oid_sv.get_value(), vec![id.clone()]).await {
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
        spawn_local(async move {
            match delete_org_items(oid_sv.get_value(), ids).await {
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
            <div
                class="menu-wrap"
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        bulk_open.set(false)
                    }
                }
            >
                <button
                    class="btn"
                    aria-label="Bulk actions"
                    aria-haspopup="menu"
                    aria-expanded=move || bulk_open.get().to_string()
                    disabled=move || selected.with(|s| s.is_empty())
                    on:click=move |_| bulk_open.update(|o| *o = !*o)
                >
                    "⋮"
                </button>
                <Show when=move || bulk_open.get()>
                    <div class="menu" role="menu" on:click=move |_| bulk_open.set(false)>
                        <button role="menuitem" disabled=move || names.with(|n| n.is_empty()) on:click=move |_| assigning.set(true)>
                            "Assign to collections"
                        </button>
                        <button role="menuitem" class="danger" on:click=move |_| bulk_deleting.set(true)>
                            "Delete"
                        </button>
                    </div>
                </Show>
            </div>
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
            <ImportForm org_id=oid_sv.get_value() names=names key=key open=importing version=version message=message />
        </Modal>
        <Modal open=exporting on_close=Callback::new(move |_| exporting.set(false)) title="Export vault".to_string()>
            <ExportForm org_id=oid_sv.get_value() org_name=org_name.clone() key=key open=exporting message=message />
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
        let input = SaveOrgItemInput { org_id: org_id.clone(), item_id: item_id.clone(), data, collection_ids: chosen.get_untracked().into_iter().collect() };
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
        busy.set(true);
        spawn_local(async move {
            let result = assign_org_items(input).await;
            busy.set(false);
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

#[component]
fn ImportForm(
    org_id: String,
    names: RwSignal<Names>,
    key: StoredValue<SymmetricKey>,
    open: RwSignal<bool>,
    version: RwSignal<u32>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let file_name = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    // A password-protected export's file password, once entered (the KDF
    // runs when it is entered, not on every keystroke).
    let password = RwSignal::new(String::new());
    let file_password = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let parsed = Memo::new(move |_| {
        let t = text.get();
        if t.trim().is_empty() {
            return None;
        }
        let pw = file_password.get();
        Some(transfer::parse_file(&file_name.get(), &t, pw.as_deref()))
    });
    let locked = move || matches!(parsed.get(), Some(Err(transfer::ImportError::NeedsPassword | transfer::ImportError::WrongPassword)));
    let preview = move || match parsed.get() {
        None => None,
        Some(Err(e)) => Some(
            view! {
                <p class="form-error" role="alert">
                    {e.to_string()}
                </p>
            }
            .into_client(),
        ),
        Some(Ok(p)) => Some(view! { <ImportPreview parsed=p names=names /> }.into_client()),
    };
    let on_file = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input: web_sys::HtmlInputElement = event_target(&_ev);
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            if file.size() > transfer::MAX_IMPORT_BYTES as f64 {
                error.set(Some(transfer::ImportError::TooLarge.to_string()));
                return;
            }
            file_name.set(file.name());
            spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()) {
                    Some(t) => {
                        error.set(None);
                        text.set(t);
                    }
                    None => error.set(Some("The file could not be read.".into())),
                }
            });
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if locked() {
            file_password.set(Some(password.get_untracked()));
            return;
        }
        let Some(Ok(parsed)) = parsed.get_untracked() else {
            error.set(Some("Choose a Bitwarden, LastPass or CSV export first.".into()));
            return;
        };
        let input = key.with_value(|k| import_input(&org_id, k, &parsed.items, &names.get_untracked()));
        busy.set(true);
        spawn_local(async move {
            let result = import_org_items(input).await;
            busy.set(false);
            match result {
                Ok(s) => {
                    message.set(Some(format!("Imported {} item(s) and created {} collection(s).", s.items, s.collections)));
                    text.set(String::new());
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
                "Bring over a client's vault from a Bitwarden export (.json, password-protected .json or .csv), a LastPass .csv export or any .csv with name, url, username, password, notes and totp columns. The file is read and encrypted in this browser; collections it names that do not exist yet are created."
            </p>
            <Field label="Choose a file">
                <input type="file" accept=".csv,.json,text/csv,application/json" on:change=on_file />
            </Field>
            <Field label="Or paste the file's contents">
                <textarea rows="5" spellcheck="false" bind:value=text></textarea>
            </Field>
            <Show when=locked>
                <Field label="File password" help="The password the export was protected with.">
                    <input type="password" autocomplete="off" bind:value=password />
                </Field>
            </Show>
            {preview}
            <p class="form-error" role="alert">
                {move || error.get()}
            </p>
            <div class="modal-actions">
                <button type="button" class="btn ghost" on:click=move |_| open.set(false)>
                    "Cancel"
                </button>
                <Show
                    when=locked
                    fallback=move || {
                        view! {
                            <button type="submit" class="btn primary" disabled=move || busy.get() || !matches!(parsed.get(), Some(Ok(_)))>
                                {move || if busy.get() { "Importing…" } else { "Import data" }}
                            </button>
                        }
                    }
                >
                    <button type="submit" class="btn primary">
                        "Open file"
                    </button>
                </Show>
            </div>
        </form>
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

/// "login" / "logins", … for a count of items of a type.
fn count_word(k: CipherType, n: usize) -> &'static str {
    let (one, many) = match k {
        CipherType::Login => ("login", "logins"),
        CipherType::Card => ("card", "cards"),
        CipherType::Identity => ("identity", "identities"),
        CipherType::SecureNote => ("secure note", "secure notes"),
        CipherType::SshKey => ("SSH key", "SSH keys"),
    };
    if n == 1 { one } else { many }
}

/// What a file will import: counts by type, new collections, and each item
/// that will not import with the reason.
#[component]
fn ImportPreview(parsed: transfer::Parsed, names: RwSignal<Names>) -> impl IntoView {
    let new = plan(&parsed.items, &names.get_untracked());
    let counts: Vec<String> = CipherType::ALL
        .into_iter()
        .filter_map(|k| {
            let n = parsed.items.iter().filter(|i| i.item.kind == k).count();
            (n > 0).then(|| format!("{n} {}", count_word(k, n)))
        })
        .collect();
    let line = format!("{} item(s) ready to import: {}.", parsed.items.len(), counts.join(", "));
    let coll = if new.is_empty() { "No new collections.".to_string() } else { format!("New collection(s): {}.", new.join(", ")) };
    let skipped = parsed.skipped;
    view! {
        <div class="notice ok" role="status">
            <p>{line}</p>
            <p>{coll}</p>
        </div>
        {(!skipped.is_empty())
            .then(|| {
                view! {
                    <div class="notice warn" role="note">
                        <p>
                            <strong>{format!("{} item(s) will not be imported:", skipped.len())}</strong>
                        </p>
                        <ul class="skipped" aria-label="Items that will not be imported">
                            {skipped.into_iter().map(|s| view! { <li>{format!("{}: {}", s.at, s.reason)}</li> }).collect_view()}
                        </ul>
                    </div>
                }
            })}
    }
}

#[component]
fn ExportForm(org_id: String, org_name: String, key: StoredValue<SymmetricKey>, open: RwSignal<bool>, message: RwSignal<Option<String>>) -> impl IntoView {
    let format = RwSignal::new("json".to_string());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (oid, fmt, org_name, pw) = (org_id.clone(), format.get_untracked(), org_name.clone(), password.get_untracked());
        if fmt == "protected" && (pw.chars().count() < 8 || pw != confirm.get_untracked()) {
            error.set(Some("Choose a file password of at least 8 characters, and type it twice the same.".into()));
            return;
        }
        busy.set(true);
        // Read before the await: the page may be gone after it.
        let k = key.get_value();
        spawn_local(async move {
            let result = export_org_items(oid, fmt.clone()).await;
            let ex = match result {
                Ok(ex) => ex,
                Err(e) => {
                    busy.set(false);
                    error.set(Some(e.to_string()));
                    return;
                }
            };
            let names: BTreeMap<String, String> = ex.collections.iter().filter_map(|(id, n)| Some((id.clone(), decrypt_text(&k, n)?))).collect();
            // The Trash is not exported (as in Bitwarden).
            let (rows, unreadable) = decrypt_items(&k, ex.items.into_iter().filter(|i| i.deleted_at.is_none()).collect());
            let items: Vec<ImportedItem> = rows
                .into_iter()
                .map(|r| ImportedItem { item: r.data, collections: r.collection_ids.iter().filter_map(|c| names.get(c).cloned()).collect() })
                .collect();
            let (text, left_out, ext) = match fmt.as_str() {
                "csv" => {
                    let (t, n) = transfer::to_csv(&items);
                    (Ok(t), n, "csv")
                }
                "protected" => (transfer::to_protected_json(&items, &pw, domain::bitwarden::Kdf::DEFAULT).map_err(|e| e.to_string()), 0, "json"),
                _ => (Ok(transfer::to_json(&items)), 0, "json"),
            };
            busy.set(false);
            let slug: String = org_name.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
            let file = format!("bitwarden_{}org_export_{slug}.{ext}", if fmt == "protected" { "encrypted_" } else { "" });
            match text.and_then(|t| download(&file, if ext == "json" { "application/json" } else { "text/csv" }, &t)) {
                Ok(()) => {
                    let mut note = String::new();
                    if unreadable > 0 {
                        note.push_str(&format!(" {unreadable} unreadable item(s) left out."));
                    }
                    if left_out > 0 {
                        note.push_str(&format!(" {left_out} card, identity or SSH key item(s) are not in .csv files: export .json to keep them."));
                    }
                    message.set(Some(format!("Exported {} item(s) to {file}.{note}", items.len() - left_out)));
                    open.set(false); // last: it disposes this form's signals
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="stack" on:submit=submit>
            <div class="notice warn" role="note">
                <Show
                    when=move || format.get() == "protected"
                    fallback=|| {
                        view! {
                            <strong>"This export contains the organisation's vault data in an unencrypted format."</strong>
                            " Do not store or send the file over unsecure channels, and delete it as soon as you are done with it. The export is recorded in the event log."
                            <br />
                            "Do not open a .csv export in a spreadsheet program: a value that starts with =, +, - or @ can run there as a formula. Import it into a password manager instead."
                        }
                    }
                >
                    <strong>"The file is encrypted with the file password you choose."</strong>
                    " Anyone with the file and the password can read the vault: keep the password apart from the file. The export is recorded in the event log."
                </Show>
            </div>
            <Field label="File format">
                <select bind:value=format>
                    <option value="json">".json"</option>
                    <option value="protected">".json (Password protected)"</option>
                    <option value="csv">".csv"</option>
                </select>
            </Field>
            <Show when=move || format.get() == "protected">
                <Field label="File password">
                    <input type="password" autocomplete="new-password" bind:value=password />
                </Field>
                <Field label="Confirm file password">
                    <input type="password" autocomplete="new-password" bind:value=confirm />
                </Field>
            </Show>
            <p class="form-error" role="alert">
                {move || error.get()}
            </p>
            <div class="modal-actions">
                <button type="button" class="btn ghost" on:click=move |_| open.set(false)>
                    "Cancel"
                </button>
                <button type="submit" class="btn primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Exporting…" } else { "Confirm format" }}
                </button>
            </div>
        </form>
    }
}

/// Hands `text` to the browser as a file download.
fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let fail = |_| "The browser did not accept the download.".to_string();
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(fail)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
        let doc = web_sys::window().and_then(|w| w.document()).ok_or("No document.")?;
        let a: web_sys::HtmlAnchorElement = doc.create_element("a").map_err(fail)?.dyn_into().map_err(|_| "No link element.".to_string())?;
        a.set_href(&url);
        a.set_download(name);
        a.click();
        let _ = web_sys::Url::revoke_object_url(&url);
        Ok(())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (name, mime, text);
        Err("Exports are made in the browser.".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_that_do_not_exist_become_new_collections() {
        let names: Names = [("c1".to_string(), "Finance".to_string())].into_iter().collect();
        let items = transfer::parse_csv("name,collections\nA,\"Finance,IT\"\nB,IT\nC,\n").unwrap().items;
        assert_eq!(plan(&items, &names), vec!["IT".to_string()]);
        assert!(plan(&items[2..], &names).is_empty());
    }
}
