//! Accounts and sessions (zero knowledge: the server sees only the client's
//! authentication hash and stores an Argon2id hash of it).

use crate::{Actor, RequestMeta, Result, ServiceError, Services, new_id, new_token, throttle, token_hash};
use anyhow::Context;
use domain::api::{ChangePasswordInput, LoginInput, Me, ProviderSummary, RegisterInput};
use domain::crypto;
use domain::member::{MemberFacts, MemberStatus, Role};
use domain::{Email, FieldError, KdfParams};

pub(crate) const LOGIN_FAILED: &str = "Invalid email or master password.";
/// The largest key field (base64 or encrypted text) any browser of this portal sends.
pub const MAX_KEY_FIELD: usize = 8 * 1024;
/// Sign-ups without an invitation from one client address in an hour.
pub const SIGNUPS_PER_ADDRESS: i64 = 20;
/// Sign-ups on the whole server in an hour.
pub const SIGNUPS_PER_HOUR: i64 = 1000;

pub(crate) fn member_facts(m: &db::MemberRow) -> MemberFacts {
    MemberFacts {
        user_type: Role::from_code(&m.user_type).unwrap_or(Role::ServiceUser),
        status: MemberStatus::from_code(&m.status).unwrap_or(MemberStatus::Invited),
        suspended: m.suspended,
        expires_at: m.expires_at,
    }
}

fn decode_auth_hash(s: &str) -> Result<Vec<u8>> {
    let b = crypto::unb64(s).map_err(|_| ServiceError::field("auth_hash", "Malformed authentication hash."))?;
    if b.len() != 32 {
        return Err(ServiceError::field("auth_hash", "Malformed authentication hash."));
    }
    Ok(b)
}

impl Services {
    /// KDF parameters for any email, without telling whether the account exists.
    pub async fn prelogin(&self, email: &str, meta: &RequestMeta) -> Result<KdfParams> {
        // Failures (unknown or malformed emails), not calls, are counted: a
        // busy office behind one address logs in freely; a prober is slowed.
        let failures = meta.ip.as_ref().map(|ip| format!("prelogin-fail:{ip}"));
        if let Some(key) = &failures {
            self.refuse_at(key, throttle::MAX_PRELOGIN_FAILURES, "log-in attempts from your network").await?;
        }
        let user = match Email::parse(email) {
            Ok(email) => self.store.user_by_email(email.as_str()).await?,
            Err(_) => None,
        };
        Ok(match user {
            Some(u) => KdfParams { memory_kib: u.kdf_memory as u32, iterations: u.kdf_iterations as u32, parallelism: u.kdf_parallelism as u32 },
            None => {
                if let Some(key) = &failures {
                    self.store.count_hit(key, self.now(), 60, false).await?;
                }
                KdfParams::default()
            }
        })
    }

    pub async fn register(&self, input: RegisterInput, meta: &RequestMeta) -> Result<()> {
        self.limit("signup:all", SIGNUPS_PER_HOUR, 3600, "sign-ups on this server right now").await?;
        let mut errors: Vec<FieldError> = vec![];
        let email = Email::parse(&input.email).map_err(|e| FieldError::new("email", e.to_string()));
        let name = domain::text::person_name(&input.name);
        let hint = domain::text::hint(&input.hint);
        let kdf = input.kdf.validate();
        let auth = decode_auth_hash(&input.auth_hash);
        let public_key = crypto::unb64(&input.public_key)
            .ok()
            .filter(|pk| crypto::check_public_key(pk).is_ok())
            .ok_or_else(|| FieldError::new("public_key", "The public key is not an RSA-2048 SPKI key."));
        if !crypto::looks_encrypted(&input.protected_user_key) || !crypto::looks_encrypted(&input.protected_private_key) {
            errors.push(FieldError::new("keys", "The protected keys are not encrypted values."));
        }
        if [&input.protected_user_key, &input.protected_private_key, &input.public_key].iter().any(|k| k.len() > MAX_KEY_FIELD) {
            errors.push(FieldError::new("keys", "A key is larger than any key this portal makes."));
        }
        for e in [email.as_ref().err(), name.as_ref().err(), hint.as_ref().err(), kdf.as_ref().err(), public_key.as_ref().err()].into_iter().flatten() {
            errors.push(e.clone());
        }
        if let Err(ServiceError::Validation(v)) = &auth {
            errors.extend(v.iter().cloned());
        }
        // Signing up for an organisation's invitation: its master password
        // requirements apply (checked on the browser's facts about the password).
        let mut invited = false;
        if let (Some(token), Ok(email)) = (&input.invite_token, &email)
            && let Some((m, org, expires_at)) = match crate::token_hash(token) {
                Some(h) => self.store.invitation(&h).await?,
                None => None,
            }
        {
            invited = m.email == email.as_str() && expires_at > self.now();
            if org.is_organization() && m.email == email.as_str() {
                let rules = self.org_policies(&org.id).await?.master_password;
                if let Err(msg) = domain::org::check_master_password(rules, input.password) {
                    errors.push(FieldError::new("password", msg));
                }
            }
        }
        // Invited people sign up freely (their invitations are limited);
        // others a few an hour from one address.
        if let (Some(ip), false) = (&meta.ip, invited) {
            self.limit(&format!("signup:{ip}"), SIGNUPS_PER_ADDRESS, 3600, "sign-ups from your network").await?;
        }
        if !errors.is_empty() {
            return Err(ServiceError::Validation(errors));
        }
        if let Ok(email) = &email
            && !self.settings.signups.allows(email.as_str(), invited)
        {
            return Err(ServiceError::Forbidden("This server creates accounts for invited people only. Ask your administrator for an invitation.".into()));
        }
        let (email, name, hint, kdf, auth, public_key) = (email.unwrap(), name.unwrap(), hint.unwrap(), kdf.unwrap(), auth?, public_key.unwrap());
        let phc = self.hashing.hash(auth).await?;
        let user = db::UserRow {
            id: new_id(),
            email: email.to_string(),
            name,
            hint,
            kdf_memory: kdf.memory_kib.into(),
            kdf_iterations: kdf.iterations.into(),
            kdf_parallelism: kdf.parallelism.into(),
            auth_hash: phc,
            protected_user_key: input.protected_user_key,
            protected_private_key: input.protected_private_key,
            public_key,
            created_at: self.now(),
        };
        match self.store.create_user(&user).await {
            Err(db::Error::Conflict(db::Conflict::EmailTaken)) => {
                Err(ServiceError::field("email", "An account with this email already exists. Log in instead."))
            }
            other => Ok(other?),
        }
    }

    /// Changes the master password: checks the current one (by its
    /// authentication hash), the organisations' master password policies (on the
    /// browser's facts), stores the new hash and re-encrypted user key, and ends
    /// every other session of the account.
    pub async fn change_master_password(&self, actor: &Actor, input: ChangePasswordInput) -> Result<()> {
        let user = self.store.user_by_id(&actor.user_id).await?.ok_or(ServiceError::Unauthenticated)?;
        let current = decode_auth_hash(&input.current_auth_hash)?;
        let new = decode_auth_hash(&input.new_auth_hash).map_err(|_| ServiceError::field("new_password", "Malformed authentication hash."))?;
        if !crypto::looks_encrypted(&input.new_protected_user_key) || input.new_protected_user_key.len() > MAX_KEY_FIELD {
            return Err(ServiceError::field("new_password", "The user key must be encrypted."));
        }
        let throttled = format!("password-change:{}", user.id);
        self.refuse_while_throttled(&throttled, "failed password changes").await?;
        let ok = self.hashing.verify(current, user.auth_hash.clone()).await?;
        if !ok {
            self.store.count_hit(&throttled, self.now(), throttle::LOGIN_WINDOW_SECS, true).await?;
            return Err(ServiceError::field("current_password", "The current master password is not correct."));
        }
        let rules = self.user_policies(&user.id).await?.master_password;
        if let Err(msg) = domain::org::check_master_password(rules, input.password) {
            return Err(ServiceError::field("new_password", msg));
        }
        let phc = self.hashing.hash(new).await?;
        self.store.change_master_password(&user.id, &phc, &input.new_protected_user_key, &actor.session_hash).await?;
        self.tell_apps(crate::live::Audience::User(user.id.clone()), crate::live::Change::LogOut, None);
        Ok(())
    }

    /// Verifies the client's authentication hash; returns a new session token.
    pub async fn login(&self, input: LoginInput, meta: &RequestMeta) -> Result<(String, Me)> {
        let (token, me, _) = self.login_remembering(input, meta).await?;
        Ok((token, me))
    }

    /// [`Self::login`], with the second step when the account has two-step
    /// login on; returns the remembered-device token when one was asked for.
    pub async fn login_remembering(&self, input: LoginInput, meta: &RequestMeta) -> Result<(String, Me, Option<String>)> {
        let user = self.check_master_password_hash(&input.email, &input.auth_hash, meta).await?;
        let step = self.second_step(&user, input.two_factor.as_ref()).await?;
        let now = self.now();
        let (token, hash) = new_token();
        self.store
            .create_session(&db::SessionRow {
                token_hash: hash,
                user_id: user.id.clone(),
                created_at: now,
                expires_at: now + self.settings.session_ttl.as_secs() as i64,
                ip: meta.ip.clone(),
            })
            .await?;
        let me = self.me_of(user).await?;
        Ok((token, me, step.remember_token))
    }

    /// The caller's own master password, asked again before a sensitive
    /// change (an API key, two-step login); throttled as a log-in is.
    pub(crate) async fn check_own_password(&self, actor: &Actor, auth_hash: &str, meta: &RequestMeta) -> Result<db::UserRow> {
        let user = self.check_master_password_hash(&actor.email, auth_hash, meta).await.map_err(|e| match e {
            ServiceError::Forbidden(_) => ServiceError::field("password", "The master password is not correct."),
            other => other,
        })?;
        if user.id != actor.user_id {
            return Err(ServiceError::Unauthenticated);
        }
        Ok(user)
    }

    /// The account whose master password hash this is, for a log-in from the
    /// portal or from a Bitwarden app; throttled per (account, address) and
    /// per address, with the same answer for a wrong password and an unknown email.
    pub(crate) async fn check_master_password_hash(&self, email: &str, auth_hash: &str, meta: &RequestMeta) -> Result<db::UserRow> {
        let now = self.now();
        let email = Email::parse(email).map_err(|_| ServiceError::Forbidden(LOGIN_FAILED.into()))?;
        // Growing delays per (account, address): a guesser elsewhere cannot
        // lock the account's owner out. And a cap per address, any account.
        let pair = format!("login:{}|{}", email.as_str(), meta.ip.as_deref().unwrap_or("-"));
        let by_ip = meta.ip.as_ref().map(|ip| format!("login-ip:{ip}"));
        self.refuse_while_throttled(&pair, "failed log-in attempts").await?;
        if let Some(key) = &by_ip {
            self.refuse_at(key, throttle::MAX_FAILURES_PER_IP, "failed log-in attempts from your network").await?;
        }
        let auth = decode_auth_hash(auth_hash)?;
        let user = self.store.user_by_email(email.as_str()).await?;
        let phc = match &user {
            Some(u) => u.auth_hash.clone(),
            None => self.hashing.dummy().await?,
        };
        let ok = self.hashing.verify(auth, phc).await?;
        let Some(user) = user.filter(|_| ok) else {
            self.store.count_hit(&pair, now, throttle::LOGIN_WINDOW_SECS, true).await?;
            if let Some(key) = &by_ip {
                self.store.count_hit(key, now, throttle::LOGIN_WINDOW_SECS, false).await?;
            }
            return Err(ServiceError::Forbidden(LOGIN_FAILED.into()));
        };
        self.store.clear_counter(&pair).await?;
        Ok(user)
    }

    /// The one way to obtain an `Actor`.
    pub async fn resolve_session(&self, token: &str) -> Result<Option<Actor>> {
        let Some(hash) = token_hash(token) else { return Ok(None) };
        let Some((user_id, email)) = self.store.session_user(&hash, self.now()).await? else { return Ok(None) };
        Ok(Some(Actor { user_id, email, session_hash: hash, app_context: None }))
    }

    pub async fn logout(&self, actor: &Actor) -> Result<()> {
        Ok(self.store.delete_session(&actor.session_hash).await?)
    }

    pub async fn me(&self, actor: &Actor) -> Result<Me> {
        let user = self.store.user_by_id(&actor.user_id).await?.ok_or(ServiceError::Unauthenticated)?;
        self.me_of(user).await
    }

    async fn me_of(&self, user: db::UserRow) -> Result<Me> {
        let now = self.now();
        let (mut providers, mut organizations) = (vec![], vec![]);
        for (p, m) in self.store.memberships_of_user(&user.id).await? {
            let facts = member_facts(&m);
            // "Require two-step login" (an organisation's policy, or a provider's
            // for its staff): the key waits until it is on.
            let shut_out = facts.is_active() && self.shut_out_by_two_step(&user.id, &p.id).await?;
            let list = if p.is_organization() { &mut organizations } else { &mut providers };
            list.push(ProviderSummary {
                id: p.id,
                name: p.name,
                user_type: facts.user_type,
                badge: facts.badge(now),
                wrapped_key: m.wrapped_key.filter(|_| facts.is_active() && !shut_out),
            });
        }
        let policies = self.user_policies(&user.id).await?;
        let uid = uuid::Uuid::parse_str(&user.id).context("user id is a uuid")?;
        let password_reset = self.store.password_reset_pending(&user.id).await?;
        Ok(Me {
            fingerprint: domain::fingerprint::phrase(uid, &user.public_key),
            user_id: user.id,
            email: user.email,
            name: user.name,
            kdf: KdfParams { memory_kib: user.kdf_memory as u32, iterations: user.kdf_iterations as u32, parallelism: user.kdf_parallelism as u32 },
            protected_user_key: user.protected_user_key,
            protected_private_key: user.protected_private_key,
            public_key: crypto::b64(&user.public_key),
            password_reset,
            providers,
            organizations,
            policies,
        })
    }
}
