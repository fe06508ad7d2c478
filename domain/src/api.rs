//! Wire types shared by the browser and the server (inputs and read models).
//! Secrets that must never cross the wire do not appear here.

use crate::kdf::KdfParams;
use crate::member::{ProviderUserType, StatusBadge};
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginInput {
    pub email: String,
    pub auth_hash: String,
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderSummary {
    pub id: String,
    pub name: String,
    pub user_type: ProviderUserType,
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
    /// Encrypted `vault::ItemData` JSON.
    pub data: String,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberListItem {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub user_type: ProviderUserType,
    pub badge: StatusBadge,
    pub invited_at: i64,
    pub expires_at: Option<i64>,
    pub user_id: Option<String>,
    pub is_me: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteInput {
    pub provider_id: String,
    pub emails: String,
    pub user_type: ProviderUserType,
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventItem {
    pub at: i64,
    pub kind: String,
    pub actor: Option<String>,
    pub target: Option<String>,
    pub detail: String,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPage {
    pub items: Vec<EventItem>,
    pub total: i64,
}
