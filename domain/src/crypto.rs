//! Browser-side cryptography (compiled into the wasm bundle; also used by
//! tests and tools). RustCrypto crates only:
//! - master key = Argon2id(master password, SHA-256(normalised email), KDF params)
//! - authentication hash = HKDF-Expand-SHA256(master key, "auth") — the only
//!   thing derived from the password that the server ever receives
//! - stretched key = HKDF-Expand-SHA256(master key, "enc")
//! - symmetric encryption: XChaCha20-Poly1305 with a random 192-bit nonce,
//!   serialised as `x1.<base64(nonce ‖ ciphertext)>`
//! - key pair: X25519 (crypto_box); the public key travels as SPKI DER;
//!   anything wrapped *to* a public key is a crypto_box sealed box.

use crate::kdf::KdfParams;
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, AeadCore, KeyInit, OsRng},
};
use hkdf::Hkdf;
use rand_core::RngCore;
use sha2::{Digest, Sha256};
use spki::der::{Decode, Encode, asn1::BitString};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use zeroize::{Zeroize, ZeroizeOnDrop};

const X25519_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
const ENC_PREFIX: &str = "x1.";

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

/// 32 secret bytes, wiped from memory when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SymmetricKey([u8; 32]);

impl std::fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SymmetricKey(..)")
    }
}

impl SymmetricKey {
    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        OsRng.fill_bytes(&mut k);
        SymmetricKey(k)
    }
    pub fn from_bytes(b: &[u8]) -> Result<Self, CryptoError> {
        let arr: [u8; 32] = b.try_into().map_err(|_| CryptoError::Format)?;
        Ok(SymmetricKey(arr))
    }
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// Encrypts with a fresh random nonce.
    pub fn encrypt(&self, plaintext: &[u8]) -> String {
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ct = cipher.encrypt(&nonce, plaintext).expect("XChaCha20-Poly1305 encryption cannot fail for in-memory data");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!("{ENC_PREFIX}{}", B64.encode(out))
    }

    pub fn decrypt(&self, enc: &str) -> Result<Vec<u8>, CryptoError> {
        let raw = enc.strip_prefix(ENC_PREFIX).ok_or(CryptoError::Format)?;
        let raw = B64.decode(raw).map_err(|_| CryptoError::Format)?;
        if raw.len() < 24 + 16 {
            return Err(CryptoError::Format);
        }
        let (nonce, ct) = raw.split_at(24);
        XChaCha20Poly1305::new((&self.0).into()).decrypt(XNonce::from_slice(nonce), ct).map_err(|_| CryptoError::Decrypt)
    }
}

/// Is this string shaped like our ciphertext? (The server checks what it stores.)
pub fn looks_encrypted(s: &str) -> bool {
    s.strip_prefix(ENC_PREFIX).and_then(|r| B64.decode(r).ok()).is_some_and(|raw| raw.len() >= 24 + 16)
}

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

/// Argon2id(master password, SHA-256(email), params) → 32 bytes.
/// Refuses parameters outside the safe range before anything is derived.
pub fn master_key(password: &str, email: &crate::Email, params: KdfParams) -> Result<SymmetricKey, CryptoError> {
    check_kdf(params)?;
    argon2id(password.as_bytes(), &kdf_salt(email), params).map(SymmetricKey)
}

fn expand(key: &SymmetricKey, info: &[u8]) -> [u8; 32] {
    let hk = Hkdf::<Sha256>::from_prk(key.expose()).expect("32-byte PRK is valid for HKDF-SHA256");
    let mut out = [0u8; 32];
    hk.expand(info, &mut out).expect("32 bytes is a valid HKDF output length");
    out
}

/// What the browser sends to log in (base64). Never the password, never the master key.
pub fn auth_hash(master: &SymmetricKey) -> String {
    B64.encode(expand(master, b"provider-portal auth"))
}

/// The key that wraps the user key.
pub fn stretched_key(master: &SymmetricKey) -> SymmetricKey {
    SymmetricKey(expand(master, b"provider-portal enc"))
}

/// An X25519 key pair.
pub struct KeyPair {
    secret: crypto_box::SecretKey,
}

impl KeyPair {
    pub fn generate() -> Self {
        KeyPair { secret: crypto_box::SecretKey::generate(&mut OsRng) }
    }
    pub fn from_secret_bytes(b: &[u8]) -> Result<Self, CryptoError> {
        let arr: [u8; 32] = b.try_into().map_err(|_| CryptoError::Format)?;
        Ok(KeyPair { secret: crypto_box::SecretKey::from(arr) })
    }
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.secret.to_bytes()
    }
    pub fn public_spki(&self) -> Vec<u8> {
        spki_der(self.secret.public_key().as_bytes())
    }
    /// Opens something sealed to this key pair's public key.
    pub fn unseal(&self, sealed_b64: &str) -> Result<Vec<u8>, CryptoError> {
        let raw = B64.decode(sealed_b64).map_err(|_| CryptoError::Format)?;
        self.secret.unseal(&raw).map_err(|_| CryptoError::Decrypt)
    }
}

pub fn spki_der(public: &[u8; 32]) -> Vec<u8> {
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned { oid: X25519_OID, parameters: None },
        subject_public_key: BitString::from_bytes(public).expect("32 bytes make a valid bit string"),
    }
    .to_der()
    .expect("SPKI encoding of a fixed-size key cannot fail")
}

pub fn public_key_from_spki(der: &[u8]) -> Result<[u8; 32], CryptoError> {
    let info = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| CryptoError::PublicKey)?;
    if info.algorithm.oid != X25519_OID || info.algorithm.parameters.is_some() {
        return Err(CryptoError::PublicKey);
    }
    info.subject_public_key.as_bytes().and_then(|b| b.try_into().ok()).ok_or(CryptoError::PublicKey)
}

/// Seals `plaintext` to the owner of the SPKI public key (anonymous sender).
pub fn seal_to(spki: &[u8], plaintext: &[u8]) -> Result<String, CryptoError> {
    let pk = crypto_box::PublicKey::from(public_key_from_spki(spki)?);
    let ct = pk.seal(&mut OsRng, plaintext).map_err(|_| CryptoError::PublicKey)?;
    Ok(B64.encode(ct))
}

/// Everything the browser makes at sign-up; only the `Serialize`-free secrets
/// stay here, the rest goes to the server.
pub struct NewAccountKeys {
    pub master_key: SymmetricKey,
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
    Ok(new_account_with(master_key(password, email, params)?))
}

/// A new account's keys from a master key derived elsewhere (the browser's
/// `kdf` module).
pub fn new_account_with(master_key: SymmetricKey) -> NewAccountKeys {
    let user_key = SymmetricKey::generate();
    let key_pair = KeyPair::generate();
    let protected_user_key = stretched_key(&master_key).encrypt(user_key.expose());
    let protected_private_key = user_key.encrypt(&key_pair.secret_bytes());
    NewAccountKeys {
        auth_hash: auth_hash(&master_key),
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
pub fn unlock(master: &SymmetricKey, protected_user_key: &str, protected_private_key: &str) -> Result<UnlockedKeys, CryptoError> {
    let user_key = SymmetricKey::from_bytes(&stretched_key(master).decrypt(protected_user_key)?)?;
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
            assert!(new_account("pw", &e, weak).is_err());
        }
        let msg = master_key("pw", &e, KdfParams { memory_kib: 1024, iterations: 1, parallelism: 1 }).unwrap_err().to_string();
        assert!(msg.contains("your master password was not used"), "{msg}");
    }

    #[test]
    fn master_key_depends_on_password_email_and_params() {
        let e = Email::parse("a@x.com").unwrap();
        let k1 = master_key("pw", &e, fast()).unwrap();
        assert_eq!(k1, master_key("pw", &Email::parse("A@X.COM").unwrap(), fast()).unwrap());
        assert_ne!(k1, master_key("pw2", &e, fast()).unwrap());
        assert_ne!(k1, master_key("pw", &Email::parse("b@x.com").unwrap(), fast()).unwrap());
        assert_ne!(k1, master_key("pw", &e, KdfParams { iterations: 3, ..fast() }).unwrap());
        assert_ne!(auth_hash(&k1), b64(k1.expose()));
        assert_ne!(stretched_key(&k1), k1);
    }

    #[test]
    fn argon2id_known_answer() {
        // RFC 9106-style check that the parameters reach the algorithm: the
        // same inputs computed through the argon2 crate's PHC API agree.
        use argon2::password_hash::{PasswordHasher, SaltString};
        let e = Email::parse("a@x.com").unwrap();
        let k = master_key("password", &e, fast()).unwrap();
        let salt = SaltString::encode_b64(&kdf_salt(&e)).unwrap();
        let a = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(fast().memory_kib, fast().iterations, fast().parallelism, Some(32)).unwrap(),
        );
        let h = a.hash_password(b"password", &salt).unwrap();
        assert_eq!(h.hash.unwrap().as_bytes(), k.expose());
    }

    #[test]
    fn symmetric_round_trip_and_tamper() {
        let k = SymmetricKey::generate();
        let c = k.encrypt(b"secret");
        assert!(looks_encrypted(&c));
        assert_ne!(c, k.encrypt(b"secret"), "nonces must differ");
        assert_eq!(k.decrypt(&c).unwrap(), b"secret");
        assert_eq!(SymmetricKey::generate().decrypt(&c), Err(CryptoError::Decrypt));
        let mut raw = unb64(&c[3..]).unwrap();
        *raw.last_mut().unwrap() ^= 1;
        assert_eq!(k.decrypt(&format!("x1.{}", b64(&raw))), Err(CryptoError::Decrypt));
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
        let wrong = master_key("wrong password!!", &e, fast()).unwrap();
        assert!(unlock(&wrong, &acct.protected_user_key, &acct.protected_private_key).is_err());

        let provider_key = SymmetricKey::generate();
        let sealed = seal_to(&acct.public_key_spki, provider_key.expose()).unwrap();
        assert_eq!(keys.key_pair.unseal(&sealed).unwrap(), provider_key.expose());
        assert!(KeyPair::generate().unseal(&sealed).is_err());
    }

    #[test]
    fn spki_is_standard_x25519() {
        let kp = KeyPair::generate();
        let der = kp.public_spki();
        assert_eq!(der.len(), 44);
        assert_eq!(&der[..12], &[0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00]);
        assert!(public_key_from_spki(&der).is_ok());
        assert_eq!(public_key_from_spki(&der[..40]), Err(CryptoError::PublicKey));
        assert_eq!(public_key_from_spki(b"junk"), Err(CryptoError::PublicKey));
    }
}
