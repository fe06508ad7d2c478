// First-load transfer, measured in Chromium: every script, wasm and style file a
// page fetches from a cold cache until it is hydrated (`body[data-hydrated]`),
// raw and brotli (quality 11, as `scripts/serve.sh` precompresses them).
// BASE names a running release server; TOKEN (a session cookie) and PID (a
// provider id, server/examples/seed.rs) add the signed-in Members page.
// Prints one line per file and a total per page; lazily loaded modules fetched
// later (password strength, key derivation, the fingerprint word list) are
// listed apart, not in the total.
import { chromium } from '@playwright/test';
import { brotliCompressSync, constants } from 'node:zlib';

const { BASE = 'http://127.0.0.1:3300', TOKEN, PID } = process.env;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });

async function firstLoad(label, path, cookie) {
  const context = await browser.newContext();
  if (cookie) await context.addCookies([{ name: 'pp_session', value: cookie, url: BASE }]);
  const page = await context.newPage();
  // Bodies are only collected while the page loads, and compressed once it is
  // hydrated: compressing in the handler (quality 11 takes ~1 s per MB) held
  // up the page's own events and inflated the time to hydrate.
  const pending = [];
  page.on('response', (r) => {
    const url = new URL(r.url());
    if (!/\.(wasm|js|css|txt)$/.test(url.pathname)) return;
    pending.push(r.body().then((body) => ({ path: url.pathname, body }), () => null));
  });
  const t0 = Date.now();
  await page.goto(`${BASE}${path}`);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 60_000 });
  const hydrate = Date.now() - t0;
  await page.waitForLoadState('networkidle');
  const files = [];
  for (const got of await Promise.all(pending)) {
    if (!got) continue; // redirects have no body
    const br = brotliCompressSync(got.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    files.push({ path: got.path, raw: got.body.length, br, lazy: /\/(strength|kdf|fingerprint)\//.test(got.path) });
  }
  await context.close();
  files.sort((a, b) => a.path.localeCompare(b.path));
  let raw = 0, br = 0;
  const line = (name, r, b, note = '') => console.log(`${label.padEnd(14)} ${name.padEnd(56)} raw ${String(r).padStart(9)} B   brotli ${String(b).padStart(8)} B${note}`);
  const small = { n: 0, raw: 0, br: 0 };
  for (const f of files) {
    if (!f.lazy) { raw += f.raw; br += f.br; }
    if (f.br < 4096 && !f.lazy) { small.n += 1; small.raw += f.raw; small.br += f.br; continue; }
    line(f.path, f.raw, f.br, f.lazy ? '   (lazy module, not counted)' : '');
  }
  if (small.n) line(`${small.n} files under 4 KB brotli, together`, small.raw, small.br);
  console.log(`${label.padEnd(14)} ${files.length} files fetched`);
  console.log(`${label.padEnd(14)} FIRST LOAD (wasm + js + css): raw ${raw} B, brotli ${br} B; navigation to hydrated ${hydrate} ms`);
}

await firstLoad('login', '/login');
if (TOKEN && PID) await firstLoad('members', `/providers/${PID}/members`, TOKEN);
await browser.close();
