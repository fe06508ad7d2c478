//! Seeds what the `/api/sync` benchmark reads, and prints
//! `<admin access token> <member access token> <admin session token> <big org id>`:
//! - a provider admin whose provider has `CLIENTS` client organisations
//!   (default 100), each with one collection and one item;
//! - one of them ("Big") with `ITEMS` items (default 5,000) spread over 50
//!   collections, and a member (role User) given Can edit on all 50 directly,
//!   so the member's sync computes collection access item by item.
//!
//! The access tokens are what Bitwarden's apps send (one hour).
//! `DATABASE_URL=… cargo run --release -p server --example seed_sync`

use domain::api::{CreateClientInput, LoginInput, RegisterInput, SetupProviderInput};
use domain::bitwarden::cipher::{CipherType, CipherView};
use domain::{Email, KdfParams, crypto};
use service::apps::DeviceInfo;
use service::{RequestMeta, ServiceSettings, Services, SystemClock, new_id};
use std::sync::Arc;

const PASSWORD: &str = "bench password 1234";

async fn account(s: &Services, tag: &str) -> anyhow::Result<(String, crypto::NewAccountKeys)> {
    let email = format!("bench-{tag}-{}@example.com", new_id());
    let acct = crypto::new_account(PASSWORD, &Email::parse(&email)?, KdfParams::MIN)?;
    s.register(RegisterInput::for_new_account(&email, tag, KdfParams::MIN, &acct), &RequestMeta::default()).await?;
    Ok((email, acct))
}

async fn app_token(s: &Services, email: &str, acct: &crypto::NewAccountKeys) -> anyhow::Result<String> {
    let device = DeviceInfo { identifier: new_id(), name: "bench".into(), kind: 14, client_id: "cli".into() };
    Ok(s.app_login(email, &acct.auth_hash, None, device, &RequestMeta::default()).await.map_err(|e| anyhow::anyhow!("{e:?}"))?.access_token)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = |k: &str, d: usize| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    let (clients, items) = (env("CLIENTS", 100), env("ITEMS", 5000));
    let store = db::open(&std::env::var("DATABASE_URL")?).await?;
    let s = Services::new(store.clone(), ServiceSettings::default(), Arc::new(SystemClock));
    let meta = RequestMeta::default();
    let fail = |e: service::ServiceError| anyhow::anyhow!("{e:?}");

    let (admin_email, admin) = account(&s, "admin").await?;
    let (session, _) = s.login(LoginInput::new(admin_email.clone(), admin.auth_hash.clone()), &meta).await.map_err(fail)?;
    let actor = s.resolve_session(&session).await.map_err(fail)?.expect("session");
    let provider_key = crypto::SymmetricKey::generate();
    let wrapped_key = crypto::seal_to(&admin.public_key_spki, &provider_key.to_bytes())?;
    let p = s
        .create_provider(&actor, SetupProviderInput { name: "Bench MSP".into(), billing_email: admin_email.clone(), wrapped_key }, &meta)
        .await
        .map_err(fail)?;
    s.set_provider_seats(&actor, &p.id, clients as i64 * 10, &meta).await.map_err(fail)?;

    let (member_email, member) = account(&s, "member").await?;
    let member_user = store.user_by_email(&member_email).await?.expect("member");
    let mut big = None;
    for n in 0..clients {
        let org_key = crypto::SymmetricKey::generate();
        let name = if n == 0 { "Big".to_string() } else { format!("Client {n:03}") };
        let input = CreateClientInput {
            provider_id: p.id.clone(),
            name,
            owner_email: format!("owner{n}@example.com"),
            seats: 5,
            org_key: provider_key.encrypt(&org_key.to_bytes()),
        };
        let org = s.create_client(&actor, input, &meta).await.map_err(fail)?;
        let (collections, count) = if n == 0 { (50, items) } else { (1, 1) };
        let now = s.now();
        let mut write = db::OrgItemsWrite { org_id: org.id.clone(), ..Default::default() };
        for c in 0..collections {
            write.new_collections.push(db::CollectionRow {
                id: new_id(),
                org_id: org.id.clone(),
                name: org_key.encrypt(format!("Collection {c}").as_bytes()),
                created_at: now,
            });
        }
        let mut item = CipherView::new(CipherType::Login);
        item.name = "Bench item".into();
        item.login.as_mut().expect("login").password = Some("Bench-Pass-1".into());
        let data = item.encrypt(org_key.inner()).to_json();
        for i in 0..count {
            let id = new_id();
            write.links.push((id.clone(), write.new_collections[i % collections].id.clone()));
            write.items.push(db::OrgItemRow { id, org_id: org.id.clone(), data: data.clone(), created_at: now, updated_at: now, deleted_at: None });
        }
        if n == 0 {
            // The member, confirmed, with Can edit on every collection.
            let member_id = new_id();
            let row = db::MemberRow {
                id: member_id.clone(),
                provider_id: org.id.clone(),
                user_id: Some(member_user.id.clone()),
                email: member_email.clone(),
                user_type: "user".into(),
                status: "confirmed".into(),
                suspended: false,
                wrapped_key: Some(crypto::seal_to(&member.public_key_spki, &org_key.to_bytes())?),
                invited_at: now,
                expires_at: None,
                accepted_at: Some(now),
                confirmed_at: Some(now),
                permissions: String::new(),
            };
            let batch = db::MemberBatch {
                provider_id: org.id.clone(),
                actor_user_id: actor.user_id().into(),
                changes: vec![db::MemberChange::Invite { member: row, token_hash: new_id() }],
                events: vec![],
                mails: vec![],
            };
            store.change_members(&batch).await?;
            let collections_written = write.new_collections.clone();
            store.write_org_items(&write).await?;
            for c in collections_written {
                let access = vec![db::AccessRow { collection_id: c.id.clone(), member_id: Some(member_id.clone()), group_id: None, permission: "edit".into() }];
                let event = db::EventRow {
                    id: new_id(),
                    provider_id: org.id.clone(),
                    actor_user_id: None,
                    actor_email: None,
                    target_email: None,
                    kind: "collection_updated".into(),
                    detail: String::new(),
                    ip: None,
                    at: now,
                };
                store.save_collection(&c, &access, &event).await?;
            }
            big = Some(org.id.clone());
        } else {
            store.write_org_items(&write).await?;
        }
    }
    let admin_token = app_token(&s, &admin_email, &admin).await?;
    let member_token = app_token(&s, &member_email, &member).await?;
    println!("{admin_token} {member_token} {session} {}", big.expect("the big organisation"));
    Ok(())
}
