//! Pure domain rules of the Provider Portal: value types that validate on
//! construction, the membership state machine, the authorization table, the
//! fingerprint phrase and the browser-side cryptography. No IO, no clock:
//! time is always passed in. Compiles for native and `wasm32-unknown-unknown`.

pub mod api;
pub mod authz;
pub mod bitwarden;
pub mod crypto;
pub mod email;
pub mod fingerprint;
pub mod kdf;
pub mod member;
pub mod org;
pub mod recovery;
pub mod text;
pub mod time;
pub mod token;
pub mod totp;
pub mod transfer;
pub mod two_factor;
pub mod vault;
pub mod vault_timeout;

pub use email::{Email, EmailError, InviteList, InviteListError, InviteOutcome};
pub use kdf::KdfParams;
pub use member::{MemberStatus, Role, TenantKind};

/// A field-level validation error that is safe to show to anybody.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}
