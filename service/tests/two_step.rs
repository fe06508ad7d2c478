//! Two-step login with an authenticator app or emailed codes: turning it on
//! and off, the second step of every log-in, codes used once, throttling,
//! remembered browsers and the recovery code.

#[macro_use]
mod common;
use common::*;
use domain::api::*;
use domain::totp::Totp;
use domain::{Email, KdfParams, crypto};
use service::ServiceError;

fn auth_hash(email: &str, password: &str) -> String {
    let master = crypto::master_key(password, &Email::parse(email).unwrap(), KdfParams::MIN).unwrap();
    crypto::auth_hash(&master, password)
}

fn code(w: &World, key: &str) -> String {
    Totp::parse(key).unwrap().code_at(w.s.now() as u64)
}

fn login(email: &str, answer: Option<TwoFactorAnswer>) -> LoginInput {
    LoginInput { two_factor: answer, ..LoginInput::new(email, auth_hash(email, PW)) }
}

fn field_of(r: &Result<(String, Me, Option<String>), ServiceError>) -> Option<String> {
    match r {
        Err(ServiceError::Validation(v)) => v.first().map(|f| f.field.clone()),
        _ => None,
    }
}

async fn turn_on(w: &World, p: &Person) -> (String, String) {
    let email = p.actor.email().to_string();
    let (key, uri) = w.s.start_authenticator(&p.actor, &auth_hash(&email, PW), &meta()).await.unwrap();
    assert!(uri.contains(&format!("secret={key}")), "{uri}");
    let recovery = w.s.enable_authenticator(&p.actor, &code(w, &key)).await.unwrap();
    (key, recovery)
}

async fn authenticator_as_second_step(w: World) {
    let ann = w.person("ann@acme.com").await;
    let email = "ann@acme.com";
    let wrong = w.s.start_authenticator(&ann.actor, &auth_hash(email, "not my password"), &meta()).await;
    assert!(matches!(&wrong, Err(ServiceError::Validation(v)) if v[0].field == "password"), "{wrong:?}");

    // A key being set up is not in force yet; a wrong first code keeps it off.
    let (key, _) = w.s.start_authenticator(&ann.actor, &auth_hash(email, PW), &meta()).await.unwrap();
    assert!(w.s.login_remembering(login(email, None), &meta()).await.is_ok());
    let r = w.s.enable_authenticator(&ann.actor, "000000").await;
    assert!(matches!(&r, Err(ServiceError::Validation(v)) if v[0].field == "code"), "{r:?}");
    assert_eq!(w.s.two_factor_status(&ann.actor).await.unwrap().enabled_at, None);
    let subjects = |w: &World, to: &'static str| {
        let store = w.s.store.clone();
        async move { store.mails_to(to).await.unwrap().into_iter().map(|m| m.subject).collect::<Vec<_>>() }
    };
    assert!(subjects(&w, email).await.is_empty(), "a refused code mails nothing");
    let recovery = w.s.enable_authenticator(&ann.actor, &code(&w, &key)).await.unwrap();
    assert_eq!(w.s.two_factor_status(&ann.actor).await.unwrap().enabled_at, Some(w.s.now()));
    assert_eq!(subjects(&w, email).await, ["Two-step login is on"], "the owner is told");
    let again = w.s.start_authenticator(&ann.actor, &auth_hash(email, PW), &meta()).await;
    assert!(matches!(again, Err(ServiceError::Conflict(_))), "{again:?}");

    // The password alone is not enough now, nor is the code that turned it on.
    let r = w.s.login_remembering(login(email, None), &meta()).await;
    assert_eq!(field_of(&r).as_deref(), Some("two_factor"));
    let spent = TwoFactorAnswer::Authenticator { code: code(&w, &key), remember: false };
    assert_eq!(field_of(&w.s.login_remembering(login(email, Some(spent)), &meta()).await).as_deref(), Some("code"), "a code works once");
    // A wrong password says nothing about the second step.
    let r = w.s.login_remembering(LoginInput::new(email, auth_hash(email, "wrong")), &meta()).await;
    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{r:?}");

    // The next code logs in, and can remember this browser.
    w.clock.advance(30);
    let next = TwoFactorAnswer::Authenticator { code: code(&w, &key), remember: true };
    let (_, me, remember) = w.s.login_remembering(login(email, Some(next)), &meta()).await.unwrap();
    assert_eq!(me.email, email);
    let remember = remember.expect("a remembered-browser token");
    assert!(w.s.login_remembering(login(email, Some(TwoFactorAnswer::Remembered { token: remember.clone() })), &meta()).await.is_ok());
    let forged = TwoFactorAnswer::Remembered { token: "pp_not-a-real-token".into() };
    assert_eq!(field_of(&w.s.login_remembering(login(email, Some(forged)), &meta()).await).as_deref(), Some("two_factor"));
    // Another account cannot use Ann's remembered browser.
    let bob = w.person("bob@acme.com").await;
    turn_on(&w, &bob).await;
    let borrowed = TwoFactorAnswer::Remembered { token: remember.clone() };
    assert_eq!(field_of(&w.s.login_remembering(login("bob@acme.com", Some(borrowed)), &meta()).await).as_deref(), Some("two_factor"));
    // Remembered for 30 days, not 31.
    w.clock.advance(31 * DAY);
    let late = TwoFactorAnswer::Remembered { token: remember };
    assert_eq!(field_of(&w.s.login_remembering(login(email, Some(late)), &meta()).await).as_deref(), Some("two_factor"));

    // Wrong codes are throttled per account: after the free ones, even the right code waits.
    for _ in 0..service::throttle::FREE_FAILURES + 1 {
        let _ = w.s.login_remembering(login(email, Some(TwoFactorAnswer::Authenticator { code: "123456".into(), remember: false })), &meta()).await;
    }
    w.clock.advance(1);
    let right = TwoFactorAnswer::Authenticator { code: code(&w, &key), remember: false };
    let r = w.s.login_remembering(login(email, Some(right)), &meta()).await;
    assert!(matches!(r, Err(ServiceError::RateLimited(_))), "{r:?}");
    w.clock.advance(service::throttle::MAX_DELAY_SECS + 60);

    // The recovery code turns it off (a wrong one does not).
    let wrong = TwoFactorAnswer::Recovery { code: "AAAA-BBBB".into() };
    assert_eq!(field_of(&w.s.login_remembering(login(email, Some(wrong)), &meta()).await).as_deref(), Some("code"));
    let typed = recovery.to_lowercase().replace('-', " ");
    assert!(w.s.login_remembering(login(email, Some(TwoFactorAnswer::Recovery { code: typed })), &meta()).await.is_ok());
    assert_eq!(w.s.two_factor_status(&ann.actor).await.unwrap().enabled_at, None);
    let off = w.s.store.mails_to(email).await.unwrap().into_iter().find(|m| m.subject == "Two-step login was turned off").expect("told it went off");
    assert!(off.text_body.contains("with your recovery code"), "{}", off.text_body);
    assert!(w.s.login_remembering(login(email, None), &meta()).await.is_ok(), "off: the password alone");
}

async fn turning_off_asks_for_the_password(w: World) {
    let cy = w.person("cy@acme.com").await;
    let (key, _) = turn_on(&w, &cy).await;
    let r = w.s.disable_two_factor(&cy.actor, &auth_hash("cy@acme.com", "guess"), &meta()).await;
    assert!(matches!(&r, Err(ServiceError::Validation(v)) if v[0].field == "password"), "{r:?}");
    assert!(w.s.two_factor_status(&cy.actor).await.unwrap().enabled_at.is_some());
    w.s.disable_two_factor(&cy.actor, &auth_hash("cy@acme.com", PW), &meta()).await.unwrap();
    assert_eq!(w.s.two_factor_status(&cy.actor).await.unwrap().enabled_at, None);
    assert!(w.s.login_remembering(login("cy@acme.com", None), &meta()).await.is_ok());
    // Turned on again: a new key; the old app's codes open nothing.
    w.clock.advance(30);
    let (new_key, _) = turn_on(&w, &cy).await;
    assert_ne!(new_key, key);
    w.clock.advance(30);
    let old = TwoFactorAnswer::Authenticator { code: code(&w, &key), remember: false };
    assert_eq!(field_of(&w.s.login_remembering(login("cy@acme.com", Some(old)), &meta()).await).as_deref(), Some("code"));
}

/// A provider that requires two-step login of its staff: a Provider admin
/// turns it on only with their own on; staff without it cannot open the
/// provider, its key or (in their apps) its clients until they turn it on;
/// Service users cannot change it.
async fn provider_requires_two_step_of_staff(w: World) {
    let admin = w.person("admin@msp.com").await;
    let (pid, key) = w.provider(&admin).await;
    let su = w.joined(&admin, &pid, &key, "su@msp.com", domain::member::Role::ServiceUser).await;
    let r = w.s.require_staff_two_step(&admin.actor, &pid, true, &meta()).await;
    assert!(matches!(r, Err(ServiceError::Conflict(_))), "not before the admin's own: {r:?}");
    turn_on(&w, &admin).await;
    w.s.require_staff_two_step(&admin.actor, &pid, true, &meta()).await.unwrap();
    assert!(w.s.staff_two_step_required(&admin.actor, &pid).await.unwrap());

    let r = w.s.clients(&su.actor, &pid).await;
    assert!(matches!(&r, Err(ServiceError::Forbidden(m)) if m.contains("requires two-step login")), "{r:?}");
    assert_eq!(w.s.me(&su.actor).await.unwrap().providers[0].wrapped_key, None, "no provider key until it is on");
    assert!(w.s.app_sync(&su.actor).await.unwrap().providers.is_empty());
    assert!(w.s.clients(&admin.actor, &pid).await.is_ok());

    w.clock.advance(30);
    turn_on(&w, &su).await;
    assert!(w.s.clients(&su.actor, &pid).await.is_ok());
    assert!(w.s.me(&su.actor).await.unwrap().providers[0].wrapped_key.is_some());
    assert_eq!(w.s.app_sync(&su.actor).await.unwrap().providers.len(), 1);
    let r = w.s.require_staff_two_step(&su.actor, &pid, false, &meta()).await;
    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{r:?}");
    w.s.require_staff_two_step(&admin.actor, &pid, false, &meta()).await.unwrap();
    assert!(!w.s.staff_two_step_required(&admin.actor, &pid).await.unwrap());
}

/// The newest mailed code whose subject starts with `subject`, and how many
/// such mails there are.
async fn mailed_code(w: &World, to: &str, subject: &str) -> (String, usize) {
    let mails: Vec<_> = w.s.store.mails_to(to).await.unwrap().into_iter().filter(|m| m.subject.starts_with(subject)).collect();
    let last = mails.last().unwrap_or_else(|| panic!("no mail {subject:?} to {to}"));
    let code = last.subject.rsplit(' ').next().unwrap().to_string();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{}", last.subject);
    assert!(last.text_body.contains(&code) && last.expires_at == Some(last.created_at + 600), "the code, never sent after it expires");
    (code, mails.len())
}

const SETUP_MAIL: &str = "Your code to turn on two-step login:";
const LOGIN_MAIL: &str = "Your Provider Portal log-in code:";

async fn email_codes_as_second_step(w: World) {
    let email = "erin@acme.com";
    let erin = w.person(email).await;
    let r = w.s.start_email_two_step(&erin.actor, &auth_hash(email, "not my password"), &meta()).await;
    assert!(matches!(&r, Err(ServiceError::Validation(v)) if v[0].field == "password"), "{r:?}");
    assert!(w.s.store.mails_to(email).await.unwrap().is_empty(), "a wrong password mails nothing");

    // Turning it on: a code to the address proves it reaches the person.
    assert_eq!(w.s.start_email_two_step(&erin.actor, &auth_hash(email, PW), &meta()).await.unwrap(), email);
    let (setup_code, _) = mailed_code(&w, email, SETUP_MAIL).await;
    assert_eq!(w.s.two_factor_status(&erin.actor).await.unwrap().enabled_at, None, "not on before the code");
    let wrong = if setup_code == "000000" { "111111" } else { "000000" };
    let r = w.s.enable_email_two_step(&erin.actor, wrong).await;
    // The card offers no "send a new code" while turning it on: the message says what it does offer.
    assert!(matches!(&r, Err(ServiceError::Validation(v)) if v[0].field == "code" && v[0].message == service::two_factor::WRONG_SETUP_EMAIL_CODE), "{r:?}");
    let recovery = w.s.enable_email_two_step(&erin.actor, &setup_code).await.unwrap();
    let status = w.s.two_factor_status(&erin.actor).await.unwrap();
    assert_eq!((status.enabled_at, status.method), (Some(w.s.now()), Some(domain::two_factor::Method::Email)));
    let on = w.s.store.mails_to(email).await.unwrap().into_iter().find(|m| m.subject == "Two-step login is on").expect("told it is on");
    assert!(on.text_body.contains("a code we send to this address"), "{}", on.text_body);
    assert!(matches!(w.s.enable_email_two_step(&erin.actor, &setup_code).await, Err(ServiceError::Validation(_))), "the setup code works once");
    let r = w.s.start_authenticator(&erin.actor, &auth_hash(email, PW), &meta()).await;
    assert!(matches!(r, Err(ServiceError::Conflict(_))), "one method at a time: {r:?}");
    let r = w.s.start_email_two_step(&erin.actor, &auth_hash(email, PW), &meta()).await;
    assert!(matches!(r, Err(ServiceError::Conflict(_))), "{r:?}");

    // A log-in: the password mails a code and asks for it, saying where it went.
    let r = w.s.login_remembering(login(email, None), &meta()).await;
    match &r {
        Err(ServiceError::Validation(v)) => {
            assert_eq!(v[0].field, TWO_STEP_EMAIL_FIELD);
            assert!(v[0].message.contains("e***@acme.com") && !v[0].message.contains(email), "masked: {}", v[0].message);
        }
        other => panic!("{other:?}"),
    }
    let (first, sent) = mailed_code(&w, email, LOGIN_MAIL).await;
    assert_eq!(sent, 1);
    // Asked again within a minute (the apps do: token, then send-email-login): no second mail.
    assert_eq!(field_of(&w.s.login_remembering(login(email, None), &meta()).await).as_deref(), Some(TWO_STEP_EMAIL_FIELD));
    assert!(!w.s.send_login_email_code(email, &auth_hash(email, PW), &meta()).await.unwrap());
    assert_eq!(mailed_code(&w, email, LOGIN_MAIL).await, (first.clone(), 1));
    // The wrong password sends nothing and says nothing of the second step.
    let r = w.s.send_login_email_code(email, &auth_hash(email, "guess"), &meta()).await;
    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{r:?}");
    // The emailed code is not an authenticator code, nor is a wrong one right.
    let as_app = TwoFactorAnswer::Authenticator { code: first.clone(), remember: false };
    assert_eq!(field_of(&w.s.login_remembering(login(email, Some(as_app)), &meta()).await).as_deref(), Some("code"));
    let other = if first == "123456" { "654321" } else { "123456" };
    let wrong = TwoFactorAnswer::Email { code: other.into(), remember: false };
    assert_eq!(field_of(&w.s.login_remembering(login(email, Some(wrong)), &meta()).await).as_deref(), Some("code"));
    let right = TwoFactorAnswer::Email { code: first.clone(), remember: true };
    let (_, me, remember) = w.s.login_remembering(login(email, Some(right.clone())), &meta()).await.unwrap();
    assert_eq!(me.email, email);
    let remember = remember.expect("remembered browser");
    assert!(w.s.login_remembering(login(email, Some(TwoFactorAnswer::Remembered { token: remember })), &meta()).await.is_ok());
    assert_eq!(field_of(&w.s.login_remembering(login(email, Some(right)), &meta()).await).as_deref(), Some("code"), "a code works once");

    // A new code after the pause replaces the old one; codes expire after ten minutes.
    w.clock.advance(61);
    assert!(w.s.send_login_email_code(email, &auth_hash(email, PW), &meta()).await.unwrap());
    let (second, sent) = mailed_code(&w, email, LOGIN_MAIL).await;
    assert_eq!(sent, 2);
    w.clock.advance(601);
    let late = TwoFactorAnswer::Email { code: second, remember: false };
    assert_eq!(field_of(&w.s.login_remembering(login(email, Some(late)), &meta()).await).as_deref(), Some("code"), "expired");

    // At most ten codes an hour to one address.
    let mut refused = None;
    for _ in 0..12 {
        w.clock.advance(61);
        match w.s.send_login_email_code(email, &auth_hash(email, PW), &meta()).await {
            Ok(_) => {}
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    assert!(matches!(&refused, Some(ServiceError::RateLimited(m)) if m.contains("Too many codes")), "{refused:?}");
    let (_, sent) = mailed_code(&w, email, LOGIN_MAIL).await;
    assert!(sent <= 2 + domain::two_factor::EMAIL_CODES_PER_HOUR as usize, "{sent} log-in mails");
    // At the cap a log-in still asks for the code (the newest one works), saying why none came.
    let (newest, _) = mailed_code(&w, email, LOGIN_MAIL).await;
    match w.s.login_remembering(login(email, None), &meta()).await {
        Err(ServiceError::Validation(v)) => assert!(v[0].field == TWO_STEP_EMAIL_FIELD && v[0].message.contains("none was sent now"), "{v:?}"),
        other => panic!("{other:?}"),
    }
    assert!(w.s.login_remembering(login(email, Some(TwoFactorAnswer::Email { code: newest, remember: false })), &meta()).await.is_ok());

    // An account with the authenticator app cannot have codes mailed.
    let finn = w.person("finn@acme.com").await;
    turn_on(&w, &finn).await;
    let r = w.s.send_login_email_code("finn@acme.com", &auth_hash("finn@acme.com", PW), &meta()).await;
    assert!(matches!(&r, Err(ServiceError::Validation(v)) if v[0].message.contains("not on")), "{r:?}");

    // The recovery code turns it off; then the password alone logs in.
    w.clock.advance(3600);
    assert!(w.s.login_remembering(login(email, Some(TwoFactorAnswer::Recovery { code: recovery })), &meta()).await.is_ok());
    assert_eq!(w.s.two_factor_status(&erin.actor).await.unwrap().method, None);
    let before = w.s.store.mails_to(email).await.unwrap().len();
    assert!(w.s.login_remembering(login(email, None), &meta()).await.is_ok());
    assert_eq!(w.s.store.mails_to(email).await.unwrap().len(), before, "off: no code mailed");
}

/// Security keys: bound to PUBLIC_URL's domain (none at an IP address),
/// started only with the master password and not over another method, and
/// an answer that does not verify is refused, spends the challenge and
/// changes nothing. (The whole ceremony with a real authenticator is the
/// browser test end2end/tests/security-key.spec.mjs.)
async fn security_keys_are_checked(w: World) {
    let kim = w.person("kim@acme.com").await;
    let email = "kim@acme.com";
    let at_ip = w.s.start_security_key(&kim.actor, &auth_hash(email, PW), &meta()).await;
    assert!(matches!(&at_ip, Err(ServiceError::Conflict(m)) if m == service::security_keys::NO_DOMAIN), "{at_ip:?}");

    let settings = service::ServiceSettings { base_url: "https://vault.acme.com".into(), ..Default::default() };
    let s = service::Services::new(w.s.store.clone(), settings, w.clock.clone());
    let wrong = s.start_security_key(&kim.actor, &auth_hash(email, "not my password"), &meta()).await;
    assert!(matches!(&wrong, Err(ServiceError::Validation(v)) if v[0].field == "password"), "{wrong:?}");
    let options: serde_json::Value = serde_json::from_str(&s.start_security_key(&kim.actor, &auth_hash(email, PW), &meta()).await.unwrap()).unwrap();
    assert_eq!(options["rp"]["id"], "vault.acme.com", "{options}");
    assert_eq!(options["user"]["name"], email);
    assert!(options["challenge"].as_str().is_some_and(|c| c.len() >= 22), "{options}");
    // Presence only, and no credProtect policy: Chromium refuses that policy
    // for a key that is not resident, so no key would register from Chrome.
    assert_eq!(options["authenticatorSelection"]["userVerification"], "discouraged", "{options}");
    assert!(options["extensions"].get("credentialProtectionPolicy").is_none(), "{options}");

    // A bad name is refused before the challenge is spent.
    let r = s.finish_security_key(&kim.actor, "  ", "{}").await;
    assert!(matches!(&r, Err(ServiceError::Validation(v)) if v[0].field == "name"), "{r:?}");
    // An answer that is not a key's is refused; the challenge goes with it.
    let r = s.finish_security_key(&kim.actor, "Work key", r#"{"id":"x"}"#).await;
    assert!(matches!(&r, Err(ServiceError::Validation(v)) if v[0].field == "response"), "{r:?}");
    let r = s.finish_security_key(&kim.actor, "Work key", r#"{"id":"x"}"#).await;
    assert!(matches!(r, Err(ServiceError::Conflict(_))), "a challenge answers once: {r:?}");
    let status = s.two_factor_status(&kim.actor).await.unwrap();
    assert_eq!((status.enabled_at, status.security_keys.len()), (None, 0));
    assert!(s.store.mails_to(email).await.unwrap().is_empty(), "nothing happened, nothing told");
    assert!(s.login_remembering(login(email, None), &meta()).await.is_ok(), "still the password alone");
    let r = s.remove_security_key(&kim.actor, "no-such-key").await;
    assert!(matches!(r, Err(ServiceError::NotFound(_))), "{r:?}");

    // With an authenticator app on, no key is started, and a key's answer is no code.
    let (key, _) = turn_on(&w, &kim).await;
    let r = s.start_security_key(&kim.actor, &auth_hash(email, PW), &meta()).await;
    assert!(matches!(&r, Err(ServiceError::Conflict(m)) if m == service::security_keys::OTHER_METHOD_ON), "{r:?}");
    let answer = TwoFactorAnswer::SecurityKey { response: r#"{"id":"x"}"#.into(), remember: false };
    assert_eq!(field_of(&w.s.login_remembering(login(email, Some(answer)), &meta()).await).as_deref(), Some("code"));
    w.clock.advance(30);
    let right = TwoFactorAnswer::Authenticator { code: code(&w, &key), remember: false };
    assert!(w.s.login_remembering(login(email, Some(right)), &meta()).await.is_ok(), "the app's code still works");
}

both!(
    security_keys_are_checked,
    email_codes_as_second_step,
    authenticator_as_second_step,
    turning_off_asks_for_the_password,
    provider_requires_two_step_of_staff
);
