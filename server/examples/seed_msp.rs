//! Seeds what the cross-client benchmark reads (`BENCH_ONLY=msp bash
//! scripts/bench.sh`), and prints `<admin session token> <provider id> <one client id>`:
//! - a provider admin whose provider has `CLIENTS` client organisations
//!   (default 300), made through the service as the Clients page makes them;
//! - `MEMBERS` members in each (default 100; 30,000 in all): per 20, one
//!   Invited, one whose invitation Expired and one accepted (Needs
//!   confirmation, with an account), the rest confirmed — so the onboarding
//!   queue holds 3 in 20 (4,500 at the defaults) besides each Owner's invitation;
//! - `EVENTS` events in all (default 1,000,000) spread over the clients and
//!   the last 365 days, of ten kinds by fifty actors, written in batches.
//!
//! Confirmed members have no account rows: neither view reads them.
//! `DATABASE_URL=… cargo run --release -p server --example seed_msp`

use domain::api::{CreateClientInput, LoginInput, RegisterInput, SetupProviderInput};
use domain::{Email, KdfParams, crypto};
use service::{RequestMeta, ServiceSettings, Services, SystemClock, new_id};
use std::sync::Arc;

const KINDS: [&str; 10] = [
    "member_invited",
    "member_accepted",
    "member_confirmed",
    "member_removed",
    "item_created",
    "item_updated",
    "item_deleted",
    "collection_updated",
    "policy_changed",
    "vault_opened",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = |k: &str, d: usize| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    let (clients, members, events) = (env("CLIENTS", 300), env("MEMBERS", 100), env("EVENTS", 1_000_000));
    let store = db::open(&std::env::var("DATABASE_URL")?).await?;
    let s = Services::new(store.clone(), ServiceSettings::default(), Arc::new(SystemClock));
    let meta = RequestMeta::default();
    let fail = |e: service::ServiceError| anyhow::anyhow!("{e:?}");

    let email = format!("bench-msp-{}@example.com", new_id());
    let acct = crypto::new_account("bench password 1234", &Email::parse(&email)?, KdfParams::MIN)?;
    s.register(RegisterInput::for_new_account(&email, "Bench Admin", KdfParams::MIN, &acct), &meta).await.map_err(fail)?;
    let (session, _) = s.login(LoginInput::new(email.clone(), acct.auth_hash.clone()), &meta).await.map_err(fail)?;
    let actor = s.resolve_session(&session).await.map_err(fail)?.expect("session");
    let provider_key = crypto::SymmetricKey::generate();
    let p = s
        .create_provider(
            &actor,
            SetupProviderInput {
                name: "Bench MSP".into(),
                billing_email: email.clone(),
                wrapped_key: crypto::seal_to(&acct.public_key_spki, &provider_key.to_bytes())?,
            },
            &meta,
        )
        .await
        .map_err(fail)?;
    s.set_provider_seats(&actor, &p.id, (clients * (members + 1)) as i64, &meta).await.map_err(fail)?;

    let now = s.now();
    let key_pair = crypto::KeyPair::generate();
    let mut org_ids = Vec::with_capacity(clients);
    for n in 0..clients {
        let org_key = crypto::SymmetricKey::generate();
        let input = CreateClientInput {
            provider_id: p.id.clone(),
            name: format!("Client {n:03}"),
            owner_email: format!("owner{n}@client{n}.example.com"),
            seats: members as i64 + 1,
            org_key: provider_key.encrypt(&org_key.to_bytes()),
        };
        let org = s.create_client(&actor, input, &meta).await.map_err(fail)?;
        let mut changes = Vec::with_capacity(members);
        for i in 0..members {
            let member_email = format!("member{i:03}@client{n}.example.com");
            let (status, expires_at, user_id) = match i % 20 {
                0 => ("invited", Some(now + 5 * 86_400), None),
                1 => ("invited", Some(now - 86_400), None),
                2 => {
                    let id = new_id();
                    store
                        .create_user(&db::UserRow {
                            id: id.clone(),
                            email: member_email.clone(),
                            name: format!("Member {i} of client {n}"),
                            hint: None,
                            kdf_memory: 16 * 1024,
                            kdf_iterations: 2,
                            kdf_parallelism: 1,
                            auth_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
                            protected_user_key: org_key.encrypt(b"placeholder"),
                            protected_private_key: org_key.encrypt(b"placeholder"),
                            public_key: key_pair.public_spki(),
                            created_at: now,
                        })
                        .await?;
                    ("accepted", None, Some(id))
                }
                _ => ("confirmed", None, None),
            };
            changes.push(db::MemberChange::Invite {
                member: db::MemberRow {
                    id: new_id(),
                    provider_id: org.id.clone(),
                    user_id,
                    email: member_email,
                    user_type: if i == 3 { "admin" } else { "user" }.into(),
                    status: status.into(),
                    suspended: false,
                    wrapped_key: (status == "confirmed").then(|| "bench".to_string()),
                    invited_at: now - 30 * 86_400,
                    expires_at,
                    accepted_at: (status != "invited").then_some(now - 20 * 86_400),
                    confirmed_at: (status == "confirmed").then_some(now - 10 * 86_400),
                    permissions: String::new(),
                },
                token_hash: new_id(),
            });
        }
        store
            .change_members(&db::MemberBatch { provider_id: org.id.clone(), actor_user_id: actor.user_id().into(), changes, events: vec![], mails: vec![] })
            .await?;
        org_ids.push(org.id);
    }

    // The log: event i goes to client i % clients, back in time from now.
    let step = (365 * 86_400) as f64 / events.max(1) as f64;
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..events {
        let client = i % clients.max(1);
        batch.push(db::EventRow {
            id: new_id(),
            provider_id: org_ids[client].clone(),
            actor_user_id: None,
            // Each client's events cycle through every kind, actor and member
            // (i / clients counts a client's own events).
            actor_email: Some(format!("tech{:02}@bench-msp.example.com", (i / clients.max(1)) % 50)),
            target_email: Some(format!("member{:03}@client{client}.example.com", (i / clients.max(1)) % members.max(1))),
            kind: KINDS[(i / clients.max(1)) % KINDS.len()].into(),
            detail: String::new(),
            ip: Some("192.0.2.10".into()),
            at: now - (i as f64 * step) as i64,
        });
        if batch.len() == 10_000 {
            store.record_events(&batch).await?;
            batch.clear();
        }
    }
    store.record_events(&batch).await?;
    println!("{session} {} {}", p.id, org_ids.first().cloned().unwrap_or_default());
    Ok(())
}
