//! Seeds a provider with N members for the benchmarks and prints
//! `<session token> <provider id> <admin email>` on stdout (the admin's
//! master password is `bench password 1234`, KDF at the minimum parameters).
//! With `SEED_ACCEPTED=1` the members have accounts (a real RSA-2048 public key, one for all: they never log in) and
//! wait for confirmation, for the bulk-confirm benchmark.
//! `DATABASE_URL=… cargo run --release -p server --example seed -- 10000`

use domain::api::{LoginInput, RegisterInput, SetupProviderInput};
use domain::{Email, KdfParams, crypto};
use service::{RequestMeta, ServiceSettings, Services, SystemClock, new_id};
use std::sync::Arc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(50);
    let url = std::env::var("DATABASE_URL")?;
    let store = db::open(&url).await?;
    let s = Services::new(store.clone(), ServiceSettings::default(), Arc::new(SystemClock));
    let email = format!("bench-admin-{}@example.com", new_id());
    let e = Email::parse(&email)?;
    let acct = crypto::new_account("bench password 1234", &e, KdfParams::MIN)?;
    s.register(RegisterInput::for_new_account(&email, "Bench Admin", KdfParams::MIN, &acct), &RequestMeta::default()).await?;
    let meta = RequestMeta::default();
    let (token, _) = s.login(LoginInput::new(email.clone(), acct.auth_hash.clone()), &meta).await?;
    let actor = s.resolve_session(&token).await?.expect("session");
    let key = crypto::SymmetricKey::generate();
    let p = s
        .create_provider(
            &actor,
            SetupProviderInput {
                name: "Bench MSP".into(),
                billing_email: email.clone(),
                wrapped_key: crypto::seal_to(&acct.public_key_spki, &key.to_bytes())?,
            },
            &meta,
        )
        .await?;
    let now = s.now();
    let accepted = std::env::var("SEED_ACCEPTED").is_ok_and(|v| v == "1");
    let mut user_ids = vec![None; n];
    if accepted {
        let kp = crypto::KeyPair::generate();
        for (i, slot) in user_ids.iter_mut().enumerate().skip(1) {
            let id = new_id();
            store
                .create_user(&db::UserRow {
                    id: id.clone(),
                    email: format!("member{i:05}-{}@example.com", &p.id[..8]),
                    name: format!("Member {i}"),
                    hint: None,
                    kdf_memory: 16 * 1024,
                    kdf_iterations: 2,
                    kdf_parallelism: 1,
                    auth_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
                    protected_user_key: key.encrypt(b"placeholder"),
                    protected_private_key: key.encrypt(b"placeholder"),
                    public_key: kp.public_spki(),
                    created_at: now,
                })
                .await?;
            *slot = Some(id);
        }
    }
    for chunk in (1..n).collect::<Vec<_>>().chunks(500) {
        let changes = chunk
            .iter()
            .map(|i| db::MemberChange::Invite {
                member: db::MemberRow {
                    id: new_id(),
                    provider_id: p.id.clone(),
                    user_id: user_ids[*i].clone(),
                    email: if accepted { format!("member{i:05}-{}@example.com", &p.id[..8]) } else { format!("member{i:05}@example.com") },
                    user_type: if i % 10 == 0 { "provider_admin" } else { "service_user" }.into(),
                    status: if accepted { "accepted" } else { "invited" }.into(),
                    suspended: false,
                    wrapped_key: None,
                    invited_at: now,
                    expires_at: (!accepted).then_some(now + 5 * 86_400),
                    accepted_at: accepted.then_some(now),
                    confirmed_at: None,
                    permissions: String::new(),
                },
                token_hash: new_id(),
            })
            .collect();
        store
            .change_members(&db::MemberBatch { provider_id: p.id.clone(), actor_user_id: actor.user_id().into(), changes, events: vec![], mails: vec![] })
            .await?;
    }
    println!("{token} {} {email}", p.id);
    Ok(())
}
