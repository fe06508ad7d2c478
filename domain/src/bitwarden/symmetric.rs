//! Bitwarden's symmetric keys and EncString type 2 (AES-256-CBC + HMAC-SHA256).

use super::CryptoError;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;
type HmacSha256 = Hmac<Sha256>;

/// A 64-byte key: AES-256 key ‖ HMAC-SHA256 key (user, organisation and
/// provider keys; the stretched master key). Wiped when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SymmetricKey {
    enc: [u8; 32],
    mac: [u8; 32],
}

impl std::fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SymmetricKey(..)")
    }
}

impl SymmetricKey {
    pub fn generate() -> Self {
        let mut key = SymmetricKey { enc: [0; 32], mac: [0; 32] };
        OsRng.fill_bytes(&mut key.enc);
        OsRng.fill_bytes(&mut key.mac);
        key
    }

    /// From the 64 bytes Bitwarden stores (encryption key first).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != 64 {
            return Err(CryptoError::Format);
        }
        let mut key = SymmetricKey { enc: [0; 32], mac: [0; 32] };
        key.enc.copy_from_slice(&bytes[..32]);
        key.mac.copy_from_slice(&bytes[32..]);
        Ok(key)
    }

    /// The 64 bytes, to be wrapped (never stored or sent in the clear).
    pub fn to_bytes(&self) -> zeroize::Zeroizing<Vec<u8>> {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(&self.enc);
        out.extend_from_slice(&self.mac);
        zeroize::Zeroizing::new(out)
    }

    /// Encrypts with a fresh random IV.
    pub fn encrypt(&self, plaintext: &[u8]) -> EncString {
        let mut iv = [0u8; 16];
        OsRng.fill_bytes(&mut iv);
        self.encrypt_with_iv(iv, plaintext)
    }

    /// Encrypts with the given IV: for test vectors only; use [`Self::encrypt`].
    pub fn encrypt_with_iv(&self, iv: [u8; 16], plaintext: &[u8]) -> EncString {
        let data = Aes256CbcEnc::new((&self.enc).into(), (&iv).into()).encrypt_padded_vec_mut::<Pkcs7>(plaintext);
        let mac = self.mac_of(&iv, &data).finalize().into_bytes().into();
        EncString { iv, data, mac }
    }

    pub fn encrypt_str(&self, plaintext: &str) -> EncString {
        self.encrypt(plaintext.as_bytes())
    }

    /// Checks the MAC (in constant time) and only then decrypts.
    pub fn decrypt(&self, enc: &EncString) -> Result<Vec<u8>, CryptoError> {
        self.mac_of(&enc.iv, &enc.data).verify_slice(&enc.mac).map_err(|_| CryptoError::Decrypt)?;
        Aes256CbcDec::new((&self.enc).into(), (&enc.iv).into()).decrypt_padded_vec_mut::<Pkcs7>(&enc.data).map_err(|_| CryptoError::Decrypt)
    }

    pub fn decrypt_str(&self, enc: &EncString) -> Result<String, CryptoError> {
        String::from_utf8(self.decrypt(enc)?).map_err(|_| CryptoError::Format)
    }

    fn mac_of(&self, iv: &[u8], data: &[u8]) -> HmacSha256 {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.mac).expect("HMAC takes a key of any length");
        mac.update(iv);
        mac.update(data);
        mac
    }
}

/// EncString type 2, `2.<iv>|<ciphertext>|<mac>` (each part base64), as
/// Bitwarden's apps write every encrypted field and wrapped key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EncString {
    iv: [u8; 16],
    data: Vec<u8>,
    mac: [u8; 32],
}

impl std::str::FromStr for EncString {
    type Err = CryptoError;

    /// Only type 2 is accepted: type 0 has no MAC (Bitwarden's apps stopped
    /// writing it years ago) and would let a server alter ciphertexts unseen.
    fn from_str(s: &str) -> Result<Self, CryptoError> {
        let (kind, rest) = s.split_once('.').ok_or(CryptoError::Format)?;
        if kind != "2" {
            return Err(CryptoError::Format);
        }
        let mut parts = rest.split('|');
        let (Some(iv), Some(data), Some(mac), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(CryptoError::Format);
        };
        let b = |p: &str| B64.decode(p).map_err(|_| CryptoError::Format);
        let data = b(data)?;
        if data.is_empty() || data.len() % 16 != 0 {
            return Err(CryptoError::Format);
        }
        Ok(EncString { iv: b(iv)?.try_into().map_err(|_| CryptoError::Format)?, data, mac: b(mac)?.try_into().map_err(|_| CryptoError::Format)? })
    }
}

impl std::fmt::Display for EncString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "2.{}|{}|{}", B64.encode(self.iv), B64.encode(&self.data), B64.encode(self.mac))
    }
}

impl serde::Serialize for EncString {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for EncString {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Is this shaped like an EncString type 2? (The server checks what it stores.)
pub fn looks_like_enc_string(s: &str) -> bool {
    s.parse::<EncString>().is_ok()
}
