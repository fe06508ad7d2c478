//! The authorization table, decided once. Every action a signed-in person can
//! take on a provider is listed here; the exhaustive `match` makes adding an
//! action fail to compile until somebody decides who may do it.

use crate::member::{MemberFacts, ProviderUserType};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// Open the Provider Portal and unwrap the provider key.
    OpenProvider,
    ListMembers,
    InviteMembers,
    ResendInvitations,
    ConfirmMembers,
    RemoveMembers,
    ChangeUserType,
    SuspendMembers,
    ViewProviderEvents,
    EditProviderSettings,
    /// Everything in a client organisation's Admin Console.
    ManageClients,
    CreateClient,
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::OpenProvider,
        Action::ListMembers,
        Action::InviteMembers,
        Action::ResendInvitations,
        Action::ConfirmMembers,
        Action::RemoveMembers,
        Action::ChangeUserType,
        Action::SuspendMembers,
        Action::ViewProviderEvents,
        Action::EditProviderSettings,
        Action::ManageClients,
        Action::CreateClient,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Denied {
    /// Not a member, or not yet confirmed, or suspended: the provider is not theirs to see.
    #[error("You are not a member of this provider.")]
    NotMember,
    /// A member, but the action needs a Provider admin.
    #[error("Only a Provider admin can do this.")]
    AdminOnly,
}

/// Who needs to be what for each action.
fn required(action: Action) -> Option<ProviderUserType> {
    match action {
        Action::OpenProvider | Action::ManageClients => None,
        Action::ListMembers
        | Action::InviteMembers
        | Action::ResendInvitations
        | Action::ConfirmMembers
        | Action::RemoveMembers
        | Action::ChangeUserType
        | Action::SuspendMembers
        | Action::ViewProviderEvents
        | Action::EditProviderSettings
        | Action::CreateClient => Some(ProviderUserType::ProviderAdmin),
    }
}

/// The one check: `membership` is the actor's own membership in the provider
/// the action is about (None for an outsider).
pub fn authorize(membership: Option<&MemberFacts>, action: Action) -> Result<(), Denied> {
    let m = membership.filter(|m| m.is_active()).ok_or(Denied::NotMember)?;
    match required(action) {
        None => Ok(()),
        Some(t) if m.user_type >= t => Ok(()),
        Some(_) => Err(Denied::AdminOnly),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::member::MemberStatus;

    fn m(t: ProviderUserType, s: MemberStatus, suspended: bool) -> MemberFacts {
        MemberFacts { user_type: t, status: s, suspended, expires_at: None }
    }

    #[test]
    fn the_whole_table() {
        use MemberStatus::*;
        use ProviderUserType::*;
        let admin = m(ProviderAdmin, Confirmed, false);
        let service = m(ServiceUser, Confirmed, false);
        for action in Action::ALL {
            // Provider admins may do everything.
            assert_eq!(authorize(Some(&admin), action), Ok(()), "{action:?}");
            // Service users may open the portal and manage clients, nothing else.
            let expect = match action {
                Action::OpenProvider | Action::ManageClients => Ok(()),
                _ => Err(Denied::AdminOnly),
            };
            assert_eq!(authorize(Some(&service), action), expect, "{action:?}");
            // Nobody who is not a confirmed, active member may do anything.
            assert_eq!(authorize(None, action), Err(Denied::NotMember));
            for t in ProviderUserType::ALL {
                for s in [Invited, Accepted] {
                    assert_eq!(authorize(Some(&m(t, s, false)), action), Err(Denied::NotMember));
                }
                for s in [Invited, Accepted, Confirmed] {
                    assert_eq!(authorize(Some(&m(t, s, true)), action), Err(Denied::NotMember));
                }
            }
        }
    }
}
