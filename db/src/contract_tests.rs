//! The contract every Store implementation must honour, run on SQLite always
//! and on PostgreSQL (a fresh database per test).

use crate::testing;
use crate::*;

fn id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn user(email: &str) -> UserRow {
    UserRow {
        id: id(),
        email: email.into(),
        name: format!("Name of {email}"),
        hint: None,
        kdf_memory: 65536,
        kdf_iterations: 3,
        kdf_parallelism: 4,
        auth_hash: "$argon2id$v=19$...".into(),
        protected_user_key: "x1.key".into(),
        protected_private_key: "x1.priv".into(),
        public_key: vec![1, 2, 3],
        created_at: 1000,
    }
}

fn member(provider_id: &str, email: &str, user_id: Option<&str>, user_type: &str, status: &str) -> MemberRow {
    MemberRow {
        id: id(),
        provider_id: provider_id.into(),
        user_id: user_id.map(Into::into),
        email: email.into(),
        user_type: user_type.into(),
        status: status.into(),
        suspended: false,
        wrapped_key: (status == "confirmed").then(|| "sealed".to_string()),
        invited_at: 1000,
        expires_at: (status == "invited").then_some(5000),
        accepted_at: None,
        confirmed_at: None,
        permissions: String::new(),
    }
}

fn event(provider_id: &str, kind: &str, at: i64) -> EventRow {
    EventRow {
        id: id(),
        provider_id: provider_id.into(),
        actor_user_id: None,
        actor_email: Some("admin@x.com".into()),
        target_email: None,
        kind: kind.into(),
        detail: String::new(),
        ip: Some("127.0.0.1".into()),
        at,
    }
}

fn mail(provider_id: &str, to: &str, at: i64) -> MailRow {
    MailRow {
        id: id(),
        provider_id: Some(provider_id.into()),
        to_addr: to.into(),
        subject: "Join".into(),
        text_body: "text".into(),
        html_body: "<p>html</p>".into(),
        created_at: at,
        attempts: 0,
        next_attempt_at: at,
        sent_at: None,
        last_error: None,
        member_id: None,
        expires_at: None,
    }
}

/// A provider with one confirmed admin; returns (provider id, admin user, admin member).
async fn provider_with_admin(s: &DynStore, email: &str) -> (String, UserRow, MemberRow) {
    let u = user(email);
    s.create_user(&u).await.unwrap();
    let p = ProviderRow {
        id: id(),
        name: "Acme MSP".into(),
        billing_email: "billing@acme.com".into(),
        created_at: 1000,
        kind: "provider".into(),
        parent_id: None,
        seats: 0,
        org_key: None,
        version: 0,
        suspended_at: None,
    };
    let m = member(&p.id, email, Some(&u.id), "provider_admin", "confirmed");
    s.create_provider(&p, &m, &event(&p.id, "provider_created", 1000)).await.unwrap();
    (p.id, u, m)
}

fn batch(provider_id: &str, actor: &str, changes: Vec<MemberChange>) -> MemberBatch {
    MemberBatch { provider_id: provider_id.into(), actor_user_id: actor.into(), changes, events: vec![], mails: vec![] }
}

async fn users_and_sessions(s: DynStore) {
    let u = user("a@x.com");
    s.create_user(&u).await.unwrap();
    assert!(matches!(s.create_user(&user("a@x.com")).await, Err(Error::Conflict(Conflict::EmailTaken))));
    assert_eq!(s.user_by_email("a@x.com").await.unwrap().unwrap(), u);
    assert_eq!(s.user_by_id(&u.id).await.unwrap().unwrap().public_key, vec![1, 2, 3]);
    assert!(s.user_by_email("b@x.com").await.unwrap().is_none());

    let sess = SessionRow { token_hash: "h1".into(), user_id: u.id.clone(), created_at: 10, expires_at: 100, ip: None };
    s.create_session(&sess).await.unwrap();
    assert_eq!(s.session("h1", 99).await.unwrap(), Some(sess));
    assert_eq!(s.session("h1", 100).await.unwrap(), None, "expired sessions are not returned");
    assert_eq!(s.session_user("h1", 99).await.unwrap(), Some((u.id.clone(), "a@x.com".to_string())));
    assert_eq!(s.session_user("h1", 100).await.unwrap(), None);
    assert_eq!(s.session_user("nope", 0).await.unwrap(), None);
    s.delete_session("h1").await.unwrap();
    assert_eq!(s.session("h1", 50).await.unwrap(), None);
    assert_eq!(s.session_user("h1", 50).await.unwrap(), None);
}

/// Bitwarden apps' devices: one row per (user, app installation), refresh
/// tokens used once, everything gone at a password change.
async fn two_factor_lifecycle(s: DynStore) {
    let u = user("t@x.com");
    s.create_user(&u).await.unwrap();
    assert_eq!(s.two_factor(&u.id).await.unwrap(), None);
    assert!(s.put_pending_two_factor(&u.id, "sealed-1", 10).await.unwrap());
    assert!(s.put_pending_two_factor(&u.id, "sealed-2", 11).await.unwrap(), "a new setup replaces a pending one");
    assert!(!s.spend_two_factor_step(&u.id, 5).await.unwrap(), "a pending key opens nothing");
    let row = s.two_factor(&u.id).await.unwrap().unwrap();
    assert_eq!((row.totp_secret.as_str(), row.enabled_at), ("sealed-2", None));
    let notice = |at: i64| MailRow { provider_id: None, ..mail("-", "t@x.com", at) };
    assert!(s.enable_two_factor(&u.id, "rh", 100, 12, &notice(12)).await.unwrap());
    assert!(!s.enable_two_factor(&u.id, "rh2", 101, 13, &notice(13)).await.unwrap(), "enabled once");
    assert_eq!(s.mails_to("t@x.com").await.unwrap().len(), 1, "one notice: the refused enable queued none");
    assert!(!s.put_pending_two_factor(&u.id, "sealed-3", 14).await.unwrap(), "an enabled key is not replaced");
    let row = s.two_factor(&u.id).await.unwrap().unwrap();
    assert_eq!((row.totp_secret.as_str(), row.enabled_at, row.last_step, row.recovery_hash.as_deref()), ("sealed-2", Some(12), 100, Some("rh")));
    assert!(!s.spend_two_factor_step(&u.id, 100).await.unwrap(), "the confirming code's step is spent");
    assert!(s.spend_two_factor_step(&u.id, 101).await.unwrap());
    assert!(!s.spend_two_factor_step(&u.id, 101).await.unwrap(), "a code works once");
    assert!(!s.spend_two_factor_step(&u.id, 99).await.unwrap(), "nor an older one");

    s.remember_two_factor("rem", &u.id, 50).await.unwrap();
    assert!(s.two_factor_remembered("rem", &u.id, 49).await.unwrap());
    assert!(!s.two_factor_remembered("rem", &u.id, 50).await.unwrap(), "expired");
    assert!(!s.two_factor_remembered("rem", "someone-else", 49).await.unwrap());
    assert!(s.delete_two_factor(&u.id, &notice(20)).await.unwrap());
    assert!(!s.two_factor_remembered("rem", &u.id, 49).await.unwrap(), "turning it off forgets every device");
    assert_eq!(s.two_factor(&u.id).await.unwrap(), None);
    assert!(!s.delete_two_factor(&u.id, &notice(21)).await.unwrap());
    assert_eq!(s.mails_to("t@x.com").await.unwrap().len(), 2, "a notice for turning it off, none when it was already off");
}

/// Emailed codes: one live code per account, sent again only after the
/// resend pause, spent once, only for its purpose and before it expires;
/// turning email codes on while another step is on is refused.
fn email_code(user_id: &str, mac: &str, purpose: &str, sent_at: i64, expires_at: i64) -> EmailCodeRow {
    EmailCodeRow { user_id: user_id.into(), code_mac: mac.into(), purpose: purpose.into(), sent_at, expires_at }
}

async fn two_factor_email_codes(s: DynStore) {
    let u = user("e@x.com");
    s.create_user(&u).await.unwrap();
    let m = |at: i64| MailRow { provider_id: None, ..mail("-", "e@x.com", at) };
    let mails = || async { s.mails_to("e@x.com").await.unwrap().len() };
    assert!(s.put_email_code(&email_code(&u.id, "mac-1", "setup", 100, 700), 40, &m(100)).await.unwrap());
    assert!(!s.put_email_code(&email_code(&u.id, "mac-2", "setup", 130, 730), 70, &m(130)).await.unwrap(), "not again within the pause");
    assert_eq!(mails().await, 1, "the refused resend queued no mail");
    assert!(!s.take_email_code(&u.id, "mac-1", "login", 131).await.unwrap(), "a setup code is not a log-in code");
    assert!(!s.take_email_code(&u.id, "mac-x", "setup", 131).await.unwrap());
    assert!(s.put_email_code(&email_code(&u.id, "mac-3", "setup", 170, 770), 110, &m(170)).await.unwrap(), "after the pause a new code replaces it");
    assert!(!s.take_email_code(&u.id, "mac-1", "setup", 171).await.unwrap(), "the replaced code is dead");
    assert!(s.take_email_code(&u.id, "mac-3", "setup", 171).await.unwrap());
    assert!(!s.take_email_code(&u.id, "mac-3", "setup", 172).await.unwrap(), "a code works once");

    assert!(s.enable_email_two_factor(&u.id, "rh", 200, &m(200)).await.unwrap());
    assert!(!s.enable_email_two_factor(&u.id, "rh2", 201, &m(201)).await.unwrap(), "on once");
    let row = s.two_factor(&u.id).await.unwrap().unwrap();
    assert_eq!((row.method.as_str(), row.enabled_at, row.recovery_hash.as_deref()), ("email", Some(200), Some("rh")));
    assert!(!s.put_pending_two_factor(&u.id, "sealed", 202).await.unwrap(), "no authenticator set up while email codes are on");
    assert!(!s.spend_two_factor_step(&u.id, 1).await.unwrap(), "no authenticator step to spend");

    assert!(s.put_email_code(&email_code(&u.id, "mac-4", "login", 300, 900), 240, &m(300)).await.unwrap());
    assert!(!s.take_email_code(&u.id, "mac-4", "login", 900).await.unwrap(), "expired");
    assert!(s.put_email_code(&email_code(&u.id, "mac-5", "login", 400, 1000), 340, &m(400)).await.unwrap());
    assert!(s.purge_expired(1000).await.unwrap() >= 1, "expired codes are purged");
    assert!(!s.take_email_code(&u.id, "mac-5", "login", 999).await.unwrap(), "purged");
    assert!(s.put_email_code(&email_code(&u.id, "mac-6", "login", 1100, 1700), 1040, &m(1100)).await.unwrap());
    assert!(s.delete_two_factor(&u.id, &m(1101)).await.unwrap());
    assert!(!s.take_email_code(&u.id, "mac-6", "login", 1102).await.unwrap(), "turning two-step login off drops the code");
    assert_eq!(mails().await, 7);

    // An authenticator being set up does not block email codes (it is not on).
    assert!(s.put_pending_two_factor(&u.id, "sealed", 1200).await.unwrap());
    assert!(s.enable_email_two_factor(&u.id, "rh3", 1201, &m(1201)).await.unwrap());
    assert!(!s.enable_two_factor(&u.id, "rh4", 5, 1202, &m(1202)).await.unwrap(), "the abandoned authenticator cannot be turned on over it");
    let row = s.two_factor(&u.id).await.unwrap().unwrap();
    assert_eq!((row.method.as_str(), row.totp_secret.as_str(), row.recovery_hash.as_deref()), ("email", "", Some("rh3")));
}

/// Security keys: turning them on stores the first key; more are added only
/// while they are the second step and below the cap; the last key stays;
/// challenges are taken once and not after they expire; turning two-step
/// login off drops keys and challenges.
async fn security_keys_and_challenges(s: DynStore) {
    let u = user("k@x.com");
    s.create_user(&u).await.unwrap();
    let m = |at: i64| MailRow { provider_id: None, ..mail("-", "k@x.com", at) };
    let key = |id: &str, at: i64| SecurityKeyRow {
        id: id.into(),
        user_id: u.id.clone(),
        name: format!("key {id}"),
        credential: format!("{{\"cred\":\"{id}\"}}"),
        created_at: at,
        last_used_at: None,
    };
    assert!(!s.add_security_key(&key("k0", 1), 5).await.unwrap(), "no key is added while two-step login is off");
    assert!(s.enable_security_key_two_factor(&key("k1", 10), "rh", 10, &m(10)).await.unwrap());
    assert!(!s.enable_security_key_two_factor(&key("k9", 11), "rh2", 11, &m(11)).await.unwrap(), "on once");
    let row = s.two_factor(&u.id).await.unwrap().unwrap();
    assert_eq!((row.method.as_str(), row.enabled_at, row.recovery_hash.as_deref()), ("webauthn", Some(10), Some("rh")));
    assert!(s.add_security_key(&key("k2", 20), 2).await.unwrap());
    assert!(!s.add_security_key(&key("k3", 21), 2).await.unwrap(), "the cap holds");
    let ids: Vec<String> = s.security_keys(&u.id).await.unwrap().into_iter().map(|k| k.id).collect();
    assert_eq!(ids, ["k1", "k2"]);
    s.used_security_key(&u.id, "k2", "{\"counter\":2}", 30).await.unwrap();
    let k2 = s.security_keys(&u.id).await.unwrap().pop().unwrap();
    assert_eq!((k2.credential.as_str(), k2.last_used_at), ("{\"counter\":2}", Some(30)));
    assert!(s.delete_security_key(&u.id, "k1").await.unwrap());
    assert!(!s.delete_security_key(&u.id, "k2").await.unwrap(), "the last key stays");
    assert!(!s.delete_security_key(&u.id, "k1").await.unwrap(), "gone already");

    s.put_webauthn_challenge(&u.id, "login", "state-1", 100).await.unwrap();
    s.put_webauthn_challenge(&u.id, "login", "state-2", 110).await.unwrap();
    assert_eq!(s.take_webauthn_challenge(&u.id, "register", 50).await.unwrap(), None, "each purpose its own");
    assert_eq!(s.take_webauthn_challenge(&u.id, "login", 50).await.unwrap().as_deref(), Some("state-2"), "the newest replaces the older");
    assert_eq!(s.take_webauthn_challenge(&u.id, "login", 51).await.unwrap(), None, "taken once");
    s.put_webauthn_challenge(&u.id, "login", "state-3", 100).await.unwrap();
    assert_eq!(s.take_webauthn_challenge(&u.id, "login", 100).await.unwrap(), None, "expired");
    s.put_webauthn_challenge(&u.id, "register", "state-4", 200).await.unwrap();
    assert!(s.purge_expired(200).await.unwrap() >= 1, "expired challenges are purged");
    assert_eq!(s.take_webauthn_challenge(&u.id, "register", 150).await.unwrap(), None);
    s.put_webauthn_challenge(&u.id, "login", "state-5", 900).await.unwrap();
    assert!(s.delete_two_factor(&u.id, &m(300)).await.unwrap());
    assert!(s.security_keys(&u.id).await.unwrap().is_empty(), "turning it off drops the keys");
    assert_eq!(s.take_webauthn_challenge(&u.id, "login", 301).await.unwrap(), None, "and the open challenge");
    assert_eq!(s.mails_to("k@x.com").await.unwrap().len(), 2);
}

async fn devices_and_server_keys(s: DynStore) {
    let u = user("d@x.com");
    s.create_user(&u).await.unwrap();
    let dev = |refresh: &str, at: i64| DeviceRow {
        id: id(),
        user_id: u.id.clone(),
        identifier: "install-1".into(),
        name: "linux".into(),
        kind: 14,
        refresh_hash: refresh.into(),
        created_at: at,
        used_at: at,
        expires_at: at + 100,
    };
    let first = s.put_device(&dev("r1", 10)).await.unwrap();
    // The same app logging in again keeps its row, with the new token.
    assert_eq!(s.put_device(&dev("r2", 20)).await.unwrap(), first);
    assert_eq!(s.device_by_refresh("r1", 20).await.unwrap(), None, "the replaced token is gone");
    let row = s.device_by_refresh("r2", 20).await.unwrap().unwrap();
    assert_eq!((row.id.as_str(), row.created_at, row.expires_at), (first.as_str(), 10, 120));
    assert_eq!(s.device_by_refresh("r2", 120).await.unwrap(), None, "ended");
    assert_eq!(s.device_user(&first, 20).await.unwrap(), Some((u.id.clone(), "d@x.com".to_string(), "install-1".to_string())));
    assert_eq!(s.device_user(&first, 120).await.unwrap(), None);

    assert!(s.rotate_refresh(&first, "r2", "r3", 30, 200).await.unwrap());
    assert!(!s.rotate_refresh(&first, "r2", "r4", 31, 200).await.unwrap(), "a token is good once");
    assert!(s.device_by_refresh("r3", 150).await.unwrap().is_some());

    s.change_master_password(&u.id, "$argon2id$new", "x1.newkey", "none").await.unwrap();
    assert_eq!(s.device_user(&first, 30).await.unwrap(), None, "a password change ends every app");
    s.put_device(&dev("r5", 40)).await.unwrap();
    assert_eq!(s.delete_devices(&u.id).await.unwrap(), 1);

    assert_eq!(s.api_key_hash(&u.id).await.unwrap(), None);
    s.set_api_key(&u.id, "k1", 50).await.unwrap();
    s.set_api_key(&u.id, "k2", 60).await.unwrap();
    assert_eq!(s.api_key_hash(&u.id).await.unwrap().as_deref(), Some("k2"), "a new key replaces the old");

    // The first instance's key is every instance's key.
    assert_eq!(s.server_key("k", "first").await.unwrap(), "first");
    assert_eq!(s.server_key("k", "second").await.unwrap(), "first");
}

/// `tenant_with_member` answers what `provider` and `member_by_user` answer.
async fn tenant_with_member(s: DynStore) {
    let (pid, admin, m) = provider_with_admin(&s, "admin@x.com").await;
    let other = user("other@x.com");
    s.create_user(&other).await.unwrap();
    let (p, own) = s.tenant_with_member(&pid, &admin.id).await.unwrap().unwrap();
    assert_eq!(Some(p.clone()), s.provider(&pid).await.unwrap());
    assert_eq!(own, Some(m.clone()));
    assert_eq!(own, s.member_by_user(&pid, &admin.id).await.unwrap());
    assert_eq!(s.tenant_with_member(&pid, &other.id).await.unwrap(), Some((p.clone(), None)));
    assert_eq!(s.tenant_with_member("no-such-tenant", &admin.id).await.unwrap(), None);
    // It carries the version every membership change bumps.
    let inv = member(&pid, "new@x.com", None, "service_user", "invited");
    s.change_members(&batch(&pid, &admin.id, vec![MemberChange::Invite { member: inv, token_hash: "tv".into() }])).await.unwrap();
    let (after, _) = s.tenant_with_member(&pid, &admin.id).await.unwrap().unwrap();
    assert_eq!(after.version, p.version + 1);
}

/// Organisation items: one transaction for collections, items and links;
/// nothing of another organisation can be touched.
async fn organization_items(s: DynStore) {
    let (pid, admin, _) = provider_with_admin(&s, "admin@x.com").await;
    let oid = organization(&s, &pid, &admin, 0).await.unwrap();
    let other = organization(&s, &pid, &admin, 0).await.unwrap();
    let coll = |org: &str, name: &str| CollectionRow { id: id(), org_id: org.into(), name: name.into(), created_at: 5 };
    let item =
        |org: &str, data: &str, at: i64| OrgItemRow { id: id(), org_id: org.into(), data: data.into(), created_at: at, updated_at: at, deleted_at: None };
    let (c1, theirs) = (coll(&oid, "x1.c1"), coll(&other, "x1.c2"));
    let (i1, i2) = (item(&oid, "x1.i1", 10), item(&oid, "x1.i2", 11));
    let w = OrgItemsWrite {
        org_id: oid.clone(),
        new_collections: vec![c1.clone()],
        items: vec![i1.clone(), i2.clone()],
        links: vec![(i1.id.clone(), c1.id.clone())],
        events: vec![event(&oid, "vault_imported", 10)],
        marks: vec![],
        moved_from: None,
    };
    s.write_org_items(&w).await.unwrap();
    s.write_org_items(&OrgItemsWrite { org_id: other.clone(), new_collections: vec![theirs.clone()], ..Default::default() }).await.unwrap();
    let (items, links) = s.list_org_items(&oid).await.unwrap();
    assert_eq!(items, vec![i1.clone(), i2.clone()]);
    assert_eq!(links, vec![(i1.id.clone(), c1.id.clone())]);
    // Counts per collection: i1 is in c1 only; in a second collection too, it is not "only here".
    assert_eq!(s.collection_item_counts(&oid).await.unwrap(), vec![(c1.id.clone(), 1, 1)]);
    let c9 = coll(&oid, "x1.c9");
    s.write_org_items(&OrgItemsWrite { org_id: oid.clone(), new_collections: vec![c9.clone()], ..Default::default() }).await.unwrap();
    let both_links = OrgItemsWrite {
        org_id: oid.clone(),
        items: vec![i1.clone()],
        links: vec![(i1.id.clone(), c1.id.clone()), (i1.id.clone(), c9.id.clone())],
        ..Default::default()
    };
    s.write_org_items(&both_links).await.unwrap();
    let mut counts = s.collection_item_counts(&oid).await.unwrap();
    counts.sort();
    let mut expected = vec![(c1.id.clone(), 1, 0), (c9.id.clone(), 1, 0)];
    expected.sort();
    assert_eq!(counts, expected);
    assert!(s.collection_item_counts(&other).await.unwrap().is_empty(), "per organisation");
    s.delete_collection(&oid, &c9.id, &event(&oid, "collection_deleted", 10)).await.unwrap();
    assert_eq!(s.collection_item_counts(&oid).await.unwrap(), vec![(c1.id.clone(), 1, 1)]);
    assert_eq!(s.org_item(&oid, &i1.id).await.unwrap(), Some(i1.clone()));
    assert_eq!(s.org_item(&other, &i1.id).await.unwrap(), None, "not another organisation's");
    // A link to another organisation's collection fails the whole write.
    let bad = OrgItemsWrite { org_id: oid.clone(), new_collections: vec![coll(&oid, "x1.c3")], items: vec![item(&oid, "x1.i3", 12)], ..Default::default() };
    let mut bad_link = bad.clone();
    bad_link.links.push((bad.items[0].id.clone(), theirs.id.clone()));
    assert!(matches!(s.write_org_items(&bad_link).await, Err(Error::Conflict(Conflict::Stale))));
    // So does replacing another organisation's item.
    let mut hijack = bad.clone();
    hijack.items.push(OrgItemRow { org_id: oid.clone(), ..item(&other, "x1.evil", 13) });
    s.write_org_items(&OrgItemsWrite {
        org_id: other.clone(),
        items: vec![OrgItemRow { id: hijack.items[1].id.clone(), ..item(&other, "x1.theirs", 13) }],
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(matches!(s.write_org_items(&hijack).await, Err(Error::Conflict(Conflict::Stale))));
    assert_eq!(s.list_org_items(&oid).await.unwrap().0.len(), 2, "failed writes left nothing");
    assert_eq!(s.list_collections(&oid).await.unwrap().0, vec![c1.clone()]);
    assert_eq!(s.list_org_items(&other).await.unwrap().0[0].data, "x1.theirs");
    // Replacing one's own item replaces its links; deleting is per organisation.
    s.write_org_items(&OrgItemsWrite {
        org_id: oid.clone(),
        items: vec![OrgItemRow { data: "x1.i1b".into(), updated_at: 20, ..i1.clone() }],
        ..Default::default()
    })
    .await
    .unwrap();
    let (items, links) = s.list_org_items(&oid).await.unwrap();
    assert_eq!((items[0].data.as_str(), items[0].created_at, items[0].updated_at), ("x1.i1b", 10, 20));
    assert!(links.is_empty());
    // The Trash: only items in it are deleted for good; restore brings them
    // back; nothing of another organisation moves.
    let (both, ev) = ([i1.id.clone(), i2.id.clone()], |k| event(&oid, k, 21));
    assert_eq!(s.delete_org_items(&oid, &both, &ev("items_deleted")).await.unwrap(), 0, "not in the Trash");
    assert_eq!(s.trash_org_items(&other, &both, Some(21), 21, &event(&other, "items_trashed", 21)).await.unwrap(), 0);
    assert_eq!(s.trash_org_items(&oid, &both, Some(21), 21, &ev("items_trashed")).await.unwrap(), 2);
    assert_eq!(s.trash_org_items(&oid, &both, Some(22), 22, &ev("items_trashed")).await.unwrap(), 0, "already there");
    assert_eq!(s.org_item(&oid, &i1.id).await.unwrap().unwrap().deleted_at, Some(21));
    assert_eq!(s.trash_org_items(&oid, &both[..1], None, 23, &ev("items_restored")).await.unwrap(), 1);
    assert_eq!(s.org_item(&oid, &i1.id).await.unwrap().unwrap().deleted_at, None);
    assert_eq!(s.delete_org_items(&other, &both, &event(&other, "items_deleted", 21)).await.unwrap(), 0);
    assert_eq!(s.delete_org_items(&oid, &both, &ev("items_deleted")).await.unwrap(), 1, "only the one in the Trash");
    assert_eq!(s.list_org_items(&oid).await.unwrap().0.len(), 1);
    // Thirty days on, the Trash empties itself (what is not in it stays).
    s.trash_org_items(&oid, &both[..1], Some(30), 30, &ev("items_trashed")).await.unwrap();
    assert_eq!(s.purge_trash(29).await.unwrap(), 0);
    assert_eq!(s.purge_trash(30).await.unwrap(), 1);
    assert!(s.list_org_items(&oid).await.unwrap().0.is_empty());
}

/// A batch across a person's vault and two organisations moves together in
/// one transaction: only the person's own items and each organisation's own,
/// an event per organisation whose items moved, and a permanent delete takes
/// items whether or not they were in the Trash.
async fn item_batches(s: DynStore) {
    let (pid, admin, _) = provider_with_admin(&s, "admin@x.com").await;
    let (o1, o2) = (organization(&s, &pid, &admin, 0).await.unwrap(), organization(&s, &pid, &admin, 0).await.unwrap());
    let (a, b) = (user("ba@x.com"), user("bb@x.com"));
    s.create_user(&a).await.unwrap();
    s.create_user(&b).await.unwrap();
    let mine = ItemRow { id: id(), user_id: a.id.clone(), data: "x1.mine".into(), created_at: 1, updated_at: 1, deleted_at: None, folder_id: None };
    let theirs = ItemRow { id: id(), user_id: b.id.clone(), data: "x1.theirs".into(), ..mine.clone() };
    s.put_item(&mine).await.unwrap();
    s.put_item(&theirs).await.unwrap();
    let org_item = |org: &str| OrgItemRow { id: id(), org_id: org.into(), data: "x1.o".into(), created_at: 1, updated_at: 1, deleted_at: None };
    let (x1, x2) = (org_item(&o1), org_item(&o2));
    for x in [&x1, &x2] {
        s.write_org_items(&OrgItemsWrite { org_id: x.org_id.clone(), items: vec![x.clone()], ..Default::default() }).await.unwrap();
    }
    let logged = |org: String, kind: &'static str| {
        let s = s.clone();
        async move { s.list_events(&org, &EventQuery { limit: 10, kind: Some(kind.into()), ..Default::default() }).await.unwrap().1 }
    };
    // Another person's item and another organisation's item are not moved.
    // (Each call its own events: an event is written once.)
    let batch = |kind: &str, at: i64| ItemBatch {
        user_id: a.id.clone(),
        personal: vec![mine.id.clone(), theirs.id.clone()],
        orgs: vec![(o1.clone(), vec![x1.id.clone(), x2.id.clone()], event(&o1, kind, at)), (o2.clone(), vec![], event(&o2, kind, at))],
    };
    assert_eq!(s.trash_batch(&batch("items_trashed", 5), Some(5), 5).await.unwrap(), 2);
    assert_eq!(s.list_items(&a.id).await.unwrap()[0].deleted_at, Some(5));
    assert_eq!(s.list_items(&b.id).await.unwrap()[0].deleted_at, None);
    assert_eq!(s.org_item(&o1, &x1.id).await.unwrap().unwrap().deleted_at, Some(5));
    assert_eq!(s.org_item(&o2, &x2.id).await.unwrap().unwrap().deleted_at, None);
    assert_eq!((logged(o1.clone(), "items_trashed").await, logged(o2.clone(), "items_trashed").await), (1, 0), "an event only where items moved");
    assert_eq!(s.trash_batch(&batch("items_trashed", 6), Some(6), 6).await.unwrap(), 0, "already in the Trash");
    assert_eq!(s.trash_batch(&batch("items_restored", 7), None, 7).await.unwrap(), 2, "restored");
    assert_eq!(s.list_items(&a.id).await.unwrap()[0].deleted_at, None);
    // Deleted for good, from outside the Trash too.
    let purge = ItemBatch {
        user_id: a.id.clone(),
        personal: vec![mine.id.clone(), theirs.id.clone()],
        orgs: vec![(o2.clone(), vec![x2.id.clone(), x1.id.clone()], event(&o2, "items_deleted", 8))],
    };
    assert_eq!(s.purge_batch(&purge).await.unwrap(), 2);
    assert!(s.list_items(&a.id).await.unwrap().is_empty());
    assert_eq!(s.list_items(&b.id).await.unwrap().len(), 1);
    assert_eq!(s.org_item(&o2, &x2.id).await.unwrap(), None);
    assert!(s.org_item(&o1, &x1.id).await.unwrap().is_some(), "not through another organisation");
    assert_eq!(logged(o2.clone(), "items_deleted").await, 1);

    // Shared into an organisation: the item leaves the person's vault and
    // joins the organisation under the same id, in one transaction; another
    // person's item (or one in the Trash) cannot be moved, and nothing changes.
    let own = ItemRow { id: id(), ..mine.clone() };
    s.put_item(&own).await.unwrap();
    let share = |user: &str, item_id: &str| OrgItemsWrite {
        org_id: o1.clone(),
        items: vec![OrgItemRow { id: item_id.into(), org_id: o1.clone(), data: "x1.shared".into(), created_at: 1, updated_at: 9, deleted_at: None }],
        events: vec![event(&o1, "item_shared", 9)],
        moved_from: Some(user.into()),
        ..Default::default()
    };
    assert!(matches!(s.write_org_items(&share(&b.id, &own.id)).await, Err(Error::Conflict(Conflict::Stale))), "not b's item");
    assert_eq!(s.org_item(&o1, &own.id).await.unwrap(), None);
    assert_eq!(s.list_items(&a.id).await.unwrap().len(), 1, "still in a's vault");
    s.write_org_items(&share(&a.id, &own.id)).await.unwrap();
    assert!(s.list_items(&a.id).await.unwrap().is_empty(), "moved out of a's vault");
    assert_eq!(s.org_item(&o1, &own.id).await.unwrap().map(|i| i.data), Some("x1.shared".into()));
    assert!(matches!(s.write_org_items(&share(&a.id, &own.id)).await, Err(Error::Conflict(Conflict::Stale))), "moved once");
}

async fn invite_accept_confirm(s: DynStore) {
    let (pid, admin, _) = provider_with_admin(&s, "admin@x.com").await;
    let inv = member(&pid, "new@x.com", None, "service_user", "invited");
    let mut b = batch(&pid, &admin.id, vec![MemberChange::Invite { member: inv.clone(), token_hash: "t1".into() }]);
    b.events.push(event(&pid, "invited", 1001));
    b.mails.push(mail(&pid, "new@x.com", 1001));
    s.change_members(&b).await.unwrap();

    // The same email again conflicts and the whole batch changes nothing.
    let other = member(&pid, "other@x.com", None, "service_user", "invited");
    let again = member(&pid, "new@x.com", None, "service_user", "invited");
    let bad = batch(
        &pid,
        &admin.id,
        vec![MemberChange::Invite { member: other, token_hash: "t2".into() }, MemberChange::Invite { member: again, token_hash: "t3".into() }],
    );
    assert!(matches!(s.change_members(&bad).await, Err(Error::Conflict(Conflict::AlreadyMember))));
    let list = s.list_members(&pid).await.unwrap();
    assert_eq!(list.iter().map(|m| m.member.email.as_str()).collect::<Vec<_>>(), ["admin@x.com", "new@x.com"]);
    assert_eq!(list[0].name.as_deref(), Some("Name of admin@x.com"));
    assert_eq!(list[1].name, None);

    let found = s.existing_emails(&pid, &["new@x.com".into(), "other@x.com".into(), "admin@x.com".into()]).await.unwrap();
    let mut found = found;
    found.sort();
    assert_eq!(found, ["admin@x.com", "new@x.com"]);
    assert!(s.existing_emails(&pid, &[]).await.unwrap().is_empty());
    let (m, p, exp) = s.invitation("t1").await.unwrap().unwrap();
    assert_eq!((m.id.as_str(), p.id.as_str(), exp), (inv.id.as_str(), pid.as_str(), 5000));

    // Expired token refused; a live one is single use.
    let invitee = user("new@x.com");
    s.create_user(&invitee).await.unwrap();
    let ev = event(&pid, "accepted", 1002);
    assert!(matches!(s.accept_invitation("t1", &inv.id, &invitee.id, 5000, &ev, None).await, Err(Error::Conflict(Conflict::TokenGone))));
    s.accept_invitation("t1", &inv.id, &invitee.id, 4000, &ev, None).await.unwrap();
    assert!(matches!(
        s.accept_invitation("t1", &inv.id, &invitee.id, 4000, &event(&pid, "accepted", 1003), None).await,
        Err(Error::Conflict(Conflict::TokenGone))
    ));
    let m = s.member_by_user(&pid, &invitee.id).await.unwrap().unwrap();
    assert_eq!((m.status.as_str(), m.expires_at), ("accepted", None));

    // Confirm stores the wrapped key; confirming twice is stale.
    let confirm = |k: &str| batch(&pid, &admin.id, vec![MemberChange::Confirm { member_id: inv.id.clone(), wrapped_key: k.into(), now: 1005 }]);
    s.change_members(&confirm("sealed-for-new")).await.unwrap();
    assert!(matches!(s.change_members(&confirm("again")).await, Err(Error::Conflict(Conflict::Stale))));
    let m = s.member(&pid, &inv.id).await.unwrap().unwrap();
    assert_eq!((m.status.as_str(), m.wrapped_key.as_deref()), ("confirmed", Some("sealed-for-new")));
    // The list carries every field, flags and nulls included — but never a sealed key.
    s.change_members(&batch(&pid, &admin.id, vec![MemberChange::SetSuspended { member_id: inv.id.clone(), suspended: true }])).await.unwrap();
    let listed = s.list_members(&pid).await.unwrap();
    let row = listed.iter().find(|m| m.member.id == inv.id).unwrap();
    let stored = s.member(&pid, &inv.id).await.unwrap().unwrap();
    assert_eq!(row.member, MemberRow { wrapped_key: None, ..stored });
    assert!(row.member.suspended && row.member.expires_at.is_none() && row.member.accepted_at == Some(4000));
    assert_eq!(row.name.as_deref(), Some("Name of new@x.com"));
    let admin_row = listed.iter().find(|m| m.member.email == "admin@x.com").unwrap();
    assert!(!admin_row.member.suspended && admin_row.member.status == "confirmed" && admin_row.member.wrapped_key.is_none());
    s.change_members(&batch(&pid, &admin.id, vec![MemberChange::SetSuspended { member_id: inv.id.clone(), suspended: false }])).await.unwrap();
    let mine = s.memberships_of_user(&invitee.id).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].0.name, "Acme MSP");

    let by_ids = s.members_by_ids(&pid, &[inv.id.clone(), "nope".into()]).await.unwrap();
    assert_eq!(by_ids.len(), 1);
    assert_eq!(by_ids[0].public_key, Some(vec![1, 2, 3]));
}

async fn resend_kills_old_token_and_remove_kills_all(s: DynStore) {
    let (pid, admin, _) = provider_with_admin(&s, "admin@x.com").await;
    let inv = member(&pid, "new@x.com", None, "service_user", "invited");
    s.change_members(&batch(&pid, &admin.id, vec![MemberChange::Invite { member: inv.clone(), token_hash: "old".into() }])).await.unwrap();
    s.change_members(&batch(&pid, &admin.id, vec![MemberChange::ReplaceToken { member_id: inv.id.clone(), token_hash: "new".into(), expires_at: 9000 }]))
        .await
        .unwrap();
    assert!(s.invitation("old").await.unwrap().is_none());
    assert_eq!(s.invitation("new").await.unwrap().unwrap().2, 9000);
    assert_eq!(s.member(&pid, &inv.id).await.unwrap().unwrap().expires_at, Some(9000));
    s.change_members(&batch(&pid, &admin.id, vec![MemberChange::Remove { member_id: inv.id.clone() }])).await.unwrap();
    assert!(s.invitation("new").await.unwrap().is_none());
    assert!(s.member(&pid, &inv.id).await.unwrap().is_none());
}

async fn last_admin_and_actor_rules(s: DynStore) {
    let (pid, admin, admin_m) = provider_with_admin(&s, "admin@x.com").await;
    for change in [
        MemberChange::Remove { member_id: admin_m.id.clone() },
        MemberChange::SetUserType { member_id: admin_m.id.clone(), user_type: "service_user".into(), permissions: String::new() },
        MemberChange::SetSuspended { member_id: admin_m.id.clone(), suspended: true },
    ] {
        assert!(matches!(s.change_members(&batch(&pid, &admin.id, vec![change])).await, Err(Error::Conflict(Conflict::LastAdmin))), "the last admin must stay");
    }
    assert_eq!(s.member(&pid, &admin_m.id).await.unwrap().unwrap().user_type, "provider_admin");

    // A service user is no actor for a batch.
    let su = user("su@x.com");
    s.create_user(&su).await.unwrap();
    let sm = member(&pid, "su@x.com", Some(&su.id), "service_user", "confirmed");
    s.change_members(&batch(&pid, &admin.id, vec![MemberChange::Invite { member: sm.clone(), token_hash: "x".into() }])).await.unwrap();
    assert!(matches!(
        s.change_members(&batch(&pid, &su.id, vec![MemberChange::Remove { member_id: admin_m.id.clone() }])).await,
        Err(Error::Conflict(Conflict::ActorNotAdmin))
    ));
    assert!(matches!(s.change_members(&batch("nope", &admin.id, vec![])).await, Err(Error::NotFound)));
}

/// Two admins demote each other at the same moment, many times over, in real
/// parallel transactions: the provider is never left without an admin.
async fn last_admin_race(s: DynStore) {
    for round in 0..25 {
        let (pid, a, am) = provider_with_admin(&s, &format!("a{round}@x.com")).await;
        let b = user(&format!("b{round}@x.com"));
        s.create_user(&b).await.unwrap();
        let bm = member(&pid, &b.email, Some(&b.id), "provider_admin", "confirmed");
        s.change_members(&batch(&pid, &a.id, vec![MemberChange::Invite { member: bm.clone(), token_hash: format!("t{round}") }])).await.unwrap();
        let demote_b =
            batch(&pid, &a.id, vec![MemberChange::SetUserType { member_id: bm.id.clone(), user_type: "service_user".into(), permissions: String::new() }]);
        let remove_a = batch(&pid, &b.id, vec![MemberChange::Remove { member_id: am.id.clone() }]);
        let (s1, s2) = (s.clone(), s.clone());
        let (r1, r2) =
            tokio::join!(tokio::spawn(async move { s1.change_members(&demote_b).await }), tokio::spawn(async move { s2.change_members(&remove_a).await }));
        let ok = [r1.unwrap().is_ok(), r2.unwrap().is_ok()];
        assert_eq!(ok.iter().filter(|o| **o).count(), 1, "round {round}: exactly one may win, got {ok:?}");
        let admins = s
            .list_members(&pid)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.member.user_type == "provider_admin" && m.member.status == "confirmed" && !m.member.suspended)
            .count();
        assert_eq!(admins, 1, "round {round}");
    }
}

/// A client organisation of `pid` with `seats`, its Owner invited.
async fn organization(s: &DynStore, pid: &str, admin: &UserRow, seats: i64) -> Result<String> {
    let org = ProviderRow {
        id: id(),
        name: "Contoso".into(),
        billing_email: "owner@contoso.com".into(),
        created_at: 1000,
        kind: "organization".into(),
        parent_id: Some(pid.into()),
        seats,
        org_key: Some("x1.wrapped".into()),
        version: 0,
        suspended_at: None,
    };
    let owner = member(&org.id, &format!("owner-{}@contoso.com", id()), None, "owner", "invited");
    let ev = event(pid, "client_created", 1000);
    s.create_organization(&org, &owner, &id(), &[ev], &mail(&org.id, &owner.email, 1000)).await?;
    let _ = admin;
    Ok(org.id)
}

/// Account recovery: the organisation's key pair once, enrolment and
/// withdrawal, and a recovery that ends every session and app in one go.
async fn account_recovery(s: DynStore) {
    let (pid, admin, _) = provider_with_admin(&s, "admin@acme.com").await;
    s.set_seats(&pid, 5, &[]).await.unwrap();
    let org = organization(&s, &pid, &admin, 5).await.unwrap();
    assert_eq!(s.org_recovery_key(&org).await.unwrap(), None);
    assert!(s.set_org_recovery_key(&org, "pub1", "2.priv1", 10, &event(&org, "recovery_keys_created", 10)).await.unwrap());
    assert!(!s.set_org_recovery_key(&org, "pub2", "2.priv2", 11, &event(&org, "recovery_keys_created", 11)).await.unwrap(), "made once");
    assert_eq!(s.org_recovery_key(&org).await.unwrap(), Some(("pub1".to_string(), "2.priv1".to_string())));

    let u = user("mia@contoso.com");
    s.create_user(&u).await.unwrap();
    let m = member(&org, "mia@contoso.com", Some(&u.id), "user", "confirmed");
    s.change_members(&batch(&org, &admin.id, vec![MemberChange::Invite { member: m.clone(), token_hash: id() }])).await.unwrap();
    s.enrol_recovery(&org, &m.id, "4.sealed1", 20, &event(&org, "recovery_enrolled", 20)).await.unwrap();
    s.enrol_recovery(&org, &m.id, "4.sealed2", 21, &event(&org, "recovery_enrolled", 21)).await.unwrap();
    assert_eq!(s.recovery_enrolment(&org, &m.id).await.unwrap().as_deref(), Some("4.sealed2"), "enrolling again replaces the key");
    assert_eq!(s.recovery_enrolled(&org).await.unwrap(), vec![m.id.clone()]);
    assert_eq!(s.recovery_enrolment(&pid, &m.id).await.unwrap(), None, "another tenant sees nothing");

    s.create_session(&SessionRow { token_hash: "t1".into(), user_id: u.id.clone(), created_at: 1, expires_at: 10_000, ip: None }).await.unwrap();
    assert!(!s.password_reset_pending(&u.id).await.unwrap());
    let r = AccountRecovery {
        user_id: u.id.clone(),
        org_id: org.clone(),
        auth_hash: "$argon2id$reset".into(),
        protected_user_key: "2.reset-key".into(),
        at: 30,
        events: vec![event(&org, "account_recovered", 30), event(&pid, "account_recovered", 30)],
        mail: mail(&org, "mia@contoso.com", 30),
    };
    s.recover_account(&r).await.unwrap();
    let after = s.user_by_id(&u.id).await.unwrap().unwrap();
    assert_eq!((after.auth_hash.as_str(), after.protected_user_key.as_str()), ("$argon2id$reset", "2.reset-key"));
    assert_eq!(s.session("t1", 40).await.unwrap(), None, "every session ends");
    assert!(s.password_reset_pending(&u.id).await.unwrap());
    assert_eq!(s.mails_to("mia@contoso.com").await.unwrap().len(), 1);
    // Choosing one's own password clears the request.
    s.change_master_password(&u.id, "$argon2id$own", "2.own-key", "none").await.unwrap();
    assert!(!s.password_reset_pending(&u.id).await.unwrap());

    assert!(s.withdraw_recovery(&org, &m.id, &event(&org, "recovery_withdrawn", 50)).await.unwrap());
    assert!(!s.withdraw_recovery(&org, &m.id, &event(&org, "recovery_withdrawn", 51)).await.unwrap());
    assert!(s.recovery_enrolled(&org).await.unwrap().is_empty());
    let ghost = AccountRecovery { user_id: id(), ..r };
    assert!(s.recover_account(&ghost).await.is_err(), "no such account");

    // Accepting with enrolment (automatic enrolment) enrols in the same transaction.
    let noah = user("noah@contoso.com");
    s.create_user(&noah).await.unwrap();
    let inv = member(&org, "noah@contoso.com", None, "user", "invited");
    s.change_members(&batch(&org, &admin.id, vec![MemberChange::Invite { member: inv.clone(), token_hash: "tn".into() }])).await.unwrap();
    let enrolled = event(&org, "recovery_enrolled", 60);
    s.accept_invitation("tn", &inv.id, &noah.id, 60, &event(&org, "member_accepted", 60), Some(("4.sealed-noah", &enrolled))).await.unwrap();
    assert_eq!(s.recovery_enrolment(&org, &inv.id).await.unwrap().as_deref(), Some("4.sealed-noah"));
    assert_eq!(s.member(&org, &inv.id).await.unwrap().unwrap().status, "accepted");
}

/// Seats: the provider's total bounds its clients, a client's members fit its
/// seats, and two invitations racing for the last seat cannot both win.
async fn organization_seats(s: DynStore) {
    let (pid, admin, _) = provider_with_admin(&s, "admin@x.com").await;
    assert!(matches!(organization(&s, &pid, &admin, 1).await, Err(Error::Conflict(Conflict::NoSeats))), "no seats bought yet");
    s.set_seats(&pid, 5, &[]).await.unwrap();
    let oid = organization(&s, &pid, &admin, 3).await.unwrap();
    assert!(matches!(organization(&s, &pid, &admin, 3).await, Err(Error::Conflict(Conflict::NoSeats))), "3 + 3 > 5");
    assert!(matches!(s.set_seats(&pid, 2, &[]).await, Err(Error::Conflict(Conflict::SeatsInUse))), "below what clients hold");
    assert!(matches!(s.set_seats(&oid, 6, &[]).await, Err(Error::Conflict(Conflict::NoSeats))), "beyond the provider total");
    s.set_seats(&oid, 5, &[]).await.unwrap();
    let clients = s.list_clients(&pid).await.unwrap();
    assert_eq!((clients.len(), clients[0].org.seats, clients[0].used), (1, 5, 1));
    assert_eq!(s.seats_used(&oid).await.unwrap(), clients[0].used, "one client's count is the list's");
    assert!(clients[0].owner_email.as_deref().unwrap().starts_with("owner-"));
    assert_eq!((clients[0].owner_status.as_deref(), clients[0].last_activity), (Some("invited"), None), "the creation is logged at the provider");
    s.set_seats(&oid, 5, &[event(&oid, "seats_changed", 1500)]).await.unwrap();
    let confirmed_owner = member(&oid, "boss@contoso.com", Some(&admin.id), "owner", "accepted");
    s.change_members(&batch(&oid, &admin.id, vec![MemberChange::Invite { member: confirmed_owner.clone(), token_hash: id() }])).await.unwrap();
    let clients = s.list_clients(&pid).await.unwrap();
    assert_eq!((clients[0].owner_status.as_deref(), clients[0].last_activity), (Some("accepted"), Some(1500)));
    s.change_members(&batch(&oid, &admin.id, vec![MemberChange::Remove { member_id: confirmed_owner.id }])).await.unwrap();
    s.set_seats(&oid, 2, &[]).await.unwrap();
    // One seat left: ten rounds of two parallel invitations.
    for round in 0..10 {
        let a = member(&oid, &format!("a{round}@contoso.com"), None, "user", "invited");
        let b = member(&oid, &format!("b{round}@contoso.com"), None, "user", "invited");
        let (ba, bb) = (
            batch(&oid, &admin.id, vec![MemberChange::Invite { member: a.clone(), token_hash: id() }]),
            batch(&oid, &admin.id, vec![MemberChange::Invite { member: b.clone(), token_hash: id() }]),
        );
        let (s1, s2) = (s.clone(), s.clone());
        let (r1, r2) = tokio::join!(tokio::spawn(async move { s1.change_members(&ba).await }), tokio::spawn(async move { s2.change_members(&bb).await }));
        let (r1, r2) = (r1.unwrap(), r2.unwrap());
        assert_eq!([r1.is_ok(), r2.is_ok()].iter().filter(|o| **o).count(), 1, "round {round}: {r1:?} {r2:?}");
        let loser = if r1.is_ok() { r2 } else { r1 };
        assert!(matches!(loser, Err(Error::Conflict(Conflict::NoSeats))));
        assert_eq!(s.list_members(&oid).await.unwrap().len(), 2, "round {round}");
        // Free the seat again for the next round.
        let winner = s.list_members(&oid).await.unwrap().into_iter().find(|m| m.member.user_type == "user").unwrap();
        s.change_members(&batch(&oid, &admin.id, vec![MemberChange::Remove { member_id: winner.member.id }])).await.unwrap();
    }
    // A provider member who is not staff of this provider cannot change it.
    let (_, stranger, _) = provider_with_admin(&s, "stranger@x.com").await;
    let c = member(&oid, "c@contoso.com", None, "user", "invited");
    assert!(matches!(
        s.change_members(&batch(&oid, &stranger.id, vec![MemberChange::Invite { member: c, token_hash: id() }])).await,
        Err(Error::Conflict(Conflict::ActorNotAdmin))
    ));
}

/// The policy baseline, policies written across clients in one go, and a
/// client suspended, restored and deleted (its seats back in the pool).
async fn client_lifecycle(s: DynStore) {
    let (pid, admin, _) = provider_with_admin(&s, "admin@x.com").await;
    s.set_seats(&pid, 10, &[]).await.unwrap();
    let a = organization(&s, &pid, &admin, 4).await.unwrap();
    let b = organization(&s, &pid, &admin, 4).await.unwrap();
    let row = |org: &str, kind: &str, enabled: bool| PolicyRow {
        org_id: org.into(),
        kind: kind.into(),
        enabled,
        data: format!("{{\"on\":{enabled}}}"),
        updated_at: 2000,
    };
    // Baseline: in, replaced, out; each change logged at the provider.
    s.put_baseline(&pid, "single_org", Some(&row(&pid, "single_org", true)), &event(&pid, "baseline_changed", 2000)).await.unwrap();
    s.put_baseline(&pid, "two_step_login", Some(&row(&pid, "two_step_login", false)), &event(&pid, "baseline_changed", 2001)).await.unwrap();
    s.put_baseline(&pid, "two_step_login", Some(&row(&pid, "two_step_login", true)), &event(&pid, "baseline_changed", 2002)).await.unwrap();
    let base = s.baseline(&pid).await.unwrap();
    assert_eq!(
        base.iter().map(|p| (p.org_id.as_str(), p.kind.as_str(), p.enabled)).collect::<Vec<_>>(),
        [(pid.as_str(), "single_org", true), (pid.as_str(), "two_step_login", true)]
    );
    s.put_baseline(&pid, "single_org", None, &event(&pid, "baseline_changed", 2003)).await.unwrap();
    assert_eq!(s.baseline(&pid).await.unwrap().len(), 1);
    assert!(s.policies(&pid).await.unwrap().is_empty(), "the baseline is not the provider's own policy");
    // Policies of two clients at once, with an event in each.
    s.put_policies(
        &[row(&a, "two_step_login", true), row(&b, "two_step_login", true)],
        &[event(&a, "policy_changed", 2100), event(&b, "policy_changed", 2100)],
    )
    .await
    .unwrap();
    for org in [&a, &b] {
        let p = s.policies(org).await.unwrap();
        assert_eq!((p.len(), p[0].enabled), (1, true));
        assert_eq!(s.list_events(org, &EventQuery { limit: 10, ..Default::default() }).await.unwrap().1, 1);
    }
    let mut all = s.policies_of_clients(&pid).await.unwrap().into_iter().map(|p| p.org_id).collect::<Vec<_>>();
    all.sort();
    let mut want = vec![a.clone(), b.clone()];
    want.sort();
    assert_eq!(all, want, "both clients' policies, no other provider's");
    // All or none: a row for an organisation that does not exist rolls the rest back.
    assert!(s.put_policies(&[row(&a, "single_org", true), row("nope", "single_org", true)], &[]).await.is_err());
    assert_eq!(s.policies(&a).await.unwrap().len(), 1);
    // Events of the clients by kind and time, none of the provider's own.
    let since = s.client_events_since(&pid, 2100, &["policy_changed", "client_created"]).await.unwrap();
    assert_eq!(since.len(), 2);
    assert!(since.iter().all(|e| e.kind == "policy_changed" && (e.provider_id == a || e.provider_id == b)));
    assert!(s.client_events_since(&pid, 2101, &["policy_changed"]).await.unwrap().is_empty());
    assert!(s.client_events_since(&pid, 0, &[]).await.unwrap().is_empty());
    // Suspend and restore: only a client of this provider.
    let (other, _, _) = provider_with_admin(&s, "other@x.com").await;
    assert!(matches!(s.set_client_suspended(&other, &a, Some(3000), &[]).await, Err(Error::NotFound)));
    s.set_client_suspended(&pid, &a, Some(3000), &[event(&pid, "client_suspended", 3000)]).await.unwrap();
    let clients = s.list_clients(&pid).await.unwrap();
    let suspended = |id: &str| clients.iter().find(|c| c.org.id == id).unwrap().org.suspended_at;
    assert_eq!((suspended(&a), suspended(&b)), (Some(3000), None));
    assert_eq!(s.provider(&a).await.unwrap().unwrap().suspended_at, Some(3000));
    assert_eq!(s.tenant_with_member(&a, &admin.id).await.unwrap().unwrap().0.suspended_at, Some(3000));
    s.set_client_suspended(&pid, &a, None, &[]).await.unwrap();
    assert_eq!(s.provider(&a).await.unwrap().unwrap().suspended_at, None);
    // Delete: not another provider's client; then gone with its policies and
    // log, the provider's event kept, and its 4 seats free again.
    assert!(matches!(s.delete_client(&other, &a, &event(&other, "client_deleted", 4000)).await, Err(Error::NotFound)));
    assert!(matches!(organization(&s, &pid, &admin, 4).await, Err(Error::Conflict(Conflict::NoSeats))), "8 of 10 seats held");
    s.delete_client(&pid, &a, &event(&pid, "client_deleted", 4000)).await.unwrap();
    assert!(s.provider(&a).await.unwrap().is_none());
    assert!(s.policies(&a).await.unwrap().is_empty());
    assert_eq!(s.list_clients(&pid).await.unwrap().len(), 1);
    let (log, _) = s.list_events(&pid, &EventQuery { limit: 50, ..Default::default() }).await.unwrap();
    assert!(log.iter().any(|e| e.kind == "client_deleted"));
    let c = organization(&s, &pid, &admin, 4).await.expect("the deleted client's seats are back");
    // Unlink: only with a confirmed Owner; then independent, its seats no longer the provider's.
    assert!(matches!(s.unlink_client(&pid, &c, &[]).await, Err(Error::Conflict(Conflict::NoOwner))), "its Owner is only invited");
    assert!(matches!(s.unlink_client(&other, &c, &[]).await, Err(Error::NotFound)));
    let boss = member(&c, "boss@contoso.com", Some(&admin.id), "owner", "confirmed");
    s.change_members(&batch(&c, &admin.id, vec![MemberChange::Invite { member: boss, token_hash: id() }])).await.unwrap();
    s.unlink_client(&pid, &c, &[event(&pid, "client_unlinked", 5000), event(&c, "unlinked_from_provider", 5000)]).await.unwrap();
    let org = s.provider(&c).await.unwrap().unwrap();
    assert_eq!((org.parent_id, org.org_key, org.seats), (None, None, 4));
    assert_eq!(s.list_clients(&pid).await.unwrap().len(), 1);
    assert_eq!(s.list_events(&c, &EventQuery { limit: 10, kind: Some("unlinked_from_provider".into()), ..Default::default() }).await.unwrap().1, 1);
    // Linked again by its confirmed Owner (the admin), within the provider's
    // seats and above its members (the invited Owner and the admin: 2).
    let (_, stranger, _) = provider_with_admin(&s, "stranger@x.com").await;
    assert!(matches!(s.link_client(&pid, &c, &stranger.id, 4, "2.k", &[]).await, Err(Error::Conflict(Conflict::NoOwner))));
    assert!(matches!(s.link_client(&pid, &c, &admin.id, 1, "2.k", &[]).await, Err(Error::Conflict(Conflict::SeatsInUse))));
    assert!(matches!(s.link_client(&pid, &c, &admin.id, 7, "2.k", &[]).await, Err(Error::Conflict(Conflict::NoSeats))), "4 of 10 held");
    assert!(matches!(s.link_client(&pid, "nope", &admin.id, 4, "2.k", &[]).await, Err(Error::NotFound)));
    assert!(matches!(s.link_client(&c, &pid, &admin.id, 4, "2.k", &[]).await, Err(Error::NotFound)), "a provider is not an organisation");
    assert_eq!(s.provider(&c).await.unwrap().unwrap().parent_id, None, "nothing changed");
    s.link_client(&pid, &c, &admin.id, 6, "2.k", &[event(&pid, "client_added", 6000), event(&c, "added_to_provider", 6000)]).await.unwrap();
    let org = s.provider(&c).await.unwrap().unwrap();
    assert_eq!((org.parent_id.as_deref(), org.org_key.as_deref(), org.seats), (Some(pid.as_str()), Some("2.k"), 6));
    assert_eq!(s.list_clients(&pid).await.unwrap().len(), 2);
    assert_eq!(s.list_events(&c, &EventQuery { limit: 10, kind: Some("added_to_provider".into()), ..Default::default() }).await.unwrap().1, 1);
    assert!(matches!(s.link_client(&other, &c, &admin.id, 1, "2.k", &[]).await, Err(Error::Conflict(Conflict::Managed))));
}

/// Groups and collections only take members and groups of their own organisation.
async fn groups_and_collections(s: DynStore) {
    let (pid, admin, _) = provider_with_admin(&s, "admin@x.com").await;
    s.set_seats(&pid, 10, &[]).await.unwrap();
    let oid = organization(&s, &pid, &admin, 5).await.unwrap();
    let other = organization(&s, &pid, &admin, 5).await.unwrap();
    let mine = s.list_members(&oid).await.unwrap()[0].member.id.clone();
    let theirs = s.list_members(&other).await.unwrap()[0].member.id.clone();
    let g = GroupRow { id: id(), org_id: oid.clone(), name: "Finance".into(), created_at: 1 };
    assert!(matches!(s.save_group(&g, &[theirs.clone()], &event(&oid, "group_created", 1)).await, Err(Error::Conflict(Conflict::Stale))));
    assert!(s.list_groups(&oid).await.unwrap().0.is_empty(), "rolled back");
    s.save_group(&g, &[mine.clone()], &event(&oid, "group_created", 1)).await.unwrap();
    let g2 = GroupRow { id: id(), ..g.clone() };
    assert!(matches!(s.save_group(&g2, &[], &event(&oid, "group_created", 1)).await, Err(Error::Conflict(Conflict::NameTaken))));
    let c = CollectionRow { id: id(), org_id: oid.clone(), name: "x1.name".into(), created_at: 1 };
    let grant = |m: Option<&str>, gid: Option<&str>| AccessRow {
        collection_id: c.id.clone(),
        member_id: m.map(Into::into),
        group_id: gid.map(Into::into),
        permission: "edit".into(),
    };
    assert!(matches!(s.save_collection(&c, &[grant(Some(&theirs), None)], &event(&oid, "collection_created", 1)).await, Err(Error::Conflict(Conflict::Stale))));
    assert!(s.list_collections(&oid).await.unwrap().0.is_empty(), "rolled back");
    s.save_collection(&c, &[grant(Some(&mine), None), grant(None, Some(&g.id))], &event(&oid, "collection_created", 1)).await.unwrap();
    assert_eq!(s.list_collections(&oid).await.unwrap().1.len(), 2);
    // Deleting the group or removing the member takes their access away.
    s.delete_group(&oid, &g.id, &event(&oid, "group_deleted", 2)).await.unwrap();
    assert_eq!(s.list_collections(&oid).await.unwrap().1.len(), 1);
    s.change_members(&batch(&oid, &admin.id, vec![MemberChange::Remove { member_id: mine }])).await.unwrap();
    assert!(s.list_collections(&oid).await.unwrap().1.is_empty());
    assert!(matches!(s.delete_collection(&other, &c.id, &event(&other, "x", 3)).await, Err(Error::NotFound)), "not across organisations");
}

async fn events_paging(s: DynStore) {
    let (pid, admin, _) = provider_with_admin(&s, "admin@x.com").await;
    let mut b = batch(&pid, &admin.id, vec![]);
    b.events = (0..30).map(|i| event(&pid, "invited", 2000 + i)).collect();
    s.change_members(&b).await.unwrap();
    let (page, total) = s.list_events(&pid, &EventQuery { from: Some(2000), to: Some(2030), offset: 0, limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!((page.len(), total), (10, 30));
    assert_eq!(page[0].at, 2029, "newest first");
    let (page, total) = s.list_events(&pid, &EventQuery { from: Some(2010), to: Some(2020), offset: 5, limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!((page.len(), total), (5, 10));
    let (_, all) = s.list_events(&pid, &EventQuery { limit: 1, ..Default::default() }).await.unwrap();
    assert_eq!(all, 31, "the provider_created event counts too");
    let mut b = batch(&pid, &admin.id, vec![]);
    b.events = vec![EventRow { target_email: Some("t@x.com".into()), ..event(&pid, "member_removed", 3000) }];
    s.change_members(&b).await.unwrap();
    let (rows, n) = s.list_events(&pid, &EventQuery { limit: 10, target: Some("t@x.com".into()), ..Default::default() }).await.unwrap();
    assert_eq!((n, rows[0].kind.as_str()), (1, "member_removed"));

    // A provider's log with its clients' logs: filtered by client, actor and kind.
    s.set_seats(&pid, 10, &[]).await.unwrap();
    let oid = organization(&s, &pid, &admin, 5).await.unwrap();
    let (other_pid, other_admin, _) = provider_with_admin(&s, "else@x.com").await;
    s.set_seats(&other_pid, 10, &[]).await.unwrap();
    let foreign = organization(&s, &other_pid, &other_admin, 5).await.unwrap();
    let by = |tenant: &str, kind: &str, at: i64, actor: &str| EventRow { actor_email: Some(actor.into()), ..event(tenant, kind, at) };
    for e in [by(&oid, "item_created", 4000, "su@x.com"), by(&oid, "policy_changed", 4001, "admin@x.com"), by(&foreign, "item_created", 4002, "su@x.com")] {
        s.record_event(&e).await.unwrap();
    }
    let q = |f: &dyn Fn(&mut EventQuery)| {
        let mut q = EventQuery { limit: 100, from: Some(3500), with_clients: true, ..Default::default() };
        f(&mut q);
        q
    };
    let (rows, n) = s.list_events(&pid, &q(&|_: &mut EventQuery| ())).await.unwrap();
    assert_eq!(n, 2, "the client's two, not another provider's client's: {rows:?}");
    assert!(rows.iter().all(|r| r.provider_id == oid));
    assert_eq!(s.list_events(&pid, &q(&|q: &mut EventQuery| q.with_clients = false)).await.unwrap().1, 0, "the provider's own log alone");
    let (rows, n) = s.list_events(&pid, &q(&|q: &mut EventQuery| q.kind = Some("item_created".into()))).await.unwrap();
    assert_eq!((n, rows[0].at), (1, 4000));
    assert_eq!(s.list_events(&pid, &q(&|q: &mut EventQuery| q.actor = Some("admin@x.com".into()))).await.unwrap().1, 1);
    assert_eq!(s.list_events(&pid, &q(&|q: &mut EventQuery| q.tenant = Some(pid.clone()))).await.unwrap().1, 0);
    assert_eq!(s.list_events(&pid, &q(&|q: &mut EventQuery| q.tenant = Some(foreign.clone()))).await.unwrap().1, 0, "one client, only its own");
    let (kinds, actors) = s.event_facets(&pid, true).await.unwrap();
    assert!(kinds.contains(&"item_created".to_string()) && kinds.contains(&"policy_changed".to_string()) && kinds.contains(&"member_removed".to_string()));
    assert_eq!(actors, ["admin@x.com", "su@x.com"]);
    assert!(!s.event_facets(&pid, false).await.unwrap().0.contains(&"item_created".to_string()));
    let (rows, n) = s.list_events(&pid, &q(&|q: &mut EventQuery| q.tenant = Some(oid.clone()))).await.unwrap();
    assert_eq!((n, rows.len()), (2, 2), "one client of the log");
    assert_eq!(
        s.list_events(
            &pid,
            &q(&|q: &mut EventQuery| {
                q.tenant = Some(oid.clone());
                q.with_clients = false
            })
        )
        .await
        .unwrap()
        .1,
        0
    );

    // Walking a log by keyset (an export): every event once, in order, with
    // events of the same second told apart by id.
    let mut b = batch(&pid, &admin.id, vec![]);
    b.events = (0..7).map(|_| event(&pid, "same_second", 5000)).collect();
    s.change_members(&b).await.unwrap();
    let whole = EventQuery { limit: 3, from: Some(2000), ..Default::default() };
    let (all_rows, _) = s.list_events(&pid, &EventQuery { limit: 100, ..whole.clone() }).await.unwrap();
    let mut walked = Vec::new();
    let mut before = None;
    loop {
        let page = s.event_rows(&pid, &EventQuery { before: before.clone(), ..whole.clone() }).await.unwrap();
        walked.extend(page.iter().map(|e| e.id.clone()));
        match page.last() {
            Some(last) if page.len() == 3 => before = Some((last.at, last.id.clone())),
            _ => break,
        }
    }
    assert_eq!(walked, all_rows.iter().map(|e| e.id.clone()).collect::<Vec<_>>());
    assert_eq!(walked.len(), 38, "30 invited, 1 removed, 7 of the same second");

    // The onboarding queue's read: every client's invited and accepted members, no one else's.
    let waiting = member(&oid, "waiting@x.com", None, "user", "invited");
    let confirmed = member(&oid, "done@x.com", None, "user", "confirmed");
    let elsewhere = member(&foreign, "elsewhere@x.com", None, "user", "invited");
    for (tenant, m, actor) in [(&oid, &waiting, &admin.id), (&oid, &confirmed, &admin.id), (&foreign, &elsewhere, &other_admin.id)] {
        s.change_members(&batch(tenant, actor, vec![MemberChange::Invite { member: m.clone(), token_hash: m.id.clone() }])).await.unwrap();
    }
    let queue: Vec<String> = s.waiting_members_of_clients(&pid).await.unwrap().into_iter().map(|v| v.member.email).collect();
    assert!(queue.contains(&"waiting@x.com".to_string()), "{queue:?}");
    assert!(!queue.contains(&"done@x.com".to_string()) && !queue.contains(&"elsewhere@x.com".to_string()), "{queue:?}");
    let names = s.client_names(&pid).await.unwrap();
    assert_eq!(names.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(), [oid.clone()]);
}

async fn outbox_lease(s: DynStore) {
    let (pid, admin, _) = provider_with_admin(&s, "admin@x.com").await;
    let mut b = batch(&pid, &admin.id, vec![]);
    b.mails = (0..3).map(|i| mail(&pid, &format!("m{i}@x.com"), 100 + i)).collect();
    s.change_members(&b).await.unwrap();
    let first = s.due_mails(200, 2).await.unwrap();
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|m| m.attempts == 1));
    let second = s.due_mails(200, 10).await.unwrap();
    assert_eq!(second.len(), 1, "leased mails are not handed out twice");
    s.mark_mail_sent(&first[0].id, 201).await.unwrap();
    s.mark_mail_failed(&first[1].id, "connection refused", 250).await.unwrap();
    assert_eq!(s.failed_mails(&pid).await.unwrap().len(), 1);
    assert!(s.due_mails(249, 10).await.unwrap().is_empty());
    let retry = s.due_mails(250, 10).await.unwrap();
    assert_eq!((retry.len(), retry[0].attempts), (1, 2));
    // A delivered mail keeps no body (no live link at rest).
    let sent = &s.mails_to("m0@x.com").await.unwrap()[0];
    assert_eq!((sent.sent_at, sent.text_body.as_str(), sent.html_body.as_str()), (Some(201), "", ""));
}

/// An invitation mail goes with its invitation: deleted unsent when the token
/// is replaced or the member removed, never handed out after it expires, and
/// purged then.
async fn invitation_mails_end_with_their_invitation(s: DynStore) {
    let (pid, admin, _) = provider_with_admin(&s, "admin@x.com").await;
    let invitation = |m: &MemberRow, at: i64| MailRow {
        member_id: Some(m.id.clone()),
        expires_at: Some(at + 100),
        text_body: format!("token={at}"),
        ..mail(&pid, &m.email, at)
    };
    let a = member(&pid, "a@x.com", None, "service_user", "invited");
    let b = member(&pid, "b@x.com", None, "service_user", "invited");
    let c = member(&pid, "c@x.com", None, "service_user", "invited");
    let mut first = batch(&pid, &admin.id, vec![]);
    for (m, t) in [(&a, "ta"), (&b, "tb"), (&c, "tc")] {
        first.changes.push(MemberChange::Invite { member: m.clone(), token_hash: t.into() });
        first.mails.push(invitation(m, 1000));
    }
    s.change_members(&first).await.unwrap();
    // Resending to a: the old unsent mail goes, the new one stays.
    let mut resend = batch(&pid, &admin.id, vec![MemberChange::ReplaceToken { member_id: a.id.clone(), token_hash: "ta2".into(), expires_at: 5000 }]);
    resend.mails.push(invitation(&a, 1010));
    s.change_members(&resend).await.unwrap();
    let to_a = s.mails_to("a@x.com").await.unwrap();
    assert_eq!(to_a.iter().map(|m| m.text_body.as_str()).collect::<Vec<_>>(), ["token=1010"]);
    // Removing b: its unsent invitation goes with it.
    s.change_members(&batch(&pid, &admin.id, vec![MemberChange::Remove { member_id: b.id.clone() }])).await.unwrap();
    assert!(s.mails_to("b@x.com").await.unwrap().is_empty());
    // c's invitation expires at 1100: not handed out after, and purged.
    assert!(s.due_mails(1100, 10).await.unwrap().iter().all(|m| m.to_addr != "c@x.com"));
    assert_eq!(s.purge_expired(1100).await.unwrap(), 1);
    assert!(s.mails_to("c@x.com").await.unwrap().is_empty());
    assert_eq!(s.mails_to("a@x.com").await.unwrap().len(), 1, "a's newer invitation expires at 1110");
}

async fn vault_items(s: DynStore) {
    let a = user("a@x.com");
    let b = user("b@x.com");
    s.create_user(&a).await.unwrap();
    s.create_user(&b).await.unwrap();
    let item = ItemRow { id: id(), user_id: a.id.clone(), data: "x1.one".into(), created_at: 1, updated_at: 1, deleted_at: None, folder_id: None };
    s.put_item(&item).await.unwrap();
    s.put_item(&ItemRow { data: "x1.two".into(), updated_at: 2, ..item.clone() }).await.unwrap();
    assert_eq!(s.list_items(&a.id).await.unwrap()[0].data, "x1.two");
    // Another user cannot overwrite or delete it.
    assert!(matches!(s.put_item(&ItemRow { user_id: b.id.clone(), data: "x1.evil".into(), ..item.clone() }).await, Err(Error::NotFound)));
    assert!(!s.trash_item(&b.id, &item.id, Some(3), 3).await.unwrap());
    assert_eq!(s.list_items(&a.id).await.unwrap()[0].data, "x1.two");
    // The Trash: in, not twice, back out, in again; then purged by age.
    assert!(s.trash_item(&a.id, &item.id, Some(3), 3).await.unwrap());
    assert!(!s.trash_item(&a.id, &item.id, Some(4), 4).await.unwrap());
    assert_eq!(s.list_items(&a.id).await.unwrap()[0].deleted_at, Some(3));
    assert!(s.trash_item(&a.id, &item.id, None, 5).await.unwrap());
    assert_eq!((s.list_items(&a.id).await.unwrap()[0].deleted_at, s.list_items(&a.id).await.unwrap()[0].updated_at), (None, 5));
    assert!(s.trash_item(&a.id, &item.id, Some(6), 6).await.unwrap());
    assert_eq!(s.purge_trash(5).await.unwrap(), 0);
    assert_eq!(s.purge_trash(6).await.unwrap(), 1);
    assert!(s.list_items(&a.id).await.unwrap().is_empty());
    // An import adds all of its items or none (here the second reuses an id).
    let (one, two) = (ItemRow { id: id(), ..item.clone() }, ItemRow { id: id(), data: "x1.b".into(), ..item.clone() });
    assert!(s.add_items(&[], &[one.clone(), ItemRow { id: one.id.clone(), ..two.clone() }]).await.is_err());
    assert!(s.list_items(&a.id).await.unwrap().is_empty(), "nothing of a failed import stays");
    s.add_items(&[], &[one.clone(), two.clone()]).await.unwrap();
    assert_eq!(s.list_items(&a.id).await.unwrap().len(), 2);
    for i in [&one, &two] {
        s.trash_item(&a.id, &i.id, Some(8), 8).await.unwrap();
        s.delete_item(&a.id, &i.id).await.unwrap();
    }
    let kept = ItemRow { id: id(), ..item.clone() };
    s.put_item(&kept).await.unwrap();
    assert!(!s.delete_item(&a.id, &kept.id).await.unwrap(), "only from the Trash");
    assert!(s.trash_item(&a.id, &kept.id, Some(7), 7).await.unwrap());
    assert!(!s.delete_item(&b.id, &kept.id).await.unwrap());
    assert!(s.delete_item(&a.id, &kept.id).await.unwrap());
    assert!(s.list_items(&a.id).await.unwrap().is_empty());
}

/// Folders are a person's own: items go in only their owner's folders;
/// deleting a folder leaves its items in no folder; an organisation item is
/// filed per person, in the same transaction as its save.
async fn folders(s: DynStore) {
    let (pid, admin, _) = provider_with_admin(&s, "admin@x.com").await;
    let oid = organization(&s, &pid, &admin, 0).await.unwrap();
    let a = user("a@x.com");
    let b = user("b@x.com");
    s.create_user(&a).await.unwrap();
    s.create_user(&b).await.unwrap();
    let folder = |user: &UserRow, name: &str, at: i64| FolderRow { id: id(), user_id: user.id.clone(), name: name.into(), created_at: at, updated_at: at };
    let (work, home, theirs) = (folder(&a, "x1.work", 1), folder(&a, "x1.home", 2), folder(&b, "x1.b", 3));
    for f in [&work, &home, &theirs] {
        assert!(s.put_folder(f).await.unwrap());
    }
    assert!(s.put_folder(&FolderRow { name: "x1.work2".into(), updated_at: 4, ..work.clone() }).await.unwrap(), "renamed");
    assert!(!s.put_folder(&FolderRow { user_id: b.id.clone(), name: "x1.stolen".into(), ..work.clone() }).await.unwrap(), "not another's");
    let names: Vec<String> = s.list_folders(&a.id).await.unwrap().into_iter().map(|f| f.name).collect();
    assert_eq!(names, ["x1.work2", "x1.home"]);
    // Own items: in an own folder, never in another person's.
    let item =
        ItemRow { id: id(), user_id: a.id.clone(), data: "x1.i".into(), created_at: 1, updated_at: 1, deleted_at: None, folder_id: Some(work.id.clone()) };
    s.put_item(&item).await.unwrap();
    let foreign = ItemRow { id: id(), folder_id: Some(theirs.id.clone()), ..item.clone() };
    s.add_items(&[], std::slice::from_ref(&foreign)).await.unwrap();
    let folder_of = |items: Vec<ItemRow>, id: &str| items.into_iter().find(|i| i.id == id).unwrap().folder_id;
    // An import makes its folders with its items, in one transaction.
    let imported = folder(&a, "x1.imported", 5);
    let inside = ItemRow { id: id(), folder_id: Some(imported.id.clone()), ..item.clone() };
    let clash = ItemRow { id: item.id.clone(), ..inside.clone() };
    assert!(s.add_items(std::slice::from_ref(&imported), &[inside.clone(), clash]).await.is_err());
    assert_eq!(s.list_folders(&a.id).await.unwrap().len(), 2, "no folder of a failed import stays");
    s.add_items(std::slice::from_ref(&imported), std::slice::from_ref(&inside)).await.unwrap();
    assert_eq!(folder_of(s.list_items(&a.id).await.unwrap(), &inside.id), Some(imported.id.clone()));
    assert_eq!(folder_of(s.list_items(&a.id).await.unwrap(), &item.id), Some(work.id.clone()));
    assert_eq!(folder_of(s.list_items(&a.id).await.unwrap(), &foreign.id), None, "another person's folder is ignored");
    assert!(s.update_item(&ItemRow { folder_id: Some(home.id.clone()), updated_at: 2, ..item.clone() }).await.unwrap());
    assert_eq!(folder_of(s.list_items(&a.id).await.unwrap(), &item.id), Some(home.id.clone()));
    // An organisation item filed by a, not by b.
    let org_item = OrgItemRow { id: id(), org_id: oid.clone(), data: "x1.o".into(), created_at: 5, updated_at: 5, deleted_at: None };
    let mark = ItemMark { user_id: a.id.clone(), item_id: org_item.id.clone(), folder_id: Some(home.id.clone()), favourite: true };
    s.write_org_items(&OrgItemsWrite { org_id: oid.clone(), items: vec![org_item.clone()], marks: vec![mark.clone()], ..Default::default() }).await.unwrap();
    assert_eq!(s.item_marks(&a.id).await.unwrap(), vec![mark.clone()]);
    assert!(s.item_marks(&b.id).await.unwrap().is_empty());
    s.set_item_mark(&ItemMark { user_id: b.id.clone(), folder_id: Some(home.id.clone()), ..mark.clone() }).await.unwrap();
    assert_eq!(s.item_marks(&b.id).await.unwrap()[0].folder_id, None, "a's folder is not b's");
    s.set_item_mark(&ItemMark { item_id: id(), ..mark.clone() }).await.unwrap();
    assert_eq!(s.item_marks(&a.id).await.unwrap().len(), 1, "no mark for an item that does not exist");
    // Moving: only the owner moves their item; another's folder is ignored.
    s.move_to_folder(&a.id, std::slice::from_ref(&item.id), Some(&work.id), &[]).await.unwrap();
    assert_eq!(folder_of(s.list_items(&a.id).await.unwrap(), &item.id), Some(work.id.clone()));
    s.move_to_folder(&b.id, std::slice::from_ref(&item.id), None, &[]).await.unwrap();
    assert_eq!(folder_of(s.list_items(&a.id).await.unwrap(), &item.id), Some(work.id.clone()), "only the owner moves it");
    s.move_to_folder(&a.id, std::slice::from_ref(&item.id), Some(&theirs.id), &[]).await.unwrap();
    assert_eq!(folder_of(s.list_items(&a.id).await.unwrap(), &item.id), None, "not into another person's folder");
    s.move_to_folder(&a.id, std::slice::from_ref(&item.id), Some(&home.id), std::slice::from_ref(&mark)).await.unwrap();
    // Deleting a folder: its items stay, in no folder; only the owner deletes it.
    assert!(!s.delete_folder(&b.id, &home.id).await.unwrap());
    assert!(s.delete_folder(&a.id, &home.id).await.unwrap());
    assert_eq!(folder_of(s.list_items(&a.id).await.unwrap(), &item.id), None);
    assert_eq!(s.item_marks(&a.id).await.unwrap(), vec![ItemMark { folder_id: None, ..mark }], "still a favourite");
    assert_eq!(s.list_folders(&a.id).await.unwrap().len(), 2);
}

/// Rate counters: fixed and sliding windows, parallel hits each counted once
/// (as from several server instances), clearing, and purging what has ended.
async fn rate_counters(s: DynStore) {
    let c = s.count_hit("k", 100, 60, false).await.unwrap();
    assert_eq!(c, Counter { count: 1, last_at: 100, ends_at: 160 });
    let c = s.count_hit("k", 130, 60, false).await.unwrap();
    assert_eq!(c, Counter { count: 2, last_at: 130, ends_at: 160 }, "a fixed window keeps its end");
    assert_eq!(s.counter("k", 159).await.unwrap().map(|c| c.count), Some(2));
    assert_eq!(s.counter("k", 160).await.unwrap(), None, "the window has ended");
    let c = s.count_hit("k", 170, 60, false).await.unwrap();
    assert_eq!(c, Counter { count: 1, last_at: 170, ends_at: 230 }, "a new window");
    s.count_hit("slide", 100, 60, true).await.unwrap();
    let c = s.count_hit("slide", 150, 60, true).await.unwrap();
    assert_eq!(c, Counter { count: 2, last_at: 150, ends_at: 210 }, "a sliding window moves on");
    s.clear_counter("slide").await.unwrap();
    assert_eq!(s.counter("slide", 150).await.unwrap(), None);

    // Hits in parallel transactions: none is lost.
    let mut tasks = vec![];
    for _ in 0..40 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move { s.count_hit("race", 1000, 600, false).await.unwrap().count }));
    }
    let mut seen = vec![];
    for t in tasks {
        seen.push(t.await.unwrap());
    }
    seen.sort();
    assert_eq!(seen, (1..=40).collect::<Vec<i64>>());

    // Purging deletes ended windows and expired sessions only.
    let u = user("p@x.com");
    s.create_user(&u).await.unwrap();
    for (t, exp) in [("old", 500), ("live", 5000)] {
        s.create_session(&SessionRow { token_hash: t.into(), user_id: u.id.clone(), created_at: 0, expires_at: exp, ip: None }).await.unwrap();
    }
    let gone = s.purge_expired(1500).await.unwrap();
    assert_eq!(gone, 2, "the ended window of k (230) and the old session");
    assert!(s.counter("race", 1500).await.unwrap().is_some());
    assert!(s.session("live", 1500).await.unwrap().is_some());
    assert_eq!(s.purge_expired(1500).await.unwrap(), 0);
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = super::testing::sqlite().await;
                    assert_eq!(db.store.backend(), "sqlite");
                    super::$name(db.store.clone()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = super::testing::postgres().await else { return };
                    assert_eq!(db.store.backend(), "postgres");
                    super::$name(db.store.clone()).await;
                }
            )*
        }
    };
}

contract!(
    rate_counters,
    invitation_mails_end_with_their_invitation,
    users_and_sessions,
    invite_accept_confirm,
    resend_kills_old_token_and_remove_kills_all,
    last_admin_and_actor_rules,
    last_admin_race,
    events_paging,
    outbox_lease,
    vault_items,
    organization_seats,
    groups_and_collections,
    tenant_with_member,
    organization_items,
    devices_and_server_keys,
    two_factor_lifecycle,
    two_factor_email_codes,
    security_keys_and_challenges,
    item_batches,
    account_recovery,
    folders,
    client_lifecycle,
);
