//! What a Bitwarden app downloads at `sync`: the account's keys, the
//! organisations and providers it belongs to (with their keys, wrapped as
//! Bitwarden wraps them), and every item it may read, each marked with what
//! the person may do with it. The rules are the portal's: an organisation's
//! whole vault for those who manage it (Owners, Admins, Custom members with
//! import/export, provider staff), the items of the collections a member or
//! their groups were given otherwise.

use crate::accounts::member_facts;
use crate::{Actor, Result, ServiceError, Services};
use domain::authz::{Action, OrgAuthority, Permissions, authorize_org};
use domain::member::Role;
use domain::org::CollectionPermission;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A client organisation the person is a confirmed member of.
#[derive(Debug, Clone)]
pub struct SyncOrg {
    pub org: db::ProviderRow,
    pub member: db::MemberRow,
    pub role: Role,
    /// Sees and edits the whole vault.
    pub manages_vault: bool,
    /// Account recovery is set up in the organisation.
    pub recovery_set_up: bool,
    /// The person is enrolled in its account recovery.
    pub recovery_enrolled: bool,
}

/// A provider the person is staff of.
#[derive(Debug, Clone)]
pub struct SyncProvider {
    pub provider: db::ProviderRow,
    pub member: db::MemberRow,
    pub role: Role,
}

/// What the person may do with a collection (and the items in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    pub read_only: bool,
    pub hide_passwords: bool,
    pub manage: bool,
}

impl Reach {
    pub const FULL: Reach = Reach { read_only: false, hide_passwords: false, manage: true };

    fn of(p: CollectionPermission) -> Reach {
        match p {
            CollectionPermission::CanView => Reach { read_only: true, hide_passwords: false, manage: false },
            CollectionPermission::CanViewExceptPasswords => Reach { read_only: true, hide_passwords: true, manage: false },
            CollectionPermission::CanEdit => Reach { read_only: false, hide_passwords: false, manage: false },
            CollectionPermission::CanManage => Reach::FULL,
        }
    }

    /// Two grants on one collection (directly and through a group): the more generous.
    fn best(self, other: Reach) -> Reach {
        Reach { read_only: self.read_only && other.read_only, hide_passwords: self.hide_passwords && other.hide_passwords, manage: self.manage || other.manage }
    }
}

/// What a person may do in an organisation's vault.
#[derive(Debug, Clone)]
pub enum VaultAccess {
    /// Everything (Owners, Admins, Custom with import/export, provider staff).
    Whole,
    /// The collections a member reaches, each with its access level.
    Collections(HashMap<String, Reach>),
}

#[derive(Debug, Clone)]
pub struct SyncCollection {
    pub collection: db::CollectionRow,
    pub reach: Reach,
}

#[derive(Debug, Clone)]
pub struct SyncOrgItem {
    pub item: db::OrgItemRow,
    pub collection_ids: Vec<String>,
    pub reach: Reach,
    /// The person's own folder and favourite for it.
    pub folder_id: Option<String>,
    pub favourite: bool,
}

#[derive(Debug, Clone)]
pub struct SyncData {
    pub user: db::UserRow,
    pub organizations: Vec<SyncOrg>,
    pub providers: Vec<SyncProvider>,
    /// Client organisations of the person's providers (keys under the provider key).
    pub provider_orgs: Vec<(db::ProviderRow, db::ProviderRow)>,
    pub personal: Vec<db::ItemRow>,
    pub org_items: Vec<SyncOrgItem>,
    pub collections: Vec<SyncCollection>,
    pub policies: Vec<db::PolicyRow>,
    pub folders: Vec<db::FolderRow>,
    /// Whether the account has two-step login on (the profile says so).
    pub two_factor_enabled: bool,
}

impl Services {
    pub async fn app_sync(&self, actor: &Actor) -> Result<SyncData> {
        let user = self.store.user_by_id(actor.user_id()).await?.ok_or(ServiceError::Unauthenticated)?;
        let (mut organizations, mut providers, mut provider_orgs) = (vec![], vec![], vec![]);
        // Organisation id → the person's membership there (None: staff of its provider).
        // Organisation id → (the person's membership there, its provider's id).
        let mut reachable: BTreeMap<String, (Option<db::MemberRow>, Option<String>)> = BTreeMap::new();
        // The person's active provider memberships, by provider id.
        let mut staff: HashMap<String, domain::member::MemberFacts> = HashMap::new();
        let mut member_orgs = vec![];
        for (tenant, m) in self.store.memberships_of_user(actor.user_id()).await? {
            let facts = member_facts(&m);
            if !facts.is_active() {
                continue;
            }
            if tenant.is_organization() {
                // "Require two-step login" keeps the organisation closed until it is on.
                if self.shut_out_by_two_step(actor.user_id(), &tenant.id).await? {
                    continue;
                }
                // A suspended organisation is listed (the apps show it disabled), its items are not.
                if tenant.suspended_at.is_none() {
                    reachable.insert(tenant.id.clone(), (Some(m.clone()), tenant.parent_id.clone()));
                }
                member_orgs.push((tenant, m, facts.user_type));
            } else {
                // A provider that requires two-step login of its staff stays closed until it is on.
                if self.shut_out_by_two_step(actor.user_id(), &tenant.id).await? {
                    continue;
                }
                for client in self.store.list_clients(&tenant.id).await? {
                    reachable.entry(client.org.id.clone()).or_insert((None, Some(tenant.id.clone())));
                    provider_orgs.push((client.org, tenant.clone()));
                }
                staff.insert(tenant.id.clone(), facts);
                providers.push(SyncProvider { provider: tenant, member: m, role: facts.user_type });
            }
        }
        // The same decision `authorize` makes, from the memberships read above
        // (one query per organisation fewer, two for provider staff).
        let manages = |member: &Option<db::MemberRow>, provider: &Option<String>| {
            let org = OrgAuthority {
                provider: provider.as_ref().and_then(|p| staff.get(p)).copied(),
                member: member.as_ref().map(member_facts),
                permissions: member.as_ref().map(|m| Permissions::from_code(&m.permissions)).unwrap_or_default(),
            };
            authorize_org(&org, Action::ManageVault).is_ok()
        };
        for (org, m, role) in member_orgs {
            let manages_vault = reachable.get(&org.id).is_some_and(|(member, provider)| manages(member, provider));
            let recovery_set_up = self.store.org_recovery_key(&org.id).await?.is_some();
            let recovery_enrolled = recovery_set_up && self.store.recovery_enrolment(&org.id, &m.id).await?.is_some();
            organizations.push(SyncOrg { org, member: m, role, manages_vault, recovery_set_up, recovery_enrolled });
        }
        let (mut org_items, mut collections) = (vec![], vec![]);
        let mut marks: HashMap<String, db::ItemMark> = self.store.item_marks(actor.user_id()).await?.into_iter().map(|m| (m.item_id.clone(), m)).collect();
        for (org_id, (member, provider)) in reachable {
            let (rows, access) = self.store.list_collections(&org_id).await?;
            let reach = match (&member, manages(&member, &provider)) {
                (_, true) => None,
                (Some(m), false) => Some(self.member_reach(&org_id, &m.id, access).await?),
                _ => continue,
            };
            let reach_of = |id: &str| match &reach {
                None => Some(Reach::FULL),
                Some(r) => r.get(id).copied(),
            };
            for c in rows {
                if let Some(r) = reach_of(&c.id) {
                    collections.push(SyncCollection { collection: c, reach: r });
                }
            }
            let (items, links) = self.store.list_org_items(&org_id).await?;
            let mut by_item: HashMap<String, Vec<String>> = HashMap::new();
            for (item, coll) in links {
                by_item.entry(item).or_default().push(coll);
            }
            for item in items {
                let mut collection_ids = by_item.remove(&item.id).unwrap_or_default();
                collection_ids.sort();
                let item_reach = if reach.is_none() { Some(Reach::FULL) } else { collection_ids.iter().filter_map(|c| reach_of(c)).reduce(Reach::best) };
                if let Some(reach) = item_reach {
                    let (folder_id, favourite) = marks.remove(&item.id).map(|m| (m.folder_id, m.favourite)).unwrap_or_default();
                    org_items.push(SyncOrgItem { item, collection_ids, reach, folder_id, favourite });
                }
            }
        }
        let personal = self.store.list_items(actor.user_id()).await?;
        let policies = self.store.policies_of_user(actor.user_id()).await?;
        let folders = self.store.list_folders(actor.user_id()).await?;
        let two_factor_enabled = self.store.two_factor(&user.id).await?.is_some_and(|r| r.enabled_at.is_some());
        Ok(SyncData { user, organizations, providers, provider_orgs, personal, org_items, collections, policies, folders, two_factor_enabled })
    }

    /// The person's access to an organisation's vault; refused for anyone
    /// neither managing it nor a confirmed member.
    pub(crate) async fn vault_access(&self, actor: &Actor, org_id: &str) -> Result<VaultAccess> {
        if self.authorize(actor, org_id, Action::ManageVault).await.is_ok() {
            return Ok(VaultAccess::Whole);
        }
        match self.store.tenant_with_member(org_id, actor.user_id()).await? {
            Some((org, _)) if org.suspended_at.is_some() => Err(ServiceError::Forbidden(crate::clients::SUSPENDED.into())),
            Some((_, Some(m))) if member_facts(&m).is_active() => {
                let (_, access) = self.store.list_collections(org_id).await?;
                Ok(VaultAccess::Collections(self.member_reach(org_id, &m.id, access).await?))
            }
            _ => Err(domain::authz::Denied::NotMember.into()),
        }
    }

    /// The collections a member reaches, directly or through their groups.
    async fn member_reach(&self, org_id: &str, member_id: &str, access: Vec<db::AccessRow>) -> Result<HashMap<String, Reach>> {
        let (_, group_members) = self.store.list_groups(org_id).await?;
        let groups: HashSet<String> = group_members.into_iter().filter(|(_, m)| m == member_id).map(|(g, _)| g).collect();
        let mut reach: HashMap<String, Reach> = HashMap::new();
        for a in access {
            let mine = a.member_id.as_deref() == Some(member_id) || a.group_id.as_ref().is_some_and(|g| groups.contains(g));
            let Some(p) = CollectionPermission::from_code(&a.permission) else { continue };
            if mine {
                let r = Reach::of(p);
                reach.entry(a.collection_id).and_modify(|old| *old = old.best(r)).or_insert(r);
            }
        }
        Ok(reach)
    }
}

impl Services {
    /// The organisation items and collections a person reaches as a member
    /// (provider staff open clients' vaults in the Admin Console instead).
    pub async fn shared_vault(&self, actor: &Actor) -> Result<domain::api::SharedVault> {
        let d = self.app_sync(actor).await?;
        let member_of: HashSet<&str> = d.organizations.iter().map(|o| o.org.id.as_str()).collect();
        let items = d
            .org_items
            .into_iter()
            .filter(|i| member_of.contains(i.item.org_id.as_str()))
            .map(|i| domain::api::SharedItem {
                org_id: i.item.org_id.clone(),
                edit: !i.reach.read_only,
                view_password: !i.reach.hide_passwords,
                folder_id: i.folder_id,
                favourite: i.favourite,
                item: domain::api::OrgItem {
                    id: i.item.id,
                    data: i.item.data,
                    collection_ids: i.collection_ids,
                    updated_at: i.item.updated_at,
                    deleted_at: i.item.deleted_at,
                },
            })
            .collect();
        let collections = d
            .collections
            .into_iter()
            .filter(|c| member_of.contains(c.collection.org_id.as_str()))
            .map(|c| domain::api::SharedCollection { org_id: c.collection.org_id, id: c.collection.id, name: c.collection.name, edit: !c.reach.read_only })
            .collect();
        Ok(domain::api::SharedVault { items, collections })
    }
}
