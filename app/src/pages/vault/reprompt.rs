//! Master password re-prompt: an item marked so shows or hands over its
//! secrets (opening it, copying its password, code or card details) only after
//! the person types their master password again, checked in this browser.

use crate::components::{Field, Modal, yield_to_browser};
use crate::session::{unlock_with_password, use_session};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The action waiting for the master password, if any.
#[derive(Clone, Copy)]
pub struct Reprompt(RwSignal<Option<Callback<()>>>);

impl Reprompt {
    /// Called by a page that lists items, before its rows are made.
    pub fn provide() {
        provide_context(Reprompt(RwSignal::new(None)));
    }

    /// The page's gate, read when a row is made (event handlers run outside
    /// the component tree, where no context is found).
    pub fn here() -> Option<Reprompt> {
        use_context::<Reprompt>()
    }
}

/// Runs `action` at once, or after the master password when `ask` is set
/// and the page has a gate (and a [`RepromptDialog`]).
pub fn guarded(gate: Option<Reprompt>, ask: bool, action: Callback<()>) {
    match gate {
        Some(Reprompt(pending)) if ask => pending.set(Some(action)),
        _ => action.run(()),
    }
}

/// The dialog, once on a page that called [`Reprompt::provide`].
#[component]
pub fn RepromptDialog() -> impl IntoView {
    let Some(Reprompt(pending)) = Reprompt::here() else { return ().into_any() };
    let s = use_session();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let close = move || {
        pending.set(None);
        password.set(String::new());
        error.set(None);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(Ok(Some(me))) = s.me.get_untracked() else { return };
        let typed = password.get_untracked();
        busy.set(true);
        spawn_local(async move {
            yield_to_browser().await;
            let ok = unlock_with_password(&me, &typed).await.is_ok();
            // The dialog may be gone (the person left the page meanwhile).
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            if ok {
                let action = pending.get_untracked();
                close();
                if let Some(a) = action {
                    a.run(());
                }
            } else {
                error.set(Some("Invalid master password.".into()));
            }
        });
    };
    view! {
        <Modal open=Signal::derive(move || pending.get().is_some()) on_close=Callback::new(move |_| close()) title="Master password re-prompt".to_string()>
            <form class="stack" on:submit=submit>
                <p class="muted">"This item is protected. Confirm your master password to continue."</p>
                <Field label="Master password" error=Signal::derive(move || error.get())>
                    <input type="password" autocomplete="current-password" required bind:value=password />
                </Field>
                <div class="modal-actions">
                    <button type="button" class="btn ghost" on:click=move |_| close()>
                        "Cancel"
                    </button>
                    <button type="submit" class="btn primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Checking…" } else { "Confirm" }}
                    </button>
                </div>
            </form>
        </Modal>
    }
    .into_any()
}
