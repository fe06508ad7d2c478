//! Provider Portal: your providers, setting one up, and a provider's overview.

use crate::api::setup_provider;
use crate::client_view::{ClientView, IntoClientView, lazy_view};
use crate::components::Field;
use crate::error::ApiError;
use crate::pages::{AdminBody, admin_body, admin_unlock_panel};
use crate::session::use_session;
use domain::api::{Me, ProviderSummary, SetupProviderInput};
use domain::member::{Role, StatusBadge};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

/// The signed-in user's memberships, fetched afresh each time a provider page
/// opens (a confirmation or removal elsewhere shows on the next navigation).
pub fn fresh_me() -> Resource<Result<Option<Me>, ApiError>> {
    Resource::new(|| (), |_| crate::api::get_me())
}

/// The provider named in the route, from the signed-in user's memberships.
pub fn provider_of(me: &Me, id: &str) -> Option<ProviderSummary> {
    me.providers.iter().find(|p| p.id == id).cloned()
}

#[component]
pub fn ProviderNav(provider: ProviderSummary) -> impl IntoView {
    let id = provider.id.clone();
    let admin = provider.user_type == Role::ProviderAdmin;
    let confirmed = provider.badge == StatusBadge::Confirmed;
    let clients = format!("/providers/{id}/clients");
    let onboarding = format!("/providers/{id}/onboarding");
    let baseline = format!("/providers/{id}/baseline");
    view! {
        <aside class="sidenav" aria-label="Provider">
            <div class="sidenav-title">{provider.name.clone()}</div>
            <A href=format!("/providers/{id}") exact=true>
                "Overview"
            </A>
            <Show when=move || confirmed>
                <A href=clients.clone()>"Clients"</A>
                <A href=onboarding.clone()>"Onboarding"</A>
                <A href=baseline.clone()>"Policy baseline"</A>
            </Show>
            <Show when=move || admin>
                <div class="sidenav-group">"Manage"</div>
                <A href=format!("/providers/{}/members", provider.id)>"Members"</A>
                <A href=format!("/providers/{}/events", provider.id)>"Event logs"</A>
                <div class="sidenav-group">"Billing"</div>
                <A href=format!("/providers/{}/billing", provider.id)>"Subscription"</A>
                <div class="sidenav-group">"Settings"</div>
                <A href=format!("/providers/{}/settings", provider.id)>"Settings"</A>
            </Show>
        </aside>
    }
}

#[component]
pub fn ProvidersPage() -> impl IntoView {
    let me = fresh_me();
    view! {
        <Title text="Providers" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(Some(me)) = me.await else { return ().into_any() };
                let list = me.providers.clone();
                let empty = list.is_empty();
                view! {
                    <div class="page-head">
                        <div>
                            <h1>"Provider Portal"</h1>
                            <p class="muted">"Manage your clients' organisations from one place."</p>
                        </div>
                        <A href="/providers/setup" attr:class="btn primary">
                            "Set up a provider"
                        </A>
                    </div>
                    <Show when=move || empty>
                        <div class="empty">
                            <h2>"You are not a member of any provider yet"</h2>
                            <p class="muted">"Set up a provider for your business, or accept an invitation from your provider's admin."</p>
                        </div>
                    </Show>
                    <ul class="cards">
                        {list
                            .into_iter()
                            .map(|p| {
                                let badge = p.badge;
                                let href = if badge == StatusBadge::Confirmed {
                                    format!("/providers/{}/clients", p.id)
                                } else {
                                    format!("/providers/{}", p.id)
                                };
                                // Confirmed staff land on the Clients list; others on the overview that says why they wait.
                                view! {
                                    <li class="card provider-card">
                                        <A href=href>
                                            <strong>{p.name.clone()}</strong>
                                        </A>
                                        <span class="muted">{p.user_type.label()}</span>
                                        <span class=format!("badge {}", badge_class(badge))>{badge.label()}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            })}
        </Transition>
    }
}

pub fn badge_class(b: StatusBadge) -> &'static str {
    match b {
        StatusBadge::Invited => "info",
        StatusBadge::Expired => "muted",
        StatusBadge::NeedsConfirmation => "warn",
        StatusBadge::Confirmed => "ok",
        StatusBadge::Suspended => "danger",
    }
}

/// Provider name and billing email with their messages (set-up and settings forms).
#[component]
fn ProviderFields(name: RwSignal<String>, billing: RwSignal<String>, error: RwSignal<Option<ApiError>>) -> impl IntoView {
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(f)));
    view! {
        <Field label="Provider name" error=field("name")>
            <input type="text" required bind:value=name />
        </Field>
        <Field label="Billing email" error=field("billing_email")>
            <input type="email" required bind:value=billing />
        </Field>
        <p class="form-error" role="alert">
            {move || error.get().filter(|e| !matches!(e, ApiError::Validation(_))).map(|e| e.to_string())}
        </p>
    }
}

#[component]
pub fn SetupProviderPage() -> impl IntoView {
    let s = use_session();
    view! {
        <Title text="Set up a provider" />
        <Transition fallback=|| ()>
            {move || {
                let unlocked = s.unlocked();
                Suspend::new(async move {
                    match s.me.await {
                        Ok(Some(me)) if !unlocked => Either::Left(admin_unlock_panel(me).into_any()),
                        Ok(Some(me)) => Either::Right(lazy_view(admin_body(AdminBody::Setup(me))).await),
                        _ => Either::Left(().into_any()),
                    }
                })
            }}
        </Transition>
    }
}

/// The set-up form, built in the browser once unlocked (in the Provider
/// Portal's body chunk, `pages::admin_body`).
pub(crate) fn setup_body(me: Me) -> ClientView {
    view! { <SetupForm me /> }.into_client()
}

#[component]
fn SetupForm(me: Me) -> impl IntoView {
    let s = use_session();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let billing = RwSignal::new(me.email.clone());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(pk) = s.key_pair_public() else { return };
        // The provider key is made here and sealed to our own public key.
        let key = domain::crypto::SymmetricKey::generate();
        let Ok(wrapped) = domain::crypto::seal_to(&pk, &key.to_bytes()) else { return };
        busy.set(true);
        let navigate = navigate.clone();
        let input = SetupProviderInput { name: name.get_untracked(), billing_email: billing.get_untracked(), wrapped_key: wrapped };
        spawn_local(async move {
            let result = setup_provider(input).await;
            busy.set(false);
            match result {
                // Leaving the page is the last thing done: the new provider's
                // landing page, the Clients list (empty, offering the first client).
                Ok(p) => {
                    s.refresh();
                    navigate(&format!("/providers/{}/clients", p.id), Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card narrow">
            <h1>"Set up a provider"</h1>
            <p class="muted">"You become its first Provider admin. The provider key is generated in this browser; the server only ever stores it encrypted."</p>
            <form on:submit=submit novalidate>
                <ProviderFields name=name billing=billing error=error />
                <button class="btn primary" type="submit" disabled=move || busy.get()>
                    "Set up provider"
                </button>
            </form>
        </section>
    }
}

#[component]
pub fn ProviderOverviewPage() -> impl IntoView {
    let s = use_session();
    let fresh = fresh_me();
    let params = use_params_map();
    view! {
        <Title text="Provider" />
        <Transition fallback=|| ()>
            {move || {
                let id = params.with(|p| p.get("id")).unwrap_or_default();
                let unlocked = s.unlocked();
                Suspend::new(async move {
                    let Ok(Some(me)) = fresh.await else { return ().into_any() };
                    let Some(p) = provider_of(&me, &id) else {
                        return view! { <crate::components::ErrorView err=ApiError::NotFound("You are not a member of this provider.".into()) /> }.into_any();
                    };
                    let active = p.badge == StatusBadge::Confirmed;
                    let key_state = match (&p.wrapped_key, unlocked) {
                        (None, _) => "Waiting for a Provider admin to confirm you.".to_string(),
                        (Some(_), false) => "Locked — unlock your vault to open the provider key.".to_string(),
                        (Some(w), true) => {
                            match s.provider_key(w) {
                                Ok(_) => "Provider key unlocked in this browser.".to_string(),
                                Err(_) => "The provider key could not be opened with your key.".to_string(),
                            }
                        }
                    };
                    view! {
                        <div class="with-sidenav">
                            <ProviderNav provider=p.clone() />
                            <div class="main-col">
                                <div class="page-head">
                                    <div>
                                        <h1>{p.name.clone()}</h1>
                                        <p class="muted">"Provider Portal"</p>
                                    </div>
                                </div>
                                <section class="card">
                                    <dl class="facts">
                                        <dt>"Your user type"</dt>
                                        <dd>{p.user_type.label()}</dd>
                                        <dt>"Status"</dt>
                                        <dd>
                                            <span class=format!("badge {}", badge_class(p.badge))>{p.badge.label()}</span>
                                        </dd>
                                        <dt>"Provider key"</dt>
                                        <dd data-testid="provider-key-state">{key_state}</dd>
                                    </dl>
                                    <Show when=move || !active>
                                        <p class="notice">"You can open this provider once a Provider admin confirms you."</p>
                                    </Show>
                                </section>
                            </div>
                        </div>
                    }
                        .into_any()
                })
            }}
        </Transition>
    }
}

/// Provider settings: name and billing email (Provider admins).
#[component]
pub fn ProviderSettingsPage() -> impl IntoView {
    let params = use_params_map();
    let fresh = fresh_me();
    let pid = move || params.with(|p| p.get("id")).unwrap_or_default();
    let current = Resource::new(pid, crate::api::provider_settings);
    view! {
        <Title text="Provider settings" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(Some(me)) = fresh.await else { return ().into_any() };
                let Some(p) = provider_of(&me, &pid()) else {
                    return view! { <crate::components::ErrorView err=ApiError::NotFound("You are not a member of this provider.".into()) /> }.into_any();
                };
                let (name0, billing0) = match current.await {
                    Ok(v) => v,
                    Err(e) => return view! { <crate::components::ErrorView err=e /> }.into_any(),
                };
                let name = RwSignal::new(name0);
                let billing = RwSignal::new(billing0);
                let error = RwSignal::new(None::<ApiError>);
                let saved = RwSignal::new(false);
                let id = p.id.clone();
                let submit = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    saved.set(false);
                    let id = id.clone();
                    spawn_local(async move {
                        match crate::api::update_provider(id, name.get_untracked(), billing.get_untracked()).await {
                            Ok(_) => {
                                error.set(None);
                                saved.set(true);
                            }
                            Err(e) => error.set(Some(e)),
                        }
                    });
                };
                view! {
                    <div class="with-sidenav">
                        <ProviderNav provider=p.clone() />
                        <div class="main-col">
                            <div class="page-head">
                                <div>
                                    <h1>"Provider settings"</h1>
                                </div>
                            </div>
                            <section class="card">
                                <form on:submit=submit novalidate>
                                    <ProviderFields name=name billing=billing error=error />
                                    <p class="notice" role="status">
                                        {move || saved.get().then_some("Provider settings saved.")}
                                    </p>
                                    <div>
                                        <button class="btn primary" type="submit">
                                            "Save"
                                        </button>
                                    </div>
                                </form>
                            </section>
                            <crate::pages::two_step::StaffTwoStepCard provider_id=p.id.clone() />
                        </div>
                    </div>
                }
                    .into_any()
            })}
        </Transition>
    }
}
