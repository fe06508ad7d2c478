//! Mixed load against a running server for a fixed time: members lists, invites
//! and accepts (a new account signs up through the API, reads its invitation
//! from the mail folder and accepts it). Prints requests, errors, 5xx and the
//! server's memory once a second; exits 1 on any error or 5xx.
//! `bash scripts/load.sh [seconds]` starts the server and runs this.
//!
//! Arguments: <base url> <mail dir> <server pid> <seconds>

use domain::api::{LoginInput, RegisterInput, SetupProviderInput};
use domain::{Email, KdfParams, crypto};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Counts {
    requests: AtomicU64,
    errors: AtomicU64,
    server_errors: AtomicU64,
    lists: AtomicU64,
    invites: AtomicU64,
    accepts: AtomicU64,
}

struct Client {
    http: reqwest::Client,
    base: String,
    counts: Arc<Counts>,
}

impl Client {
    fn new(base: &str, counts: &Arc<Counts>) -> Self {
        Client { http: reqwest::Client::builder().cookie_store(true).build().unwrap(), base: base.into(), counts: counts.clone() }
    }

    /// One API call; anything but 2xx (and the expected 429 of a rate limit) counts as an error.
    async fn call(&self, endpoint: &str, body: Value) -> Option<Value> {
        self.counts.requests.fetch_add(1, Ordering::Relaxed);
        match self.http.post(format!("{}/api/{endpoint}", self.base)).json(&body).send().await {
            Ok(r) if r.status().is_success() => r.json().await.ok(),
            Ok(r) if r.status() == 429 => None,
            Ok(r) => {
                if r.status().is_server_error() {
                    self.counts.server_errors.fetch_add(1, Ordering::Relaxed);
                }
                self.counts.errors.fetch_add(1, Ordering::Relaxed);
                eprintln!("{endpoint}: {} {}", r.status(), r.text().await.unwrap_or_default());
                None
            }
            Err(e) => {
                self.counts.errors.fetch_add(1, Ordering::Relaxed);
                eprintln!("{endpoint}: {e}");
                None
            }
        }
    }

    /// Signs up as a browser does: from an invitation's link, with its token
    /// (uninvited sign-ups are limited per address).
    async fn sign_up(&self, email: &str, invite: Option<&str>) -> Option<()> {
        let e = Email::parse(email).ok()?;
        let acct = crypto::new_account("load password 1234", &e, KdfParams::MIN).ok()?;
        let input = RegisterInput { invite_token: invite.map(str::to_string), ..RegisterInput::for_new_account(email, "Load", KdfParams::MIN, &acct) };
        self.call("accounts/register", json!({ "input": input })).await?;
        self.call("accounts/login", json!({ "input": LoginInput::new(email, acct.auth_hash) })).await?;
        Some(())
    }
}

fn rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// The invitation token in the .eml sent to `email` (bodies are quoted-printable:
/// soft line breaks removed, `=3D` is `=`).
fn token_in(dir: &str, email: &str) -> Option<String> {
    for f in std::fs::read_dir(dir).ok()?.flatten() {
        let text = std::fs::read_to_string(f.path()).ok()?;
        if text.contains(&format!("To: {email}")) {
            let body = text.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
            return body.split("token=").nth(1).map(|t| t.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect());
        }
    }
    None
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (base, mail_dir, pid, secs) = (args[1].clone(), args[2].clone(), args[3].clone(), args[4].parse::<u64>()?);
    let counts = Arc::new(Counts::default());
    let run = new_id_suffix();
    // Ten admins, each with a provider (invites are limited per admin).
    let mut admins = vec![];
    for i in 0..10 {
        let c = Client::new(&base, &counts);
        let email = format!("load-admin{i}-{run}@example.com");
        c.sign_up(&email, None).await.expect("admin signs up");
        let key = crypto::SymmetricKey::generate();
        let me = c.call("accounts/me", json!({})).await.expect("me");
        let pk = crypto::unb64(me["public_key"].as_str().unwrap())?;
        let input = SetupProviderInput { name: format!("Load MSP {i}"), billing_email: email.clone(), wrapped_key: crypto::seal_to(&pk, &key.to_bytes())? };
        let p = c.call("providers/create", json!({ "input": input })).await.expect("provider");
        admins.push((Arc::new(c), p["id"].as_str().unwrap().to_string()));
    }
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let first_rss = rss_kib(&pid);
    let mut tasks = vec![];
    // Readers: the members list, as fast as they can.
    for w in 0..8 {
        let (c, p) = admins[w % admins.len()].clone();
        let counts = counts.clone();
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                if c.call("members/list", json!({ "provider_id": p })).await.is_some() {
                    counts.lists.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    // Inviters and joiners: each invites a new address, the invitee signs up, reads the mail and accepts.
    for w in 0..2 {
        let admins = admins.clone();
        let (counts, base, mail_dir, run) = (counts.clone(), base.clone(), mail_dir.clone(), run.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while Instant::now() < deadline {
                let (c, p) = &admins[n % admins.len()];
                n += 1;
                let email = format!("joiner{w}-{n}-{run}@example.com");
                let body = json!({ "input": { "provider_id": p, "emails": email, "user_type": "ServiceUser", "permissions": {
                    "manage_users": false, "manage_groups": false, "manage_collections": false, "manage_policies": false, "access_event_logs": false } } });
                if c.call("members/invite", body).await.is_none() {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
                counts.invites.fetch_add(1, Ordering::Relaxed);
                let mut token = None;
                for _ in 0..100 {
                    token = token_in(&mail_dir, &email);
                    if token.is_some() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                let Some(token) = token else {
                    counts.errors.fetch_add(1, Ordering::Relaxed);
                    eprintln!("no invitation mail for {email}");
                    continue;
                };
                let joiner = Client::new(&base, &counts);
                if joiner.sign_up(&email, Some(token.as_str())).await.is_some()
                    && joiner.call("invitations/accept", json!({ "token": token, "password": null })).await.is_some()
                {
                    counts.accepts.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let mut peak = first_rss;
    let mut samples = vec![];
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let rss = rss_kib(&pid);
        peak = peak.max(rss);
        samples.push(rss);
        println!(
            "t={:>3}s requests={} lists={} invites={} accepts={} errors={} 5xx={} rss={} MiB",
            start.elapsed().as_secs(),
            counts.requests.load(Ordering::Relaxed),
            counts.lists.load(Ordering::Relaxed),
            counts.invites.load(Ordering::Relaxed),
            counts.accepts.load(Ordering::Relaxed),
            counts.errors.load(Ordering::Relaxed),
            counts.server_errors.load(Ordering::Relaxed),
            rss / 1024
        );
    }
    for t in tasks {
        let _ = t.await;
    }
    let (errors, s5xx) = (counts.errors.load(Ordering::Relaxed), counts.server_errors.load(Ordering::Relaxed));
    let q = samples.len() / 4;
    let early = samples.iter().skip(q).take(q.max(1)).copied().max().unwrap_or(0);
    let late = samples.iter().rev().take(q.max(1)).copied().max().unwrap_or(0);
    println!(
        "summary: {} s, {} requests ({} lists, {} invites, {} accepts), {} errors, {} 5xx; RSS start {} MiB, second quarter max {} MiB, last quarter max {} MiB, peak {} MiB",
        secs,
        counts.requests.load(Ordering::Relaxed),
        counts.lists.load(Ordering::Relaxed),
        counts.invites.load(Ordering::Relaxed),
        counts.accepts.load(Ordering::Relaxed),
        errors,
        s5xx,
        first_rss / 1024,
        early / 1024,
        late / 1024,
        peak / 1024
    );
    if errors > 0 || s5xx > 0 {
        std::process::exit(1);
    }
    Ok(())
}

fn new_id_suffix() -> String {
    service::new_id()[..8].to_string()
}
