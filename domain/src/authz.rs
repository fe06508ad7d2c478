//! The authorization table, decided once. Every action a signed-in person can
//! take on a provider is listed here; the exhaustive `match` makes adding an
//! action fail to compile until somebody decides who may do it.

use crate::member::{MemberFacts, Role};
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
    /// The provider's total seats (Billing / Subscription).
    ManageBilling,
    // Client organisation only:
    ManageGroups,
    ManageCollections,
    ManagePolicies,
    /// A client organisation's seats, taken from the provider's total.
    ManageSeats,
    /// A client organisation's vault items: see, add, change, delete, import
    /// and export them (all encrypted with the organisation key in the browser).
    ManageVault,
    /// Reset an enrolled member's master password (account recovery), and set
    /// up the organisation's recovery keys.
    RecoverAccounts,
}

impl Action {
    pub const ALL: [Action; 19] = [
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
        Action::ManageBilling,
        Action::ManageGroups,
        Action::ManageCollections,
        Action::ManagePolicies,
        Action::ManageSeats,
        Action::ManageVault,
        Action::RecoverAccounts,
    ];

    /// Actions that only make sense on a client organisation.
    pub fn organization_only(self) -> bool {
        matches!(
            self,
            Action::ManageGroups | Action::ManageCollections | Action::ManagePolicies | Action::ManageSeats | Action::ManageVault | Action::RecoverAccounts
        )
    }
    /// Actions that only make sense on the provider.
    pub fn provider_only(self) -> bool {
        matches!(self, Action::ManageClients | Action::CreateClient | Action::ManageBilling)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Denied {
    /// Not a member, or not yet confirmed, or suspended: the provider is not theirs to see.
    #[error("You are not a member of this provider.")]
    NotMember,
    /// A member, but the action needs a Provider admin.
    #[error("Only a Provider admin can do this.")]
    AdminOnly,
    /// In a client organisation: the member's role does not allow it.
    #[error("Your role in this organisation does not allow this.")]
    RoleTooLow,
    #[error("Only an Owner or your provider can give or change the Owner role.")]
    OwnerOnly,
    /// A Custom member acting on an Admin or Owner, or giving those roles.
    #[error("A Custom member can only manage Users and Custom members.")]
    UsersAndCustomOnly,
    /// A Custom member giving a permission they do not hold.
    #[error("You can only give permissions you hold yourself.")]
    PermissionNotHeld,
    /// Nobody changes their own role or permissions.
    #[error("You cannot change your own role or permissions.")]
    OwnRole,
    #[error("Seats are managed by the organisation's provider.")]
    ProviderOnly,
    #[error("This action does not apply here.")]
    WrongTenant,
}

/// Who needs to be what for each action.
fn required(action: Action) -> Option<Role> {
    match action {
        Action::ManageGroups | Action::ManageCollections | Action::ManagePolicies | Action::ManageSeats | Action::ManageVault | Action::RecoverAccounts => {
            Some(Role::ProviderAdmin)
        }
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
        | Action::CreateClient
        | Action::ManageBilling => Some(Role::ProviderAdmin),
    }
}

/// The one check: `membership` is the actor's own membership in the provider
/// the action is about (None for an outsider).
pub fn authorize(membership: Option<&MemberFacts>, action: Action) -> Result<(), Denied> {
    let m = membership.filter(|m| m.is_active()).ok_or(Denied::NotMember)?;
    if action.organization_only() {
        return Err(Denied::WrongTenant);
    }
    match required(action) {
        None => Ok(()),
        Some(Role::ProviderAdmin) if m.user_type == Role::ProviderAdmin => Ok(()),
        Some(_) => Err(Denied::AdminOnly),
    }
}

/// What a Custom member of a client organisation may do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    pub manage_users: bool,
    pub manage_groups: bool,
    pub manage_collections: bool,
    pub manage_policies: bool,
    pub access_event_logs: bool,
    /// The organisation's vault, its import and its export (Bitwarden's
    /// "Access import/export"). Absent in older requests and stored codes: off.
    #[serde(default)]
    pub access_import_export: bool,
    /// Reset enrolled members' master passwords (Bitwarden's "Manage account recovery").
    #[serde(default)]
    pub manage_account_recovery: bool,
}

impl Permissions {
    /// How many permissions there are.
    pub const COUNT: usize = 7;

    pub fn is_none(&self) -> bool {
        *self == Permissions::default()
    }
    /// Every permission of `self` is also in `held`.
    pub fn is_within(self, held: Permissions) -> bool {
        self.as_array().iter().zip(held.as_array()).all(|(want, have)| !*want || have)
    }
    pub const LABELS: [&'static str; Self::COUNT] =
        ["Manage members", "Manage groups", "Manage collections", "Manage policies", "Access event logs", "Access import/export", "Manage account recovery"];

    pub fn as_array(self) -> [bool; Self::COUNT] {
        [
            self.manage_users,
            self.manage_groups,
            self.manage_collections,
            self.manage_policies,
            self.access_event_logs,
            self.access_import_export,
            self.manage_account_recovery,
        ]
    }
    pub fn from_array(a: [bool; Self::COUNT]) -> Self {
        Permissions {
            manage_users: a[0],
            manage_groups: a[1],
            manage_collections: a[2],
            manage_policies: a[3],
            access_event_logs: a[4],
            access_import_export: a[5],
            manage_account_recovery: a[6],
        }
    }
    /// Stored form: a string of 0/1, one per permission ("" for none). Codes
    /// stored before a permission existed are shorter: the rest reads as off.
    pub fn code(self) -> String {
        self.as_array().iter().map(|b| if *b { '1' } else { '0' }).collect()
    }
    pub fn from_code(s: &str) -> Self {
        let mut a = [false; Self::COUNT];
        for (i, c) in s.chars().take(Self::COUNT).enumerate() {
            a[i] = c == '1';
        }
        Self::from_array(a)
    }
}

/// Who is acting on a client organisation: their membership of the
/// organisation's provider (provider staff), and of the organisation itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrgAuthority {
    pub provider: Option<MemberFacts>,
    pub member: Option<MemberFacts>,
    pub permissions: Permissions,
}

impl OrgAuthority {
    /// An active member of the provider: Service user or Provider admin.
    pub fn is_provider_staff(&self) -> bool {
        self.provider.is_some_and(|p| p.is_active())
    }
    fn active_role(&self) -> Option<Role> {
        self.member.filter(|m| m.is_active()).map(|m| m.user_type)
    }
}

/// The table for client organisations. Provider staff (both user types) may do
/// everything in the Admin Console; the organisation's own members act by role.
pub fn authorize_org(a: &OrgAuthority, action: Action) -> Result<(), Denied> {
    if action.provider_only() {
        return Err(Denied::WrongTenant);
    }
    if a.is_provider_staff() {
        return Ok(());
    }
    let role = a.active_role().ok_or(Denied::NotMember)?;
    let p = a.permissions;
    let allowed = match action {
        Action::OpenProvider => true,
        Action::ManageSeats => return Err(Denied::ProviderOnly),
        Action::ManageClients | Action::CreateClient | Action::ManageBilling => false,
        Action::ListMembers
        | Action::InviteMembers
        | Action::ResendInvitations
        | Action::ConfirmMembers
        | Action::RemoveMembers
        | Action::ChangeUserType
        | Action::SuspendMembers => matches!(role, Role::Owner | Role::Admin) || (role == Role::Custom && p.manage_users),
        Action::ManageGroups => matches!(role, Role::Owner | Role::Admin) || (role == Role::Custom && p.manage_groups),
        Action::ManageCollections => matches!(role, Role::Owner | Role::Admin) || (role == Role::Custom && p.manage_collections),
        Action::ManagePolicies => matches!(role, Role::Owner | Role::Admin) || (role == Role::Custom && p.manage_policies),
        Action::ViewProviderEvents => matches!(role, Role::Owner | Role::Admin) || (role == Role::Custom && p.access_event_logs),
        Action::EditProviderSettings => matches!(role, Role::Owner | Role::Admin),
        // Import and export hand over every secret: Owners, Admins, staff, and
        // Custom members given Access import/export.
        Action::ManageVault => matches!(role, Role::Owner | Role::Admin) || (role == Role::Custom && p.access_import_export),
        // Bitwarden's "Manage account recovery" (the seed's "manage password reset").
        Action::RecoverAccounts => matches!(role, Role::Owner | Role::Admin) || (role == Role::Custom && p.manage_account_recovery),
    };
    if allowed { Ok(()) } else { Err(Denied::RoleTooLow) }
}

/// Whether the actor may act on a member who has (or is to be given) `role`:
/// invite, resend, confirm, re-role, suspend or remove. Provider staff and
/// Owners may act on anyone; Admins on anyone but Owners; a Custom member
/// (with "Manage members", checked by `authorize_org`) on Users and Custom
/// members only, as Bitwarden applies it.
pub fn may_touch_role(a: &OrgAuthority, role: Role) -> Result<(), Denied> {
    if a.is_provider_staff() {
        return Ok(());
    }
    match (a.active_role(), role) {
        (Some(Role::Owner), _) => Ok(()),
        (Some(Role::Admin | Role::Custom), Role::Owner) => Err(Denied::OwnerOnly),
        (Some(Role::Admin), _) => Ok(()),
        (Some(Role::Custom), Role::User | Role::Custom) => Ok(()),
        (Some(Role::Custom), _) => Err(Denied::UsersAndCustomOnly),
        (Some(_), _) => Err(Denied::RoleTooLow),
        (None, _) => Err(Denied::NotMember),
    }
}

/// Whether the actor may give a Custom member `given`: a Custom member only
/// permissions they hold themselves; Owners, Admins and provider staff any.
pub fn may_grant(a: &OrgAuthority, given: Permissions) -> Result<(), Denied> {
    if a.is_provider_staff() {
        return Ok(());
    }
    match a.active_role() {
        Some(Role::Owner | Role::Admin) => Ok(()),
        Some(Role::Custom) if given.is_within(a.permissions) => Ok(()),
        Some(Role::Custom) => Err(Denied::PermissionNotHeld),
        Some(_) => Err(Denied::RoleTooLow),
        None => Err(Denied::NotMember),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::member::MemberStatus;

    fn m(t: Role, s: MemberStatus, suspended: bool) -> MemberFacts {
        MemberFacts { user_type: t, status: s, suspended, expires_at: None }
    }

    #[test]
    fn the_whole_table() {
        use MemberStatus::*;
        use Role::*;
        let admin = m(ProviderAdmin, Confirmed, false);
        let service = m(ServiceUser, Confirmed, false);
        for action in Action::ALL {
            // Provider admins may do everything on the provider.
            if !action.organization_only() {
                assert_eq!(authorize(Some(&admin), action), Ok(()), "{action:?}");
            }
            // Service users may open the portal and manage clients, nothing else.
            let expect = match action {
                Action::OpenProvider | Action::ManageClients => Ok(()),
                a if a.organization_only() => Err(Denied::WrongTenant),
                _ => Err(Denied::AdminOnly),
            };
            if action.organization_only() {
                assert_eq!(authorize(Some(&admin), action), Err(Denied::WrongTenant));
                continue;
            }
            assert_eq!(authorize(Some(&service), action), expect, "{action:?}");
            // Nobody who is not a confirmed, active member may do anything.
            assert_eq!(authorize(None, action), Err(Denied::NotMember));
            for t in Role::PROVIDER {
                for s in [Invited, Accepted] {
                    assert_eq!(authorize(Some(&m(t, s, false)), action), Err(Denied::NotMember));
                }
                for s in [Invited, Accepted, Confirmed] {
                    assert_eq!(authorize(Some(&m(t, s, true)), action), Err(Denied::NotMember));
                }
            }
        }
    }

    #[test]
    fn the_organisation_table() {
        use MemberStatus::*;
        let staff = |t| OrgAuthority { provider: Some(m(t, Confirmed, false)), member: None, permissions: Permissions::default() };
        let org = |r, perms| OrgAuthority { provider: None, member: Some(m(r, Confirmed, false)), permissions: perms };
        let none = Permissions::default();
        let all = Permissions::from_array([true; Permissions::COUNT]);
        for action in Action::ALL {
            let expect_staff = if action.provider_only() { Err(Denied::WrongTenant) } else { Ok(()) };
            // Both provider user types manage every client.
            assert_eq!(authorize_org(&staff(Role::ServiceUser), action), expect_staff, "{action:?}");
            assert_eq!(authorize_org(&staff(Role::ProviderAdmin), action), expect_staff, "{action:?}");
            // Suspended or unconfirmed provider staff are outsiders.
            let gone = OrgAuthority { provider: Some(m(Role::ServiceUser, Confirmed, true)), ..Default::default() };
            let want_gone = if action.provider_only() { Err(Denied::WrongTenant) } else { Err(Denied::NotMember) };
            assert_eq!(authorize_org(&gone, action), want_gone);
            assert_eq!(authorize_org(&OrgAuthority::default(), action), want_gone);
            // Organisation members by role.
            let owner = authorize_org(&org(Role::Owner, none), action);
            let admin = authorize_org(&org(Role::Admin, none), action);
            let user = authorize_org(&org(Role::User, none), action);
            let custom_none = authorize_org(&org(Role::Custom, none), action);
            let custom_all = authorize_org(&org(Role::Custom, all), action);
            match action {
                a if a.provider_only() => {
                    for r in [owner, admin, user, custom_none, custom_all] {
                        assert_eq!(r, Err(Denied::WrongTenant));
                    }
                }
                Action::ManageSeats => {
                    for r in [owner, admin, user, custom_none, custom_all] {
                        assert_eq!(r, Err(Denied::ProviderOnly));
                    }
                }
                Action::OpenProvider => {
                    for r in [owner, admin, user, custom_none, custom_all] {
                        assert_eq!(r, Ok(()));
                    }
                }
                Action::EditProviderSettings => {
                    assert_eq!((owner, admin), (Ok(()), Ok(())), "{action:?}");
                    assert_eq!((user, custom_none, custom_all), (Err(Denied::RoleTooLow), Err(Denied::RoleTooLow), Err(Denied::RoleTooLow)));
                }
                _ => {
                    assert_eq!((owner, admin, custom_all), (Ok(()), Ok(()), Ok(())), "{action:?}");
                    assert_eq!((user, custom_none), (Err(Denied::RoleTooLow), Err(Denied::RoleTooLow)), "{action:?}");
                }
            }
            // An invited or suspended organisation member is an outsider.
            let invited = OrgAuthority { member: Some(m(Role::Owner, Invited, false)), ..Default::default() };
            assert!(authorize_org(&invited, action).is_err());
        }
        // Each Custom permission opens exactly its own actions.
        let only = |i: usize| {
            let mut a = [false; Permissions::COUNT];
            a[i] = true;
            org(Role::Custom, Permissions::from_array(a))
        };
        assert_eq!(authorize_org(&only(0), Action::InviteMembers), Ok(()));
        assert_eq!(authorize_org(&only(0), Action::ManageGroups), Err(Denied::RoleTooLow));
        assert_eq!(authorize_org(&only(1), Action::ManageGroups), Ok(()));
        assert_eq!(authorize_org(&only(2), Action::ManageCollections), Ok(()));
        assert_eq!(authorize_org(&only(3), Action::ManagePolicies), Ok(()));
        assert_eq!(authorize_org(&only(4), Action::ViewProviderEvents), Ok(()));
        assert_eq!(authorize_org(&only(4), Action::RemoveMembers), Err(Denied::RoleTooLow));
        assert_eq!(authorize_org(&only(5), Action::ManageVault), Ok(()));
        assert_eq!(authorize_org(&only(4), Action::ManageVault), Err(Denied::RoleTooLow));
        assert_eq!(authorize_org(&only(5), Action::ManageCollections), Err(Denied::RoleTooLow));
        assert_eq!(authorize_org(&only(6), Action::RecoverAccounts), Ok(()));
        assert_eq!(authorize_org(&only(0), Action::RecoverAccounts), Err(Denied::RoleTooLow), "managing members is not recovering them");
        // A code stored before the sixth and seventh permissions existed reads them as off.
        assert_eq!(Permissions::from_code("11111"), Permissions::from_array([true, true, true, true, true, false, false]));
        assert_eq!(Permissions::from_code(&Permissions::from_array([true; Permissions::COUNT]).code()).as_array(), [true; Permissions::COUNT]);
        // The Owner role: Owners and provider staff only.
        assert_eq!(may_touch_role(&org(Role::Admin, none), Role::Owner), Err(Denied::OwnerOnly));
        assert_eq!(may_touch_role(&org(Role::Admin, none), Role::User), Ok(()));
        assert_eq!(may_touch_role(&org(Role::Owner, none), Role::Owner), Ok(()));
        assert_eq!(may_touch_role(&staff(Role::ServiceUser), Role::Owner), Ok(()));
        assert_eq!(Permissions::from_code(&all.code()), all);
        assert_eq!(Permissions::from_code(""), none);
    }

    fn staff_member(t: Role) -> OrgAuthority {
        OrgAuthority { provider: Some(m(t, MemberStatus::Confirmed, false)), member: None, permissions: Permissions::default() }
    }
    fn org_member(r: Role, permissions: Permissions) -> OrgAuthority {
        OrgAuthority { provider: None, member: Some(m(r, MemberStatus::Confirmed, false)), permissions }
    }

    #[test]
    fn who_may_touch_which_role_every_pair() {
        use Role::*;
        let users = Permissions { manage_users: true, ..Default::default() };
        for target in Role::ORGANIZATION {
            for actor in Role::ORGANIZATION {
                let got = may_touch_role(&org_member(actor, users), target);
                let want = match (actor, target) {
                    (Owner, _) => Ok(()),
                    (Admin | Custom, Owner) => Err(Denied::OwnerOnly),
                    (Admin, _) | (Custom, User | Custom) => Ok(()),
                    (Custom, _) => Err(Denied::UsersAndCustomOnly),
                    _ => Err(Denied::RoleTooLow),
                };
                assert_eq!(got, want, "{actor:?} on {target:?}");
            }
            for staff_type in Role::PROVIDER {
                assert_eq!(may_touch_role(&staff_member(staff_type), target), Ok(()), "staff on {target:?}");
            }
            assert_eq!(may_touch_role(&OrgAuthority::default(), target), Err(Denied::NotMember));
        }
    }

    #[test]
    fn a_custom_member_gives_only_permissions_they_hold() {
        let users = Permissions { manage_users: true, ..Default::default() };
        let users_groups = Permissions { manage_groups: true, ..users };
        for i in 0..Permissions::COUNT {
            let mut a = [false; Permissions::COUNT];
            a[i] = true;
            let one = Permissions::from_array(a);
            let want = if one.is_within(users) { Ok(()) } else { Err(Denied::PermissionNotHeld) };
            assert_eq!(may_grant(&org_member(Role::Custom, users), one), want, "{i}");
            assert_eq!(may_grant(&org_member(Role::Admin, Permissions::default()), one), Ok(()));
            assert_eq!(may_grant(&org_member(Role::Owner, Permissions::default()), one), Ok(()));
            assert_eq!(may_grant(&staff_member(Role::ServiceUser), one), Ok(()));
            assert_eq!(may_grant(&org_member(Role::User, Permissions::default()), one), Err(Denied::RoleTooLow));
        }
        assert_eq!(may_grant(&org_member(Role::Custom, users_groups), users_groups), Ok(()));
        assert_eq!(may_grant(&org_member(Role::Custom, users), users_groups), Err(Denied::PermissionNotHeld));
        assert_eq!(may_grant(&org_member(Role::Custom, users), Permissions::default()), Ok(()));
    }
}
