//! Bitwarden's own apps (browser extensions, desktop, mobile, the `bw` CLI) as
//! devices of an account. They log in with the same master password hash as
//! the portal's pages (checked and throttled by the same code), hold a
//! refresh token (stored hashed, replaced at every use) and send short-lived
//! access tokens: JWTs they decode for the account's id and email, signed
//! here with a key only the server holds.

use crate::{Actor, RequestMeta, Result, ServiceError, Services, new_id, new_token, token_hash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// How long an access token is good for: an app refreshes it before then.
pub const ACCESS_TOKEN_SECS: i64 = 3600;
/// How long a device stays logged in without using its refresh token.
pub const REFRESH_TOKEN_SECS: i64 = 30 * 24 * 3600;
/// The issuer named in every access token.
const ISSUER: &str = "provider-portal";
/// The name of the access-token signing key among the server's keys.
const SIGNING_KEY: &str = "access-token-hs256";
const REFRESH_REFUSED: &str = "This device's session has ended. Log in again.";

/// What an app says about itself at log-in.
#[derive(Debug, Clone, Default)]
pub struct DeviceInfo {
    /// The app's own id of this installation.
    pub identifier: String,
    pub name: String,
    /// Bitwarden's `DeviceType` number.
    pub kind: i64,
    /// `cli`, `browser`, `desktop`, `mobile`, `web`.
    pub client_id: String,
}

/// A log-in's answer: the tokens and the account they open.
#[derive(Debug, Clone)]
pub struct AppTokens {
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
    pub user: db::UserRow,
    /// A remembered-device token, when the app asked to be remembered
    /// (Bitwarden's `TwoFactorToken`).
    pub two_factor_token: Option<String>,
}

/// The access token's claims (the ones Bitwarden's apps read: `sub`, `email`,
/// `name`, `email_verified`, `premium`, `exp`, `amr`).
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    nbf: i64,
    exp: i64,
    iss: String,
    sub: String,
    email: String,
    name: String,
    email_verified: bool,
    premium: bool,
    /// The devices row this token was issued to.
    device: String,
    client_id: String,
    scope: Vec<String>,
    amr: Vec<String>,
}

fn check_device(d: &DeviceInfo) -> Result<()> {
    let bad = |m: &str| Err(ServiceError::field("device", m));
    if d.identifier.trim().is_empty() || d.identifier.len() > 200 {
        return bad("The app did not say which device it is (deviceIdentifier).");
    }
    if d.name.len() > 200 || d.client_id.len() > 50 {
        return bad("The device's name is too long.");
    }
    if !(0..=100).contains(&d.kind) {
        return bad("Unknown device type.");
    }
    Ok(())
}

impl Services {
    /// The key access tokens are signed with: made by the first instance that
    /// needs it, kept in the database so that every instance verifies the same.
    async fn signing_key(&self) -> Result<std::sync::Arc<Vec<u8>>> {
        let key = self
            .signing_key
            .get_or_try_init(|| async {
                use base64::Engine;
                let mut fresh = [0u8; 64];
                rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut fresh);
                let b64 = base64::engine::general_purpose::STANDARD;
                let stored = self.store.server_key(SIGNING_KEY, &b64.encode(fresh)).await?;
                let bytes = b64.decode(stored).map_err(|e| ServiceError::Internal(anyhow::anyhow!("server key {SIGNING_KEY} is not base64: {e}")))?;
                Ok::<_, ServiceError>(std::sync::Arc::new(bytes))
            })
            .await?;
        Ok(key.clone())
    }

    async fn issue(&self, user: db::UserRow, device_id: &str, client_id: &str, refresh_token: String) -> Result<AppTokens> {
        let now = self.now();
        let claims = Claims {
            nbf: now,
            exp: now + ACCESS_TOKEN_SECS,
            iss: ISSUER.into(),
            sub: user.id.clone(),
            email: user.email.clone(),
            name: user.name.clone(),
            email_verified: true,
            premium: true,
            device: device_id.into(),
            client_id: client_id.into(),
            scope: vec!["api".into(), "offline_access".into()],
            amr: vec!["Application".into()],
        };
        let key = self.signing_key().await?;
        let access_token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(&key))
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("signing an access token: {e}")))?;
        Ok(AppTokens { access_token, expires_in: ACCESS_TOKEN_SECS, refresh_token, user, two_factor_token: None })
    }

    /// A device row for the app (the same app's earlier row if it has one)
    /// with a new refresh token, and the tokens.
    async fn log_in_device(&self, user: db::UserRow, device: &DeviceInfo) -> Result<AppTokens> {
        let now = self.now();
        let (refresh, refresh_hash) = new_token();
        let id = self
            .store
            .put_device(&db::DeviceRow {
                id: new_id(),
                user_id: user.id.clone(),
                identifier: device.identifier.trim().into(),
                name: device.name.clone(),
                kind: device.kind,
                refresh_hash,
                created_at: now,
                used_at: now,
                expires_at: now + REFRESH_TOKEN_SECS,
            })
            .await?;
        self.issue(user, &id, &device.client_id, refresh).await
    }

    /// The password grant: the account's master password hash (as the
    /// portal's log-in checks it), then a device row with a new refresh token.
    /// With two-step login on, the second step is the app's answer.
    pub async fn app_login(
        &self,
        email: &str,
        password_hash: &str,
        two_factor: Option<domain::api::TwoFactorAnswer>,
        device: DeviceInfo,
        meta: &RequestMeta,
    ) -> Result<AppTokens> {
        check_device(&device)?;
        let user = self.check_master_password_hash(email, password_hash, meta).await?;
        let step = self.second_step(&user, two_factor.as_ref()).await?;
        let mut tokens = self.log_in_device(user, &device).await?;
        tokens.two_factor_token = step.remember_token;
        Ok(tokens)
    }

    /// The refresh grant: a refresh token is good once; its successor comes
    /// with the new access token.
    pub async fn app_refresh(&self, refresh_token: &str) -> Result<AppTokens> {
        let refused = || ServiceError::Forbidden(REFRESH_REFUSED.into());
        let hash = token_hash(refresh_token).ok_or_else(refused)?;
        let now = self.now();
        let device = self.store.device_by_refresh(&hash, now).await?.ok_or_else(refused)?;
        let (fresh, fresh_hash) = new_token();
        if !self.store.rotate_refresh(&device.id, &hash, &fresh_hash, now, now + REFRESH_TOKEN_SECS).await? {
            return Err(refused());
        }
        let user = self.store.user_by_id(&device.user_id).await?.ok_or_else(refused)?;
        self.issue(user, &device.id, "", fresh).await
    }

    /// The one way an app's request becomes an `Actor`: a token this server
    /// signed, not expired, whose device is still logged in (a password
    /// change or a log-out everywhere deletes the device).
    pub async fn resolve_access_token(&self, token: &str) -> Result<Option<Actor>> {
        let key = self.signing_key().await?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.validate_aud = false;
        validation.leeway = 0;
        let Ok(data) = jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(&key), &validation) else {
            return Ok(None);
        };
        let claims = data.claims;
        if claims.exp <= self.now() {
            return Ok(None);
        }
        let Some((user_id, email, identifier)) = self.store.device_user(&claims.device, self.now()).await? else { return Ok(None) };
        if user_id != claims.sub {
            return Ok(None);
        }
        Ok(Some(Actor { user_id, email, session_hash: format!("device:{}", claims.device), app_context: Some(identifier) }))
    }

    /// Makes a new API key for the account (the old one stops working), after
    /// the master password (its hash) is proven again. The secret is shown
    /// once; only its hash is kept.
    pub async fn new_api_key(&self, actor: &Actor, auth_hash: &str, meta: &RequestMeta) -> Result<domain::api::ApiKey> {
        let user = self.check_own_password(actor, auth_hash, meta).await?;
        let (secret, hash) = new_token();
        self.store.set_api_key(&user.id, &hash, self.now()).await?;
        Ok(domain::api::ApiKey { client_id: format!("user.{}", user.id), client_secret: secret })
    }

    /// The client-credentials grant (`bw login --apikey`): the key's client id
    /// and secret; throttled like a password log-in. The keys it hands out are
    /// still encrypted: the app unlocks them with the master password.
    pub async fn app_login_api_key(&self, client_id: &str, secret: &str, device: DeviceInfo, meta: &RequestMeta) -> Result<AppTokens> {
        const REFUSED: &str = "Invalid API key (client_id or client_secret).";
        check_device(&device)?;
        let now = self.now();
        let pair = format!("apikey:{client_id}|{}", meta.ip.as_deref().unwrap_or("-"));
        self.refuse_while_throttled(&pair, "failed log-in attempts").await?;
        let user_id = client_id.strip_prefix("user.").and_then(|id| uuid::Uuid::parse_str(id).ok()).map(|u| u.to_string());
        let stored = match &user_id {
            Some(id) => self.store.api_key_hash(id).await?,
            None => None,
        };
        let given = token_hash(secret);
        let user = match (user_id, stored, given) {
            (Some(id), Some(stored), Some(given)) if stored == given => self.store.user_by_id(&id).await?,
            _ => None,
        };
        let Some(user) = user else {
            self.store.count_hit(&pair, now, crate::throttle::LOGIN_WINDOW_SECS, true).await?;
            return Err(ServiceError::Forbidden(REFUSED.into()));
        };
        self.store.clear_counter(&pair).await?;
        self.log_in_device(user, &device).await
    }

    /// Logs every app of the account out (the portal's sessions stay).
    pub async fn log_out_apps(&self, actor: &Actor) -> Result<u64> {
        let n = self.store.delete_devices(actor.user_id()).await?;
        self.tell_apps(crate::live::Audience::User(actor.user_id().into()), crate::live::Change::LogOut, None);
        Ok(n)
    }

    /// The apps logged in to the account, most recently used first.
    pub async fn app_devices(&self, actor: &Actor) -> Result<Vec<domain::api::AppDevice>> {
        Ok(self
            .store
            .list_devices(actor.user_id())
            .await?
            .into_iter()
            .map(|d| domain::api::AppDevice {
                id: d.id,
                name: d.name,
                kind: domain::api::device_kind(d.kind).into(),
                created_at: d.created_at,
                used_at: d.used_at,
            })
            .collect())
    }

    /// Logs one app out: its access and refresh tokens stop working at once.
    pub async fn log_out_app(&self, actor: &Actor, id: &str) -> Result<()> {
        if !self.store.delete_device(actor.user_id(), id).await? {
            return Err(ServiceError::NotFound("No such app is logged in.".into()));
        }
        self.tell_apps(crate::live::Audience::Device(id.into()), crate::live::Change::LogOut, None);
        Ok(())
    }

    /// Forgets every browser and app remembered for two-step login: each asks
    /// for a code at its next log-in.
    pub async fn forget_remembered(&self, actor: &Actor) -> Result<u64> {
        Ok(self.store.forget_remembered(actor.user_id()).await?)
    }
}
