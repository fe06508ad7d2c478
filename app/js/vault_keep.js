// The vault timeout's keeping of the user key (app/src/vault_keep.rs): the key
// sealed with AES-256-GCM under a non-extractable WebCrypto key, both in this
// origin's IndexedDB; the session cookie's random tag for "On browser restart".
const DB = 'portal-vault', STORE = 'kept', ID = 'user-key';
function open() {
    return new Promise((resolve, reject) => {
        const r = indexedDB.open(DB, 1);
        r.onupgradeneeded = () => r.result.createObjectStore(STORE);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
    });
}
async function run(mode, f) {
    const db = await open();
    try {
        return await new Promise((resolve, reject) => {
            const t = db.transaction(STORE, mode);
            const req = f(t.objectStore(STORE));
            t.oncomplete = () => resolve(req.result);
            t.onerror = () => reject(t.error);
            t.onabort = () => reject(t.error);
        });
    } finally {
        db.close();
    }
}
export function browser_tag() {
    const m = document.cookie.match(/(?:^|; )pp_browser_session=([0-9a-f]{32})/);
    if (m) return m[1];
    const tag = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    document.cookie = `pp_browser_session=${tag}; Path=/; SameSite=Strict`;
    return tag;
}
export async function keep(user, bytes, tag) {
    const data = bytes.slice();
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ad = new TextEncoder().encode(user);
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: ad }, key, data);
    data.fill(0);
    await run('readwrite', (s) => s.put({ key, iv, sealed, user, tag }, ID));
}
export async function kept(user) {
    const rec = await run('readonly', (s) => s.get(ID));
    if (!rec || rec.user !== user) return null;
    const ad = new TextEncoder().encode(user);
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: rec.iv, additionalData: ad }, rec.key, rec.sealed);
    return [rec.tag, new Uint8Array(plain)];
}
export function forget() {
    return run('readwrite', (s) => s.delete(ID));
}
