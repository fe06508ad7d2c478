//! What the HTTP tests share: the real router on port 0, and a "browser"
//! (a cookie jar whose keys stay on this side) that signs up, logs in and
//! joins tenants through the server functions, as the pages do.
#![allow(dead_code, reason = "each test file uses its own part of the helpers")]

pub use db::testing;
pub use domain::api::*;
pub use domain::bitwarden::cipher::{CipherType, CipherView};
pub use domain::crypto::{self, SymmetricKey, UnlockedKeys};
pub use domain::member::Role;
pub use domain::{Email, KdfParams};
pub use leptos::config::LeptosOptions;
pub use reqwest::StatusCode;
pub use serde_json::{Value, json};
pub use service::{ServiceSettings, Services, SystemClock};
pub use std::net::SocketAddr;
pub use std::sync::Arc;

pub const PW: &str = "correct horse battery staple";

pub struct App {
    pub base: String,
    pub services: Services,
}

pub async fn spawn(store: db::DynStore) -> App {
    spawn_with(store, server::HttpSettings::default()).await
}

pub async fn spawn_with(store: db::DynStore, http: server::HttpSettings) -> App {
    let services = Services::new(store, ServiceSettings::default(), Arc::new(SystemClock));
    services.relay_notifications().await.unwrap();
    let opts = LeptosOptions::builder().output_name("portal").site_root("target/site").build();
    let router = server::build_router(services.clone(), opts, http);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap() });
    App { base: format!("http://{addr}"), services }
}

/// A browser: a cookie jar, and keys that stay on this side.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub email: String,
    pub keys: Option<UnlockedKeys>,
    pub auth_hash: String,
}

impl Browser {
    pub fn new(app: &App, email: &str) -> Self {
        Self::with_headers(app, email, reqwest::header::HeaderMap::new())
    }

    /// A browser whose requests carry `X-Forwarded-For: <forwarded_for>`, as a proxy in front would add.
    pub fn forwarded_for(app: &App, email: &str, forwarded_for: &str) -> Self {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("x-forwarded-for", forwarded_for.parse().unwrap());
        Self::with_headers(app, email, h)
    }

    pub fn with_headers(app: &App, email: &str, headers: reqwest::header::HeaderMap) -> Self {
        Browser {
            http: reqwest::Client::builder().cookie_store(true).default_headers(headers).build().unwrap(),
            base: app.base.clone(),
            email: email.into(),
            keys: None,
            auth_hash: String::new(),
        }
    }

    pub async fn call(&self, endpoint: &str, body: Value) -> (StatusCode, Value) {
        let r = self.http.post(format!("{}/api/{endpoint}", self.base)).json(&body).send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn sign_up(mut self) -> Self {
        let e = Email::parse(&self.email).unwrap();
        let kdf = KdfParams::MIN;
        let acct = crypto::new_account(PW, &e, kdf).unwrap();
        let input = RegisterInput { hint: "my hint".into(), ..RegisterInput::for_new_account(&self.email, &format!("Name {}", self.email), kdf, &acct) };
        let (s, body) = self.call("accounts/register", json!({ "input": input })).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        self.auth_hash = acct.auth_hash;
        self.log_in().await;
        self
    }

    pub async fn log_in(&mut self) {
        let (s, me) = self.call("accounts/login", json!({ "input": { "email": self.email, "auth_hash": self.auth_hash } })).await;
        assert_eq!(s, StatusCode::OK, "{me}");
        let me: Me = serde_json::from_value(me).unwrap();
        let master = crypto::master_key(PW, &Email::parse(&self.email).unwrap(), me.kdf).unwrap();
        self.keys = Some(crypto::unlock(&master, &me.protected_user_key, &me.protected_private_key).unwrap());
    }

    pub async fn me(&self) -> Me {
        let (s, v) = self.call("accounts/me", json!({})).await;
        assert_eq!(s, StatusCode::OK);
        serde_json::from_value(v).unwrap()
    }

    pub fn public(&self) -> Vec<u8> {
        self.keys.as_ref().unwrap().key_pair.public_spki()
    }
}

/// An item as a browser writes it: a Bitwarden login, every text field its own EncString.
pub fn sealed_item(key: &SymmetricKey, name: &str, password: &str) -> String {
    let mut c = CipherView::new(CipherType::Login);
    c.name = name.into();
    c.login.as_mut().unwrap().password = Some(password.to_string()).filter(|p| !p.is_empty());
    c.encrypt(key.inner()).to_json()
}

pub async fn provider(admin: &Browser) -> (String, SymmetricKey) {
    let key = SymmetricKey::generate();
    let wrapped = crypto::seal_to(&admin.public(), &key.to_bytes()).unwrap();
    let (s, v) = admin.call("providers/create", json!({ "input": { "name": "Acme MSP", "billing_email": "b@acme.com", "wrapped_key": wrapped } })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    (v["id"].as_str().unwrap().to_string(), key)
}

pub async fn members(admin: &Browser, pid: &str) -> Vec<MemberListItem> {
    let (s, v) = admin.call("members/list", json!({ "provider_id": pid })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    serde_json::from_value(v).unwrap()
}

pub async fn token_for(app: &App, email: &str) -> String {
    let mails = app.services.store.mails_to(email).await.unwrap();
    let m = mails.iter().filter(|m| m.text_body.contains("token=")).max_by_key(|m| m.created_at).expect("invitation mail");
    m.text_body.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string()
}

/// Invite → accept → confirm, through HTTP only.
pub async fn join(app: &App, admin: &Browser, pid: &str, key: &SymmetricKey, email: &str, t: Role) -> Browser {
    let b = Browser::new(app, email).sign_up().await;
    let (s, _) = admin.call("members/invite", json!({ "input": { "provider_id": pid, "emails": email, "user_type": t } })).await;
    assert_eq!(s, StatusCode::OK);
    let token = token_for(app, email).await;
    let (s, v) = b.call("invitations/accept", json!({ "token": token })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let id = members(admin, pid).await.into_iter().find(|m| m.email == email).unwrap().id;
    let (s, cands) = admin.call("members/confirm-candidates", json!({ "provider_id": pid, "member_ids": [id] })).await;
    assert_eq!(s, StatusCode::OK);
    let cands: Vec<ConfirmCandidate> = serde_json::from_value(cands).unwrap();
    let keys: Vec<WrappedKey> = cands
        .iter()
        .map(|c| WrappedKey { member_id: c.member_id.clone(), wrapped_key: crypto::seal_to(&crypto::unb64(&c.public_key).unwrap(), &key.to_bytes()).unwrap() })
        .collect();
    let (s, v) = admin.call("members/confirm", json!({ "provider_id": pid, "keys": keys })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    b
}
