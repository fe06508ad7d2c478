//! Security keys and passkeys (FIDO2 WebAuthn, Bitwarden's provider type 7)
//! as the second step of a log-in. The ceremony is webauthn-rs's security-key
//! flow; this module keeps its state between the two requests of each
//! ceremony in the store (so any instance can finish what another started),
//! takes it once, and stores each key's credential (public key and counter)
//! — nothing a copy of the database could sign in with.
//!
//! The relying party is the portal's `PUBLIC_URL`: a key registered at
//! `https://vault.acme.com` answers only there. WebAuthn binds keys to a
//! domain name, so a portal served at an IP address cannot offer them.

use crate::two_factor::method_on;
use crate::{Actor, RequestMeta, Result, ServiceError, Services};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::api::SecurityKeyInfo;
use domain::two_factor::{self, Method};
use webauthn_rs::prelude::{
    PublicKeyCredential, RegisterPublicKeyCredential, SecurityKey, SecurityKeyAuthentication, SecurityKeyRegistration, Url, Uuid, Webauthn, WebauthnBuilder,
};

const PURPOSE_REGISTER: &str = "register";
const PURPOSE_LOGIN: &str = "login";

pub const NO_DOMAIN: &str = "Security keys need the portal at a domain name: PUBLIC_URL is an IP address, and a security key cannot be bound to one.";
pub const KEY_REFUSED: &str =
    "The security key's answer was not accepted. Try again with a key registered to this account (touch it when it blinks), or use your recovery code.";
pub const OTHER_METHOD_ON: &str = "Two-step login is already on with another method. Turn it off first to use security keys.";
pub const LAST_KEY: &str = "This is your only security key: add another first, or turn two-step login off.";

fn internal(what: &str, e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("{what}: {e}"))
}

/// The id WebAuthn binds a key to this account with (the user handle): the
/// account's UUID, or for other ids a stable 128 bits derived from them.
fn user_handle(user_id: &str) -> Uuid {
    Uuid::parse_str(user_id).unwrap_or_else(|_| {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(user_id.as_bytes());
        let mut b = [0u8; 16];
        b.copy_from_slice(&digest[..16]);
        Uuid::from_bytes(b)
    })
}

fn parse_key(row: &db::SecurityKeyRow) -> Result<SecurityKey> {
    serde_json::from_str(&row.credential).map_err(|e| internal("a stored security key does not read", e))
}

fn info(row: db::SecurityKeyRow) -> SecurityKeyInfo {
    SecurityKeyInfo { id: row.id, name: row.name, created_at: row.created_at, last_used_at: row.last_used_at }
}

impl Services {
    /// The WebAuthn relying party of this portal, from `PUBLIC_URL`.
    fn webauthn(&self) -> Result<Webauthn> {
        let (rp_id, origin) = two_factor::relying_party(&self.settings.base_url).ok_or_else(|| ServiceError::Conflict(NO_DOMAIN.into()))?;
        let origin = Url::parse(&origin).map_err(|e| internal("PUBLIC_URL", e))?;
        WebauthnBuilder::new(&rp_id, &origin)
            // A second factor: touching the key is enough (no PIN asked), and no
            // credProtect policy, which Chromium refuses for such keys.
            .and_then(|b| b.rp_name("Provider Portal").danger_set_user_presence_only_security_keys(true).build())
            .map_err(|e| internal("the WebAuthn relying party", e))
    }

    /// The account's security keys, for its settings.
    pub async fn security_key_list(&self, actor: &Actor) -> Result<Vec<SecurityKeyInfo>> {
        Ok(self.store.security_keys(&actor.user_id).await?.into_iter().map(info).collect())
    }

    /// Starts registering a security key (the master password asked again):
    /// as the second step when two-step login is off, or one more key when
    /// security keys are already it. Returns the WebAuthn creation options
    /// (JSON, for `PublicKeyCredential.parseCreationOptionsFromJSON`).
    pub async fn start_security_key(&self, actor: &Actor, auth_hash: &str, meta: &RequestMeta) -> Result<String> {
        self.check_own_password(actor, auth_hash, meta).await?;
        let webauthn = self.webauthn()?;
        let on = self.store.two_factor(&actor.user_id).await?.as_ref().filter(|r| r.enabled_at.is_some()).and_then(method_on);
        let keys = match on {
            None => Vec::new(),
            Some(Method::SecurityKey) => self.store.security_keys(&actor.user_id).await?,
            Some(_) => return Err(ServiceError::Conflict(OTHER_METHOD_ON.into())),
        };
        if keys.len() >= two_factor::MAX_SECURITY_KEYS {
            return Err(ServiceError::Conflict(format!(
                "An account can have {} security keys and you have them all: remove one first.",
                two_factor::MAX_SECURITY_KEYS
            )));
        }
        // The browser refuses a key that is already registered here.
        let exclude = keys.iter().map(|k| parse_key(k).map(|k| k.cred_id().clone())).collect::<Result<Vec<_>>>()?;
        let (options, state) = webauthn
            .start_securitykey_registration(user_handle(&actor.user_id), &actor.email, &actor.email, Some(exclude), None, None)
            .map_err(|e| internal("starting a security key registration", e))?;
        let state = serde_json::to_string(&state).map_err(|e| internal("the registration state", e))?;
        let expires = self.now() + two_factor::SECURITY_KEY_CHALLENGE_SECS;
        self.store.put_webauthn_challenge(&actor.user_id, PURPOSE_REGISTER, &state, expires).await?;
        serde_json::to_string(&options.public_key).map_err(|e| internal("the creation options", e))
    }

    /// Finishes registering: the browser's answer (`PublicKeyCredential.toJSON()`)
    /// checked against the open challenge, the key stored under `name`. The
    /// first key turns two-step login on and returns the recovery code (shown
    /// once); a further key returns None.
    pub async fn finish_security_key(&self, actor: &Actor, name: &str, response: &str) -> Result<Option<String>> {
        let name = two_factor::clean_key_name(name).map_err(|m| ServiceError::field("name", m))?;
        let webauthn = self.webauthn()?;
        let now = self.now();
        let Some(state) = self.store.take_webauthn_challenge(&actor.user_id, PURPOSE_REGISTER, now).await? else {
            return Err(ServiceError::Conflict("Start again: this security key registration expired or was already finished.".into()));
        };
        let state: SecurityKeyRegistration = serde_json::from_str(&state).map_err(|e| internal("the registration state", e))?;
        let answer: RegisterPublicKeyCredential =
            serde_json::from_str(response).map_err(|_| ServiceError::field("response", "The browser's answer from the security key was not understood."))?;
        let key = webauthn.finish_securitykey_registration(&answer, &state).map_err(|e| {
            tracing::info!(user = %actor.user_id, error = %e, "a security key registration was refused");
            ServiceError::field("response", "The security key's answer could not be verified. Start again and touch the key when it blinks.")
        })?;
        let row = db::SecurityKeyRow {
            id: URL_SAFE_NO_PAD.encode(AsRef::<[u8]>::as_ref(key.cred_id())),
            user_id: actor.user_id.clone(),
            name,
            credential: serde_json::to_string(&key).map_err(|e| internal("a security key", e))?,
            created_at: now,
            last_used_at: None,
        };
        let on = self.store.two_factor(&actor.user_id).await?.as_ref().filter(|r| r.enabled_at.is_some()).and_then(method_on);
        match on {
            Some(Method::SecurityKey) => {
                if !self.store.add_security_key(&row, two_factor::MAX_SECURITY_KEYS as i64).await? {
                    return Err(ServiceError::Conflict("This key could not be added: you have the most keys an account can have.".into()));
                }
                tracing::info!(user = %actor.user_id, "a security key was added");
                Ok(None)
            }
            Some(_) => Err(ServiceError::Conflict(OTHER_METHOD_ON.into())),
            None => {
                let recovery = two_factor::new_recovery_code();
                let notice = crate::mail::render_account(self, &actor.email, crate::mail::AccountMail::TwoStepOn { method: Method::SecurityKey });
                if !self.store.enable_security_key_two_factor(&row, &two_factor::recovery_hash(&recovery), now, &notice).await? {
                    return Err(ServiceError::Conflict("Two-step login is already on.".into()));
                }
                tracing::info!(user = %actor.user_id, "two-step login with a security key turned on");
                Ok(Some(recovery))
            }
        }
    }

    /// Removes one of the account's security keys (never the last one).
    pub async fn remove_security_key(&self, actor: &Actor, id: &str) -> Result<()> {
        if !self.store.security_keys(&actor.user_id).await?.iter().any(|k| k.id == id) {
            return Err(ServiceError::NotFound("This security key is not registered to your account.".into()));
        }
        if !self.store.delete_security_key(&actor.user_id, id).await? {
            return Err(ServiceError::Conflict(LAST_KEY.into()));
        }
        tracing::info!(user = %actor.user_id, "a security key was removed");
        Ok(())
    }

    /// A new log-in challenge for the account's keys (the request options,
    /// JSON, for `PublicKeyCredential.parseRequestOptionsFromJSON`; the same
    /// object is what Bitwarden's apps read under provider 7).
    pub(crate) async fn security_key_challenge(&self, user_id: &str) -> Result<String> {
        let webauthn = self.webauthn()?;
        let keys = self.store.security_keys(user_id).await?.iter().map(parse_key).collect::<Result<Vec<_>>>()?;
        if keys.is_empty() {
            return Err(internal("two-step login with security keys", "on with no key"));
        }
        let (options, state) = webauthn.start_securitykey_authentication(&keys).map_err(|e| internal("starting a security key log-in", e))?;
        let state = serde_json::to_string(&state).map_err(|e| internal("the log-in state", e))?;
        self.store.put_webauthn_challenge(user_id, PURPOSE_LOGIN, &state, self.now() + two_factor::SECURITY_KEY_CHALLENGE_SECS).await?;
        serde_json::to_string(&options.public_key).map_err(|e| internal("the request options", e))
    }

    /// Whether `response` answers the account's open log-in challenge with
    /// one of its keys (the challenge is spent either way); the key's counter
    /// and last use are kept.
    pub(crate) async fn check_security_key(&self, user_id: &str, response: &str) -> Result<bool> {
        let now = self.now();
        let Some(state) = self.store.take_webauthn_challenge(user_id, PURPOSE_LOGIN, now).await? else {
            return Ok(false);
        };
        let state: SecurityKeyAuthentication = serde_json::from_str(&state).map_err(|e| internal("the log-in state", e))?;
        let Ok(answer) = serde_json::from_str::<PublicKeyCredential>(response) else {
            return Ok(false);
        };
        let result = match self.webauthn()?.finish_securitykey_authentication(&answer, &state) {
            Ok(r) => r,
            Err(e) => {
                tracing::info!(user = %user_id, error = %e, "a security key log-in was refused");
                return Ok(false);
            }
        };
        for row in self.store.security_keys(user_id).await? {
            let mut key = parse_key(&row)?;
            if key.update_credential(&result).is_some() {
                let credential = serde_json::to_string(&key).map_err(|e| internal("a security key", e))?;
                self.store.used_security_key(user_id, &row.id, &credential, now).await?;
                return Ok(true);
            }
        }
        // Signed by a key the challenge allowed, since removed.
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_handles_are_the_account_uuid_or_stable() {
        let id = "0b8f3c2e-8f5a-4c1e-9d3b-2f1a7c6e5d4b";
        assert_eq!(user_handle(id).to_string(), id);
        assert_eq!(user_handle("not-a-uuid"), user_handle("not-a-uuid"));
        assert_ne!(user_handle("not-a-uuid"), user_handle("not-a-uuid2"));
    }
}
