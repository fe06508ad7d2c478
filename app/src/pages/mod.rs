pub mod account;
pub mod add_existing;
pub mod api_key;
pub mod auth;
pub mod baseline;
pub mod client_lifecycle;
pub mod clients;
pub mod devices;
pub mod events;
pub mod invite;
pub mod member_details;
pub mod members;
pub mod onboarding;
pub mod org_vault;
pub mod orgs;
pub mod providers;
pub mod recovery;
pub mod two_step;
pub mod usage;
pub mod vault;
pub mod vault_timeout;

use crate::client_view::{ClientView, IntoClientView};
use crate::components::ErrorView;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Redirect};

/// The body of a Provider Portal or Admin Console page: built in the browser
/// once the vault is unlocked, every such page's from one lazily loaded chunk
/// (`admin_body`), fetched while the unlock panel is shown. (The vault's body
/// is its own chunk: every person opens it, few open these.)
pub enum AdminBody {
    Setup(domain::api::Me),
    Members(domain::api::ProviderSummary),
    Clients(domain::api::ProviderSummary),
    Billing(domain::api::ProviderSummary),
    Baseline(domain::api::ProviderSummary),
    Onboarding(domain::api::ProviderSummary),
    Console(orgs::Section, orgs::Console),
}

#[lazy]
pub(crate) fn admin_body(body: AdminBody) -> ClientView {
    match body {
        AdminBody::Setup(me) => providers::setup_body(me),
        AdminBody::Members(p) => members::members_body(p),
        AdminBody::Clients(p) => view! { <clients::ClientsTable provider=p /> }.into_client(),
        AdminBody::Billing(p) => view! { <clients::Billing provider=p /> }.into_client(),
        AdminBody::Baseline(p) => baseline::baseline_body(p),
        AdminBody::Onboarding(p) => onboarding::onboarding_body(p),
        AdminBody::Console(section, c) => orgs::console_body(section, c),
    }
}

/// The unlock panel of a Provider Portal or Admin Console page: while it is
/// shown (the person types their master password) it fetches the chunk of
/// [`admin_body`], so the body is there at the button.
pub(crate) fn admin_unlock_panel(me: domain::api::Me) -> impl IntoView {
    view! {
        <crate::components::UnlockPanel
            me=me
            prepare=|| {
                lazy_preload!(admin_body);
            }
        />
    }
}

/// `/`: the vault when signed in, otherwise the log-in page.
#[component]
pub fn Home() -> impl IntoView {
    let s = use_session();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match s.me.await {
                    Ok(Some(_)) => view! { <Redirect path="/vault" /> }.into_any(),
                    Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                    Err(e) => view! { <ErrorView err=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
        r.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <main class="centered">
            <section class="card narrow">
                <h1>"Page not found"</h1>
                <p class="muted">"The page you asked for does not exist or has moved."</p>
                <p>
                    <A href="/">"Go to the start page"</A>
                </p>
            </section>
        </main>
    }
}

/// Only same-site paths may be a `next` target (no open redirects): the rule
/// is `domain::text::safe_next`, tested there.
pub fn safe_next(next: Option<String>) -> String {
    domain::text::safe_next(next.as_deref()).to_string()
}

pub use domain::time::fmt_minutes as fmt_time;
