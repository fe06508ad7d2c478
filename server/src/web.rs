use app::ApiError;
use app::api::ssr::{ClientIp, CurrentActor, ServerCtx, session_cookie};
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
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

/// What the HTTP layer needs of the settings.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// `PUBLIC_URL`: `https://` turns on secure cookies and HSTS.
    pub public_url: String,
    /// `TRUSTED_PROXIES`: peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The longest a request may take until its answer starts (408 after).
    pub request_timeout: std::time::Duration,
    /// The longest a request body may pause between two pieces (a slow sender
    /// holding a connection open).
    pub body_timeout: std::time::Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            public_url: "http://127.0.0.1:3000".into(),
            trusted_proxies: vec![],
            request_timeout: std::time::Duration::from_secs(60),
            body_timeout: std::time::Duration::from_secs(30),
        }
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
    let public_url = std::sync::Arc::new(http.public_url.clone());
    let routes = generate_route_list(app::App);
    let ctx = ServerCtx { services: services.clone(), secure_cookies };
    let fallback_ctx = ctx.clone();
    Router::new()
        .route("/api/providers/{id}/stream", get(member_stream))
        .route("/api/providers/{id}/clients/stream", get(clients_stream))
        .route("/api/providers/{id}/events.csv", get(events_csv))
        .route("/api/providers/{id}/usage.csv", get(usage_csv))
        .route("/healthz", get(|| async { "ok" }))
        .route("/logout", axum::routing::post(move |e, a, q| logout_page(e, a, q, secure_cookies)))
        .merge(crate::bitwarden::routes())
        .leptos_routes_with_context(
            &leptos_options,
            routes,
            move || {
                provide_context(ctx.clone());
                app::api::ssr::provide_page_nonce();
            },
            {
                let o = leptos_options.clone();
                move || app::shell(o.clone())
            },
        )
        .fallback(move |uri, state, req| page_or_file(uri, state, req, fallback_ctx.clone()))
        .with_state(leptos_options)
        .layer(middleware::from_fn(error_status))
        .layer(middleware::from_fn_with_state((services.clone(), secure_cookies), session))
        .layer(middleware::from_fn(move |req, next| client_address(req, next, trusted.clone())))
        .layer(middleware::from_fn(move |req, next| csrf(req, next, public_url.clone())))
        .layer(middleware::from_fn(move |req, next| security_headers(req, next, secure_cookies)))
        .layer(Extension(services))
        .layer(middleware::from_fn(small_bodies))
        // No request needs more: the largest, a 5,000-item import, is ~3 MB.
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BYTES))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(http.body_timeout))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, http.request_timeout))
        // Event streams must not be buffered by a compressor.
        .layer(CompressionLayer::new().quality(compression_level()).compress_when(DefaultPredicate::new().and(NotForContentType::new("text/event-stream"))))
        // The path only: the apps' hub carries its access token in the query.
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| tracing::debug_span!("request", method = %req.method(), path = %req.uri().path())))
}

/// A path no route knows: a file of the site (the bundle, icons) when it
/// names one, else the app's "Page not found", rendered as every page is
/// (streamed, with the session's context) rather than by leptos_axum's file
/// handler, which renders it in order without that context.
async fn page_or_file(uri: axum::http::Uri, State(o): State<LeptosOptions>, req: Request, ctx: ServerCtx) -> Response {
    let names_file = uri.path().starts_with("/pkg/") || uri.path().rsplit('/').next().is_some_and(|last| last.contains('.'));
    if names_file {
        return leptos_axum::file_and_error_handler(app::shell)(uri, State(o), req).await;
    }
    let context = move || {
        provide_context(ctx.clone());
        app::api::ssr::provide_page_nonce();
    };
    leptos_axum::render_app_to_stream_with_context(context, move || app::shell(o.clone()))(req).await
}

/// Largest request body the server reads, on the routes that take large ones
/// (`LARGE_BODY_ROUTES`); 413 beyond it.
pub const MAX_REQUEST_BYTES: usize = 32 * 1024 * 1024;
/// Largest request body of every other route.
pub const MAX_SMALL_REQUEST_BYTES: usize = 1024 * 1024;
/// The routes whose bodies may be large: an organisation import.
const LARGE_BODY_ROUTES: [&str; 1] = ["/api/organizations/import"];

/// 413 for a declared body over the route's limit, before anything reads it.
/// (A body without a length is held to `MAX_REQUEST_BYTES` by the outer layer.)
async fn small_bodies(req: Request, next: Next) -> Response {
    let limit = if LARGE_BODY_ROUTES.contains(&req.uri().path()) { MAX_REQUEST_BYTES } else { MAX_SMALL_REQUEST_BYTES };
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    next.run(req).await
}

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
async fn session(State((services, secure)): State<(Services, bool)>, mut req: Request, next: Next) -> Response {
    let actor = match cookie(req.headers(), session_cookie(secure)).filter(|t| !t.is_empty()) {
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

/// Refuses state-changing requests that a browser sent from another site:
/// `Sec-Fetch-Site: cross-site`, or an `Origin` that is neither `PUBLIC_URL`'s
/// origin nor this request's own (`PUBLIC_URL`'s scheme with the Host, or the
/// request's authority where there is no Host header, as in HTTP/2).
async fn csrf(req: Request, next: Next, public_url: std::sync::Arc<String>) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    // Bitwarden's apps (a browser extension's origin is its own) authenticate
    // with a bearer token, or log in with credentials in the body: no cookie
    // rides along, so there is nothing to forge. A page cannot send an
    // `Authorization` header to another site without a CORS preflight, which
    // this server never grants.
    if req.headers().contains_key(header::AUTHORIZATION) || req.uri().path().starts_with("/identity/") {
        return next.run(req).await;
    }
    let h = req.headers();
    let cross_site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_some_and(|v| v == "cross-site");
    let authority = h.get(header::HOST).and_then(|v| v.to_str().ok()).or_else(|| req.uri().authority().map(|a| a.as_str()));
    let bad_origin = match h.get(header::ORIGIN).map(|v| v.to_str().unwrap_or("null")) {
        None => false,
        Some(origin) => !origin_allowed(origin, &public_url, authority),
    };
    if cross_site || bad_origin {
        let body = serde_json::to_string(&ApiError::Forbidden("Cross-site request refused.".into())).unwrap_or_default();
        return (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    }
    next.run(req).await
}

/// `scheme://host[:port]`, lower case, without the scheme's default port.
fn normal_origin(scheme: &str, authority: &str) -> String {
    let (scheme, authority) = (scheme.to_ascii_lowercase(), authority.trim_end_matches('/').to_ascii_lowercase());
    let default = if scheme == "https" { ":443" } else { ":80" };
    format!("{scheme}://{}", authority.strip_suffix(default).unwrap_or(&authority))
}

/// Whether a request's `Origin` is this site (see `csrf`).
fn origin_allowed(origin: &str, public_url: &str, authority: Option<&str>) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else { return false };
    if rest.contains(['/', '@']) {
        return false;
    }
    let origin = normal_origin(scheme, rest);
    let (public_scheme, public_rest) = public_url.split_once("://").unwrap_or(("http", public_url));
    let public = normal_origin(public_scheme, public_rest.split('/').next().unwrap_or(""));
    origin == public || authority.is_some_and(|a| origin == normal_origin(public_scheme, a))
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    #[test]
    fn origins() {
        let public = "https://vault.acme.com";
        assert!(origin_allowed("https://vault.acme.com", public, None));
        assert!(origin_allowed("https://VAULT.acme.com:443", public, None));
        assert!(origin_allowed("https://vault.acme.com", public, Some("other.internal")), "PUBLIC_URL always");
        assert!(origin_allowed("https://portal.internal:8443", public, Some("portal.internal:8443")), "the request's own authority");
        assert!(!origin_allowed("http://vault.acme.com", public, Some("vault.acme.com")), "the scheme counts");
        assert!(!origin_allowed("https://vault.acme.com:8443", public, None), "the port counts");
        assert!(!origin_allowed("https://evil.example", public, Some("vault.acme.com")));
        assert!(!origin_allowed("null", public, Some("vault.acme.com")));
        assert!(!origin_allowed("https://vault.acme.com@evil.example", public, None));
        assert!(origin_allowed("http://127.0.0.1:3000", "http://127.0.0.1:3000/", None));
        assert!(origin_allowed("http://localhost:3100", "http://127.0.0.1:3000", Some("localhost:3100")));
    }
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

async fn security_headers(mut req: Request, next: Next, hsts: bool) -> Response {
    // An HTML page's nonce is made here, before it renders: the renderer puts
    // it on the page's scripts (app::api::ssr::provide_page_nonce) and the
    // policy below names it, whatever happens to the headers the page itself
    // sets while it streams.
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    req.extensions_mut().insert(app::api::ssr::PageNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let html = h.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    let names_nonce = h.get("content-security-policy").and_then(|v| v.to_str().ok()).is_some_and(|p| p.contains(&format!("'nonce-{nonce}'")));
    if html
        && !names_nonce
        && let Ok(v) = HeaderValue::from_str(&app::content_security_policy(Some(&nonce), None))
    {
        h.insert("content-security-policy", v);
    }
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    // HTML pages set their own policy with the response's nonce (app::shell);
    // everything else gets the strict one.
    if !h.contains_key("content-security-policy")
        && let Ok(v) = HeaderValue::from_str(&app::content_security_policy(None, None))
    {
        h.insert("content-security-policy", v);
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

#[allow(clippy::result_large_err, reason = "the error is the response itself, returned once")]
fn actor_of(req_actor: Option<Extension<CurrentActor>>) -> Result<service::Actor, Response> {
    req_actor.and_then(|Extension(a)| a.0).ok_or_else(|| api_error(ApiError::Unauthenticated))
}

#[derive(serde::Deserialize)]
struct LogoutQuery {
    why: Option<String>,
}

/// Logs out as a page navigation (a form POST, CSRF-checked like any POST):
/// the page that asked is gone before the session ends, so nothing it was
/// still loading is refused, then `/login` says why. The vault timeout's
/// "Log out" when a page opens (`app::components::VaultKeeper`).
async fn logout_page(Extension(services): Extension<Services>, actor: Option<Extension<CurrentActor>>, Query(q): Query<LogoutQuery>, secure: bool) -> Response {
    if let Ok(actor) = actor_of(actor)
        && let Err(e) = services.logout(&actor).await
    {
        tracing::error!(error = ?e, "logout failed");
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let clear = format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}", session_cookie(secure), if secure { "; Secure" } else { "" });
    // Only the known reasons travel on (no text from the request reaches the page).
    let target = match q.why.as_deref() {
        Some("timeout") => "/login?why=timeout",
        _ => "/login",
    };
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, HeaderValue::from_static(target)), (header::SET_COOKIE, HeaderValue::from_str(&clear).unwrap_or(HeaderValue::from_static("")))],
    )
        .into_response()
}

/// How often an open event stream checks that its watcher may still watch.
const STREAM_RECHECK: std::time::Duration = std::time::Duration::from_secs(15);

/// Server-sent events: one message per membership change of the provider.
async fn member_stream(Extension(services): Extension<Services>, actor: Option<Extension<CurrentActor>>, Path(id): Path<String>) -> Response {
    let actor = match actor_of(actor) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let rx = match services.subscribe(&actor, &id).await {
        Ok(rx) => rx,
        Err(e) => return api_error(e.into()),
    };
    // The watcher is checked again at each change of this tenant and every
    // `STREAM_RECHECK`: a stream ends once its session is logged out or its
    // user removed, suspended or demoted.
    let changes = BroadcastStream::new(rx).filter_map({
        let id = id.clone();
        move |msg| {
            let relevant = match msg {
                Ok(c) if c.provider_id == id => Some(c.kind),
                // A lagging subscriber just refreshes.
                Err(_) => Some("lagged".to_string()),
                Ok(_) => None,
            };
            futures::future::ready(relevant.map(Some))
        }
    });
    let still = move || {
        let (services, actor, id) = (services.clone(), actor.clone(), id.clone());
        async move { services.may_still_watch(&actor, &id).await }
    };
    watch(changes, still)
}

/// Server-sent events for the onboarding queue: one message per membership
/// change in any client organisation of the provider (or of the provider's
/// own client list).
async fn clients_stream(Extension(services): Extension<Services>, actor: Option<Extension<CurrentActor>>, Path(id): Path<String>) -> Response {
    let actor = match actor_of(actor) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let rx = match services.subscribe_clients(&actor, &id).await {
        Ok(rx) => rx,
        Err(e) => return api_error(e.into()),
    };
    let changes = BroadcastStream::new(rx).filter_map({
        let (services, id) = (services.clone(), id.clone());
        move |msg| {
            let (services, id) = (services.clone(), id.clone());
            async move {
                match msg {
                    Ok(c) if services.is_client_of(&c.provider_id, &id).await => Some(Some(c.kind)),
                    Err(_) => Some(Some("lagged".to_string())),
                    Ok(_) => None,
                }
            }
        }
    });
    let still = move || {
        let (services, actor, id) = (services.clone(), actor.clone(), id.clone());
        async move { services.may_still_watch_clients(&actor, &id).await }
    };
    watch(changes, still)
}

/// An event stream of `changes`, each message (and every `STREAM_RECHECK`)
/// first checking with `still` that the watcher may go on watching.
fn watch<S, F, Fut>(changes: S, still: F) -> Response
where
    S: futures::Stream<Item = Option<String>> + Send + 'static,
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send + 'static,
{
    let ticks = tokio_stream::wrappers::IntervalStream::new(tokio::time::interval(STREAM_RECHECK)).map(|_| None);
    let stream = futures::stream::select(changes, ticks)
        .then(move |kind| {
            let alive = still();
            async move { (alive.await, kind) }
        })
        .take_while(|(alive, _)| futures::future::ready(*alive))
        .filter_map(|(_, kind)| futures::future::ready(kind.map(|k| Ok::<_, std::convert::Infallible>(Event::default().event("message").data(k)))));
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

/// An event log's CSV export: the log's filters, as the page has them.
#[derive(serde::Deserialize)]
struct CsvQuery {
    /// First and last day (YYYY-MM-DD, UTC), both included.
    from: Option<String>,
    to: Option<String>,
    member: Option<String>,
    /// "1": a provider's log with its clients' events too.
    clients: Option<String>,
    tenant: Option<String>,
    actor: Option<String>,
    kind: Option<String>,
}

#[derive(serde::Deserialize)]
struct UsageQuery {
    month: Option<String>,
}

/// The monthly usage report of every client, as CSV (Provider admins).
async fn usage_csv(
    Extension(services): Extension<Services>,
    actor: Option<Extension<CurrentActor>>,
    Path(id): Path<String>,
    Query(q): Query<UsageQuery>,
) -> Response {
    let actor = match actor_of(actor) {
        Ok(a) => a,
        Err(r) => return r,
    };
    match services.usage_csv(&actor, &id, q.month.as_deref()).await {
        Ok((file_name, csv)) => {
            let disposition = format!("attachment; filename=\"{file_name}\"");
            (
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
                    (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment"))),
                ],
                csv,
            )
                .into_response()
        }
        Err(e) => api_error(e.into()),
    }
}

/// Every event the filters select, as CSV, streamed a page at a time (no cap
/// on the number of rows), in a file named after the tenant and the range.
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
    let some = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let query = db::EventQuery {
        from: q.from.as_deref().and_then(domain::time::day_start),
        to: q.to.as_deref().and_then(domain::time::day_start).map(|t| t + 86_400),
        target: some(q.member),
        with_clients: q.clients.as_deref() == Some("1"),
        tenant: some(q.tenant),
        actor: some(q.actor),
        kind: some(q.kind),
        ..Default::default()
    };
    let export = match services.events_csv(&actor, &id, query).await {
        Ok(e) => e,
        Err(e) => return api_error(e.into()),
    };
    let header = Services::events_csv_header(&export);
    let disposition = format!("attachment; filename=\"{}\"", export.file_name);
    // Each page starts after the last event of the one before (no OFFSET).
    let pages = futures::stream::unfold(Some(None), move |cursor| {
        let (services, actor, id, export) = (services.clone(), actor.clone(), id.clone(), export.clone());
        async move {
            let before = cursor?;
            match services.events_csv_page(&actor, &id, &export, before).await {
                Ok((text, _)) if text.is_empty() => None,
                Ok((text, next)) => Some((Ok::<_, std::io::Error>(axum::body::Bytes::from(text)), next.map(Some))),
                Err(e) => {
                    tracing::error!(error = ?e, "event export stopped");
                    Some((Err(std::io::Error::other("the export stopped")), None))
                }
            }
        }
    });
    // Fused: the compression layer may poll once more after the end.
    let body = futures::stream::once(async move { Ok::<_, std::io::Error>(axum::body::Bytes::from(header)) }).chain(pages).fuse();
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment"))),
        ],
        Body::from_stream(body),
    )
        .into_response()
}
