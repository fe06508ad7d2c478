//! Security keys and passkeys in the browser (two-step login): the server's
//! WebAuthn options in, the key's answer out, both JSON (`js/webauthn.js`).
//! The key's private half never leaves it; the server checks the signature.

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/js/webauthn.js")]
    extern "C" {
        pub fn create_credential(options: &str) -> js_sys::Promise;
        pub fn get_credential(options: &str) -> js_sys::Promise;
    }
}

#[cfg(feature = "hydrate")]
async fn answer(promise: js_sys::Promise) -> Result<String, String> {
    match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(v) => v.as_string().ok_or_else(|| "The security key gave no answer.".to_string()),
        Err(e) => {
            Err(js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_else(|| "The security key could not be used.".into()))
        }
    }
}

/// Registers a new key: the person touches it; its answer (JSON) for the server.
pub async fn create(options: &str) -> Result<String, String> {
    #[cfg(feature = "hydrate")]
    {
        answer(browser::create_credential(options)).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options;
        Err("Security keys work in the browser.".into())
    }
}

/// Signs the log-in challenge with a registered key: its answer (JSON).
pub async fn get(options: &str) -> Result<String, String> {
    #[cfg(feature = "hydrate")]
    {
        answer(browser::get_credential(options)).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options;
        Err("Security keys work in the browser.".into())
    }
}
