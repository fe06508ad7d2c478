#![recursion_limit = "256"]
//! The Provider Portal UI: components, routes and server functions. Renders on
//! the server for the first load (feature `ssr`) and hydrates into a reactive
//! single-page app in the browser (feature `hydrate`).

pub mod api;
pub mod components;
pub mod error;
pub mod kdf;
#[cfg(feature = "hydrate")]
pub mod modules;
pub mod pages;
pub mod session;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

pub use error::ApiError;

/// The Content-Security-Policy of an HTML page: scripts only from this origin
/// or carrying this response's nonce (Leptos puts it on its hydration script).
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let script = match nonce {
        Some(n) => format!("script-src 'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "script-src 'self' 'wasm-unsafe-eval'".to_string(),
    };
    format!(
        "default-src 'self'; {script}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self' ws://127.0.0.1:3001; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"
    )
}

/// The HTML document around the app (server side only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
        if let Ok(v) = axum::http::HeaderValue::from_str(&content_security_policy(nonce.as_deref())) {
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
    view! {
        <Stylesheet id="leptos" href="/pkg/portal.css" />
        <Title formatter=|t: String| if t.is_empty() { "Provider Portal".to_string() } else { format!("{t} | Provider Portal") } />
        <Router>
            <Routes fallback=|| view! { <pages::NotFound /> }>
                <Route path=path!("/") view=pages::Home />
                <Route path=path!("/login") view=pages::auth::LoginPage />
                <Route path=path!("/register") view=pages::auth::RegisterPage />
                <Route path=path!("/accept-invite") view=pages::invite::AcceptInvitePage />
                <ParentRoute path=path!("") view=components::AppLayout>
                    <Route path=path!("/vault") view=pages::vault::VaultPage />
                    <Route path=path!("/settings/account") view=pages::account::MyAccountPage />
                    <Route path=path!("/providers") view=pages::providers::ProvidersPage />
                    <Route path=path!("/providers/setup") view=pages::providers::SetupProviderPage />
                    <Route path=path!("/providers/:id") view=pages::providers::ProviderOverviewPage />
                    <Route path=path!("/providers/:id/members") view=pages::members::MembersPage />
                    <Route path=path!("/providers/:id/events") view=pages::events::EventsPage />
                    <Route path=path!("/providers/:id/settings") view=pages::providers::ProviderSettingsPage />
                    <Route path=path!("/providers/:id/clients") view=pages::clients::ClientsPage />
                    <Route path=path!("/providers/:id/billing") view=pages::clients::BillingPage />
                    <Route path=path!("/organizations/:id") view=pages::orgs::OrgMembersPage />
                    <Route path=path!("/organizations/:id/members") view=pages::orgs::OrgMembersPage />
                    <Route path=path!("/organizations/:id/groups") view=pages::orgs::OrgGroupsPage />
                    <Route path=path!("/organizations/:id/collections") view=pages::orgs::OrgCollectionsPage />
                    <Route path=path!("/organizations/:id/policies") view=pages::orgs::OrgPoliciesPage />
                    <Route path=path!("/organizations/:id/seats") view=pages::orgs::OrgSeatsPage />
                    <Route path=path!("/organizations/:id/events") view=pages::orgs::OrgEventsPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
