//! The user's own vault: login items and secure notes, encrypted in the
//! browser with the user key. The server stores only ciphertext.

use crate::api::{delete_item, list_items, save_item};
use crate::client_view::{ClientView, IntoClientView, lazy_view};
use crate::components::{Field, Modal, UnlockPanel};
use crate::session::use_session;
use domain::vault::{GeneratorOptions, ItemData, ItemKind, generate_password};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

#[derive(Clone, PartialEq)]
struct Decrypted {
    id: String,
    data: ItemData,
}

pub(crate) fn copy(text: String) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(&text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
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
    let version = RwSignal::new(0u32);
    let items = Resource::new(move || version.get(), |_| list_items());
    let search = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<Decrypted>);
    let dialog_open = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let deleting = RwSignal::new(None::<(String, String)>);
    let remove = Callback::new(move |(id, name): (String, String)| {
        spawn_local(async move {
            match delete_item(id).await {
                Ok(()) => {
                    message.set(Some(format!("{name} deleted.")));
                    version.update(|v| *v += 1);
                }
                Err(e) => message.set(Some(e.to_string())),
            }
        });
    });

    let open_new = move |_| {
        editing.set(None);
        dialog_open.set(true);
    };

    view! {
        <div class="page-head">
            <div>
                <h1>"Vault"</h1>
                <p class="muted">"Your own logins and secure notes, encrypted before they leave this browser."</p>
            </div>
            <button class="btn primary" on:click=open_new>
                "New item"
            </button>
        </div>
        <div class="toolbar">
            <input class="search" type="search" placeholder="Search vault" aria-label="Search vault" bind:value=search />
        </div>
        <p class="notice" role="status">
            {move || message.get()}
        </p>
        <Transition fallback=|| {
            view! { <p class="muted">"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let list = items.await;
                let Some(keys) = s.keys.get_untracked() else { return ().into_client() };
                match list {
                    Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_client(),
                    Ok(list) => {
                        let decrypted: Vec<Decrypted> = list
                            .into_iter()
                            .filter_map(|i| {
                                let plain = keys.user_key.decrypt(&i.data).ok()?;
                                Some(Decrypted {
                                    id: i.id,
                                    data: serde_json::from_slice(&plain).ok()?,
                                })
                            })
                            .collect();
                        let total = decrypted.len();
                        let shown = move || {
                            let q = search.get();
                            decrypted.iter().filter(|d| d.data.matches(&q)).cloned().collect::<Vec<_>>()
                        };
                        view! {
                            <Show when=move || total == 0>
                                <div class="empty">
                                    <h2>"Your vault is empty"</h2>
                                    <p class="muted">"Add a login or a secure note with New item."</p>
                                </div>
                            </Show>
                            <ul class="items" aria-label="Vault items">
                                <For each=shown key=|d| d.id.clone() let:d>
                                    <ItemRow d=d editing=editing dialog_open=dialog_open deleting=deleting message=message />
                                </For>
                            </ul>
                        }
                            .into_client()
                    }
                }
            })}
        </Transition>
        <Modal open=dialog_open on_close=Callback::new(move |_| dialog_open.set(false)) title="Item".to_string()>
            <ItemForm editing=editing dialog_open=dialog_open version=version />
        </Modal>
        <DeleteItemDialog deleting=deleting on_confirm=remove note="It cannot be brought back." />
    }
}

#[component]
fn ItemRow(
    d: Decrypted,
    editing: RwSignal<Option<Decrypted>>,
    dialog_open: RwSignal<bool>,
    deleting: RwSignal<Option<(String, String)>>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let name = d.data.name.clone();
    let (n1, n2, n3) = (name.clone(), name.clone(), name.clone());
    let sub = match d.data.kind {
        ItemKind::Login => d.data.username.clone(),
        ItemKind::SecureNote => "Secure note".into(),
    };
    let (user, pass) = (d.data.username.clone(), d.data.password.clone());
    let is_login = d.data.kind == ItemKind::Login;
    let id = d.id.clone();
    let edit = {
        let d = d.clone();
        move |_| {
            editing.set(Some(d.clone()));
            dialog_open.set(true);
        }
    };
    let remove = {
        let name = name.clone();
        move |_| deleting.set(Some((id.clone(), name.clone())))
    };
    view! {
        <li class="item">
            <span class=if is_login { "item-icon login" } else { "item-icon note" } aria-hidden="true">
                {crate::components::upper(&name.chars().take(1).collect::<String>())}
            </span>
            <div class="item-main">
                <button class="link strong" on:click=edit.clone()>
                    {name.clone()}
                </button>
                <span class="muted">{sub}</span>
            </div>
            <div class="item-actions">
                <Show when=move || is_login>
                    <button
                        class="btn ghost small"
                        aria-label=format!("Copy username of {n1}")
                        on:click={
                            let user = user.clone();
                            move |_| {
                                copy(user.clone());
                                message.set(Some("Username copied.".into()));
                            }
                        }
                    >
                        "Copy username"
                    </button>
                    <button
                        class="btn ghost small"
                        aria-label=format!("Copy password of {n2}")
                        on:click={
                            let pass = pass.clone();
                            move |_| {
                                copy(pass.clone());
                                message.set(Some("Password copied.".into()));
                            }
                        }
                    >
                        "Copy password"
                    </button>
                </Show>
                <button class="btn ghost small danger" aria-label=format!("Delete {n3}") on:click=remove.clone()>
                    "Delete"
                </button>
            </div>
        </li>
    }
}

#[component]
fn ItemForm(editing: RwSignal<Option<Decrypted>>, dialog_open: RwSignal<bool>, version: RwSignal<u32>) -> impl IntoView {
    let s = use_session();
    let cur = editing.get_untracked();
    let initial = cur.as_ref().map(|d| d.data.clone()).unwrap_or_default();
    let id = cur.map(|d| d.id);
    let error = RwSignal::new(None::<String>);
    let save = Callback::new(move |item: ItemData| {
        let Some(keys) = s.keys.get_untracked() else {
            error.set(Some("Your vault is locked.".into()));
            return;
        };
        let enc = keys.user_key.encrypt(&serde_json::to_vec(&item).expect("item serialises"));
        let id = id.clone();
        spawn_local(async move {
            match save_item(id, enc).await {
                Ok(_) => {
                    dialog_open.set(false);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    });
    view! { <ItemEditor initial=initial on_save=save on_cancel=Callback::new(move |_| dialog_open.set(false)) error=error /> }
}

/// Asks before an item is deleted: open while `deleting` holds (id, name).
#[component]
pub fn DeleteItemDialog(deleting: RwSignal<Option<(String, String)>>, on_confirm: Callback<(String, String)>, note: &'static str) -> impl IntoView {
    view! {
        <Modal open=Signal::derive(move || deleting.get().is_some()) on_close=Callback::new(move |_| deleting.set(None)) title="Delete item".to_string()>
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
                                    "Delete"
                                </button>
                            </div>
                        }
                    })
            }}
        </Modal>
    }
}

/// The fields of a login or secure note, shared by the individual vault and an
/// organisation's: checks the item and hands it to `on_save` (which encrypts
/// it with the right key). `children` go after the fields (e.g. collections).
#[component]
pub fn ItemEditor(
    initial: ItemData,
    on_save: Callback<ItemData>,
    on_cancel: Callback<()>,
    error: RwSignal<Option<String>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let data = initial;
    let kind = RwSignal::new(if data.kind == ItemKind::SecureNote { "note".to_string() } else { "login".to_string() });
    let name = RwSignal::new(data.name);
    let username = RwSignal::new(data.username);
    let password = RwSignal::new(data.password);
    let uris = RwSignal::new(data.uris.join("\n"));
    let notes = RwSignal::new(data.notes);
    let name_error = RwSignal::new(None::<String>);
    let show_pw = RwSignal::new(false);
    // Organisation password generator policies raise the defaults.
    let rules = crate::session::use_session().me.get_untracked().and_then(|r| r.ok()).flatten().and_then(|me| me.policies.generator);
    let generate = move |_| {
        let opts = rules.map(|r| r.apply(GeneratorOptions::default())).unwrap_or_default();
        if let Ok(p) = generate_password(opts) {
            password.set(p);
            show_pw.set(true);
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let is_login = kind.get_untracked() == "login";
        let item = ItemData {
            kind: if is_login { ItemKind::Login } else { ItemKind::SecureNote },
            name: name.get_untracked().trim().to_string(),
            username: if is_login { username.get_untracked() } else { String::new() },
            password: if is_login { password.get_untracked() } else { String::new() },
            uris: if is_login { uris.get_untracked().lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect() } else { vec![] },
            notes: notes.get_untracked(),
        };
        let errs = item.validate();
        name_error.set(errs.iter().find(|e| e.field == "name").map(|e| e.message.clone()));
        if errs.is_empty() {
            on_save.run(item);
        }
    };
    view! {
        <form class="stack" on:submit=submit>
            <Field label="Type">
                <select bind:value=kind>
                    <option value="login">"Login"</option>
                    <option value="note">"Secure note"</option>
                </select>
            </Field>
            <Field label="Name" error=Signal::derive(move || name_error.get())>
                <input type="text" required bind:value=name />
            </Field>
            <Show when=move || kind.get() == "login">
                <Field label="Username">
                    <input type="text" autocomplete="off" bind:value=username />
                </Field>
                <Field label="Password">
                    <div class="input-row">
                        <input
                            type=move || if show_pw.get() { "text" } else { "password" }
                            aria-label="Password"
                            autocomplete="new-password"
                            bind:value=password
                        />
                        <button type="button" class="btn ghost small" on:click=move |_| show_pw.update(|v| *v = !*v)>
                            {move || if show_pw.get() { "Hide" } else { "Show" }}
                        </button>
                        <button type="button" class="btn ghost small" on:click=generate>
                            "Generate password"
                        </button>
                    </div>
                </Field>
                <Field label="URIs (one per line)">
                    <textarea rows="2" bind:value=uris></textarea>
                </Field>
            </Show>
            <Field label="Notes">
                <textarea rows="3" bind:value=notes></textarea>
            </Field>
            {children.map(|c| c())}
            <p class="form-error" role="alert">
                {move || error.get()}
            </p>
            <div class="modal-actions">
                <button type="button" class="btn ghost" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
                <button type="submit" class="btn primary">
                    "Save"
                </button>
            </div>
        </form>
    }
}
