//! Service tests of client organisations on SQLite and PostgreSQL: creating a
//! client within the provider's seats, the organisation key only browsers can
//! open, seats, groups, collections, enforced policies and the role matrix of
//! every client action.

#[macro_use]
mod common;
use common::*;
use domain::api::*;
use domain::authz::{Action, Permissions};
use domain::bitwarden::cipher::{CipherType, CipherView, EncryptedCipher};
use domain::crypto::{self, SymmetricKey};
use domain::member::{Role, StatusBadge};
use domain::org::{CollectionPermission, MasterPasswordRules, PasswordFacts, Policy, PolicyKind};
use service::ServiceError;

struct Client {
    id: String,
    key: SymmetricKey,
}

impl World {
    /// A provider with `seats` in total and a confirmed service user.
    async fn msp(&self, seats: i64) -> (Person, String, SymmetricKey, Person) {
        let admin = self.person("admin@msp.com").await;
        let (pid, pkey) = self.provider(&admin).await;
        self.s.set_provider_seats(&admin.actor, &pid, seats, &meta()).await.unwrap();
        let su = self.joined(&admin, &pid, &pkey, "service@msp.com", Role::ServiceUser).await;
        (admin, pid, pkey, su)
    }

    /// The admin's browser makes an organisation key and encrypts it with the provider key.
    async fn client(&self, admin: &Person, pid: &str, pkey: &SymmetricKey, name: &str, owner: &str, seats: i64) -> Result<Client, ServiceError> {
        let key = SymmetricKey::generate();
        let c = self
            .s
            .create_client(
                &admin.actor,
                CreateClientInput { provider_id: pid.into(), name: name.into(), owner_email: owner.into(), seats, org_key: pkey.encrypt(&key.to_bytes()) },
                &meta(),
            )
            .await?;
        Ok(Client { id: c.id, key })
    }

    async fn invite_as(&self, by: &Person, org: &str, emails: String, role: Role, permissions: Permissions) -> Result<Vec<InviteEntry>, ServiceError> {
        self.s.invite(&by.actor, InviteInput { provider_id: org.into(), emails, user_type: role, permissions }, &meta()).await
    }

    async fn org_invite(&self, by: &Person, org: &str, emails: &str, role: Role) -> Result<Vec<InviteEntry>, ServiceError> {
        self.s
            .invite(&by.actor, InviteInput { provider_id: org.into(), emails: emails.into(), user_type: role, permissions: Permissions::default() }, &meta())
            .await
    }

    /// A confirmed organisation member: invited by provider staff, accepted, confirmed with the org key.
    async fn org_member(&self, staff: &Person, org: &Client, email: &str, role: Role, perms: Permissions) -> Person {
        let p = self.person(email).await;
        self.s
            .invite(&staff.actor, InviteInput { provider_id: org.id.clone(), emails: email.into(), user_type: role, permissions: perms }, &meta())
            .await
            .unwrap();
        let token = self.token_for(email).await;
        self.s.accept(&p.actor, &token, Some(PasswordFacts { length: 30, score: 4 }), &meta()).await.unwrap();
        let id = self.member_id(staff, &org.id, email).await;
        let r = self.confirm(staff, &org.id, &org.key, vec![id]).await;
        assert_eq!(r[0].skipped, None);
        p
    }
}

fn all_events() -> db::EventQuery {
    db::EventQuery { limit: 1000, ..Default::default() }
}

fn facts(length: u32, score: u8) -> Option<PasswordFacts> {
    Some(PasswordFacts { length, score })
}

async fn client_lifecycle(w: World) {
    let (admin, pid, pkey, su) = w.msp(10).await;
    let org = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 5).await.unwrap();
    let view = w.s.clients(&su.actor, &pid).await.unwrap();
    assert_eq!((view.total_seats, view.assigned), (10, 5));
    let c = &view.clients[0];
    assert_eq!((c.name.as_str(), c.seats, c.used, c.owner_email.as_deref()), ("Contoso", 5, 1, Some("owner@contoso.com")));

    // The service user's browser opens the organisation key with the provider key it was given.
    let ctx = w.s.org_context(&su.actor, &org.id).await.unwrap();
    assert!(ctx.via_provider && ctx.role.is_none());
    assert_eq!((ctx.seats, ctx.used), (c.seats, c.used), "the header's seats are the Clients list's");
    let me = w.s.me(&su.actor).await.unwrap();
    let provider_key = su.keys.key_pair.unseal(me.providers[0].wrapped_key.as_ref().unwrap()).unwrap();
    let opened = SymmetricKey::from_bytes(&provider_key).unwrap().decrypt(ctx.org_key.as_ref().unwrap()).unwrap();
    assert_eq!(opened.as_slice(), org.key.to_bytes().as_slice());
    assert!(ctx.can.contains(&Action::ManageSeats) && !ctx.can.contains(&Action::CreateClient));

    // The owner invitation went out; the service user invites a member.
    let owner_mail = w.token_for("owner@contoso.com").await;
    assert!(!owner_mail.is_empty());
    let r = w.org_invite(&su, &org.id, "alice@contoso.com", Role::User).await.unwrap();
    assert_eq!(r[0].outcome, InviteEntryOutcome::Invited);
    let bob = w.org_member(&su, &org, "bob@contoso.com", Role::User, Permissions::default()).await;
    let alice_id = w.member_id(&su, &org.id, "alice@contoso.com").await;
    let bob_id = w.member_id(&su, &org.id, "bob@contoso.com").await;
    // Bob's browser opens the organisation key sealed to him.
    let bob_ctx = w.s.org_context(&bob.actor, &org.id).await.unwrap();
    assert_eq!(bob_ctx.org_key, None, "members never get the provider-wrapped key");
    assert_eq!(bob.keys.key_pair.unseal(bob_ctx.member_key.as_ref().unwrap()).unwrap().as_slice(), org.key.to_bytes().as_slice());

    // Groups and collections.
    let g =
        w.s.save_group(
            &su.actor,
            SaveGroupInput { org_id: org.id.clone(), group_id: None, name: "Finance".into(), member_ids: vec![alice_id.clone(), bob_id.clone()] },
            &meta(),
        )
        .await
        .unwrap();
    let dup = w.s.save_group(&su.actor, SaveGroupInput { org_id: org.id.clone(), group_id: None, name: "Finance".into(), member_ids: vec![] }, &meta()).await;
    assert!(matches!(dup, Err(ServiceError::Validation(_))), "{dup:?}");
    let renamed =
        w.s.save_group(
            &su.actor,
            SaveGroupInput { org_id: org.id.clone(), group_id: Some(g.id.clone()), name: "Accounts".into(), member_ids: vec![bob_id.clone()] },
            &meta(),
        )
        .await
        .unwrap();
    assert_eq!(w.s.groups(&su.actor, &org.id).await.unwrap(), vec![renamed.clone()]);
    let plain =
        w.s.save_collection(&su.actor, SaveCollectionInput { org_id: org.id.clone(), collection_id: None, name: "Shared".into(), access: vec![] }, &meta())
            .await;
    assert!(matches!(plain, Err(ServiceError::Validation(_))), "plaintext names are refused");
    let name = org.key.encrypt(b"Shared logins");
    let access = vec![
        AccessEntry { subject: Subject::Group(g.id.clone()), permission: CollectionPermission::CanEdit },
        AccessEntry { subject: Subject::Member(alice_id.clone()), permission: CollectionPermission::CanViewExceptPasswords },
    ];
    let col = w
        .s
        .save_collection(&su.actor, SaveCollectionInput { org_id: org.id.clone(), collection_id: None, name: name.clone(), access: access.clone() }, &meta())
        .await
        .unwrap();
    let listed = w.s.collections(&su.actor, &org.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(org.key.decrypt(&listed[0].name).unwrap(), b"Shared logins");
    assert_eq!(listed[0].access.len(), 2);
    // A member of another organisation cannot be given access.
    let other = w.client(&admin, &pid, &pkey, "Fabrikam", "owner@fabrikam.com", 1).await.unwrap();
    let foreign = w.member_id(&su, &other.id, "owner@fabrikam.com").await;
    let bad =
        w.s.save_collection(
            &su.actor,
            SaveCollectionInput {
                org_id: org.id.clone(),
                collection_id: Some(col.id.clone()),
                name,
                access: vec![AccessEntry { subject: Subject::Member(foreign), permission: CollectionPermission::CanView }],
            },
            &meta(),
        )
        .await;
    assert!(matches!(bad, Err(ServiceError::Validation(_))), "{bad:?}");
    assert_eq!(w.s.collections(&su.actor, &org.id).await.unwrap()[0].access.len(), 2, "nothing changed");
    // Removing a member takes them out of groups and collections.
    w.s.remove(&su.actor, &org.id, &[bob_id.clone()], &meta()).await.unwrap();
    assert!(w.s.groups(&su.actor, &org.id).await.unwrap()[0].member_ids.is_empty());
    w.s.delete_group(&su.actor, &org.id, &g.id, &meta()).await.unwrap();
    let left = w.s.collections(&su.actor, &org.id).await.unwrap();
    assert_eq!(left[0].access, vec![access[1].clone()]);
    w.s.delete_collection(&su.actor, &org.id, &col.id, &meta()).await.unwrap();
    assert!(w.s.collections(&su.actor, &org.id).await.unwrap().is_empty());

    // The organisation's event log has member, group, collection and seat events.
    w.s.set_client_seats(&su.actor, &org.id, 6, &meta()).await.unwrap();
    let kinds: Vec<String> = w.s.events(&su.actor, &org.id, all_events()).await.unwrap().items.into_iter().map(|e| e.kind).collect();
    for k in [
        "organisation_created",
        "member_invited",
        "member_accepted",
        "member_confirmed",
        "group_created",
        "group_updated",
        "group_deleted",
        "collection_created",
        "collection_deleted",
        "member_removed",
        "seats_changed",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} missing from {kinds:?}");
    }
    let provider_kinds: Vec<String> = w.s.events(&admin.actor, &pid, all_events()).await.unwrap().items.into_iter().map(|e| e.kind).collect();
    assert!(provider_kinds.contains(&"client_created".to_string()) && provider_kinds.contains(&"client_seats_changed".to_string()));
}

async fn seats_are_enforced(w: World) {
    let (admin, pid, pkey, su) = w.msp(6).await;
    let org = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 2).await.unwrap();
    // The provider total: 6 - 2 = 4 left.
    let over = w.client(&admin, &pid, &pkey, "Too big", "o@big.com", 5).await;
    assert!(matches!(&over, Err(ServiceError::Validation(v)) if v[0].field == "seats" && v[0].message.contains("Only 4")), "{:?}", over.err());
    assert_eq!(w.s.clients(&admin.actor, &pid).await.unwrap().clients.len(), 1, "nothing created");
    // Service users raise a client's seats within the total, and are refused beyond it.
    w.s.set_client_seats(&su.actor, &org.id, 6, &meta()).await.unwrap();
    let beyond = w.s.set_client_seats(&su.actor, &org.id, 7, &meta()).await;
    assert!(matches!(&beyond, Err(ServiceError::Validation(v)) if v[0].message.contains("Only 6")), "{beyond:?}");
    w.s.set_client_seats(&su.actor, &org.id, 2, &meta()).await.unwrap();
    // Seats in use: the owner holds one; three more invitations do not fit in two.
    let r = w.org_invite(&su, &org.id, "a@contoso.com, b@contoso.com", Role::User).await;
    assert!(matches!(&r, Err(ServiceError::Conflict(m)) if m.contains("2 seats")), "{r:?}");
    assert_eq!(w.s.list_members(&su.actor, &org.id).await.unwrap().len(), 1, "no one was invited");
    w.org_invite(&su, &org.id, "a@contoso.com", Role::User).await.unwrap();
    let below = w.s.set_client_seats(&su.actor, &org.id, 1, &meta()).await;
    assert!(matches!(&below, Err(ServiceError::Validation(v)) if v[0].message.contains("2 seats are in use")), "{below:?}");
    // Revoking a member frees their seat.
    let a = w.member_id(&su, &org.id, "a@contoso.com").await;
    w.s.set_suspended(&su.actor, &org.id, &[a.clone()], true, &meta()).await.unwrap();
    w.org_invite(&su, &org.id, "b@contoso.com", Role::User).await.unwrap();
    let restore = w.s.set_suspended(&su.actor, &org.id, &[a], false, &meta()).await;
    assert!(matches!(restore, Err(ServiceError::Conflict(_))), "restoring needs a free seat");
    // The provider total cannot go below what clients hold.
    let r = w.s.set_provider_seats(&admin.actor, &pid, 1, &meta()).await;
    assert!(matches!(&r, Err(ServiceError::Validation(v)) if v[0].message.contains("2 seats already assigned")), "{r:?}");
    assert!(matches!(w.s.set_provider_seats(&su.actor, &pid, 100, &meta()).await, Err(ServiceError::Forbidden(_))));
}

async fn owner_rules(w: World) {
    let (admin, pid, pkey, su) = w.msp(10).await;
    let org = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 10).await.unwrap();
    let owner_id = w.member_id(&su, &org.id, "owner@contoso.com").await;
    w.s.remove(&su.actor, &org.id, &[owner_id], &meta()).await.unwrap();
    let owner = w.org_member(&su, &org, "owner2@contoso.com", Role::Owner, Permissions::default()).await;
    let oadmin = w.org_member(&su, &org, "admin@contoso.com", Role::Admin, Permissions::default()).await;
    let owner_id = w.member_id(&su, &org.id, "owner2@contoso.com").await;
    // An organisation Admin cannot invite, demote, revoke or remove an Owner.
    assert!(matches!(w.org_invite(&oadmin, &org.id, "o3@contoso.com", Role::Owner).await, Err(ServiceError::Forbidden(_))));
    assert!(matches!(w.s.set_user_type(&oadmin.actor, &org.id, &owner_id, Role::User, Permissions::default(), &meta()).await, Err(ServiceError::Forbidden(_))));
    let r = w.s.remove(&oadmin.actor, &org.id, &[owner_id.clone()], &meta()).await.unwrap();
    assert!(r[0].skipped.as_deref().unwrap().contains("Owner"));
    let r = w.s.set_suspended(&oadmin.actor, &org.id, &[owner_id.clone()], true, &meta()).await.unwrap();
    assert!(r[0].skipped.is_some());
    // Provider roles do not exist in an organisation, nor organisation roles in a provider.
    assert!(matches!(w.org_invite(&su, &org.id, "x@contoso.com", Role::ProviderAdmin).await, Err(ServiceError::Validation(_))));
    assert!(matches!(w.org_invite(&admin, &pid, "x@msp.com", Role::Owner).await, Err(ServiceError::Validation(_))));
    // The last confirmed Owner cannot be demoted or removed, even by provider staff.
    let r = w.s.set_user_type(&su.actor, &org.id, &owner_id, Role::Admin, Permissions::default(), &meta()).await;
    assert!(matches!(&r, Err(ServiceError::Conflict(m)) if m.contains("confirmed Owner")), "{r:?}");
    let r = w.s.remove(&su.actor, &org.id, &[owner_id.clone()], &meta()).await;
    assert!(matches!(&r, Err(ServiceError::Conflict(m)) if m.contains("confirmed Owner")), "{r:?}");
    // An Owner may make another Owner, after which the first may step down.
    let admin_id = w.member_id(&su, &org.id, "admin@contoso.com").await;
    w.s.set_user_type(&owner.actor, &org.id, &admin_id, Role::Owner, Permissions::default(), &meta()).await.unwrap();
    w.s.set_user_type(&su.actor, &org.id, &owner_id, Role::User, Permissions::default(), &meta()).await.unwrap();
    let roles: Vec<(String, Role)> = w.s.list_members(&su.actor, &org.id).await.unwrap().into_iter().map(|m| (m.email, m.user_type)).collect();
    assert!(roles.contains(&("admin@contoso.com".into(), Role::Owner)) && roles.contains(&("owner2@contoso.com".into(), Role::User)));
}

async fn policies_are_enforced(w: World) {
    let (admin, pid, pkey, su) = w.msp(10).await;
    let org = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 5).await.unwrap();
    let mut mp = Policy::off(PolicyKind::MasterPassword);
    mp.enabled = true;
    mp.master_password = MasterPasswordRules { min_length: 8, min_score: 3 };
    let bad = w.s.save_policy(&su.actor, SavePolicyInput { org_id: org.id.clone(), policy: mp.clone() }, &meta()).await;
    assert!(matches!(bad, Err(ServiceError::Validation(_))), "minimum length below 12 is refused");
    mp.master_password.min_length = 16;
    w.s.save_policy(&su.actor, SavePolicyInput { org_id: org.id.clone(), policy: mp }, &meta()).await.unwrap();
    let listed = w.s.policies(&su.actor, &org.id).await.unwrap();
    assert_eq!(listed.len(), PolicyKind::ALL.len());
    assert!(listed.iter().any(|p| p.kind == PolicyKind::MasterPassword && p.enabled && p.master_password.min_length == 16));
    w.org_invite(&su, &org.id, "new@contoso.com", Role::User).await.unwrap();
    let token = w.token_for("new@contoso.com").await;
    let info = w.s.invitation_info(&token).await.unwrap();
    assert!(info.organization && info.master_password == Some(MasterPasswordRules { min_length: 16, min_score: 3 }));

    // Sign-up for the invitation: a weak master password is refused, nothing is created.
    let e = domain::Email::parse("new@contoso.com").unwrap();
    let acct = crypto::new_account(PW, &e, domain::KdfParams::MIN).unwrap();
    let input = |facts: PasswordFacts| RegisterInput {
        password: facts,
        invite_token: Some(token.clone()),
        ..RegisterInput::for_new_account("new@contoso.com", "New", domain::KdfParams::MIN, &acct)
    };
    let r = w.s.register(input(PasswordFacts { length: 12, score: 4 }), &meta()).await;
    assert!(matches!(&r, Err(ServiceError::Validation(v)) if v[0].field == "password" && v[0].message.contains("at least 16 characters")), "{r:?}");
    assert!(w.s.store.user_by_email("new@contoso.com").await.unwrap().is_none());
    w.s.register(input(PasswordFacts { length: 28, score: 4 }), &meta()).await.unwrap();

    // Joining with an existing account: checked at accept.
    let old = w.person("old@contoso.com").await;
    w.org_invite(&su, &org.id, "old@contoso.com", Role::User).await.unwrap();
    let t = w.token_for("old@contoso.com").await;
    assert!(matches!(w.s.accept(&old.actor, &t, None, &meta()).await, Err(ServiceError::Conflict(m)) if m.contains("Log in again")));
    assert!(matches!(w.s.accept(&old.actor, &t, facts(20, 2), &meta()).await, Err(ServiceError::Conflict(m)) if m.contains("Good (3 of 4)")));
    w.s.accept(&old.actor, &t, facts(20, 3), &meta()).await.unwrap();

    // Single organisation: a member of Contoso cannot join Fabrikam once Contoso turns it on.
    let fab = w.client(&admin, &pid, &pkey, "Fabrikam", "owner@fabrikam.com", 5).await.unwrap();
    let mut single = Policy::off(PolicyKind::SingleOrg);
    single.enabled = true;
    w.s.save_policy(&su.actor, SavePolicyInput { org_id: org.id.clone(), policy: single }, &meta()).await.unwrap();
    w.clock.advance(1); // the newer invitation mail
    w.org_invite(&su, &fab.id, "old@contoso.com", Role::User).await.unwrap();
    let t = w.token_for("old@contoso.com").await;
    let r = w.s.accept(&old.actor, &t, facts(20, 4), &meta()).await;
    assert!(matches!(&r, Err(ServiceError::Conflict(m)) if m.contains("join other organisations")), "{r:?}");

    // Remove individual vault: no new personal items for members.
    let mut note = CipherView::new(CipherType::SecureNote);
    note.name = "Alarm code".into();
    let item = note.encrypt(SymmetricKey::generate().inner()).to_json();
    let kept = w.s.save_item(&old.actor, None, item.clone()).await.unwrap();
    let mut rv = Policy::off(PolicyKind::RemoveIndividualVault);
    rv.enabled = true;
    w.s.save_policy(&su.actor, SavePolicyInput { org_id: org.id.clone(), policy: rv }, &meta()).await.unwrap();
    assert!(matches!(w.s.save_item(&old.actor, None, item.clone()).await, Err(ServiceError::Forbidden(_))));
    // A fresh id sent as if it were an edit adds nothing either; a real edit still saves.
    let fresh = service::new_id();
    assert!(matches!(w.s.save_item(&old.actor, Some(fresh), item.clone()).await, Err(ServiceError::Forbidden(_))));
    assert_eq!(w.s.list_items(&old.actor).await.unwrap().len(), 1);
    w.s.save_item(&old.actor, Some(kept.id.clone()), item.clone()).await.unwrap();
    w.s.save_item(&admin.actor, None, item).await.unwrap();
    let me = w.s.me(&old.actor).await.unwrap();
    assert!(me.policies.no_individual_vault && me.policies.single_org && me.policies.master_password.is_some());
    assert_eq!(me.organizations.len(), 1);
    assert!(me.providers.is_empty());
}

/// Changing the master password: the current one is proven, the organisation's
/// policy applies to the new one, the same user key opens, other sessions end.
async fn master_password_change(w: World) {
    let (admin, pid, pkey, su) = w.msp(10).await;
    let org = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 5).await.unwrap();
    let mut mp = Policy::off(PolicyKind::MasterPassword);
    mp.enabled = true;
    mp.master_password = MasterPasswordRules { min_length: 20, min_score: 3 };
    w.s.save_policy(&su.actor, SavePolicyInput { org_id: org.id.clone(), policy: mp }, &meta()).await.unwrap();
    let bob = w.org_member(&su, &org, "bob@contoso.com", Role::User, Permissions::default()).await;
    let e = domain::Email::parse("bob@contoso.com").unwrap();
    let kdf = domain::KdfParams::MIN;
    // A second session of Bob's, which the change must end.
    let old_master = crypto::master_key(PW, &e, kdf).unwrap();
    let (other_token, _) = w.s.login(LoginInput::new("bob@contoso.com", crypto::auth_hash(&old_master, PW)), &meta()).await.unwrap();
    let new_pw = "a much longer new master password 2027";
    let new_master = crypto::master_key(new_pw, &e, kdf).unwrap();
    let input = |current: &(crypto::MasterKey, &str), facts: PasswordFacts| ChangePasswordInput {
        current_auth_hash: crypto::auth_hash(&current.0, current.1),
        new_auth_hash: crypto::auth_hash(&new_master, new_pw),
        new_protected_user_key: crypto::stretched_key(&new_master).encrypt(&bob.keys.user_key.to_bytes()),
        password: facts,
    };
    let wrong = (crypto::master_key("not my password at all", &e, kdf).unwrap(), "not my password at all");
    let old = (old_master.clone(), PW);
    let r = w.s.change_master_password(&bob.actor, input(&wrong, PasswordFacts { length: 40, score: 4 })).await;
    assert!(matches!(&r, Err(ServiceError::Validation(v)) if v[0].field == "current_password"), "{r:?}");
    // Guessing the current password through a stolen session is throttled like log-in.
    for _ in 1..service::throttle::FREE_FAILURES {
        let r = w.s.change_master_password(&bob.actor, input(&wrong, PasswordFacts { length: 40, score: 4 })).await;
        assert!(matches!(&r, Err(ServiceError::Validation(_))), "{r:?}");
    }
    let r = w.s.change_master_password(&bob.actor, input(&old, PasswordFacts { length: 40, score: 4 })).await;
    assert!(matches!(&r, Err(ServiceError::RateLimited(m)) if m.contains("failed password changes")), "even the right password waits: {r:?}");
    w.clock.advance(service::throttle::MAX_DELAY_SECS + 1);
    let r = w.s.change_master_password(&bob.actor, input(&old, PasswordFacts { length: 16, score: 4 })).await;
    assert!(matches!(&r, Err(ServiceError::Validation(v)) if v[0].field == "new_password" && v[0].message.contains("20 characters")), "{r:?}");
    // Nothing changed yet: the old password still logs in.
    assert!(w.s.login(LoginInput::new("bob@contoso.com", crypto::auth_hash(&old_master, PW)), &meta()).await.is_ok());
    w.s.change_master_password(&bob.actor, input(&old, PasswordFacts { length: 39, score: 4 })).await.unwrap();
    assert!(w.s.resolve_session(&other_token).await.unwrap().is_none(), "other sessions end");
    assert!(w.s.me(&bob.actor).await.is_ok(), "this session stays");
    assert!(w.s.login(LoginInput::new("bob@contoso.com", crypto::auth_hash(&old_master, PW)), &meta()).await.is_err());
    let (_, me) = w.s.login(LoginInput::new("bob@contoso.com", crypto::auth_hash(&new_master, new_pw)), &meta()).await.unwrap();
    let keys = crypto::unlock(&new_master, &me.protected_user_key, &me.protected_private_key).unwrap();
    assert_eq!(&keys.user_key.to_bytes(), &bob.keys.user_key.to_bytes(), "the same user key, under the new password");
}

/// Every client action × every kind of actor, against the expected table.
async fn org_role_matrix(w: World) {
    let (admin, pid, pkey, su) = w.msp(100).await;
    let org = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 50).await.unwrap();
    let other = w.client(&admin, &pid, &pkey, "Fabrikam", "owner@fabrikam.com", 5).await.unwrap();
    let owner = w.org_member(&su, &org, "o@contoso.com", Role::Owner, Permissions::default()).await;
    let oadmin = w.org_member(&su, &org, "a@contoso.com", Role::Admin, Permissions::default()).await;
    let user = w.org_member(&su, &org, "u@contoso.com", Role::User, Permissions::default()).await;
    let custom_none = w.org_member(&su, &org, "c0@contoso.com", Role::Custom, Permissions::default()).await;
    let groups_only = Permissions { manage_groups: true, ..Default::default() };
    let custom_groups = w.org_member(&su, &org, "cg@contoso.com", Role::Custom, groups_only).await;
    let import_export = Permissions { access_import_export: true, ..Default::default() };
    let custom_vault = w.org_member(&su, &org, "cv@contoso.com", Role::Custom, import_export).await;
    let elsewhere = w.org_member(&su, &other, "x@fabrikam.com", Role::Owner, Permissions::default()).await;
    let outsider = w.person("nobody@else.com").await;
    let suspended_su = w.joined(&admin, &pid, &pkey, "suspended@msp.com", Role::ServiceUser).await;
    let sid = w.member_id(&admin, &pid, "suspended@msp.com").await;
    w.s.set_suspended(&admin.actor, &pid, &[sid], true, &meta()).await.unwrap();
    let revoked = w.org_member(&su, &org, "r@contoso.com", Role::Admin, Permissions::default()).await;
    let rid = w.member_id(&su, &org.id, "r@contoso.com").await;
    w.s.set_suspended(&su.actor, &org.id, &[rid], true, &meta()).await.unwrap();

    use Action::*;
    // Removal last: it takes the target away.
    let staff = [
        ListMembers,
        InviteMembers,
        ResendInvitations,
        ConfirmMembers,
        ChangeUserType,
        SuspendMembers,
        ViewProviderEvents,
        ManageGroups,
        ManageCollections,
        ManagePolicies,
        ManageSeats,
        ManageVault,
        OpenProvider,
        RemoveMembers,
    ];
    let org_admin: Vec<Action> = staff.iter().copied().filter(|a| *a != ManageSeats).collect();
    let actors: Vec<(&str, &Person, Vec<Action>)> = vec![
        ("provider admin", &admin, staff.to_vec()),
        ("service user", &su, staff.to_vec()),
        ("owner", &owner, org_admin.clone()),
        ("org admin", &oadmin, org_admin),
        ("user", &user, vec![OpenProvider]),
        ("custom without permissions", &custom_none, vec![OpenProvider]),
        ("custom with manage groups", &custom_groups, vec![OpenProvider, ManageGroups]),
        ("custom with access import/export", &custom_vault, vec![OpenProvider, ManageVault]),
        ("owner of another organisation", &elsewhere, vec![]),
        ("outsider", &outsider, vec![]),
        ("suspended service user", &suspended_su, vec![]),
        ("revoked org admin", &revoked, vec![]),
    ];
    for (i, (who, p, allowed)) in actors.iter().enumerate() {
        let target_email = format!("target{i}@contoso.com");
        w.org_invite(&su, &org.id, &target_email, Role::User).await.unwrap();
        let target = w.member_id(&su, &org.id, &target_email).await;
        let before = w.s.list_members(&su.actor, &org.id).await.unwrap();
        let seats = w.s.org_context(&su.actor, &org.id).await.unwrap().seats;
        for action in staff {
            let a = &p.actor;
            let o = org.id.as_str();
            let t = std::slice::from_ref(&target);
            let outcome: Result<(), ServiceError> = match action {
                ListMembers => w.s.list_members(a, o).await.map(drop),
                InviteMembers => {
                    w.s.invite(
                        a,
                        InviteInput { provider_id: o.into(), emails: format!("new{i}@contoso.com"), user_type: Role::User, permissions: Default::default() },
                        &meta(),
                    )
                    .await
                    .map(drop)
                }
                ResendInvitations => w.s.resend(a, o, t, &meta()).await.map(drop),
                ConfirmMembers => w.s.confirm_candidates(a, o, t).await.map(drop),
                ChangeUserType => w.s.set_user_type(a, o, &target, Role::Admin, Default::default(), &meta()).await,
                SuspendMembers => w.s.set_suspended(a, o, t, true, &meta()).await.map(drop),
                RemoveMembers => w.s.remove(a, o, t, &meta()).await.map(drop),
                ViewProviderEvents => w.s.events(a, o, Default::default()).await.map(drop),
                ManageGroups => w.s.groups(a, o).await.map(drop),
                ManageCollections => w.s.collections(a, o).await.map(drop),
                ManagePolicies => w.s.policies(a, o).await.map(drop),
                ManageSeats => w.s.set_client_seats(a, o, seats, &meta()).await,
                OpenProvider => w.s.org_context(a, o).await.map(drop),
                ManageVault => w.s.export_org_items(a, o, "csv", &meta()).await.map(drop),
                _ => unreachable!(),
            };
            let want = allowed.contains(&action);
            match (&outcome, want) {
                (Ok(()), true) | (Err(ServiceError::Forbidden(_)), false) => {}
                _ => panic!("{who} / {action:?}: expected allowed={want}, got {outcome:?}"),
            }
        }
        if allowed.is_empty() || allowed == &vec![OpenProvider] || allowed == &vec![OpenProvider, ManageGroups] || allowed == &vec![OpenProvider, ManageVault] {
            assert_eq!(w.s.list_members(&su.actor, &org.id).await.unwrap(), before, "{who}: refused calls change nothing");
        }
    }
    // Provider-only actions: a service user may see clients but not create them or buy seats.
    assert!(w.s.clients(&su.actor, &pid).await.is_ok());
    assert!(matches!(w.client(&su, &pid, &pkey, "Nope", "n@nope.com", 1).await, Err(ServiceError::Forbidden(_))));
    assert!(matches!(w.s.set_provider_seats(&su.actor, &pid, 1000, &meta()).await, Err(ServiceError::Forbidden(_))));
    for p in [&owner, &user, &outsider] {
        assert!(matches!(w.s.clients(&p.actor, &pid).await, Err(ServiceError::Forbidden(_))));
    }
    // Organisation-only actions do not apply to the provider.
    assert!(matches!(w.s.groups(&admin.actor, &pid).await, Err(ServiceError::Forbidden(_))));
    assert!(matches!(w.s.org_context(&admin.actor, &pid).await, Err(ServiceError::Forbidden(_))));
}

/// The organisation vault: items and collections only browsers can read, a
/// whole import in one transaction or not at all, export recorded.
async fn vault_import_export(w: World) {
    use domain::transfer;
    let (admin, pid, pkey, su) = w.msp(100).await;
    let org = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 10).await.unwrap();
    let other = w.client(&admin, &pid, &pkey, "Fabrikam", "owner@fabrikam.com", 5).await.unwrap();
    let finance =
        w.s.save_collection(
            &su.actor,
            SaveCollectionInput { org_id: org.id.clone(), collection_id: None, name: org.key.encrypt(b"Finance"), access: vec![] },
            &meta(),
        )
        .await
        .unwrap();
    let theirs =
        w.s.save_collection(
            &su.actor,
            SaveCollectionInput { org_id: other.id.clone(), collection_id: None, name: other.key.encrypt(b"X"), access: vec![] },
            &meta(),
        )
        .await
        .unwrap();
    // The service user's browser reads a Bitwarden file and encrypts it.
    let csv = "collections,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n\
               Finance,login,Bank,,,0,https://bank.example,alice,s3cret-pw,\n\
               \"Finance,IT\",note,Door code,4711,,0,,,,\n";
    let parsed = transfer::parse_csv(csv).unwrap().items;
    let enc = |i: &CipherView| i.clone().encrypt(org.key.inner()).to_json();
    let item = |p: &transfer::ImportedItem| ImportItem {
        data: enc(&p.item),
        collections: p.collections.iter().map(|c| if c == "Finance" { finance.id.clone() } else { "new:IT".into() }).collect(),
    };
    let input = ImportInput {
        org_id: org.id.clone(),
        new_collections: vec![NewCollection { key: "new:IT".into(), name: org.key.encrypt(b"IT") }],
        items: parsed.iter().map(item).collect(),
    };

    // Refused imports change nothing: plaintext, another organisation's
    // collection, a service user of another provider, an organisation User.
    let mut plain = input.clone();
    plain.items[1].data = "{\"name\":\"Door code\"}".into();
    assert!(matches!(w.s.import_org_items(&su.actor, plain, &meta()).await, Err(ServiceError::Validation(_))));
    let mut foreign = input.clone();
    foreign.items[1].collections.push(theirs.id.clone());
    assert!(matches!(w.s.import_org_items(&su.actor, foreign, &meta()).await, Err(ServiceError::Validation(_))));
    let user = w.org_member(&su, &org, "u@contoso.com", Role::User, Permissions::default()).await;
    assert!(matches!(w.s.import_org_items(&user.actor, input.clone(), &meta()).await, Err(ServiceError::Forbidden(_))));
    assert!(w.s.list_org_items(&su.actor, &org.id).await.unwrap().is_empty());
    assert_eq!(w.s.collections(&su.actor, &org.id).await.unwrap().len(), 1, "no collection was made by a refused import");

    let summary = w.s.import_org_items(&su.actor, input, &meta()).await.unwrap();
    assert_eq!((summary.items, summary.collections), (2, 1));
    let cols = w.s.collections(&su.actor, &org.id).await.unwrap();
    let it = cols.iter().find(|c| c.id != finance.id).unwrap();
    assert_eq!(org.key.decrypt(&it.name).unwrap(), b"IT");

    // Export: the owner's browser decrypts what the server hands over and gets the file back.
    let owner = w.org_member(&su, &org, "o@contoso.com", Role::Owner, Permissions::default()).await;
    let ex = w.s.export_org_items(&owner.actor, &org.id, "csv", &meta()).await.unwrap();
    let names: std::collections::HashMap<String, String> =
        ex.collections.iter().map(|(id, n)| (id.clone(), String::from_utf8(org.key.decrypt(n).unwrap()).unwrap())).collect();
    let back: Vec<transfer::ImportedItem> = ex
        .items
        .iter()
        .map(|i| {
            let mut collections: Vec<String> = i.collection_ids.iter().map(|c| names[c].clone()).collect();
            collections.sort();
            let item = serde_json::from_str::<EncryptedCipher>(&i.data).unwrap().decrypt(org.key.inner()).unwrap();
            transfer::ImportedItem { item, collections }
        })
        .collect();
    assert_eq!(transfer::parse_csv(&transfer::to_csv(&back, transfer::Grouping::Collections).0).unwrap().items, parsed);
    assert!(matches!(w.s.export_org_items(&owner.actor, &org.id, "xml", &meta()).await, Err(ServiceError::Validation(_))));
    let ev = w.s.events(&su.actor, &org.id, db::EventQuery { limit: 100, ..Default::default() }).await.unwrap();
    assert!(ev.items.iter().any(|e| e.kind == "vault_imported" && e.detail == "2 item(s), 1 new collection(s)"));
    assert!(ev.items.iter().any(|e| e.kind == "vault_exported" && e.actor.as_deref() == Some("o@contoso.com")));

    // One item edited into another collection set, then deleted; another organisation cannot touch it.
    let bank = ex.items.iter().find(|i| i.collection_ids.len() == 1).unwrap();
    let edited =
        w.s.save_org_item(
            &su.actor,
            SaveOrgItemInput { org_id: org.id.clone(), item_id: Some(bank.id.clone()), data: bank.data.clone(), collection_ids: vec![], file: false },
            &meta(),
        )
        .await
        .unwrap();
    assert!(edited.collection_ids.is_empty());
    let moved = SaveOrgItemInput {
        org_id: org.id.clone(),
        item_id: Some(bank.id.clone()),
        data: bank.data.clone(),
        collection_ids: vec![theirs.id.clone()],
        file: false,
    };
    assert!(matches!(w.s.save_org_item(&su.actor, moved, &meta()).await, Err(ServiceError::Validation(_))));
    let hijack = SaveOrgItemInput { org_id: other.id.clone(), item_id: Some(bank.id.clone()), data: bank.data.clone(), collection_ids: vec![], file: false };
    assert!(matches!(w.s.save_org_item(&su.actor, hijack, &meta()).await, Err(ServiceError::NotFound(_))));
    // Assign to collections, in bulk: both items end up in Finance, the door
    // code keeps IT; refused assignments change nothing.
    let door = ex.items.iter().find(|i| i.collection_ids.len() == 2).unwrap();
    let assign = |items: Vec<String>, cols: Vec<String>| AssignOrgItemsInput { org_id: org.id.clone(), item_ids: items, collection_ids: cols };
    let both_items = vec![bank.id.clone(), door.id.clone()];
    let before = w.s.list_org_items(&su.actor, &org.id).await.unwrap();
    for (who, bad) in [
        (&su, assign(both_items.clone(), vec![theirs.id.clone()])),
        (&su, assign(both_items.clone(), vec![])),
        (&su, assign(vec![], vec![finance.id.clone()])),
        (&su, assign(vec![bank.id.clone(), "no-such-item".into()], vec![finance.id.clone()])),
        (&user, assign(both_items.clone(), vec![finance.id.clone()])),
    ] {
        assert!(w.s.assign_org_items(&who.actor, bad.clone(), &meta()).await.is_err(), "{bad:?}");
    }
    assert!(matches!(w.s.assign_org_items(&user.actor, assign(both_items.clone(), vec![finance.id.clone()]), &meta()).await, Err(ServiceError::Forbidden(_))));
    assert_eq!(w.s.list_org_items(&su.actor, &org.id).await.unwrap(), before, "refused assignments changed nothing");
    assert_eq!(w.s.assign_org_items(&su.actor, assign(both_items.clone(), vec![finance.id.clone()]), &meta()).await.unwrap(), 2);
    let after = w.s.list_org_items(&su.actor, &org.id).await.unwrap();
    let colls = |id: &str| after.iter().find(|i| i.id == id).unwrap().collection_ids.clone();
    assert_eq!(colls(&bank.id), vec![finance.id.clone()]);
    let mut door_now = door.collection_ids.clone();
    door_now.sort();
    assert_eq!(colls(&door.id), door_now, "already in Finance, still in IT");
    assert_eq!(after.iter().find(|i| i.id == bank.id).unwrap().data, bank.data, "the ciphertext is untouched");
    let ev = w.s.events(&su.actor, &org.id, db::EventQuery { limit: 100, ..Default::default() }).await.unwrap();
    assert!(ev.items.iter().any(|e| e.kind == "items_assigned" && e.detail == "2 item(s) to 1 collection(s)"));

    // Delete moves to the Trash; only there can an item be deleted for good;
    // a member without Manage vault does neither; nothing crosses organisations.
    let bank_only = std::slice::from_ref(&bank.id);
    assert!(matches!(w.s.delete_org_items(&su.actor, &other.id, bank_only, &meta()).await, Err(ServiceError::NotFound(_))));
    assert!(matches!(w.s.purge_org_items(&su.actor, &org.id, bank_only, &meta()).await, Err(ServiceError::NotFound(_))), "not in the Trash");
    assert!(matches!(w.s.delete_org_items(&user.actor, &org.id, bank_only, &meta()).await, Err(ServiceError::Forbidden(_))));
    assert_eq!(w.s.delete_org_items(&su.actor, &org.id, bank_only, &meta()).await.unwrap(), 1);
    let trashed = w.s.list_org_items(&su.actor, &org.id).await.unwrap();
    assert_eq!(trashed.iter().filter(|i| i.deleted_at.is_some()).map(|i| i.id.clone()).collect::<Vec<_>>(), vec![bank.id.clone()]);
    assert!(matches!(w.s.delete_org_items(&su.actor, &org.id, bank_only, &meta()).await, Err(ServiceError::NotFound(_))), "in the Trash already");
    assert_eq!(w.s.restore_org_items(&su.actor, &org.id, bank_only, &meta()).await.unwrap(), 1);
    assert!(w.s.list_org_items(&su.actor, &org.id).await.unwrap().iter().all(|i| i.deleted_at.is_none()));
    w.s.delete_org_items(&su.actor, &org.id, bank_only, &meta()).await.unwrap();
    assert!(matches!(w.s.purge_org_items(&user.actor, &org.id, bank_only, &meta()).await, Err(ServiceError::Forbidden(_))));
    assert_eq!(w.s.purge_org_items(&su.actor, &org.id, bank_only, &meta()).await.unwrap(), 1);
    assert_eq!(w.s.list_org_items(&su.actor, &org.id).await.unwrap().len(), 1);
    let ev = w.s.events(&su.actor, &org.id, db::EventQuery { limit: 100, ..Default::default() }).await.unwrap();
    let count = |k: &str| ev.items.iter().filter(|e| e.kind == k).count();
    assert_eq!((count("items_trashed"), count("items_restored"), count("items_deleted")), (2, 1, 1), "each move is in the log");
    // The Trash empties itself after 30 days.
    w.s.delete_org_items(&su.actor, &org.id, std::slice::from_ref(&door.id), &meta()).await.unwrap();
    w.clock.advance(domain::vault::TRASH_DAYS * 86_400 - 1);
    w.s.purge_expired().await.unwrap();
    assert_eq!(w.s.list_org_items(&su.actor, &org.id).await.unwrap().len(), 1, "29 days and a bit: kept");
    w.clock.advance(1);
    w.s.purge_expired().await.unwrap();
    assert!(w.s.list_org_items(&su.actor, &org.id).await.unwrap().is_empty());
}

/// Who may act on which member: every acting role × every target role × every
/// member action (invite as, resend, confirm, change role, revoke, remove), and
/// nobody raises their own role or gives permissions they do not hold.
async fn member_actions_by_target_role(w: World) {
    let (admin, pid, pkey, su) = w.msp(200).await;
    let org = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 150).await.unwrap();
    let users = Permissions { manage_users: true, ..Default::default() };
    let owner = w.org_member(&su, &org, "o@contoso.com", Role::Owner, Permissions::default()).await;
    let oadmin = w.org_member(&su, &org, "a@contoso.com", Role::Admin, Permissions::default()).await;
    let custom = w.org_member(&su, &org, "c@contoso.com", Role::Custom, users).await;
    let actors = [
        ("service user", &su, None),
        ("owner", &owner, Some(Role::Owner)),
        ("admin", &oadmin, Some(Role::Admin)),
        ("custom with manage members", &custom, Some(Role::Custom)),
    ];
    for (i, (who, actor, role)) in actors.iter().enumerate() {
        for (j, target) in Role::ORGANIZATION.into_iter().enumerate() {
            let want = match role {
                None | Some(Role::Owner) => true,
                Some(Role::Admin) => target != Role::Owner,
                Some(_) => matches!(target, Role::User | Role::Custom),
            };
            let ctx = format!("{who} on {target:?}");
            let refused = |r: &Result<(), ServiceError>| matches!(r, Err(ServiceError::Forbidden(_)));
            let r = w.invite_as(actor, &org.id, format!("inv{i}{j}@contoso.com"), target, Permissions::default()).await.map(drop);
            assert!(if want { r.is_ok() } else { refused(&r) }, "invite as: {ctx}: {r:?}");

            // A member of that role, invited by the service user.
            let email = format!("t{i}{j}@contoso.com");
            w.invite_as(&su, &org.id, email.clone(), target, Permissions::default()).await.unwrap();
            let id = w.member_id(&su, &org.id, &email).await;
            w.clock.advance(1); // a resent invitation is the newer mail
            let r = w.s.resend(&actor.actor, &org.id, std::slice::from_ref(&id), &meta()).await.unwrap();
            assert_eq!(r[0].skipped.is_none(), want, "resend: {ctx}: {r:?}");
            let p = w.person(&email).await;
            let token = w.token_for(&email).await;
            w.s.accept(&p.actor, &token, facts(30, 4), &meta()).await.unwrap();
            let candidates = w.s.confirm_candidates(&actor.actor, &org.id, std::slice::from_ref(&id)).await.unwrap();
            assert_eq!(candidates.len(), usize::from(want), "confirm candidates: {ctx}");
            let sealed = crypto::seal_to(&p.keys.key_pair.public_spki(), &org.key.to_bytes()).unwrap();
            let r = w.s.confirm(&actor.actor, &org.id, vec![WrappedKey { member_id: id.clone(), wrapped_key: sealed }], &meta()).await.unwrap();
            assert_eq!(r[0].skipped.is_none(), want, "confirm: {ctx}: {r:?}");
            if !want {
                // The actor may not, so the service user confirms: the rest acts on a confirmed member.
                let r = w.confirm(&su, &org.id, &org.key, vec![id.clone()]).await;
                assert_eq!(r[0].skipped, None);
            }
            let other = if target == Role::User { Role::Custom } else { Role::User };
            let r = w.s.set_user_type(&actor.actor, &org.id, &id, other, Permissions::default(), &meta()).await;
            assert!(if want { r.is_ok() } else { refused(&r) }, "change role: {ctx}: {r:?}");
            let r = w.s.set_suspended(&actor.actor, &org.id, std::slice::from_ref(&id), true, &meta()).await.unwrap();
            assert_eq!(r[0].skipped.is_none(), want, "revoke: {ctx}: {r:?}");
            let r = w.s.remove(&actor.actor, &org.id, std::slice::from_ref(&id), &meta()).await.unwrap();
            assert_eq!(r[0].skipped.is_none(), want, "remove: {ctx}: {r:?}");
        }
    }

    // Nobody changes their own role or permissions.
    let everything = Permissions::from_array([true; Permissions::COUNT]);
    for (who, p, own) in [("custom", &custom, Role::Custom), ("admin", &oadmin, Role::Admin), ("owner", &owner, Role::Owner)] {
        let me = w.member_id(&su, &org.id, p.actor.email()).await;
        for to in [Role::Owner, Role::Admin, Role::Custom] {
            let r = w.s.set_user_type(&p.actor, &org.id, &me, to, everything, &meta()).await;
            assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{who} re-roles self to {to:?}: {r:?}");
        }
        let mine = w.s.list_members(&su.actor, &org.id).await.unwrap().into_iter().find(|m| m.id == me).unwrap();
        assert_eq!(mine.user_type, own, "{who} keeps the role");
    }
    // A Custom member gives only the permissions they hold.
    let groups = Permissions { manage_groups: true, ..Default::default() };
    let r = w.invite_as(&custom, &org.id, "more@contoso.com".into(), Role::Custom, Permissions { manage_groups: true, ..users }).await;
    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{r:?}");
    w.invite_as(&custom, &org.id, "same@contoso.com".into(), Role::Custom, users).await.unwrap();
    let peer = w.org_member(&su, &org, "peer@contoso.com", Role::Custom, Permissions::default()).await;
    let peer_id = w.member_id(&su, &org.id, peer.actor.email()).await;
    let r = w.s.set_user_type(&custom.actor, &org.id, &peer_id, Role::Custom, groups, &meta()).await;
    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{r:?}");
    w.s.set_user_type(&custom.actor, &org.id, &peer_id, Role::Custom, users, &meta()).await.unwrap();
    let r = w.s.set_user_type(&custom.actor, &org.id, &peer_id, Role::Admin, Permissions::default(), &meta()).await;
    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{r:?}");
    let peer_now = w.s.list_members(&su.actor, &org.id).await.unwrap().into_iter().find(|m| m.id == peer_id).unwrap();
    assert_eq!((peer_now.user_type, peer_now.permissions), (Role::Custom, users));
}

/// Account recovery: set up once by those who may, members enrol, who may
/// recover whom (Owners only by Owners and staff, nobody themselves), and a
/// recovered member opens the same keys with the new password while every
/// old session ends.
async fn account_recovery(w: World) {
    let (admin, pid, pkey, su) = w.msp(200).await;
    let org = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 150).await.unwrap();
    let none = Permissions::default();
    let owner = w.org_member(&su, &org, "boss@contoso.com", Role::Owner, none).await;
    let oadmin = w.org_member(&su, &org, "oadmin@contoso.com", Role::Admin, none).await;
    let recoverer = w.org_member(&su, &org, "helpdesk@contoso.com", Role::Custom, Permissions { manage_account_recovery: true, ..none }).await;
    let people = w.org_member(&su, &org, "people@contoso.com", Role::Custom, Permissions { manage_users: true, ..none }).await;
    let mia = w.org_member(&su, &org, "mia@contoso.com", Role::User, none).await;

    let r = w.s.enrol_recovery(&mia.actor, &org.id, "4.x", &meta()).await;
    assert!(matches!(r, Err(ServiceError::Conflict(_))), "not set up yet: {r:?}");
    let (public, private) = domain::recovery::new_org_key_pair(&org.key);
    for p in [&mia, &people] {
        let r = w.s.setup_recovery_keys(&p.actor, &org.id, &public, &private, &meta()).await;
        assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{r:?}");
    }
    let r = w.s.setup_recovery_keys(&su.actor, &org.id, "bm90IGEga2V5", &private, &meta()).await;
    assert!(matches!(r, Err(ServiceError::Validation(_))), "{r:?}");
    w.s.setup_recovery_keys(&su.actor, &org.id, &public, &private, &meta()).await.unwrap();
    let r = w.s.setup_recovery_keys(&owner.actor, &org.id, &public, &private, &meta()).await;
    assert!(matches!(r, Err(ServiceError::Conflict(_))), "once: {r:?}");

    // Members see the key's fingerprint phrase, then enrol.
    let status = w.s.my_recovery(&mia.actor).await.unwrap();
    assert_eq!(status.len(), 1);
    assert_eq!((status[0].public_key.as_deref(), status[0].enrolled), (Some(public.as_str()), false));
    let phrase = status[0].fingerprint.clone().unwrap();
    assert_eq!(phrase, domain::fingerprint::phrase(uuid::Uuid::parse_str(&org.id).unwrap(), &crypto::unb64(&public).unwrap()));
    for p in [&mia, &owner, &oadmin, &people] {
        let sealed = domain::recovery::enrol(&public, &p.keys.user_key).unwrap();
        w.s.enrol_recovery(&p.actor, &org.id, &sealed, &meta()).await.unwrap();
    }
    assert!(w.s.my_recovery(&mia.actor).await.unwrap()[0].enrolled);
    assert_eq!(w.s.recovery_enrolled(&oadmin.actor, &org.id).await.unwrap().len(), 4);
    assert!(w.s.recovery_enrolled(&mia.actor, &org.id).await.is_err(), "members do not see who enrolled");

    // Who may recover whom.
    let id = |email: &'static str| {
        let (w, su, org) = (&w, &su, &org);
        async move { w.member_id(su, &org.id, email).await }
    };
    let (mia_id, owner_id, oadmin_id, people_id, helpdesk_id) = (
        id("mia@contoso.com").await,
        id("boss@contoso.com").await,
        id("oadmin@contoso.com").await,
        id("people@contoso.com").await,
        id("helpdesk@contoso.com").await,
    );
    let may = |who: &Person, target: &str| {
        let (w, org, actor, target) = (&w, &org, who.actor.clone(), target.to_string());
        async move { w.s.recovery_material(&actor, &org.id, &target).await }
    };
    for (who, target, ok) in [
        (&mia, &people_id, false),
        (&people, &mia_id, false),
        (&recoverer, &mia_id, true),
        (&recoverer, &people_id, true),
        (&recoverer, &oadmin_id, false),
        (&recoverer, &owner_id, false),
        (&oadmin, &owner_id, false),
        (&oadmin, &mia_id, true),
        (&oadmin, &oadmin_id, false),
        (&owner, &oadmin_id, true),
        (&owner, &owner_id, false),
        (&su, &owner_id, true),
        (&admin, &oadmin_id, true),
    ] {
        let r = may(who, target).await;
        assert_eq!(r.is_ok(), ok, "{} on {target}: {r:?}", who.actor.email());
    }
    let r = may(&owner, &helpdesk_id).await;
    assert!(matches!(r, Err(ServiceError::Conflict(_))), "not enrolled: {r:?}");

    // Staff recover Mia: the new password opens the same user key; her sessions end.
    let material = w.s.recovery_material(&su.actor, &org.id, &mia_id).await.unwrap();
    assert_eq!(material.email, "mia@contoso.com");
    let user_key = domain::recovery::open_user_key(&org.key, &material.private_key, &material.sealed_user_key).unwrap();
    assert_eq!(user_key.to_bytes(), mia.keys.user_key.to_bytes());
    let email = domain::Email::parse("mia@contoso.com").unwrap();
    let new_pw = "a brand new temporary password";
    let master = crypto::master_key(new_pw, &email, material.kdf).unwrap();
    let r = domain::recovery::rewrap(&user_key, &master, new_pw);
    let input = |auth_hash: String| RecoverAccountInput {
        org_id: org.id.clone(),
        member_id: mia_id.clone(),
        auth_hash,
        protected_user_key: r.protected_user_key.clone(),
        password: PasswordFacts { length: 30, score: 4 },
    };
    let old_hash = crypto::auth_hash(&crypto::master_key(PW, &email, domain::KdfParams::MIN).unwrap(), PW);
    let (mia_session, _) = w.s.login(LoginInput::new("mia@contoso.com", old_hash), &meta()).await.unwrap();
    let bad = w.s.recover_account(&su.actor, input("short".into()), &meta()).await;
    assert!(matches!(bad, Err(ServiceError::Validation(_))), "{bad:?}");
    assert!(w.s.resolve_session(&mia_session).await.unwrap().is_some(), "a refused reset changes nothing");
    w.s.recover_account(&su.actor, input(r.auth_hash.clone()), &meta()).await.unwrap();
    assert!(w.s.resolve_session(&mia_session).await.unwrap().is_none(), "her sessions ended");
    let old =
        w.s.login(LoginInput::new("mia@contoso.com", crypto::auth_hash(&crypto::master_key(PW, &email, domain::KdfParams::MIN).unwrap(), PW)), &meta()).await;
    assert!(old.is_err());
    let (token, me) = w.s.login(LoginInput::new("mia@contoso.com", r.auth_hash.clone()), &meta()).await.unwrap();
    assert!(me.password_reset, "asked to choose her own password");
    let keys = crypto::unlock(&master, &me.protected_user_key, &me.protected_private_key).unwrap();
    assert_eq!(keys.user_key.to_bytes(), mia.keys.user_key.to_bytes(), "her items still open");
    // Recorded in the organisation's log and, as staff did it, the provider's; Mia is mailed.
    for tenant in [&org.id, &pid] {
        let (events, _) = w.s.store.list_events(tenant, &db::EventQuery { limit: 100, ..Default::default() }).await.unwrap();
        let e = events.iter().find(|e| e.kind == "account_recovered").expect("the recovery is logged");
        assert_eq!((e.actor_email.as_deref(), e.target_email.as_deref()), (Some("service@msp.com"), Some("mia@contoso.com")));
    }
    assert!(w.s.store.mails_to("mia@contoso.com").await.unwrap().iter().any(|m| m.subject.contains("master password was reset")));
    // Choosing her own password clears the request.
    let mia_now = w.s.resolve_session(&token).await.unwrap().unwrap();
    let own = crypto::master_key("her very own new password", &email, material.kdf).unwrap();
    w.s.change_master_password(
        &mia_now,
        ChangePasswordInput {
            current_auth_hash: r.auth_hash.clone(),
            new_auth_hash: crypto::auth_hash(&own, "her very own new password"),
            new_protected_user_key: crypto::stretched_key(&own).encrypt(&user_key.to_bytes()),
            password: PasswordFacts { length: 25, score: 4 },
        },
    )
    .await
    .unwrap();
    assert!(!w.s.me(&mia_now).await.unwrap().password_reset);

    // Withdrawn: no longer recoverable.
    w.s.withdraw_recovery(&owner.actor, &org.id, &meta()).await.unwrap();
    let r = may(&su, &owner_id).await;
    assert!(matches!(r, Err(ServiceError::Conflict(_))), "{r:?}");
}

/// "Account recovery administration" with automatic enrolment: the invitation
/// page learns the recovery key and its fingerprint, accepting without the
/// sealed user key is refused and changes nothing, accepting with it enrols
/// (in the organisation's log), and enrolled members cannot withdraw.
async fn automatic_recovery_enrolment(w: World) {
    let (admin, pid, pkey, su) = w.msp(20).await;
    let org = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 5).await.unwrap();
    let early = w.org_member(&su, &org, "early@contoso.com", Role::User, Permissions::default()).await;
    let (public, private) = domain::recovery::new_org_key_pair(&org.key);
    w.s.setup_recovery_keys(&su.actor, &org.id, &public, &private, &meta()).await.unwrap();
    w.s.enrol_recovery(&early.actor, &org.id, &domain::recovery::enrol(&public, &early.keys.user_key).unwrap(), &meta()).await.unwrap();
    let mut p = Policy::off(PolicyKind::AccountRecovery);
    p.enabled = true;
    p.recovery.auto_enrol = true;
    w.s.save_policy(&su.actor, SavePolicyInput { org_id: org.id.clone(), policy: p }, &meta()).await.unwrap();

    let noah = w.person("noah@contoso.com").await;
    w.org_invite(&su, &org.id, "noah@contoso.com", Role::User).await.unwrap();
    let token = w.token_for("noah@contoso.com").await;
    let info = w.s.invitation_info(&token).await.unwrap();
    let (key, phrase) = info.auto_enrol.clone().expect("the page is told to enrol");
    assert_eq!(key, public);
    assert_eq!(phrase, domain::fingerprint::phrase(uuid::Uuid::parse_str(&org.id).unwrap(), &crypto::unb64(&public).unwrap()));
    assert_eq!(info.valid_for, "5 days");

    let r = w.s.accept_with(&noah.actor, &token, None, None, &meta()).await;
    assert!(matches!(&r, Err(ServiceError::Validation(e)) if e[0].field == "recovery_key"), "{r:?}");
    let r = w.s.accept_with(&noah.actor, &token, None, Some("2.not-sealed".into()), &meta()).await;
    assert!(matches!(&r, Err(ServiceError::Validation(_))), "{r:?}");
    let noah_id = w.member_id(&su, &org.id, "noah@contoso.com").await;
    assert_eq!(w.s.store.member(&org.id, &noah_id).await.unwrap().unwrap().status, "invited", "a refused accept changes nothing");

    let sealed = domain::recovery::enrol(&key, &noah.keys.user_key).unwrap();
    w.s.accept_with(&noah.actor, &token, None, Some(sealed), &meta()).await.unwrap();
    assert!(w.s.recovery_enrolled(&su.actor, &org.id).await.unwrap().contains(&noah_id));
    let (events, _) = w.s.store.list_events(&org.id, &all_events()).await.unwrap();
    assert!(events.iter().any(|e| e.kind == "recovery_enrolled" && e.target_email.as_deref() == Some("noah@contoso.com")));
    // Confirmed, he is recoverable: his user key opens with the organisation's private key.
    w.confirm(&su, &org.id, &org.key, vec![noah_id.clone()]).await;
    let material = w.s.recovery_material(&su.actor, &org.id, &noah_id).await.unwrap();
    let opened = domain::recovery::open_user_key(&org.key, &material.private_key, &material.sealed_user_key).unwrap();
    assert_eq!(opened.to_bytes(), noah.keys.user_key.to_bytes());

    // Nobody withdraws while the policy enrols everyone; they are told so.
    let status = w.s.my_recovery(&early.actor).await.unwrap();
    assert!(status[0].enrolled && status[0].auto_enrol);
    let r = w.s.withdraw_recovery(&early.actor, &org.id, &meta()).await;
    assert!(matches!(&r, Err(ServiceError::Forbidden(m)) if m.contains("policy")), "{r:?}");
    let mut off = Policy::off(PolicyKind::AccountRecovery);
    off.enabled = true;
    w.s.save_policy(&su.actor, SavePolicyInput { org_id: org.id.clone(), policy: off }, &meta()).await.unwrap();
    w.s.withdraw_recovery(&early.actor, &org.id, &meta()).await.unwrap();
}

/// The onboarding queue lists, across clients, who is Invited, Expired or
/// Needs confirmation (not the confirmed), for provider staff only.
async fn onboarding_queue_across_clients(w: World) {
    let (admin, pid, pkey, su) = w.msp(20).await;
    let zeta = w.client(&admin, &pid, &pkey, "Zeta", "owner@zeta.com", 5).await.unwrap();
    let alpha = w.client(&admin, &pid, &pkey, "alpha", "owner@alpha.com", 5).await.unwrap();
    w.org_member(&su, &alpha, "done@alpha.com", Role::User, Permissions::default()).await;
    let waiting = w.person("waiting@zeta.com").await;
    w.org_invite(&su, &zeta.id, "waiting@zeta.com", Role::User).await.unwrap();
    let token = w.token_for("waiting@zeta.com").await;
    w.s.accept(&waiting.actor, &token, None, &meta()).await.unwrap();

    let queue = w.s.onboarding_queue(&su.actor, &pid).await.unwrap();
    let rows: Vec<(&str, &str, StatusBadge)> = queue.iter().map(|q| (q.org_name.as_str(), q.member.email.as_str(), q.member.badge)).collect();
    assert_eq!(
        rows,
        [
            ("alpha", "owner@alpha.com", StatusBadge::Invited),
            ("Zeta", "owner@zeta.com", StatusBadge::Invited),
            ("Zeta", "waiting@zeta.com", StatusBadge::NeedsConfirmation)
        ],
        "by client, confirmed members left out"
    );
    // The keys to confirm with, under the provider key, for the chosen clients only.
    let keys = w.s.client_keys(&su.actor, &pid, &[zeta.id.clone()]).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].org_id, zeta.id);
    let zeta_key = pkey.decrypt(keys[0].org_key.as_ref().unwrap()).unwrap();
    assert_eq!(zeta_key, pkey.decrypt(&w.s.org_context(&su.actor, &zeta.id).await.unwrap().org_key.unwrap()).unwrap());
    let (stranger, _) = w.provider(&w.person("stranger@msp.com").await).await;
    let r = w.s.client_keys(&su.actor, &stranger, &[zeta.id.clone()]).await;
    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "not their provider: {r:?}");
    let r = w.s.client_keys(&su.actor, &pid, &[zeta.id.clone(), stranger.clone()]).await;
    assert!(matches!(r, Err(ServiceError::NotFound(_))), "only the provider's own clients: {r:?}");
    w.clock.advance(6 * DAY);
    let later = w.s.onboarding_queue(&admin.actor, &pid).await.unwrap();
    assert_eq!(later.iter().filter(|q| q.member.badge == StatusBadge::Expired).count(), 2, "invitations expire");
    let owner = w.org_member(&su, &alpha, "boss@alpha.com", Role::Owner, Permissions::default()).await;
    let r = w.s.onboarding_queue(&owner.actor, &pid).await;
    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "a client's Owner sees no other client: {r:?}");
    assert!(w.s.onboarding_queue(&su.actor, &alpha.id).await.is_err(), "an organisation has no clients");

    // Renaming a client: Provider admins only, a real name, logged at the provider.
    let r = w.s.rename_client(&su.actor, &pid, &alpha.id, "Alpha Ltd", &meta()).await;
    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{r:?}");
    let r = w.s.rename_client(&admin.actor, &pid, &alpha.id, "  ", &meta()).await;
    assert!(matches!(&r, Err(ServiceError::Validation(e)) if e[0].field == "name"), "{r:?}");
    let (other_pid, _) = w.provider(&admin).await;
    let r = w.s.rename_client(&admin.actor, &other_pid, &alpha.id, "Alpha Ltd", &meta()).await;
    assert!(r.is_err(), "not through another provider: {r:?}");
    w.s.rename_client(&admin.actor, &pid, &alpha.id, "Alpha Ltd", &meta()).await.unwrap();
    let names: Vec<String> = w.s.clients(&admin.actor, &pid).await.unwrap().clients.into_iter().map(|c| c.name).collect();
    assert!(names.contains(&"Alpha Ltd".to_string()) && !names.contains(&"alpha".to_string()), "{names:?}");
    let (events, _) = w.s.store.list_events(&pid, &all_events()).await.unwrap();
    assert!(events.iter().any(|e| e.kind == "client_renamed" && e.detail == "\"alpha\" → \"Alpha Ltd\""));
}

/// Vault timeout and "Remove individual vault export" reach every member's
/// profile, the strictest timeout of several organisations winning.
async fn vault_timeout_and_export_policies(w: World) {
    let (admin, pid, pkey, su) = w.msp(20).await;
    let a = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 5).await.unwrap();
    let b = w.client(&admin, &pid, &pkey, "Fabrikam", "owner@fabrikam.com", 5).await.unwrap();
    let mia = w.org_member(&su, &a, "mia@contoso.com", Role::User, Permissions::default()).await;
    let before = w.s.me(&mia.actor).await.unwrap().policies;
    assert_eq!((before.vault_timeout, before.no_personal_export), (None, false));
    let save = |org: &str, kind: PolicyKind, minutes: u32, log_out: bool| {
        let mut p = Policy::off(kind);
        p.enabled = true;
        p.vault_timeout = domain::org::VaultTimeoutRules { minutes, log_out };
        SavePolicyInput { org_id: org.to_string(), policy: p }
    };
    let r = w.s.save_policy(&su.actor, save(&a.id, PolicyKind::VaultTimeout, 0, false), &meta()).await;
    assert!(matches!(&r, Err(ServiceError::Validation(e)) if e[0].field == "timeout_minutes"), "{r:?}");
    for (org, kind, minutes, log_out) in
        [(&a.id, PolicyKind::VaultTimeout, 60, false), (&a.id, PolicyKind::RemovePersonalVaultExport, 15, false), (&b.id, PolicyKind::VaultTimeout, 30, true)]
    {
        w.s.save_policy(&su.actor, save(org, kind, minutes, log_out), &meta()).await.unwrap();
    }
    let mine = w.s.me(&mia.actor).await.unwrap().policies;
    assert_eq!((mine.vault_timeout.map(|t| (t.minutes, t.log_out)), mine.no_personal_export), (Some((60, false)), true), "only Contoso's");
    w.clock.advance(1); // the newer invitation mail
    w.org_invite(&su, &b.id, "mia@contoso.com", Role::User).await.unwrap();
    let token = w.token_for("mia@contoso.com").await;
    w.s.accept(&mia.actor, &token, None, &meta()).await.unwrap();
    let mine = w.s.me(&mia.actor).await.unwrap().policies;
    assert_eq!(mine.vault_timeout.map(|t| (t.minutes, t.log_out)), Some((30, true)), "the strictest of both");
    let (events, _) = w.s.store.list_events(&b.id, &all_events()).await.unwrap();
    assert!(events.iter().any(|e| e.kind == "policy_changed" && e.detail == "Vault timeout: on: 30 minutes, then log out"), "{events:?}");
}

/// "Require two-step login": the organisation's own members without it are
/// shut out (Admin Console, the key in their profile, their apps' sync) and
/// told why; provider staff are not; turning it on opens the organisation again.
async fn two_step_login_policy(w: World) {
    let (admin, pid, pkey, su) = w.msp(20).await;
    let org = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 5).await.unwrap();
    let mia = w.org_member(&su, &org, "mia@contoso.com", Role::Admin, Permissions::default()).await;
    assert!(w.s.list_members(&mia.actor, &org.id).await.is_ok());
    let mut p = Policy::off(PolicyKind::TwoStepLogin);
    p.enabled = true;
    w.s.save_policy(&su.actor, SavePolicyInput { org_id: org.id.clone(), policy: p }, &meta()).await.unwrap();
    let r = w.s.list_members(&mia.actor, &org.id).await;
    assert!(matches!(&r, Err(ServiceError::Forbidden(m)) if m.contains("requires two-step login")), "{r:?}");
    assert_eq!(w.s.me(&mia.actor).await.unwrap().organizations[0].wrapped_key, None, "no key until it is on");
    assert!(w.s.app_sync(&mia.actor).await.unwrap().organizations.is_empty());
    assert!(w.s.list_members(&su.actor, &org.id).await.is_ok(), "provider staff are not members of it");

    let email = domain::Email::parse("mia@contoso.com").unwrap();
    let hash = crypto::auth_hash(&crypto::master_key(PW, &email, domain::KdfParams::MIN).unwrap(), PW);
    let (key, _) = w.s.start_authenticator(&mia.actor, &hash, &meta()).await.unwrap();
    let code = domain::totp::Totp::parse(&key).unwrap().code_at(w.s.now() as u64);
    w.s.enable_authenticator(&mia.actor, &code).await.unwrap();
    assert!(w.s.list_members(&mia.actor, &org.id).await.is_ok());
    assert!(w.s.me(&mia.actor).await.unwrap().organizations[0].wrapped_key.is_some());
    assert_eq!(w.s.app_sync(&mia.actor).await.unwrap().organizations.len(), 1);
}

/// Folders are a person's own: items go only into the person's folders; an
/// organisation's item is filed per person (even by a member who may only
/// view it); deleting a folder leaves its items in no folder.
async fn folders_are_personal(w: World) {
    let (admin, pid, pkey, su) = w.msp(100).await;
    let org = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 10).await.unwrap();
    let mia = w.org_member(&su, &org, "mia@contoso.com", Role::User, Permissions::default()).await;
    let eve = w.person("eve@x.com").await;
    let mia_id = w.member_id(&su, &org.id, "mia@contoso.com").await;
    let access = vec![AccessEntry { subject: Subject::Member(mia_id), permission: CollectionPermission::CanView }];
    let col =
        w.s.save_collection(&su.actor, SaveCollectionInput { org_id: org.id.clone(), collection_id: None, name: org.key.encrypt(b"Shared"), access }, &meta())
            .await
            .unwrap();
    let login = |key: &SymmetricKey, name: &str| CipherView { name: name.into(), ..CipherView::new(CipherType::Login) }.encrypt(key.inner()).to_json();
    let bank =
        w.s.save_org_item(
            &su.actor,
            SaveOrgItemInput { org_id: org.id.clone(), item_id: None, data: login(&org.key, "Bank"), collection_ids: vec![col.id.clone()], file: false },
            &meta(),
        )
        .await
        .unwrap();

    // Names are encrypted in the browser; a plaintext one is refused.
    assert!(matches!(w.s.save_folder(&mia.actor, None, "Work".into()).await, Err(ServiceError::Validation(_))));
    let work = w.s.save_folder(&mia.actor, None, mia.keys.user_key.encrypt(b"Work")).await.unwrap();
    let evil = w.s.save_folder(&eve.actor, None, eve.keys.user_key.encrypt(b"Evil")).await.unwrap();
    assert!(matches!(w.s.save_folder(&eve.actor, Some(work.id.clone()), eve.keys.user_key.encrypt(b"Mine")).await, Err(ServiceError::NotFound(_))));
    let listed = w.s.list_folders(&mia.actor).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(mia.keys.user_key.decrypt(&listed[0].name).unwrap(), b"Work");

    // Mia's own item in her folder; never in Eve's.
    let with_folder = |key: &SymmetricKey, folder: &str| {
        let mut c = CipherView { name: "Mail".into(), ..CipherView::new(CipherType::Login) };
        c.folder_id = Some(folder.into());
        c.encrypt(key.inner()).to_json()
    };
    let refused = w.s.save_item(&mia.actor, None, with_folder(&mia.keys.user_key, &evil.id)).await;
    assert!(matches!(&refused, Err(ServiceError::Validation(v)) if v[0].field == "folder"), "{refused:?}");
    assert!(w.s.list_items(&mia.actor).await.unwrap().is_empty(), "a refused save stores nothing");
    let mail = w.s.save_item(&mia.actor, None, with_folder(&mia.keys.user_key, &work.id)).await.unwrap();
    assert_eq!(w.s.list_items(&mia.actor).await.unwrap()[0].folder_id, Some(work.id.clone()));
    assert!(!w.s.list_items(&mia.actor).await.unwrap()[0].data.contains(&work.id), "the folder is a column, not in the cipher");

    // The organisation's item: Mia may only view it, yet files it for herself.
    w.s.file_item(&mia.actor, &bank.id, Some(work.id.clone()), true).await.unwrap();
    let shared = w.s.shared_vault(&mia.actor).await.unwrap();
    assert_eq!((shared.items[0].folder_id.clone(), shared.items[0].favourite), (Some(work.id.clone()), true));
    let staff_view = w.s.app_sync(&su.actor).await.unwrap();
    let theirs = staff_view.org_items.iter().find(|i| i.item.id == bank.id).unwrap();
    assert_eq!((theirs.folder_id.clone(), theirs.favourite), (None, false), "nobody else sees Mia's filing");
    assert!(matches!(w.s.file_item(&eve.actor, &bank.id, None, true).await, Err(ServiceError::NotFound(_))), "not an item Eve can see");
    assert!(matches!(w.s.file_item(&mia.actor, &bank.id, Some(evil.id.clone()), true).await, Err(ServiceError::Validation(_))));
    let sync = w.s.app_sync(&mia.actor).await.unwrap();
    assert_eq!(sync.folders.iter().map(|f| f.id.clone()).collect::<Vec<_>>(), vec![work.id.clone()]);

    // Moving both out of the folder keeps the favourite; all or none.
    let both = vec![mail.id.clone(), bank.id.clone()];
    let with_foreign = vec![mail.id.clone(), "00000000-0000-0000-0000-000000000000".into()];
    assert!(matches!(w.s.move_to_folder(&mia.actor, &with_foreign, None).await, Err(ServiceError::NotFound(_))));
    assert_eq!(w.s.list_items(&mia.actor).await.unwrap()[0].folder_id, Some(work.id.clone()), "nothing moved");
    w.s.move_to_folder(&mia.actor, &both, None).await.unwrap();
    assert_eq!(w.s.list_items(&mia.actor).await.unwrap()[0].folder_id, None);
    let shared = w.s.shared_vault(&mia.actor).await.unwrap();
    assert_eq!((shared.items[0].folder_id.clone(), shared.items[0].favourite), (None, true));

    // Deleting the folder: only Mia can; her items stay.
    w.s.move_to_folder(&mia.actor, &both, Some(work.id.clone())).await.unwrap();
    assert!(matches!(w.s.delete_folder(&eve.actor, &work.id).await, Err(ServiceError::NotFound(_))));
    w.s.delete_folder(&mia.actor, &work.id).await.unwrap();
    assert_eq!(w.s.list_items(&mia.actor).await.unwrap()[0].folder_id, None);
    assert_eq!(w.s.shared_vault(&mia.actor).await.unwrap().items[0].folder_id, None);
    assert!(w.s.list_folders(&mia.actor).await.unwrap().is_empty());
}

/// The policy baseline: only Provider admins set it, both user types see
/// each client's drift and apply it (one transaction, in every log); then a
/// client suspended (its members shut out, staff not), restored and deleted.
async fn baseline_and_client_lifecycle(w: World) {
    let (admin, pid, pkey, su) = w.msp(100).await;
    let a = w.client(&admin, &pid, &pkey, "Alpha", "owner@alpha.com", 10).await.unwrap();
    let b = w.client(&admin, &pid, &pkey, "Bravo", "owner@bravo.com", 10).await.unwrap();
    let c = w.client(&admin, &pid, &pkey, "Charlie", "owner@charlie.com", 10).await.unwrap();
    assert!(w.s.policy_drift(&su.actor, &pid).await.unwrap().is_empty(), "no baseline, no drift");
    assert_eq!(w.s.clients(&su.actor, &pid).await.unwrap().clients[0].drift, None);
    let mut two_step = Policy::off(PolicyKind::TwoStepLogin);
    two_step.enabled = true;
    let mut mp = Policy::off(PolicyKind::MasterPassword);
    mp.enabled = true;
    mp.master_password = MasterPasswordRules { min_length: 14, min_score: 3 };
    let save = |who: &Person, policy: Policy, included: bool| {
        let (s, who, pid) = (w.s.clone(), who.actor.clone(), pid.clone());
        async move { s.save_baseline(&who, SaveBaselineInput { provider_id: pid, included, policy }, &meta()).await }
    };
    assert!(matches!(save(&su, two_step.clone(), true).await, Err(ServiceError::Forbidden(_))), "service users do not set the baseline");
    let mut bad = mp.clone();
    bad.master_password.min_length = 3;
    assert!(matches!(save(&admin, bad, true).await, Err(ServiceError::Validation(_))));
    save(&admin, two_step.clone(), true).await.unwrap();
    save(&admin, mp.clone(), true).await.unwrap();
    save(&admin, Policy::off(PolicyKind::SingleOrg), false).await.unwrap();
    let base = w.s.baseline(&su.actor, &pid).await.unwrap();
    assert_eq!(base.iter().filter(|b| b.included).map(|b| b.policy.kind).collect::<Vec<_>>(), [PolicyKind::MasterPassword, PolicyKind::TwoStepLogin]);
    // Charlie already has both; Alpha and Bravo have neither.
    for p in [two_step.clone(), mp.clone()] {
        w.s.save_policy(&su.actor, SavePolicyInput { org_id: c.id.clone(), policy: p }, &meta()).await.unwrap();
    }
    let drift = w.s.policy_drift(&su.actor, &pid).await.unwrap();
    assert_eq!(drift.iter().map(|d| (d.org_name.as_str(), d.drift.len())).collect::<Vec<_>>(), [("Alpha", 2), ("Bravo", 2), ("Charlie", 0)]);
    assert_eq!(drift[0].drift[1].current, "Off");
    let counts: Vec<_> = w.s.clients(&su.actor, &pid).await.unwrap().clients.iter().map(|c| c.drift).collect();
    assert_eq!(counts, [Some(2), Some(2), Some(0)]);
    // Applying: not an empty choice, not another provider's client.
    assert!(matches!(w.s.apply_baseline(&su.actor, &pid, &[], &meta()).await, Err(ServiceError::Validation(_))));
    let (other_admin, opid, opkey, _) = {
        let x = w.person("boss@other.com").await;
        let (p, k) = w.provider(&x).await;
        w.s.set_provider_seats(&x.actor, &p, 10, &meta()).await.unwrap();
        (x, p, k, ())
    };
    let foreign = w.client(&other_admin, &opid, &opkey, "Foreign", "owner@foreign.com", 5).await.unwrap();
    assert!(matches!(w.s.apply_baseline(&su.actor, &pid, &[a.id.clone(), foreign.id.clone()], &meta()).await, Err(ServiceError::NotFound(_))));
    assert_eq!(w.s.policy_drift(&su.actor, &pid).await.unwrap()[0].drift.len(), 2, "nothing applied");
    let done = w.s.apply_baseline(&su.actor, &pid, &[a.id.clone(), b.id.clone(), c.id.clone()], &meta()).await.unwrap();
    assert_eq!(done, BaselineApplied { clients: 2, policies: 4 });
    assert!(w.s.policy_drift(&su.actor, &pid).await.unwrap().iter().all(|d| d.drift.is_empty()));
    let a_policies = w.s.policies(&su.actor, &a.id).await.unwrap();
    assert!(a_policies.iter().find(|p| p.kind == PolicyKind::MasterPassword).unwrap().same_effect(&mp));
    let logged = |tenant: String, kind: &'static str| {
        let (s, admin) = (w.s.clone(), admin.actor.clone());
        async move { s.events(&admin, &tenant, db::EventQuery { limit: 100, kind: Some(kind.into()), ..Default::default() }).await.unwrap().items }
    };
    let in_alpha = logged(a.id.clone(), "policy_changed").await;
    assert_eq!(in_alpha.len(), 2);
    assert!(in_alpha.iter().all(|e| e.detail.ends_with("(provider baseline)")), "{in_alpha:?}");
    assert_eq!(logged(pid.clone(), "baseline_applied").await[0].detail, "Alpha (2), Bravo (2)");

    // Alpha turns two-step login off again: it drifts again (and Mia, without it, may open Alpha).
    w.s.save_policy(&su.actor, SavePolicyInput { org_id: a.id.clone(), policy: Policy::off(PolicyKind::TwoStepLogin) }, &meta()).await.unwrap();
    assert_eq!(w.s.clients(&su.actor, &pid).await.unwrap().clients[0].drift, Some(1));

    // Suspend Alpha: its member is shut out of it (portal and sync), staff are not.
    let mia = w.org_member(&su, &a, "mia@alpha.com", Role::Admin, Permissions::default()).await;
    assert!(w.s.list_members(&mia.actor, &a.id).await.is_ok());
    assert!(matches!(w.s.set_client_suspended(&su.actor, &pid, &a.id, true, &meta()).await, Err(ServiceError::Forbidden(_))), "Provider admins only");
    assert!(matches!(w.s.set_client_suspended(&other_admin.actor, &opid, &a.id, true, &meta()).await, Err(ServiceError::NotFound(_))));
    w.s.set_client_suspended(&admin.actor, &pid, &a.id, true, &meta()).await.unwrap();
    match w.s.list_members(&mia.actor, &a.id).await {
        Err(ServiceError::Forbidden(m)) => assert!(m.contains("suspended by its provider"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(w.s.open_org_vault(&mia.actor, &a.id, &meta()).await, Err(ServiceError::Forbidden(_))));
    let sync = w.s.app_sync(&mia.actor).await.unwrap();
    assert_eq!(sync.organizations.len(), 1, "still listed, as disabled");
    assert!(sync.organizations[0].org.suspended_at.is_some() && sync.collections.is_empty());
    assert!(w.s.list_members(&su.actor, &a.id).await.is_ok(), "provider staff still open it");
    assert!(w.s.clients(&su.actor, &pid).await.unwrap().clients[0].suspended_at.is_some());
    assert_eq!(logged(a.id.clone(), "client_suspended").await.len(), 1);
    w.s.set_client_suspended(&admin.actor, &pid, &a.id, false, &meta()).await.unwrap();
    assert!(w.s.list_members(&mia.actor, &a.id).await.is_ok(), "restored");
    assert_eq!(logged(pid.clone(), "client_restored").await[0].detail, "\"Alpha\" restored");

    // Delete Bravo: Provider admins, with its name typed; its seats come back.
    assert_eq!(w.s.clients(&admin.actor, &pid).await.unwrap().assigned, 30);
    assert!(matches!(w.s.delete_client(&su.actor, &pid, &b.id, "Bravo", &meta()).await, Err(ServiceError::Forbidden(_))));
    let wrong = w.s.delete_client(&admin.actor, &pid, &b.id, "bravo", &meta()).await;
    assert!(matches!(&wrong, Err(ServiceError::Validation(v)) if v[0].field == "confirm_name"), "{wrong:?}");
    w.s.delete_client(&admin.actor, &pid, &b.id, " Bravo ", &meta()).await.unwrap();
    let view = w.s.clients(&admin.actor, &pid).await.unwrap();
    assert_eq!((view.clients.len(), view.assigned), (2, 20));
    assert!(matches!(w.s.list_members(&su.actor, &b.id).await, Err(ServiceError::Forbidden(_) | ServiceError::NotFound(_))), "gone");
    assert!(logged(pid.clone(), "client_deleted").await[0].detail.starts_with("\"Bravo\" with its 1 member(s)"));

    // Unlink Charlie: not before it has a confirmed Owner; then its Owner runs it alone.
    assert!(matches!(w.s.unlink_client(&admin.actor, &pid, &c.id, &meta()).await, Err(ServiceError::Conflict(_))), "its Owner is only invited");
    let boss = w.org_member(&su, &c, "boss@charlie.com", Role::Owner, Permissions::default()).await;
    // (Charlie requires two-step login, from the baseline; its Owner has none, so it is lifted first.)
    w.s.save_policy(&su.actor, SavePolicyInput { org_id: c.id.clone(), policy: Policy::off(PolicyKind::TwoStepLogin) }, &meta()).await.unwrap();
    assert!(matches!(w.s.unlink_client(&su.actor, &pid, &c.id, &meta()).await, Err(ServiceError::Forbidden(_))), "Provider admins only");
    let charlie_key = pkey.decrypt(&w.s.org_context(&su.actor, &c.id).await.unwrap().org_key.unwrap()).unwrap();
    w.s.unlink_client(&admin.actor, &pid, &c.id, &meta()).await.unwrap();
    assert!(matches!(w.s.list_members(&su.actor, &c.id).await, Err(ServiceError::Forbidden(_))), "staff lose it");
    assert!(w.s.list_members(&boss.actor, &c.id).await.is_ok());
    let view = w.s.clients(&admin.actor, &pid).await.unwrap();
    assert_eq!((view.clients.len(), view.assigned), (1, 10));
    assert!(w.s.org_context(&boss.actor, &c.id).await.unwrap().provider_id.is_none());

    // Add Charlie to a provider again: only its confirmed Owner, as a Provider
    // admin of that provider, with seats that fit; its key wrapped in the
    // Owner's browser with the provider key.
    let (bpid, bkey) = w.provider(&boss).await;
    w.s.set_provider_seats(&boss.actor, &bpid, 5, &meta()).await.unwrap();
    assert!(w.s.linkable_orgs(&admin.actor, &pid).await.unwrap().is_empty(), "the admin owns no organisation");
    assert!(matches!(w.s.linkable_orgs(&su.actor, &pid).await, Err(ServiceError::Forbidden(_))), "Provider admins only");
    let linkable = w.s.linkable_orgs(&boss.actor, &bpid).await.unwrap();
    assert_eq!(linkable.iter().map(|o| (o.name.as_str(), o.seats, o.used)).collect::<Vec<_>>(), [("Charlie", 10, 2)]);
    let handed = domain::crypto::reseal_under(&boss.keys.key_pair, &linkable[0].member_key, &bkey).unwrap();
    let add = |who: &Person, provider_id: &str, seats: i64, org_key: &str| {
        let (s, who) = (w.s.clone(), who.actor.clone());
        let input = AddExistingClientInput { provider_id: provider_id.into(), org_id: c.id.clone(), seats, org_key: org_key.into() };
        async move { s.add_existing_client(&who, input, &meta()).await }
    };
    assert!(matches!(add(&admin, &pid, 4, &handed).await, Err(ServiceError::NotFound(_))), "not its Owner");
    assert!(matches!(add(&boss, &pid, 4, &handed).await, Err(ServiceError::Forbidden(_))), "not a Provider admin there");
    for (seats, key, field) in [(1, handed.as_str(), "seats"), (6, handed.as_str(), "seats"), (4, "plain text", "org_key")] {
        let r = add(&boss, &bpid, seats, key).await;
        assert!(matches!(&r, Err(ServiceError::Validation(v)) if v[0].field == field), "{seats} {key}: {r:?}");
    }
    assert!(w.s.clients(&boss.actor, &bpid).await.unwrap().clients.is_empty(), "nothing changed");
    add(&boss, &bpid, 4, &handed).await.unwrap();
    let view = w.s.clients(&boss.actor, &bpid).await.unwrap();
    assert_eq!(view.clients.iter().map(|c| (c.name.as_str(), c.seats, c.used)).collect::<Vec<_>>(), [("Charlie", 4, 2)]);
    let ctx = w.s.org_context(&boss.actor, &c.id).await.unwrap();
    assert_eq!(ctx.provider_id.as_deref(), Some(bpid.as_str()));
    assert_eq!(bkey.decrypt(&ctx.org_key.unwrap()).unwrap(), charlie_key, "the same organisation key, now under the provider key");
    let in_provider = w.s.events(&boss.actor, &bpid, db::EventQuery { limit: 10, kind: Some("client_added".into()), ..Default::default() }).await.unwrap();
    assert_eq!(in_provider.items[0].detail, "\"Charlie\" added with 4 seats");
    let in_org = w.s.events(&boss.actor, &c.id, db::EventQuery { limit: 10, kind: Some("seats_changed".into()), ..Default::default() }).await.unwrap();
    assert_eq!(in_org.items[0].detail, "10 → 4 seats");
    assert!(matches!(add(&boss, &bpid, 4, &handed).await, Err(ServiceError::Conflict(_))), "already managed");
    assert!(w.s.linkable_orgs(&boss.actor, &bpid).await.unwrap().is_empty());
}

/// A bulk role change: one transaction for the members the actor may change;
/// the rest skipped with the reason; a role the actor may not give refuses all.
async fn bulk_role_change(w: World) {
    let (admin, pid, pkey, su) = w.msp(50).await;
    let org = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 20).await.unwrap();
    let owner = w.org_member(&su, &org, "o@contoso.com", Role::Owner, Permissions::default()).await;
    let oadmin = w.org_member(&su, &org, "a@contoso.com", Role::Admin, Permissions::default()).await;
    let _ = owner;
    for e in ["u1@contoso.com", "u2@contoso.com"] {
        w.org_member(&su, &org, e, Role::User, Permissions::default()).await;
    }
    let users = Permissions { manage_users: true, ..Default::default() };
    w.org_member(&su, &org, "c@contoso.com", Role::Custom, users).await;
    let id = |e: &'static str| {
        let (w, su, org) = (&w, &su, &org);
        async move { w.member_id(su, &org.id, e).await }
    };
    let ids = vec![id("o@contoso.com").await, id("u1@contoso.com").await, id("u2@contoso.com").await, id("a@contoso.com").await, id("c@contoso.com").await];
    assert!(matches!(w.s.set_user_types(&oadmin.actor, &org.id, &ids, Role::Owner, Permissions::default(), &meta()).await, Err(ServiceError::Forbidden(_))));
    let r = w.s.set_user_types(&oadmin.actor, &org.id, &ids, Role::Custom, users, &meta()).await.unwrap();
    let mut outcome: Vec<(&str, Option<&str>)> = r.iter().map(|m| (m.email.as_str(), m.skipped.as_deref())).collect();
    outcome.sort();
    let want: Vec<(&str, Option<&str>)> = vec![
        ("a@contoso.com", Some("You cannot change your own role or permissions.")),
        ("c@contoso.com", Some("Already Custom.")),
        ("o@contoso.com", Some("Only an Owner or your provider can give or change the Owner role.")),
        ("u1@contoso.com", None),
        ("u2@contoso.com", None),
    ];
    assert_eq!(outcome, want, "{r:?}");
    let roles: Vec<(String, Role)> = w.s.list_members(&su.actor, &org.id).await.unwrap().into_iter().map(|m| (m.email, m.user_type)).collect();
    for e in ["u1@contoso.com", "u2@contoso.com"] {
        assert!(roles.contains(&(e.to_string(), Role::Custom)), "{roles:?}");
    }
    assert!(roles.contains(&("o@contoso.com".to_string(), Role::Owner)));
    let q = db::EventQuery { limit: 100, kind: Some("user_type_changed".into()), ..Default::default() };
    assert_eq!(w.s.events(&su.actor, &org.id, q).await.unwrap().total, 2);
    assert!(matches!(w.s.set_user_types(&oadmin.actor, &org.id, &[], Role::User, Permissions::default(), &meta()).await, Err(ServiceError::Validation(_))));
}

/// Provider staff opening a client's vault in the Admin Console is in the
/// client's log and the provider's (once per quarter hour); a member's
/// opening is not.
async fn provider_staff_opening_a_vault_is_logged(w: World) {
    let (admin, pid, pkey, su) = w.msp(100).await;
    let org = w.client(&admin, &pid, &pkey, "Contoso", "owner@contoso.com", 10).await.unwrap();
    let opened = |tenant: String, kind: &'static str| {
        let s = w.s.clone();
        let admin = &admin.actor;
        async move {
            let q = db::EventQuery { limit: 1000, kind: Some(kind.into()), ..Default::default() };
            s.events(admin, &tenant, q).await.unwrap().items
        }
    };
    w.s.open_org_vault(&su.actor, &org.id, &meta()).await.unwrap();
    w.s.open_org_vault(&su.actor, &org.id, &meta()).await.unwrap();
    let in_client = opened(org.id.clone(), "vault_opened_by_provider").await;
    assert_eq!(in_client.len(), 1, "once per quarter hour");
    assert_eq!((in_client[0].actor.as_deref(), in_client[0].detail.as_str()), (Some("service@msp.com"), "Provider staff of Acme MSP opened the vault"));
    let in_provider = opened(pid.clone(), "client_vault_opened").await;
    assert_eq!((in_provider.len(), in_provider[0].detail.as_str()), (1, "Opened the vault of Contoso"));
    w.clock.advance(901);
    w.s.open_org_vault(&su.actor, &org.id, &meta()).await.unwrap();
    assert_eq!(opened(org.id.clone(), "vault_opened_by_provider").await.len(), 2);
    // An Owner of the organisation opens it as a member: not logged as staff.
    let owner = w.org_member(&su, &org, "o@contoso.com", Role::Owner, Permissions::default()).await;
    w.s.open_org_vault(&owner.actor, &org.id, &meta()).await.unwrap();
    assert_eq!(opened(org.id.clone(), "vault_opened_by_provider").await.len(), 2);
    // Nobody else opens it at all.
    let eve = w.person("eve@x.com").await;
    assert!(matches!(w.s.open_org_vault(&eve.actor, &org.id, &meta()).await, Err(ServiceError::Forbidden(_))));
}

both!(
    bulk_role_change,
    baseline_and_client_lifecycle,
    provider_staff_opening_a_vault_is_logged,
    folders_are_personal,
    two_step_login_policy,
    account_recovery,
    automatic_recovery_enrolment,
    vault_timeout_and_export_policies,
    onboarding_queue_across_clients,
    member_actions_by_target_role,
    client_lifecycle,
    seats_are_enforced,
    owner_rules,
    policies_are_enforced,
    org_role_matrix,
    master_password_change,
    vault_import_export
);
