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
                <ParentRoute path=path!("") view=components::AppLayout>
                    <Route path=path!("/vault") view=routes::VaultPage::Vault />
                    <Route path=path!("/settings/account") view=routes::VaultPage::MyAccount />
                    <Route path=path!("/providers") view=routes::ProviderPage::Providers />
                    <Route path=path!("/providers/setup") view=routes::ProviderPage::Setup />
                    <Route path=path!("/providers/:id") view=routes::ProviderPage::Overview />
                    <Route path=path!("/providers/:id/members") view=routes::ProviderPage::Members />
                    <Route path=path!("/providers/:id/events") view=routes::ProviderPage::Events />
                    <Route path=path!("/providers/:id/settings") view=routes::ProviderPage::Settings />
                    <Route path=path!("/providers/:id/clients") view=routes::ProviderPage::Clients />
                    <Route path=path!("/providers/:id/onboarding") view=routes::ProviderPage::Onboarding />
                    <Route path=path!("/providers/:id/baseline") view=routes::ProviderPage::Baseline />
                    <Route path=path!("/providers/:id/billing") view=routes::ProviderPage::Billing />
                    <Route path=path!("/organizations/:id") view=routes::ConsolePage::Members />
                    <Route path=path!("/organizations/:id/members") view=routes::ConsolePage::Members />
                    <Route path=path!("/organizations/:id/groups") view=routes::ConsolePage::Groups />
                    <Route path=path!("/organizations/:id/collections") view=routes::ConsolePage::Collections />
                    <Route path=path!("/organizations/:id/vault") view=routes::ConsolePage::Vault />
                    <Route path=path!("/organizations/:id/policies") view=routes::ConsolePage::Policies />
                    <Route path=path!("/organizations/:id/seats") view=routes::ConsolePage::Seats />
                    <Route path=path!("/organizations/:id/events") view=routes::ConsolePage::Events />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The pages, by area, each area one lazily loaded chunk: built with
/// `cargo leptos build --split`, an area's pages (their views, their
/// server-function calls) are fetched when the first of them is shown, so the
/// first load carries the shell and the area of the page it renders. (The
/// server renders every page as before and tells the browser to preload the
/// chunk of the page it sent.)
///
/// Few areas, not one chunk per page: the splitter puts the code several
/// chunks share into one more chunk per distinct set of sharers, so 22 page
/// chunks and their lazily loaded bodies made over 500 files, and the log-in
/// page alone fetched over a hundred (BENCHMARKS.md, first load).
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
        /// The person's own vault and account.
        VaultPage => vault_pages, __preload_vault_pages {
            Vault => crate::pages::vault::VaultPage,
            MyAccount => crate::pages::account::MyAccountPage,
        }
        /// The Provider Portal.
        ProviderPage => provider_pages, __preload_provider_pages {
            Providers => crate::pages::providers::ProvidersPage,
            Setup => crate::pages::providers::SetupProviderPage,
            Overview => crate::pages::providers::ProviderOverviewPage,
            Members => crate::pages::members::MembersPage,
            Events => crate::pages::events::EventsPage,
            Settings => crate::pages::providers::ProviderSettingsPage,
            Clients => crate::pages::clients::ClientsPage,
            Onboarding => crate::pages::onboarding::OnboardingPage,
            Baseline => crate::pages::baseline::BaselinePage,
            Billing => crate::pages::clients::BillingPage,
        }
        /// A client organisation's Admin Console.
        ConsolePage => console_pages, __preload_console_pages {
            Members => crate::pages::orgs::OrgMembersPage,
            Groups => crate::pages::orgs::OrgGroupsPage,
            Collections => crate::pages::orgs::OrgCollectionsPage,
            Vault => crate::pages::orgs::OrgVaultPage,
            Policies => crate::pages::orgs::OrgPoliciesPage,
            Seats => crate::pages::orgs::OrgSeatsPage,
            Events => crate::pages::orgs::OrgEventsPage,
        }
    }
}
