// The lazily loaded wasm modules and same-site files (app/src/modules.rs).
const loading = {};
export function load_module(name) {
    if (!loading[name]) {
        loading[name] = import(`/pkg/${name}/${name}.js`).then(async (m) => {
            await m.default({ module_or_path: `/pkg/${name}/${name}_bg.wasm` });
            if (typeof m.prepare === 'function') m.prepare();
            return m;
        });
        loading[name].catch(() => { delete loading[name]; });
    }
    return loading[name];
}
export function fetch_text(url) {
    return fetch(url).then((r) => { if (!r.ok) throw new Error(r.status); return r.text(); });
}
