#![recursion_limit = "256"]
//! The browser bundle. Hydrates the server-rendered page into the reactive app.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // A marker for people's tools and the end-to-end tests: the page is live.
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

/// Benchmark hook (BENCHMARKS.md): milliseconds of each Argon2id master-key
/// derivation at the default parameters, run in this browser.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn kdf_benchmark(runs: u32) -> Vec<f64> {
    let email = domain::Email::parse("bench@example.com").expect("valid email");
    let perf = web_sys::window().and_then(|w| w.performance());
    let now = || perf.as_ref().map(|p| p.now()).unwrap_or(0.0);
    (0..runs)
        .map(|_| {
            let t = now();
            let k = domain::crypto::master_key("correct horse battery staple", &email, domain::KdfParams::default());
            std::hint::black_box(k.is_ok());
            now() - t
        })
        .collect()
}
