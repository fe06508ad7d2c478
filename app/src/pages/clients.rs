//! Provider Portal → Clients (both user types) and Billing → Subscription
//! (Provider admins): client organisations, their seats, and the provider's total.

use crate::api::{create_client, list_clients, provider_events, set_provider_seats};
use crate::client_view::{IntoClientView, lazy_view};
use crate::components::{DialogActions, ErrorView, Field, FormError, Modal, while_busy};
use crate::error::ApiError;
use crate::pages::add_existing::AddExistingForm;
use crate::pages::client_lifecycle::{ClientMenu, Lifecycle, LifecycleDialog};
use crate::pages::providers::{ProviderNav, fresh_me, provider_of};
use crate::pages::{AdminBody, admin_body, admin_unlock_panel, fmt_time};
use crate::session::use_session;
use domain::api::{ClientSummary, ClientsView, CreateClientInput, ProviderSummary};
use domain::crypto::SymmetricKey;
use domain::member::{Role, StatusBadge};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// Loads the provider named in the route and renders `page` for confirmed members.
#[component]
pub fn ProviderShell(title: &'static str, admin_only: bool, body: fn(ProviderSummary) -> AdminBody) -> impl IntoView {
    let s = use_session();
    let fresh = fresh_me();
    let params = use_params_map();
    let pid = move || params.with(|p| p.get("id")).unwrap_or_default();
    view! {
        <Title text=title />
        <Transition fallback=|| ()>
            {move || {
                let unlocked = s.unlocked();
                Suspend::new(async move {
                    let Ok(Some(me)) = fresh.await else { return ().into_any() };
                    let Some(p) = provider_of(&me, &pid()) else {
                        return view! { <ErrorView err=ApiError::NotFound("You are not a member of this provider.".into()) /> }.into_any();
                    };
                    if p.badge != StatusBadge::Confirmed {
                        return view! { <ErrorView err=ApiError::Forbidden("You can open this provider once a Provider admin confirms you.".into()) /> }
                            .into_any();
                    }
                    if admin_only && p.user_type != Role::ProviderAdmin {
                        return view! { <ErrorView err=ApiError::Forbidden("Only a Provider admin can open this page.".into()) /> }.into_any();
                    }
                    let body = if unlocked { Either::Left(lazy_view(admin_body(body(p.clone()))).await) } else { Either::Right(admin_unlock_panel(me)) };
                    view! {
                        <div class="with-sidenav">
                            <ProviderNav provider=p />
                            <div class="main-col">{body}</div>
                        </div>
                    }
                        .into_any()
                })
            }}
        </Transition>
    }
}

#[component]
pub fn ClientsPage() -> impl IntoView {
    view! { <ProviderShell title="Clients" admin_only=false body=AdminBody::Clients /> }
}

#[component]
pub fn BillingPage() -> impl IntoView {
    view! { <ProviderShell title="Subscription" admin_only=true body=AdminBody::Billing /> }
}

fn remaining(v: &ClientsView) -> i64 {
    (v.total_seats - v.assigned).max(0)
}

/// Orders the Clients list: by name, newest activity first, most seats used
/// first, fewest seats remaining first (the clients about to run out), or
/// most differences from the policy baseline first.
fn sort_clients(list: &mut [ClientSummary], by: &str) {
    match by {
        "activity" => list.sort_by_key(|c| std::cmp::Reverse(c.last_activity)),
        "used" => list.sort_by_key(|c| std::cmp::Reverse(c.used)),
        "remaining" => list.sort_by_key(|c| c.seats - c.used),
        "drift" => list.sort_by_key(|c| std::cmp::Reverse(c.drift.unwrap_or(0))),
        _ => list.sort_by_key(|c| c.name.to_lowercase()),
    }
}

#[component]
pub(crate) fn ClientsTable(provider: ProviderSummary) -> impl IntoView {
    let admin = provider.user_type == Role::ProviderAdmin;
    let pid = provider.id.clone();
    let version = RwSignal::new(0u32);
    let view_res = {
        let pid = pid.clone();
        Resource::new(move || version.get(), move |_| list_clients(pid.clone()))
    };
    let search = RwSignal::new(String::new());
    let sort = RwSignal::new("name".to_string());
    let owner_state = RwSignal::new(String::new());
    let create_open = RwSignal::new(false);
    let add_open = RwSignal::new(false);
    // (client id, current name) of the client being renamed.
    let renaming = RwSignal::new(None::<(String, String)>);
    // The client being suspended or deleted (asked first), and the outcome.
    let asking = RwSignal::new(None::<Lifecycle>);
    let notice = RwSignal::new(None::<String>);
    let baseline_href = StoredValue::new(format!("/providers/{pid}/baseline"));
    let provider = StoredValue::new(provider);
    view! {
        <div class="page-head">
            <div>
                <h1>"Clients"</h1>
                <p class="muted">"The organisations you manage for your customers."</p>
            </div>
            <Show when=move || admin>
                <div class="row-actions">
                    <button class="btn" on:click=move |_| add_open.set(true)>
                        "Add existing organisation"
                    </button>
                    <button class="btn primary" on:click=move |_| create_open.set(true)>
                        "+ New client"
                    </button>
                </div>
            </Show>
        </div>
        <p class="notice" role="status">
            {move || notice.get()}
        </p>
        <Transition fallback=|| {
            view! { <p class="muted">"Loading clients…"</p> }
        }>
            {move || Suspend::new(async move {
                let v = match view_res.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorView err=e /> }.into_client(),
                };
                let (total, assigned, left) = (v.total_seats, v.assigned, remaining(&v));
                let clients = v.clients.clone();
                let none = clients.is_empty();
                let mut states: Vec<String> = clients.iter().filter_map(|c| c.owner_badge.map(|b| b.label().to_string())).collect();
                states.sort();
                states.dedup();
                let rows = move || {
                    let q = search.get().trim().to_lowercase();
                    let state = owner_state.get();
                    let mut list: Vec<ClientSummary> = clients
                        .iter()
                        .filter(|c| q.is_empty() || c.name.to_lowercase().contains(&q) || c.owner_email.as_deref().is_some_and(|o| o.contains(&q)))
                        .filter(|c| state.is_empty() || c.owner_badge.is_some_and(|b| b.label() == state))
                        .cloned()
                        .collect();
                    sort_clients(&mut list, &sort.get());
                    list
                };
                // The Owner states present, for the filter.
                view! {
                    <div class="stats">
                        <div class="stat">
                            <span class="stat-n">{total}</span>
                            <span class="muted">"Seats in subscription"</span>
                        </div>
                        <div class="stat">
                            <span class="stat-n">{assigned}</span>
                            <span class="muted">"Assigned to clients"</span>
                        </div>
                        <div class="stat">
                            <span class="stat-n" data-testid="seats-remaining">
                                {left}
                            </span>
                            <span class="muted">"Unassigned"</span>
                        </div>
                    </div>
                    <div class="toolbar">
                        <input class="search" type="search" placeholder="Search clients" aria-label="Search clients" bind:value=search />
                        <select class="filter" aria-label="Owner" bind:value=owner_state>
                            <option value="">"Any Owner state"</option>
                            {states.into_iter().map(|st| view! { <option value=st.clone()>{format!("Owner {}", st.to_lowercase())}</option> }).collect_view()}
                        </select>
                        <select class="filter" aria-label="Sort by" bind:value=sort>
                            <option value="name">"Name"</option>
                            <option value="activity">"Last activity"</option>
                            <option value="used">"Seats used"</option>
                            <option value="remaining">"Seats remaining"</option>
                            <option value="drift">"Policy differences"</option>
                        </select>
                    </div>
                    <Show when=move || none>
                        <div class="empty">
                            <h2>"No clients yet"</h2>
                            <p class="muted">
                                {if admin {
                                    "Create a client organisation for each business you support, or add one you already own."
                                } else {
                                    "A Provider admin creates client organisations."
                                }}
                            </p>
                        </div>
                    </Show>
                    <Show when=move || !none>
                        <table class="table">
                            <thead>
                                <tr>
                                    <th>"Client"</th>
                                    <th>"Owner"</th>
                                    <th>"Seats assigned"</th>
                                    <th>"Used"</th>
                                    <th>"Remaining"</th>
                                    <th>"Last activity"</th>
                                    <th>"Policies"</th>
                                    <th class="actions">
                                        <span class="sr-only">"Manage"</span>
                                    </th>
                                </tr>
                            </thead>
                            <tbody>
                                <For each=rows.clone() key=|c| (c.id.clone(), c.name.clone(), c.seats, c.used, c.suspended_at, c.drift) let:c>
                                    <tr class:suspended=c.suspended_at.is_some()>
                                        <td class="strong">
                                            {c.name.clone()}
                                            {c
                                                .suspended_at
                                                .map(|_| {
                                                    view! {
                                                        " "
                                                        <span class="badge warn">"Suspended"</span>
                                                    }
                                                })}
                                        </td>
                                        <td>
                                            <div>{c.owner_email.clone().unwrap_or_default()}</div>
                                            {c
                                                .owner_badge
                                                .map(|b| {
                                                    view! {
                                                        <span class=format!(
                                                            "badge {}",
                                                            crate::pages::providers::badge_class(b),
                                                        )>{format!("Owner {}", b.label().to_lowercase())}</span>
                                                    }
                                                })}
                                        </td>
                                        <td>{c.seats}</td>
                                        <td>{c.used}</td>
                                        <td>{(c.seats - c.used).max(0)}</td>
                                        <td class="muted small">{fmt_time(c.last_activity.unwrap_or(c.created_at))}</td>
                                        <td>
                                            {match c.drift {
                                                None => view! { <span class="muted small">"No baseline"</span> }.into_any(),
                                                Some(0) => view! { <span class="badge ok">"Matches baseline"</span> }.into_any(),
                                                Some(n) => {
                                                    view! {
                                                        <A href=baseline_href.get_value() attr:class="badge warn">
                                                            {format!("{n} {}", if n == 1 { "difference" } else { "differences" })}
                                                        </A>
                                                    }
                                                        .into_any()
                                                }
                                            }}
                                        </td>
                                        <td class="actions nowrap">
                                            <div class="row-actions">
                                                <A
                                                    href=format!("/organizations/{}/members", c.id)
                                                    attr:class="btn small"
                                                    attr:aria-label=format!("Manage {}", c.name)
                                                >
                                                    "Manage"
                                                </A>
                                                " "
                                                <ClientMenu
                                                    provider_id=provider.with_value(|p| p.id.clone())
                                                    client=c.clone()
                                                    admin=admin
                                                    renaming=renaming
                                                    asking=asking
                                                    notice=notice
                                                    version=version
                                                />
                                            </div>
                                        </td>
                                    </tr>
                                </For>
                            </tbody>
                        </table>
                    </Show>
                    <LifecycleDialog provider_id=provider.with_value(|p| p.id.clone()) asking=asking notice=notice version=version />
                    <Modal open=create_open on_close=Callback::new(move |_| create_open.set(false)) title="New client".to_string()>
                        <NewClientForm provider=provider.get_value() remaining=left open=create_open version=version />
                    </Modal>
                    <Modal open=add_open on_close=Callback::new(move |_| add_open.set(false)) title="Add existing organisation".to_string()>
                        <AddExistingForm provider=provider.get_value() remaining=left open=add_open notice=notice version=version />
                    </Modal>
                    <Modal
                        open=Signal::derive(move || renaming.get().is_some())
                        on_close=Callback::new(move |_| renaming.set(None))
                        title="Rename client".to_string()
                    >
                        {move || {
                            renaming
                                .get()
                                .map(|(org, name)| {
                                    view! {
                                        <RenameForm provider_id=provider.with_value(|p| p.id.clone()) org=org name=name renaming=renaming version=version />
                                    }
                                })
                        }}
                    </Modal>
                }
                    .into_client()
            })}
        </Transition>
    }
}

#[component]
fn RenameForm(provider_id: String, org: String, name: String, renaming: RwSignal<Option<(String, String)>>, version: RwSignal<u32>) -> impl IntoView {
    let value = RwSignal::new(name);
    let error = RwSignal::new(None::<ApiError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (provider_id, org, name) = (provider_id.clone(), org.clone(), value.get_untracked());
        spawn_local(async move {
            match crate::api::rename_client(provider_id, org, name).await {
                Ok(()) => {
                    version.update(|v| *v += 1);
                    renaming.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="stack" on:submit=submit novalidate>
            <Field label="Organisation name" error=Signal::derive(move || error.get().and_then(|e| e.field("name")))>
                <input type="text" required bind:value=value />
            </Field>
            <FormError error=error />
            <DialogActions label="Save" on_cancel=Callback::new(move |_| renaming.set(None)) />
        </form>
    }
}

#[component]
fn NewClientForm(provider: ProviderSummary, remaining: i64, open: RwSignal<bool>, version: RwSignal<u32>) -> impl IntoView {
    let s = use_session();
    let name = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let seats = RwSignal::new(String::from("5"));
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(f)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(n) = seats.get_untracked().trim().parse::<i64>() else {
            error.set(Some(ApiError::Validation(vec![domain::FieldError::new("seats", "Enter a whole number of seats.")])));
            return;
        };
        // The organisation key is made here and encrypted with the provider key:
        // every confirmed provider member can open it; the server cannot.
        let Some(wrapped) = provider.wrapped_key.clone() else { return };
        let pkey = match s.provider_key(&wrapped) {
            Ok(k) => k,
            Err(_) => {
                error.set(Some(ApiError::Forbidden("Unlock your vault first.".into())));
                return;
            }
        };
        let org_key = SymmetricKey::generate();
        let input = CreateClientInput {
            provider_id: provider.id.clone(),
            name: name.get_untracked(),
            owner_email: owner.get_untracked(),
            seats: n,
            org_key: pkey.encrypt(&org_key.to_bytes()),
        };
        while_busy(busy, create_client(input), move |result| {
            match result {
                Ok(_) => {
                    error.set(None);
                    name.set(String::new());
                    owner.set(String::new());
                    version.update(|v| *v += 1);
                    open.set(false); // last: it disposes this form's signals
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="stack" on:submit=submit novalidate>
            <Field label="Organisation name" error=field("name")>
                <input type="text" required bind:value=name />
            </Field>
            <Field label="Owner email" help="Invited as the organisation's Owner." error=field("owner_email")>
                <input type="email" required bind:value=owner />
            </Field>
            <Field label="Seats" help="Taken from your subscription's unassigned seats." error=field("seats")>
                <input type="number" min="1" required bind:value=seats />
            </Field>
            <p class="muted small">{format!("{remaining} unassigned seats left.")}</p>
            <FormError error=error />
            <DialogActions label="Create client" on_cancel=Callback::new(move |_| open.set(false)) disabled=busy />
        </form>
    }
}

#[component]
pub(crate) fn Billing(provider: ProviderSummary) -> impl IntoView {
    let pid = provider.id.clone();
    let usage_pid = pid.clone();
    let version = RwSignal::new(0u32);
    let view_res = {
        let pid = pid.clone();
        Resource::new(move || version.get(), move |_| list_clients(pid.clone()))
    };
    let form_res = {
        let pid = pid.clone();
        Resource::new(|| (), move |_| list_clients(pid.clone()))
    };
    let ledger = {
        let pid = pid.clone();
        // The whole history of seat changes: each kind read on its own (up to
        // 10,000 changes of each), newest first.
        Resource::new(
            move || version.get(),
            move |_| {
                let pid = pid.clone();
                async move {
                    let mut all = vec![];
                    for kind in ["seats_total_changed", "client_seats_changed", "client_created"] {
                        let filter = domain::api::EventFilter { kind: Some(kind.into()), ..Default::default() };
                        all.extend(provider_events(pid.clone(), filter, 0, 10_000).await?.items);
                    }
                    all.sort_by_key(|e| std::cmp::Reverse(e.at));
                    Ok::<_, ApiError>(all)
                }
            },
        )
    };
    view! {
        <div class="page-head">
            <div>
                <h1>"Subscription"</h1>
                <p class="muted">"Your provider's seats and how they are assigned to clients. No payment is taken here."</p>
            </div>
        </div>
        <Transition fallback=|| {
            view! { <p class="muted">"Loading…"</p> }
        }>
            {move || {
                Suspend::new(async move {
                    let v = match view_res.await {
                        Ok(v) => v,
                        Err(e) => return view! { <ErrorView err=e /> }.into_client(),
                    };
                    let used: i64 = v.clients.iter().map(|c| c.used).sum();
                    view! {
                        <div class="stats">
                            <div class="stat">
                                <span class="stat-n">{v.total_seats}</span>
                                <span class="muted">"Seats in subscription"</span>
                            </div>
                            <div class="stat">
                                <span class="stat-n">{v.assigned}</span>
                                <span class="muted">"Assigned to clients"</span>
                            </div>
                            <div class="stat">
                                <span class="stat-n">{used}</span>
                                <span class="muted">"Used by members"</span>
                            </div>
                            <div class="stat">
                                <span class="stat-n">{remaining(&v)}</span>
                                <span class="muted">"Unassigned"</span>
                            </div>
                        </div>

                        <section class="card">
                            <h2>"Assigned seats"</h2>
                            <table class="table">
                                <thead>
                                    <tr>
                                        <th>"Client"</th>
                                        <th>"Seats"</th>
                                        <th>"Used"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {v
                                        .clients
                                        .into_iter()
                                        .map(|c| {
                                            view! {
                                                <tr>
                                                    <td>
                                                        <A href=format!("/organizations/{}/seats", c.id)>{c.name}</A>
                                                    </td>
                                                    <td>{c.seats}</td>
                                                    <td>{c.used}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }
                        .into_client()
                })
            }}
        </Transition>
        <Transition fallback=|| ()>
            {move || {
                let pid = pid.clone();
                Suspend::new(async move {
                    let total = form_res.await.map(|v| v.total_seats).unwrap_or(0);
                    // Its own load, so that saving (which reloads the figures) keeps the form and its message.
                    view! {
                        <section class="card">
                            <h2>"Seats"</h2>
                            <SeatsForm
                                label="Total seats"
                                help="Cannot be lower than the seats assigned to clients."
                                initial=total
                                save=move |n| set_provider_seats(pid.clone(), n)
                                on_saved=Callback::new(move |_| version.update(|x| *x += 1))
                            />
                        </section>
                    }
                })
            }}
        </Transition>
        <crate::pages::usage::UsageCard provider_id=usage_pid version=version />
        <section class="card">
            <h2>"Seat ledger"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let items: Vec<_> = ledger.await.unwrap_or_default();
                    let empty = items.is_empty();
                    view! {
                        <Show when=move || empty>
                            <p class="muted">"No seat changes yet."</p>
                        </Show>
                        <table class="table" aria-label="Seat ledger">
                            <thead>
                                <tr>
                                    <th>"Time (UTC)"</th>
                                    <th>"Change"</th>
                                    <th>"By"</th>
                                    <th>"Details"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {items
                                    .into_iter()
                                    .map(|e| {
                                        view! {
                                            <tr>
                                                <td class="nowrap">{fmt_time(e.at)}</td>
                                                <td>{e.kind.replace('_', " ")}</td>
                                                <td>{e.actor.unwrap_or_default()}</td>
                                                <td>{e.detail}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                })}
            </Transition>
        </section>
    }
}

/// A number of seats with its save button, messages and status line (the
/// provider's total on Subscription, a client's seats in its Admin Console).
#[component]
pub fn SeatsForm<F, Fut>(label: &'static str, help: &'static str, initial: i64, save: F, on_saved: Callback<i64>) -> impl IntoView
where
    F: Fn(i64) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), ApiError>> + 'static,
{
    let seats = RwSignal::new(initial.to_string());
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(f)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let Ok(n) = seats.get_untracked().trim().parse::<i64>() else {
            error.set(Some(ApiError::Validation(vec![domain::FieldError::new("seats", "Enter a whole number of seats.")])));
            return;
        };
        let fut = save(n);
        spawn_local(async move {
            match fut.await {
                Ok(()) => {
                    error.set(None);
                    saved.set(true);
                    // The page may be gone by now (then so is the callback).
                    on_saved.try_run(n);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="inline-form" on:submit=submit novalidate>
            <Field label=label help=help error=field("seats")>
                <input type="number" min="0" bind:value=seats />
            </Field>
            <button class="btn primary" type="submit">
                "Save seats"
            </button>
        </form>
        <p class="notice" role="status">
            {move || saved.get().then_some("Seats saved.")}
        </p>
        <p class="form-error" role="alert">
            {move || error.get().filter(|e| !matches!(e, ApiError::Validation(_))).map(|e| e.to_string())}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(name: &str, seats: i64, used: i64, last: Option<i64>) -> ClientSummary {
        ClientSummary {
            id: name.into(),
            name: name.into(),
            seats,
            used,
            owner_email: None,
            created_at: 0,
            owner_badge: None,
            last_activity: last,
            suspended_at: None,
            drift: Some(used as usize),
        }
    }

    #[test]
    fn clients_sort_by_name_activity_and_seats() {
        let mut list = vec![client("beta", 5, 1, Some(10)), client("Alpha", 2, 2, None), client("gamma", 10, 3, Some(20))];
        let names = |l: &[ClientSummary]| l.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        sort_clients(&mut list, "name");
        assert_eq!(names(&list), ["Alpha", "beta", "gamma"]);
        sort_clients(&mut list, "activity");
        assert_eq!(names(&list), ["gamma", "beta", "Alpha"], "newest first, never active last");
        sort_clients(&mut list, "used");
        assert_eq!(names(&list), ["gamma", "Alpha", "beta"]);
        sort_clients(&mut list, "remaining");
        assert_eq!(names(&list), ["Alpha", "beta", "gamma"], "about to run out first");
        sort_clients(&mut list, "drift");
        assert_eq!(names(&list), ["gamma", "Alpha", "beta"], "most policy differences first");
    }
}
