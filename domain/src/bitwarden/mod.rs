//! Bitwarden's key and ciphertext formats, so that what the portal writes
//! Bitwarden's apps (and its SDK) can read, and the other way round. Browser
//! side: compiled to wasm where used; RustCrypto crates only.
//!
//! The key hierarchy, as Bitwarden's apps build it:
//! - **master key** (32 bytes) = KDF(master password, email): PBKDF2-SHA256 with
//!   the trimmed lower-case email as salt, or Argon2id with SHA-256 of it
//!   ([`Kdf`], [`MasterKey::derive`]);
//! - **master password hash** (what log-in sends) = PBKDF2-SHA256(master key,
//!   salt = password, 1 iteration), base64 ([`MasterKey::password_hash`]); the
//!   server keeps only an Argon2id hash of it;
//! - **stretched master key** = HKDF-Expand(master key, "enc") ‖
//!   HKDF-Expand(master key, "mac") ([`MasterKey::stretch`]);
//! - **user key** = 64 random bytes (AES-256 key ‖ HMAC-SHA256 key), kept as an
//!   [`EncString`] under the stretched master key;
//! - **EncString type 2** `2.iv|ciphertext|mac` = AES-256-CBC with PKCS#7 and
//!   HMAC-SHA256 over iv ‖ ciphertext, checked in constant time before anything
//!   is decrypted ([`SymmetricKey::encrypt`], [`SymmetricKey::decrypt`]);
//! - **key pair** = RSA-2048, the public key as SPKI DER, the private key as
//!   PKCS#8 DER under the user key ([`RsaKeyPair`]);
//! - **keys handed to a member** (provider key, organisation key) = EncString
//!   type 4 `4.data`: RSA-OAEP with SHA-1 ([`SharedKey`]).
//!
//! Every vector of Bitwarden's SDK that covers these is a test
//! (`domain/tests/bitwarden_vectors.rs`).

mod asymmetric;
pub mod cipher;
mod kdf;
mod symmetric;

pub use asymmetric::{RsaKeyPair, SharedKey, check_public_key};
pub use kdf::{Kdf, MasterKey};
pub use symmetric::{EncString, SymmetricKey, looks_like_enc_string};

pub use crate::crypto::CryptoError;

/// A new account's keys, made in the browser at sign-up: what the server
/// stores ([`NewAccount::wrapped_user_key`], the public key, the wrapped
/// private key) and what only the browser keeps ([`NewAccount::user_key`]).
pub struct NewAccount {
    /// Sent at log-in instead of the password.
    pub master_password_hash: String,
    /// The user key under the stretched master key (type 2).
    pub wrapped_user_key: EncString,
    /// SPKI DER.
    pub public_key: Vec<u8>,
    /// PKCS#8 DER under the user key (type 2).
    pub wrapped_private_key: EncString,
    pub user_key: SymmetricKey,
    pub key_pair: RsaKeyPair,
}

impl NewAccount {
    /// Derives the master key, makes a user key and an RSA-2048 key pair and
    /// wraps them. Refuses unsafe KDF settings before using the password. The
    /// RSA generation is the slow part (BENCHMARKS.md, key generation).
    pub fn create(password: &str, email: &str, kdf: Kdf) -> Result<Self, CryptoError> {
        let master = MasterKey::derive(password, email, kdf)?;
        Ok(Self::with_master_key(&master, password, RsaKeyPair::generate()?))
    }

    /// The same from a master key the caller derived (the browser derives it
    /// in its own module) and a key pair it generated.
    pub fn with_master_key(master: &MasterKey, password: &str, key_pair: RsaKeyPair) -> Self {
        let user_key = SymmetricKey::generate();
        let wrapped_user_key = master.stretch().encrypt(user_key.to_bytes().as_slice());
        let wrapped_private_key = user_key.encrypt(&key_pair.private_pkcs8());
        NewAccount {
            master_password_hash: master.password_hash(password),
            wrapped_user_key,
            public_key: key_pair.public_spki(),
            wrapped_private_key,
            user_key,
            key_pair,
        }
    }
}

/// The keys a log-in or unlock opens in the browser.
pub struct Unlocked {
    pub user_key: SymmetricKey,
    pub key_pair: RsaKeyPair,
}

/// Opens the user key with the master key, then the private key with the user key.
pub fn unlock(master: &MasterKey, wrapped_user_key: &str, wrapped_private_key: &str) -> Result<Unlocked, CryptoError> {
    let user_key = SymmetricKey::from_bytes(&master.stretch().decrypt(&wrapped_user_key.parse()?)?)?;
    let key_pair = RsaKeyPair::from_pkcs8(&user_key.decrypt(&wrapped_private_key.parse()?)?)?;
    Ok(Unlocked { user_key, key_pair })
}
