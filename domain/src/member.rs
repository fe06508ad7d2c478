//! Provider user types and the membership state machine.

use serde::{Deserialize, Serialize};

/// The two provider user types, in privilege order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ProviderUserType {
    ServiceUser,
    ProviderAdmin,
}

impl ProviderUserType {
    pub const ALL: [ProviderUserType; 2] = [ProviderUserType::ServiceUser, ProviderUserType::ProviderAdmin];

    pub fn label(self) -> &'static str {
        match self {
            ProviderUserType::ServiceUser => "Service user",
            ProviderUserType::ProviderAdmin => "Provider admin",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            ProviderUserType::ServiceUser => "service_user",
            ProviderUserType::ProviderAdmin => "provider_admin",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == s)
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
    pub user_type: ProviderUserType,
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
        self.is_active() && self.user_type == ProviderUserType::ProviderAdmin
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
    #[error("This invitation has expired. Ask a Provider admin to send a new one.")]
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
        MemberFacts { user_type: ProviderUserType::ServiceUser, status, suspended, expires_at }
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
        for t in ProviderUserType::ALL {
            assert_eq!(ProviderUserType::from_code(t.code()), Some(t));
        }
        assert_eq!(MemberStatus::from_code("accepted"), Some(MemberStatus::Accepted));
        assert_eq!(MemberStatus::from_code("nope"), None);
        assert!(ProviderUserType::ProviderAdmin > ProviderUserType::ServiceUser);
    }
}
