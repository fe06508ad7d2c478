#![recursion_limit = "256"]
//! The browser bundle. Hydrates the server-rendered page into the reactive app.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages are lazily loaded routes (`app::routes`, split into their own wasm
    // chunks by `cargo leptos build --split`), so hydration is asynchronous: it
    // waits for the chunk of the page the server rendered (preloaded by a
    // `<link rel="preload">` in that page).
    _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let body = leptos::prelude::document().body().expect("a <body>");
        let owner = leptos::mount::hydrate_from_async(body, app::App).await;
        owner.forget();
        // A marker for people's tools and the end-to-end tests: the page,
        // its own code included, is live.
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
