//! Helpers shared by the service test files: a world per database, people
//! whose keys stay in their "browser", and the invite → accept → confirm steps.
#![allow(dead_code)]

pub use db::testing;
use domain::api::*;
use domain::crypto::{self, SymmetricKey, UnlockedKeys};
use domain::member::Role;
use domain::{Email, KdfParams};
use service::{Actor, ManualClock, RequestMeta, ServiceSettings, Services};
use std::sync::Arc;

pub const PW: &str = "correct horse battery staple";
pub const DAY: i64 = 86_400;

pub struct World {
    pub s: Services,
    pub clock: Arc<ManualClock>,
    pub _db: testing::TestDb,
}

/// A person with a browser: their keys never reach the service.
pub struct Person {
    pub actor: Actor,
    pub keys: UnlockedKeys,
}

pub async fn world(db: testing::TestDb) -> World {
    let clock = Arc::new(ManualClock::new(1_800_000_000));
    let s = Services::new(db.store.clone(), ServiceSettings::default(), clock.clone());
    World { s, clock, _db: db }
}

pub fn meta() -> RequestMeta {
    RequestMeta { ip: Some("127.0.0.1".into()) }
}

impl World {
    pub async fn person(&self, email: &str) -> Person {
        let e = Email::parse(email).unwrap();
        let kdf = KdfParams::MIN;
        let acct = crypto::new_account(PW, &e, kdf).unwrap();
        self.s.register(RegisterInput::for_new_account(email, &format!("Person {email}"), kdf, &acct), &RequestMeta::default()).await.unwrap();
        let (token, me) = self.s.login(LoginInput::new(email, acct.auth_hash.clone()), &meta()).await.unwrap();
        let actor = self.s.resolve_session(&token).await.unwrap().unwrap();
        let master = crypto::master_key(PW, &e, kdf).unwrap();
        let keys = crypto::unlock(&master, &me.protected_user_key, &me.protected_private_key).unwrap();
        Person { actor, keys }
    }

    /// A provider whose key only `admin`'s browser made and holds.
    pub async fn provider(&self, admin: &Person) -> (String, SymmetricKey) {
        let key = SymmetricKey::generate();
        let wrapped = crypto::seal_to(&admin.keys.key_pair.public_spki(), &key.to_bytes()).unwrap();
        let p = self
            .s
            .create_provider(
                &admin.actor,
                SetupProviderInput { name: "Acme MSP".into(), billing_email: "billing@acme.com".into(), wrapped_key: wrapped },
                &meta(),
            )
            .await
            .unwrap();
        (p.id, key)
    }

    pub async fn invite(&self, admin: &Person, pid: &str, emails: &str, t: Role) -> Vec<InviteEntry> {
        self.s
            .invite(&admin.actor, InviteInput { provider_id: pid.into(), emails: emails.into(), user_type: t, permissions: Default::default() }, &meta())
            .await
            .unwrap()
    }

    /// The token from the newest invitation mail to `email`.
    pub async fn token_for(&self, email: &str) -> String {
        let mails = self.s.store.mails_to(email).await.unwrap();
        // The newest (the database's order of equal times is its own).
        let m = mails.iter().filter(|m| m.text_body.contains("token=")).max_by_key(|m| m.created_at).expect("an invitation mail");
        let line = m.text_body.lines().find(|l| l.contains("token=")).unwrap();
        line.split("token=").nth(1).unwrap().trim().to_string()
    }

    pub async fn member_id(&self, admin: &Person, pid: &str, email: &str) -> String {
        self.s.list_members(&admin.actor, pid).await.unwrap().into_iter().find(|m| m.email == email).unwrap().id
    }

    /// The admin's browser confirms `who`: opens the provider key and seals it to the member.
    pub async fn confirm(&self, admin: &Person, pid: &str, key: &SymmetricKey, ids: Vec<String>) -> Vec<MemberResult> {
        let cands = self.s.confirm_candidates(&admin.actor, pid, &ids).await.unwrap();
        let keys = cands
            .iter()
            .map(|c| WrappedKey {
                member_id: c.member_id.clone(),
                wrapped_key: crypto::seal_to(&crypto::unb64(&c.public_key).unwrap(), &key.to_bytes()).unwrap(),
            })
            .collect();
        self.s.confirm(&admin.actor, pid, keys, &meta()).await.unwrap()
    }

    /// A confirmed member of the given type.
    pub async fn joined(&self, admin: &Person, pid: &str, key: &SymmetricKey, email: &str, t: Role) -> Person {
        let p = self.person(email).await;
        self.invite(admin, pid, email, t).await;
        let token = self.token_for(email).await;
        self.s.accept(&p.actor, &token, None, &meta()).await.unwrap();
        let id = self.member_id(admin, pid, email).await;
        self.confirm(admin, pid, key, vec![id]).await;
        p
    }
}

/// Each named test once on SQLite and once on PostgreSQL (skipped when it
/// is unreachable outside CI; `scripts/test.sh` says so loudly).
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::world(super::testing::sqlite().await).await).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = super::testing::postgres().await else { return };
                super::$name(super::world(db).await).await
            } )*
        }
    };
}
