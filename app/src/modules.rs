//! The lazily loaded wasm modules that `scripts/build-modules.sh` puts in
//! `/pkg/<name>/` (`strength`, `kdf`): each fetched once, on first use, and
//! kept; a failed fetch is tried again at the next use. A module that exports
//! `prepare` gets it called once loaded.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/modules.js")]
extern "C" {
    fn load_module(name: &str) -> js_sys::Promise;
    fn fetch_text(url: &str) -> js_sys::Promise;
}

/// The text of a same-site file (for data kept out of the bundle).
pub async fn text(url: &str) -> Result<String, String> {
    wasm_bindgen_futures::JsFuture::from(fetch_text(url))
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| "Could not load a file the page needs. Check your connection and try again.".to_string())
}

/// Starts fetching a module without waiting for it.
pub fn preload(name: &str) {
    let _ = load_module(name);
}

/// The module's exported function `function`, once the module has loaded.
pub async fn function(name: &str, function: &str) -> Result<js_sys::Function, String> {
    let module = wasm_bindgen_futures::JsFuture::from(load_module(name))
        .await
        .map_err(|_| format!("Could not load the {name} module. Check your connection and try again."))?;
    js_sys::Reflect::get(&module, &function.into()).ok().and_then(|f| f.dyn_into().ok()).ok_or_else(|| format!("The {name} module is damaged."))
}
