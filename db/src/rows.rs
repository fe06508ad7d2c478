//! Plain rows as stored; the service turns them into read models.

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub hint: Option<String>,
    pub kdf_memory: i64,
    pub kdf_iterations: i64,
    pub kdf_parallelism: i64,
    /// PHC string of Argon2id over the client's authentication hash.
    pub auth_hash: String,
    pub protected_user_key: String,
    pub protected_private_key: String,
    pub public_key: Vec<u8>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub ip: Option<String>,
}

/// One installation of a Bitwarden app logged in to an account.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DeviceRow {
    pub id: String,
    pub user_id: String,
    pub identifier: String,
    pub name: String,
    pub kind: i64,
    pub refresh_hash: String,
    pub created_at: i64,
    pub used_at: i64,
    pub expires_at: i64,
}

/// An account's authenticator app (two-step login): the key sealed with the
/// server's key, enabled once a first code confirmed it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TwoFactorRow {
    pub user_id: String,
    pub totp_secret: String,
    pub enabled_at: Option<i64>,
    pub last_step: i64,
    pub recovery_hash: Option<String>,
    pub created_at: i64,
    /// The second step: `domain::two_factor::Method`'s code ("authenticator", "email").
    pub method: String,
}

/// A security key registered for two-step login: the credential (public key
/// and counter) as webauthn-rs keeps it, JSON.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SecurityKeyRow {
    /// The credential id, base64url.
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub credential: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A two-step login code mailed to an account: only its MAC is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailCodeRow {
    pub user_id: String,
    pub code_mac: String,
    /// "setup" (turning email codes on) or "login".
    pub purpose: String,
    pub sent_at: i64,
    pub expires_at: i64,
}

/// A rate-limit counter in its current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Counter {
    /// Hits in the window, this one included.
    pub count: i64,
    /// When the last hit was counted.
    pub last_at: i64,
    /// When the window ends (and the row may be purged).
    pub ends_at: i64,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ProviderRow {
    pub id: String,
    pub name: String,
    pub billing_email: String,
    pub created_at: i64,
    /// "provider" or "organization" (a client of `parent_id`).
    pub kind: String,
    pub parent_id: Option<String>,
    /// Provider: total seats. Organisation: seats assigned to it.
    pub seats: i64,
    /// Organisation: its key encrypted with the provider key.
    pub org_key: Option<String>,
    /// Bumped by every transaction that changes the tenant's members (see
    /// `lock_tenant`); a member list read after seeing version `v` is at
    /// least as new as `v`. Queries that do not select it read 0.
    #[sqlx(default)]
    pub version: i64,
    /// A client organisation its provider suspended (when); None while active.
    /// Queries that do not select it read None.
    #[sqlx(default)]
    pub suspended_at: Option<i64>,
}

impl ProviderRow {
    pub fn is_organization(&self) -> bool {
        self.kind == "organization"
    }
}

/// A tenant with the columns of one membership, NULL when there is none
/// (`Store::tenant_with_member`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct TenantMemberRow {
    #[sqlx(flatten)]
    pub tenant: ProviderRow,
    pub m_id: Option<String>,
    pub m_user_id: Option<String>,
    pub m_email: Option<String>,
    pub m_user_type: Option<String>,
    pub m_status: Option<String>,
    pub m_suspended: Option<bool>,
    pub m_wrapped_key: Option<String>,
    pub m_invited_at: Option<i64>,
    pub m_expires_at: Option<i64>,
    pub m_accepted_at: Option<i64>,
    pub m_confirmed_at: Option<i64>,
    pub m_permissions: Option<String>,
}

impl TenantMemberRow {
    pub(crate) fn split(self) -> (ProviderRow, Option<MemberRow>) {
        let member = self.m_id.map(|id| MemberRow {
            id,
            provider_id: self.tenant.id.clone(),
            user_id: self.m_user_id,
            email: self.m_email.unwrap_or_default(),
            user_type: self.m_user_type.unwrap_or_default(),
            status: self.m_status.unwrap_or_default(),
            suspended: self.m_suspended.unwrap_or_default(),
            wrapped_key: self.m_wrapped_key,
            invited_at: self.m_invited_at.unwrap_or_default(),
            expires_at: self.m_expires_at,
            accepted_at: self.m_accepted_at,
            confirmed_at: self.m_confirmed_at,
            permissions: self.m_permissions.unwrap_or_default(),
        });
        (self.tenant, member)
    }
}

/// A client organisation with its seat use (members not revoked).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ClientRow {
    #[sqlx(flatten)]
    pub org: ProviderRow,
    pub used: i64,
    pub owner_email: Option<String>,
    /// The furthest an Owner has come: `confirmed`, `accepted` or `invited`.
    pub owner_status: Option<String>,
    /// The newest event of the organisation.
    pub last_activity: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct GroupRow {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CollectionRow {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub created_at: i64,
}

/// One grant: a member or a group (exactly one) with a permission code.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccessRow {
    pub collection_id: String,
    pub member_id: Option<String>,
    pub group_id: Option<String>,
    pub permission: String,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PolicyRow {
    pub org_id: String,
    pub kind: String,
    pub enabled: bool,
    pub data: String,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Deserialize)]
pub struct MemberRow {
    pub id: String,
    pub provider_id: String,
    pub user_id: Option<String>,
    pub email: String,
    pub user_type: String,
    pub status: String,
    pub suspended: bool,
    pub wrapped_key: Option<String>,
    pub invited_at: i64,
    pub expires_at: Option<i64>,
    pub accepted_at: Option<i64>,
    pub confirmed_at: Option<i64>,
    /// A Custom member's permission code ("" otherwise).
    #[serde(default)]
    pub permissions: String,
}

/// A member with the account's name and public key.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MemberView {
    #[sqlx(flatten)]
    pub member: MemberRow,
    pub name: Option<String>,
    pub public_key: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    pub provider_id: String,
    pub actor_user_id: Option<String>,
    pub actor_email: Option<String>,
    pub target_email: Option<String>,
    pub kind: String,
    pub detail: String,
    pub ip: Option<String>,
    pub at: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub offset: i64,
    pub limit: i64,
    /// Only events about this member (by email).
    pub target: Option<String>,
    /// Only events done by this person (by email).
    pub actor: Option<String>,
    /// Only events of this kind.
    pub kind: Option<String>,
    /// A provider's log with its client organisations' events too.
    pub with_clients: bool,
    /// Only the events of this tenant (the log's own, or one of its clients).
    pub tenant: Option<String>,
    /// Only events after this one in the log's order (newest first): its
    /// time and id. How an export walks a long log without OFFSET.
    pub before: Option<(i64, String)>,
}

/// A value bound to an event query's placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum EventArg {
    Text(String),
    Int(i64),
}

/// The WHERE clause of a log query and its values, in placeholder order
/// (`$1`…): only the filters given, so each backend can use its indexes.
/// The log is the tenant's own events, with its client organisations' when
/// `with_clients`; `tenant` narrows it to one of those, and selects nothing
/// outside it.
pub fn event_where(provider_id: &str, q: &EventQuery) -> (String, Vec<EventArg>) {
    let mut args: Vec<EventArg> = Vec::new();
    let mut arg = |a: EventArg| {
        args.push(a);
        format!("${}", args.len())
    };
    let mut parts = Vec::new();
    match (&q.tenant, q.with_clients) {
        (Some(t), _) if t == provider_id => parts.push(format!("e.provider_id = {}", arg(EventArg::Text(t.clone())))),
        (Some(t), true) => {
            let t1 = arg(EventArg::Text(t.clone()));
            let t2 = arg(EventArg::Text(t.clone()));
            let p = arg(EventArg::Text(provider_id.to_string()));
            parts.push(format!("e.provider_id = {t1} AND EXISTS (SELECT 1 FROM providers c WHERE c.id = {t2} AND c.parent_id = {p})"));
        }
        (Some(_), false) => parts.push("1 = 0".to_string()),
        (None, true) => {
            // `|| ''` keeps both planners off the per-tenant index here: a
            // provider's log with all its clients is most of the table, read
            // newest first through the time index and stopped at the page
            // (a per-tenant plan sorted the whole million; BENCHMARKS.md).
            let p1 = arg(EventArg::Text(provider_id.to_string()));
            let p2 = arg(EventArg::Text(provider_id.to_string()));
            parts.push(format!("(e.provider_id || '') IN (SELECT c.id FROM providers c WHERE c.id = {p1} OR c.parent_id = {p2})"));
        }
        (None, false) => parts.push(format!("e.provider_id = {}", arg(EventArg::Text(provider_id.to_string())))),
    }
    if let Some(from) = q.from {
        parts.push(format!("e.at >= {}", arg(EventArg::Int(from))));
    }
    if let Some(to) = q.to {
        parts.push(format!("e.at < {}", arg(EventArg::Int(to))));
    }
    for (column, value) in [("e.target_email", &q.target), ("e.actor_email", &q.actor), ("e.kind", &q.kind)] {
        if let Some(v) = value {
            parts.push(format!("{column} = {}", arg(EventArg::Text(v.clone()))));
        }
    }
    if let Some((at, id)) = &q.before {
        let (a1, a2, i) = (arg(EventArg::Int(*at)), arg(EventArg::Int(*at)), arg(EventArg::Text(id.clone())));
        parts.push(format!("(e.at < {a1} OR (e.at = {a2} AND e.id < {i}))"));
    }
    (parts.join(" AND "), args)
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MailRow {
    pub id: String,
    pub provider_id: Option<String>,
    pub to_addr: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub created_at: i64,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
    /// The invited member, for an invitation mail: it is deleted unsent when
    /// the invitation's token is replaced or the member removed.
    pub member_id: Option<String>,
    /// When the invitation in it expires: never sent after.
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ItemRow {
    pub id: String,
    pub user_id: String,
    pub data: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// In the Trash since (None: not deleted).
    pub deleted_at: Option<i64>,
    /// The person's folder it is in.
    pub folder_id: Option<String>,
}

/// A person's folder: the name is an EncString under their user key.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FolderRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// How one person files an organisation's item: their folder and favourite.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ItemMark {
    pub user_id: String,
    pub item_id: String,
    pub folder_id: Option<String>,
    pub favourite: bool,
}

/// One item of a client organisation's vault (ciphertext only).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrgItemRow {
    pub id: String,
    pub org_id: String,
    pub data: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// In the Trash since (None: not deleted).
    pub deleted_at: Option<i64>,
}

/// Organisation items written in one transaction (a save, or a whole import):
/// collections to create first, items to create or replace, and the
/// collections of each of those items (replacing what they were in).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrgItemsWrite {
    pub org_id: String,
    pub new_collections: Vec<CollectionRow>,
    pub items: Vec<OrgItemRow>,
    /// (item id, collection id); every collection must be the organisation's.
    pub links: Vec<(String, String)>,
    pub events: Vec<EventRow>,
    /// The saving person's folder and favourite for items written here (a
    /// folder that is not theirs is ignored).
    pub marks: Vec<ItemMark>,
    /// Items moved here from this person's own vault (Bitwarden's "share"):
    /// each must be theirs and out of the Trash, and leaves their vault in
    /// the same transaction.
    pub moved_from: Option<String>,
}

/// Items one request changes at once, across a person's own vault and their
/// organisations (Bitwarden's bulk cipher endpoints): each organisation's
/// items with the event for its log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemBatch {
    /// The person whose own items are among them.
    pub user_id: String,
    pub personal: Vec<String>,
    /// (organisation id, its item ids, the event for its log).
    pub orgs: Vec<(String, Vec<String>, EventRow)>,
}

/// One change to a provider's membership. Updates name the state they expect
/// to find; if the row moved on meanwhile the whole batch fails with `Stale`.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant, reason = "a batch is built once per request and applied at once; boxing the invite would only add allocations")]
pub enum MemberChange {
    Invite {
        member: MemberRow,
        token_hash: String,
    },
    /// Resend: kills every earlier token of the member and stores a new one.
    ReplaceToken {
        member_id: String,
        token_hash: String,
        expires_at: i64,
    },
    Confirm {
        member_id: String,
        wrapped_key: String,
        now: i64,
    },
    SetUserType {
        member_id: String,
        user_type: String,
        permissions: String,
    },
    SetSuspended {
        member_id: String,
        suspended: bool,
    },
    Remove {
        member_id: String,
    },
}

/// Everything one admin action writes, applied atomically.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberBatch {
    pub provider_id: String,
    /// The acting user; at commit must still be a confirmed, active Provider
    /// admin (provider), or an active Owner/Admin/Custom of the organisation or
    /// active staff of its provider (organisation).
    pub actor_user_id: String,
    pub changes: Vec<MemberChange>,
    pub events: Vec<EventRow>,
    pub mails: Vec<MailRow>,
}

/// An account recovery (see `Store::recover_account`).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountRecovery {
    pub user_id: String,
    pub org_id: String,
    pub auth_hash: String,
    pub protected_user_key: String,
    pub at: i64,
    pub events: Vec<EventRow>,
    pub mail: MailRow,
}
