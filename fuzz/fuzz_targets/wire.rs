#![no_main]
//! The wire formats the server and the browser read by hand: the `x1.`
//! ciphertext envelope, sealed keys, base64 and X25519 SPKI public keys.
use domain::crypto::{self, KeyPair, SymmetricKey};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn keys() -> &'static (SymmetricKey, KeyPair) {
    static K: OnceLock<(SymmetricKey, KeyPair)> = OnceLock::new();
    K.get_or_init(|| (SymmetricKey::from_bytes(&[9; 32]).unwrap(), KeyPair::from_secret_bytes(&[5; 32]).unwrap()))
}

fuzz_target!(|data: &[u8]| {
    let (key, pair) = keys();
    let text = String::from_utf8_lossy(data);
    // Ciphertext envelope: what the server accepts as "looks encrypted" is
    // exactly what can reach the decryption step.
    let decrypted = key.decrypt(&text);
    if !crypto::looks_encrypted(&text) {
        assert!(matches!(decrypted, Err(crypto::CryptoError::Format)), "{decrypted:?}");
    }
    // Encrypting then decrypting the input gives it back.
    assert_eq!(key.decrypt(&key.encrypt(data)).unwrap(), data);
    // Sealed boxes and base64: errors, never panics.
    let _ = pair.unseal(&text);
    if let Ok(raw) = crypto::unb64(&text) {
        assert_eq!(crypto::unb64(&crypto::b64(&raw)).unwrap(), raw);
    }
    // SPKI: whatever parses is the one DER encoding of an X25519 key.
    if let Ok(pk) = crypto::public_key_from_spki(data) {
        assert_eq!(crypto::spki_der(&pk), data, "DER has one encoding");
        let sealed = crypto::seal_to(data, b"provider key").unwrap();
        assert!(!sealed.is_empty());
    }
});
