//! The master key: Bitwarden's two KDFs, their limits, and what is derived
//! from the master key.

use super::{CryptoError, SymmetricKey};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Key-derivation settings, as Bitwarden's apps send and store them
/// (`kdf`: 0 = PBKDF2-SHA256, 1 = Argon2id; Argon2id memory in MiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Kdf {
    Pbkdf2 { iterations: u32 },
    Argon2id { iterations: u32, memory_mib: u32, parallelism: u32 },
}

impl Kdf {
    /// New accounts: Argon2id 64 MiB, 3 iterations, 4 lanes.
    pub const DEFAULT: Kdf = Kdf::Argon2id { iterations: 3, memory_mib: 64, parallelism: 4 };
    /// Bitwarden's PBKDF2 default (its apps' choice for new accounts).
    pub const DEFAULT_PBKDF2: Kdf = Kdf::Pbkdf2 { iterations: 600_000 };

    /// Bitwarden's minimums (below them its apps refuse to derive) and sane
    /// maximums (above them a browser tab runs out of memory or time).
    pub const PBKDF2_ITERATIONS: std::ops::RangeInclusive<u32> = 5_000..=2_000_000;
    pub const ARGON2_MEMORY_MIB: std::ops::RangeInclusive<u32> = 16..=1024;
    pub const ARGON2_ITERATIONS: std::ops::RangeInclusive<u32> = 2..=10;
    pub const ARGON2_PARALLELISM: std::ops::RangeInclusive<u32> = 1..=16;

    /// Bitwarden's wire form: (kdf type, iterations, memory MiB, parallelism).
    pub fn to_wire(self) -> (u8, u32, Option<u32>, Option<u32>) {
        match self {
            Kdf::Pbkdf2 { iterations } => (0, iterations, None, None),
            Kdf::Argon2id { iterations, memory_mib, parallelism } => (1, iterations, Some(memory_mib), Some(parallelism)),
        }
    }

    pub fn from_wire(kind: u8, iterations: u32, memory_mib: Option<u32>, parallelism: Option<u32>) -> Result<Kdf, CryptoError> {
        match (kind, memory_mib, parallelism) {
            (0, _, _) => Ok(Kdf::Pbkdf2 { iterations }),
            (1, Some(memory_mib), Some(parallelism)) => Ok(Kdf::Argon2id { iterations, memory_mib, parallelism }),
            _ => Err(CryptoError::UnsafeKdf(format!("unknown key-derivation function {kind}"))),
        }
    }

    /// Refuses settings outside the ranges above, before any password is used:
    /// a malicious server that sent weak ones could brute-force the password
    /// offline from the hash a log-in sends.
    pub fn check(self) -> Result<Kdf, CryptoError> {
        fn within(what: &str, v: u32, r: std::ops::RangeInclusive<u32>) -> Result<(), CryptoError> {
            if r.contains(&v) { Ok(()) } else { Err(CryptoError::UnsafeKdf(format!("{what} {v}, allowed {}–{}", r.start(), r.end()))) }
        }
        match self {
            Kdf::Pbkdf2 { iterations } => within("PBKDF2 iterations", iterations, Self::PBKDF2_ITERATIONS)?,
            Kdf::Argon2id { iterations, memory_mib, parallelism } => {
                within("Argon2id memory (MiB)", memory_mib, Self::ARGON2_MEMORY_MIB)?;
                within("Argon2id iterations", iterations, Self::ARGON2_ITERATIONS)?;
                within("Argon2id parallelism", parallelism, Self::ARGON2_PARALLELISM)?;
            }
        }
        Ok(self)
    }
}

/// The salt Bitwarden derives the master key with: the email, trimmed and in lower case.
pub fn salt(email: &str) -> String {
    email.trim().to_lowercase()
}

/// 32 bytes derived from the master password; wiped when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    /// KDF(password, email) after [`Kdf::check`].
    pub fn derive(password: &str, email: &str, kdf: Kdf) -> Result<MasterKey, CryptoError> {
        Self::derive_with_salt(password.as_bytes(), salt(email).as_bytes(), kdf)
    }

    /// The KDF over any salt (Bitwarden's password-protected export uses its own).
    pub fn derive_with_salt(secret: &[u8], salt: &[u8], kdf: Kdf) -> Result<MasterKey, CryptoError> {
        let mut out = [0u8; 32];
        match kdf.check()? {
            Kdf::Pbkdf2 { iterations } => pbkdf2::pbkdf2_hmac::<Sha256>(secret, salt, iterations, &mut out),
            Kdf::Argon2id { iterations, memory_mib, parallelism } => {
                let params = argon2::Params::new(memory_mib * 1024, iterations, parallelism, Some(32)).map_err(|_| CryptoError::Kdf)?;
                argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
                    .hash_password_into(secret, &Sha256::digest(salt), &mut out)
                    .map_err(|_| CryptoError::Kdf)?;
            }
        }
        Ok(MasterKey(out))
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<MasterKey, CryptoError> {
        Ok(MasterKey(bytes.try_into().map_err(|_| CryptoError::Format)?))
    }

    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// The master password hash a log-in sends (base64): one PBKDF2-SHA256
    /// iteration of the master key salted with the password. The server can
    /// neither reverse it nor use it to decrypt anything.
    pub fn password_hash(&self, password: &str) -> String {
        let mut out = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(&self.0, password.as_bytes(), 1, &mut out);
        B64.encode(out)
    }

    /// The key that wraps the user key: HKDF-Expand-SHA256 of the master key
    /// with "enc" (encryption half) and "mac" (MAC half).
    pub fn stretch(&self) -> SymmetricKey {
        let hk = Hkdf::<Sha256>::from_prk(&self.0).expect("a 32-byte PRK is valid for HKDF-SHA256");
        let mut key = [0u8; 64];
        hk.expand(b"enc", &mut key[..32]).expect("32 bytes is a valid HKDF length");
        hk.expand(b"mac", &mut key[32..]).expect("32 bytes is a valid HKDF length");
        let stretched = SymmetricKey::from_bytes(&key).expect("64 bytes");
        key.zeroize();
        stretched
    }
}
