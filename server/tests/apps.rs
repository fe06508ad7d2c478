//! The API Bitwarden's apps call, over HTTP against the real router: log-in
//! with the master password hash, the keys the answer carries (opened here
//! with the password, as an app does), sync, items both ways between the
//! portal's vault and the apps, refresh-token rotation, and the end of every
//! app's access at a password change. (The `bw` CLI itself runs against the
//! release build in end2end/tests/bw.spec.mjs.)

mod common;

use common::*;
use domain::bitwarden::cipher::EncryptedCipher;
use domain::org::CollectionPermission;

const DEVICE: &str = "5b3e2a9c-1f6d-4e0a-9a43-0c1d2e3f4a5b";

/// An app: no cookies, only the tokens it was given.
struct AppClient {
    http: reqwest::Client,
    base: String,
    access: String,
    refresh: String,
}

async fn token(base: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let r = reqwest::Client::new().post(format!("{base}/identity/connect/token")).form(form).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The password grant as `bw login` sends it.
fn password_form<'a>(email: &'a str, hash: &'a str) -> [(&'a str, &'a str); 8] {
    [
        ("grant_type", "password"),
        ("username", email),
        ("password", hash),
        ("scope", "api offline_access"),
        ("client_id", "cli"),
        ("deviceType", "14"),
        ("deviceIdentifier", DEVICE),
        ("deviceName", "linux"),
    ]
}

async fn app_log_in(app: &App, email: &str, hash: &str) -> (AppClient, Value) {
    let (s, v) = token(&app.base, &password_form(email, hash)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let client = AppClient {
        http: reqwest::Client::new(),
        base: app.base.clone(),
        access: v["access_token"].as_str().unwrap().into(),
        refresh: v["refresh_token"].as_str().unwrap().into(),
    };
    (client, v)
}

impl AppClient {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut r = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.access);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let r = r.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }
}

fn open_name(key: &SymmetricKey, cipher: &Value) -> String {
    let c: EncryptedCipher = serde_json::from_value(cipher.clone()).unwrap();
    c.decrypt(key.inner()).unwrap().name
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apps_log_in_sync_and_write_items() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let alice = Browser::new(&app, "alice@x.com").sign_up().await;
    let uk = alice.keys.as_ref().unwrap().user_key.clone();
    let (s, web_item) = alice.call("vault/save", json!({ "id": null, "data": sealed_item(&uk, "Made in the portal", "pw-1") })).await;
    assert_eq!(s, StatusCode::OK, "{web_item}");

    // Pre-login names the account's KDF as the apps number it (Argon2id, MiB).
    let r = reqwest::Client::new().post(format!("{}/identity/accounts/prelogin", app.base)).json(&json!({ "email": "alice@x.com" })).send().await.unwrap();
    let pre: Value = r.json().await.unwrap();
    assert_eq!((pre["kdf"].as_u64(), pre["kdfMemory"].as_u64(), pre["kdfIterations"].as_u64()), (Some(1), Some(16), Some(2)), "{pre}");

    // A wrong password is refused in the shape the apps show.
    let wrong = crypto::b64(&[7u8; 32]);
    let (s, v) = token(&app.base, &password_form("alice@x.com", &wrong)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"], "invalid_grant");
    assert!(v["ErrorModel"]["Message"].as_str().unwrap().contains("Invalid email or master password"), "{v}");

    let (client, login) = app_log_in(&app, "alice@x.com", &alice.auth_hash).await;
    // The answer's keys open with the master password alone, as in an app.
    let master = crypto::master_key(PW, &Email::parse("alice@x.com").unwrap(), KdfParams::MIN).unwrap();
    let opened = crypto::unlock(&master, login["Key"].as_str().unwrap(), login["PrivateKey"].as_str().unwrap()).unwrap();
    assert_eq!(opened.user_key, uk);
    assert_eq!(login["UserDecryptionOptions"]["MasterPasswordUnlock"]["Salt"], "alice@x.com");
    // The access token is a JWT whose claims name the account.
    let claims = login["access_token"].as_str().unwrap().split('.').nth(1).unwrap().to_string();
    let claims: Value = serde_json::from_slice(&base64_url(&claims)).unwrap();
    assert_eq!((claims["email"].as_str(), claims["sub"].as_str()), (Some("alice@x.com"), Some(alice.me().await.user_id.as_str())));

    // Sync carries the portal's item; it decrypts with the user key.
    let (s, sync) = client.get("/api/sync").await;
    assert_eq!(s, StatusCode::OK, "{sync}");
    assert_eq!(sync["profile"]["email"], "alice@x.com");
    let ciphers = sync["ciphers"].as_array().unwrap();
    assert_eq!(ciphers.len(), 1);
    assert_eq!(ciphers[0]["id"], web_item["id"]);
    assert_eq!(open_name(&uk, &ciphers[0]), "Made in the portal");

    // An item made by an app shows in the portal's vault, decrypted there.
    let mut body: Value = serde_json::from_str(&sealed_item(&uk, "Made by an app", "pw-2")).unwrap();
    body["organizationId"] = Value::Null;
    body["folderId"] = Value::Null;
    body["lastKnownRevisionDate"] = Value::Null;
    let (s, made) = client.send(reqwest::Method::POST, "/api/ciphers", Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{made}");
    assert_eq!(made["object"], "cipherDetails");
    let (_, list) = alice.call("vault/list", json!({})).await;
    let names: Vec<String> = list.as_array().unwrap().iter().map(|i| open_name(&uk, &serde_json::from_str(i["data"].as_str().unwrap()).unwrap())).collect();
    assert!(names.contains(&"Made by an app".to_string()), "{names:?}");
    // Plaintext from an app is refused like plaintext from a page.
    let (s, v) = client.send(reqwest::Method::POST, "/api/ciphers", Some(json!({ "type": 1, "name": "hunter2" }))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["message"].as_str().unwrap().contains("encrypted"), "{v}");

    // Soft delete, restore, delete for good.
    let id = made["id"].as_str().unwrap();
    let (s, _) = client.send(reqwest::Method::PUT, &format!("/api/ciphers/{id}/delete"), None).await;
    assert_eq!(s, StatusCode::OK);
    let (_, sync) = client.get("/api/sync").await;
    assert!(sync["ciphers"].as_array().unwrap().iter().any(|c| c["id"] == id && c["deletedDate"].is_string()));
    let (s, v) = client.send(reqwest::Method::PUT, &format!("/api/ciphers/{id}/restore"), None).await;
    assert_eq!((s, v["deletedDate"].clone()), (StatusCode::OK, Value::Null));
    let (s, _) = client.send(reqwest::Method::DELETE, &format!("/api/ciphers/{id}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(client.get(&format!("/api/ciphers/{id}")).await.0, StatusCode::NOT_FOUND);

    // Another account's item is nobody else's business.
    let eve = Browser::new(&app, "eve@x.com").sign_up().await;
    let (eve_client, _) = app_log_in(&app, "eve@x.com", &eve.auth_hash).await;
    let other = web_item["id"].as_str().unwrap();
    assert_eq!(eve_client.get(&format!("/api/ciphers/{other}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(eve_client.send(reqwest::Method::DELETE, &format!("/api/ciphers/{other}"), None).await.0, StatusCode::NOT_FOUND);
    let (_, list) = alice.call("vault/list", json!({})).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "eve changed nothing");

    // No token, or a forged one: 401.
    let anon = AppClient { access: "not-a-token".into(), ..client_clone(&client) };
    assert_eq!(anon.get("/api/sync").await.0, StatusCode::UNAUTHORIZED);
}

fn client_clone(c: &AppClient) -> AppClient {
    AppClient { http: c.http.clone(), base: c.base.clone(), access: c.access.clone(), refresh: c.refresh.clone() }
}

fn base64_url(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_tokens_rotate_and_a_password_change_ends_every_app() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let bob = Browser::new(&app, "bob@x.com").sign_up().await;
    let (client, _) = app_log_in(&app, "bob@x.com", &bob.auth_hash).await;

    let (s, fresh) = token(&app.base, &[("grant_type", "refresh_token"), ("refresh_token", &client.refresh)]).await;
    assert_eq!(s, StatusCode::OK, "{fresh}");
    assert_ne!(fresh["refresh_token"], json!(client.refresh));
    // A refresh token is good once.
    let (s, v) = token(&app.base, &[("grant_type", "refresh_token"), ("refresh_token", &client.refresh)]).await;
    assert_eq!((s, v["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{v}");

    let renewed =
        AppClient { access: fresh["access_token"].as_str().unwrap().into(), refresh: fresh["refresh_token"].as_str().unwrap().into(), ..client_clone(&client) };
    assert_eq!(renewed.get("/api/sync").await.0, StatusCode::OK);

    // The master password changes in the portal: the app's tokens stop working.
    let email = Email::parse("bob@x.com").unwrap();
    let new_pw = "a completely different passphrase 7";
    let new_master = crypto::master_key(new_pw, &email, KdfParams::MIN).unwrap();
    let input = ChangePasswordInput {
        current_auth_hash: bob.auth_hash.clone(),
        new_auth_hash: crypto::auth_hash(&new_master, new_pw),
        new_protected_user_key: crypto::stretched_key(&new_master).encrypt(&bob.keys.as_ref().unwrap().user_key.to_bytes()),
        password: domain::org::PasswordFacts { length: new_pw.len() as u32, score: 4 },
    };
    let (s, v) = bob.call("accounts/change-password", json!({ "input": input })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(renewed.get("/api/sync").await.0, StatusCode::UNAUTHORIZED);
    let (s, _) = token(&app.base, &[("grant_type", "refresh_token"), ("refresh_token", &renewed.refresh)]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // The old password no longer logs an app in; the new one does.
    let (s, _) = token(&app.base, &password_form("bob@x.com", &bob.auth_hash)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (again, _) = app_log_in(&app, "bob@x.com", &crypto::auth_hash(&new_master, new_pw)).await;
    assert_eq!(again.get("/api/sync").await.0, StatusCode::OK);
}

/// An organisation's member sees, through an app, exactly the items of the
/// collections shared with them, changes them only with Can edit, and loses
/// them on the next request after access is removed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_reads_what_is_shared_and_changes_only_what_they_may() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let admin = Browser::new(&app, "admin@acme.com").sign_up().await;
    let (pid, key) = provider(&admin).await;
    let (s, v) = admin.call("providers/seats", json!({ "provider_id": pid, "seats": 10 })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let org_key = SymmetricKey::generate();
    let input = json!({ "input": { "provider_id": pid, "name": "Contoso", "owner_email": "owner@contoso.com", "seats": 5, "org_key": key.encrypt(&org_key.to_bytes()) } });
    let (s, v) = admin.call("clients/create", input).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let oid = v["id"].as_str().unwrap().to_string();
    let member = join(&app, &admin, &oid, &org_key, "user@contoso.com", Role::User).await;
    let member_id = members(&admin, &oid).await.into_iter().find(|m| m.email == "user@contoso.com").unwrap().id;

    let collection = |name: &str, permission: Option<CollectionPermission>, id: Option<&str>| {
        let access: Vec<AccessEntry> = permission.map(|p| AccessEntry { subject: Subject::Member(member_id.clone()), permission: p }).into_iter().collect();
        json!({ "input": { "org_id": oid, "collection_id": id, "name": org_key.encrypt(name.as_bytes()), "access": access } })
    };
    let (_, shared) = admin.call("organizations/collections/save", collection("Shared", Some(CollectionPermission::CanView), None)).await;
    let (_, hidden) = admin.call("organizations/collections/save", collection("Hidden", None, None)).await;
    let shared_id = shared["id"].as_str().unwrap().to_string();
    let save = |name: &str, coll: &Value| json!({ "input": { "org_id": oid, "item_id": null, "data": sealed_item(&org_key, name, "Pw-1"), "collection_ids": [coll["id"]] } });
    let (s, seen) = admin.call("organizations/items/save", save("Shared item", &shared)).await;
    assert_eq!(s, StatusCode::OK, "{seen}");
    let (s, _) = admin.call("organizations/items/save", save("Hidden item", &hidden)).await;
    assert_eq!(s, StatusCode::OK);

    let (client, _) = app_log_in(&app, "user@contoso.com", &member.auth_hash).await;
    let (s, sync) = client.get("/api/sync").await;
    assert_eq!(s, StatusCode::OK, "{sync}");
    // The organisation and its key (wrapped to the member) are in the profile.
    let org = &sync["profile"]["organizations"][0];
    assert_eq!((org["id"].as_str(), org["type"].as_u64()), (Some(oid.as_str()), Some(2)));
    let opened = member.keys.as_ref().unwrap().key_pair.unseal(org["key"].as_str().unwrap()).unwrap();
    assert_eq!(SymmetricKey::from_bytes(&opened).unwrap(), org_key);
    let ciphers = sync["ciphers"].as_array().unwrap();
    assert_eq!(ciphers.len(), 1, "only the shared collection's item: {ciphers:?}");
    assert_eq!(open_name(&org_key, &ciphers[0]), "Shared item");
    assert_eq!((ciphers[0]["edit"].as_bool(), ciphers[0]["viewPassword"].as_bool()), (Some(false), Some(true)));
    let names: Vec<&str> = sync["collections"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(names, vec![shared_id.as_str()]);

    // Can view: every change is refused, and nothing changed.
    let item_id = seen["id"].as_str().unwrap();
    let mut body: Value = serde_json::from_str(&sealed_item(&org_key, "Renamed", "Pw-2")).unwrap();
    body["organizationId"] = json!(oid);
    let (s, v) = client.send(reqwest::Method::PUT, &format!("/api/ciphers/{item_id}"), Some(body.clone())).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["message"].as_str().unwrap().contains("Can view"), "{v}");
    assert_eq!(client.send(reqwest::Method::PUT, &format!("/api/ciphers/{item_id}/delete"), None).await.0, StatusCode::BAD_REQUEST);
    let new_in_shared = json!({ "cipher": body.clone(), "collectionIds": [shared_id] });
    assert_eq!(client.send(reqwest::Method::POST, "/api/ciphers/create", Some(new_in_shared.clone())).await.0, StatusCode::BAD_REQUEST);
    let new_in_hidden = json!({ "cipher": body.clone(), "collectionIds": [hidden["id"]] });
    assert_eq!(client.send(reqwest::Method::POST, "/api/ciphers/create", Some(new_in_hidden)).await.0, StatusCode::BAD_REQUEST);
    let (_, after) = client.get("/api/sync").await;
    assert_eq!(open_name(&org_key, &after["ciphers"][0]), "Shared item");

    // Can view, except passwords: marked so the apps hide the password.
    admin.call("organizations/collections/save", collection("Shared", Some(CollectionPermission::CanViewExceptPasswords), Some(&shared_id))).await;
    let (_, sync) = client.get("/api/sync").await;
    assert_eq!(sync["ciphers"][0]["viewPassword"], json!(false));

    // Can edit: the edit goes through; a new item in the collection too.
    admin.call("organizations/collections/save", collection("Shared", Some(CollectionPermission::CanEdit), Some(&shared_id))).await;
    let (s, v) = client.send(reqwest::Method::PUT, &format!("/api/ciphers/{item_id}"), Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(open_name(&org_key, &v), "Renamed");
    let (s, v) = client.send(reqwest::Method::POST, "/api/ciphers/create", Some(new_in_shared)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["collectionIds"], json!([shared_id]));

    // Policies reach the apps in Bitwarden's numbers and settings, which the
    // apps enforce themselves (vault timeout, individual vault export, …).
    let policy = |kind: &str, extra: Value| {
        let mut p = json!({ "kind": kind, "enabled": true, "master_password": { "min_length": 14, "min_score": 3 },
            "generator": { "min_length": 0, "uppercase": false, "digits": false, "symbols": false } });
        p.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!({ "input": { "org_id": oid, "policy": p } })
    };
    for (kind, extra) in [
        ("MasterPassword", json!({})),
        ("AccountRecovery", json!({ "recovery": { "auto_enrol": true } })),
        ("VaultTimeout", json!({ "vault_timeout": { "minutes": 45, "log_out": true } })),
        ("RemovePersonalVaultExport", json!({})),
    ] {
        let (s, v) = admin.call("organizations/policies/save", policy(kind, extra)).await;
        assert_eq!(s, StatusCode::OK, "{kind}: {v}");
    }
    let (_, sync) = client.get("/api/sync").await;
    let by_type = |t: u64| sync["policies"].as_array().unwrap().iter().find(|p| p["type"] == json!(t)).cloned().unwrap_or_else(|| panic!("type {t}: {sync}"));
    assert_eq!(by_type(1)["data"]["minLength"], json!(14));
    assert_eq!(by_type(1)["data"]["minComplexity"], json!(3));
    assert_eq!(by_type(8)["data"], json!({ "autoEnrollEnabled": true }));
    assert_eq!(by_type(9)["data"], json!({ "minutes": 45, "action": "logOut" }));
    assert_eq!((by_type(10)["enabled"].clone(), by_type(10)["organizationId"].clone()), (json!(true), json!(oid)));

    // Access removed: the next request shows nothing of the organisation's vault.
    admin.call("organizations/collections/save", collection("Shared", None, Some(&shared_id))).await;
    let (_, sync) = client.get("/api/sync").await;
    assert_eq!(sync["ciphers"], json!([]));
    assert_eq!(client.get(&format!("/api/ciphers/{item_id}")).await.0, StatusCode::NOT_FOUND);
}

/// Folders as the apps use them: made, renamed and deleted over the API and
/// seen in the portal; items filed in them (`folderId` on save, `partial`,
/// `move`); another account's folder is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folders_round_trip_between_the_apps_and_the_portal() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let alice = Browser::new(&app, "alice@x.com").sign_up().await;
    let uk = alice.keys.as_ref().unwrap().user_key.clone();
    let (client, _) = app_log_in(&app, "alice@x.com", &alice.auth_hash).await;
    let (s, v) = client.send(reqwest::Method::POST, "/api/folders", Some(json!({ "name": "Plain" }))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a plaintext name is refused: {v}");
    let (s, work) = client.send(reqwest::Method::POST, "/api/folders", Some(json!({ "name": uk.encrypt(b"Work") }))).await;
    assert_eq!((s, work["object"].as_str()), (StatusCode::OK, Some("folder")), "{work}");
    let fid = work["id"].as_str().unwrap().to_string();
    // The portal lists it; the name opens with the user key.
    let (_, folders) = alice.call("folders/list", json!({})).await;
    assert_eq!(uk.decrypt(folders[0]["name"].as_str().unwrap()).unwrap(), b"Work");
    let (s, renamed) = client.send(reqwest::Method::PUT, &format!("/api/folders/{fid}"), Some(json!({ "name": uk.encrypt(b"Clients") }))).await;
    assert_eq!(s, StatusCode::OK, "{renamed}");
    assert_eq!(uk.decrypt(renamed["name"].as_str().unwrap()).unwrap(), b"Clients");

    // An item saved into it by an app is in that folder in sync and in the portal.
    let mut body: Value = serde_json::from_str(&sealed_item(&uk, "Router", "pw")).unwrap();
    body["folderId"] = json!(fid);
    let (s, made) = client.send(reqwest::Method::POST, "/api/ciphers", Some(body)).await;
    assert_eq!((s, made["folderId"].as_str()), (StatusCode::OK, Some(fid.as_str())), "{made}");
    let id = made["id"].as_str().unwrap().to_string();
    let (_, list) = alice.call("vault/list", json!({})).await;
    assert_eq!(list[0]["folder_id"], json!(fid));
    let (_, sync) = client.get("/api/sync").await;
    assert_eq!(sync["folders"][0]["id"], json!(fid));
    // `partial` files it (no folder, a favourite); `move` puts it back.
    let (s, v) = client.send(reqwest::Method::PUT, &format!("/api/ciphers/{id}/partial"), Some(json!({ "folderId": null, "favorite": true }))).await;
    assert_eq!((s, v["folderId"].clone(), v["favorite"].clone()), (StatusCode::OK, Value::Null, json!(true)), "{v}");
    let (s, _) = client.send(reqwest::Method::PUT, "/api/ciphers/move", Some(json!({ "ids": [id], "folderId": fid }))).await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = client.get(&format!("/api/ciphers/{id}")).await;
    assert_eq!((v["folderId"].as_str(), v["favorite"].clone()), (Some(fid.as_str()), json!(true)), "{v}");

    // Eve can neither use nor delete Alice's folder.
    let eve = Browser::new(&app, "eve@x.com").sign_up().await;
    let (eve_client, _) = app_log_in(&app, "eve@x.com", &eve.auth_hash).await;
    let eve_key = eve.keys.as_ref().unwrap().user_key.clone();
    let mut body: Value = serde_json::from_str(&sealed_item(&eve_key, "Mine", "pw")).unwrap();
    body["folderId"] = json!(fid);
    let (s, v) = eve_client.send(reqwest::Method::POST, "/api/ciphers", Some(body)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["validationErrors"]["folder"].is_array(), "{v}");
    assert_eq!(eve_client.send(reqwest::Method::DELETE, &format!("/api/folders/{fid}"), None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(eve_client.get(&format!("/api/folders/{fid}")).await.0, StatusCode::NOT_FOUND);

    // Deleting the folder leaves the item, in no folder.
    assert_eq!(client.send(reqwest::Method::DELETE, &format!("/api/folders/{fid}"), None).await.0, StatusCode::OK);
    let (_, sync) = client.get("/api/sync").await;
    assert_eq!(sync["folders"], json!([]));
    assert_eq!(sync["ciphers"][0]["folderId"], Value::Null);
    assert_eq!(sync["ciphers"][0]["id"], json!(id));
}

/// My account → Apps: the apps logged in are listed with their kind; one is
/// logged out (its tokens stop at once), by its owner only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_is_listed_and_logged_out_from_the_portal() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let alice = Browser::new(&app, "alice@x.com").sign_up().await;
    let (client, _) = app_log_in(&app, "alice@x.com", &alice.auth_hash).await;
    assert_eq!(client.get("/api/sync").await.0, StatusCode::OK);
    let (s, devices) = alice.call("accounts/devices", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{devices}");
    assert_eq!((devices[0]["name"].as_str(), devices[0]["kind"].as_str()), (Some("linux"), Some("Browser")), "{devices}");
    let id = devices[0]["id"].clone();
    let eve = Browser::new(&app, "eve@x.com").sign_up().await;
    assert_eq!(eve.call("accounts/devices", json!({})).await.1, json!([]), "nobody else's apps");
    assert_eq!(eve.call("accounts/devices/log-out", json!({ "id": id })).await.0, StatusCode::NOT_FOUND);
    assert_eq!(client.get("/api/sync").await.0, StatusCode::OK, "still logged in");
    assert_eq!(alice.call("accounts/devices/log-out", json!({ "id": id })).await.0, StatusCode::OK);
    assert_eq!(client.get("/api/sync").await.0, StatusCode::UNAUTHORIZED, "logged out at once");
    let (s, v) = token(&app.base, &[("grant_type", "refresh_token"), ("refresh_token", client.refresh.as_str())]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "its refresh token is gone too: {v}");
    assert_eq!(alice.call("accounts/devices", json!({})).await.1, json!([]));
}

/// A provider (its admin signed up in the portal) with a client organisation,
/// Fabrikam, that a member of user type User has joined.
struct Fabrikam {
    admin: Browser,
    oid: String,
    org_key: SymmetricKey,
    member: Browser,
    member_id: String,
}

impl Fabrikam {
    async fn new(app: &App) -> Self {
        let admin = Browser::new(app, "admin@fabrikam.com").sign_up().await;
        let (pid, key) = provider(&admin).await;
        let (s, v) = admin.call("providers/seats", json!({ "provider_id": pid, "seats": 10 })).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let org_key = SymmetricKey::generate();
        let input = json!({ "input": { "provider_id": pid, "name": "Fabrikam", "owner_email": "owner@fabrikam.com", "seats": 5, "org_key": key.encrypt(&org_key.to_bytes()) } });
        let (_, v) = admin.call("clients/create", input).await;
        let oid = v["id"].as_str().unwrap().to_string();
        let member = join(app, &admin, &oid, &org_key, "user@fabrikam.com", Role::User).await;
        let member_id = members(&admin, &oid).await.into_iter().find(|m| m.email == "user@fabrikam.com").unwrap().id;
        Fabrikam { admin, oid, org_key, member, member_id }
    }

    /// A collection's save: the member's access to it (none when None).
    fn collection(&self, name: &str, permission: Option<CollectionPermission>, id: Option<&str>) -> Value {
        let access: Vec<AccessEntry> =
            permission.map(|p| AccessEntry { subject: Subject::Member(self.member_id.clone()), permission: p }).into_iter().collect();
        json!({ "input": { "org_id": self.oid, "collection_id": id, "name": self.org_key.encrypt(name.as_bytes()), "access": access } })
    }
}

/// Bitwarden's bulk endpoints: many items to the Trash, back, or deleted for
/// good in one request, across the person's vault and an organisation; one
/// item the person may only view, or does not know, refuses the whole
/// request and changes nothing; the `*-admin` variants are the Admin
/// Console's, for those who manage the organisation's vault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_endpoints_change_every_item_or_none() {
    use reqwest::Method;
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let f = Fabrikam::new(&app).await;
    let (admin, oid, org_key, member) = (&f.admin, f.oid.clone(), f.org_key.clone(), &f.member);
    let collection = |name: &str, permission, id: Option<&str>| f.collection(name, permission, id);
    let (_, shared) = admin.call("organizations/collections/save", collection("Shared", Some(CollectionPermission::CanView), None)).await;
    let (_, hidden) = admin.call("organizations/collections/save", collection("Hidden", None, None)).await;
    let shared_id = shared["id"].as_str().unwrap().to_string();
    let save = |name: &str, coll: &Value| json!({ "input": { "org_id": oid, "item_id": null, "data": sealed_item(&org_key, name, "Pw-1"), "collection_ids": [coll["id"]] } });
    let (_, shared_item) = admin.call("organizations/items/save", save("Shared item", &shared)).await;
    let (_, hidden_item) = admin.call("organizations/items/save", save("Hidden item", &hidden)).await;
    let (shared_item, hidden_item) = (shared_item["id"].as_str().unwrap().to_string(), hidden_item["id"].as_str().unwrap().to_string());

    let (client, _) = app_log_in(&app, "user@fabrikam.com", &member.auth_hash).await;
    let uk = member.keys.as_ref().unwrap().user_key.clone();
    let mut body: Value = serde_json::from_str(&sealed_item(&uk, "Mine", "pw-1")).unwrap();
    body["organizationId"] = Value::Null;
    let (s, mine) = client.send(Method::POST, "/api/ciphers", Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    let mine = mine["id"].as_str().unwrap().to_string();
    let deleted = |sync: &Value, id: &str| sync["ciphers"].as_array().unwrap().iter().find(|c| c["id"] == id).map(|c| c["deletedDate"].is_string());

    // Refused as a whole: an item the member may only view, one they cannot see, none at all.
    let (s, v) = client.send(Method::PUT, "/api/ciphers/delete", Some(json!({ "ids": [mine, shared_item] }))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["message"].as_str().unwrap().contains("Can view"), "{v}");
    let (s, v) = client.send(Method::PUT, "/api/ciphers/delete", Some(json!({ "ids": [mine, hidden_item] }))).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, v) = client.send(Method::PUT, "/api/ciphers/delete", Some(json!({ "ids": [] }))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (_, sync) = client.get("/api/sync").await;
    assert_eq!(deleted(&sync, &mine), Some(false), "nothing changed");

    // With Can edit, both go to the Trash in one request, and come back with the restore's list.
    admin.call("organizations/collections/save", collection("Shared", Some(CollectionPermission::CanEdit), Some(&shared_id))).await;
    let (s, v) = client.send(Method::PUT, "/api/ciphers/delete", Some(json!({ "ids": [mine, shared_item] }))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, sync) = client.get("/api/sync").await;
    assert_eq!((deleted(&sync, &mine), deleted(&sync, &shared_item)), (Some(true), Some(true)));
    let (s, v) = client.send(Method::PUT, "/api/ciphers/restore", Some(json!({ "ids": [mine, shared_item] }))).await;
    assert_eq!((s, &v["object"]), (StatusCode::OK, &json!("list")), "{v}");
    let back: Vec<(&str, bool)> = v["data"].as_array().unwrap().iter().map(|c| (c["id"].as_str().unwrap(), c["deletedDate"].is_null())).collect();
    assert_eq!(back, vec![(mine.as_str(), true), (shared_item.as_str(), true)]);

    // The admin variants: the member cannot reach the hidden item through them; the provider's admin can.
    let (s, _) = client.send(Method::PUT, "/api/ciphers/delete-admin", Some(json!({ "ids": [hidden_item], "organizationId": oid }))).await;
    assert_ne!(s, StatusCode::OK);
    let (admin_app, _) = app_log_in(&app, "admin@fabrikam.com", &admin.auth_hash).await;
    let (s, v) = admin_app.send(Method::PUT, "/api/ciphers/delete-admin", Some(json!({ "ids": [hidden_item, "not-an-item"], "organizationId": oid }))).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "an unknown item refuses the request: {v}");
    let (s, v) = admin_app.send(Method::PUT, "/api/ciphers/delete-admin", Some(json!({ "ids": [hidden_item], "organizationId": oid }))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = admin_app.send(Method::PUT, "/api/ciphers/restore-admin", Some(json!({ "ids": [hidden_item], "organizationId": oid }))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["data"][0]["id"].as_str(), v["data"][0]["deletedDate"].is_null()), (Some(hidden_item.as_str()), true), "{v}");
    let (_, events) = admin
        .call("providers/events", json!({ "provider_id": oid, "filter": { "from": null, "to": null, "kind": "items_trashed" }, "offset": 0, "limit": 10 }))
        .await;
    let trashed = events.to_string();
    assert!(trashed.contains("from an app"), "the organisation's log names the bulk changes: {trashed}");

    // Another account knows none of these items.
    let eve = Browser::new(&app, "eve@x.com").sign_up().await;
    let (eve_app, _) = app_log_in(&app, "eve@x.com", &eve.auth_hash).await;
    assert_eq!(eve_app.send(Method::DELETE, "/api/ciphers", Some(json!({ "ids": [mine] }))).await.0, StatusCode::NOT_FOUND);

    // Deleted for good (from outside the Trash too), by either verb the apps use.
    let (s, v) = client.send(Method::DELETE, "/api/ciphers", Some(json!({ "ids": [mine] }))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = client.send(Method::POST, "/api/ciphers/delete", Some(json!({ "ids": [shared_item] }))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = admin_app.send(Method::DELETE, "/api/ciphers/admin", Some(json!({ "ids": [hidden_item], "organizationId": oid }))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, sync) = client.get("/api/sync").await;
    assert_eq!(sync["ciphers"], json!([]));
    let (_, items) = admin.call("organizations/items", json!({ "org_id": oid })).await;
    assert_eq!(items, json!([]), "the organisation's items are gone: {items}");
}

/// Move to organisation (Bitwarden's share, `bw move`): an item of the
/// person's vault, re-encrypted with the organisation key by the app, joins
/// the organisation under the same id, into collections the person may edit,
/// and leaves their vault, all at once; refused (nothing changed) without a
/// collection, into one they cannot edit, or for an item not theirs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_moves_into_an_organisation() {
    use reqwest::Method;
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let f = Fabrikam::new(&app).await;
    let (_, edit) = f.admin.call("organizations/collections/save", f.collection("Team", Some(CollectionPermission::CanEdit), None)).await;
    let (_, view) = f.admin.call("organizations/collections/save", f.collection("Read only", Some(CollectionPermission::CanView), None)).await;
    let (client, _) = app_log_in(&app, "user@fabrikam.com", &f.member.auth_hash).await;
    let uk = f.member.keys.as_ref().unwrap().user_key.clone();
    let mut mine = Vec::new();
    for name in ["Router", "Printer", "NAS"] {
        let mut body: Value = serde_json::from_str(&sealed_item(&uk, name, "pw-1")).unwrap();
        body["organizationId"] = Value::Null;
        let (s, made) = client.send(Method::POST, "/api/ciphers", Some(body)).await;
        assert_eq!(s, StatusCode::OK, "{made}");
        mine.push(made["id"].as_str().unwrap().to_string());
    }
    let moved = |name: &str| {
        let mut c: Value = serde_json::from_str(&sealed_item(&f.org_key, name, "pw-1")).unwrap();
        c["organizationId"] = json!(f.oid);
        c
    };
    let personal = || async { f.member.call("vault/list", json!({})).await.1.as_array().unwrap().len() };

    let (s, v) = client.send(Method::PUT, &format!("/api/ciphers/{}/share", mine[0]), Some(json!({ "cipher": moved("Router"), "collectionIds": [] }))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a collection is needed: {v}");
    let (s, v) =
        client.send(Method::PUT, &format!("/api/ciphers/{}/share", mine[0]), Some(json!({ "cipher": moved("Router"), "collectionIds": [view["id"]] }))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "not into a Can view collection: {v}");
    assert_eq!(personal().await, 3, "nothing moved");

    let (s, v) =
        client.send(Method::PUT, &format!("/api/ciphers/{}/share", mine[0]), Some(json!({ "cipher": moved("Router"), "collectionIds": [edit["id"]] }))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["id"].as_str(), v["organizationId"].as_str(), v["collectionIds"].clone()),
        (Some(mine[0].as_str()), Some(f.oid.as_str()), json!([edit["id"]]))
    );
    assert_eq!(open_name(&f.org_key, &v), "Router", "now under the organisation key");
    assert_eq!(personal().await, 2, "it left the member's vault");
    let (_, items) = f.admin.call("organizations/items", json!({ "org_id": f.oid })).await;
    assert!(items.as_array().unwrap().iter().any(|i| i["id"] == mine[0].as_str()), "the organisation has it: {items}");
    let (s, _) =
        client.send(Method::PUT, &format!("/api/ciphers/{}/share", mine[0]), Some(json!({ "cipher": moved("Router"), "collectionIds": [edit["id"]] }))).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "moved once");

    // Several at once (the web vault's bulk move); another person's item is not theirs to move.
    let eve = Browser::new(&app, "eve@x.com").sign_up().await;
    let (eve_app, _) = app_log_in(&app, "eve@x.com", &eve.auth_hash).await;
    let one = |id: &str, name: &str| {
        let mut c = moved(name);
        c["id"] = json!(id);
        c
    };
    let body = json!({ "ciphers": [one(&mine[1], "Printer"), one(&mine[2], "NAS")], "collectionIds": [edit["id"]] });
    assert_ne!(eve_app.send(Method::PUT, "/api/ciphers/share", Some(body.clone())).await.0, StatusCode::OK, "eve is no member");
    assert_eq!(personal().await, 2);
    let (s, v) = client.send(Method::PUT, "/api/ciphers/share", Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(personal().await, 0);
    let (_, sync) = client.get("/api/sync").await;
    let in_org = sync["ciphers"].as_array().unwrap().iter().filter(|c| c["organizationId"] == f.oid.as_str()).count();
    assert_eq!(in_org, 3);
    let (_, events) = f
        .admin
        .call("providers/events", json!({ "provider_id": f.oid, "filter": { "from": null, "to": null, "kind": "items_shared" }, "offset": 0, "limit": 10 }))
        .await;
    assert!(events.to_string().contains("moved in from user@fabrikam.com"), "{events}");
}

/// An app's notifications hub connection, speaking SignalR's JSON protocol
/// (bw.spec.mjs runs Microsoft's own client on the MessagePack one).
struct Hub {
    ws: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    heard: std::collections::VecDeque<Value>,
}

impl Hub {
    fn url(base: &str, token: &str) -> String {
        format!("{}/notifications/hub?access_token={token}", base.replace("http://", "ws://"))
    }

    async fn connect(base: &str, token: &str) -> Hub {
        use futures::SinkExt;
        use tokio_tungstenite::tungstenite::Message;
        let (mut ws, _) = tokio_tungstenite::connect_async(Hub::url(base, token)).await.unwrap();
        ws.send(Message::Text("{\"protocol\":\"json\",\"version\":1}\u{1e}".into())).await.unwrap();
        let answer = futures::StreamExt::next(&mut ws).await.unwrap().unwrap();
        assert_eq!(answer.into_text().unwrap().as_str(), "{}\u{1e}", "the handshake is answered");
        Hub { ws, heard: Default::default() }
    }

    /// The next message the server's `ReceiveMessage` carried (pings are
    /// skipped); None once `wait` passed or the hub closed.
    async fn notice(&mut self, wait: std::time::Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(n) = self.heard.pop_front() {
                return Some(n);
            }
            let frame = tokio::time::timeout_at(deadline, futures::StreamExt::next(&mut self.ws)).await.ok()??.ok()?;
            let Ok(text) = frame.into_text() else { continue };
            for part in text.split('\u{1e}').filter(|p| !p.is_empty()) {
                let v: Value = serde_json::from_str(part).unwrap();
                match v["type"].as_u64() {
                    Some(1) => self.heard.push_back(v["arguments"][0].clone()),
                    Some(7) => self.heard.push_back(json!({ "closed": true })),
                    _ => {}
                }
            }
        }
    }
}

/// Live sync: the changes an app must hear of reach it, from whichever
/// instance made them, and nobody else's app hears them.
async fn hub_walk(made_on: &App, heard_on: &App) {
    use std::time::Duration;
    let f = Fabrikam::new(made_on).await;
    let (_, shared) = f.admin.call("organizations/collections/save", f.collection("Shared", Some(CollectionPermission::CanView), None)).await;
    let (member_app, _) = app_log_in(heard_on, "user@fabrikam.com", &f.member.auth_hash).await;
    let eve = Browser::new(made_on, "eve@x.com").sign_up().await;
    let (eve_app, _) = app_log_in(heard_on, "eve@x.com", &eve.auth_hash).await;

    // No token, no hub.
    match tokio_tungstenite::connect_async(Hub::url(&heard_on.base, "not-a-token")).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), StatusCode::UNAUTHORIZED),
        other => panic!("a hub without a valid token: {:?}", other.map(|(_, r)| r.status())),
    }
    let mut member = Hub::connect(&heard_on.base, &member_app.access).await;
    let mut stranger = Hub::connect(&heard_on.base, &eve_app.access).await;

    // An item saved in the Admin Console: the member's app hears which one
    // (ids only, no content), fetches it as the apps do, and opens it.
    let save = json!({ "input": { "org_id": f.oid, "item_id": null, "data": sealed_item(&f.org_key, "Router", "Pw-1"), "collection_ids": [shared["id"]] } });
    let (s, item) = f.admin.call("organizations/items/save", save).await;
    assert_eq!(s, StatusCode::OK, "{item}");
    let n = member.notice(Duration::from_secs(10)).await.expect("the member's app hears of the new item");
    assert_eq!((n["Type"].as_u64(), &n["ContextId"]), (Some(1), &Value::Null), "{n}");
    let revised = n["Payload"]["RevisionDate"].clone();
    assert_eq!(n["Payload"], json!({ "Id": item["id"], "UserId": null, "OrganizationId": f.oid, "CollectionIds": [shared["id"]], "RevisionDate": revised }));
    let (s, details) = member_app.get(&format!("/api/ciphers/{}/details", item["id"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::OK, "{details}");
    assert_eq!(open_name(&f.org_key, &details), "Router");
    assert_eq!(stranger.notice(Duration::from_millis(500)).await, None, "another account's app hears nothing");

    // Removed from the organisation: the app is told to sync its organisations again.
    let (s, v) = f.admin.call("members/remove", json!({ "provider_id": f.oid, "member_ids": [f.member_id] })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let n = member.notice(Duration::from_secs(10)).await.expect("the removed member's app hears of it");
    assert_eq!(n["Type"], 6, "{n}");
    assert_eq!(n["Payload"]["UserId"].as_str(), Some(f.member.me().await.user_id.as_str()));
    assert_eq!(member_app.get(&format!("/api/ciphers/{}/details", item["id"].as_str().unwrap())).await.0, StatusCode::NOT_FOUND);

    // Logged out from the portal: told so, then the hub closes.
    let (_, devices) = eve.call("accounts/devices", json!({})).await;
    let (s, _) = eve.call("accounts/devices/log-out", json!({ "id": devices[0]["id"] })).await;
    assert_eq!(s, StatusCode::OK);
    let n = stranger.notice(Duration::from_secs(10)).await.expect("the app hears it is logged out");
    assert_eq!(n["Type"], 11, "{n}");
    assert_eq!(stranger.notice(Duration::from_secs(10)).await, Some(json!({ "closed": true })));
    assert_eq!(member.notice(Duration::from_millis(300)).await, None, "only that app was logged out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_tells_each_app_what_changed_for_it() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    hub_walk(&app, &app).await;
}

/// Two instances on one PostgreSQL: a change made on one reaches the apps
/// connected to the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_hears_changes_made_on_another_instance() {
    let Some(db) = testing::postgres().await else { return };
    let second: db::DynStore = Arc::new(db::PgStore::connect(&db.url).await.unwrap());
    let (a, b) = (spawn(db.store.clone()).await, spawn(second).await);
    hub_walk(&a, &b).await;
}

/// One account holds a bounded number of hub connections; a closed one gives
/// its place back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_holds_a_bounded_number_of_connections_per_account() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let alice = Browser::new(&app, "alice@x.com").sign_up().await;
    let (client, _) = app_log_in(&app, "alice@x.com", &alice.auth_hash).await;
    let mut open = Vec::new();
    for _ in 0..service::live::MAX_HUB_CONNECTIONS {
        open.push(Hub::connect(&app.base, &client.access).await);
    }
    match tokio_tungstenite::connect_async(Hub::url(&app.base, &client.access)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS),
        other => panic!("one connection too many: {:?}", other.map(|(_, r)| r.status())),
    }
    drop(open.pop());
    let mut again = false;
    for _ in 0..50 {
        if tokio_tungstenite::connect_async(Hub::url(&app.base, &client.access)).await.is_ok() {
            again = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(again, "a closed connection gives its place back");
}
