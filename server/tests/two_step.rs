//! Two-step login over HTTP: the portal's server functions and the token
//! endpoint as Bitwarden's apps call it (the challenge `bw login` reads, the
//! code, a remembered app), on the real router.

mod common;

use common::*;
use domain::totp::Totp;

/// The server's own clock (the codes are checked against it).
fn now() -> u64 {
    use service::Clock;
    SystemClock.now() as u64
}

async fn token(base: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let r = reqwest::Client::new().post(format!("{base}/identity/connect/token")).form(form).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_and_apps_ask_for_the_code() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let ann = Browser::new(&app, "ann@x.com").sign_up().await;
    let (s, v) = ann.call("accounts/two-step", json!({})).await;
    assert_eq!((s, &v["enabled_at"]), (StatusCode::OK, &Value::Null), "{v}");

    // Turning it on asks for the master password, shows a QR code, and takes the first code.
    let (s, v) = ann.call("accounts/two-step/start", json!({ "auth_hash": "AAAA" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, setup) = ann.call("accounts/two-step/start", json!({ "auth_hash": ann.auth_hash })).await;
    assert_eq!(s, StatusCode::OK, "{setup}");
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"), "{setup}");
    assert!(setup["uri"].as_str().unwrap().starts_with("otpauth://totp/Provider%20Portal:ann%40x.com?secret="));
    let totp = Totp::parse(setup["key"].as_str().unwrap()).unwrap();
    let (s, recovery) = ann.call("accounts/two-step/enable", json!({ "code": totp.code_at(now()) })).await;
    assert_eq!(s, StatusCode::OK, "{recovery}");
    let (_, v) = ann.call("accounts/two-step", json!({})).await;
    assert!(v["enabled_at"].is_i64(), "{v}");

    // The portal: the password alone is answered with the two_factor field.
    let login = |answer: Value| json!({ "input": { "email": "ann@x.com", "auth_hash": ann.auth_hash, "two_factor": answer } });
    let (s, v) = ann.call("accounts/login", login(Value::Null)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["Validation"][0]["field"], "two_factor", "{v}");

    // An app: the challenge Bitwarden's apps read, then the code.
    let base_form = [
        ("grant_type", "password"),
        ("username", "ann@x.com"),
        ("password", ann.auth_hash.as_str()),
        ("scope", "api offline_access"),
        ("client_id", "cli"),
        ("deviceType", "14"),
        ("deviceIdentifier", "7c1e9a52-0d8b-4f5e-9d7a-3b2c1d0e9f8a"),
        ("deviceName", "linux"),
    ];
    let (s, v) = token(&app.base, &base_form).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!((&v["error"], &v["TwoFactorProviders"], &v["TwoFactorProviders2"]), (&json!("invalid_grant"), &json!(["0"]), &json!({ "0": null })), "{v}");
    let wrong = [base_form.as_slice(), &[("twoFactorProvider", "0"), ("twoFactorToken", "000000")]].concat();
    let (s, v) = token(&app.base, &wrong).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["ErrorModel"]["Message"].as_str().unwrap().contains("not correct"), "{v}");
    assert!(v.get("TwoFactorProviders2").is_none(), "a wrong code is said, not asked again: {v}");
    let next = totp.code_at(now() + 30);
    let with_code = [base_form.as_slice(), &[("twoFactorProvider", "0"), ("twoFactorToken", next.as_str()), ("twoFactorRemember", "1")]].concat();
    let (s, v) = token(&app.base, &with_code).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["access_token"].is_string());
    let remembered = v["TwoFactorToken"].as_str().expect("the app asked to be remembered").to_string();
    let (s, v) = token(&app.base, &with_code).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "the same code again: {v}");

    // The remembered app logs in without a code; the portal takes the same token.
    let again = [base_form.as_slice(), &[("twoFactorProvider", "5"), ("twoFactorToken", remembered.as_str())]].concat();
    let (s, v) = token(&app.base, &again).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = ann.call("accounts/login", login(json!({ "Remembered": { "token": remembered } }))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The API key stays a log-in of its own (as in Bitwarden: no second step).
    let (s, key) = ann.call("accounts/api-key", json!({ "auth_hash": ann.auth_hash })).await;
    assert_eq!(s, StatusCode::OK, "{key}");

    // The recovery code (provider 8 in the apps) turns it off.
    let rec = recovery.as_str().unwrap().to_string();
    let with_recovery = [base_form.as_slice(), &[("twoFactorProvider", "8"), ("twoFactorToken", rec.as_str())]].concat();
    let (s, v) = token(&app.base, &with_recovery).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = ann.call("accounts/two-step", json!({})).await;
    assert_eq!(v["enabled_at"], Value::Null, "{v}");
    let (s, v) = token(&app.base, &base_form).await;
    assert_eq!(s, StatusCode::OK, "off: the password alone: {v}");
}

/// The code of the one mail to `to` whose subject starts with `subject` and
/// whose code is none of `seen` (mails of the same second have no order).
async fn mailed_code(store: &db::DynStore, to: &str, subject: &str, seen: &[&str]) -> String {
    let mails = store.mails_to(to).await.unwrap();
    let codes: Vec<String> = mails
        .iter()
        .filter(|m| m.subject.starts_with(subject))
        .map(|m| m.subject.rsplit(' ').next().unwrap().to_string())
        .filter(|c| !seen.contains(&c.as_str()))
        .collect();
    assert_eq!(codes.len(), 1, "one new {subject:?} mail: {codes:?}");
    codes[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_and_apps_take_emailed_codes() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let cy = Browser::new(&app, "cy@x.com").sign_up().await;
    let (s, v) = cy.call("accounts/two-step/email/start", json!({ "auth_hash": "AAAA" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = cy.call("accounts/two-step/email/start", json!({ "auth_hash": cy.auth_hash })).await;
    assert_eq!((s, v), (StatusCode::OK, json!("cy@x.com")));
    let setup = mailed_code(&db.store, "cy@x.com", "Your code to turn on", &[]).await;
    let (s, recovery) = cy.call("accounts/two-step/email/enable", json!({ "code": setup })).await;
    assert_eq!(s, StatusCode::OK, "{recovery}");
    let (_, v) = cy.call("accounts/two-step", json!({})).await;
    assert_eq!(v["method"], "Email", "{v}");

    // An app: the challenge names email (provider 1) with the address masked; the code is mailed.
    let base_form = [
        ("grant_type", "password"),
        ("username", "cy@x.com"),
        ("password", cy.auth_hash.as_str()),
        ("scope", "api offline_access"),
        ("client_id", "cli"),
        ("deviceType", "14"),
        ("deviceIdentifier", "0b6f3c1e-2a4d-4e8f-9a7b-5c3d2e1f0a9b"),
        ("deviceName", "linux"),
    ];
    let (s, v) = token(&app.base, &base_form).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!((&v["TwoFactorProviders"], &v["TwoFactorProviders2"]), (&json!(["1"]), &json!({ "1": { "Email": "c***@x.com" } })), "{v}");
    let first = mailed_code(&db.store, "cy@x.com", "Your Provider Portal log-in code", &[]).await;
    // The apps then ask for the mail themselves: answered, and no second mail within the minute.
    let send = |hash: &str| {
        let body = json!({ "email": "cy@x.com", "masterPasswordHash": hash, "deviceIdentifier": "0b6f3c1e-2a4d-4e8f-9a7b-5c3d2e1f0a9b" });
        let url = format!("{}/api/two-factor/send-email-login", app.base);
        async move { reqwest::Client::new().post(url).json(&body).send().await.unwrap().status() }
    };
    assert_eq!(send(&cy.auth_hash).await, StatusCode::OK);
    assert_ne!(send("AAAA").await, StatusCode::OK, "the wrong password hash is refused");
    let count = |subject: &'static str| {
        let store = db.store.clone();
        async move { store.mails_to("cy@x.com").await.unwrap().iter().filter(|m| m.subject.starts_with(subject)).count() }
    };
    assert_eq!(count("Your Provider Portal log-in code").await, 1);
    let wrong = [base_form.as_slice(), &[("twoFactorProvider", "1"), ("twoFactorToken", if first == "000000" { "111111" } else { "000000" })]].concat();
    let (s, v) = token(&app.base, &wrong).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["ErrorModel"]["Message"].as_str().unwrap().contains("not correct"), "{v}");
    let right = [base_form.as_slice(), &[("twoFactorProvider", "1"), ("twoFactorToken", first.as_str())]].concat();
    let (s, v) = token(&app.base, &right).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let access = v["access_token"].as_str().unwrap().to_string();
    let sync: Value = reqwest::Client::new().get(format!("{}/api/sync", app.base)).bearer_auth(&access).send().await.unwrap().json().await.unwrap();
    assert_eq!(sync["profile"]["twoFactorEnabled"], true, "the profile says two-step login is on");
    let (s, _) = token(&app.base, &right).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "the code works once");

    // The portal: the two_factor_email field says where the code went; a new code on request.
    let (s, v) = cy.call("accounts/login", json!({ "input": { "email": "cy@x.com", "auth_hash": cy.auth_hash } })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["Validation"][0]["field"], "two_factor_email", "{v}");
    assert!(v["Validation"][0]["message"].as_str().unwrap().contains("c***@x.com"), "{v}");
    let code = mailed_code(&db.store, "cy@x.com", "Your Provider Portal log-in code", &[&first]).await;
    let (s, v) = cy.call("accounts/login/send-code", json!({ "email": "cy@x.com", "auth_hash": cy.auth_hash })).await;
    assert_eq!((s, v), (StatusCode::OK, json!(false)), "not again within the minute");
    let (s, v) = cy
        .call(
            "accounts/login",
            json!({ "input": { "email": "cy@x.com", "auth_hash": cy.auth_hash, "two_factor": { "Email": { "code": code, "remember": false } } } }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The recovery code (provider 8) turns it off, in the apps too.
    let rec = recovery.as_str().unwrap().to_string();
    let with_recovery = [base_form.as_slice(), &[("twoFactorProvider", "8"), ("twoFactorToken", rec.as_str())]].concat();
    let (s, v) = token(&app.base, &with_recovery).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = token(&app.base, &base_form).await;
    assert_eq!(s, StatusCode::OK, "off: the password alone: {v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_browser_gets_a_cookie() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let bo = Browser::new(&app, "bo@x.com").sign_up().await;
    let (_, setup) = bo.call("accounts/two-step/start", json!({ "auth_hash": bo.auth_hash })).await;
    let totp = Totp::parse(setup["key"].as_str().unwrap()).unwrap();
    let (s, _) = bo.call("accounts/two-step/enable", json!({ "code": totp.code_at(now()) })).await;
    assert_eq!(s, StatusCode::OK);
    let r = bo
        .http
        .post(format!("{}/api/accounts/login", app.base))
        .json(&json!({ "input": { "email": "bo@x.com", "auth_hash": bo.auth_hash, "two_factor": { "Authenticator": { "code": totp.code_at(now() + 30), "remember": true } } } }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookies: Vec<String> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let remember = cookies.iter().find(|c| c.starts_with("pp_two_step=")).expect("the remember cookie");
    assert!(remember.contains("HttpOnly") && remember.contains("Max-Age=2592000"), "{remember}");
    // The same browser (its cookie jar) logs in again without a code.
    let (s, v) = bo.call("accounts/login", json!({ "input": { "email": "bo@x.com", "auth_hash": bo.auth_hash } })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Another browser is asked.
    let other = Browser::new(&app, "bo@x.com");
    let (s, v) = other.call("accounts/login", json!({ "input": { "email": "bo@x.com", "auth_hash": bo.auth_hash } })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}

/// Account recovery reaches Bitwarden's apps: after an administrator resets
/// an enrolled member's master password, the token endpoint takes the new
/// password's hash (and not the old), and the `Key` it hands out opens with
/// the new password to the member's same user key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recovered_member_logs_in_to_the_apps_with_the_new_password() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let admin = Browser::new(&app, "admin@msp.com").sign_up().await;
    let (pid, pkey) = provider(&admin).await;
    let (s, _) = admin.call("providers/seats", json!({ "provider_id": pid, "seats": 10 })).await;
    assert_eq!(s, StatusCode::OK);
    let org_key = SymmetricKey::generate();
    let (s, v) = admin
        .call("clients/create", json!({ "input": { "provider_id": pid, "name": "Contoso", "owner_email": "owner@contoso.com", "seats": 5, "org_key": pkey.encrypt(&org_key.to_bytes()) } }))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let oid = v["id"].as_str().unwrap().to_string();
    let mia = join(&app, &admin, &oid, &org_key, "mia@contoso.com", Role::User).await;

    let (public, private) = domain::recovery::new_org_key_pair(&org_key);
    let (s, v) = admin.call("organizations/recovery/setup", json!({ "org_id": oid, "public_key": public, "private_key": private })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mia_key = mia.keys.as_ref().unwrap().user_key.to_bytes();
    let sealed = domain::recovery::enrol(&public, &mia.keys.as_ref().unwrap().user_key).unwrap();
    let (s, v) = mia.call("accounts/recovery/enrol", json!({ "org_id": oid, "sealed_user_key": sealed })).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let mia_id = members(&admin, &oid).await.into_iter().find(|m| m.email == "mia@contoso.com").unwrap().id;
    let (s, material) = admin.call("organizations/recovery/material", json!({ "org_id": oid, "member_id": mia_id })).await;
    assert_eq!(s, StatusCode::OK, "{material}");
    let material: RecoveryMaterial = serde_json::from_value(material).unwrap();
    let user_key = domain::recovery::open_user_key(&org_key, &material.private_key, &material.sealed_user_key).unwrap();
    let new_pw = "reset by the help desk 2026";
    let master = crypto::master_key(new_pw, &Email::parse("mia@contoso.com").unwrap(), material.kdf).unwrap();
    let r = domain::recovery::rewrap(&user_key, &master, new_pw);
    let input = json!({ "input": { "org_id": oid, "member_id": mia_id, "auth_hash": r.auth_hash, "protected_user_key": r.protected_user_key, "password": { "length": 27, "score": 4 } } });
    let (s, v) = admin.call("organizations/recovery/recover", input).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let form = |hash: &str| {
        vec![
            ("grant_type", "password".to_string()),
            ("username", "mia@contoso.com".to_string()),
            ("password", hash.to_string()),
            ("scope", "api offline_access".to_string()),
            ("client_id", "cli".to_string()),
            ("deviceType", "14".to_string()),
            ("deviceIdentifier", "0f3a9c1e-2b4d-4e6f-8a9b-1c2d3e4f5a6b".to_string()),
            ("deviceName", "linux".to_string()),
        ]
    };
    let send = |f: Vec<(&'static str, String)>| {
        let base = app.base.clone();
        async move {
            let r = reqwest::Client::new().post(format!("{base}/identity/connect/token")).form(&f).send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (s, _) = send(form(&mia.auth_hash)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "the forgotten password is refused");
    let (s, v) = send(form(&r.auth_hash)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let opened = crypto::stretched_key(&master).decrypt(v["Key"].as_str().unwrap()).unwrap();
    assert_eq!(opened.as_slice(), mia_key.as_slice(), "the apps open the same user key with the new password");
}
