//! Wire types shared by the browser and the server (inputs and read models).
//! Secrets that must never cross the wire do not appear here.

use crate::authz::Permissions;
use crate::kdf::KdfParams;
use crate::member::{Role, StatusBadge};
use crate::org::{CollectionPermission, GeneratorRules, MasterPasswordRules, PasswordFacts, Policy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterInput {
    pub email: String,
    pub name: String,
    pub hint: String,
    pub kdf: KdfParams,
    /// base64 of HKDF(master key, "auth"); the server stores only an Argon2id hash of it.
    pub auth_hash: String,
    pub protected_user_key: String,
    pub protected_private_key: String,
    /// base64 SPKI DER of the X25519 public key.
    pub public_key: String,
    /// Length and zxcvbn score of the master password, computed in the browser
    /// and checked against the policies of the organisation being joined.
    #[serde(default)]
    pub password: PasswordFacts,
    /// The invitation this account is created for, if any.
    #[serde(default)]
    pub invite_token: Option<String>,
}

impl RegisterInput {
    /// What the browser sends for keys it just made with `crypto::new_account`
    /// (no hint, no password facts, no invitation: set those fields after).
    pub fn for_new_account(email: &str, name: &str, kdf: KdfParams, keys: &crate::crypto::NewAccountKeys) -> Self {
        RegisterInput {
            email: email.into(),
            name: name.into(),
            hint: String::new(),
            kdf,
            auth_hash: keys.auth_hash.clone(),
            protected_user_key: keys.protected_user_key.clone(),
            protected_private_key: keys.protected_private_key.clone(),
            public_key: crate::crypto::b64(&keys.public_key_spki),
            password: PasswordFacts::default(),
            invite_token: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginInput {
    pub email: String,
    pub auth_hash: String,
    /// The second step, when the account has two-step login on.
    #[serde(default)]
    pub two_factor: Option<TwoFactorAnswer>,
}

impl LoginInput {
    pub fn new(email: impl Into<String>, auth_hash: impl Into<String>) -> Self {
        LoginInput { email: email.into(), auth_hash: auth_hash.into(), two_factor: None }
    }
}

/// What the log-in page says when the second step is needed.
pub const TWO_STEP_NEEDED: &str = "Enter the 6-digit code from your authenticator app.";
/// The error field that says the second step is an emailed code (its
/// message says where it went); `two_factor` is the authenticator app's.
pub const TWO_STEP_EMAIL_FIELD: &str = "two_factor_email";
/// The error field that says the second step is a security key: its message
/// is the WebAuthn request options (JSON, as
/// `PublicKeyCredential.parseRequestOptionsFromJSON` reads them).
pub const TWO_STEP_SECURITY_KEY_FIELD: &str = "two_factor_security_key";

/// The second step of a log-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TwoFactorAnswer {
    /// A code from the authenticator app; `remember` lets this browser or app
    /// skip the code for 30 days.
    Authenticator { code: String, remember: bool },
    /// The code mailed for this log-in; `remember` as for the authenticator.
    Email { code: String, remember: bool },
    /// A security key's answer to the challenge (the credential's JSON, as
    /// the browser's `PublicKeyCredential.toJSON()` gives it).
    SecurityKey { response: String, remember: bool },
    /// The recovery code: it turns two-step login off.
    Recovery { code: String },
    /// The token of a remembered browser or app.
    Remembered { token: String },
}

/// Two-step login as the account's settings show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    /// When two-step login was turned on (None: off).
    pub enabled_at: Option<i64>,
    /// The second step in force (None while off).
    #[serde(default)]
    pub method: Option<crate::two_factor::Method>,
    /// The security keys registered (with the security-key method).
    #[serde(default)]
    pub security_keys: Vec<SecurityKeyInfo>,
}

/// A registered security key, as the settings list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityKeyInfo {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// Setting up an authenticator app: the key to type in, the link, and the
/// QR code (an SVG image) that carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorSetup {
    pub key: String,
    pub uri: String,
    pub qr_svg: String,
}

/// A person's API key for Bitwarden's CLI (`bw login --apikey`), shown once
/// when made: the server keeps only a hash of the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub client_id: String,
    pub client_secret: String,
}

/// The signed-in user's profile and protected (still encrypted) keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub kdf: KdfParams,
    pub protected_user_key: String,
    pub protected_private_key: String,
    pub public_key: String,
    pub fingerprint: String,
    pub providers: Vec<ProviderSummary>,
    /// Client organisations the user is a member of (by their own role).
    #[serde(default)]
    pub organizations: Vec<ProviderSummary>,
    /// What the policies of those organisations ask of this user.
    #[serde(default)]
    pub policies: MyPolicies,
    /// An administrator reset the master password (account recovery): the
    /// person is asked to choose their own.
    #[serde(default)]
    pub password_reset: bool,
}

/// The combined effect of the policies of every organisation the user is in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MyPolicies {
    pub master_password: Option<MasterPasswordRules>,
    pub generator: Option<GeneratorRules>,
    pub single_org: bool,
    pub no_individual_vault: bool,
    /// The longest the vault may stay unlocked without activity.
    #[serde(default)]
    pub vault_timeout: Option<crate::org::VaultTimeoutRules>,
    /// The individual vault cannot be exported.
    #[serde(default)]
    pub no_personal_export: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderSummary {
    pub id: String,
    pub name: String,
    pub user_type: Role,
    pub badge: StatusBadge,
    /// The provider key sealed to this user's public key (confirmed members only).
    pub wrapped_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetupProviderInput {
    pub name: String,
    pub billing_email: String,
    /// The new provider key, sealed in the browser to the admin's own public key.
    pub wrapped_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaultItem {
    pub id: String,
    /// A Bitwarden cipher (JSON), every text field encrypted with the user key.
    pub data: String,
    pub updated_at: i64,
    /// In the Trash since (None: not deleted).
    #[serde(default)]
    pub deleted_at: Option<i64>,
    /// The person's folder it is in.
    #[serde(default)]
    pub folder_id: Option<String>,
}

/// One of Bitwarden's apps logged in to the account (a browser extension, a
/// phone, a desktop app, the CLI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppDevice {
    pub id: String,
    pub name: String,
    /// What kind of app, in words ("Linux CLI", "Chrome extension", …).
    pub kind: String,
    pub created_at: i64,
    pub used_at: i64,
}

/// Bitwarden's `DeviceType` number in words.
pub fn device_kind(n: i64) -> &'static str {
    const KINDS: [&str; 28] = [
        "Android",
        "iOS",
        "Chrome extension",
        "Firefox extension",
        "Opera extension",
        "Edge extension",
        "Windows desktop",
        "macOS desktop",
        "Linux desktop",
        "Chrome",
        "Firefox",
        "Opera",
        "Edge",
        "Internet Explorer",
        "Browser",
        "Android (Amazon)",
        "Windows (UWP)",
        "Safari",
        "Vivaldi",
        "Vivaldi extension",
        "Safari extension",
        "SDK",
        "Server",
        "Windows CLI",
        "macOS CLI",
        "Linux CLI",
        "DuckDuckGo",
        "DuckDuckGo extension",
    ];
    usize::try_from(n).ok().and_then(|i| KINDS.get(i)).copied().unwrap_or("App")
}

/// A person's folder; the name is an EncString under their user key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folder {
    pub id: String,
    pub name: String,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberListItem {
    pub id: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub user_type: Role,
    pub badge: StatusBadge,
    pub invited_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_me: bool,
    /// Only Custom members have any; left out of the JSON when none
    /// (a third of a 10,000-member list's bytes otherwise).
    #[serde(default, skip_serializing_if = "Permissions::is_none")]
    pub permissions: Permissions,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteInput {
    pub provider_id: String,
    pub emails: String,
    pub user_type: Role,
    /// For the Custom role.
    #[serde(default)]
    pub permissions: Permissions,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum InviteEntryOutcome {
    Invited,
    AlreadyMember,
    Repeated,
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteEntry {
    pub input: String,
    pub outcome: InviteEntryOutcome,
}

/// For the confirm dialog: what the admin compares with the member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfirmCandidate {
    pub member_id: String,
    pub email: String,
    pub name: Option<String>,
    pub user_id: String,
    /// base64 SPKI DER; the browser seals the provider key to it.
    pub public_key: String,
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WrappedKey {
    pub member_id: String,
    pub wrapped_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberResult {
    pub member_id: String,
    pub email: String,
    /// None when done; otherwise why it was skipped.
    pub skipped: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum InvitationState {
    Open,
    Expired,
    Gone,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationInfo {
    pub state: InvitationState,
    pub provider_name: Option<String>,
    pub email: Option<String>,
    /// True when the invitation is to a client organisation.
    #[serde(default)]
    pub organization: bool,
    /// The organisation's master password requirements, if it has them.
    #[serde(default)]
    pub master_password: Option<MasterPasswordRules>,
    /// The organisation enrols members in account recovery when they accept:
    /// its recovery public key (SPKI, base64) and that key's fingerprint phrase.
    #[serde(default)]
    pub auto_enrol: Option<(String, String)>,
    /// How long invitations stay valid, in words ("5 days", "12 hours").
    #[serde(default)]
    pub valid_for: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventItem {
    pub at: i64,
    pub kind: String,
    pub actor: Option<String>,
    pub target: Option<String>,
    pub detail: String,
    pub ip: Option<String>,
    /// Whose log it is in (the provider's or a client's name), in a log that
    /// shows its clients' events too.
    #[serde(default)]
    pub tenant: Option<String>,
}

/// What an event log shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventFilter {
    /// From this time (inclusive) to that (exclusive), Unix seconds.
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Only events about this member (by email).
    #[serde(default)]
    pub member: Option<String>,
    /// A provider's log with every client organisation's events too.
    #[serde(default)]
    pub clients: bool,
    /// Only the events of this tenant: the provider, or one of its clients.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Only what this person did (by email).
    #[serde(default)]
    pub actor: Option<String>,
    /// Only events of this kind.
    #[serde(default)]
    pub kind: Option<String>,
}

/// The choices of an event log's filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventFacets {
    /// The log's tenant first, then its clients by name: (id, name).
    pub tenants: Vec<(String, String)>,
    pub kinds: Vec<String>,
    pub actors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPage {
    pub items: Vec<EventItem>,
    /// How many events the filters select, counted up to `EVENT_COUNT_CAP`
    /// + 1: more than the cap reads "10,000+".
    pub total: i64,
}

/// Where an event log's count stops (a million-event log is not counted
/// for every page; its export streams it whole).
pub const EVENT_COUNT_CAP: i64 = 10_000;

/// Which events of a log a page shows: "1–100 of 2,345" / "1–100 of 10,000+".
pub fn event_range(total: i64, offset: i64, page: i64) -> String {
    use crate::text::thousands;
    let of = if total > EVENT_COUNT_CAP { format!("{}+", thousands(EVENT_COUNT_CAP)) } else { thousands(total) };
    format!("{}–{} of {of}", thousands((offset + 1).min(total)), thousands((offset + page).min(total)))
}

/// One client organisation as the provider sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientSummary {
    pub id: String,
    pub name: String,
    pub seats: i64,
    pub used: i64,
    pub owner_email: Option<String>,
    pub created_at: i64,
    /// How far the Owner has come: Invited, Needs confirmation or Confirmed.
    #[serde(default)]
    pub owner_badge: Option<crate::member::StatusBadge>,
    /// The newest event in the organisation's log.
    #[serde(default)]
    pub last_activity: Option<i64>,
    /// When its provider suspended it; None while active.
    #[serde(default)]
    pub suspended_at: Option<i64>,
    /// How many of the baseline's policies it differs in; None without a baseline.
    #[serde(default)]
    pub drift: Option<usize>,
}

/// One policy of the provider's baseline: whether it is compared at all, and how it should be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselinePolicy {
    pub included: bool,
    pub policy: crate::org::Policy,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaveBaselineInput {
    pub provider_id: String,
    pub included: bool,
    pub policy: crate::org::Policy,
}

/// A client organisation and where its policies differ from the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientDrift {
    pub org_id: String,
    pub org_name: String,
    pub drift: Vec<crate::org::PolicyDrift>,
}

/// One client's row of the monthly usage report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientUsage {
    pub org_id: String,
    pub name: String,
    pub suspended: bool,
    pub usage: crate::org::MonthUsage,
}

/// Every client's seats and members over one month (`yyyy-mm`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageReport {
    pub month: String,
    pub clients: Vec<ClientUsage>,
}

/// What applying the baseline changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineApplied {
    pub clients: usize,
    pub policies: usize,
}

/// One row of the provider's onboarding queue: a client organisation's
/// member who is Invited, Expired or Needs confirmation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnboardingItem {
    pub org_id: String,
    pub org_name: String,
    pub member: MemberListItem,
}

/// A client's key encrypted with the provider key, for confirming its
/// members from the onboarding queue (fetched for the clients confirmed,
/// not with every row of the queue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientKey {
    pub org_id: String,
    pub org_key: Option<String>,
}

/// The Clients page and the Billing page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientsView {
    pub total_seats: i64,
    pub assigned: i64,
    pub clients: Vec<ClientSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateClientInput {
    pub provider_id: String,
    pub name: String,
    pub owner_email: String,
    pub seats: i64,
    /// The new organisation key, encrypted in the browser with the provider key.
    pub org_key: String,
}

/// An organisation the viewer owns that no provider manages: one they may
/// add to a provider they administer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkableOrg {
    pub id: String,
    pub name: String,
    pub seats: i64,
    /// Members holding a seat.
    pub used: i64,
    /// The organisation key sealed to the viewer (their Owner membership).
    pub member_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddExistingClientInput {
    pub provider_id: String,
    pub org_id: String,
    pub seats: i64,
    /// The organisation's key, opened in the Owner's browser and encrypted
    /// there with the provider key.
    pub org_key: String,
}

/// What the Admin Console needs about the organisation and the viewer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgContext {
    pub id: String,
    pub name: String,
    pub provider_id: Option<String>,
    pub provider_name: Option<String>,
    pub seats: i64,
    pub used: i64,
    /// For provider staff: the organisation key encrypted with the provider key.
    pub org_key: Option<String>,
    /// For the organisation's own confirmed members: the key sealed to them.
    pub member_key: Option<String>,
    pub via_provider: bool,
    pub role: Option<Role>,
    pub permissions: Permissions,
    /// The actions the viewer may take here (so the console hides the rest).
    pub can: Vec<crate::authz::Action>,
    /// Suspended by its provider (only provider staff get this far).
    #[serde(default)]
    pub suspended: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupView {
    pub id: String,
    pub name: String,
    pub member_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaveGroupInput {
    pub org_id: String,
    /// None creates a group.
    pub group_id: Option<String>,
    pub name: String,
    pub member_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Subject {
    Member(String),
    Group(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessEntry {
    pub subject: Subject,
    pub permission: CollectionPermission,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionView {
    pub id: String,
    /// Encrypted with the organisation key.
    pub name: String,
    pub access: Vec<AccessEntry>,
    /// Items in the collection, and those of them in no other collection.
    #[serde(default)]
    pub items: i64,
    #[serde(default)]
    pub only_here: i64,
}

/// One way a member reaches a collection: directly, or through a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberGrant {
    pub collection_id: String,
    /// The collection's name, still encrypted with the organisation key.
    pub collection_name: String,
    pub permission: CollectionPermission,
    /// The group's name when the access comes through a group.
    pub via_group: Option<String>,
}

/// A member's groups (names, sorted) and every grant reaching them, in the
/// collections' order, direct access before group access (member details).
pub fn member_access(member_id: &str, groups: &[GroupView], collections: &[CollectionView]) -> (Vec<String>, Vec<MemberGrant>) {
    let mine: Vec<&GroupView> = groups.iter().filter(|g| g.member_ids.iter().any(|m| m == member_id)).collect();
    let mut names: Vec<String> = mine.iter().map(|g| g.name.clone()).collect();
    names.sort_by_key(|n| n.to_lowercase());
    let mut grants = Vec::new();
    for c in collections {
        let grant = |permission, via_group| MemberGrant { collection_id: c.id.clone(), collection_name: c.name.clone(), permission, via_group };
        grants.extend(c.access.iter().filter(|a| a.subject == Subject::Member(member_id.to_string())).map(|a| grant(a.permission, None)));
        for a in &c.access {
            if let Subject::Group(gid) = &a.subject
                && let Some(g) = mine.iter().find(|g| &g.id == gid)
            {
                grants.push(grant(a.permission, Some(g.name.clone())));
            }
        }
    }
    (names, grants)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaveCollectionInput {
    pub org_id: String,
    pub collection_id: Option<String>,
    /// Encrypted with the organisation key in the browser.
    pub name: String,
    pub access: Vec<AccessEntry>,
}

/// One item of a client organisation's vault, as the server keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgItem {
    pub id: String,
    /// A Bitwarden cipher (JSON), every text field encrypted with the organisation key.
    pub data: String,
    pub collection_ids: Vec<String>,
    pub updated_at: i64,
    /// In the Trash since (None: not deleted).
    #[serde(default)]
    pub deleted_at: Option<i64>,
}

/// What a person reaches of their organisations' vaults, for their own
/// vault page: the items of the collections shared with them (directly or
/// through a group), each with what they may do with it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SharedVault {
    pub items: Vec<SharedItem>,
    pub collections: Vec<SharedCollection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedItem {
    pub org_id: String,
    pub item: OrgItem,
    /// Can edit (or manage) in one of its collections.
    pub edit: bool,
    /// False under "Can view, except passwords": the page hides the
    /// password, the authenticator key and hidden fields.
    pub view_password: bool,
    /// The person's own folder for it.
    #[serde(default)]
    pub folder_id: Option<String>,
    /// The person's own favourite mark.
    #[serde(default)]
    pub favourite: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedCollection {
    pub org_id: String,
    pub id: String,
    /// Encrypted with the organisation key.
    pub name: String,
    /// New items may be saved into it.
    pub edit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaveOrgItemInput {
    pub org_id: String,
    /// None creates an item.
    pub item_id: Option<String>,
    pub data: String,
    pub collection_ids: Vec<String>,
    /// The item's folder and favourite (in `data`) are the saving person's
    /// own filing (their vault, Bitwarden's apps). False from the Admin
    /// Console, which leaves them as they were.
    #[serde(default)]
    pub file: bool,
}

/// Assign to collections: the chosen items are added to the chosen
/// collections (the collections they are in already stay).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignOrgItemsInput {
    pub org_id: String,
    pub item_ids: Vec<String>,
    pub collection_ids: Vec<String>,
}

/// A collection an import creates: `name` is encrypted with the organisation
/// key; `key` is how the import's items refer to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCollection {
    pub key: String,
    pub name: String,
}

/// A folder an import into the person's own vault makes: the name encrypted
/// with their user key; `key` is how the import's items (`folderId`) refer to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFolder {
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportItem {
    pub data: String,
    /// Ids of existing collections, or keys of `ImportInput::new_collections`.
    pub collections: Vec<String>,
}

/// A whole import, encrypted in the browser, stored in one transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportInput {
    pub org_id: String,
    pub new_collections: Vec<NewCollection>,
    pub items: Vec<ImportItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub items: usize,
    pub collections: usize,
}

/// What an export hands to the browser: every item and collection, encrypted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgExport {
    pub items: Vec<OrgItem>,
    /// (id, encrypted name)
    pub collections: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavePolicyInput {
    pub org_id: String,
    pub policy: Policy,
}

/// Changing the master password: everything is computed in the browser; the
/// user key stays the same and is re-encrypted under the new master key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangePasswordInput {
    /// Proves the current master password.
    pub current_auth_hash: String,
    pub new_auth_hash: String,
    /// The unchanged user key, encrypted under the new stretched master key.
    pub new_protected_user_key: String,
    /// Length and zxcvbn score of the new password, for organisation policies.
    pub password: PasswordFacts,
}

/// Account recovery in one organisation, as the member sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryStatus {
    pub org_id: String,
    pub org_name: String,
    /// The organisation's recovery public key (SPKI, base64); None until an
    /// administrator has set account recovery up.
    pub public_key: Option<String>,
    /// The fingerprint phrase of that key, to compare before enrolling.
    pub fingerprint: Option<String>,
    pub enrolled: bool,
    /// The organisation's policy enrols members automatically and forbids withdrawing.
    #[serde(default)]
    pub auto_enrol: bool,
}

/// What an administrator's browser needs to reset an enrolled member's
/// master password: all of it still encrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryMaterial {
    pub email: String,
    pub kdf: KdfParams,
    /// The organisation's private key, encrypted with the organisation key.
    pub private_key: String,
    /// The member's user key, sealed to the organisation's public key.
    pub sealed_user_key: String,
}

/// Resets a member's master password (account recovery).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoverAccountInput {
    pub org_id: String,
    pub member_id: String,
    /// The new master password's authentication hash.
    pub auth_hash: String,
    /// The member's user key wrapped under the new master password.
    pub protected_user_key: String,
    /// The new password's length and strength (the organisation's master
    /// password policy applies), never the password.
    pub password: crate::org::PasswordFacts,
}

#[cfg(test)]
mod member_access_tests {
    use super::*;

    #[test]
    fn direct_and_group_grants_of_one_member() {
        let g = |id: &str, name: &str, members: &[&str]| GroupView {
            id: id.into(),
            name: name.into(),
            member_ids: members.iter().map(|m| m.to_string()).collect(),
        };
        let groups = vec![g("g1", "sales", &["m1", "m2"]), g("g2", "Admins", &["m1"]), g("g3", "Finance", &["m2"])];
        let access = |subject, permission| AccessEntry { subject, permission };
        let collections = vec![
            CollectionView {
                id: "c1".into(),
                name: "2.enc-a".into(),
                access: vec![
                    access(Subject::Member("m1".into()), CollectionPermission::CanView),
                    access(Subject::Group("g2".into()), CollectionPermission::CanManage),
                    access(Subject::Group("g3".into()), CollectionPermission::CanEdit),
                ],
                items: 0,
                only_here: 0,
            },
            CollectionView {
                id: "c2".into(),
                name: "2.enc-b".into(),
                access: vec![access(Subject::Member("m2".into()), CollectionPermission::CanEdit)],
                items: 0,
                only_here: 0,
            },
        ];
        let (names, grants) = member_access("m1", &groups, &collections);
        assert_eq!(names, ["Admins", "sales"], "sorted without regard to case");
        assert_eq!(grants.len(), 2, "{grants:?}");
        assert_eq!((grants[0].collection_id.as_str(), grants[0].permission, grants[0].via_group.as_deref()), ("c1", CollectionPermission::CanView, None));
        assert_eq!((grants[1].permission, grants[1].via_group.as_deref()), (CollectionPermission::CanManage, Some("Admins")));
        let (names, grants) = member_access("m2", &groups, &collections);
        assert_eq!(names, ["Finance", "sales"]);
        assert_eq!(grants.iter().map(|g| (g.collection_id.as_str(), g.via_group.is_some())).collect::<Vec<_>>(), [("c1", true), ("c2", false)]);
        assert_eq!(member_access("nobody", &groups, &collections), (vec![], vec![]));
    }
}
