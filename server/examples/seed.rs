//! Seeds a provider with N members for the benchmarks and prints
//! `<session token> <provider id>` on stdout.
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
    s.register(RegisterInput {
        email: email.clone(),
        name: "Bench Admin".into(),
        hint: String::new(),
        kdf: KdfParams::MIN,
        auth_hash: acct.auth_hash.clone(),
        protected_user_key: acct.protected_user_key.clone(),
        protected_private_key: acct.protected_private_key.clone(),
        public_key: crypto::b64(&acct.public_key_spki),
    })
    .await?;
    let meta = RequestMeta::default();
    let (token, _) = s.login(LoginInput { email: email.clone(), auth_hash: acct.auth_hash.clone() }, &meta).await?;
    let actor = s.resolve_session(&token).await?.expect("session");
    let key = crypto::SymmetricKey::generate();
    let p = s
        .create_provider(&actor, SetupProviderInput { name: "Bench MSP".into(), billing_email: email.clone(), wrapped_key: crypto::seal_to(&acct.public_key_spki, key.expose())? }, &meta)
        .await?;
    let now = s.now();
    for chunk in (1..n).collect::<Vec<_>>().chunks(500) {
        let changes = chunk
            .iter()
            .map(|i| db::MemberChange::Invite {
                member: db::MemberRow {
                    id: new_id(),
                    provider_id: p.id.clone(),
                    user_id: None,
                    email: format!("member{i:05}@example.com"),
                    user_type: if i % 10 == 0 { "provider_admin" } else { "service_user" }.into(),
                    status: "invited".into(),
                    suspended: false,
                    wrapped_key: None,
                    invited_at: now,
                    expires_at: Some(now + 5 * 86_400),
                    accepted_at: None,
                    confirmed_at: None,
                },
                token_hash: new_id(),
            })
            .collect();
        store
            .change_members(&db::MemberBatch { provider_id: p.id.clone(), actor_user_id: actor.user_id().into(), changes, events: vec![], mails: vec![] })
            .await?;
    }
    println!("{token} {}", p.id);
    Ok(())
}
