//! Use cases. Every method that acts for somebody takes an `&Actor` (which only
//! `Services::resolve_session` can build), loads the facts, calls
//! `domain::authz::authorize` first, then does its work in one transaction.

pub mod access;
pub mod accounts;
pub mod app_items;
pub mod apps;
pub mod clients;
mod error;
pub mod events;
mod folders;
pub mod hashing;
pub mod list_cache;
pub mod live;
pub mod mail;
pub mod members;
mod org_vault;
mod orgs;
mod providers;
mod recovery;
pub mod security_keys;
pub mod sync;
pub mod throttle;
pub mod two_factor;
mod vault;

pub use error::ServiceError;

use db::DynStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::broadcast;

pub type Result<T> = std::result::Result<T, ServiceError>;

/// Time, passed in so that expiry can be tested.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> i64;
}

pub struct SystemClock;
impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods, reason = "the one place that reads the system clock")]
    fn now(&self) -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
    }
}

/// A clock for tests that moves only when told.
#[derive(Default)]
pub struct ManualClock(AtomicI64);
impl ManualClock {
    pub fn new(t: i64) -> Self {
        ManualClock(AtomicI64::new(t))
    }
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}
impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Debug, Clone)]
pub struct ServiceSettings {
    /// Public base URL used in mail links, e.g. http://127.0.0.1:3000
    pub base_url: String,
    pub invite_ttl: Duration,
    pub session_ttl: Duration,
    /// Argon2 parameters for the server-side hash of the client's auth hash.
    pub server_hash_params: (u32, u32, u32),
    /// How long a claimed outgoing mail stays claimed (a crashed worker's mails
    /// are sent again after it).
    pub outbox_lease: Duration,
    /// Who may create an account (`SIGNUPS`).
    pub signups: access::Signups,
    /// Who may set up a provider (`PROVIDER_SETUP`).
    pub provider_setup: access::ProviderSetup,
    /// Seals authenticator keys at rest (`TWO_FACTOR_KEY`).
    pub two_factor_key: two_factor::SealKey,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        ServiceSettings {
            base_url: "http://127.0.0.1:3000".into(),
            invite_ttl: Duration::from_secs(5 * 24 * 3600),
            session_ttl: Duration::from_secs(14 * 24 * 3600),
            server_hash_params: (19 * 1024, 2, 1),
            outbox_lease: Duration::from_secs(120),
            signups: access::Signups::Open,
            provider_setup: access::ProviderSetup::Anyone,
            two_factor_key: two_factor::SealKey::random(),
        }
    }
}

/// Something changed in a provider's membership (for live tables).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderChanged {
    pub provider_id: String,
    pub kind: String,
}

#[derive(Clone)]
pub struct Services {
    pub store: DynStore,
    pub settings: Arc<ServiceSettings>,
    pub clock: Arc<dyn Clock>,
    /// Server-side Argon2id with bounded memory (one buffer per core).
    pub hashing: hashing::HashPool,
    /// Member lists built at once (each a whole list in memory): one per core.
    /// More waiting requests queue here instead of growing the heap.
    pub list_gate: Arc<tokio::sync::Semaphore>,
    /// Member lists of large tenants, served while the tenant's version is unchanged.
    pub list_cache: Arc<list_cache::ListCache>,
    pub changes: broadcast::Sender<ProviderChanged>,
    /// What Bitwarden's apps are told over their notifications hub ([`live`]).
    app_notices: broadcast::Sender<live::AppNotice>,
    /// Notifications hub connections open on this instance, by account.
    hub_connections: Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
    /// Tells this instance's own notifications apart from other instances'.
    pub instance_id: String,
    /// The access-token signing key, read once ([`apps`]).
    signing_key: Arc<tokio::sync::OnceCell<Arc<Vec<u8>>>>,
}

/// The signed-in person a request acts for. Only `Services::resolve_session`
/// builds one, so holding an `Actor` means the session was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    user_id: String,
    email: String,
    session_hash: String,
    /// The device identifier of the app acting (Bitwarden's `ContextId`: the
    /// app's own changes are not told back to it); None in the portal.
    app_context: Option<String>,
}

impl Actor {
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    pub fn email(&self) -> &str {
        &self.email
    }
    /// The `devices` row of the app acting, if an app is.
    pub fn app_device(&self) -> Option<&str> {
        self.session_hash.strip_prefix("device:")
    }
}

/// Facts about the request that the event log records.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A fresh bearer token (see `domain::token`) and the hash under which it is stored.
pub fn new_token() -> (String, String) {
    let t = domain::token::Token::generate();
    (t.encode(), t.storage_hash())
}

/// The stored hash of a token as it arrived, or None when it cannot be one of
/// ours (then there is nothing to look up).
pub fn token_hash(token: &str) -> Option<String> {
    domain::token::Token::parse(token.trim()).ok().map(|t| t.storage_hash())
}

impl Services {
    pub fn new(store: DynStore, settings: ServiceSettings, clock: Arc<dyn Clock>) -> Self {
        let (changes, _) = broadcast::channel(256);
        let (app_notices, _) = broadcast::channel(1024);
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let hashing = hashing::HashPool::new(settings.server_hash_params, cores);
        Services {
            store,
            settings: Arc::new(settings),
            clock,
            hashing,
            list_gate: Arc::new(tokio::sync::Semaphore::new(cores)),
            list_cache: Arc::new(list_cache::ListCache::from_env()),
            changes,
            app_notices,
            hub_connections: Arc::default(),
            instance_id: new_id(),
            signing_key: Arc::default(),
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Applies a rate limit with a clear message: at most `max` calls under
    /// `key` in a window of `window` seconds, counted across instances.
    pub(crate) async fn limit(&self, key: &str, max: i64, window: i64, what: &str) -> Result<()> {
        let now = self.now();
        let c = self.store.count_hit(&format!("hit:{key}"), now, window, false).await?;
        if c.count > max {
            return Err(ServiceError::RateLimited(format!("Too many {what}. {}", throttle::wait_text(c.ends_at - now))));
        }
        Ok(())
    }

    /// Refuses while the counter of `key` has reached `max` in its window.
    pub(crate) async fn refuse_at(&self, key: &str, max: i64, what: &str) -> Result<()> {
        let now = self.now();
        match self.store.counter(key, now).await? {
            Some(c) if c.count >= max => Err(ServiceError::RateLimited(format!("Too many {what}. {}", throttle::wait_text(c.ends_at - now)))),
            _ => Ok(()),
        }
    }

    /// Refuses while a throttled pair (log-in, password change) must wait.
    pub(crate) async fn refuse_while_throttled(&self, key: &str, what: &str) -> Result<()> {
        let now = self.now();
        if let Some(c) = self.store.counter(key, now).await?
            && let Some(wait) = throttle::login_delay(c.count, c.last_at, now)
        {
            return Err(ServiceError::RateLimited(format!("Too many {what}. {}", throttle::wait_text(wait))));
        }
        Ok(())
    }

    /// Deletes ended rate-limit windows and expired sessions (the server runs it each minute).
    pub async fn purge_expired(&self) -> Result<u64> {
        let now = self.now();
        let expired = self.store.purge_expired(now).await?;
        Ok(expired + self.store.purge_trash(now - domain::vault::TRASH_DAYS * 86_400).await?)
    }

    /// Tells open Members tables that something changed.
    /// Other server instances hear of it through the store (LISTEN/NOTIFY).
    pub fn publish(&self, provider_id: &str, kind: &str) {
        // A provider's clients changed: its staff's apps list other organisations.
        if kind.starts_with("client_") {
            self.tell_apps(live::Audience::Tenant(provider_id.into()), live::Change::Memberships, None);
        }
        let _ = self.changes.send(ProviderChanged { provider_id: provider_id.into(), kind: kind.into() });
        let store = self.store.clone();
        let payload = format!("{}|{provider_id}|{kind}", self.instance_id);
        tokio::spawn(async move {
            if let Err(e) = store.notify(&payload).await {
                tracing::warn!(error = %e, "could not notify other instances");
            }
        });
    }

    /// Forwards other instances' notifications to this instance's subscribers.
    pub async fn relay_notifications(&self) -> Result<()> {
        let Some(mut rx) = self.store.listen().await? else { return Ok(()) };
        let me = self.clone();
        tokio::spawn(async move {
            while let Some(payload) = rx.recv().await {
                let mut parts = payload.splitn(3, '|');
                if let (Some(instance), Some(pid), Some(kind)) = (parts.next(), parts.next(), parts.next())
                    && instance != me.instance_id
                {
                    if pid == live::CHANNEL {
                        me.relay_app_notice(kind);
                    } else {
                        let _ = me.changes.send(ProviderChanged { provider_id: pid.into(), kind: kind.into() });
                    }
                }
            }
        });
        Ok(())
    }
}
