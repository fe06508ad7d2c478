//! RSA-2048 key pairs and EncString type 4 (RSA-OAEP with SHA-1), as
//! Bitwarden's apps hand provider and organisation keys to members.
//!
//! The `rsa` crate carries the Marvin timing advisory (RUSTSEC-2023-0071) for
//! decryption. Decryption here only ever runs in the key owner's own browser,
//! on keys the owner asked for, with no oracle a remote party can time
//! (SECURITY.md); Bitwarden's SDK uses the same crate.

use super::{CryptoError, SymmetricKey};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use rand_core::OsRng;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey};

const BITS: usize = 2048;

/// An RSA-2048 key pair (the private half zeroised on drop by the `rsa` crate).
pub struct RsaKeyPair(RsaPrivateKey);

impl std::fmt::Debug for RsaKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RsaKeyPair(..)")
    }
}

impl RsaKeyPair {
    /// A new key pair (slow: hundreds of milliseconds in a browser).
    pub fn generate() -> Result<Self, CryptoError> {
        RsaPrivateKey::new(&mut OsRng, BITS).map(RsaKeyPair).map_err(|_| CryptoError::Kdf)
    }

    /// From the PKCS#8 DER Bitwarden keeps under the user key.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, CryptoError> {
        RsaPrivateKey::from_pkcs8_der(der).map(RsaKeyPair).map_err(|_| CryptoError::Format)
    }

    pub fn private_pkcs8(&self) -> zeroize::Zeroizing<Vec<u8>> {
        zeroize::Zeroizing::new(self.0.to_pkcs8_der().expect("an RSA key encodes as PKCS#8").as_bytes().to_vec())
    }

    /// The public key as SPKI DER (what the fingerprint phrase is computed over).
    pub fn public_spki(&self) -> Vec<u8> {
        public_spki(&self.0.to_public_key())
    }

    /// Opens a key handed to this key pair (type 4, or type 3: OAEP with SHA-256).
    pub fn decapsulate(&self, shared: &SharedKey) -> Result<SymmetricKey, CryptoError> {
        SymmetricKey::from_bytes(&self.decrypt_shared(shared)?)
    }

    /// The raw bytes of what was wrapped to this key pair.
    pub fn decrypt_shared(&self, shared: &SharedKey) -> Result<zeroize::Zeroizing<Vec<u8>>, CryptoError> {
        match shared {
            SharedKey::OaepSha1(data) => self.0.decrypt(Oaep::new::<sha1::Sha1>(), data),
            SharedKey::OaepSha256(data) => self.0.decrypt(Oaep::new::<sha2::Sha256>(), data),
        }
        .map(zeroize::Zeroizing::new)
        .map_err(|_| CryptoError::Decrypt)
    }
}

/// Parses an RSA-2048 public key from SPKI DER.
fn rsa_2048(spki: &[u8]) -> Result<RsaPublicKey, CryptoError> {
    let public = RsaPublicKey::from_public_key_der(spki).map_err(|_| CryptoError::PublicKey)?;
    if rsa::traits::PublicKeyParts::size(&public) != BITS / 8 {
        return Err(CryptoError::PublicKey);
    }
    Ok(public)
}

/// Checks that `spki` is an RSA-2048 public key (SPKI DER) in its one DER encoding.
pub fn check_public_key(spki: &[u8]) -> Result<(), CryptoError> {
    if public_spki(&rsa_2048(spki)?) != spki {
        return Err(CryptoError::PublicKey);
    }
    Ok(())
}

fn public_spki(key: &RsaPublicKey) -> Vec<u8> {
    key.to_public_key_der().expect("an RSA key encodes as SPKI").as_bytes().to_vec()
}

/// A symmetric key encrypted to someone's public key: `4.<base64>` (RSA-OAEP
/// SHA-1, what Bitwarden's apps write) or `3.<base64>` (OAEP SHA-256, read only).
#[derive(Clone, PartialEq, Eq)]
pub enum SharedKey {
    OaepSha1(Vec<u8>),
    OaepSha256(Vec<u8>),
}

impl std::fmt::Debug for SharedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedKey(..)")
    }
}

impl SharedKey {
    /// Encrypts `key` to the RSA public key `spki` (SPKI DER): type 4.
    pub fn encapsulate(key: &SymmetricKey, spki: &[u8]) -> Result<SharedKey, CryptoError> {
        Self::encrypt_bytes(&key.to_bytes(), spki)
    }

    /// Encrypts up to 214 bytes to the RSA-2048 public key `spki`: type 4.
    pub fn encrypt_bytes(bytes: &[u8], spki: &[u8]) -> Result<SharedKey, CryptoError> {
        rsa_2048(spki)?.encrypt(&mut OsRng, Oaep::new::<sha1::Sha1>(), bytes).map(SharedKey::OaepSha1).map_err(|_| CryptoError::PublicKey)
    }
}

impl std::str::FromStr for SharedKey {
    type Err = CryptoError;
    fn from_str(s: &str) -> Result<Self, CryptoError> {
        let (kind, data) = s.split_once('.').ok_or(CryptoError::Format)?;
        let data = B64.decode(data).map_err(|_| CryptoError::Format)?;
        match kind {
            "4" => Ok(SharedKey::OaepSha1(data)),
            "3" => Ok(SharedKey::OaepSha256(data)),
            _ => Err(CryptoError::Format),
        }
    }
}

impl std::fmt::Display for SharedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SharedKey::OaepSha1(d) => write!(f, "4.{}", B64.encode(d)),
            SharedKey::OaepSha256(d) => write!(f, "3.{}", B64.encode(d)),
        }
    }
}
