//! Provider bootstrap and the membership facts every provider action needs.

use crate::accounts::member_facts;
use crate::{Actor, RequestMeta, Result, ServiceError, Services, new_id};
use domain::api::{ProviderSummary, SetupProviderInput};
use domain::authz::{Action, Denied, OrgAuthority, Permissions, authorize, authorize_org, may_grant, may_touch_role};
use domain::member::{MemberFacts, Role, StatusBadge, TenantKind};
use domain::{Email, FieldError};

/// The outcome of a successful check: the tenant, the actor's own membership
/// in it (if any), and for an organisation the authority they act with.
pub(crate) struct Authority {
    pub tenant: db::ProviderRow,
    pub own: Option<db::MemberRow>,
    pub org: Option<OrgAuthority>,
}

impl Authority {
    pub fn kind(&self) -> TenantKind {
        if self.tenant.is_organization() { TenantKind::Organization } else { TenantKind::Provider }
    }
    /// In an organisation, whether the actor may act on a member of this role
    /// (`domain::authz::may_touch_role`); in a provider, admins act on anyone.
    pub fn may_touch(&self, role: Role) -> std::result::Result<(), Denied> {
        match &self.org {
            Some(o) => may_touch_role(o, role),
            None => Ok(()),
        }
    }
    /// Whether the actor may give `role` with `permissions`: the role itself,
    /// and for Custom only permissions a Custom actor holds.
    pub fn may_give(&self, role: Role, permissions: Permissions) -> std::result::Result<(), Denied> {
        self.may_touch(role)?;
        match &self.org {
            Some(o) if role == Role::Custom => may_grant(o, permissions),
            _ => Ok(()),
        }
    }
}

impl Services {
    /// The actor's own membership facts in a provider (None for outsiders).
    pub(crate) async fn facts(&self, actor: &Actor, provider_id: &str) -> Result<Option<(db::MemberRow, MemberFacts)>> {
        Ok(self.store.member_by_user(provider_id, actor.user_id()).await?.map(|m| {
            let f = member_facts(&m);
            (m, f)
        }))
    }

    /// Checks the authorization table for the actor in this tenant: the
    /// provider table for a provider, the organisation table (provider staff,
    /// or the member's own role) for a client organisation.
    pub(crate) async fn authorize(&self, actor: &Actor, tenant_id: &str, action: Action) -> Result<Authority> {
        // One round trip for the tenant and the actor's own membership of it.
        let Some((tenant, own)) = self.store.tenant_with_member(tenant_id, actor.user_id()).await? else {
            return Err(Denied::NotMember.into());
        };
        let own = own.map(|m| {
            let f = member_facts(&m);
            (m, f)
        });
        if !tenant.is_organization() {
            authorize(own.as_ref().map(|(_, f)| f), action)?;
            if self.shut_out_by_two_step(actor.user_id(), &tenant.id).await? {
                return Err(ServiceError::Forbidden(crate::two_factor::REQUIRED_BY_PROVIDER.into()));
            }
            return Ok(Authority { tenant, own: own.map(|(m, _)| m), org: None });
        }
        let provider = match tenant.parent_id.as_deref() {
            Some(pid) => self.facts(actor, pid).await?.map(|(_, f)| f),
            None => None,
        };
        let org = OrgAuthority {
            provider,
            member: own.as_ref().map(|(_, f)| *f),
            permissions: own.as_ref().map(|(m, _)| Permissions::from_code(&m.permissions)).unwrap_or_default(),
        };
        authorize_org(&org, action)?;
        // A suspended client stays open to its provider's staff only.
        if tenant.suspended_at.is_some() && !org.is_provider_staff() {
            return Err(ServiceError::Forbidden(crate::clients::SUSPENDED.into()));
        }
        // Its own members meet its "Require two-step login" policy; its
        // provider's staff, the provider's own requirement.
        if org.is_provider_staff() {
            if let Some(pid) = tenant.parent_id.as_deref()
                && self.shut_out_by_two_step(actor.user_id(), pid).await?
            {
                return Err(ServiceError::Forbidden(crate::two_factor::REQUIRED_BY_PROVIDER.into()));
            }
        } else if self.shut_out_by_two_step(actor.user_id(), &tenant.id).await? {
            return Err(ServiceError::Forbidden(crate::two_factor::REQUIRED_BY_ORG.into()));
        }
        Ok(Authority { tenant, own: own.map(|(m, _)| m), org: Some(org) })
    }

    pub(crate) fn event(&self, provider_id: &str, actor: Option<&Actor>, kind: &str, target: Option<&str>, detail: String, meta: &RequestMeta) -> db::EventRow {
        db::EventRow {
            id: new_id(),
            provider_id: provider_id.into(),
            actor_user_id: actor.map(|a| a.user_id().to_string()),
            actor_email: actor.map(|a| a.email().to_string()),
            target_email: target.map(Into::into),
            kind: kind.into(),
            detail,
            ip: meta.ip.clone(),
            at: self.now(),
        }
    }

    /// Provider settings (Provider admins only).
    pub async fn update_provider(&self, actor: &Actor, provider_id: &str, name: &str, billing_email: &str, meta: &RequestMeta) -> Result<ProviderSummary> {
        let auth = self.authorize(actor, provider_id, Action::EditProviderSettings).await?;
        let m = auth.own.ok_or(Denied::NotMember)?;
        let mut errs = vec![];
        let name = domain::text::provider_name(name).map_err(|e| errs.push(e)).ok();
        let billing = Email::parse(billing_email).map_err(|e| errs.push(FieldError::new("billing_email", e.to_string()))).ok();
        if !errs.is_empty() {
            return Err(ServiceError::Validation(errs));
        }
        let (name, billing) = (name.unwrap(), billing.unwrap());
        let old = self.store.provider(provider_id).await?.ok_or_else(|| ServiceError::NotFound("No such provider.".into()))?;
        let mut changed = vec![];
        if old.name != name {
            changed.push(format!("name \"{}\" → \"{}\"", old.name, name));
        }
        if old.billing_email != billing.as_str() {
            changed.push(format!("billing email {} → {}", old.billing_email, billing));
        }
        let ev = self.event(provider_id, Some(actor), "provider_settings_changed", None, changed.join("; "), meta);
        self.store.update_provider(provider_id, &name, billing.as_str(), &ev).await?;
        let f = crate::accounts::member_facts(&m);
        Ok(ProviderSummary { id: provider_id.into(), name, user_type: f.user_type, badge: f.badge(self.now()), wrapped_key: m.wrapped_key })
    }

    pub async fn provider_settings(&self, actor: &Actor, provider_id: &str) -> Result<(String, String)> {
        self.authorize(actor, provider_id, Action::EditProviderSettings).await?;
        let p = self.store.provider(provider_id).await?.ok_or_else(|| ServiceError::NotFound("No such provider.".into()))?;
        Ok((p.name, p.billing_email))
    }

    /// A signed-in user sets up a provider and becomes its first confirmed
    /// Provider admin. The provider key was made in the browser and arrives
    /// sealed to the user's own public key.
    pub async fn create_provider(&self, actor: &Actor, input: SetupProviderInput, meta: &RequestMeta) -> Result<ProviderSummary> {
        if !self.settings.provider_setup.allows(actor.email()) {
            return Err(ServiceError::Forbidden("On this server, only the people its operator named can set up a provider.".into()));
        }
        self.limit(&format!("provider-setup:{}", actor.user_id()), 5, 24 * 3600, "providers set up in a day").await?;
        let mut errs = vec![];
        let name = domain::text::provider_name(&input.name).map_err(|e| errs.push(e)).ok();
        let billing = Email::parse(&input.billing_email).map_err(|e| errs.push(FieldError::new("billing_email", e.to_string()))).ok();
        if !domain::crypto::looks_sealed(&input.wrapped_key) {
            errs.push(FieldError::new("wrapped_key", "The provider key must be wrapped to your RSA-2048 public key (EncString type 4)."));
        }
        if !errs.is_empty() {
            return Err(ServiceError::Validation(errs));
        }
        let now = self.now();
        let p = db::ProviderRow {
            id: new_id(),
            name: name.unwrap(),
            billing_email: billing.unwrap().to_string(),
            created_at: now,
            kind: "provider".into(),
            parent_id: None,
            seats: 0,
            org_key: None,
            version: 0,
            suspended_at: None,
        };
        let m = db::MemberRow {
            id: new_id(),
            provider_id: p.id.clone(),
            user_id: Some(actor.user_id().into()),
            email: actor.email().into(),
            user_type: Role::ProviderAdmin.code().into(),
            status: "confirmed".into(),
            suspended: false,
            wrapped_key: Some(input.wrapped_key.clone()),
            invited_at: now,
            expires_at: None,
            accepted_at: Some(now),
            confirmed_at: Some(now),
            permissions: String::new(),
        };
        let ev = self.event(&p.id, Some(actor), "provider_created", Some(actor.email()), format!("Provider \"{}\" set up", p.name), meta);
        self.store.create_provider(&p, &m, &ev).await?;
        Ok(ProviderSummary { id: p.id, name: p.name, user_type: Role::ProviderAdmin, badge: StatusBadge::Confirmed, wrapped_key: Some(input.wrapped_key) })
    }
}
