#![recursion_limit = "256"]
//! The Provider Portal UI: components, routes and server functions. Renders on
//! the server for the first load (feature `ssr`) and hydrates into a reactive
//! single-page app in the browser (feature `hydrate`).

pub mod api;
pub mod client_view;
pub mod components;
pub mod error;
pub mod fingerprint;
pub mod kdf;
#[cfg(feature = "hydrate")]
pub mod modules;
pub mod pages;
pub mod session;
pub mod vault_keep;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, lazy_route, path};

pub use error::ApiError;

/// The Content-Security-Policy of an HTML page: scripts only from this origin
/// or carrying this response's nonce (Leptos puts it on its hydration script).
pub fn content_security_policy(nonce: Option<&str>, reload_port: Option<u32>) -> String {
    let script = match nonce {
        Some(n) => format!("script-src 'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "script-src 'self' 'wasm-unsafe-eval'".to_string(),
    };
    // The development reload socket only under `cargo leptos watch`.
    let reload = reload_port.map(|p| format!(" ws://127.0.0.1:{p}")).unwrap_or_default();
    format!(
        "default-src 'self'; {script}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'{reload}; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"
    )
}

/// The HTML document around the app (server side only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
        let reload = std::env::var("LEPTOS_WATCH").is_ok().then_some(options.reload_port);
        if let Ok(v) = axum::http::HeaderValue::from_str(&content_security_policy(nonce.as_deref(), reload)) {
            res.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, v);
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    session::provide_session();
    // True while the router loads the next page (its lazily loaded chunk, its
    // data): a thin bar at the top says the click was taken.
    let (is_routing, set_is_routing) = signal(false);
    view! {
        <Stylesheet id="leptos" href="/pkg/portal.css" />
        <Title formatter=|t: String| if t.is_empty() { "Provider Portal".to_string() } else { format!("{t} | Provider Portal") } />
        <Router set_is_routing>
            <div
                class="route-progress"
                role="progressbar"
                aria-label="Loading page"
                aria-hidden=move || (!is_routing.get()).to_string()
                class:active=move || is_routing.get()
            ></div>
            <Routes fallback=|| view! { <pages::NotFound /> }>
                <Route path=path!("/") view=pages::Home />
                <Route path=path!("/login") view={Lazy::<routes::LoginPage>::new()} />
                <Route path=path!("/register") view={Lazy::<routes::RegisterPage>::new()} />
                <Route path=path!("/accept-invite") view={Lazy::<routes::AcceptInvitePage>::new()} />
                <ParentRoute path=path!("") view=components::AppLayout>
                    <Route path=path!("/vault") view={Lazy::<routes::VaultPage>::new()} />
                    <Route path=path!("/settings/account") view={Lazy::<routes::MyAccountPage>::new()} />
                    <Route path=path!("/providers") view={Lazy::<routes::ProvidersPage>::new()} />
                    <Route path=path!("/providers/setup") view={Lazy::<routes::SetupProviderPage>::new()} />
                    <Route path=path!("/providers/:id") view={Lazy::<routes::ProviderOverviewPage>::new()} />
                    <Route path=path!("/providers/:id/members") view={Lazy::<routes::MembersPage>::new()} />
                    <Route path=path!("/providers/:id/events") view={Lazy::<routes::EventsPage>::new()} />
                    <Route path=path!("/providers/:id/settings") view={Lazy::<routes::ProviderSettingsPage>::new()} />
                    <Route path=path!("/providers/:id/clients") view={Lazy::<routes::ClientsPage>::new()} />
                    <Route path=path!("/providers/:id/onboarding") view={Lazy::<routes::OnboardingPage>::new()} />
                    <Route path=path!("/providers/:id/baseline") view={Lazy::<routes::BaselinePage>::new()} />
                    <Route path=path!("/providers/:id/billing") view={Lazy::<routes::BillingPage>::new()} />
                    <Route path=path!("/organizations/:id") view={Lazy::<routes::OrgMembersPage>::new()} />
                    <Route path=path!("/organizations/:id/members") view={Lazy::<routes::OrgMembersPage>::new()} />
                    <Route path=path!("/organizations/:id/groups") view={Lazy::<routes::OrgGroupsPage>::new()} />
                    <Route path=path!("/organizations/:id/collections") view={Lazy::<routes::OrgCollectionsPage>::new()} />
                    <Route path=path!("/organizations/:id/vault") view={Lazy::<routes::OrgVaultPage>::new()} />
                    <Route path=path!("/organizations/:id/policies") view={Lazy::<routes::OrgPoliciesPage>::new()} />
                    <Route path=path!("/organizations/:id/seats") view={Lazy::<routes::OrgSeatsPage>::new()} />
                    <Route path=path!("/organizations/:id/events") view={Lazy::<routes::OrgEventsPage>::new()} />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// One lazily loaded route per page: built with `cargo leptos build --split`,
/// each page's code (its views, its server-function calls) is a separate wasm
/// chunk fetched when the page is first shown, so the first load carries the
/// shell and the one page it renders. (The server renders every page as
/// before and tells the browser to preload the chunk of the page it sent.)
pub mod routes {
    use super::*;

    macro_rules! lazy_pages {
        ($($route:ident => $page:path,)*) => {
            $(
                pub struct $route;

                #[lazy_route]
                impl LazyRoute for $route {
                    fn data() -> Self {
                        $route
                    }

                    fn view(_this: Self) -> AnyView {
                        $page().into_any()
                    }
                }
            )*
        };
    }

    lazy_pages! {
        LoginPage => crate::pages::auth::LoginPage,
        RegisterPage => crate::pages::auth::RegisterPage,
        AcceptInvitePage => crate::pages::invite::AcceptInvitePage,
        VaultPage => crate::pages::vault::VaultPage,
        MyAccountPage => crate::pages::account::MyAccountPage,
        ProvidersPage => crate::pages::providers::ProvidersPage,
        SetupProviderPage => crate::pages::providers::SetupProviderPage,
        ProviderOverviewPage => crate::pages::providers::ProviderOverviewPage,
        MembersPage => crate::pages::members::MembersPage,
        EventsPage => crate::pages::events::EventsPage,
        ProviderSettingsPage => crate::pages::providers::ProviderSettingsPage,
        ClientsPage => crate::pages::clients::ClientsPage,
        OnboardingPage => crate::pages::onboarding::OnboardingPage,
        BaselinePage => crate::pages::baseline::BaselinePage,
        BillingPage => crate::pages::clients::BillingPage,
        OrgMembersPage => crate::pages::orgs::OrgMembersPage,
        OrgGroupsPage => crate::pages::orgs::OrgGroupsPage,
        OrgCollectionsPage => crate::pages::orgs::OrgCollectionsPage,
        OrgVaultPage => crate::pages::orgs::OrgVaultPage,
        OrgPoliciesPage => crate::pages::orgs::OrgPoliciesPage,
        OrgSeatsPage => crate::pages::orgs::OrgSeatsPage,
        OrgEventsPage => crate::pages::orgs::OrgEventsPage,
    }
}
