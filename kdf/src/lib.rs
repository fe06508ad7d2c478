//! Argon2id for the browser as a separate wasm module. The main bundle is
//! built for size (`opt-level = "z"`), which costs Argon2id about a fifth of
//! its speed; this module is built with `opt-level = 3` (profile
//! `kdf-release`), keeps the argon2 code out of the first load, and is fetched
//! while the person types. `scripts/build-modules.sh` builds it into
//! `target/site/pkg/kdf/`; the app imports it on demand.

use wasm_bindgen::prelude::*;

/// Argon2id(password, salt) with the account's parameters → 32 bytes.
#[wasm_bindgen]
pub fn argon2id(password: &str, salt: &[u8], memory_kib: u32, iterations: u32, parallelism: u32) -> Result<Vec<u8>, JsError> {
    let params = domain::KdfParams { memory_kib, iterations, parallelism };
    domain::crypto::argon2id(password.as_bytes(), salt, params).map(|k| k.to_vec()).map_err(|e| JsError::new(&e.to_string()))
}

/// PBKDF2-SHA256(password, salt, iterations) → 32 bytes: Bitwarden's other
/// KDF (600,000 iterations by default), for accounts made by Bitwarden's apps.
#[wasm_bindgen]
pub fn pbkdf2_sha256(password: &str, salt: &[u8], iterations: u32) -> Result<Vec<u8>, JsError> {
    let kdf = domain::bitwarden::Kdf::Pbkdf2 { iterations };
    domain::bitwarden::MasterKey::derive_with_salt(password.as_bytes(), salt, kdf).map(|k| k.expose().to_vec()).map_err(|e| JsError::new(&e.to_string()))
}

/// Readies the module's memory for a derivation at the default parameters
/// (64 MiB): grows the wasm memory once and touches every page, so that the
/// first real derivation runs as fast as later ones. Called when the module is
/// fetched, while the person is still typing.
#[wasm_bindgen]
pub fn prepare() {
    let n = domain::KdfParams::default().memory_kib as usize * 1024;
    let mut v = vec![0u8; n];
    for i in (0..n).step_by(4096) {
        v[i] = 1;
    }
    std::hint::black_box(&v);
    drop(v);
    // A small derivation, so that the engine compiles the hot Argon2 code
    // with its optimising tier before the real one.
    let warm = domain::KdfParams { memory_kib: 4096, iterations: 1, parallelism: 1 };
    let _ = std::hint::black_box(domain::crypto::argon2id(b"warm-up", &[0; 16], warm));
}

#[cfg(test)]
mod tests {
    use domain::{Email, KdfParams, crypto};

    #[test]
    fn same_key_as_the_native_derivation() {
        let email = Email::parse("ann@example.com").unwrap();
        let p = KdfParams::MIN;
        let here = super::argon2id("pw", &crypto::kdf_salt(&email), p.memory_kib, p.iterations, p.parallelism).unwrap();
        assert_eq!(here, crypto::master_key("pw", &email, p).unwrap().expose().to_vec());
        assert_ne!(here, super::argon2id("pW", &crypto::kdf_salt(&email), p.memory_kib, p.iterations, p.parallelism).unwrap());
    }

    #[test]
    fn pbkdf2_is_bitwardens_master_key() {
        use domain::bitwarden::{Kdf, MasterKey};
        let here = super::pbkdf2_sha256("pw", b"ann@example.com", 5_000).unwrap();
        assert_eq!(here, MasterKey::derive("pw", "Ann@Example.com ", Kdf::Pbkdf2 { iterations: 5_000 }).unwrap().expose().to_vec());
        // Under Bitwarden's minimum the derivation is refused (JsError exists only in wasm).
        assert!(MasterKey::derive_with_salt(b"pw", b"ann@example.com", Kdf::Pbkdf2 { iterations: 4_999 }).is_err());
    }
}
