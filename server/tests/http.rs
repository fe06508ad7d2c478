//! HTTP tests against the real router on port 0: server functions as a
//! browser calls them, the status codes, cookies, CSRF, the forbidden walk,
//! live updates, two instances on one PostgreSQL, and a database dump that
//! must hold no secret.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_cookies_statuses_and_csrf() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let anon = Browser::new(&app, "anon@x.com");
    let (s, v) = anon.call("accounts/me", json!({})).await;
    assert_eq!((s, v), (StatusCode::OK, Value::Null));
    let (s, v) = anon.call("vault/list", json!({})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v, json!("Unauthenticated"));

    // Malformed input is a 400, never a 500 or a panic.
    let r = anon.http.post(format!("{}/api/accounts/register", app.base)).header("content-type", "application/json").body("{not json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Bad values get field messages (422) and create nothing.
    let (s, v) = anon
        .call(
            "accounts/register",
            json!({ "input": { "email": "nope", "name": "", "hint": "", "kdf": { "memory_kib": 1024, "iterations": 1, "parallelism": 1 },
            "auth_hash": "x", "protected_user_key": "plain", "protected_private_key": "plain", "public_key": "AAAA" } }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = v["Validation"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for f in ["email", "name", "kdf", "public_key", "keys", "auth_hash"] {
        assert!(fields.contains(&f), "missing {f} in {fields:?}");
    }
    assert!(app.services.store.user_by_email("nope").await.unwrap().is_none());

    // Log in sets an HttpOnly, SameSite=Lax session cookie.
    let b = Browser::new(&app, "ann@x.com").sign_up().await;
    let r = b
        .http
        .post(format!("{}/api/accounts/login", app.base))
        .json(&json!({ "input": { "email": "ann@x.com", "auth_hash": b.auth_hash } }))
        .send()
        .await
        .unwrap();
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("pp_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http has no Secure flag");
    let (s, _) = b.call("accounts/login", json!({ "input": { "email": "ann@x.com", "auth_hash": crypto::b64(&[1u8; 32]) } })).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Vault: ciphertext only; plaintext is refused.
    let uk = &b.keys.as_ref().unwrap().user_key;
    let (s, _) = b.call("vault/save", json!({ "id": null, "data": "my password is hunter2" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, item) = b.call("vault/save", json!({ "id": null, "data": sealed_item(uk, "x", "") })).await;
    assert_eq!(s, StatusCode::OK);
    let other = Browser::new(&app, "eve@x.com").sign_up().await;
    let (s, _) = other.call("vault/delete", json!({ "id": item["id"] })).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another user's item is invisible");

    // CSRF: a state-changing call from another origin is refused.
    let r =
        b.http.post(format!("{}/api/vault/delete", app.base)).header("origin", "http://evil.example").json(&json!({ "id": item["id"] })).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r =
        b.http.post(format!("{}/api/vault/delete", app.base)).header("sec-fetch-site", "cross-site").json(&json!({ "id": item["id"] })).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The Origin is compared whole with PUBLIC_URL or this request's own origin: scheme and port count.
    for evil in ["https://127.0.0.1:3000", "http://127.0.0.1:1", "http://127.0.0.1:3000@evil.example"] {
        let r = b.http.post(format!("{}/api/vault/delete", app.base)).header("origin", evil).json(&json!({ "id": item["id"] })).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{evil}");
    }
    let (s, list) = b.call("vault/list", json!({})).await;
    assert_eq!((s, list.as_array().unwrap().len()), (StatusCode::OK, 1));

    // Log out ends the session server-side.
    let (s, _) = b.call("accounts/logout", json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = b.call("vault/list", json!({})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Pages carry security headers; SSR sets real statuses.
    let r = reqwest::get(format!("{}/login", app.base)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers().get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("ws:"), "no development reload socket: {csp}");
    assert!(!csp.contains("script-src 'self' 'unsafe-inline'") && !csp.split(';').any(|d| d.contains("script-src") && d.contains("unsafe-inline")), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a script nonce").to_string();
    assert_eq!(r.headers().get("x-content-type-options").unwrap(), "nosniff");
    let html = r.text().await.unwrap();
    assert!(html.contains("Log in"));
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the header's nonce");
    // Every page (a routed one, a streamed one, "Page not found"): every
    // script of the page carries the nonce its header names, a new one each time.
    let mut seen = std::collections::HashSet::new();
    for path in ["/login", "/register", "/providers/setup", "/no-such-page", "/login"] {
        let r = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
        let csp = r.headers().get("content-security-policy").unwrap().to_str().unwrap().to_string();
        let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).unwrap_or_else(|| panic!("{path}: no nonce in {csp}")).to_string();
        assert!(seen.insert(nonce.clone()), "{path}: a nonce used twice");
        let html = r.text().await.unwrap();
        let scripts = html.matches("<script").count();
        assert!(scripts > 0, "{path}: no script");
        assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "{path}: every script carries the header's nonce");
    }
    let api = reqwest::get(format!("{}/healthz", app.base)).await.unwrap();
    assert!(api.headers().get("content-security-policy").unwrap().to_str().unwrap().contains("script-src 'self' 'wasm-unsafe-eval'"));
    assert_eq!(reqwest::get(format!("{}/no-such-page", app.base)).await.unwrap().status(), StatusCode::NOT_FOUND);
}

/// Everything a service user sees of an organisation, to compare before and after.
async fn org_state(b: &Browser, oid: &str) -> Vec<Value> {
    let mut out = vec![];
    for ep in ["members/list", "organizations/groups", "organizations/collections", "organizations/policies", "organizations/items"] {
        let key = if ep == "members/list" { "provider_id" } else { "org_id" };
        let (s, v) = b.call(ep, json!({ key: oid })).await;
        assert_eq!(s, StatusCode::OK, "{ep}: {v}");
        out.push(v);
    }
    out.push(b.call("organizations/context", json!({ "org_id": oid })).await.1["seats"].clone());
    out
}

/// Every members endpoint as anonymous, as an outsider and as a service user:
/// refused, and nothing changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_walk_changes_nothing() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let admin = Browser::new(&app, "admin@acme.com").sign_up().await;
    let (pid, key) = provider(&admin).await;
    let service_user = join(&app, &admin, &pid, &key, "su@acme.com", Role::ServiceUser).await;
    let outsider = Browser::new(&app, "out@else.com").sign_up().await;
    let anon = Browser::new(&app, "anon@x.com");
    let (s, _) = admin.call("members/invite", json!({ "input": { "provider_id": pid, "emails": "inv@acme.com", "user_type": "ServiceUser" } })).await;
    assert_eq!(s, StatusCode::OK);
    let before = members(&admin, &pid).await;
    let target = before.iter().find(|m| m.email == "inv@acme.com").unwrap().id.clone();
    let sealed = crypto::seal_to(&outsider.public(), &key.to_bytes()).unwrap();
    // A client organisation with a group, a collection and a policy.
    let (s, v) = admin.call("providers/seats", json!({ "provider_id": pid, "seats": 10 })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let org_key = SymmetricKey::generate();
    let (s, v) = admin.call("clients/create", json!({ "input": { "provider_id": pid, "name": "Contoso", "owner_email": "owner@contoso.com", "seats": 5, "org_key": key.encrypt(&org_key.to_bytes()) } })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let oid = v["id"].as_str().unwrap().to_string();
    let (s, g) =
        service_user.call("organizations/groups/save", json!({ "input": { "org_id": oid, "group_id": null, "name": "Finance", "member_ids": [] } })).await;
    assert_eq!(s, StatusCode::OK, "{g}");
    let (s, c) = service_user
        .call("organizations/collections/save", json!({ "input": { "org_id": oid, "collection_id": null, "name": org_key.encrypt(b"Shared"), "access": [] } }))
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let (s, item) = service_user
        .call("organizations/items/save", json!({ "input": { "org_id": oid, "item_id": null, "data": sealed_item(&org_key, "x", ""), "collection_ids": [] } }))
        .await;
    assert_eq!(s, StatusCode::OK, "{item}");
    // A body beyond the server's limit is refused before anything reads it:
    // the answer comes while the body is still unsent (a client sending the
    // whole body may find the connection closed under it, so this speaks
    // HTTP itself and sends only the start).
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut tcp = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
        let head = format!(
            "POST /api/organizations/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{{\"org_id\":\"{oid}\",\"pad\":\"",
            server::MAX_REQUEST_BYTES + 1
        );
        tcp.write_all(head.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 64];
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), tcp.read(&mut buf)).await.unwrap().unwrap();
        let status_line = String::from_utf8_lossy(&buf[..n]).to_string();
        assert!(status_line.starts_with("HTTP/1.1 413"), "{status_line}");
    }
    let org_before = org_state(&service_user, &oid).await;
    let owner = org_before[0][0]["id"].as_str().unwrap().to_string();
    let policy = json!({ "kind": "SingleOrg", "enabled": true, "master_password": { "min_length": 0, "min_score": 0 }, "generator": { "min_length": 0, "uppercase": false, "digits": false, "symbols": false } });
    let org_calls: Vec<(&str, Value)> = vec![
        ("organizations/context", json!({ "org_id": oid })),
        ("organizations/seats", json!({ "org_id": oid, "seats": 6 })),
        ("organizations/groups", json!({ "org_id": oid })),
        ("organizations/groups/save", json!({ "input": { "org_id": oid, "group_id": g["id"], "name": "Hijacked", "member_ids": [owner] } })),
        ("organizations/groups/delete", json!({ "org_id": oid, "group_id": g["id"] })),
        ("organizations/collections", json!({ "org_id": oid })),
        ("organizations/collections/save", json!({ "input": { "org_id": oid, "collection_id": c["id"], "name": org_key.encrypt(b"X"), "access": [] } })),
        ("organizations/collections/delete", json!({ "org_id": oid, "collection_id": c["id"] })),
        ("organizations/policies", json!({ "org_id": oid })),
        ("organizations/policies/save", json!({ "input": { "org_id": oid, "policy": policy } })),
        ("organizations/items", json!({ "org_id": oid })),
        (
            "organizations/items/save",
            json!({ "input": { "org_id": oid, "item_id": item["id"], "data": sealed_item(&org_key, "x1", ""), "collection_ids": [] } }),
        ),
        ("organizations/items/assign", json!({ "input": { "org_id": oid, "item_ids": [item["id"]], "collection_ids": [c["id"]] } })),
        ("organizations/items/delete", json!({ "org_id": oid, "item_ids": [item["id"]] })),
        ("organizations/items/restore", json!({ "org_id": oid, "item_ids": [item["id"]] })),
        ("organizations/items/purge", json!({ "org_id": oid, "item_ids": [item["id"]] })),
        (
            "organizations/import",
            json!({ "input": { "org_id": oid, "new_collections": [], "items": [{ "data": sealed_item(&org_key, "x", ""), "collections": [] }] } }),
        ),
        ("organizations/export", json!({ "org_id": oid, "format": "csv" })),
        ("organizations/recovery/status", json!({ "org_id": oid })),
        ("organizations/recovery/setup", json!({ "org_id": oid, "public_key": crypto::b64(&admin.public()), "private_key": org_key.encrypt(b"k") })),
        ("organizations/recovery/enrolled", json!({ "org_id": oid })),
        ("organizations/recovery/material", json!({ "org_id": oid, "member_id": owner })),
        (
            "organizations/recovery/recover",
            json!({ "input": { "org_id": oid, "member_id": owner, "auth_hash": admin.auth_hash, "protected_user_key": org_key.encrypt(b"k"), "password": { "length": 20, "score": 4 } } }),
        ),
        ("accounts/recovery/enrol", json!({ "org_id": oid, "sealed_user_key": sealed })),
        ("accounts/recovery/withdraw", json!({ "org_id": oid })),
        ("members/list", json!({ "provider_id": oid })),
        (
            "members/invite",
            json!({ "input": { "provider_id": oid, "emails": "x@contoso.com", "user_type": "Owner", "permissions": {"manage_users": false, "manage_groups": false, "manage_collections": false, "manage_policies": false, "access_event_logs": false} } }),
        ),
        ("members/remove", json!({ "provider_id": oid, "member_ids": [owner] })),
        ("providers/events", json!({ "provider_id": oid, "filter": { "from": null, "to": null }, "offset": 0, "limit": 10 })),
        ("providers/events/facets", json!({ "provider_id": oid, "clients": false })),
        ("clients/list", json!({ "provider_id": pid })),
        ("providers/onboarding", json!({ "provider_id": pid })),
        ("providers/onboarding/keys", json!({ "provider_id": pid, "org_ids": [oid] })),
        ("clients/rename", json!({ "provider_id": pid, "org_id": oid, "name": "Renamed" })),
        ("providers/baseline", json!({ "provider_id": pid })),
        ("providers/baseline/drift", json!({ "provider_id": pid })),
        ("providers/baseline/apply", json!({ "provider_id": pid, "org_ids": [oid] })),
    ];
    for (who, b, expect) in [("anonymous", &anon, StatusCode::UNAUTHORIZED), ("outsider", &outsider, StatusCode::FORBIDDEN)] {
        for (endpoint, body) in &org_calls {
            let (s, v) = b.call(endpoint, body.clone()).await;
            assert_eq!(s, expect, "{who} → {endpoint}: {v}");
        }
    }
    assert_eq!(org_state(&service_user, &oid).await, org_before, "the organisation is unchanged");
    let calls: Vec<(&str, Value)> = vec![
        ("members/list", json!({ "provider_id": pid })),
        ("members/invite", json!({ "input": { "provider_id": pid, "emails": "x@acme.com", "user_type": "ProviderAdmin" } })),
        ("members/resend", json!({ "provider_id": pid, "member_ids": [target] })),
        ("members/confirm-candidates", json!({ "provider_id": pid, "member_ids": [target] })),
        ("members/confirm", json!({ "provider_id": pid, "keys": [{ "member_id": target, "wrapped_key": sealed }] })),
        ("members/remove", json!({ "provider_id": pid, "member_ids": [target] })),
        ("members/suspend", json!({ "provider_id": pid, "member_ids": [target], "suspended": true })),
        (
            "members/user-type",
            json!({ "provider_id": pid, "member_id": target, "user_type": "ProviderAdmin", "permissions": {"manage_users": false, "manage_groups": false, "manage_collections": false, "manage_policies": false, "access_event_logs": false} }),
        ),
        (
            "members/user-types",
            json!({ "provider_id": pid, "member_ids": [target], "user_type": "ProviderAdmin", "permissions": {"manage_users": false, "manage_groups": false, "manage_collections": false, "manage_policies": false, "access_event_logs": false} }),
        ),
        (
            "clients/create",
            json!({ "input": { "provider_id": pid, "name": "Evil Corp", "owner_email": "o@evil.com", "seats": 1, "org_key": key.encrypt(b"k") } }),
        ),
        ("providers/seats", json!({ "provider_id": pid, "seats": 1000 })),
        ("providers/events", json!({ "provider_id": pid, "filter": { "from": null, "to": null, "clients": true }, "offset": 0, "limit": 10 })),
        ("providers/events/facets", json!({ "provider_id": pid, "clients": true })),
        ("providers/settings", json!({ "provider_id": pid })),
        ("providers/update", json!({ "provider_id": pid, "name": "Hijacked", "billing_email": "evil@x.com" })),
        ("members/failed-mails", json!({ "provider_id": pid })),
        ("providers/two-step", json!({ "provider_id": pid })),
        ("providers/two-step/save", json!({ "provider_id": pid, "on": false })),
        ("providers/usage", json!({ "provider_id": pid, "month": null })),
        ("clients/suspend", json!({ "provider_id": pid, "org_id": oid, "suspend": true })),
        ("clients/unlink", json!({ "provider_id": pid, "org_id": oid })),
        ("clients/delete", json!({ "provider_id": pid, "org_id": oid, "confirm_name": "Contoso" })),
        ("clients/linkable", json!({ "provider_id": pid })),
        ("clients/add-existing", json!({ "input": { "provider_id": pid, "org_id": oid, "seats": 1, "org_key": key.encrypt(b"k") } })),
        (
            "providers/baseline/save",
            json!({ "input": { "provider_id": pid, "included": true, "policy": serde_json::to_value(domain::org::Policy::off(domain::org::PolicyKind::SingleOrg)).unwrap() } }),
        ),
    ];
    for (who, b, expect) in
        [("anonymous", &anon, StatusCode::UNAUTHORIZED), ("outsider", &outsider, StatusCode::FORBIDDEN), ("service user", &service_user, StatusCode::FORBIDDEN)]
    {
        for (endpoint, body) in &calls {
            let (s, v) = b.call(endpoint, body.clone()).await;
            assert_eq!(s, expect, "{who} → {endpoint}: {v}");
        }
        for path in [format!("/api/providers/{pid}/events.csv"), format!("/api/providers/{pid}/stream"), format!("/api/providers/{pid}/usage.csv")] {
            let r = b.http.get(format!("{}{path}", app.base)).send().await.unwrap();
            assert_eq!(r.status(), expect, "{who} → {path}");
        }
    }
    // The onboarding queue's stream is for provider staff (service users too).
    for (who, b, expect) in [("anonymous", &anon, StatusCode::UNAUTHORIZED), ("outsider", &outsider, StatusCode::FORBIDDEN)] {
        let r = b.http.get(format!("{}/api/providers/{pid}/clients/stream", app.base)).send().await.unwrap();
        assert_eq!(r.status(), expect, "{who} → the clients stream");
    }
    assert_eq!(members(&admin, &pid).await, before, "nothing changed");
    // Endpoints that act on the caller's own account: refused to anonymous
    // callers, and an outsider cannot reach the admin's item or accept the
    // invitation sent to someone else.
    let (s, own) = admin.call("vault/save", json!({ "id": null, "data": sealed_item(&key, "mine", "") })).await;
    assert_eq!(s, StatusCode::OK, "{own}");
    let (s, folder) = admin.call("folders/save", json!({ "id": null, "name": key.encrypt(b"Work") })).await;
    assert_eq!(s, StatusCode::OK, "{folder}");
    let vault_before = (admin.call("vault/list", json!({})).await, admin.call("folders/list", json!({})).await);
    let invite_token = token_for(&app, "inv@acme.com").await;
    let self_calls: Vec<(&str, Value)> = vec![
        ("providers/create", json!({ "input": { "name": "Shadow MSP", "billing_email": "s@x.com", "wrapped_key": sealed } })),
        ("vault/list", json!({})),
        ("vault/save", json!({ "id": own["id"], "data": sealed_item(&key, "overwritten", "") })),
        ("vault/delete", json!({ "id": own["id"] })),
        ("vault/import", json!({ "items": [sealed_item(&key, "imported", "")], "folders": [] })),
        ("vault/restore", json!({ "id": own["id"] })),
        ("vault/purge", json!({ "id": own["id"] })),
        ("vault/shared", json!({})),
        ("vault/file", json!({ "id": own["id"], "folder_id": null, "favourite": true })),
        ("folders/list", json!({})),
        ("folders/save", json!({ "id": folder["id"], "name": key.encrypt(b"Taken") })),
        ("folders/delete", json!({ "id": folder["id"] })),
        ("invitations/accept", json!({ "token": invite_token, "password": null })),
        (
            "accounts/change-password",
            json!({ "input": { "current_auth_hash": "x", "new_auth_hash": "y", "new_protected_user_key": key.encrypt(b"k"), "password": { "length": 20, "score": 4 } } }),
        ),
        // Someone else's master password hash makes no API key for this account.
        ("accounts/api-key", json!({ "auth_hash": admin.auth_hash })),
        ("accounts/two-step", json!({})),
        ("accounts/two-step/start", json!({ "auth_hash": admin.auth_hash })),
        ("accounts/two-step/enable", json!({ "code": "123456" })),
        ("accounts/two-step/disable", json!({ "auth_hash": admin.auth_hash })),
        ("accounts/two-step/email/start", json!({ "auth_hash": admin.auth_hash })),
        ("accounts/two-step/email/enable", json!({ "code": "123456" })),
        ("accounts/two-step/security-key/start", json!({ "auth_hash": admin.auth_hash })),
        ("accounts/two-step/security-key/finish", json!({ "name": "Borrowed key", "response": "{}" })),
        ("accounts/two-step/security-key/remove", json!({ "id": "not-this-accounts-key" })),
        ("accounts/recovery", json!({})),
        ("accounts/devices", json!({})),
        ("accounts/devices/log-out", json!({ "id": "00000000-0000-0000-0000-000000000000" })),
        ("accounts/two-step/forget", json!({})),
    ];
    for (endpoint, body) in &self_calls {
        let (s, v) = anon.call(endpoint, body.clone()).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "anonymous → {endpoint}: {v}");
    }
    for (endpoint, expect) in [
        ("vault/save", StatusCode::NOT_FOUND),
        ("vault/delete", StatusCode::NOT_FOUND),
        ("vault/restore", StatusCode::NOT_FOUND),
        ("vault/purge", StatusCode::NOT_FOUND),
        ("vault/file", StatusCode::NOT_FOUND),
        ("folders/save", StatusCode::NOT_FOUND),
        ("folders/delete", StatusCode::NOT_FOUND),
        ("invitations/accept", StatusCode::FORBIDDEN),
        ("accounts/api-key", StatusCode::UNPROCESSABLE_ENTITY),
        ("accounts/two-step/start", StatusCode::UNPROCESSABLE_ENTITY),
        ("accounts/two-step/disable", StatusCode::UNPROCESSABLE_ENTITY),
        ("accounts/two-step/email/start", StatusCode::UNPROCESSABLE_ENTITY),
        ("accounts/two-step/email/enable", StatusCode::UNPROCESSABLE_ENTITY),
        // Someone else's password opens no key registration; no registration is open to finish; no key to remove.
        ("accounts/two-step/security-key/start", StatusCode::UNPROCESSABLE_ENTITY),
        ("accounts/two-step/security-key/finish", StatusCode::CONFLICT),
        ("accounts/two-step/security-key/remove", StatusCode::NOT_FOUND),
    ] {
        let body = self_calls.iter().find(|(e, _)| *e == endpoint).unwrap().1.clone();
        let (s, v) = outsider.call(endpoint, body).await;
        // Wrong master passwords in a row are throttled per account: a later
        // one in this walk may be told to wait (429) rather than why (422).
        let waited = expect == StatusCode::UNPROCESSABLE_ENTITY && s == StatusCode::TOO_MANY_REQUESTS;
        assert!(s == expect || waited, "outsider → {endpoint}: {s} {v}");
    }
    assert_eq!((admin.call("vault/list", json!({})).await, admin.call("folders/list", json!({})).await), vault_before, "the admin's vault is unchanged");
    assert_eq!(members(&admin, &pid).await, before, "the invitation is still open");
    // Open to anyone by design: signing up, logging in and out, the
    // pre-login KDF parameters, who is signed in, an invitation's state, and
    // a log-in's emailed code (the master password hash proves the person).
    let open = ["accounts/prelogin", "accounts/register", "accounts/login", "accounts/login/send-code", "accounts/logout", "accounts/me", "invitations/info"];
    // Every registered server function is in one of these lists, so a new
    // endpoint cannot be added without deciding who may call it here.
    let walked: std::collections::BTreeSet<String> =
        calls.iter().chain(&org_calls).chain(&self_calls).map(|(e, _)| *e).chain(open).map(|e| format!("/api/{e}")).collect();
    let registered: std::collections::BTreeSet<String> = leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_string()).collect();
    assert_eq!(registered.difference(&walked).collect::<Vec<_>>(), Vec::<&String>::new(), "server functions the forbidden walk does not cover");
    assert_eq!(walked.difference(&registered).collect::<Vec<_>>(), Vec::<&String>::new(), "walked endpoints that no longer exist");
    let (_, settings) = admin.call("providers/settings", json!({ "provider_id": pid })).await;
    assert_eq!(settings, json!(["Acme MSP", "b@acme.com"]), "settings unchanged");
    let (s, _) = admin.call("providers/update", json!({ "provider_id": pid, "name": "Acme Managed IT", "billing_email": "billing@acme.com" })).await;
    assert_eq!(s, StatusCode::OK);
    // The admin's CSV export works and names the events.
    let csv = admin.http.get(format!("{}/api/providers/{pid}/events.csv", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(csv.starts_with("time_utc,") && csv.contains("member_confirmed") && csv.contains("su@acme.com"), "{csv}");
    assert!(csv.contains("provider_settings_changed") && csv.contains("Acme Managed IT"), "{csv}");
    assert!(!csv.contains("collection_created"), "the provider's own log holds no client's events");
    // Across every client, filtered by kind: the client's events, named, in a file named after the provider and range.
    let r = admin.http.get(format!("{}/api/providers/{pid}/events.csv?clients=1&kind=collection_created&from=2000-01-01", app.base)).send().await.unwrap();
    let file = r.headers()[reqwest::header::CONTENT_DISPOSITION].to_str().unwrap().to_string();
    assert!(file.starts_with("attachment; filename=\"events_acme-managed-it_2000-01-01_"), "{file}");
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "organisation,time_utc,unix_time,event,actor,member,detail,ip");
    assert!(lines.len() > 1 && lines[1..].iter().all(|l| l.starts_with("\"Contoso\",") && l.contains("collection_created")), "{csv}");
    // The monthly usage report: one row per client, in a file named after the provider and month.
    let r = admin.http.get(format!("{}/api/providers/{pid}/usage.csv", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let file = r.headers()[reqwest::header::CONTENT_DISPOSITION].to_str().unwrap().to_string();
    assert!(file.starts_with("attachment; filename=\"usage_acme-managed-it_20") && file.ends_with(".csv\""), "{file}");
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "client,month,status,seats_assigned,seats_used,peak_seats_used,members_added,members_removed");
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].starts_with("\"Contoso\",20") && lines[1].contains(",active,5,"), "{csv}");
    let r = admin.http.get(format!("{}/api/providers/{pid}/usage.csv?month=2026-13", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a month that is not one");
    // One client's events only, compressed as a browser asks.
    let r = admin
        .http
        .get(format!("{}/api/providers/{pid}/events.csv?tenant={oid}&kind=collection_created&clients=1", app.base))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.is_ok(), "the whole body arrives");
    // A service user may not export the provider's log.
    let r = service_user.http.get(format!("{}/api/providers/{pid}/events.csv?clients=1", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// The vault timeout's "Log out" (a page navigation): `POST /logout` ends the
/// session and sends the browser to the log-in page with the one known reason;
/// from another site it is refused and the session lives on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_page_ends_the_session_and_says_why() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let mut b = Browser::new(&app, "tia@x.com").sign_up().await;
    assert_ne!(b.call("accounts/me", json!({})).await.1, Value::Null);
    let r = b.http.post(format!("{}/logout?why=timeout", app.base)).header("sec-fetch-site", "cross-site").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_ne!(b.call("accounts/me", json!({})).await.1, Value::Null, "a forged log-out changes nothing");
    let r = b.http.post(format!("{}/logout?why=timeout", app.base)).send().await.unwrap();
    assert_eq!(r.url().path(), "/login");
    assert_eq!(r.url().query(), Some("why=timeout"));
    assert_eq!(b.call("accounts/me", json!({})).await.1, Value::Null, "the session is gone");
    // Another reason is not passed on.
    b.log_in().await;
    let r = b.http.post(format!("{}/logout?why=%3Cscript%3E", app.base)).send().await.unwrap();
    assert_eq!((r.url().path(), r.url().query()), ("/login", None));
}

/// After the whole members flow, no table holds a master password or any
/// unwrapped key — in any encoding the code uses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_dump_holds_no_secret() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let admin = Browser::new(&app, "admin@acme.com").sign_up().await;
    let (pid, key) = provider(&admin).await;
    let member = join(&app, &admin, &pid, &key, "member@acme.com", Role::ServiceUser).await;
    let uk = &admin.keys.as_ref().unwrap().user_key;
    let (s, _) = admin.call("vault/save", json!({ "id": null, "data": sealed_item(uk, "Router", "s3cret-router-pw") })).await;
    assert_eq!(s, StatusCode::OK);
    // The member opens the provider key: the flow really worked.
    let wrapped = member.me().await.providers[0].wrapped_key.clone().unwrap();
    assert_eq!(member.keys.as_ref().unwrap().key_pair.unseal(&wrapped).unwrap().as_slice(), key.to_bytes().as_slice());
    // A client organisation whose key only browsers open, with an encrypted collection name.
    let org_key = SymmetricKey::generate();
    let (s, _) = admin.call("providers/seats", json!({ "provider_id": pid, "seats": 10 })).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = admin.call("clients/create", json!({ "input": { "provider_id": pid, "name": "Contoso", "owner_email": "owner@contoso.com", "seats": 5, "org_key": key.encrypt(&org_key.to_bytes()) } })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let oid = v["id"].as_str().unwrap().to_string();
    let (s, v) = member
        .call(
            "organizations/collections/save",
            json!({ "input": { "org_id": oid, "collection_id": null, "name": org_key.encrypt(b"Top secret collection"), "access": [] } }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = member
        .call(
            "organizations/import",
            json!({ "input": { "org_id": oid, "new_collections": [{ "key": "n", "name": org_key.encrypt(b"Imported collection") }],
            "items": [{ "data": sealed_item(&org_key, "Bank", "s3cret-org-pw"), "collections": ["n"] }] } }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, ctx) = member.call("organizations/context", json!({ "org_id": oid })).await;
    let opened = key.decrypt(ctx["org_key"].as_str().unwrap()).unwrap();
    assert_eq!(opened.as_slice(), org_key.to_bytes().as_slice(), "the service user's browser opens the organisation key");

    // A Bitwarden app logs in (a refresh token) and an API key is made.
    let form = [
        ("grant_type", "password"),
        ("username", "admin@acme.com"),
        ("password", admin.auth_hash.as_str()),
        ("deviceType", "14"),
        ("deviceIdentifier", "dump-test-device"),
    ];
    let tokens: Value = reqwest::Client::new().post(format!("{}/identity/connect/token", app.base)).form(&form).send().await.unwrap().json().await.unwrap();
    let refresh_token = tokens["refresh_token"].as_str().expect("an app logged in").to_string();
    let (s, api_key) = admin.call("accounts/api-key", json!({ "auth_hash": admin.auth_hash })).await;
    assert_eq!(s, StatusCode::OK, "{api_key}");
    let api_secret = api_key["client_secret"].as_str().unwrap().to_string();

    // Two-step login on, and an app remembered for it.
    let (s, setup) = admin.call("accounts/two-step/start", json!({ "auth_hash": admin.auth_hash })).await;
    assert_eq!(s, StatusCode::OK, "{setup}");
    let totp_key = setup["key"].as_str().unwrap().to_string();
    let totp = domain::totp::Totp::parse(&totp_key).unwrap();
    let now = service::Clock::now(&SystemClock) as u64;
    let (s, recovery) = admin.call("accounts/two-step/enable", json!({ "code": totp.code_at(now) })).await;
    assert_eq!(s, StatusCode::OK, "{recovery}");
    let recovery = recovery.as_str().unwrap().to_string();
    let next = totp.code_at(now + 30);
    let form2 = [form.as_slice(), &[("twoFactorProvider", "0"), ("twoFactorToken", next.as_str()), ("twoFactorRemember", "1")]].concat();
    let tokens2: Value = reqwest::Client::new().post(format!("{}/identity/connect/token", app.base)).form(&form2).send().await.unwrap().json().await.unwrap();
    let remembered = tokens2["TwoFactorToken"].as_str().expect("a remembered app").to_string();

    // The mails go out: the live invitation links leave the database with them.
    let owner_token = token_for(&app, "owner@contoso.com").await;
    let dir = std::env::temp_dir().join(format!("portal-dump-mail-{}", service::new_id()));
    let mailer = service::mail::Mailer::dir(dir.clone(), "Portal <p@acme.com>").unwrap();
    while service::mail::drain_once(&app.services, &mailer).await > 0 {}
    std::fs::remove_dir_all(&dir).unwrap();

    // Dump every table as text.
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    let tables: Vec<(String,)> = sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table'").fetch_all(&pool).await.unwrap();
    let mut dump = Vec::<u8>::new();
    for (t,) in tables {
        let rows = sqlx::query(&format!("SELECT * FROM \"{t}\"")).fetch_all(&pool).await.unwrap();
        for row in rows {
            use sqlx::{Row, ValueRef};
            for (i, _) in row.columns().iter().enumerate() {
                let raw = row.try_get_raw(i).unwrap();
                if raw.is_null() {
                    continue;
                }
                if let Ok(s) = row.try_get::<String, _>(i) {
                    dump.extend_from_slice(s.as_bytes());
                } else if let Ok(b) = row.try_get::<Vec<u8>, _>(i) {
                    dump.extend_from_slice(&b);
                }
                dump.push(b'\n');
            }
        }
    }
    assert!(dump.len() > 1000, "the dump is not empty");
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let mut secrets: Vec<(String, Vec<u8>)> = vec![
        ("Owner's invitation token".into(), owner_token.into_bytes()),
        ("app refresh token".into(), refresh_token.into_bytes()),
        ("API key secret".into(), api_secret.into_bytes()),
        ("authenticator key (base32)".into(), totp_key.clone().into_bytes()),
        ("authenticator key (raw)".into(), data_encoding::BASE32_NOPAD.decode(totp_key.as_bytes()).unwrap()),
        ("recovery code".into(), recovery.clone().into_bytes()),
        ("recovery code (as typed)".into(), recovery.replace('-', "").into_bytes()),
        ("remembered-app token".into(), remembered.into_bytes()),
        ("master password".into(), PW.as_bytes().to_vec()),
        ("vault item password".into(), b"s3cret-router-pw".to_vec()),
        ("organisation item password".into(), b"s3cret-org-pw".to_vec()),
    ];
    for (who, b) in [("admin", &admin), ("member", &member)] {
        let k = b.keys.as_ref().unwrap();
        let master = crypto::master_key(PW, &Email::parse(&b.email).unwrap(), KdfParams::MIN).unwrap();
        for (what, bytes) in [
            ("master key", master.expose().to_vec()),
            ("stretched key", crypto::stretched_key(&master).to_bytes().to_vec()),
            ("user key", k.user_key.to_bytes().to_vec()),
            ("private key", k.key_pair.secret_bytes().to_vec()),
        ] {
            secrets.push((format!("{who} {what} (raw)"), bytes.clone()));
            secrets.push((format!("{who} {what} (base64)"), crypto::b64(&bytes).into_bytes()));
            secrets.push((format!("{who} {what} (hex)"), hex(&bytes).into_bytes()));
        }
        // The auth hash itself is only ever stored hashed.
        secrets.push((format!("{who} auth hash"), b.auth_hash.clone().into_bytes()));
    }
    for (what, bytes) in [
        ("provider key (raw)", key.to_bytes().to_vec()),
        ("provider key (base64)", crypto::b64(&key.to_bytes()).into_bytes()),
        ("provider key (hex)", hex(&key.to_bytes()).into_bytes()),
    ] {
        secrets.push((what.into(), bytes));
    }
    for (what, bytes) in [
        ("organisation key (raw)", org_key.to_bytes().to_vec()),
        ("organisation key (base64)", crypto::b64(&org_key.to_bytes()).into_bytes()),
        ("organisation key (hex)", hex(&org_key.to_bytes()).into_bytes()),
        ("collection name", b"Top secret collection".to_vec()),
        ("imported collection name", b"Imported collection".to_vec()),
        ("organisation item name", b"\"Bank\"".to_vec()),
    ] {
        secrets.push((what.into(), bytes));
    }
    for (what, needle) in secrets {
        assert!(!dump.windows(needle.len()).any(|w| w == needle.as_slice()), "the database holds the {what}");
    }
}

/// An accept shows up live on the admin's event stream.
async fn live_accept(a: &App, b: &App) {
    let admin = Browser::new(a, "admin@acme.com").sign_up().await;
    let (pid, _) = provider(&admin).await;
    // A session made on one instance works on the other (shared store).
    let mut on_b = Browser { http: admin.http.clone(), base: b.base.clone(), email: admin.email.clone(), keys: None, auth_hash: String::new() };
    on_b.base = b.base.clone();
    assert_eq!(members(&on_b, &pid).await.len(), 1);
    let (s, _) = admin.call("members/invite", json!({ "input": { "provider_id": pid, "emails": "new@acme.com", "user_type": "ServiceUser" } })).await;
    assert_eq!(s, StatusCode::OK);
    let token = token_for(a, "new@acme.com").await;
    // The admin watches instance B; the invitee accepts through instance A.
    let mut stream = on_b.http.get(format!("{}/api/providers/{pid}/stream", b.base)).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let invitee = Browser::new(a, "new@acme.com").sign_up().await;
    let (s, _) = invitee.call("invitations/accept", json!({ "token": token })).await;
    assert_eq!(s, StatusCode::OK);
    let got = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let mut seen = String::new();
        while let Some(chunk) = stream.chunk().await.unwrap() {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains("data: accepted") {
                return seen;
            }
        }
        seen
    })
    .await
    .expect("the accept arrives within 10 s");
    assert!(got.contains("data: accepted"), "{got}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_accept_sqlite_one_instance() {
    // SQLite serves one instance; the stream and the accept share it.
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    live_accept(&app, &app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_accept_postgres_two_instances() {
    let Some(db) = testing::postgres().await else { return };
    // Two separate pools = two server instances on one database.
    let second: db::DynStore = Arc::new(db::PgStore::connect(&db.url).await.unwrap());
    let (a, b) = (spawn(db.store.clone()).await, spawn(second).await);
    live_accept(&a, &b).await;
}

/// The client address of each event in a tenant's log, newest first.
async fn event_ips(b: &Browser, pid: &str) -> Vec<String> {
    let (s, v) = b.call("providers/events", json!({ "provider_id": pid, "filter": { "from": null, "to": null }, "offset": 0, "limit": 10 })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"].as_array().unwrap().iter().map(|e| e["ip"].as_str().unwrap_or("").to_string()).collect()
}

/// Behind a trusted proxy every client has its own address: in the event log
/// and in the log-in throttle (a guesser cannot lock the account's owner out).
/// An untrusted peer's `X-Forwarded-For` is ignored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_addresses_behind_a_trusted_proxy() {
    let db = testing::sqlite().await;
    let trusted = server::client_ip::parse_trusted("127.0.0.1").unwrap();
    let app = spawn_with(db.store.clone(), server::HttpSettings { trusted_proxies: trusted, ..Default::default() }).await;
    let alice = Browser::forwarded_for(&app, "alice@acme.com", "10.0.0.1, 203.0.113.10").sign_up().await;
    let (pid, _) = provider(&alice).await;
    assert_eq!(event_ips(&alice, &pid).await, vec!["203.0.113.10"], "the right-most address the proxy appended, not what the client wrote");

    let mut guesser = Browser::forwarded_for(&app, "alice@acme.com", "198.51.100.66");
    guesser.auth_hash = crypto::auth_hash(&crypto::MasterKey::from_bytes(&[7u8; 32]).unwrap(), "guess");
    let mut statuses = vec![];
    for _ in 0..8 {
        statuses.push(guesser.call("accounts/login", json!({ "input": { "email": "alice@acme.com", "auth_hash": guesser.auth_hash } })).await.0);
    }
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let mut again = Browser::forwarded_for(&app, "alice@acme.com", "203.0.113.10");
    again.auth_hash = alice.auth_hash.clone();
    again.log_in().await; // 200: the owner, at their own address, is not throttled

    // Without TRUSTED_PROXIES the header is the client's word: ignored.
    let db2 = testing::sqlite().await;
    let plain = spawn(db2.store.clone()).await;
    let bob = Browser::forwarded_for(&plain, "bob@acme.com", "203.0.113.10").sign_up().await;
    let (pid2, _) = provider(&bob).await;
    assert_eq!(event_ips(&bob, &pid2).await, vec!["127.0.0.1"]);
}

/// An open live-update stream ends when its watcher may no longer watch:
/// removed from the provider, or logged out (checked at the next change).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_streams_end_with_access() {
    let db = testing::sqlite().await;
    let app = spawn(db.store.clone()).await;
    let admin = Browser::new(&app, "admin@acme.com").sign_up().await;
    let (pid, key) = provider(&admin).await;
    let removed = join(&app, &admin, &pid, &key, "removed@acme.com", Role::ProviderAdmin).await;
    let leaving = join(&app, &admin, &pid, &key, "leaving@acme.com", Role::ProviderAdmin).await;
    let open = |b: &Browser| b.http.get(format!("{}/api/providers/{pid}/stream", b.base)).send();
    let mut removed_stream = open(&removed).await.unwrap();
    let mut leaving_stream = open(&leaving).await.unwrap();
    assert_eq!((removed_stream.status(), leaving_stream.status()), (StatusCode::OK, StatusCode::OK));
    // Reads until the stream ends; fails if it is still open after 10 s.
    async fn ends(stream: &mut reqwest::Response) {
        tokio::time::timeout(std::time::Duration::from_secs(10), async { while let Ok(Some(_)) = stream.chunk().await {} }).await.expect("the stream ends");
    }
    let id = members(&admin, &pid).await.into_iter().find(|m| m.email == "removed@acme.com").unwrap().id;
    let (s, v) = admin.call("members/remove", json!({ "provider_id": pid, "member_ids": [id] })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    ends(&mut removed_stream).await;
    let (s, _) = leaving.call("accounts/logout", json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = admin.call("members/invite", json!({ "input": { "provider_id": pid, "emails": "next@acme.com", "user_type": "ServiceUser" } })).await;
    assert_eq!(s, StatusCode::OK);
    ends(&mut leaving_stream).await;
    // The admin's own stream stays open.
    let mut kept = open(&admin).await.unwrap();
    let (s, _) = admin.call("members/invite", json!({ "input": { "provider_id": pid, "emails": "later@acme.com", "user_type": "ServiceUser" } })).await;
    assert_eq!(s, StatusCode::OK);
    let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), kept.chunk()).await.expect("a message").unwrap();
    assert!(chunk.is_some());
}

/// Per-route body limits and timeouts: a small route refuses a body over
/// `MAX_SMALL_REQUEST_BYTES` at once (an import may send more), and a body
/// that stops arriving gets 408 instead of holding the connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_limits_per_route_and_slow_bodies() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = testing::sqlite().await;
    let http = server::HttpSettings { request_timeout: std::time::Duration::from_secs(1), ..Default::default() };
    let app = spawn_with(db.store.clone(), http).await;
    // Sends the head and the start of a body of `len` bytes; the status line that comes back within 10 s.
    let status = |path: &'static str, len: usize| {
        let addr = app.base.trim_start_matches("http://").to_string();
        async move {
            let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
            let head = format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n{{\"pad\":\"");
            tcp.write_all(head.as_bytes()).await.unwrap();
            let mut buf = vec![0u8; 64];
            let n = tokio::time::timeout(std::time::Duration::from_secs(10), tcp.read(&mut buf)).await.expect("an answer").unwrap();
            String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or("").to_string()
        }
    };
    let over = server::MAX_SMALL_REQUEST_BYTES + 1;
    assert!(status("/api/vault/save", over).await.starts_with("HTTP/1.1 413"));
    assert!(status("/api/accounts/register", over).await.starts_with("HTTP/1.1 413"));
    // The import route takes it, waits for the rest, and gives up on a sender that stopped.
    assert!(status("/api/organizations/import", over).await.starts_with("HTTP/1.1 408"));
    assert!(status("/api/vault/save", 100).await.starts_with("HTTP/1.1 408"), "a small body that stops arriving");
}
