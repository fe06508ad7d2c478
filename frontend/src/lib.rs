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
#[wasm_bindgen::prelude::wasm_bindgen(inline_js = r#"
export function guard_chunks() {
    const fetch0 = window.fetch.bind(window);
    let lost = false;
    const isCode = (input) => {
        try {
            const url = new URL(input instanceof Request ? input.url : String(input), location.href);
            return url.origin === location.origin && /^\/pkg\/.*\.wasm$/.test(url.pathname);
        } catch (_) { return false; }
    };
    window.fetch = async (input, init) => {
        if (!isCode(input)) return fetch0(input, init);
        for (let attempt = 0; ; attempt += 1) {
            try {
                const r = await fetch0(input, init);
                if (r.status < 500 || attempt === 3) { if (!r.ok) lost = true; return r; }
            } catch (e) {
                if (attempt === 3) { lost = true; throw e; }
            }
            await new Promise((done) => setTimeout(done, 500 * 2 ** attempt));
        }
    };
    const stopped = (reason) => {
        if (!(reason instanceof WebAssembly.RuntimeError) || document.getElementById('app-stopped')) return;
        // For a developer: the release bundle traps without the panic's
        // message; say where it stopped and how to read the message.
        console.error(`Provider Portal stopped: ${lost ? 'a chunk of its code never arrived' : 'a panic in its WebAssembly code'} `
            + `(${reason.message}) at ${location.pathname}. The release bundle aborts without the panic's message; `
            + 'run the same steps on the debug build (PORTAL_E2E_BUILD=debug bash scripts/test.sh, or cargo leptos serve), '
            + 'whose console names the panic and its source line.\n' + (reason.stack || ''));
        const box = document.createElement('div');
        box.id = 'app-stopped';
        box.className = 'app-stopped';
        box.setAttribute('role', 'alert');
        const text = document.createElement('p');
        text.textContent = lost
            ? 'Part of the portal could not be loaded. Check your connection, then reload the page.'
            : 'Something went wrong and the portal stopped. Reload the page to go on.';
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'btn primary small';
        button.textContent = 'Reload page';
        button.addEventListener('click', () => location.reload());
        box.append(text, button);
        document.body.append(box);
        button.focus();
    };
    window.addEventListener('error', (e) => stopped(e.error));
    window.addEventListener('unhandledrejection', (e) => stopped(e.reason));
}
"#)]
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
