//! My account → Vault timeout: how long this browser stays unlocked, and
//! whether it then locks or logs out (Bitwarden's choices), within the
//! organisations' Vault timeout policy. Kept in this browser only.

use crate::session::use_session;
use crate::vault_keep;
use domain::api::Me;
use domain::vault_timeout::{CHOICES, TimeoutAction, VaultTimeout};
use leptos::prelude::*;

fn explain(t: VaultTimeout) -> String {
    match t {
        VaultTimeout::OnRefresh => "Every reload or new tab asks for your master password.".into(),
        VaultTimeout::Minutes(_) => format!("Reloads and new tabs open unlocked until {} pass without activity in this browser.", t.label()),
        VaultTimeout::OnRestart => "Reloads and new tabs open unlocked until you close the browser.".into(),
    }
}

#[component]
pub fn VaultTimeoutCard(me: Me) -> impl IntoView {
    let s = use_session();
    let policy = me.policies.vault_timeout;
    // Read from this browser's storage after hydration (the server cannot know it).
    let timeout = RwSignal::new(VaultTimeout::default());
    let action = RwSignal::new(TimeoutAction::default());
    let saved = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let (t, a) = vault_keep::chosen();
        timeout.set(t.effective(policy));
        action.set(a.effective(policy));
    });
    let me = StoredValue::new(me);
    let save = move || {
        let (t, a) = (timeout.get_untracked(), action.get_untracked());
        vault_keep::choose(t, a);
        saved.set(Some(format!("Saved for this browser. {}", explain(t))));
        #[cfg(feature = "hydrate")]
        {
            let (keys, me) = (s.keys.get_untracked(), me.get_value());
            leptos::task::spawn_local(async move {
                match keys {
                    Some(k) => vault_keep::keep(&me, &k).await,
                    None => vault_keep::forget().await,
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (s, me);
    };
    let on_timeout = move |ev: leptos::ev::Event| {
        if let Some(t) = VaultTimeout::parse(&event_target_value(&ev)).filter(|t| t.allowed(policy)) {
            timeout.set(t);
            save();
        }
    };
    let pick_action = move |a: TimeoutAction| {
        action.set(a);
        save();
    };
    let forced_log_out = policy.is_some_and(|p| p.log_out);
    let note = policy
        .map(|p| format!("Your organisation's Vault timeout policy allows at most {}, then {}.", p.describe(), if p.log_out { "log out" } else { "lock" }));
    view! {
        <section class="card" aria-labelledby="timeout-title">
            <h2 id="timeout-title">"Vault timeout"</h2>
            <p class="muted small">
                "How long this browser keeps your vault unlocked. Your keys stay in this browser, sealed with a key scripts cannot read, and never reach the server."
            </p>
            {note.map(|n| view! { <p class="notice">{n}</p> })}
            <div class="field">
                <label for="vault-timeout">"Vault timeout"</label>
                <select id="vault-timeout" prop:value=move || timeout.get().as_str() on:change=on_timeout>
                    {CHOICES
                        .into_iter()
                        .map(|c| {
                            view! {
                                <option value=c.as_str() disabled=!c.allowed(policy) selected=move || timeout.get() == c>
                                    {c.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <p class="muted small">{move || explain(timeout.get())}</p>
            </div>
            <fieldset class="radios">
                <legend>"Vault timeout action"</legend>
                <label>
                    <input
                        type="radio"
                        name="timeout-action"
                        disabled=forced_log_out
                        prop:checked=move || action.get() == TimeoutAction::Lock
                        on:change=move |_| pick_action(TimeoutAction::Lock)
                    />
                    " Lock"
                </label>
                <label>
                    <input
                        type="radio"
                        name="timeout-action"
                        prop:checked=move || action.get() == TimeoutAction::LogOut
                        on:change=move |_| pick_action(TimeoutAction::LogOut)
                    />
                    " Log out"
                </label>
            </fieldset>
            <p class="notice" role="status">
                {move || saved.get()}
            </p>
        </section>
    }
}
