//! The signed-in user as the browser knows it: the profile (from the server,
//! rendered on the first load) and the unlocked keys, which live in this
//! page's memory — never on the wire, and outside memory only sealed, when
//! the person's vault timeout keeps them across reloads (`vault_keep`).

use crate::api::get_me;
use crate::error::ApiError;
use domain::api::Me;
use domain::crypto::{CryptoError, SymmetricKey, UnlockedKeys};
use leptos::prelude::*;
use std::sync::Arc;

#[derive(Clone, Copy)]
pub struct Session {
    pub me: Resource<Result<Option<Me>, ApiError>>,
    version: RwSignal<u32>,
    pub keys: RwSignal<Option<Arc<UnlockedKeys>>>,
    /// Length and strength of the master password used to log in (never the
    /// password itself), for organisations' master password policies.
    pub password: RwSignal<Option<domain::org::PasswordFacts>>,
    /// A message that must survive the re-render a profile reload causes.
    pub flash: RwSignal<Option<String>>,
    /// Opening keys kept by an earlier page (the unlock form waits for it).
    pub restoring: RwSignal<bool>,
}

impl Session {
    /// Reloads the profile (after log in, log out, provider changes).
    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }
    /// Locks this tab and every other tab of this browser, and deletes the
    /// keys kept for reloads.
    pub fn lock(&self) {
        self.lock_because("lock");
    }
    /// As `lock`, telling the other tabs why ("lock", "timeout", "logout").
    pub fn lock_because(&self, why: &str) {
        if self.unlocked_untracked() {
            crate::vault_keep::announce_lock(why);
        }
        self.lock_here();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(crate::vault_keep::forget());
    }
    /// Locks this tab only (another tab locked; it already forgot the keys).
    pub fn lock_here(&self) {
        self.keys.set(None);
        self.password.set(None);
    }
    pub fn unlocked(&self) -> bool {
        self.keys.with(Option::is_some)
    }
    pub fn unlocked_untracked(&self) -> bool {
        self.keys.with_untracked(Option::is_some)
    }
    /// The keys just unlocked, kept sealed for reloads and new tabs when the
    /// vault timeout in force allows.
    pub fn set_keys(&self, me: &Me, k: UnlockedKeys) {
        let k = Arc::new(k);
        #[cfg(feature = "hydrate")]
        {
            let (me, k) = (me.clone(), k.clone());
            leptos::task::spawn_local(async move { crate::vault_keep::keep(&me, &k).await });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = me;
        self.keys.set(Some(k));
    }
    /// Opens a provider key sealed to this user (needs the keys unlocked).
    pub fn provider_key(&self, wrapped: &str) -> Result<SymmetricKey, CryptoError> {
        let keys = self.keys.get_untracked().ok_or(CryptoError::Decrypt)?;
        SymmetricKey::from_bytes(&keys.key_pair.unseal(wrapped)?)
    }
    pub fn key_pair_public(&self) -> Option<Vec<u8>> {
        self.keys.with(|k| k.as_ref().map(|k| k.key_pair.public_spki()))
    }
}

pub fn provide_session() {
    let version = RwSignal::new(0u32);
    let me = Resource::new(move || version.get(), |_| get_me());
    provide_context(Session {
        me,
        version,
        keys: RwSignal::new(None),
        password: RwSignal::new(None),
        flash: RwSignal::new(None),
        restoring: RwSignal::new(false),
    });
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Derives the master key and unlocks the user's keys (all in the browser).
pub async fn unlock_with_password(me: &Me, password: &str) -> Result<UnlockedKeys, String> {
    let email = domain::Email::parse(&me.email).map_err(|e| e.to_string())?;
    let master = crate::kdf::master_key(password, &email, me.kdf).await?;
    domain::crypto::unlock(&master, &me.protected_user_key, &me.protected_private_key).map_err(|_| "Invalid master password.".to_string())
}
