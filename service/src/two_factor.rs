//! Two-step login: an authenticator app (TOTP), a code mailed to the
//! account's address or a security key (`security_keys`) as the second step
//! of every log-in, from the portal and from Bitwarden's apps alike; a
//! recovery code that turns it off; browsers and apps remembered for 30 days.
//!
//! The authenticator key is the one secret here the server must be able to
//! read, so it is sealed (AES-256-GCM, the user id as associated data) with
//! `TWO_FACTOR_KEY`, a key from the environment that the database never holds.
//! Emailed codes are kept only as an HMAC under a key derived from the same
//! `TWO_FACTOR_KEY`.

use crate::{Actor, RequestMeta, Result, ServiceError, Services, new_token, token_hash};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use domain::api::{TwoFactorAnswer, TwoFactorStatus};
use domain::two_factor::{self, Method};
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};

/// The error field that tells a client the second step is needed.
pub const NEEDED_FIELD: &str = "two_factor";
pub const NEEDED: &str = domain::api::TWO_STEP_NEEDED;
pub const WRONG_CODE: &str = "The code is not correct or was already used. Enter the newest code from your authenticator app.";
pub const REQUIRED_BY_ORG: &str = "This organisation requires two-step login: turn it on under Settings → My account, then open it again.";
pub const REQUIRED_BY_PROVIDER: &str =
    "Your provider requires two-step login for its staff: turn it on under Settings → My account, then open the provider again.";
pub const WRONG_RECOVERY: &str = "The recovery code is not correct.";
pub const WRONG_EMAIL_CODE: &str = "The code is not correct, was already used or has expired. Enter the newest code we emailed, or send a new one.";
/// The same, while turning email codes on (the card offers no resend: a new
/// start mails a new code).
pub const WRONG_SETUP_EMAIL_CODE: &str =
    "The code is not correct, was already used or has expired. Enter the newest code we emailed, or cancel and start again for a new one.";
pub const TOO_MANY_MAILS: &str = "Too many codes were sent to this address in the last hour. Try again later, or use your recovery code.";
pub const EMAIL_NOT_ON: &str = "Two-step login by email is not on for this account.";

/// What the log-in page says when the code went to the account's address.
pub fn email_sent_text(email: &str) -> String {
    format!("We sent a 6-digit code to {}. It works once, for {} minutes.", two_factor::masked_email(email), two_factor::EMAIL_CODE_SECS / 60)
}

/// The second step an account has on, if any.
pub fn method_on(row: &db::TwoFactorRow) -> Option<Method> {
    row.enabled_at?;
    Method::from_code(&row.method)
}

/// The server's key for sealing authenticator keys (`TWO_FACTOR_KEY`).
#[derive(Clone)]
pub struct SealKey([u8; 32]);

impl SealKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        SealKey(bytes)
    }

    /// A random key (for tests and a first start without one).
    pub fn random() -> Self {
        let mut k = [0u8; 32];
        OsRng.fill_bytes(&mut k);
        SealKey(k)
    }

    /// From its base64 text form, as `TWO_FACTOR_KEY` holds it.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let bytes = B64.decode(text.trim()).map_err(|_| "TWO_FACTOR_KEY is not base64.".to_string())?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| "TWO_FACTOR_KEY must be 32 bytes (44 base64 characters): `openssl rand -base64 32`.".to_string())?;
        Ok(SealKey(arr))
    }

    pub fn to_base64(&self) -> String {
        B64.encode(self.0)
    }

    /// How an emailed code is stored: HMAC-SHA256 under a key derived from
    /// this one (for this use only), over the account, the purpose and the code.
    fn code_mac(&self, user_id: &str, purpose: &str, code: &str) -> String {
        let mut derive = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key size");
        derive.update(b"provider-portal two-step email codes v1");
        let key = derive.finalize().into_bytes();
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).expect("HMAC takes any key size");
        for part in [user_id, purpose, code] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        B64.encode(mac.finalize().into_bytes())
    }

    fn seal(&self, user_id: &str, plain: &str) -> String {
        let cipher = Aes256Gcm::new((&self.0).into());
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let ct = cipher.encrypt(Nonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: user_id.as_bytes() }).expect("AES-GCM seals any input");
        format!("v1.{}", B64.encode([nonce.as_slice(), &ct].concat()))
    }

    fn open(&self, user_id: &str, sealed: &str) -> Option<String> {
        let raw = B64.decode(sealed.strip_prefix("v1.")?).ok()?;
        if raw.len() < 12 {
            return None;
        }
        let (nonce, ct) = raw.split_at(12);
        let plain = Aes256Gcm::new((&self.0).into()).decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: user_id.as_bytes() }).ok()?;
        String::from_utf8(plain).ok()
    }
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(…)")
    }
}

/// The second step passed: maybe with a new remembered-device token.
#[derive(Debug, Default)]
pub struct SecondStep {
    pub remember_token: Option<String>,
}

fn throttle_key(user_id: &str) -> String {
    format!("two-factor:{user_id}")
}

fn mail_throttle_key(user_id: &str) -> String {
    format!("two-factor-mail:{user_id}")
}

const PURPOSE_SETUP: &str = "setup";
const PURPOSE_LOGIN: &str = "login";

impl Services {
    pub async fn two_factor_status(&self, actor: &Actor) -> Result<TwoFactorStatus> {
        let row = self.store.two_factor(&actor.user_id).await?;
        let method = row.as_ref().and_then(method_on);
        let security_keys = if method == Some(Method::SecurityKey) { self.security_key_list(actor).await? } else { Vec::new() };
        Ok(TwoFactorStatus { enabled_at: row.and_then(|r| r.enabled_at), method, security_keys })
    }

    /// Starts setting up an authenticator app (the master password asked
    /// again): a new key, not yet in force. Returns the key and its link.
    pub async fn start_authenticator(&self, actor: &Actor, auth_hash: &str, meta: &RequestMeta) -> Result<(String, String)> {
        self.check_own_password(actor, auth_hash, meta).await?;
        let key = two_factor::new_authenticator_key();
        let sealed = self.settings.two_factor_key.seal(&actor.user_id, &key);
        if !self.store.put_pending_two_factor(&actor.user_id, &sealed, self.now()).await? {
            return Err(ServiceError::Conflict("Two-step login is already on. Turn it off first to use another authenticator app.".into()));
        }
        let uri = two_factor::otpauth_uri(&actor.email, &key);
        Ok((key, uri))
    }

    /// Turns two-step login on with the first code from the app (proving it
    /// has the key). Returns the recovery code, shown once.
    pub async fn enable_authenticator(&self, actor: &Actor, code: &str) -> Result<String> {
        let throttled = throttle_key(&actor.user_id);
        self.refuse_while_throttled(&throttled, "wrong codes").await?;
        let row = self.store.two_factor(&actor.user_id).await?;
        let Some(row) = row.filter(|r| r.enabled_at.is_none()) else {
            return Err(ServiceError::Conflict("Start again: there is no authenticator app being set up.".into()));
        };
        let key = self.open_key(&actor.user_id, &row.totp_secret)?;
        let Some(step) = two_factor::check_code(&key, code, self.now(), row.last_step) else {
            self.store.count_hit(&throttled, self.now(), crate::throttle::LOGIN_WINDOW_SECS, true).await?;
            return Err(ServiceError::field("code", WRONG_CODE));
        };
        let recovery = two_factor::new_recovery_code();
        let notice = crate::mail::render_account(self, &actor.email, crate::mail::AccountMail::TwoStepOn { method: Method::Authenticator });
        if !self.store.enable_two_factor(&actor.user_id, &two_factor::recovery_hash(&recovery), step, self.now(), &notice).await? {
            return Err(ServiceError::Conflict("Two-step login is already on.".into()));
        }
        self.store.clear_counter(&throttled).await?;
        tracing::info!(user = %actor.user_id, "two-step login turned on");
        Ok(recovery)
    }

    /// Starts turning on two-step login by email (the master password asked
    /// again): a code goes to the account's address. Returns that address.
    pub async fn start_email_two_step(&self, actor: &Actor, auth_hash: &str, meta: &RequestMeta) -> Result<String> {
        self.check_own_password(actor, auth_hash, meta).await?;
        if self.store.two_factor(&actor.user_id).await?.is_some_and(|r| r.enabled_at.is_some()) {
            return Err(ServiceError::Conflict("Two-step login is already on. Turn it off first to use another method.".into()));
        }
        self.send_email_code(&actor.user_id, &actor.email, PURPOSE_SETUP).await?;
        Ok(actor.email.clone())
    }

    /// Turns two-step login by email on with the code that was mailed
    /// (proving the address reaches the person). Returns the recovery code,
    /// shown once.
    pub async fn enable_email_two_step(&self, actor: &Actor, code: &str) -> Result<String> {
        let throttled = throttle_key(&actor.user_id);
        self.refuse_while_throttled(&throttled, "wrong codes").await?;
        let now = self.now();
        let taken = match two_factor::clean_code(code) {
            Some(c) => {
                self.store
                    .take_email_code(&actor.user_id, &self.settings.two_factor_key.code_mac(&actor.user_id, PURPOSE_SETUP, &c), PURPOSE_SETUP, now)
                    .await?
            }
            None => false,
        };
        if !taken {
            self.store.count_hit(&throttled, now, crate::throttle::LOGIN_WINDOW_SECS, true).await?;
            return Err(ServiceError::field("code", WRONG_SETUP_EMAIL_CODE));
        }
        let recovery = two_factor::new_recovery_code();
        let notice = crate::mail::render_account(self, &actor.email, crate::mail::AccountMail::TwoStepOn { method: Method::Email });
        if !self.store.enable_email_two_factor(&actor.user_id, &two_factor::recovery_hash(&recovery), now, &notice).await? {
            return Err(ServiceError::Conflict("Two-step login is already on.".into()));
        }
        self.store.clear_counter(&throttled).await?;
        tracing::info!(user = %actor.user_id, "two-step login by email turned on");
        Ok(recovery)
    }

    /// Mails a log-in code to an account with two-step login by email, once
    /// its master password hash is right (the portal's "Send a new code" and
    /// Bitwarden's `two-factor/send-email-login`). False when a code went out
    /// less than a minute ago (that one still works; no second mail).
    pub async fn send_login_email_code(&self, email: &str, auth_hash: &str, meta: &RequestMeta) -> Result<bool> {
        let user = self.check_master_password_hash(email, auth_hash, meta).await?;
        let on = self.store.two_factor(&user.id).await?.as_ref().and_then(method_on);
        if on != Some(Method::Email) {
            return Err(ServiceError::field(NEEDED_FIELD, EMAIL_NOT_ON));
        }
        self.send_email_code(&user.id, &user.email, PURPOSE_LOGIN).await
    }

    /// A new code for `purpose`, kept as its MAC and mailed, unless one went
    /// out within the resend pause; at most [`two_factor::EMAIL_CODES_PER_HOUR`].
    async fn send_email_code(&self, user_id: &str, email: &str, purpose: &str) -> Result<bool> {
        let now = self.now();
        let counted = mail_throttle_key(user_id);
        if self.store.counter(&counted, now).await?.is_some_and(|c| c.count >= two_factor::EMAIL_CODES_PER_HOUR) {
            return Err(ServiceError::RateLimited(TOO_MANY_MAILS.into()));
        }
        let code = two_factor::new_email_code();
        let mac = self.settings.two_factor_key.code_mac(user_id, purpose, &code);
        let mail = crate::mail::render_code(self, email, &code, purpose == PURPOSE_LOGIN);
        let row =
            db::EmailCodeRow { user_id: user_id.into(), code_mac: mac, purpose: purpose.into(), sent_at: now, expires_at: now + two_factor::EMAIL_CODE_SECS };
        let sent = self.store.put_email_code(&row, now - two_factor::EMAIL_RESEND_SECS, &mail).await?;
        if sent {
            self.store.count_hit(&counted, now, 3600, false).await?;
        }
        Ok(sent)
    }

    /// Turns two-step login off (the master password asked again).
    pub async fn disable_two_factor(&self, actor: &Actor, auth_hash: &str, meta: &RequestMeta) -> Result<()> {
        self.check_own_password(actor, auth_hash, meta).await?;
        let notice = crate::mail::render_account(self, &actor.email, crate::mail::AccountMail::TwoStepOff { by_recovery_code: false });
        self.store.delete_two_factor(&actor.user_id, &notice).await?;
        tracing::info!(user = %actor.user_id, "two-step login turned off");
        Ok(())
    }

    /// The second step of a log-in whose master password was right: nothing
    /// when two-step login is off; else a remembered device, a fresh code
    /// (spent at once), or the recovery code (which turns it off).
    pub(crate) async fn second_step(&self, user: &db::UserRow, answer: Option<&TwoFactorAnswer>) -> Result<SecondStep> {
        let Some(row) = self.store.two_factor(&user.id).await?.filter(|r| r.enabled_at.is_some()) else {
            return Ok(SecondStep::default());
        };
        let method = method_on(&row).unwrap_or(Method::Authenticator);
        let throttled = throttle_key(&user.id);
        let now = self.now();
        match answer {
            None => Err(self.ask_second_step(user, method).await?),
            Some(TwoFactorAnswer::Remembered { token }) => match token_hash(token) {
                Some(h) if self.store.two_factor_remembered(&h, &user.id, now).await? => Ok(SecondStep::default()),
                _ => Err(self.ask_second_step(user, method).await?),
            },
            Some(TwoFactorAnswer::Authenticator { code, remember }) => {
                self.refuse_while_throttled(&throttled, "wrong codes").await?;
                let spent = match method {
                    Method::Authenticator => {
                        let key = self.open_key(&user.id, &row.totp_secret)?;
                        match two_factor::check_code(&key, code, now, row.last_step) {
                            Some(step) => self.store.spend_two_factor_step(&user.id, step).await?,
                            None => false,
                        }
                    }
                    Method::Email | Method::SecurityKey => false,
                };
                if !spent {
                    self.store.count_hit(&throttled, now, crate::throttle::LOGIN_WINDOW_SECS, true).await?;
                    return Err(ServiceError::field("code", WRONG_CODE));
                }
                self.passed_second_step(&user.id, *remember).await
            }
            Some(TwoFactorAnswer::Email { code, remember }) => {
                self.refuse_while_throttled(&throttled, "wrong codes").await?;
                let taken = match (method, two_factor::clean_code(code)) {
                    (Method::Email, Some(c)) => {
                        let mac = self.settings.two_factor_key.code_mac(&user.id, PURPOSE_LOGIN, &c);
                        self.store.take_email_code(&user.id, &mac, PURPOSE_LOGIN, now).await?
                    }
                    _ => false,
                };
                if !taken {
                    self.store.count_hit(&throttled, now, crate::throttle::LOGIN_WINDOW_SECS, true).await?;
                    return Err(ServiceError::field("code", WRONG_EMAIL_CODE));
                }
                self.passed_second_step(&user.id, *remember).await
            }
            Some(TwoFactorAnswer::SecurityKey { response, remember }) => {
                self.refuse_while_throttled(&throttled, "wrong codes").await?;
                let passed = method == Method::SecurityKey && self.check_security_key(&user.id, response).await?;
                if !passed {
                    self.store.count_hit(&throttled, now, crate::throttle::LOGIN_WINDOW_SECS, true).await?;
                    return Err(ServiceError::field("code", crate::security_keys::KEY_REFUSED));
                }
                self.passed_second_step(&user.id, *remember).await
            }
            Some(TwoFactorAnswer::Recovery { code }) => {
                self.refuse_while_throttled(&throttled, "wrong codes").await?;
                if row.recovery_hash.as_deref() != Some(two_factor::recovery_hash(code).as_str()) {
                    self.store.count_hit(&throttled, now, crate::throttle::LOGIN_WINDOW_SECS, true).await?;
                    return Err(ServiceError::field("code", WRONG_RECOVERY));
                }
                let notice = crate::mail::render_account(self, &user.email, crate::mail::AccountMail::TwoStepOff { by_recovery_code: true });
                self.store.delete_two_factor(&user.id, &notice).await?;
                self.store.clear_counter(&throttled).await?;
                tracing::info!(user = %user.id, "two-step login turned off with the recovery code");
                Ok(SecondStep::default())
            }
        }
    }

    /// The error that asks for the second step. With email codes, a code is
    /// mailed first (unless one went out less than a minute ago), as
    /// Bitwarden's server does when email is the account's only method.
    async fn ask_second_step(&self, user: &db::UserRow, method: Method) -> Result<ServiceError> {
        Ok(match method {
            Method::Authenticator => ServiceError::field(NEEDED_FIELD, NEEDED),
            Method::SecurityKey => ServiceError::field(domain::api::TWO_STEP_SECURITY_KEY_FIELD, self.security_key_challenge(&user.id).await?),
            Method::Email => match self.send_email_code(&user.id, &user.email, PURPOSE_LOGIN).await {
                Ok(_) => ServiceError::field(domain::api::TWO_STEP_EMAIL_FIELD, email_sent_text(&user.email)),
                // Capped: still asked for a code (one already sent works), with why none came now.
                Err(ServiceError::RateLimited(_)) => ServiceError::field(
                    domain::api::TWO_STEP_EMAIL_FIELD,
                    format!(
                        "Too many codes were sent to {} in the last hour, so none was sent now: enter the newest one you have, or use your recovery code.",
                        two_factor::masked_email(&user.email)
                    ),
                ),
                Err(other) => return Err(other),
            },
        })
    }

    /// The second step passed: the throttle cleared, and a remembered-device
    /// token when one was asked for.
    async fn passed_second_step(&self, user_id: &str, remember: bool) -> Result<SecondStep> {
        self.store.clear_counter(&throttle_key(user_id)).await?;
        let remember_token = if remember {
            let (token, hash) = new_token();
            self.store.remember_two_factor(&hash, user_id, self.now() + two_factor::REMEMBER_SECS).await?;
            Some(token)
        } else {
            None
        };
        Ok(SecondStep { remember_token })
    }

    /// Whether the organisation's "Require two-step login" policy keeps this
    /// person out (they have not turned two-step login on).
    pub(crate) async fn shut_out_by_two_step(&self, user_id: &str, org_id: &str) -> Result<bool> {
        if !self.org_policies(org_id).await?.two_step_login {
            return Ok(false);
        }
        Ok(self.store.two_factor(user_id).await?.and_then(|r| r.enabled_at).is_none())
    }

    /// Whether the provider requires two-step login of all its staff.
    pub async fn staff_two_step_required(&self, actor: &Actor, provider_id: &str) -> Result<bool> {
        self.authorize(actor, provider_id, domain::authz::Action::EditProviderSettings).await?;
        Ok(self.org_policies(provider_id).await?.two_step_login)
    }

    /// Requires (or stops requiring) two-step login of every member of the
    /// provider's staff: without it they cannot open the provider, its key or
    /// its clients. A Provider admin turns it on only with their own on.
    pub async fn require_staff_two_step(&self, actor: &Actor, provider_id: &str, on: bool, meta: &RequestMeta) -> Result<()> {
        let auth = self.authorize(actor, provider_id, domain::authz::Action::EditProviderSettings).await?;
        if auth.tenant.is_organization() {
            return Err(domain::authz::Denied::WrongTenant.into());
        }
        if on && self.store.two_factor(actor.user_id()).await?.and_then(|r| r.enabled_at).is_none() {
            return Err(ServiceError::Conflict(
                "Turn on two-step login for your own account first (Settings → My account): otherwise this would lock you out too.".into(),
            ));
        }
        let policy = domain::org::Policy { enabled: on, ..domain::org::Policy::off(domain::org::PolicyKind::TwoStepLogin) };
        let row = db::PolicyRow {
            org_id: provider_id.into(),
            kind: policy.kind.code().into(),
            enabled: on,
            data: serde_json::to_string(&policy).map_err(|e| ServiceError::Internal(e.into()))?,
            updated_at: self.now(),
        };
        let detail = format!("Require two-step login for provider staff: {}", if on { "on" } else { "off" });
        let ev = self.event(provider_id, Some(actor), "policy_changed", None, detail, meta);
        self.store.put_policy(&row, &ev).await?;
        Ok(())
    }

    fn open_key(&self, user_id: &str, sealed: &str) -> Result<String> {
        self.settings
            .two_factor_key
            .open(user_id, sealed)
            .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("the authenticator key does not open with TWO_FACTOR_KEY (was the key changed?)")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_the_same_key_and_user() {
        let k = SealKey::random();
        let sealed = k.seal("u1", "JBSWY3DPEHPK3PXP");
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(k.open("u1", &sealed).as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(k.open("u2", &sealed), None, "bound to its account");
        assert_eq!(SealKey::random().open("u1", &sealed), None);
        assert_eq!(SealKey::parse(&k.to_base64()).unwrap().open("u1", &sealed).as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert!(SealKey::parse("c2hvcnQ=").is_err());
    }

    #[test]
    fn emailed_codes_are_kept_as_macs_bound_to_account_purpose_and_key() {
        let k = SealKey::random();
        let mac = k.code_mac("u1", "login", "123456");
        assert!(!mac.contains("123456"));
        assert_eq!(mac, k.code_mac("u1", "login", "123456"));
        assert_ne!(mac, k.code_mac("u2", "login", "123456"));
        assert_ne!(mac, k.code_mac("u1", "setup", "123456"));
        assert_ne!(mac, k.code_mac("u1", "login", "123457"));
        assert_ne!(mac, SealKey::random().code_mac("u1", "login", "123456"));
        // Parts are length-prefixed: moving characters between them changes the MAC.
        assert_ne!(k.code_mac("u1l", "ogin", "123456"), mac);
    }
}
