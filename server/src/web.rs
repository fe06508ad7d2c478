use app::ApiError;
use app::api::ssr::{ClientIp, CurrentActor, SESSION_COOKIE, ServerCtx};
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Extension, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::StreamExt;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use service::Services;
use std::net::SocketAddr;
use tokio_stream::wrappers::BroadcastStream;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::trace::TraceLayer;

/// What the HTTP layer needs of the settings.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// `PUBLIC_URL`: `https://` turns on secure cookies and HSTS.
    pub public_url: String,
    /// `TRUSTED_PROXIES`: peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings { public_url: "http://127.0.0.1:3000".into(), trusted_proxies: vec![] }
    }
}

impl HttpSettings {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// The whole HTTP surface.
pub fn build_router(services: Services, leptos_options: LeptosOptions, http: HttpSettings) -> Router {
    let secure_cookies = http.secure_cookies();
    let trusted = std::sync::Arc::new(http.trusted_proxies.clone());
    let routes = generate_route_list(app::App);
    let ctx = ServerCtx { services: services.clone(), secure_cookies };
    Router::new()
        .route("/api/providers/{id}/stream", get(member_stream))
        .route("/api/providers/{id}/events.csv", get(events_csv))
        .route("/healthz", get(|| async { "ok" }))
        .leptos_routes_with_context(
            &leptos_options,
            routes,
            move || provide_context(ctx.clone()),
            {
                let o = leptos_options.clone();
                move || app::shell(o.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(app::shell))
        .with_state(leptos_options)
        .layer(middleware::from_fn(error_status))
        .layer(middleware::from_fn_with_state(services.clone(), session))
        .layer(middleware::from_fn(move |req, next| client_address(req, next, trusted.clone())))
        .layer(middleware::from_fn(csrf))
        .layer(middleware::from_fn(move |req, next| security_headers(req, next, secure_cookies)))
        .layer(Extension(services))
        // No request needs more: the largest, a 5,000-item import, is ~3 MB.
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BYTES))
        // Event streams must not be buffered by a compressor.
        .layer(CompressionLayer::new().quality(compression_level()).compress_when(DefaultPredicate::new().and(NotForContentType::new("text/event-stream"))))
        .layer(TraceLayer::new_for_http())
}

/// Largest request body the server reads (413 beyond it).
pub const MAX_REQUEST_BYTES: usize = 32 * 1024 * 1024;

/// Quality of the on-the-fly compression of API answers and pages (static
/// files are served precompressed at the highest level). `COMPRESSION_LEVEL`
/// overrides it. Brotli's default (11) costs ~1 s on a 10,000-member list; the
/// level here was chosen by BENCHMARKS.md's members/list runs.
fn compression_level() -> tower_http::CompressionLevel {
    let level = std::env::var("COMPRESSION_LEVEL").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_COMPRESSION_LEVEL);
    tower_http::CompressionLevel::Precise(level)
}

const DEFAULT_COMPRESSION_LEVEL: i32 = 2;

/// The outbox worker, the purge of ended rate-limit windows and expired
/// sessions (each minute), and, on PostgreSQL, the relay of other instances' changes.
pub async fn start_background(services: &Services, mailer: service::mail::Mailer) -> anyhow::Result<()> {
    tokio::spawn(service::mail::run_outbox(services.clone(), mailer));
    let s = services.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            match s.purge_expired().await {
                Ok(n) if n > 0 => tracing::debug!(rows = n, "purged ended rate-limit windows and expired sessions"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purge of expired rows failed"),
            }
        }
    });
    services.relay_notifications().await?;
    Ok(())
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Resolves the session once per request and hands the actor on.
async fn session(State(services): State<Services>, mut req: Request, next: Next) -> Response {
    let actor = match cookie(req.headers(), SESSION_COOKIE).filter(|t| !t.is_empty()) {
        Some(token) => match services.resolve_session(&token).await {
            Ok(a) => a,
            Err(e) => {
                tracing::error!(error = ?e, "session lookup failed");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        },
        None => None,
    };
    if let Some(a) = &actor {
        tracing::Span::current().record("user_id", a.user_id());
    }
    req.extensions_mut().insert(CurrentActor(actor));
    next.run(req).await
}

/// The client's address (`client_ip`), once per request, for rate limits and event logs.
async fn client_address(mut req: Request, next: Next, trusted: std::sync::Arc<Vec<ipnet::IpNet>>) -> Response {
    let ip = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| {
        let forwarded = req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        crate::client_ip::client_ip(c.0.ip(), forwarded, &trusted).to_string()
    });
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// Refuses state-changing requests that a browser sent from another site.
async fn csrf(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let h = req.headers();
    let cross_site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_some_and(|v| v == "cross-site");
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
    let bad_origin = match (h.get(header::ORIGIN).and_then(|v| v.to_str().ok()), host) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) != Some(host),
        _ => false,
    };
    if cross_site || bad_origin {
        let body = serde_json::to_string(&ApiError::Forbidden("Cross-site request refused.".into())).unwrap_or_default();
        return (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    }
    next.run(req).await
}

/// Gives server-function errors their real HTTP status (401/403/404/409/422…).
async fn error_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<ApiError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

async fn security_headers(req: Request, next: Next, hsts: bool) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    // HTML pages set their own policy with the response's nonce (app::shell);
    // everything else gets the strict one.
    if !h.contains_key("content-security-policy") {
        if let Ok(v) = HeaderValue::from_str(&app::content_security_policy(None)) {
            h.insert("content-security-policy", v);
        }
    }
    if hsts {
        h.insert("strict-transport-security", HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}

fn api_error(e: ApiError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(e)).into_response()
}

fn actor_of(req_actor: Option<Extension<CurrentActor>>) -> Result<service::Actor, Response> {
    req_actor.and_then(|Extension(a)| a.0).ok_or_else(|| api_error(ApiError::Unauthenticated))
}

/// Server-sent events: one message per membership change of the provider.
async fn member_stream(
    Extension(services): Extension<Services>,
    actor: Option<Extension<CurrentActor>>,
    Path(id): Path<String>,
) -> Response {
    let actor = match actor_of(actor) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let rx = match services.subscribe(&actor, &id).await {
        Ok(rx) => rx,
        Err(e) => return api_error(e.into()),
    };
    let stream = BroadcastStream::new(rx).filter_map(move |msg| {
        let id = id.clone();
        async move {
            match msg {
                Ok(c) if c.provider_id == id => Some(Ok::<_, std::convert::Infallible>(Event::default().event("message").data(c.kind))),
                // A lagging subscriber just refreshes.
                Err(_) => Some(Ok(Event::default().event("message").data("lagged"))),
                _ => None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

#[derive(serde::Deserialize)]
struct CsvQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn events_csv(
    Extension(services): Extension<Services>,
    actor: Option<Extension<CurrentActor>>,
    Path(id): Path<String>,
    Query(q): Query<CsvQuery>,
) -> Response {
    let actor = match actor_of(actor) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let from = q.from.as_deref().and_then(domain::time::day_start);
    let to = q.to.as_deref().and_then(domain::time::day_start).map(|t| t + 86_400);
    match services.events_csv(&actor, &id, from, to).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"provider-events.csv\""),
            ],
            csv,
        )
            .into_response(),
        Err(e) => api_error(e.into()),
    }
}
