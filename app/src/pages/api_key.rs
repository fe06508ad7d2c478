//! Settings → My account → API key: a key for Bitwarden's CLI
//! (`bw login --apikey`), made after the master password is entered again
//! and shown once (the server keeps only a hash of the secret).

use crate::components::{Field, while_busy};
use crate::pages::two_step::{error_text, own_auth_hash};
use domain::api::{ApiKey, Me};
use leptos::prelude::*;

#[component]
pub fn ApiKeyCard(me: Me) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let made = RwSignal::new(None::<ApiKey>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let pw = password.get_untracked();
        let me = me.clone();
        let call = async move {
            let hash = own_auth_hash(&me, &pw).await?;
            crate::api::new_api_key(hash).await.map_err(error_text)
        };
        while_busy(busy, call, move |result: Result<ApiKey, String>| match result {
            Ok(key) => {
                password.set(String::new());
                made.set(Some(key));
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <section class="card" aria-labelledby="api-key-title">
            <h2 id="api-key-title">"API key"</h2>
            <p class="muted small">
                "For Bitwarden's command-line tool: "<code>"bw login --apikey"</code> " asks for the client_id and client_secret, then "<code>"bw unlock"</code>
                " for your master password. A new key replaces the earlier one."
            </p>
            {move || {
                made.get()
                    .map(|k| {
                        view! {
                            <div class="stack" role="status">
                                <p class="notice">"Copy the secret now: it is not shown again."</p>
                                <Field label="client_id">
                                    <input type="text" readonly value=k.client_id />
                                </Field>
                                <Field label="client_secret">
                                    <input type="text" readonly value=k.client_secret />
                                </Field>
                            </div>
                        }
                    })
            }}
            <form class="stack narrow-form" on:submit=submit novalidate>
                <Field label="Master password for the API key">
                    <input type="password" autocomplete="current-password" bind:value=password />
                </Field>
                <p class="form-error" role="alert">
                    {move || error.get()}
                </p>
                <div>
                    <button class="btn" type="submit" disabled=move || busy.get()>
                        "Create API key"
                    </button>
                </div>
            </form>
        </section>
    }
}
