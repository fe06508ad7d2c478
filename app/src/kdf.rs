//! The master key, derived in the browser by the lazily loaded `kdf` wasm
//! module (Argon2id built for speed; see kdf/). Natively (server-side
//! rendering, tests) the same `domain::crypto` function runs directly.

use domain::crypto::{self, MasterKey};
use domain::{Email, KdfParams};

#[cfg(feature = "hydrate")]
mod lazy {
    use wasm_bindgen::prelude::*;

    pub async fn argon2id(password: &str, salt: &[u8], p: domain::KdfParams) -> Result<Vec<u8>, String> {
        let f = crate::modules::function("kdf", "argon2id").await?;
        let args = js_sys::Array::of5(
            &JsValue::from_str(password),
            &js_sys::Uint8Array::from(salt).into(),
            &p.memory_kib.into(),
            &p.iterations.into(),
            &p.parallelism.into(),
        );
        let out = f.apply(&JsValue::NULL, &args).map_err(|_| "Key derivation failed.".to_string())?;
        Ok(js_sys::Uint8Array::new(&out).to_vec())
    }
}

/// Starts fetching the module (on pages where a password will be typed), so
/// that it is ready when the person presses the button.
pub fn preload() {
    #[cfg(feature = "hydrate")]
    {
        crate::modules::preload("kdf");
    }
}

/// Argon2id(master password, SHA-256(email), params): the master key.
/// Parameters outside the safe range (a downgrading server) are refused
/// before the password is used.
pub async fn master_key(password: &str, email: &Email, params: KdfParams) -> Result<MasterKey, String> {
    #[cfg(feature = "hydrate")]
    {
        crypto::check_kdf(params).map_err(|e| e.to_string())?;
        let raw = lazy::argon2id(password, &crypto::kdf_salt(email), params).await?;
        MasterKey::from_bytes(&raw).map_err(|e| e.to_string())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        crypto::master_key(password, email, params).map_err(|e| e.to_string())
    }
}
