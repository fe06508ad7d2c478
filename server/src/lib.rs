#![recursion_limit = "256"]
//! The axum server: settings, the router (Leptos SSR + server functions + a
//! few plain routes), the middleware that resolves the session once per
//! request, CSRF and security headers, and the background workers.

mod bitwarden;
pub mod cli;
pub mod client_ip;
pub mod settings;
mod web;

pub use settings::Settings;
pub use web::{HttpSettings, MAX_REQUEST_BYTES, MAX_SMALL_REQUEST_BYTES, build_router, start_background};
