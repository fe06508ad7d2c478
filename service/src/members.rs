//! Provider members: invite → accept → confirm, resend, remove, suspend,
//! user types, and the provider event log.

use crate::accounts::member_facts;
use crate::mail::{self, MailKind};
use crate::{Actor, RequestMeta, Result, ServiceError, Services, new_id, new_token, token_hash};
use db::{MemberBatch, MemberChange};
use domain::api::*;
use domain::authz::Action;
use domain::member::{MemberFacts, Role};
use domain::org::PasswordFacts;
use domain::{InviteList, InviteOutcome};

/// Resend calls one actor may make in an hour.
pub const RESENDS_PER_ACTOR: i64 = 30;
/// Invitations resent to one address in a day.
pub const RESENDS_PER_RECIPIENT: i64 = 5;

impl Services {
    fn batch(&self, provider_id: &str, actor: &Actor) -> MemberBatch {
        MemberBatch { provider_id: provider_id.into(), actor_user_id: actor.user_id().into(), changes: vec![], events: vec![], mails: vec![] }
    }

    /// Applies a batch; the tenant-specific refusals get a message that names the rule.
    async fn apply(&self, batch: &MemberBatch) -> Result<()> {
        // Whose apps hear of it: the accounts of the members confirmed,
        // retyped, suspended or removed (read before a removal deletes them).
        let touched: Vec<String> = batch
            .changes
            .iter()
            .filter_map(|c| match c {
                MemberChange::Confirm { member_id, .. }
                | MemberChange::SetUserType { member_id, .. }
                | MemberChange::SetSuspended { member_id, .. }
                | MemberChange::Remove { member_id } => Some(member_id.clone()),
                _ => None,
            })
            .collect();
        let users: Vec<String> = if touched.is_empty() {
            vec![]
        } else {
            self.store.members_by_ids(&batch.provider_id, &touched).await?.into_iter().filter_map(|v| v.member.user_id).collect()
        };
        match self.store.change_members(batch).await {
            Ok(()) => {
                for user in users {
                    self.tell_apps(crate::live::Audience::User(user), crate::live::Change::Memberships, None);
                }
                Ok(())
            }
            Err(db::Error::Conflict(db::Conflict::LastAdmin)) => {
                let org = self.store.provider(&batch.provider_id).await?.is_some_and(|p| p.is_organization());
                Err(ServiceError::Conflict(if org {
                    "The organisation must keep at least one confirmed Owner.".into()
                } else {
                    "The provider must keep at least one confirmed Provider admin.".into()
                }))
            }
            Err(db::Error::Conflict(db::Conflict::NoSeats)) => {
                let seats = self.store.provider(&batch.provider_id).await?.map(|p| p.seats).unwrap_or(0);
                Err(ServiceError::Conflict(format!(
                    "This organisation has {seats} seats and they would all be taken. Add seats, or remove or revoke members first."
                )))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn expiry(&self) -> i64 {
        self.now() + self.settings.invite_ttl.as_secs() as i64
    }

    pub async fn list_members(&self, actor: &Actor, provider_id: &str) -> Result<Vec<MemberListItem>> {
        let auth = self.authorize(actor, provider_id, Action::ListMembers).await?;
        // The version was read before the list: see `list_cache`.
        let version = auth.tenant.version;
        let _turn = self.list_gate.acquire().await.map_err(anyhow::Error::from)?;
        // Looked up after the turn: requests that queued behind the one that
        // read the list are served from what it kept.
        let rows = match self.list_cache.get(provider_id, version) {
            Some(rows) => rows,
            None => {
                let rows = std::sync::Arc::new(self.store.list_members(provider_id).await?);
                self.list_cache.put(provider_id, version, rows.clone());
                rows
            }
        };
        let now = self.now();
        Ok(rows
            .iter()
            .map(|v| {
                let f = member_facts(&v.member);
                MemberListItem {
                    is_me: v.member.user_id.as_deref() == Some(actor.user_id()),
                    id: v.member.id.clone(),
                    email: v.member.email.clone(),
                    name: v.name.clone(),
                    user_type: f.user_type,
                    badge: f.badge(now),
                    invited_at: v.member.invited_at,
                    expires_at: v.member.expires_at,
                    permissions: domain::authz::Permissions::from_code(&v.member.permissions),
                    user_id: v.member.user_id.clone(),
                }
            })
            .collect())
    }

    /// Invites up to 20 addresses; every address gets its own result. All
    /// valid, new addresses are invited in one transaction with their mails.
    pub async fn invite(&self, actor: &Actor, input: InviteInput, meta: &RequestMeta) -> Result<Vec<InviteEntry>> {
        let auth = self.authorize(actor, &input.provider_id, Action::InviteMembers).await?;
        self.limit(&format!("invite:{}", actor.user_id()), 60, 600, "invitations in a short time").await?;
        if !input.user_type.fits(auth.kind()) {
            return Err(ServiceError::field("user_type", "This role does not exist here."));
        }
        auth.may_give(input.user_type, input.permissions)?;
        let list = InviteList::parse(&input.emails).map_err(|e| ServiceError::field("emails", e.to_string()))?;
        let permissions = if input.user_type == Role::Custom { input.permissions.code() } else { String::new() };
        let provider = auth.tenant;
        let candidates: Vec<String> = list.valid().map(|e| e.to_string()).collect();
        let existing: std::collections::HashSet<String> = self.store.existing_emails(&input.provider_id, &candidates).await?.into_iter().collect();
        let now = self.now();
        let mut batch = self.batch(&input.provider_id, actor);
        let mut out = vec![];
        for entry in list.entries {
            match entry {
                InviteOutcome::Valid(email) if existing.contains(email.as_str()) => {
                    out.push(InviteEntry { input: email.to_string(), outcome: InviteEntryOutcome::AlreadyMember })
                }
                InviteOutcome::Valid(email) => {
                    let (token, hash) = new_token();
                    let member = db::MemberRow {
                        id: new_id(),
                        provider_id: input.provider_id.clone(),
                        user_id: None,
                        email: email.to_string(),
                        user_type: input.user_type.code().into(),
                        status: "invited".into(),
                        suspended: false,
                        wrapped_key: None,
                        invited_at: now,
                        expires_at: Some(self.expiry()),
                        accepted_at: None,
                        confirmed_at: None,
                        permissions: permissions.clone(),
                    };
                    let invitation = MailKind::Invitation { token: &token, member_id: &member.id, expires_at: self.expiry() };
                    batch.mails.push(mail::render(self, &provider, email.as_str(), invitation));
                    batch.events.push(self.event(
                        &input.provider_id,
                        Some(actor),
                        "member_invited",
                        Some(email.as_str()),
                        input.user_type.label().into(),
                        meta,
                    ));
                    batch.changes.push(MemberChange::Invite { member, token_hash: hash });
                    out.push(InviteEntry { input: email.to_string(), outcome: InviteEntryOutcome::Invited });
                }
                InviteOutcome::Repeated(email) => out.push(InviteEntry { input: email.to_string(), outcome: InviteEntryOutcome::Repeated }),
                InviteOutcome::Invalid { input, reason } => out.push(InviteEntry { input, outcome: InviteEntryOutcome::Invalid(reason.to_string()) }),
            }
        }
        if !batch.changes.is_empty() {
            self.apply(&batch).await?;
            self.publish(&input.provider_id, "invited");
        }
        Ok(out)
    }

    /// Loads the named members, in the order given, refusing ids of other providers.
    async fn targets(&self, provider_id: &str, ids: &[String]) -> Result<Vec<db::MemberView>> {
        if ids.is_empty() {
            return Err(ServiceError::field("members", "Select at least one member."));
        }
        let found = self.store.members_by_ids(provider_id, ids).await?;
        if found.len() != ids.iter().collect::<std::collections::HashSet<_>>().len() {
            return Err(ServiceError::NotFound("One or more members do not exist.".into()));
        }
        Ok(found)
    }

    fn skipped(v: &db::MemberView, why: impl Into<String>) -> MemberResult {
        MemberResult { member_id: v.member.id.clone(), email: v.member.email.clone(), skipped: Some(why.into()) }
    }
    fn done(v: &db::MemberView) -> MemberResult {
        MemberResult { member_id: v.member.id.clone(), email: v.member.email.clone(), skipped: None }
    }

    pub async fn resend(&self, actor: &Actor, provider_id: &str, ids: &[String], meta: &RequestMeta) -> Result<Vec<MemberResult>> {
        let auth = self.authorize(actor, provider_id, Action::ResendInvitations).await?;
        self.limit(&format!("resend:{}", actor.user_id()), RESENDS_PER_ACTOR, 3600, "resent invitations in a short time").await?;
        let provider = &auth.tenant;
        let mut batch = self.batch(provider_id, actor);
        let mut out = vec![];
        for v in self.targets(provider_id, ids).await? {
            let facts = member_facts(&v.member);
            if let Err(e) = auth.may_touch(facts.user_type) {
                out.push(Self::skipped(&v, e.to_string()));
                continue;
            }
            if let Err(e) = facts.can_resend() {
                out.push(Self::skipped(&v, e.to_string()));
                continue;
            }
            // Each address gets a few a day, however many admins press the button.
            if self.limit(&format!("resend-to:{}", v.member.email), RESENDS_PER_RECIPIENT, 24 * 3600, "").await.is_err() {
                out.push(Self::skipped(&v, "This address was sent several invitations today already. Try again tomorrow."));
                continue;
            }
            let (token, hash) = new_token();
            batch.changes.push(MemberChange::ReplaceToken { member_id: v.member.id.clone(), token_hash: hash, expires_at: self.expiry() });
            let invitation = MailKind::Invitation { token: &token, member_id: &v.member.id, expires_at: self.expiry() };
            batch.mails.push(mail::render(self, provider, &v.member.email, invitation));
            batch.events.push(self.event(provider_id, Some(actor), "invitation_resent", Some(&v.member.email), String::new(), meta));
            out.push(Self::done(&v));
        }
        if !batch.changes.is_empty() {
            self.apply(&batch).await?;
            self.publish(provider_id, "resent");
        }
        Ok(out)
    }

    /// For the confirm dialog: each accepted member's public key and fingerprint phrase.
    pub async fn confirm_candidates(&self, actor: &Actor, provider_id: &str, ids: &[String]) -> Result<Vec<ConfirmCandidate>> {
        let auth = self.authorize(actor, provider_id, Action::ConfirmMembers).await?;
        let mut out = vec![];
        for v in self.targets(provider_id, ids).await? {
            let facts = member_facts(&v.member);
            if facts.can_confirm().is_err() || auth.may_touch(facts.user_type).is_err() {
                continue;
            }
            let (Some(uid), Some(pk)) = (v.member.user_id.clone(), v.public_key.clone()) else { continue };
            let parsed = uuid::Uuid::parse_str(&uid).map_err(|e| anyhow::anyhow!("user id: {e}"))?;
            out.push(ConfirmCandidate {
                member_id: v.member.id,
                email: v.member.email,
                name: v.name,
                fingerprint: domain::fingerprint::phrase(parsed, &pk),
                user_id: uid,
                public_key: domain::crypto::b64(&pk),
            });
        }
        Ok(out)
    }

    /// Confirms with provider keys the admin's browser sealed to each member.
    /// The server cannot confirm anyone by itself: it has no key to give.
    pub async fn confirm(&self, actor: &Actor, provider_id: &str, keys: Vec<WrappedKey>, meta: &RequestMeta) -> Result<Vec<MemberResult>> {
        let auth = self.authorize(actor, provider_id, Action::ConfirmMembers).await?;
        let provider = &auth.tenant;
        let ids: Vec<String> = keys.iter().map(|k| k.member_id.clone()).collect();
        let targets = self.targets(provider_id, &ids).await?;
        let now = self.now();
        let mut batch = self.batch(provider_id, actor);
        let mut out = vec![];
        for k in keys {
            let v = targets.iter().find(|t| t.member.id == k.member_id).expect("targets holds every id");
            let facts = member_facts(&v.member);
            if let Err(e) = auth.may_touch(facts.user_type).map_err(|e| e.to_string()).and_then(|()| facts.can_confirm().map_err(|e| e.to_string())) {
                out.push(Self::skipped(v, e));
                continue;
            }
            if !domain::crypto::looks_sealed(&k.wrapped_key) {
                return Err(ServiceError::field("wrapped_key", "Each wrapped key must be wrapped to the member's RSA-2048 public key (EncString type 4)."));
            }
            let phrase = match (&v.member.user_id, &v.public_key) {
                (Some(uid), Some(pk)) => uuid::Uuid::parse_str(uid).map(|u| domain::fingerprint::phrase(u, pk)).unwrap_or_default(),
                _ => String::new(),
            };
            batch.changes.push(MemberChange::Confirm { member_id: k.member_id.clone(), wrapped_key: k.wrapped_key, now });
            batch.mails.push(mail::render(self, provider, &v.member.email, MailKind::Confirmed));
            batch.events.push(self.event(
                provider_id,
                Some(actor),
                "member_confirmed",
                Some(&v.member.email),
                format!("Fingerprint phrase shown: {phrase}"),
                meta,
            ));
            out.push(Self::done(v));
        }
        if !batch.changes.is_empty() {
            self.apply(&batch).await?;
            self.publish(provider_id, "confirmed");
        }
        Ok(out)
    }

    pub async fn remove(&self, actor: &Actor, provider_id: &str, ids: &[String], meta: &RequestMeta) -> Result<Vec<MemberResult>> {
        let auth = self.authorize(actor, provider_id, Action::RemoveMembers).await?;
        let mut batch = self.batch(provider_id, actor);
        let mut out = vec![];
        for v in self.targets(provider_id, ids).await? {
            if v.member.user_id.as_deref() == Some(actor.user_id()) {
                out.push(Self::skipped(&v, "You cannot remove yourself."));
                continue;
            }
            if let Err(e) = auth.may_touch(member_facts(&v.member).user_type) {
                out.push(Self::skipped(&v, e.to_string()));
                continue;
            }
            batch.changes.push(MemberChange::Remove { member_id: v.member.id.clone() });
            if v.member.status != "invited" {
                batch.mails.push(mail::render(self, &auth.tenant, &v.member.email, MailKind::Removed));
            }
            // A suspended member held no seat: the usage report reads this.
            let detail = if v.member.suspended { "was suspended" } else { "" };
            batch.events.push(self.event(provider_id, Some(actor), "member_removed", Some(&v.member.email), detail.into(), meta));
            out.push(Self::done(&v));
        }
        if !batch.changes.is_empty() {
            self.apply(&batch).await?;
            self.publish(provider_id, "removed");
        }
        Ok(out)
    }

    pub async fn set_suspended(&self, actor: &Actor, provider_id: &str, ids: &[String], suspended: bool, meta: &RequestMeta) -> Result<Vec<MemberResult>> {
        let auth = self.authorize(actor, provider_id, Action::SuspendMembers).await?;
        let mut batch = self.batch(provider_id, actor);
        let mut out = vec![];
        for v in self.targets(provider_id, ids).await? {
            if v.member.user_id.as_deref() == Some(actor.user_id()) {
                out.push(Self::skipped(&v, "You cannot suspend yourself."));
                continue;
            }
            if let Err(e) = auth.may_touch(member_facts(&v.member).user_type) {
                out.push(Self::skipped(&v, e.to_string()));
                continue;
            }
            if v.member.suspended == suspended {
                out.push(Self::skipped(&v, if suspended { "Already suspended." } else { "Not suspended." }));
                continue;
            }
            batch.changes.push(MemberChange::SetSuspended { member_id: v.member.id.clone(), suspended });
            let kind = if suspended { "member_suspended" } else { "member_restored" };
            batch.events.push(self.event(provider_id, Some(actor), kind, Some(&v.member.email), String::new(), meta));
            out.push(Self::done(&v));
        }
        if !batch.changes.is_empty() {
            self.apply(&batch).await?;
            self.publish(provider_id, "suspended");
        }
        Ok(out)
    }

    pub async fn set_user_type(
        &self,
        actor: &Actor,
        provider_id: &str,
        member_id: &str,
        user_type: Role,
        permissions: domain::authz::Permissions,
        meta: &RequestMeta,
    ) -> Result<()> {
        let auth = self.authorize(actor, provider_id, Action::ChangeUserType).await?;
        if !user_type.fits(auth.kind()) {
            return Err(ServiceError::field("user_type", "This role does not exist here."));
        }
        let v = self.targets(provider_id, &[member_id.to_string()]).await?.remove(0);
        // In an organisation nobody changes their own role or permissions (as
        // Bitwarden); a Provider admin may step down while another remains.
        if auth.org.is_some() && v.member.user_id.as_deref() == Some(actor.user_id()) {
            return Err(domain::authz::Denied::OwnRole.into());
        }
        auth.may_touch(member_facts(&v.member).user_type)?;
        auth.may_give(user_type, permissions)?;
        let permissions = if user_type == Role::Custom { permissions.code() } else { String::new() };
        let mut batch = self.batch(provider_id, actor);
        batch.changes.push(MemberChange::SetUserType { member_id: member_id.into(), user_type: user_type.code().into(), permissions });
        batch.events.push(self.event(provider_id, Some(actor), "user_type_changed", Some(&v.member.email), user_type.label().into(), meta));
        self.apply(&batch).await?;
        self.publish(provider_id, "user_type");
        Ok(())
    }

    /// Gives the chosen members one role or user type in one transaction;
    /// a member this actor may not change, or who already has it, is skipped
    /// with the reason.
    pub async fn set_user_types(
        &self,
        actor: &Actor,
        provider_id: &str,
        ids: &[String],
        user_type: Role,
        permissions: domain::authz::Permissions,
        meta: &RequestMeta,
    ) -> Result<Vec<MemberResult>> {
        let auth = self.authorize(actor, provider_id, Action::ChangeUserType).await?;
        if !user_type.fits(auth.kind()) {
            return Err(ServiceError::field("user_type", "This role does not exist here."));
        }
        auth.may_give(user_type, permissions)?;
        let code = if user_type == Role::Custom { permissions.code() } else { String::new() };
        let mut batch = self.batch(provider_id, actor);
        let mut out = vec![];
        for v in self.targets(provider_id, ids).await? {
            let current = member_facts(&v.member).user_type;
            if auth.org.is_some() && v.member.user_id.as_deref() == Some(actor.user_id()) {
                out.push(Self::skipped(&v, domain::authz::Denied::OwnRole.to_string()));
                continue;
            }
            if let Err(e) = auth.may_touch(current) {
                out.push(Self::skipped(&v, e.to_string()));
                continue;
            }
            if current == user_type && (user_type != Role::Custom || v.member.permissions == code) {
                out.push(Self::skipped(&v, format!("Already {}.", user_type.label())));
                continue;
            }
            batch.changes.push(MemberChange::SetUserType { member_id: v.member.id.clone(), user_type: user_type.code().into(), permissions: code.clone() });
            batch.events.push(self.event(provider_id, Some(actor), "user_type_changed", Some(&v.member.email), user_type.label().into(), meta));
            out.push(Self::done(&v));
        }
        if !batch.changes.is_empty() {
            self.apply(&batch).await?;
            self.publish(provider_id, "user_type");
        }
        Ok(out)
    }

    /// What the invitation page shows; needs no sign-in.
    pub async fn invitation_info(&self, token: &str) -> Result<InvitationInfo> {
        let valid_for = domain::text::duration_words(self.settings.invite_ttl.as_secs());
        let gone = InvitationInfo {
            state: InvitationState::Gone,
            provider_name: None,
            email: None,
            organization: false,
            master_password: None,
            auto_enrol: None,
            valid_for: valid_for.clone(),
        };
        let Some(hash) = token_hash(token) else { return Ok(gone) };
        let Some((m, p, expires_at)) = self.store.invitation(&hash).await? else { return Ok(gone) };
        let state = if expires_at <= self.now() { InvitationState::Expired } else { InvitationState::Open };
        let (master_password, auto_enrol) = if p.is_organization() {
            let policies = self.org_policies(&p.id).await?;
            (policies.master_password, if policies.auto_enrol_recovery { self.recovery_key_of(&p.id).await? } else { None })
        } else {
            (None, None)
        };
        Ok(InvitationInfo {
            state,
            organization: p.is_organization(),
            master_password,
            auto_enrol,
            valid_for,
            provider_name: Some(p.name),
            email: Some(m.email),
        })
    }

    /// Accepting needs the signed-in account's email to equal the invited one.
    pub async fn accept(&self, actor: &Actor, token: &str, password: Option<PasswordFacts>, meta: &RequestMeta) -> Result<String> {
        self.accept_with(actor, token, password, None, meta).await
    }

    /// Accepts; where the organisation enrols its members in account recovery
    /// at join, `recovery_key` (the user key sealed to its recovery key in the
    /// member's browser) is needed and stored in the same transaction.
    pub async fn accept_with(
        &self,
        actor: &Actor,
        token: &str,
        password: Option<PasswordFacts>,
        recovery_key: Option<String>,
        meta: &RequestMeta,
    ) -> Result<String> {
        self.limit(&format!("accept:{}", meta.ip.as_deref().unwrap_or(actor.user_id())), 50, 600, "attempts to accept invitations").await?;
        let gone = || ServiceError::Conflict("This invitation is no longer valid. Ask an administrator to send you a new invitation.".into());
        let hash = token_hash(token).ok_or_else(gone)?;
        let (m, p, expires_at) = self.store.invitation(&hash).await?.ok_or_else(gone)?;
        let facts: MemberFacts = member_facts(&m);
        if expires_at <= self.now() {
            return Err(ServiceError::Conflict("This invitation has expired. Ask an administrator to send you a new invitation.".into()));
        }
        facts.can_accept(self.now()).map_err(|e| ServiceError::Conflict(e.to_string()))?;
        if m.email != actor.email() {
            return Err(ServiceError::Forbidden(format!("This invitation was sent to {}. Log in with that email to accept it.", m.email)));
        }
        let mut enrolment = None;
        if p.is_organization() {
            self.check_join_policies(actor.user_id(), &p, password).await?;
            if self.org_policies(&p.id).await?.auto_enrol_recovery && self.recovery_key_of(&p.id).await?.is_some() {
                let key = recovery_key.filter(|k| domain::crypto::looks_sealed(k) && k.len() <= crate::accounts::MAX_KEY_FIELD).ok_or_else(|| {
                    ServiceError::field(
                        "recovery_key",
                        "This organisation enrols its members in account recovery when they join: reload the page and accept again.",
                    )
                })?;
                enrolment = Some((key, self.event(&p.id, Some(actor), "recovery_enrolled", Some(&m.email), "automatic, at join".into(), meta)));
            }
        }
        let ev = self.event(&p.id, Some(actor), "member_accepted", Some(&m.email), String::new(), meta);
        self.store.accept_invitation(&hash, &m.id, actor.user_id(), self.now(), &ev, enrolment.as_ref().map(|(k, e)| (k.as_str(), e))).await?;
        self.publish(&p.id, "accepted");
        Ok(p.id)
    }

    /// Mails to this provider's people that could not be delivered yet.
    pub async fn failed_mails(&self, actor: &Actor, provider_id: &str) -> Result<Vec<(String, String, String)>> {
        self.authorize(actor, provider_id, Action::ListMembers).await?;
        Ok(self.store.failed_mails(provider_id).await?.into_iter().map(|m| (m.to_addr, m.subject, m.last_error.unwrap_or_default())).collect())
    }
}

impl Services {
    /// Whether a live stream opened by `actor` may go on: the session is still
    /// live (not logged out) and the actor may still list the members (not
    /// removed, suspended or demoted).
    pub async fn may_still_watch(&self, actor: &Actor, provider_id: &str) -> bool {
        matches!(self.store.session_user(&actor.session_hash, self.now()).await, Ok(Some(_)))
            && self.authorize(actor, provider_id, Action::ListMembers).await.is_ok()
    }

    /// Live changes of a provider's membership, for Provider admins.
    pub async fn subscribe(&self, actor: &Actor, provider_id: &str) -> Result<tokio::sync::broadcast::Receiver<crate::ProviderChanged>> {
        self.authorize(actor, provider_id, Action::ListMembers).await?;
        Ok(self.changes.subscribe())
    }

    /// The onboarding queue's watchers: changes of every client of the provider.
    pub async fn subscribe_clients(&self, actor: &Actor, provider_id: &str) -> Result<tokio::sync::broadcast::Receiver<crate::ProviderChanged>> {
        let auth = self.authorize(actor, provider_id, Action::ManageClients).await?;
        if auth.tenant.is_organization() {
            return Err(domain::authz::Denied::WrongTenant.into());
        }
        Ok(self.changes.subscribe())
    }

    /// Whether a change of `tenant_id` concerns the onboarding queue of `provider_id`.
    pub async fn is_client_of(&self, tenant_id: &str, provider_id: &str) -> bool {
        tenant_id == provider_id || matches!(self.store.provider(tenant_id).await, Ok(Some(t)) if t.parent_id.as_deref() == Some(provider_id))
    }

    /// Whether an onboarding-queue stream may go on (as `may_still_watch`).
    pub async fn may_still_watch_clients(&self, actor: &Actor, provider_id: &str) -> bool {
        matches!(self.store.session_user(&actor.session_hash, self.now()).await, Ok(Some(_)))
            && self.authorize(actor, provider_id, Action::ManageClients).await.is_ok()
    }
}
