//! Provider user types and the membership state machine.

use serde::{Deserialize, Serialize};

/// What kind of tenant a membership belongs to: the provider itself, or one
/// of the client organisations it manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TenantKind {
    Provider,
    Organization,
}

impl TenantKind {
    pub fn code(self) -> &'static str {
        match self {
            TenantKind::Provider => "provider",
            TenantKind::Organization => "organization",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [TenantKind::Provider, TenantKind::Organization].into_iter().find(|k| k.code() == s)
    }
}

/// A member's role: the two provider user types, or a client organisation's
/// own roles. Each tenant kind accepts only its own roles (`Role::fits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    ServiceUser,
    ProviderAdmin,
    Owner,
    Admin,
    User,
    Custom,
}

impl Role {
    /// The provider user types.
    pub const PROVIDER: [Role; 2] = [Role::ServiceUser, Role::ProviderAdmin];
    /// A client organisation's roles.
    pub const ORGANIZATION: [Role; 4] = [Role::Owner, Role::Admin, Role::User, Role::Custom];

    pub fn for_kind(kind: TenantKind) -> &'static [Role] {
        match kind {
            TenantKind::Provider => &Self::PROVIDER,
            TenantKind::Organization => &Self::ORGANIZATION,
        }
    }
    pub fn fits(self, kind: TenantKind) -> bool {
        Self::for_kind(kind).contains(&self)
    }
    /// The role a tenant must always keep one confirmed, active member of.
    pub fn is_top(self) -> bool {
        matches!(self, Role::ProviderAdmin | Role::Owner)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::ServiceUser => "Service user",
            Role::ProviderAdmin => "Provider admin",
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::User => "User",
            Role::Custom => "Custom",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Role::ServiceUser => "service_user",
            Role::ProviderAdmin => "provider_admin",
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::User => "user",
            Role::Custom => "custom",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::PROVIDER.into_iter().chain(Self::ORGANIZATION).find(|t| t.code() == s)
    }
}

/// Where a membership stands: Invited → Accepted → Confirmed.
/// Suspension is kept beside the status (a suspended member keeps the step
/// they had reached and gets it back on restore).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MemberStatus {
    Invited,
    Accepted,
    Confirmed,
}

impl MemberStatus {
    pub fn code(self) -> &'static str {
        match self {
            MemberStatus::Invited => "invited",
            MemberStatus::Accepted => "accepted",
            MemberStatus::Confirmed => "confirmed",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [MemberStatus::Invited, MemberStatus::Accepted, MemberStatus::Confirmed].into_iter().find(|t| t.code() == s)
    }
}

/// What a person sees in the status column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatusBadge {
    Invited,
    Expired,
    NeedsConfirmation,
    Confirmed,
    Suspended,
}

impl StatusBadge {
    pub fn label(self) -> &'static str {
        match self {
            StatusBadge::Invited => "Invited",
            StatusBadge::Expired => "Expired",
            StatusBadge::NeedsConfirmation => "Needs confirmation",
            StatusBadge::Confirmed => "Confirmed",
            StatusBadge::Suspended => "Suspended",
        }
    }
}

/// The facts about one membership that the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberFacts {
    pub user_type: Role,
    pub status: MemberStatus,
    pub suspended: bool,
    /// Unix seconds after which an unanswered invitation is dead.
    pub expires_at: Option<i64>,
}

impl MemberFacts {
    pub fn badge(&self, now: i64) -> StatusBadge {
        if self.suspended {
            return StatusBadge::Suspended;
        }
        match self.status {
            MemberStatus::Invited if self.expires_at.is_some_and(|e| e <= now) => StatusBadge::Expired,
            MemberStatus::Invited => StatusBadge::Invited,
            MemberStatus::Accepted => StatusBadge::NeedsConfirmation,
            MemberStatus::Confirmed => StatusBadge::Confirmed,
        }
    }

    /// A member who may use the Provider Portal right now.
    pub fn is_active(&self) -> bool {
        self.status == MemberStatus::Confirmed && !self.suspended
    }

    pub fn is_active_admin(&self) -> bool {
        self.is_active() && self.user_type == Role::ProviderAdmin
    }

    /// An active Owner or Provider admin: the role a tenant must keep one of.
    pub fn is_active_top(&self) -> bool {
        self.is_active() && self.user_type.is_top()
    }

    pub fn can_accept(&self, now: i64) -> Result<(), TransitionError> {
        match self.status {
            MemberStatus::Invited if self.expires_at.is_some_and(|e| e <= now) => Err(TransitionError::Expired),
            MemberStatus::Invited => Ok(()),
            _ => Err(TransitionError::AlreadyAccepted),
        }
    }

    pub fn can_confirm(&self) -> Result<(), TransitionError> {
        match (self.status, self.suspended) {
            (_, true) => Err(TransitionError::Suspended),
            (MemberStatus::Accepted, false) => Ok(()),
            (MemberStatus::Invited, false) => Err(TransitionError::NotAccepted),
            (MemberStatus::Confirmed, false) => Err(TransitionError::AlreadyConfirmed),
        }
    }

    pub fn can_resend(&self) -> Result<(), TransitionError> {
        match self.status {
            MemberStatus::Invited if !self.suspended => Ok(()),
            MemberStatus::Invited => Err(TransitionError::Suspended),
            _ => Err(TransitionError::AlreadyAccepted),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TransitionError {
    #[error("This invitation has expired. Ask an administrator to send a new one.")]
    Expired,
    #[error("This invitation has already been accepted.")]
    AlreadyAccepted,
    #[error("The member has not accepted the invitation yet.")]
    NotAccepted,
    #[error("The member is already confirmed.")]
    AlreadyConfirmed,
    #[error("The member is suspended.")]
    Suspended,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: MemberStatus, suspended: bool, expires_at: Option<i64>) -> MemberFacts {
        MemberFacts { user_type: Role::ServiceUser, status, suspended, expires_at }
    }

    #[test]
    fn badges() {
        assert_eq!(facts(MemberStatus::Invited, false, Some(100)).badge(99), StatusBadge::Invited);
        assert_eq!(facts(MemberStatus::Invited, false, Some(100)).badge(100), StatusBadge::Expired);
        assert_eq!(facts(MemberStatus::Accepted, false, None).badge(0), StatusBadge::NeedsConfirmation);
        assert_eq!(facts(MemberStatus::Confirmed, true, None).badge(0), StatusBadge::Suspended);
        assert_eq!(StatusBadge::NeedsConfirmation.label(), "Needs confirmation");
    }

    #[test]
    fn transitions() {
        assert_eq!(facts(MemberStatus::Invited, false, Some(10)).can_accept(11), Err(TransitionError::Expired));
        assert!(facts(MemberStatus::Invited, false, Some(10)).can_accept(9).is_ok());
        assert_eq!(facts(MemberStatus::Accepted, false, None).can_accept(0), Err(TransitionError::AlreadyAccepted));
        assert!(facts(MemberStatus::Accepted, false, None).can_confirm().is_ok());
        assert_eq!(facts(MemberStatus::Accepted, true, None).can_confirm(), Err(TransitionError::Suspended));
        assert_eq!(facts(MemberStatus::Invited, false, None).can_confirm(), Err(TransitionError::NotAccepted));
        assert_eq!(facts(MemberStatus::Confirmed, false, None).can_resend(), Err(TransitionError::AlreadyAccepted));
        assert!(facts(MemberStatus::Confirmed, false, None).is_active());
        assert!(!facts(MemberStatus::Confirmed, true, None).is_active());
    }

    #[test]
    fn codes_round_trip() {
        for t in Role::PROVIDER.into_iter().chain(Role::ORGANIZATION) {
            assert_eq!(Role::from_code(t.code()), Some(t));
        }
        assert!(Role::Owner.fits(TenantKind::Organization) && !Role::Owner.fits(TenantKind::Provider));
        assert!(Role::ServiceUser.fits(TenantKind::Provider) && !Role::ServiceUser.fits(TenantKind::Organization));
        assert_eq!(TenantKind::from_code("organization"), Some(TenantKind::Organization));
        assert_eq!(MemberStatus::from_code("accepted"), Some(MemberStatus::Accepted));
        assert_eq!(MemberStatus::from_code("nope"), None);
    }
}
