//! Browser-side cryptography in Bitwarden's formats (compiled into the wasm
//! bundle; also used by tests and tools), over [`crate::bitwarden`]:
//! - master key = Argon2id(master password, SHA-256(normalised email), KDF
//!   params) — Bitwarden's Argon2id derivation;
//! - master password hash = PBKDF2-SHA256(master key, salt = password, 1
//!   iteration) — the only thing derived from the password that the server
//!   ever receives (it stores an Argon2id hash of it);
//! - stretched key = HKDF-Expand(master key, "enc") ‖ HKDF-Expand(master key, "mac");
//! - symmetric encryption: EncString type 2 (`2.iv|ct|mac`, AES-256-CBC +
//!   HMAC-SHA256) under 64-byte keys;
//! - key pair: RSA-2048, the public key as SPKI DER, the private key PKCS#8
//!   DER under the user key; anything wrapped *to* a public key is EncString
//!   type 4 (`4.<base64>`, RSA-OAEP SHA-1).

use crate::bitwarden::{self, RsaKeyPair, SharedKey};
use crate::kdf::KdfParams;
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("key derivation failed")]
    Kdf,
    /// Parameters outside `KdfParams::MIN`..`MAX`: a server that sends weak
    /// ones could brute-force the password offline, so none is derived.
    #[error("The server asked for key-derivation settings outside the safe range ({0}) and your master password was not used. Contact your administrator.")]
    UnsafeKdf(String),
    #[error("decryption failed: wrong key or damaged data")]
    Decrypt,
    #[error("malformed encrypted value")]
    Format,
    #[error("malformed public key")]
    PublicKey,
}

/// A 64-byte key (AES-256 ‖ HMAC-SHA256), wiped from memory when dropped;
/// encrypts to and from EncString type 2 text.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SymmetricKey(bitwarden::SymmetricKey);

impl SymmetricKey {
    pub fn generate() -> Self {
        SymmetricKey(bitwarden::SymmetricKey::generate())
    }
    /// From the 64 bytes Bitwarden stores.
    pub fn from_bytes(b: &[u8]) -> Result<Self, CryptoError> {
        bitwarden::SymmetricKey::from_bytes(b).map(SymmetricKey)
    }
    /// The 64 bytes, to be wrapped (never stored or sent in the clear).
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.0.to_bytes()
    }
    pub fn inner(&self) -> &bitwarden::SymmetricKey {
        &self.0
    }

    /// Encrypts with a fresh random IV: `2.iv|ct|mac`.
    pub fn encrypt(&self, plaintext: &[u8]) -> String {
        self.0.encrypt(plaintext).to_string()
    }

    pub fn decrypt(&self, enc: &str) -> Result<Vec<u8>, CryptoError> {
        self.0.decrypt(&enc.parse()?)
    }
}

/// Is this string an EncString type 2? (The server checks what it stores.)
pub fn looks_encrypted(s: &str) -> bool {
    bitwarden::looks_like_enc_string(s)
}

/// Is this a key wrapped to an RSA-2048 public key (EncString type 4)?
pub fn looks_sealed(s: &str) -> bool {
    matches!(s.parse::<SharedKey>(), Ok(SharedKey::OaepSha1(d)) if d.len() == 256)
}

/// Argon2id's salt: SHA-256 of the normalised email (Bitwarden's).
pub fn kdf_salt(email: &crate::Email) -> [u8; 32] {
    Sha256::digest(email.as_str().as_bytes()).into()
}

/// Argon2id(password, salt, params) → 32 bytes: the one definition of the
/// KDF, used natively and by the browser's `kdf` module.
pub fn argon2id(password: &[u8], salt: &[u8], params: KdfParams) -> Result<[u8; 32], CryptoError> {
    let p = argon2::Params::new(params.memory_kib, params.iterations, params.parallelism, Some(32)).map_err(|_| CryptoError::Kdf)?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p);
    let mut out = [0u8; 32];
    a.hash_password_into(password, salt, &mut out).map_err(|_| CryptoError::Kdf)?;
    Ok(out)
}

/// The browser's check of the key-derivation parameters a server sent, at
/// log-in, unlock and password change: below the minimum would let a
/// malicious server brute-force the password offline.
pub fn check_kdf(params: KdfParams) -> Result<KdfParams, CryptoError> {
    params.validate().map_err(|e| CryptoError::UnsafeKdf(e.message))
}

/// The master key: 32 bytes, wiped when dropped.
pub type MasterKey = bitwarden::MasterKey;

/// Argon2id(master password, SHA-256(email), params) → the master key, as
/// Bitwarden derives it. Refuses parameters outside the safe range first.
pub fn master_key(password: &str, email: &crate::Email, params: KdfParams) -> Result<MasterKey, CryptoError> {
    check_kdf(params)?;
    MasterKey::from_bytes(&argon2id(password.as_bytes(), &kdf_salt(email), params)?)
}

/// What the browser sends to log in (base64): Bitwarden's master password
/// hash. Never the password, never the master key.
pub fn auth_hash(master: &MasterKey, password: &str) -> String {
    master.password_hash(password)
}

/// The key that wraps the user key.
pub fn stretched_key(master: &MasterKey) -> SymmetricKey {
    SymmetricKey(master.stretch())
}

/// An RSA-2048 key pair. Unlocking keeps the private key as the PKCS#8 bytes
/// the user key opened (authentic: the EncString's MAC checked them) and
/// reads the RSA numbers only when a key is first unwrapped: log-in and unlock
/// then carry no RSA code, which stays in the lazily loaded pages that use it
/// (the first load's 300 KB budget, BENCHMARKS.md).
pub struct KeyPair {
    pkcs8: Zeroizing<Vec<u8>>,
    rsa: std::sync::OnceLock<Result<RsaKeyPair, CryptoError>>,
}

impl KeyPair {
    /// A new key pair: the slow step of a sign-up (BENCHMARKS.md).
    pub fn generate() -> Self {
        let rsa = RsaKeyPair::generate().expect("the system's random source works");
        KeyPair { pkcs8: rsa.private_pkcs8(), rsa: std::sync::OnceLock::from(Ok(rsa)) }
    }
    /// From the PKCS#8 DER kept under the user key (parsed on first use).
    pub fn from_secret_bytes(b: &[u8]) -> Result<Self, CryptoError> {
        if b.is_empty() {
            return Err(CryptoError::Format);
        }
        Ok(KeyPair { pkcs8: Zeroizing::new(b.to_vec()), rsa: std::sync::OnceLock::new() })
    }
    fn rsa(&self) -> Result<&RsaKeyPair, CryptoError> {
        self.rsa.get_or_init(|| RsaKeyPair::from_pkcs8(&self.pkcs8)).as_ref().map_err(Clone::clone)
    }
    /// PKCS#8 DER, to be wrapped under the user key.
    pub fn secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.pkcs8.clone()
    }
    /// SPKI DER of the public half (empty if the private key is damaged).
    pub fn public_spki(&self) -> Vec<u8> {
        self.rsa().map(RsaKeyPair::public_spki).unwrap_or_default()
    }
    /// Opens a key wrapped to this key pair's public key (`4.…`).
    pub fn unseal(&self, sealed: &str) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.rsa()?.decrypt_shared(&sealed.parse()?)
    }
}

/// A symmetric key sealed to `key_pair` (an organisation key its Owner
/// holds), encrypted instead under `to` (a provider key): what an Owner's
/// browser hands a provider when it adds the organisation to it. The key
/// must be a whole symmetric key, or nothing is made.
pub fn reseal_under(key_pair: &KeyPair, sealed: &str, to: &SymmetricKey) -> Result<String, CryptoError> {
    let key = SymmetricKey::from_bytes(&key_pair.unseal(sealed)?)?;
    Ok(to.encrypt(&key.to_bytes()))
}

/// Checks that `der` is an RSA-2048 public key in SPKI DER.
pub fn check_public_key(der: &[u8]) -> Result<(), CryptoError> {
    bitwarden::check_public_key(der)
}

/// Wraps `plaintext` (a key) to the owner of the SPKI public key: `4.…`.
pub fn seal_to(spki: &[u8], plaintext: &[u8]) -> Result<String, CryptoError> {
    SharedKey::encrypt_bytes(plaintext, spki).map(|s| s.to_string())
}

/// Everything the browser makes at sign-up; only the `Serialize`-free secrets
/// stay here, the rest goes to the server.
pub struct NewAccountKeys {
    pub master_key: MasterKey,
    pub user_key: SymmetricKey,
    pub key_pair: KeyPair,
    /// User key wrapped with the stretched master key.
    pub protected_user_key: String,
    /// Private key wrapped with the user key.
    pub protected_private_key: String,
    pub public_key_spki: Vec<u8>,
    pub auth_hash: String,
}

pub fn new_account(password: &str, email: &crate::Email, params: KdfParams) -> Result<NewAccountKeys, CryptoError> {
    Ok(new_account_with(master_key(password, email, params)?, password, KeyPair::generate()))
}

/// A new account's keys from a master key derived elsewhere (the browser's
/// `kdf` module) and a key pair generated before (the browser starts it early).
pub fn new_account_with(master_key: MasterKey, password: &str, key_pair: KeyPair) -> NewAccountKeys {
    let user_key = SymmetricKey::generate();
    let protected_user_key = stretched_key(&master_key).encrypt(&user_key.to_bytes());
    let protected_private_key = user_key.encrypt(&key_pair.secret_bytes());
    NewAccountKeys {
        auth_hash: auth_hash(&master_key, password),
        public_key_spki: key_pair.public_spki(),
        protected_user_key,
        protected_private_key,
        master_key,
        user_key,
        key_pair,
    }
}

/// The keys a signed-in, unlocked browser holds in memory.
pub struct UnlockedKeys {
    pub user_key: SymmetricKey,
    pub key_pair: KeyPair,
}

/// Unlock: master key → user key → private key.
pub fn unlock(master: &MasterKey, protected_user_key: &str, protected_private_key: &str) -> Result<UnlockedKeys, CryptoError> {
    let user_key = SymmetricKey::from_bytes(&stretched_key(master).decrypt(protected_user_key)?)?;
    let key_pair = KeyPair::from_secret_bytes(&user_key.decrypt(protected_private_key)?)?;
    Ok(UnlockedKeys { user_key, key_pair })
}

/// Unlock from a user key kept sealed in this browser (a vault timeout other
/// than "On browser refresh"): user key → private key.
pub fn unlock_with_user_key(user_key: &[u8], protected_private_key: &str) -> Result<UnlockedKeys, CryptoError> {
    let user_key = SymmetricKey::from_bytes(user_key)?;
    let key_pair = KeyPair::from_secret_bytes(&user_key.decrypt(protected_private_key)?)?;
    Ok(UnlockedKeys { user_key, key_pair })
}

pub fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn unb64(s: &str) -> Result<Vec<u8>, CryptoError> {
    B64.decode(s).map_err(|_| CryptoError::Format)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Email;

    /// The cheapest parameters a browser accepts.
    fn fast() -> KdfParams {
        KdfParams::MIN
    }

    #[test]
    fn parameters_outside_the_safe_range_are_refused_before_deriving() {
        let e = Email::parse("a@x.com").unwrap();
        for weak in [
            KdfParams { memory_kib: 1024, iterations: 1, parallelism: 1 },
            KdfParams { memory_kib: KdfParams::MIN.memory_kib - 1, ..KdfParams::MIN },
            KdfParams { iterations: KdfParams::MIN.iterations - 1, ..KdfParams::MIN },
            KdfParams { parallelism: 0, ..KdfParams::MIN },
            KdfParams { memory_kib: KdfParams::MAX.memory_kib + 1, ..KdfParams::MIN },
            KdfParams { iterations: KdfParams::MAX.iterations + 1, ..KdfParams::MIN },
        ] {
            let r = master_key("pw", &e, weak);
            assert!(matches!(r, Err(CryptoError::UnsafeKdf(_))), "{weak:?}");
        }
        let msg = master_key("pw", &e, KdfParams { memory_kib: 1024, iterations: 1, parallelism: 1 }).unwrap_err().to_string();
        assert!(msg.contains("your master password was not used"), "{msg}");
    }

    #[test]
    fn master_key_is_bitwardens_argon2id() {
        let e = Email::parse("A@X.com").unwrap();
        let here = master_key("pw", &e, fast()).unwrap();
        let kdf = bitwarden::Kdf::Argon2id { iterations: fast().iterations, memory_mib: fast().memory_kib / 1024, parallelism: fast().parallelism };
        assert_eq!(here, MasterKey::derive("pw", " a@x.COM", kdf).unwrap());
        assert_ne!(here, master_key("pw2", &e, fast()).unwrap());
        assert_ne!(here, master_key("pw", &Email::parse("b@x.com").unwrap(), fast()).unwrap());
        assert_ne!(auth_hash(&here, "pw"), auth_hash(&here, "pw2"));
    }

    #[test]
    fn an_owners_organisation_key_is_handed_to_a_provider_key() {
        let owner = KeyPair::generate();
        let org_key = SymmetricKey::generate();
        let sealed = seal_to(&owner.public_spki(), &org_key.to_bytes()).unwrap();
        let provider_key = SymmetricKey::generate();
        let handed = reseal_under(&owner, &sealed, &provider_key).unwrap();
        assert!(handed.starts_with("2."), "a type 2 EncString under the provider key");
        let opened = SymmetricKey::from_bytes(&provider_key.decrypt(&handed).unwrap()).unwrap();
        assert_eq!(opened.to_bytes(), org_key.to_bytes());
        // Someone else's key pair cannot open it, and a sealed non-key is refused.
        assert!(reseal_under(&KeyPair::generate(), &sealed, &provider_key).is_err());
        let not_a_key = seal_to(&owner.public_spki(), b"short").unwrap();
        assert!(reseal_under(&owner, &not_a_key, &provider_key).is_err());
    }

    #[test]
    fn symmetric_round_trip_and_tamper() {
        let k = SymmetricKey::generate();
        let c = k.encrypt(b"secret");
        assert!(looks_encrypted(&c) && c.starts_with("2."));
        assert_ne!(c, k.encrypt(b"secret"), "IVs must differ");
        assert_eq!(k.decrypt(&c).unwrap(), b"secret");
        assert_eq!(SymmetricKey::generate().decrypt(&c), Err(CryptoError::Decrypt));
        assert_eq!(k.decrypt("nope"), Err(CryptoError::Format));
        assert!(!looks_encrypted("plain text"));
    }

    #[test]
    fn account_keys_unlock_and_seal() {
        let e = Email::parse("a@x.com").unwrap();
        let acct = new_account("correct horse battery staple", &e, fast()).unwrap();
        let mk = master_key("correct horse battery staple", &e, fast()).unwrap();
        let keys = unlock(&mk, &acct.protected_user_key, &acct.protected_private_key).unwrap();
        assert_eq!(keys.user_key, acct.user_key);
        assert_eq!(keys.key_pair.public_spki(), acct.public_key_spki);
        assert!(check_public_key(&acct.public_key_spki).is_ok());
        let wrong = master_key("wrong password!!", &e, fast()).unwrap();
        assert!(unlock(&wrong, &acct.protected_user_key, &acct.protected_private_key).is_err());
        // A user key kept in the browser opens the same private key; another does not.
        let kept = unlock_with_user_key(&keys.user_key.to_bytes(), &acct.protected_private_key).unwrap();
        assert_eq!(kept.key_pair.public_spki(), acct.public_key_spki);
        assert!(unlock_with_user_key(&SymmetricKey::generate().to_bytes(), &acct.protected_private_key).is_err());
        assert!(unlock_with_user_key(&[0u8; 7], &acct.protected_private_key).is_err());

        let provider_key = SymmetricKey::generate();
        let sealed = seal_to(&acct.public_key_spki, &provider_key.to_bytes()).unwrap();
        assert!(looks_sealed(&sealed));
        assert_eq!(keys.key_pair.unseal(&sealed).unwrap().as_slice(), provider_key.to_bytes().as_slice());
        assert!(KeyPair::generate().unseal(&sealed).is_err());
        assert_eq!(check_public_key(b"junk"), Err(CryptoError::PublicKey));
        assert!(!looks_sealed("4.AAAA") && !looks_sealed(&provider_key.encrypt(b"x")));
    }
}
