//! Clients → Add existing organisation (Provider admins): an organisation the
//! admin owns, that no provider manages, becomes a client. The Owner's
//! browser opens the organisation key and encrypts it with the provider key;
//! the server only ever sees both keys encrypted.

use crate::api::{add_existing_client, linkable_orgs};
use crate::components::{DialogActions, Field, FormError, while_busy};
use crate::error::ApiError;
use crate::session::use_session;
use domain::api::{AddExistingClientInput, LinkableOrg, ProviderSummary};
use leptos::prelude::*;
use leptos::task::spawn_local;

fn members(n: i64) -> String {
    format!("{n} {}", if n == 1 { "member" } else { "members" })
}

#[component]
pub fn AddExistingForm(
    provider: ProviderSummary,
    remaining: i64,
    open: RwSignal<bool>,
    notice: RwSignal<Option<String>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let s = use_session();
    // None while loading.
    let orgs = RwSignal::new(None::<Vec<LinkableOrg>>);
    let chosen = RwSignal::new(String::new());
    let seats = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let pid = provider.id.clone();
    spawn_local(async move {
        match linkable_orgs(pid).await {
            Ok(list) => {
                if let [only] = list.as_slice() {
                    chosen.set(only.id.clone());
                    seats.set(only.seats.max(only.used).to_string());
                }
                orgs.set(Some(list));
            }
            Err(e) => {
                error.set(Some(e));
                orgs.set(Some(vec![]));
            }
        }
    });
    // Choosing an organisation proposes the seats it has (at least its members).
    let choose = move |o: &LinkableOrg| {
        chosen.set(o.id.clone());
        seats.set(o.seats.max(o.used).to_string());
        error.set(None);
    };
    let provider_name = provider.name.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = chosen.get_untracked();
        let Some(org) = orgs.with_untracked(|l| l.as_ref().and_then(|l| l.iter().find(|o| o.id == id).cloned())) else {
            error.set(Some(ApiError::Validation(vec![domain::FieldError::new("org", "Choose an organisation.")])));
            return;
        };
        let Ok(n) = seats.get_untracked().trim().parse::<i64>() else {
            error.set(Some(ApiError::Validation(vec![domain::FieldError::new("seats", "Enter a whole number of seats.")])));
            return;
        };
        // Both keys open here: the organisation's (sealed to this Owner) and
        // the provider's; the first leaves encrypted with the second.
        let handed = s.keys.with_untracked(|k| {
            let k = k.as_ref()?;
            let pkey = s.provider_key(provider.wrapped_key.as_deref()?).ok()?;
            domain::crypto::reseal_under(&k.key_pair, &org.member_key, &pkey).ok()
        });
        let Some(org_key) = handed else {
            error.set(Some(ApiError::Forbidden("Unlock your vault first.".into())));
            return;
        };
        let input = AddExistingClientInput { provider_id: provider.id.clone(), org_id: org.id.clone(), seats: n, org_key };
        while_busy(busy, add_existing_client(input), move |result| {
            match result {
                Ok(()) => {
                    notice.set(Some(format!("{} added: it is a client now, with {n} seats.", org.name)));
                    version.update(|v| *v += 1);
                    open.set(false); // last: it disposes this form's signals
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(f)));
    view! {
        <form class="stack" on:submit=submit novalidate>
            <p class="muted">
                {format!(
                    "Organisations you own that no provider manages. Your browser gives {provider_name} the organisation's key: every confirmed member of {provider_name} can then open and manage it. Its members, items and event log stay as they are.",
                )}
            </p>
            {move || match orgs.get() {
                None => view! { <p class="muted">"Loading your organisations…"</p> }.into_any(),
                Some(list) if list.is_empty() => {
                    view! {
                        <div class="empty">
                            <h2>"No organisation to add"</h2>
                            <p class="muted">
                                "Only an organisation's confirmed Owner can add it to a provider, and only while no provider manages it. Ask the Owner to make you an Owner, or to join this provider as a Provider admin and add it."
                            </p>
                        </div>
                    }
                        .into_any()
                }
                Some(list) => {
                    view! {
                        <fieldset class="radios">
                            <legend>"Organisation"</legend>
                            {list
                                .into_iter()
                                .map(|o| {
                                    let (id, name) = (o.id.clone(), o.name.clone());
                                    let detail = format!("{} · {} seats", members(o.used), o.seats);
                                    view! {
                                        <label>
                                            <input
                                                type="radio"
                                                name="org"
                                                value=o.id.clone()
                                                prop:checked=move || chosen.get() == id
                                                on:change=move |_| choose(&o)
                                            />
                                            " "
                                            <span class="strong">{name}</span>
                                            " "
                                            <span class="muted small">{detail}</span>
                                        </label>
                                    }
                                })
                                .collect_view()}
                            <span class="error" role="alert">
                                {move || field("org").get()}
                            </span>
                        </fieldset>
                        <Field label="Seats" help="Taken from your subscription's unassigned seats; at least its members." error=field("seats")>
                            <input type="number" min="1" required bind:value=seats />
                        </Field>
                        <p class="muted small">{format!("{remaining} unassigned seats left.")}</p>
                    }
                        .into_any()
                }
            }}
            <FormError error=error />
            <DialogActions
                label="Add organisation"
                on_cancel=Callback::new(move |_| open.set(false))
                disabled=Signal::derive(move || busy.get() || orgs.with(|l| l.as_ref().is_none_or(Vec::is_empty)))
            />
        </form>
    }
}
