//! The JSON Bitwarden's apps read: names, numbers and `object` tags as its
//! server answers them (learnt from bitwarden/server's response models and
//! Vaultwarden's; nothing copied). Dates are ISO 8601 in UTC.

use domain::KdfParams;
use domain::member::Role;
use serde_json::{Map, Value, json};
use service::apps::AppTokens;
use service::sync::{Reach, SyncData, SyncOrgItem};

/// Bitwarden's KDF numbers: 0 PBKDF2-SHA256, 1 Argon2id (memory in MiB).
const KDF_ARGON2ID: u8 = 1;

fn date(secs: i64) -> String {
    domain::time::fmt_rfc3339(secs)
}

fn b64(bytes: &[u8]) -> String {
    domain::crypto::b64(bytes)
}

fn kdf_numbers(k: KdfParams) -> (u8, u32, u32, u32) {
    (KDF_ARGON2ID, k.iterations, k.memory_kib / 1024, k.parallelism)
}

fn user_kdf(u: &db::UserRow) -> KdfParams {
    KdfParams { memory_kib: u.kdf_memory as u32, iterations: u.kdf_iterations as u32, parallelism: u.kdf_parallelism as u32 }
}

/// A security key's answer as Bitwarden's apps send it (`twoFactorToken`
/// under provider 7: the assertion's JSON, with `clientDataJson` spelled so)
/// in the browser's spelling, which the service reads. Anything that is not
/// such JSON is passed on unchanged (and refused there).
pub fn webauthn_answer(token: &str) -> String {
    let Ok(mut v) = serde_json::from_str::<Value>(token) else { return token.to_string() };
    if let Some(response) = v.get_mut("response").and_then(Value::as_object_mut)
        && !response.contains_key("clientDataJSON")
        && let Some(data) = response.remove("clientDataJson")
    {
        response.insert("clientDataJSON".into(), data);
    }
    v.to_string()
}

pub fn prelogin(kdf: KdfParams) -> Value {
    let (kind, iterations, memory, parallelism) = kdf_numbers(kdf);
    json!({
        "kdf": kind,
        "kdfIterations": iterations,
        "kdfMemory": memory,
        "kdfParallelism": parallelism,
        "kdfSettings": { "kdfType": kind, "iterations": iterations, "memory": memory, "parallelism": parallelism },
        "salt": null,
    })
}

fn master_password_unlock(u: &db::UserRow, pascal: bool) -> Value {
    let (kind, iterations, memory, parallelism) = kdf_numbers(user_kdf(u));
    let v = json!({
        "kdf": { "kdfType": kind, "iterations": iterations, "memory": memory, "parallelism": parallelism },
        "masterKeyEncryptedUserKey": u.protected_user_key,
        "masterKeyWrappedUserKey": u.protected_user_key,
        "salt": u.email,
    });
    if pascal { pascal_case(v) } else { v }
}

fn account_keys(u: &db::UserRow) -> Value {
    json!({
        "publicKeyEncryptionKeyPair": {
            "wrappedPrivateKey": u.protected_private_key,
            "publicKey": b64(&u.public_key),
            "signedPublicKey": null,
            "object": "publicKeyEncryptionKeyPair",
        },
        "signatureKeyPair": null,
        "securityState": null,
        "object": "privateKeys",
    })
}

/// The token endpoint speaks PascalCase for its own members (as Bitwarden's
/// identity server does); the apps read both cases, but keep to it.
fn pascal_case(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let mut c = k.chars();
                    let k = c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default();
                    (k, pascal_case(v))
                })
                .collect(),
        ),
        other => other,
    }
}

pub fn token(t: &AppTokens) -> Value {
    let u = &t.user;
    let (kind, iterations, memory, parallelism) = kdf_numbers(user_kdf(u));
    let mut answer = json!({
        "access_token": t.access_token,
        "expires_in": t.expires_in,
        "token_type": "Bearer",
        "refresh_token": t.refresh_token,
        "scope": "api offline_access",
        "Key": u.protected_user_key,
        "PrivateKey": u.protected_private_key,
        "AccountKeys": account_keys(u),
        "Kdf": kind,
        "KdfIterations": iterations,
        "KdfMemory": memory,
        "KdfParallelism": parallelism,
        "ResetMasterPassword": false,
        "ForcePasswordReset": false,
        "MasterPasswordPolicy": { "Object": "masterPasswordPolicy" },
        "UserDecryptionOptions": {
            "HasMasterPassword": true,
            "MasterPasswordUnlock": master_password_unlock(u, true),
            "Object": "userDecryptionOptions",
        },
    });
    if let Some(remember) = &t.two_factor_token {
        answer["TwoFactorToken"] = json!(remember);
    }
    answer
}

pub fn config(base_url: &str) -> Value {
    let base = base_url.trim_end_matches('/');
    json!({
        "version": "2026.6.0",
        "gitHash": null,
        "server": { "name": "Provider Portal", "url": base },
        "settings": { "disableUserRegistration": false },
        "environment": {
            "vault": base,
            "api": format!("{base}/api"),
            "identity": format!("{base}/identity"),
            "notifications": format!("{base}/notifications"),
            "sso": "",
            "cloudRegion": null,
        },
        "push": { "pushTechnology": 0, "vapidPublicKey": null },
        "featureStates": {},
        "communication": null,
        "object": "config",
    })
}

/// Bitwarden's organisation user types: Owner 0, Admin 1, User 2, Custom 4.
fn org_type(role: Role) -> u8 {
    match role {
        Role::Owner => 0,
        Role::Admin => 1,
        Role::Custom => 4,
        _ => 2,
    }
}

/// Bitwarden's provider user types: ProviderAdmin 0, ServiceUser 1.
fn provider_type(role: Role) -> u8 {
    if role == Role::ProviderAdmin { 0 } else { 1 }
}

fn permissions(all: bool) -> Value {
    let names = [
        "accessEventLogs",
        "accessImportExport",
        "accessReports",
        "createNewCollections",
        "editAnyCollection",
        "deleteAnyCollection",
        "manageGroups",
        "managePolicies",
        "manageSso",
        "manageUsers",
        "manageResetPassword",
        "manageScim",
    ];
    Value::Object(names.iter().map(|n| (n.to_string(), Value::Bool(all))).collect())
}

/// An organisation as the profile lists it.
#[allow(clippy::too_many_arguments, reason = "one flat JSON object, its inputs named at the call")]
fn organization(org: &db::ProviderRow, key: Option<&str>, role: Role, manages: bool, user_id: &str, provider: Option<&db::ProviderRow>, object: &str) -> Value {
    json!({
        "id": org.id,
        "name": org.name,
        "key": key,
        "status": 2,
        "type": org_type(role),
        "enabled": org.suspended_at.is_none(),
        "userId": user_id,
        "usePolicies": true,
        "useGroups": true,
        "useDirectory": false,
        "useEvents": true,
        "useTotp": true,
        "use2fa": true,
        "useApi": true,
        "useSso": false,
        "useKeyConnector": false,
        "useScim": false,
        "useCustomPermissions": true,
        "useResetPassword": false,
        "useSecretsManager": false,
        "usePasswordManager": true,
        "useActivateAutofillPolicy": false,
        "selfHost": true,
        "usersGetPremium": true,
        "seats": org.seats,
        "maxCollections": null,
        "maxStorageGb": null,
        "ssoBound": false,
        "identifier": null,
        "permissions": permissions(manages),
        "resetPasswordEnrolled": false,
        "hasPublicAndPrivateKeys": false,
        "providerId": provider.map(|p| p.id.clone()),
        "providerName": provider.map(|p| p.name.clone()),
        "providerType": provider.map(|_| 0),
        "familySponsorshipFriendlyName": null,
        "familySponsorshipAvailable": false,
        "productTierType": 3,
        "keyConnectorEnabled": false,
        "keyConnectorUrl": null,
        "accessSecretsManager": false,
        "limitCollectionCreation": true,
        "limitCollectionDeletion": true,
        "limitItemDeletion": false,
        "allowAdminAccessToAllCollectionItems": true,
        "userIsManagedByOrganization": false,
        "object": object,
    })
}

pub fn profile(d: &SyncData) -> Value {
    let u = &d.user;
    let by_id: std::collections::HashMap<&str, &db::ProviderRow> = d.providers.iter().map(|p| (p.provider.id.as_str(), &p.provider)).collect();
    let organizations: Vec<Value> = d
        .organizations
        .iter()
        .map(|o| {
            let provider = o.org.parent_id.as_deref().and_then(|p| by_id.get(p).copied());
            let mut v = organization(&o.org, o.member.wrapped_key.as_deref(), o.role, o.manages_vault, &u.id, provider, "profileOrganization");
            v["useResetPassword"] = json!(o.recovery_set_up);
            v["resetPasswordEnrolled"] = json!(o.recovery_enrolled);
            v
        })
        .collect();
    let providers: Vec<Value> = d
        .providers
        .iter()
        .map(|p| {
            json!({
                "id": p.provider.id,
                "name": p.provider.name,
                "key": p.member.wrapped_key,
                "status": 2,
                "type": provider_type(p.role),
                "enabled": true,
                "permissions": permissions(p.role == Role::ProviderAdmin),
                "userId": u.id,
                "useEvents": true,
                "providerStatus": 1,
                "providerType": 0,
                "object": "profileProvider",
            })
        })
        .collect();
    let provider_orgs: Vec<Value> = d
        .provider_orgs
        .iter()
        .map(|(org, provider)| organization(org, org.org_key.as_deref(), Role::Owner, true, &u.id, Some(provider), "profileProviderOrganization"))
        .collect();
    json!({
        "id": u.id,
        "name": u.name,
        "email": u.email,
        "emailVerified": true,
        "premium": true,
        "premiumFromOrganization": false,
        "masterPasswordHint": null,
        "culture": "en-US",
        "twoFactorEnabled": d.two_factor_enabled,
        "key": u.protected_user_key,
        "privateKey": u.protected_private_key,
        "accountKeys": account_keys(u),
        "securityStamp": u.id,
        "forcePasswordReset": false,
        "usesKeyConnector": false,
        "avatarColor": null,
        "creationDate": date(u.created_at),
        "verifyDevices": false,
        "organizations": organizations,
        "providers": providers,
        "providerOrganizations": provider_orgs,
        "object": "profile",
    })
}

/// One item as the apps read it: the stored cipher (Bitwarden's JSON, every
/// text an EncString) with the fields that say where it is and what the
/// person may do.
/// A stored item's own columns.
struct Stored<'a> {
    data: &'a str,
    id: &'a str,
    created: i64,
    updated: i64,
    deleted: Option<i64>,
}

/// How the person files it: their folder and favourite mark.
struct Filing<'a> {
    folder_id: Option<&'a str>,
    /// None: the stored cipher's own (a person's item keeps it there).
    favourite: Option<bool>,
}

fn cipher(row: Stored<'_>, org_id: Option<&str>, collection_ids: &[String], reach: Reach, filing: Filing<'_>) -> Value {
    let mut out = Map::new();
    for kind in ["login", "secureNote", "card", "identity", "sshKey", "notes", "fields", "passwordHistory", "attachments", "key"] {
        out.insert(kind.into(), Value::Null);
    }
    let Stored { data, id, created, updated, deleted } = row;
    if let Ok(Value::Object(stored)) = serde_json::from_str::<Value>(data) {
        out.extend(stored);
    }
    for (k, v) in [
        ("id", json!(id)),
        ("organizationId", json!(org_id)),
        ("folderId", json!(filing.folder_id)),
        ("favorite", filing.favourite.map(Value::Bool).or_else(|| out.get("favorite").cloned()).unwrap_or(Value::Bool(false))),
        ("reprompt", out.get("reprompt").cloned().unwrap_or(json!(0))),
        ("creationDate", json!(date(created))),
        ("revisionDate", json!(date(updated))),
        ("deletedDate", json!(deleted.map(date))),
        ("archivedDate", Value::Null),
        ("collectionIds", json!(collection_ids)),
        ("edit", json!(!reach.read_only)),
        ("viewPassword", json!(!reach.hide_passwords)),
        ("permissions", json!({ "delete": !reach.read_only, "restore": !reach.read_only })),
        ("organizationUseTotp", json!(true)),
        ("object", json!("cipherDetails")),
    ] {
        out.insert(k.into(), v);
    }
    Value::Object(out)
}

fn personal(i: &db::ItemRow) -> Value {
    let row = Stored { data: &i.data, id: &i.id, created: i.created_at, updated: i.updated_at, deleted: i.deleted_at };
    cipher(row, None, &[], Reach::FULL, Filing { folder_id: i.folder_id.as_deref(), favourite: None })
}

pub fn shared(i: &SyncOrgItem) -> Value {
    let row = Stored { data: &i.item.data, id: &i.item.id, created: i.item.created_at, updated: i.item.updated_at, deleted: i.item.deleted_at };
    cipher(row, Some(&i.item.org_id), &i.collection_ids, i.reach, Filing { folder_id: i.folder_id.as_deref(), favourite: Some(i.favourite) })
}

pub fn cipher_by_id(d: &SyncData, id: &str) -> Option<Value> {
    d.personal.iter().find(|i| i.id == id).map(personal).or_else(|| d.org_items.iter().find(|i| i.item.id == id).map(shared))
}

/// A folder as the apps read it (the name an EncString under the user key).
pub fn folder(f: &db::FolderRow) -> Value {
    json!({ "id": f.id, "name": f.name, "revisionDate": date(f.updated_at), "object": "folder" })
}

pub fn sync(d: &SyncData) -> Value {
    let ciphers: Vec<Value> = d.personal.iter().map(personal).chain(d.org_items.iter().map(shared)).collect();
    let collections: Vec<Value> = d
        .collections
        .iter()
        .map(|c| {
            json!({
                "id": c.collection.id,
                "organizationId": c.collection.org_id,
                "name": c.collection.name,
                "externalId": null,
                "readOnly": c.reach.read_only,
                "hidePasswords": c.reach.hide_passwords,
                "manage": c.reach.manage,
                "object": "collectionDetails",
            })
        })
        .collect();
    let policies: Vec<Value> = d
        .policies
        .iter()
        .filter(|p| p.enabled)
        .filter_map(|p| {
            let (kind, data) = policy_wire(p)?;
            Some(json!({
                "id": format!("{}-{}", p.org_id, p.kind),
                "organizationId": p.org_id,
                "type": kind,
                "data": data,
                "enabled": true,
                "object": "policy",
            }))
        })
        .collect();
    json!({
        "profile": profile(d),
        "folders": d.folders.iter().map(folder).collect::<Vec<_>>(),
        "collections": collections,
        "policies": policies,
        "ciphers": ciphers,
        "domains": { "equivalentDomains": [], "globalEquivalentDomains": [], "object": "domains" },
        "sends": [],
        "userDecryption": { "masterPasswordUnlock": master_password_unlock(&d.user, false) },
        "object": "sync",
    })
}

/// A policy as Bitwarden's apps read it: its number and its settings in
/// their names (the apps apply the master-password, generator, vault-timeout
/// and export rules themselves).
fn policy_wire(row: &db::PolicyRow) -> Option<(u8, Value)> {
    use domain::org::PolicyKind as K;
    let p = serde_json::from_str::<domain::org::Policy>(&row.data).ok().filter(|p| p.kind.code() == row.kind)?;
    Some(match p.kind {
        K::TwoStepLogin => (0, Value::Null),
        K::MasterPassword => (
            1,
            json!({
                "minComplexity": p.master_password.min_score,
                "minLength": p.master_password.min_length,
                "requireUpper": false,
                "requireLower": false,
                "requireNumbers": false,
                "requireSpecial": false,
                "enforceOnLogin": false,
            }),
        ),
        K::PasswordGenerator => (
            2,
            json!({
                "overridePasswordType": null,
                "minLength": p.generator.min_length,
                "useUpper": p.generator.uppercase,
                "useLower": false,
                "useNumbers": p.generator.digits,
                "useSpecial": p.generator.symbols,
                "minNumbers": if p.generator.digits { 1 } else { 0 },
                "minSpecial": if p.generator.symbols { 1 } else { 0 },
            }),
        ),
        K::SingleOrg => (3, Value::Null),
        K::RemoveIndividualVault => (5, Value::Null),
        K::AccountRecovery => (8, json!({ "autoEnrollEnabled": p.recovery.auto_enrol })),
        K::VaultTimeout => (9, json!({ "minutes": p.vault_timeout.minutes, "action": if p.vault_timeout.log_out { "logOut" } else { "lock" } })),
        K::RemovePersonalVaultExport => (10, Value::Null),
    })
}

/// A notice as the apps' notifications hub delivers it (Bitwarden's
/// `PushNotificationData`: `ContextId`, `Type` and `Payload`), for the app of
/// `user_id`. Types are Bitwarden's `PushType` numbers.
pub fn push_message(n: &service::live::AppNotice, user_id: &str) -> Value {
    use service::live::{Change, ItemChange};
    let user_payload = || json!({ "UserId": user_id, "Date": date(n.at) });
    let (kind, payload) = match &n.change {
        Change::Item { id, org_id, collection_ids, change } => {
            let kind = match change {
                ItemChange::Updated => 0,
                ItemChange::Created => 1,
                ItemChange::Deleted => 2,
            };
            let payload = json!({
                "Id": id,
                // An organisation's item belongs to no one account.
                "UserId": if org_id.is_none() { Value::from(user_id) } else { Value::Null },
                "OrganizationId": org_id,
                "CollectionIds": if org_id.is_some() { json!(collection_ids) } else { Value::Null },
                "RevisionDate": date(n.at),
            });
            (kind, payload)
        }
        Change::Folder { id, change } => {
            let kind = match change {
                ItemChange::Deleted => 3,
                ItemChange::Created => 7,
                ItemChange::Updated => 8,
            };
            (kind, json!({ "Id": id, "UserId": user_id, "RevisionDate": date(n.at) }))
        }
        Change::Items => (4, user_payload()),
        Change::Vault => (5, user_payload()),
        Change::Memberships => (6, user_payload()),
        Change::LogOut => (11, user_payload()),
    };
    json!({ "ContextId": n.context, "Type": kind, "Payload": payload })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_security_key_answer_from_the_apps_reads_as_the_browsers() {
        let apps = r#"{"id":"abc","rawId":"abc","type":"public-key","extensions":{},"response":{"authenticatorData":"AA","signature":"BB","clientDataJson":"CC","userHandle":null}}"#;
        let v: Value = serde_json::from_str(&webauthn_answer(apps)).unwrap();
        assert_eq!(v["response"]["clientDataJSON"], "CC");
        assert!(v["response"].get("clientDataJson").is_none());
        assert_eq!(v["response"]["signature"], "BB");
        // The browser's spelling, and what is not JSON, pass unchanged.
        let browser = r#"{"response":{"clientDataJSON":"DD"}}"#;
        assert_eq!(serde_json::from_str::<Value>(&webauthn_answer(browser)).unwrap()["response"]["clientDataJSON"], "DD");
        assert_eq!(webauthn_answer("123456"), "123456");
    }
}
