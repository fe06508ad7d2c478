//! Account recovery (Bitwarden's admin password reset). A member enrols by
//! sealing their user key to the organisation's recovery public key (in
//! their browser); an Owner, an Admin, a Custom member with "Manage account
//! recovery" or provider staff resets an enrolled member's master password
//! from the Members table, the new password's keys made in their browser.
//! Owners are reset by Owners and staff only; nobody resets themselves.

use crate::accounts::{MAX_KEY_FIELD, member_facts};
use crate::mail::{self, MailKind};
use crate::{Actor, RequestMeta, Result, ServiceError, Services};
use domain::api::{RecoverAccountInput, RecoveryMaterial, RecoveryStatus};
use domain::authz::{Action, Denied};
use domain::crypto;
use domain::member::Role;
use domain::{Email, KdfParams};

const NOT_SET_UP: &str = "Account recovery is not set up in this organisation yet: an administrator sets it up under Policies.";
const NOT_ENROLLED: &str = "This member has not enrolled in account recovery: only enrolled members can be recovered.";

impl Services {
    /// The organisation's recovery public key and its fingerprint phrase, once set up.
    pub(crate) async fn recovery_key_of(&self, org_id: &str) -> Result<Option<(String, String)>> {
        let Some((public_key, _)) = self.store.org_recovery_key(org_id).await? else { return Ok(None) };
        let phrase = match (crypto::unb64(&public_key), uuid::Uuid::parse_str(org_id)) {
            (Ok(der), Ok(id)) => domain::fingerprint::phrase(id, &der),
            _ => return Ok(None),
        };
        Ok(Some((public_key, phrase)))
    }

    /// Account recovery in each organisation the person is a confirmed member of.
    pub async fn my_recovery(&self, actor: &Actor) -> Result<Vec<RecoveryStatus>> {
        let mut out = vec![];
        for (org, m) in self.store.memberships_of_user(actor.user_id()).await? {
            if !org.is_organization() || !member_facts(&m).is_active() {
                continue;
            }
            let (public_key, fingerprint) = self.recovery_key_of(&org.id).await?.unzip();
            let enrolled = self.store.recovery_enrolment(&org.id, &m.id).await?.is_some();
            let auto_enrol = self.org_policies(&org.id).await?.auto_enrol_recovery;
            out.push(RecoveryStatus { org_id: org.id, org_name: org.name, public_key, fingerprint, enrolled, auto_enrol });
        }
        Ok(out)
    }

    /// Sets up the organisation's recovery key pair (made in the browser:
    /// the private key encrypted with the organisation key). Once per organisation.
    pub async fn setup_recovery_keys(&self, actor: &Actor, org_id: &str, public_key: &str, private_key: &str, meta: &RequestMeta) -> Result<()> {
        self.authorize(actor, org_id, Action::RecoverAccounts).await?;
        let spki = crypto::unb64(public_key).ok().filter(|der| crypto::check_public_key(der).is_ok());
        if spki.is_none() || public_key.len() > MAX_KEY_FIELD {
            return Err(ServiceError::field("public_key", "The public key is not an RSA-2048 SPKI key."));
        }
        if !crypto::looks_encrypted(private_key) || private_key.len() > MAX_KEY_FIELD {
            return Err(ServiceError::field("private_key", "The private key must be encrypted with the organisation key."));
        }
        let ev = self.event(org_id, Some(actor), "recovery_keys_created", None, String::new(), meta);
        if !self.store.set_org_recovery_key(org_id, public_key, private_key, self.now(), &ev).await? {
            return Err(ServiceError::Conflict("Account recovery is already set up in this organisation.".into()));
        }
        Ok(())
    }

    /// Whether account recovery is set up in the organisation (for its administrators).
    pub async fn recovery_set_up(&self, actor: &Actor, org_id: &str) -> Result<bool> {
        self.authorize(actor, org_id, Action::RecoverAccounts).await?;
        Ok(self.store.org_recovery_key(org_id).await?.is_some())
    }

    /// The caller enrols (their browser sealed their user key to the
    /// organisation's recovery public key) or enrols again.
    pub async fn enrol_recovery(&self, actor: &Actor, org_id: &str, sealed_user_key: &str, meta: &RequestMeta) -> Result<()> {
        let auth = self.authorize(actor, org_id, Action::OpenProvider).await?;
        let own = auth.own.filter(|m| member_facts(m).is_active()).ok_or(Denied::NotMember)?;
        if self.store.org_recovery_key(org_id).await?.is_none() {
            return Err(ServiceError::Conflict(NOT_SET_UP.into()));
        }
        if !crypto::looks_sealed(sealed_user_key) || sealed_user_key.len() > MAX_KEY_FIELD {
            return Err(ServiceError::field("key", "The user key must be sealed to the organisation's public key."));
        }
        let ev = self.event(org_id, Some(actor), "recovery_enrolled", Some(actor.email()), String::new(), meta);
        self.store.enrol_recovery(org_id, &own.id, sealed_user_key, self.now(), &ev).await?;
        Ok(())
    }

    /// The caller withdraws from account recovery in the organisation.
    pub async fn withdraw_recovery(&self, actor: &Actor, org_id: &str, meta: &RequestMeta) -> Result<()> {
        let auth = self.authorize(actor, org_id, Action::OpenProvider).await?;
        let own = auth.own.ok_or(Denied::NotMember)?;
        if self.org_policies(org_id).await?.auto_enrol_recovery {
            return Err(ServiceError::Forbidden("This organisation's account recovery policy enrols every member: withdrawing is not allowed.".into()));
        }
        let ev = self.event(org_id, Some(actor), "recovery_withdrawn", Some(actor.email()), String::new(), meta);
        if !self.store.withdraw_recovery(org_id, &own.id, &ev).await? {
            return Err(ServiceError::Conflict("You are not enrolled in account recovery here.".into()));
        }
        Ok(())
    }

    /// The organisation's enrolled members (ids), for its administrators.
    pub async fn recovery_enrolled(&self, actor: &Actor, org_id: &str) -> Result<Vec<String>> {
        self.authorize(actor, org_id, Action::RecoverAccounts).await?;
        Ok(self.store.recovery_enrolled(org_id).await?)
    }

    /// Checks that the actor may recover this member; returns the member's
    /// account and sealed user key, and the organisation's encrypted private key.
    async fn recovery_target(&self, actor: &Actor, org_id: &str, member_id: &str) -> Result<(crate::providers::Authority, db::UserRow, String, String)> {
        let auth = self.authorize(actor, org_id, Action::RecoverAccounts).await?;
        let member = self.store.member(org_id, member_id).await?.ok_or_else(|| ServiceError::NotFound("No such member.".into()))?;
        let facts = member_facts(&member);
        let user_id = member.user_id.clone().filter(|_| facts.is_active()).ok_or_else(|| ServiceError::Conflict(NOT_ENROLLED.into()))?;
        if user_id == actor.user_id() {
            return Err(ServiceError::Forbidden("You cannot recover your own account: change your master password under My account.".into()));
        }
        auth.may_touch(Role::from_code(&member.user_type).unwrap_or(Role::User))?;
        let sealed = self.store.recovery_enrolment(org_id, member_id).await?.ok_or_else(|| ServiceError::Conflict(NOT_ENROLLED.into()))?;
        let (_, private_key) = self.store.org_recovery_key(org_id).await?.ok_or_else(|| ServiceError::Conflict(NOT_SET_UP.into()))?;
        let user = self.store.user_by_id(&user_id).await?.ok_or_else(|| ServiceError::NotFound("No such member.".into()))?;
        Ok((auth, user, sealed, private_key))
    }

    /// What the administrator's browser needs to set the member's new password.
    pub async fn recovery_material(&self, actor: &Actor, org_id: &str, member_id: &str) -> Result<RecoveryMaterial> {
        let (_, user, sealed_user_key, private_key) = self.recovery_target(actor, org_id, member_id).await?;
        Ok(RecoveryMaterial {
            email: user.email,
            kdf: KdfParams { memory_kib: user.kdf_memory as u32, iterations: user.kdf_iterations as u32, parallelism: user.kdf_parallelism as u32 },
            private_key,
            sealed_user_key,
        })
    }

    /// Sets the member's new master password: every session and app of the
    /// account ends, the member is mailed and must choose their own password
    /// at the next log-in; the organisation's log (and the provider's, when
    /// staff did it) records it.
    pub async fn recover_account(&self, actor: &Actor, input: RecoverAccountInput, meta: &RequestMeta) -> Result<()> {
        let (auth, user, _, _) = self.recovery_target(actor, &input.org_id, &input.member_id).await?;
        let hash =
            crypto::unb64(&input.auth_hash).ok().filter(|h| h.len() == 32).ok_or_else(|| ServiceError::field("auth_hash", "Malformed authentication hash."))?;
        if !crypto::looks_encrypted(&input.protected_user_key) || input.protected_user_key.len() > MAX_KEY_FIELD {
            return Err(ServiceError::field("protected_user_key", "The user key must be encrypted."));
        }
        let rules = self.org_policies(&input.org_id).await?.master_password;
        if let Err(msg) = domain::org::check_master_password(rules, input.password) {
            return Err(ServiceError::field("new_password", msg));
        }
        let phc = self.hashing.hash(hash).await?;
        let mut events = vec![self.event(&input.org_id, Some(actor), "account_recovered", Some(&user.email), String::new(), meta)];
        let staff = auth.own.as_ref().is_none_or(|m| !member_facts(m).is_active());
        if let (true, Some(pid)) = (staff, auth.tenant.parent_id.as_deref()) {
            events.push(self.event(pid, Some(actor), "account_recovered", Some(&user.email), format!("in {}", auth.tenant.name), meta));
        }
        let email = Email::parse(&user.email).map(|e| e.to_string()).unwrap_or(user.email.clone());
        let mail = mail::render(self, &auth.tenant, &email, MailKind::PasswordReset);
        self.store
            .recover_account(&db::AccountRecovery {
                user_id: user.id.clone(),
                org_id: input.org_id,
                auth_hash: phc,
                protected_user_key: input.protected_user_key,
                at: self.now(),
                events,
                mail,
            })
            .await?;
        self.tell_apps(crate::live::Audience::User(user.id), crate::live::Change::LogOut, None);
        Ok(())
    }
}
