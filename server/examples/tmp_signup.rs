use domain::api::RegisterInput;
use domain::{Email, KdfParams, crypto};
use serde_json::json;
#[tokio::main]
async fn main() {
    let base = std::env::args().nth(1).unwrap();
    let email = std::env::args().nth(2).unwrap();
    let pw = "correct horse battery staple 42";
    let e = Email::parse(&email).unwrap();
    let kdf = KdfParams::default();
    let acct = crypto::new_account(pw, &e, kdf).unwrap();
    let input = RegisterInput::for_new_account(&email, "Tester", kdf, &acct);
    let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let r = c.post(format!("{base}/api/accounts/register")).json(&json!({"input": input})).send().await.unwrap();
    println!("register {}", r.status());
    let r = c.post(format!("{base}/api/accounts/login")).json(&json!({"input": {"email": email, "auth_hash": acct.auth_hash}})).send().await.unwrap();
    println!("login {}", r.status());
    let me: domain::api::Me = r.json().await.unwrap();
    let master = crypto::master_key(pw, &e, me.kdf).unwrap();
    let keys = crypto::unlock(&master, &me.protected_user_key, &me.protected_private_key).unwrap();
    let mut cv = domain::bitwarden::cipher::CipherView::new(domain::bitwarden::cipher::CipherType::Login);
    cv.name = "From the portal".into();
    let l = cv.login.as_mut().unwrap();
    l.username = Some("alice".into());
    l.password = Some("s3cret-pw".into());
    l.totp = Some("JBSWY3DPEHPK3PXP".into());
    let data = cv.encrypt(keys.user_key.inner()).to_json();
    let r = c.post(format!("{base}/api/vault/save")).json(&json!({"id": null, "data": data})).send().await.unwrap();
    println!("save {}", r.status());
}
