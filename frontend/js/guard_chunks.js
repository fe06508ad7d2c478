// Retries of the page's code chunks and the notice when the app stops (frontend/src/lib.rs).
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
