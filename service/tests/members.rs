//! Service tests of the members use cases on SQLite and PostgreSQL: the role
//! matrix, expiry, single use, resend, removal, and the last-admin rule.

#[macro_use]
mod common;
use common::*;
use domain::KdfParams;
use domain::api::*;
use domain::crypto::{self, SymmetricKey};
use domain::member::{Role, StatusBadge};
use service::{RequestMeta, ServiceError, ServiceSettings, Services};

fn badge_of(list: &[MemberListItem], email: &str) -> Option<StatusBadge> {
    list.iter().find(|m| m.email == email).map(|m| m.badge)
}

async fn invite_accept_confirm_flow(w: World) {
    let admin = w.person("admin@acme.com").await;
    let (pid, key) = w.provider(&admin).await;
    let r = w.invite(&admin, &pid, "new@acme.com, not-an-email, NEW@acme.com, admin@acme.com", Role::ServiceUser).await;
    let outcomes: Vec<_> = r.iter().map(|e| e.outcome.clone()).collect();
    assert_eq!(outcomes[0], InviteEntryOutcome::Invited);
    assert!(matches!(outcomes[1], InviteEntryOutcome::Invalid(_)));
    assert_eq!(outcomes[2], InviteEntryOutcome::Repeated);
    assert_eq!(outcomes[3], InviteEntryOutcome::AlreadyMember);
    assert!(matches!(
        w.s.invite(
            &admin.actor,
            InviteInput {
                provider_id: pid.clone(),
                emails: (0..21).map(|i| format!("u{i}@x.com")).collect::<Vec<_>>().join(","),
                user_type: Role::ServiceUser,
                permissions: Default::default()
            },
            &meta()
        )
        .await,
        Err(ServiceError::Validation(_))
    ));

    let token = w.token_for("new@acme.com").await;
    let info = w.s.invitation_info(&token).await.unwrap();
    assert_eq!((info.state, info.provider_name.as_deref()), (InvitationState::Open, Some("Acme MSP")));

    // Someone else's account cannot accept it.
    let other = w.person("other@acme.com").await;
    assert!(matches!(w.s.accept(&other.actor, &token, None, &meta()).await, Err(ServiceError::Forbidden(_))));
    let new = w.person("new@acme.com").await;
    w.s.accept(&new.actor, &token, None, &meta()).await.unwrap();
    assert!(matches!(w.s.accept(&new.actor, &token, None, &meta()).await, Err(ServiceError::Conflict(_))), "single use");
    assert_eq!(w.s.invitation_info(&token).await.unwrap().state, InvitationState::Gone);
    let list = w.s.list_members(&admin.actor, &pid).await.unwrap();
    assert_eq!(badge_of(&list, "new@acme.com"), Some(StatusBadge::NeedsConfirmation));

    // Not yet confirmed: no provider for them.
    assert!(w.s.list_members(&new.actor, &pid).await.is_err());
    let me = w.s.me(&new.actor).await.unwrap();
    assert_eq!(me.providers[0].wrapped_key, None);

    // The dialog's phrase is the one the member sees in My account.
    let id = w.member_id(&admin, &pid, "new@acme.com").await;
    let cands = w.s.confirm_candidates(&admin.actor, &pid, &[id.clone()]).await.unwrap();
    assert_eq!(cands[0].fingerprint, me.fingerprint);
    let results = w.confirm(&admin, &pid, &key, vec![id.clone()]).await;
    assert_eq!(results[0].skipped, None);

    // The member's browser opens the provider key.
    let me = w.s.me(&new.actor).await.unwrap();
    let wrapped = me.providers[0].wrapped_key.clone().expect("confirmed members get the key");
    assert_eq!(new.keys.key_pair.unseal(&wrapped).unwrap().as_slice(), key.to_bytes().as_slice());
    assert_eq!(me.providers[0].badge, StatusBadge::Confirmed);

    // Confirm mail went out, and the event log recorded the phrase.
    let ev = w.s.events(&admin.actor, &pid, db::EventQuery { limit: 100, ..Default::default() }).await.unwrap();
    let confirmed = ev.items.iter().find(|e| e.kind == "member_confirmed").unwrap();
    assert!(confirmed.detail.contains(&me.fingerprint));
    assert_eq!(confirmed.actor.as_deref(), Some("admin@acme.com"));

    // Removal: access ends at once, the wrapped key is gone.
    let r = w.s.remove(&admin.actor, &pid, &[id], &meta()).await.unwrap();
    assert_eq!(r[0].skipped, None);
    assert!(w.s.me(&new.actor).await.unwrap().providers.is_empty());
    assert!(w.s.list_members(&new.actor, &pid).await.is_err());
}

async fn expiry_resend_and_remove_kill_tokens(w: World) {
    let admin = w.person("admin@acme.com").await;
    let (pid, _) = w.provider(&admin).await;
    w.invite(&admin, &pid, "late@acme.com", Role::ServiceUser).await;
    let first = w.token_for("late@acme.com").await;
    let late = w.person("late@acme.com").await;
    w.clock.advance(5 * DAY);
    assert_eq!(w.s.invitation_info(&first).await.unwrap().state, InvitationState::Expired);
    assert!(matches!(w.s.accept(&late.actor, &first, None, &meta()).await, Err(ServiceError::Conflict(m)) if m.contains("expired")));
    let list = w.s.list_members(&admin.actor, &pid).await.unwrap();
    assert_eq!(badge_of(&list, "late@acme.com"), Some(StatusBadge::Expired));

    let id = w.member_id(&admin, &pid, "late@acme.com").await;
    let r = w.s.resend(&admin.actor, &pid, &[id.clone()], &meta()).await.unwrap();
    assert_eq!(r[0].skipped, None);
    let second = w.token_for("late@acme.com").await;
    assert_ne!(first, second);
    assert_eq!(w.s.invitation_info(&first).await.unwrap().state, InvitationState::Gone, "resend kills the old token");
    let list = w.s.list_members(&admin.actor, &pid).await.unwrap();
    assert_eq!(badge_of(&list, "late@acme.com"), Some(StatusBadge::Invited));

    w.s.remove(&admin.actor, &pid, &[id], &meta()).await.unwrap();
    assert_eq!(w.s.invitation_info(&second).await.unwrap().state, InvitationState::Gone, "removal kills the token");
    assert!(w.s.accept(&late.actor, &second, None, &meta()).await.is_err());
}

async fn last_admin_rules(w: World) {
    let admin = w.person("admin@acme.com").await;
    let (pid, key) = w.provider(&admin).await;
    let me_id = w.member_id(&admin, &pid, "admin@acme.com").await;
    let r = w.s.remove(&admin.actor, &pid, &[me_id.clone()], &meta()).await.unwrap();
    assert_eq!(r[0].skipped.as_deref(), Some("You cannot remove yourself."));
    assert!(matches!(
        w.s.set_user_type(&admin.actor, &pid, &me_id, Role::ServiceUser, Default::default(), &meta()).await,
        Err(ServiceError::Conflict(m)) if m.contains("at least one confirmed Provider admin")
    ));
    let second = w.joined(&admin, &pid, &key, "second@acme.com", Role::ProviderAdmin).await;
    // With two admins, one may step down.
    w.s.set_user_type(&admin.actor, &pid, &me_id, Role::ServiceUser, Default::default(), &meta()).await.unwrap();
    // The demoted admin can no longer manage members; the second can.
    assert!(matches!(w.s.list_members(&admin.actor, &pid).await, Err(ServiceError::Forbidden(_))));
    assert!(w.s.list_members(&second.actor, &pid).await.is_ok());
}

/// Every members action × every kind of actor: only a confirmed, active
/// Provider admin may act, and a refused call changes nothing.
async fn role_matrix(w: World) {
    let admin = w.person("admin@acme.com").await;
    let (pid, key) = w.provider(&admin).await;
    let service_user = w.joined(&admin, &pid, &key, "service@acme.com", Role::ServiceUser).await;
    let invited = w.person("invited@acme.com").await;
    w.invite(&admin, &pid, "invited@acme.com", Role::ProviderAdmin).await;
    let accepted = w.person("accepted@acme.com").await;
    w.invite(&admin, &pid, "accepted@acme.com", Role::ProviderAdmin).await;
    let t = w.token_for("accepted@acme.com").await;
    w.s.accept(&accepted.actor, &t, None, &meta()).await.unwrap();
    let suspended = w.joined(&admin, &pid, &key, "suspended@acme.com", Role::ProviderAdmin).await;
    let sid = w.member_id(&admin, &pid, "suspended@acme.com").await;
    w.s.set_suspended(&admin.actor, &pid, &[sid], true, &meta()).await.unwrap();
    let removed = w.joined(&admin, &pid, &key, "removed@acme.com", Role::ProviderAdmin).await;
    let rid = w.member_id(&admin, &pid, "removed@acme.com").await;
    w.s.remove(&admin.actor, &pid, &[rid], &meta()).await.unwrap();
    let outsider = w.person("outsider@elsewhere.com").await;

    let target = w.member_id(&admin, &pid, "invited@acme.com").await;
    let acc_id = w.member_id(&admin, &pid, "accepted@acme.com").await;
    let before = w.s.list_members(&admin.actor, &pid).await.unwrap();
    let events_before = w.s.events(&admin.actor, &pid, db::EventQuery { limit: 1000, ..Default::default() }).await.unwrap().total;

    for (who, p) in [
        ("service user", &service_user),
        ("invited", &invited),
        ("accepted", &accepted),
        ("suspended admin", &suspended),
        ("removed", &removed),
        ("outsider", &outsider),
    ] {
        let a = &p.actor;
        let ids = vec![target.clone()];
        let sealed = crypto::seal_to(&p.keys.key_pair.public_spki(), &key.to_bytes()).unwrap();
        let results: Vec<(&str, bool)> = vec![
            ("list", matches!(w.s.list_members(a, &pid).await, Err(ServiceError::Forbidden(_)))),
            (
                "invite",
                matches!(
                    w.s.invite(
                        a,
                        InviteInput { provider_id: pid.clone(), emails: "x@acme.com".into(), user_type: Role::ProviderAdmin, permissions: Default::default() },
                        &meta()
                    )
                    .await,
                    Err(ServiceError::Forbidden(_))
                ),
            ),
            ("resend", matches!(w.s.resend(a, &pid, &ids, &meta()).await, Err(ServiceError::Forbidden(_)))),
            ("candidates", matches!(w.s.confirm_candidates(a, &pid, &[acc_id.clone()]).await, Err(ServiceError::Forbidden(_)))),
            (
                "confirm",
                matches!(
                    w.s.confirm(a, &pid, vec![WrappedKey { member_id: acc_id.clone(), wrapped_key: sealed }], &meta()).await,
                    Err(ServiceError::Forbidden(_))
                ),
            ),
            ("remove", matches!(w.s.remove(a, &pid, &ids, &meta()).await, Err(ServiceError::Forbidden(_)))),
            ("suspend", matches!(w.s.set_suspended(a, &pid, &ids, true, &meta()).await, Err(ServiceError::Forbidden(_)))),
            ("user type", matches!(w.s.set_user_type(a, &pid, &target, Role::ServiceUser, Default::default(), &meta()).await, Err(ServiceError::Forbidden(_)))),
            ("events", matches!(w.s.events(a, &pid, db::EventQuery { limit: 10, ..Default::default() }).await, Err(ServiceError::Forbidden(_)))),
            ("subscribe", w.s.subscribe(a, &pid).await.is_err()),
            ("settings", matches!(w.s.update_provider(a, &pid, "Hijacked", "evil@x.com", &meta()).await, Err(ServiceError::Forbidden(_)))),
            ("failed mails", matches!(w.s.failed_mails(a, &pid).await, Err(ServiceError::Forbidden(_)))),
        ];
        for (action, refused) in results {
            assert!(refused, "{who} must be refused: {action}");
        }
    }
    assert_eq!(w.s.list_members(&admin.actor, &pid).await.unwrap(), before, "refused calls change nothing");
    let events_after = w.s.events(&admin.actor, &pid, db::EventQuery { limit: 1000, ..Default::default() }).await.unwrap().total;
    assert_eq!(events_before, events_after);
    // And the admin may do each of them.
    assert!(w.s.resend(&admin.actor, &pid, &[target.clone()], &meta()).await.is_ok());
    assert!(w.s.set_user_type(&admin.actor, &pid, &target, Role::ServiceUser, Default::default(), &meta()).await.is_ok());
    assert!(w.s.set_suspended(&admin.actor, &pid, &[target.clone()], true, &meta()).await.is_ok());
    assert!(w.s.remove(&admin.actor, &pid, &[target], &meta()).await.is_ok());
}

/// The server cannot confirm anyone by itself: a wrapped key must come from a client.
async fn confirm_needs_a_sealed_key(w: World) {
    let admin = w.person("admin@acme.com").await;
    let (pid, _) = w.provider(&admin).await;
    let p = w.person("p@acme.com").await;
    w.invite(&admin, &pid, "p@acme.com", Role::ServiceUser).await;
    let t = w.token_for("p@acme.com").await;
    w.s.accept(&p.actor, &t, None, &meta()).await.unwrap();
    let id = w.member_id(&admin, &pid, "p@acme.com").await;
    for bad in ["", "not base64!", &crypto::b64(&[0u8; 10])] {
        assert!(matches!(
            w.s.confirm(&admin.actor, &pid, vec![WrappedKey { member_id: id.clone(), wrapped_key: bad.into() }], &meta()).await,
            Err(ServiceError::Validation(_))
        ));
    }
    let list = w.s.list_members(&admin.actor, &pid).await.unwrap();
    assert_eq!(badge_of(&list, "p@acme.com"), Some(StatusBadge::NeedsConfirmation));
}

async fn login_and_prelogin(w: World) {
    let p = w.person("someone@acme.com").await;
    assert_eq!(w.s.prelogin("someone@acme.com", &meta()).await.unwrap(), KdfParams::MIN);
    assert_eq!(w.s.prelogin("nobody@acme.com", &meta()).await.unwrap(), KdfParams::default(), "unknown emails look like defaults");
    let wrong = crypto::auth_hash(&crypto::MasterKey::from_bytes(&[7u8; 32]).unwrap(), PW);
    let a = w.s.login(LoginInput::new("someone@acme.com", wrong.clone()), &meta()).await.unwrap_err();
    let b = w.s.login(LoginInput::new("nobody@acme.com", wrong.clone()), &meta()).await.unwrap_err();
    assert_eq!(a.to_string(), b.to_string(), "no user enumeration through messages");
    for _ in 0..10 {
        let _ = w.s.login(LoginInput::new("someone@acme.com", wrong.clone()), &meta()).await;
    }
    let r = w.s.login(LoginInput::new("someone@acme.com", wrong.clone()), &meta()).await;
    assert!(matches!(r, Err(ServiceError::RateLimited(ref m)) if m.contains("Try again")), "{r:?}");
    // The guesser's address waits; the account's owner, elsewhere, is not locked out.
    let home = RequestMeta { ip: Some("198.51.100.7".into()) };
    let e = domain::Email::parse("someone@acme.com").unwrap();
    let right = crypto::auth_hash(&crypto::master_key(PW, &e, KdfParams::MIN).unwrap(), PW);
    assert!(w.s.login(LoginInput::new("someone@acme.com", right.clone()), &home).await.is_ok());
    // The wait ends: the guesser gets a plain refusal again (after the longest delay).
    w.clock.advance(service::throttle::MAX_DELAY_SECS + 1);
    let r = w.s.login(LoginInput::new("someone@acme.com", wrong.clone()), &meta()).await;
    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{r:?}");
    // One address spraying many accounts is capped, whatever the accounts.
    let sprayer = RequestMeta { ip: Some("203.0.113.9".into()) };
    for i in 0..service::throttle::MAX_FAILURES_PER_IP {
        let r = w.s.login(LoginInput::new(format!("spray{i}@acme.com"), wrong.clone()), &sprayer).await;
        assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{i}: {r:?}");
    }
    let r = w.s.login(LoginInput::new("someone@acme.com", right.clone()), &sprayer).await;
    assert!(matches!(r, Err(ServiceError::RateLimited(_))), "{r:?}");
    assert!(w.s.login(LoginInput::new("someone@acme.com", right), &home).await.is_ok(), "other addresses log in");
    w.s.logout(&p.actor).await.unwrap();
    // Pre-log-in counts failures (unknown emails), not calls: an office behind one address is never slowed.
    for _ in 0..300 {
        w.s.prelogin("someone@acme.com", &meta()).await.unwrap();
    }
    for i in 0..service::throttle::MAX_PRELOGIN_FAILURES {
        w.s.prelogin(&format!("nobody{i}@acme.com"), &meta()).await.unwrap();
    }
    assert!(matches!(w.s.prelogin("someone@acme.com", &meta()).await, Err(ServiceError::RateLimited(ref m)) if m.contains("Try again")));
    w.clock.advance(61);
    assert!(w.s.prelogin("someone@acme.com", &meta()).await.is_ok());
}

/// Invite and accept are rate limited with a clear message.
async fn rate_limits(w: World) {
    let admin = w.person("admin@acme.com").await;
    let (pid, _) = w.provider(&admin).await;
    for i in 0..60 {
        w.invite(&admin, &pid, &format!("u{i}@acme.com"), Role::ServiceUser).await;
    }
    let r =
        w.s.invite(
            &admin.actor,
            InviteInput { provider_id: pid.clone(), emails: "late@acme.com".into(), user_type: Role::ServiceUser, permissions: Default::default() },
            &meta(),
        )
        .await;
    assert!(matches!(r, Err(ServiceError::RateLimited(ref m)) if m.contains("Try again")), "{r:?}");
    let guesser = w.person("guess@acme.com").await;
    for _ in 0..50 {
        assert!(matches!(w.s.accept(&guesser.actor, "no-such-token", None, &meta()).await, Err(ServiceError::Conflict(_))));
    }
    assert!(matches!(w.s.accept(&guesser.actor, "no-such-token", None, &meta()).await, Err(ServiceError::RateLimited(_))));
    w.clock.advance(601);
    assert!(
        w.s.invite(
            &admin.actor,
            InviteInput { provider_id: pid, emails: "late@acme.com".into(), user_type: Role::ServiceUser, permissions: Default::default() },
            &meta()
        )
        .await
        .is_ok()
    );
}

/// A failing SMTP server never fails the request and never loses the mail:
/// the failure is visible to the admin and the mail goes out on a later try.
async fn outbox_retries_until_delivered(w: World) {
    let admin = w.person("admin@acme.com").await;
    let (pid, _) = w.provider(&admin).await;
    w.invite(&admin, &pid, "slow@acme.com", Role::ServiceUser).await;
    let refused = service::mail::Mailer::smtp("127.0.0.1", 1, false, None, "Portal <p@acme.com>").unwrap();
    assert_eq!(service::mail::drain_once(&w.s, &refused).await, 0);
    let failed = w.s.failed_mails(&admin.actor, &pid).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, "slow@acme.com");
    assert!(!failed[0].2.is_empty(), "the error is recorded");
    let dir = std::env::temp_dir().join(format!("portal-mail-{}", service::new_id()));
    let files = service::mail::Mailer::dir(dir.clone(), "Portal <p@acme.com>").unwrap();
    assert_eq!(service::mail::drain_once(&w.s, &files).await, 0, "not before the backoff");
    w.clock.advance(service::mail::backoff(1) + 1);
    assert_eq!(service::mail::drain_once(&w.s, &files).await, 1);
    assert_eq!(service::mail::drain_once(&w.s, &files).await, 0, "sent exactly once");
    assert!(w.s.failed_mails(&admin.actor, &pid).await.unwrap().is_empty());
    let eml = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(eml).unwrap();
    assert!(text.contains("To: slow@acme.com") && text.contains("multipart/alternative") && text.contains("text/html"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// Member lists are kept between requests while the tenant's version stands
/// (`service::list_cache`). After every kind of change, including the accept
/// step that another person's request makes, the list served must be the one
/// an instance without the cache reads.
async fn cached_list_follows_every_change(mut w: World) {
    use std::sync::Arc;
    w.s.list_cache = Arc::new(service::list_cache::ListCache::new(1000));
    let mut fresh = w.s.clone();
    fresh.list_cache = Arc::new(service::list_cache::ListCache::new(0));
    let admin = w.person("admin@acme.com").await;
    let (pid, key) = w.provider(&admin).await;
    let same = |step: &'static str| {
        let (w, fresh, admin, pid) = (&w, &fresh, &admin, pid.clone());
        async move {
            let first = w.s.list_members(&admin.actor, &pid).await.unwrap();
            let again = w.s.list_members(&admin.actor, &pid).await.unwrap();
            let truth = fresh.list_members(&admin.actor, &pid).await.unwrap();
            assert_eq!(first, truth, "after {step}");
            assert_eq!(again, truth, "served from the cache after {step}");
            assert_eq!(w.s.list_cache.len(), 1, "the cache holds the list after {step}");
            truth
        }
    };
    same("creating the provider").await;
    w.invite(&admin, &pid, "a@acme.com, b@acme.com, c@acme.com", Role::ServiceUser).await;
    assert_eq!(same("inviting").await.len(), 4);
    let a = w.person("a@acme.com").await;
    let token = w.token_for("a@acme.com").await;
    w.s.accept(&a.actor, &token, None, &meta()).await.unwrap();
    assert_eq!(badge_of(&same("accepting").await, "a@acme.com"), Some(StatusBadge::NeedsConfirmation));
    let a_id = w.member_id(&admin, &pid, "a@acme.com").await;
    w.confirm(&admin, &pid, &key, vec![a_id.clone()]).await;
    assert_eq!(badge_of(&same("confirming").await, "a@acme.com"), Some(StatusBadge::Confirmed));
    w.s.set_user_type(&admin.actor, &pid, &a_id, Role::ProviderAdmin, Default::default(), &meta()).await.unwrap();
    let list = same("changing the user type").await;
    assert_eq!(list.iter().find(|m| m.email == "a@acme.com").unwrap().user_type, Role::ProviderAdmin);
    w.s.set_suspended(&admin.actor, &pid, &[a_id.clone()], true, &meta()).await.unwrap();
    assert_eq!(badge_of(&same("revoking").await, "a@acme.com"), Some(StatusBadge::Suspended));
    w.clock.advance(5 * DAY);
    assert_eq!(badge_of(&same("the invitations expiring").await, "b@acme.com"), Some(StatusBadge::Expired));
    let b_id = w.member_id(&admin, &pid, "b@acme.com").await;
    w.s.resend(&admin.actor, &pid, &[b_id.clone()], &meta()).await.unwrap();
    assert_eq!(badge_of(&same("resending").await, "b@acme.com"), Some(StatusBadge::Invited));
    w.s.remove(&admin.actor, &pid, &[b_id], &meta()).await.unwrap();
    assert_eq!(badge_of(&same("removing").await, "b@acme.com"), None);
    // A change made through another instance (its own cache, same database).
    fresh
        .invite(
            &admin.actor,
            InviteInput { provider_id: pid.clone(), emails: "d@acme.com".into(), user_type: Role::ServiceUser, permissions: Default::default() },
            &meta(),
        )
        .await
        .unwrap();
    assert_eq!(badge_of(&same("another instance inviting").await, "d@acme.com"), Some(StatusBadge::Invited));
    // The reader's own row is marked per request, not per cached list.
    let list = w.s.list_members(&admin.actor, &pid).await.unwrap();
    assert!(list.iter().find(|m| m.email == "admin@acme.com").unwrap().is_me);
    w.s.set_suspended(&admin.actor, &pid, &[a_id], false, &meta()).await.unwrap();
    let list = w.s.list_members(&a.actor, &pid).await.unwrap();
    assert!(list.iter().find(|m| m.email == "a@acme.com").unwrap().is_me);
    assert!(!list.iter().find(|m| m.email == "admin@acme.com").unwrap().is_me);
}

/// Sign-up and mail abuse: sign-ups limited per address, key fields capped,
/// resends limited per recipient, and the operator's SIGNUPS / PROVIDER_SETUP.
async fn signup_and_mail_limits(w: World) {
    let new = |email: &str| {
        let e = domain::Email::parse(email).unwrap();
        RegisterInput::for_new_account(email, "Someone", KdfParams::MIN, &crypto::new_account(PW, &e, KdfParams::MIN).unwrap())
    };
    let office = RequestMeta { ip: Some("192.0.2.50".into()) };
    for i in 0..service::accounts::SIGNUPS_PER_ADDRESS {
        w.s.register(new(&format!("s{i}@acme.com")), &office).await.unwrap();
    }
    let r = w.s.register(new("one-more@acme.com"), &office).await;
    assert!(matches!(r, Err(ServiceError::RateLimited(ref m)) if m.contains("sign-ups from your network")), "{r:?}");
    assert!(w.s.register(new("elsewhere@acme.com"), &RequestMeta { ip: Some("192.0.2.51".into()) }).await.is_ok());
    // Key fields larger than any this portal makes are refused, and nothing is stored.
    let big = RegisterInput { protected_private_key: format!("{}{}", new("x@acme.com").protected_private_key, "A".repeat(9000)), ..new("big@acme.com") };
    assert!(matches!(w.s.register(big, &RequestMeta::default()).await, Err(ServiceError::Validation(_))));
    assert!(w.s.prelogin("big@acme.com", &meta()).await.unwrap() == KdfParams::default(), "no account was made");

    // Resending to one address: a few a day, then skipped with the reason.
    let admin = w.person("admin@acme.com").await;
    let (pid, _) = w.provider(&admin).await;
    w.invite(&admin, &pid, "often@acme.com", Role::ServiceUser).await;
    let id = w.member_id(&admin, &pid, "often@acme.com").await;
    for _ in 0..service::members::RESENDS_PER_RECIPIENT {
        assert_eq!(w.s.resend(&admin.actor, &pid, std::slice::from_ref(&id), &meta()).await.unwrap()[0].skipped, None);
    }
    let r = w.s.resend(&admin.actor, &pid, std::slice::from_ref(&id), &meta()).await.unwrap();
    assert!(r[0].skipped.as_deref().is_some_and(|m| m.contains("Try again tomorrow")), "{r:?}");

    // SIGNUPS=invite-only: only an invited address, with its invitation's token.
    let settings = ServiceSettings {
        signups: service::access::Signups::InviteOnly,
        provider_setup: service::access::ProviderSetup::parse("boss@acme.com").unwrap(),
        ..Default::default()
    };
    let strict = Services::new(w.s.store.clone(), settings, w.clock.clone());
    let r = strict.register(new("walk-in@acme.com"), &RequestMeta::default()).await;
    assert!(matches!(r, Err(ServiceError::Forbidden(ref m)) if m.contains("invited people only")), "{r:?}");
    w.invite(&admin, &pid, "invited@acme.com", Role::ServiceUser).await;
    let token = w.token_for("invited@acme.com").await;
    strict.register(RegisterInput { invite_token: Some(token.clone()), ..new("invited@acme.com") }, &RequestMeta::default()).await.unwrap();
    let r = strict.register(RegisterInput { invite_token: Some(token), ..new("other@acme.com") }, &RequestMeta::default()).await;
    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "another address's invitation does not open sign-up: {r:?}");
    // PROVIDER_SETUP=boss@acme.com: nobody else sets up a provider.
    let key = crypto::seal_to(&admin.keys.key_pair.public_spki(), &SymmetricKey::generate().to_bytes()).unwrap();
    let r = strict
        .create_provider(&admin.actor, SetupProviderInput { name: "Rogue MSP".into(), billing_email: "b@acme.com".into(), wrapped_key: key }, &meta())
        .await;
    assert!(matches!(r, Err(ServiceError::Forbidden(ref m)) if m.contains("only the people its operator named")), "{r:?}");
}

both!(
    signup_and_mail_limits,
    invite_accept_confirm_flow,
    expiry_resend_and_remove_kill_tokens,
    last_admin_rules,
    role_matrix,
    confirm_needs_a_sealed_key,
    login_and_prelogin,
    outbox_retries_until_delivered,
    rate_limits,
    cached_list_follows_every_change
);
