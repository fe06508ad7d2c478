//! Crash safety: the real server binary is killed with SIGKILL in the middle of
//! bulk invites and of a bulk confirm, then started again on the same database.
//! Every member is either fully there (row, token, outbox mail) or absent, and
//! the outbox resumes and delivers each mail exactly once.

use db::testing;
use domain::api::*;
use domain::crypto::{self, KeyPair, SymmetricKey};
use domain::{Email, KdfParams};
use service::{RequestMeta, ServiceSettings, Services, SystemClock};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const PW: &str = "correct horse battery staple";

struct Proc {
    child: Child,
    base: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start(db_url: &str, dir: &Path, port: u16) -> Proc {
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", db_url)
        .env("DATA_DIR", dir)
        .env("MAIL_DIR", dir.join("mail"))
        .env("OUTBOX_LEASE_SECONDS", "1")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "portal")
        .env("LEPTOS_SITE_ROOT", dir.join("site"))
        .env("LEPTOS_ENV", "PROD")
        .env("PUBLIC_URL", &base)
        .env("RUST_LOG", "error")
        .env_remove("SMTP_HOST")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server binary starts");
    for _ in 0..300 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
            return Proc { child, base };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not come up");
}

impl Proc {
    /// SIGKILL: no graceful shutdown, no flushing.
    fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

struct World {
    s: Services,
    db: testing::TestDb,
    dir: PathBuf,
    pid: String,
    key: SymmetricKey,
    cookie: String,
    admin_user: String,
}

fn meta() -> RequestMeta {
    RequestMeta { ip: Some("127.0.0.1".into()) }
}

async fn register(s: &Services, email: &str) -> (String, KeyPair, String) {
    let e = Email::parse(email).unwrap();
    let acct = crypto::new_account(PW, &e, KdfParams::MIN).unwrap();
    s.register(RegisterInput::for_new_account(email, &format!("Person {email}"), KdfParams::MIN, &acct), &RequestMeta::default()).await.unwrap();
    let (token, me) = s.login(LoginInput::new(email, acct.auth_hash), &meta()).await.unwrap();
    let master = crypto::master_key(PW, &e, KdfParams::MIN).unwrap();
    let keys = crypto::unlock(&master, &me.protected_user_key, &me.protected_private_key).unwrap();
    (token, keys.key_pair, me.user_id)
}

/// A provider whose admin holds a session the child server will accept.
async fn world(db: testing::TestDb) -> World {
    let s = Services::new(db.store.clone(), ServiceSettings::default(), Arc::new(SystemClock));
    let (token, kp, admin_user) = register(&s, "admin@acme.com").await;
    let actor = s.resolve_session(&token).await.unwrap().unwrap();
    let key = SymmetricKey::generate();
    let wrapped = crypto::seal_to(&kp.public_spki(), &key.to_bytes()).unwrap();
    let p = s
        .create_provider(&actor, SetupProviderInput { name: "Acme MSP".into(), billing_email: "b@acme.com".into(), wrapped_key: wrapped }, &meta())
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("portal-crash-{}", service::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    World { s, db, dir, pid: p.id, key, cookie: format!("pp_session={token}"), admin_user }
}

impl World {
    async fn post(&self, http: &reqwest::Client, base: &str, endpoint: &str, body: serde_json::Value) -> reqwest::Result<reqwest::Response> {
        http.post(format!("{base}/api/{endpoint}")).header("cookie", &self.cookie).json(&body).send().await
    }

    /// (member email → token count) and (address → outbox mail count) for the provider.
    async fn state(&self) -> (HashMap<String, i64>, HashMap<String, i64>, Vec<db::MemberView>) {
        let members = self.s.store.list_members(&self.pid).await.unwrap();
        let url = &self.db.url;
        let tokens: Vec<(String, i64)>;
        let mails: Vec<(String, i64)>;
        let q_tokens = "SELECT m.email, COUNT(t.token_hash) FROM provider_users m LEFT JOIN invite_tokens t ON t.member_id = m.id \
                        WHERE m.provider_id = $1 AND m.status = 'invited' GROUP BY m.email";
        let q_mails = "SELECT to_addr, COUNT(*) FROM outbox WHERE provider_id = $1 GROUP BY to_addr";
        if url.starts_with("sqlite") {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            tokens = sqlx::query_as(q_tokens).bind(&self.pid).fetch_all(&pool).await.unwrap();
            mails = sqlx::query_as(q_mails).bind(&self.pid).fetch_all(&pool).await.unwrap();
        } else {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            tokens = sqlx::query_as(q_tokens).bind(&self.pid).fetch_all(&pool).await.unwrap();
            mails = sqlx::query_as(q_mails).bind(&self.pid).fetch_all(&pool).await.unwrap();
        }
        (tokens.into_iter().collect(), mails.into_iter().collect(), members)
    }

    /// Waits until the outbox has nothing left to send.
    async fn drained(&self) {
        for _ in 0..300 {
            if self.s.store.failed_mails(&self.pid).await.unwrap().is_empty() && self.unsent().await == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the outbox did not drain after the restart");
    }

    async fn unsent(&self) -> i64 {
        let q = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL";
        let (n,): (i64,) = if self.db.url.starts_with("sqlite") {
            sqlx::query_as(q).fetch_one(&sqlx::SqlitePool::connect(&self.db.url).await.unwrap()).await.unwrap()
        } else {
            sqlx::query_as(q).fetch_one(&sqlx::PgPool::connect(&self.db.url).await.unwrap()).await.unwrap()
        };
        n
    }

    /// How many .eml files went to each address.
    fn delivered(&self) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        let Ok(rd) = std::fs::read_dir(self.dir.join("mail")) else { return out };
        for f in rd {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            let to = text.lines().find_map(|l| l.strip_prefix("To: ")).unwrap_or_default().trim().to_string();
            *out.entry(to).or_insert(0) += 1;
        }
        out
    }
}

async fn killed_mid_bulk_invite_and_confirm(w: World) {
    let http = reqwest::Client::new();
    let port = free_port();
    let mut attempted: HashSet<String> = HashSet::new();
    // Three rounds: invitations of 20 addresses fired back to back, the server killed mid-stream.
    for (round, delay_ms) in [(0, 40u64), (1, 90), (2, 160)] {
        let p = start(&w.db.url, &w.dir, port).await;
        let base = p.base.clone();
        let mut batches = vec![];
        for b in 0..60 {
            let emails: Vec<String> = (0..20).map(|i| format!("r{round}-b{b}-u{i}@acme.com")).collect();
            attempted.extend(emails.iter().cloned());
            batches.push(emails.join(", "));
        }
        let (pid, cookie, http2) = (w.pid.clone(), w.cookie.clone(), http.clone());
        let firing = tokio::spawn(async move {
            let mut ok = 0;
            for emails in batches {
                let body = serde_json::json!({ "input": { "provider_id": pid, "emails": emails, "user_type": "ServiceUser", "permissions": {
                    "manage_users": false, "manage_groups": false, "manage_collections": false, "manage_policies": false, "access_event_logs": false } } });
                match http2.post(format!("{base}/api/members/invite")).header("cookie", &cookie).json(&body).send().await {
                    Ok(r) if r.status().is_success() => ok += 1,
                    _ => break,
                }
            }
            ok
        });
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        p.kill9();
        let _ = firing.await;
    }
    let p = start(&w.db.url, &w.dir, port).await;
    let (tokens, mails, members) = w.state().await;
    let invited: HashSet<String> = members.iter().filter(|m| m.member.status == "invited").map(|m| m.member.email.clone()).collect();
    eprintln!("crash test: {} of {} addresses invited before the kills", invited.len(), attempted.len());
    assert!(!invited.is_empty(), "some invitations committed before the kills");
    assert!(invited.len() < attempted.len(), "the kills cut the stream short");
    assert_eq!(invited.len() % 20, 0, "invitations commit in whole batches of 20, never in part");
    for email in &attempted {
        if invited.contains(email) {
            assert_eq!(tokens.get(email), Some(&1), "{email}: exactly one live token");
            assert_eq!(mails.get(email), Some(&1), "{email}: exactly one invitation mail");
        } else {
            assert_eq!(mails.get(email), None, "{email}: no mail for an invitation that did not commit");
        }
    }
    // The outbox resumes after the restart: every mail delivered exactly once.
    w.drained().await;
    let delivered = w.delivered();
    for email in &invited {
        assert_eq!(delivered.get(email), Some(&1), "{email}: delivered exactly once");
    }
    assert_eq!(delivered.values().sum::<usize>(), invited.len(), "nothing else was sent");

    // Bulk confirm of 300 accepted members, killed mid-request: all or none.
    let mut keys = vec![];
    // These 300 people never log in: one RSA key pair stands for all of them
    // (generating 300 would be most of this test's time).
    let public_key = KeyPair::generate().public_spki();
    for i in 0..300 {
        let email = format!("acc{i}@acme.com");
        let u = db::UserRow {
            id: service::new_id(),
            email: email.clone(),
            name: format!("Accepted {i}"),
            hint: None,
            kdf_memory: 65536,
            kdf_iterations: 3,
            kdf_parallelism: 4,
            auth_hash: "unused".into(),
            protected_user_key: "2.unused".into(),
            protected_private_key: "2.unused".into(),
            public_key: public_key.clone(),
            created_at: 1,
        };
        w.s.store.create_user(&u).await.unwrap();
        let m = db::MemberRow {
            id: service::new_id(),
            provider_id: w.pid.clone(),
            user_id: Some(u.id.clone()),
            email,
            user_type: "service_user".into(),
            status: "accepted".into(),
            suspended: false,
            wrapped_key: None,
            invited_at: 1,
            expires_at: None,
            accepted_at: Some(2),
            confirmed_at: None,
            permissions: String::new(),
        };
        keys.push(WrappedKey { member_id: m.id.clone(), wrapped_key: crypto::seal_to(&u.public_key, &w.key.to_bytes()).unwrap() });
        let batch = db::MemberBatch {
            provider_id: w.pid.clone(),
            actor_user_id: w.admin_user.clone(),
            changes: vec![db::MemberChange::Invite { member: m, token_hash: service::new_id() }],
            events: vec![],
            mails: vec![],
        };
        w.s.store.change_members(&batch).await.unwrap();
    }
    let base = p.base.clone();
    let (pid, http2, cookie) = (w.pid.clone(), http.clone(), w.cookie.clone());
    let body = serde_json::json!({ "provider_id": pid, "keys": keys });
    let req =
        tokio::spawn(async move { http2.post(format!("{base}/api/members/confirm")).header("cookie", &cookie).json(&body).send().await.map(|r| r.status()) });
    tokio::time::sleep(Duration::from_millis(60)).await;
    p.kill9();
    let _ = req.await;
    let p = start(&w.db.url, &w.dir, port).await;
    let n = confirmed_with_key(&w).await;
    eprintln!("crash test: {n} of 300 confirmed when the server was killed");
    assert!(n == 0 || n == 300, "a bulk confirm is all or nothing, found {n} of 300 confirmed");
    // Whatever happened, confirming again completes it and each member gets one mail.
    let body = serde_json::json!({ "provider_id": w.pid, "keys": keys });
    let r = w.post(&http, &p.base, "members/confirm", body).await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let results: Vec<MemberResult> = r.json().await.unwrap();
    assert_eq!(results.iter().filter(|r| r.skipped.is_none()).count(), 300 - n);
    assert_eq!(confirmed_with_key(&w).await, 300);
    w.drained().await;
    let delivered = w.delivered();
    for i in 0..300 {
        assert_eq!(delivered.get(&format!("acc{i}@acme.com")), Some(&1), "acc{i}: one confirmation mail");
    }
    p.kill9();
    std::fs::remove_dir_all(&w.dir).ok();
}

/// Accepted test members ("acc…") confirmed with their sealed key stored
/// (the member list never carries keys, so each row is read).
async fn confirmed_with_key(w: &World) -> usize {
    let mut n = 0;
    for m in w.s.store.list_members(&w.pid).await.unwrap() {
        if m.member.email.starts_with("acc") && m.member.status == "confirmed" {
            n += usize::from(w.s.store.member(&w.pid, &m.member.id).await.unwrap().is_some_and(|r| r.wrapped_key.is_some()));
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_sqlite() {
    killed_mid_bulk_invite_and_confirm(world(testing::sqlite().await).await).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_postgres() {
    let Some(db) = testing::postgres().await else { return };
    killed_mid_bulk_invite_and_confirm(world(db).await).await
}
