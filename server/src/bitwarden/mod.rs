//! The API Bitwarden's own apps speak (browser extensions, desktop, mobile,
//! the `bw` CLI), configured as "self-hosted" with the portal's URL: they call
//! `<url>/identity/...` to log in and `<url>/api/...` for everything else.
//! Every rule lives in the service layer; this module only translates the
//! apps' requests and answers ([`wire`]) and their error shapes.

mod hub;
mod wire;

use axum::extract::{Extension, FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use domain::api::TwoFactorAnswer;
use domain::two_factor::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use service::app_items::BulkAction;
use service::apps::DeviceInfo;
use service::{Actor, RequestMeta, ServiceError, Services};

/// The routes, merged into the portal's router.
pub fn routes() -> Router<leptos::config::LeptosOptions> {
    Router::new()
        .route("/identity/accounts/prelogin", post(prelogin))
        .route("/identity/accounts/prelogin/password", post(prelogin))
        .route("/identity/connect/token", post(token))
        .route("/api/two-factor/send-email-login", post(send_email_login))
        .route("/api/config", get(config))
        .route("/api/accounts/revision-date", get(revision_date))
        .route("/api/accounts/profile", get(profile))
        .route("/api/devices/knowndevice", get(known_device))
        .route("/api/sync", get(sync))
        .route("/api/folders", get(folders).post(create_folder))
        .route("/api/folders/{id}", get(folder).put(rename_folder).post(rename_folder).delete(delete_folder))
        .route("/api/folders/{id}/delete", post(delete_folder))
        .route("/api/ciphers/move", put(move_ciphers).post(move_ciphers))
        .route("/api/ciphers/{id}/partial", put(file_cipher).post(file_cipher))
        .route("/api/ciphers", post(create_cipher).delete(purge_many))
        .route("/api/ciphers/delete", put(trash_many).post(purge_many))
        .route("/api/ciphers/restore", put(restore_many))
        .route("/api/ciphers/share", put(share_many).post(share_many))
        .route("/api/ciphers/{id}/share", put(share_one).post(share_one))
        .route("/api/ciphers/admin", axum::routing::delete(purge_many_admin))
        .route("/api/ciphers/delete-admin", put(trash_many_admin).post(purge_many_admin))
        .route("/api/ciphers/restore-admin", put(restore_many_admin))
        .route("/api/ciphers/create", post(create_shared_cipher))
        .route("/api/ciphers/{id}", get(cipher).put(update_cipher).post(update_cipher).delete(purge_cipher))
        .route("/api/ciphers/{id}/delete", put(trash_cipher).post(trash_cipher))
        .route("/api/ciphers/{id}/restore", put(restore_cipher))
        // What an app fetches when the hub tells it an item changed.
        .route("/api/ciphers/{id}/details", get(cipher))
        .route("/notifications/hub", get(hub::hub))
}

/// An error as the apps show it: `message` (and `validationErrors` for a
/// field) on the API, OAuth's `error` with an `ErrorModel` on the token endpoint.
pub struct AppError {
    status: StatusCode,
    message: String,
    fields: Vec<(String, String)>,
    oauth: Option<&'static str>,
}

impl AppError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        AppError { status, message: message.into(), fields: vec![], oauth: None }
    }
    fn grant(mut self) -> Self {
        self.oauth = Some("invalid_grant");
        self
    }
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Validation(v) => {
                let message = v.first().map(|f| f.message.clone()).unwrap_or_else(|| "The request is not valid.".into());
                AppError { fields: v.into_iter().map(|f| (f.field, f.message)).collect(), ..AppError::new(StatusCode::BAD_REQUEST, message) }
            }
            ServiceError::Unauthenticated => AppError::new(StatusCode::UNAUTHORIZED, "Log in again."),
            ServiceError::Forbidden(m) => AppError::new(StatusCode::BAD_REQUEST, m),
            ServiceError::NotFound(m) => AppError::new(StatusCode::NOT_FOUND, m),
            ServiceError::Conflict(m) => AppError::new(StatusCode::CONFLICT, m),
            ServiceError::RateLimited(m) => AppError::new(StatusCode::TOO_MANY_REQUESTS, m),
            ServiceError::Internal(e) => {
                tracing::error!(error = ?e, "app request failed");
                AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on the server. Try again later.")
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = match self.oauth {
            Some(code) => json!({
                "error": code,
                "error_description": self.message,
                "ErrorModel": { "Message": self.message, "Object": "error" },
            }),
            None => {
                let fields = if self.fields.is_empty() {
                    Value::Null
                } else {
                    let mut map = serde_json::Map::new();
                    for (field, message) in self.fields {
                        let list = map.entry(field).or_insert_with(|| json!([]));
                        if let Value::Array(a) = list {
                            a.push(Value::String(message));
                        }
                    }
                    Value::Object(map)
                };
                json!({ "message": self.message, "validationErrors": fields, "object": "error" })
            }
        };
        (self.status, Json(body)).into_response()
    }
}

type Answer = Result<Json<Value>, AppError>;

/// The account an app's request is made for: its bearer access token, checked
/// by the service (signature, expiry, the device still logged in).
pub struct AppActor(Actor);

impl FromRequestParts<leptos::config::LeptosOptions> for AppActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &leptos::config::LeptosOptions) -> Result<Self, Self::Rejection> {
        let unauthenticated = || AppError::new(StatusCode::UNAUTHORIZED, "Log in again.");
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(unauthenticated)?;
        let services = parts.extensions.get::<Services>().cloned().ok_or_else(|| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "not configured"))?;
        match services.resolve_access_token(token).await? {
            Some(actor) => Ok(AppActor(actor)),
            None => Err(unauthenticated()),
        }
    }
}

fn meta(parts_ip: Option<&app::api::ssr::ClientIp>) -> RequestMeta {
    RequestMeta { ip: parts_ip.and_then(|c| c.0.clone()) }
}

#[derive(Deserialize)]
struct PreloginRequest {
    email: String,
}

async fn prelogin(Extension(services): Extension<Services>, ip: Option<Extension<app::api::ssr::ClientIp>>, Json(req): Json<PreloginRequest>) -> Answer {
    let kdf = services.prelogin(&req.email, &meta(ip.as_deref())).await?;
    Ok(Json(wire::prelogin(kdf)))
}

/// The token endpoint's form (OAuth 2 as Bitwarden's apps send it).
#[derive(Deserialize)]
struct TokenRequest {
    grant_type: String,
    username: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    #[serde(rename = "deviceIdentifier")]
    device_identifier: Option<String>,
    #[serde(rename = "deviceName")]
    device_name: Option<String>,
    #[serde(rename = "deviceType")]
    device_type: Option<String>,
    #[serde(rename = "twoFactorToken")]
    two_factor_token: Option<String>,
    #[serde(rename = "twoFactorProvider")]
    two_factor_provider: Option<String>,
    #[serde(rename = "twoFactorRemember")]
    two_factor_remember: Option<String>,
}

/// Bitwarden's two-step provider numbers: 0 authenticator app, 1 email,
/// 5 a remembered device, 7 a security key (WebAuthn), 8 the recovery code.
fn two_factor(req: &TokenRequest) -> Result<Option<TwoFactorAnswer>, AppError> {
    let Some(token) = req.two_factor_token.clone().filter(|t| !t.trim().is_empty()) else { return Ok(None) };
    Ok(Some(match req.two_factor_provider.as_deref().map(str::trim) {
        Some("0") | None => TwoFactorAnswer::Authenticator { code: token, remember: req.two_factor_remember.as_deref() == Some("1") },
        Some("1") => TwoFactorAnswer::Email { code: token, remember: req.two_factor_remember.as_deref() == Some("1") },
        Some("5") => TwoFactorAnswer::Remembered { token },
        Some("7") => TwoFactorAnswer::SecurityKey { response: wire::webauthn_answer(&token), remember: req.two_factor_remember.as_deref() == Some("1") },
        Some("8") => TwoFactorAnswer::Recovery { code: token },
        Some(other) => {
            return Err(AppError::new(
                StatusCode::BAD_REQUEST,
                format!("This server offers two-step login with an authenticator app, email codes or security keys (not provider {other})."),
            )
            .grant());
        }
    }))
}

/// The answer that makes an app ask for the second step (Bitwarden's
/// `TwoFactorProviders2`: the authenticator app, or email with the address
/// masked; the code has already been mailed).
fn two_factor_required(method: Method, email: &str, message: &str) -> Response {
    let kind = method.bitwarden_type().to_string();
    let detail = match method {
        Method::Authenticator => Value::Null,
        Method::Email => json!({ "Email": domain::two_factor::masked_email(email) }),
        // The WebAuthn request options, as the apps pass them to the browser.
        Method::SecurityKey => serde_json::from_str(message).unwrap_or(Value::Null),
    };
    let message = if method == Method::SecurityKey { "Use your security key to log in." } else { message };
    let body = json!({
        "error": "invalid_grant",
        "error_description": "Two factor required.",
        "TwoFactorProviders": [kind],
        "TwoFactorProviders2": { kind.clone(): detail },
        "MasterPasswordPolicy": { "Object": "masterPasswordPolicy" },
        "ErrorModel": { "Message": message, "Object": "error" },
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

fn device(req: &TokenRequest) -> DeviceInfo {
    DeviceInfo {
        identifier: req.device_identifier.clone().unwrap_or_default(),
        name: req.device_name.clone().unwrap_or_default(),
        kind: req.device_type.as_deref().and_then(|t| t.parse().ok()).unwrap_or(-1),
        client_id: req.client_id.clone().unwrap_or_default(),
    }
}

async fn token(Extension(services): Extension<Services>, ip: Option<Extension<app::api::ssr::ClientIp>>, Form(req): Form<TokenRequest>) -> Response {
    let email = req.username.clone().unwrap_or_default();
    match grant(services, ip, req).await {
        Ok(json) => json.into_response(),
        Err(Grant::TwoFactorRequired(method, message)) => two_factor_required(method, &email, &message),
        Err(Grant::Refused(e)) => e.into_response(),
    }
}

enum Grant {
    /// The second step is needed: which, and what to tell the person.
    TwoFactorRequired(Method, String),
    Refused(AppError),
}

/// The second step asked for, when that is what the service said.
fn second_step_asked(v: &[domain::FieldError]) -> Option<(Method, String)> {
    v.iter().find_map(|f| match f.field.as_str() {
        service::two_factor::NEEDED_FIELD => Some((Method::Authenticator, f.message.clone())),
        domain::api::TWO_STEP_EMAIL_FIELD => Some((Method::Email, f.message.clone())),
        domain::api::TWO_STEP_SECURITY_KEY_FIELD => Some((Method::SecurityKey, f.message.clone())),
        _ => None,
    })
}

impl From<AppError> for Grant {
    fn from(e: AppError) -> Self {
        Grant::Refused(e)
    }
}

async fn grant(services: Services, ip: Option<Extension<app::api::ssr::ClientIp>>, req: TokenRequest) -> Result<Json<Value>, Grant> {
    let tokens = match req.grant_type.as_str() {
        "password" => {
            let (Some(email), Some(hash)) = (req.username.as_deref(), req.password.as_deref()) else {
                return Err(AppError::new(StatusCode::BAD_REQUEST, "Enter your email and master password.").grant().into());
            };
            services.app_login(email, hash, two_factor(&req)?, device(&req), &meta(ip.as_deref())).await
        }
        "refresh_token" => services.app_refresh(req.refresh_token.as_deref().unwrap_or_default()).await,
        "client_credentials" => {
            let (Some(id), Some(secret)) = (req.client_id.clone(), req.client_secret.as_deref()) else {
                return Err(AppError::new(StatusCode::BAD_REQUEST, "Enter your API key's client_id and client_secret.").grant().into());
            };
            services.app_login_api_key(&id, secret, device(&req), &meta(ip.as_deref())).await
        }
        other => return Err(AppError::new(StatusCode::BAD_REQUEST, format!("This server does not offer the {other:?} log-in.")).grant().into()),
    };
    let tokens = tokens.map_err(|e| match e {
        ServiceError::Validation(v) => match second_step_asked(&v) {
            Some((method, message)) => Grant::TwoFactorRequired(method, message),
            None => AppError::from(ServiceError::Validation(v)).grant().into(),
        },
        // A wrong password is said as the apps show it, on the grant.
        ServiceError::Forbidden(m) => AppError::new(StatusCode::BAD_REQUEST, m).grant().into(),
        other => AppError::from(other).into(),
    })?;
    Ok(Json(wire::token(&tokens)))
}

/// What an app sends to have a log-in code mailed (Bitwarden's
/// `TwoFactorEmailRequestModel`; the apps send camelCase).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendEmailLogin {
    #[serde(alias = "Email")]
    email: String,
    #[serde(alias = "MasterPasswordHash")]
    master_password_hash: Option<String>,
}

/// `POST /api/two-factor/send-email-login`: the master password hash proves
/// the person; a code goes to the account's address (not again within a
/// minute: the token endpoint has just sent one).
async fn send_email_login(
    Extension(services): Extension<Services>,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    Json(req): Json<SendEmailLogin>,
) -> Result<StatusCode, AppError> {
    let hash = req.master_password_hash.filter(|h| !h.is_empty()).ok_or_else(|| AppError::new(StatusCode::BAD_REQUEST, "Enter your master password."))?;
    services.send_login_email_code(&req.email, &hash, &meta(ip.as_deref())).await?;
    Ok(StatusCode::OK)
}

async fn config(Extension(services): Extension<Services>) -> Json<Value> {
    Json(wire::config(&services.settings.base_url))
}

async fn revision_date(Extension(services): Extension<Services>, _actor: AppActor) -> Json<i64> {
    // Milliseconds; "now" makes every app sync in full when it asks.
    Json(services.now() * 1000)
}

async fn known_device() -> Json<bool> {
    // New-device verification by email is not offered: every device is welcome
    // once it has the master password.
    Json(true)
}

async fn profile(Extension(services): Extension<Services>, AppActor(actor): AppActor) -> Answer {
    let data = services.app_sync(&actor).await?;
    Ok(Json(wire::profile(&data)))
}

async fn sync(Extension(services): Extension<Services>, AppActor(actor): AppActor) -> Answer {
    let data = services.app_sync(&actor).await?;
    Ok(Json(wire::sync(&data)))
}

async fn folders(Extension(services): Extension<Services>, AppActor(actor): AppActor) -> Answer {
    let data: Vec<Value> = services.app_sync(&actor).await?.folders.iter().map(wire::folder).collect();
    Ok(Json(json!({ "data": data, "continuationToken": null, "object": "list" })))
}

#[derive(Deserialize)]
struct FolderRequest {
    name: String,
}

/// One of the person's folders as the apps read it.
async fn folder_answer(services: &Services, actor: &Actor, id: &str) -> Answer {
    let data = services.app_sync(actor).await?;
    data.folders.iter().find(|f| f.id == id).map(|f| Json(wire::folder(f))).ok_or_else(|| AppError::new(StatusCode::NOT_FOUND, "No such folder."))
}

async fn folder(Extension(services): Extension<Services>, AppActor(actor): AppActor, Path(id): Path<String>) -> Answer {
    folder_answer(&services, &actor, &id).await
}

async fn create_folder(Extension(services): Extension<Services>, AppActor(actor): AppActor, Json(req): Json<FolderRequest>) -> Answer {
    let f = services.save_folder(&actor, None, req.name).await?;
    folder_answer(&services, &actor, &f.id).await
}

async fn rename_folder(Extension(services): Extension<Services>, AppActor(actor): AppActor, Path(id): Path<String>, Json(req): Json<FolderRequest>) -> Answer {
    services.save_folder(&actor, Some(id.clone()), req.name).await?;
    folder_answer(&services, &actor, &id).await
}

async fn delete_folder(Extension(services): Extension<Services>, AppActor(actor): AppActor, Path(id): Path<String>) -> Result<StatusCode, AppError> {
    services.delete_folder(&actor, &id).await?;
    Ok(StatusCode::OK)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FilingRequest {
    folder_id: Option<String>,
    #[serde(default)]
    favorite: bool,
}

/// `partial`: the person's folder and favourite for an item, which a member
/// may change on an organisation's item they cannot edit.
async fn file_cipher(Extension(services): Extension<Services>, AppActor(actor): AppActor, Path(id): Path<String>, Json(req): Json<FilingRequest>) -> Answer {
    services.file_item(&actor, &id, req.folder_id, req.favorite).await?;
    find(&services, &actor, &id).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MoveRequest {
    ids: Vec<String>,
    folder_id: Option<String>,
}

/// Moves items into one of the person's folders (or none), all or none.
async fn move_ciphers(Extension(services): Extension<Services>, AppActor(actor): AppActor, Json(req): Json<MoveRequest>) -> Result<StatusCode, AppError> {
    services.move_to_folder(&actor, &req.ids, req.folder_id).await?;
    Ok(StatusCode::OK)
}

/// A cipher as the apps send it: Bitwarden's cipher JSON (kept as sent,
/// checked by the service) plus where it goes.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CipherRequest {
    organization_id: Option<String>,
    #[serde(flatten)]
    cipher: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SharedCipherRequest {
    cipher: CipherRequest,
    #[serde(default)]
    collection_ids: Vec<String>,
}

async fn create_cipher(ext: Extension<Services>, actor: AppActor, ip: Option<Extension<app::api::ssr::ClientIp>>, Json(req): Json<CipherRequest>) -> Answer {
    save(ext, actor, ip, None, req, vec![]).await
}

async fn create_shared_cipher(
    ext: Extension<Services>,
    actor: AppActor,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    Json(req): Json<SharedCipherRequest>,
) -> Answer {
    save(ext, actor, ip, None, req.cipher, req.collection_ids).await
}

async fn update_cipher(
    ext: Extension<Services>,
    actor: AppActor,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    Path(id): Path<String>,
    Json(req): Json<CipherRequest>,
) -> Answer {
    save(ext, actor, ip, Some(id), req, vec![]).await
}

async fn save(
    Extension(services): Extension<Services>,
    AppActor(actor): AppActor,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    id: Option<String>,
    req: CipherRequest,
    collection_ids: Vec<String>,
) -> Answer {
    let data = Value::Object(req.cipher).to_string();
    let id = match req.organization_id.filter(|o| !o.is_empty()) {
        None => services.save_item(&actor, id, data).await?.id,
        Some(org_id) => {
            let collection_ids = match (&id, collection_ids.is_empty()) {
                // An edit keeps the item's collections.
                (Some(id), true) => services.org_item_collections(&actor, &org_id, id).await?,
                _ => collection_ids,
            };
            let input = domain::api::SaveOrgItemInput { org_id, item_id: id, data, collection_ids, file: true };
            services.save_org_item(&actor, input, &meta(ip.as_deref())).await?.id
        }
    };
    find(&services, &actor, &id).await
}

/// The item as `sync` shows it to this person.
async fn find(services: &Services, actor: &Actor, id: &str) -> Answer {
    let data = services.app_sync(actor).await?;
    wire::cipher_by_id(&data, id).map(Json).ok_or_else(|| AppError::new(StatusCode::NOT_FOUND, "No such item."))
}

async fn cipher(Extension(services): Extension<Services>, AppActor(actor): AppActor, Path(id): Path<String>) -> Answer {
    find(&services, &actor, &id).await
}

/// Which vault an item is in, as this person sees it.
async fn whose(services: &Services, actor: &Actor, id: &str) -> Result<Option<String>, AppError> {
    let data = services.app_sync(actor).await?;
    if data.personal.iter().any(|i| i.id == id) {
        return Ok(None);
    }
    match data.org_items.iter().find(|i| i.item.id == id) {
        Some(i) => Ok(Some(i.item.org_id.clone())),
        None => Err(AppError::new(StatusCode::NOT_FOUND, "No such item.")),
    }
}

async fn trash_cipher(
    Extension(services): Extension<Services>,
    AppActor(actor): AppActor,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    match whose(&services, &actor, &id).await? {
        None => services.delete_item(&actor, &id).await?,
        Some(org) => {
            services.delete_org_items(&actor, &org, &[id], &meta(ip.as_deref())).await?;
        }
    }
    Ok(StatusCode::OK)
}

async fn restore_cipher(
    Extension(services): Extension<Services>,
    AppActor(actor): AppActor,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    Path(id): Path<String>,
) -> Answer {
    match whose(&services, &actor, &id).await? {
        None => services.restore_item(&actor, &id).await?,
        Some(org) => {
            services.restore_org_items(&actor, &org, &[id.clone()], &meta(ip.as_deref())).await?;
        }
    }
    find(&services, &actor, &id).await
}

/// Bitwarden's bulk share body: the items re-encrypted with the
/// organisation key, and the collections they go into.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShareManyRequest {
    ciphers: Vec<ShareCipher>,
    #[serde(default)]
    collection_ids: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShareCipher {
    id: String,
    #[serde(flatten)]
    cipher: CipherRequest,
}

/// `PUT /api/ciphers/{id}/share`: an item of the person's vault moves into an
/// organisation (the apps' Move to organisation; `bw move`).
async fn share_one(
    Extension(services): Extension<Services>,
    AppActor(actor): AppActor,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    Path(id): Path<String>,
    Json(req): Json<SharedCipherRequest>,
) -> Answer {
    let org_id = req
        .cipher
        .organization_id
        .clone()
        .filter(|o| !o.is_empty())
        .ok_or_else(|| AppError::new(StatusCode::BAD_REQUEST, "Say which organisation (organizationId)."))?;
    let data = Value::Object(req.cipher.cipher).to_string();
    services.share_items(&actor, &org_id, vec![(id.clone(), data)], req.collection_ids, &meta(ip.as_deref())).await?;
    find(&services, &actor, &id).await
}

/// `PUT /api/ciphers/share`: several items at once, into one organisation.
async fn share_many(
    Extension(services): Extension<Services>,
    AppActor(actor): AppActor,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    Json(req): Json<ShareManyRequest>,
) -> Result<StatusCode, AppError> {
    let mut orgs: Vec<String> = req.ciphers.iter().filter_map(|c| c.cipher.organization_id.clone()).collect();
    orgs.sort();
    orgs.dedup();
    let [org_id] = orgs.as_slice() else {
        return Err(AppError::new(StatusCode::BAD_REQUEST, "Move items into one organisation at a time (each with its organizationId)."));
    };
    let org_id = org_id.clone();
    let items = req.ciphers.into_iter().map(|c| (c.id, Value::Object(c.cipher.cipher).to_string())).collect();
    services.share_items(&actor, &org_id, items, req.collection_ids, &meta(ip.as_deref())).await?;
    Ok(StatusCode::OK)
}

/// The bulk endpoints' body (Bitwarden's `CipherBulkDeleteRequestModel` /
/// `CipherBulkRestoreRequestModel`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BulkRequest {
    #[serde(alias = "Ids")]
    ids: Vec<String>,
    #[serde(default, alias = "OrganizationId")]
    organization_id: Option<String>,
}

async fn bulk(
    services: &Services,
    actor: &Actor,
    ip: Option<&app::api::ssr::ClientIp>,
    req: &BulkRequest,
    action: BulkAction,
    admin: bool,
) -> Result<(), AppError> {
    let m = meta(ip);
    if admin {
        let org = req.organization_id.as_deref().ok_or_else(|| AppError::new(StatusCode::BAD_REQUEST, "Say which organisation (organizationId)."))?;
        services.app_bulk_admin(actor, org, &req.ids, action, &m).await?;
    } else {
        services.app_bulk(actor, &req.ids, action, &m).await?;
    }
    Ok(())
}

/// The restored items, as Bitwarden answers a bulk restore (a list).
async fn restored(services: &Services, actor: &Actor, ids: &[String]) -> Answer {
    let data = services.app_sync(actor).await?;
    let list: Vec<Value> = ids.iter().filter_map(|id| wire::cipher_by_id(&data, id)).collect();
    Ok(Json(json!({ "data": list, "continuationToken": null, "object": "list" })))
}

async fn trash_many(
    Extension(s): Extension<Services>,
    AppActor(a): AppActor,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    Json(req): Json<BulkRequest>,
) -> Result<StatusCode, AppError> {
    bulk(&s, &a, ip.as_deref(), &req, BulkAction::Trash, false).await.map(|_| StatusCode::OK)
}

async fn purge_many(
    Extension(s): Extension<Services>,
    AppActor(a): AppActor,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    Json(req): Json<BulkRequest>,
) -> Result<StatusCode, AppError> {
    bulk(&s, &a, ip.as_deref(), &req, BulkAction::Purge, false).await.map(|_| StatusCode::OK)
}

async fn restore_many(
    Extension(s): Extension<Services>,
    AppActor(a): AppActor,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    Json(req): Json<BulkRequest>,
) -> Answer {
    bulk(&s, &a, ip.as_deref(), &req, BulkAction::Restore, false).await?;
    restored(&s, &a, &req.ids).await
}

async fn trash_many_admin(
    Extension(s): Extension<Services>,
    AppActor(a): AppActor,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    Json(req): Json<BulkRequest>,
) -> Result<StatusCode, AppError> {
    bulk(&s, &a, ip.as_deref(), &req, BulkAction::Trash, true).await.map(|_| StatusCode::OK)
}

async fn purge_many_admin(
    Extension(s): Extension<Services>,
    AppActor(a): AppActor,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    Json(req): Json<BulkRequest>,
) -> Result<StatusCode, AppError> {
    bulk(&s, &a, ip.as_deref(), &req, BulkAction::Purge, true).await.map(|_| StatusCode::OK)
}

async fn restore_many_admin(
    Extension(s): Extension<Services>,
    AppActor(a): AppActor,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    Json(req): Json<BulkRequest>,
) -> Answer {
    bulk(&s, &a, ip.as_deref(), &req, BulkAction::Restore, true).await?;
    let org = req.organization_id.as_deref().unwrap_or_default();
    let list: Vec<Value> = s.app_org_items_admin(&a, org, &req.ids).await?.iter().map(wire::shared).collect();
    Ok(Json(json!({ "data": list, "continuationToken": null, "object": "list" })))
}

async fn purge_cipher(
    Extension(services): Extension<Services>,
    AppActor(actor): AppActor,
    ip: Option<Extension<app::api::ssr::ClientIp>>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    // Bitwarden's DELETE removes an item for good, from the Trash or not.
    match whose(&services, &actor, &id).await? {
        None => {
            let _ = services.delete_item(&actor, &id).await;
            services.purge_item(&actor, &id).await?;
        }
        Some(org) => {
            let m = meta(ip.as_deref());
            let _ = services.delete_org_items(&actor, &org, &[id.clone()], &m).await;
            services.purge_org_items(&actor, &org, &[id], &m).await?;
        }
    }
    Ok(StatusCode::OK)
}
