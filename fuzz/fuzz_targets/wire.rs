#![no_main]
//! The wire formats the server and the browser read by hand: EncString type 2
//! (`2.iv|ct|mac`), keys wrapped to a public key (type 4), base64 and RSA
//! SPKI public keys.
use domain::bitwarden::{EncString, SharedKey};
use domain::crypto::{self, KeyPair, SymmetricKey};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn keys() -> &'static (SymmetricKey, KeyPair) {
    static K: OnceLock<(SymmetricKey, KeyPair)> = OnceLock::new();
    K.get_or_init(|| (SymmetricKey::from_bytes(&[9; 64]).unwrap(), KeyPair::generate()))
}

fuzz_target!(|data: &[u8]| {
    let (key, pair) = keys();
    let text = String::from_utf8_lossy(data);
    // What the server accepts as "looks encrypted" is exactly what can reach
    // the MAC check, and it has one text form.
    let decrypted = key.decrypt(&text);
    if crypto::looks_encrypted(&text) {
        assert_eq!(text.parse::<EncString>().unwrap().to_string(), text, "one text form");
        assert!(!matches!(decrypted, Err(crypto::CryptoError::Format)), "{decrypted:?}");
    } else {
        assert!(matches!(decrypted, Err(crypto::CryptoError::Format)), "{decrypted:?}");
    }
    // Encrypting then decrypting the input gives it back.
    assert_eq!(key.decrypt(&key.encrypt(data)).unwrap(), data);
    // Wrapped keys: errors, never panics; what parses prints back the same.
    let _ = pair.unseal(&text);
    if let Ok(shared) = text.parse::<SharedKey>() {
        assert_eq!(shared.to_string(), text);
    }
    if let Ok(raw) = crypto::unb64(&text) {
        assert_eq!(crypto::unb64(&crypto::b64(&raw)).unwrap(), raw);
    }
    // SPKI: whatever is accepted is an RSA-2048 key something can be wrapped to.
    if crypto::check_public_key(data).is_ok() {
        let sealed = crypto::seal_to(data, b"provider key").unwrap();
        assert!(crypto::looks_sealed(&sealed));
    }
});
