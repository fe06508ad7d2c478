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
pub mod webauthn;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

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
                <Route path=path!("/login") view=routes::EntryPage::Login />
                <Route path=path!("/register") view=routes::EntryPage::Register />
                <Route path=path!("/accept-invite") view=routes::EntryPage::AcceptInvite />
                <ParentRoute path=path!("") view=routes::AppPage::Layout>
                    <Route path=path!("/vault") view=routes::AppPage::Vault />
                    <Route path=path!("/settings/account") view=routes::AppPage::MyAccount />
                    <Route path=path!("/providers") view=routes::AppPage::Providers />
                    <Route path=path!("/providers/setup") view=routes::AppPage::SetupProvider />
                    <Route path=path!("/providers/:id") view=routes::AppPage::ProviderOverview />
                    <Route path=path!("/providers/:id/members") view=routes::AppPage::Members />
                    <Route path=path!("/providers/:id/events") view=routes::AppPage::Events />
                    <Route path=path!("/providers/:id/settings") view=routes::AppPage::ProviderSettings />
                    <Route path=path!("/providers/:id/clients") view=routes::AppPage::Clients />
                    <Route path=path!("/providers/:id/onboarding") view=routes::AppPage::Onboarding />
                    <Route path=path!("/providers/:id/baseline") view=routes::AppPage::Baseline />
                    <Route path=path!("/providers/:id/billing") view=routes::AppPage::Billing />
                    <Route path=path!("/organizations/:id") view=routes::AppPage::OrgMembers />
                    <Route path=path!("/organizations/:id/members") view=routes::AppPage::OrgMembers />
                    <Route path=path!("/organizations/:id/groups") view=routes::AppPage::OrgGroups />
                    <Route path=path!("/organizations/:id/collections") view=routes::AppPage::OrgCollections />
                    <Route path=path!("/organizations/:id/vault") view=routes::AppPage::OrgVault />
                    <Route path=path!("/organizations/:id/policies") view=routes::AppPage::OrgPolicies />
                    <Route path=path!("/organizations/:id/seats") view=routes::AppPage::OrgSeats />
                    <Route path=path!("/organizations/:id/events") view=routes::AppPage::OrgEvents />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The pages in two lazily loaded chunks: the entry pages (log in, create
/// account, an invitation) and every page behind the log-in. Built with
/// `cargo leptos build --split`, an area's pages (their views, their
/// server-function calls) are fetched when the first of them is shown, so a
/// first load carries the shell and the area of the page it renders. (The
/// server renders every page as before and tells the browser to preload the
/// chunk of the page it sent.) What a page shows once the vault is unlocked
/// is two more chunks: the vault's body and the Provider Portal / Admin
/// Console bodies (`pages::admin_body`).
///
/// Few chunks, not one per page: the splitter puts the code several chunks
/// share into one more file per distinct set of sharers, so 22 page chunks and
/// 14 bodies made over 500 files and the log-in page fetched 118; seven
/// chunks still made the log-in page fetch 41 (BENCHMARKS.md, first load).
pub mod routes {
    use leptos::prelude::*;
    use leptos_router::ChooseView;

    macro_rules! areas {
        ($($(#[$doc:meta])* $area:ident => $chunk:ident, $preload:ident { $($page:ident => $view:path,)* })*) => {
            $(
                $(#[$doc])*
                #[derive(Clone, Copy, Debug, PartialEq, Eq)]
                pub enum $area {
                    $($page,)*
                }

                #[lazy]
                fn $chunk(page: $area) -> AnyView {
                    match page {
                        $($area::$page => $view().into_any(),)*
                    }
                }

                impl ChooseView for $area {
                    async fn choose(self) -> AnyView {
                        $chunk(self).await
                    }

                    async fn preload(&self) {
                        #[cfg(feature = "hydrate")]
                        $preload().await;
                    }
                }
            )*
        };
    }

    areas! {
        /// Log in, create an account, accept an invitation: what a person
        /// meets before they are signed in.
        EntryPage => entry_pages, __preload_entry_pages {
            Login => crate::pages::auth::LoginPage,
            Register => crate::pages::auth::RegisterPage,
            AcceptInvite => crate::pages::invite::AcceptInvitePage,
        }
        /// Every page behind the log-in: the vault and My account, the
        /// Provider Portal, the Admin Console.
        AppPage => app_pages, __preload_app_pages {
            // The frame around them (the product switcher, the account
            // menu): in this chunk too, so the entry pages do not carry it.
            Layout => crate::components::AppLayout,
            Vault => crate::pages::vault::VaultPage,
            MyAccount => crate::pages::account::MyAccountPage,
            Providers => crate::pages::providers::ProvidersPage,
            SetupProvider => crate::pages::providers::SetupProviderPage,
            ProviderOverview => crate::pages::providers::ProviderOverviewPage,
            Members => crate::pages::members::MembersPage,
            Events => crate::pages::events::EventsPage,
            ProviderSettings => crate::pages::providers::ProviderSettingsPage,
            Clients => crate::pages::clients::ClientsPage,
            Onboarding => crate::pages::onboarding::OnboardingPage,
            Baseline => crate::pages::baseline::BaselinePage,
            Billing => crate::pages::clients::BillingPage,
            OrgMembers => crate::pages::orgs::OrgMembersPage,
            OrgGroups => crate::pages::orgs::OrgGroupsPage,
            OrgCollections => crate::pages::orgs::OrgCollectionsPage,
            OrgVault => crate::pages::orgs::OrgVaultPage,
            OrgPolicies => crate::pages::orgs::OrgPoliciesPage,
            OrgSeats => crate::pages::orgs::OrgSeatsPage,
            OrgEvents => crate::pages::orgs::OrgEventsPage,
        }
    }
}
