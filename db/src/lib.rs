//! Storage. One `Store` trait, two implementations (SQLite and PostgreSQL)
//! chosen at run time from `DATABASE_URL`. Both are generated from one body of
//! code by `store_impl!`: the SQL is written once in the dialect the two share
//! (`$n` parameters, `ON CONFLICT`, `RETURNING`), so the two backends cannot
//! drift apart. Every multi-row change runs in one transaction.
//!
//! The store knows nothing of roles; it enforces only the invariants that must
//! hold under concurrency (at least one confirmed Provider admin; the actor is
//! still an admin when the change commits), inside the same transaction.

mod rows;
mod store_impl;

pub use rows::*;

use async_trait::async_trait;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    /// A uniqueness or state conflict that the caller can explain.
    #[error("conflict: {0}")]
    Conflict(Conflict),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("the provider would be left without a confirmed Provider admin")]
    LastAdmin,
    #[error("the actor is no longer an active Provider admin")]
    ActorNotAdmin,
    #[error("a member changed meanwhile")]
    Stale,
    #[error("this email is already a member")]
    AlreadyMember,
    #[error("the invitation link is no longer valid")]
    TokenGone,
    #[error("not enough seats")]
    NoSeats,
    #[error("the seats are in use")]
    SeatsInUse,
    #[error("the name is already taken")]
    NameTaken,
    #[error("the organisation has no confirmed Owner")]
    NoOwner,
    #[error("the organisation is already managed by a provider")]
    Managed,
}

pub type Result<T> = std::result::Result<T, Error>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> &'static str;

    // Accounts
    async fn create_user(&self, user: &UserRow) -> Result<()>;
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>>;
    async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>>;

    /// New authentication hash and protected user key; every other session of the user ends.
    async fn change_master_password(&self, user_id: &str, auth_hash: &str, protected_user_key: &str, keep_session: &str) -> Result<()>;

    // Sessions
    async fn create_session(&self, s: &SessionRow) -> Result<()>;
    /// Logs a Bitwarden app in: a new device, or the same app's earlier row
    /// (same user and identifier) with a new refresh token. Returns the row's id.
    async fn put_device(&self, d: &DeviceRow) -> Result<String>;
    /// The device whose refresh token this is, unless it has ended.
    async fn device_by_refresh(&self, refresh_hash: &str, now: i64) -> Result<Option<DeviceRow>>;
    /// Replaces a device's refresh token if it is still `old_hash` (a token
    /// is used once; of two concurrent uses one wins).
    async fn rotate_refresh(&self, id: &str, old_hash: &str, new_hash: &str, now: i64, expires_at: i64) -> Result<bool>;
    /// A device and its account's email, unless it has ended.
    /// The account (id, email) of a logged-in app, and the app's own device identifier.
    async fn device_user(&self, id: &str, now: i64) -> Result<Option<(String, String, String)>>;
    async fn delete_devices(&self, user_id: &str) -> Result<u64>;
    /// The apps logged in to an account, most recently used first.
    async fn list_devices(&self, user_id: &str) -> Result<Vec<DeviceRow>>;
    /// Logs one app out (its tokens stop working at once); false if none.
    async fn delete_device(&self, user_id: &str, id: &str) -> Result<bool>;
    /// Forgets every browser and app remembered for two-step login.
    async fn forget_remembered(&self, user_id: &str) -> Result<u64>;
    /// Replaces the account's API key (its secret's hash).
    async fn set_api_key(&self, user_id: &str, secret_hash: &str, now: i64) -> Result<()>;
    async fn api_key_hash(&self, user_id: &str) -> Result<Option<String>>;
    // Two-step login
    async fn two_factor(&self, user_id: &str) -> Result<Option<TwoFactorRow>>;
    /// Starts (or restarts) setting up an authenticator: a new sealed key,
    /// not enabled. Refused (false) while one is enabled.
    async fn put_pending_two_factor(&self, user_id: &str, sealed_secret: &str, now: i64) -> Result<bool>;
    /// Enables the pending authenticator with its recovery code's hash, the
    /// confirming code's step spent, and queues the notice `mail`. False (and
    /// no mail) if none was pending.
    async fn enable_two_factor(&self, user_id: &str, recovery_hash: &str, step: i64, now: i64, mail: &MailRow) -> Result<bool>;
    /// Spends a code's step: true only if it is newer than every step spent
    /// (of two concurrent uses of one code, one wins).
    async fn spend_two_factor_step(&self, user_id: &str, step: i64) -> Result<bool>;
    /// Turns two-step login off: the authenticator and every remembered device
    /// go, and the notice `mail` is queued (only if it was on or pending).
    async fn delete_two_factor(&self, user_id: &str, mail: &MailRow) -> Result<bool>;
    /// Turns two-step login on with emailed codes (the setup code already
    /// spent) and queues the notice `mail`. False (and no mail) if two-step
    /// login is already on.
    async fn enable_email_two_factor(&self, user_id: &str, recovery_hash: &str, now: i64, mail: &MailRow) -> Result<bool>;
    /// Replaces the account's emailed code (its MAC) and queues the mail that
    /// carries it, unless a code for the same purpose went out at or after
    /// `resend_after`: then nothing changes (false).
    async fn put_email_code(&self, code: &EmailCodeRow, resend_after: i64, mail: &MailRow) -> Result<bool>;
    /// Spends the emailed code if it is this one, for this purpose and not
    /// expired: true once (of two concurrent uses, one wins).
    async fn take_email_code(&self, user_id: &str, code_mac: &str, purpose: &str, now: i64) -> Result<bool>;
    /// The account's security keys, oldest first.
    async fn security_keys(&self, user_id: &str) -> Result<Vec<SecurityKeyRow>>;
    /// Turns two-step login on with this first security key, its recovery
    /// code's hash, and queues the notice `mail`. False (and nothing stored)
    /// if two-step login is already on.
    async fn enable_security_key_two_factor(&self, key: &SecurityKeyRow, recovery_hash: &str, now: i64, mail: &MailRow) -> Result<bool>;
    /// Adds a key while security keys are the account's second step and it
    /// has fewer than `max`: false otherwise (nothing stored).
    async fn add_security_key(&self, key: &SecurityKeyRow, max: i64) -> Result<bool>;
    /// After a log-in with the key: its new credential state (counter) and when.
    async fn used_security_key(&self, user_id: &str, id: &str, credential: &str, now: i64) -> Result<()>;
    /// Removes one of the account's keys, never the last (false then, or if none).
    async fn delete_security_key(&self, user_id: &str, id: &str) -> Result<bool>;
    /// Opens (or replaces) the account's challenge for `purpose`.
    async fn put_webauthn_challenge(&self, user_id: &str, purpose: &str, state: &str, expires_at: i64) -> Result<()>;
    /// Takes the account's open challenge for `purpose` (once; None when
    /// there is none or it expired).
    async fn take_webauthn_challenge(&self, user_id: &str, purpose: &str, now: i64) -> Result<Option<String>>;
    async fn remember_two_factor(&self, token_hash: &str, user_id: &str, expires_at: i64) -> Result<()>;
    /// Whether this remembered-device token is the user's and still valid.
    async fn two_factor_remembered(&self, token_hash: &str, user_id: &str, now: i64) -> Result<bool>;
    /// The server key `name`: `candidate` if there was none (stored), else the stored one.
    async fn server_key(&self, name: &str, candidate: &str) -> Result<String>;
    /// The live session for a token hash (expired ones are not returned).
    async fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRow>>;
    /// The (user id, email) of a live session, in one round trip.
    async fn session_user(&self, token_hash: &str, now: i64) -> Result<Option<(String, String)>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;

    // Rate limits, in the database so that every server instance counts together.
    /// Counts one hit of `key` and returns its counter. A window of `window`
    /// seconds starts at the first hit after the last one ended; `sliding`
    /// moves its end to `now + window` at every hit (a throttle that lasts
    /// while the hits go on), otherwise it is fixed.
    async fn count_hit(&self, key: &str, now: i64, window: i64, sliding: bool) -> Result<Counter>;
    /// The counter of `key` while its window lasts.
    async fn counter(&self, key: &str, now: i64) -> Result<Option<Counter>>;
    async fn clear_counter(&self, key: &str) -> Result<()>;
    /// Deletes counters whose window has ended, expired sessions and unsent
    /// invitation mails that have expired; how many rows went.
    async fn purge_expired(&self, now: i64) -> Result<u64>;

    // Providers and their members
    async fn create_provider(&self, p: &ProviderRow, first_admin: &MemberRow, event: &EventRow) -> Result<()>;
    async fn provider(&self, id: &str) -> Result<Option<ProviderRow>>;
    /// Renames / changes the billing email, with its event, in one transaction.
    async fn update_provider(&self, id: &str, name: &str, billing_email: &str, event: &EventRow) -> Result<()>;
    async fn memberships_of_user(&self, user_id: &str) -> Result<Vec<(ProviderRow, MemberRow)>>;
    async fn member(&self, provider_id: &str, member_id: &str) -> Result<Option<MemberRow>>;
    async fn member_by_user(&self, provider_id: &str, user_id: &str) -> Result<Option<MemberRow>>;
    /// The tenant and the user's membership of it (`provider` and
    /// `member_by_user` in one round trip); None when there is no such tenant.
    async fn tenant_with_member(&self, tenant_id: &str, user_id: &str) -> Result<Option<(ProviderRow, Option<MemberRow>)>>;
    /// Every member with the account name joined in, ordered by email: one
    /// query, no per-member queries (public keys are left out: `members_by_ids` has them).
    async fn list_members(&self, provider_id: &str) -> Result<Vec<MemberView>>;
    async fn members_by_ids(&self, provider_id: &str, ids: &[String]) -> Result<Vec<MemberView>>;
    /// Which of these (normalised, at most 20) emails are already members.
    async fn existing_emails(&self, provider_id: &str, emails: &[String]) -> Result<Vec<String>>;
    /// Applies admin changes in one transaction (see `MemberChange`).
    async fn change_members(&self, batch: &MemberBatch) -> Result<()>;
    async fn invitation(&self, token_hash: &str) -> Result<Option<(MemberRow, ProviderRow, i64)>>;
    /// Accepts: consumes the token (single use) and marks the member Accepted;
    /// with `recovery` (the user key sealed to the organisation's recovery
    /// key, and its event), enrols the member in account recovery too.
    async fn accept_invitation(
        &self,
        token_hash: &str,
        member_id: &str,
        user_id: &str,
        now: i64,
        event: &EventRow,
        recovery: Option<(&str, &EventRow)>,
    ) -> Result<()>;

    // Client organisations (tenants with kind = organization)
    /// Creates the organisation with its Owner invitation, within the provider's seats.
    async fn create_organization(&self, org: &ProviderRow, owner: &MemberRow, token_hash: &str, events: &[EventRow], mail: &MailRow) -> Result<()>;
    /// The provider's clients with seats used, one query.
    async fn list_clients(&self, provider_id: &str) -> Result<Vec<ClientRow>>;
    /// Seats one tenant's members take (suspended members take none), as
    /// [`Self::list_clients`] counts them.
    async fn seats_used(&self, tenant_id: &str) -> Result<i64>;
    /// The client organisations' ids and names (no counts).
    async fn client_names(&self, provider_id: &str) -> Result<Vec<(String, String)>>;
    /// Every client organisation's Invited and accepted (not yet confirmed)
    /// members, with their accounts' names and public keys: the onboarding queue.
    async fn waiting_members_of_clients(&self, provider_id: &str) -> Result<Vec<MemberView>>;
    /// Sets a provider's total or a client's seats, checked against the other side in one transaction.
    async fn set_seats(&self, tenant_id: &str, seats: i64, events: &[EventRow]) -> Result<()>;
    /// Groups and their (group id, member id) links.
    async fn list_groups(&self, org_id: &str) -> Result<(Vec<GroupRow>, Vec<(String, String)>)>;
    /// Creates or renames a group and replaces its members (all of the organisation).
    async fn save_group(&self, g: &GroupRow, member_ids: &[String], event: &EventRow) -> Result<()>;
    async fn delete_group(&self, org_id: &str, group_id: &str, event: &EventRow) -> Result<()>;
    async fn list_collections(&self, org_id: &str) -> Result<(Vec<CollectionRow>, Vec<AccessRow>)>;
    /// Per collection of the organisation that holds items: (collection id,
    /// its items, those of them in no other collection).
    async fn collection_item_counts(&self, org_id: &str) -> Result<Vec<(String, i64, i64)>>;
    /// Creates or renames a collection and replaces its access list.
    async fn save_collection(&self, c: &CollectionRow, access: &[AccessRow], event: &EventRow) -> Result<()>;
    async fn delete_collection(&self, org_id: &str, id: &str, event: &EventRow) -> Result<()>;
    async fn policies(&self, org_id: &str) -> Result<Vec<PolicyRow>>;
    async fn put_policy(&self, p: &PolicyRow, event: &EventRow) -> Result<()>;
    /// Enabled policies of every organisation where the user has accepted or been confirmed.
    async fn policies_of_user(&self, user_id: &str) -> Result<Vec<PolicyRow>>;
    /// Writes policies of several organisations with their events: all or none.
    async fn put_policies(&self, rows: &[PolicyRow], events: &[EventRow]) -> Result<()>;
    /// Every policy set in the provider's client organisations, in one read.
    async fn policies_of_clients(&self, provider_id: &str) -> Result<Vec<PolicyRow>>;
    /// The events of the provider's clients of the kinds in `kinds` since
    /// `from`, oldest first (`provider_id` of each row is the client's id).
    async fn client_events_since(&self, provider_id: &str, from: i64, kinds: &[&str]) -> Result<Vec<EventRow>>;
    /// The provider's policy baseline (`org_id` holds the provider's id).
    async fn baseline(&self, provider_id: &str) -> Result<Vec<PolicyRow>>;
    /// Puts one kind into the provider's baseline (`Some`) or takes it out
    /// (`None`), with the provider's event.
    async fn put_baseline(&self, provider_id: &str, kind: &str, row: Option<&PolicyRow>, event: &EventRow) -> Result<()>;

    // Client lifecycle

    /// Suspends (`Some(at)`) or restores (`None`) a client organisation of
    /// `provider_id`, with the events; `NotFound` when it is not one of its clients.
    async fn set_client_suspended(&self, provider_id: &str, org_id: &str, at: Option<i64>, events: &[EventRow]) -> Result<()>;
    /// Makes a client organisation of `provider_id` independent (no provider,
    /// no provider-wrapped key, its seats its own), with the events; refused
    /// with `Conflict::NoOwner` unless it has a confirmed, active Owner.
    async fn unlink_client(&self, provider_id: &str, org_id: &str, events: &[EventRow]) -> Result<()>;
    /// Makes the independent organisation `org_id` a client of `provider_id`
    /// with `seats` and its key wrapped under the provider key, with the
    /// events. Refused with `Conflict::NoOwner` unless `owner_user_id` is its
    /// confirmed, active Owner, `Conflict::Managed` when it has a provider,
    /// `NoSeats` beyond the provider's unassigned seats, `SeatsInUse` under
    /// its members; `NotFound` when either does not exist.
    async fn link_client(&self, provider_id: &str, org_id: &str, owner_user_id: &str, seats: i64, org_key: &str, events: &[EventRow]) -> Result<()>;
    /// Deletes a client organisation of `provider_id` with everything in it
    /// (members, items, collections, its log); the provider keeps `event`.
    async fn delete_client(&self, provider_id: &str, org_id: &str, event: &EventRow) -> Result<()>;

    // Account recovery
    /// The organisation's recovery key pair: (public key, encrypted private key).
    async fn org_recovery_key(&self, org_id: &str) -> Result<Option<(String, String)>>;
    /// Stores the organisation's key pair unless it has one; whether it was stored.
    async fn set_org_recovery_key(&self, org_id: &str, public_key: &str, private_key: &str, now: i64, event: &EventRow) -> Result<bool>;
    /// Enrols a member (or replaces their sealed key), with its event.
    async fn enrol_recovery(&self, org_id: &str, member_id: &str, sealed_user_key: &str, now: i64, event: &EventRow) -> Result<()>;
    /// Withdraws a member; whether they were enrolled.
    async fn withdraw_recovery(&self, org_id: &str, member_id: &str, event: &EventRow) -> Result<bool>;
    /// A member's sealed user key, if enrolled.
    async fn recovery_enrolment(&self, org_id: &str, member_id: &str) -> Result<Option<String>>;
    /// The organisation's enrolled members' ids.
    async fn recovery_enrolled(&self, org_id: &str) -> Result<Vec<String>>;
    /// Sets a member's master password from an administrator's browser: the
    /// new authentication hash (server-hashed) and protected user key; every
    /// session and app of the account ends; the person must change it at the
    /// next log-in; events and the mail, in one transaction.
    async fn recover_account(&self, r: &AccountRecovery) -> Result<()>;
    /// Whether an administrator reset the account's password since its owner last set one.
    async fn password_reset_pending(&self, user_id: &str) -> Result<bool>;

    // Events
    /// A page of a log, newest first, and how many events it holds in all
    /// (counted up to `EVENT_COUNT_CAP` + 1).
    async fn list_events(&self, provider_id: &str, q: &EventQuery) -> Result<(Vec<EventRow>, i64)>;
    /// A page of a log without the count (exports: with `before`, no offset).
    async fn event_rows(&self, provider_id: &str, q: &EventQuery) -> Result<Vec<EventRow>>;
    /// The kinds of event and the people who acted in a log (with its
    /// clients' logs if asked), each sorted, for the log's filters: those of
    /// its newest `EVENT_FACET_WINDOW` events.
    async fn event_facets(&self, provider_id: &str, with_clients: bool) -> Result<(Vec<String>, Vec<String>)>;

    // Outbox
    /// Claims up to `limit` due mails for `lease` seconds (a worker that dies
    /// mid-send leaves them to be claimed again when the lease runs out).
    async fn claim_mails(&self, now: i64, limit: i64, lease: i64) -> Result<Vec<MailRow>>;
    /// `claim_mails` with the default two-minute lease.
    async fn due_mails(&self, now: i64, limit: i64) -> Result<Vec<MailRow>> {
        self.claim_mails(now, limit, 120).await
    }
    async fn mark_mail_sent(&self, id: &str, now: i64) -> Result<()>;
    async fn mark_mail_failed(&self, id: &str, error: &str, next_attempt_at: i64) -> Result<()>;
    async fn failed_mails(&self, provider_id: &str) -> Result<Vec<MailRow>>;
    /// Every mail in the outbox to an address, oldest first (support and tests).
    async fn mails_to(&self, to: &str) -> Result<Vec<MailRow>>;

    // Vault
    async fn list_items(&self, user_id: &str) -> Result<Vec<ItemRow>>;
    /// A person's folders, oldest first.
    async fn list_folders(&self, user_id: &str) -> Result<Vec<FolderRow>>;
    /// Creates a folder or renames it; false if the id is someone else's.
    async fn put_folder(&self, f: &FolderRow) -> Result<bool>;
    /// Deletes a person's folder (its items stay, in no folder); false if none.
    async fn delete_folder(&self, user_id: &str, id: &str) -> Result<bool>;
    /// How a person files the organisation items they marked.
    async fn item_marks(&self, user_id: &str) -> Result<Vec<ItemMark>>;
    /// Files one organisation item for a person (a folder not theirs is ignored).
    async fn set_item_mark(&self, m: &ItemMark) -> Result<()>;
    /// Puts a person's own items in one of their folders (or none) and files
    /// organisation items for them, in one transaction.
    async fn move_to_folder(&self, user_id: &str, own: &[String], folder_id: Option<&str>, marks: &[ItemMark]) -> Result<()>;
    async fn put_item(&self, item: &ItemRow) -> Result<()>;
    /// Adds new items (an import) in one transaction: all or none.
    async fn add_items(&self, folders: &[FolderRow], items: &[ItemRow]) -> Result<()>;
    /// Replaces an existing item of the user only (never inserts); whether one was.
    async fn update_item(&self, item: &ItemRow) -> Result<bool>;
    /// Deletes for good one of the user's items that is in the Trash; whether it was.
    async fn delete_item(&self, user_id: &str, id: &str) -> Result<bool>;
    /// Moves one of the user's items to the Trash (`at` Some) or back (None);
    /// whether it was there and in the other state.
    async fn trash_item(&self, user_id: &str, id: &str, at: Option<i64>, now: i64) -> Result<bool>;
    /// A client organisation's items, oldest first, and (item id, collection id) links.
    async fn list_org_items(&self, org_id: &str) -> Result<(Vec<OrgItemRow>, Vec<(String, String)>)>;
    /// One of the organisation's items (None for another organisation's).
    async fn org_item(&self, org_id: &str, id: &str) -> Result<Option<OrgItemRow>>;
    /// All of it or nothing: `Conflict::Stale` when an item to replace is not
    /// the organisation's or a link names another organisation's collection.
    async fn write_org_items(&self, w: &OrgItemsWrite) -> Result<()>;
    /// Deletes for good the organisation's items among `ids` that are in the
    /// Trash; how many went (the event is recorded when any did).
    async fn delete_org_items(&self, org_id: &str, ids: &[String], event: &EventRow) -> Result<u64>;
    /// Moves the organisation's items among `ids` to the Trash (`at` Some) or
    /// back (None), those in the other state only; how many moved.
    async fn trash_org_items(&self, org_id: &str, ids: &[String], at: Option<i64>, now: i64, event: &EventRow) -> Result<u64>;
    /// [`Self::trash_item`] and [`Self::trash_org_items`] for a whole batch,
    /// in one transaction (an organisation's event only if any of its items
    /// moved); how many moved.
    async fn trash_batch(&self, batch: &ItemBatch, at: Option<i64>, now: i64) -> Result<u64>;
    /// Deletes a batch of items for good, in the Trash or not (Bitwarden's
    /// bulk delete), in one transaction; how many went.
    async fn purge_batch(&self, batch: &ItemBatch) -> Result<u64>;
    /// Deletes every item (personal and organisations') in the Trash since
    /// `before` or earlier; how many went.
    async fn purge_trash(&self, before: i64) -> Result<u64>;
    /// An event on its own (e.g. an export, which changes nothing).
    async fn record_event(&self, event: &EventRow) -> Result<()> {
        self.record_events(std::slice::from_ref(event)).await
    }
    /// Several events in one transaction.
    async fn record_events(&self, events: &[EventRow]) -> Result<()>;

    // Change notifications between server instances (PostgreSQL LISTEN/NOTIFY).
    /// Sends a notification to every instance listening (a no-op on SQLite,
    /// where only one server instance can use the file).
    async fn notify(&self, _payload: &str) -> Result<()> {
        Ok(())
    }
    /// Starts listening; None where the backend has no notifications.
    async fn listen(&self) -> Result<Option<tokio::sync::mpsc::Receiver<String>>> {
        Ok(None)
    }
}

/// The LISTEN/NOTIFY channel of membership changes.
pub const CHANGES_CHANNEL: &str = "provider_changes";

pub type DynStore = Arc<dyn Store>;

pub use store_impl::{EVENT_COUNT_CAP, EVENT_FACET_WINDOW, PgStore, SqliteStore};

/// Opens (and migrates) the store named by a `DATABASE_URL`:
/// `sqlite://path?mode=rwc` or `postgres://…`.
pub async fn open(url: &str) -> Result<DynStore> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else {
        Err(Error::Database(sqlx::Error::Configuration("DATABASE_URL must start with sqlite: or postgres://".into())))
    }
}

#[cfg(any(test, feature = "testing"))]
pub mod testing;

#[cfg(test)]
mod contract_tests;
