//! One item in a list: its icon, name and grey line, and the copy buttons of
//! its type (shared by the individual vault and an organisation's).

use super::reprompt::{Reprompt, guarded};
use super::widgets::{copied, copy_text, now_secs};
use domain::bitwarden::cipher::{CipherType, CipherView};
use domain::totp::Totp;
use leptos::prelude::*;

fn icon_class(kind: CipherType) -> &'static str {
    match kind {
        CipherType::Login => "item-icon login",
        CipherType::SecureNote => "item-icon note",
        CipherType::Card => "item-icon payment",
        CipherType::Identity => "item-icon identity",
        CipherType::SshKey => "item-icon sshkey",
    }
}

/// Icon, name (a button that opens the item) and the grey line under it.
#[component]
pub fn ItemSummary(item: CipherView, on_open: Callback<()>) -> impl IntoView {
    let initial = crate::components::upper(&item.name.chars().take(1).collect::<String>());
    let sub = item.subtitle();
    let (kind, ask, gate) = (item.kind, item.reprompt == 1, Reprompt::here());
    view! {
        <span class=icon_class(kind) aria-hidden="true" title=kind.label()>
            {initial}
        </span>
        <div class="item-main">
            <span class="item-name">
                <button class="link strong" on:click=move |_| guarded(gate, ask, on_open)>
                    {item.name.clone()}
                </button>
                {item
                    .favorite
                    .then(|| {
                        view! {
                            <span class="star" title="Favorite" aria-label="Favorite">
                                "★"
                            </span>
                        }
                    })}
            </span>
            <span class="muted">{if sub.is_empty() { kind.label().to_string() } else { sub }}</span>
        </div>
    }
}

/// The copy buttons an item's type offers.
#[component]
pub fn ItemActions(item: CipherView, message: RwSignal<Option<String>>) -> impl IntoView {
    let name = item.name.clone();
    let mut buttons: Vec<(&'static str, String, bool)> = vec![];
    if let Some(l) = &item.login {
        buttons.extend(l.username.clone().map(|u| ("Username", u, false)));
        buttons.extend(l.password.clone().map(|p| ("Password", p, true)));
        if l.totp.as_deref().is_some_and(|t| Totp::parse(t).is_ok()) {
            // The code itself is computed when the button is pressed.
            buttons.push(("Verification code", String::new(), true));
        }
    }
    if let Some(c) = &item.card {
        buttons.extend(c.number.clone().map(|n| ("Number", n, true)));
        buttons.extend(c.code.clone().map(|n| ("Security code", n, true)));
    }
    if let Some(k) = &item.ssh_key {
        buttons.extend(k.public_key.clone().map(|p| ("Public key", p, false)));
    }
    if item.kind == CipherType::SecureNote {
        buttons.extend(item.notes.clone().map(|n| ("Notes", n, false)));
    }
    let totp = item.login.as_ref().and_then(|l| l.totp.clone());
    let (ask, gate) = (item.reprompt == 1, Reprompt::here());
    buttons
        .into_iter()
        .map(|(what, value, secret)| {
            let totp = totp.clone();
            let label = format!("Copy {} of {name}", what.to_lowercase());
            let copy = Callback::new(move |_| {
                let text = if what == "Verification code" {
                    totp.as_deref().and_then(|t| Totp::parse(t).ok()).map(|t| t.code_at(now_secs())).unwrap_or_default()
                } else {
                    value.clone()
                };
                copy_text(text, secret);
                message.set(Some(copied(what, secret)));
            });
            // A re-prompt item hands over a secret after the master password only.
            let click = move |_| guarded(gate, ask && secret, copy);
            view! {
                <button class="btn ghost small" aria-label=label on:click=click>
                    {format!("Copy {}", what.to_lowercase())}
                </button>
            }
        })
        .collect_view()
}

/// An item in the Trash: Restore, or Delete forever (asked first).
#[component]
pub fn TrashActions(id: String, name: String, asks: super::RowAsks) -> impl IntoView {
    let (restore_label, purge_label) = (format!("Restore {name}"), format!("Delete {name} forever"));
    let (id2, name2) = (id.clone(), name.clone());
    view! {
        <button class="btn ghost small" aria-label=restore_label on:click=move |_| asks.restore.run((id.clone(), name.clone()))>
            "Restore"
        </button>
        <button class="btn ghost small danger" aria-label=purge_label on:click=move |_| asks.purging.set(Some((id2.clone(), name2.clone())))>
            "Delete forever"
        </button>
    }
}
