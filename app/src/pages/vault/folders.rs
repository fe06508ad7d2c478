//! The person's folders: a filter for the list, and the dialog that adds,
//! renames and deletes them. Names are encrypted with the user key here; the
//! server keeps only the EncString.

use crate::api::{delete_folder, save_folder};
use crate::components::{Field, Modal, while_busy};
use crate::session::use_session;
use domain::api::Folder;
use domain::crypto::SymmetricKey;
use leptos::prelude::*;

/// The person's folders opened with their user key, by name.
pub fn open_folders(key: &SymmetricKey, list: Vec<Folder>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = list.into_iter().filter_map(|f| Some((f.id, String::from_utf8(key.decrypt(&f.name).ok()?).ok()?))).collect();
    out.sort_by_key(|f| f.1.to_lowercase());
    out
}

/// Does an item pass the folder filter ("" every folder, "none" no folder, else a folder id)?
pub fn in_folder(folder_id: Option<&str>, filter: &str) -> bool {
    match filter {
        "" => true,
        "none" => folder_id.is_none(),
        id => folder_id == Some(id),
    }
}

/// Which folder the list shows.
#[component]
pub fn FolderFilter(filter: RwSignal<String>, folders: Vec<(String, String)>) -> impl IntoView {
    view! {
        <select class="filter" aria-label="Folder" bind:value=filter>
            <option value="">"All folders"</option>
            <option value="none">"No folder"</option>
            {folders.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
        </select>
    }
}

/// A folder being added (id None) or edited.
#[derive(Clone, PartialEq)]
pub struct FolderEdit {
    pub id: Option<String>,
    pub name: String,
}

/// Adds, renames or deletes a folder: open while `editing` holds one.
#[component]
pub fn FolderDialog(
    editing: RwSignal<Option<FolderEdit>>,
    filter: RwSignal<String>,
    version: RwSignal<u32>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let dialog = move |existing: bool, title: &str| {
        let open = Signal::derive(move || editing.with(|e| e.as_ref().is_some_and(|f| f.id.is_some() == existing)));
        view! {
            <Modal open=open on_close=Callback::new(move |_| editing.set(None)) title=title.to_string()>
                {move || editing.get().map(|f| view! { <FolderForm folder=f editing=editing filter=filter version=version message=message /> })}
            </Modal>
        }
    };
    view! {
        {dialog(false, "New folder")}
        {dialog(true, "Edit folder")}
    }
}

#[component]
fn FolderForm(
    folder: FolderEdit,
    editing: RwSignal<Option<FolderEdit>>,
    filter: RwSignal<String>,
    version: RwSignal<u32>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let s = use_session();
    let name = RwSignal::new(folder.name.clone());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let asking = RwSignal::new(false);
    let id = folder.id.clone();
    let done = move |text: String| {
        busy.set(false);
        editing.set(None);
        message.set(Some(text));
        version.update(|v| *v += 1);
    };
    let submit = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let text = name.get_untracked().trim().to_string();
            if text.is_empty() {
                error.set(Some("Enter a folder name.".into()));
                return;
            }
            if text.chars().count() > 100 {
                error.set(Some("A folder name has at most 100 characters.".into()));
                return;
            }
            let Some(keys) = s.keys.get_untracked() else {
                error.set(Some("Your vault is locked.".into()));
                return;
            };
            let sealed = keys.user_key.encrypt(text.as_bytes());
            let id = id.clone();
            while_busy(busy, save_folder(id, sealed), move |result| match result {
                Ok(_) => done(format!("Folder {text} saved.")),
                Err(e) => error.set(Some(e.to_string())),
            });
        }
    };
    let remove = {
        let id = id.clone();
        Callback::new(move |_: ()| {
            let Some(id) = id.clone() else { return };
            let old = folder.name.clone();
            while_busy(busy, delete_folder(id.clone()), move |result| match result {
                Ok(()) => {
                    if filter.get_untracked() == id {
                        filter.set(String::new());
                    }
                    done(format!("Folder {old} deleted. Its items are still in your vault, in no folder."));
                }
                Err(e) => error.set(Some(e.to_string())),
            });
        })
    };
    let existing = id.is_some();
    view! {
        <form class="stack" on:submit=submit>
            <Field label="Name">
                <input type="text" maxlength="100" bind:value=name />
            </Field>
            <Show when=move || asking.get()>
                <p class="notice" role="note">
                    "Delete this folder? The items in it stay in your vault, in no folder."
                </p>
            </Show>
            <p class="form-error" role="alert">
                {move || error.get()}
            </p>
            <div class="modal-actions">
                <Show when=move || existing>
                    <Show
                        when=move || asking.get()
                        fallback=move || {
                            view! {
                                <button type="button" class="btn ghost danger" on:click=move |_| asking.set(true)>
                                    "Delete"
                                </button>
                            }
                        }
                    >
                        <button type="button" class="btn danger-fill" disabled=move || busy.get() on:click=move |_| remove.run(())>
                            "Delete folder"
                        </button>
                    </Show>
                </Show>
                <button type="button" class="btn ghost" on:click=move |_| editing.set(None)>
                    "Cancel"
                </button>
                <button type="submit" class="btn primary" disabled=move || busy.get()>
                    "Save"
                </button>
            </div>
        </form>
    }
}
