//! Client organisations: create, seats, groups, collections, policies, and the
//! policies' effect on joining and on the vault. Members of an organisation use
//! the same invite / accept / confirm use cases as provider members (a client
//! organisation is a tenant like the provider), with the organisation table of
//! `domain::authz` deciding who may act.

use crate::live::{Audience, Change};
use crate::mail::{self, MailKind};
use crate::{Actor, RequestMeta, Result, ServiceError, Services, new_id, new_token};
use domain::api::*;
use domain::authz::{Action, Denied};
use domain::member::{Role, StatusBadge};
use domain::org::{self as rules, CollectionPermission, PasswordFacts, Policy, PolicyKind};
use domain::{Email, FieldError};
use std::collections::{HashMap, HashSet};

/// The enabled policies of one organisation, combined.
#[derive(Debug, Default)]
pub(crate) struct OrgPolicies {
    pub master_password: Option<rules::MasterPasswordRules>,
    pub generator: Option<rules::GeneratorRules>,
    pub single_org: bool,
    pub no_individual_vault: bool,
    pub two_step_login: bool,
    /// Members are enrolled in account recovery when they join, and cannot withdraw.
    pub auto_enrol_recovery: bool,
    pub vault_timeout: Option<rules::VaultTimeoutRules>,
    pub no_personal_export: bool,
}

fn parse_policy(row: &db::PolicyRow) -> Option<Policy> {
    serde_json::from_str::<Policy>(&row.data).ok().filter(|p| p.kind.code() == row.kind)
}

fn combine(policies: impl IntoIterator<Item = Policy>) -> OrgPolicies {
    let mut out = OrgPolicies::default();
    let mut mp = vec![];
    for p in policies.into_iter().filter(|p| p.enabled) {
        match p.kind {
            PolicyKind::MasterPassword => mp.push(p.master_password),
            PolicyKind::PasswordGenerator => {
                let g = p.generator;
                out.generator = Some(match out.generator {
                    None => g,
                    Some(o) => rules::GeneratorRules {
                        min_length: o.min_length.max(g.min_length),
                        uppercase: o.uppercase || g.uppercase,
                        digits: o.digits || g.digits,
                        symbols: o.symbols || g.symbols,
                    },
                })
            }
            PolicyKind::SingleOrg => out.single_org = true,
            PolicyKind::RemoveIndividualVault => out.no_individual_vault = true,
            PolicyKind::TwoStepLogin => out.two_step_login = true,
            PolicyKind::AccountRecovery => out.auto_enrol_recovery |= p.recovery.auto_enrol,
            PolicyKind::VaultTimeout => out.vault_timeout = Some(out.vault_timeout.map_or(p.vault_timeout, |t| t.stricter(p.vault_timeout))),
            PolicyKind::RemovePersonalVaultExport => out.no_personal_export = true,
        }
    }
    out.master_password = rules::strictest(mp);
    out
}

fn seat_error(e: rules::SeatError) -> ServiceError {
    ServiceError::field("seats", e.to_string())
}

impl Services {
    pub(crate) async fn org_policies(&self, org_id: &str) -> Result<OrgPolicies> {
        Ok(combine(self.store.policies(org_id).await?.iter().filter_map(parse_policy)))
    }

    /// What every organisation the user belongs to asks of them.
    pub(crate) async fn user_policies(&self, user_id: &str) -> Result<MyPolicies> {
        let p = combine(self.store.policies_of_user(user_id).await?.iter().filter_map(parse_policy));
        Ok(MyPolicies {
            master_password: p.master_password,
            generator: p.generator,
            single_org: p.single_org,
            no_individual_vault: p.no_individual_vault,
            vault_timeout: p.vault_timeout,
            no_personal_export: p.no_personal_export,
        })
    }

    /// The policies that decide whether a user may join this organisation.
    pub(crate) async fn check_join_policies(&self, user_id: &str, org: &db::ProviderRow, password: Option<PasswordFacts>) -> Result<()> {
        let policies = self.org_policies(&org.id).await?;
        if let Some(r) = policies.master_password {
            let Some(facts) = password else {
                return Err(ServiceError::Conflict(format!(
                    "{} has master password requirements. Log in again so that your master password can be checked, then accept.",
                    org.name
                )));
            };
            rules::check_master_password(Some(r), facts).map_err(ServiceError::Conflict)?;
        }
        let others: Vec<String> = self
            .store
            .memberships_of_user(user_id)
            .await?
            .into_iter()
            .filter(|(p, m)| p.is_organization() && p.id != org.id && m.status != "invited")
            .map(|(p, _)| p.name)
            .collect();
        if policies.single_org && !others.is_empty() {
            return Err(ServiceError::Conflict(format!(
                "{} does not allow its members to belong to other organisations. Leave {} first.",
                org.name,
                others.join(", ")
            )));
        }
        if !others.is_empty() && self.user_policies(user_id).await?.single_org {
            return Err(ServiceError::Conflict("An organisation you belong to does not allow its members to join other organisations.".into()));
        }
        Ok(())
    }

    /// The Clients page: every client with its seats.
    pub async fn clients(&self, actor: &Actor, provider_id: &str) -> Result<ClientsView> {
        let auth = self.authorize(actor, provider_id, Action::ManageClients).await?;
        let drift = self.drift_by_client(provider_id).await?;
        let clients: Vec<ClientSummary> = self
            .store
            .list_clients(provider_id)
            .await?
            .into_iter()
            .map(|c| ClientSummary {
                name: c.org.name,
                seats: c.org.seats,
                used: c.used,
                owner_email: c.owner_email,
                created_at: c.org.created_at,
                owner_badge: match c.owner_status.as_deref() {
                    Some("confirmed") => Some(StatusBadge::Confirmed),
                    Some("accepted") => Some(StatusBadge::NeedsConfirmation),
                    Some(_) => Some(StatusBadge::Invited),
                    None => None,
                },
                last_activity: c.last_activity,
                suspended_at: c.org.suspended_at,
                drift: drift.as_ref().map(|d| d.get(&c.org.id).map_or(0, Vec::len)),
                id: c.org.id,
            })
            .collect();
        Ok(ClientsView { total_seats: auth.tenant.seats, assigned: clients.iter().map(|c| c.seats).sum(), clients })
    }

    /// The onboarding queue: every client organisation's members who are
    /// Invited, Expired or Need confirmation, by client name then email.
    pub async fn onboarding_queue(&self, actor: &Actor, provider_id: &str) -> Result<Vec<OnboardingItem>> {
        let auth = self.authorize(actor, provider_id, Action::ManageClients).await?;
        if auth.tenant.is_organization() {
            return Err(Denied::WrongTenant.into());
        }
        // One query for every client's waiting members (provider staff manage
        // every client, so the provider's check covers them all).
        let clients: std::collections::HashMap<String, db::ProviderRow> =
            self.store.list_clients(provider_id).await?.into_iter().map(|c| (c.org.id.clone(), c.org)).collect();
        let now = self.now();
        let mut out: Vec<OnboardingItem> = self
            .store
            .waiting_members_of_clients(provider_id)
            .await?
            .into_iter()
            .filter_map(|v| {
                let org = clients.get(&v.member.provider_id)?;
                let f = crate::accounts::member_facts(&v.member);
                let badge = f.badge(now);
                matches!(badge, StatusBadge::Invited | StatusBadge::Expired | StatusBadge::NeedsConfirmation).then(|| OnboardingItem {
                    org_id: org.id.clone(),
                    org_name: org.name.clone(),
                    member: MemberListItem {
                        is_me: v.member.user_id.as_deref() == Some(actor.user_id()),
                        id: v.member.id.clone(),
                        email: v.member.email.clone(),
                        name: v.name.clone(),
                        user_type: f.user_type,
                        badge,
                        invited_at: v.member.invited_at,
                        expires_at: v.member.expires_at,
                        permissions: domain::authz::Permissions::from_code(&v.member.permissions),
                        user_id: v.member.user_id.clone(),
                    },
                })
            })
            .collect();
        out.sort_by(|a, b| a.org_name.to_lowercase().cmp(&b.org_name.to_lowercase()).then_with(|| a.member.email.cmp(&b.member.email)));
        Ok(out)
    }

    /// The keys of the chosen clients, encrypted with the provider key (both
    /// user types), for confirming their members from the onboarding queue.
    /// Another provider's organisation is refused.
    pub async fn client_keys(&self, actor: &Actor, provider_id: &str, org_ids: &[String]) -> Result<Vec<ClientKey>> {
        let auth = self.authorize(actor, provider_id, Action::ManageClients).await?;
        if auth.tenant.is_organization() {
            return Err(Denied::WrongTenant.into());
        }
        let clients: HashMap<String, Option<String>> = self.store.list_clients(provider_id).await?.into_iter().map(|c| (c.org.id, c.org.org_key)).collect();
        org_ids
            .iter()
            .map(|id| match clients.get(id) {
                Some(key) => Ok(ClientKey { org_id: id.clone(), org_key: key.clone() }),
                None => Err(ServiceError::NotFound("No such client.".into())),
            })
            .collect()
    }

    /// Renames a client organisation (Provider admins), in the provider's log.
    pub async fn rename_client(&self, actor: &Actor, provider_id: &str, org_id: &str, name: &str, meta: &RequestMeta) -> Result<()> {
        self.authorize(actor, provider_id, Action::CreateClient).await?;
        let org = self.store.provider(org_id).await?.filter(|o| o.parent_id.as_deref() == Some(provider_id));
        let org = org.ok_or_else(|| ServiceError::NotFound("No such client.".into()))?;
        let name = domain::text::organisation_name(name).map_err(|e| ServiceError::Validation(vec![e]))?;
        if name == org.name {
            return Ok(());
        }
        let ev = self.event(provider_id, Some(actor), "client_renamed", None, format!("\"{}\" → \"{name}\"", org.name), meta);
        self.store.update_provider(org_id, &name, &org.billing_email, &ev).await?;
        self.publish(provider_id, "client_renamed");
        Ok(())
    }

    /// Creates a client organisation. Its key was made in the browser and
    /// arrives encrypted with the provider key; the owner email is invited as Owner.
    pub async fn create_client(&self, actor: &Actor, input: CreateClientInput, meta: &RequestMeta) -> Result<ClientSummary> {
        let auth = self.authorize(actor, &input.provider_id, Action::CreateClient).await?;
        let mut errs = vec![];
        let name = domain::text::organisation_name(&input.name).map_err(|e| errs.push(e)).ok();
        let owner = Email::parse(&input.owner_email).map_err(|e| errs.push(FieldError::new("owner_email", e.to_string()))).ok();
        if !domain::crypto::looks_encrypted(&input.org_key) {
            errs.push(FieldError::new("org_key", "The organisation key must be encrypted with the provider key."));
        }
        let view = self.store.list_clients(&input.provider_id).await?;
        let assigned: i64 = view.iter().map(|c| c.org.seats).sum();
        if let Err(e) = rules::check_client_seats(auth.tenant.seats, assigned, 0, input.seats) {
            errs.push(FieldError::new("seats", e.to_string()));
        }
        if !errs.is_empty() {
            return Err(ServiceError::Validation(errs));
        }
        let (name, owner) = (name.unwrap(), owner.unwrap());
        let now = self.now();
        let org = db::ProviderRow {
            id: new_id(),
            name: name.clone(),
            billing_email: owner.to_string(),
            created_at: now,
            kind: "organization".into(),
            parent_id: Some(input.provider_id.clone()),
            seats: input.seats,
            org_key: Some(input.org_key),
            version: 0,
            suspended_at: None,
        };
        let (token, hash) = new_token();
        let member = db::MemberRow {
            id: new_id(),
            provider_id: org.id.clone(),
            user_id: None,
            email: owner.to_string(),
            user_type: Role::Owner.code().into(),
            status: "invited".into(),
            suspended: false,
            wrapped_key: None,
            invited_at: now,
            expires_at: Some(now + self.settings.invite_ttl.as_secs() as i64),
            accepted_at: None,
            confirmed_at: None,
            permissions: String::new(),
        };
        let events = vec![
            self.event(
                &input.provider_id,
                Some(actor),
                "client_created",
                Some(owner.as_str()),
                format!("Client \"{name}\" created with {} seats", input.seats),
                meta,
            ),
            self.event(
                &org.id,
                Some(actor),
                "organisation_created",
                None,
                format!("Created by provider \"{}\" with {} seats", auth.tenant.name, input.seats),
                meta,
            ),
            self.event(&org.id, Some(actor), "member_invited", Some(owner.as_str()), Role::Owner.label().into(), meta),
        ];
        let invitation = MailKind::Invitation { token: &token, member_id: &member.id, expires_at: member.expires_at.unwrap_or(now) };
        let mail = mail::render(self, &org, owner.as_str(), invitation);
        self.store.create_organization(&org, &member, &hash, &events, &mail).await.map_err(|e| match e {
            db::Error::Conflict(db::Conflict::NoSeats) => ServiceError::field("seats", "Not enough unassigned seats left. Reload and try again."),
            other => other.into(),
        })?;
        self.publish(&input.provider_id, "client_created");
        Ok(ClientSummary {
            id: org.id,
            name,
            seats: input.seats,
            used: 1,
            owner_email: Some(owner.to_string()),
            created_at: now,
            owner_badge: Some(StatusBadge::Invited),
            last_activity: Some(now),
            suspended_at: None,
            drift: None,
        })
    }

    /// Billing: the provider's total seats (no payment processor here).
    pub async fn set_provider_seats(&self, actor: &Actor, provider_id: &str, total: i64, meta: &RequestMeta) -> Result<()> {
        let auth = self.authorize(actor, provider_id, Action::ManageBilling).await?;
        let assigned: i64 = self.store.list_clients(provider_id).await?.iter().map(|c| c.org.seats).sum();
        rules::check_provider_total(total, assigned).map_err(seat_error)?;
        let ev = self.event(provider_id, Some(actor), "seats_total_changed", None, format!("{} → {total} seats", auth.tenant.seats), meta);
        self.store.set_seats(provider_id, total, &[ev]).await.map_err(|e| match e {
            db::Error::Conflict(_) => ServiceError::field("seats", "Seats were assigned meanwhile. Reload and try again."),
            other => other.into(),
        })?;
        self.publish(provider_id, "seats");
        Ok(())
    }

    /// A client's seats, from what the provider's total leaves (both user types).
    pub async fn set_client_seats(&self, actor: &Actor, org_id: &str, seats: i64, meta: &RequestMeta) -> Result<()> {
        let auth = self.authorize(actor, org_id, Action::ManageSeats).await?;
        let provider_id = auth.tenant.parent_id.clone().ok_or(Denied::WrongTenant)?;
        let provider = self.store.provider(&provider_id).await?.ok_or(Denied::WrongTenant)?;
        let clients = self.store.list_clients(&provider_id).await?;
        let others: i64 = clients.iter().filter(|c| c.org.id != org_id).map(|c| c.org.seats).sum();
        let used = clients.iter().find(|c| c.org.id == org_id).map(|c| c.used).unwrap_or(0);
        rules::check_client_seats(provider.seats, others, used, seats).map_err(seat_error)?;
        let detail = format!("{} → {seats} seats", auth.tenant.seats);
        let events = [
            self.event(org_id, Some(actor), "seats_changed", None, detail.clone(), meta),
            self.event(&provider_id, Some(actor), "client_seats_changed", None, format!("{}: {detail}", auth.tenant.name), meta),
        ];
        self.store.set_seats(org_id, seats, &events).await.map_err(|e| match e {
            db::Error::Conflict(_) => ServiceError::field("seats", "Seats changed meanwhile. Reload and try again."),
            other => other.into(),
        })?;
        self.publish(org_id, "seats");
        Ok(())
    }

    /// The Admin Console's header: the organisation, the viewer's standing and key.
    pub async fn org_context(&self, actor: &Actor, org_id: &str) -> Result<OrgContext> {
        let auth = self.authorize(actor, org_id, Action::OpenProvider).await?;
        let org = auth.org.ok_or(Denied::WrongTenant)?;
        let provider_name = match auth.tenant.parent_id.as_deref() {
            Some(pid) => self.store.provider(pid).await?.map(|p| p.name),
            None => None,
        };
        // Counted for this organisation alone (not the provider's whole Clients list).
        let used = match auth.tenant.parent_id {
            Some(_) => self.store.seats_used(org_id).await?,
            None => 0,
        };
        let via_provider = org.is_provider_staff();
        let can = Action::ALL.into_iter().filter(|a| domain::authz::authorize_org(&org, *a).is_ok()).collect();
        let own_active = org.member.is_some_and(|m| m.is_active());
        Ok(OrgContext {
            id: auth.tenant.id.clone(),
            name: auth.tenant.name.clone(),
            provider_id: auth.tenant.parent_id.clone(),
            provider_name,
            seats: auth.tenant.seats,
            used,
            org_key: if via_provider { auth.tenant.org_key.clone() } else { None },
            member_key: auth.own.as_ref().and_then(|m| m.wrapped_key.clone()).filter(|_| own_active),
            via_provider,
            role: org.member.map(|m| m.user_type),
            permissions: org.permissions,
            can,
            suspended: auth.tenant.suspended_at.is_some(),
        })
    }

    pub async fn groups(&self, actor: &Actor, org_id: &str) -> Result<Vec<GroupView>> {
        self.authorize(actor, org_id, Action::ManageGroups).await?;
        let (groups, links) = self.store.list_groups(org_id).await?;
        let mut by_group: HashMap<String, Vec<String>> = HashMap::new();
        for (g, m) in links {
            by_group.entry(g).or_default().push(m);
        }
        Ok(groups.into_iter().map(|g| GroupView { member_ids: by_group.remove(&g.id).unwrap_or_default(), id: g.id, name: g.name }).collect())
    }

    pub async fn save_group(&self, actor: &Actor, input: SaveGroupInput, meta: &RequestMeta) -> Result<GroupView> {
        self.authorize(actor, &input.org_id, Action::ManageGroups).await?;
        let name = domain::text::provider_name(&input.name).map_err(|e| FieldError::new("name", e.message))?;
        let mut seen = HashSet::new();
        let member_ids: Vec<String> = input.member_ids.into_iter().filter(|m| seen.insert(m.clone())).collect();
        let existing = self.store.list_groups(&input.org_id).await?.0;
        let (id, kind, detail) = match &input.group_id {
            Some(id) => {
                let old = existing.iter().find(|g| &g.id == id).ok_or_else(|| ServiceError::NotFound("No such group.".into()))?;
                let detail = if old.name == name { format!("{name}: {} members", member_ids.len()) } else { format!("\"{}\" → \"{name}\"", old.name) };
                (id.clone(), "group_updated", detail)
            }
            None => (new_id(), "group_created", format!("{name}: {} members", member_ids.len())),
        };
        let row = db::GroupRow { id: id.clone(), org_id: input.org_id.clone(), name: name.clone(), created_at: self.now() };
        let ev = self.event(&input.org_id, Some(actor), kind, None, detail, meta);
        self.store.save_group(&row, &member_ids, &ev).await.map_err(|e| match e {
            db::Error::Conflict(db::Conflict::Stale) => ServiceError::field("members", "A selected member is not in this organisation."),
            other => other.into(),
        })?;
        self.tell_apps(Audience::Tenant(input.org_id.clone()), Change::Vault, Some(actor));
        Ok(GroupView { id, name, member_ids })
    }

    pub async fn delete_group(&self, actor: &Actor, org_id: &str, group_id: &str, meta: &RequestMeta) -> Result<()> {
        self.authorize(actor, org_id, Action::ManageGroups).await?;
        let name = self.store.list_groups(org_id).await?.0.into_iter().find(|g| g.id == group_id).map(|g| g.name);
        let name = name.ok_or_else(|| ServiceError::NotFound("No such group.".into()))?;
        let ev = self.event(org_id, Some(actor), "group_deleted", None, name, meta);
        self.store.delete_group(org_id, group_id, &ev).await?;
        self.tell_apps(Audience::Tenant(org_id.into()), Change::Vault, Some(actor));
        Ok(())
    }

    pub async fn collections(&self, actor: &Actor, org_id: &str) -> Result<Vec<CollectionView>> {
        self.authorize(actor, org_id, Action::ManageCollections).await?;
        let (cols, access) = self.store.list_collections(org_id).await?;
        let mut by_col: HashMap<String, Vec<AccessEntry>> = HashMap::new();
        for a in access {
            let subject = match (a.member_id, a.group_id) {
                (Some(m), None) => Subject::Member(m),
                (None, Some(g)) => Subject::Group(g),
                _ => continue,
            };
            let Some(permission) = CollectionPermission::from_code(&a.permission) else { continue };
            by_col.entry(a.collection_id).or_default().push(AccessEntry { subject, permission });
        }
        let counts: HashMap<String, (i64, i64)> = self.store.collection_item_counts(org_id).await?.into_iter().map(|(id, n, only)| (id, (n, only))).collect();
        Ok(cols
            .into_iter()
            .map(|c| {
                let (items, only_here) = counts.get(&c.id).copied().unwrap_or_default();
                CollectionView { access: by_col.remove(&c.id).unwrap_or_default(), id: c.id, name: c.name, items, only_here }
            })
            .collect())
    }

    /// Collection names are encrypted with the organisation key in the browser;
    /// the server stores ciphertext and refuses anything else.
    pub async fn save_collection(&self, actor: &Actor, input: SaveCollectionInput, meta: &RequestMeta) -> Result<CollectionView> {
        self.authorize(actor, &input.org_id, Action::ManageCollections).await?;
        if !domain::crypto::looks_encrypted(&input.name) {
            return Err(ServiceError::field("name", "The collection name must be encrypted with the organisation key."));
        }
        let mut seen = HashSet::new();
        if !input.access.iter().all(|a| seen.insert(a.subject.clone())) {
            return Err(ServiceError::field("access", "Each member or group can be listed once."));
        }
        let id = input.collection_id.clone().unwrap_or_else(new_id);
        let rows: Vec<db::AccessRow> = input
            .access
            .iter()
            .map(|a| {
                let (member_id, group_id) = match &a.subject {
                    Subject::Member(m) => (Some(m.clone()), None),
                    Subject::Group(g) => (None, Some(g.clone())),
                };
                db::AccessRow { collection_id: id.clone(), member_id, group_id, permission: a.permission.code().into() }
            })
            .collect();
        let kind = if input.collection_id.is_some() {
            let known = self.store.list_collections(&input.org_id).await?.0.iter().any(|c| c.id == id);
            if !known {
                return Err(ServiceError::NotFound("No such collection.".into()));
            }
            "collection_updated"
        } else {
            "collection_created"
        };
        let summary: Vec<String> = input
            .access
            .iter()
            .map(|a| match &a.subject {
                Subject::Member(_) => format!("member: {}", a.permission.label()),
                Subject::Group(_) => format!("group: {}", a.permission.label()),
            })
            .collect();
        let ev = self.event(
            &input.org_id,
            Some(actor),
            kind,
            None,
            format!("Access: {}", if summary.is_empty() { "none".into() } else { summary.join(", ") }),
            meta,
        );
        let row = db::CollectionRow { id: id.clone(), org_id: input.org_id.clone(), name: input.name.clone(), created_at: self.now() };
        self.store.save_collection(&row, &rows, &ev).await.map_err(|e| match e {
            db::Error::Conflict(db::Conflict::Stale) => ServiceError::field("access", "A selected member or group is not in this organisation."),
            other => other.into(),
        })?;
        self.tell_apps(Audience::Tenant(input.org_id.clone()), Change::Vault, Some(actor));
        Ok(CollectionView { id, name: input.name, access: input.access, items: 0, only_here: 0 })
    }

    pub async fn delete_collection(&self, actor: &Actor, org_id: &str, id: &str, meta: &RequestMeta) -> Result<()> {
        self.authorize(actor, org_id, Action::ManageCollections).await?;
        let ev = self.event(org_id, Some(actor), "collection_deleted", None, String::new(), meta);
        self.store.delete_collection(org_id, id, &ev).await.map_err(|e| match e {
            db::Error::NotFound => ServiceError::NotFound("No such collection.".into()),
            other => other.into(),
        })?;
        self.tell_apps(Audience::Tenant(org_id.into()), Change::Vault, Some(actor));
        Ok(())
    }

    /// Every policy of the organisation, turned off where never set.
    pub async fn policies(&self, actor: &Actor, org_id: &str) -> Result<Vec<Policy>> {
        self.authorize(actor, org_id, Action::ManagePolicies).await?;
        let stored: Vec<Policy> = self.store.policies(org_id).await?.iter().filter_map(parse_policy).collect();
        Ok(PolicyKind::ALL.into_iter().map(|k| stored.iter().find(|p| p.kind == k).cloned().unwrap_or_else(|| Policy::off(k))).collect())
    }

    pub async fn save_policy(&self, actor: &Actor, input: SavePolicyInput, meta: &RequestMeta) -> Result<()> {
        self.authorize(actor, &input.org_id, Action::ManagePolicies).await?;
        input.policy.validate()?;
        let p = &input.policy;
        let detail = match (p.enabled, p.settings()) {
            (false, _) => "turned off".to_string(),
            (true, None) => "turned on".to_string(),
            (true, Some(s)) => format!("on: {s}"),
        };
        let row = db::PolicyRow {
            org_id: input.org_id.clone(),
            kind: p.kind.code().into(),
            enabled: p.enabled,
            data: serde_json::to_string(p).map_err(anyhow::Error::from)?,
            updated_at: self.now(),
        };
        let ev = self.event(&input.org_id, Some(actor), "policy_changed", None, format!("{}: {detail}", p.kind.label()), meta);
        self.store.put_policy(&row, &ev).await?;
        self.tell_apps(Audience::Tenant(input.org_id.clone()), Change::Vault, Some(actor));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_combine_to_the_strictest() {
        let mut a = Policy::off(PolicyKind::MasterPassword);
        a.enabled = true;
        a.master_password = rules::MasterPasswordRules { min_length: 14, min_score: 2 };
        let mut b = a.clone();
        b.master_password = rules::MasterPasswordRules { min_length: 12, min_score: 4 };
        let mut off = Policy::off(PolicyKind::SingleOrg);
        off.enabled = false;
        let c = combine([a, b, off]);
        assert_eq!(c.master_password, Some(rules::MasterPasswordRules { min_length: 14, min_score: 4 }));
        assert!(!c.single_org);
    }
}
