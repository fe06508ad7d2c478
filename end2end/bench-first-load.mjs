// First-load transfer, measured in Chromium: every script, wasm and style file a
// page fetches from a cold cache until it is hydrated (`body[data-hydrated]`),
// raw and brotli (quality 11, as `scripts/serve.sh` precompresses them).
// BASE names a running release server; TOKEN (a session cookie) and PID (a
// provider id, server/examples/seed.rs) add the signed-in Members page.
// Prints one line per file and a total per page; lazily loaded modules fetched
// later (password strength, key derivation) are listed apart, not in the total.
import { chromium } from '@playwright/test';
import { brotliCompressSync, constants } from 'node:zlib';

const { BASE = 'http://127.0.0.1:3300', TOKEN, PID } = process.env;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });

async function firstLoad(label, path, cookie) {
  const context = await browser.newContext();
  if (cookie) await context.addCookies([{ name: 'pp_session', value: cookie, url: BASE }]);
  const page = await context.newPage();
  const files = [];
  page.on('response', async (r) => {
    const url = new URL(r.url());
    if (!/\.(wasm|js|css)$/.test(url.pathname)) return;
    try {
      const body = await r.body();
      const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
      files.push({ path: url.pathname, raw: body.length, br, lazy: /\/(strength|kdf)\//.test(url.pathname) });
    } catch { /* redirects have no body */ }
  });
  const t0 = Date.now();
  await page.goto(`${BASE}${path}`);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 60_000 });
  const hydrate = Date.now() - t0;
  await page.waitForLoadState('networkidle');
  await context.close();
  files.sort((a, b) => a.path.localeCompare(b.path));
  let raw = 0, br = 0;
  for (const f of files) {
    console.log(`${label.padEnd(14)} ${f.path.padEnd(56)} raw ${String(f.raw).padStart(9)} B   brotli ${String(f.br).padStart(8)} B${f.lazy ? '   (lazy module, not counted)' : ''}`);
    if (!f.lazy) { raw += f.raw; br += f.br; }
  }
  console.log(`${label.padEnd(14)} FIRST LOAD (wasm + js + css): raw ${raw} B, brotli ${br} B; navigation to hydrated ${hydrate} ms`);
}

await firstLoad('login', '/login');
if (TOKEN && PID) await firstLoad('members', `/providers/${PID}/members`, TOKEN);
await browser.close();
