#![recursion_limit = "256"]
//! The browser bundle. Hydrates the server-rendered page into the reactive app.

// The page's code comes in chunks (`cargo leptos build --split`), each fetched
// the first time it is needed: a page on navigation, the body behind the
// unlock panel at the first keystroke. The chunk loader cannot go on without
// one, and a failed load stops the app. So a chunk (or module) request that
// fails on the network or with a 5xx answer is tried again, three times, 0.5,
// 1 and 2 s apart; and if the app stops anyway (a chunk that never came, or a
// bug), a notice says so and offers to reload, instead of a page that silently
// no longer answers. Plain DOM: once stopped, the wasm cannot draw anything.
#[wasm_bindgen::prelude::wasm_bindgen(module = "/js/guard_chunks.js")]
extern "C" {
    fn guard_chunks();
}

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    guard_chunks();
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
